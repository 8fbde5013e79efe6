//! Evaluation errors, limits, and value conversions.

use super::*;

#[test]
fn bad_regex_is_an_eval_error() {
    let err = eval_err(r#"Replace([a], , "(", , "", , )"#, json!({"a": "x"}));
    assert_eq!(err.function.as_deref(), Some("Replace"));
    // Look-around is .NET-only.
    let err = eval_err(r#"Replace([a], , "(?=x)", , "", , )"#, json!({"a": "x"}));
    assert!(err.message.contains("regular expression"), "{err}");
}

#[test]
fn huge_regex_hits_the_size_limit() {
    let err = eval_err(
        r#"Replace([a], , "\\w{1000}{1000}", , "", , )"#,
        json!({"a": "x"}),
    );
    assert_eq!(err.function.as_deref(), Some("Replace"));
}

#[test]
fn string_growth_is_capped() {
    let src = r#"Replace([a], , "", , "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", , )"#;
    let err = eval_err(src, json!({"a": "y".repeat(5000)}));
    assert!(err.message.contains("exceed"), "{err}");
}

#[test]
fn bad_dates_are_eval_errors() {
    assert_eq!(
        eval_err(r#"CDate("not a date")"#, json!({}))
            .function
            .as_deref(),
        Some("CDate")
    );
    assert!(
        eval_err(r#"DateAdd("x", 1, Now())"#, json!({}))
            .message
            .contains("interval")
    );
    assert!(
        eval_err(r#"DateAdd("yyyy", 9000, Now())"#, json!({}))
            .message
            .contains("9999")
    );
    assert!(
        eval_err("DateFromNum(-1)", json!({}))
            .message
            .contains("FILETIME")
    );
}

#[test]
fn format_date_time_standard_and_custom_formats() {
    let attrs = json!({"d": "2021-08-25T17:41:18.1234567Z"});
    let f = |input: &str, output: &str| {
        target(
            &format!(r#"FormatDateTime([d], , "{input}", "{output}")"#),
            attrs.clone(),
        )
    };
    let iso = "yyyy-MM-ddTHH:mm:ss.fffffffK";
    assert_eq!(f(iso, "G"), "8/25/2021 5:41:18 PM");
    assert_eq!(f(iso, "dddd, MMMM d, yyyy"), "Wednesday, August 25, 2021");
    assert_eq!(f(iso, "ddd MMM yy h:mm tt"), "Wed Aug 21 5:41 PM");
    assert_eq!(f(iso, "o"), "2021-08-25T17:41:18.1234567Z");
    assert_eq!(f(iso, "HH:mm:ss.FFF 'at' zzz"), "17:41:18.123 at +00:00");
    assert_eq!(
        target(
            r#"FormatDateTime("12/31/2020 10:00:00 PM", "M/d/yyyy hh:mm:ss tt", "yyyyMMdd")"#,
            json!({})
        ),
        "20201231"
    );
    assert_eq!(
        eval_err(r#"FormatDateTime("2020", , "yyyy-MM", "d")"#, json!({}))
            .function
            .as_deref(),
        Some("FormatDateTime")
    );
}

#[test]
fn attribute_values_become_values() {
    let src = source(json!({"b": true, "n": 5, "f": 1.5, "m": ["a", 1]}));
    assert_eq!(src.attribute("b"), Value::Boolean(true));
    assert_eq!(src.attribute("N"), Value::Number(5));
    assert_eq!(src.attribute("f"), s("1.5"));
    assert_eq!(
        src.attribute("m"),
        Value::Multi(vec![s("a"), Value::Number(1)])
    );
    assert_eq!(src.attribute("missing"), Value::Null);
    assert!(JsonSource::new(json!([1])).is_err());
    assert!(JsonSource::new(json!({"x": [[1]]})).is_err());
    assert!(JsonSource::new(json!({"appRoleAssignments": [{"value": "x"}]})).is_err());
}

#[test]
fn target_strings_of_values() {
    assert_eq!(
        Value::Boolean(false).to_target_string().as_deref(),
        Some("False")
    );
    assert_eq!(Value::Number(-3).to_target_string().as_deref(), Some("-3"));
    assert_eq!(Value::Null.to_target_string(), None);
    assert_eq!(Value::Boolean(true).to_scim_json(), Some(json!(true)));
}

#[test]
fn evaluate_str_reports_both_kinds_of_error() {
    let source = source(json!({}));
    let env = EvalEnv {
        source: &source,
        now: NOW,
        seed: 1,
    };
    assert!(matches!(
        evaluate_str("Left(", &env),
        Err(ExprError::Parse(_))
    ));
    assert!(matches!(
        evaluate_str(r#"CDate("x")"#, &env),
        Err(ExprError::Eval(_))
    ));
}

#[test]
fn every_function_is_listed_once() {
    assert_eq!(Function::ALL.len(), 44);
    for f in Function::ALL {
        assert_eq!(Function::from_name(f.name()), Some(f));
        assert!(f.signature().starts_with(f.name()));
    }
}

#[test]
fn ignore_propagates_through_enclosing_calls() {
    // Choice (functions/mod.rs): a dropped value drops the whole attribute.
    let src = r#"Join(",", IgnoreFlowIfNullOrEmpty([x]), "a")"#;
    assert_eq!(eval(src, json!({})), Value::Ignore);
    assert_eq!(eval(src, json!({"x": "b"})), s("b,a"));
    // An untaken IIF branch is not evaluated, so it cannot drop anything.
    assert_eq!(
        eval(r#"IIF(True, "t", IgnoreFlowIfNullOrEmpty([x]))"#, json!({})),
        s("t")
    );
}

#[test]
fn app_role_assignments_outside_role_functions() {
    let attrs = json!({"appRoleAssignments": [
        {"id": "1", "value": "Admin", "displayName": "A"},
        {"id": "2", "value": "User", "displayName": "U"}
    ]});
    assert_eq!(
        eval(r#"Join(",", [appRoleAssignments])"#, attrs.clone()),
        s("Admin,User")
    );
    assert_eq!(eval("Count([appRoleAssignments])", attrs), Value::Number(2));
    let e = parse("SingleAppRoleAssignment([appRoleAssignments])").unwrap();
    assert_eq!(e.attributes(), vec!["appRoleAssignments"]);
    assert_eq!(e.role_style(), Some(RoleStyle::Single));
}

#[test]
fn coalesce_keeps_empty_strings() {
    // ref §6.3: "Returns the first source value that isn't NULL" — "" is not NULL.
    assert_eq!(eval(r#"Coalesce([a], "b")"#, json!({"a": ""})), s(""));
}

#[test]
fn guid_and_random_string_depend_on_the_seed() {
    let source = source(json!({}));
    let run = |seed| {
        let env = EvalEnv {
            source: &source,
            now: NOW,
            seed,
        };
        evaluate_str("Join(\"/\", Guid(), RandomString(12,2,2,2,2))", &env).unwrap()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}
