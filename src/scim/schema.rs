//! The Blink user resource type described as SCIM schemas (RFC 7643 §2, §4, §7).
//!
//! One table drives `/Schemas`, filter and PATCH path resolution, and validation, so
//! what the tenant advertises is exactly what it accepts. The attribute set is the
//! Blink gallery mapping table (seed tutorial step 9; blink-scim-api.md §1.3-1.4).

/// `name` sub-attributes in the order Microsoft's samples write them.
pub(crate) const NAME_PARTS: [&str; 6] = [
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
];

/// URN of the core User schema.
pub(crate) const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// URN of the enterprise User extension.
pub(crate) const ENTERPRISE_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// URN of Blink's own User extension (blink-scim-api.md §1.4).
pub(crate) const BLINK_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:blink:2.0:User";
/// URN of the PATCH request message.
pub(crate) const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// URN of the list response message.
pub(crate) const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// SCIM attribute data types (RFC 7643 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Boolean,
    /// An xsd:dateTime string.
    DateTime,
    /// A URI string.
    Reference,
    /// Base64-encoded bytes.
    Binary,
    /// An object of sub-attributes.
    Complex,
}

impl AttrType {
    /// The type name as `/Schemas` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::DateTime => "dateTime",
            AttrType::Reference => "reference",
            AttrType::Binary => "binary",
            AttrType::Complex => "complex",
        }
    }
}

/// Whether and when an attribute may be written (RFC 7643 §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the server only.
    ReadOnly,
    /// Freely written by clients.
    ReadWrite,
}

impl Mutability {
    /// The keyword as `/Schemas` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
        }
    }
}

/// When an attribute is returned (RFC 7643 §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returned {
    /// Always returned, even when excluded.
    Always,
    /// Returned unless excluded.
    Default,
}

impl Returned {
    /// The keyword as `/Schemas` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Default => "default",
        }
    }
}

/// How unique an attribute's values are (RFC 7643 §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uniqueness {
    /// No uniqueness.
    None,
    /// Unique within the tenant.
    Server,
}

impl Uniqueness {
    /// The keyword as `/Schemas` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
        }
    }
}

/// One attribute (or sub-attribute) definition.
#[derive(Debug, PartialEq)]
pub struct AttributeDef {
    /// Canonical name.
    pub name: &'static str,
    /// Data type.
    pub ty: AttrType,
    /// Whether the attribute holds an array.
    pub multi_valued: bool,
    /// Human-readable description.
    pub description: &'static str,
    /// Whether a resource must carry it.
    pub required: bool,
    /// Whether string comparisons are case-sensitive.
    pub case_exact: bool,
    /// Who may write it.
    pub mutability: Mutability,
    /// When it is returned.
    pub returned: Returned,
    /// Uniqueness of its values.
    pub uniqueness: Uniqueness,
    /// Suggested values (for `type` sub-attributes).
    pub canonical_values: &'static [&'static str],
    /// For references: what they point at.
    pub reference_types: &'static [&'static str],
    /// Sub-attributes of a complex attribute.
    pub sub_attributes: &'static [AttributeDef],
}

impl AttributeDef {
    /// Finds a sub-attribute by name, case-insensitively (RFC 7643 §2.1).
    pub fn sub(&self, name: &str) -> Option<&'static AttributeDef> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether this is a complex attribute.
    pub fn is_complex(&self) -> bool {
        self.ty == AttrType::Complex
    }
}

/// A schema: a URN and its attributes.
#[derive(Debug)]
pub(crate) struct SchemaDef {
    /// The schema URN.
    pub id: &'static str,
    /// Short name.
    pub name: &'static str,
    /// Human-readable description.
    pub description: &'static str,
    /// Top-level attributes.
    pub attributes: &'static [AttributeDef],
}

const fn string(name: &'static str, description: &'static str) -> AttributeDef {
    AttributeDef {
        name,
        ty: AttrType::String,
        multi_valued: false,
        description,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: Uniqueness::None,
        canonical_values: &[],
        reference_types: &[],
        sub_attributes: &[],
    }
}

const fn complex(
    name: &'static str,
    multi_valued: bool,
    description: &'static str,
    sub_attributes: &'static [AttributeDef],
) -> AttributeDef {
    AttributeDef {
        ty: AttrType::Complex,
        multi_valued,
        sub_attributes,
        ..string(name, description)
    }
}

const fn typed_values(
    noun: &'static str,
    canonical_values: &'static [&'static str],
) -> [AttributeDef; 4] {
    [
        string("value", noun),
        string(
            "display",
            "A human-readable name, primarily used for display purposes.",
        ),
        AttributeDef {
            canonical_values,
            ..string(
                "type",
                "A label indicating the attribute's function, e.g. 'work'.",
            )
        },
        AttributeDef {
            ty: AttrType::Boolean,
            ..string(
                "primary",
                "Whether this is the preferred value; 'true' appears at most once.",
            )
        },
    ]
}

