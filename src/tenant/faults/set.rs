//! The installed rules and the decision for one request. Whether a rule fires is a function
//! of the seed, the rule and how many requests it has matched, so the same seed and request
//! sequence give the same faults (issue 3), run after run.

use super::rule::{Effect, FaultRule, MAX_FAULT_DURATION, Operation};
use crate::scim::fold::fold;
use http::{HeaderMap, Method};
use rand::RngExt;
use std::time::Duration;

/// What the fault layer knows about a request.
#[derive(Debug)]
pub(crate) struct RequestFacts<'a> {
    /// Method.
    pub method: &'a Method,
    /// Path.
    pub path: &'a str,
    /// Headers.
    pub headers: &'a HeaderMap,
    /// SCIM operation.
    pub operation: Operation,
    /// The userName the request is about, lower-cased, when any rule needs it.
    pub user_name: Option<String>,
    /// The group displayName the request is about, case-folded, when any rule needs it.
    pub display_name: Option<String>,
    /// The decoded `filter` parameter, lower-cased.
    pub filter: Option<String>,
}

/// A rule as installed: the rule plus its counters.
#[derive(Clone, Debug)]
pub struct Installed {
    /// The rule.
    pub rule: FaultRule,
    /// Requests it has matched.
    pub matched: u64,
    /// Times it fired.
    pub fired: u64,
    ordinal: u64,
    added_at: i64,
    bucket: Option<Bucket>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated_at: i64,
}

/// One rule that fired on a request, for the journal.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AppliedFault {
    /// The rule's label.
    pub rule: String,
    /// The effect kind.
    pub effect: &'static str,
    /// Injected delay, for latency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

/// The decision for one request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decision {
    /// Total latency to add (latency rules stack).
    pub delay: Duration,
    /// The first firing rule that is not latency, with its Retry-After when it has one.
    pub terminal: Option<(Effect, Option<u64>)>,
    /// Every rule that fired.
    pub applied: Vec<AppliedFault>,
}

/// The installed rules of a tenant.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultSet {
    rules: Vec<Installed>,
    seed: u64,
    next_ordinal: u64,
}

impl FaultSet {
    /// An empty set for `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        FaultSet {
            rules: Vec::new(),
            seed,
            next_ordinal: 0,
        }
    }

    /// Installs rules (already validated) at time `now`, after the existing ones.
    pub(crate) fn add(&mut self, rules: Vec<FaultRule>, now: i64) {
        for rule in rules {
            self.rules.push(Installed {
                rule,
                matched: 0,
                fired: 0,
                ordinal: self.next_ordinal,
                added_at: now,
                bucket: None,
            });
            self.next_ordinal += 1;
        }
    }

    /// Removes every rule.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
        self.next_ordinal = 0;
    }

    /// Removes the rules with this name; whether any was removed.
    pub(crate) fn remove(&mut self, name: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.rule.name.as_deref() != Some(name));
        self.rules.len() != before
    }

    /// Whether there are no rules.
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The installed rules with their counters.
    pub(crate) fn rules(&self) -> &[Installed] {
        &self.rules
    }

    /// Whether some rule selects by userName (so the tenant must work it out).
    pub(crate) fn needs_user_name(&self) -> bool {
        self.rules.iter().any(|r| r.rule.user_name.is_some())
    }

    /// Whether some rule selects by group displayName.
    pub(crate) fn needs_display_name(&self) -> bool {
        self.rules.iter().any(|r| r.rule.display_name.is_some())
    }

    /// Decides what happens to a request at time `now` (Unix ms), updating the counters.
    pub(crate) fn decide(&mut self, facts: &RequestFacts<'_>, now: i64) -> Decision {
        let mut decision = Decision::default();
        let seed = self.seed;
        for installed in &mut self.rules {
            if !selects(&installed.rule, facts) {
                continue;
            }
            installed.matched += 1;
            let n = installed.matched;
            if !triggers(installed, seed, n, now) {
                continue;
            }
            let retry_after = match installed.rule.effect {
                Effect::RateLimit {
                    per_second,
                    burst,
                    retry_after,
                } => match take_token(installed, per_second, burst, now) {
                    Ok(()) => continue,
                    Err(wait) => Some(retry_after.unwrap_or(wait)),
                },
                Effect::Status { retry_after, .. } => retry_after,
                _ => None,
            };
            installed.fired += 1;
            let label = installed.rule.label();
            if let Effect::Latency { .. } = installed.rule.effect {
                let delay = sample_latency(&installed.rule.effect, seed, installed.ordinal, n);
                decision.delay = (decision.delay + delay).min(MAX_FAULT_DURATION);
                let delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
                decision.applied.push(AppliedFault {
                    rule: label,
                    effect: "latency",
                    delay_ms,
                });
                continue;
            }
            decision.applied.push(AppliedFault {
                rule: label,
                effect: installed.rule.effect.kind(),
                delay_ms: None,
            });
            decision.terminal = Some((installed.rule.effect.clone(), retry_after));
            break;
        }
        decision
    }
}

