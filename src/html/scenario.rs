//! `report.html` of a played scenario: a summary, the timeline, the expectations at their
//! steps, the cycles (steady runs collapsed), and the provisioning logs and request trace as
//! filterable, paginated tables the page builds from packed data.

use super::JobBand;
use super::svg::{TimeScale, offset_label};
use super::timeline::{self, KINDS, Placed, Timeline};
use super::{data, esc, page};
use crate::engine::{CycleSummary, LogEntry, TraceRecord};
use std::fmt::Write as _;

/// The job's status at a moment (a step's end).
#[derive(Clone, Copy, Debug)]
pub(crate) struct StatusSample {
    /// Virtual time, Unix ms.
    pub at_ms: i64,
    /// The status then.
    pub status: JobBand,
}

/// One checked expectation, at its step.
#[derive(Clone, Debug)]
pub(crate) struct Expectation<'a> {
    /// `line 40` or `step[3]`.
    pub place: String,
    /// Virtual time of the step, Unix ms.
    pub at_ms: i64,
    /// What was checked.
    pub what: &'a str,
    /// Whether it held.
    pub ok: bool,
    /// Expected value.
    pub expected: &'a str,
    /// Found value.
    pub actual: &'a str,
}

/// Everything the scenario page shows.
pub(crate) struct ScenarioInput<'a> {
    /// The scenario's name.
    pub name: &'a str,
    /// Its description.
    pub description: &'a str,
    /// Its file.
    pub file: &'a str,
    /// Its seed.
    pub seed: u64,
    /// Virtual time when it started, Unix ms.
    pub start_ms: i64,
    /// The cycles.
    pub cycles: &'a [CycleSummary],
    /// The job's status after each step.
    pub statuses: Vec<StatusSample>,
    /// The expectations in step order.
    pub expectations: Vec<Expectation<'a>>,
    /// The provisioning logs.
    pub logs: &'a [LogEntry],
    /// The requests sent.
    pub trace: &'a [TraceRecord],
}

/// Cycle rows shown one by one before the rest is summarised.
const CYCLE_ROWS: usize = 400;

/// The whole page.
pub(crate) fn scenario_page(input: &ScenarioInput<'_>) -> String {
    let placed = timeline::place(input.cycles, input.start_ms);
    let scale = scale_of(input, &placed);
    let mut body = String::with_capacity(128 * 1024);
    header(&mut body, input, &scale);
    body.push_str("<section><h2>Timeline</h2>");
    body.push_str(&timeline::render(&Timeline {
        scale: &scale,
        cycles: &placed,
        statuses: &input.statuses,
        expectations: &input.expectations,
    }));
    legend(&mut body);
    body.push_str("</section>\n");
    expectations(&mut body, input, &scale);
    cycles(&mut body, &placed, &scale);
    body.push_str(include_str!("tables.html"));
    let data = [
        ("log-data", data::log_rows(input.logs, input.cycles)),
        ("trace-data", data::trace_rows(input.trace)),
    ];
    page(
        &format!("{}: blinksim report", input.name),
        &body,
        &data,
        include_str!("report.js"),
    )
}

fn scale_of(input: &ScenarioInput<'_>, placed: &[Placed<'_>]) -> TimeScale {
    let times = placed
        .iter()
        .flat_map(|p| [p.start, p.end])
        .chain(input.statuses.iter().map(|s| s.at_ms))
        .chain(input.expectations.iter().map(|e| e.at_ms));
    let (mut start, mut end) = (input.start_ms, input.start_ms);
    for t in times {
        start = start.min(t);
        end = end.max(t);
    }
    // A scenario that never moved the clock still gets a readable axis (one cycle interval).
    let end = end.max(start + 40 * 60_000);
    TimeScale::new(
        start,
        end,
        (timeline::plot_left(), timeline::plot_width()),
        &steady_gaps(placed),
    )
}

/// Steady runs at least this long are compressed on the time axis.
const GAP_CYCLES: usize = 6;

