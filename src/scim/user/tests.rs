use super::*;
use serde_json::json;

pub(crate) fn ctx() -> RenderContext<'static> {
    RenderContext {
        base_url: "http://h/scim",
        names: &crate::scim::user::NoNames,
    }
}

fn sample() -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA, BLINK_SCHEMA],
        "externalId": "ext-1",
        "userName": "Ada@Example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada Lovelace"},
        "displayName": "Ada Lovelace",
        "title": "Engineer",
        "locale": "en-GB",
        "active": true,
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "+44 1", "type": "work"}, {"value": "+44 2", "type": "mobile"}],
        ENTERPRISE_SCHEMA: {"employeeNumber": "42", "department": "R&D", "manager": {"value": "m-1"}},
        BLINK_SCHEMA: {"company": "Analytical", "description": "Hi", "location": "London"},
    })
}

#[test]
fn round_trips_through_json() {
    let attrs = UserAttrs::from_json(&sample(), UnknownAttributes::Reject).unwrap();
    let user = User {
        id: Uuid::nil(),
        meta: Meta {
            created: 0,
            last_modified: 0,
            version: 1,
        },
        attrs,
    };
    let rendered = user.to_json(&ctx());
    assert_eq!(
        rendered["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["$ref"],
        "http://h/scim/Users/m-1"
    );
    assert_eq!(rendered["meta"]["version"], "W/\"1\"");
    let again = UserAttrs::from_json(&rendered, UnknownAttributes::Reject).unwrap();
    assert_eq!(again, user.attrs);
}

#[test]
fn accepts_azure_ad_shapes() {
    // aad-provisioning-service.md B.4 Example 2: nulls, flat enterprise names, a typo'd URN.
    let doc = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
        "externalId": "jyoung", "userName": "jyoung@testuser.com", "active": "True",
        "addresses": null, "displayName": "Joy Young",
        "emails": [{"type": "work", "value": "jyoung@Contoso.com", "primary": true}],
        "meta": {"resourceType": "User"}, "name": {"familyName": "Young", "givenName": "Joy"},
        "phoneNumbers": null, "preferredLanguage": null, "title": null, "department": null, "manager": null,
        "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:EMPLOYEENUMBER": "7",
    });
    let attrs = UserAttrs::from_json(&doc, UnknownAttributes::Ignore).unwrap();
    assert_eq!(attrs.active, Some(true));
    assert_eq!(attrs.title, None);
    assert_eq!(
        attrs.enterprise.unwrap().employee_number.as_deref(),
        Some("7")
    );
    // Manager as a bare string (blink-scim-api.md §3.4.3).
    let doc = json!({"userName": "a", ENTERPRISE_SCHEMA: {"manager": "myuser"}});
    let attrs = UserAttrs::from_json(&doc, UnknownAttributes::Reject).unwrap();
    assert_eq!(attrs.manager(), Some(&ManagerRef::Other("myuser".into())));
    let id = "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2";
    assert!(matches!(ManagerRef::new(id), ManagerRef::Id(_)));
    assert_eq!(ManagerRef::new(id).to_string(), id);
    assert!(
        matches!(ManagerRef::new(&id.to_uppercase()), ManagerRef::Other(_)),
        "kept as sent"
    );
}

#[test]
fn rejects_bad_input_with_scim_errors() {
    let cases = [
        json!([]),
        json!({"userName": 5}),
        json!({}),
        json!({"userName": "  "}),
        json!({"userName": "a", "active": "yes"}),
        json!({"userName": "a", "emails": "x@y"}),
        json!({"userName": "a", "emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
        json!({"userName": "a", "name": []}),
        json!({"userName": "a", "schemas": "urn"}),
        json!({"userName": "a", ENTERPRISE_SCHEMA: 3}),
    ];
    for doc in cases {
        let err = UserAttrs::from_json(&doc, UnknownAttributes::Ignore).unwrap_err();
        assert_eq!(err.status, 400, "{doc}");
    }
    let err = UserAttrs::from_json(
        &json!({"userName": "a", "nickName": "b"}),
        UnknownAttributes::Reject,
    )
    .unwrap_err();
    assert!(err.detail.contains("nickName"));
    assert!(
        UserAttrs::from_json(
            &json!({"userName": "a", "nickName": "b"}),
            UnknownAttributes::Ignore
        )
        .is_ok()
    );
}
