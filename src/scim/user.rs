//! The Blink user resource: a compact typed model, its JSON rendering, and parsing of
//! client representations.
//!
//! Users are stored typed (not as JSON trees) so that a million of them fit in memory
//! (issue 2, acceptance 6); JSON is produced on the way out and read on the way in.

use super::error::ScimError;
use super::schema::{
    Attr, BLINK_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA, UserSchema, extension_urn, split_urn,
};
use compact_str::CompactString;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A stored string: inline up to 24 bytes, so most attribute values need no allocation.
pub(crate) type Text = CompactString;

/// What to do with attributes the Blink schema does not define (Blink's behaviour is
/// NOT FOUND in the reference; `reject_paths` is the default, see the README).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownAttributes {
    /// Drop them silently everywhere, including explicit PATCH paths.
    Ignore,
    /// Drop them in representations (POST, PUT, path-less PATCH values), as RFC 7644 §3.3
    /// allows ("free to alter and/or ignore POSTed content"), but answer 400 `invalidPath`
    /// to a PATCH operation whose `path` names one.
    #[default]
    RejectPaths,
    /// Answer 400 everywhere, naming the attribute.
    Reject,
}

/// How a representation is read: the unknown-attribute policy and the User schema served
/// (an attribute outside the schema is an unknown one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadPolicy {
    /// What to do with unknown attributes.
    pub unknown: UnknownAttributes,
    /// The attributes known.
    pub schema: UserSchema,
}

impl From<UnknownAttributes> for ReadPolicy {
    fn from(unknown: UnknownAttributes) -> Self {
        ReadPolicy {
            unknown,
            schema: UserSchema::Blink,
        }
    }
}

/// The `name` complex attribute. Given and family names are inline; the rarely sent
/// parts live in a separate box, so a typical name costs 64 bytes instead of 160.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Name {
    /// `givenName`
    pub given_name: Option<Text>,
    /// `familyName`
    pub family_name: Option<Text>,
    /// `formatted`, `middleName`, `honorificPrefix`, `honorificSuffix`.
    pub rest: Option<Box<NameRest>>,
}

/// The less common parts of a name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameRest {
    /// `formatted`
    pub formatted: Option<Text>,
    /// `middleName`
    pub middle_name: Option<Text>,
    /// `honorificPrefix`
    pub honorific_prefix: Option<Text>,
    /// `honorificSuffix`
    pub honorific_suffix: Option<Text>,
}

static NO_TEXT: Option<Text> = None;

impl Name {
    /// A name with given and family parts.
    pub fn new(given: &str, family: &str) -> Self {
        Name {
            given_name: Some(Text::from(given)),
            family_name: Some(Text::from(family)),
            rest: None,
        }
    }

    /// The sub-attribute slot named by `sub` (a canonical sub-attribute name of `name`).
    pub fn slot(&self, sub: &str) -> Option<&Option<Text>> {
        let rest = self.rest.as_deref();
        let pick = |f: fn(&NameRest) -> &Option<Text>| Some(rest.map_or(&NO_TEXT, f));
        match sub {
            "givenName" => Some(&self.given_name),
            "familyName" => Some(&self.family_name),
            "formatted" => pick(|r| &r.formatted),
            "middleName" => pick(|r| &r.middle_name),
            "honorificPrefix" => pick(|r| &r.honorific_prefix),
            "honorificSuffix" => pick(|r| &r.honorific_suffix),
            _ => None,
        }
    }

    /// The sub-attribute slot named by `sub`, for writing; `None` for an unknown name.
    pub(crate) fn slot_mut(&mut self, sub: &str) -> Option<&mut Option<Text>> {
        Some(match sub {
            "givenName" => &mut self.given_name,
            "familyName" => &mut self.family_name,
            "formatted" => &mut self.rest.get_or_insert_default().formatted,
            "middleName" => &mut self.rest.get_or_insert_default().middle_name,
            "honorificPrefix" => &mut self.rest.get_or_insert_default().honorific_prefix,
            "honorificSuffix" => &mut self.rest.get_or_insert_default().honorific_suffix,
            _ => return None,
        })
    }

