//! Fault injection for the mock tenant: latency, error statuses with Retry-After, rate
//! limits, dropped and reset connections, hangs, truncated and dribbled bodies, bad payloads,
//! and operations applied but lost (issue 3; how Azure AD meets them: aad-provisioning-service.md §4).

pub(crate) mod parse;
pub(crate) mod rule;
pub(crate) mod set;

pub(crate) use parse::{ParseError, parse_json, parse_toml};
pub(crate) use rule::{Effect, LostAs, Operation, RuleError};
pub(crate) use set::{AppliedFault, Decision, FaultSet, Installed, RequestFacts};
