//! .NET-compatible date handling: custom and standard format strings (formatting and exact
//! parsing), lenient `CDate`-style parsing, VB `DateAdd`/`DateDiff`, AD FILETIME numbers.
//!
//! Assumptions where the reference is silent:
//! - the service's culture is en-US, the culture whose general pattern is the documented
//!   "M/d/yyyy h:mm:ss tt" (so standard formats like "d" give "M/d/yyyy");
//! - the service's local time zone is UTC, so "local" times equal UTC times and `z` prints
//!   "+00:00";
//! - dates are limited to .NET's range, years 1 to 9999.

mod format;
mod parse;
mod pattern;
mod vb;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

pub(super) use format::format;
pub(super) use parse::{Styles, parse_exact, parse_loose};
pub(super) use vb::{date_add, date_diff};

/// .NET `DateTimeKind` of a parsed value; only the `K` specifier prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Unspecified,
    Utc,
    Local,
}

/// A date/time as .NET holds it: wall-clock value (UTC, see module doc) and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct NetDateTime {
    pub value: PrimitiveDateTime,
    pub kind: Kind,
}

impl NetDateTime {
    /// A UTC instant as a .NET UTC DateTime.
    pub(super) fn utc(dt: OffsetDateTime) -> Self {
        let dt = dt.to_offset(UtcOffset::UTC);
        Self {
            value: PrimitiveDateTime::new(dt.date(), dt.time()),
            kind: Kind::Utc,
        }
    }

    /// The value as a UTC instant.
    pub(super) fn to_utc(self) -> OffsetDateTime {
        self.value.assume_utc()
    }
}

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(super) const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// "M/d/yyyy h:mm:ss tt" in UTC (ref §6.3 CDate/Now/DateAdd output format).
pub(super) fn general_string(dt: OffsetDateTime) -> String {
    let dt = dt.to_offset(UtcOffset::UTC);
    let hour12 = match dt.hour() % 12 {
        0 => 12,
        h => h,
    };
    let meridiem = if dt.hour() < 12 { "AM" } else { "PM" };
    format!(
        "{}/{}/{} {}:{:02}:{:02} {}",
        u8::from(dt.month()),
        dt.day(),
        dt.year(),
        hour12,
        dt.minute(),
        dt.second(),
        meridiem
    )
}

/// Whether `dt` is inside .NET's DateTime range (years 1 to 9999).
pub(super) fn in_range(dt: OffsetDateTime) -> bool {
    (1..=9999).contains(&dt.to_offset(UtcOffset::UTC).year())
}

/// Builds a date, None when invalid or outside years 1..=9999.
pub(super) fn make_date(year: i64, month: u8, day: u8) -> Option<Date> {
    let year = i32::try_from(year)
        .ok()
        .filter(|y| (1..=9999).contains(y))?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Builds a time of day, None when invalid.
pub(super) fn make_time(hour: u8, minute: u8, second: u8, nanos: u32) -> Option<Time> {
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

/// FILETIME ticks (100 ns since 1601-01-01 UTC) of the Unix epoch.
const FILETIME_UNIX_EPOCH: i128 = 116_444_736_000_000_000;

/// `DateTime.FromFileTimeUtc`: None for negative ticks or dates past 9999.
pub(super) fn from_filetime(ticks: i64) -> Option<OffsetDateTime> {
    if ticks < 0 {
        return None;
    }
    let nanos = i128::from(ticks)
        .checked_sub(FILETIME_UNIX_EPOCH)?
        .checked_mul(100)?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .filter(|dt| in_range(*dt))
}

/// `DateTime.ToFileTimeUtc`: None before 1601 (where .NET throws).
pub(super) fn to_filetime(dt: OffsetDateTime) -> Option<i64> {
    let ticks = dt
        .unix_timestamp_nanos()
        .checked_div(100)?
        .checked_add(FILETIME_UNIX_EPOCH)?;
    i64::try_from(ticks).ok().filter(|t| *t >= 0)
}
