//! Tree-walking evaluator: state of one evaluation and evaluation of leaves.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use regex::{Regex, RegexBuilder};

use super::EvalEnv;
use super::ast::{CompareMode, Expr, Node};
use super::error::EvalError;
use super::functions;
use super::limits::{
    EVAL_BUDGET_BYTES, MAX_MULTI_ITEMS, MAX_STRING_BYTES, REGEX_CACHE_ENTRIES, REGEX_COMPILE_COST,
    REGEX_DFA_SIZE_LIMIT, REGEX_SIZE_CLASSES, REGEX_WORK_BUDGET,
};
use super::value::Value;

/// Evaluates `expr` in `env`.
pub(super) fn evaluate(expr: &Expr, env: &EvalEnv<'_>) -> Result<Value, EvalError> {
    Ctx::new(env).eval(&expr.root)
}

/// State of one evaluation: the environment, the seeded generator (so `Guid()` and
/// `RandomString` depend only on the seed and call order), the remaining work budget and the
/// compiled regexes.
pub(super) struct Ctx<'e, 'a> {
    pub env: &'e EvalEnv<'a>,
    pub rng: ChaCha8Rng,
    budget: usize,
    regex_budget: usize,
    regexes: Vec<(String, CompiledRegex)>,
}

impl<'e, 'a> Ctx<'e, 'a> {
    fn new(env: &'e EvalEnv<'a>) -> Self {
        Self {
            env,
            rng: ChaCha8Rng::seed_from_u64(env.seed),
            budget: EVAL_BUDGET_BYTES,
            regex_budget: REGEX_WORK_BUDGET,
            regexes: Vec::new(),
        }
    }

    /// Evaluates one node. Depth is bounded by the parser's call-depth limit.
    pub(super) fn eval(&mut self, node: &Node) -> Result<Value, EvalError> {
        match node {
            Node::Attribute(name) => self.attribute(name),
            Node::Str(text) => Ok(Value::String(text.clone())),
            Node::Int(n) | Node::Hex(n) => Ok(Value::Number(*n)),
            Node::Bool(b) => Ok(Value::Boolean(*b)),
            // VB constants: vbBinaryCompare = 0, vbTextCompare = 1.
            Node::CompareMode(CompareMode::Binary) => Ok(Value::Number(0)),
            Node::CompareMode(CompareMode::Text) => Ok(Value::Number(1)),
            Node::Compare { op, lhs, rhs } => {
                let left = self.eval(lhs)?;
                if left == Value::Ignore {
                    return Ok(Value::Ignore);
                }
                let right = self.eval(rhs)?;
                if right == Value::Ignore {
                    return Ok(Value::Ignore);
                }
                Ok(Value::Boolean(functions::compare(*op, &left, &right)))
            }
            Node::Call { function, args } => functions::call(self, *function, args),
        }
    }

    /// Reads `[name]`. `[appRoleAssignments]` outside a role function, when the source has no
    /// such attribute, is the multi-valued list of the assigned roles' values.
    pub(super) fn attribute(&mut self, name: &str) -> Result<Value, EvalError> {
        let mut value = self.env.source.attribute(name);
        if value == Value::Null && name.eq_ignore_ascii_case("appRoleAssignments") {
            value = Value::Multi(
                self.env
                    .source
                    .app_role_assignments()
                    .into_iter()
                    .map(|a| Value::String(a.value))
                    .collect(),
            );
        }
        let value = flatten(value);
        self.check_output(&value)
            .map_err(|message| EvalError::general(format!("attribute [{name}]: {message}")))?;
        Ok(value)
    }

