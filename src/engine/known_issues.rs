//! Microsoft's documented known issues (known-issues.md, how-provisioning-works.md), each
//! reproduced by default and each switchable (rulings.md R7).

use serde::{Deserialize, Serialize};

/// Characters that make a filter query fail when the matching value holds one. Which ones is
/// NOT FOUND (R7); chosen: those with a meaning in URLs or SCIM filter strings.
pub(crate) const DEFAULT_FILTER_SPECIAL_CHARACTERS: &str = "#%&+\\\"";

/// The known issues the engine reproduces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnownIssues {
    /// "can't perform filter queries on values containing special characters": a user whose
    /// matching value holds one of these fails without a request. Empty turns it off.
    pub filter_special_characters: String,
    /// appRoleAssignments, userType, manager and date-type attributes "aren't supported as
    /// scoping filters": a job using one is refused.
    pub refuse_unsupported_scoping_attributes: bool,
    /// B2B: "the #EXT# and your domain is stripped from the userPrincipalName".
    pub strip_b2b_upn: bool,
    /// "After you change scope from Sync All to Sync Assigned, make sure to also perform a
    /// restart": that change waits for the next restart.
    pub scope_change_needs_restart: bool,
}

impl Default for KnownIssues {
    fn default() -> Self {
        KnownIssues {
            filter_special_characters: DEFAULT_FILTER_SPECIAL_CHARACTERS.to_string(),
            refuse_unsupported_scoping_attributes: true,
            strip_b2b_upn: true,
            scope_change_needs_restart: true,
        }
    }
}

impl KnownIssues {
    /// The special character of `value` a filter query cannot carry, if any.
    pub fn unfilterable(&self, value: &str) -> Option<char> {
        value
            .chars()
            .find(|c| self.filter_special_characters.contains(*c))
    }
}

/// A B2B guest's UPN as the service sees it: `alias_theirdomain#EXT#@yourdomain` becomes
/// `alias@theirdomain` (HPW, reference §2); other UPNs are unchanged.
pub(crate) fn strip_b2b_upn(upn: &str) -> Option<String> {
    let (guest, _home) = upn.split_once("#EXT#@")?;
    let (alias, domain) = guest.rsplit_once('_')?;
    Some(format!("{alias}@{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b2b_upns_lose_ext_and_the_home_domain() {
        // rulings.md R7 (HPW B2B).
        assert_eq!(
            strip_b2b_upn("ada_fabrikam.com#EXT#@contoso.onmicrosoft.com").as_deref(),
            Some("ada@fabrikam.com")
        );
        assert_eq!(strip_b2b_upn("ada@contoso.com"), None);
    }

    #[test]
    fn special_characters_are_a_setting() {
        // rulings.md R7: the set is NOT FOUND, so it is a setting.
        let k = KnownIssues::default();
        assert_eq!(k.unfilterable("a&b@contoso.com"), Some('&'));
        assert_eq!(k.unfilterable("ada@contoso.com"), None);
        let off = KnownIssues {
            filter_special_characters: String::new(),
            ..k
        };
        assert_eq!(off.unfilterable("a&b@contoso.com"), None);
    }
}