    fn normalize(&mut self) {
        if self
            .rest
            .as_deref()
            .is_some_and(|r| *r == NameRest::default())
        {
            self.rest = None;
        }
    }

    fn is_empty(&self) -> bool {
        *self == Name::default()
    }
}

/// One value of a multi-valued attribute (`emails`, `phoneNumbers`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultiValue {
    /// `value`
    pub value: Option<Text>,
    /// `display`
    pub display: Option<Text>,
    /// `type`, e.g. "work".
    pub kind: Option<Text>,
    /// `primary`, kept absent when the client did not send it.
    pub primary: Option<bool>,
}

impl MultiValue {
    /// A typed value, e.g. `MultiValue::typed("work", "a@b.c")`.
    pub fn typed(kind: &str, value: &str) -> Self {
        MultiValue {
            value: Some(value.into()),
            kind: Some(kind.into()),
            ..Default::default()
        }
    }

    /// Whether no sub-attribute is set.
    pub(crate) fn is_empty(&self) -> bool {
        *self == MultiValue::default()
    }
}

/// The enterprise extension.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Enterprise {
    /// `employeeNumber`
    pub employee_number: Option<Text>,
    /// `department`
    pub department: Option<Text>,
    /// `manager.value`: the id of the manager's resource. `$ref` and `displayName` are
    /// derived when rendering.
    pub manager: Option<ManagerRef>,
}

impl Enterprise {
    fn is_empty(&self) -> bool {
        *self == Enterprise::default()
    }
}

/// A manager reference as sent: a canonical UUID is kept in 16 bytes, anything else as text
/// (Azure AD has been seen sending userNames, blink-scim-api.md §3.4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManagerRef {
    /// A lower-case hyphenated UUID, stored compactly.
    Id(Uuid),
    /// Any other string, stored as sent.
    Other(Text),
}

impl ManagerRef {
    /// Parses a reference, keeping the exact text it was sent as.
    pub fn new(value: &str) -> ManagerRef {
        match Uuid::parse_str(value) {
            Ok(id) if id.hyphenated().to_string() == value => ManagerRef::Id(id),
            _ => ManagerRef::Other(Text::from(value)),
        }
    }

    /// Calls `f` with the reference as text, without allocating for UUIDs.
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match self {
            ManagerRef::Id(id) => {
                let mut buf = Uuid::encode_buffer();
                f(id.hyphenated().encode_lower(&mut buf))
            }
            ManagerRef::Other(text) => f(text),
        }
    }
}

impl std::fmt::Display for ManagerRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManagerRef::Id(id) => write!(f, "{id}"),
            ManagerRef::Other(text) => f.write_str(text),
        }
    }
}

/// The Blink extension (blink-scim-api.md §1.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlinkProfile {
    /// `company`
    pub company: Option<Text>,
    /// `description` ("About me")
    pub description: Option<Text>,
    /// `location`
    pub location: Option<Text>,
}

impl BlinkProfile {
    fn is_empty(&self) -> bool {
        *self == BlinkProfile::default()
    }
}

/// The client-writable attributes of a user: everything but `id` and `meta`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserAttrs {
    /// `externalId`
    pub external_id: Option<Text>,
    /// `userName` (required, unique case-insensitively)
    pub user_name: Text,
    /// `name`
    pub name: Option<Box<Name>>,
    /// `displayName`
    pub display_name: Option<Text>,
    /// `title`
    pub title: Option<Text>,
    /// `locale`
    pub locale: Option<Text>,
    /// `active`. Blink documents "Defaults to false" (blink-scim-api.md §1.2): POST and PUT
    /// without it store `false` ([`Self::with_blink_defaults`]); a PATCH `remove` unassigns it.
    pub active: Option<bool>,
    /// `emails`
    pub emails: Vec<MultiValue>,
    /// `phoneNumbers`
    pub phone_numbers: Vec<MultiValue>,
    /// The enterprise extension, absent when empty.
    pub enterprise: Option<Box<Enterprise>>,
    /// The Blink extension, absent when empty.
    pub blink: Option<Box<BlinkProfile>>,
    /// The full schema's other attributes (those only the full schema has) as canonical JSON, absent
    /// when empty: boxed, so Blink's users pay one pointer for them.
    pub extra: Option<Box<BTreeMap<Attr, Value>>>,
}

