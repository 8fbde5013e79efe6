//! Tenant settings. Where the reference says NOT FOUND for Blink, the default is the
//! realistic choice and the setting lets a user pick otherwise (README, "Behaviour choices").

use crate::scim::patch::FilterNoMatch;
use crate::scim::schema::UserSchema;
use crate::scim::user::UnknownAttributes;
use serde::{Deserialize, Serialize};

/// The token `serve` uses when none is given (documented in the README).
pub const DEFAULT_TOKEN: &str = "blinksim-secret-token";
/// The admin API token `serve` uses when none is given (documented in the README).
pub const DEFAULT_ADMIN_TOKEN: &str = "blinksim-admin-token";
/// Blink's tenant URL (blink-scim-api.md §1.1); used as the base URL of in-process tenants.
pub const BLINK_BASE_URL: &str = "https://api.joinblink.com/scim";
/// The path prefix of every SCIM endpoint (no `/v2`, as Blink serves them).
pub(crate) const BASE_PATH: &str = "/scim";

/// How PATCH answers on success.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatchResponse {
    /// 200 with the full resource, which Microsoft's validator expects (blink-scim-api.md §3.4.10).
    #[default]
    Resource,
    /// 204 No Content, which RFC 7644 §3.5.2 also allows.
    NoContent,
}

/// Settings of a mock Blink tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantOptions {
    /// The bearer token clients must send.
    pub token: String,
    /// Largest request body accepted; larger gets 413 (1 MiB by default).
    pub max_body_bytes: usize,
    /// Page size when a list request has no `count`. Blink's is NOT FOUND; 100 chosen.
    pub default_page_size: usize,
    /// Largest page served. Blink's is NOT FOUND; 1000 chosen.
    pub max_page_size: usize,
    /// A second user with the same work email gets 409, as Blink documents ("409 duplicate email", B-2).
    pub unique_work_email: bool,
    /// Attributes outside the Blink schema.
    pub unknown_attributes: UnknownAttributes,
    /// PATCH value filters that match nothing.
    pub filter_no_match: FilterNoMatch,
    /// PATCH success response. Blink's is NOT FOUND; 200 with the resource chosen.
    pub patch_response: PatchResponse,
    /// Seed of the tenant's ids, which derive from it and the userName (so they do not
    /// depend on the order concurrent clients create users), and of probabilistic faults.
    pub seed: u64,
    /// The bearer token of the admin API (`/_admin`).
    pub admin_token: String,
    /// Requests kept in the journal ring.
    pub journal_capacity: usize,
    /// Bytes the journal's kept entries may hold in total.
    pub journal_bytes: usize,
    /// Bodies longer than this are journaled truncated (and marked).
    pub journal_body_bytes: usize,
    /// Timeouts and the connection cap of the HTTP server.
    pub server: ServerLimits,
    /// Header names and query parameters kept out of the journal and the admin API.
    pub redaction: super::redact::Redaction,
    /// Serve `/Groups`. Off as on a Blink tenant without group sync, which answers 404
    /// (blink-scim-api.md §1.2).
    pub groups: bool,
    /// Group PATCH success response: 204 as Microsoft's SCIM guide shows
    /// (aad-provisioning-service.md §3.7), or 200 with the group.
    pub group_patch_response: PatchResponse,
    /// A group member must be a user of this tenant (else 400 `invalidValue`).
    pub group_members_must_exist: bool,
    /// A second group with the same displayName (case-insensitive) gets 409; Entra matches
    /// groups on displayName (aad-provisioning-service.md §3.7), so two would be ambiguous.
    pub unique_group_display_name: bool,
    /// The User attributes served: Blink's, or all of RFC 7643 §4.1 and §4.3 (`full`).
    pub user_schema: UserSchema,
}

impl Default for TenantOptions {
    fn default() -> Self {
        TenantOptions {
            token: DEFAULT_TOKEN.to_string(),
            max_body_bytes: 1024 * 1024,
            default_page_size: 100,
            max_page_size: 1000,
            unique_work_email: true,
            unknown_attributes: UnknownAttributes::default(),
            filter_no_match: FilterNoMatch::default(),
            patch_response: PatchResponse::default(),
            seed: 0,
            admin_token: DEFAULT_ADMIN_TOKEN.to_string(),
            journal_capacity: super::journal::DEFAULT_CAPACITY,
            journal_bytes: super::journal::DEFAULT_BYTES,
            journal_body_bytes: super::journal::DEFAULT_BODY_BYTES,
            redaction: super::redact::Redaction::default(),
            server: ServerLimits::default(),
            groups: false,
            group_patch_response: PatchResponse::NoContent,
            group_members_must_exist: true,
            unique_group_display_name: true,
            user_schema: UserSchema::Blink,
        }
    }
}

/// What one HTTP client may hold of the server (issue 15 D6): slow or idle clients are cut
/// off and connections beyond the cap get `503` at once, so others still get answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerLimits {
    /// Time allowed for a request's headers, ms.
    pub header_read_timeout_ms: u64,
    /// Time allowed for a request's whole body once the headers are in, ms; then `408`.
    pub body_read_timeout_ms: u64,
    /// A connection with no request in flight and no bytes moving for this long is closed, ms.
    pub idle_timeout_ms: u64,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout_ms: 30_000,
            body_read_timeout_ms: 30_000,
            idle_timeout_ms: 60_000,
            // Below the usual 20,000 open-file limit, above what a test client opens.
            max_connections: 4_096,
        }
    }
}

/// A server to be (issue 12, "Profiles"): each choice it makes is also its own option, so
/// a profile is only a starting point for [`TenantOptions`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Blink's API, as the reference documents it (today's behaviour).
    #[default]
    Blink,
    /// A generic SCIM 2.0 server: groups on, no work-email uniqueness, 204 to PATCH, the
    /// full RFC 7643 User schema.
    Generic,
}

/// A profile name that is neither `blink` nor `generic`.
#[derive(Debug, thiserror::Error)]
#[error("unknown profile '{0}': expected 'blink' or 'generic'")]
pub struct UnknownProfile(String);

impl std::str::FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "blink" => Ok(Profile::Blink),
            "generic" => Ok(Profile::Generic),
            _ => Err(UnknownProfile(s.to_string())),
        }
    }
}

impl Profile {
    /// The settings this profile starts from.
    pub fn options(self) -> TenantOptions {
        let blink = TenantOptions::default();
        match self {
            Profile::Blink => blink,
            Profile::Generic => TenantOptions {
                groups: true,
                unique_work_email: false,
                patch_response: PatchResponse::NoContent,
                user_schema: UserSchema::Full,
                ..blink
            },
        }
    }
}
