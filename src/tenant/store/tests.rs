//! Store behaviour: uniqueness, indexes, ids, queries.

use super::*;
use crate::scim::filter::{compile, parse};
use crate::scim::user::{MultiValue, UserAttrs};

fn attrs(user_name: &str, email: &str) -> UserAttrs {
    UserAttrs {
        user_name: user_name.into(),
        emails: vec![MultiValue::typed("work", email)],
        external_id: Some(format!("ext-{user_name}").into()),
        ..Default::default()
    }
}

const RULES: Rules = Rules {
    unique_work_email: true,
};

#[test]
fn enforces_uniqueness_case_insensitively() {
    let mut s = Store::new(1);
    s.create(attrs("Ada", "ada@x.com"), 0, RULES).unwrap();
    let err = s.create(attrs("ADA", "other@x.com"), 0, RULES).unwrap_err();
    assert_eq!(err.status, 409);
    let err = s.create(attrs("Bob", "ADA@X.COM"), 0, RULES).unwrap_err();
    assert!(err.detail.contains("email"));
    assert!(
        s.create(
            attrs("Bob", "ADA@X.COM"),
            0,
            Rules {
                unique_work_email: false
            }
        )
        .is_ok()
    );
}

#[test]
fn ids_depend_on_seed_and_name_not_order() {
    let mut a = Store::new(9);
    let mut b = Store::new(9);
    let a1 = a.create(attrs("one", "1@x"), 0, RULES).unwrap().id;
    let a2 = a.create(attrs("two", "2@x"), 0, RULES).unwrap().id;
    let b2 = b.create(attrs("two", "2@x"), 0, RULES).unwrap().id;
    let b1 = b.create(attrs("one", "1@x"), 0, RULES).unwrap().id;
    assert_eq!((a1, a2), (b1, b2));
    assert_eq!(a1.get_version_num(), 4);
    a.delete(&a1, 0);
    let again = a.create(attrs("one", "1@x"), 0, RULES).unwrap().id;
    assert_ne!(again, a1);
}

#[test]
fn replace_moves_version_only_on_change() {
    let mut s = Store::new(1);
    let id = s.create(attrs("ada", "a@x"), 10, RULES).unwrap().id;
    assert_eq!(
        s.replace(&id, attrs("ada", "a@x"), 20, RULES).unwrap(),
        Some(Replaced::Unchanged)
    );
    assert_eq!(s.get(&id).unwrap().meta.version, 1);
    assert_eq!(
        s.replace(&id, attrs("ada", "b@x"), 30, RULES).unwrap(),
        Some(Replaced::Changed)
    );
    let u = s.get(&id).unwrap();
    assert_eq!((u.meta.version, u.meta.last_modified), (2, 30));
    assert!(
        s.query(
            Some(&compile(&parse(r#"emails.value eq "a@x""#).unwrap()).unwrap()),
            1,
            10
        )
        .1
        .is_empty()
    );
}

#[test]
fn indexed_and_scanned_queries_agree() {
    let mut s = Store::new(3);
    for i in 0..50 {
        s.create(attrs(&format!("user{i}"), &format!("u{i}@x.com")), 0, RULES)
            .unwrap();
    }
    let q = |f: &str| {
        let c = compile(&parse(f).unwrap()).unwrap();
        let (total, page) = s.query(Some(&c), 1, 100);
        (
            total,
            page.iter()
                .map(|u| u.attrs.user_name.to_string())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(q(r#"userName eq "USER7""#), (1, vec!["user7".to_string()]));
    assert_eq!(q(r#"externalId eq "ext-user7""#).0, 1);
    assert_eq!(q(r#"externalId eq "EXT-user7""#).0, 0);
    assert_eq!(q(r#"emails[type eq "work"].value eq "U9@X.COM""#).0, 1);
    assert_eq!(q(r#"userName eq "user1" or userName eq "user2""#).0, 2);
    assert_eq!(q(r#"userName eq "user1" and title pr"#).0, 0);
    assert_eq!(q(r#"userName sw "user1""#).0, 11);
    let id = s.iter().nth(3).unwrap().id;
    assert_eq!(q(&format!(r#"id eq "{id}""#)).0, 1);
    let (total, page) = s.query(None, 49, 10);
    assert_eq!((total, page.len()), (50, 2));
}

#[test]
fn one_case_folding_for_index_filter_and_uniqueness() {
    let mut s = Store::new(5);
    s.create(attrs("ΝΙΚΟΣ@x.gr", "ας@x"), 0, RULES).unwrap();
    s.create(attrs("Straße", "\u{212A}@x"), 0, RULES).unwrap();
    let count = |f: &str| {
        let c = compile(&parse(f).unwrap()).unwrap();
        s.query(Some(&c), 1, 10).0
    };
    for f in [
        r#"userName eq "ΝΙΚΟΣ@x.gr""#,
        r#"userName eq "νικος@x.gr""#,
        r#"userName eq "νικοσ@X.GR""#,
        r#"emails.value eq "ΑΣ@x""#,
        r#"userName eq "STRASSE""#,
        r#"emails.value eq "k@x""#,
    ] {
        assert_eq!(count(f), 1, "{f}");
    }
    assert!(s.find_by_user_name("νικος@x.gr").is_some());
    for (name, email) in [("νικος@x.gr", "n@x"), ("n", "ΑΣ@x"), ("strasse", "s@x")] {
        let err = s.create(attrs(name, email), 0, RULES).unwrap_err();
        assert_eq!(err.status, 409, "{name} {email}");
    }
    // İ folds to i + U+0307, and dotless ı is its own letter: both are new names.
    s.create(attrs("İlker", "i1@x"), 0, RULES).unwrap();
    s.create(attrs("ilker", "i2@x"), 0, RULES).unwrap();
    s.create(attrs("ılker", "i3@x"), 0, RULES).unwrap();
}

#[test]
fn a_conflict_does_not_repeat_a_huge_value() {
    let mut s = Store::new(1);
    let huge = "a".repeat(1_000_000);
    s.create(attrs(&huge, &huge), 0, RULES).unwrap();
    let err = s.create(attrs(&huge, "x@x"), 0, RULES).unwrap_err();
    assert!(
        err.detail.len() < 200 && err.detail.contains("1000000 bytes"),
        "{}",
        err.detail.len()
    );
    let err = s.create(attrs("b", &huge), 0, RULES).unwrap_err();
    assert!(err.detail.len() < 200, "{}", err.detail.len());
}
