//! The provisioning job's configuration (the portal's Provisioning page).

use super::client::RetryPolicy;
use super::known_issues::KnownIssues;
use super::mapping::MappingConfig;
use super::policy::{DEFAULT_DELETION_THRESHOLD, QuarantineThresholds};
use super::scope::{ScopingFilter, SyncScope};
use super::wire::Dialect;
use serde::{Deserialize, Serialize};

/// Target object actions (PORTAL "Target object actions").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetActions {
    /// Create users.
    pub create: bool,
    /// Update users.
    pub update: bool,
    /// Delete users (on hard delete).
    pub delete: bool,
}

impl Default for TargetActions {
    fn default() -> Self {
        TargetActions {
            create: true,
            update: true,
            delete: true,
        }
    }
}

/// Prevent accidental deletions (ACCDEL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccidentalDeletions {
    /// Whether the threshold applies.
    pub enabled: bool,
    /// More disables and deletes than this in one cycle are staged.
    pub threshold: u32,
}

impl Default for AccidentalDeletions {
    fn default() -> Self {
        // Opt-in: "select the Prevent accidental deletions check box" (rulings.md R2).
        AccidentalDeletions {
            enabled: false,
            threshold: DEFAULT_DELETION_THRESHOLD,
        }
    }
}

/// Everything that configures a provisioning job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobConfig {
    /// Tenant URL (Blink's is `https://api.joinblink.com/scim`); `?aadOptscim062020` or
    /// `?AzureAdScimPatch2017` in it selects the PATCH dialect, as the portal's flags do.
    pub tenant_url: String,
    /// Secret token.
    pub secret_token: String,
    /// Scope.
    pub scope: SyncScope,
    /// Scoping filters (OR across filters, AND within).
    pub scoping_filters: Vec<ScopingFilter>,
    /// Attribute mappings; the Blink gallery defaults when absent.
    pub mappings: Option<Vec<MappingConfig>>,
    /// Create / update / delete.
    pub actions: TargetActions,
    /// Do not disable users that leave scope (SKIPOOS).
    pub skip_out_of_scope_deletions: bool,
    /// Prevent accidental deletions.
    pub accidental_deletions: AccidentalDeletions,
    /// PATCH dialect when the tenant URL carries no flag (Appendix A): legacy, as Entra sends
    /// to a plain URL (rulings.md R1).
    pub patch_dialect: Dialect,
    /// Skip users whose only role is Default Access (Blink's tutorial; configurations before
    /// 04/16/2020, NOUSERS). False evaluates them like other roles.
    pub skip_default_access: bool,
    /// Requests in flight at once (real concurrency; outputs do not depend on it).
    pub concurrency: usize,
    /// Read the linked user (`GET /Users/{id}`) before updating it (SCIMDEV Example 3).
    pub read_before_update: bool,
    /// Retries within a cycle.
    pub retry: RetryPolicy,
    /// Documented known issues reproduced (rulings.md R7), each switchable.
    pub known_issues: KnownIssues,
    /// Test Connection fails on a non-empty answer to its random GUID (rulings.md R6).
    pub test_connection_requires_empty_list: bool,
    /// Quarantine thresholds.
    pub quarantine: QuarantineThresholds,
    /// Simulated latency of one request, for simulated durations (ms).
    pub request_latency_ms: u64,
    /// Simulated evaluation time per object: 0.6 s, the WHEN formula's minimum of
    /// 0.01 minutes per object (ms).
    pub object_overhead_ms: u64,
    /// HTTP timeout per request ("responses within 60 seconds", Q&A 1151866) (ms).
    pub request_timeout_ms: u64,
    /// Name of the target system in logs.
    pub target_system: String,
    /// Seed of ids, probe GUIDs and expression randomness.
    pub seed: u64,
    /// Keep the provisioning log entries (`logs()`); a load run that only needs counts turns
    /// this off to measure the engine, not its memory. Entries are built either way.
    pub retain_logs: bool,
    /// Keep the request trace (`trace()`); off for load runs.
    pub retain_trace: bool,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            tenant_url: crate::engine::BLINK_TENANT_URL.to_string(),
            secret_token: String::new(),
            scope: SyncScope::AssignedOnly,
            scoping_filters: Vec::new(),
            mappings: None,
            actions: TargetActions::default(),
            skip_out_of_scope_deletions: false,
            accidental_deletions: AccidentalDeletions::default(),
            patch_dialect: Dialect::Legacy,
            skip_default_access: true,
            concurrency: 8,
            read_before_update: true,
            retry: RetryPolicy::default(),
            test_connection_requires_empty_list: true,
            known_issues: KnownIssues::default(),
            quarantine: QuarantineThresholds::default(),
            request_latency_ms: 100,
            object_overhead_ms: 600,
            request_timeout_ms: 60_000,
            target_system: "Blink".to_string(),
            seed: 1,
            retain_logs: true,
            retain_trace: true,
        }
    }
}

impl JobConfig {
    /// The tenant URL's path (the SCIM base path) and the dialect its flags select.
    pub fn base_path_and_dialect(&self) -> (String, Dialect) {
        let (url, query) = match self.tenant_url.split_once('?') {
            Some((u, q)) => (u, Some(q)),
            None => (self.tenant_url.as_str(), None),
        };
        let dialect = match query {
            Some(q)
                if q.split('&')
                    .any(|f| f.eq_ignore_ascii_case("aadOptscim062020")) =>
            {
                Dialect::Current
            }
            Some(q)
                if q.split('&')
                    .any(|f| f.eq_ignore_ascii_case("AzureAdScimPatch2017")) =>
            {
                Dialect::Legacy
            }
            _ => self.patch_dialect,
        };
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        (path.trim_end_matches('/').to_string(), dialect)
    }

    /// The origin (`scheme://host:port`) of the tenant URL.
    pub fn origin(&self) -> String {
        let url = self.tenant_url.split('?').next().unwrap_or_default();
        match url.split_once("://") {
            Some((scheme, rest)) => {
                format!("{scheme}://{}", rest.split('/').next().unwrap_or_default())
            }
            None => url.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accidental_deletion_prevention_is_opt_in() {
        // rulings.md R2: off by default; enabled without a threshold means 500.
        assert!(!JobConfig::default().accidental_deletions.enabled);
        let on: AccidentalDeletions = serde_json::from_str(r#"{"enabled":true}"#).unwrap();
        assert_eq!(on.threshold, 500);
    }

    #[test]
    fn tenant_url_parts_and_flags() {
        let c = JobConfig {
            tenant_url: "http://127.0.0.1:8080/scim/?AzureAdScimPatch2017".into(),
            ..Default::default()
        };
        assert_eq!(c.base_path_and_dialect(), ("/scim".into(), Dialect::Legacy));
        assert_eq!(c.origin(), "http://127.0.0.1:8080");
        // rulings.md R1: Blink's plain URL gets the legacy dialect, the flag the compliant one.
        let c = JobConfig::default();
        assert_eq!(c.base_path_and_dialect(), ("/scim".into(), Dialect::Legacy));
        let c = JobConfig {
            tenant_url: "http://127.0.0.1:8080/scim?aadOptscim062020".into(),
            ..Default::default()
        };
        assert_eq!(
            c.base_path_and_dialect(),
            ("/scim".into(), Dialect::Current)
        );
    }
}
