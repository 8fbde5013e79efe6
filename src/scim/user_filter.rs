//! Filter evaluation directly on typed users, so list queries never build JSON.

use super::filter::{FilterTarget, Record, Scalar};
use super::schema::{Attr, AttributeDef};
use super::user::{ManagerRef, MultiValue, Name, User};
use std::borrow::Cow;

fn text(value: &Option<super::user::Text>, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
    value
        .as_deref()
        .is_some_and(|s| f(Scalar::Str(Cow::Borrowed(s))))
}

impl Record for MultiValue {
    fn any_sub(&self, sub: &'static AttributeDef, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        match sub.name {
            "value" => text(&self.value, f),
            "display" => text(&self.display, f),
            "type" => text(&self.kind, f),
            "primary" => self.primary.is_some_and(|p| f(Scalar::Bool(p))),
            _ => false,
        }
    }
}

impl Record for Name {
    fn any_sub(&self, sub: &'static AttributeDef, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        self.slot(sub.name).is_some_and(|slot| text(slot, f))
    }
}

/// The manager reference as a record: only `value` is stored (`$ref` and `displayName`
/// are derived when rendering and are not filterable here).
struct ManagerRecord<'a>(&'a ManagerRef);

impl Record for ManagerRecord<'_> {
    fn any_sub(&self, sub: &'static AttributeDef, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        sub.name == "value" && self.0.with_str(|s| f(Scalar::Str(Cow::Borrowed(s))))
    }
}

struct MetaRecord<'a>(&'a User);

impl Record for MetaRecord<'_> {
    fn any_sub(&self, sub: &'static AttributeDef, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        let meta = &self.0.meta;
        match sub.name {
            "resourceType" => f(Scalar::Str(Cow::Borrowed("User"))),
            "created" => f(Scalar::DateTime(meta.created)),
            "lastModified" => f(Scalar::DateTime(meta.last_modified)),
            "version" => f(Scalar::Str(Cow::Owned(meta.etag()))),
            _ => false,
        }
    }
}

impl FilterTarget for User {
    fn any_value(&self, attr: Attr, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        match attr {
            Attr::Id => {
                let mut buf = uuid::Uuid::encode_buffer();
                let id = self.id.hyphenated().encode_lower(&mut buf);
                f(Scalar::Str(Cow::Borrowed(id)))
            }
            Attr::Active => self.attrs.active.is_some_and(|a| f(Scalar::Bool(a))),
            Attr::Schemas => self
                .attrs
                .schemas()
                .into_iter()
                .any(|s| f(Scalar::Str(Cow::Borrowed(s)))),
            other => self
                .attrs
                .text(other)
                .is_some_and(|s| f(Scalar::Str(Cow::Borrowed(s)))),
        }
    }

    fn any_record(&self, attr: Attr, f: &mut dyn FnMut(&dyn Record) -> bool) -> bool {
        match attr {
            Attr::Name => self.attrs.name.as_deref().is_some_and(|n| f(n)),
            Attr::Emails => self.attrs.emails.iter().any(|v| f(v)),
            Attr::PhoneNumbers => self.attrs.phone_numbers.iter().any(|v| f(v)),
            Attr::Manager => self.attrs.manager().is_some_and(|m| f(&ManagerRecord(m))),
            Attr::Meta => f(&MetaRecord(self)),
            // The full schema's multi-valued attributes are kept as JSON records.
            a if a.is_full_only() => self
                .attrs
                .extra(a)
                .and_then(serde_json::Value::as_array)
                .is_some_and(|items| {
                    items
                        .iter()
                        .filter_map(serde_json::Value::as_object)
                        .any(|r| f(r))
                }),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::filter::{compile, matches_json_compiled, parse};
    use super::super::user::{Meta, RenderContext, UnknownAttributes, UserAttrs};
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn user_from(doc: serde_json::Value) -> User {
        let attrs = UserAttrs::from_json(&doc, UnknownAttributes::Reject).unwrap();
        User {
            id: uuid::Uuid::from_u128(0x2819c2237f76453a919d413861904646),
            meta: Meta {
                created: 1_305_261_754_000,
                last_modified: 1_305_261_754_000,
                version: 2,
            },
            attrs,
        }
    }

    const FILTERS: &[&str] = &[
        r#"userName eq "ada@example.com""#,
        r#"id eq "2819c223-7f76-453a-919d-413861904646""#,
        r#"id sw "2819""#,
        r#"externalId eq "E1""#,
        r#"emails[type eq "work"].value co "@example""#,
        r#"emails[type eq "work" and primary eq true]"#,
        r#"phoneNumbers[type eq "mobile"]"#,
        r#"name.givenName sw "a" or name.familyName pr"#,
        r#"manager eq "m-1""#,
        r#"department ne "Sales""#,
        r#"urn:ietf:params:scim:schemas:extension:blink:2.0:User:company co "lab""#,
        r#"meta.created lt "2020-01-01T00:00:00Z""#,
        r#"meta.version eq "W/\"2\"""#,
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:blink:2.0:User""#,
        "active eq true and not (title pr)",
        "name pr",
        "emails pr",
        "locale eq null",
    ];

    fn arb_text() -> impl Strategy<Value = Option<String>> {
        prop::option::of(
            prop::sample::select(vec![
                "ada@example.com",
                "Ada",
                "",
                "E1",
                "m-1",
                "Sales",
                "Lab",
                "É",
                "work",
                "x@example.org",
            ])
            .prop_map(str::to_string),
        )
    }

    proptest! {
        /// The typed fast path and the generic JSON path agree on every filter.
        #[test]
        fn typed_and_json_evaluation_agree(
            user_name in prop::sample::select(vec!["ada@example.com", "ADA@EXAMPLE.COM", "bob"]),
            external_id in arb_text(), given in arb_text(), family in arb_text(), title in arb_text(),
            work in arb_text(), mobile in arb_text(), department in arb_text(), manager in arb_text(),
            company in arb_text(), active in any::<bool>(), primary in prop::option::of(any::<bool>()),
        ) {
            let mut doc = json!({"userName": user_name, "active": active,
                "externalId": external_id, "title": title,
                "name": {"givenName": given, "familyName": family},
                "emails": [{"type": "work", "value": work, "primary": primary}],
                "phoneNumbers": [{"type": "mobile", "value": mobile}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": department, "manager": manager},
                "urn:ietf:params:scim:schemas:extension:blink:2.0:User": {"company": company}});
            if doc["emails"][0]["value"].is_null() { doc["emails"] = json!([]); }
            let user = user_from(doc);
            let ctx = RenderContext { base_url: "http://h/scim", names: &crate::scim::user::NoNames };
            let rendered = user.to_json(&ctx);
            for f in FILTERS {
                let compiled = compile(&parse(f).unwrap()).unwrap();
                prop_assert_eq!(compiled.matches(&user), matches_json_compiled(&compiled, &rendered), "{}", f);
            }
        }
    }
}
