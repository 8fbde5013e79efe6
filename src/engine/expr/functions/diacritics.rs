//! `NormalizeDiacritics(source)`.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Replaces diacritical characters with plain ones (ref §6.3: "diacritics → base chars per
/// table in doc (e.g. æ→ae, ø→oe, ß→ss)"; "Zoë" → "Zoe").
///
/// The upstream table lists Latin letters with accents, macrons, dots and lines below; all of
/// them decompose (NFD) into a base letter plus combining marks, so marks that follow a Latin
/// base letter are dropped. Letters without a decomposition are mapped explicitly (æ ø œ ß ł ı).
/// Marks on non-Latin letters (e.g. Devanagari vowel signs) are kept, as they are not
/// diacritics of a Latin name; the result is recomposed (NFC).
pub(super) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_latin = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            if !after_latin {
                out.push(c);
            }
            continue;
        }
        after_latin = is_latin(c);
        match c {
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            'ø' | 'œ' => out.push_str("oe"),
            'Ø' | 'Œ' => out.push_str("OE"),
            'ß' => out.push_str("ss"),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            'ı' => out.push('i'),
            other => out.push(other),
        }
    }
    out.nfc().collect()
}

/// Latin script blocks (Basic Latin through Latin Extended-B, Latin Extended Additional).
fn is_latin(c: char) -> bool {
    matches!(c, 'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}