    /// Consumes `bytes` of the evaluation's work budget.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), String> {
        match self.budget.checked_sub(bytes) {
            Some(rest) => {
                self.budget = rest;
                Ok(())
            }
            None => Err(format!(
                "evaluation exceeds its work budget of {EVAL_BUDGET_BYTES} bytes"
            )),
        }
    }

    /// Checks a produced value against the size limits and charges its size to the budget.
    pub(crate) fn check_output(&mut self, value: &Value) -> Result<(), String> {
        let size = match value {
            Value::String(s) => check_len(s)?,
            Value::Multi(items) => {
                if items.len() > MAX_MULTI_ITEMS {
                    return Err(format!(
                        "a multi-valued value may hold at most {MAX_MULTI_ITEMS} items"
                    ));
                }
                let mut total = items.len();
                for item in items {
                    if let Value::String(s) = item {
                        total = total.saturating_add(check_len(s)?);
                    }
                }
                total
            }
            Value::Roles(roles) => {
                if roles.len() > MAX_MULTI_ITEMS {
                    return Err(format!("at most {MAX_MULTI_ITEMS} roles are supported"));
                }
                roles.len()
            }
            _ => 1,
        };
        self.charge(size)
    }

    /// Compiles `pattern` (cached) under [`REGEX_SIZE_LIMIT`]; bad or unsupported patterns are
    /// errors. Also finds the smallest size class the compiled program fits in, the weight
    /// [`Ctx::charge_regex`] uses to bound matching time.
    pub(crate) fn regex(&mut self, pattern: &str) -> Result<CompiledRegex, String> {
        if let Some((_, compiled)) = self.regexes.iter().find(|(p, _)| p == pattern) {
            return Ok(compiled.clone());
        }
        self.charge(pattern.len())?;
        // Compiling costs up to a few ms for the largest classes; it is charged whether or not
        // it succeeds, so cycling through patterns cannot run long either.
        self.regex_budget = self
            .regex_budget
            .checked_sub(REGEX_COMPILE_COST)
            .ok_or("too many regular expressions compiled in one evaluation")?;
        let build = |limit: usize| {
            RegexBuilder::new(pattern)
                .size_limit(limit)
                .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
                .build()
        };
        let mut found = Err("too large".to_string());
        for weight in REGEX_SIZE_CLASSES {
            match build(weight) {
                Ok(re) => {
                    found = Ok(CompiledRegex { re, weight });
                    break;
                }
                // The last class is REGEX_SIZE_LIMIT: its error is the one reported.
                Err(e) => found = Err(e.to_string()),
            }
        }
        let compiled = match found {
            Ok(compiled) => compiled,
            Err(error) => {
                return Err(format!(
                    "invalid or unsupported regular expression: {error}"
                ));
            }
        };
        if self.regexes.len() >= REGEX_CACHE_ENTRIES {
            self.regexes.remove(0);
        }
        self.regexes.push((pattern.to_string(), compiled.clone()));
        Ok(compiled)
    }

    /// Charges matching `regex` over `haystack_bytes` to the regex work budget. Matching is
    /// linear in the haystack but its constant grows with the program size when the lazy DFA
    /// gives up, so the cost is haystack × size class.
    pub(super) fn charge_regex(
        &mut self,
        regex: &CompiledRegex,
        haystack_bytes: usize,
    ) -> Result<(), String> {
        let cost = haystack_bytes
            .saturating_add(1)
            .saturating_mul(regex.weight);
        match self.regex_budget.checked_sub(cost) {
            Some(rest) => {
                self.regex_budget = rest;
                self.charge(haystack_bytes)
            }
            None => Err(format!(
                "regular expression work exceeds the evaluation's budget (pattern size class {} bytes, input {haystack_bytes} bytes)",
                regex.weight
            )),
        }
    }
}

/// A compiled regex and the size class (bytes) its program fits in.
#[derive(Clone, Debug)]
pub(super) struct CompiledRegex {
    pub re: Regex,
    weight: usize,
}

fn check_len(s: &str) -> Result<usize, String> {
    if s.len() > MAX_STRING_BYTES {
        Err(format!(
            "a string value may hold at most {MAX_STRING_BYTES} bytes"
        ))
    } else {
        Ok(s.len())
    }
}

/// Normalises a value from a [`super::Source`]: nested multi-valued items are flattened
/// (iteratively, whatever the nesting) and `Ignore`, which only `IgnoreFlowIfNullOrEmpty` may
/// produce, reads as Null.
fn flatten(value: Value) -> Value {
    match value {
        Value::Ignore => Value::Null,
        Value::Multi(items) => {
            let mut flat = Vec::new();
            let mut stack = vec![items.into_iter()];
            while let Some(top) = stack.last_mut() {
                match top.next() {
                    None => {
                        stack.pop();
                    }
                    Some(Value::Multi(inner)) => stack.push(inner.into_iter()),
                    Some(Value::Ignore) => flat.push(Value::Null),
                    Some(other) => flat.push(other),
                }
            }
            Value::Multi(flat)
        }
        other => other,
    }
}
