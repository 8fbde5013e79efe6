//! `blinksim check URL`: named checks that send a SCIM endpoint exactly what Entra sends and
//! judge each answer as Entra's client does (aad-provisioning-service.md §3.2, §4.2, §7,
//! Appendix A and B; rulings R1, R6). Checks are data ([`CATALOG`]), judging is pure
//! (`judge`); `runner` is the thin HTTP layer; [`Report`] renders as a console table, JSON,
//! JUnit XML and HTML.

mod catalog;
mod cli;
mod groups;
mod judge;
mod lifecycle;
mod patches;
mod report;
mod runner;
mod users;

pub use catalog::{CATALOG, CheckDef};
pub use cli::{Outputs, command};

use runner::Runner;
use serde::Serialize;
use std::time::{Duration, Instant};

/// Which attribute mappings the checked server must take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Blink's gallery mappings, Blink's extension included (§6.4).
    #[default]
    Blink,
    /// The generic SCIM defaults: core and enterprise attributes only (§6.1).
    Generic,
}

/// What to check and how.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Tenant URL, e.g. `http://127.0.0.1:8080/scim` (flags such as `?aadOptscim062020` ignored:
    /// both dialects are checked).
    pub url: String,
    /// Bearer token.
    pub token: String,
    /// Mapping profile.
    pub profile: Profile,
    /// Check groups even when the server does not advertise them.
    pub groups: bool,
    /// Run only checks carrying one of these tags (or named so); all when empty.
    pub only: Vec<String>,
    /// Keep what the checks created.
    pub keep: bool,
    /// Longest answer Entra waits for (60 s, §4.5).
    pub answer_limit: Duration,
    /// Requests per second the `throughput` check must sustain for 3 s.
    pub min_rate: u32,
}

impl CheckOptions {
    /// Options with Entra's limits for `url` and `token`.
    pub fn new(url: &str, token: &str) -> Self {
        CheckOptions {
            url: url.to_string(),
            token: token.to_string(),
            profile: Profile::Blink,
            groups: false,
            only: Vec::new(),
            keep: false,
            answer_limit: Duration::from_secs(60),
            min_rate: 25,
        }
    }
}

/// A check's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Entra works with this.
    Pass,
    /// Entra works, but something is off.
    Warn,
    /// Entra does not work with this.
    Fail,
}

impl Verdict {
    /// `pass`, `warn` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

/// One request a check sent and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Request body, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// Status, when there was a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response Content-Type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Response body (cut at 4 KiB), or the transport error.
    pub response: String,
    /// Milliseconds until the answer.
    pub elapsed_ms: u64,
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Check name, e.g. `probe`.
    pub name: String,
    /// Tags for `--only`.
    pub tags: Vec<String>,
    /// The reference section it follows.
    pub reference: String,
    /// Verdict.
    pub verdict: Verdict,
    /// What was found (empty on a pass).
    pub message: String,
    /// What Entra would do with that answer: log code and text, escrow, quarantine, Test
    /// Connection message (empty on a pass).
    pub entra: String,
    /// The requests and responses.
    pub exchanges: Vec<Exchange>,
    /// Milliseconds the check took.
    pub elapsed_ms: u64,
}

/// All results of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The tenant URL checked.
    pub target: String,
    /// One per check run, in catalog order.
    pub results: Vec<CheckResult>,
    /// Objects left behind (`--keep`, or a delete that failed), as `Users/<id>`.
    pub left_behind: Vec<String>,
    /// Milliseconds the run took.
    pub elapsed_ms: u64,
}

impl Report {
    /// How many checks had `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.results.iter().filter(|r| r.verdict == verdict).count()
    }

    /// The result of check `name`.
    pub fn result(&self, name: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.name == name)
    }

    /// 0 when nothing failed, else 1.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.count(Verdict::Fail) > 0)
    }
}

/// Why no check could run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The URL is not plain `http://host[:port]/path`.
    #[error("bad tenant URL '{0}': expected http://host:port/path")]
    BadUrl(String),
    /// The URL is not on this machine.
    #[error(transparent)]
    Remote(#[from] crate::load::target::RemoteRefused),
    /// Nothing answered.
    #[error("{url} cannot be reached: {detail}")]
    Unreachable {
        /// The URL.
        url: String,
        /// The transport error.
        detail: String,
    },
}

/// Runs the selected checks against `options.url`, cleaning up unless `keep`.
pub async fn run(options: &CheckOptions, allow_remote: bool) -> Result<Report, CheckError> {
    crate::load::target::guard(Some(&options.url), allow_remote)?;
    let started = Instant::now();
    let mut runner = Runner::connect(options).await?;
    let mut results = Vec::new();
    // The user checks build on the user `create-user` makes: it runs whenever one of them does.
    let needs_fixture = CATALOG
        .iter()
        .any(|d| d.selected(&options.only) && d.tags.contains(&"users"));
    for def in CATALOG {
        let fixture = def.id == catalog::CheckId::Create && needs_fixture;
        if !(def.selected(&options.only) || fixture) {
            continue;
        }
        if def.tags.contains(&"groups") && !(options.groups || runner.groups_advertised()) {
            continue;
        }
        let t = Instant::now();
        let outcome = catalog::perform(def.id, &mut runner).await;
        let mut result = def.result(outcome, runner.take_exchanges(), t.elapsed());
        if let Some(note) = runner.note.take()
            && result.message.is_empty()
        {
            result.message = note;
        }
        results.push(result);
    }
    let left_behind = runner.cleanup(options.keep).await;
    Ok(Report {
        target: options.url.clone(),
        results,
        left_behind,
        elapsed_ms: millis(started.elapsed()),
    })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The profile's mappings (§6.4; the generic profile drops Blink's extension).
pub(crate) fn profile_mappings(profile: Profile) -> Vec<crate::engine::mapping::MappingConfig> {
    crate::engine::mapping::blink_default_mappings()
        .into_iter()
        .filter(|m| {
            profile == Profile::Blink || !m.target.starts_with(crate::scim::schema::BLINK_SCHEMA)
        })
        .collect()
}

/// The targets of the profile's mappings.
pub(crate) fn mapping_targets(profile: Profile) -> Vec<String> {
    profile_mappings(profile)
        .into_iter()
        .map(|m| m.target)
        .collect()
}
