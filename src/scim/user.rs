//! The Blink user resource: a compact typed model, its JSON rendering, and parsing of
//! client representations.
//!
//! Users are stored typed (not as JSON trees) so that a million of them fit in memory
//! (issue 2, acceptance 6); JSON is produced on the way out and read on the way in.

use super::datetime::format_millis;
use super::error::ScimError;
use super::schema::{Attr, BLINK_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA, extension_urn, split_urn};
use compact_str::CompactString;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
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

    fn slot_mut(&mut self, sub: &str) -> Option<&mut Option<Text>> {
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

    fn is_empty(&self) -> bool {
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
        if self.enterprise.is_some() {
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
            _ => None,
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
    }

    fn set_text(&mut self, attr: Attr, value: Option<Text>) {
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
            _ => {}
        }
    }

    /// Parses a client representation (POST, PUT, or a PATCH working copy).
    ///
    /// Attribute names match case-insensitively (RFC 7643 §2.1); extension attributes may
    /// come nested under their URN or flat as `urn:...:User:attr`; readOnly attributes
    /// (`id`, `meta`, `manager.displayName`) are ignored (RFC 7644 §3.3); `null` unassigns.
    pub fn from_json(doc: &Value, unknown: UnknownAttributes) -> Result<UserAttrs, ScimError> {
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
                            match Attr::resolve(Some(urn), sub_key) {
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
                Some((urn, name)) => Attr::resolve(Some(urn), name),
                None => Attr::resolve(None, key),
            };
            match attr {
                Some(Attr::Id | Attr::Meta | Attr::Schemas) => {}
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
            Attr::Id | Attr::Meta | Attr::Schemas => {}
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

/// A string attribute value; `null` unassigns. Microsoft's legacy library wrapped scalars
/// as `[{"value": x}]` (blink-scim-api.md §3.4.9 vi), so a one-element wrapper is unwrapped.
pub(crate) fn string(name: &str, value: &Value) -> Result<Option<Text>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(Text::from(s.as_str()))),
        Value::Array(items) if items.len() == 1 => match &items[0] {
            Value::Object(obj) if obj.len() <= 2 => match lookup(obj, "value") {
                Some(inner) if !inner.is_array() => string(name, inner),
                _ => Err(wrong_type(name, "a string")),
            },
            inner @ Value::String(_) => string(name, inner),
            _ => Err(wrong_type(name, "a string")),
        },
        _ => Err(wrong_type(name, "a string")),
    }
}

/// A boolean attribute value; Azure AD sends `"True"`/`"False"` strings without the
/// aadOptscim062020 flag (aad-provisioning-service.md Appendix A.3.1).
pub(crate) fn boolean(name: &str, value: &Value) -> Result<Option<bool>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        Value::Array(items) if items.len() == 1 => match &items[0] {
            Value::Object(obj) => lookup(obj, "value")
                .map_or(Err(wrong_type(name, "a boolean")), |v| boolean(name, v)),
            other => boolean(name, other),
        },
        _ => Err(wrong_type(name, "a boolean")),
    }
}

/// The manager reference: a bare id string, an object with `value`, or a one-element
/// array of such objects (blink-scim-api.md §3.4.3-3.4.4).
pub(crate) fn manager_value(value: &Value) -> Result<Option<Text>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(Text::from(s.as_str()))),
        Value::Object(obj) => match lookup(obj, "value") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(Text::from(s.as_str()))),
            Some(_) => Err(wrong_type("manager.value", "a string")),
        },
        Value::Array(items) if items.is_empty() => Ok(None),
        Value::Array(items) if items.len() == 1 => manager_value(&items[0]),
        _ => Err(ScimError::invalid_value(
            "Attribute 'manager' must be an id string, an object with 'value', or a one-element array",
        )),
    }
}

fn multi_values(attr: Attr, value: &Value) -> Result<Vec<MultiValue>, ScimError> {
    let items: &[Value] = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        // A single object is accepted as a one-element array.
        Value::Object(_) => std::slice::from_ref(value),
        _ => return Err(wrong_type(attr.name(), "an array")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(multi_value(attr, item)?);
    }
    out.retain(|v| !v.is_empty());
    if out.iter().filter(|v| v.primary == Some(true)).count() > 1 {
        return Err(ScimError::invalid_value(format!(
            "At most one value of '{}' may have primary set to true",
            attr.name()
        )));
    }
    Ok(out)
}

/// One record of a multi-valued attribute; a bare string is read as its `value`.
pub(crate) fn multi_value(attr: Attr, item: &Value) -> Result<MultiValue, ScimError> {
    let obj = match item {
        Value::String(s) => {
            return Ok(MultiValue {
                value: Some(Text::from(s.as_str())),
                ..Default::default()
            });
        }
        Value::Object(obj) => obj,
        _ => return Err(wrong_type(attr.name(), "an array of objects")),
    };
    let mut mv = MultiValue::default();
    for (k, v) in obj {
        let Some(def) = attr.def().sub(k) else {
            continue;
        };
        let label = format!("{}.{}", attr.name(), def.name);
        match def.name {
            "value" => mv.value = string(&label, v)?,
            "display" => mv.display = string(&label, v)?,
            "type" => mv.kind = string(&label, v)?,
            "primary" => mv.primary = boolean(&label, v)?,
            _ => {}
        }
    }
    Ok(mv)
}

