//! Bearer-token authentication, compared in constant time.

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// Whether `headers` carry `Authorization: Bearer <expected>`.
///
/// The scheme is case-insensitive (RFC 7235 §2.1); the token comparison takes the same
/// time wherever the first difference is, so the token cannot be guessed byte by byte.
pub(super) fn is_authorized(headers: &HeaderMap, expected: &str) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer")
        && constant_time_eq(token.trim().as_bytes(), expected.as_bytes())
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn accepts_only_the_exact_bearer_token() {
        assert!(is_authorized(&with("Bearer s3cret"), "s3cret"));
        assert!(is_authorized(&with("bearer s3cret"), "s3cret"));
        assert!(!is_authorized(&with("Bearer s3cre"), "s3cret"));
        assert!(!is_authorized(&with("Bearer s3crett"), "s3cret"));
        assert!(!is_authorized(&with("Basic s3cret"), "s3cret"));
        assert!(!is_authorized(&with("s3cret"), "s3cret"));
        assert!(!is_authorized(&HeaderMap::new(), "s3cret"));
    }
}
