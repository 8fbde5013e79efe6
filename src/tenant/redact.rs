//! Secrets kept out of the journal, its file and the admin API: the whole value of
//! `Authorization` and `Proxy-Authorization` (only a recognised scheme word is kept), and of
//! the configured header names and query parameters.

use http::{HeaderMap, HeaderValue, header};
use serde::{Deserialize, Serialize};

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// Header names and query parameters whose values are secrets (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Redaction {
    /// Headers besides `Authorization` and `Proxy-Authorization`.
    pub headers: Vec<String>,
    /// Query parameters.
    pub query_params: Vec<String>,
}

impl Default for Redaction {
    fn default() -> Self {
        Redaction {
            headers: vec!["x-api-key".into(), "api-key".into()],
            query_params: vec!["access_token".into(), "token".into(), "api-key".into()],
        }
    }
}

/// Authentication schemes shown before `[redacted]` (IANA HTTP Authentication Scheme registry).
const SCHEMES: [&str; 8] = [
    "basic",
    "bearer",
    "digest",
    "hoba",
    "mutual",
    "negotiate",
    "ntlm",
    "aws4-hmac-sha256",
];

/// `[redacted]`, after the scheme when the value starts with a known scheme and a space.
pub(crate) fn redact_credentials(value: &HeaderValue) -> HeaderValue {
    let scheme = value
        .to_str()
        .ok()
        .and_then(|s| s.split_once(' '))
        .map(|(scheme, _)| scheme)
        .filter(|s| SCHEMES.iter().any(|k| s.eq_ignore_ascii_case(k)));
    match scheme.and_then(|s| HeaderValue::from_str(&format!("{s} {REDACTED}")).ok()) {
        Some(v) => v,
        None => HeaderValue::from_static(REDACTED),
    }
}

impl Redaction {
    /// The headers with every secret replaced.
    pub fn headers(&self, mut headers: HeaderMap) -> HeaderMap {
        for name in [header::AUTHORIZATION, header::PROXY_AUTHORIZATION] {
            if let header::Entry::Occupied(mut e) = headers.entry(name) {
                for v in e.iter_mut() {
                    *v = redact_credentials(v);
                }
            }
        }
        for name in &self.headers {
            if let Ok(name) = header::HeaderName::try_from(name.to_ascii_lowercase())
                && let header::Entry::Occupied(mut e) = headers.entry(name)
            {
                for v in e.iter_mut() {
                    *v = HeaderValue::from_static(REDACTED);
                }
            }
        }
        headers
    }

    /// The query string with the values of secret parameters replaced; other pairs are
    /// kept byte for byte.
    pub fn query(&self, query: Option<String>) -> Option<String> {
        let q = query?;
        let secret = |pair: &str| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            let key = form_urlencoded::parse(key.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            self.query_params
                .iter()
                .any(|p| p.eq_ignore_ascii_case(&key))
        };
        if !q.split('&').any(secret) {
            return Some(q);
        }
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if secret(pair) => format!("{k}={REDACTED}"),
                _ => pair.to_string(),
            })
            .collect();
        Some(pairs.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn redacts_credentials_whatever_their_form() {
        let r = Redaction::default();
        let h = r.headers(headers(&[
            ("authorization", "blinksim-secret-token"),
            ("proxy-authorization", "Basic dXNlcjpwYXNz"),
            ("x-api-key", "k3y"),
            ("api-key", "k4y"),
            ("accept", "application/json"),
        ]));
        assert_eq!(h["authorization"], "[redacted]");
        assert_eq!(h["proxy-authorization"], "Basic [redacted]");
        assert_eq!(h["x-api-key"], "[redacted]");
        assert_eq!(h["api-key"], "[redacted]");
        assert_eq!(h["accept"], "application/json");
        for form in [
            "Bearer:s3cret",
            "s3cret Bearer",
            "Bearer\ts3cret",
            "bearer s3cret",
        ] {
            let h = r.headers(headers(&[("authorization", form)]));
            let shown = h["authorization"].to_str().unwrap();
            assert!(!shown.contains("s3cret"), "{form} -> {shown}");
        }
    }

    #[test]
    fn redacts_secret_query_parameters_only() {
        let r = Redaction::default();
        assert_eq!(
            r.query(Some(
                "filter=userName%20eq%20%22a%22&access_token=s3cret&TOKEN=x".into()
            )),
            Some("filter=userName%20eq%20%22a%22&access_token=[redacted]&TOKEN=[redacted]".into())
        );
        assert_eq!(r.query(Some("count=5".into())), Some("count=5".into()));
        let custom = Redaction {
            headers: vec!["X-Secret".into()],
            query_params: vec!["sig".into()],
        };
        assert_eq!(
            custom.query(Some("sig=1".into())),
            Some("sig=[redacted]".into())
        );
        let h = custom.headers(headers(&[("x-secret", "v"), ("x-api-key", "k")]));
        assert_eq!(
            (
                h["x-secret"].to_str().unwrap(),
                h["x-api-key"].to_str().unwrap()
            ),
            ("[redacted]", "k")
        );
    }
}
