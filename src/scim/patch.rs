//! PATCH (RFC 7644 §3.5.2): parse a PatchOp request (`request`) and apply it.
//!
//! The common operations go straight to the typed attributes (`typed`); anything else, and
//! every error, takes the JSON route: render the user, apply each operation to that working
//! copy, read it back with [`UserAttrs::from_json`](super::user::UserAttrs::from_json). Either
//! way the stored user is untouched until the result is stored, so a request is atomic. Every
//! Azure AD dialect in the reference is accepted (blink-scim-api.md §3.4, Part 4 items 12-17).

use super::error::ScimError;
use super::filter::{Filter, PatchPath, RecordFilter, compile_record_filter, parse_path};
use super::schema::{Attr, AttrType, AttributeDef, Mutability, UserSchema, extension_urn};
use super::user::{ReadPolicy, RenderContext, UnknownAttributes, User, UserAttrs};
use serde_json::{Map, Value};

/// A PATCH operation kind; matched case-insensitively because Azure AD sends `Add`,
/// `Replace`, `Remove` (blink-scim-api.md §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// `add`
    Add,
    /// `remove`
    Remove,
    /// `replace`
    Replace,
}

impl OpKind {
    /// The lower-case keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Add => "add",
            OpKind::Remove => "remove",
            OpKind::Replace => "replace",
        }
    }
}

/// One operation of a PatchOp request.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchOperation {
    /// The kind.
    pub op: OpKind,
    /// The parsed path, absent for path-less add/replace.
    pub path: Option<PatchPath>,
    /// The path as sent, for error messages.
    pub path_text: Option<String>,
    /// Set when the path names a whole extension schema (`urn:...:enterprise:2.0:User`),
    /// which RFC 7644 treats as a complex attribute of the resource.
    pub extension: Option<&'static str>,
    /// The value, when sent.
    pub value: Option<Value>,
}

/// A parsed PatchOp request.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchRequest {
    /// Operations in order.
    pub operations: Vec<PatchOperation>,
}

/// What to do when a value filter in an add/replace path matches no record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterNoMatch {
    /// Create the record from the filter's `eq` clauses, as Azure AD expects for
    /// `emails[type eq "work"].value` (blink-scim-api.md §2.7, §3.4.9 iv).
    #[default]
    Create,
    /// Answer 400 `noTarget`, as RFC 7644 §3.5.2.3 reads.
    NoTarget,
}

/// Operations one PATCH may carry by default.
pub(crate) const MAX_OPERATIONS: usize = 1_000;
/// Values a multi-valued attribute may hold after a PATCH, and values one operation may
/// list, by default.
pub(crate) const MAX_VALUES: usize = 100;

/// Options of the PATCH applier.
#[derive(Clone, Copy, Debug)]
pub struct PatchOptions {
    /// Policy for attributes outside the schema.
    pub unknown: UnknownAttributes,
    /// Policy for filters that match nothing.
    pub filter_no_match: FilterNoMatch,
    /// Most operations in one request (400 `tooMany` beyond, naming `max_operations`).
    pub max_operations: usize,
    /// Most values of one multi-valued attribute (400 `tooMany` beyond, naming `max_values`).
    pub max_values: usize,
    /// The User attributes known (others are unknown attributes).
    pub schema: UserSchema,
}

impl Default for PatchOptions {
    fn default() -> Self {
        PatchOptions {
            unknown: UnknownAttributes::default(),
            filter_no_match: FilterNoMatch::default(),
            max_operations: MAX_OPERATIONS,
            max_values: MAX_VALUES,
            schema: UserSchema::Blink,
        }
    }
}

impl PatchRequest {
    /// Applies every operation, in order, to `doc` (a user rendered as JSON).
    pub fn apply(
        &self,
        doc: &mut Map<String, Value>,
        options: PatchOptions,
    ) -> Result<(), ScimError> {
        let n = self.operations.len();
        if n > options.max_operations {
            let what = "The number of operations,";
            return Err(multi::too_many(
                what,
                n,
                options.max_operations,
                "max_operations",
            ));
        }
        for op in &self.operations {
            apply_operation(doc, op, options)?;
        }
        Ok(())
    }
}

