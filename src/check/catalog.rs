//! The checks as data: name, tags, the reference section each follows, and which function
//! performs it.

use super::judge::Judged;
use super::runner::Runner;
use super::{CheckResult, Exchange, Verdict, groups, lifecycle, millis, patches, users};
use crate::engine::wire::Dialect;
use std::time::Duration;

/// Every check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CheckId {
    /// Test Connection probe.
    Probe,
    /// 401 without a token.
    AuthMissing,
    /// 401 with a wrong token.
    AuthWrong,
    /// `/ServiceProviderConfig`.
    ServiceProviderConfig,
    /// `/Schemas` holds the profile's targets.
    Schemas,
    /// `/ResourceTypes`.
    ResourceTypes,
    /// POST /Users as Entra does.
    Create,
    /// Content-Type of answers.
    ContentType,
    /// `userName eq`, case-insensitive.
    FilterUserName,
    /// `externalId eq`.
    FilterExternalId,
    /// GET by id.
    GetById,
    /// Duplicate create gets 409.
    DuplicateCreate,
    /// Single-valued update in a dialect.
    UpdateSingle(Dialect),
    /// Work email added to a user without one.
    UpdateWorkEmail(Dialect),
    /// Path-less replace with dotted and URN keys.
    UpdatePathless,
    /// The PATCH answer: 200 with the resource, or 204.
    PatchAnswer,
    /// Disable and re-enable.
    DisableEnable(Dialect),
    /// Manager set and removed.
    Manager(Dialect),
    /// A PATCH that changes nothing.
    NoopPatch,
    /// DELETE then GET 404.
    Delete,
    /// startIndex, count, totalResults.
    Pagination,
    /// `attributes` and `excludedAttributes`.
    Attributes,
    /// Error bodies in the SCIM error schema.
    ErrorBody,
    /// Each answer under the limit; a sustained rate.
    ResponseTime,
    /// Groups: create, find, members, rename, delete.
    Groups(Dialect),
    /// A short Entra lifecycle through the engine.
    Lifecycle,
}

/// A check's description.
#[derive(Clone, Copy, Debug)]
pub struct CheckDef {
    /// Which check.
    pub(crate) id: CheckId,
    /// Its name.
    pub name: &'static str,
    /// Tags for `--only`.
    pub tags: &'static [&'static str],
    /// The reference section it follows.
    pub reference: &'static str,
}

const fn def(
    id: CheckId,
    name: &'static str,
    tags: &'static [&'static str],
    reference: &'static str,
) -> CheckDef {
    CheckDef {
        id,
        name,
        tags,
        reference,
    }
}

use CheckId as C;
use Dialect::{Current, Legacy};

/// Every check, in the order they run (later ones use the user `create` made).
pub const CATALOG: &[CheckDef] = &[
    def(C::Probe, "probe", &["connection"], "§7 Test connection; R6"),
    def(
        C::AuthMissing,
        "auth-missing-token",
        &["connection", "auth"],
        "§4.2 (401), §7",
    ),
    def(
        C::AuthWrong,
        "auth-wrong-token",
        &["connection", "auth"],
        "§4.2 (401), §7",
    ),
    def(
        C::ServiceProviderConfig,
        "discovery-service-provider-config",
        &["discovery"],
        "Appendix B.3; RFC 7644 §4",
    ),
    def(
        C::Schemas,
        "discovery-schemas",
        &["discovery"],
        "Appendix B.3; §6.4 target attributes",
    ),
    def(
        C::ResourceTypes,
        "discovery-resource-types",
        &["discovery"],
        "Appendix B.3; RFC 7644 §4",
    ),
    def(
        C::Create,
        "create-user",
        &["users", "create"],
        "Appendix B.1 Create User; §3.2",
    ),
    def(
        C::ContentType,
        "content-type",
        &["users", "protocol"],
        "RFC 7644 §3.1; §4.2 (unparsable response)",
    ),
    def(
        C::FilterUserName,
        "filter-username-case-insensitive",
        &["users", "matching"],
        "§3.1, §3.2; Appendix B.1 Get User by query",
    ),
    def(
        C::FilterExternalId,
        "filter-externalid",
        &["users", "matching"],
        "§3.1 matching attributes",
    ),
    def(
        C::GetById,
        "get-user-by-id",
        &["users"],
        "Appendix B.1 Get User",
    ),
    def(
        C::DuplicateCreate,
        "duplicate-create-409",
        &["users", "create"],
        "§4.2 (409 EntryConflict), §5.5; R3",
    ),
    def(
        C::UpdateSingle(Current),
        "update-single-valued-current",
        &["users", "patch", "current"],
        "Appendix A.3.2; B.1 Update User [Single-valued]",
    ),
    def(
        C::UpdateSingle(Legacy),
        "update-single-valued-legacy",
        &["users", "patch", "legacy"],
        "Appendix A.3.2; R1",
    ),
    def(
        C::UpdateWorkEmail(Current),
        "update-work-email-current",
        &["users", "patch", "current"],
        "Appendix B.1 Update User [Multi-valued]",
    ),
    def(
        C::UpdateWorkEmail(Legacy),
        "update-work-email-legacy",
        &["users", "patch", "legacy"],
        "Appendix B.1 Update User [Multi-valued]; R1",
    ),
    def(
        C::UpdatePathless,
        "update-pathless-replace-current",
        &["users", "patch", "current"],
        "Appendix A.3.3",
    ),
    def(
        C::PatchAnswer,
        "patch-answer",
        &["users", "patch"],
        "Appendix B.1 (200 with the resource); RFC 7644 §3.5.2 (204)",
    ),
    def(
        C::DisableEnable(Current),
        "disable-enable-current",
        &["users", "patch", "current"],
        "Appendix A.3.1; B.1 Disable User",
    ),
    def(
        C::DisableEnable(Legacy),
        "disable-enable-legacy",
        &["users", "patch", "legacy"],
        "Appendix A.3.1 (\"False\" strings); R1",
    ),
    def(
        C::Manager(Current),
        "manager-set-remove-current",
        &["users", "patch", "manager", "current"],
        "§3.6 Manager export",
    ),
    def(
        C::Manager(Legacy),
        "manager-set-remove-legacy",
        &["users", "patch", "manager", "legacy"],
        "§3.6 Manager export; R1",
    ),
    def(
        C::NoopPatch,
        "noop-patch",
        &["users", "patch"],
        "§3.2 (redundant export); RFC 7644 §3.5.2",
    ),
    def(
        C::Delete,
        "delete-then-404",
        &["users", "delete"],
        "Appendix B.1 Delete User; §4.2 (404 InvalidAnchor)",
    ),
    def(
        C::Pagination,
        "pagination",
        &["users", "protocol"],
        "RFC 7644 §3.4.2.4",
    ),
    def(
        C::Attributes,
        "attributes-excluded-attributes",
        &["users", "protocol"],
        "RFC 7644 §3.4.2.5; Appendix B.2 (excludedAttributes=members)",
    ),
    def(
        C::ErrorBody,
        "error-body",
        &["protocol"],
        "RFC 7644 §3.12; §4.2",
    ),
    def(
        C::ResponseTime,
        "response-time",
        &["performance"],
        "§4.5 limits (60 s per request); §1.6",
    ),
    def(
        C::Groups(Current),
        "groups-current",
        &["groups", "current"],
        "Appendix B.2; A.3.4",
    ),
    def(
        C::Groups(Legacy),
        "groups-legacy",
        &["groups", "legacy"],
        "Appendix B.2; A.3.4 (Remove with a value array); R1",
    ),
    def(
        C::Lifecycle,
        "lifecycle",
        &["lifecycle"],
        "§1.2, §1.3, §3.2, §3.6, §5",
    ),
];

