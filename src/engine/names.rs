//! Closed sets of names the engine writes to logs, files and the wire: each is an enum whose
//! variant names are the spellings (so serde, `as_str` and `FromStr` cannot disagree).

/// A name that is not one of a closed set's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}`, expected one of {expected}")]
pub struct UnknownName {
    /// What kind of name was asked for, e.g. "skip reason".
    pub kind: &'static str,
    /// The name given.
    pub name: String,
    /// The allowed names, quoted and comma-separated.
    pub expected: String,
}

/// Defines an enum of names whose spellings are the variant names, with `ALL`, `as_str`,
/// `Display`, `FromStr` and serde in those spellings.
macro_rules! names {
    ($(#[$m:meta])* $vis:vis enum $name:ident ($kind:literal) {
        $($(#[$vm:meta])* $v:ident),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name { $($(#[$vm])* $v),* }

        impl $name {
            /// Every name, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// The name as logs and files spell it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => stringify!($v)),* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::engine::names::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|n| n.as_str() == s).ok_or_else(|| {
                    $crate::engine::names::UnknownName {
                        kind: $kind,
                        name: s.to_string(),
                        expected: $name::ALL
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    }
                })
            }
        }
    };
}

pub(crate) use names;
