//! Directory objects: users, groups, the Blink application with its app roles, and
//! app-role assignments (aad-provisioning-service.md §2).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An Entra ID user, with the attributes provisioning mappings read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryUser {
    /// The object id (a GUID in Entra; any unique text here).
    #[serde(default)]
    pub object_id: String,
    /// `userPrincipalName`, mapped to `userName` and matched on.
    pub user_principal_name: String,
    /// `mail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    /// `mailNickname`, mapped to `externalId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_nickname: Option<String>,
    /// `givenName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `surname`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `jobTitle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// `department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// `employeeId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    /// `companyName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// `officeLocation` (`physicalDeliveryOfficeName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_location: Option<String>,
    /// `mobilePhone` (`mobile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    /// `businessPhones`; the first is `telephoneNumber`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub business_phones: Vec<String>,
    /// `preferredLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// The object id of the manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// `accountEnabled`: false blocks sign-in, which deprovisions.
    #[serde(default = "yes")]
    pub account_enabled: bool,
    /// `extensionAttribute1`..`15` and directory extensions, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extension_attributes: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

impl DirectoryUser {
    /// A user with just a UPN.
    pub fn new(object_id: &str, upn: &str) -> Self {
        DirectoryUser {
            object_id: object_id.to_string(),
            user_principal_name: upn.to_string(),
            account_enabled: true,
            ..Default::default()
        }
    }

    /// The value of a source attribute by the name mappings and scoping filters use
    /// (Graph and portal names both work: `mobile`/`mobilePhone`,
    /// `telephoneNumber`/`businessPhones`, `physicalDeliveryOfficeName`/`officeLocation`).
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.attribute_str(name).map(str::to_string)
    }

    /// [`attribute`](Self::attribute), borrowed: the mapping and scoping hot path reads every
    /// user's attributes and needs no copy to compare them.
    pub fn attribute_str(&self, name: &str) -> Option<&str> {
        fn text(v: &Option<String>) -> Option<&str> {
            v.as_deref()
        }
        let mut buf = [0u8; 32];
        let lowered;
        let key: &[u8] = match buf.get_mut(..name.len()) {
            Some(out) => {
                out.copy_from_slice(name.as_bytes());
                out.make_ascii_lowercase();
                out
            }
            None => {
                lowered = name.to_ascii_lowercase();
                lowered.as_bytes()
            }
        };
        match key {
            b"objectid" | b"id" => Some(&self.object_id),
            b"userprincipalname" => Some(&self.user_principal_name),
            b"mail" => text(&self.mail),
            b"mailnickname" => text(&self.mail_nickname),
            b"givenname" => text(&self.given_name),
            b"surname" | b"sn" => text(&self.surname),
            b"displayname" => text(&self.display_name),
            b"jobtitle" => text(&self.job_title),
            b"department" => text(&self.department),
            b"employeeid" => text(&self.employee_id),
            b"companyname" => text(&self.company_name),
            b"officelocation" | b"physicaldeliveryofficename" => text(&self.office_location),
            b"mobile" | b"mobilephone" => text(&self.mobile_phone),
            b"telephonenumber" => self.business_phones.first().map(String::as_str),
            b"preferredlanguage" => text(&self.preferred_language),
            b"manager" => text(&self.manager),
            b"accountenabled" => Some(if self.account_enabled {
                "True"
            } else {
                "False"
            }),
            _ => self
                .extension_attributes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str()),
        }
    }

    /// Sets a source attribute by name; `None` clears it. Unknown names become extension
    /// attributes. Returns false for names that cannot be set this way.
    pub fn set_attribute(&mut self, name: &str, value: Option<String>) -> bool {
        match name.to_ascii_lowercase().as_str() {
            "objectid" | "id" => return false,
            "userprincipalname" => match value {
                Some(v) => self.user_principal_name = v,
                None => return false,
            },
            "mail" => self.mail = value,
            "mailnickname" => self.mail_nickname = value,
            "givenname" => self.given_name = value,
            "surname" | "sn" => self.surname = value,
            "displayname" => self.display_name = value,
            "jobtitle" => self.job_title = value,
            "department" => self.department = value,
            "employeeid" => self.employee_id = value,
            "companyname" => self.company_name = value,
            "officelocation" | "physicaldeliveryofficename" => self.office_location = value,
            "mobile" | "mobilephone" => self.mobile_phone = value,
            "telephonenumber" | "businessphones" => {
                self.business_phones = value.into_iter().collect()
            }
            "preferredlanguage" => self.preferred_language = value,
            "manager" => self.manager = value,
            "accountenabled" => match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("true") => self.account_enabled = true,
                Some("false") => self.account_enabled = false,
                _ => return false,
            },
            _ => match value {
                Some(v) => {
                    self.extension_attributes.insert(name.to_string(), v);
                }
                None => {
                    self.extension_attributes
                        .retain(|k, _| !k.eq_ignore_ascii_case(name));
                }
            },
        }
        true
    }
}

/// A group; members are user or group object ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group {
    /// Object id.
    #[serde(default)]
    pub object_id: String,
    /// Display name.
    pub display_name: String,
    /// Direct members (users or groups).
    #[serde(default)]
    pub members: Vec<String>,
}

/// An app role of the Blink enterprise application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppRole {
    /// Role id (a GUID).
    pub id: String,
    /// The role's value, e.g. "User".
    pub value: String,
    /// Display name, e.g. "Default Access".
    pub display_name: String,
    /// Whether this is the gallery's default role (`msiam_access`, "Default Access"), whose
    /// holders Blink's tutorial excludes from provisioning.
    #[serde(default)]
    pub default_access: bool,
}

/// The id of the "Default Access" role.
pub(crate) const DEFAULT_ACCESS_ROLE_ID: &str = "18d14569-c3bd-439b-9a66-3a2aee01d14f";
/// The id of Blink's "User" role.
pub(crate) const USER_ROLE_ID: &str = "b2ba0a8e-7a5c-4b4b-8d3c-5c1a0e7d2f11";

/// The Blink application's roles: "User" and the gallery's "Default Access".
pub(crate) fn blink_app_roles() -> Vec<AppRole> {
    vec![
        AppRole {
            id: USER_ROLE_ID.into(),
            value: "User".into(),
            display_name: "User".into(),
            default_access: false,
        },
        AppRole {
            id: DEFAULT_ACCESS_ROLE_ID.into(),
            value: "msiam_access".into(),
            display_name: "Default Access".into(),
            default_access: true,
        },
    ]
}

/// Who an assignment grants the app to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Principal {
    /// A user, by object id.
    User(String),
    /// A group, by object id; reaches its direct user members only (HPW "Nested groups").
    Group(String),
}

/// An app-role assignment to the Blink application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The assignee.
    pub principal: Principal,
    /// The role id.
    pub role_id: String,
}