fn wrong_type(name: &str, expected: &str) -> ScimError {
    ScimError::invalid_value(format!("Attribute '{name}' must be {expected}"))
}

/// Case-insensitive member lookup (RFC 7643 §2.1).
pub(crate) fn lookup<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

impl User {
    /// The user's location URL under `base_url`.
    pub fn location(&self, base_url: &str) -> String {
        format!("{base_url}/Users/{}", self.id)
    }

    /// A serializable view rendering the user as Blink returns it.
    pub fn rendered<'a>(&'a self, ctx: &'a RenderContext<'a>) -> Rendered<'a> {
        Rendered { user: self, ctx }
    }

    /// The user as a JSON value (for projection and PATCH working copies).
    pub fn to_json(&self, ctx: &RenderContext<'_>) -> Value {
        serde_json::to_value(self.rendered(ctx)).unwrap_or(Value::Null)
    }
}

/// A user rendered as JSON with canonical attribute order (see [`User::rendered`]).
pub struct Rendered<'a> {
    user: &'a User,
    ctx: &'a RenderContext<'a>,
}

impl Serialize for Rendered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = &self.user.attrs;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schemas", &u.schemas())?;
        map.serialize_entry("id", &self.user.id)?;
        entry(&mut map, "externalId", &u.external_id)?;
        map.serialize_entry("userName", &u.user_name)?;
        if let Some(name) = &u.name {
            map.serialize_entry("name", &NameView(name))?;
        }
        entry(&mut map, "displayName", &u.display_name)?;
        entry(&mut map, "title", &u.title)?;
        entry(&mut map, "locale", &u.locale)?;
        if let Some(active) = u.active {
            map.serialize_entry("active", &active)?;
        }
        if !u.emails.is_empty() {
            map.serialize_entry("emails", &MultiView(&u.emails))?;
        }
        if !u.phone_numbers.is_empty() {
            map.serialize_entry("phoneNumbers", &MultiView(&u.phone_numbers))?;
        }
        if let Some(ent) = &u.enterprise {
            map.serialize_entry(ENTERPRISE_SCHEMA, &EnterpriseView { ent, ctx: self.ctx })?;
        }
        if let Some(blink) = &u.blink {
            map.serialize_entry(BLINK_SCHEMA, &BlinkView(blink))?;
        }
        map.serialize_entry(
            "meta",
            &MetaView {
                user: self.user,
                base_url: self.ctx.base_url,
            },
        )?;
        map.end()
    }
}

fn entry<M: SerializeMap>(map: &mut M, key: &str, value: &Option<Text>) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v.as_str()),
        None => Ok(()),
    }
}

struct NameView<'a>(&'a Name);

impl Serialize for NameView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        let mut map = s.serialize_map(None)?;
        for sub in crate::scim::schema::NAME_PARTS {
            if let Some(slot) = n.slot(sub) {
                entry(&mut map, sub, slot)?;
            }
        }
        map.end()
    }
}

struct MultiView<'a>(&'a [MultiValue]);

impl Serialize for MultiView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for v in self.0 {
            seq.serialize_element(&OneValue(v))?;
        }
        seq.end()
    }
}

struct OneValue<'a>(&'a MultiValue);

impl Serialize for OneValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let mut map = s.serialize_map(None)?;
        entry(&mut map, "value", &v.value)?;
        entry(&mut map, "display", &v.display)?;
        entry(&mut map, "type", &v.kind)?;
        if let Some(p) = v.primary {
            map.serialize_entry("primary", &p)?;
        }
        map.end()
    }
}

struct EnterpriseView<'a> {
    ent: &'a Enterprise,
    ctx: &'a RenderContext<'a>,
}

impl Serialize for EnterpriseView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        entry(&mut map, "employeeNumber", &self.ent.employee_number)?;
        entry(&mut map, "department", &self.ent.department)?;
        if let Some(manager) = &self.ent.manager {
            let id = &manager.to_string();
            // Always an object on the way out, even when written as a bare string: Azure AD
            // fails to deserialize anything else (blink-scim-api.md §3.4.3, Budibase#15369).
            map.serialize_entry(
                "manager",
                &ManagerView {
                    id,
                    reference: format!("{}/Users/{id}", self.ctx.base_url),
                    display_name: self.ctx.names.display_name_of(id),
                },
            )?;
        }
        map.end()
    }
}

struct ManagerView<'a> {
    id: &'a str,
    reference: String,
    display_name: Option<Text>,
}

impl Serialize for ManagerView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("value", self.id)?;
        map.serialize_entry("$ref", &self.reference)?;
        entry(&mut map, "displayName", &self.display_name)?;
        map.end()
    }
}

struct BlinkView<'a>(&'a BlinkProfile);

