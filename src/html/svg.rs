//! Small SVG helpers: a linear time scale, a log count scale, and tick choices.

use super::esc;
use std::fmt::Write as _;

/// Maps virtual time (Unix ms) to x in `[left, left + width]`, piecewise: each gap (a long
/// steady run) gets a narrow fixed width, so the cycles that change something stay readable.
#[derive(Clone, Debug)]
pub(super) struct TimeScale {
    pub start: i64,
    pub end: i64,
    pieces: Vec<Piece>,
}

#[derive(Clone, Copy, Debug)]
struct Piece {
    t0: i64,
    t1: i64,
    x0: f64,
    x1: f64,
    gap: bool,
}

/// Width given to one compressed gap.
const GAP_WIDTH: f64 = 44.0;

impl TimeScale {
    /// A scale over `[start, end]`; `gaps` are sorted, disjoint spans inside it to compress.
    pub fn new(start: i64, end: i64, (left, width): (f64, f64), gaps: &[(i64, i64)]) -> Self {
        let end = end.max(start + 1);
        let gaps: Vec<(i64, i64)> = gaps
            .iter()
            .map(|&(a, b)| (a.max(start), b.min(end)))
            .filter(|(a, b)| b > a)
            .collect();
        let gap_px = GAP_WIDTH.min(width / (3.0 * gaps.len().max(1) as f64));
        let gap_ms: i64 = gaps.iter().map(|(a, b)| b - a).sum();
        let linear_ms = (end - start - gap_ms).max(1) as f64;
        let linear_px = width - gap_px * gaps.len() as f64;
        let mut pieces = Vec::with_capacity(2 * gaps.len() + 1);
        let (mut t, mut x) = (start, left);
        for &(a, b) in gaps.iter().chain(std::iter::once(&(end, end))) {
            if a > t {
                let w = (a - t) as f64 / linear_ms * linear_px;
                pieces.push(Piece {
                    t0: t,
                    t1: a,
                    x0: x,
                    x1: x + w,
                    gap: false,
                });
                x += w;
            }
            if b > a {
                pieces.push(Piece {
                    t0: a,
                    t1: b,
                    x0: x,
                    x1: x + gap_px,
                    gap: true,
                });
                x += gap_px;
            }
            t = b;
        }
        TimeScale { start, end, pieces }
    }

    pub fn x(&self, ms: i64) -> f64 {
        let i = self.pieces.partition_point(|p| p.t1 < ms);
        match self.pieces.get(i).or(self.pieces.last()) {
            Some(p) => {
                let f = (ms - p.t0).clamp(0, p.t1 - p.t0) as f64 / (p.t1 - p.t0).max(1) as f64;
                p.x0 + f * (p.x1 - p.x0)
            }
            None => 0.0,
        }
    }

    /// The compressed gaps: x from, x to, and how long each is.
    pub fn gaps(&self) -> Vec<(f64, f64, String)> {
        self.pieces
            .iter()
            .filter(|p| p.gap)
            .map(|p| (p.x0, p.x1, offset_label(p.t1 - p.t0).replacen('+', "", 1)))
            .collect()
    }

    /// Ticks at a round step chosen so that about eight fit outside the gaps, labelled by
    /// the offset from start.
    pub fn ticks(&self) -> Vec<(f64, String)> {
        const MINUTE: i64 = 60_000;
        const DAY: i64 = 24 * 60 * MINUTE;
        const STEPS: [i64; 14] = [
            MINUTE,
            5 * MINUTE,
            10 * MINUTE,
            40 * MINUTE,
            2 * 60 * MINUTE,
            4 * 60 * MINUTE,
            8 * 60 * MINUTE,
            DAY,
            2 * DAY,
            3 * DAY,
            7 * DAY,
            14 * DAY,
            28 * DAY,
            56 * DAY,
        ];
        let linear: i64 = self
            .pieces
            .iter()
            .filter(|p| !p.gap)
            .map(|p| p.t1 - p.t0)
            .sum();
        let span = linear.max(1);
        let step = STEPS
            .iter()
            .copied()
            .find(|s| span / s <= 8)
            .unwrap_or(span / 8 + 1);
        let mut ticks = Vec::new();
        for p in self.pieces.iter().filter(|p| !p.gap) {
            let first = (p.t0 - self.start + step - 1) / step;
            let last = (p.t1 - self.start) / step;
            for i in first..=last {
                let offset = i * step;
                ticks.push((self.x(self.start + offset), offset_label(offset)));
            }
        }
        ticks
    }
}

