//! ref §6.3 documented examples, functions Append to IsString (reference order).

use super::*;

#[test]
fn append_suffix_to_user_principal_name() {
    // ref §6.3 Append: "John.Doe@contoso.com" → "John.Doe@contoso.com.test"
    let v = eval(
        r#"Append([userPrincipalName], ".test")"#,
        json!({"userPrincipalName": "John.Doe@contoso.com"}),
    );
    assert_eq!(v, s("John.Doe@contoso.com.test"));
}

#[test]
fn bit_and_of_hex_literals() {
    // ref §6.3 BitAnd: BitAnd(&HF, &HF7) → 7
    assert_eq!(eval("BitAnd(&HF, &HF7)", json!({})), Value::Number(7));
}

#[test]
fn cbool_of_attribute_comparison() {
    // ref §6.3 CBool: CBool([attribute1] = [attribute2]) is True when both are equal.
    let src = "CBool([attribute1] = [attribute2])";
    assert_eq!(
        eval(src, json!({"attribute1": "a", "attribute2": "a"})),
        Value::Boolean(true)
    );
    assert_eq!(
        eval(src, json!({"attribute1": "a", "attribute2": "b"})),
        Value::Boolean(false)
    );
    assert_eq!(
        target(src, json!({"attribute1": "a", "attribute2": "a"})),
        "True"
    );
}

#[test]
fn cdate_date_with_negative_offset() {
    // ref §6.3 CDate: "2020-03-16-07:00" → "3/16/2020 7:00:00 AM"
    assert_eq!(
        target(
            "CDate([StatusHireDate])",
            json!({"StatusHireDate": "2020-03-16-07:00"})
        ),
        "3/16/2020 7:00:00 AM"
    );
}

