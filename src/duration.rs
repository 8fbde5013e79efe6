//! Human-readable durations (`250ms`, `2s`, `1m30s`, `40m`, `1h`, `7d`) for fault rules and
//! scenario files, serialized the same way so files round-trip.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A duration written as text, e.g. `"1m30s"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// From milliseconds.
    pub fn from_millis(ms: u64) -> Self {
        HumanDuration(Duration::from_millis(ms))
    }

    /// In milliseconds, saturating.
    pub fn as_millis(self) -> u64 {
        u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX)
    }
}

/// Text that is not a duration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing but spaces.
    #[error("empty duration")]
    Empty,
    /// A unit without its number, e.g. `ms` or `1m s`.
    #[error("invalid duration '{text}': expected a number before '{rest}'")]
    MissingNumber {
        /// The whole text.
        text: String,
        /// What follows where a number was expected.
        rest: String,
    },
    /// A unit blinksim does not know.
    #[error("invalid duration '{text}': unknown unit '{unit}' (use ms, s, m, h or d)")]
    UnknownUnit {
        /// The whole text.
        text: String,
        /// The unit.
        unit: String,
    },
    /// A malformed number, or a negative or absurdly long duration.
    #[error("invalid duration '{0}'")]
    Invalid(String),
}

/// Parses `250ms`, `2s`, `1.5s`, `1m30s`, `40m`, `1h`, `7d`; a bare number means seconds.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    if let Ok(secs) = s.parse::<f64>() {
        return secs_to_duration(secs, text);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(DurationError::MissingNumber {
                text: text.into(),
                rest: rest.into(),
            });
        }
        let value: f64 = rest[..num_len]
            .parse()
            .map_err(|_| DurationError::Invalid(text.into()))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        rest = rest[unit_len..].trim_start();
        let factor = match unit {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            _ => {
                return Err(DurationError::UnknownUnit {
                    text: text.into(),
                    unit: unit.into(),
                });
            }
        };
        total += value * factor;
    }
    secs_to_duration(total, text)
}

fn secs_to_duration(secs: f64, text: &str) -> Result<Duration, DurationError> {
    if !secs.is_finite() || !(0.0..=1e12).contains(&secs) {
        return Err(DurationError::Invalid(text.into()));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Formats like `1m30s`, `250ms`, `0s`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let mut secs = ms / 1000;
    let mut out = String::new();
    for (unit, size) in [("d", 86_400u128), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    if !ms.is_multiple_of(1000) {
        out.push_str(&format!("{}ms", ms % 1000));
    }
    out
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Seconds(f64),
        }
        match Raw::deserialize(d)? {
            Raw::Text(t) => parse_duration(&t)
                .map(HumanDuration)
                .map_err(serde::de::Error::custom),
            Raw::Seconds(s) => secs_to_duration(s, &s.to_string())
                .map(HumanDuration)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Deserializes a duration that must be written with its unit (`"40m"`, not `40`), for
/// fields where a bare number would be ambiguous, like a scenario's `advance.by`.
pub(crate) fn deserialize_with_unit<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<HumanDuration, D::Error> {
    let text = String::deserialize(d).map_err(|_| {
        serde::de::Error::custom(
            "write the duration as text with its unit, e.g. \"40m\", \"6h\", \"31d\"",
        )
    })?;
    if text.trim().parse::<f64>().is_ok() {
        return Err(serde::de::Error::custom(format!(
            "'{text}' has no unit: write e.g. \"{text}m\" or \"{text}s\""
        )));
    }
    parse_duration(&text)
        .map(HumanDuration)
        .map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("40m"), Ok(Duration::from_secs(2400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1h 5m"), Ok(Duration::from_secs(3900)));
        assert_eq!(
            parse_duration("5 parsecs").unwrap_err().to_string(),
            "invalid duration '5 parsecs': unknown unit 'parsecs' (use ms, s, m, h or d)"
        );
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_secs(86_400 + 2400)), "1d40m");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(format_duration(Duration::from_millis(1250)), "1s250ms");
        let long = Duration::from_millis(8_052_500);
        assert_eq!(format_duration(long), "2h14m12s500ms");
        assert_eq!(parse_duration("2h14m12s500ms"), Ok(long));
    }
}
