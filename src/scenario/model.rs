//! The scenario file format (TOML, or JSON with the same model): the tenant, the directory,
//! the job, fault rules, and a timeline of steps with expectations.

use crate::duration::HumanDuration;
use crate::engine::JobConfig;
use crate::engine::directory::generator::DirectorySpec;
use crate::engine::directory::{AppRole, DirectoryUser, Group};
use crate::engine::mapping::MappingConfig;
use crate::engine::scope::{ScopingFilter, SyncScope};
use crate::tenant::{FaultRule, TenantOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A scenario file's sections; `S` is how the file's steps are read before each is parsed on
/// its own (see `load`), so that errors inside a step name its line and field.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile<S> {
    /// Name, shown in reports.
    pub name: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// Seed of everything random: ids, generated directories, probabilistic faults.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Virtual start time (RFC 3339); 2026-01-15T09:00:00Z by default.
    #[serde(default)]
    pub start: Option<String>,
    /// The mock Blink tenant.
    #[serde(default)]
    pub tenant: TenantSection,
    /// The Entra ID directory.
    #[serde(default)]
    pub directory: DirectorySection,
    /// The provisioning job (the engine's `JobConfig`).
    #[serde(default)]
    pub job: JobConfig,
    /// Fault rules installed at the start (the `serve --faults` format).
    #[serde(default)]
    pub fault: Vec<FaultRule>,
    /// What the report and snapshot show.
    #[serde(default)]
    pub report: ReportOptions,
    /// The timeline.
    #[serde(default)]
    pub step: Vec<S>,
}

fn default_seed() -> u64 {
    1
}

/// The mock tenant's settings and the users it already holds (to exercise matching).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSection {
    /// Tenant options (`TenantOptions`).
    #[serde(default)]
    pub options: Option<TenantOptions>,
    /// Users already in Blink, as SCIM representations.
    #[serde(default)]
    pub users: Vec<serde_json::Value>,
    /// Realistic users to prefill, like `serve --users`.
    #[serde(default)]
    pub prefill: usize,
    /// Serve `/Groups`, like `serve --groups` (sets `options.groups`).
    #[serde(default)]
    pub groups: bool,
    /// The server to be, like `serve --profile`; the base of the options when
    /// `[tenant.options]` is absent (explicit options are taken as written).
    #[serde(default)]
    pub profile: crate::tenant::Profile,
}

impl TenantSection {
    /// The tenant's settings: explicit options, else the profile's, with `groups` on top.
    pub fn tenant_options(&self) -> TenantOptions {
        let mut options = self
            .options
            .clone()
            .unwrap_or_else(|| self.profile.options());
        options.groups |= self.groups;
        options
    }
}

/// An assignment in a scenario: a user or a group, and a role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSpec {
    /// A user (object id or UPN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A group (object id or name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Role (id, value or display name); "User" by default.
    #[serde(default = "default_role")]
    pub role: String,
}

fn default_role() -> String {
    "User".into()
}

/// The directory: inline objects, a generated part, and/or an included file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorySection {
    /// A file written by `blinksim gen directory`, relative to the scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// A generated part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate: Option<DirectorySpec>,
    /// Users.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<DirectoryUser>,
    /// Groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Extra app roles (the Blink app has "User" and "Default Access").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<AppRole>,
    /// Assignments to the Blink application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<AssignmentSpec>,
}

/// How much the report and snapshot show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detail {
    /// Every log entry, request and tenant user.
    #[default]
    Full,
    /// Cycle summaries, counts and the first entries only (for large scenarios).
    Summary,
}

/// Report options.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportOptions {
    /// Full or summary.
    #[serde(default)]
    pub detail: Detail,
}