/// The spans of long steady runs (from the run's first cycle to its last).
fn steady_gaps(placed: &[Placed<'_>]) -> Vec<(i64, i64)> {
    let mut gaps = Vec::new();
    let mut i = 0;
    while i < placed.len() {
        let mut j = i;
        while j < placed.len() && placed[j].cycle.steady_state {
            j += 1;
        }
        if j - i >= GAP_CYCLES {
            gaps.push((placed[i].start, placed[j - 1].end));
        }
        i = j.max(i + 1);
    }
    gaps
}

fn header(out: &mut String, input: &ScenarioInput<'_>, scale: &TimeScale) {
    let failed = input.expectations.iter().filter(|e| !e.ok).count();
    let total = input.expectations.len();
    let (class, verdict) = if failed == 0 {
        ("pass", "PASS")
    } else {
        ("fail", "FAIL")
    };
    let _ = write!(
        out,
        "<header><h1><span class=\"verdict {class}\">{verdict}</span> {}</h1>",
        esc(input.name)
    );
    if !input.description.trim().is_empty() {
        let _ = write!(
            out,
            "<p class=\"description\">{}</p>",
            esc(input.description.trim())
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} · seed {} · started {} (virtual time)</p></header>",
        esc(input.file),
        input.seed,
        esc(&crate::scim::format_millis(scale.start))
    );
    let failures = input
        .logs
        .iter()
        .filter(|l| l.status() == crate::engine::Status::Failure)
        .count();
    let cards = [
        (
            "expectations held",
            format!("{} of {total}", total - failed),
        ),
        ("cycles", input.cycles.len().to_string()),
        ("virtual time", offset_label(scale.end - scale.start)),
        ("log entries", input.logs.len().to_string()),
        ("failed entries", failures.to_string()),
        ("requests", input.trace.len().to_string()),
    ];
    out.push_str("<div class=\"cards\">");
    for (name, value) in cards {
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"value\">{}</div><div class=\"name\">{name}</div></div>",
            esc(value.trim_start_matches('+'))
        );
    }
    out.push_str("</div>\n");
}

fn legend(out: &mut String) {
    out.push_str("<div class=\"legend\">");
    for (name, class) in KINDS {
        let _ = write!(out, "<span><i class=\"{class}\"></i>{name}</span>");
    }
    for status in ["Active", "Quarantine", "Disabled", "Paused"] {
        let _ = write!(out, "<span><i class=\"st-{status}\"></i>{status}</span>");
    }
    out.push_str("<span><i class=\"steady\"></i>steady state</span>");
    out.push_str("<span><i class=\"ok\"></i>expectations held</span><span><i class=\"fail\"></i>an expectation failed</span>");
    out.push_str("<span class=\"hint\">bar height: log scale, one bar per cycle; hover a bar, band or marker for details</span></div>\n");
}

