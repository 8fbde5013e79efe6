//! The user checks: connection, discovery, create, matching, reads, errors and timing.
//! PATCH checks are in `patches`.

use super::judge::{self, Finding, Judged, expect_status, json_body};
use super::runner::{Auth, Created, Runner};
use super::{Profile, mapping_targets};
use crate::engine::failure::Verb;
use crate::scim::schema::{BLINK_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA};
use http::{Method, header};
use serde_json::{Value, json};

/// `filter=<attr> eq "<value>"` as Entra encodes it (§7 wire form).
pub(super) fn eq_query(attr: &str, value: &str) -> String {
    format!("/Users?{}", crate::engine::wire::filter_query(attr, value))
}

/// The POST body Entra sends for a new user (Appendix B.1 Create User; `create_body`'s shape).
pub(super) fn entra_user(
    profile: Profile,
    user_name: &str,
    external_id: &str,
    email: bool,
) -> Value {
    let mut body = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "meta": {"resourceType": "User"},
        "name": {"familyName": "Check", "givenName": "Blinksim"},
        "title": "Tester",
        ENTERPRISE_SCHEMA: {"department": "Quality", "employeeNumber": "0001"},
    });
    if email {
        body["emails"] = json!([{"primary": true, "type": "work", "value": user_name}]);
    }
    if profile == Profile::Blink {
        body[BLINK_SCHEMA] = json!({"company": "Blinksim"});
    }
    body
}

/// Creates a user under the run's prefix; it is deleted at the end.
pub(super) async fn scratch(runner: &mut Runner, email: bool) -> Result<Created, Finding> {
    let name = runner.fresh_name("user");
    let user_name = format!("{name}@check.example.com");
    let body = entra_user(runner.options.profile, &user_name, &name, email);
    let outcome = runner
        .send(Method::POST, "/Users", Some(&body), Auth::Token)
        .await;
    let resp = expect_status(&outcome, &[201], Verb::Create)?;
    let created = json_body(resp, Verb::Create)?;
    let id = created.get("id").and_then(Value::as_str).ok_or_else(|| {
        Finding::fail(
            "201 without an id",
            judge::entra_incompatible(Verb::Create, 201),
        )
    })?;
    runner.created(format!("Users/{id}"));
    Ok(Created {
        id: id.to_string(),
        user_name,
        external_id: name,
    })
}

/// The user `create-user` made; later checks need it.
pub(super) fn fixture(runner: &Runner) -> Result<Created, Finding> {
    runner.fixture.clone().ok_or_else(|| {
        Finding::fail(
            "not run: create-user did not produce a user",
            "Entra cannot create users on this endpoint (see create-user).",
        )
    })
}

/// GET /Users/{id} as a JSON resource.
pub(super) async fn get_user(runner: &mut Runner, id: &str) -> Result<Value, Finding> {
    let outcome = runner
        .send(Method::GET, &format!("/Users/{id}"), None, Auth::Token)
        .await;
    let resp = expect_status(&outcome, &[200], Verb::Read)?;
    json_body(resp, Verb::Read)
}

pub(super) async fn probe(runner: &mut Runner) -> Judged {
    let guid = uuid::Uuid::new_v4().to_string();
    let outcome = runner
        .send(Method::GET, &eq_query("userName", &guid), None, Auth::Token)
        .await;
    judge::probe(&outcome)
}

pub(super) async fn auth(runner: &mut Runner, auth: Auth) -> Judged {
    let guid = uuid::Uuid::new_v4().to_string();
    let outcome = runner
        .send(Method::GET, &eq_query("userName", &guid), None, auth)
        .await;
    judge::unauthorized(&outcome).map_err(|mut f| {
        f.entra = format!("{} {}", judge::TEST_CONNECTION_CREDENTIALS, f.entra);
        f
    })
}

