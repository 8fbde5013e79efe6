//! Recursive-descent parser with a bounded call depth.
//!
//! Grammar (ref §6.3 syntax rules):
//! ```text
//! expression := argument END
//! argument   := operand [ ("=" | "<>" | ">" | ">=" | "<" | "<=") operand ]
//! operand    := Name "(" [ slot { "," slot } ] ")" | "[" attribute "]" | "string"
//!             | integer | &Hhex | True | False | vbTextCompare | vbBinaryCompare
//! slot       := argument | (nothing: an omitted positional argument)
//! ```
//! A whole expression may be a bare operand (`[mail]`, `"constant"`), which is how the engine
//! states Direct and Constant mappings.

use super::ast::{CompareMode, Expr, Node};
use super::catalog::Function;
use super::error::ParseError;
use super::lexer::{Token, TokenKind, tokenize};
use super::limits::{MAX_CALL_DEPTH, MAX_EXPRESSION_CHARS};

/// Parses `src` into an [`Expr`].
pub(super) fn parse(src: &str) -> Result<Expr, ParseError> {
    if let Some((offset, _)) = src.char_indices().nth(MAX_EXPRESSION_CHARS) {
        let offset = src
            .get(..offset)
            .map_or(MAX_EXPRESSION_CHARS, |s| s.chars().count());
        return Err(ParseError::at(
            src,
            offset,
            format!("expression is longer than {MAX_EXPRESSION_CHARS} characters"),
            vec![],
        ));
    }
    let tokens = tokenize(src)?;
    let mut parser = Parser {
        src,
        tokens,
        pos: 0,
    };
    let root = parser.argument(0, true)?;
    let end = parser.peek();
    if end.kind != TokenKind::End {
        let offset = end.offset;
        return Err(parser.error_at(
            offset,
            "unexpected input after the end of the expression".into(),
            vec!["end of expression".into()],
        ));
    }
    Ok(Expr { root })
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
}

/// Stand-in for reads past the last token (the lexer always ends with `End`, so unused).
const END: Token = Token {
    kind: TokenKind::End,
    offset: 0,
};

