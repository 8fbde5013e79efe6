//! Discovery documents for groups (RFC 7643 §4.2, §7 and §8.7.1): the Group schema and
//! resource type, served when the tenant's `groups` option is on.

use super::discovery::{RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA};
use super::group::GROUP_SCHEMA;
use serde_json::{Value, json};

fn attr(name: &str, ty: &str, description: &str) -> Value {
    json!({
        "name": name, "type": ty, "multiValued": false, "description": description,
        "required": false, "caseExact": false, "mutability": "readWrite",
        "returned": "default", "uniqueness": "none"
    })
}

/// The Group schema document.
pub(crate) fn group_schema(base_url: &str) -> Value {
    let mut display_name = attr(
        "displayName",
        "string",
        "A human-readable name for the Group.",
    );
    display_name["required"] = json!(true);
    let mut value = attr("value", "string", "Identifier of the member of this Group.");
    value["mutability"] = json!("immutable");
    let mut reference = attr("$ref", "reference", "The URI of the member resource.");
    reference["referenceTypes"] = json!(["User"]);
    reference["mutability"] = json!("immutable");
    let mut display = attr("display", "string", "The member's displayName.");
    display["mutability"] = json!("readOnly");
    let mut kind = attr("type", "string", "The type of the member.");
    kind["canonicalValues"] = json!(["User"]);
    kind["mutability"] = json!("immutable");
    let mut members = attr("members", "complex", "A list of members of the Group.");
    members["multiValued"] = json!(true);
    members["subAttributes"] = json!([value, reference, display, kind]);
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "Group",
        "attributes": [display_name, members],
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{GROUP_SCHEMA}")}
    })
}

/// The Group resource type document.
pub(crate) fn group_resource_type(base_url: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "description": "Group",
        "schema": GROUP_SCHEMA,
        "meta": {"resourceType": "ResourceType", "location": format!("{base_url}/ResourceTypes/Group")}
    })
}
