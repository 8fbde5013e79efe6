//! The names an expectation may use: cycle references and "none"-able engine names, each
//! checked when the scenario loads.

use crate::engine::UnknownName;
use serde::Deserialize;
use std::str::FromStr;

/// Which cycle an assertion is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleRef {
    /// A cycle number (1-based).
    Number(u32),
    /// A cycle named by a word.
    Word(CycleWord),
}

/// The words a cycle reference may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleWord {
    /// The last cycle run.
    Last,
    /// The latest entry, on-demand included.
    Latest,
    /// The last on-demand run.
    OnDemand,
    /// Every cycle.
    All,
}

impl CycleWord {
    /// The word as scenarios spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            CycleWord::Last => "last",
            CycleWord::Latest => "latest",
            CycleWord::OnDemand => "on_demand",
            CycleWord::All => "all",
        }
    }
}

impl<'de> Deserialize<'de> for CycleRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = CycleRef;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a cycle number or one of `last`, `latest`, `on_demand`, `all`")
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<CycleRef, E> {
                u32::try_from(n)
                    .map(CycleRef::Number)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<CycleRef, E> {
                u64::try_from(n)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(n), &self))
                    .and_then(|n| self.visit_u64(n))
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<CycleRef, E> {
                CycleWord::deserialize(serde::de::value::StrDeserializer::<E>::new(s))
                    .map(CycleRef::Word)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// An expected name, or `"none"` for its absence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrNone<T> {
    /// Absent.
    None,
    /// This one.
    Some(T),
}

impl<T> From<Option<T>> for OrNone<T> {
    fn from(o: Option<T>) -> Self {
        o.map_or(OrNone::None, OrNone::Some)
    }
}

impl<T: std::fmt::Display> std::fmt::Display for OrNone<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrNone::None => f.write_str("none"),
            OrNone::Some(t) => t.fmt(f),
        }
    }
}

impl<'de, T: FromStr<Err = UnknownName>> Deserialize<'de> for OrNone<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.eq_ignore_ascii_case("none") {
            return Ok(OrNone::None);
        }
        s.parse()
            .map(OrNone::Some)
            .map_err(|e| serde::de::Error::custom(format!("{e} or `none`")))
    }
}
