//! Property tests: no input makes `parse` or `evaluate` panic or run away.
//!
//! The case count is proptest's default (256) unless `PROPTEST_CASES` is set, e.g.
//! `PROPTEST_CASES=200000 cargo test --release props`.

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::super::limits::MAX_STRING_BYTES;
use super::*;

fn config() -> Config {
    Config {
        // Failures are reported, not written next to the sources (the folder moves as is).
        failure_persistence: None,
        ..Config::default()
    }
}

/// Pieces of the grammar, glued at random by `token_soup`.
const TOKENS: &[&str] = &[
    "(",
    ")",
    ",",
    " ",
    "\n",
    "[",
    "]",
    "[a]",
    "[appRoleAssignments]",
    "\"",
    "\"x\"",
    "\\",
    "\\\"",
    "=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "&H",
    "&HF7",
    "&",
    "-",
    "-1",
    "0",
    "99999999999999999999",
    "True",
    "False",
    "vbTextCompare",
    "Join",
    "IIF",
    "Switch",
    "Replace",
    "Left",
    "Guid",
    "SelectUniqueValue",
    "SingleAppRoleAssignment",
    "toLower",
    "FormatDateTime",
    "Word",
    "é",
    "#",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|parts| parts.concat())
}

/// String constants that steer functions into their interesting paths.
const TEXTS: &[&str] = &[
    "",
    " ",
    "x",
    "True",
    "False",
    "0",
    "1",
    "-3",
    "&HFF",
    "d",
    "ww",
    "m",
    "yyyy",
    "q",
    "h",
    "n",
    "s",
    "2020-03-16-07:00",
    "2009-06-15T01:45:30-07:00",
    "8/25/2021 5:41:18 PM",
    "9999-12-31",
    "0001-01-01",
    "yyyyMMddHHmmss.fZ",
    "yyyy-MM-dd",
    "M/d/yyyy hh:mm:ss tt",
    "o",
    "G",
    "K",
    "%",
    "'",
    "\\",
    "20150123105347.1Z",
    "(?<g>\\d+)",
    "g",
    "[a-z]*",
    "(",
    "a{1000}{1000}",
    "${g}",
    "$1",
    "$$",
    "$&",
    "$'",
    "$`",
    "$+",
    "$_",
    "tr-TR",
    "en-US",
    "bad culture",
    "DateTimeStyles.AdjustToUniversal, AllowWhiteSpaces",
    "Bogus",
    ",",
    " '-",
    "vbTextCompare",
    "129699324000000000",
    "9223372036854775807",
    "Zoë Æsir",
    "PINTO-DE'SILVA",
    "Ⅻ ǆ ß İ ı",
];

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn leaf() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(
            &[
                "[a]",
                "[b]",
                "[multi]",
                "[date]",
                "[num]",
                "[flag]",
                "[empty]",
                "[missing]",
                "[appRoleAssignments]",
                "True",
                "False",
                "vbTextCompare",
                "vbBinaryCompare",
                "&HF",
                "&HFFFFFFFFFFFFFFFF",
                "Now()",
                "Guid()",
            ][..]
        )
        .prop_map(String::from),
        prop::sample::select(TEXTS).prop_map(quoted),
        any::<String>().prop_map(|s| quoted(&s)),
        (-400i64..400).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
    ]
    .boxed()
}

/// A call of `function` with `args` trimmed or padded to an accepted count.
fn call(function: Function, mut args: Vec<Option<String>>) -> String {
    if function.is_role_function() {
        return format!("{}([appRoleAssignments])", function.name());
    }
    let max = function
        .max_args()
        .unwrap_or(args.len().max(function.min_args()));
    args.truncate(max);
    while args.len() < function.min_args() || !function.accepts_arg_count(args.len()) {
        args.push(Some("[a]".into()));
    }
    // A lone omitted argument would print as "F()", which is zero arguments.
    if let [only @ None] = args.as_mut_slice() {
        *only = Some("[a]".into());
    }
    let args: Vec<String> = args.into_iter().map(Option::unwrap_or_default).collect();
    if args.is_empty() {
        format!("{}()", function.name())
    } else {
        format!("{}({})", function.name(), args.join(", "))
    }
}

const OPERATORS: &[&str] = &["=", "<>", ">", ">=", "<", "<="];

/// Well-formed expressions over every function but SelectUniqueValue (top level only).
fn expression() -> BoxedStrategy<String> {
    let nestable: Vec<Function> = Function::ALL
        .into_iter()
        .filter(|f| *f != Function::SelectUniqueValue)
        .collect();
    leaf()
        .prop_recursive(6, 48, 8, move |inner| {
            let argument = prop_oneof![
                4 => inner.clone().prop_map(Some),
                1 => Just(None),
                1 => (inner.clone(), prop::sample::select(OPERATORS), inner.clone())
                    .prop_map(|(l, op, r)| Some(format!("{l} {op} {r}"))),
            ];
            (
                prop::sample::select(nestable.clone()),
                prop::collection::vec(argument, 0..8),
            )
                .prop_map(|(function, args)| call(function, args))
        })
        .boxed()
}

