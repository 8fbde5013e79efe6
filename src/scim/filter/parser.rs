//! Recursive-descent parser for filters (RFC 7644 Figure 1) and PATCH paths (Figure 7).

use super::lexer::{Token, tokenize};
use super::{AttrPath, CompValue, CompareOp, Filter, MAX_DEPTH, PatchPath, Test};
use crate::scim::error::ScimError;
use crate::scim::schema::split_urn;
use std::fmt;

/// Most tokens a filter may have; bounds the work any one request can cause.
const MAX_TOKENS: usize = 4096;

/// A syntax error with the byte offset where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the input.
    pub offset: usize,
    /// What went wrong.
    pub message: String,
}

impl ParseError {
    pub(super) fn at(offset: usize, message: impl Into<String>) -> Self {
        ParseError {
            offset,
            message: message.into(),
        }
    }

    /// As a 400 `invalidFilter` SCIM error.
    pub fn into_filter_error(self, input: &str) -> ScimError {
        ScimError::invalid_filter(format!("Invalid filter {}: {self}", quote(input)))
    }

    /// As a 400 `invalidPath` SCIM error.
    pub fn into_path_error(self, input: &str) -> ScimError {
        ScimError::invalid_path(format!("Invalid path {}: {self}", quote(input)))
    }
}

/// Quotes user input for an error message, shortened so huge inputs do not echo back.
fn quote(input: &str) -> String {
    const MAX: usize = 200;
    match input.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", serde_json::Value::from(&input[..cut])),
        None => serde_json::Value::from(input).to_string(),
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at position {}", self.message, self.offset + 1)
    }
}

impl std::error::Error for ParseError {}

/// Parses a filter expression.
pub fn parse(input: &str) -> Result<Filter, ParseError> {
    if let Some(filter) = simple_equality(input) {
        return Ok(filter);
    }
    parse_tokens(input)
}

/// `name eq "literal"`, the filter Azure AD sends for every user it matches, without the
/// lexer: exactly the tree [`parse_tokens`] builds, or `None` for anything else (which then
/// takes the full parser, so an error reads the same).
fn simple_equality(input: &str) -> Option<Filter> {
    let (name, rest) = input.trim().split_once(' ')?;
    let rest = rest.trim_start();
    if !rest.get(..2)?.eq_ignore_ascii_case("eq") {
        return None;
    }
    let literal = rest[2..]
        .trim_start()
        .strip_prefix('"')?
        .strip_suffix('"')?;
    let plain = |c: char| !matches!(c, '"' | '\\') && !c.is_control();
    let keyword = ["not", "and", "or"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k));
    if keyword || name.contains([':', '.']) || !literal.chars().all(plain) {
        return None;
    }
    Some(Filter::Test {
        path: attr_path(name, 0).ok()?,
        records: None,
        test: Test::Compare(CompareOp::Eq, CompValue::Str(literal.to_string())),
    })
}

/// The full parser.
fn parse_tokens(input: &str) -> Result<Filter, ParseError> {
    let mut p = Parser::new(input)?;
    if p.tokens.is_empty() {
        return Err(ParseError::at(0, "empty filter"));
    }
    let filter = p.or_expr()?;
    p.expect_end()?;
    Ok(filter)
}