fn selects(rule: &FaultRule, f: &RequestFacts<'_>) -> bool {
    if !rule.method.is_empty()
        && !rule
            .method
            .iter()
            .any(|m| m.eq_ignore_ascii_case(f.method.as_str()))
    {
        return false;
    }
    if !rule.operation.is_empty() && !rule.operation.contains(&f.operation) {
        return false;
    }
    if let Some(pattern) = &rule.path
        && !glob(pattern, f.path)
    {
        return false;
    }
    if let Some(name) = &rule.user_name
        && f.user_name.as_deref() != Some(&*fold(name))
    {
        return false;
    }
    if let Some(name) = &rule.display_name
        && f.display_name.as_deref() != Some(&*fold(name))
    {
        return false;
    }
    if let Some(text) = &rule.filter
        && !f
            .filter
            .as_deref()
            .is_some_and(|flt| flt.contains(&*fold(text)))
    {
        return false;
    }
    if let Some(h) = &rule.header {
        let value = f.headers.get(h.name.as_str()).and_then(|v| v.to_str().ok());
        match (&h.value, value) {
            (_, None) => return false,
            (Some(want), Some(got)) if want != got => return false,
            _ => {}
        }
    }
    true
}

fn triggers(installed: &Installed, seed: u64, n: u64, now: i64) -> bool {
    let r = &installed.rule;
    if r.first.is_some_and(|k| n > k)
        || r.after.is_some_and(|k| n <= k)
        || r.every.is_some_and(|k| !n.is_multiple_of(k))
    {
        return false;
    }
    if r.times.is_some_and(|k| installed.fired >= k) {
        return false;
    }
    if let Some(w) = &r.window {
        let elapsed = u64::try_from(now.saturating_sub(installed.added_at)).unwrap_or(0);
        if w.start.is_some_and(|s| elapsed < s.as_millis())
            || w.end.is_some_and(|e| elapsed >= e.as_millis())
        {
            return false;
        }
    }
    match r.probability {
        Some(p) => unit(seed, installed.ordinal, n, 1) < p,
        None => true,
    }
}

/// Refills and takes a token; on failure, the seconds until one is available.
fn take_token(installed: &mut Installed, per_second: f64, burst: u32, now: i64) -> Result<(), u64> {
    let capacity = f64::from(burst);
    let bucket = installed.bucket.get_or_insert(Bucket {
        tokens: capacity,
        updated_at: now,
    });
    let elapsed = (now - bucket.updated_at).max(0) as f64 / 1000.0;
    bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
    bucket.updated_at = now;
    if bucket.tokens >= 1.0 {
        bucket.tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
    }
}

/// A uniform number in [0, 1) that depends only on the seed, the rule and the match count.
fn unit(seed: u64, ordinal: u64, n: u64, salt: u64) -> f64 {
    let key = seed
        ^ ordinal.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ salt.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    crate::fakes::rng(key, n).random::<f64>()
}

fn sample_latency(effect: &Effect, seed: u64, ordinal: u64, n: u64) -> Duration {
    let Effect::Latency {
        fixed,
        min,
        max,
        median,
        sigma,
    } = effect
    else {
        return Duration::ZERO;
    };
    let d = match (fixed, min, max, median) {
        (Some(f), ..) => f.0,
        (None, Some(lo), Some(hi), _) => lo.0 + (hi.0 - lo.0).mul_f64(unit(seed, ordinal, n, 2)),
        (None, _, _, Some(m)) => {
            // Box-Muller from two deterministic uniforms.
            let u1 = unit(seed, ordinal, n, 3).max(f64::MIN_POSITIVE);
            let u2 = unit(seed, ordinal, n, 4);
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            m.0.mul_f64((sigma.unwrap_or(0.5) * z).exp().min(1e6))
        }
        _ => Duration::ZERO,
    };
    d.min(MAX_FAULT_DURATION)
}