async fn discovery(runner: &mut Runner, path: &str) -> Result<Value, Finding> {
    let outcome = runner.send(Method::GET, path, None, Auth::Token).await;
    let resp = expect_status(&outcome, &[200], Verb::Read)?;
    json_body(resp, Verb::Read)
}

pub(super) async fn service_provider_config(runner: &mut Runner) -> Judged {
    let body = discovery(runner, "/ServiceProviderConfig").await?;
    let supported = |k: &str| {
        body.pointer(&format!("/{k}/supported"))
            .and_then(Value::as_bool)
    };
    match (supported("patch"), supported("filter")) {
        (Some(true), Some(true)) => Ok(()),
        (patch, filter) => Err(Finding::fail(
            format!(
                "ServiceProviderConfig says patch.supported {patch:?}, filter.supported {filter:?}"
            ),
            "Entra updates only with PATCH and matches only with filter: neither may be unsupported.",
        )),
    }
}

/// Every attribute name (`urn:…:attr` and sub-attributes) `/Schemas` declares.
fn declared(schemas: &Value) -> Vec<String> {
    let items = schemas
        .get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| schemas.as_array().cloned())
        .unwrap_or_default();
    let mut names = Vec::new();
    for s in &items {
        let urn = s.get("id").and_then(Value::as_str).unwrap_or_default();
        for a in s
            .get("attributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = a.get("name").and_then(Value::as_str).unwrap_or_default();
            names.push(format!("{urn}:{name}").to_ascii_lowercase());
            for sub in a
                .get("subAttributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let sub = sub.get("name").and_then(Value::as_str).unwrap_or_default();
                names.push(format!("{urn}:{name}.{sub}").to_ascii_lowercase());
            }
        }
    }
    names
}

/// The schema-qualified attribute a mapping target names (`emails[type eq "work"].value` →
/// `…:User:emails.value`).
fn qualified(target: &str) -> String {
    let (urn, attr) = crate::scim::schema::split_urn(target).unwrap_or((USER_SCHEMA, target));
    let plain: String = attr.split('[').next().unwrap_or_default().to_string();
    let sub = attr.rsplit_once("].").map(|(_, s)| s.to_string());
    match sub {
        Some(sub) => format!("{urn}:{plain}.{sub}"),
        None => format!("{urn}:{plain}"),
    }
    .to_ascii_lowercase()
}

