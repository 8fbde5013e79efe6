//! Errors of parsing and evaluation.

use std::fmt;

/// A syntax error, with the position where it was found and what would have been accepted there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Character index (0-based) of the error in the source.
    pub offset: usize,
    /// Line of the error (1-based).
    pub line: usize,
    /// Column of the error in characters (1-based).
    pub column: usize,
    /// What went wrong, e.g. "expected ')' or ',' after argument".
    pub message: String,
    /// Tokens that would have been accepted at this position, e.g. `["')'", "','"]`.
    pub expected: Vec<String>,
}

impl ParseError {
    /// Builds an error at char `offset` of `src`, computing line and column.
    pub(super) fn at(src: &str, offset: usize, message: String, expected: Vec<String>) -> Self {
        let (line, column) = line_and_column(src, offset);
        Self {
            offset,
            line,
            column,
            message,
            expected,
        }
    }

    /// The source line with a caret under the error, for terminals.
    pub fn render(&self, src: &str) -> String {
        let text = src.lines().nth(self.line.saturating_sub(1)).unwrap_or("");
        // Tabs are kept in the padding so the caret lines up in a terminal.
        let pad: String = text
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!("{text}\n{pad}^")
    }
}

/// 1-based line and column of char `offset`; an offset past the end points just after it.
fn line_and_column(src: &str, offset: usize) -> (usize, usize) {
    let mut line = 1usize;
    let mut column = 1usize;
    for c in src.chars().take(offset) {
        if c == '\n' {
            line = line.saturating_add(1);
            column = 1;
        } else {
            column = column.saturating_add(1);
        }
    }
    (line, column)
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// A failure while evaluating: a bad argument, an unparseable date, a bad regex, a limit hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// The function that failed, when the failure is inside one.
    pub function: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl EvalError {
    /// An error not tied to a function (e.g. an attribute value over the size limit).
    pub(super) fn general(message: impl Into<String>) -> Self {
        Self {
            function: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.function {
            Some(name) => write!(f, "{name}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for EvalError {}

/// Either kind of failure, for [`super::evaluate_str`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    /// The expression does not parse.
    #[error("parse error: {0}")]
    Parse(#[from] ParseError),
    /// The expression parsed but could not be evaluated.
    #[error("evaluation error: {0}")]
    Eval(#[from] EvalError),
}
