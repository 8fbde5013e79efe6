//! Parsing: exact parsing against a .NET format (`DateTime.ParseExact`) and the lenient
//! parsing behind `CDate` (a fixed list of the formats `DateTime.Parse` accepts for en-US).

use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::pattern::{Token, tokenize};
use super::{DAYS, Kind, MONTHS, NetDateTime, make_date, make_time};

/// The .NET `DateTimeStyles` flags that matter here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(in super::super) struct Styles {
    leading_white: bool,
    trailing_white: bool,
    inner_white: bool,
    no_current_date_default: bool,
    adjust_to_universal: bool,
    assume_local: bool,
    assume_universal: bool,
    roundtrip_kind: bool,
}

impl Styles {
    /// ref §6.3 FormatDateTime: "If left empty, the default value used is
    /// DateTimeStyles.RoundtripKind, DateTimeStyles.AllowLeadingWhite,
    /// DateTimeStyles.AllowTrailingWhite".
    pub(crate) fn default_for_format_date_time() -> Self {
        Self {
            roundtrip_kind: true,
            leading_white: true,
            trailing_white: true,
            ..Self::default()
        }
    }

    /// Parses a list such as "DateTimeStyles.AdjustToUniversal, AllowWhiteSpaces" (separated
    /// by ',' or '|', prefix optional, any case); "" gives the FormatDateTime default.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default_for_format_date_time());
        }
        let mut styles = Self::default();
        for raw in text.split([',', '|']) {
            let name = raw.trim();
            let name = name.strip_prefix("DateTimeStyles.").unwrap_or(name);
            match name.to_ascii_lowercase().as_str() {
                "none" => {}
                "allowleadingwhite" => styles.leading_white = true,
                "allowtrailingwhite" => styles.trailing_white = true,
                "allowinnerwhite" => styles.inner_white = true,
                "allowwhitespaces" => {
                    styles.leading_white = true;
                    styles.trailing_white = true;
                    styles.inner_white = true;
                }
                "nocurrentdatedefault" => styles.no_current_date_default = true,
                "adjusttouniversal" => styles.adjust_to_universal = true,
                "assumelocal" => styles.assume_local = true,
                "assumeuniversal" => styles.assume_universal = true,
                "roundtripkind" => styles.roundtrip_kind = true,
                _ => return Err(format!("'{name}' is not a DateTimeStyles value")),
            }
        }
        Ok(styles)
    }

    fn lenient() -> Self {
        Self {
            leading_white: true,
            trailing_white: true,
            inner_white: true,
            ..Self::default()
        }
    }
}

/// Fields read so far.
#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<u8>,
    day: Option<u8>,
    hour: Option<u8>,
    minute: u8,
    second: u8,
    nanos: u32,
    pm: Option<bool>,
    offset_seconds: Option<i32>,
    utc: bool,
}

/// `DateTime.ParseExact(input, format, en-US, styles)`; `today` fills a missing date.
/// None when the input does not match.
pub(in super::super) fn parse_exact(
    input: &str,
    format: &str,
    styles: Styles,
    today: Date,
) -> Result<Option<NetDateTime>, String> {
    let tokens = tokenize(format)?;
    Ok(match_tokens(input, &tokens, styles).and_then(|f| build(f, styles, today)))
}

/// Lenient parsing for `CDate` and date arguments: ISO 8601 forms (with `T` or a space, an
/// optional fraction, `Z` or an offset such as "-07:00", including the date-only
/// "2020-03-16-07:00"), US forms ("8/25/2021 5:41:18 PM"), month names ("January 1, 2012"),
/// and RFC 1123. A value without offset is taken as UTC. A date part is required.
pub(in super::super) fn parse_loose(input: &str) -> Option<OffsetDateTime> {
    const TIMES: [&str; 5] = ["", " H:m", " H:m:s.FFFFFFF", " h:m tt", " h:m:s.FFFFFFF tt"];
    const DATES: [&str; 6] = [
        "M/d/yyyy",
        "MMMM d, yyyy",
        "dddd, MMMM d, yyyy",
        "d MMMM yyyy",
        "MMM d, yyyy",
        "d MMM yyyy",
    ];
    let today = Date::MIN;
    let styles = Styles::lenient();
    let iso = ["yyyy-M-dK", "yyyy-M-d'T'H:mK", "yyyy-M-d'T'H:m:s.FFFFFFFK"];
    let iso_space = [
        "yyyy-M-d H:mK",
        "yyyy-M-d H:m:s.FFFFFFFK",
        "yyyy/M/d",
        "yyyy/M/d H:m:s",
    ];
    let rfc = ["ddd, d MMM yyyy H:m:s 'GMT'"];
    let try_format = |format: &str| {
        let tokens = tokenize(format).ok()?;
        match_tokens(input, &tokens, styles).and_then(|f| build(f, styles, today))
    };
    let found = iso
        .iter()
        .chain(iso_space.iter())
        .chain(rfc.iter())
        .find_map(|f| try_format(f))
        .or_else(|| {
            DATES.iter().find_map(|date| {
                TIMES
                    .iter()
                    .find_map(|time| try_format(&format!("{date}{time}K")))
            })
        })?;
    Some(found.to_utc())
}

