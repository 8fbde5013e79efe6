//! The one case-folding rule for every case-insensitive comparison: index keys, filter
//! evaluation, uniqueness and emails all go through [`fold`].
//!
//! Chosen: Unicode *full* default case folding (CaseFolding.txt statuses C and F, via the
//! `caseless` crate), applied to the whole string, without the Turkic (T) mappings and without
//! normalisation. Full rather than simple folding so that `ß` matches `SS` and `ﬁ` matches `FI`;
//! whole-string so that `Σ`, `σ` and word-final `ς` all fold to `σ` (`str::to_lowercase` gives
//! `ς` at a word's end, a per-character map gives `σ`: the two disagreed, issue 15 D1). The Kelvin
//! sign folds to `k`; `İ` folds to `i` + U+0307 (so it does not equal `i`) and dotless `ı` stays
//! itself, as in every non-Turkic locale. RFC 7643 §2.1 leaves "caseExact false" to the service.

use std::borrow::Cow;

/// `s` case-folded; ASCII input is lower-cased without the Unicode tables.
pub(crate) fn fold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else {
        Cow::Owned(caseless::default_case_fold_str(s))
    }
}

/// Whether `a` and `b` are equal once case-folded.
pub(crate) fn eq_folded(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigma_forms_fold_alike() {
        assert!(eq_folded("ΝΙΚΟΣ@x.gr", "νικος@x.gr"));
        assert!(eq_folded("ΝΙΚΟΣ@x.gr", "νικοσ@x.gr"));
        assert!(eq_folded("ας@x", "ΑΣ@x"));
        assert_eq!(fold("ΣΣ"), fold("σς"));
    }

    #[test]
    fn full_folding_of_sharp_s_kelvin_and_dotted_i() {
        assert!(eq_folded("straße", "STRASSE"));
        assert!(eq_folded("\u{212A}elvin", "kelvin"));
        assert!(eq_folded("İstanbul", "i\u{307}stanbul"));
        assert!(!eq_folded("İstanbul", "istanbul"));
        assert!(!eq_folded("ıi", "ii"));
        assert_eq!(fold("ABC"), "abc");
        assert!(matches!(fold("abc"), Cow::Borrowed(_)));
    }
}
