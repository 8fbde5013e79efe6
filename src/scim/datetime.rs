//! xsd:dateTime values (RFC 7643 §2.3.5) as Unix milliseconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Formats Unix milliseconds as `2026-01-02T03:04:05.678Z`, the shape of Microsoft's samples.
pub fn format_millis(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        Err(_) => "1970-01-01T00:00:00.000Z".to_string(),
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
}