/// Applies `request` to `user` and returns the new attributes, leaving `user` untouched.
///
/// The common operations are applied to the typed attributes; anything else (and every
/// error) goes through a JSON working copy, which is what the typed path must agree with.
pub fn patch_user(
    user: &User,
    request: &PatchRequest,
    ctx: &RenderContext<'_>,
    options: PatchOptions,
) -> Result<UserAttrs, ScimError> {
    match typed::apply(&user.attrs, request, options) {
        Some(attrs) => Ok(attrs),
        None => patch_user_json(user, request, ctx, options),
    }
}

/// The JSON route: render the user, apply every operation to the JSON, parse it back.
fn patch_user_json(
    user: &User,
    request: &PatchRequest,
    ctx: &RenderContext<'_>,
    options: PatchOptions,
) -> Result<UserAttrs, ScimError> {
    let Value::Object(mut doc) = user.to_json(ctx) else {
        return Err(ScimError::new(500, "Could not render the user"));
    };
    request.apply(&mut doc, options)?;
    let policy = ReadPolicy {
        unknown: options.unknown,
        schema: options.schema,
    };
    UserAttrs::from_json(&Value::Object(doc), policy)
}

/// A path resolved against the schema.
struct Target {
    attr: Attr,
    sub: Option<&'static AttributeDef>,
    filter: Option<(RecordFilter, Filter)>,
}

fn apply_operation(
    doc: &mut Map<String, Value>,
    op: &PatchOperation,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let value = op.value.as_ref();
    if let Some(urn) = op.extension {
        return match (op.op, value) {
            (OpKind::Remove, _) | (_, None | Some(Value::Null)) => {
                doc.shift_remove(urn);
                Ok(())
            }
            (_, Some(v @ Value::Object(_))) => {
                let mut members = Map::new();
                members.insert(urn.to_string(), v.clone());
                apply_pathless(doc, op.op, &members, opts)
            }
            (_, Some(_)) => Err(ScimError::invalid_value(format!(
                "'{urn}' needs an object value"
            ))),
        };
    }
    match (&op.path, value) {
        (Some(path), _) => match resolve(path, opts)? {
            Some(target) => apply_at(doc, op.op, &target, value, opts),
            None => Ok(()),
        },
        (None, Some(Value::Object(members))) => apply_pathless(doc, op.op, members, opts),
        (None, Some(_)) => Err(ScimError::invalid_value(format!(
            "A {} without 'path' needs an object 'value'",
            op.op.as_str()
        ))),
        (None, None) => Ok(()),
    }
}

