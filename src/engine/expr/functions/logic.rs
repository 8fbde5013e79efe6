//! Conditions, comparisons and null tests: IIF, Switch, Coalesce, CBool, Not, Is*, BitAnd,
//! IgnoreFlowIfNullOrEmpty.

use std::cmp::Ordering;

use super::super::ast::{CompareOp, Node};
use super::super::error::EvalError;
use super::super::eval::Ctx;
use super::super::value::Value;
use super::convert::{self, text};
use super::{Args, FnResult};

/// `IIF(condition, valueIfTrue, valueIfFalse)`; only the chosen branch is evaluated.
///
/// ref §6.3 IIF: "If the source attribute used within the IIF function is empty or null, the
/// condition check fails." So the condition is false whenever an attribute it references is
/// Null or "" — which is why the reference lists `IIF(IsNullOrEmpty([country]),"Other",
/// [country])` as unsupported: it yields `[country]`, not "Other", for an empty country.
pub(super) fn iif(ctx: &mut Ctx<'_, '_>, args: &[Option<Node>]) -> Result<Value, EvalError> {
    let condition = match args.first() {
        Some(Some(node)) => {
            let value = ctx.eval(node)?;
            if value == Value::Ignore {
                return Ok(Value::Ignore);
            }
            referenced_attributes_present(ctx, node)? && convert::truthy(&value)
        }
        _ => false,
    };
    let branch = if condition { 1 } else { 2 };
    match args.get(branch) {
        Some(Some(node)) => ctx.eval(node),
        _ => Ok(Value::Null),
    }
}

