//! What a played scenario looks like: the console report (per cycle, the portal's sync details
//! and the log entries that matter), the snapshot text (everything, byte-stable), and the JSON
//! summary.

use super::model::Detail;
use super::runner::{Event, Played, StepRecord};
use crate::engine::TraceRecord;
use crate::engine::failure::FailureCode;
use crate::engine::log::{Action, LogEntry, Status};
use crate::engine::scope::SkipReason;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Cycles with more entries than this show only the ones that matter on the console.
const CONSOLE_ENTRIES: usize = 20;
/// Entries shown per cycle in summary detail.
const SUMMARY_ENTRIES: usize = 10;

/// Which log entries a timeline shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entries {
    /// Every entry.
    All,
    /// At most this many, preferring failures, warnings and deprovisioning.
    Notable(usize),
    /// The first this many.
    First(usize),
}

/// The console report of one scenario.
pub fn console(played: &Played) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "▶ {} ({})", played.name, played.file);
    for w in &played.world.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    timeline(&mut out, played, Entries::Notable(CONSOLE_ENTRIES), true);
    let failures = played.failures();
    let total = played.checks().count();
    if failures.is_empty() {
        let _ = writeln!(out, "PASS {}: {total} check(s) held", played.name);
    } else {
        let _ = writeln!(
            out,
            "FAIL {}: {} of {total} check(s) failed",
            played.name,
            failures.len()
        );
        for (step, check) in failures {
            let _ = writeln!(
                out,
                "  {}:{}: {}: expected {}, found {}",
                played.file,
                step.line
                    .map_or_else(|| format!("step[{}]", step.index), |l| l.to_string()),
                check.what,
                check.expected,
                check.actual
            );
        }
    }
    out
}

/// The snapshot text of one scenario: timeline with every log entry, requests, tenant state.
pub fn snapshot(played: &Played) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", played.name);
    if !played.description.is_empty() {
        let _ = writeln!(out, "{}", played.description.trim());
    }
    let _ = writeln!(out, "seed {}", played.seed);
    let _ = writeln!(out, "\n## Timeline");
    let entries = match played.detail {
        Detail::Full => Entries::All,
        Detail::Summary => Entries::First(SUMMARY_ENTRIES),
    };
    timeline(&mut out, played, entries, false);
    let _ = writeln!(out, "\n## Requests");
    requests(&mut out, played.world.job.trace(), played.detail);
    let _ = writeln!(out, "\n## Tenant");
    tenant(&mut out, &played.final_users, played.detail);
    out
}

fn timeline(out: &mut String, played: &Played, entries: Entries, console: bool) {
    for step in &played.steps {
        step_block(out, played, step, entries, console);
    }
}

fn step_block(
    out: &mut String,
    played: &Played,
    step: &StepRecord,
    entries: Entries,
    console: bool,
) {
    let head = format!("[{}] {}", step.place(), step.keyword);
    if step.keyword == "expect" {
        let failed = step.checks.iter().filter(|c| !c.ok).count();
        if failed == 0 {
            let _ = writeln!(out, "{head}: {} check(s) held", step.checks.len());
        } else {
            let _ = writeln!(
                out,
                "{head}: {failed} of {} check(s) FAILED",
                step.checks.len()
            );
        }
        for c in &step.checks {
            if !c.ok {
                let _ = writeln!(
                    out,
                    "  ✗ {}: expected {}, found {}",
                    c.what, c.expected, c.actual
                );
            } else if !console {
                let _ = writeln!(out, "  ✓ {} = {}", c.what, c.actual);
            }
        }
        return;
    }
    let _ = writeln!(out, "{head}");
    let mut i = 0;
    while i < step.events.len() {
        // Runs of steady-state cycles that logged nothing collapse into one line.
        let quiet = |e: &Event| match e {
            Event::Cycle(s) => s.steady_state && cycle_entries(played, &s.cycle_id).is_empty(),
            _ => false,
        };
        let run = step.events[i..].iter().take_while(|e| quiet(e)).count();
        if run > 1 {
            if let (Event::Cycle(first), Event::Cycle(last)) =
                (&step.events[i], &step.events[i + run - 1])
            {
                let _ = writeln!(
                    out,
                    "  Cycles {}-{} ({} -> {}): steady state, nothing to export; job {}",
                    first.number, last.number, first.started, last.ended, last.job_status
                );
            }
            i += run;
            continue;
        }
        event_block(out, played, &step.events[i], entries);
        i += 1;
    }
}