/// `+0`, `+40m`, `+2d 4h`: an offset from the scenario's start.
pub(super) fn offset_label(ms: i64) -> String {
    if ms <= 0 {
        return "start".into();
    }
    // Seconds are noise on a scale of cycles.
    let rounded = if ms >= 60_000 {
        ms / 60_000 * 60_000
    } else {
        ms
    };
    let d = std::time::Duration::from_millis(u64::try_from(rounded).unwrap_or(0));
    format!("+{}", crate::duration::format_duration(d))
}

/// A count on a log scale from 0 to `max`, as a height up to `height` (0 stays 0, 1 is visible).
pub(super) fn log_height(count: u64, max: u64, height: f64) -> f64 {
    if count == 0 {
        return 0.0;
    }
    let top = ((max.max(1) + 1) as f64).log10();
    ((count + 1) as f64).log10() / top * height
}

/// Round counts to mark on a log axis up to `max`.
pub(super) fn log_ticks(max: u64) -> Vec<u64> {
    let mut ticks = vec![1];
    let mut n = 10u64;
    while n <= max {
        ticks.push(n);
        n = n.saturating_mul(10);
    }
    ticks
}

/// A rectangle with a tooltip.
pub(super) fn rect(out: &mut String, (x, y, w, h): (f64, f64, f64, f64), class: &str, tip: &str) {
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" class=\"{class}\">"
    );
    if !tip.is_empty() {
        let _ = write!(out, "<title>{}</title>", esc(tip));
    }
    out.push_str("</rect>");
}

/// A text label.
pub(super) fn label(out: &mut String, (x, y): (f64, f64), anchor: &str, text: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
        esc(text)
    );
}

/// A line.
pub(super) fn line(out: &mut String, (x1, y1, x2, y2): (f64, f64, f64, f64), class: &str) {
    let _ = write!(
        out,
        "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" class=\"{class}\"/>"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_is_narrow_and_the_rest_keeps_its_proportions() {
        let day = 86_400_000;
        let s = TimeScale::new(0, 30 * day, (0.0, 1000.0), &[(day, 29 * day)]);
        assert!((s.x(day) - s.x(0) - (1000.0 - GAP_WIDTH) / 2.0).abs() < 0.01);
        assert!((s.x(29 * day) - s.x(day) - GAP_WIDTH).abs() < 0.01);
        assert!((s.x(30 * day) - 1000.0).abs() < 0.01);
        assert_eq!(s.gaps()[0].2, "28d");
        assert!(
            s.ticks()
                .iter()
                .all(|(x, _)| *x <= s.x(day) || *x >= s.x(29 * day))
        );
    }

    #[test]
    fn log_scale_keeps_zero_flat_and_one_visible() {
        assert_eq!(log_height(0, 10_000, 100.0), 0.0);
        assert!(log_height(1, 10_000, 100.0) > 5.0);
        assert!((log_height(10_000, 10_000, 100.0) - 100.0).abs() < 0.1);
        assert_eq!(log_ticks(10_000), vec![1, 10, 100, 1000, 10_000]);
    }

    #[test]
    fn ticks_cover_a_month_in_about_eight_steps() {
        let day = 86_400_000;
        let s = TimeScale::new(0, 30 * day, (0.0, 900.0), &[]);
        let ticks = s.ticks();
        assert!((4..=9).contains(&ticks.len()), "{ticks:?}");
        assert_eq!(ticks[1].1, "+7d");
        assert!((s.x(15 * day) - 450.0).abs() < 0.01);
        assert_eq!(offset_label(40 * 60_000 + 5_000), "+40m");
    }
}