/// Path-less add/replace: each member is an attribute, a dotted or URN-qualified path
/// (`name.givenName`, `urn:...:User:employeeNumber`; aad-provisioning-service.md A.3.3),
/// or an extension object keyed by its URN.
fn apply_pathless(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    members: &Map<String, Value>,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let representation = representation_options(opts);
    for (key, value) in members {
        if is_envelope_key(key) {
            continue;
        }
        if let Some(urn) = extension_urn(key) {
            match value {
                Value::Object(ext) => {
                    for (sub_key, sub_value) in ext {
                        apply_member(
                            doc,
                            kind,
                            &format!("{urn}:{sub_key}"),
                            sub_value,
                            representation,
                        )?;
                    }
                }
                Value::Null => {
                    for attr in Attr::ALL.iter().filter(|a| a.extension() == Some(urn)) {
                        doc.get_mut(urn)
                            .and_then(Value::as_object_mut)
                            .map(|o| o.shift_remove(attr.name()));
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
        apply_member(doc, kind, key, value, representation)?;
    }
    Ok(())
}

/// Options for a path-less value's members: unknown ones are ignored, as in a POSTed
/// representation, unless the policy rejects them everywhere.
fn representation_options(opts: PatchOptions) -> PatchOptions {
    PatchOptions {
        unknown: match opts.unknown {
            UnknownAttributes::Reject => UnknownAttributes::Reject,
            _ => UnknownAttributes::Ignore,
        },
        ..opts
    }
}

/// Members of a path-less value that are not attributes to write.
fn is_envelope_key(key: &str) -> bool {
    ["schemas", "id", "meta"]
        .iter()
        .any(|k| key.eq_ignore_ascii_case(k))
}

fn apply_member(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    key: &str,
    value: &Value,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let path = parse_path(key).map_err(|e| e.into_path_error(key))?;
    let Some(target) = resolve(&path, opts)? else {
        return Ok(());
    };
    if is_read_only(&target) {
        return Ok(());
    }
    apply_at(doc, kind, &target, Some(value), opts)
}

fn is_read_only(t: &Target) -> bool {
    t.attr.def().mutability == Mutability::ReadOnly
        || t.sub.is_some_and(|s| s.mutability == Mutability::ReadOnly)
}

fn resolve(path: &PatchPath, opts: PatchOptions) -> Result<Option<Target>, ScimError> {
    let Some(attr) = Attr::resolve_in(opts.schema, path.path.uri.as_deref(), &path.path.name)
    else {
        return match opts.unknown {
            UnknownAttributes::Ignore => Ok(None),
            _ => Err(ScimError::invalid_path(format!(
                "Attribute '{}' is not defined in the Blink User schema",
                path.path
            ))),
        };
    };
    let def = attr.def();
    let sub = match &path.path.sub {
        Some(name) if def.is_complex() => Some(def.sub(name).ok_or_else(|| {
            ScimError::invalid_path(format!(
                "Attribute '{}' has no sub-attribute '{name}'",
                def.name
            ))
        })?),
        Some(name) => {
            return Err(ScimError::invalid_path(format!(
                "Attribute '{}' has no sub-attribute '{name}'",
                def.name
            )));
        }
        None => None,
    };
    let filter = match &path.filter {
        Some(f) if def.is_complex() => Some((compile_record_filter(def, f)?, f.clone())),
        Some(_) => {
            return Err(ScimError::invalid_path(format!(
                "Attribute '{}' cannot take a value filter",
                def.name
            )));
        }
        None => None,
    };
    Ok(Some(Target { attr, sub, filter }))
}

fn apply_at(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    target: &Target,
    value: Option<&Value>,
    opts: PatchOptions,
) -> Result<(), ScimError> {
    let attr = target.attr;
    let def = attr.def();
    if is_read_only(target) {
        let name = match target.sub {
            Some(sub) => format!("{}.{}", def.name, sub.name),
            None => def.name.to_string(),
        };
        return Err(ScimError::mutability(format!(
            "Attribute '{name}' is readOnly"
        )));
    }
    let (kind, value) = unassigning_null(kind, value);
    if removes_required(kind, target) {
        return Err(ScimError::mutability(format!(
            "Attribute '{}' is required and cannot be removed",
            def.name
        )));
    }
    if attr == Attr::Manager {
        return single::apply_manager(doc, kind, target, value);
    }
    match (def.is_complex(), def.multi_valued) {
        (false, _) => {
            match (kind, value) {
                (OpKind::Remove, _) => {
                    remove_slot(doc, attr);
                }
                (_, Some(v)) => {
                    *slot(doc, attr) = v.clone();
                }
                _ => {}
            }
            Ok(())
        }
        (true, false) => single::apply_single_complex(doc, kind, target, value, opts),
        (true, true) => multi::apply_multi(doc, kind, target, value, opts),
    }
}

/// The kind and value once a null value is read as unassigning (RFC 7643 §2.5).
fn unassigning_null(kind: OpKind, value: Option<&Value>) -> (OpKind, Option<&Value>) {
    let value = value.filter(|v| !v.is_null());
    let kind = if value.is_none() {
        OpKind::Remove
    } else {
        kind
    };
    (kind, value)
}

/// Whether `kind` removes a required attribute whole.
fn removes_required(kind: OpKind, target: &Target) -> bool {
    kind == OpKind::Remove
        && target.sub.is_none()
        && target.filter.is_none()
        && target.attr.def().required
}

fn no_target(target: &Target) -> ScimError {
    ScimError::no_target(format!(
        "No value of '{}' matches the path filter",
        target.attr.name()
    ))
}

/// Canonical sub-attribute names and coerced booleans; unknown members follow the policy.
fn canonical_record(
    def: &'static AttributeDef,
    members: &Map<String, Value>,
    unknown: UnknownAttributes,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (k, v) in members {
        match def.sub(k) {
            Some(sub) if sub.mutability == Mutability::ReadOnly => {}
            Some(sub) if v.is_null() => {
                out.shift_remove(sub.name);
            }
            Some(sub) => {
                out.insert(sub.name.to_string(), coerce(sub, v));
            }
            None if unknown == UnknownAttributes::Reject => {
                return Err(ScimError::invalid_value(format!(
                    "'{}' has no sub-attribute '{k}'",
                    def.name
                )));
            }
            None => {}
        }
    }
    Ok(out)
}

/// Booleans sent as "True"/"False" become JSON booleans (aad-provisioning-service.md A.3.1).
fn coerce(def: &AttributeDef, v: &Value) -> Value {
    match (def.ty, v) {
        (AttrType::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("true") => {
            Value::Bool(true)
        }
        (AttrType::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("false") => {
            Value::Bool(false)
        }
        _ => v.clone(),
    }
}

fn take_records(
    doc: &mut Map<String, Value>,
    attr: Attr,
) -> Result<Vec<Map<String, Value>>, ScimError> {
    let Some(current) = remove_slot(doc, attr) else {
        return Ok(Vec::new());
    };
    match current {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Object(o) => Ok(o),
                _ => Err(ScimError::invalid_value(format!(
                    "Values of '{}' must be objects",
                    attr.name()
                ))),
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(ScimError::invalid_value(format!(
            "Attribute '{}' must be an array",
            attr.name()
        ))),
    }
}

fn container(doc: &mut Map<String, Value>, attr: Attr) -> &mut Map<String, Value> {
    match attr.extension() {
        None => doc,
        Some(urn) => ensure_object(doc.entry(urn.to_string()).or_insert(Value::Null)),
    }
}

/// Makes `v` an object if it is not one, and returns it.
fn ensure_object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    match v {
        Value::Object(obj) => obj,
        // Invariant, not input: `v` was made an object just above.
        _ => unreachable!("ensure_object made an object"),
    }
}

fn slot(doc: &mut Map<String, Value>, attr: Attr) -> &mut Value {
    container(doc, attr)
        .entry(attr.name().to_string())
        .or_insert(Value::Null)
}

fn object_slot(doc: &mut Map<String, Value>, attr: Attr) -> &mut Map<String, Value> {
    ensure_object(slot(doc, attr))
}

fn doc_object_mut(doc: &mut Map<String, Value>, attr: Attr) -> Option<&mut Map<String, Value>> {
    container(doc, attr)
        .get_mut(attr.name())
        .and_then(Value::as_object_mut)
}

fn get(doc: &Map<String, Value>, attr: Attr) -> Option<&Value> {
    match attr.extension() {
        None => doc.get(attr.name()),
        Some(urn) => doc.get(urn)?.as_object()?.get(attr.name()),
    }
}

fn remove_slot(doc: &mut Map<String, Value>, attr: Attr) -> Option<Value> {
    match attr.extension() {
        None => doc.shift_remove(attr.name()),
        Some(urn) => doc.get_mut(urn)?.as_object_mut()?.shift_remove(attr.name()),
    }
}

mod multi;
pub(crate) use multi::check_value_counts;
mod request;
mod single;
#[cfg(test)]
mod tests;
mod typed;
