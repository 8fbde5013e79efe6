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

mod attr;
pub use attr::Attr;
mod full;
pub use full::UserSchema;
pub(crate) use full::attributes_of;

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
mod tests;
