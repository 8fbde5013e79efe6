//! The report in four forms: a console table with a summary line, JSON, JUnit XML (one
//! testcase per check) and one self-contained HTML page.

use super::{CheckResult, Report, Verdict};
use quick_xml::escape::escape;
use std::fmt::Write as _;

impl Report {
    /// The closing summary line.
    pub fn summary(&self) -> String {
        summary(self)
    }

    /// The console table: one line per check, the details of each failure and warning below it.
    pub fn console(&self) -> String {
        console(self)
    }

    /// The report as JSON.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as JUnit XML: one `testsuite`, one `testcase` per check; a failure carries
    /// the finding, what Entra does, and the last exchange.
    pub fn junit(&self) -> String {
        junit(self)
    }

    /// One self-contained HTML page (no external resources): every check with its requests
    /// and responses.
    pub fn html(&self) -> String {
        html(self)
    }
}

fn summary(report: &Report) -> String {
    format!(
        "{} checks: {} passed, {} warned, {} failed in {:.1} s against {}{}",
        report.results.len(),
        report.count(Verdict::Pass),
        report.count(Verdict::Warn),
        report.count(Verdict::Fail),
        report.elapsed_ms as f64 / 1000.0,
        report.target,
        if report.left_behind.is_empty() {
            String::new()
        } else {
            format!("; {} objects left behind", report.left_behind.len())
        }
    )
}

fn console(report: &Report) -> String {
    let width = report
        .results
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6} {:<width$} {:>7}  REFERENCE",
        "RESULT", "CHECK", "MS"
    );
    for r in &report.results {
        let _ = writeln!(
            out,
            "{:<6} {:<width$} {:>7}  {}",
            r.verdict.as_str().to_uppercase(),
            r.name,
            r.elapsed_ms,
            r.reference
        );
        if r.verdict != Verdict::Pass {
            details(&mut out, r);
        } else if !r.message.is_empty() {
            let _ = writeln!(out, "       {}", r.message);
        }
    }
    let _ = writeln!(out, "{}", summary(report));
    out
}

fn details(out: &mut String, r: &CheckResult) {
    let _ = writeln!(out, "       found: {}", flat(&r.message));
    let _ = writeln!(out, "       entra: {}", flat(&r.entra));
    if let Some(x) = r.exchanges.last() {
        let _ = writeln!(out, "       request: {} {}", x.method, x.path);
        if let Some(body) = &x.request_body {
            let _ = writeln!(out, "                {body}");
        }
        let status = x.status.map_or("-".to_string(), |s| s.to_string());
        let _ = writeln!(out, "       response: {status} {}", one_line(&x.response));
    }
}

/// `text` on one line (a server's detail may hold line breaks).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_line(text: &str) -> String {
    let flat = flat(text);
    match flat.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

fn junit(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites><testsuite name=\"blinksim check\" tests=\"{}\" failures=\"{}\" skipped=\"0\" time=\"{:.3}\">",
        report.results.len(),
        report.count(Verdict::Fail),
        report.elapsed_ms as f64 / 1000.0
    );
    for r in &report.results {
        let _ = write!(
            out,
            "<testcase classname=\"blinksim.check\" name=\"{}\" time=\"{:.3}\">",
            escape(r.name.as_str()),
            r.elapsed_ms as f64 / 1000.0
        );
        let mut text = String::new();
        details(&mut text, r);
        let text = format!("{}\nreference: {}", text, r.reference);
        match r.verdict {
            Verdict::Pass => {}
            Verdict::Warn => {
                let _ = write!(
                    out,
                    "<system-out>warning: {}</system-out>",
                    escape(text.as_str())
                );
            }
            Verdict::Fail => {
                let _ = write!(
                    out,
                    "<failure message=\"{}\">{}</failure>",
                    escape(r.message.as_str()),
                    escape(text.as_str())
                );
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("</testsuite></testsuites>\n");
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.pass{color:#176f2c}.warn{color:#8a6d00}.fail{color:#b00020}pre{white-space:pre-wrap;background:#f6f6f6;padding:6px;margin:4px 0;max-width:110ch}details{margin:2px 0}";

fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>blinksim check</title><style>{STYLE}</style></head><body><h1>blinksim check</h1><p id=\"summary\">{}</p><table><tr><th>Result</th><th>Check</th><th>Reference</th><th>Details</th></tr>",
        escape(summary(report).as_str())
    );
    for r in &report.results {
        let v = r.verdict.as_str();
        let _ = write!(
            out,
            "<tr class=\"check\" data-check=\"{name}\"><td class=\"{v}\">{v}</td><td>{name}</td><td>{}</td><td>",
            escape(r.reference.as_str()),
            name = escape(r.name.as_str()),
        );
        if r.verdict != Verdict::Pass {
            let _ = write!(
                out,
                "<p><b>Found:</b> {}</p><p><b>Entra:</b> {}</p>",
                escape(r.message.as_str()),
                escape(r.entra.as_str())
            );
        } else if !r.message.is_empty() {
            let _ = write!(out, "<p>{}</p>", escape(r.message.as_str()));
        }
        for x in &r.exchanges {
            let status = x.status.map_or("-".to_string(), |s| s.to_string());
            let _ = write!(
                out,
                "<details><summary>{} {} → {status} ({} ms)</summary><pre>{}</pre><pre>{}</pre></details>",
                escape(x.method.as_str()),
                escape(x.path.as_str()),
                x.elapsed_ms,
                escape(x.request_body.as_deref().unwrap_or("")),
                escape(x.response.as_str())
            );
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</table></body></html>\n");
    out
}
