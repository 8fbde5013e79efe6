//! Syntax tree of a parsed expression and its normalised printing.

use std::fmt;

use super::catalog::Function;
#[cfg(test)]
use super::value::RoleStyle;

/// A parsed expression. Built only by [`super::parse`], so its nesting is bounded.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub(super) root: Node,
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    /// `Name(arg, , arg)`; `None` is an omitted (empty) argument.
    Call {
        function: Function,
        args: Vec<Option<Node>>,
    },
    /// `[name]`.
    Attribute(String),
    /// `"text"`.
    Str(String),
    /// Decimal integer literal.
    Int(i64),
    /// `&H` literal; kept apart from `Int` so printing round-trips.
    Hex(i64),
    /// `True` / `False`.
    Bool(bool),
    /// `vbBinaryCompare` / `vbTextCompare`.
    CompareMode(CompareMode),
    /// `lhs op rhs` inside an argument (IIF/CBool conditions).
    Compare {
        op: CompareOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
}

/// A comparison operator usable inside arguments (ref §6.3: "=, <>, >, >=, <, <=").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl CompareOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
        }
    }
}

/// VB string comparison mode of `InStr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CompareMode {
    /// `vbBinaryCompare` (VB constant 0): ordinal, case-sensitive.
    Binary,
    /// `vbTextCompare` (VB constant 1): case-insensitive.
    Text,
}

impl CompareMode {
    pub(super) fn keyword(self) -> &'static str {
        match self {
            CompareMode::Binary => "vbBinaryCompare",
            CompareMode::Text => "vbTextCompare",
        }
    }
}

impl Expr {
    /// Names of the `[attribute]`s referenced, in order of first appearance, without repeats.
    /// Role functions read `[appRoleAssignments]`, so it is listed for them too.
    #[cfg(test)]
    pub(crate) fn attributes(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        self.root.visit(&mut |node| {
            if let Node::Attribute(name) = node
                && !names.contains(name)
            {
                names.push(name.clone());
            }
        });
        names
    }

    /// Names of the functions called, in order of first appearance, without repeats.
    #[cfg(test)]
    pub(crate) fn function_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        self.root.visit(&mut |node| {
            if let Node::Call { function, .. } = node
                && !names.iter().any(|n| n == function.name())
            {
                names.push(function.name().to_string());
            }
        });
        names
    }

    /// Whether the value must be shown as "\[Redact\]" in provisioning logs (ref §6.3 Redact:
    /// "replaces the attribute value with the string literal "\[Redact\]" in the provisioning
    /// logs"). True when `Redact` appears anywhere, so a redacted part never leaks through an
    /// enclosing `Join`.
    pub fn is_redacted(&self) -> bool {
        let mut found = false;
        self.root.visit(&mut |node| {
            if let Node::Call {
                function: Function::Redact,
                ..
            } = node
            {
                found = true;
            }
        });
        found
    }

    /// The referenced attribute when the whole expression is `[name]` (a Direct mapping).
    #[cfg(test)]
    pub(crate) fn as_attribute(&self) -> Option<&str> {
        match &self.root {
            Node::Attribute(name) => Some(name),
            _ => None,
        }
    }

    /// The rules of a top-level `SelectUniqueValue`, as expressions, so that an engine able to
    /// query the target can try them in order; `None` for any other expression.
    #[cfg(test)]
    pub(crate) fn unique_value_rules(&self) -> Option<Vec<Expr>> {
        match &self.root {
            Node::Call {
                function: Function::SelectUniqueValue,
                args,
            } => Some(
                args.iter()
                    .flatten()
                    .map(|node| Expr { root: node.clone() })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The role function used, when the expression is one (ref §6.2): tells the engine whether
    /// roles are PATCHed with "Add" or "replace".
    #[cfg(test)]
    pub(crate) fn role_style(&self) -> Option<RoleStyle> {
        match &self.root {
            Node::Call { function, .. } => RoleStyle::of(*function),
            _ => None,
        }
    }
}

impl Node {
    /// Calls `f` on every node, parents first.
    pub(super) fn visit(&self, f: &mut impl FnMut(&Node)) {
        f(self);
        match self {
            Node::Call { args, .. } => args.iter().flatten().for_each(|arg| arg.visit(f)),
            Node::Compare { lhs, rhs, .. } => {
                lhs.visit(f);
                rhs.visit(f);
            }
            _ => {}
        }
    }
}

/// Writes a string constant with `\` and `"` escaped (ref §6.3 string constants).
fn write_string(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        if c == '\\' || c == '"' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Call { function, args } => {
                write!(f, "{}(", function.name())?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if let Some(node) = arg {
                        write!(f, "{node}")?;
                    }
                }
                f.write_str(")")
            }
            Node::Attribute(name) => write!(f, "[{name}]"),
            Node::Str(text) => write_string(f, text),
            Node::Int(n) => write!(f, "{n}"),
            Node::Hex(n) => write!(f, "&H{:X}", *n as u64),
            Node::Bool(true) => f.write_str("True"),
            Node::Bool(false) => f.write_str("False"),
            Node::CompareMode(mode) => f.write_str(mode.keyword()),
            Node::Compare { op, lhs, rhs } => write!(f, "{lhs} {} {rhs}", op.symbol()),
        }
    }
}

/// Normalised form: single spaces after commas and around operators, canonical escapes,
/// hexadecimal in upper case. Parsing the output gives back an equal `Expr`.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}