static EMAIL_SUBS: [AttributeDef; 4] = typed_values(
    "Email address for the User, as sent (RFC 5321 form).",
    &["work", "home", "other"],
);
static PHONE_SUBS: [AttributeDef; 4] = typed_values(
    "Phone number for the User, stored exactly as sent.",
    &["work", "home", "mobile", "fax", "pager", "other"],
);
static NAME_SUBS: [AttributeDef; 6] = [
    string("formatted", "The full name, formatted for display."),
    string("familyName", "The family name (surname)."),
    string("givenName", "The given (first) name."),
    string("middleName", "The middle name(s)."),
    string("honorificPrefix", "The honorific prefix, e.g. 'Ms.'."),
    string("honorificSuffix", "The honorific suffix, e.g. 'III'."),
];
static MANAGER_SUBS: [AttributeDef; 3] = [
    string(
        "value",
        "The id of the SCIM resource representing the User's manager.",
    ),
    AttributeDef {
        ty: AttrType::Reference,
        reference_types: &["User"],
        ..string(
            "$ref",
            "The URI of the SCIM resource representing the User's manager.",
        )
    },
    AttributeDef {
        mutability: Mutability::ReadOnly,
        ..string(
            "displayName",
            "The displayName of the User's manager, set by the server.",
        )
    },
];
static META_SUBS: [AttributeDef; 5] = [
    AttributeDef {
        case_exact: true,
        mutability: Mutability::ReadOnly,
        ..string("resourceType", "The name of the resource type.")
    },
    AttributeDef {
        ty: AttrType::DateTime,
        mutability: Mutability::ReadOnly,
        ..string("created", "When the resource was added.")
    },
    AttributeDef {
        ty: AttrType::DateTime,
        mutability: Mutability::ReadOnly,
        ..string("lastModified", "When the resource was last changed.")
    },
    AttributeDef {
        ty: AttrType::Reference,
        case_exact: true,
        mutability: Mutability::ReadOnly,
        reference_types: &["uri"],
        ..string("location", "The URI of the resource.")
    },
    AttributeDef {
        case_exact: true,
        mutability: Mutability::ReadOnly,
        ..string("version", "The weak ETag of the resource.")
    },
];

/// `id`: a common attribute (RFC 7643 §3.1), server-assigned.
pub(crate) static ID_ATTR: AttributeDef = AttributeDef {
    case_exact: true,
    mutability: Mutability::ReadOnly,
    returned: Returned::Always,
    uniqueness: Uniqueness::Server,
    ..string("id", "Unique identifier assigned by the service provider.")
};
/// `meta`: a common attribute (RFC 7643 §3.1).
pub(crate) static META_ATTR: AttributeDef = AttributeDef {
    mutability: Mutability::ReadOnly,
    ..complex("meta", false, "Resource metadata.", &META_SUBS)
};
/// `schemas`: the URNs of the schemas a resource uses (filterable per RFC 7644 §3.4.2.2).
pub(crate) static SCHEMAS_ATTR: AttributeDef = AttributeDef {
    ty: AttrType::Reference,
    multi_valued: true,
    case_exact: true,
    mutability: Mutability::ReadOnly,
    returned: Returned::Always,
    ..string("schemas", "The schema URNs used by the resource.")
};

static USER_ATTRS: [AttributeDef; 9] = [
    AttributeDef {
        required: true,
        uniqueness: Uniqueness::Server,
        ..string(
            "userName",
            "Unique identifier for the User in the identity provider; required, unique case-insensitively.",
        )
    },
    complex(
        "name",
        false,
        "The components of the User's name.",
        &NAME_SUBS,
    ),
    string("displayName", "The name of the User, suitable for display."),
    string("title", "The User's job title."),
    string(
        "locale",
        "The User's preferred language, which drives the language Blink sends communications in (BCP 47).",
    ),
    AttributeDef {
        ty: AttrType::Boolean,
        ..string("active", "The User's status; defaults to false on Blink.")
    },
    complex("emails", true, "Email addresses for the User.", &EMAIL_SUBS),
    complex(
        "phoneNumbers",
        true,
        "Phone numbers for the User.",
        &PHONE_SUBS,
    ),
    AttributeDef {
        case_exact: true,
        ..string(
            "externalId",
            "Identifier of the User defined by the provisioning client.",
        )
    },
];

static ENTERPRISE_ATTRS: [AttributeDef; 3] = [
    string(
        "employeeNumber",
        "Identifier assigned to a person by the organization.",
    ),
    string("department", "The name of the department."),
    complex("manager", false, "The User's manager.", &MANAGER_SUBS),
];