fn expectations(out: &mut String, input: &ScenarioInput<'_>, scale: &TimeScale) {
    out.push_str("<section><h2>Expectations</h2>");
    if input.expectations.is_empty() {
        out.push_str("<p>No expectations.</p></section>\n");
        return;
    }
    out.push_str("<table class=\"grid\" id=\"expectations\"><thead><tr><th>step</th><th>at</th><th>result</th><th>checked</th><th>expected</th><th>found</th></tr></thead><tbody>");
    for e in &input.expectations {
        let (class, mark) = if e.ok {
            ("ok", "✓ held")
        } else {
            ("fail", "✗ failed")
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td class=\"result\">{mark}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            esc(&e.place),
            esc(&offset_label(e.at_ms - scale.start)),
            esc(e.what),
            esc(e.expected),
            esc(e.actual)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// Steady cycles in a row with the same status become one row.
fn cycles(out: &mut String, placed: &[Placed<'_>], scale: &TimeScale) {
    out.push_str("<section><h2>Cycles</h2><table class=\"grid\" id=\"cycles\"><thead><tr><th>cycle</th><th>at</th><th>kind</th><th>job</th>");
    for (name, _) in KINDS {
        let _ = write!(out, "<th>{name}</th>");
    }
    out.push_str("<th>requests</th><th>note</th></tr></thead><tbody>");
    let mut i = 0;
    let mut shown = 0;
    while i < placed.len() && shown < CYCLE_ROWS {
        let c = placed[i].cycle;
        let mut j = i;
        while j + 1 < placed.len() && alike(c, placed[j + 1].cycle) {
            j += 1;
        }
        if j > i && c.steady_state {
            collapsed_row(out, &placed[i..=j], scale);
        } else if j >= i + 2 {
            // Three or more cycles that did the same (a quarantine's slow retries).
            cycle_row(out, &placed[i], scale);
            repeated_row(out, &placed[i + 1..=j], scale);
        } else {
            j = i;
            cycle_row(out, &placed[i], scale);
        }
        shown += 1;
        i = j + 1;
    }
    out.push_str("</tbody></table>");
    if i < placed.len() {
        let _ = write!(
            out,
            "<p class=\"note\">{} more cycles not listed; see cycles.json.</p>",
            placed.len() - i
        );
    }
    out.push_str("</section>\n");
}

/// Two cycles that differ only in number and time.
fn alike(a: &CycleSummary, b: &CycleSummary) -> bool {
    (
        a.kind,
        a.state,
        a.job_status,
        a.schedule_state,
        a.quarantine,
        a.steady_state,
        a.escrowed,
    ) == (
        b.kind,
        b.state,
        b.job_status,
        b.schedule_state,
        b.quarantine,
        b.steady_state,
        b.escrowed,
    ) && a.counts == b.counts
        && a.error == b.error
}

fn repeated_row(out: &mut String, run: &[Placed<'_>], scale: &TimeScale) {
    let (a, b) = (&run[0], &run[run.len() - 1]);
    let _ = write!(
        out,
        "<tr class=\"collapsed\"><td>{}–{}</td><td>{} – {}</td><td colspan=\"11\">{} more cycles like cycle {}</td></tr>",
        a.cycle.number,
        b.cycle.number,
        esc(&offset_label(a.start - scale.start)),
        esc(&offset_label(b.start - scale.start)),
        run.len(),
        a.cycle.number - 1
    );
}

fn cycle_row(out: &mut String, p: &Placed<'_>, scale: &TimeScale) {
    let c = p.cycle;
    let class = if c.counts.failed > 0 || c.error.is_some() {
        "fail"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        c.number,
        esc(&offset_label(p.start - scale.start)),
        c.kind,
        JobBand::after(c)
    );
    for v in timeline::counts(c) {
        let _ = write!(
            out,
            "<td class=\"n\">{}</td>",
            if v == 0 { String::new() } else { v.to_string() }
        );
    }
    let mut notes = Vec::new();
    if c.steady_state {
        notes.push("steady state".to_string());
    }
    if let Some(q) = c.quarantine {
        notes.push(format!("quarantine: {q}"));
    }
    if let Some(e) = &c.error {
        notes.push(e.clone());
    }
    let note = notes.join("; ");
    let _ = write!(
        out,
        "<td class=\"n\">{}</td><td>{}</td></tr>",
        c.counts.requests,
        esc(note.trim())
    );
}

fn collapsed_row(out: &mut String, run: &[Placed<'_>], scale: &TimeScale) {
    let (a, b) = (&run[0], &run[run.len() - 1]);
    let requests: u64 = run.iter().map(|p| p.cycle.counts.requests).sum();
    let _ = write!(
        out,
        "<tr class=\"collapsed\"><td>{}–{}</td><td>{} – {}</td><td colspan=\"9\">{} cycles in steady state, job {} (nothing to export)</td><td class=\"n\">{requests}</td><td></td></tr>",
        a.cycle.number,
        b.cycle.number,
        esc(&offset_label(a.start - scale.start)),
        esc(&offset_label(b.end - scale.start)),
        run.len(),
        JobBand::after(a.cycle)
    );
}