impl CheckDef {
    /// Whether `--only` selects this check (by tag or name; all when empty).
    pub(crate) fn selected(&self, only: &[String]) -> bool {
        only.is_empty()
            || only
                .iter()
                .any(|o| o == self.name || self.tags.iter().any(|t| t == o))
    }

    /// The result of this check.
    pub(crate) fn result(
        &self,
        outcome: Judged,
        exchanges: Vec<Exchange>,
        took: Duration,
    ) -> CheckResult {
        let (verdict, message, entra) = match outcome {
            Ok(()) => (Verdict::Pass, String::new(), String::new()),
            Err(f) if f.warn => (Verdict::Warn, f.message, f.entra),
            Err(f) => (Verdict::Fail, f.message, f.entra),
        };
        CheckResult {
            name: self.name.to_string(),
            tags: self.tags.iter().map(|t| t.to_string()).collect(),
            reference: self.reference.to_string(),
            verdict,
            message,
            entra,
            exchanges,
            elapsed_ms: millis(took),
        }
    }
}

/// Performs one check.
pub(crate) async fn perform(id: CheckId, runner: &mut Runner) -> Judged {
    match id {
        C::Probe => users::probe(runner).await,
        C::AuthMissing => users::auth(runner, super::runner::Auth::Missing).await,
        C::AuthWrong => users::auth(runner, super::runner::Auth::Wrong).await,
        C::ServiceProviderConfig => users::service_provider_config(runner).await,
        C::Schemas => users::schemas(runner).await,
        C::ResourceTypes => users::resource_types(runner).await,
        C::Create => users::create(runner).await,
        C::ContentType => users::content_type(runner).await,
        C::FilterUserName => users::filter_user_name(runner).await,
        C::FilterExternalId => users::filter_external_id(runner).await,
        C::GetById => users::get_by_id(runner).await,
        C::DuplicateCreate => users::duplicate(runner).await,
        C::UpdateSingle(d) => patches::update_single(runner, d).await,
        C::UpdateWorkEmail(d) => patches::update_work_email(runner, d).await,
        C::UpdatePathless => patches::update_pathless(runner).await,
        C::PatchAnswer => patches::patch_answer(runner).await,
        C::DisableEnable(d) => patches::disable_enable(runner, d).await,
        C::Manager(d) => patches::manager(runner, d).await,
        C::NoopPatch => patches::noop(runner).await,
        C::Delete => users::delete(runner).await,
        C::Pagination => users::pagination(runner).await,
        C::Attributes => users::attributes(runner).await,
        C::ErrorBody => users::error_body(runner).await,
        C::ResponseTime => users::response_time(runner).await,
        C::Groups(d) => groups::groups(runner, d).await,
        C::Lifecycle => lifecycle::lifecycle(runner).await,
    }
}
