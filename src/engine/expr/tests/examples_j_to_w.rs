//! ref §6.3 documented examples, functions Item to Word (reference order).

use super::*;

#[test]
fn item_is_one_based() {
    // ref §6.3 Item([proxyAddresses], 1) returns the first item; index 0 shouldn't be used.
    let attrs = json!({"proxyAddresses": ["SMTP:a@x", "smtp:b@x"]});
    assert_eq!(
        eval("Item([proxyAddresses], 1)", attrs.clone()),
        s("SMTP:a@x")
    );
    assert_eq!(
        eval("Item([proxyAddresses], 2)", attrs.clone()),
        s("smtp:b@x")
    );
    assert_eq!(
        eval("Item([proxyAddresses], 0)", attrs.clone()),
        Value::Null
    );
    assert_eq!(eval("Item([proxyAddresses], 3)", attrs), Value::Null);
}

#[test]
fn join_comma_between_last_and_first_name() {
    // ref §6.3 Join(", ", "", [surname], [givenName]) → "Doe, John"
    assert_eq!(
        eval(
            r#"Join(", ", "", [surname], [givenName])"#,
            json!({"givenName": "John", "surname": "Doe"})
        ),
        s("Doe, John")
    );
}

#[test]
fn join_flattens_multi_valued_sources() {
    // ref §6.3 Join: "every value in that attribute is joined together"
    assert_eq!(
        eval(r#"Join(";", [a], "z")"#, json!({"a": ["x", "y"]})),
        s("x;y;z")
    );
}

#[test]
fn left_examples_and_rules() {
    // ref §6.3 Left("John Doe", 3) → "Joh"; numChars 0 → ""; < 0 → input; null → "".
    assert_eq!(eval(r#"Left("John Doe", 3)"#, json!({})), s("Joh"));
    assert_eq!(eval(r#"Left("John Doe", 0)"#, json!({})), s(""));
    assert_eq!(eval(r#"Left("John Doe", -1)"#, json!({})), s("John Doe"));
    assert_eq!(eval(r#"Left("John Doe", 30)"#, json!({})), s("John Doe"));
    assert_eq!(eval("Left([missing], 3)", json!({})), s(""));
}

#[test]
fn mid_alias_from_first_and_last_name() {
    // ref §6.3 Append(Mid([givenName], 1, 3), Mid([surname], 1, 5)): John/Doe → "JohDoe"
    assert_eq!(
        eval(
            "Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))",
            json!({"givenName": "John", "surname": "Doe"})
        ),
        s("JohDoe")
    );
}

#[test]
fn normalize_diacritics_zoe() {
    // ref §6.3 NormalizeDiacritics: "Zoë" → "Zoe"
    assert_eq!(
        eval(
            "NormalizeDiacritics([givenName])",
            json!({"givenName": "Zoë"})
        ),
        s("Zoe")
    );
}

#[test]
fn normalize_diacritics_table_samples() {
    // ref §6.3 "(e.g. æ→ae, ø→oe, ß→ss)" and rows of the upstream table.
    let pairs = [
        ("æ", "ae"),
        ("Ǣ", "AE"),
        ("ø", "oe"),
        ("Œ̄", "OE"),
        ("ß", "ss"),
        ("ā́", "a"),
        ("Ł", "L"),
        ("ḏ", "d"),
        ("ı", "i"),
        ("İ", "I"),
        ("Ṻ", "U"),
        ("ȳ̃", "y"),
        ("Ẕ", "Z"),
        ("Jéssica Smith", "Jessica Smith"),
    ];
    for (input, expected) in pairs {
        assert_eq!(
            eval(&format!(r#"NormalizeDiacritics("{input}")"#), json!({})),
            s(expected),
            "{input}"
        );
    }
}

#[test]
fn not_flips_booleans() {
    // ref §6.3 Not: flips "True"/"False".
    assert_eq!(target(r#"Not("True")"#, json!({})), "False");
    assert_eq!(target(r#"Not("False")"#, json!({})), "True");
    assert_eq!(
        target("Not([IsSoftDeleted])", json!({"IsSoftDeleted": true})),
        "False"
    );
}

#[test]
fn now_uses_the_virtual_clock() {
    // ref §6.3 Now(): e.g. 7/2/2021 3:33:38 PM
    assert_eq!(target("Now()", json!({})), "7/2/2021 3:33:38 PM");
}

#[test]
fn num_from_date_workday_contract_end() {
    // upstream doc NumFromDate Workday example: end of 2020-12-31 at -08:00.
    let v = eval(
        r#"NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))"#,
        json!({"ContractEndDate": "2020-12-31-08:00"}),
    );
    assert_eq!(v, Value::Number(132_539_615_990_000_000));
}

#[test]
fn num_from_date_successfactors_end_date() {
    // upstream doc NumFromDate SuccessFactors example.
    let v = eval(
        r#"NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")," 23:59:59-08:00"))"#,
        json!({"endDate": "12/31/2020 10:00:00 AM"}),
    );
    assert_eq!(v, Value::Number(132_539_615_990_000_000));
}

#[test]
fn num_from_date_and_date_from_num_round_trip() {
    assert_eq!(
        eval(r#"NumFromDate("2012-01-01T23:00:00Z")"#, json!({})),
        Value::Number(129_699_324_000_000_000)
    );
}

#[test]
fn pcase_default_separators() {
    // ref §6.3 PCase([firstName]): "PABLO GONSALVES (SECOND)" → "Pablo Gonsalves (Second)"
    assert_eq!(
        eval(
            "PCase([firstName])",
            json!({"firstName": "PABLO GONSALVES (SECOND)"})
        ),
        s("Pablo Gonsalves (Second)")
    );
}

#[test]
fn pcase_custom_separators() {
    // ref §6.3 PCase([lastName]," '-"): "PINTO-DE'SILVA" → "Pinto-De'Silva"
    assert_eq!(
        eval(
            r#"PCase([lastName]," '-")"#,
            json!({"lastName": "PINTO-DE'SILVA"})
        ),
        s("Pinto-De'Silva")
    );
}

#[test]
fn pcase_of_join() {
    // upstream doc PCase(Join(" ",[firstName],[lastName])): GREGORY JAMES → "Gregory James"
    assert_eq!(
        eval(
            r#"PCase(Join(" ",[firstName],[lastName]))"#,
            json!({"firstName": "GREGORY", "lastName": "JAMES"})
        ),
        s("Gregory James")
    );
}

#[test]
fn random_string_three_numbers_three_lower() {
    // ref §6.3 RandomString(6,3,0,0,3), e.g. "1a73qt"
    let out = target("RandomString(6,3,0,0,3)", json!({}));
    assert_eq!(out.chars().count(), 6);
    assert_eq!(out.chars().filter(char::is_ascii_digit).count(), 3);
    assert_eq!(out.chars().filter(char::is_ascii_lowercase).count(), 3);
}

#[test]
fn random_string_with_avoided_characters() {
    // upstream doc RandomString(10,2,2,2,1,"?,"), e.g. "1@!2BaRg53"
    let out = target(r#"RandomString(10,2,2,2,1,"?,")"#, json!({}));
    assert_eq!(out.chars().count(), 10);
    assert!(out.chars().filter(char::is_ascii_digit).count() >= 2);
    assert!(out.chars().filter(|c| !c.is_ascii_alphanumeric()).count() >= 2);
    assert!(out.chars().filter(char::is_ascii_uppercase).count() >= 2);
    assert!(out.chars().filter(char::is_ascii_lowercase).count() >= 1);
    assert!(!out.contains('?') && !out.contains(','));
}

#[test]
fn random_string_limit_is_256() {
    // ref §6.3 RandomString: "256 characters max"
    assert_eq!(
        target("RandomString(256,0,0,0,0)", json!({}))
            .chars()
            .count(),
        256
    );
    let err = eval_err("RandomString(257,0,0,0,0)", json!({}));
    assert_eq!(err.function.as_deref(), Some("RandomString"));
}

#[test]
fn redact_keeps_the_value_and_marks_the_expression() {
    // ref §6.3 Redact([userPrincipalName]): the value flows, logs show "[Redact]".
    let src = "Redact([userPrincipalName])";
    assert_eq!(eval(src, json!({"userPrincipalName": "a@b"})), s("a@b"));
    assert!(parse(src).unwrap().is_redacted());
    assert!(
        parse("Redact(RandomString(6,3,0,0,3))")
            .unwrap()
            .is_redacted()
    );
    assert!(!parse("[userPrincipalName]").unwrap().is_redacted());
}

#[test]
fn remove_duplicates_keeps_first_occurrences() {
    // ref §6.3 RemoveDuplicates([proxyAddresses])
    assert_eq!(
        eval(
            "RemoveDuplicates([proxyAddresses])",
            json!({"proxyAddresses": ["a", "b", "a", "c", "b"]})
        ),
        Value::Multi(vec![s("a"), s("b"), s("c")])
    );
}

#[test]
fn replace_old_value_with_replacement_value() {
    // upstream doc Replace Example 1: "Product Developer" → "Software Engineer"
    assert_eq!(
        eval(
            r#"Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )"#,
            json!({"BusinessTitle": "Product Developer"})
        ),
        s("Software Engineer")
    );
}

#[test]
fn replace_template() {
    // ref §6.3 Replace([UserID],"<username>", , , , , "<username>@contoso.com"): "jsmith" →
    // "jsmith@contoso.com"
    assert_eq!(
        eval(
            r#"Replace([UserID],"<username>", , , , , "<username>@contoso.com")"#,
            json!({"UserID": "jsmith"})
        ),
        s("jsmith@contoso.com")
    );
}

#[test]
fn replace_regex_with_named_group_substitution() {
    // upstream doc Replace Example 3: "+91 9998887777" → 9998887777
    assert_eq!(
        eval(
            r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )"#,
            json!({"telephoneNumber": "+91 9998887777"})
        ),
        s("9998887777")
    );
}

#[test]
fn replace_regex_strips_phone_punctuation() {
    // ref §6.3 Replace([mobile], , "[()\\s-]+", , "", , ): "+1 (999) 888-7777" is documented
    // as 19998887777, but the class [()\s-] has no "+", so no regex engine (.NET included)
    // removes it: the documented output is not reachable and is not used as the oracle.
    let v = eval(
        r#"Replace([mobile], , "[()\\s-]+", , "", , )"#,
        json!({"mobile": "+1 (999) 888-7777"}),
    );
    assert_eq!(v, s("+19998887777"));
}

#[test]
fn replace_regex_group_with_value() {
    // upstream doc Replace Example 4: "545 Tremont Street" → "888 Tremont Street"
    assert_eq!(
        eval(
            r#"Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )"#,
            json!({"AddressLineData": "545 Tremont Street"})
        ),
        s("888 Tremont Street")
    );
}

#[test]
fn replace_regex_group_removes_upn_suffix() {
    // ref §6.3 Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , ) → jsmith
    assert_eq!(
        eval(
            r#"Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )"#,
            json!({"userPrincipalName": "jsmith@contoso.com"})
        ),
        s("jsmith")
    );
}

#[test]
fn replace_from_replacement_attribute_when_source_empty() {
    // upstream doc Replace Example 5: telephoneNumber "" and mobile "+91 8887779999" → 8887779999
    let src = r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )"#;
    assert_eq!(
        eval(
            src,
            json!({"telephoneNumber": "", "mobile": "+91 8887779999"})
        ),
        s("8887779999")
    );
    assert_eq!(
        eval(
            src,
            json!({"telephoneNumber": "+1 5550000000", "mobile": "+91 8887779999"})
        ),
        s("+1 5550000000")
    );
}

#[test]
fn replace_regex_removes_letters() {
    // upstream doc Replace Example 6: "john_doe72" → "72"
    assert_eq!(
        eval(
            r#"Replace([mailNickname], , "[a-zA-Z_]*", , "", , )"#,
            json!({"mailNickname": "john_doe72"})
        ),
        s("72")
    );
}

#[test]
fn replace_strips_known_domain() {
    // ref §6.3 Replace([mail], "@contoso.com", , ,"", ,): "john.doe@contoso.com" → "john.doe"
    assert_eq!(
        eval(
            r#"Replace([mail], "@contoso.com", , ,"", ,)"#,
            json!({"mail": "john.doe@contoso.com"})
        ),
        s("john.doe")
    );
}

#[test]
fn join_1000_and_hex_digits_of_object_id() {
    // ref §6.3 flags the documented output of this example as not matching its input, so it is
    // not an oracle. This is what the implementation gives: the UTF-8 hex of the object id with
    // the letters (hex A-F) removed, after "1000".
    assert_eq!(
        eval(
            r#"Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))"#,
            json!({"objectId": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"})
        ),
        s("100030306161303061612626231312636332322646433332343465653434656534346565")
    );
}

#[test]
fn select_unique_value_returns_first_rule() {
    // ref §6.3 SelectUniqueValue: uniqueness in the target is not checked here (the reference
    // says it is only supported for AD targets); the first rule's value is returned.
    let src = r#"SelectUniqueValue(
        Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
        Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
        Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com")
    )"#;
    let attrs = json!({"PreferredFirstName": "John", "PreferredLastName": "Smith"});
    assert_eq!(eval(src, attrs.clone()), s("John.Smith@contoso.com"));
    let rules = parse(src).unwrap().unique_value_rules().unwrap();
    assert_eq!(rules.len(), 3);
    let source = source(attrs);
    let env = EvalEnv {
        source: &source,
        now: NOW,
        seed: 0,
    };
    assert_eq!(evaluate(&rules[1], &env).unwrap(), s("J.Smith@contoso.com"));
    assert_eq!(
        evaluate(&rules[2], &env).unwrap(),
        s("Jo.Smith@contoso.com")
    );
}

#[test]
fn split_comma_list() {
    // ref §6.3 Split([extensionAttribute5], ","): "PermissionSetOne, PermissionSetTwo" →
    // ["PermissionSetOne", "PermissionSetTwo"] (items trimmed, as the example shows).
    let v = eval(
        r#"Split([extensionAttribute5], ",")"#,
        json!({"extensionAttribute5": "PermissionSetOne, PermissionSetTwo"}),
    );
    assert_eq!(
        v,
        Value::Multi(vec![s("PermissionSetOne"), s("PermissionSetTwo")])
    );
    assert_eq!(
        v.to_scim_json(),
        Some(json!(["PermissionSetOne", "PermissionSetTwo"]))
    );
}

#[test]
fn strip_spaces_removes_only_spaces() {
    assert_eq!(eval("StripSpaces(\" a b\tc \")", json!({})), s("ab\tc"));
}

#[test]
fn switch_state_to_time_zone() {
    // ref §6.3 Switch([state], "Australia/Sydney", "NSW", ...): "QLD" → "Australia/Brisbane"
    let src = r#"Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")"#;
    assert_eq!(eval(src, json!({"state": "QLD"})), s("Australia/Brisbane"));
    assert_eq!(eval(src, json!({"state": "WA"})), s("Australia/Sydney"));
    assert_eq!(eval(src, json!({"state": "qld"})), s("Australia/Sydney"));
}

#[test]
fn switch_is_soft_deleted_computes_active() {
    // ref §3.2/§6.1: active ← Switch([IsSoftDeleted], , "False", "True", "True", "False")
    let src = r#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#;
    assert_eq!(eval(src, json!({"IsSoftDeleted": "False"})), s("True"));
    assert_eq!(eval(src, json!({"IsSoftDeleted": "True"})), s("False"));
    assert_eq!(eval(src, json!({"IsSoftDeleted": false})), s("True"));
    assert_eq!(eval(src, json!({"isSoftDeleted": true})), s("False"));
    // The string is what goes on the wire (Appendix A: "value": "False").
    assert_eq!(
        eval(src, json!({"IsSoftDeleted": true})).to_scim_json(),
        Some(json!("False"))
    );
}

#[test]
fn switch_default_value_workaround() {
    // ref §6.1 Switch(IsPresent([jobTitle]), "DefaultValue", "True", [jobTitle])
    let src = r#"Switch(IsPresent([jobTitle]), "DefaultValue", "True", [jobTitle])"#;
    assert_eq!(eval(src, json!({"jobTitle": "CEO"})), s("CEO"));
    assert_eq!(eval(src, json!({})), s("DefaultValue"));
}

#[test]
fn switch_case_insensitive_through_to_lower() {
    // upstream doc Switch note: Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")
    let src = r#"Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")"#;
    assert_eq!(eval(src, json!({"statusFlag": "TRUE"})), s("1"));
    assert_eq!(eval(src, json!({"statusFlag": "False"})), s("0"));
}

#[test]
fn switch_empty_key_matches_empty_source() {
    // upstream doc Switch caution: Switch([statusFlag], "Default Value", "true", "1", "", "0")
    let src = r#"Switch([statusFlag], "Default Value", "true", "1", "", "0")"#;
    assert_eq!(eval(src, json!({"statusFlag": ""})), s("0"));
    assert_eq!(eval(src, json!({})), s("0"));
    assert_eq!(eval(src, json!({"statusFlag": "x"})), s("Default Value"));
}

#[test]
fn to_lower_generated_upn() {
    // ref §6.3 ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", ...)))), ...)
    assert_eq!(
        eval(
            r#"ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))"#,
            json!({"PreferredFirstName": "John", "PreferredLastName": "Smith"})
        ),
        s("john.smith@contoso.com")
    );
}

#[test]
fn to_upper_and_cultures() {
    assert_eq!(eval(r#"ToUpper("straße")"#, json!({})), s("STRAßE"));
    assert_eq!(
        eval(r#"ToUpper("istanbul", "tr-TR")"#, json!({})),
        s("İSTANBUL")
    );
    assert_eq!(
        eval(r#"ToLower("ISTANBUL", "en-US")"#, json!({})),
        s("istanbul")
    );
    assert_eq!(
        eval_err(r#"ToLower("x", "not a culture")"#, json!({}))
            .function
            .as_deref(),
        Some("ToLower")
    );
}

#[test]
fn word_third_word() {
    // ref §6.3 Word("The quick brown fox",3," ") → "brown"
    assert_eq!(
        eval(r#"Word("The quick brown fox",3," ")"#, json!({})),
        s("brown")
    );
}

#[test]
fn word_with_several_delimiters() {
    // ref §6.3 Word("This,string!has&many separators",3,",!&#") → "has"
    assert_eq!(
        eval(
            r#"Word("This,string!has&many separators",3,",!&#")"#,
            json!({})
        ),
        s("has")
    );
    assert_eq!(eval(r#"Word("a b",0," ")"#, json!({})), s(""));
    assert_eq!(eval(r#"Word("a b",3," ")"#, json!({})), s(""));
}
