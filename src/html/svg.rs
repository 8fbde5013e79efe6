//! Small SVG helpers: a linear time scale, a log count scale, and tick choices.

use super::esc;
use std::fmt::Write as _;

/// Maps virtual time (Unix ms) to x in `[left, left + width]`.
#[derive(Clone, Copy, Debug)]
pub(super) struct TimeScale {
    pub start: i64,
    pub end: i64,
    pub left: f64,
    pub width: f64,
}

impl TimeScale {
    pub fn x(&self, ms: i64) -> f64 {
        let span = (self.end - self.start).max(1) as f64;
        self.left + (ms - self.start) as f64 / span * self.width
    }

    /// Ticks at a round step chosen so that about eight fit, labelled by the offset from start.
    pub fn ticks(&self) -> Vec<(f64, String)> {
        const MINUTE: i64 = 60_000;
        const STEPS: [i64; 14] = [
            MINUTE,
            5 * MINUTE,
            10 * MINUTE,
            40 * MINUTE,
            2 * 60 * MINUTE,
            4 * 60 * MINUTE,
            8 * 60 * MINUTE,
            24 * 60 * MINUTE,
            2 * 24 * 60 * MINUTE,
            3 * 24 * 60 * MINUTE,
            7 * 24 * 60 * MINUTE,
            14 * 24 * 60 * MINUTE,
            28 * 24 * 60 * MINUTE,
            56 * 24 * 60 * MINUTE,
        ];
        let span = (self.end - self.start).max(1);
        let step = STEPS
            .iter()
            .copied()
            .find(|s| span / s <= 8)
            .unwrap_or(span / 8 + 1);
        (0..=span / step)
            .map(|i| {
                let offset = i * step;
                (self.x(self.start + offset), offset_label(offset))
            })
            .collect()
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
    fn log_scale_keeps_zero_flat_and_one_visible() {
        assert_eq!(log_height(0, 10_000, 100.0), 0.0);
        assert!(log_height(1, 10_000, 100.0) > 5.0);
        assert!((log_height(10_000, 10_000, 100.0) - 100.0).abs() < 0.1);
        assert_eq!(log_ticks(10_000), vec![1, 10, 100, 1000, 10_000]);
    }

    #[test]
    fn ticks_cover_a_month_in_about_eight_steps() {
        let day = 86_400_000;
        let s = TimeScale {
            start: 0,
            end: 30 * day,
            left: 0.0,
            width: 900.0,
        };
        let ticks = s.ticks();
        assert!((4..=9).contains(&ticks.len()), "{ticks:?}");
        assert_eq!(ticks[1].1, "+7d");
        assert_eq!(offset_label(40 * 60_000 + 5_000), "+40m");
    }
}
