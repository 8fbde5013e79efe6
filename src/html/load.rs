//! The page of `load --html`: users per second per cycle and latency percentiles per
//! operation, as SVG bar charts with the figures in tables beside them.

use super::svg::{label, line, rect};
use super::{esc, page};
use crate::load::{LoadReport, OpFigures};
use std::fmt::Write as _;

const WIDTH: f64 = 1100.0;
const LEFT: f64 = 150.0;

/// The whole page.
pub(crate) fn load_page(report: &LoadReport) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<header><h1>blinksim load: {} users</h1><p class=\"meta\">seed {} · concurrency {} · target {} · directory generated in {} ms</p></header>",
        report.users,
        report.seed,
        report.concurrency,
        esc(&report.target),
        report.generate_ms
    );
    if let Some(why) = &report.stopped {
        let _ = write!(body, "<p class=\"error\">Stopped early: {}</p>", esc(why));
    }
    body.push_str("<section><h2>Users per second, per cycle</h2>");
    body.push_str(&throughput_chart(report));
    cycle_table(&mut body, report);
    body.push_str("</section><section><h2>Latency per operation (ms, real time)</h2>");
    body.push_str(&latency_chart(&report.operations));
    op_table(&mut body, &report.operations);
    body.push_str("</section>");
    if !report.errors.is_empty() {
        body.push_str(
            "<section><h2>Errors</h2><table class=\"grid\"><tr><th>code</th><th>count</th></tr>",
        );
        for (code, n) in &report.errors {
            let _ = write!(
                body,
                "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
                esc(code)
            );
        }
        body.push_str("</table></section>");
    }
    page(
        &format!("blinksim load: {} users", report.users),
        &body,
        &[],
        "",
    )
}

/// One bar: its value, CSS class and series name.
type Bar<'a> = (f64, &'a str, &'a str);

/// Horizontal bars, one per row, with a linear scale up to the largest value.
fn hbars(rows: &[(String, Vec<Bar<'_>>)], unit: &str) -> String {
    let row_h = 14.0;
    let gap = 10.0;
    let per_row = rows.iter().map(|(_, v)| v.len()).max().unwrap_or(1) as f64 * row_h;
    let height = rows.len() as f64 * (per_row + gap) + 30.0;
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter().map(|(x, _, _)| *x))
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let width = WIDTH - LEFT - 90.0;
    let mut out = format!("<svg viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\">");
    for (i, (name, values)) in rows.iter().enumerate() {
        let top = 10.0 + i as f64 * (per_row + gap);
        label(
            &mut out,
            (LEFT - 8.0, top + per_row / 2.0 + 4.0),
            "end",
            name,
        );
        for (j, (value, class, series)) in values.iter().enumerate() {
            let y = top + j as f64 * row_h;
            let w = value / max * width;
            let tip = format!("{name} {series}: {value:.2} {unit}");
            rect(&mut out, (LEFT, y, w.max(1.0), row_h - 2.0), class, &tip);
            label(
                &mut out,
                (LEFT + w + 6.0, y + row_h - 4.0),
                "start",
                &format!("{value:.1}"),
            );
        }
    }
    let base = height - 18.0;
    line(&mut out, (LEFT, 4.0, LEFT, base), "axis");
    out.push_str("</svg>");
    out
}

fn throughput_chart(report: &LoadReport) -> String {
    let rows: Vec<(String, Vec<Bar<'_>>)> = report
        .cycles
        .iter()
        .map(|c| {
            (
                format!("cycle {} ({})", c.number, c.kind),
                vec![(c.users_per_sec, "k-created", "users/s")],
            )
        })
        .collect();
    hbars(&rows, "users/s")
}

/// The percentiles drawn, with their classes (the legend reads them).
const PERCENTILES: [(&str, &str); 4] = [
    ("p50", "k-updated"),
    ("p90", "k-disabled"),
    ("p99", "k-failed"),
    ("max", "k-skipped"),
];

fn latency_chart(ops: &[OpFigures]) -> String {
    let rows: Vec<(String, Vec<Bar<'_>>)> = ops
        .iter()
        .map(|o| {
            let values = [o.p50_ms, o.p90_ms, o.p99_ms, o.max_ms];
            let bars = values
                .into_iter()
                .zip(PERCENTILES)
                .map(|(v, (name, class))| (v, class, name))
                .collect();
            (o.operation.clone(), bars)
        })
        .collect();
    let mut out = hbars(&rows, "ms");
    out.push_str("<div class=\"legend\">");
    for (name, class) in PERCENTILES {
        let _ = write!(out, "<span><i class=\"{class}\"></i>{name}</span>");
    }
    out.push_str("</div>");
    out
}

fn cycle_table(out: &mut String, report: &LoadReport) {
    out.push_str("<table class=\"grid\"><thead><tr><th>cycle</th><th>kind</th><th>changed</th><th>imported</th><th>created</th><th>updated</th><th>disabled</th><th>skipped</th><th>failed</th><th>requests</th><th>real ms</th><th>users/s</th><th>requests/s</th></tr></thead><tbody>");
    for c in &report.cycles {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.0}</td><td class=\"n\">{:.0}</td></tr>",
            c.number,
            esc(&c.kind),
            c.changed,
            c.imported,
            c.created,
            c.updated,
            c.disabled,
            c.skipped,
            c.failed,
            c.requests,
            c.real_ms,
            c.users_per_sec,
            c.requests_per_sec
        );
    }
    out.push_str("</tbody></table>");
}

fn op_table(out: &mut String, ops: &[OpFigures]) {
    out.push_str("<table class=\"grid\"><thead><tr><th>operation</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead><tbody>");
    for o in ops {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td></tr>",
            esc(&o.operation),
            o.count,
            o.p50_ms,
            o.p90_ms,
            o.p99_ms,
            o.max_ms
        );
    }
    out.push_str("</tbody></table>");
}
