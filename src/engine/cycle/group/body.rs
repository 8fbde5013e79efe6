//! Group request bodies byte-shaped as Azure AD's (reference §3.7, Appendix A.3.4 and B.2):
//! the POST without members, member adds and removes in batches, and the rename.

use crate::engine::wire::Dialect;
use crate::scim::schema::PATCH_OP_SCHEMA;
use serde_json::{Value, json};

/// The core group schema.
pub(crate) const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Microsoft's own group schema, sent beside the core one on create (Appendix B.2).
pub(crate) const ADSCIM_GROUP_SCHEMA: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

fn patch(ops: Vec<Value>) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops})
}

/// `POST /Groups`: the schemas (Microsoft's beside the core one when `microsoft_schema`),
/// `externalId` (the objectId), `displayName`, `meta`, and no `members` ("Groups are created
/// with an empty members list", §3.7).
pub(crate) fn create_body(external_id: &str, display_name: &str, microsoft_schema: bool) -> Value {
    let schemas = match microsoft_schema {
        true => json!([GROUP_SCHEMA, ADSCIM_GROUP_SCHEMA]),
        false => json!([GROUP_SCHEMA]),
    };
    json!({
        "schemas": schemas,
        "externalId": external_id,
        "displayName": display_name,
        "meta": {"resourceType": "Group"},
    })
}

/// One PATCH adding `ids` (target user ids) as members: a single `Add` of `members` with a
/// value array, `$ref` null (B.2 "Add Members"; SCIMDEV "updating multiple group memberships
/// with a single PATCH"). The flag changes only the op's case (Appendix A summary).
pub(crate) fn add_members_body(ids: &[&str], dialect: Dialect) -> Value {
    let values: Vec<Value> = ids
        .iter()
        .map(|id| json!({"$ref": null, "value": id}))
        .collect();
    patch(vec![
        json!({"op": dialect.op("add"), "path": "members", "value": values}),
    ])
}

/// One PATCH removing `ids`: legacy `Remove` of `members` with a value array; with the flag one
/// `remove` per member with the path `members[value eq "<id>"]` and no value (A.3.4, rulings R1).
pub(crate) fn remove_members_body(ids: &[&str], dialect: Dialect) -> Value {
    match dialect {
        Dialect::Legacy => {
            let values: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
            patch(vec![
                json!({"op": "Remove", "path": "members", "value": values}),
            ])
        }
        Dialect::Current => patch(
            ids.iter()
                .map(|id| json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")}))
                .collect(),
        ),
    }
}

/// The PATCH renaming a group (B.2 "Non-member attributes").
pub(crate) fn rename_body(display_name: &str, dialect: Dialect) -> Value {
    patch(vec![
        json!({"op": dialect.op("replace"), "path": "displayName", "value": display_name}),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_has_microsofts_group_schemas_and_no_members() {
        // Appendix B.2 "Create Group".
        let body = create_body("8aa1a0c0", "Sales", true);
        assert_eq!(
            body.to_string(),
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"8aa1a0c0","displayName":"Sales","meta":{"resourceType":"Group"}}"#
        );
        let core = create_body("8aa1a0c0", "Sales", false);
        assert_eq!(core["schemas"].to_string(), format!("[\"{GROUP_SCHEMA}\"]"));
    }

    #[test]
    fn members_are_added_in_one_operation_with_a_value_array() {
        // Appendix B.2 "Add Members".
        let body = add_members_body(&["a", "b"], Dialect::Legacy);
        assert_eq!(
            body["Operations"].to_string(),
            r#"[{"op":"Add","path":"members","value":[{"$ref":null,"value":"a"},{"$ref":null,"value":"b"}]}]"#
        );
        let body = add_members_body(&["a"], Dialect::Current);
        assert_eq!(body["Operations"][0]["op"], "add");
    }

    #[test]
    fn removal_follows_the_dialect() {
        // Appendix A.3.4, without and with the feature flag (rulings.md R1).
        let legacy = remove_members_body(&["u1091", "u2"], Dialect::Legacy);
        assert_eq!(
            legacy["Operations"].to_string(),
            r#"[{"op":"Remove","path":"members","value":[{"value":"u1091"},{"value":"u2"}]}]"#
        );
        let current = remove_members_body(&["7f4b", "u2"], Dialect::Current);
        assert_eq!(
            current["Operations"].to_string(),
            r#"[{"op":"remove","path":"members[value eq \"7f4b\"]"},{"op":"remove","path":"members[value eq \"u2\"]"}]"#
        );
    }

    #[test]
    fn rename_replaces_the_display_name() {
        // Appendix B.2 "Update Group [Non-member attributes]".
        let body = rename_body("New name", Dialect::Legacy);
        assert_eq!(
            body["Operations"].to_string(),
            r#"[{"op":"Replace","path":"displayName","value":"New name"}]"#
        );
    }
}