#[test]
fn cdate_date_with_positive_offset() {
    // ref §6.3 CDate: "2021-06-30+08:00" → "6/29/2021 4:00:00 PM"
    assert_eq!(
        target(r#"CDate("2021-06-30+08:00")"#, json!({})),
        "6/29/2021 4:00:00 PM"
    );
}

#[test]
fn cdate_date_time_with_offset() {
    // ref §6.3 CDate: "2009-06-15T01:45:30-07:00" → "6/15/2009 8:45:30 AM"
    assert_eq!(
        target(r#"CDate("2009-06-15T01:45:30-07:00")"#, json!({})),
        "6/15/2009 8:45:30 AM"
    );
}

#[test]
fn coalesce_skips_null_mail() {
    // ref §6.3 Coalesce: mail NULL, userPrincipalName "John.Doe@contoso.com" → the UPN.
    assert_eq!(
        eval(
            "Coalesce([mail],[userPrincipalName])",
            json!({"userPrincipalName": "John.Doe@contoso.com"})
        ),
        s("John.Doe@contoso.com")
    );
}

#[test]
fn coalesce_default_and_all_null() {
    // ref §6.3 Coalesce: default when all are NULL; NULL when no default.
    assert_eq!(
        eval(r#"Coalesce([a], [b], "default")"#, json!({})),
        s("default")
    );
    assert_eq!(eval("Coalesce([a], [b])", json!({})), Value::Null);
}

#[test]
fn convert_to_base64_is_utf16() {
    // ref §6.3 ConvertToBase64("Hello world!") → "SABlAGwAbABvACAAdwBvAHIAbABkACEA"
    assert_eq!(
        eval(r#"ConvertToBase64("Hello world!")"#, json!({})),
        s("SABlAGwAbABvACAAdwBvAHIAbABkACEA")
    );
}

#[test]
fn convert_to_utf8_hex() {
    // ref §6.3 ConvertToUTF8Hex("Hello world!") → 48656C6C6F20776F726C6421
    assert_eq!(
        eval(r#"ConvertToUTF8Hex("Hello world!")"#, json!({})),
        s("48656C6C6F20776F726C6421")
    );
}

#[test]
fn count_multi_valued_attribute() {
    // ref §6.3 Count: number of elements of a multi-valued attribute.
    assert_eq!(
        eval(
            "Count([proxyAddresses])",
            json!({"proxyAddresses": ["smtp:a@x", "SMTP:b@x"]})
        ),
        Value::Number(2)
    );
    assert_eq!(eval("Count([proxyAddresses])", json!({})), Value::Number(0));
}

#[test]
fn cstr_of_dn() {
    // ref §6.3 CStr([dn]) → "cn=Joe,dc=contoso,dc=com"
    assert_eq!(
        eval("CStr([dn])", json!({"dn": "cn=Joe,dc=contoso,dc=com"})),
        s("cn=Joe,dc=contoso,dc=com")
    );
    assert_eq!(eval("CStr(True)", json!({})), s("True"));
}

/// ref §6.3 DateAdd table: StatusHireDate 2012-03-16-07:00.
fn date_add(interval: &str, value: i64) -> String {
    target(
        &format!(r#"DateAdd("{interval}", {value}, CDate([StatusHireDate]))"#),
        json!({"StatusHireDate": "2012-03-16-07:00"}),
    )
}

#[test]
fn date_add_seven_days() {
    assert_eq!(date_add("d", 7), "3/23/2012 7:00:00 AM");
}

#[test]
fn date_add_minus_ten_days() {
    assert_eq!(date_add("d", -10), "3/6/2012 7:00:00 AM");
}

#[test]
fn date_add_two_weeks() {
    assert_eq!(date_add("ww", 2), "3/30/2012 7:00:00 AM");
}

#[test]
fn date_add_ten_months() {
    assert_eq!(date_add("m", 10), "1/16/2013 7:00:00 AM");
}

#[test]
fn date_add_two_years() {
    assert_eq!(date_add("yyyy", 2), "3/16/2014 7:00:00 AM");
}

/// ref §6.3 DateDiff table, both dates given as strings through CDate.
fn date_diff(interval: &str, date1: &str, date2: &str) -> Value {
    eval(
        &format!(r#"DateDiff("{interval}", CDate("{date1}"), CDate("{date2}"))"#),
        json!({}),
    )
}

#[test]
fn date_diff_positive_days() {
    assert_eq!(
        date_diff("d", "2021-08-18+08:00", "2021-08-31+08:00"),
        Value::Number(13)
    );
}

#[test]
fn date_diff_negative_days() {
    assert_eq!(
        date_diff("d", "8/25/2021 5:41:18 PM", "2012-03-16-07:00"),
        Value::Number(-3449)
    );
}

#[test]
fn date_diff_weeks() {
    assert_eq!(
        date_diff("ww", "8/25/2021 5:41:18 PM", "2012-03-16-07:00"),
        Value::Number(-493)
    );
}

#[test]
fn date_diff_months() {
    assert_eq!(
        date_diff("m", "8/25/2021 5:41:18 PM", "2012-03-16-07:00"),
        Value::Number(-113)
    );
}

#[test]
fn date_diff_years() {
    assert_eq!(
        date_diff("yyyy", "8/25/2021 5:41:18 PM", "2012-03-16-07:00"),
        Value::Number(-9)
    );
}

#[test]
fn date_diff_same_dates() {
    assert_eq!(
        date_diff("d", "2021-08-31+08:00", "2021-08-31+08:00"),
        Value::Number(0)
    );
}

#[test]
fn date_diff_hours() {
    assert_eq!(
        date_diff("h", "2021-08-24", "2021-08-25"),
        Value::Number(24)
    );
}

#[test]
fn date_diff_minutes() {
    assert_eq!(
        date_diff("n", "2021-08-24", "2021-08-25"),
        Value::Number(1440)
    );
}

#[test]
fn date_diff_seconds() {
    assert_eq!(
        date_diff("s", "2021-08-24", "2021-08-25"),
        Value::Number(86400)
    );
}

#[test]
fn date_diff_with_now_as_in_the_documented_expression() {
    // ref §6.3 DateDiff("d", Now(), CDate([StatusHireDate])) with Now() = 8/25/2021 5:41:18 PM.
    let v = eval_at(
        r#"DateDiff("d", Now(), CDate([StatusHireDate]))"#,
        json!({"StatusHireDate": "2012-03-16-07:00"}),
        datetime!(2021-08-25 17:41:18 UTC),
    );
    assert_eq!(v, Value::Number(-3449));
}

#[test]
fn date_diff_inside_switch_and_iif() {
    // upstream doc DateDiff Example 2: active only if the hire date is within five days.
    let src = r#"Switch([Active], ,
  "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"),
  "0", "False")"#;
    let hire_soon = json!({"Active": "1", "StatusHireDate": "2021-07-05"});
    let hire_later = json!({"Active": "1", "StatusHireDate": "2021-08-05"});
    assert_eq!(target(src, hire_soon), "True");
    assert_eq!(target(src, hire_later), "False");
    assert_eq!(target(src, json!({"Active": "0"})), "False");
}

#[test]
fn date_from_num_ad_timestamp() {
    // ref §6.3 DateFromNum(129699324000000000) → January 1, 2012 at 11:00PM
    let v = eval("DateFromNum(129699324000000000)", json!({}));
    assert_eq!(v, Value::DateTime(datetime!(2012-01-01 23:00 UTC)));
    assert_eq!(v.to_target_string().unwrap(), "1/1/2012 11:00:00 PM");
}

#[test]
fn format_date_time_generalized_time() {
    // ref §6.3 FormatDateTime: "20150123105347.1Z" → "2015-01-23"
    assert_eq!(
        eval(
            r#"FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")"#,
            json!({"extensionAttribute1": "20150123105347.1Z"})
        ),
        s("2015-01-23")
    );
}

#[test]
fn guid_is_a_v4_guid_and_deterministic() {
    // ref §6.3 Guid(): sample "00aa00aa-bb11-cc22-dd33-44ee44ee44ee" (random).
    let src = r#"Join(" ", Guid(), Guid())"#;
    let first = target(src, json!({}));
    assert_eq!(first, target(src, json!({})), "same seed, same GUIDs");
    let guids: Vec<&str> = first.split(' ').collect();
    assert_eq!(guids.len(), 2);
    assert_ne!(guids[0], guids[1], "each call draws a new GUID");
    for g in guids {
        let groups: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&g[14..15], "4");
        assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}

#[test]
fn ignore_flow_if_null_or_empty_department() {
    // ref §6.3 IgnoreFlowIfNullOrEmpty([department])
    let src = "IgnoreFlowIfNullOrEmpty([department])";
    assert_eq!(eval(src, json!({})), Value::Ignore);
    assert_eq!(eval(src, json!({"department": ""})), Value::Ignore);
    assert_eq!(eval(src, json!({"department": "Sales"})), s("Sales"));
    assert_eq!(Value::Ignore.to_scim_json(), None);
}

#[test]
fn ignore_flow_around_switch() {
    // upstream doc IgnoreFlowIfNullOrEmpty Example 2: no matching prefix → "" → dropped.
    let src = r#"IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))"#;
    assert_eq!(eval(src, json!({"prefix": "9999"})), Value::Ignore);
    assert_eq!(eval(src, json!({"prefix": "3444"})), s("Prof."));
}

#[test]
fn iif_country_or_department() {
    // ref §6.3 IIF([country]="USA",[country],[department])
    let src = r#"IIF([country]="USA",[country],[department])"#;
    assert_eq!(
        eval(src, json!({"country": "USA", "department": "Sales"})),
        s("USA")
    );
    assert_eq!(
        eval(src, json!({"country": "France", "department": "Sales"})),
        s("Sales")
    );
}

#[test]
fn iif_nested_for_and_and_or() {
    // upstream doc IIF known limitations: AND along the true path, OR along the false path.
    let and = r#"IIF([country]="USA",IIF([state]="CA","True","False"),"False")"#;
    let or = r#"IIF([country]="USA","True",IIF([state]="CA","True","False"))"#;
    let usa_ca = json!({"country": "USA", "state": "CA"});
    let usa_ny = json!({"country": "USA", "state": "NY"});
    let fr_ca = json!({"country": "France", "state": "CA"});
    assert_eq!(target(and, usa_ca.clone()), "True");
    assert_eq!(target(and, usa_ny.clone()), "False");
    assert_eq!(target(or, fr_ca), "True");
    assert_eq!(target(or, usa_ny), "True");
}

#[test]
fn iif_condition_fails_on_empty_attribute() {
    // ref §6.3: "If the source attribute used within the IIF function is empty or null, the
    // condition check fails." The documented unsupported forms therefore take the false branch.
    let empty = json!({"country": ""});
    assert_eq!(
        eval(r#"IIF([country]="","Other",[country])"#, empty.clone()),
        s("")
    );
    assert_eq!(
        eval(r#"IIF(IsNullOrEmpty([country]),"Other",[country])"#, empty),
        s("")
    );
    assert_eq!(
        eval(r#"IIF(IsPresent([country]),[country],"Other")"#, json!({})),
        s("Other")
    );
    // The recommended workaround: Switch([country],[country],"","Other").
    assert_eq!(
        eval(
            r#"Switch([country],[country],"","Other")"#,
            json!({"country": ""})
        ),
        s("Other")
    );
    assert_eq!(
        eval(
            r#"Switch([country],[country],"","Other")"#,
            json!({"country": "Peru"})
        ),
        s("Peru")
    );
}

#[test]
fn in_str_finds_quick() {
    // ref §6.3 InStr("The quick brown fox","quick") → 5
    assert_eq!(
        eval(r#"InStr("The quick brown fox","quick")"#, json!({})),
        Value::Number(5)
    );
}

#[test]
fn in_str_with_start_and_binary_compare() {
    // ref §6.3 InStr("repEated","e",3,vbBinaryCompare) → 7
    assert_eq!(
        eval(r#"InStr("repEated","e",3,vbBinaryCompare)"#, json!({})),
        Value::Number(7)
    );
    // vbTextCompare ignores case, so the "E" at 4 is found.
    assert_eq!(
        eval(r#"InStr("repEated","e",3,vbTextCompare)"#, json!({})),
        Value::Number(4)
    );
}

#[test]
fn is_null_is_absence() {
    // ref §6.3 IsNull: "a Null is expressed by the absence of the attribute"
    assert_eq!(
        eval("IsNull([displayName])", json!({})),
        Value::Boolean(true)
    );
    assert_eq!(
        eval("IsNull([displayName])", json!({"displayName": ""})),
        Value::Boolean(false)
    );
}

#[test]
fn is_null_or_empty_and_is_present() {
    // ref §6.3 IsNullOrEmpty / IsPresent are inverses.
    for (attrs, empty) in [
        (json!({}), true),
        (json!({"displayName": ""}), true),
        (json!({"displayName": "x"}), false),
    ] {
        assert_eq!(
            eval("IsNullOrEmpty([displayName])", attrs.clone()),
            Value::Boolean(empty)
        );
        assert_eq!(
            eval("IsPresent([displayName])", attrs),
            Value::Boolean(!empty)
        );
    }
}

#[test]
fn is_present_manager_chain() {
    // ref §6.3 IsPresent example, evaluated with the documented Switch semantics
    // Switch(source, default, key1, value1, ...): the source IsPresent([directManager]) is
    // compared with the keys IsPresent([skiplevelManager]) and IsPresent([director]). It is
    // therefore not a fallback chain: with only a director, "False" matches the first key and
    // the (absent) skip-level manager is returned.
    let src = "Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])";
    assert_eq!(
        eval(
            src,
            json!({"directManager": "m1", "skiplevelManager": "m2"})
        ),
        s("m2")
    );
    assert_eq!(eval(src, json!({"directManager": "m1"})), s("m1"));
    assert_eq!(eval(src, json!({"director": "d"})), Value::Null);
}

#[test]
fn is_string_only_for_strings() {
    assert_eq!(eval(r#"IsString("x")"#, json!({})), Value::Boolean(true));
    assert_eq!(eval("IsString(True)", json!({})), Value::Boolean(false));
    assert_eq!(eval("IsString([x])", json!({})), Value::Boolean(false));
}