pub(super) async fn schemas(runner: &mut Runner) -> Judged {
    let body = discovery(runner, "/Schemas").await?;
    let declared = declared(&body);
    // id, externalId and meta are common attributes, outside every schema (RFC 7643 §3.1).
    let common = |t: &str| ["id", "externalId", "meta"].contains(&t);
    let missing: Vec<String> = mapping_targets(runner.options.profile)
        .into_iter()
        .filter(|t| !common(t) && !declared.contains(&qualified(t)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Finding::fail(
        format!("/Schemas does not declare: {}", missing.join(", ")),
        "The attribute-mapping editor cannot offer these targets, and updates to them fail with SchemaAttributeNotFound or are rejected by the server.",
    ))
}

pub(super) async fn resource_types(runner: &mut Runner) -> Judged {
    let body = discovery(runner, "/ResourceTypes").await?;
    let items = body
        .get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let user = items
        .iter()
        .any(|t| t.get("endpoint").and_then(Value::as_str) == Some("/Users"));
    if user {
        return Ok(());
    }
    Err(Finding::fail(
        "/ResourceTypes lists no User type with endpoint /Users",
        "Entra's schema discovery finds no user object: the app's attribute list stays the default one.",
    ))
}

pub(super) async fn create(runner: &mut Runner) -> Judged {
    let name = runner.fresh_name("fixture");
    let user_name = format!("{name}@check.example.com");
    let body = entra_user(runner.options.profile, &user_name, &name, true);
    let outcome = runner
        .send(Method::POST, "/Users", Some(&body), Auth::Token)
        .await;
    let resp = expect_status(&outcome, &[201], Verb::Create)?;
    let location = resp.header(header::LOCATION).map(str::to_string);
    let created = json_body(resp, Verb::Create)?;
    let Some(id) = created.get("id").and_then(Value::as_str) else {
        return Err(Finding::fail(
            "201 without an id",
            judge::entra_incompatible(Verb::Create, 201),
        ));
    };
    runner.created(format!("Users/{id}"));
    runner.fixture = Some(Created {
        id: id.to_string(),
        user_name,
        external_id: name,
    });
    match location {
        Some(l) if l.ends_with(id) => Ok(()),
        _ => Err(Finding::warn(
            "201 without a Location header naming the new user",
            "Entra links the user by the id in the body; RFC 7644 §3.3 asks for Location.",
        )),
    }
}

pub(super) async fn content_type(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    let outcome = runner
        .send(
            Method::GET,
            &format!("/Users/{}", user.id),
            None,
            Auth::Token,
        )
        .await;
    let resp = expect_status(&outcome, &[200], Verb::Read)?;
    judge::content_type(resp)
}

pub(super) async fn filter_user_name(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    // Entra's userPrincipalName casing need not match the stored one (§3.1).
    let query = eq_query("userName", &user.user_name.to_ascii_uppercase());
    let outcome = runner.send(Method::GET, &query, None, Auth::Token).await;
    let resp = expect_status(&outcome, &[200], Verb::Match)?;
    judge::single_match(resp, &user.id, "userName eq (upper-cased)")
}

pub(super) async fn filter_external_id(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    let query = eq_query("externalId", &user.external_id);
    let outcome = runner.send(Method::GET, &query, None, Auth::Token).await;
    let resp = expect_status(&outcome, &[200], Verb::Match)?;
    judge::single_match(resp, &user.id, "externalId eq")
}

pub(super) async fn get_by_id(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    let body = get_user(runner, &user.id).await?;
    let id_ok = body.get("id").and_then(Value::as_str) == Some(user.id.as_str());
    let name = body
        .get("userName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if id_ok && name.eq_ignore_ascii_case(&user.user_name) {
        return Ok(());
    }
    Err(Finding::fail(
        format!(
            "GET /Users/{} answered id {:?}, userName {name:?}",
            user.id,
            body.get("id")
        ),
        "Entra compares the wrong values and updates the user every cycle.",
    ))
}

pub(super) async fn duplicate(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    let body = entra_user(
        runner.options.profile,
        &user.user_name,
        &user.external_id,
        true,
    );
    let outcome = runner
        .send(Method::POST, "/Users", Some(&body), Auth::Token)
        .await;
    if let Ok(r) = &outcome
        && r.status.is_success()
        && let Some(id) = r
            .json()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(String::from))
    {
        runner.created(format!("Users/{id}"));
    }
    let resp = expect_status(&outcome, &[409], Verb::Create)?;
    judge::error_body(resp)
}

pub(super) async fn delete(runner: &mut Runner) -> Judged {
    let user = scratch(runner, true).await?;
    let path = format!("/Users/{}", user.id);
    let outcome = runner.send(Method::DELETE, &path, None, Auth::Token).await;
    expect_status(&outcome, &[204, 200], Verb::Delete)?;
    runner.deleted(&format!("Users/{}", user.id));
    let after = runner.send(Method::GET, &path, None, Auth::Token).await;
    match &after {
        Ok(r) if r.status.as_u16() == 404 => Ok(()),
        _ => expect_status(&after, &[404], Verb::Read).map(|_| ()).map_err(|mut f| {
            f.message = format!("after DELETE, GET: {}", f.message);
            f.entra = "Entra believes the user deleted; a server that still serves it keeps a user Entra no longer manages.".into();
            f
        }),
    }
}