/// Server-maintained metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Creation time, Unix milliseconds.
    pub created: i64,
    /// Last change, Unix milliseconds.
    pub last_modified: i64,
    /// Per-resource change counter behind the weak ETag; per resource (not global) so
    /// ETags do not depend on the order concurrent clients touch different users.
    pub version: u32,
}

impl Meta {
    /// The weak ETag, e.g. `W/"3"` (RFC 7644 §3.14).
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }
}

/// A stored Blink user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Server-assigned id.
    pub id: Uuid,
    /// Metadata.
    pub meta: Meta,
    /// Client-writable attributes.
    pub attrs: UserAttrs,
}

/// Resolves `manager.displayName` from the manager's id.
pub trait ManagerNames {
    /// The `displayName` of the user with id `id`, if known.
    fn display_name_of(&self, id: &str) -> Option<Text>;

    /// [`Self::display_name_of`] for an id already parsed (a manager stored as a UUID):
    /// rendering then neither formats nor parses it.
    fn display_name_of_user(&self, id: &Uuid) -> Option<Text> {
        self.display_name_of(&id.to_string())
    }

    /// The groups user `id` is a direct member of, as (group id, displayName), when the
    /// tenant returns the full schema's readOnly `groups`; none by default.
    fn groups_of(&self, _id: &Uuid) -> Vec<(Uuid, Text)> {
        Vec::new()
    }
}

/// Resolves no names (the manager's `displayName` is then omitted).
pub struct NoNames;

impl ManagerNames for NoNames {
    fn display_name_of(&self, _id: &str) -> Option<Text> {
        None
    }
}

/// What rendering needs beyond the user: the base URL and manager display names.
#[derive(Clone, Copy)]
pub struct RenderContext<'a> {
    /// The SCIM base URL, e.g. `http://127.0.0.1:8080/scim`.
    pub base_url: &'a str,
    /// Resolves manager display names.
    pub names: &'a dyn ManagerNames,
}