/// Walks the input along the tokens.
fn match_tokens(input: &str, tokens: &[Token], styles: Styles) -> Option<Fields> {
    let mut cur = Cursor {
        chars: input.chars().collect(),
        pos: 0,
    };
    if styles.leading_white {
        cur.skip_white();
    }
    let mut f = Fields::default();
    let mut rest = tokens.iter().peekable();
    while let Some(token) = rest.next() {
        if styles.inner_white && !matches!(token, Token::Literal(t) if t == " ") {
            cur.skip_white();
        }
        match token {
            // .NET: the '.' before 'F' specifiers is optional when no fraction follows.
            Token::Literal(text)
                if text == "." && matches!(rest.peek(), Some(Token::Spec('F', _))) =>
            {
                cur.eat('.');
            }
            Token::Literal(text) => {
                for expected in text.chars() {
                    if expected == ' ' && styles.inner_white {
                        cur.skip_white();
                    } else if !cur.eat(expected) {
                        return None;
                    }
                }
            }
            Token::Zulu => {
                if !(cur.eat('Z') || cur.eat('z')) {
                    return None;
                }
                f.utc = true;
                f.offset_seconds = Some(0);
            }
            Token::Spec(spec, count) => read_spec(&mut cur, &mut f, *spec, *count)?,
        }
    }
    if styles.trailing_white {
        cur.skip_white();
    }
    cur.at_end().then_some(f)
}

fn read_spec(cur: &mut Cursor, f: &mut Fields, spec: char, count: usize) -> Option<()> {
    // .NET: one letter reads 1-2 digits, two letters exactly 2.
    let (min, max) = if count == 1 { (1, 2) } else { (2, 2) };
    match spec {
        'd' if count <= 2 => f.day = Some(u8::try_from(cur.digits(min, max)?).ok()?),
        'd' => {
            cur.name(&DAYS, count == 3)?;
        }
        'M' if count <= 2 => f.month = Some(u8::try_from(cur.digits(min, max)?).ok()?),
        'M' => {
            let index = cur.name(&MONTHS, count == 3)?;
            f.month = Some(u8::try_from(index.checked_add(1)?).ok()?);
        }
        'y' if count <= 2 => {
            let y = cur.digits(min, max)?;
            // .NET two-digit year window: TwoDigitYearMax = 2029.
            f.year = Some(y.checked_add(if y < 30 { 2000 } else { 1900 })?);
        }
        'y' => f.year = Some(cur.digits(count, count)?),
        'h' | 'H' => f.hour = Some(u8::try_from(cur.digits(min, max)?).ok()?),
        'm' => f.minute = u8::try_from(cur.digits(min, max)?).ok()?,
        's' => f.second = u8::try_from(cur.digits(min, max)?).ok()?,
        'f' | 'F' => {
            let start = cur.pos;
            let lowest = if spec == 'f' { count } else { 0 };
            cur.digits(lowest, count)?;
            let text: String = cur.chars.get(start..cur.pos)?.iter().collect();
            let padded = format!("{text:0<9}");
            f.nanos = padded.get(..9)?.parse().ok()?;
        }
        't' => {
            let pm = if cur.eat_ci('A') {
                false
            } else if cur.eat_ci('P') {
                true
            } else {
                return None;
            };
            if count >= 2 && !cur.eat_ci('M') {
                return None;
            }
            f.pm = Some(pm);
        }
        'z' | 'K' => {
            if spec == 'K' && (cur.eat('Z') || cur.eat('z')) {
                f.utc = true;
                f.offset_seconds = Some(0);
            } else if let Some(seconds) = cur.offset() {
                f.offset_seconds = Some(seconds);
            } else if spec == 'z' {
                return None;
            }
        }
        'g' => {
            if !(cur.eat_str_ci("A.D.") || cur.eat_str_ci("AD")) {
                return None;
            }
        }
        _ => return None,
    }
    Some(())
}

