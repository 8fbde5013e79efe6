//! Setting a scenario up: the virtual clock, the mock tenant (or a real target), the
//! directory and the job; and checking every step against them before anything runs.

use super::load::{LoadError, Scenario};
use super::model::{AssignmentSpec, DirectorySection, Located, Step};
use crate::clock::VirtualClock;
use crate::engine::ProvisioningJob;
use crate::engine::directory::generator::generate_into;
use crate::engine::directory::{Directory, DirectoryError, Principal};
use crate::engine::mapping::{MappingConfig, compile};
use crate::engine::transport::Transport;
use crate::sim::{Connection, DEFAULT_START, SimError, Simulation, from_unix_millis, unix_millis};
use crate::tenant::Tenant;
use crate::tenant::faults::rule::validate_all;
use std::path::Path;
use std::sync::Arc;

/// Where the job sends its requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// The mock Blink tenant, in-process, on virtual time.
    #[default]
    Embedded,
    /// A SCIM endpoint over HTTP (its tenant URL and bearer token). Fault rules and prefill
    /// do not apply there; the scenario's tenant users are created with POST first.
    Http {
        /// Tenant URL, e.g. `http://127.0.0.1:8080/scim`.
        url: String,
        /// Bearer token.
        token: String,
    },
}

/// A scenario's world: what the steps act on.
pub struct World {
    /// Virtual time, shared by the job and the embedded tenant.
    pub clock: VirtualClock,
    /// The embedded tenant (none for an HTTP target).
    pub tenant: Option<Tenant>,
    /// The source directory.
    pub dir: Directory,
    /// The provisioning job.
    pub job: ProvisioningJob,
    /// The job's transport, also used to read the target's users.
    pub transport: Arc<dyn Transport>,
    /// The target.
    pub target: Target,
    /// Things the target ignores (faults on an HTTP target, ...).
    pub warnings: Vec<String>,
}

fn err(s: &Scenario, field: &str, message: impl Into<String>) -> LoadError {
    LoadError {
        file: s.path.display().to_string(),
        line: None,
        field: Some(field.to_string()),
        message: message.into(),
    }
}

fn step_err(s: &Scenario, step: &Located, field: &str, message: impl Into<String>) -> LoadError {
    let field = if field.is_empty() {
        format!("step[{}]", step.index)
    } else {
        format!("step[{}].{field}", step.index)
    };
    LoadError {
        file: s.path.display().to_string(),
        line: step.line,
        field: Some(field),
        message: message.into(),
    }
}

/// Builds the world and checks every step against it (a dry run of the directory changes, the
/// mappings, filters and fault rules the steps install). Sends nothing.
pub fn prepare(s: &Scenario, target: &Target) -> Result<World, LoadError> {
    super::load::check_limits(s)?;
    let start = match &s.file.start {
        Some(text) => crate::scim::datetime::parse_millis(text)
            .ok_or_else(|| err(s, "start", format!("'{text}' is not an RFC 3339 date-time")))?,
        None => unix_millis(DEFAULT_START),
    };
    let dir = build_directory(&s.file.directory, &s.path, "directory")
        .map_err(|(field, message)| err(s, &field, message))?;
    let mut warnings = Vec::new();
    let connection = match target {
        Target::Embedded => {
            validate_all(&s.file.fault)
                .map_err(|e| err(s, &format!("{}{}", e.location, e.field), e.message))?;
            Connection::InProcess
        }
        Target::Http { url, token } => {
            if !s.file.fault.is_empty() {
                warnings.push("fault rules apply to the embedded tenant only; ignored".into());
            }
            if s.file.tenant.prefill > 0 {
                warnings.push("tenant.prefill applies to the embedded tenant only; ignored".into());
            }
            Connection::Http {
                url: url.clone(),
                token: token.clone(),
            }
        }
    };
    let sim = Simulation::builder()
        .tenant_options(s.file.tenant.tenant_options())
        .directory(dir)
        .job(s.file.job.clone())
        .seed(s.file.seed)
        .start(from_unix_millis(start))
        .connection(connection)
        .prefill(s.file.tenant.prefill)
        .tenant_users(s.file.tenant.users.clone())
        .faults(s.file.fault.clone())
        .build()
        .map_err(|e| match e {
            SimError::TenantUser { index, detail } => {
                err(s, &format!("tenant.users[{index}]"), detail)
            }
            SimError::Target(message) => err(s, "--target", message),
            other => err(s, "job", other.to_string()),
        })?;
    let parts = sim.into_parts();
    dry_run(s, &parts.directory, start)?;
    Ok(World {
        clock: parts.clock,
        tenant: parts.tenant,
        dir: parts.directory,
        job: parts.job,
        transport: parts.transport,
        target: target.clone(),
        warnings,
    })
}

