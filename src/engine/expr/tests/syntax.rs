//! Parser behaviour: errors, limits, literals, printing.

use super::*;

#[test]
fn parse_error_display_and_render() {
    let src = r#"Join(",", [a] [b])"#;
    let err = parse(src).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column 15: expected ')' or ',' after argument"
    );
    assert_eq!(err.offset, 14);
    assert_eq!(err.expected, vec!["')'", "','"]);
    assert_eq!(err.render(src), format!("{src}\n{}^", " ".repeat(14)));
}

#[test]
fn parse_error_on_second_line() {
    let src = "Join(\",\",\n  [a], \"x)";
    let err = parse(src).unwrap_err();
    assert_eq!((err.line, err.column), (2, 8));
    assert!(err.message.contains("unterminated string"));
    assert_eq!(err.render(src), "  [a], \"x)\n       ^");
}

#[test]
fn function_names_are_case_sensitive() {
    // ref §6.3: "The syntax is case-sensitive"
    let err = parse("toLower([mail])").unwrap_err();
    assert!(err.message.contains("unknown function 'toLower'"), "{err}");
    assert!(err.message.contains("ToLower"), "{err}");
}

#[test]
fn wrong_argument_count_names_the_signature() {
    let err = parse(r#"Left("x")"#).unwrap_err();
    assert_eq!(
        err.message,
        "Left takes 2 arguments, got 1: Left(string, numChars)"
    );
    let err = parse(r#"Switch([a], "d", "k")"#).unwrap_err();
    assert!(err.message.contains("even number"), "{err}");
    assert!(parse("Guid(1)").is_err());
}

#[test]
fn expression_length_limit() {
    // ref §4.5: "Attribute-mapping expressions can have a maximum of 10,000 characters."
    let at_limit = format!("\"{}\"", "x".repeat(MAX_EXPRESSION_CHARS - 2));
    assert!(parse(&at_limit).is_ok());
    let over = format!("\"{}\"", "x".repeat(MAX_EXPRESSION_CHARS - 1));
    let err = parse(&over).unwrap_err();
    assert_eq!(err.offset, MAX_EXPRESSION_CHARS);
    assert!(err.message.contains("10000"), "{err}");
}

#[test]
fn nesting_limit_is_an_error_not_a_crash() {
    let nested = |depth: usize| format!("{}[a]{}", "ToLower(".repeat(depth), ")".repeat(depth));
    assert!(parse(&nested(MAX_CALL_DEPTH)).is_ok());
    let err = parse(&nested(MAX_CALL_DEPTH + 1)).unwrap_err();
    assert!(err.message.contains("nested too deeply"), "{err}");
    assert!(parse(&"ToLower(".repeat(5000)).is_err());
}

#[test]
fn omitted_arguments_are_kept_in_place() {
    let e = parse(r#"Replace([mobile], , "[()\\s-]+", , "", , )"#).unwrap();
    assert_eq!(
        e.to_string(),
        r#"Replace([mobile], , "[()\\s-]+", , "", , )"#
    );
    assert!(parse("Coalesce(,)").is_ok());
}

#[test]
fn literals_and_operators() {
    assert_eq!(eval("Left(\"abcdef\", &H3)", json!({})), s("abc"));
    assert_eq!(
        eval("DateAdd(\"d\", -1, \"2020-01-02\")", json!({})),
        Value::DateTime(datetime!(2020-01-01 0:00 UTC))
    );
    for (op, expected) in [
        ("=", false),
        ("<>", true),
        (">", true),
        (">=", true),
        ("<", false),
        ("<=", false),
    ] {
        assert_eq!(
            eval(&format!("CBool(10 {op} 9)"), json!({})),
            Value::Boolean(expected),
            "{op}"
        );
    }
    // Numbers compare numerically against integer strings.
    assert_eq!(
        eval(r#"CBool([n] > 9)"#, json!({"n": "10"})),
        Value::Boolean(true)
    );
    // Strings compare ordinally.
    assert_eq!(eval(r#"CBool("b" > "a")"#, json!({})), Value::Boolean(true));
    assert_eq!(eval("CBool(True)", json!({})), Value::Boolean(true));
}

#[test]
fn escaped_string_constants() {
    // ref §6.3: backslash and quotation mark are escaped with a backslash, e.g.
    // "Company name: \"Contoso\"".
    assert_eq!(
        eval(r#"Append("Company name: \"Contoso\"", "\\")"#, json!({})),
        s("Company name: \"Contoso\"\\")
    );
}

#[test]
fn attribute_names_with_punctuation() {
    let e = parse("Join(\" \", [extension_abc-1.x:y], [IsSoftDeleted], [mail], [mail])").unwrap();
    assert_eq!(
        e.attributes(),
        vec!["extension_abc-1.x:y", "IsSoftDeleted", "mail"]
    );
    assert_eq!(e.function_names(), vec!["Join"]);
    assert!(parse("[has space]").is_err());
    assert!(parse("[]").is_err());
}

#[test]
fn bare_attribute_and_constant_expressions() {
    let e = parse("[mailNickname]").unwrap();
    assert_eq!(e.as_attribute(), Some("mailNickname"));
    assert_eq!(eval("\"constant\"", json!({})), s("constant"));
}

#[test]
fn display_round_trips() {
    let src = "  IIF( [country]=\"USA\" ,Switch([x], , \"a\\\\b\", &HFF, \"k\", -5),vbTextCompare)";
    let e = parse(src).unwrap();
    let printed = e.to_string();
    assert_eq!(
        printed,
        r#"IIF([country] = "USA", Switch([x], , "a\\b", &HFF, "k", -5), vbTextCompare)"#
    );
    assert_eq!(parse(&printed).unwrap(), e);
}

#[test]
fn select_unique_value_must_be_top_level() {
    // ref §6.3: "This function must be at the top-level and can't be nested."
    assert!(parse(r#"ToLower(SelectUniqueValue("a", "b"))"#).is_err());
    assert!(parse(r#"SelectUniqueValue("a", "b") = "a""#).is_err());
    assert!(parse(r#"SelectUniqueValue("a", "b")"#).is_ok());
}