static BLINK_ATTRS: [AttributeDef; 3] = [
    string("company", "The company name shown on the Blink profile."),
    string("description", "The 'About me' text of the Blink profile."),
    string("location", "The location shown on the Blink profile."),
];

/// The core User schema as Blink serves it.
pub(crate) static USER: SchemaDef = SchemaDef {
    id: USER_SCHEMA,
    name: "User",
    description: "User Account",
    attributes: &USER_ATTRS,
};
/// The enterprise User extension as Blink serves it.
pub(crate) static ENTERPRISE_USER: SchemaDef = SchemaDef {
    id: ENTERPRISE_SCHEMA,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: &ENTERPRISE_ATTRS,
};
/// Blink's User extension.
pub(crate) static BLINK_USER: SchemaDef = SchemaDef {
    id: BLINK_SCHEMA,
    name: "BlinkUser",
    description: "Blink User",
    attributes: &BLINK_ATTRS,
};

/// All schemas of the User resource type, core first.
pub(crate) static USER_SCHEMAS: [&SchemaDef; 3] = [&USER, &ENTERPRISE_USER, &BLINK_USER];

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

mod full;
pub use full::UserSchema;

/// The attributes of `schema` (a User schema) that `user_schema` serves, in `/Schemas` order.
pub(crate) fn attributes_of(
    schema: &'static SchemaDef,
    user_schema: UserSchema,
) -> impl Iterator<Item = &'static AttributeDef> {
    let extra: &'static [AttributeDef] = match user_schema {
        UserSchema::Full if schema.id == USER_SCHEMA => &full::CORE,
        UserSchema::Full if schema.id == ENTERPRISE_SCHEMA => &full::ENTERPRISE,
        _ => &[],
    };
    schema.attributes.iter().chain(extra)
}

/// Returns the extension schema URN if `s` names one of the User's extensions.
pub(crate) fn extension_urn(s: &str) -> Option<&'static str> {
    [ENTERPRISE_SCHEMA, BLINK_SCHEMA]
        .into_iter()
        .find(|u| u.eq_ignore_ascii_case(s))
}

/// Splits `urn:...:Schema:attr.sub` into (`urn:...:Schema`, `attr.sub`) for any known schema URN.
///
/// Matching is against known URNs rather than "the last colon", because attribute names
/// never contain colons but unknown URNs can be arbitrary.
pub(crate) fn split_urn(path: &str) -> Option<(&'static str, &str)> {
    let known = [USER_SCHEMA, ENTERPRISE_SCHEMA, BLINK_SCHEMA];
    known.into_iter().find_map(|urn| {
        let head = path.get(..urn.len())?;
        let rest = path.get(urn.len()..)?;
        (head.eq_ignore_ascii_case(urn) && rest.starts_with(':')).then(|| (urn, &rest[1..]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_case_insensitively_core_first() {
        assert_eq!(Attr::resolve(None, "USERNAME"), Some(Attr::UserName));
        assert_eq!(Attr::resolve(None, "department"), Some(Attr::Department));
        assert_eq!(
            Attr::resolve(Some(ENTERPRISE_SCHEMA), "Manager"),
            Some(Attr::Manager)
        );
        assert_eq!(
            Attr::resolve(Some(USER_SCHEMA), "userName"),
            Some(Attr::UserName)
        );
        assert_eq!(Attr::resolve(Some(USER_SCHEMA), "department"), None);
        assert_eq!(
            Attr::resolve(Some(BLINK_SCHEMA), "location"),
            Some(Attr::Location)
        );
        assert_eq!(Attr::resolve_in(UserSchema::Blink, None, "nickName"), None);
        assert_eq!(
            Attr::resolve_in(UserSchema::Full, None, "NICKNAME"),
            Some(Attr::NickName)
        );
        assert_eq!(
            Attr::resolve_in(UserSchema::Full, None, "costCenter"),
            Some(Attr::CostCenter)
        );
    }

    #[test]
    fn splits_known_urns_only() {
        let p = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value";
        assert_eq!(split_urn(p), Some((ENTERPRISE_SCHEMA, "manager.value")));
        assert_eq!(split_urn("urn:x:y:attr"), None);
        assert_eq!(split_urn(ENTERPRISE_SCHEMA), None);
    }

    #[test]
    fn every_attribute_has_a_distinct_definition() {
        for a in Attr::ALL {
            assert_eq!(
                Attr::resolve(a.extension().or(Some(USER_SCHEMA)), a.name()),
                Some(a),
                "{a:?}"
            );
        }
        assert!(Attr::Manager.def().sub("$REF").is_some());
    }
}