/// One step of the timeline. Written `do = "cycles"` with the fields beside it; the loader
/// turns that into this externally tagged form, which serde reads without buffering, so an
/// error keeps the position and name of the field at fault.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Runs the next cycle at its scheduled time (the clock moves there).
    Cycle {},
    /// Runs this many cycles, each at its scheduled time.
    Cycles {
        /// How many.
        count: u32,
    },
    /// Moves the clock forward, running the cycles scheduled meanwhile and hard-deleting users
    /// soft-deleted 30 days before.
    Advance {
        /// How far, e.g. "40m", "6h", "31d" (a unit is required).
        #[serde(deserialize_with = "crate::duration::deserialize_with_unit")]
        by: HumanDuration,
    },
    /// Runs Test Connection.
    TestConnection {},
    /// Adds a user to the directory, optionally assigned.
    AddUser {
        /// The user.
        user: Box<DirectoryUser>,
        /// Assign with this role.
        #[serde(default)]
        role: Option<String>,
    },
    /// Changes attributes of a user.
    UpdateUser {
        /// Object id or UPN.
        user: String,
        /// Attributes to set (source attribute names).
        #[serde(default)]
        set: BTreeMap<String, String>,
        /// Attributes to clear.
        #[serde(default)]
        clear: Vec<String>,
    },
    /// Assigns a user or group to the app.
    Assign(AssignmentSpec),
    /// Removes the assignments of a user or group.
    Unassign(AssignmentSpec),
    /// Replaces a user's or group's role.
    SetRole(AssignmentSpec),
    /// Adds a member to a group.
    AddMember {
        /// Group.
        group: String,
        /// User or group.
        member: String,
    },
    /// Removes a member from a group.
    RemoveMember {
        /// Group.
        group: String,
        /// User or group.
        member: String,
    },
    /// Sets `accountEnabled` false.
    Disable {
        /// Object id or UPN.
        user: String,
    },
    /// Sets `accountEnabled` true.
    Enable {
        /// Object id or UPN.
        user: String,
    },
    /// Moves a user to the recycle bin.
    SoftDelete {
        /// Object id or UPN.
        user: String,
    },
    /// Restores a soft-deleted user.
    Restore {
        /// Object id or UPN.
        user: String,
    },
    /// Deletes a user permanently.
    HardDelete {
        /// Object id or UPN.
        user: String,
    },
    /// Installs fault rules on the tenant.
    AddFaults {
        /// The rules.
        fault: Vec<FaultRule>,
    },
    /// Removes every fault rule.
    ClearFaults {},
    /// Provisions one user on demand.
    ProvisionOnDemand {
        /// Object id or UPN.
        user: String,
    },
    /// Restart provisioning with Graph's reset scopes (none: the portal's Restart).
    Restart {
        /// Shorthand for `scopes = ["Full"]`.
        #[serde(default)]
        full: bool,
        /// Graph `resetScope` values, e.g. `["Watermark", "Escrows"]`.
        #[serde(default)]
        scopes: Vec<crate::engine::ResetScope>,
    },
    /// Stops the job.
    Stop {},
    /// Starts a stopped job.
    Start {},
    /// Allows the deletions held back by the threshold.
    AllowDeletes {},
    /// Replaces the mappings (a new initial cycle follows).
    SetMappings {
        /// The mappings; the Blink defaults when empty.
        #[serde(default)]
        mappings: Vec<MappingConfig>,
    },
    /// Adds or replaces one mapping (a new initial cycle follows).
    SetMapping {
        /// The mapping.
        mapping: MappingConfig,
    },
    /// Replaces the scoping filters (a new initial cycle follows).
    SetScopingFilters {
        /// The filters.
        #[serde(default)]
        filters: Vec<ScopingFilter>,
    },
    /// Changes the scope (with a restart).
    SetScope {
        /// The scope.
        scope: SyncScope,
    },
    /// Changes the job's secret token.
    SetToken {
        /// The token.
        token: String,
    },
    /// Assertions on the tenant, the logs, the job and the cycles.
    Expect(Box<super::expect::Expect>),
}

impl Step {
    /// The `do` keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            Step::Cycle {} => "cycle",
            Step::Cycles { .. } => "cycles",
            Step::Advance { .. } => "advance",
            Step::TestConnection {} => "test_connection",
            Step::AddUser { .. } => "add_user",
            Step::UpdateUser { .. } => "update_user",
            Step::Assign(_) => "assign",
            Step::Unassign(_) => "unassign",
            Step::SetRole(_) => "set_role",
            Step::AddMember { .. } => "add_member",
            Step::RemoveMember { .. } => "remove_member",
            Step::Disable { .. } => "disable",
            Step::Enable { .. } => "enable",
            Step::SoftDelete { .. } => "soft_delete",
            Step::Restore { .. } => "restore",
            Step::HardDelete { .. } => "hard_delete",
            Step::AddFaults { .. } => "add_faults",
            Step::ClearFaults {} => "clear_faults",
            Step::ProvisionOnDemand { .. } => "provision_on_demand",
            Step::Restart { .. } => "restart",
            Step::Stop {} => "stop",
            Step::Start {} => "start",
            Step::AllowDeletes {} => "allow_deletes",
            Step::SetMappings { .. } => "set_mappings",
            Step::SetMapping { .. } => "set_mapping",
            Step::SetScopingFilters { .. } => "set_scoping_filters",
            Step::SetScope { .. } => "set_scope",
            Step::SetToken { .. } => "set_token",
            Step::Expect(_) => "expect",
        }
    }
}

/// A step and the line it starts on (TOML), for messages.
#[derive(Clone, Debug)]
pub struct Located {
    /// The step.
    pub step: Step,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Index in the timeline.
    pub index: usize,
}

impl Located {
    /// `line 12` or `step[3]`.
    pub fn place(&self) -> String {
        place(self.line, self.index)
    }
}

/// Where a step is, for messages: `line 12`, or `step[3]` when the line is not known.
pub(crate) fn place(line: Option<usize>, index: usize) -> String {
    match line {
        Some(l) => format!("line {l}"),
        None => format!("step[{index}]"),
    }
}
