//! Name resolution and the attribute table.

use super::*;

#[test]
fn resolves_case_insensitively_core_first() {
    assert_eq!(Attr::resolve(None, "USERNAME"), Some(Attr::UserName));
    assert_eq!(Attr::resolve(None, "department"), Some(Attr::Department));
    assert_eq!(
        Attr::resolve(Some(ENTERPRISE_SCHEMA), "Manager"),
        Some(Attr::Manager)
    );
    assert_eq!(
        Attr::resolve(Some(USER_SCHEMA), "userName"),
        Some(Attr::UserName)
    );
    assert_eq!(Attr::resolve(Some(USER_SCHEMA), "department"), None);
    assert_eq!(
        Attr::resolve(Some(BLINK_SCHEMA), "location"),
        Some(Attr::Location)
    );
    assert_eq!(Attr::resolve_in(UserSchema::Blink, None, "nickName"), None);
    assert_eq!(
        Attr::resolve_in(UserSchema::Full, None, "NICKNAME"),
        Some(Attr::NickName)
    );
    assert_eq!(
        Attr::resolve_in(UserSchema::Full, None, "costCenter"),
        Some(Attr::CostCenter)
    );
}

#[test]
fn splits_known_urns_only() {
    let p = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value";
    assert_eq!(split_urn(p), Some((ENTERPRISE_SCHEMA, "manager.value")));
    assert_eq!(split_urn("urn:x:y:attr"), None);
    assert_eq!(split_urn(ENTERPRISE_SCHEMA), None);
}

#[test]
fn every_attribute_has_a_distinct_definition() {
    for a in Attr::ALL {
        assert_eq!(
            Attr::resolve(a.extension().or(Some(USER_SCHEMA)), a.name()),
            Some(a),
            "{a:?}"
        );
    }
    assert!(Attr::Manager.def().sub("$REF").is_some());
}
