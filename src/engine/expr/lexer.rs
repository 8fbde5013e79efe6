//! Splits expression text into tokens, each tagged with its char offset.

use super::ast::CompareOp;
use super::error::ParseError;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind {
    LParen,
    RParen,
    Comma,
    /// `[name]`, brackets removed.
    Attribute(String),
    /// `"text"`, quotes removed and escapes resolved.
    Str(String),
    /// Decimal integer, possibly negative.
    Int(i64),
    /// `&H` hexadecimal integer.
    Hex(i64),
    /// Function name or keyword (`True`, `False`, `vbTextCompare`, `vbBinaryCompare`).
    Ident(String),
    Op(CompareOp),
    End,
}

/// A token and the char offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub offset: usize,
}

/// Characters allowed in `[attribute]` names besides letters and digits (extension attributes
/// use `_`, `-`, `.` and `:`).
const ATTRIBUTE_PUNCTUATION: &[char] = &['_', '-', '.', ':'];

/// Turns the source into tokens ending with `End`.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    Lexer {
        src,
        chars: src.chars().collect(),
        pos: 0,
    }
    .run()
}

struct Lexer<'s> {
    src: &'s str,
    chars: Vec<char>,
    pos: usize,
}

impl Lexer<'_> {
    fn run(mut self) -> Result<Vec<Token>, ParseError> {
        let mut tokens = Vec::new();
        loop {
            while self.peek().is_some_and(char::is_whitespace) {
                self.bump();
            }
            let offset = self.pos;
            let Some(c) = self.peek() else {
                tokens.push(Token {
                    kind: TokenKind::End,
                    offset,
                });
                return Ok(tokens);
            };
            let kind = match c {
                '(' => self.single(TokenKind::LParen),
                ')' => self.single(TokenKind::RParen),
                ',' => self.single(TokenKind::Comma),
                '[' => self.attribute()?,
                '"' => self.string()?,
                '&' => self.hex()?,
                '=' | '<' | '>' => self.operator(c),
                '-' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => self.integer()?,
                d if d.is_ascii_digit() => self.integer()?,
                a if a.is_ascii_alphabetic() || a == '_' => self.ident(),
                other => {
                    return Err(self.error(
                        offset,
                        format!("unexpected character '{other}'"),
                        vec!["a function call".into(), "an argument".into()],
                    ));
                }
            };
            tokens.push(Token { kind, offset });
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos.saturating_add(ahead)).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn error(&self, offset: usize, message: String, expected: Vec<String>) -> ParseError {
        ParseError::at(self.src, offset, message, expected)
    }

    fn single(&mut self, kind: TokenKind) -> TokenKind {
        self.bump();
        kind
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek().filter(|c| keep(*c)) {
            out.push(c);
            self.bump();
        }
        out
    }

    fn attribute(&mut self) -> Result<TokenKind, ParseError> {
        let open = self.pos;
        self.bump();
        let name = self.take_while(|c| c.is_alphanumeric() || ATTRIBUTE_PUNCTUATION.contains(&c));
        match self.peek() {
            Some(']') if name.is_empty() => Err(self.error(
                open,
                "empty attribute name '[]'".into(),
                vec!["an attribute name".into()],
            )),
            Some(']') => {
                self.bump();
                Ok(TokenKind::Attribute(name))
            }
            Some(other) => Err(self.error(
                self.pos,
                format!(
                    "invalid character '{other}' in attribute name (allowed: letters, digits, '_', '-', '.', ':')"
                ),
                vec!["']'".into()],
            )),
            None => Err(self.error(
                self.pos,
                "expected ']' to close attribute reference".into(),
                vec!["']'".into()],
            )),
        }
    }

    /// String constant. ref §6.3: "if you need a backslash ( \ ) or quotation mark ( " ) in the
    /// string, it must be escaped with the backslash". A backslash before any other character is
    /// kept as written (so an unescaped regex like "\d" still means `\d`).
    fn string(&mut self) -> Result<TokenKind, ParseError> {
        let open = self.pos;
        self.bump();
        let mut text = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(self.error(
                        open,
                        "unterminated string literal".into(),
                        vec!["'\"'".into()],
                    ));
                }
                Some('"') => {
                    self.bump();
                    return Ok(TokenKind::Str(text));
                }
                Some('\\') => {
                    self.bump();
                    match self.peek() {
                        Some(e @ ('\\' | '"')) => {
                            text.push(e);
                            self.bump();
                        }
                        _ => text.push('\\'),
                    }
                }
                Some(c) => {
                    text.push(c);
                    self.bump();
                }
            }
        }
    }

    /// VB hexadecimal literal `&HF7`. Up to 16 digits; values above `i64::MAX` wrap to negative
    /// like a VB `Long` (`&HFFFFFFFFFFFFFFFF` is -1).
    fn hex(&mut self) -> Result<TokenKind, ParseError> {
        let start = self.pos;
        self.bump();
        if !matches!(self.peek(), Some('H' | 'h')) {
            return Err(self.error(
                start,
                "expected 'H' after '&' in a hexadecimal literal".into(),
                vec!["'&H'".into()],
            ));
        }
        self.bump();
        let digits = self.take_while(|c| c.is_ascii_hexdigit());
        if digits.is_empty() || digits.len() > 16 {
            return Err(self.error(
                start,
                "expected 1 to 16 hexadecimal digits after '&H'".into(),
                vec!["hexadecimal digits".into()],
            ));
        }
        u64::from_str_radix(&digits, 16)
            .map(|v| TokenKind::Hex(v as i64))
            .map_err(|_| self.error(start, "invalid hexadecimal literal".into(), vec![]))
    }

    fn integer(&mut self) -> Result<TokenKind, ParseError> {
        let start = self.pos;
        let mut text = String::new();
        if self.peek() == Some('-') {
            text.push('-');
            self.bump();
        }
        text.push_str(&self.take_while(|c| c.is_ascii_digit()));
        text.parse::<i64>().map(TokenKind::Int).map_err(|_| {
            self.error(
                start,
                format!("integer literal {text} is out of range"),
                vec![],
            )
        })
    }

    fn ident(&mut self) -> TokenKind {
        TokenKind::Ident(self.take_while(|c| c.is_ascii_alphanumeric() || c == '_'))
    }

    fn operator(&mut self, first: char) -> TokenKind {
        self.bump();
        let next = self.peek();
        let (op, two_chars) = match (first, next) {
            ('<', Some('>')) => (CompareOp::Ne, true),
            ('<', Some('=')) => (CompareOp::Le, true),
            ('>', Some('=')) => (CompareOp::Ge, true),
            ('<', _) => (CompareOp::Lt, false),
            ('>', _) => (CompareOp::Gt, false),
            _ => (CompareOp::Eq, false),
        };
        if two_chars {
            self.bump();
        }
        TokenKind::Op(op)
    }
}