impl Serialize for BlinkView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        entry(&mut map, "company", &self.0.company)?;
        entry(&mut map, "description", &self.0.description)?;
        entry(&mut map, "location", &self.0.location)?;
        map.end()
    }
}

struct MetaView<'a> {
    user: &'a User,
    base_url: &'a str,
}

impl Serialize for MetaView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let meta = &self.user.meta;
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("resourceType", "User")?;
        map.serialize_entry("created", &format_millis(meta.created))?;
        map.serialize_entry("lastModified", &format_millis(meta.last_modified))?;
        map.serialize_entry("location", &self.user.location(self.base_url))?;
        map.serialize_entry("version", &meta.etag())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn ctx() -> RenderContext<'static> {
        RenderContext {
            base_url: "http://h/scim",
            names: &crate::scim::user::NoNames,
        }
    }

    fn sample() -> Value {
        json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA, BLINK_SCHEMA],
            "externalId": "ext-1",
            "userName": "Ada@Example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada Lovelace"},
            "displayName": "Ada Lovelace",
            "title": "Engineer",
            "locale": "en-GB",
            "active": true,
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            "phoneNumbers": [{"value": "+44 1", "type": "work"}, {"value": "+44 2", "type": "mobile"}],
            ENTERPRISE_SCHEMA: {"employeeNumber": "42", "department": "R&D", "manager": {"value": "m-1"}},
            BLINK_SCHEMA: {"company": "Analytical", "description": "Hi", "location": "London"},
        })
    }

    #[test]
    fn round_trips_through_json() {
        let attrs = UserAttrs::from_json(&sample(), UnknownAttributes::Reject).unwrap();
        let user = User {
            id: Uuid::nil(),
            meta: Meta {
                created: 0,
                last_modified: 0,
                version: 1,
            },
            attrs,
        };
        let rendered = user.to_json(&ctx());
        assert_eq!(
            rendered["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["$ref"],
            "http://h/scim/Users/m-1"
        );
        assert_eq!(rendered["meta"]["version"], "W/\"1\"");
        let again = UserAttrs::from_json(&rendered, UnknownAttributes::Reject).unwrap();
        assert_eq!(again, user.attrs);
    }

    #[test]
    fn accepts_azure_ad_shapes() {
        // aad-provisioning-service.md B.4 Example 2: nulls, flat enterprise names, a typo'd URN.
        let doc = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
            "externalId": "jyoung", "userName": "jyoung@testuser.com", "active": "True",
            "addresses": null, "displayName": "Joy Young",
            "emails": [{"type": "work", "value": "jyoung@Contoso.com", "primary": true}],
            "meta": {"resourceType": "User"}, "name": {"familyName": "Young", "givenName": "Joy"},
            "phoneNumbers": null, "preferredLanguage": null, "title": null, "department": null, "manager": null,
            "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:EMPLOYEENUMBER": "7",
        });
        let attrs = UserAttrs::from_json(&doc, UnknownAttributes::Ignore).unwrap();
        assert_eq!(attrs.active, Some(true));
        assert_eq!(attrs.title, None);
        assert_eq!(
            attrs.enterprise.unwrap().employee_number.as_deref(),
            Some("7")
        );
        // Manager as a bare string (blink-scim-api.md §3.4.3).
        let doc = json!({"userName": "a", ENTERPRISE_SCHEMA: {"manager": "myuser"}});
        let attrs = UserAttrs::from_json(&doc, UnknownAttributes::Reject).unwrap();
        assert_eq!(attrs.manager(), Some(&ManagerRef::Other("myuser".into())));
        let id = "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2";
        assert!(matches!(ManagerRef::new(id), ManagerRef::Id(_)));
        assert_eq!(ManagerRef::new(id).to_string(), id);
        assert!(
            matches!(ManagerRef::new(&id.to_uppercase()), ManagerRef::Other(_)),
            "kept as sent"
        );
    }

    #[test]
    fn rejects_bad_input_with_scim_errors() {
        let cases = [
            json!([]),
            json!({"userName": 5}),
            json!({}),
            json!({"userName": "  "}),
            json!({"userName": "a", "active": "yes"}),
            json!({"userName": "a", "emails": "x@y"}),
            json!({"userName": "a", "emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
            json!({"userName": "a", "name": []}),
            json!({"userName": "a", "schemas": "urn"}),
            json!({"userName": "a", ENTERPRISE_SCHEMA: 3}),
        ];
        for doc in cases {
            let err = UserAttrs::from_json(&doc, UnknownAttributes::Ignore).unwrap_err();
            assert_eq!(err.status, 400, "{doc}");
        }
        let err = UserAttrs::from_json(
            &json!({"userName": "a", "nickName": "b"}),
            UnknownAttributes::Reject,
        )
        .unwrap_err();
        assert!(err.detail.contains("nickName"));
        assert!(
            UserAttrs::from_json(
                &json!({"userName": "a", "nickName": "b"}),
                UnknownAttributes::Ignore
            )
            .is_ok()
        );
    }
}