impl Parser<'_> {
    fn peek(&self) -> &Token {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .unwrap_or(&END)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos = self.pos.saturating_add(1);
        }
        token
    }

    fn error_at(&self, offset: usize, message: String, expected: Vec<String>) -> ParseError {
        ParseError::at(self.src, offset, message, expected)
    }

    /// `operand [op operand]`. `top` marks the whole expression, the only place
    /// `SelectUniqueValue` may stand.
    fn argument(&mut self, depth: usize, top: bool) -> Result<Node, ParseError> {
        let lhs = self.operand(depth, top)?;
        let TokenKind::Op(op) = self.peek().kind else {
            return Ok(lhs);
        };
        let op_offset = self.peek().offset;
        if is_unique_value_call(&lhs) {
            return Err(self.unique_value_error(op_offset));
        }
        self.advance();
        let rhs = self.operand(depth, false)?;
        Ok(Node::Compare {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        })
    }

    fn operand(&mut self, depth: usize, top: bool) -> Result<Node, ParseError> {
        let token = self.advance();
        match token.kind {
            TokenKind::Attribute(name) => Ok(Node::Attribute(name)),
            TokenKind::Str(text) => Ok(Node::Str(text)),
            TokenKind::Int(n) => Ok(Node::Int(n)),
            TokenKind::Hex(n) => Ok(Node::Hex(n)),
            TokenKind::Ident(name) if self.peek().kind == TokenKind::LParen => {
                self.call(&name, token.offset, depth, top)
            }
            TokenKind::Ident(name) => keyword(&name).ok_or_else(|| {
                let hint = match Function::suggest(&name) {
                    Some(f) => format!("; did you mean {}(...)?", f.name()),
                    None if name.eq_ignore_ascii_case("true") => "; did you mean True?".into(),
                    None if name.eq_ignore_ascii_case("false") => "; did you mean False?".into(),
                    None => String::new(),
                };
                self.error_at(
                    token.offset,
                    format!("unknown identifier '{name}'{hint}"),
                    vec!["'('".into()],
                )
            }),
            other => Err(self.error_at(
                token.offset,
                format!("expected an argument, found {}", describe(&other)),
                vec![
                    "a function call".into(),
                    "[attribute]".into(),
                    "\"string\"".into(),
                    "a number".into(),
                    "True or False".into(),
                ],
            )),
        }
    }

    fn call(
        &mut self,
        name: &str,
        offset: usize,
        depth: usize,
        top: bool,
    ) -> Result<Node, ParseError> {
        let Some(function) = Function::from_name(name) else {
            // ref §6.3: "The syntax is case-sensitive".
            let hint = Function::suggest(name)
                .map(|f| format!("; did you mean '{}'? (names are case-sensitive)", f.name()))
                .unwrap_or_default();
            return Err(self.error_at(
                offset,
                format!("unknown function '{name}'{hint}"),
                vec!["a function name".into()],
            ));
        };
        if depth >= MAX_CALL_DEPTH {
            return Err(self.error_at(
                offset,
                format!("expression nested too deeply (more than {MAX_CALL_DEPTH} function calls)"),
                vec![],
            ));
        }
        if function == Function::SelectUniqueValue && !top {
            return Err(self.unique_value_error(offset));
        }
        self.advance(); // '('
        let args = self.call_arguments(depth)?;
        if !function.accepts_arg_count(args.len()) {
            let wanted = match (function.min_args(), function.max_args()) {
                (min, Some(max)) if min == max => format!("{min}"),
                (min, Some(max)) => format!("{min} to {max}"),
                (min, None) if function == Function::Switch => {
                    format!("an even number of at least {min}")
                }
                (min, None) => format!("at least {min}"),
            };
            return Err(self.error_at(
                offset,
                format!(
                    "{name} takes {wanted} arguments, got {}: {}",
                    args.len(),
                    function.signature()
                ),
                vec![function.signature().into()],
            ));
        }
        if function.is_role_function() {
            self.check_role_argument(function, &args, offset)?;
        }
        Ok(Node::Call { function, args })
    }

    /// Arguments after `(`, up to and including `)`. `()` is zero arguments; every other
    /// empty slot between commas is an omitted argument.
    fn call_arguments(&mut self, depth: usize) -> Result<Vec<Option<Node>>, ParseError> {
        let mut args = Vec::new();
        if self.peek().kind == TokenKind::RParen {
            self.advance();
            return Ok(args);
        }
        loop {
            let slot = match self.peek().kind {
                TokenKind::Comma | TokenKind::RParen => None,
                _ => Some(self.argument(depth.saturating_add(1), false)?),
            };
            args.push(slot);
            let next = self.advance();
            match next.kind {
                TokenKind::Comma => continue,
                TokenKind::RParen => return Ok(args),
                _ => {
                    return Err(self.error_at(
                        next.offset,
                        "expected ')' or ',' after argument".into(),
                        vec!["')'".into(), "','".into()],
                    ));
                }
            }
        }
    }

    /// Role functions take the `[appRoleAssignments]` object (ref §6.3 SingleAppRoleAssignment
    /// and AppRoleAssignmentsComplex parameters).
    fn check_role_argument(
        &self,
        function: Function,
        args: &[Option<Node>],
        offset: usize,
    ) -> Result<(), ParseError> {
        match args.first() {
            Some(Some(Node::Attribute(name)))
                if name.eq_ignore_ascii_case("appRoleAssignments") =>
            {
                Ok(())
            }
            _ => Err(self.error_at(
                offset,
                format!(
                    "{} takes the [appRoleAssignments] attribute",
                    function.name()
                ),
                vec!["[appRoleAssignments]".into()],
            )),
        }
    }

    /// ref §6.3 SelectUniqueValue: "This function must be at the top-level and can't be nested."
    fn unique_value_error(&self, offset: usize) -> ParseError {
        self.error_at(
            offset,
            "SelectUniqueValue must be the whole expression; it can't be nested or compared".into(),
            vec![],
        )
    }
}

/// Identifiers usable without parentheses.
fn keyword(name: &str) -> Option<Node> {
    match name {
        "True" => Some(Node::Bool(true)),
        "False" => Some(Node::Bool(false)),
        "vbBinaryCompare" => Some(Node::CompareMode(CompareMode::Binary)),
        "vbTextCompare" => Some(Node::CompareMode(CompareMode::Text)),
        _ => None,
    }
}

fn is_unique_value_call(node: &Node) -> bool {
    matches!(
        node,
        Node::Call {
            function: Function::SelectUniqueValue,
            ..
        }
    )
}

fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::LParen => "'('".into(),
        TokenKind::RParen => "')'".into(),
        TokenKind::Comma => "','".into(),
        TokenKind::Op(op) => format!("'{}'", op.symbol()),
        TokenKind::End => "end of expression".into(),
        TokenKind::Attribute(_)
        | TokenKind::Str(_)
        | TokenKind::Int(_)
        | TokenKind::Hex(_)
        | TokenKind::Ident(_) => "a value".into(),
    }
}
