//! Implementations of the functions, and the dispatcher that evaluates their arguments.
//!
//! Common rules (choices where ref §6.3 is silent, documented once here):
//! - Arguments are evaluated left to right; `IIF`, `Switch`, `Coalesce` and
//!   `SelectUniqueValue` evaluate only what they need (this fixes `Guid()` call order).
//! - If an evaluated argument is `Ignore` (from `IgnoreFlowIfNullOrEmpty`), the enclosing call
//!   is `Ignore` too: the attribute is dropped from the flow wherever the function sits.
//! - An omitted argument reads as Null, except where a function gives omission a meaning
//!   (`Replace`, `Switch`'s default, `FormatDateTime`'s styles, `InStr`'s start).
//! - String functions given a multi-valued value apply to each item.

mod convert;
mod dates;
mod diacritics;
mod encoding;
mod logic;
mod multi;
mod pcase;
mod random;
mod replace;
mod roles;
mod strings;

use super::ast::Node;
use super::catalog::Function;
use super::error::EvalError;
use super::eval::Ctx;
use super::value::Value;

pub(super) use logic::compare;

/// Evaluated arguments of an eager call; `None` marks an omitted argument.
pub(super) struct Args(Vec<Option<Value>>);

impl Args {
    /// Argument `i`, Null when omitted or absent.
    fn get(&self, i: usize) -> &Value {
        self.0
            .get(i)
            .and_then(Option::as_ref)
            .unwrap_or(&convert::NULL)
    }

    /// Whether argument `i` was written (even if it evaluated to Null).
    fn given(&self, i: usize) -> bool {
        self.0.get(i).is_some_and(Option::is_some)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn iter(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|a| a.as_ref().unwrap_or(&convert::NULL))
    }
}

/// Result of a function body; the message is wrapped with the function's name.
type FnResult = Result<Value, String>;

/// Evaluates a call of `function` on the unevaluated `args`.
pub(super) fn call(
    ctx: &mut Ctx<'_, '_>,
    function: Function,
    args: &[Option<Node>],
) -> Result<Value, EvalError> {
    let wrap = |message: String| EvalError {
        function: Some(function.name().to_string()),
        message,
    };
    let lazy = match function {
        Function::IIF => Some(logic::iif(ctx, args)),
        Function::Switch => Some(logic::switch(ctx, args)),
        Function::Coalesce => Some(logic::coalesce(ctx, args)),
        // ref §6.3 SelectUniqueValue checks uniqueness "in the target app/directory" and "is
        // only supported" for AD targets; here it is the first rule's value, unchecked.
        Function::SelectUniqueValue => Some(match args.first() {
            Some(Some(rule)) => ctx.eval(rule),
            _ => Ok(Value::Null),
        }),
        f if f.is_role_function() => Some(Ok(roles::evaluate(ctx, f))),
        _ => None,
    };
    let result = match lazy {
        Some(result) => result?,
        None => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                let value = match arg {
                    Some(node) => Some(ctx.eval(node)?),
                    None => None,
                };
                if value == Some(Value::Ignore) {
                    return Ok(Value::Ignore);
                }
                values.push(value);
            }
            eager(ctx, function, &Args(values)).map_err(wrap)?
        }
    };
    ctx.check_output(&result).map_err(wrap)?;
    Ok(result)
}

/// Functions whose arguments are all evaluated first.
fn eager(ctx: &mut Ctx<'_, '_>, function: Function, args: &Args) -> FnResult {
    use Function::*;
    match function {
        Append => strings::append(args),
        BitAnd => logic::bit_and(args),
        CBool => logic::cbool(args),
        CDate => dates::cdate(args),
        ConvertToBase64 => encoding::to_base64(args),
        ConvertToUTF8Hex => encoding::to_utf8_hex(args),
        Count => multi::count(args),
        CStr => strings::cstr(args),
        DateAdd => dates::date_add(args),
        DateDiff => dates::date_diff(args),
        DateFromNum => dates::date_from_num(args),
        FormatDateTime => dates::format_date_time(ctx, args),
        Guid => Ok(random::guid(ctx)),
        IgnoreFlowIfNullOrEmpty => Ok(logic::ignore_flow_if_null_or_empty(args)),
        InStr => strings::in_str(args),
        IsNull => Ok(logic::is_null(args)),
        IsNullOrEmpty => Ok(Value::Boolean(args.get(0).is_null_or_empty())),
        IsPresent => Ok(Value::Boolean(!args.get(0).is_null_or_empty())),
        IsString => Ok(logic::is_string(args)),
        Item => multi::item(args),
        Join => strings::join(args),
        Left => strings::left(args),
        Mid => strings::mid(args),
        NormalizeDiacritics => convert::map_text(args.get(0), |s| Ok(diacritics::normalize(s))),
        Not => Ok(logic::not(args)),
        Now => Ok(Value::DateTime(dates::now(ctx))),
        NumFromDate => dates::num_from_date(args),
        PCase => pcase::pcase(args),
        RandomString => random::random_string(ctx, args),
        // ref §6.3 Redact only hides the value in logs; see `Expr::is_redacted`.
        Redact => Ok(args.get(0).clone()),
        RemoveDuplicates => multi::remove_duplicates(args),
        Replace => replace::replace(ctx, args),
        Split => strings::split(args),
        StripSpaces => strings::strip_spaces(args),
        ToLower => strings::change_case(args, strings::Case::Lower),
        ToUpper => strings::change_case(args, strings::Case::Upper),
        Word => strings::word(args),
        IIF
        | Switch
        | Coalesce
        | SelectUniqueValue
        | SingleAppRoleAssignment
        | AppRoleAssignmentsComplex
        | AssertiveAppRoleAssignmentsComplex => {
            Err("internal: lazily evaluated function reached the eager path".into())
        }
    }
}