fn top_level() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => expression(),
        1 => prop::collection::vec(expression(), 2..4)
            .prop_map(|rules| format!("SelectUniqueValue({})", rules.join(", "))),
    ]
}

fn scalar_json() -> BoxedStrategy<Json> {
    prop_oneof![
        prop::sample::select(TEXTS).prop_map(|s| json!(s)),
        any::<String>().prop_map(|s| json!(s)),
        any::<bool>().prop_map(|b| json!(b)),
        any::<i64>().prop_map(|n| json!(n)),
        Just(Json::Null),
    ]
    .boxed()
}

fn attribute_json() -> BoxedStrategy<Json> {
    prop_oneof![
        3 => scalar_json(),
        1 => prop::collection::vec(scalar_json(), 0..6).prop_map(Json::Array),
    ]
    .boxed()
}

fn user() -> impl Strategy<Value = Json> {
    let role = (any::<u8>(), prop::sample::select(TEXTS)).prop_map(|(id, value)| {
        json!({"id": format!("00000000-0000-0000-0000-{id:012}"), "value": value, "displayName": value})
    });
    (
        prop::collection::vec(attribute_json(), 8),
        prop::collection::vec(role, 0..4),
    )
        .prop_map(|(values, roles)| {
            let names = [
                "a",
                "b",
                "multi",
                "date",
                "num",
                "flag",
                "empty",
                "IsSoftDeleted",
            ];
            let mut object = serde_json::Map::new();
            for (name, value) in names.iter().zip(values) {
                object.insert((*name).to_string(), value);
            }
            object.insert("appRoleAssignments".into(), Json::Array(roles));
            Json::Object(object)
        })
}

/// Virtual clocks across the whole range `time` supports, .NET's range and beyond.
fn clock() -> impl Strategy<Value = time::OffsetDateTime> {
    prop_oneof![
        Just(time::macros::datetime!(2021-07-02 15:33:38 UTC)),
        (-377_705_116_800i64..=253_402_300_799)
            .prop_map(|t| time::OffsetDateTime::from_unix_timestamp(t).unwrap()),
    ]
}

fn check_value(value: &Value) {
    if let Value::String(s) = value {
        assert!(s.len() <= MAX_STRING_BYTES);
    }
    let _ = value.to_target_string();
    let _ = value.to_scim_json();
    let _ = value.roles_patch_operation();
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn props_parse_arbitrary_text(
        src in prop_oneof![any::<String>(), "[\\[\\](),\"A-Za-z0-9&=<>_ .:\\\\-]{0,80}"],
    ) {
        if let Ok(expr) = parse(&src) {
            prop_assert_eq!(parse(&expr.to_string()).ok(), Some(expr));
        }
    }

    #[test]
    fn props_parse_token_soup(src in token_soup()) {
        match parse(&src) {
            Ok(expr) => prop_assert_eq!(parse(&expr.to_string()).ok(), Some(expr)),
            Err(err) => {
                prop_assert!(err.offset <= src.chars().count());
                prop_assert!(err.line >= 1 && err.column >= 1);
                let _ = err.render(&src);
            }
        }
    }

    #[test]
    fn props_parse_truncated_expressions(src in top_level(), cut in any::<prop::sample::Index>()) {
        let chars: Vec<char> = src.chars().collect();
        let prefix: String = chars.iter().take(cut.index(chars.len() + 1)).collect();
        if let Err(err) = parse(&prefix) {
            prop_assert!(err.offset <= chars.len());
            let _ = err.render(&prefix);
        }
    }

    #[test]
    fn props_evaluate_generated_expressions(
        src in top_level(),
        attrs in user(),
        now in clock(),
        seed in any::<u64>(),
    ) {
        let expr = parse(&src).map_err(|e| TestCaseError::fail(format!("{e}\n{}", e.render(&src))))?;
        prop_assert_eq!(parse(&expr.to_string()).ok(), Some(expr.clone()));
        let _ = (expr.attributes(), expr.function_names(), expr.is_redacted());
        let source = JsonSource::new(attrs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let env = EvalEnv { source: &source, now, seed };
        let first = evaluate(&expr, &env);
        if let Ok(value) = &first {
            check_value(value);
        }
        // Deterministic: same seed and clock, same result.
        prop_assert_eq!(first, evaluate(&expr, &env));
    }
}
