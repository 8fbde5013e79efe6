//! Discovery documents (RFC 7643 §5-7, RFC 7644 §4): ServiceProviderConfig, Schemas,
//! ResourceTypes. Built from the same schema table the tenant validates with.

use super::schema::{
    AttributeDef, LIST_RESPONSE_SCHEMA, SchemaDef, USER_SCHEMA, USER_SCHEMAS, UserSchema,
    attributes_of,
};
use serde_json::{Value, json};

/// URN of the ServiceProviderConfig schema.
pub(crate) const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// URN of the ResourceType schema.
pub(crate) const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// URN of the Schema schema.
pub(crate) const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// What the tenant supports, as advertised in `/ServiceProviderConfig`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Capabilities {
    /// Page size when `count` is absent.
    pub default_page_size: usize,
    /// Largest page served.
    pub max_page_size: usize,
    /// Whether ETags are supported.
    pub etag: bool,
}

/// The ServiceProviderConfig document. Page sizes are advertised both as
/// `filter.maxResults` (RFC 7643 §5) and in RFC 9865's `pagination` block.
pub(crate) fn service_provider_config(caps: Capabilities, base_url: &str) -> Value {
    json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": "https://developer.joinblink.com/",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": caps.max_page_size},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": caps.etag},
        "pagination": {
            "cursor": false,
            "index": true,
            "defaultPaginationMethod": "index",
            "defaultPageSize": caps.default_page_size,
            "maxPageSize": caps.max_page_size
        },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "The SCIM authentication token issued by Blink support, sent as 'Authorization: Bearer <token>'.",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base_url}/ServiceProviderConfig")}
    })
}

fn attribute_json(a: &AttributeDef) -> Value {
    let mut v = json!({
        "name": a.name,
        "type": a.ty.as_str(),
        "multiValued": a.multi_valued,
        "description": a.description,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": a.mutability.as_str(),
        "returned": a.returned.as_str(),
        "uniqueness": a.uniqueness.as_str(),
    });
    if !a.canonical_values.is_empty() {
        v["canonicalValues"] = json!(a.canonical_values);
    }
    if !a.reference_types.is_empty() {
        v["referenceTypes"] = json!(a.reference_types);
    }
    if !a.sub_attributes.is_empty() {
        v["subAttributes"] = Value::Array(a.sub_attributes.iter().map(attribute_json).collect());
    }
    v
}

/// One schema document, with the attributes `user_schema` serves.
pub(crate) fn schema(def: &'static SchemaDef, user_schema: UserSchema, base_url: &str) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": def.id,
        "name": def.name,
        "description": def.description,
        "attributes": attributes_of(def, user_schema).map(attribute_json).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{}", def.id)}
    })
}

/// Finds a schema by URN, case-insensitively.
pub(crate) fn find_schema(urn: &str) -> Option<&'static SchemaDef> {
    USER_SCHEMAS
        .iter()
        .copied()
        .find(|s| s.id.eq_ignore_ascii_case(urn))
}

/// All schemas as a ListResponse.
pub(crate) fn schemas(user_schema: UserSchema, base_url: &str) -> Value {
    list(
        USER_SCHEMAS
            .iter()
            .map(|s| schema(s, user_schema, base_url))
            .collect(),
    )
}

/// The User resource type document (Groups are not served: Blink has no group sync).
pub(crate) fn user_resource_type(base_url: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": USER_SCHEMA,
        "schemaExtensions": USER_SCHEMAS[1..].iter().map(|s| json!({"schema": s.id, "required": false})).collect::<Vec<_>>(),
        "meta": {"resourceType": "ResourceType", "location": format!("{base_url}/ResourceTypes/User")}
    })
}

/// All resource types as a ListResponse.
pub(crate) fn resource_types(base_url: &str) -> Value {
    list(vec![user_resource_type(base_url)])
}

fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_describe_exactly_the_blink_attributes() {
        let doc = schemas(UserSchema::Blink, "http://h/scim");
        assert_eq!(doc["totalResults"], 3);
        let core = &doc["Resources"][0];
        let names: Vec<&str> = core["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "userName",
                "name",
                "displayName",
                "title",
                "locale",
                "active",
                "emails",
                "phoneNumbers",
                "externalId"
            ]
        );
        let blink = &doc["Resources"][2];
        assert_eq!(
            blink["id"],
            "urn:ietf:params:scim:schemas:extension:blink:2.0:User"
        );
        assert!(find_schema("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER").is_some());
    }
}