/// `*` matches any run of characters, everything else itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != b'*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::HumanDuration;

    fn facts<'a>(method: &'a Method, headers: &'a HeaderMap, op: Operation) -> RequestFacts<'a> {
        RequestFacts {
            method,
            path: "/scim/Users",
            headers,
            operation: op,
            user_name: Some("ada@x.com".into()),
            display_name: None,
            filter: None,
        }
    }

    fn run(rules: Vec<FaultRule>, seed: u64, requests: usize) -> Vec<Option<String>> {
        let mut set = FaultSet::new(seed);
        set.add(rules, 0);
        let (m, h) = (Method::GET, HeaderMap::new());
        (0..requests)
            .map(|i| {
                set.decide(&facts(&m, &h, Operation::List), i as i64 * 10)
                    .terminal
                    .map(|(e, _)| e.kind().to_string())
            })
            .collect()
    }

    #[test]
    fn counting_triggers() {
        let fired = |r| {
            run(vec![r], 1, 10)
                .iter()
                .map(Option::is_some)
                .collect::<Vec<_>>()
        };
        let t = true;
        let f = false;
        assert_eq!(
            fired(FaultRule::status(500).first(3)),
            [t, t, t, f, f, f, f, f, f, f]
        );
        assert_eq!(
            fired(FaultRule::status(500).every(3)),
            [f, f, t, f, f, t, f, f, t, f]
        );
        let mut after = FaultRule::status(500);
        after.after = Some(8);
        assert_eq!(fired(after), [f, f, f, f, f, f, f, f, t, t]);
        assert_eq!(
            fired(FaultRule::status(500).every(2).times(2)),
            [f, t, f, t, f, f, f, f, f, f]
        );
        let mut windowed = FaultRule::status(500);
        windowed.window = Some(super::super::rule::Window {
            start: Some(HumanDuration::from_millis(20)),
            end: Some(HumanDuration::from_millis(50)),
        });
        assert_eq!(fired(windowed), [f, f, t, t, t, f, f, f, f, f]);
    }

    #[test]
    fn probability_is_a_function_of_seed_rule_and_count() {
        let rule = || vec![FaultRule::status(503).probability(0.3)];
        assert_eq!(run(rule(), 7, 500), run(rule(), 7, 500));
        assert_ne!(run(rule(), 7, 500), run(rule(), 8, 500));
        let hits = run(rule(), 7, 10_000)
            .iter()
            .filter(|x| x.is_some())
            .count();
        assert!((2700..3300).contains(&hits), "{hits}");
    }

    #[test]
    fn selectors() {
        let (get, post, h) = (Method::GET, Method::POST, HeaderMap::new());
        let mut set = FaultSet::new(0);
        let mut rule = FaultRule::status(500)
            .on(Operation::Create)
            .for_user("ADA@x.com");
        rule.path = Some("/scim/*".into());
        set.add(vec![rule], 0);
        assert!(
            set.decide(&facts(&get, &h, Operation::List), 0)
                .terminal
                .is_none()
        );
        assert!(
            set.decide(&facts(&post, &h, Operation::Create), 0)
                .terminal
                .is_some()
        );
        assert!(glob("/scim/Users/*", "/scim/Users/abc"));
        assert!(!glob("/scim/Users/*", "/scim/Groups/abc"));
        assert!(glob("*", ""));
        assert!(glob("/a*b*c", "/axxbyyc"));
    }

    #[test]
    fn rate_limit_bucket() {
        let mut set = FaultSet::new(0);
        set.add(
            vec![FaultRule::new(Effect::RateLimit {
                per_second: 2.0,
                burst: 2,
                retry_after: None,
            })],
            0,
        );
        let (m, h) = (Method::GET, HeaderMap::new());
        let mut at = |t: i64| {
            set.decide(&facts(&m, &h, Operation::List), t)
                .terminal
                .map(|(_, r)| r)
        };
        assert_eq!(at(0), None);
        assert_eq!(at(0), None);
        assert_eq!(
            at(0),
            Some(Some(1)),
            "third in the same instant is over the burst"
        );
        assert_eq!(at(500), None, "half a second refills one token");
        assert_eq!(at(500), Some(Some(1)));
    }

    #[test]
    fn latency_stacks_and_is_deterministic() {
        let lat = |min, max| Effect::Latency {
            fixed: None,
            min: Some(HumanDuration::from_millis(min)),
            max: Some(HumanDuration::from_millis(max)),
            median: None,
            sigma: None,
        };
        let mut set = FaultSet::new(3);
        set.add(
            vec![
                FaultRule::new(lat(10, 20)),
                FaultRule::new(lat(100, 100)),
                FaultRule::status(500),
            ],
            0,
        );
        let (m, h) = (Method::GET, HeaderMap::new());
        let d = set.decide(&facts(&m, &h, Operation::List), 0);
        assert!(d.delay >= Duration::from_millis(110) && d.delay <= Duration::from_millis(120));
        assert_eq!(d.applied.len(), 3);
        assert!(d.terminal.is_some());
        let median = Effect::Latency {
            fixed: None,
            min: None,
            max: None,
            median: Some(HumanDuration::from_millis(20)),
            sigma: Some(0.5),
        };
        let samples: Vec<Duration> = (1..=2000)
            .map(|n| sample_latency(&median, 1, 0, n))
            .collect();
        let mut sorted = samples.clone();
        sorted.sort();
        let mid = sorted[1000].as_millis();
        assert!((17..=23).contains(&mid), "median {mid}");
        assert_eq!(
            samples,
            (1..=2000)
                .map(|n| sample_latency(&median, 1, 0, n))
                .collect::<Vec<_>>()
        );
    }
}
