//! Self-contained HTML reports (issue 16): `report.html` of a played scenario and the page of
//! `load --html`. Rendering is pure (data in, string out); nothing is fetched at view time:
//! CSS and JavaScript are inline, charts are SVG drawn here, and the large tables travel as
//! compressed JSON that the page unpacks with the browser's own `DecompressionStream`.

mod data;
mod load;
mod scenario;
mod svg;
mod timeline;

#[cfg(test)]
mod tests;

pub(crate) use load::load_page;

use crate::engine::{ScheduleState, StatusCode};

/// What the report's status band shows at a moment: the schedule's state when it keeps cycles
/// from running (Disabled, Paused), else Graph's status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobBand {
    /// No token yet.
    NotConfigured,
    /// Configured, no cycle completed.
    NotRun,
    /// Cycles on the schedule.
    Active,
    /// Quarantined: cycles at a reduced frequency.
    Quarantine,
    /// Stopped by an administrator.
    Paused,
    /// Disabled (four weeks of quarantine, an expired escrow).
    Disabled,
}

impl JobBand {
    /// The band of a status code under a schedule state.
    pub(crate) fn of(code: StatusCode, schedule: ScheduleState) -> Self {
        match (schedule, code) {
            (ScheduleState::Disabled, StatusCode::NotConfigured) => JobBand::NotConfigured,
            (ScheduleState::Disabled, _) => JobBand::Disabled,
            (ScheduleState::Paused, _) | (_, StatusCode::Paused) => JobBand::Paused,
            (_, StatusCode::NotConfigured) => JobBand::NotConfigured,
            (_, StatusCode::NotRun) => JobBand::NotRun,
            (_, StatusCode::Active) => JobBand::Active,
            (_, StatusCode::Quarantine) => JobBand::Quarantine,
        }
    }

    /// The band of a cycle's resulting status.
    pub(crate) fn after(cycle: &crate::engine::CycleSummary) -> Self {
        Self::of(cycle.job_status, cycle.schedule_state)
    }
}

impl std::fmt::Display for JobBand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JobBand::NotConfigured => "NotConfigured",
            JobBand::NotRun => "NotRun",
            JobBand::Active => "Active",
            JobBand::Quarantine => "Quarantine",
            JobBand::Paused => "Paused",
            JobBand::Disabled => "Disabled",
        })
    }
}
pub(crate) use scenario::{Expectation, ScenarioInput, StatusSample, scenario_page};

use base64::Engine as _;

/// Text made safe for HTML text and quoted attribute values (`&<>"'/` encoded).
pub(crate) fn esc(text: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_safe(text)
}

/// JSON as raw-deflate, base64 text: safe inside `<script type="application/octet-stream">`
/// whatever the strings hold, and about a tenth of the size of the JSON.
fn pack(json: &serde_json::Value) -> String {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut encoder, json);
    let bytes = encoder.finish().unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One whole page: `title`, the body's HTML, packed data blocks by id, and the page script.
fn page(title: &str, body: &str, data: &[(&str, serde_json::Value)], script: &str) -> String {
    let mut out = String::with_capacity(body.len() + 16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No network at view time: nothing may load from anywhere, not even the favicon.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    out.push_str(&format!("<title>{}</title>\n<style>\n", esc(title)));
    out.push_str(include_str!("style.css"));
    out.push_str("</style>\n</head>\n<body>\n");
    out.push_str(body);
    for (id, value) in data {
        out.push_str(&format!(
            "<script type=\"application/octet-stream\" id=\"{}\">{}</script>\n",
            esc(id),
            pack(value)
        ));
    }
    if !script.is_empty() {
        out.push_str("<script>\n");
        out.push_str(script);
        out.push_str("</script>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