pub(super) async fn pagination(runner: &mut Runner) -> Judged {
    for _ in 0..2 {
        scratch(runner, true).await?;
    }
    let outcome = runner
        .send(
            Method::GET,
            "/Users?startIndex=2&count=2",
            None,
            Auth::Token,
        )
        .await;
    let resp = expect_status(&outcome, &[200], Verb::Match)?;
    let body = json_body(resp, Verb::Match)?;
    let (total, resources) = judge::list_response(resp, Verb::Match)?;
    let start = body.get("startIndex").and_then(Value::as_u64);
    let per_page = body.get("itemsPerPage").and_then(Value::as_u64);
    let fine = total >= 3
        && resources.len() <= 2
        && !resources.is_empty()
        && start == Some(2)
        && per_page.is_none_or(|n| n == resources.len() as u64);
    if fine {
        return Ok(());
    }
    Err(Finding::fail(
        format!(
            "startIndex=2&count=2 answered totalResults {total}, {} resources, startIndex {start:?}, itemsPerPage {per_page:?}",
            resources.len()
        ),
        "Entra pages through users by startIndex and count when it reads the target: pages that ignore them lose or repeat users.",
    ))
}

pub(super) async fn attributes(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    let only = format!("/Users/{}?attributes=userName", user.id);
    let outcome = runner.send(Method::GET, &only, None, Auth::Token).await;
    let body = json_body(expect_status(&outcome, &[200], Verb::Read)?, Verb::Read)?;
    let bad_only =
        body.get("userName").is_none() || body.get("id").is_none() || body.get("title").is_some();
    let without = format!("/Users/{}?excludedAttributes=title", user.id);
    let outcome = runner.send(Method::GET, &without, None, Auth::Token).await;
    let body2 = json_body(expect_status(&outcome, &[200], Verb::Read)?, Verb::Read)?;
    let bad_without = body2.get("title").is_some() || body2.get("userName").is_none();
    if !bad_only && !bad_without {
        return Ok(());
    }
    Err(Finding::fail(
        format!(
            "attributes=userName kept other attributes or lost id/userName: {bad_only}; excludedAttributes=title kept title: {bad_without}"
        ),
        "Entra asks for groups with excludedAttributes=members to avoid huge answers; an endpoint that ignores it sends every member on each read.",
    ))
}

pub(super) async fn error_body(runner: &mut Runner) -> Judged {
    let path = format!("/Users/{}", uuid::Uuid::new_v4());
    let outcome = runner.send(Method::GET, &path, None, Auth::Token).await;
    let resp = expect_status(&outcome, &[404], Verb::Read)?;
    judge::error_body(resp)
}

pub(super) async fn response_time(runner: &mut Runner) -> Judged {
    let limit = runner.options.answer_limit;
    if let Some((ms, request)) = runner.slowest().cloned()
        && u128::from(ms) >= limit.as_millis()
    {
        return Err(Finding::fail(
            format!(
                "{request} took {ms} ms; Entra waits {} ms",
                limit.as_millis()
            ),
            judge::entra_for_transport(
                Verb::Read,
                &crate::engine::transport::TransportError::Timeout(limit),
            ),
        ));
    }
    // Bounded: 3 s at a quarter above the rate to sustain.
    let rate = runner.options.min_rate.max(1);
    let pace = rate + rate.div_ceil(4);
    let path = eq_query("userName", &uuid::Uuid::new_v4().to_string());
    let (statuses, took_ms) = runner.burst(&path, pace * 3, pace).await;
    let failed = statuses.iter().filter(|s| **s != Some(200)).count();
    let achieved = statuses.len() as f64 * 1000.0 / took_ms.max(1) as f64;
    if failed == 0 && achieved >= f64::from(rate) {
        return Ok(());
    }
    Err(Finding::fail(
        format!(
            "{} requests at {pace}/s: {failed} not answered 200, {achieved:.1} req/s sustained (need {rate})",
            statuses.len()
        ),
        "Entra sends requests in parallel: 429s are logged as TooManyRequests and the object escrowed; a slow endpoint stretches each cycle past 40 minutes (§1.6).",
    ))
}
