//! Where a load goes, and the guard that keeps it on this machine unless told otherwise: a
//! load is a flood of requests, and a mistyped URL should not send it to someone's tenant.

use crate::sim::Connection;
use std::net::IpAddr;

/// A `--target` that is not on this machine, without `--allow-remote`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{url} is not on this machine; pass --allow-remote to load it anyway")]
pub struct RemoteRefused {
    /// The target URL.
    pub url: String,
}

/// Refuses a target URL that is not on this machine unless `allow_remote`.
pub fn guard(url: Option<&str>, allow_remote: bool) -> Result<(), RemoteRefused> {
    match url {
        Some(url) if !allow_remote && !is_loopback(url) => Err(RemoteRefused { url: url.into() }),
        _ => Ok(()),
    }
}

/// The connection for the flags: a target URL, else the embedded tenant in-process or over
/// loopback HTTP.
pub fn choose(url: Option<String>, token: Option<String>, in_process: bool) -> Connection {
    match (url, in_process) {
        (Some(url), _) => Connection::Http {
            url,
            token: token.unwrap_or_default(),
        },
        (None, true) => Connection::InProcess,
        (None, false) => Connection::Loopback,
    }
}

/// Whether a URL's (or a bare host's) host is this machine: `localhost`, 127.0.0.0/8 or `::1`
/// (also IPv4-mapped), with or without scheme, user info, port, path or query.
pub fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // A bare IPv6 address has colons of its own: try it whole before looking for a port.
    if let Ok(ip) = host_port.parse::<IpAddr>() {
        return ip.to_canonical().is_loopback();
    }
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => match host_port.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host_port,
        },
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_in_every_form() {
        for url in [
            "http://127.0.0.1:8080/scim",
            "http://127.0.0.1/scim?aadOptscim062020",
            "127.0.0.1",
            "127.8.9.10:1",
            "http://127.255.255.254",
            "http://localhost:8080/scim",
            "LOCALHOST",
            "localhost.:80",
            "http://user:secret@localhost:8080/scim",
            "http://[::1]:8080/scim",
            "[::1]",
            "::1",
            "0:0:0:0:0:0:0:1",
            "http://[::ffff:127.0.0.1]:80/",
            "https://localhost/scim",
        ] {
            assert!(is_loopback(url), "{url} is on this machine");
        }
    }

    #[test]
    fn other_hosts_are_remote() {
        for url in [
            "http://api.joinblink.com/scim",
            "http://10.0.0.1:8080/scim",
            "http://128.0.0.1",
            "http://localhost.example.com/scim",
            "http://127.0.0.1.nip.io/scim",
            "http://localhost@evil.example/scim",
            "http://[::2]:8080",
            "http://[fe80::1]/",
            "::",
            "0.0.0.0",
            "",
        ] {
            assert!(!is_loopback(url), "{url} is not on this machine");
        }
    }

    #[test]
    fn the_guard_refuses_remote_targets_unless_allowed() {
        let remote = "http://api.joinblink.com/scim";
        assert_eq!(
            guard(Some(remote), false).unwrap_err().to_string(),
            "http://api.joinblink.com/scim is not on this machine; pass --allow-remote to load it anyway"
        );
        assert_eq!(guard(Some(remote), true), Ok(()));
        assert_eq!(guard(Some("http://[::1]:1/scim"), false), Ok(()));
        assert_eq!(guard(None, false), Ok(()));
    }

    #[test]
    fn the_target_flags_choose_the_connection() {
        assert_eq!(choose(None, None, false), Connection::Loopback);
        assert_eq!(choose(None, None, true), Connection::InProcess);
        assert_eq!(
            choose(Some("http://127.0.0.1:1/scim".into()), None, false),
            Connection::Http {
                url: "http://127.0.0.1:1/scim".into(),
                token: String::new()
            }
        );
    }
}
