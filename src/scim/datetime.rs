//! xsd:dateTime values (RFC 7643 §2.3.5) as Unix milliseconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Formats Unix milliseconds as `2026-01-02T03:04:05.678Z`, the shape of Microsoft's samples.
pub fn format_millis(ms: i64) -> String {
    Millis::new(ms).as_str().to_owned()
}

/// [`format_millis`] on the stack: the render path writes two per user, and `format!`
/// with seven padded fields cost more than the rest of `meta`.
pub(crate) struct Millis([u8; 24]);

impl Millis {
    /// The text of `ms` (the epoch when out of range, as [`format_millis`] says).
    pub(crate) fn new(ms: i64) -> Self {
        let nanos = i128::from(ms) * 1_000_000;
        let mut out = *b"1970-01-01T00:00:00.000Z";
        if let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(nanos)
            && (0..=9999).contains(&t.year())
        {
            let fields: [(usize, u32, usize); 7] = [
                (0, t.year().unsigned_abs(), 4),
                (5, u32::from(u8::from(t.month())), 2),
                (8, u32::from(t.day()), 2),
                (11, u32::from(t.hour()), 2),
                (14, u32::from(t.minute()), 2),
                (17, u32::from(t.second()), 2),
                (20, u32::from(t.millisecond()), 3),
            ];
            for (at, mut value, width) in fields {
                for digit in out[at..at + width].iter_mut().rev() {
                    *digit = b'0' + (value % 10) as u8;
                    value /= 10;
                }
            }
        }
        Millis(out)
    }

    /// The formatted text.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("1970-01-01T00:00:00.000Z")
    }
}

/// Parses an RFC 3339 date-time (with offset) into Unix milliseconds.
pub fn parse_millis(s: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        let ms = parse_millis("2018-03-27T19:59:26.000Z").unwrap();
        assert_eq!(format_millis(ms), "2018-03-27T19:59:26.000Z");
        assert_eq!(
            parse_millis("2011-05-13T04:42:34+02:00"),
            parse_millis("2011-05-13T02:42:34Z")
        );
        assert_eq!(parse_millis("yesterday"), None);
    }

    #[test]
    fn the_stack_formatter_matches_the_padded_format() {
        for ms in [
            0,
            1,
            999,
            86_399_999,
            1_764_547_200_123,
            -1,
            -86_400_001,
            253_402_300_799_999,
        ] {
            let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap();
            let padded = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            );
            assert_eq!(format_millis(ms), padded, "{ms}");
        }
        // Years before 0 or after 9999 do not fit the shape: the epoch, as before for out of range.
        assert_eq!(format_millis(i64::MAX), "1970-01-01T00:00:00.000Z");
    }
}
