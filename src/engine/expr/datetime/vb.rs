//! VB `DateAdd` and `DateDiff` (Microsoft.VisualBasic.DateAndTime) on UTC values.

use time::{Duration, OffsetDateTime, UtcOffset};

use super::{in_range, make_date};

/// An interval string. ref §6.3 lists yyyy, m, d, ww, h, n, s; VB also accepts q (quarter),
/// y (day of year) and w (weekday), accepted here too. Case-insensitive, as in VB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Interval {
    Year,
    Quarter,
    Month,
    DayOfYear,
    Day,
    Weekday,
    WeekOfYear,
    Hour,
    Minute,
    Second,
}

fn interval(text: &str) -> Result<Interval, String> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "yyyy" => Interval::Year,
        "q" => Interval::Quarter,
        "m" => Interval::Month,
        "y" => Interval::DayOfYear,
        "d" => Interval::Day,
        "w" => Interval::Weekday,
        "ww" => Interval::WeekOfYear,
        "h" => Interval::Hour,
        "n" => Interval::Minute,
        "s" => Interval::Second,
        _ => {
            return Err(format!(
                "interval must be one of yyyy, q, m, y, d, w, ww, h, n, s; got '{text}'"
            ));
        }
    })
}

const OUT_OF_RANGE: &str = "the resulting date is outside years 1 to 9999";

/// `DateAdd(interval, value, dateTime)`: months and years keep the day, clamped to the month's
/// end (VB `AddMonths`); other intervals add exact durations.
pub(in super::super) fn date_add(
    interval_text: &str,
    value: i64,
    dt: OffsetDateTime,
) -> Result<OffsetDateTime, String> {
    let dt = dt.to_offset(UtcOffset::UTC);
    let seconds_per = |unit: i64| value.checked_mul(unit).ok_or(OUT_OF_RANGE);
    let result = match interval(interval_text)? {
        Interval::Year => add_months(dt, value.checked_mul(12).ok_or(OUT_OF_RANGE)?),
        Interval::Quarter => add_months(dt, value.checked_mul(3).ok_or(OUT_OF_RANGE)?),
        Interval::Month => add_months(dt, value),
        Interval::DayOfYear | Interval::Day | Interval::Weekday => {
            dt.checked_add(Duration::seconds(seconds_per(86_400)?))
        }
        Interval::WeekOfYear => dt.checked_add(Duration::seconds(seconds_per(604_800)?)),
        Interval::Hour => dt.checked_add(Duration::seconds(seconds_per(3_600)?)),
        Interval::Minute => dt.checked_add(Duration::seconds(seconds_per(60)?)),
        Interval::Second => dt.checked_add(Duration::seconds(value)),
    };
    result
        .filter(|r| in_range(*r))
        .ok_or_else(|| OUT_OF_RANGE.to_string())
}

fn add_months(dt: OffsetDateTime, months: i64) -> Option<OffsetDateTime> {
    let index = i64::from(dt.year())
        .checked_mul(12)?
        .checked_add(i64::from(u8::from(dt.month())))?
        .checked_sub(1)?
        .checked_add(months)?;
    let year = index.div_euclid(12);
    let month = u8::try_from(index.rem_euclid(12).checked_add(1)?).ok()?;
    let last_day = time::util::days_in_month(
        time::Month::try_from(month).ok()?,
        i32::try_from(year).ok()?,
    );
    let date = make_date(year, month, dt.day().min(last_day))?;
    Some(dt.replace_date(date))
}

/// `DateDiff(interval, date1, date2)`: positive when date2 is later (ref §6.3). As in VB:
/// d/y/h/n/s/w truncate the elapsed time toward zero; ww counts from the Sunday on or before
/// each date; m, q and yyyy subtract calendar fields. Both dates must be in years 1 to 9999,
/// which keeps every difference below far from overflow.
#[allow(clippy::arithmetic_side_effects)] // Bounded by the range check at the top.
pub(in super::super) fn date_diff(
    interval_text: &str,
    date1: OffsetDateTime,
    date2: OffsetDateTime,
) -> Result<i64, String> {
    if !in_range(date1) || !in_range(date2) {
        return Err("dates must be in years 1 to 9999".into());
    }
    let (d1, d2) = (
        date1.to_offset(UtcOffset::UTC),
        date2.to_offset(UtcOffset::UTC),
    );
    let elapsed = d2 - d1;
    let months = |d: OffsetDateTime| i64::from(d.year()) * 12 + i64::from(u8::from(d.month()));
    Ok(match interval(interval_text)? {
        Interval::Year => i64::from(d2.year()) - i64::from(d1.year()),
        Interval::Quarter => {
            let quarters = |d: OffsetDateTime| {
                i64::from(d.year()) * 4 + (i64::from(u8::from(d.month())) - 1) / 3
            };
            quarters(d2) - quarters(d1)
        }
        Interval::Month => months(d2) - months(d1),
        Interval::DayOfYear | Interval::Day => elapsed.whole_days(),
        Interval::Weekday => elapsed.whole_weeks(),
        Interval::WeekOfYear => {
            let to_sunday = |d: OffsetDateTime| {
                d - Duration::days(i64::from(d.weekday().number_days_from_sunday()))
            };
            (to_sunday(d2) - to_sunday(d1)).whole_days() / 7
        }
        Interval::Hour => elapsed.whole_hours(),
        Interval::Minute => elapsed.whole_minutes(),
        Interval::Second => elapsed.whole_seconds(),
    })
}
