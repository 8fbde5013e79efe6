//! Formatting with .NET custom/standard date and time format strings (en-US names).

use super::pattern::{Token, tokenize};
use super::{DAYS, Kind, MONTHS, NetDateTime};

/// `DateTime.ToString(format)`; an empty format means "G".
pub(in super::super) fn format(dt: NetDateTime, format: &str) -> Result<String, String> {
    let tokens = tokenize(if format.is_empty() { "G" } else { format })?;
    let v = dt.value;
    let mut out = String::new();
    for token in tokens {
        match token {
            Token::Literal(text) => out.push_str(&text),
            Token::Zulu => out.push('Z'),
            Token::Spec(spec, count) => {
                let hour12 = match v.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                match spec {
                    'd' => match count {
                        1 | 2 => push_number(&mut out, v.day(), count),
                        3 => out.push_str(abbreviation(day_name(dt))),
                        _ => out.push_str(day_name(dt)),
                    },
                    'M' => {
                        let month = u8::from(v.month());
                        let name = MONTHS
                            .get(usize::from(month.saturating_sub(1)))
                            .copied()
                            .unwrap_or_default();
                        match count {
                            1 | 2 => push_number(&mut out, month, count),
                            3 => out.push_str(abbreviation(name)),
                            _ => out.push_str(name),
                        }
                    }
                    'y' => {
                        let year = v.year();
                        match count {
                            1 => out.push_str(&(year % 100).to_string()),
                            2 => out.push_str(&format!("{:02}", year % 100)),
                            n => out.push_str(&format!("{year:0n$}")),
                        }
                    }
                    'h' => push_number(&mut out, hour12, count.min(2)),
                    'H' => push_number(&mut out, v.hour(), count.min(2)),
                    'm' => push_number(&mut out, v.minute(), count.min(2)),
                    's' => push_number(&mut out, v.second(), count.min(2)),
                    'f' | 'F' => push_fraction(&mut out, v.nanosecond(), count, spec == 'F'),
                    't' => {
                        let am = v.hour() < 12;
                        out.push_str(match (count, am) {
                            (1, true) => "A",
                            (1, false) => "P",
                            (_, true) => "AM",
                            (_, false) => "PM",
                        });
                    }
                    // Local time is UTC (module doc), so every offset is zero.
                    'z' => out.push_str(match count {
                        1 => "+0",
                        2 => "+00",
                        _ => "+00:00",
                    }),
                    'K' => out.push_str(match dt.kind {
                        Kind::Utc => "Z",
                        Kind::Local => "+00:00",
                        Kind::Unspecified => "",
                    }),
                    'g' => out.push_str("A.D."),
                    other => out.push(other),
                }
            }
        }
    }
    Ok(out)
}

fn day_name(dt: NetDateTime) -> &'static str {
    let index = usize::from(dt.value.weekday().number_days_from_sunday());
    DAYS.get(index).copied().unwrap_or_default()
}

/// en-US abbreviated names are the first three letters.
fn abbreviation(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

fn push_number(out: &mut String, n: u8, width: usize) {
    if width >= 2 {
        out.push_str(&format!("{n:02}"));
    } else {
        out.push_str(&n.to_string());
    }
}

/// `f`: exactly `count` digits of the fraction; `F`: the same without trailing zeros, and
/// without a preceding '.' when nothing is left (.NET behaviour).
fn push_fraction(out: &mut String, nanos: u32, count: usize, trim: bool) {
    let digits = format!("{nanos:09}");
    let mut part = digits.get(..count.min(9)).unwrap_or_default().to_string();
    if trim {
        while part.ends_with('0') {
            part.pop();
        }
        if part.is_empty() && out.ends_with('.') {
            out.pop();
        }
    }
    out.push_str(&part);
}
