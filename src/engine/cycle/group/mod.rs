//! Group provisioning (reference §3.7, Appendix B.2), when the job says so: groups are planned
//! with the users (their deletions count toward the threshold, ACCDEL) and exported after the
//! users, so that every member reference finds both ends (HPW step 6).

mod body;
mod export;
mod ondemand;
mod plan;

pub(crate) use plan::{GroupWork, plan_groups};

use super::entry::Outcome;
use super::resource::{Resource, ResourceKind};
use super::{Ctx, Run};
use crate::engine::directory::Directory;
use crate::engine::failure::Failure;
use crate::engine::job::{GroupLink, LinkChange, ProvisioningJob};
use crate::engine::mapping::{self, AttributeMapping, MappingConfig};
use futures::StreamExt;
use std::sync::LazyLock;

/// Entra's default group mappings (§3.7, SCIMDEV "groups are queried with displayName"):
/// `displayName` matched on, `externalId` from `objectId`, and `members`.
pub(crate) fn default_mappings() -> Vec<MappingConfig> {
    let m = |target: &str, source: &str, matching: Option<u32>| MappingConfig {
        target: target.into(),
        source: Some(source.into()),
        matching,
        ..Default::default()
    };
    vec![
        m("displayName", "displayName", Some(1)),
        m("externalId", "objectId", None),
        m("members", "members", None),
    ]
}

static GROUP_MAPPINGS: LazyLock<Vec<AttributeMapping>> =
    LazyLock::new(|| mapping::compile(&default_mappings()).unwrap_or_default());

/// What one group's pipeline produced.
pub(crate) struct GroupOutcome {
    pub outcome: Outcome,
    pub link: LinkChange<GroupLink>,
    /// Member PATCHes that failed: reference failures (QUAR).
    pub reference_failures: u64,
}

impl<'a> Ctx<'a> {
    /// The settings of a run of `job` that started at `start`, for groups.
    pub(crate) fn for_groups(job: &'a ProvisioningJob, run: Run, start: i64) -> Self {
        Ctx {
            resource: Resource {
                kind: ResourceKind::Group,
                mappings: &GROUP_MAPPINGS,
            },
            ..Ctx::new(job, run, start)
        }
    }

    /// A failure as this kind's: the shared failure texts name a User.
    pub(crate) fn failure_of(&self, mut f: Failure) -> Failure {
        if self.resource.kind == ResourceKind::Group {
            f.reason = f.reason.replacen("User '", "Group '", 1);
        }
        f
    }
}

impl ProvisioningJob {
    /// Runs every planned group's pipeline, `concurrency` at a time; the outcomes in group
    /// order, without the groups an incremental cycle had nothing to do for.
    pub(crate) async fn export_groups(
        &self,
        dir: &Directory,
        work: &[GroupWork],
        run: Run,
        start: i64,
    ) -> Vec<GroupOutcome> {
        let ctx = &Ctx::for_groups(self, run, start);
        let index = &dir.assignment_index();
        let pipelines = work
            .iter()
            .enumerate()
            .map(|(i, w)| async move { (i, ctx.process_group(dir, index, w).await) });
        let mut outcomes: Vec<(usize, GroupOutcome)> = futures::stream::iter(pipelines)
            .buffer_unordered(self.config().concurrency.max(1))
            .filter_map(|(i, o)| async move { o.map(|o| (i, o)) })
            .collect()
            .await;
        outcomes.sort_unstable_by_key(|(i, _)| *i);
        outcomes.into_iter().map(|(_, o)| o).collect()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod mappings_tests {
    use super::*;

    #[test]
    fn the_default_group_mappings_compile() {
        assert_eq!(GROUP_MAPPINGS.len(), 3);
        let matching = mapping::matching_order(&GROUP_MAPPINGS);
        assert_eq!(
            matching.first().map(|m| m.target.as_str()),
            Some("displayName")
        );
    }
}
