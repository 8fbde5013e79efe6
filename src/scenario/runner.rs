//! Playing a prepared scenario: each step acts on the world at virtual time, and the runner
//! records what happened (cycles, test connections, on-demand runs, changes, checks).

use super::expect::{Check, View};
use super::load::Scenario;
use super::model::{Detail, Located, Step};
use super::world::{Target, World, apply_directory_step, merge_mapping};
use crate::clock::Clock;
use crate::engine::ResetScope;
use crate::engine::job::Progress;
use crate::engine::log::CycleSummary;
use crate::engine::mapping::MappingConfig;
use crate::engine::transport::Transport;
use crate::engine::{OnDemandResult, TestConnection};
use crate::scim::message::Request;
use http::Method;
use serde_json::Value;

/// Something a step did.
#[derive(Clone, Debug)]
pub enum Event {
    /// A cycle ran.
    Cycle(Box<CycleSummary>),
    /// A cycle was due but could not run.
    NotRun(String),
    /// Test Connection ran.
    TestConnection(TestConnection),
    /// A user was provisioned on demand.
    OnDemand(Box<OnDemandResult>),
    /// The directory, the job or the tenant changed.
    Note(String),
    /// A step could not be carried out.
    Error(String),
}

/// One step's record.
#[derive(Clone, Debug)]
pub struct StepRecord {
    /// Index in the timeline.
    pub index: usize,
    /// Line in the file.
    pub line: Option<usize>,
    /// The step's `do`.
    pub keyword: &'static str,
    /// What happened.
    pub events: Vec<Event>,
    /// Assertions (expect steps; and a failed check for a step that errored).
    pub checks: Vec<Check>,
    /// Virtual time when the step finished (Unix ms), where the report places it.
    pub at_ms: i64,
    /// The job's status when the step finished.
    pub(crate) job_status: crate::html::JobBand,
}

impl StepRecord {
    /// `line 12` or `step[3]`.
    pub fn place(&self) -> String {
        super::model::place(self.line, self.index)
    }
}

/// A scenario after it ran.
pub struct Played {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// The file.
    pub file: String,
    /// The file's stem.
    pub stem: String,
    /// The seed.
    pub seed: u64,
    /// Virtual time when it started (Unix ms).
    pub start_ms: i64,
    /// How much the report shows.
    pub detail: Detail,
    /// The timeline as it happened.
    pub steps: Vec<StepRecord>,
    /// The world at the end.
    pub world: World,
    /// The target's users at the end, by userName.
    pub final_users: Vec<Value>,
}

impl Played {
    /// Every check, with the step it belongs to.
    pub fn checks(&self) -> impl Iterator<Item = (&StepRecord, &Check)> {
        self.steps
            .iter()
            .flat_map(|s| s.checks.iter().map(move |c| (s, c)))
    }

    /// The checks that failed.
    pub fn failures(&self) -> Vec<(&StepRecord, &Check)> {
        self.checks().filter(|(_, c)| !c.ok).collect()
    }

    /// Whether every check held.
    pub fn ok(&self) -> bool {
        self.checks().all(|(_, c)| c.ok)
    }
}

/// Plays `scenario` in `world`. `progress` makes a progress callback for each cycle (e.g. a
/// progress bar on a terminal).
pub async fn play(
    scenario: &Scenario,
    mut world: World,
    progress: Option<&dyn Fn(String) -> Progress>,
) -> Played {
    let mut steps = Vec::with_capacity(scenario.steps.len());
    let start_ms = world.clock.now_millis();
    if let Target::Http { .. } = world.target {
        let mut events = Vec::new();
        seed_remote_users(&world, &scenario.file.tenant.users, &mut events).await;
        if !events.is_empty() {
            steps.push(StepRecord {
                index: 0,
                line: None,
                keyword: "setup",
                events,
                checks: Vec::new(),
                at_ms: world.clock.now_millis(),
                job_status: job_band(&world.job),
            });
        }
    }
    let mut last_test: Option<TestConnection> = None;
    for located in &scenario.steps {
        let mut record = StepRecord {
            index: located.index,
            line: located.line,
            keyword: located.step.keyword(),
            events: Vec::new(),
            checks: Vec::new(),
            at_ms: 0,
            job_status: crate::html::JobBand::NotRun,
        };
        let ctx = Ctx {
            progress,
            label: format!("{} {}", scenario.stem(), located.place()),
        };
        run_step(&mut world, located, &mut record, &mut last_test, &ctx).await;
        record.at_ms = world.clock.now_millis();
        record.job_status = job_band(&world.job);
        steps.push(record);
    }
    let final_users = target_users(&world).await.unwrap_or_default();
    Played {
        name: scenario.file.name.clone(),
        description: scenario.file.description.clone(),
        file: scenario.path.display().to_string(),
        stem: scenario.stem(),
        seed: scenario.file.seed,
        start_ms,
        detail: scenario.file.report.detail,
        steps,
        world,
        final_users,
    }
}

