//! The Azure AD (Microsoft Entra ID) attribute-mapping expression language.
//!
//! `parse` turns an expression such as `Switch([IsSoftDeleted], , "False", "True", "True", "False")`
//! into an [`Expr`]; `evaluate` computes its [`Value`] for one user, read through a [`Source`].
//! Behaviour follows the reference `aad-provisioning-service.md` §6.3 (functions), §6.2 (roles)
//! and §4.5 (length limit); where it is silent, each function documents the choice made
//! (Azure AD runs on .NET, so VB-style functions, .NET date formats and .NET regex are assumed).
//!
//! Nothing in this module panics on input data: recursion is bounded ([`MAX_CALL_DEPTH`]),
//! arithmetic is checked, string growth is capped (see [`limits`]) and regexes are compiled
//! with a size limit.

// Input data must never crash the simulator: these lints keep panicking shortcuts out.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo
    )
)]

mod ast;
mod catalog;
mod datetime;
mod error;
mod eval;
mod functions;
mod lexer;
pub(crate) mod limits;
mod parser;
mod source;
mod value;

#[cfg(test)]
mod tests;

pub(crate) use ast::Expr;
pub(crate) use error::{EvalError, ExprError, ParseError};
pub(crate) use source::{AppRoleAssignment, JsonSource, Source, SourceError};
pub(crate) use value::Value;
#[cfg(test)]
pub(crate) use {
    catalog::Function,
    limits::{MAX_CALL_DEPTH, MAX_EXPRESSION_CHARS},
    value::RoleStyle,
};

/// What an evaluation may read: the user's attributes, the virtual clock and the random seed.
pub(crate) struct EvalEnv<'a> {
    /// The user whose attributes `[name]` references read.
    pub source: &'a dyn Source,
    /// Virtual clock read by `Now()` and used as "today" by date parsing without a date.
    pub now: time::OffsetDateTime,
    /// Seed of the generator behind `Guid()` and `RandomString(...)`: the same seed and the same
    /// expression give the same values, in call order.
    pub seed: u64,
}

/// Parses an expression; errors carry a position and what was expected.
///
/// Expressions longer than [`MAX_EXPRESSION_CHARS`] characters are rejected
/// (ref §4.5: "Attribute-mapping expressions can have a maximum of 10,000 characters").
pub(crate) fn parse(src: &str) -> Result<Expr, ParseError> {
    parser::parse(src)
}

/// Evaluates a parsed expression for the user in `env`.
pub(crate) fn evaluate(expr: &Expr, env: &EvalEnv<'_>) -> Result<Value, EvalError> {
    eval::evaluate(expr, env)
}

/// Parses and evaluates in one call (convenience for the CLI).
pub(crate) fn evaluate_str(src: &str, env: &EvalEnv<'_>) -> Result<Value, ExprError> {
    let expr = parse(src)?;
    Ok(evaluate(&expr, env)?)
}
