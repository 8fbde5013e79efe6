//! Entry points of the cargo-fuzz targets in `fuzz/` (feature `fuzzing`, hidden from the docs).
//!
//! Each function takes the fuzzer's bytes, drives the internals by `crate::` paths (so the
//! targets keep working when those become `pub(crate)`) and panics when an invariant breaks:
//! a panic is what libFuzzer reports as a crash. Errors on malformed input are expected and
//! ignored; only wrong answers and panics are findings. "A bounded input runs in bounded time"
//! is enforced by libFuzzer's `-timeout` with `-max_len` (see `fuzz/run.sh`).

use crate::clock::VirtualClock;
use crate::scenario::load::{Scenario, check_limits, parse_json, parse_toml};
use crate::scenario::world::{Target, prepare};
use crate::scim::filter::{FilterTarget, compile, matches_json_compiled, parse};
use crate::scim::message::Request;
use crate::scim::patch::{PatchOptions, PatchRequest, patch_user};
use crate::scim::user::{Meta, NoNames, RenderContext, UnknownAttributes, User, UserAttrs};
use crate::tenant::faults::parse::{parse_json as faults_json, parse_toml as faults_toml};
use crate::tenant::faults::rule::validate_all;

use crate::tenant::store::{Rules, Store};
use crate::tenant::{DEFAULT_TOKEN, Tenant, TenantOptions};
use http::{HeaderName, HeaderValue, Method};
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

/// Where every fuzzed world starts, in Unix milliseconds.
const DEFAULT_START: i64 = crate::sim::unix_millis(crate::sim::DEFAULT_START);
const BASE_URL: &str = "http://fuzz.example/scim";
/// Largest generated directory or prefill a fuzzed scenario is built with (the validation
/// limit is far higher, and building that many users per input would only time out).
const FUZZ_MAX_GENERATED: usize = 200;

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

fn render(user: &User) -> Value {
    let ctx = RenderContext {
        base_url: BASE_URL,
        names: &NoNames,
    };
    user.to_json(&ctx)
}

fn stored(attrs: UserAttrs) -> User {
    User {
        id: Uuid::from_u128(0x5eed),
        meta: Meta {
            created: DEFAULT_START,
            last_modified: DEFAULT_START,
            version: 1,
        },
        attrs,
    }
}

/// A tenant on virtual time, with `users` created through the API's rules.
fn tenant_with(users: &[Value]) -> Tenant {
    let tenant = Tenant::with_clock(
        TenantOptions::default(),
        Arc::new(VirtualClock::new(DEFAULT_START)),
    );
    tenant.set_base_url(BASE_URL);
    for user in users {
        let _ = tenant.insert_user(user.clone());
    }
    tenant
}

/// A user with every kind of attribute, the subject of PATCH and requests.
fn rich_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ada@contoso.example",
        "externalId": "ada",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "title": "Analyst",
        "active": true,
        "emails": [
            {"value": "ada@contoso.example", "type": "work", "primary": true},
            {"value": "ada@home.example", "type": "home"}
        ],
        "phoneNumbers": [{"value": "+44 20 7946 0001", "type": "work"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Engineering", "employeeNumber": "1001"
        }
    })
}

/// Filter parser and evaluator. Input: a filter on the first line, then one userName per line
/// (each also the user's work email and externalId). Invariants: an indexed query answers as
/// a scan does, and the typed evaluation agrees with the JSON one.
pub fn filter(data: &[u8]) {
    let text = text(data);
    let mut lines = text.split('\n');
    let Some(Ok(parsed)) = lines.next().map(parse) else {
        return;
    };
    let Ok(compiled) = compile(&parsed) else {
        return;
    };
    let mut store = Store::new(1);
    let rules = Rules {
        unique_work_email: false,
    };
    for name in lines.take(16) {
        let doc = json!({"userName": name, "externalId": name,
            "emails": [{"value": name, "type": "work"}]});
        if let Ok(attrs) = UserAttrs::from_json(&doc, UnknownAttributes::Ignore) {
            let _ = store.create(attrs, DEFAULT_START, rules);
        }
    }
    let (total, page) = store.query(Some(&compiled), 1, usize::MAX);
    let indexed: Vec<Uuid> = page.iter().map(|u| u.id).collect();
    let scanned: Vec<Uuid> = store
        .iter()
        .filter(|u| compiled.matches(*u as &dyn FilterTarget))
        .map(|u| u.id)
        .collect();
    assert_eq!(indexed, scanned, "indexed query differs from a scan");
    assert_eq!(total, scanned.len());
    for user in store.iter() {
        assert_eq!(
            compiled.matches(user as &dyn FilterTarget),
            matches_json_compiled(&compiled, &render(user)),
            "typed and JSON evaluation differ for {}",
            user.attrs.user_name
        );
    }
}

