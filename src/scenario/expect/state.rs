//! Checks of a cycle's summary, the job's state and the tenant's users.

use super::OrNone;
use super::{Checks, CycleExpect, JobExpect, TenantExpect};
use crate::engine::job::ProvisioningJob;
use crate::engine::log::CycleSummary;
use crate::engine::wire::value_at;
use serde_json::Value;

pub(super) fn cycle_checks(checks: &mut Checks, c: &CycleExpect, job: &ProvisioningJob) {
    let summary: Option<&CycleSummary> = match c.number {
        Some(n) => job.cycles().iter().find(|s| s.number == n),
        None => job.cycles().last(),
    };
    let Some(s) = summary else {
        checks.push(
            "cycle".into(),
            false,
            c.number.map_or("a cycle".into(), |n| format!("cycle {n}")),
            "no such cycle".into(),
        );
        return;
    };
    let at = |field: &str| format!("cycle {} {field}", s.number);
    checks.eq(at("kind"), c.kind, s.kind);
    checks.eq(at("state"), c.state, s.state);
    let n = &s.counts;
    for (field, expected, actual) in [
        ("imported", c.imported, n.imported),
        ("entitled", c.entitled, n.entitled),
        ("created", c.created, n.created),
        ("updated", c.updated, n.updated),
        ("disabled", c.disabled, n.disabled),
        ("deleted", c.deleted, n.deleted),
        ("skipped", c.skipped, n.skipped),
        ("failed", c.failed, n.failed),
        (
            "reference_failures",
            c.reference_failures,
            n.reference_failures,
        ),
        ("staged_deletes", c.staged_deletes, n.staged_deletes),
        ("requests", c.requests, n.requests),
    ] {
        checks.eq(at(field), expected, actual);
    }
    checks.eq(at("escrowed"), c.escrowed, s.escrowed);
    checks.eq(
        at("connector_data_store"),
        c.connector_data_store,
        s.users_in_connector_data_store,
    );
    checks.eq(at("steady_state"), c.steady_state, s.steady_state);
    checks.eq(at("job_status"), c.job_status, s.job_status);
    checks.eq(at("quarantine"), c.quarantine, s.quarantine.into());
}

pub(super) fn job_checks(checks: &mut Checks, j: &JobExpect, job: &ProvisioningJob) {
    let graph = job.synchronization_job();
    let status = &graph.status;
    checks.eq("job code".into(), j.code, status.code);
    checks.eq(
        "job schedule_state".into(),
        j.schedule_state,
        graph.schedule.state,
    );
    checks.eq(
        "job quarantine".into(),
        j.quarantine,
        status.quarantine.as_ref().map(|q| q.reason).into(),
    );
    checks.eq(
        "job quarantine_series_count".into(),
        j.quarantine_series_count.map(OrNone::Some),
        status.quarantine.as_ref().map(|q| q.series_count).into(),
    );
    checks.eq(
        "job count_successive_complete_failures".into(),
        j.count_successive_complete_failures,
        status.count_successive_complete_failures,
    );
    checks.eq(
        "job last_execution_state".into(),
        j.last_execution_state.map(OrNone::Some),
        status.last_execution.as_ref().map(|e| e.state).into(),
    );
    checks.eq("job escrowed".into(), j.escrowed, job.escrows().len());
    checks.eq(
        "job staged_deletes".into(),
        j.staged_deletes,
        job.staged_deletes().len(),
    );
    checks.eq("job linked".into(), j.linked, job.links().len());
    checks.eq("job cycles".into(), j.cycles, job.cycles().len());
    checks.eq(
        "job next_is_initial".into(),
        j.next_is_initial,
        job.next_is_initial(),
    );
}

fn find<'a>(users: &'a [Value], user_name: &str) -> Option<&'a Value> {
    users.iter().find(|u| {
        u.get("userName")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(user_name))
    })
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_string(), Value::to_string)
}

pub(super) fn tenant_checks(checks: &mut Checks, t: &TenantExpect, users: &[Value]) {
    checks.eq("tenant users".into(), t.count, users.len());
    let active = users
        .iter()
        .filter(|u| u.get("active") == Some(&Value::Bool(true)))
        .count();
    checks.eq("tenant active users".into(), t.active, active);
    for u in &t.users {
        let found = find(users, &u.user_name);
        checks.push(
            format!("tenant user {} exists", u.user_name),
            found.is_some() == u.exists,
            u.exists.to_string(),
            found.is_some().to_string(),
        );
        let Some(found) = found else { continue };
        for (path, expected) in &u.attributes {
            let actual = value_at(found, path);
            let ok = match (&actual, expected) {
                (Some(Value::String(a)), Value::String(e)) => a == e,
                (Some(a), e) => a == e,
                (None, _) => false,
            };
            checks.push(
                format!("tenant user {} {path}", u.user_name),
                ok,
                expected.to_string(),
                show(actual.as_ref()),
            );
        }
        for path in &u.absent {
            let actual = value_at(found, path);
            checks.push(
                format!("tenant user {} {path}", u.user_name),
                actual.is_none(),
                "(absent)".into(),
                show(actual.as_ref()),
            );
        }
        if let Some(m) = &u.manager {
            let id = value_at(
                found,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            );
            let manager_name = id
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|id| {
                    users
                        .iter()
                        .find(|x| x.get("id").and_then(Value::as_str) == Some(id))
                })
                .and_then(|x| x.get("userName").and_then(Value::as_str))
                .unwrap_or("(none)");
            checks.push(
                format!("tenant user {} manager", u.user_name),
                manager_name.eq_ignore_ascii_case(m),
                m.clone(),
                manager_name.to_string(),
            );
        }
    }
}
