//! Protocol-level throughput: filter parse/compile/evaluate and PATCH apply.

use blinksim::scim::{Meta, NoNames, RenderContext, UnknownAttributes, User, UserAttrs};
use blinksim::scim::{PatchOptions, PatchRequest, patch_user};
use blinksim::scim::{compile, parse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;

const FILTERS: &[&str] = &[
    r#"userName eq "ada.lovelace@contoso.example""#,
    r#"emails[type eq "work" and value co "@contoso"] and active eq true"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Engineering" or (title sw "Senior" and not (locale eq "en-US"))"#,
];

fn user() -> User {
    let doc = json!({
        "userName": "ada.lovelace@contoso.example", "externalId": "ada.lovelace", "active": true,
        "name": {"givenName": "Ada", "familyName": "Lovelace"}, "displayName": "Ada Lovelace",
        "title": "Senior Engineer", "locale": "en-GB",
        "emails": [{"value": "ada.lovelace@contoso.example", "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "+1 425 555 0100", "type": "work"}, {"value": "+1 206 555 0199", "type": "mobile"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Engineering", "employeeNumber": "100042"},
        "urn:ietf:params:scim:schemas:extension:blink:2.0:User": {"company": "Contoso", "location": "London"}
    });
    let attrs = UserAttrs::from_json(&doc, UnknownAttributes::Reject).expect("valid user");
    User {
        id: uuid::Uuid::from_u128(7),
        meta: Meta {
            created: 0,
            last_modified: 0,
            version: 1,
        },
        attrs,
    }
}

fn filters(c: &mut Criterion) {
    let mut g = c.benchmark_group("filter");
    g.throughput(Throughput::Elements(FILTERS.len() as u64));
    g.bench_function("parse+compile", |b| {
        b.iter(|| {
            for f in FILTERS {
                black_box(compile(&parse(black_box(f)).expect("parses")).expect("compiles"));
            }
        })
    });
    let compiled: Vec<_> = FILTERS
        .iter()
        .map(|f| compile(&parse(f).expect("parses")).expect("compiles"))
        .collect();
    let u = user();
    g.bench_function("evaluate", |b| {
        b.iter(|| {
            for f in &compiled {
                black_box(f.matches(black_box(&u)));
            }
        })
    });
    g.finish();
}

fn patches(c: &mut Criterion) {
    let mut g = c.benchmark_group("patch");
    g.throughput(Throughput::Elements(1));
    let u = user();
    let ctx = RenderContext {
        base_url: "https://api.joinblink.com/scim",
        names: &NoNames,
    };
    let request = PatchRequest::from_json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada@contoso.example"},
        {"op": "Replace", "path": "title", "value": "Principal Engineer"},
        {"op": "replace", "value": {"name.familyName": "Byron", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D"}},
        {"op": "Replace", "path": "active", "value": "False"}
    ]}))
    .expect("valid patch");
    g.bench_function("apply (4 operations)", |b| {
        b.iter(|| {
            black_box(
                patch_user(black_box(&u), &request, &ctx, PatchOptions::default())
                    .expect("applies"),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, filters, patches);
criterion_main!(benches);