/// PATCH parse and apply, on its own and through the tenant. Input: a PATCH body. Invariants:
/// a successful patch renders and parses back to itself; a failed PATCH request leaves the
/// stored user unchanged.
pub fn patch(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(request) = PatchRequest::from_json(&body) {
        let base = UserAttrs::from_json(&rich_user(), UnknownAttributes::Ignore)
            .expect("the rich user parses");
        let user = stored(base);
        let ctx = RenderContext {
            base_url: BASE_URL,
            names: &NoNames,
        };
        if let Ok(attrs) = patch_user(&user, &request, &ctx, PatchOptions::default()) {
            round_trip(attrs);
        }
    }
    let tenant = tenant_with(&[rich_user()]);
    let Some(before) = tenant.find_by_user_name("ada@contoso.example") else {
        return;
    };
    let id = before["id"].as_str().unwrap_or_default().to_string();
    let req = Request::new(Method::PATCH, &format!("/scim/Users/{id}"))
        .bearer(DEFAULT_TOKEN)
        .json(&body);
    let status = tenant.exchange(req).outcome.status().unwrap_or(0);
    assert!(status < 500, "PATCH answered {status}");
    if !(200..300).contains(&status) {
        assert_eq!(
            tenant.user(&id).as_ref(),
            Some(&before),
            "a failed PATCH ({status}) changed the user"
        );
    }
}

/// The user's JSON parse and render. Input: a user representation. Invariant: render then
/// parse gives the same user.
pub fn user_json(data: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for policy in [UnknownAttributes::Ignore, UnknownAttributes::Reject] {
        if let Ok(attrs) = UserAttrs::from_json(&doc, policy) {
            round_trip(attrs);
        }
    }
}

fn round_trip(attrs: UserAttrs) {
    let user = stored(attrs);
    let rendered = render(&user);
    let back = UserAttrs::from_json(&rendered, UnknownAttributes::Reject)
        .unwrap_or_else(|e| panic!("the rendered user does not parse: {e:?}\n{rendered}"));
    assert_eq!(back, user.attrs, "render then parse changed the user");
    assert_eq!(render(&stored(back)), rendered, "rendering is not stable");
}

/// The expression lexer, parser and evaluator. Input: an expression on the first line, then
/// optionally a JSON object as the source user. Invariant: an expression prints as text that
/// parses back to the same expression.
pub fn expression(data: &[u8]) {
    use crate::engine::expr::{EvalEnv, JsonSource, evaluate, parse};
    let text = text(data);
    let (src, user) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(expr) = parse(src) else {
        return;
    };
    let printed = expr.to_string();
    let again = parse(&printed)
        .unwrap_or_else(|e| panic!("'{printed}' (printed from '{src}') does not parse: {e}"));
    assert_eq!(again.to_string(), printed, "printing is not stable");
    let source = serde_json::from_str::<Value>(user)
        .ok()
        .and_then(|v| JsonSource::new(v).ok())
        .or_else(|| {
            JsonSource::new(json!({"givenName": "Ada", "surname": "Lovelace",
                "userPrincipalName": "ada@contoso.example", "accountEnabled": true}))
            .ok()
        })
        .expect("the default source user is an object");
    let env = EvalEnv {
        source: &source,
        now: time::OffsetDateTime::UNIX_EPOCH,
        seed: 1,
    };
    let _ = evaluate(&expr, &env);
}

