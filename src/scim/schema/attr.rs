//! The User's top-level attributes: names, definitions, resolution.

use super::*;

/// A top-level attribute of the Blink User resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attr {
    /// `id` (common).
    Id,
    /// `externalId` (common, listed in the core schema).
    ExternalId,
    /// `meta` (common).
    Meta,
    /// `schemas`.
    Schemas,
    /// `userName`.
    UserName,
    /// `name`.
    Name,
    /// `displayName`.
    DisplayName,
    /// `title`.
    Title,
    /// `locale`.
    Locale,
    /// `active`.
    Active,
    /// `emails`.
    Emails,
    /// `phoneNumbers`.
    PhoneNumbers,
    /// Enterprise `employeeNumber`.
    EmployeeNumber,
    /// Enterprise `department`.
    Department,
    /// Enterprise `manager`.
    Manager,
    /// Blink `company`.
    Company,
    /// Blink `description`.
    Description,
    /// Blink `location`.
    Location,
    /// `nickName` (full schema).
    NickName,
    /// `profileUrl` (full schema).
    ProfileUrl,
    /// `userType` (full schema).
    UserType,
    /// `preferredLanguage` (full schema).
    PreferredLanguage,
    /// `timezone` (full schema).
    Timezone,
    /// `ims` (full schema).
    Ims,
    /// `photos` (full schema).
    Photos,
    /// `addresses` (full schema).
    Addresses,
    /// `groups`, readOnly (full schema).
    Groups,
    /// `entitlements` (full schema).
    Entitlements,
    /// `roles` (full schema).
    Roles,
    /// `x509Certificates` (full schema).
    X509Certificates,
    /// Enterprise `costCenter` (full schema).
    CostCenter,
    /// Enterprise `organization` (full schema).
    Organization,
    /// Enterprise `division` (full schema).
    Division,
}

impl Attr {
    /// Every attribute, in the order resources are rendered.
    pub const ALL: [Attr; 33] = [
        Attr::Schemas,
        Attr::Id,
        Attr::ExternalId,
        Attr::UserName,
        Attr::Name,
        Attr::DisplayName,
        Attr::NickName,
        Attr::ProfileUrl,
        Attr::Title,
        Attr::UserType,
        Attr::PreferredLanguage,
        Attr::Locale,
        Attr::Timezone,
        Attr::Active,
        Attr::Emails,
        Attr::PhoneNumbers,
        Attr::Ims,
        Attr::Photos,
        Attr::Addresses,
        Attr::Groups,
        Attr::Entitlements,
        Attr::Roles,
        Attr::X509Certificates,
        Attr::EmployeeNumber,
        Attr::CostCenter,
        Attr::Organization,
        Attr::Division,
        Attr::Department,
        Attr::Manager,
        Attr::Company,
        Attr::Description,
        Attr::Location,
        Attr::Meta,
    ];

    /// The attribute's definition.
    pub fn def(self) -> &'static AttributeDef {
        match self {
            Attr::Id => &ID_ATTR,
            Attr::Meta => &META_ATTR,
            Attr::Schemas => &SCHEMAS_ATTR,
            Attr::UserName => &USER_ATTRS[0],
            Attr::Name => &USER_ATTRS[1],
            Attr::DisplayName => &USER_ATTRS[2],
            Attr::Title => &USER_ATTRS[3],
            Attr::Locale => &USER_ATTRS[4],
            Attr::Active => &USER_ATTRS[5],
            Attr::Emails => &USER_ATTRS[6],
            Attr::PhoneNumbers => &USER_ATTRS[7],
            Attr::ExternalId => &USER_ATTRS[8],
            Attr::EmployeeNumber => &ENTERPRISE_ATTRS[0],
            Attr::Department => &ENTERPRISE_ATTRS[1],
            Attr::Manager => &ENTERPRISE_ATTRS[2],
            Attr::Company => &BLINK_ATTRS[0],
            Attr::Description => &BLINK_ATTRS[1],
            Attr::Location => &BLINK_ATTRS[2],
            Attr::NickName => &full::CORE[0],
            Attr::ProfileUrl => &full::CORE[1],
            Attr::UserType => &full::CORE[2],
            Attr::PreferredLanguage => &full::CORE[3],
            Attr::Timezone => &full::CORE[4],
            Attr::Ims => &full::CORE[5],
            Attr::Photos => &full::CORE[6],
            Attr::Addresses => &full::CORE[7],
            Attr::Groups => &full::CORE[8],
            Attr::Entitlements => &full::CORE[9],
            Attr::Roles => &full::CORE[10],
            Attr::X509Certificates => &full::CORE[11],
            Attr::CostCenter => &full::ENTERPRISE[0],
            Attr::Organization => &full::ENTERPRISE[1],
            Attr::Division => &full::ENTERPRISE[2],
        }
    }

    /// Whether only the full schema ([`UserSchema::Full`]) has this attribute.
    pub fn is_full_only(self) -> bool {
        self >= Attr::NickName
    }

    /// Resolves a name as [`Self::resolve`] does, within the attributes `schema` serves.
    pub fn resolve_in(schema: UserSchema, uri: Option<&str>, name: &str) -> Option<Attr> {
        Attr::resolve(uri, name).filter(|a| schema == UserSchema::Full || !a.is_full_only())
    }

    /// The canonical attribute name.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The extension schema URN the attribute lives under, `None` for core and common attributes.
    pub fn extension(self) -> Option<&'static str> {
        match self {
            Attr::EmployeeNumber
            | Attr::Department
            | Attr::Manager
            | Attr::CostCenter
            | Attr::Organization
            | Attr::Division => Some(ENTERPRISE_SCHEMA),
            Attr::Company | Attr::Description | Attr::Location => Some(BLINK_SCHEMA),
            _ => None,
        }
    }

    /// The fully qualified name, `urn:...:name` for extension attributes.
    pub fn qualified_name(self) -> String {
        match self.extension() {
            Some(urn) => format!("{urn}:{}", self.name()),
            None => self.name().to_string(),
        }
    }

    /// Resolves an attribute name, optionally URN-qualified, case-insensitively.
    ///
    /// Unqualified names are looked up in the core schema first, then in the extensions
    /// (so `department` and `manager` work as Microsoft's samples write them).
    pub fn resolve(uri: Option<&str>, name: &str) -> Option<Attr> {
        let mut candidates = Attr::ALL
            .iter()
            .copied()
            .filter(|a| a.name().eq_ignore_ascii_case(name));
        match uri {
            None => candidates.min_by_key(|a| a.extension().is_some()),
            Some(uri) => candidates.find(|a| match a.extension() {
                Some(ext) => ext.eq_ignore_ascii_case(uri),
                None => uri.eq_ignore_ascii_case(USER_SCHEMA),
            }),
        }
    }
}