fn event_block(out: &mut String, played: &Played, event: &Event, entries: Entries) {
    match event {
        Event::Cycle(summary) => {
            for line in summary.render().lines() {
                let _ = writeln!(out, "  {line}");
            }
            let list = cycle_entries(played, &summary.cycle_id);
            entry_list(out, &list, entries);
        }
        Event::NotRun(why) => {
            let _ = writeln!(out, "  {why}");
        }
        Event::TestConnection(t) => {
            let _ = writeln!(
                out,
                "  Test Connection: {} - {}",
                if t.ok { "OK" } else { "FAILED" },
                t.message
            );
        }
        Event::OnDemand(result) => {
            for s in &result.steps {
                let _ = writeln!(
                    out,
                    "  {}. {} [{}] {}",
                    s.number,
                    s.name,
                    s.status.as_str(),
                    s.description
                );
            }
            if let Some(e) = &result.entry {
                entry_list(out, &[e], Entries::All);
            }
        }
        Event::Note(note) => {
            let _ = writeln!(out, "  {note}");
        }
        Event::Error(message) => {
            let _ = writeln!(out, "  ERROR: {message}");
        }
    }
}

fn cycle_entries<'a>(played: &'a Played, cycle_id: &str) -> Vec<&'a LogEntry> {
    played
        .world
        .job
        .logs()
        .iter()
        .filter(|e| e.cycle_id == cycle_id)
        .collect()
}

fn notable(e: &LogEntry) -> bool {
    matches!(e.status(), Status::Failure | Status::Warning)
        || matches!(
            e.provisioning_action,
            Action::Delete | Action::Disable | Action::StagedDelete
        )
}

fn entry_list(out: &mut String, list: &[&LogEntry], entries: Entries) {
    let shown: Vec<&LogEntry> = match entries {
        Entries::All => list.to_vec(),
        Entries::First(n) => list.iter().take(n).copied().collect(),
        Entries::Notable(n) if list.len() <= n => list.to_vec(),
        Entries::Notable(n) => list
            .iter()
            .filter(|e| notable(e))
            .take(n)
            .copied()
            .collect(),
    };
    for e in &shown {
        entry(out, e);
    }
    if shown.len() < list.len() {
        let _ = writeln!(
            out,
            "    ... {} more entries (all of them in --out logs.jsonl); all {}: {}",
            list.len() - shown.len(),
            list.len(),
            breakdown(list)
        );
    }
}

/// Counts of entries by action, status and skip reason or error code, largest first.
fn breakdown(list: &[&LogEntry]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in list {
        let why = e
            .error_code()
            .map(FailureCode::as_str)
            .or_else(|| e.skip_reason().map(SkipReason::as_str))
            .map(|w| format!(" {w}"))
            .unwrap_or_default();
        let key = format!(
            "{} {}{why}",
            e.provisioning_action.as_str(),
            e.status().as_str()
        );
        *counts.entry(key).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One log entry: action, status, who, and what changed or went wrong.
fn entry(out: &mut String, e: &LogEntry) {
    let target = if e.target_identity.id.is_empty() {
        String::new()
    } else {
        format!(" -> {}", e.target_identity.id)
    };
    let _ = write!(
        out,
        "    {:<12} {:<8} {}{target}",
        e.provisioning_action.as_str(),
        e.status().as_str(),
        e.source_identity.display_name
    );
    if let Some(info) = &e.provisioning_status_info.error_information {
        let _ = write!(
            out,
            "  {}: {}",
            info.error_code,
            one_line(&info.reason, 200)
        );
    } else if let Some(reason) = e.skip_reason() {
        let _ = write!(out, "  {reason}");
    } else if let Some(last) = e.provisioning_steps.last()
        && e.status() == Status::Warning
    {
        let _ = write!(out, "  {}", one_line(&last.description, 200));
    }
    let _ = writeln!(out);
    for m in &e.modified_properties {
        let _ = writeln!(
            out,
            "        {}: {} -> {}",
            m.display_name,
            m.old_value
                .as_deref()
                .map_or("(none)".to_string(), |v| format!("{v:?}")),
            m.new_value
                .as_deref()
                .map_or("(none)".to_string(), |v| format!("{v:?}")),
        );
    }
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}...")
    }
}