impl UserAttrs {
    /// The work email (first email of type "work", case-insensitively).
    pub fn work_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|e| {
                e.kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("work"))
            })
            .and_then(|e| e.value.as_deref())
    }

    /// The schema URNs this user uses: core, then each extension that has a value.
    pub fn schemas(&self) -> Vec<&'static str> {
        let mut out = vec![USER_SCHEMA];
        if self.enterprise.is_some() || self.has_extra_in(ENTERPRISE_SCHEMA) {
            out.push(ENTERPRISE_SCHEMA);
        }
        if self.blink.is_some() {
            out.push(BLINK_SCHEMA);
        }
        out
    }

    /// Applies Blink's defaults to a created or replaced user: `active` is false unless sent.
    pub fn with_blink_defaults(mut self) -> Self {
        self.active.get_or_insert(false);
        self
    }

    /// Whether the user is active (unassigned counts as inactive, Blink's default).
    pub fn is_active(&self) -> bool {
        self.active.unwrap_or(false)
    }

    /// The manager reference.
    pub fn manager(&self) -> Option<&ManagerRef> {
        self.enterprise.as_deref().and_then(|e| e.manager.as_ref())
    }

    /// The value of a single-valued string attribute (`None` for `manager`: see [`Self::manager`]).
    pub fn text(&self, attr: Attr) -> Option<&str> {
        let ent = self.enterprise.as_deref();
        let blink = self.blink.as_deref();
        match attr {
            Attr::ExternalId => self.external_id.as_deref(),
            Attr::UserName => Some(&self.user_name),
            Attr::DisplayName => self.display_name.as_deref(),
            Attr::Title => self.title.as_deref(),
            Attr::Locale => self.locale.as_deref(),
            Attr::EmployeeNumber => ent.and_then(|e| e.employee_number.as_deref()),
            Attr::Department => ent.and_then(|e| e.department.as_deref()),
            Attr::Company => blink.and_then(|b| b.company.as_deref()),
            Attr::Description => blink.and_then(|b| b.description.as_deref()),
            Attr::Location => blink.and_then(|b| b.location.as_deref()),
            a if a.is_full_only() => self.extra(a).and_then(Value::as_str),
            _ => None,
        }
    }

    /// A full-schema attribute's value ([`Self::extra`] field).
    pub fn extra(&self, attr: Attr) -> Option<&Value> {
        self.extra.as_deref().and_then(|m| m.get(&attr))
    }

    /// Whether some full-schema attribute of extension `urn` has a value.
    pub(crate) fn has_extra_in(&self, urn: &str) -> bool {
        self.extra
            .as_deref()
            .is_some_and(|m| m.keys().any(|a| a.extension() == Some(urn)))
    }

    fn set_extra(&mut self, attr: Attr, value: Option<Value>) {
        match value {
            Some(v) => {
                self.extra.get_or_insert_default().insert(attr, v);
            }
            None => {
                if let Some(m) = self.extra.as_deref_mut() {
                    m.remove(&attr);
                }
            }
        }
    }

    /// Drops empty complex values and records so equal content compares equal.
    pub fn normalize(&mut self) {
        if let Some(name) = self.name.as_deref_mut() {
            name.normalize();
        }
        if self.name.as_deref().is_some_and(Name::is_empty) {
            self.name = None;
        }
        // An email or phone number without a value carries nothing; removing the `value`
        // of `emails[type eq "work"]` is how Azure AD removes the work email.
        self.emails.retain(|v| v.value.is_some());
        self.phone_numbers.retain(|v| v.value.is_some());
        if self.enterprise.as_deref().is_some_and(Enterprise::is_empty) {
            self.enterprise = None;
        }
        if self.blink.as_deref().is_some_and(BlinkProfile::is_empty) {
            self.blink = None;
        }
        if let Some(extra) = self.extra.as_deref_mut() {
            extra.retain(|_, v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()));
        }
        if self.extra.as_deref().is_some_and(BTreeMap::is_empty) {
            self.extra = None;
        }
    }

    /// Sets a single-valued string attribute (or the manager reference); `None` unassigns.
    pub(crate) fn set_text(&mut self, attr: Attr, value: Option<Text>) {
        match attr {
            Attr::ExternalId => self.external_id = value,
            Attr::UserName => self.user_name = value.unwrap_or_default(),
            Attr::DisplayName => self.display_name = value,
            Attr::Title => self.title = value,
            Attr::Locale => self.locale = value,
            Attr::EmployeeNumber => self.enterprise.get_or_insert_default().employee_number = value,
            Attr::Department => self.enterprise.get_or_insert_default().department = value,
            Attr::Manager => {
                self.enterprise.get_or_insert_default().manager = value.map(|v| ManagerRef::new(&v))
            }
            Attr::Company => self.blink.get_or_insert_default().company = value,
            Attr::Description => self.blink.get_or_insert_default().description = value,
            Attr::Location => self.blink.get_or_insert_default().location = value,
            a if a.is_full_only() => self.set_extra(a, value.map(|v| Value::String(v.into()))),
            _ => {}
        }
    }

    /// Parses a client representation (POST, PUT, or a PATCH working copy).
    ///
    /// Attribute names match case-insensitively (RFC 7643 §2.1); extension attributes may
    /// come nested under their URN or flat as `urn:...:User:attr`; readOnly attributes
    /// (`id`, `meta`, `manager.displayName`) are ignored (RFC 7644 §3.3); `null` unassigns.
    pub fn from_json(doc: &Value, policy: impl Into<ReadPolicy>) -> Result<UserAttrs, ScimError> {
        let ReadPolicy { unknown, schema } = policy.into();
        let obj = doc
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("The request body must be a JSON object"))?;
        let mut attrs = UserAttrs::default();
        let mut has_user_name = false;
        for (key, value) in obj {
            if key.eq_ignore_ascii_case("schemas") {
                check_schemas(value)?;
                continue;
            }
            if let Some(urn) = extension_urn(key) {
                match value {
                    Value::Null => {}
                    Value::Object(ext) => {
                        for (sub_key, sub_value) in ext {
                            match Attr::resolve_in(schema, Some(urn), sub_key) {
                                Some(attr) => attrs.set(attr, sub_value)?,
                                None => unknown_attribute(unknown, &format!("{urn}:{sub_key}"))?,
                            }
                        }
                    }
                    _ => {
                        return Err(ScimError::invalid_value(format!(
                            "'{urn}' must be an object"
                        )));
                    }
                }
                continue;
            }
            let attr = match split_urn(key) {
                Some((urn, name)) => Attr::resolve_in(schema, Some(urn), name),
                None => Attr::resolve_in(schema, None, key),
            };
            match attr {
                Some(Attr::Id | Attr::Meta | Attr::Schemas | Attr::Groups) => {}
                Some(attr) => {
                    has_user_name |= attr == Attr::UserName;
                    attrs.set(attr, value)?;
                }
                None => unknown_attribute(unknown, key)?,
            }
        }
        if !has_user_name || attrs.user_name.trim().is_empty() {
            return Err(ScimError::invalid_value(
                "Attribute 'userName' is required and must not be empty",
            ));
        }
        attrs.normalize();
        Ok(attrs)
    }

    /// Sets one top-level attribute from its JSON value.
    fn set(&mut self, attr: Attr, value: &Value) -> Result<(), ScimError> {
        match attr {
            Attr::Active => self.active = boolean(attr.name(), value)?,
            Attr::Name => {
                self.name = match value {
                    Value::Null => None,
                    Value::Object(obj) => {
                        let mut name = Name::default();
                        for (k, v) in obj {
                            let Some(def) = attr.def().sub(k) else {
                                continue;
                            };
                            if let Some(slot) = name.slot_mut(def.name) {
                                *slot = string(&format!("name.{}", def.name), v)?;
                            }
                        }
                        Some(Box::new(name))
                    }
                    _ => {
                        return Err(ScimError::invalid_value(
                            "Attribute 'name' must be an object",
                        ));
                    }
                }
            }
            Attr::Emails => self.emails = multi_values(attr, value)?,
            Attr::PhoneNumbers => self.phone_numbers = multi_values(attr, value)?,
            Attr::Manager => self.set_text(attr, manager_value(value)?),
            Attr::Id | Attr::Meta | Attr::Schemas | Attr::Groups => {}
            a if a.def().is_complex() => self.set_extra(a, records(a, value)?),
            _ => self.set_text(attr, string(attr.name(), value)?),
        }
        Ok(())
    }
}

fn unknown_attribute(policy: UnknownAttributes, name: &str) -> Result<(), ScimError> {
    match policy {
        UnknownAttributes::Ignore | UnknownAttributes::RejectPaths => Ok(()),
        UnknownAttributes::Reject => Err(ScimError::invalid_value(format!(
            "Attribute '{name}' is not defined in the Blink User schema"
        ))),
    }
}

/// `schemas` must be an array of strings; unknown URNs are tolerated because Microsoft's
/// own sample sends a misspelt one (`enterprise:2.0User`, aad-provisioning-service.md B.4).
fn check_schemas(value: &Value) -> Result<(), ScimError> {
    match value {
        Value::Null => Ok(()),
        Value::Array(items) if items.iter().all(Value::is_string) => Ok(()),
        _ => Err(ScimError::invalid_value(
            "'schemas' must be an array of URN strings",
        )),
    }
}

mod parse;
pub(crate) use parse::{boolean, lookup, manager_value, string};
use parse::{multi_values, records};

mod render;
mod write;

#[cfg(test)]
mod tests;
