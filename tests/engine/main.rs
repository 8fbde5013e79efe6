//! The provisioning engine against the embedded mock tenant: each behaviour of issue 4,
//! asserting the requests sent and the log entries produced.

mod admin;
#[path = "../engine_world/mod.rs"]
mod engine_world;
mod failures;
mod references;
mod rulings;
mod scope;

use blinksim::Clock;
use blinksim::HumanDuration;
use blinksim::engine::Dialect;
use blinksim::engine::FailureCode;
use blinksim::engine::Group;
use blinksim::engine::JobConfig;
use blinksim::engine::QuarantineThresholds;
use blinksim::engine::SkipReason;
use blinksim::engine::{Action::*, Status::*};
use blinksim::engine::{Clause, FilterOperator, ScopingFilter, SyncScope};
use blinksim::engine::{CycleKind, StepName};
use blinksim::engine::{JobStatus, QuarantineReason};
use blinksim::engine::{MappingConfig, blink_default_mappings};
use blinksim::tenant::{Effect, LostAs};
use blinksim::tenant::{FaultRule, Operation, TenantOptions};
use engine_world::{MINUTE, T0, World, o, user};
use serde_json::json;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Two assigned users, the report's manager the boss (directory ids `u-boss`, `u-rep`).
fn boss_and_report() -> World {
    let mut w = World::new();
    w.assigned("u-boss", "boss@contoso.example")
        .assigned("u-rep", "rep@contoso.example");
    w.dir
        .set_attribute("u-rep", "manager", Some("u-boss".into()))
        .unwrap();
    w
}
