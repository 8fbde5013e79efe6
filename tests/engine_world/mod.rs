//! A directory, a mock Blink tenant and a provisioning job wired together in-process, for
//! engine tests that assert the requests sent and the log entries produced.
#![allow(dead_code)]

use blinksim::VirtualClock;
use blinksim::engine::{Action, CycleSummary, LogEntry, Status};
use blinksim::engine::{Directory, DirectoryUser};
use blinksim::engine::{JobConfig, ProvisioningJob};
use blinksim::sim::{DEFAULT_START, Simulation, unix_millis};
use blinksim::tenant::{FaultRule, Tenant, TenantOptions};
use serde_json::Value;
use std::time::Duration;

/// 2026-01-15T09:00:00Z.
pub const T0: i64 = unix_millis(DEFAULT_START);
pub const MINUTE: i64 = 60_000;

pub struct World {
    pub clock: VirtualClock,
    pub tenant: Tenant,
    pub dir: Directory,
    pub job: ProvisioningJob,
}

pub fn user(id: &str, upn: &str) -> DirectoryUser {
    let local = upn.split('@').next().unwrap_or(upn);
    DirectoryUser {
        mail: Some(upn.to_string()),
        mail_nickname: Some(local.to_string()),
        given_name: Some(local.to_string()),
        surname: Some("Test".into()),
        job_title: Some("Engineer".into()),
        department: Some("R&D".into()),
        ..DirectoryUser::new(id, upn)
    }
}

impl World {
    pub fn new() -> World {
        Self::with(JobConfig::default(), TenantOptions::default())
    }

    pub fn with(config: JobConfig, options: TenantOptions) -> World {
        let parts = Simulation::builder()
            .tenant_options(options)
            .job(config)
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
            .into_parts();
        World {
            clock: parts.clock,
            tenant: parts.tenant.unwrap(),
            dir: parts.directory,
            job: parts.job,
        }
    }

    /// Adds a user assigned with role "User".
    pub fn assigned(&mut self, id: &str, upn: &str) -> &mut Self {
        self.dir.add_user(user(id, upn)).unwrap();
        self.dir.assign(id, false, "User").unwrap();
        self
    }

    pub async fn cycle(&mut self) -> CycleSummary {
        self.job.run_cycle(&self.dir).await.unwrap().clone()
    }

    /// Runs the next scheduled cycle (advancing the clock to it).
    pub async fn next_cycle(&mut self) -> CycleSummary {
        let at = self.job.next_cycle_at();
        self.clock.advance_to(at);
        self.cycle().await
    }

    pub fn fault(&self, rule: FaultRule) {
        self.tenant.add_fault(rule).unwrap();
    }

    /// "METHOD path" of every request of cycle `label`, test connection excluded.
    pub fn requests(&self, label: &str) -> Vec<String> {
        self.job
            .trace()
            .iter()
            .filter(|t| t.cycle == label && t.object != "(test connection)")
            .map(|t| format!("{} {}", t.entry.method, t.entry.path))
            .collect()
    }

    /// Request bodies of cycle `label` for one object.
    pub fn bodies(&self, label: &str, upn: &str) -> Vec<Value> {
        self.job
            .trace()
            .iter()
            .filter(|t| t.cycle == label && t.object == upn)
            .filter_map(|t| {
                t.entry
                    .body
                    .as_deref()
                    .and_then(|b| serde_json::from_str(b).ok())
            })
            .collect()
    }

    /// Log entries of the last cycle.
    pub fn last_entries(&self) -> Vec<&LogEntry> {
        let Some(cycle) = self.job.cycles().last() else {
            return vec![];
        };
        self.job
            .logs()
            .iter()
            .filter(|e| e.cycle_id == cycle.cycle_id)
            .collect()
    }

    /// (upn, action, status) of the last cycle's entries.
    pub fn outcomes(&self) -> Vec<(String, Action, Status)> {
        self.last_entries()
            .iter()
            .map(|e| {
                (
                    e.source_identity.display_name.clone(),
                    e.provisioning_action,
                    e.status(),
                )
            })
            .collect()
    }

    pub fn entry(&self, upn: &str) -> &LogEntry {
        self.job
            .logs()
            .iter()
            .rev()
            .find(|e| e.source_identity.display_name == upn)
            .unwrap_or_else(|| panic!("no entry for {upn}"))
    }

    pub fn target(&self, upn: &str) -> Value {
        self.tenant
            .find_by_user_name(upn)
            .unwrap_or_else(|| panic!("{upn} not in the tenant"))
    }

    pub fn id_of(&self, upn: &str) -> String {
        self.target(upn)["id"].as_str().unwrap().to_string()
    }
}

pub fn o(upn: &str, action: Action, status: Status) -> (String, Action, Status) {
    (upn.to_string(), action, status)
}
