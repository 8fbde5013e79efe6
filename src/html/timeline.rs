//! The scenario's timeline as SVG: the job's status as bands, steady state as a strip, each
//! cycle as a stacked bar of its counts (log scale) at its virtual time, and each step's
//! expectations as a marker.

use super::JobBand;
use super::scenario::{Expectation, StatusSample};
use super::svg::{TimeScale, label, line, log_height, log_ticks, rect};
use crate::engine::CycleSummary;
use std::fmt::Write as _;

const WIDTH: f64 = 1100.0;
const LEFT: f64 = 92.0;
const RIGHT: f64 = 16.0;
const BAND_Y: f64 = 8.0;
const STEADY_Y: f64 = 30.0;
const BARS_TOP: f64 = 52.0;
const BARS_H: f64 = 170.0;
const MARKS_Y: f64 = 274.0;
const HEIGHT: f64 = 292.0;

/// The count kinds a bar stacks, bottom up, with their CSS classes.
pub(super) const KINDS: [(&str, &str); 7] = [
    ("created", "k-created"),
    ("updated", "k-updated"),
    ("disabled", "k-disabled"),
    ("deleted", "k-deleted"),
    ("skipped", "k-skipped"),
    ("failed", "k-failed"),
    ("escrowed", "k-escrowed"),
];

/// A cycle's counts in the order of [`KINDS`].
pub(super) fn counts(c: &CycleSummary) -> [u64; 7] {
    let n = &c.counts;
    [
        n.created, n.updated, n.disabled, n.deleted, n.skipped, n.failed, c.escrowed,
    ]
}

/// A cycle placed in time.
pub(super) struct Placed<'a> {
    pub cycle: &'a CycleSummary,
    pub start: i64,
    pub end: i64,
}

/// Cycles with parsed times (a cycle whose time does not parse sits at the start).
pub(super) fn place(cycles: &[CycleSummary], fallback: i64) -> Vec<Placed<'_>> {
    cycles
        .iter()
        .map(|cycle| {
            let start = crate::scim::parse_millis(&cycle.started).unwrap_or(fallback);
            let end = crate::scim::parse_millis(&cycle.ended).unwrap_or(start);
            Placed { cycle, start, end }
        })
        .collect()
}

/// What the timeline draws.
pub(super) struct Timeline<'a> {
    pub scale: &'a TimeScale,
    pub cycles: &'a [Placed<'a>],
    pub statuses: &'a [StatusSample],
    pub expectations: &'a [Expectation<'a>],
}

/// The SVG element.
pub(super) fn render(t: &Timeline<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024 + t.cycles.len() * 256);
    let _ = write!(
        out,
        "<svg class=\"timeline\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"Timeline of cycles, job status and expectations\">"
    );
    label(&mut out, (LEFT - 6.0, BAND_Y + 12.0), "end", "job status");
    label(
        &mut out,
        (LEFT - 6.0, STEADY_Y + 8.0),
        "end",
        "steady state",
    );
    label(&mut out, (LEFT - 6.0, MARKS_Y + 4.0), "end", "expectations");
    bands(&mut out, t);
    steady(&mut out, t);
    axes(&mut out, t);
    bars(&mut out, t);
    marks(&mut out, t);
    out.push_str("</svg>");
    out
}

/// Width of the chart's plotting area.
pub(super) fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

/// The left edge of the plotting area.
pub(super) fn plot_left() -> f64 {
    LEFT
}

fn bands(out: &mut String, t: &Timeline<'_>) {
    let s = t.scale;
    let mut samples: Vec<(i64, JobBand)> = t.statuses.iter().map(|p| (p.at_ms, p.status)).collect();
    // A cycle's resulting status is shown from its start (a first cycle is already Active).
    samples.extend(t.cycles.iter().map(|p| (p.start, JobBand::after(p.cycle))));
    samples.sort_by_key(|(at, _)| *at);
    let mut runs: Vec<(i64, i64, JobBand)> = Vec::new();
    for (at, status) in samples {
        match runs.last_mut() {
            Some(last) if last.2 == status => {}
            Some(last) => {
                last.1 = at;
                runs.push((at, at, status));
            }
            None => runs.push((s.start, at, status)),
        }
    }
    if let Some(last) = runs.last_mut() {
        last.1 = s.end;
    }
    for (from, to, status) in runs {
        let (x1, x2) = (s.x(from), s.x(to));
        let tip = format!(
            "{status} from {} to {}",
            super::svg::offset_label(from - s.start),
            super::svg::offset_label(to - s.start)
        );
        let class = format!("st st-{status}");
        rect(out, (x1, BAND_Y, (x2 - x1).max(1.0), 16.0), &class, &tip);
    }
}

fn steady(out: &mut String, t: &Timeline<'_>) {
    let s = t.scale;
    let mut i = 0;
    while i < t.cycles.len() {
        if !t.cycles[i].cycle.steady_state {
            i += 1;
            continue;
        }
        let first = i;
        while i + 1 < t.cycles.len() && t.cycles[i + 1].cycle.steady_state {
            i += 1;
        }
        let (a, b) = (&t.cycles[first], &t.cycles[i]);
        let end = t.cycles.get(i + 1).map_or(b.end, |next| next.start);
        let tip = format!(
            "steady state: cycles {}-{} ({} cycles)",
            a.cycle.number,
            b.cycle.number,
            i - first + 1
        );
        let (x1, x2) = (s.x(a.start), s.x(end));
        rect(
            out,
            (x1, STEADY_Y, (x2 - x1).max(1.5), 10.0),
            "steady",
            &tip,
        );
        i += 1;
    }
}

