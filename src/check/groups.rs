//! The group checks, run when the server advertises groups or `--groups` asks (Appendix B.2,
//! A.3.4).

use super::judge::{Finding, Judged, expect_status, json_body, list_response};
use super::runner::{Auth, Runner};
use super::users::scratch;
use crate::engine::failure::Verb;
use crate::engine::wire::{Dialect, filter_query};
use crate::scim::schema::PATCH_OP_SCHEMA;
use http::Method;
use serde_json::{Value, json};

const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

async fn patch_group(runner: &mut Runner, id: &str, ops: Value) -> Judged {
    let body = json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops});
    let outcome = runner
        .send(
            Method::PATCH,
            &format!("/Groups/{id}"),
            Some(&body),
            Auth::Token,
        )
        .await;
    expect_status(&outcome, &[200, 204], Verb::Update).map(|_| ())
}

async fn members(runner: &mut Runner, id: &str) -> Result<Vec<String>, Finding> {
    let outcome = runner
        .send(Method::GET, &format!("/Groups/{id}"), None, Auth::Token)
        .await;
    let body = json_body(expect_status(&outcome, &[200], Verb::Read)?, Verb::Read)?;
    let list = body
        .get("members")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(list
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str).map(String::from))
        .collect())
}

fn membership(expected: bool, member: &str, found: &[String]) -> Judged {
    if found.iter().any(|m| m == member) == expected {
        return Ok(());
    }
    Err(Finding::fail(
        format!(
            "after the PATCH the group's members are {found:?}; {member} should be {}",
            if expected { "in" } else { "out" }
        ),
        "Entra logs the membership change as exported; the app's group does not follow, and Entra does not notice until a restart.",
    ))
}

/// `displayName eq` with `excludedAttributes=members`, as Entra matches a group: exactly one
/// group, and no members shown.
async fn find(runner: &mut Runner, name: &str) -> Judged {
    let query = format!(
        "/Groups?excludedAttributes=members&{}",
        filter_query("displayName", name)
    );
    let outcome = runner.send(Method::GET, &query, None, Auth::Token).await;
    let (total, found) = list_response(expect_status(&outcome, &[200], Verb::Match)?, Verb::Match)?;
    let shown = found.iter().any(|g| g.get("members").is_some());
    if total == 1 && found.len() == 1 && !shown {
        return Ok(());
    }
    Err(Finding::fail(
        format!(
            "displayName eq with excludedAttributes=members answered {total} groups (members shown: {shown})"
        ),
        "Entra does not find the group and creates it again (EntryConflict), or reads every member on each match.",
    ))
}

/// Creates an empty group as Entra does (Appendix B.2); it is deleted at the end.
async fn create(runner: &mut Runner, name: &str) -> Result<String, Finding> {
    let body =
        json!({"schemas": [GROUP_SCHEMA], "externalId": name, "displayName": name, "members": []});
    let outcome = runner
        .send(Method::POST, "/Groups", Some(&body), Auth::Token)
        .await;
    let created = json_body(expect_status(&outcome, &[201], Verb::Create)?, Verb::Create)?;
    let Some(id) = created.get("id").and_then(Value::as_str).map(String::from) else {
        return Err(Finding::fail(
            "201 without an id",
            super::judge::entra_incompatible(Verb::Create, 201),
        ));
    };
    runner.created(format!("Groups/{id}"));
    Ok(id)
}

/// Renames the group and reads the new name back.
async fn rename(runner: &mut Runner, id: &str, dialect: Dialect, renamed: &str) -> Judged {
    let replace = json!([{"op": dialect.op("replace"), "path": "displayName", "value": renamed}]);
    patch_group(runner, id, replace).await?;
    let outcome = runner
        .send(Method::GET, &format!("/Groups/{id}"), None, Auth::Token)
        .await;
    let body = json_body(expect_status(&outcome, &[200], Verb::Read)?, Verb::Read)?;
    let now = body.get("displayName").and_then(Value::as_str);
    if now == Some(renamed) {
        return Ok(());
    }
    Err(Finding::fail(
        format!("after the rename displayName reads {now:?}, expected {renamed:?}"),
        "The group keeps its old name in the app; Entra sends the rename again each cycle.",
    ))
}

/// Create empty, find by displayName with excludedAttributes=members, add a member, find again
/// (members still left out), remove the member, rename, delete.
pub(super) async fn groups(runner: &mut Runner, dialect: Dialect) -> Judged {
    let name = runner.fresh_name("group");
    let id = create(runner, &name).await?;
    find(runner, &name).await?;
    let member = scratch(runner, true).await?;
    let add =
        json!([{"op": dialect.op("add"), "path": "members", "value": [{"value": member.id}]}]);
    patch_group(runner, &id, add).await?;
    membership(true, &member.id, &members(runner, &id).await?)?;
    find(runner, &name).await?;
    let remove = match dialect {
        Dialect::Current => {
            json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", member.id)}])
        }
        Dialect::Legacy => {
            json!([{"op": "Remove", "path": "members", "value": [{"value": member.id}]}])
        }
    };
    patch_group(runner, &id, remove).await?;
    membership(false, &member.id, &members(runner, &id).await?)?;
    rename(runner, &id, dialect, &format!("{name}-renamed")).await?;
    let outcome = runner
        .send(Method::DELETE, &format!("/Groups/{id}"), None, Auth::Token)
        .await;
    expect_status(&outcome, &[204, 200], Verb::Delete)?;
    runner.deleted(&format!("Groups/{id}"));
    Ok(())
}