/// Assembles the parsed fields (.NET `CheckDefaultDateTime` for missing parts).
fn build(f: Fields, styles: Styles, today: Date) -> Option<NetDateTime> {
    let (year, month, day) = match (f.year, f.month, f.day) {
        (None, None, None) if styles.no_current_date_default => (1, 1, 1),
        (None, None, None) => (
            i64::from(today.year()),
            u8::from(today.month()),
            today.day(),
        ),
        (Some(y), None, None) => (y, 1, 1),
        (y, m, d) => (
            y.unwrap_or_else(|| i64::from(today.year())),
            m.unwrap_or(1),
            d.unwrap_or(1),
        ),
    };
    let mut hour = f.hour.unwrap_or(0);
    match f.pm {
        Some(_) if hour > 12 => return None,
        Some(true) if hour < 12 => hour = hour.checked_add(12)?,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let date = make_date(year, month, day)?;
    let time = make_time(hour, f.minute, f.second, f.nanos)?;
    let wall = PrimitiveDateTime::new(date, time);
    let (value, kind) = match f.offset_seconds {
        Some(seconds) => {
            let offset = UtcOffset::from_whole_seconds(seconds).ok()?;
            let utc = wall.assume_offset(offset).to_offset(UtcOffset::UTC);
            let kind = if styles.adjust_to_universal || (styles.roundtrip_kind && f.utc) {
                Kind::Utc
            } else {
                Kind::Local
            };
            (PrimitiveDateTime::new(utc.date(), utc.time()), kind)
        }
        None if styles.assume_universal || styles.assume_local => (
            wall,
            if styles.adjust_to_universal {
                Kind::Utc
            } else {
                Kind::Local
            },
        ),
        None => (wall, Kind::Unspecified),
    };
    (1..=9999)
        .contains(&value.year())
        .then_some(NetDateTime { value, kind })
}

/// Position in the input.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    fn skip_white(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.advance(1);
        }
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.advance(1);
        }
        hit
    }

    fn eat_ci(&mut self, c: char) -> bool {
        let hit = self.peek().is_some_and(|p| p.eq_ignore_ascii_case(&c));
        if hit {
            self.advance(1);
        }
        hit
    }

    fn eat_str_ci(&mut self, s: &str) -> bool {
        let len = s.chars().count();
        let end = self.pos.saturating_add(len);
        let matches = self.chars.get(self.pos..end).is_some_and(|window| {
            window
                .iter()
                .zip(s.chars())
                .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
        });
        if matches {
            self.pos = end;
        }
        matches
    }

    /// Between `min` and `max` ASCII digits (as many as available up to `max`).
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let mut value: i64 = 0;
        let mut count = 0usize;
        while count < max {
            let Some(d) = self.peek().and_then(|c| c.to_digit(10)) else {
                break;
            };
            value = value.checked_mul(10)?.checked_add(i64::from(d))?;
            count = count.saturating_add(1);
            self.advance(1);
        }
        (count >= min).then_some(value)
    }

    /// A full or abbreviated (first three letters) name from `names`; its index.
    fn name(&mut self, names: &[&str], abbreviated: bool) -> Option<usize> {
        names.iter().position(|full| {
            let wanted = if abbreviated {
                full.get(..3).unwrap_or(full)
            } else {
                full
            };
            self.eat_str_ci(wanted)
        })
    }

    /// `+hh`, `+hhmm` or `+hh:mm` (hours may have one digit), in seconds east of UTC.
    fn offset(&mut self) -> Option<i32> {
        let start = self.pos;
        let sign = if self.eat('+') {
            1
        } else if self.eat('-') {
            -1
        } else {
            return None;
        };
        let parsed = (|| {
            let hours = self.digits(1, 2)?;
            let had_colon = self.eat(':');
            let minutes = match self.digits(2, 2) {
                Some(m) => m,
                None if had_colon => return None,
                None => 0,
            };
            if hours > 14 || minutes > 59 {
                return None;
            }
            i32::try_from(
                hours
                    .checked_mul(3600)?
                    .checked_add(minutes.checked_mul(60)?)?,
            )
            .ok()
        })();
        match parsed {
            Some(seconds) => seconds.checked_mul(sign),
            None => {
                self.pos = start;
                None
            }
        }
    }
}