/// Parses a PATCH operation path.
pub(crate) fn parse_path(input: &str) -> Result<PatchPath, ParseError> {
    let mut p = Parser::new(input)?;
    let (at, word) = p.word("an attribute path")?;
    let mut path = attr_path(&word, at)?;
    let mut filter = None;
    if p.eat(&Token::OpenBracket) {
        if path.sub.is_some() {
            return Err(ParseError::at(
                at,
                "a value filter must follow the attribute, not a sub-attribute",
            ));
        }
        p.depth = 1;
        filter = Some(p.or_expr()?);
        p.expect(&Token::CloseBracket, "']'")?;
        if p.eat(&Token::Dot) {
            let (at, sub) = p.word("a sub-attribute name")?;
            check_name(&sub, at)?;
            path.sub = Some(sub);
        }
    }
    p.expect_end()?;
    Ok(PatchPath { path, filter })
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn new(input: &str) -> Result<Self, ParseError> {
        let tokens = tokenize(input)?;
        if tokens.len() > MAX_TOKENS {
            return Err(ParseError::at(0, format!("more than {MAX_TOKENS} tokens")));
        }
        Ok(Parser {
            tokens,
            pos: 0,
            end: input.len(),
            depth: 0,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(at, _)| *at)
    }

    fn eat(&mut self, token: &Token) -> bool {
        let hit = self.peek() == Some(token);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, token: &Token, what: &str) -> Result<(), ParseError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.unexpected("end of input, 'and' or 'or'")),
        }
    }

    fn unexpected(&self, what: &str) -> ParseError {
        let found = match self.peek() {
            None => "end of input".to_string(),
            Some(Token::Word(w)) => format!("'{w}'"),
            Some(Token::Str(s)) => format!("string {}", serde_json::Value::from(s.as_str())),
            Some(Token::Open) => "'('".into(),
            Some(Token::Close) => "')'".into(),
            Some(Token::OpenBracket) => "'['".into(),
            Some(Token::CloseBracket) => "']'".into(),
            Some(Token::Dot) => "'.'".into(),
        };
        ParseError::at(self.offset(), format!("expected {what}, found {found}"))
    }

    fn word(&mut self, what: &str) -> Result<(usize, String), ParseError> {
        match self.tokens.get(self.pos) {
            Some((at, Token::Word(w))) => {
                let out = (*at, w.clone());
                self.pos += 1;
                Ok(out)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::at(
                self.offset(),
                format!("nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> Result<Filter, ParseError> {
        let mut parts = vec![self.and_expr()?];
        while self.keyword("or") {
            self.pos += 1;
            parts.push(self.and_expr()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::Or(parts)
        })
    }

    fn and_expr(&mut self) -> Result<Filter, ParseError> {
        let mut parts = vec![self.unary()?];
        while self.keyword("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Filter, ParseError> {
        if self.keyword("not")
            && self.tokens.get(self.pos + 1).map(|(_, t)| t) == Some(&Token::Open)
        {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        if self.peek() == Some(&Token::Open) {
            return self.group();
        }
        self.attr_expr()
    }

    fn group(&mut self) -> Result<Filter, ParseError> {
        self.expect(&Token::Open, "'('")?;
        self.enter()?;
        let inner = self.or_expr()?;
        self.expect(&Token::Close, "')'")?;
        self.depth -= 1;
        Ok(inner)
    }

    fn attr_expr(&mut self) -> Result<Filter, ParseError> {
        let (at, word) = self.word("an attribute name, 'not' or '('")?;
        let mut path = attr_path(&word, at)?;
        if !self.eat(&Token::OpenBracket) {
            let test = self.test()?;
            return Ok(Filter::Test {
                path,
                records: None,
                test,
            });
        }
        if path.sub.is_some() {
            return Err(ParseError::at(
                at,
                "a value filter must follow the attribute, not a sub-attribute",
            ));
        }
        self.enter()?;
        let inner = self.or_expr()?;
        self.expect(&Token::CloseBracket, "']'")?;
        self.depth -= 1;
        if self.eat(&Token::Dot) {
            let (at, sub) = self.word("a sub-attribute name")?;
            check_name(&sub, at)?;
            path.sub = Some(sub);
            let test = self.test()?;
            return Ok(Filter::Test {
                path,
                records: Some(Box::new(inner)),
                test,
            });
        }
        Ok(Filter::ValuePath {
            path,
            filter: Box::new(inner),
        })
    }

    fn test(&mut self) -> Result<Test, ParseError> {
        let at = self.offset();
        let (_, op) = self.word("an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")?;
        if op.eq_ignore_ascii_case("pr") {
            return Ok(Test::Present);
        }
        let op = CompareOp::parse(&op).ok_or_else(|| {
            ParseError::at(
                at,
                format!(
                    "unknown operator '{op}' (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr)"
                ),
            )
        })?;
        let value = match self.tokens.get(self.pos) {
            Some((_, Token::Str(s))) => CompValue::Str(s.clone()),
            Some((_, Token::Word(w))) => bare_value(w),
            _ => return Err(self.unexpected("a value after the operator")),
        };
        self.pos += 1;
        Ok(Test::Compare(op, value))
    }
}

/// A value written without quotes: a JSON literal, a number, or (leniently) a bare string.
fn bare_value(word: &str) -> CompValue {
    if word.eq_ignore_ascii_case("true") {
        CompValue::Bool(true)
    } else if word.eq_ignore_ascii_case("false") {
        CompValue::Bool(false)
    } else if word.eq_ignore_ascii_case("null") {
        CompValue::Null
    } else if serde_json::from_str::<serde_json::Number>(word).is_ok() {
        CompValue::Number(word.to_string())
    } else {
        CompValue::Str(word.to_string())
    }
}

/// Splits a word into URN, attribute name and sub-attribute, checking the name grammar.
fn attr_path(word: &str, at: usize) -> Result<AttrPath, ParseError> {
    let (uri, rest) = match split_urn(word) {
        Some((urn, rest)) => (Some(urn.to_string()), rest),
        None => match word.rfind(':') {
            Some(i) => (Some(word[..i].to_string()), &word[i + 1..]),
            None => (None, word),
        },
    };
    let (name, sub) = match rest.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (rest, None),
    };
    check_name(name, at)?;
    if let Some(sub) = sub {
        check_name(sub, at)?;
    }
    Ok(AttrPath {
        uri,
        name: name.to_string(),
        sub: sub.map(str::to_string),
    })
}

/// `ATTRNAME = ALPHA *(nameChar)`, plus `$ref`, which RFC 7643 uses as a sub-attribute name.
fn check_name(name: &str, at: usize) -> Result<(), ParseError> {
    let mut chars = name.chars();
    let valid = name == "$ref"
        || (chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    if valid {
        Ok(())
    } else {
        Err(ParseError::at(
            at,
            format!("'{name}' is not a valid attribute name"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(s: &str) -> String {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).to_string()
    }

    #[test]
    fn the_equality_fast_path_builds_the_full_parsers_tree() {
        let taken = [
            r#"userName eq "bjensen@example.com""#,
            r#"  USERNAME   EQ   "a b"  "#,
            r#"externalId eq"x""#,
            r#"userName eq """#,
            r#"displayName eq "Zoë (ops) [x] and y""#,
        ];
        for input in taken {
            let fast = simple_equality(input).unwrap_or_else(|| panic!("not taken: {input}"));
            assert_eq!(Ok(fast), parse_tokens(input), "{input}");
        }
        let left = [
            r#"userName eq "a\"b""#,
            r#"userName eq "a" or title pr"#,
            r#"emails.value eq "a""#,
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a""#,
            r#"not eq "a""#,
            r#"userName ne "a""#,
            r#"userName eqx "a""#,
            "userName\teq \"a\"",
            r#"userName eq "a"#,
            r#"user$Name eq "a""#,
        ];
        for input in left {
            assert_eq!(simple_equality(input), None, "{input}");
            assert_eq!(parse(input), parse_tokens(input), "{input}");
        }
    }

    #[test]
    fn parses_every_rfc_example() {
        // RFC 7644 §3.4.2.2 examples (blink-scim-api.md §2.4).
        let cases = [
            (r#"userName eq "bjensen""#, r#"userName eq "bjensen""#),
            (
                r#"name.familyName co "O'Malley""#,
                r#"name.familyName co "O'Malley""#,
            ),
            (r#"userName sw "J""#, r#"userName sw "J""#),
            (
                r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
                r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
            ),
            ("title pr", "title pr"),
            (
                r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
                r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            ),
            (
                r#"title pr and userType eq "Employee""#,
                r#"(title pr and userType eq "Employee")"#,
            ),
            (
                r#"title pr or userType eq "Intern""#,
                r#"(title pr or userType eq "Intern")"#,
            ),
            (
                r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
                r#"(userType eq "Employee" and (emails co "example.com" or emails.value co "example.org"))"#,
            ),
            (
                r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
                r#"(userType ne "Employee" and not ((emails co "example.com" or emails.value co "example.org")))"#,
            ),
            (
                r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
                r#"(emails[(type eq "work" and value co "@example.com")] or ims[(type eq "xmpp" and value co "@foo.com")])"#,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(roundtrip(input), expected, "{input}");
        }
    }

    #[test]
    fn is_case_insensitive_and_lenient_like_azure_ad() {
        assert_eq!(
            roundtrip(r#"UserName EQ "x" AND Active Eq TRUE"#),
            r#"(UserName eq "x" and Active eq true)"#
        );
        // Microsoft's sample sends a bare value (blink-scim-api.md §3.5).
        assert_eq!(
            roundtrip("externalId eq jyoung"),
            r#"externalId eq "jyoung""#
        );
        assert_eq!(
            roundtrip(r#"emails[type eq "work"].value eq "user@contoso.com""#),
            r#"emails[type eq "work"].value eq "user@contoso.com""#
        );
        assert_eq!(roundtrip("not(title pr)"), "not (title pr)");
        assert_eq!(
            roundtrip("a eq 12.5e1 or b eq null"),
            "(a eq 12.5e1 or b eq null)"
        );
    }

    #[test]
    fn reports_errors_with_positions() {
        let err = parse(r#"userName zz "x""#).unwrap_err();
        assert_eq!(err.offset, 9);
        assert!(err.message.contains("unknown operator 'zz'"));
        assert!(parse("").is_err());
        assert!(parse("userName eq").is_err());
        assert!(parse(r#"(userName eq "x""#).is_err());
        assert!(parse(r#"userName eq "x")"#).is_err());
        assert!(parse(r#"emails[type eq "work""#).is_err());
        assert!(parse(r#"emails.value[type eq "work"]"#).is_err());
        assert!(parse("1abc pr").is_err());
        assert!(parse("a.b.c pr").is_err());
        assert!(parse("and pr").is_ok(), "'and' is a valid attribute name");
    }

    #[test]
    fn bounds_depth_and_size() {
        let deep = format!(
            "{}title pr{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
        let ok = format!("{}title pr{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let long = vec!["title pr"; 2000].join(" or ");
        assert!(parse(&long).unwrap_err().message.contains("tokens"));
    }

    #[test]
    fn parses_patch_paths() {
        let p = parse_path(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.path.name, "emails");
        assert_eq!(p.path.sub.as_deref(), Some("value"));
        assert!(p.filter.is_some());
        assert_eq!(p.to_string(), r#"emails[type eq "work"].value"#);
        let p =
            parse_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
                .unwrap();
        assert_eq!(
            p.path.uri.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        );
        assert_eq!(p.path.name, "manager");
        let p = parse_path(r#"manager[value eq "m-1"]"#).unwrap();
        assert!(p.filter.is_some() && p.path.sub.is_none());
        assert!(parse_path("").is_err());
        assert!(parse_path("emails[").is_err());
        assert!(parse_path("name.givenName extra").is_err());
    }
}
