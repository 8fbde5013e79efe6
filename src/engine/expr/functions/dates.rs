//! Date functions: CDate, DateAdd, DateDiff, DateFromNum, FormatDateTime, Now, NumFromDate.
//! Dates are UTC values; see `datetime` for the .NET assumptions.

use time::{OffsetDateTime, UtcOffset};

use super::super::datetime::{self, NetDateTime, Styles};
use super::super::eval::Ctx;
use super::super::value::Value;
use super::convert::{self, map_text, text_or_empty};
use super::{Args, FnResult};

/// `CDate(expression)`: "returns a UTC DateTime from a string" (ref §6.3), e.g.
/// "2021-06-30+08:00" → 6/29/2021 4:00:00 PM. Null stays Null; unparseable text is an error
/// (.NET raises FormatException).
pub(super) fn cdate(args: &Args) -> FnResult {
    Ok(convert::date(args.get(0))?.map_or(Value::Null, Value::DateTime))
}

/// `DateAdd(interval, value, dateTime)` (ref §6.3); value must be an integer. Null date → Null.
pub(super) fn date_add(args: &Args) -> FnResult {
    let interval = text_or_empty(args.get(0))?;
    let amount = convert::required_int(args.get(1), "value")?;
    let Some(date) = convert::date(args.get(2))? else {
        return Ok(Value::Null);
    };
    datetime::date_add(&interval, amount, date).map(Value::DateTime)
}

/// `DateDiff(interval, date1, date2)` (ref §6.3): a number; Null when either date is Null.
pub(super) fn date_diff(args: &Args) -> FnResult {
    let interval = text_or_empty(args.get(0))?;
    let first = convert::date(args.get(1))?;
    let second = convert::date(args.get(2))?;
    match (first, second) {
        (Some(a), Some(b)) => datetime::date_diff(&interval, a, b).map(Value::Number),
        _ => Ok(Value::Null),
    }
}

/// `DateFromNum(value)`: AD FILETIME (100 ns ticks since 1601 UTC) → date (ref §6.3:
/// 129699324000000000 → January 1, 2012 at 11:00PM). Values .NET rejects (negative, past
/// 9999, e.g. `accountExpires` "never" = 0x7FFFFFFFFFFFFFFF) are errors.
pub(super) fn date_from_num(args: &Args) -> FnResult {
    let Some(ticks) = convert::int(args.get(0))? else {
        return Ok(Value::Null);
    };
    datetime::from_filetime(ticks)
        .map(Value::DateTime)
        .ok_or_else(|| format!("{ticks} is not a FILETIME between years 1601 and 9999"))
}

/// `NumFromDate(value)`: date (ISO 8601 text or date value) → AD FILETIME number (ref §6.3).
pub(super) fn num_from_date(args: &Args) -> FnResult {
    let Some(date) = convert::date(args.get(0))? else {
        return Ok(Value::Null);
    };
    datetime::to_filetime(date)
        .map(Value::Number)
        .ok_or_else(|| "dates before 1601 have no FILETIME".into())
}

/// `Now()`: the virtual clock in UTC.
pub(super) fn now(ctx: &Ctx<'_, '_>) -> OffsetDateTime {
    ctx.env.now.to_offset(UtcOffset::UTC)
}

/// `FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)` (ref §6.3): .NET
/// `ParseExact` with `inputFormat` then `ToString(outputFormat)`. Three arguments are the older
/// form `(source, inputFormat, outputFormat)`. A date value (CDate, Now) is formatted directly.
/// Null stays Null; input not matching the format is an error.
pub(super) fn format_date_time(ctx: &Ctx<'_, '_>, args: &Args) -> FnResult {
    let (styles_arg, input_arg, output_arg) = if args.len() == 3 {
        (None, 1, 2)
    } else {
        (Some(1), 2, 3)
    };
    let styles = match styles_arg {
        Some(i) => Styles::parse(&text_or_empty(args.get(i))?)?,
        None => Styles::default_for_format_date_time(),
    };
    let input_format = text_or_empty(args.get(input_arg))?;
    let output_format = text_or_empty(args.get(output_arg))?;
    if let Value::DateTime(dt) = args.get(0) {
        return datetime::format(NetDateTime::utc(*dt), &output_format).map(Value::String);
    }
    let today = now(ctx).date();
    map_text(args.get(0), |s| {
        let parsed = datetime::parse_exact(s, &input_format, styles, today)?.ok_or_else(|| {
            format!(
                "'{}' does not match the format '{}'",
                convert::preview(s),
                convert::preview(&input_format)
            )
        })?;
        datetime::format(parsed, &output_format)
    })
}
