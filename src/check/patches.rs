//! The PATCH checks, each in the dialect Entra uses for the tenant URL's flags (R1, Appendix A).

use super::judge::{self, Finding, Judged, expect_status, has_value, json_body};
use super::runner::{Auth, Runner};
use super::users::{fixture, get_user, scratch};
use crate::engine::failure::Verb;
use crate::engine::mapping::Desired;
use crate::engine::wire::{Change, Dialect, manager_body, remove_manager_body, update_body};
use crate::scim::schema::ENTERPRISE_SCHEMA;
use http::Method;
use serde_json::{Value, json};

/// Sends a PATCH and judges its answer: 200 with the resource, or 204 (Appendix B.1;
/// RFC 7644 §3.5.2).
pub(super) async fn patch(runner: &mut Runner, id: &str, body: &Value, verb: Verb) -> Judged {
    let outcome = runner
        .send(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(body),
            Auth::Token,
        )
        .await;
    let resp = expect_status(&outcome, &[200, 204], verb)?;
    if resp.status.as_u16() == 200 {
        let resource = json_body(resp, verb)?;
        if resource.get("id").and_then(Value::as_str) != Some(id) {
            return Err(Finding::fail(
                "200 whose body is not the patched resource",
                judge::entra_incompatible(verb, 200),
            ));
        }
    }
    Ok(())
}

fn change(target: &str, old: Option<&str>, new: Desired) -> Change {
    Change {
        target: target.to_string(),
        old: old.map(Value::from),
        new,
    }
}

/// PATCHes `changes` in `dialect`, then reads the user back and checks each value.
async fn update_and_verify(
    runner: &mut Runner,
    id: &str,
    changes: &[Change],
    dialect: Dialect,
) -> Judged {
    patch(runner, id, &update_body(changes, dialect), Verb::Update).await?;
    let user = get_user(runner, id).await?;
    for c in changes {
        let expected = match &c.new {
            Desired::Bool(b) => Value::Bool(*b),
            Desired::Text(s) | Desired::Reference(s) => Value::from(s.as_str()),
            Desired::Json(v) => v.clone(),
        };
        has_value(&user, &c.target, &expected)?;
    }
    Ok(())
}

pub(super) async fn update_single(runner: &mut Runner, dialect: Dialect) -> Judged {
    let user = fixture(runner)?;
    let title = format!("Title {dialect:?}");
    let changes = [change("title", Some("Tester"), Desired::Text(title))];
    update_and_verify(runner, &user.id, &changes, dialect).await
}

pub(super) async fn update_work_email(runner: &mut Runner, dialect: Dialect) -> Judged {
    let user = scratch(runner, false).await?;
    let email = format!("work.{}", user.user_name);
    let changes = [change(
        r#"emails[type eq "work"].value"#,
        None,
        Desired::Text(email),
    )];
    update_and_verify(runner, &user.id, &changes, dialect).await
}

pub(super) async fn update_pathless(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    // Two simple attributes that change: one path-less replace, dotted and URN keys (A.3.3).
    let changes = [
        change(
            "name.givenName",
            Some("Blinksim"),
            Desired::Text("Renamed".into()),
        ),
        change(
            &format!("{ENTERPRISE_SCHEMA}:department"),
            Some("Quality"),
            Desired::Text("Assurance".into()),
        ),
    ];
    update_and_verify(runner, &user.id, &changes, Dialect::Current).await
}

pub(super) async fn patch_answer(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    let changes = [change("title", None, Desired::Text("Answer".into()))];
    patch(
        runner,
        &user.id,
        &update_body(&changes, Dialect::Current),
        Verb::Update,
    )
    .await
}

pub(super) async fn disable_enable(runner: &mut Runner, dialect: Dialect) -> Judged {
    let user = fixture(runner)?;
    for active in [false, true] {
        let changes = [change(
            "active",
            Some(if active { "False" } else { "True" }),
            Desired::Bool(active),
        )];
        let body = update_body(&changes, dialect);
        let verb = if active { Verb::Update } else { Verb::Disable };
        patch(runner, &user.id, &body, verb).await?;
        let read = get_user(runner, &user.id).await?;
        match read.get("active") {
            Some(Value::Bool(b)) if *b == active => {}
            other => {
                return Err(Finding::fail(
                    format!(
                        "after the PATCH active reads {other:?}, expected the boolean {active}"
                    ),
                    "Entra reads active back as a boolean: a string or an unchanged value makes it send the same PATCH every cycle, and a disabled user keeps access.",
                ));
            }
        }
    }
    Ok(())
}

pub(super) async fn manager(runner: &mut Runner, dialect: Dialect) -> Judged {
    let user = fixture(runner)?;
    let boss = scratch(runner, true).await?;
    patch(
        runner,
        &user.id,
        &manager_body(&boss.id, dialect),
        Verb::Reference,
    )
    .await?;
    let read = get_user(runner, &user.id).await?;
    let target = format!("{ENTERPRISE_SCHEMA}:manager");
    has_value(&read, &target, &Value::from(boss.id.as_str())).map_err(|mut f| {
        f.entra = "The manager reference is lost: Entra logs a successful reference export, yet the user has no manager in the app.".into();
        f
    })?;
    patch(
        runner,
        &user.id,
        &remove_manager_body(&boss.id, dialect),
        Verb::Reference,
    )
    .await?;
    let read = get_user(runner, &user.id).await?;
    has_value(&read, &target, &Value::Null).map_err(|mut f| {
        f.entra = "The manager stays set after Entra removed it; Entra sends the removal again each cycle.".into();
        f
    })
}

pub(super) async fn noop(runner: &mut Runner) -> Judged {
    let user = fixture(runner)?;
    let before = get_user(runner, &user.id).await?;
    let title = before.get("title").cloned().unwrap_or(json!("Tester"));
    let text = title.as_str().unwrap_or("Tester").to_string();
    let changes = [change("title", Some(&text), Desired::Text(text.clone()))];
    patch(
        runner,
        &user.id,
        &update_body(&changes, Dialect::Current),
        Verb::Update,
    )
    .await?;
    let after = get_user(runner, &user.id).await?;
    has_value(&after, "title", &title)
}
