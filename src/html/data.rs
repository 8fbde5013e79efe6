//! The tables the page renders itself, as compact JSON rows (arrays, not objects, so the
//! packed data stays small for 10,000 users): the provisioning logs and the request trace.

use crate::engine::{CycleSummary, LogEntry, TraceRecord};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Log rows: `[time, cycle, user, action, status, errorCode, reason, steps, modified]`, where
/// a step is `[name, status, description, {details}]` and a modified property `[name, old, new]`.
pub(super) fn log_rows(logs: &[LogEntry], cycles: &[CycleSummary]) -> Value {
    let numbers: HashMap<&str, u32> = cycles
        .iter()
        .map(|c| (c.cycle_id.as_str(), c.number))
        .collect();
    let rows: Vec<Value> = logs
        .iter()
        .map(|e| {
            let cycle = numbers
                .get(e.cycle_id.as_str())
                .map_or_else(|| "on demand".to_string(), u32::to_string);
            let error = e.provisioning_status_info.error_information.as_ref();
            let steps: Vec<Value> = e
                .provisioning_steps
                .iter()
                .map(|s| json!([s.name.as_str(), s.status.as_str(), s.description, s.details]))
                .collect();
            let modified: Vec<Value> = e
                .modified_properties
                .iter()
                .map(|m| json!([m.display_name, m.old_value, m.new_value]))
                .collect();
            json!([
                e.activity_date_time,
                cycle,
                e.source_identity.display_name,
                e.provisioning_action.as_str(),
                e.status().as_str(),
                error.map(|i| i.error_code.as_str()).unwrap_or_default(),
                error.map(|i| i.reason.as_str()).unwrap_or_default(),
                steps,
                modified,
            ])
        })
        .collect();
    Value::Array(rows)
}

/// Trace rows: `[cycle, object, method, path, outcome, waitedMs, body]`.
pub(super) fn trace_rows(trace: &[TraceRecord]) -> Value {
    let rows: Vec<Value> = trace
        .iter()
        .map(|t| {
            let e = &t.entry;
            json!([
                t.cycle,
                t.object,
                e.method,
                e.path,
                e.outcome,
                e.waited_ms,
                e.body.as_deref().unwrap_or_default(),
            ])
        })
        .collect();
    Value::Array(rows)
}