fn referenced_attributes_present(ctx: &mut Ctx<'_, '_>, node: &Node) -> Result<bool, EvalError> {
    let mut names = Vec::new();
    node.visit(&mut |n| {
        if let Node::Attribute(name) = n {
            names.push(name.clone());
        }
    });
    for name in names {
        if ctx.attribute(&name)?.is_null_or_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `Switch(source, defaultValue, key1, value1, ...)`: "When source value matches a key,
/// returns value for that key. If source value doesn't match any keys, returns defaultValue"
/// with "a case-sensitive string comparison" (ref §6.3). Keys are evaluated in order until one
/// matches. A Null source matches the key "" (the reference's advice: "use a literal empty
/// string as one of the key values"); an omitted default gives Null.
pub(super) fn switch(ctx: &mut Ctx<'_, '_>, args: &[Option<Node>]) -> Result<Value, EvalError> {
    let wrap = |message: String| EvalError {
        function: Some("Switch".into()),
        message,
    };
    let source = eval_slot(ctx, args.first())?;
    if source == Value::Ignore {
        return Ok(Value::Ignore);
    }
    let source_text = text(&source).map_err(wrap)?.unwrap_or_default();
    let mut pairs = args.get(2..).unwrap_or_default().chunks_exact(2);
    for pair in pairs.by_ref() {
        let [key_node, value_node] = pair else {
            continue;
        };
        let key = eval_slot(ctx, Some(key_node))?;
        if key == Value::Ignore {
            return Ok(Value::Ignore);
        }
        if text(&key).map_err(wrap)?.unwrap_or_default() == source_text {
            return eval_slot(ctx, Some(value_node));
        }
    }
    eval_slot(ctx, args.get(1))
}

fn eval_slot(ctx: &mut Ctx<'_, '_>, slot: Option<&Option<Node>>) -> Result<Value, EvalError> {
    match slot {
        Some(Some(node)) => ctx.eval(node),
        _ => Ok(Value::Null),
    }
}

/// `Coalesce(source1, ..., defaultValue)`: "Returns the first source value that isn't NULL"
/// (ref §6.3); the default is simply the last candidate. "" is not Null; an empty
/// multi-valued attribute is.
pub(super) fn coalesce(ctx: &mut Ctx<'_, '_>, args: &[Option<Node>]) -> Result<Value, EvalError> {
    for slot in args {
        let value = eval_slot(ctx, Some(slot))?;
        match value {
            Value::Ignore => return Ok(Value::Ignore),
            Value::Null => {}
            Value::Multi(ref items) if items.is_empty() => {}
            other => return Ok(other),
        }
    }
    Ok(Value::Null)
}

/// A comparison inside an argument. Choices (ref §6.3 only lists the operators):
/// - a Null or "" operand makes any comparison false ("the condition check fails");
/// - a multi-valued operand compares true if any item does (for `<>`: if no item is equal);
/// - a number against an integer string compares numerically, a date against a date string
///   compares as dates, a boolean against "True"/"False" as booleans; otherwise the texts are
///   compared ordinally, case-sensitively.
pub(in super::super) fn compare(op: CompareOp, left: &Value, right: &Value) -> bool {
    if op == CompareOp::Ne {
        return !left.is_null_or_empty()
            && !right.is_null_or_empty()
            && !compare(CompareOp::Eq, left, right);
    }
    items(left).iter().any(|l| {
        items(right)
            .iter()
            .any(|r| scalar_order(l, r).is_some_and(|ord| holds(op, ord)))
    })
}

fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Multi(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn holds(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
    }
}

fn scalar_order(left: &Value, right: &Value) -> Option<Ordering> {
    if left.is_null_or_empty() || right.is_null_or_empty() {
        return None;
    }
    match (left, right) {
        (Value::Number(_), _) | (_, Value::Number(_)) => {
            let l = convert::int(left).ok().flatten();
            let r = convert::int(right).ok().flatten();
            if let (Some(l), Some(r)) = (l, r) {
                return Some(l.cmp(&r));
            }
        }
        (Value::DateTime(_), _) | (_, Value::DateTime(_)) => {
            let l = convert::date(left).ok().flatten();
            let r = convert::date(right).ok().flatten();
            if let (Some(l), Some(r)) = (l, r) {
                return Some(l.cmp(&r));
            }
        }
        (Value::Boolean(_), _) | (_, Value::Boolean(_)) => {
            let l = convert::cbool(left).ok();
            let r = convert::cbool(right).ok();
            if let (Some(l), Some(r)) = (l, r) {
                // VB: True is -1, False is 0.
                return Some(r.cmp(&l));
            }
        }
        _ => {}
    }
    let l = text(left).ok().flatten()?;
    let r = text(right).ok().flatten()?;
    Some(l.cmp(&r))
}

/// `BitAnd(value1, value2)`: bitwise AND of two integers (ref §6.3: `BitAnd(&HF, &HF7)` is 7).
/// Null if either is Null.
pub(super) fn bit_and(args: &Args) -> FnResult {
    let a = convert::int(args.get(0))?;
    let b = convert::int(args.get(1))?;
    Ok(match (a, b) {
        (Some(a), Some(b)) => Value::Number(a & b),
        _ => Value::Null,
    })
}

/// `CBool(expression)`: "If the expression evaluates to a non-zero value, then CBool returns
/// True, else it returns False" (ref §6.3); see `convert::cbool` for strings.
pub(super) fn cbool(args: &Args) -> FnResult {
    convert::cbool(args.get(0)).map(Value::Boolean)
}

/// `Not(source)`: "If source value is True, returns False. Otherwise, returns True." (ref §6.3;
/// upstream doc). "True" in any case and non-zero numbers count as True.
pub(super) fn not(args: &Args) -> Value {
    Value::Boolean(!convert::truthy(args.get(0)))
}

/// `IsNull(expression)`: true for Null — "a Null is expressed by the absence of the attribute"
/// (ref §6.3) — and for an empty multi-valued attribute, which Entra ID cannot store either.
pub(super) fn is_null(args: &Args) -> Value {
    Value::Boolean(match args.get(0) {
        Value::Null => true,
        Value::Multi(items) => items.is_empty(),
        Value::Roles(roles) => roles.is_empty(),
        _ => false,
    })
}

/// `IsString(expression)`: "If the expression can be evaluated to a string type" (ref §6.3).
/// Choice: true only for string values; booleans, numbers and dates are typed values, not
/// strings, even though `CStr` could convert them.
pub(super) fn is_string(args: &Args) -> Value {
    Value::Boolean(matches!(args.get(0), Value::String(_)))
}

/// `IgnoreFlowIfNullOrEmpty(expression)`: drop the attribute "if the enclosed function or
/// attribute is NULL or empty" (ref §6.3).
pub(super) fn ignore_flow_if_null_or_empty(args: &Args) -> Value {
    let value = args.get(0);
    if value.is_null_or_empty() {
        Value::Ignore
    } else {
        value.clone()
    }
}
