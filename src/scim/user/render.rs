//! Rendering a user as Blink returns it: canonical attribute order, `meta`, the extensions.

use super::*;
use crate::scim::datetime::Millis;

impl User {
    /// The user's location URL under `base_url`.
    pub fn location(&self, base_url: &str) -> String {
        let mut buf = Uuid::encode_buffer();
        let id = self.id.hyphenated().encode_lower(&mut buf);
        let mut out = String::with_capacity(base_url.len() + "/Users/".len() + id.len());
        out.push_str(base_url);
        out.push_str("/Users/");
        out.push_str(id);
        out
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
        extras(&mut map, u, &[Attr::NickName, Attr::ProfileUrl])?;
        entry(&mut map, "title", &u.title)?;
        extras(&mut map, u, &[Attr::UserType, Attr::PreferredLanguage])?;
        entry(&mut map, "locale", &u.locale)?;
        extras(&mut map, u, &[Attr::Timezone])?;
        if let Some(active) = u.active {
            map.serialize_entry("active", &active)?;
        }
        if !u.emails.is_empty() {
            map.serialize_entry("emails", &MultiView(&u.emails))?;
        }
        if !u.phone_numbers.is_empty() {
            map.serialize_entry("phoneNumbers", &MultiView(&u.phone_numbers))?;
        }
        extras(&mut map, u, &[Attr::Ims, Attr::Photos, Attr::Addresses])?;
        let groups = self.ctx.names.groups_of(&self.user.id);
        if !groups.is_empty() {
            map.serialize_entry("groups", &GroupsView(&groups, self.ctx.base_url))?;
        }
        extras(
            &mut map,
            u,
            &[Attr::Entitlements, Attr::Roles, Attr::X509Certificates],
        )?;
        if u.enterprise.is_some() || u.has_extra_in(ENTERPRISE_SCHEMA) {
            let ent = u.enterprise.as_deref().unwrap_or(&NO_ENTERPRISE);
            let view = EnterpriseView {
                ent,
                user: u,
                ctx: self.ctx,
            };
            map.serialize_entry(ENTERPRISE_SCHEMA, &view)?;
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

static NO_ENTERPRISE: Enterprise = Enterprise {
    employee_number: None,
    department: None,
    manager: None,
};

/// The full-schema attributes among `attrs` that have a value, in that order.
fn extras<M: SerializeMap>(map: &mut M, u: &UserAttrs, attrs: &[Attr]) -> Result<(), M::Error> {
    for attr in attrs {
        if let Some(v) = u.extra(*attr) {
            map.serialize_entry(attr.name(), v)?;
        }
    }
    Ok(())
}

/// The readOnly `groups` (RFC 7643 §4.1.2): the groups the user is a direct member of.
struct GroupsView<'a>(&'a [(Uuid, Text)], &'a str);

impl Serialize for GroupsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (id, name) in self.0 {
            seq.serialize_element(&serde_json::json!({
                "value": id,
                "$ref": format!("{}/Groups/{id}", self.1),
                "display": name.as_str(),
                "type": "direct",
            }))?;
        }
        seq.end()
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
    user: &'a UserAttrs,
    ctx: &'a RenderContext<'a>,
}

impl Serialize for EnterpriseView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        entry(&mut map, "employeeNumber", &self.ent.employee_number)?;
        // RFC 7643 §4.3 order; the three are the full schema's.
        extras(
            &mut map,
            self.user,
            &[Attr::CostCenter, Attr::Organization, Attr::Division],
        )?;
        entry(&mut map, "department", &self.ent.department)?;
        if let Some(manager) = &self.ent.manager {
            let id = &manager.to_string();
            // Always an object on the way out, even when written as a bare string: Azure AD
            // fails to deserialize anything else (blink-scim-api.md §3.4.3, Budibase#15369).
            map.serialize_entry(
                "manager",
                &ManagerView {
                    id,
                    reference: [self.ctx.base_url, "/Users/", id].concat(),
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
        map.serialize_entry("created", Millis::new(meta.created).as_str())?;
        map.serialize_entry("lastModified", Millis::new(meta.last_modified).as_str())?;
        map.serialize_entry("location", &self.user.location(self.base_url))?;
        map.serialize_entry("version", &meta.etag())?;
        map.end()
    }
}