fn requests(out: &mut String, trace: &[TraceRecord], detail: Detail) {
    let mut by_cycle: Vec<(&str, Vec<&TraceRecord>)> = Vec::new();
    for t in trace {
        match by_cycle.last_mut() {
            Some((label, list)) if *label == t.cycle => list.push(t),
            _ => by_cycle.push((&t.cycle, vec![t])),
        }
    }
    // Runs of cycles that sent only their probe collapse into one line.
    let probe_only = |list: &[&TraceRecord]| {
        list.len() == 1 && list[0].object == "(test connection)" && list[0].entry.waited_ms == 0
    };
    let mut i = 0;
    while i < by_cycle.len() {
        let run = by_cycle[i..]
            .iter()
            .take_while(|(label, list)| {
                label.parse::<u32>().is_ok()
                    && probe_only(list)
                    && list[0].entry.outcome == by_cycle[i].1[0].entry.outcome
            })
            .count();
        if run > 1 {
            let t = &by_cycle[i].1[0].entry;
            let _ = writeln!(
                out,
                "cycles {}-{}: only the probe each (GET {}?filter=userName eq <a new GUID> -> {})",
                by_cycle[i].0,
                by_cycle[i + run - 1].0,
                t.path.split('?').next().unwrap_or_default(),
                t.outcome
            );
            i += run;
            continue;
        }
        let (label, list) = &by_cycle[i];
        i += 1;
        let title = if label.starts_with("on-demand") || label.starts_with("test") {
            label.to_string()
        } else {
            format!("cycle {label}")
        };
        let _ = writeln!(out, "{title} ({} request(s))", list.len());
        match detail {
            Detail::Full => {
                for t in list {
                    request(out, t);
                }
            }
            Detail::Summary => {
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                for t in list {
                    *counts
                        .entry(format!("{} -> {}", t.entry.method, t.entry.outcome))
                        .or_default() += 1;
                }
                for (what, n) in counts {
                    let _ = writeln!(out, "  {n:>6} x {what}");
                }
                for t in list.iter().take(SUMMARY_ENTRIES) {
                    request(out, t);
                }
                if list.len() > SUMMARY_ENTRIES {
                    let _ = writeln!(out, "  ... {} more", list.len() - SUMMARY_ENTRIES);
                }
            }
        }
    }
}

fn request(out: &mut String, t: &TraceRecord) {
    let waited = if t.entry.waited_ms > 0 {
        format!(
            " (after waiting {})",
            crate::duration::format_duration(std::time::Duration::from_millis(t.entry.waited_ms))
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {} {} -> {}{waited}  [{}]",
        t.entry.method, t.entry.path, t.entry.outcome, t.object
    );
    if let Some(body) = &t.entry.body {
        let _ = writeln!(out, "      {body}");
    }
}

fn tenant(out: &mut String, users: &[Value], detail: Detail) {
    let active = users
        .iter()
        .filter(|u| u.get("active") == Some(&Value::Bool(true)))
        .count();
    let _ = writeln!(out, "{} user(s), {active} active", users.len());
    let shown = match detail {
        Detail::Full => users.len(),
        Detail::Summary => 3,
    };
    for u in users.iter().take(shown) {
        let text = serde_json::to_string_pretty(u).unwrap_or_default();
        let _ = writeln!(out, "{text}");
    }
    if users.len() > shown {
        let _ = writeln!(out, "... {} more user(s)", users.len() - shown);
    }
}

/// The machine-readable summary (`--json`, `--out summary.json`).
pub(crate) fn summary_json(played: &Played) -> Value {
    let job = &played.world.job;
    let failures: Vec<Value> = played
        .failures()
        .into_iter()
        .map(|(step, c)| {
            json!({
                "line": step.line,
                "step": step.index,
                "do": step.keyword,
                "what": c.what,
                "expected": c.expected,
                "actual": c.actual,
            })
        })
        .collect();
    let active = played
        .final_users
        .iter()
        .filter(|u| u.get("active") == Some(&Value::Bool(true)))
        .count();
    json!({
        "name": played.name,
        "file": played.file,
        "seed": played.seed,
        "ok": played.ok(),
        "checks": played.checks().count(),
        "failures": failures,
        "warnings": played.world.warnings,
        "cycles": job.cycles(),
        "job": {
            "id": job.job_id(),
            // Graph's names (§1.1); `status.json` has the whole `synchronizationStatus`.
            "code": job.status_code().as_str(),
            "scheduleState": job.schedule_state().as_str(),
            "quarantine": job.quarantine(),
            "linked": job.links().len(),
            "escrowed": job.escrows().len(),
            "stagedDeletes": job.staged_deletes().len(),
            "nextCycleAt": crate::scim::datetime::format_millis(job.next_cycle_at()),
            "logEntries": job.logs().len(),
            "requests": job.trace().len(),
        },
        "tenant": { "users": played.final_users.len(), "active": active },
    })
}
