//! A fault rule: which requests it selects, when it fires, and what it does. One format for
//! TOML files (`serve --faults`), the admin API (JSON), scenario files and the Rust builder.

use crate::duration::HumanDuration;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::Duration;

/// Longest injected delay, hang or dribble: runs stay bounded.
pub(crate) const MAX_FAULT_DURATION: Duration = Duration::from_secs(600);

/// The SCIM operation a request performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `POST /Users`
    Create,
    /// `GET /Users/{id}`
    Get,
    /// `GET /Users` and `POST /.search`
    List,
    /// `PUT /Users/{id}`
    Replace,
    /// `PATCH /Users/{id}`
    Patch,
    /// `DELETE /Users/{id}`
    Delete,
    /// `/ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`
    Discovery,
    /// `POST /Groups`
    GroupCreate,
    /// `GET /Groups/{id}`
    GroupGet,
    /// `GET /Groups`
    GroupList,
    /// `PUT /Groups/{id}`
    GroupReplace,
    /// `PATCH /Groups/{id}`
    GroupPatch,
    /// `DELETE /Groups/{id}`
    GroupDelete,
    /// Anything else (unknown paths, wrong methods).
    Other,
}

impl Operation {
    /// The name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Get => "get",
            Operation::List => "list",
            Operation::Replace => "replace",
            Operation::Patch => "patch",
            Operation::Delete => "delete",
            Operation::Discovery => "discovery",
            Operation::GroupCreate => "group_create",
            Operation::GroupGet => "group_get",
            Operation::GroupList => "group_list",
            Operation::GroupReplace => "group_replace",
            Operation::GroupPatch => "group_patch",
            Operation::GroupDelete => "group_delete",
            Operation::Other => "other",
        }
    }
}

/// A header a request must carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderMatch {
    /// Header name (case-insensitive).
    pub name: String,
    /// Required value (exact); any value when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// When a rule may fire, relative to the moment it was added.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Start of the window (inclusive); immediately when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<HumanDuration>,
    /// End of the window (exclusive); forever when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<HumanDuration>,
}

/// What "applied but lost" answers instead of the real response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LostAs {
    /// An error status (500 by default).
    Status(u16),
    /// The connection closes without a response.
    Drop,
    /// The connection is reset.
    Reset,
}

impl Default for LostAs {
    fn default() -> Self {
        LostAs::Status(500)
    }
}

impl Serialize for LostAs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LostAs::Status(code) => s.serialize_u16(*code),
            LostAs::Drop => s.serialize_str("drop"),
            LostAs::Reset => s.serialize_str("reset"),
        }
    }
}

impl<'de> Deserialize<'de> for LostAs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Code(u16),
            Word(String),
        }
        match Raw::deserialize(d)? {
            Raw::Code(c) => Ok(LostAs::Status(c)),
            Raw::Word(w) if w == "drop" => Ok(LostAs::Drop),
            Raw::Word(w) if w == "reset" => Ok(LostAs::Reset),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "unknown value '{w}' for `then`: expected a status code, \"drop\" or \"reset\""
            ))),
        }
    }
}

/// What a firing rule does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// Adds delay to the real response: `fixed`, or uniform `min`..`max`, or lognormal with
    /// `median` and `sigma`.
    Latency {
        /// A fixed delay.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fixed: Option<HumanDuration>,
        /// Uniform lower bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<HumanDuration>,
        /// Uniform upper bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<HumanDuration>,
        /// Lognormal median.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        median: Option<HumanDuration>,
        /// Lognormal shape (0.5 by default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sigma: Option<f64>,
    },
    /// Answers this status with a SCIM error body instead of carrying out the request.
    Status {
        /// HTTP status.
        status: u16,
        /// `Retry-After` in seconds (429 and 503).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        /// `scimType` of the error body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scim_type: Option<String>,
        /// `detail` of the error body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A token bucket: `per_second` requests with bursts of `burst`; the excess gets 429.
    RateLimit {
        /// Sustained rate.
        per_second: f64,
        /// Bucket size (1 by default).
        #[serde(default = "one")]
        burst: u32,
        /// `Retry-After` seconds; computed from the refill rate when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Closes the connection without a response.
    Drop,
    /// Resets the connection (TCP RST).
    Reset,
    /// Keeps the connection open without answering, then closes it (60 s by default).
    Hang {
        /// How long to hang.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<HumanDuration>,
    },
    /// Carries out the request, sends the headers and part of the body, then closes.
    Truncate {
        /// Body bytes sent (half the body by default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bytes: Option<usize>,
    },
    /// Carries out the request and sends the body slowly.
    Dribble {
        /// Bytes per chunk (16 by default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chunk: Option<usize>,
        /// Pause between chunks (200 ms by default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<HumanDuration>,
    },
    /// Carries out the request but answers 200 with an empty body.
    EmptyOk,
    /// Carries out the request but answers with a body that is not valid JSON.
    MalformedJson,
    /// Carries out the request but answers with `Content-Type: text/html`.
    WrongContentType,
    /// Carries out a list request but returns its first match twice.
    DuplicateMatch,
    /// Carries out the request, then answers an error or drops the connection: the client
    /// cannot know it happened (the path to a retried create that meets a 409).
    Lost {
        /// What the client gets instead (500 by default, or "drop"/"reset").
        #[serde(default)]
        then: LostAs,
    },
}

fn one() -> u32 {
    1
}

/// A fault rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// A name, shown in the journal and used to remove the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTTP methods (any when empty).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub method: Vec<String>,
    /// Path pattern, `*` matching any run of characters (`/scim/Users/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// SCIM operations (any when empty).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub operation: Vec<Operation>,
    /// Only requests about this userName (body, `userName eq` filter, or the target id's user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Only group requests about this displayName (body, `displayName eq` filter, or the
    /// target id's group); case-folded like the tenant's names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Only requests whose `filter` contains this text (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Only requests carrying this header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<HeaderMatch>,
    /// Fires with this probability, decided from the seed and the match count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Fires on every nth match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Fires on the first n matches only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<u64>,
    /// Fires only after n matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// Fires at most n times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Fires only inside this window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// What happens.
    pub effect: Effect,
}

fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw<T> {
        One(T),
        Many(Vec<T>),
    }
    Ok(match Raw::<T>::deserialize(d)? {
        Raw::One(x) => vec![x],
        Raw::Many(v) => v,
    })
}

/// A file or request body of rules: `[[fault]]` tables in TOML, `{"fault": [...]}`, a
/// single rule object, or an array of rules in JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultFile {
    /// The rules, in order.
    #[serde(default)]
    pub fault: Vec<FaultRule>,
}

/// A rule that failed validation: which rule and field, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}{field}: {message}")]
pub struct RuleError {
    /// `fault[2].` or empty.
    pub location: String,
    /// The field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl FaultRule {
    /// A rule with this effect and no selectors or triggers: fires on every request.
    pub fn new(effect: Effect) -> Self {
        FaultRule {
            name: None,
            method: Vec::new(),
            path: None,
            operation: Vec::new(),
            user_name: None,
            display_name: None,
            filter: None,
            header: None,
            probability: None,
            every: None,
            first: None,
            after: None,
            times: None,
            window: None,
            effect,
        }
    }

    /// `status` with a SCIM error body.
    pub fn status(status: u16) -> Self {
        Self::new(Effect::Status {
            status,
            retry_after: None,
            scim_type: None,
            detail: None,
        })
    }

    /// Names the rule.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Limits the rule to an operation (may be called repeatedly).
    pub fn on(mut self, operation: Operation) -> Self {
        self.operation.push(operation);
        self
    }

    /// Limits the rule to requests about a userName.
    pub fn for_user(mut self, user_name: &str) -> Self {
        self.user_name = Some(user_name.to_string());
        self
    }

    /// Limits the rule to group requests about a displayName.
    pub fn for_group(mut self, display_name: &str) -> Self {
        self.display_name = Some(display_name.to_string());
        self
    }

    /// Fires on the first `n` matches.
    pub fn first(mut self, n: u64) -> Self {
        self.first = Some(n);
        self
    }

    /// Fires on every `n`th match.
    pub fn every(mut self, n: u64) -> Self {
        self.every = Some(n);
        self
    }

    /// Fires with probability `p`.
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }

    /// Fires at most `n` times.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Sets `Retry-After` on a status or rate-limit effect.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        match &mut self.effect {
            Effect::Status { retry_after, .. } | Effect::RateLimit { retry_after, .. } => {
                *retry_after = Some(seconds)
            }
            _ => {}
        }
        self
    }

    /// The name shown in the journal: the given name, or the effect kind.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| self.effect.kind().to_string())
    }

    /// Checks ranges and combinations; the error names the field.
    pub fn validate(&self) -> Result<(), RuleError> {
        let err = |field: &str, message: String| {
            Err(RuleError {
                location: String::new(),
                field: field.into(),
                message,
            })
        };
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return err("probability", format!("{p} is outside 0..1"));
        }
        for (field, v) in [
            ("every", self.every),
            ("first", self.first),
            ("times", self.times),
        ] {
            if v == Some(0) {
                return err(field, "must be at least 1".into());
            }
        }
        for m in &self.method {
            if http::Method::from_bytes(m.to_ascii_uppercase().as_bytes()).is_err() || m.is_empty()
            {
                return err("method", format!("'{m}' is not an HTTP method"));
            }
        }
        if let Some(path) = &self.path
            && !path.starts_with('/')
        {
            return err("path", format!("'{path}' must start with '/'"));
        }
        if let Some(h) = &self.header
            && http::HeaderName::from_bytes(h.name.as_bytes()).is_err()
        {
            return err("header.name", format!("'{}' is not a header name", h.name));
        }
        if let Some(w) = &self.window
            && let (Some(start), Some(end)) = (w.start, w.end)
            && start >= end
        {
            return err("window", format!("start {start} is not before end {end}"));
        }
        self.effect
            .validate()
            .map_err(|(field, message)| RuleError {
                location: String::new(),
                field: format!("effect.{field}"),
                message,
            })
    }
}

impl Effect {
    /// The `kind` keyword.
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Latency { .. } => "latency",
            Effect::Status { .. } => "status",
            Effect::RateLimit { .. } => "rate_limit",
            Effect::Drop => "drop",
            Effect::Reset => "reset",
            Effect::Hang { .. } => "hang",
            Effect::Truncate { .. } => "truncate",
            Effect::Dribble { .. } => "dribble",
            Effect::EmptyOk => "empty_ok",
            Effect::MalformedJson => "malformed_json",
            Effect::WrongContentType => "wrong_content_type",
            Effect::DuplicateMatch => "duplicate_match",
            Effect::Lost { .. } => "lost",
        }
    }
}
