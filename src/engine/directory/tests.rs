//! Directory behaviour: lifecycle, groups, roles and effective assignments.

use super::*;

fn dir() -> Directory {
    let mut d = Directory::new();
    d.add_user(DirectoryUser::new("u1", "ada@contoso.example"))
        .unwrap();
    d.add_user(DirectoryUser::new("u2", "bob@contoso.example"))
        .unwrap();
    d.add_group(Group {
        object_id: "g1".into(),
        display_name: "Blink Users".into(),
        members: vec!["u2".into()],
    })
    .unwrap();
    d.add_group(Group {
        object_id: "g2".into(),
        display_name: "Outer".into(),
        members: vec!["g1".into()],
    })
    .unwrap();
    d
}

#[test]
fn assignments_reach_direct_members_only() {
    let mut d = dir();
    d.assign("Blink Users", true, "User").unwrap();
    d.assign("ada@contoso.example", false, "Default Access")
        .unwrap();
    assert_eq!(d.assignments_of("u2").len(), 1);
    assert_eq!(d.assignments_of("u2")[0].via_group.as_deref(), Some("g1"));
    assert!(d.assignments_of("u1")[0].role.default_access);
    let mut nested = dir();
    nested.assign("Outer", true, "User").unwrap();
    assert!(
        nested.assignments_of("u2").is_empty(),
        "nested groups are not flattened"
    );
}

#[test]
fn changes_are_tracked_and_deletes_expire() {
    let mut d = dir();
    let w = d.seq();
    assert!(d.changed_since(w).is_empty());
    d.set_attribute("u1", "department", Some("Sales".into()))
        .unwrap();
    d.assign("Blink Users", true, "User").unwrap();
    let changed: Vec<&str> = d
        .changed_since(w)
        .iter()
        .map(|r| r.user.object_id.as_str())
        .collect();
    assert_eq!(changed, ["u1", "u2"]);
    let epoch = time::OffsetDateTime::UNIX_EPOCH;
    d.soft_delete("u1", epoch).unwrap();
    assert!(d.restore("u2").is_err());
    let day = std::time::Duration::from_secs(24 * 3600);
    assert!(d.purge_expired(epoch + 29 * day).is_empty());
    assert_eq!(d.purge_expired(epoch + 30 * day), vec!["u1".to_string()]);
    assert!(d.user("u1").unwrap().is_hard_deleted());
    assert!(
        d.add_user(DirectoryUser::new("u3", "BOB@contoso.example"))
            .is_err()
    );
    assert_eq!(
        d.user("ADA@contoso.example")
            .map(|r| r.user.object_id.as_str()),
        Some("u1")
    );
}

#[test]
fn groups_are_renamed_and_deleted_with_their_assignments() {
    let mut d = dir();
    d.assign("Blink Users", true, "User").unwrap();
    assert_eq!(
        d.rename_group("g2", "Blink Users"),
        Err(DirectoryError::Duplicate("Blink Users".into()))
    );
    d.rename_group("g1", "Blink Staff").unwrap();
    assert_eq!(d.group("g1").unwrap().display_name, "Blink Staff");
    let w = d.seq();
    d.delete_group("Blink Staff").unwrap();
    assert!(d.group("g1").is_none());
    assert!(d.assignments_of("u2").is_empty(), "the assignment went too");
    assert!(
        d.group("g2").unwrap().members.is_empty(),
        "no longer nested"
    );
    assert_eq!(d.group("Outer").map(|g| g.object_id.as_str()), Some("g2"));
    let changed: Vec<&str> = d
        .changed_since(w)
        .iter()
        .map(|r| r.user.object_id.as_str())
        .collect();
    assert_eq!(changed, ["u2"]);
    assert_eq!(
        d.delete_group("g1"),
        Err(DirectoryError::NoGroup("g1".into()))
    );
}

#[test]
fn attributes_are_read_by_any_case_and_long_names_too() {
    let mut u = DirectoryUser::new("u1", "ada@contoso.example");
    u.office_location = Some("London".into());
    u.business_phones = vec!["+44 20 7946 0000".into()];
    let long = "extension_0123456789abcdef0123456789abcdef_costCenter";
    u.extension_attributes.insert(long.into(), "CC-7".into());
    u.extension_attributes
        .insert("extensionAttribute1".into(), "E1".into());
    assert_eq!(
        u.attribute_str("PHYSICALDELIVERYOFFICENAME"),
        Some("London")
    );
    assert_eq!(u.attribute_str("officeLocation"), Some("London"));
    assert_eq!(u.attribute_str("TelephoneNumber"), Some("+44 20 7946 0000"));
    assert_eq!(
        u.attribute_str("userPrincipalName"),
        Some("ada@contoso.example")
    );
    assert_eq!(u.attribute_str("accountEnabled"), Some("True"));
    // Longer than the 32-byte stack buffer: the allocating path.
    assert_eq!(u.attribute_str(&long.to_ascii_uppercase()), Some("CC-7"));
    assert_eq!(u.attribute_str("EXTENSIONATTRIBUTE1"), Some("E1"));
    assert_eq!(u.attribute_str("mail"), None);
    assert_eq!(u.attribute_str("nope"), None);
    assert_eq!(u.attribute("officelocation").as_deref(), Some("London"));
}