/// Scenario parsing and validation. Input: a scenario, TOML or JSON. Validation (limits and
/// the dry run) runs unless the file includes another or generates a large directory.
pub fn scenario(data: &[u8]) {
    let text = text(data);
    for (name, parsed) in [
        ("fuzz.toml", parse_toml(&text, "fuzz.toml")),
        ("fuzz.json", parse_json(&text, "fuzz.json")),
    ] {
        let Ok((file, steps)) = parsed else {
            continue;
        };
        let s = Scenario {
            path: name.into(),
            file,
            steps,
        };
        if check_limits(&s).is_err() || !small_enough(&s) {
            continue;
        }
        let _ = prepare(&s, &Target::Embedded);
    }
}

/// Whether preparing a scenario stays cheap and reads no file (an include could name any).
fn small_enough(s: &Scenario) -> bool {
    let dir = &s.file.directory;
    dir.include.is_none()
        && dir
            .generate
            .as_ref()
            .is_none_or(|g| g.users <= FUZZ_MAX_GENERATED)
        && s.file.tenant.prefill <= FUZZ_MAX_GENERATED
}

/// Fault-rule parsing (TOML `[[fault]]` tables or JSON), validation, and the installed rules
/// deciding on a few requests. Invariant: installed valid rules never make the tenant panic.
pub fn fault_rules(data: &[u8]) {
    let text = text(data);
    let from_json = serde_json::from_str::<Value>(&text)
        .ok()
        .map(|v| faults_json(&v));
    for parsed in [Some(faults_toml(&text)), from_json].into_iter().flatten() {
        let Ok(rules) = parsed else {
            continue;
        };
        if validate_all(&rules).is_err() {
            continue;
        }
        let tenant = tenant_with(&[rich_user()]);
        tenant.add_faults(rules);
        for _ in 0..3 {
            let get = Request::new(
                Method::GET,
                "/scim/Users?filter=userName%20eq%20%22ada%40contoso.example%22",
            );
            let _ = tenant.exchange(get.bearer(DEFAULT_TOKEN));
            let post = Request::new(Method::POST, "/scim/Users")
                .bearer(DEFAULT_TOKEN)
                .json(&json!({"userName": "bob@contoso.example"}));
            let _ = tenant.exchange(post);
        }
    }
}

/// State import. Input: a state (`{"users": [...]}`). Invariants: a rejected import changes
/// nothing; an accepted one exports a state that imports again to the same state.
pub fn state_import(data: &[u8]) {
    let Ok(state) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let tenant = tenant_with(&[rich_user()]);
    let before = tenant.export_state();
    match tenant.import_state(&state) {
        Err(_) => assert_eq!(
            tenant.export_state(),
            before,
            "a rejected import changed state"
        ),
        Ok(_) => {
            let exported = tenant.export_state();
            let fresh = tenant_with(&[]);
            if let Err(e) = fresh.import_state(&exported) {
                panic!("an exported state does not import: {e:?}");
            }
            assert_eq!(
                fresh.export_state(),
                exported,
                "import/export is not stable"
            );
        }
    }
}

/// A whole request through `Tenant::exchange`. Input: `METHOD /path?query` on the first line,
/// `Name: value` header lines, an empty line, then the body. The tenant holds the rich user
/// and has no fault rules. Invariant: no 5xx.
pub fn exchange(data: &[u8]) {
    let Some(req) = request_of(data) else {
        return;
    };
    let tenant = tenant_with(&[rich_user(), json!({"userName": "bob@contoso.example"})]);
    let status = tenant.exchange(req).outcome.status().unwrap_or(0);
    assert!(status < 500, "answered {status}");
}

fn request_of(data: &[u8]) -> Option<Request> {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    if !target.starts_with('/') {
        return None;
    }
    let mut req = Request::new(method, target);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        let value = HeaderValue::from_str(value.trim()).ok()?;
        req.headers.append(name, value);
    }
    req.body = bytes::Bytes::copy_from_slice(body);
    Some(req)
}
