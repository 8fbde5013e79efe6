//! .NET date/time format strings split into specifiers and literals.

/// One element of a format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Token {
    /// Text copied as is (quoted text, escaped characters, separators, other characters).
    Literal(String),
    /// A run of one specifier letter, e.g. `('y', 4)` for "yyyy".
    Spec(char, usize),
    /// An unquoted `Z`: printed as "Z"; when parsing it marks the value as UTC (as .NET does).
    Zulu,
}

/// Letters that are specifiers in custom formats.
const SPECIFIERS: &str = "dfFghHKmMstyz";

/// Splits `format`; a single character is a standard format, expanded to its en-US pattern.
pub(super) fn tokenize(format: &str) -> Result<Vec<Token>, String> {
    let mut chars = format.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return tokenize_custom(standard_pattern(c)?);
    }
    tokenize_custom(format)
}

/// en-US patterns of the standard format characters.
fn standard_pattern(c: char) -> Result<&'static str, String> {
    Ok(match c {
        'd' => "M/d/yyyy",
        'D' => "dddd, MMMM d, yyyy",
        'f' => "dddd, MMMM d, yyyy h:mm tt",
        'F' | 'U' => "dddd, MMMM d, yyyy h:mm:ss tt",
        'g' => "M/d/yyyy h:mm tt",
        'G' => "M/d/yyyy h:mm:ss tt",
        'M' | 'm' => "MMMM d",
        'O' | 'o' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        'R' | 'r' => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        's' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        't' => "h:mm tt",
        'T' => "h:mm:ss tt",
        'u' => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        'Y' | 'y' => "MMMM yyyy",
        other => return Err(format!("'{other}' is not a standard date/time format")),
    })
}

fn tokenize_custom(format: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = format.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0usize;
    while let Some(&c) = chars.get(i) {
        i = i.saturating_add(1);
        match c {
            '\'' | '"' => {
                let mut text = String::new();
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unterminated quote {c} in date format")),
                        Some(&q) if q == c => break,
                        Some('\\') => {
                            i = i.saturating_add(1);
                            let Some(&escaped) = chars.get(i) else {
                                return Err("'\\' at the end of a date format".into());
                            };
                            text.push(escaped);
                        }
                        Some(&other) => text.push(other),
                    }
                    i = i.saturating_add(1);
                }
                i = i.saturating_add(1);
                tokens.push(Token::Literal(text));
            }
            '\\' => {
                let Some(&escaped) = chars.get(i) else {
                    return Err("'\\' at the end of a date format".into());
                };
                i = i.saturating_add(1);
                tokens.push(Token::Literal(escaped.to_string()));
            }
            '%' => match chars.get(i) {
                Some(&s) if SPECIFIERS.contains(s) => {
                    i = i.saturating_add(1);
                    tokens.push(Token::Spec(s, 1));
                }
                _ => return Err("'%' must be followed by a format specifier".into()),
            },
            'Z' => tokens.push(Token::Zulu),
            s if SPECIFIERS.contains(s) => {
                let mut count = 1usize;
                while chars.get(i) == Some(&s) {
                    count = count.saturating_add(1);
                    i = i.saturating_add(1);
                }
                if matches!(s, 'f' | 'F') && count > 7 {
                    return Err(format!("at most 7 '{s}' are allowed in a date format"));
                }
                tokens.push(Token::Spec(s, count));
            }
            other => tokens.push(Token::Literal(other.to_string())),
        }
    }
    Ok(tokens)
}
