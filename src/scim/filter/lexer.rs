//! Tokens of SCIM filters and PATCH paths.

use super::parser::ParseError;

/// A token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Token {
    /// A run of name characters: an attribute path, keyword, operator or bare value.
    Word(String),
    /// A JSON string literal, unescaped.
    Str(String),
    /// `(`
    Open,
    /// `)`
    Close,
    /// `[`
    OpenBracket,
    /// `]`
    CloseBracket,
    /// `.` directly after `]`, introducing a sub-attribute.
    Dot,
}

/// Characters that may appear in a word: attribute names, URNs (`urn:...:2.0:User`),
/// `$ref`, numbers (`-1.5e3`) and bare values.
fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']' | '"')
}

/// Splits `input` into tokens with their byte offsets.
pub(super) fn tokenize(input: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let mut tokens = Vec::with_capacity(16);
    let mut chars = input.char_indices().peekable();
    // Moves `chars` to byte offset `end` (a char boundary).
    let skip_to = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: usize| {
        while chars.next_if(|&(i, _)| i < end).is_some() {}
    };
    while let Some(&(at, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                tokens.push((
                    at,
                    match c {
                        '(' => Token::Open,
                        ')' => Token::Close,
                        '[' => Token::OpenBracket,
                        _ => Token::CloseBracket,
                    },
                ));
            }
            '"' => {
                // Without escapes the literal is the text up to the next quote.
                let body = &input[at + 1..];
                match body.find(['"', '\\']) {
                    Some(len) if body.as_bytes()[len] == b'"' => {
                        tokens.push((at, Token::Str(body[..len].to_string())));
                        skip_to(&mut chars, at + 1 + len + 1);
                    }
                    _ => {
                        chars.next();
                        tokens.push((at, Token::Str(string_literal(at, &mut chars)?)));
                    }
                }
            }
            '.' if matches!(tokens.last(), Some((_, Token::CloseBracket))) => {
                chars.next();
                tokens.push((at, Token::Dot));
            }
            _ => {
                let end = input[at..]
                    .find(|c: char| !is_word_char(c))
                    .map_or(input.len(), |len| at + len);
                tokens.push((at, Token::Word(input[at..end].to_string())));
                skip_to(&mut chars, end);
            }
        }
    }
    Ok(tokens)
}

/// Reads a JSON string body after its opening quote, decoding JSON escapes.
fn string_literal(
    start: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<String, ParseError> {
    let mut out = String::new();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok(out),
            '\\' => {
                let Some((_, esc)) = chars.next() else { break };
                match esc {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => out.push(unicode_escape(at, chars)?),
                    other => {
                        return Err(ParseError::at(
                            at,
                            format!("invalid escape '\\{other}' in string"),
                        ));
                    }
                }
            }
            c => out.push(c),
        }
    }
    Err(ParseError::at(start, "unterminated string"))
}

/// Decodes the hex digits of `\uXXXX` (and a following low surrogate when needed).
fn unicode_escape(
    at: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<char, ParseError> {
    let read_hex = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = chars.next().and_then(|(_, c)| c.to_digit(16));
            code = code * 16 + digit.ok_or_else(|| ParseError::at(at, "invalid \\u escape"))?;
        }
        Ok::<u32, ParseError>(code)
    };
    let high = read_hex(chars)?;
    if (0xD800..0xDC00).contains(&high) {
        if chars.next().map(|(_, c)| c) == Some('\\') && chars.next().map(|(_, c)| c) == Some('u') {
            let low = read_hex(chars)?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(ParseError::at(
                    at,
                    "a high surrogate needs a low one after it",
                ));
            }
            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(code)
                .ok_or_else(|| ParseError::at(at, "invalid surrogate pair"));
        }
        return Err(ParseError::at(at, "unpaired surrogate in \\u escape"));
    }
    char::from_u32(high).ok_or_else(|| ParseError::at(at, "invalid \\u escape"))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn words_and_plain_literals_are_sliced_whole(
            word in "[a-zA-Z:._-][a-zA-Z0-9:._é-]{0,20}",
            text in "[^\"\\\\]{0,20}",
            escaped in "[a-z]{0,5}",
        ) {
            let input = format!("{word} eq \"{text}\" and x eq \"{escaped}\\\"{escaped}\"");
            let tokens: Vec<Token> = tokenize(&input).expect("tokenizes").into_iter().map(|(_, t)| t).collect();
            proptest::prop_assert_eq!(tokens, vec![
                Token::Word(word.clone()),
                Token::Word("eq".into()),
                Token::Str(text.clone()),
                Token::Word("and".into()),
                Token::Word("x".into()),
                Token::Word("eq".into()),
                Token::Str(format!("{escaped}\"{escaped}")),
            ]);
        }
    }

    fn words(s: &str) -> Vec<Token> {
        tokenize(s).unwrap().into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn splits_value_paths_and_urns() {
        assert_eq!(
            words(r#"emails[type eq "work"].value eq "a\"b""#),
            vec![
                Token::Word("emails".into()),
                Token::OpenBracket,
                Token::Word("type".into()),
                Token::Word("eq".into()),
                Token::Str("work".into()),
                Token::CloseBracket,
                Token::Dot,
                Token::Word("value".into()),
                Token::Word("eq".into()),
                Token::Str("a\"b".into()),
            ]
        );
        assert_eq!(
            words("urn:ietf:params:scim:schemas:core:2.0:User:userName pr"),
            vec![
                Token::Word("urn:ietf:params:scim:schemas:core:2.0:User:userName".into()),
                Token::Word("pr".into())
            ]
        );
    }

    #[test]
    fn decodes_escapes_and_rejects_bad_ones() {
        assert_eq!(
            words(r#""\u00e9\ud83d\ude00""#),
            vec![Token::Str("é😀".into())]
        );
        assert!(tokenize(r#""abc"#).is_err());
        assert!(tokenize(r#""\q""#).is_err());
        assert!(tokenize(r#""\ud83d""#).is_err());
        assert!(tokenize(r#""\ud800\u0041""#).is_err());
        assert!(tokenize(r#""\ud800\ud800""#).is_err());
        assert!(tokenize(r#""\udc00""#).is_err());
    }
}
