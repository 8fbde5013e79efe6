//! ref §6.2 role mappings: POST and PATCH shapes of the three role functions.

use super::*;

fn roles_source(roles: Json) -> Json {
    json!({ "appRoleAssignments": roles })
}

#[test]
fn single_app_role_assignment_post_shape() {
    // ref §6.2 SingleAppRoleAssignment example request (POST).
    let v = eval(
        "SingleAppRoleAssignment([appRoleAssignments])",
        roles_source(
            json!([{"id": "06b07648-ecfe-589f-9d2f-6325724a46ee", "value": "Admin", "displayName": "Admin"}]),
        ),
    );
    assert_eq!(
        v.to_scim_json(),
        Some(
            json!([{"primary": true, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}])
        )
    );
    assert_eq!(v.to_target_string().as_deref(), Some("Admin"));
}

#[test]
fn single_app_role_assignment_patch_shape() {
    // ref §6.2 SingleAppRoleAssignment example output (PATCH).
    let v = eval(
        "SingleAppRoleAssignment([appRoleAssignments])",
        roles_source(
            json!([{"id": "06b07648-ecfe-589f-9d2f-6325724a46ee", "value": "25", "displayName": "Role1234"}]),
        ),
    );
    assert_eq!(
        v.roles_patch_operation(),
        Some(json!({
            "op": "Add",
            "path": "roles",
            "value": [{"value": "{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]
        }))
    );
}

#[test]
fn single_app_role_assignment_without_roles_is_null() {
    assert_eq!(
        eval("SingleAppRoleAssignment([appRoleAssignments])", json!({})),
        Value::Null
    );
}

fn admin_and_user() -> Json {
    roles_source(json!([
        {"id": "06b07648-ecfe-589f-9d2f-6325724a46ee", "value": "Admin", "displayName": "Admin"},
        {"id": "06b07648-ecfe-599f-9d2f-6325724a46ee", "value": "User", "displayName": "User"}
    ]))
}

#[test]
fn app_role_assignments_complex_post_shape() {
    // ref §6.2 AppRoleAssignmentsComplex example request (POST).
    let v = eval(
        "AppRoleAssignmentsComplex([appRoleAssignments])",
        admin_and_user(),
    );
    assert_eq!(
        v.to_scim_json(),
        Some(json!([
            {"primary": false, "type": "WindowsAzureActiveDirectoryRole", "displayName": "Admin", "value": "Admin"},
            {"primary": false, "type": "WindowsAzureActiveDirectoryRole", "displayName": "User", "value": "User"}
        ]))
    );
}

#[test]
fn app_role_assignments_complex_patch_shape() {
    // ref §6.2 AppRoleAssignmentsComplex example output (PATCH, "Add" only).
    let v = eval(
        "AppRoleAssignmentsComplex([appRoleAssignments])",
        admin_and_user(),
    );
    assert_eq!(
        v.roles_patch_operation(),
        Some(json!({
            "op": "Add",
            "path": "roles",
            "value": [
                {"value": "{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"},
                {"value": "{\"id\":\"06b07648-ecfe-599f-9d2f-6325724a46ee\",\"value\":\"User\",\"displayName\":\"User\"}"}
            ]
        }))
    );
}

#[test]
fn assertive_app_role_assignments_complex_shapes() {
    // ref §6.2 AssertiveAppRoleAssignmentsComplex: POST uses "display"; PATCH is "replace".
    let attrs = roles_source(json!([
        {"id": "11111111-0000-0000-0000-000000000001", "value": "User", "displayName": "User"},
        {"id": "11111111-0000-0000-0000-000000000002", "value": "Test", "displayName": "Test"}
    ]));
    let src = "AssertiveAppRoleAssignmentsComplex([appRoleAssignments])";
    let v = eval(src, attrs);
    let roles = json!([
        {"primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": "User", "value": "User"},
        {"primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": "Test", "value": "Test"}
    ]);
    assert_eq!(v.to_scim_json(), Some(roles.clone()));
    assert_eq!(
        v.roles_patch_operation(),
        Some(json!({"op": "replace", "path": "roles", "value": roles}))
    );
    assert_eq!(parse(src).unwrap().role_style(), Some(RoleStyle::Assertive));
}

#[test]
fn role_functions_need_app_role_assignments_argument() {
    let err = parse("SingleAppRoleAssignment([roles])").unwrap_err();
    assert!(err.message.contains("[appRoleAssignments]"), "{err}");
}