struct Ctx<'a> {
    progress: Option<&'a dyn Fn(String) -> Progress>,
    label: String,
}

async fn run_step(
    world: &mut World,
    located: &Located,
    record: &mut StepRecord,
    last_test: &mut Option<TestConnection>,
    ctx: &Ctx<'_>,
) {
    let now = world.clock.now_millis();
    if let Some(result) = apply_directory_step(&mut world.dir, &located.step, now) {
        match result {
            Ok(note) => record.events.push(Event::Note(note)),
            Err((_, message)) => step_failed(record, message),
        }
        return;
    }
    let events = &mut record.events;
    match &located.step {
        Step::Cycle {} => next_cycle(world, events, ctx).await,
        Step::Cycles { count } => {
            for _ in 0..*count {
                next_cycle(world, events, ctx).await;
            }
        }
        Step::Advance { by } => {
            let until = now.saturating_add(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
            while world.job.runnable() && world.job.next_cycle_millis() <= until {
                next_cycle(world, events, ctx).await;
            }
            world.clock.advance_to_millis(until);
            if world.job.stop_if_due() {
                events.push(Event::Note("the stop arrived: job Paused".into()));
            }
            purge(world, until, events);
            events.push(Event::Note(format!(
                "clock now {}",
                crate::scim::datetime::format_millis(world.clock.now_millis())
            )));
        }
        Step::TestConnection {} => {
            let result = world.job.test_connection().await;
            events.push(Event::TestConnection(result.clone()));
            *last_test = Some(result);
        }
        Step::ProvisionOnDemand { user } => {
            match world.job.provision_on_demand(&world.dir, user).await {
                Ok(result) => events.push(Event::OnDemand(Box::new(result))),
                Err(e) => step_failed(record, e.to_string()),
            }
        }
        Step::ProvisionGroupOnDemand { group, members } => {
            match world
                .job
                .provision_group_on_demand(&world.dir, group, members)
                .await
            {
                Ok(results) => {
                    events.extend(results.into_iter().map(|r| Event::OnDemand(Box::new(r))))
                }
                Err(e) => step_failed(record, e.to_string()),
            }
        }
        Step::Expect(expect) => expect_step(world, expect, record, last_test.as_ref()).await,
        step => admin_step(world, step, record),
    }
}

/// The steps that administer the job or the tenant's faults.
fn admin_step(world: &mut World, step: &Step, record: &mut StepRecord) {
    let events = &mut record.events;
    match step {
        Step::AddFaults { fault } => add_faults(world, fault, events),
        Step::ClearFaults {} => {
            if let Some(tenant) = &world.tenant {
                tenant.clear_faults();
            }
            events.push(Event::Note("faults cleared".into()));
        }
        Step::Restart { full, scopes } => {
            let mut scopes = scopes.clone();
            if *full {
                scopes.push(ResetScope::Full);
            }
            world.job.restart(&scopes);
            events.push(Event::Note(restart_note(&scopes)));
        }
        Step::Stop { after: None } => {
            world.job.stop();
            events.push(Event::Note(format!("job {}", world.job.status_code())));
        }
        Step::Stop { after: Some(after) } => delayed_stop(world, after.0, events),
        Step::Start {} => {
            world.job.start();
            events.push(Event::Note(format!("job {}", world.job.status_code())));
        }
        Step::AllowDeletes {} => {
            let staged = world.job.staged_deletes().len();
            world.job.allow_deletes();
            events.push(Event::Note(format!(
                "deletes allowed: {staged} staged deletion(s) go out with the next cycle, due now"
            )));
        }
        Step::SetMappings { mappings } => {
            let mappings = (!mappings.is_empty()).then(|| mappings.clone());
            set_mappings(world, mappings, record);
        }
        Step::SetMapping { mapping } => {
            let all = merge_mapping(world.job.config().mappings.clone(), mapping);
            set_mappings(world, Some(all), record);
        }
        Step::SetScopingFilters {
            filters,
            expect_refused,
        } => set_scoping_filters(world, filters, expect_refused.as_deref(), record),
        Step::SetScope { scope } => {
            world.job.set_scope(*scope);
            events.push(Event::Note(format!(
                "scope set to {scope:?}: the next cycle is an initial one, due now"
            )));
        }
        Step::SetToken { token } => {
            world.job.set_secret_token(token);
            events.push(Event::Note("secret token changed".into()));
        }
        // Directory steps were applied before.
        _ => {}
    }
}

/// The job's status as the report's band shows it.
fn job_band(job: &crate::engine::ProvisioningJob) -> crate::html::JobBand {
    crate::html::JobBand::of(job.status_code(), job.schedule_state())
}

fn add_faults(world: &World, fault: &[crate::FaultRule], events: &mut Vec<Event>) {
    let Some(tenant) = &world.tenant else {
        events.push(Event::Note(
            "faults ignored: the target is not the embedded tenant".into(),
        ));
        return;
    };
    let names: Vec<String> = fault
        .iter()
        .enumerate()
        .map(|(i, f)| f.name.clone().unwrap_or_else(|| format!("#{i}")))
        .collect();
    tenant.add_faults(fault.to_vec());
    events.push(Event::Note(format!("faults added: {}", names.join(", "))));
}

/// A stop arriving `after` from now (rulings.md R7: the running cycle finishes, by default).
fn delayed_stop(world: &mut World, after: std::time::Duration, events: &mut Vec<Event>) {
    let now = world.clock.now_millis();
    let at = now.saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
    world.job.stop_at_millis(at);
    let then = if world.job.config().known_issues.stop_finishes_cycle {
        "a cycle running then continues until completion"
    } else {
        "a cycle running then ends there"
    };
    events.push(Event::Note(format!(
        "stop arrives at {}: {then}, and no cycle starts after it",
        crate::scim::datetime::format_millis(at)
    )));
}

async fn expect_step(
    world: &World,
    expect: &super::expect::Expect,
    record: &mut StepRecord,
    last_test: Option<&TestConnection>,
) {
    let users = if expect.needs_users() {
        match target_users(world).await {
            Ok(users) => Some(users),
            Err(e) => {
                step_failed(record, format!("could not read the target's users: {e}"));
                return;
            }
        }
    } else {
        None
    };
    let groups = if expect.needs_groups() {
        match target_groups(world).await {
            Ok(groups) => Some(groups),
            Err(e) => {
                step_failed(record, format!("could not read the target's groups: {e}"));
                return;
            }
        }
    } else {
        None
    };
    let view = View {
        job: &world.job,
        users: users.as_deref(),
        groups: groups.as_deref(),
        test_connection: last_test,
    };
    record.checks = expect.evaluate(&view);
}

fn set_mappings(world: &mut World, mappings: Option<Vec<MappingConfig>>, record: &mut StepRecord) {
    let n = mappings.as_ref().map(Vec::len);
    match world.job.set_mappings(mappings) {
        Ok(()) => record.events.push(Event::Note(match n {
            Some(n) => format!("{n} mapping(s) set: the next cycle is an initial one, due now"),
            None => "default mappings set: the next cycle is an initial one, due now".into(),
        })),
        Err(e) => step_failed(record, e.to_string()),
    }
}

/// Sets the scoping filters, or checks that they are refused when `expect_refused` says so.
fn set_scoping_filters(
    world: &mut World,
    filters: &[crate::engine::scope::ScopingFilter],
    expect_refused: Option<&str>,
    record: &mut StepRecord,
) {
    let result = world.job.set_scoping_filters(filters.to_vec());
    match (result, expect_refused) {
        (Ok(()), None) => record.events.push(Event::Note(format!(
            "{} scoping filter(s) set: the next cycle is an initial one, due now",
            filters.len()
        ))),
        (Err(e), None) => step_failed(record, e.to_string()),
        (result, Some(wanted)) => {
            let actual = match &result {
                Ok(()) => "accepted".to_string(),
                Err(e) => e.to_string(),
            };
            record.checks.push(Check {
                what: "set_scoping_filters refused".into(),
                ok: result.is_err() && actual.contains(wanted),
                expected: format!("refused, naming {wanted:?}"),
                actual,
            });
        }
    }
}

fn step_failed(record: &mut StepRecord, message: String) {
    record.events.push(Event::Error(message.clone()));
    record.checks.push(Check {
        what: format!("{} step", record.keyword),
        ok: false,
        expected: "carried out".into(),
        actual: message,
    });
}

/// Hard-deletes users soft-deleted more than 30 days before `at`.
fn purge(world: &mut World, at: i64, events: &mut Vec<Event>) {
    let purged = world.dir.purge_expired(crate::clock::from_unix_millis(at));
    if !purged.is_empty() {
        events.push(Event::Note(format!(
            "recycle bin emptied: {} user(s) hard-deleted after 30 days",
            purged.len()
        )));
    }
}

/// Runs the next cycle at its scheduled time.
async fn next_cycle(world: &mut World, events: &mut Vec<Event>, ctx: &Ctx<'_>) {
    if !world.job.runnable() {
        events.push(Event::NotRun(format!(
            "no cycle: the job is {}",
            world.job.schedule_state()
        )));
        return;
    }
    let at = world.job.next_cycle_millis().max(world.clock.now_millis());
    purge(world, at, events);
    world.clock.advance_to_millis(at);
    if world.job.stop_if_due() {
        events.push(Event::Note("the stop arrived: job Paused".into()));
        return;
    }
    if let Some(make) = ctx.progress {
        world.job.set_progress(Some(make(ctx.label.clone())));
    }
    let result = world.job.run_cycle(&world.dir).await;
    let event = match result {
        Ok(summary) => Event::Cycle(Box::new(summary.clone())),
        Err(e) => Event::NotRun(e.to_string()),
    };
    world.job.set_progress(None);
    events.push(event);
}

/// Creates the scenario's tenant users on an HTTP target.
async fn seed_remote_users(world: &World, users: &[Value], events: &mut Vec<Event>) {
    let config = world.job.config();
    let (base, _) = config.base_path_and_dialect();
    for user in users {
        let request = Request::new(Method::POST, &format!("{base}/Users"))
            .bearer(&config.secret_token)
            .json(user);
        let name = user
            .get("userName")
            .and_then(Value::as_str)
            .unwrap_or("(no userName)");
        match world.transport.send(request).await {
            Ok(d) if d.response.status.is_success() => {
                events.push(Event::Note(format!("created {name} on the target")));
            }
            Ok(d) => events.push(Event::Error(format!(
                "creating {name} on the target: HTTP {}",
                d.response.status.as_u16()
            ))),
            Err(e) => events.push(Event::Error(format!("creating {name} on the target: {e}"))),
        }
    }
}

/// Why the target's users could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TargetReadError {
    /// No response.
    #[error("{0}")]
    Transport(#[from] crate::engine::transport::TransportError),
    /// A response that is not a success.
    #[error("HTTP {0}")]
    Status(u16),
    /// A success whose body is not JSON.
    #[error("the list response is not JSON")]
    NotJson,
}

/// The target's users, sorted by userName: the embedded tenant's directly, a remote target's
/// by paging through `GET /Users`.
pub(crate) async fn target_users(world: &World) -> Result<Vec<Value>, TargetReadError> {
    let mut users = match &world.tenant {
        Some(tenant) => tenant.users(),
        None => list_remote(world.transport.as_ref(), world.job.config(), "Users").await?,
    };
    users.sort_by_cached_key(user_name);
    Ok(users)
}

/// The target's groups: the embedded tenant's directly, a remote target's by paging through
/// `GET /Groups`.
pub(crate) async fn target_groups(world: &World) -> Result<Vec<Value>, TargetReadError> {
    match &world.tenant {
        Some(tenant) => Ok(tenant.groups()),
        None => list_remote(world.transport.as_ref(), world.job.config(), "Groups").await,
    }
}

fn user_name(u: &Value) -> String {
    u.get("userName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_lowercase()
}

/// Every resource at `endpoint` ("Users" or "Groups") of a remote target, page by page.
async fn list_remote(
    transport: &dyn Transport,
    config: &crate::engine::JobConfig,
    endpoint: &str,
) -> Result<Vec<Value>, TargetReadError> {
    let (base, _) = config.base_path_and_dialect();
    let mut users = Vec::new();
    let mut start = 1usize;
    // Bounded: at most 10,000 pages.
    for _ in 0..10_000 {
        let request = Request::new(
            Method::GET,
            &format!("{base}/{endpoint}?startIndex={start}&count=100"),
        )
        .bearer(&config.secret_token);
        let delivered = transport.send(request).await?;
        if !delivered.response.status.is_success() {
            return Err(TargetReadError::Status(delivered.response.status.as_u16()));
        }
        let body = delivered.response.json().ok_or(TargetReadError::NotJson)?;
        let page = body
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let total = body
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let n = page.len();
        users.extend(page);
        start += n;
        if n == 0 || users.len() as u64 >= total {
            return Ok(users);
        }
    }
    Ok(users)
}

/// What a restart with `scopes` did, for the report.
fn restart_note(scopes: &[ResetScope]) -> String {
    match scopes {
        [] => "restarted: the next cycle is an initial one, due now".into(),
        [ResetScope::Full] => {
            "restarted (links cleared): the next cycle is an initial one, due now".into()
        }
        _ => {
            let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            format!(
                "restarted with resetScope {}; the next cycle is due now",
                names.join(", ")
            )
        }
    }
}
