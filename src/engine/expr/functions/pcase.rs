//! `PCase(source, wordSeparators)`: proper case.

use unicode_normalization::char::{is_combining_mark, is_public_assigned};

use super::convert::{map_text, text_or_empty};
use super::strings::{lower_char, upper_char};
use super::{Args, FnResult};

/// ref §6.3 PCase: "converts the first character of each word in a string to upper case, and
/// all other characters are converted to lower case". Without `wordSeparators` (omitted, Null
/// or "") it is .NET `TextInfo.ToTitleCase` applied to the lower-cased string (lower-casing
/// first is what turns "PABLO GONSALVES (SECOND)" into "Pablo Gonsalves (Second)"; plain
/// ToTitleCase keeps all-caps words). With `wordSeparators`, only those characters separate
/// words.
pub(super) fn pcase(args: &Args) -> FnResult {
    let separators: Vec<char> = text_or_empty(args.get(1))?.chars().collect();
    map_text(args.get(0), |s| {
        Ok(if separators.is_empty() {
            title_case(s)
        } else {
            custom_case(s, &separators)
        })
    })
}

/// .NET `ToTitleCase` over the lower-cased input: a word starts at a letter and runs over
/// letters, apostrophes and any non-separator character (digits, marks).
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().map(lower_char).peekable();
    while let Some(c) = chars.next() {
        if !c.is_alphabetic() {
            out.push(c);
            continue;
        }
        out.push(title_char(c));
        while let Some(&next) = chars.peek() {
            if next != '\'' && is_word_separator(next) {
                break;
            }
            out.push(next);
            chars.next();
        }
    }
    out
}

/// Words split on the given characters; first character upper, the rest lower.
fn custom_case(s: &str, separators: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_word_start = true;
    for c in s.chars() {
        if separators.contains(&c) {
            out.push(c);
            at_word_start = true;
        } else if at_word_start {
            out.push(title_char(c));
            at_word_start = false;
        } else {
            out.push(lower_char(c));
        }
    }
    out
}

/// Upper case, except the Latin digraphs whose title case differs (DŽ → Dž, LJ → Lj, NJ → Nj, DZ → Dz).
fn title_char(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        other => upper_char(other),
    }
}

/// .NET word separators (ref §6.3 PCase remarks: space, control, format, connector, dash,
/// open/close, quote and other punctuation, math, currency, modifier and other symbols).
/// Approximated without a general-category table: not a letter, number or mark, not private
/// use and assigned.
fn is_word_separator(c: char) -> bool {
    let private_use = matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}');
    !(c.is_alphabetic() || c.is_numeric() || is_combining_mark(c) || private_use)
        && (is_public_assigned(c) || c.is_control())
}