fn max_count(cycles: &[Placed<'_>]) -> u64 {
    cycles
        .iter()
        .flat_map(|p| counts(p.cycle))
        .max()
        .unwrap_or(0)
}

fn axes(out: &mut String, t: &Timeline<'_>) {
    let base = BARS_TOP + BARS_H;
    let max = max_count(t.cycles);
    let mut ticks = log_ticks(max.max(1));
    if ticks.last().is_some_and(|t| *t < max) {
        ticks.push(max);
    }
    for tick in ticks {
        let y = base - log_height(tick, max.max(1), BARS_H);
        line(out, (LEFT, y, WIDTH - RIGHT, y), "grid");
        label(out, (LEFT - 6.0, y + 4.0), "end", &format_count(tick));
    }
    line(out, (LEFT, base, WIDTH - RIGHT, base), "axis");
    let gaps = t.scale.gaps();
    let mut last_x = f64::MIN;
    for (x, text) in t.scale.ticks() {
        // Labels would collide near a gap's edges or the previous label.
        let near_gap = gaps.iter().any(|(a, b, _)| x > a - 30.0 && x < b + 30.0);
        if near_gap || x - last_x < 60.0 {
            continue;
        }
        last_x = x;
        let anchor = if x > WIDTH - RIGHT - 30.0 {
            "end"
        } else {
            "middle"
        };
        line(out, (x, base, x, base + 5.0), "axis");
        label(out, (x, base + 18.0), anchor, &text);
    }
    // Compressed steady runs: shaded, with how long they lasted.
    for (x1, x2, span) in t.scale.gaps() {
        let tip = format!("{span} of steady state, compressed on this axis");
        rect(out, (x1, BARS_TOP, x2 - x1, BARS_H), "gap", &tip);
        label(out, ((x1 + x2) / 2.0, base + 16.0), "middle", "steady");
        label(out, ((x1 + x2) / 2.0, base + 29.0), "middle", &span);
        line(out, (x1, base - 4.0, x1 + 4.0, base + 4.0), "axis");
        line(out, (x2 - 4.0, base - 4.0, x2, base + 4.0), "axis");
    }
}

fn format_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{}M", n / 1_000_000),
        n if n >= 1000 => format!("{}k", n / 1000),
        n => n.to_string(),
    }
}

fn bars(out: &mut String, t: &Timeline<'_>) {
    let s = t.scale;
    let base = BARS_TOP + BARS_H;
    let max = max_count(t.cycles).max(1);
    for p in t.cycles {
        let values = counts(p.cycle);
        if values.iter().all(|v| *v == 0) {
            continue;
        }
        let x = s.x(p.start);
        let w = (s.x(p.end) - x).max(2.0);
        let mut tip = format!(
            "Cycle {} ({}) at {}: ",
            p.cycle.number,
            p.cycle.kind,
            super::svg::offset_label(p.start - s.start)
        );
        let parts: Vec<String> = KINDS
            .iter()
            .zip(values)
            .filter(|(_, v)| *v > 0)
            .map(|((name, _), v)| format!("{name} {v}"))
            .collect();
        tip.push_str(&parts.join(", "));
        let _ = write!(tip, "; job {}", JobBand::after(p.cycle));
        let _ = write!(out, "<g class=\"bar\" data-cycle=\"{}\">", p.cycle.number);
        // Layered, largest behind: each colour's top reads true against the log axis.
        let mut layers: Vec<(u64, &str)> = values
            .iter()
            .zip(KINDS)
            .filter(|(v, _)| **v > 0)
            .map(|(v, (_, class))| (*v, class))
            .collect();
        layers.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
        for (v, class) in layers {
            let h = log_height(v, max, BARS_H);
            rect(out, (x, base - h, w, h), class, &tip);
        }
        out.push_str("</g>");
    }
}

fn marks(out: &mut String, t: &Timeline<'_>) {
    let s = t.scale;
    let mut i = 0;
    while i < t.expectations.len() {
        let place = &t.expectations[i].place;
        let group: Vec<&Expectation<'_>> = t.expectations[i..]
            .iter()
            .take_while(|e| &e.place == place)
            .collect();
        i += group.len();
        let failed = group.iter().filter(|e| !e.ok).count();
        let x = s.x(group[0].at_ms);
        let class = if failed == 0 { "mark ok" } else { "mark fail" };
        let mut tip = format!("{place}: {} of {} held", group.len() - failed, group.len());
        for e in &group {
            let _ = write!(
                tip,
                "\n{} {}: expected {}, found {}",
                if e.ok { "✓" } else { "✗" },
                e.what,
                e.expected,
                e.actual
            );
        }
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{MARKS_Y}\" r=\"6\" class=\"{class}\"><title>{}</title></circle>",
            super::esc(&tip)
        );
    }
}
