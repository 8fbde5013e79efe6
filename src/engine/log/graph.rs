//! The objects of a Graph v1.0 `provisioningObjectSummary` that are not steps (§5.2,
//! rulings.md R5): initiator, service principal, systems, identities and error information,
//! and the job's parties every entry repeats.

use crate::engine::failure::FailureCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Graph `initiatorType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InitiatorType {
    /// An administrator (provision on demand).
    User,
    /// An application.
    Application,
    /// The provisioning service's own cycles.
    System,
}

/// Who started the provisioning (Graph `initiator`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Initiator {
    /// Empty for the service, as in Graph's samples.
    pub id: String,
    /// "Azure AD Provisioning Service" for cycles (§5.5), "Provision on demand" on demand.
    pub display_name: String,
    /// System for cycles, user on demand.
    pub initiator_type: InitiatorType,
}

impl Initiator {
    /// The service's cycles.
    pub fn service() -> Self {
        Initiator {
            id: String::new(),
            display_name: "Azure AD Provisioning Service".into(),
            initiator_type: InitiatorType::System,
        }
    }

    /// An administrator's provision on demand (Graph does not document it; README).
    pub fn on_demand() -> Self {
        Initiator {
            id: String::new(),
            display_name: "Provision on demand".into(),
            initiator_type: InitiatorType::User,
        }
    }

    /// Whether this is an on-demand run.
    pub fn is_on_demand(&self) -> bool {
        self.initiator_type == InitiatorType::User
    }
}

/// Graph `provisioningServicePrincipal`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// Its object id.
    pub id: String,
    /// The application's name, e.g. "Blink".
    pub display_name: String,
}

/// Graph `provisioningSystem`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningSystem {
    /// Its id.
    pub id: String,
    /// "Azure Active Directory", or the application's name.
    pub display_name: String,
    /// For the target: `ApplicationId`, `ServicePrincipalId`, `ServicePrincipalDisplayName`.
    #[serde(default)]
    pub details: BTreeMap<String, String>,
}

/// A source or target object (Graph `provisionedIdentity`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// Object id (source) or SCIM id (target), empty when unknown.
    pub id: String,
    /// A name people recognise (UPN or userName).
    pub display_name: String,
    /// "User".
    pub identity_type: String,
    /// Details (empty, as in Graph's samples).
    #[serde(default)]
    pub details: BTreeMap<String, String>,
}

/// Graph `provisioningErrorInfo.errorCategory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCategory {
    /// A failure of the service.
    Failure,
    /// A failure outside the service, e.g. the target's answer (§5.5).
    NonServiceFailure,
    /// No failure.
    Success,
}

/// Error details of a failure (Graph `provisioningErrorInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInformation {
    /// Error code, e.g. `EntryConflict`.
    pub error_code: FailureCode,
    /// Reason.
    pub reason: String,
    /// More details (`null` in Graph's sample).
    pub additional_details: Option<String>,
    /// `nonServiceFailure` for target-side errors.
    pub error_category: ErrorCategory,
    /// What to do (`null` in Graph's sample).
    pub recommended_action: Option<String>,
}

impl ErrorInformation {
    /// A target-side failure with `code` and `reason`, as Graph's Example 2 (§5.5).
    pub fn target(error_code: FailureCode, reason: String) -> Self {
        ErrorInformation {
            error_code,
            reason,
            additional_details: None,
            error_category: ErrorCategory::NonServiceFailure,
            recommended_action: None,
        }
    }
}

/// The tenant, service principal and systems of a job, the same in each of its entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parties {
    /// The Entra tenant id.
    pub tenant_id: String,
    /// The application's service principal.
    pub service_principal: ServicePrincipal,
    /// Azure Active Directory.
    pub source_system: ProvisioningSystem,
    /// The application.
    pub target_system: ProvisioningSystem,
}

/// The GUIDs a job's parties are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartyIds {
    /// The Entra tenant.
    pub tenant: uuid::Uuid,
    /// The application (its app id).
    pub application: uuid::Uuid,
    /// The application's service principal.
    pub service_principal: uuid::Uuid,
    /// The source system.
    pub source_system: uuid::Uuid,
    /// The target system.
    pub target_system: uuid::Uuid,
}

impl Parties {
    /// The parties of a job provisioning to `app` (e.g. "Blink"), with details as in §5.5.
    pub fn new(ids: PartyIds, app: &str) -> Self {
        let service_principal = ServicePrincipal {
            id: ids.service_principal.to_string(),
            display_name: app.to_string(),
        };
        let details = BTreeMap::from([
            ("ApplicationId".to_string(), ids.application.to_string()),
            (
                "ServicePrincipalId".to_string(),
                service_principal.id.clone(),
            ),
            ("ServicePrincipalDisplayName".to_string(), app.to_string()),
        ]);
        Parties {
            tenant_id: ids.tenant.to_string(),
            source_system: ProvisioningSystem {
                id: ids.source_system.to_string(),
                display_name: "Azure Active Directory".into(),
                details: BTreeMap::new(),
            },
            target_system: ProvisioningSystem {
                id: ids.target_system.to_string(),
                display_name: app.to_string(),
                details,
            },
            service_principal,
        }
    }
}
