//! Rendering a user straight into bytes (issue 14): the same bytes serde gives for
//! [`User::rendered`], written without the serializer's per-entry calls, without
//! allocating for ids, `$ref`s, `meta.location` or the ETag, and without escaping
//! strings that need none. A test renders every kind of user both ways and compares.

use super::*;
use crate::scim::datetime::Millis;

/// Whether `s` has a byte serde_json escapes (a control character, `"` or `\\`), checked
/// eight bytes at a time: most values have none and are copied as they are.
fn needs_escape(s: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Any byte of `w` below 0x20, or any zero byte of `w ^ c` (a byte equal to c's).
    let has = |w: u64| {
        let below = w.wrapping_sub(ONES * 0x20) & !w;
        let quote = (w ^ (ONES * 0x22)).wrapping_sub(ONES) & !(w ^ (ONES * 0x22));
        let slash = (w ^ (ONES * 0x5c)).wrapping_sub(ONES) & !(w ^ (ONES * 0x5c));
        (below | quote | slash) & HIGH != 0
    };
    let mut chunks = s.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if has(u64::from_le_bytes(word)) {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it.
fn push_str(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s) {
        // Rare (quotes, backslashes, control characters): serde's own escaping.
        let _infallible = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Appends `parts` concatenated as one JSON string (a URL built from a base and an id).
fn push_joined(out: &mut Vec<u8>, parts: &[&str]) {
    if !parts.iter().any(|p| needs_escape(p)) {
        out.push(b'"');
        for p in parts {
            out.extend_from_slice(p.as_bytes());
        }
        out.push(b'"');
    } else {
        push_str(out, &parts.concat());
    }
}

/// A JSON object being written: keys are this module's literals, which need no escaping.
struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    fn open(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, first: true }
    }

    /// Starts the entry `key` and returns the buffer for its value.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    fn str(&mut self, key: &str, value: &str) {
        push_str(self.key(key), value);
    }

    fn text(&mut self, key: &str, value: &Option<Text>) {
        if let Some(v) = value {
            self.str(key, v);
        }
    }

    fn bool(&mut self, key: &str, value: bool) {
        let v: &[u8] = if value { b"true" } else { b"false" };
        self.key(key).extend_from_slice(v);
    }

    /// The full-schema attributes among `attrs` that have a value, in that order.
    fn extras(&mut self, u: &UserAttrs, attrs: &[Attr]) -> Result<(), serde_json::Error> {
        if u.extra.is_none() {
            return Ok(());
        }
        for attr in attrs {
            if let Some(v) = u.extra(*attr) {
                serde_json::to_writer(&mut *self.key(attr.name()), v)?;
            }
        }
        Ok(())
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

impl User {
    /// Appends the user as Blink returns it: byte for byte what serializing
    /// [`User::rendered`] gives, several times faster (the GET and list path).
    pub fn write_json(
        &self,
        out: &mut Vec<u8>,
        ctx: &RenderContext<'_>,
    ) -> Result<(), serde_json::Error> {
        let u = &self.attrs;
        // A prefilled user is about 1.2 KB: one allocation instead of growing as it goes.
        out.reserve(1536);
        let mut id_buf = Uuid::encode_buffer();
        let id: &str = self.id.hyphenated().encode_lower(&mut id_buf);
        let mut map = Obj::open(out);
        write_schemas(map.key("schemas"), u);
        map.str("id", id);
        map.text("externalId", &u.external_id);
        map.str("userName", &u.user_name);
        if let Some(name) = &u.name {
            write_name(map.key("name"), name);
        }
        map.text("displayName", &u.display_name);
        map.extras(u, &[Attr::NickName, Attr::ProfileUrl])?;
        map.text("title", &u.title);
        map.extras(u, &[Attr::UserType, Attr::PreferredLanguage])?;
        map.text("locale", &u.locale);
        map.extras(u, &[Attr::Timezone])?;
        if let Some(active) = u.active {
            map.bool("active", active);
        }
        if !u.emails.is_empty() {
            write_multi(map.key("emails"), &u.emails);
        }
        if !u.phone_numbers.is_empty() {
            write_multi(map.key("phoneNumbers"), &u.phone_numbers);
        }
        map.extras(u, &[Attr::Ims, Attr::Photos, Attr::Addresses])?;
        let groups = ctx.names.groups_of(&self.id);
        if !groups.is_empty() {
            write_groups(map.key("groups"), &groups, ctx.base_url);
        }
        map.extras(
            u,
            &[Attr::Entitlements, Attr::Roles, Attr::X509Certificates],
        )?;
        if u.enterprise.is_some() || u.has_extra_in(ENTERPRISE_SCHEMA) {
            let ent = u.enterprise.as_deref().unwrap_or(&NO_ENTERPRISE);
            write_enterprise(map.key(ENTERPRISE_SCHEMA), ent, u, ctx)?;
        }
        if let Some(blink) = &u.blink {
            let mut obj = Obj::open(map.key(BLINK_SCHEMA));
            obj.text("company", &blink.company);
            obj.text("description", &blink.description);
            obj.text("location", &blink.location);
            obj.close();
        }
        write_meta(map.key("meta"), &self.meta, id, ctx.base_url);
        map.close();
        Ok(())
    }
}

static NO_ENTERPRISE: Enterprise = Enterprise {
    employee_number: None,
    department: None,
    manager: None,
};

fn write_schemas(out: &mut Vec<u8>, u: &UserAttrs) {
    out.extend_from_slice(b"[\"");
    out.extend_from_slice(USER_SCHEMA.as_bytes());
    if u.enterprise.is_some() || u.has_extra_in(ENTERPRISE_SCHEMA) {
        out.extend_from_slice(b"\",\"");
        out.extend_from_slice(ENTERPRISE_SCHEMA.as_bytes());
    }
    if u.blink.is_some() {
        out.extend_from_slice(b"\",\"");
        out.extend_from_slice(BLINK_SCHEMA.as_bytes());
    }
    out.extend_from_slice(b"\"]");
}

fn write_name(out: &mut Vec<u8>, name: &Name) {
    let mut obj = Obj::open(out);
    for sub in crate::scim::schema::NAME_PARTS {
        if let Some(slot) = name.slot(sub) {
            obj.text(sub, slot);
        }
    }
    obj.close();
}

fn write_multi(out: &mut Vec<u8>, values: &[MultiValue]) {
    out.push(b'[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let mut obj = Obj::open(out);
        obj.text("value", &v.value);
        obj.text("display", &v.display);
        obj.text("type", &v.kind);
        if let Some(p) = v.primary {
            obj.bool("primary", p);
        }
        obj.close();
    }
    out.push(b']');
}

fn write_groups(out: &mut Vec<u8>, groups: &[(Uuid, Text)], base_url: &str) {
    out.push(b'[');
    for (i, (id, name)) in groups.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let mut buf = Uuid::encode_buffer();
        let id = id.hyphenated().encode_lower(&mut buf);
        let mut obj = Obj::open(out);
        obj.str("value", id);
        push_joined(obj.key("$ref"), &[base_url, "/Groups/", id]);
        obj.str("display", name);
        obj.str("type", "direct");
        obj.close();
    }
    out.push(b']');
}

fn write_enterprise(
    out: &mut Vec<u8>,
    ent: &Enterprise,
    u: &UserAttrs,
    ctx: &RenderContext<'_>,
) -> Result<(), serde_json::Error> {
    let mut obj = Obj::open(out);
    obj.text("employeeNumber", &ent.employee_number);
    // RFC 7643 §4.3 order; the three are the full schema's.
    obj.extras(u, &[Attr::CostCenter, Attr::Organization, Attr::Division])?;
    obj.text("department", &ent.department);
    if let Some(manager) = &ent.manager {
        // Always an object on the way out, even when written as a bare string: Azure AD
        // fails to deserialize anything else (blink-scim-api.md §3.4.3, Budibase#15369).
        manager.with_str(|id| {
            let display_name = match manager {
                ManagerRef::Id(uuid) => ctx.names.display_name_of_user(uuid),
                ManagerRef::Other(_) => ctx.names.display_name_of(id),
            };
            let mut m = Obj::open(obj.key("manager"));
            m.str("value", id);
            push_joined(m.key("$ref"), &[ctx.base_url, "/Users/", id]);
            m.text("displayName", &display_name);
            m.close();
        });
    }
    obj.close();
    Ok(())
}

fn write_meta(out: &mut Vec<u8>, meta: &Meta, id: &str, base_url: &str) {
    let mut obj = Obj::open(out);
    obj.str("resourceType", "User");
    obj.str("created", Millis::new(meta.created).as_str());
    obj.str("lastModified", Millis::new(meta.last_modified).as_str());
    push_joined(obj.key("location"), &[base_url, "/Users/", id]);
    let version = obj.key("version");
    version.extend_from_slice(b"\"W/\\\"");
    push_decimal(version, meta.version);
    version.extend_from_slice(b"\\\"\"");
    obj.close();
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::UserSchema;
    use serde_json::json;

    /// Resolves one manager and puts every user in two groups.
    struct Names;

    impl ManagerNames for Names {
        fn display_name_of(&self, id: &str) -> Option<Text> {
            (id.eq_ignore_ascii_case("00000000-0000-0000-0000-00000000000a"))
                .then(|| Text::from("Boss \"B\" Ω"))
        }

        fn groups_of(&self, _id: &Uuid) -> Vec<(Uuid, Text)> {
            vec![
                (Uuid::from_u128(7), Text::from("Sales")),
                (Uuid::from_u128(8), Text::from("R&D \\ \u{1}")),
            ]
        }
    }

    fn user(doc: Value, schema: UserSchema, version: u32) -> User {
        let policy = ReadPolicy {
            unknown: UnknownAttributes::Reject,
            schema,
        };
        User {
            id: Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
            meta: Meta {
                created: 1_700_000_000_123,
                last_modified: 1_800_000_000_456,
                version,
            },
            attrs: UserAttrs::from_json(&doc, policy).unwrap(),
        }
    }

    fn both_ways(user: &User, ctx: &RenderContext<'_>) -> (String, String) {
        let mut fast = Vec::new();
        user.write_json(&mut fast, ctx).unwrap();
        let serde = serde_json::to_vec(&user.rendered(ctx)).unwrap();
        (
            String::from_utf8(fast).unwrap(),
            String::from_utf8(serde).unwrap(),
        )
    }

    #[test]
    fn writes_what_serde_writes() {
        let blink = json!({
            "userName": "Ada\"Q\"@x.com", "externalId": "e\\1", "active": false,
            "name": {"givenName": "Ada", "familyName": "Lovelace", "formatted": "A\nL",
                     "middleName": "M", "honorificPrefix": "Dr", "honorificSuffix": "III"},
            "displayName": "Ada ✓ \u{7f}", "title": "Eng", "locale": "en-GB",
            "emails": [{"value": "a@x", "type": "work", "primary": true, "display": "A"},
                       {"value": "b@x", "primary": false}],
            "phoneNumbers": [{"value": "+1\t2"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                {"employeeNumber": "7", "department": "R&D",
                 "manager": {"value": "00000000-0000-0000-0000-00000000000a"}},
            "urn:ietf:params:scim:schemas:extension:blink:2.0:User":
                {"company": "C", "description": "D\u{1f}", "location": "L"},
        });
        let full = json!({
            "userName": "full", "nickName": "n", "profileUrl": "https://p/x", "userType": "t",
            "preferredLanguage": "fr", "timezone": "Europe/Paris",
            "ims": [{"value": "im", "type": "xmpp"}], "addresses": [{"locality": "Paris"}],
            "roles": [{"value": "r"}], "entitlements": [{"value": "e"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                {"costCenter": "cc", "organization": "o", "division": "d",
                 "manager": "00000000-0000-0000-0000-00000000000A"},
        });
        let cases = [
            user(blink, UserSchema::Blink, 1),
            user(full, UserSchema::Full, 4_294_967_295),
            user(json!({"userName": "bare"}), UserSchema::Blink, 10),
            user(
                json!({"userName": "m", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                    {"manager": "someone@x"}}),
                UserSchema::Blink,
                0,
            ),
            user(
                json!({"userName": "only-cost", "costCenter": "cc"}),
                UserSchema::Full,
                3,
            ),
        ];
        let names = [&NoNames as &dyn ManagerNames, &Names];
        for base_url in ["http://h/scim", "http://h/\"q\"", ""] {
            for names in names {
                let ctx = RenderContext { base_url, names };
                for user in &cases {
                    let (fast, serde) = both_ways(user, &ctx);
                    assert_eq!(fast, serde);
                }
            }
        }
    }

    #[test]
    fn escapes_like_serde() {
        for s in [
            "plain",
            "q\"",
            "b\\",
            "\u{0}\u{8}\u{c}\u{1b}",
            "é ✓ \u{7f}",
            "",
            "0123456789abcdef\"",
            "0123456789abcdef\u{1f}x",
            "é✓€ÿ\u{7f}\u{80}ab",
        ] {
            let mut out = Vec::new();
            push_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
            let mut joined = Vec::new();
            push_joined(&mut joined, &[s, "/", s]);
            assert_eq!(joined, serde_json::to_vec(&format!("{s}/{s}")).unwrap());
        }
        // Every ASCII byte at every place of a word and of the tail, against the plain rule.
        for at in 0..19 {
            for b in 0..0x80u8 {
                let mut bytes = vec![b'a'; 19];
                bytes[at] = b;
                let s = std::str::from_utf8(&bytes).unwrap();
                let plain = b < 0x20 || b == b'"' || b == b'\\';
                assert_eq!(needs_escape(s), plain, "{b:#x} at {at}");
            }
        }
        for n in [0, 9, 10, 12_345, u32::MAX] {
            let mut out = Vec::new();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
