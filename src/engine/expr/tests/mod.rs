//! Tests of the expression module: the documented examples (ref §6.3, §6.2, §6.1), syntax,
//! evaluation errors, and property tests. Each `ref` comment names an example's source;
//! "upstream doc" marks examples that are in the Microsoft page the reference quotes but not in
//! the reference itself.

mod evaluation;
mod examples_a_to_i;
mod examples_j_to_w;
mod props;
mod roles;
mod syntax;

pub(super) use super::*;
pub(super) use serde_json::{Value as Json, json};
pub(super) use time::macros::datetime;

/// The virtual clock of the tests: the reference's sample `Now()` value, 7/2/2021 3:33:38 PM.
pub(super) const NOW: time::OffsetDateTime = datetime!(2021-07-02 15:33:38 UTC);

pub(super) fn source(attrs: Json) -> JsonSource {
    JsonSource::new(attrs).unwrap()
}

pub(super) fn eval_at(src: &str, attrs: Json, now: time::OffsetDateTime) -> Value {
    let source = source(attrs);
    let env = EvalEnv {
        source: &source,
        now,
        seed: 7,
    };
    evaluate_str(src, &env).unwrap_or_else(|e| panic!("{src}: {e}"))
}

pub(super) fn eval(src: &str, attrs: Json) -> Value {
    eval_at(src, attrs, NOW)
}

/// The string sent to a single-valued string target.
pub(super) fn target(src: &str, attrs: Json) -> String {
    eval(src, attrs).to_target_string().unwrap_or_default()
}

pub(super) fn eval_err(src: &str, attrs: Json) -> EvalError {
    let source = source(attrs);
    let env = EvalEnv {
        source: &source,
        now: NOW,
        seed: 7,
    };
    match evaluate(&parse(src).unwrap(), &env) {
        Err(e) => e,
        Ok(v) => panic!("{src}: expected an error, got {v:?}"),
    }
}

pub(super) fn s(text: &str) -> Value {
    Value::String(text.into())
}