/// Builds a directory from a section; errors name the field at fault.
pub(crate) fn build_directory(
    section: &DirectorySection,
    scenario: &Path,
    at: &str,
) -> Result<Directory, (String, String)> {
    let mut dir = Directory::new();
    if let Some(include) = &section.include {
        let path = scenario
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(include);
        let included = read_directory_file(&path)
            .map_err(|m| (format!("{at}.include"), format!("{}: {m}", path.display())))?;
        if included.include.is_some() {
            return Err((
                format!("{at}.include"),
                format!(
                    "{}: an included directory cannot include another",
                    path.display()
                ),
            ));
        }
        add_section(&mut dir, &included, &format!("{at}.include"))?;
    }
    add_section(&mut dir, section, at)?;
    Ok(dir)
}

/// Why a directory file could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DirectoryFileError {
    /// The file could not be read.
    #[error("{0}")]
    Read(#[from] std::io::Error),
    /// A `.toml` file is not a directory section.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// A JSON file is not a directory section.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// Reads a directory file (`blinksim gen directory` output): JSON, or TOML by extension.
pub(crate) fn read_directory_file(path: &Path) -> Result<DirectorySection, DirectoryFileError> {
    let text = std::fs::read_to_string(path)?;
    if path.extension().and_then(|e| e.to_str()) == Some("toml") {
        Ok(toml::from_str(&text)?)
    } else {
        Ok(serde_json::from_str(&text)?)
    }
}

fn add_section(
    dir: &mut Directory,
    s: &DirectorySection,
    at: &str,
) -> Result<(), (String, String)> {
    let fail = |field: String| move |e: DirectoryError| (field, e.to_string());
    if let Some(spec) = &s.generate {
        super::load::check_generated(spec).map_err(|m| (format!("{at}.generate.users"), m))?;
        generate_into(dir, spec).map_err(fail(format!("{at}.generate")))?;
    }
    for (i, role) in s.roles.iter().enumerate() {
        dir.add_role(role.clone())
            .map_err(fail(format!("{at}.roles[{i}]")))?;
    }
    for (i, user) in s.users.iter().enumerate() {
        dir.add_user(user.clone())
            .map_err(fail(format!("{at}.users[{i}]")))?;
    }
    // Groups may name each other as members: add them all, then their members.
    for (i, group) in s.groups.iter().enumerate() {
        let empty = crate::engine::directory::Group {
            members: Vec::new(),
            ..group.clone()
        };
        dir.add_group(empty)
            .map_err(fail(format!("{at}.groups[{i}]")))?;
    }
    for (i, group) in s.groups.iter().enumerate() {
        let key = if group.object_id.is_empty() {
            &group.display_name
        } else {
            &group.object_id
        };
        for member in &group.members {
            dir.add_member(key, member)
                .map_err(fail(format!("{at}.groups[{i}].members")))?;
        }
    }
    for (i, a) in s.assignments.iter().enumerate() {
        let field = format!("{at}.assignments[{i}]");
        let (key, is_group) = assignee(a).map_err(|m| (field.clone(), m.to_string()))?;
        dir.assign(key, is_group, &a.role).map_err(fail(field))?;
    }
    Ok(())
}

/// An assignment that names neither a user nor a group, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("name exactly one of `user` or `group`")]
pub(crate) struct AmbiguousAssignee;

/// The user or group an assignment names (exactly one).
pub(crate) fn assignee(a: &AssignmentSpec) -> Result<(&str, bool), AmbiguousAssignee> {
    match (&a.user, &a.group) {
        (Some(u), None) => Ok((u, false)),
        (None, Some(g)) => Ok((g, true)),
        _ => Err(AmbiguousAssignee),
    }
}

/// The directory as a section (what `blinksim gen directory` writes).
pub fn directory_section(dir: &Directory) -> DirectorySection {
    let default_roles: Vec<String> = crate::engine::directory::blink_app_roles()
        .into_iter()
        .map(|r| r.id)
        .collect();
    DirectorySection {
        include: None,
        generate: None,
        users: dir
            .users()
            .iter()
            .filter(|r| !r.is_hard_deleted())
            .map(|r| r.user.clone())
            .collect(),
        groups: dir.groups().to_vec(),
        roles: dir
            .roles()
            .iter()
            .filter(|r| !default_roles.contains(&r.id))
            .cloned()
            .collect(),
        assignments: dir
            .assignments()
            .iter()
            .map(|a| match &a.principal {
                Principal::User(id) => AssignmentSpec {
                    user: Some(id.clone()),
                    group: None,
                    role: a.role_id.clone(),
                },
                Principal::Group(id) => AssignmentSpec {
                    user: None,
                    group: Some(id.clone()),
                    role: a.role_id.clone(),
                },
            })
            .collect(),
    }
}

/// Applies a directory step at time `now`; `None` for steps that are not about the directory.
/// Returns what changed, for the report.
pub(crate) fn apply_directory_step(
    dir: &mut Directory,
    step: &Step,
    now: i64,
) -> Option<Result<String, (String, String)>> {
    let user_field = |e: DirectoryError| ("user".to_string(), e.to_string());
    let result = match step {
        Step::AddUser { user, role } => dir
            .add_user((**user).clone())
            .map_err(|e| ("user".to_string(), e.to_string()))
            .and_then(|id| match role {
                Some(role) => dir
                    .assign(&id, false, role)
                    .map(|()| format!("added {} (assigned as {role})", user.user_principal_name))
                    .map_err(|e| ("role".to_string(), e.to_string())),
                None => Ok(format!("added {} (not assigned)", user.user_principal_name)),
            }),
        Step::UpdateUser { user, set, clear } => update_user(dir, user, set, clear),
        Step::Assign(a) | Step::Unassign(a) | Step::SetRole(a) => match assignee(a) {
            Err(m) => Err((String::new(), m.to_string())),
            Ok((key, is_group)) => {
                let kind = if is_group { "group" } else { "user" };
                let done = match step {
                    Step::Assign(_) => dir
                        .assign(key, is_group, &a.role)
                        .map(|()| format!("assigned {kind} {key} as {}", a.role)),
                    Step::Unassign(_) => dir
                        .unassign(key, is_group)
                        .map(|()| format!("unassigned {kind} {key}")),
                    _ => dir
                        .set_role(key, is_group, &a.role)
                        .map(|()| format!("{kind} {key} now has role {}", a.role)),
                };
                done.map_err(|e| (kind.to_string(), e.to_string()))
            }
        },
        Step::AddMember { group, member } => dir
            .add_member(group, member)
            .map(|()| format!("added {member} to group {group}"))
            .map_err(|e| ("group".to_string(), e.to_string())),
        Step::RemoveMember { group, member } => dir
            .remove_member(group, member)
            .map(|()| format!("removed {member} from group {group}"))
            .map_err(|e| ("group".to_string(), e.to_string())),
        Step::Disable { user } => dir
            .update_user(user, |u| u.account_enabled = false)
            .map(|()| format!("disabled {user} (accountEnabled false)"))
            .map_err(user_field),
        Step::Enable { user } => dir
            .update_user(user, |u| u.account_enabled = true)
            .map(|()| format!("enabled {user} (accountEnabled true)"))
            .map_err(user_field),
        Step::SoftDelete { user } => dir
            .soft_delete(user, now)
            .map(|()| format!("soft-deleted {user} (recycle bin, 30 days)"))
            .map_err(user_field),
        Step::Restore { user } => dir
            .restore(user)
            .map(|()| format!("restored {user}"))
            .map_err(user_field),
        Step::HardDelete { user } => dir
            .hard_delete(user, now)
            .map(|()| format!("hard-deleted {user}"))
            .map_err(user_field),
        _ => return None,
    };
    Some(result)
}

/// Sets and clears attributes of a user; errors name the field at fault.
fn update_user(
    dir: &mut Directory,
    user: &str,
    set: &std::collections::BTreeMap<String, String>,
    clear: &[String],
) -> Result<String, (String, String)> {
    let mut changed = Vec::new();
    for (name, value) in set {
        dir.set_attribute(user, name, Some(value.clone()))
            .map_err(|e| (format!("set.{name}"), e.to_string()))?;
        changed.push(format!("{name} = {value:?}"));
    }
    for name in clear {
        dir.set_attribute(user, name, None)
            .map_err(|e| ("clear".to_string(), e.to_string()))?;
        changed.push(format!("{name} cleared"));
    }
    Ok(format!("updated {user}: {}", changed.join(", ")))
}

/// Checks every step in order on a copy of the directory, and the mappings, filters and fault
/// rules steps install.
fn dry_run(s: &Scenario, dir: &Directory, start: i64) -> Result<(), LoadError> {
    let mut dir = dir.clone();
    let mut now = start;
    let mut current = s.file.job.mappings.clone();
    for located in &s.steps {
        if let Some(result) = apply_directory_step(&mut dir, &located.step, now) {
            result.map_err(|(field, message)| step_err(s, located, &field, message))?;
            continue;
        }
        match &located.step {
            Step::Advance { by } => {
                now = now.saturating_add(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
                dir.purge_expired(now);
            }
            Step::ProvisionOnDemand { user } if dir.user(user).is_none() => {
                return Err(step_err(
                    s,
                    located,
                    "user",
                    DirectoryError::NoUser(user.clone()).to_string(),
                ));
            }
            Step::AddFaults { fault } => {
                validate_all(fault).map_err(|e| {
                    step_err(s, located, &format!("{}{}", e.location, e.field), e.message)
                })?;
            }
            Step::SetMappings { mappings: new } => {
                current = (!new.is_empty()).then(|| new.clone());
                if let Some(all) = &current {
                    compile(all).map_err(|e| step_err(s, located, "mappings", e.to_string()))?;
                }
            }
            Step::SetMapping { mapping } => {
                // Checked merged into the mappings in force, as the runner applies it.
                let all = merge_mapping(current.take(), mapping);
                compile(&all).map_err(|e| step_err(s, located, "mapping", e.to_string()))?;
                current = Some(all);
            }
            Step::SetScopingFilters { filters } => {
                for (i, f) in filters.iter().enumerate() {
                    f.validate().map_err(|e| {
                        step_err(s, located, &format!("filters[{i}]"), e.to_string())
                    })?;
                }
            }
            Step::Cycles { count: 0 } => {
                return Err(step_err(s, located, "count", "must be at least 1"));
            }
            Step::Expect(e) => {
                if let Some(c) = &e.cycle
                    && c.number == Some(0)
                {
                    return Err(step_err(
                        s,
                        located,
                        "cycle.number",
                        "cycles are numbered from 1",
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The mappings in force (`None`: Blink's defaults) with `mapping` added, replacing the one
/// with the same target.
pub(crate) fn merge_mapping(
    current: Option<Vec<MappingConfig>>,
    mapping: &MappingConfig,
) -> Vec<MappingConfig> {
    let mut all = current.unwrap_or_else(crate::engine::mapping::blink_default_mappings);
    all.retain(|m| !m.target.eq_ignore_ascii_case(&mapping.target));
    all.push(mapping.clone());
    all
}
