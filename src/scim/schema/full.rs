//! The rest of RFC 7643's User (§4.1) and the whole enterprise extension (§4.3), which the
//! `generic` profile serves beside Blink's attributes ([`UserSchema::Full`]).

use super::*;

/// Which User schema a tenant serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSchema {
    /// Blink's attributes (the gallery mapping table); the others are unknown attributes.
    #[default]
    Blink,
    /// Every attribute of RFC 7643 §4.1 and §4.3 (`password` aside: never returned, not kept).
    Full,
}

/// The attributes of `schema` (a User schema) that `user_schema` serves, in `/Schemas` order.
pub(crate) fn attributes_of(
    schema: &'static SchemaDef,
    user_schema: UserSchema,
) -> impl Iterator<Item = &'static AttributeDef> {
    let extra: &'static [AttributeDef] = match user_schema {
        UserSchema::Full if schema.id == USER_SCHEMA => &CORE,
        UserSchema::Full if schema.id == ENTERPRISE_SCHEMA => &ENTERPRISE,
        _ => &[],
    };
    schema.attributes.iter().chain(extra)
}

const fn reference(
    name: &'static str,
    description: &'static str,
    reference_types: &'static [&'static str],
) -> AttributeDef {
    AttributeDef {
        ty: AttrType::Reference,
        reference_types,
        ..string(name, description)
    }
}

static IMS_SUBS: [AttributeDef; 4] = typed_values(
    "Instant messaging address for the User.",
    &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
);
static PHOTO_SUBS: [AttributeDef; 4] = {
    let [_, display, kind, primary] = typed_values("", &["photo", "thumbnail"]);
    [
        reference("value", "URL of a photo of the User.", &["external"]),
        display,
        kind,
        primary,
    ]
};
static ADDRESS_SUBS: [AttributeDef; 8] = {
    let [_, _, kind, primary] = typed_values("", &["work", "home", "other"]);
    [
        string(
            "formatted",
            "The full mailing address, formatted for display.",
        ),
        string("streetAddress", "The full street address component."),
        string("locality", "The city or locality component."),
        string("region", "The state or region component."),
        string("postalCode", "The zip code or postal code component."),
        string(
            "country",
            "The country name component (ISO 3166-1 alpha-2).",
        ),
        kind,
        primary,
    ]
};
static GROUP_SUBS: [AttributeDef; 4] = [
    AttributeDef {
        mutability: Mutability::ReadOnly,
        ..string("value", "The id of the Group.")
    },
    AttributeDef {
        mutability: Mutability::ReadOnly,
        ..reference("$ref", "The URI of the Group.", &["User", "Group"])
    },
    AttributeDef {
        mutability: Mutability::ReadOnly,
        ..string("display", "The displayName of the Group.")
    },
    AttributeDef {
        mutability: Mutability::ReadOnly,
        canonical_values: &["direct", "indirect"],
        ..string("type", "How the membership was derived.")
    },
];
static ENTITLEMENT_SUBS: [AttributeDef; 4] = typed_values("The value of an entitlement.", &[]);
static ROLE_SUBS: [AttributeDef; 4] = typed_values("The value of a role.", &[]);
static CERTIFICATE_SUBS: [AttributeDef; 4] = {
    let [value, display, kind, primary] = typed_values("", &[]);
    [
        AttributeDef {
            ty: AttrType::Binary,
            case_exact: true,
            description: "The value of an X.509 certificate (base64 DER).",
            ..value
        },
        display,
        kind,
        primary,
    ]
};

/// The core attributes only the full schema has, in RFC 7643 §4.1 order.
pub(crate) static CORE: [AttributeDef; 12] = [
    string("nickName", "The casual way to address the User."),
    reference(
        "profileUrl",
        "A URI of the User's online profile.",
        &["external"],
    ),
    string(
        "userType",
        "The relationship between the organization and the User.",
    ),
    string(
        "preferredLanguage",
        "The User's preferred written or spoken language.",
    ),
    string(
        "timezone",
        "The User's time zone, in IANA Time Zone database format.",
    ),
    complex(
        "ims",
        true,
        "Instant messaging addresses for the User.",
        &IMS_SUBS,
    ),
    complex("photos", true, "URLs of photos of the User.", &PHOTO_SUBS),
    complex(
        "addresses",
        true,
        "Physical mailing addresses for the User.",
        &ADDRESS_SUBS,
    ),
    AttributeDef {
        mutability: Mutability::ReadOnly,
        ..complex(
            "groups",
            true,
            "The Groups the User belongs to, set by the server.",
            &GROUP_SUBS,
        )
    },
    complex(
        "entitlements",
        true,
        "Entitlements the User has.",
        &ENTITLEMENT_SUBS,
    ),
    complex("roles", true, "Roles the User has.", &ROLE_SUBS),
    complex(
        "x509Certificates",
        true,
        "X.509 certificates issued to the User.",
        &CERTIFICATE_SUBS,
    ),
];

/// The enterprise attributes only the full schema has.
pub(crate) static ENTERPRISE: [AttributeDef; 3] = [
    string("costCenter", "The name of a cost center."),
    string("organization", "The name of an organization."),
    string("division", "The name of a division."),
];
