//! The `serve --config FILE` model: [`TenantOptions`]' fields at the top level, the
//! `[[fault]]` rules inline and the serve settings under `[serve]`. Errors name the file,
//! the line and the field, as scenario files do.

use super::faults::RuleError;
use super::faults::rule::{FaultFile, FaultRule};
use super::faults::validate_all;
use super::options::{Profile, TenantOptions};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Settings of `serve` itself (not of the tenant), the `[serve]` table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeSection {
    /// Address to listen on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<SocketAddr>,
    /// Realistic users to prefill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<usize>,
    /// Realistic groups to prefill (with `groups = true`), members drawn from the users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_prefill: Option<usize>,
    /// Append the journal to this file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<PathBuf>,
    /// The state file (`--state`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<PathBuf>,
    /// Save the state this often, e.g. "30s" (`--save-every`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub save_every: Option<crate::duration::HumanDuration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections {
    serve: ServeSection,
}

#[derive(Deserialize)]
struct ProfileKey {
    profile: Profile,
}

/// The seed `serve` uses when neither the file nor `--seed` sets one.
pub const SERVE_DEFAULT_SEED: u64 = 1;

/// A whole configuration file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigFile {
    /// The server the settings start from (`profile = "generic"`); the file's own keys
    /// stand over it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// The tenant's settings (top-level keys).
    #[serde(flatten)]
    pub options: TenantOptions,
    /// The top-level keys the file set, which a profile does not replace.
    #[serde(skip)]
    pub explicit: Vec<String>,
    /// `serve`'s own settings.
    pub serve: ServeSection,
    /// Fault rules installed at start.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fault: Vec<FaultRule>,
}

impl Default for ConfigFile {
    fn default() -> Self {
        ConfigFile {
            profile: None,
            explicit: Vec::new(),
            options: TenantOptions {
                seed: SERVE_DEFAULT_SEED,
                ..TenantOptions::default()
            },
            serve: ServeSection::default(),
            fault: Vec::new(),
        }
    }
}

/// Why a configuration file was refused: `FILE:LINE: field: message`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {}{message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default(), field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field at fault, when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Reads a configuration file.
pub fn load_config(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: None,
        field: None,
        message: e.to_string(),
    })?;
    parse_config(&text, path)
}

/// Parses configuration text; `file` is named in errors.
pub fn parse_config(text: &str, file: &Path) -> Result<ConfigFile, ConfigError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let error = |e: &toml::de::Error, prefix: &str, path: String| ConfigError {
        file: file.to_path_buf(),
        line: e.span().map(|s| line_of(s.start)),
        field: field_name(prefix, &path, e.message()),
        message: e.message().trim().to_string(),
    };
    let doc = DeTable::parse(text).map_err(|e| error(&e, "", String::new()))?;
    let span = doc.span();
    let mut root = doc.into_inner();
    let seeded = root.contains_key("seed");
    let serve = root.remove("serve");
    let faults = root.remove("fault");
    let profile = match root.remove("profile") {
        Some(value) => {
            let key: ProfileKey =
                deserialize(under("profile", value)).map_err(|(e, path)| error(&e, "", path))?;
            Some(key.profile)
        }
        None => None,
    };
    let explicit = root.keys().map(|k| k.get_ref().to_string()).collect();
    let mut options: TenantOptions =
        deserialize(Spanned::new(span, root)).map_err(|(e, path)| error(&e, "", path))?;
    if !seeded {
        options.seed = SERVE_DEFAULT_SEED;
    }
    let serve: ServeSection = match serve {
        Some(value) => {
            let section: Sections =
                deserialize(under("serve", value)).map_err(|(e, path)| error(&e, "", path))?;
            section.serve
        }
        None => ServeSection::default(),
    };
    let (fault, fault_line) = match faults {
        Some(value) => {
            let line = line_of(value.span().start);
            let file: FaultFile =
                deserialize(under("fault", value)).map_err(|(e, path)| error(&e, "", path))?;
            (file.fault, line)
        }
        None => (Vec::new(), 0),
    };
    validate_all(&fault).map_err(|e: RuleError| ConfigError {
        file: file.to_path_buf(),
        line: rule_line(text, &e.location).or(Some(fault_line)),
        field: Some(format!("{}{}", e.location, e.field)),
        message: e.message.clone(),
    })?;
    let mut config = ConfigFile {
        profile: None,
        options,
        explicit,
        serve,
        fault,
    };
    if let Some(profile) = profile {
        config.apply_profile(profile).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            line: None,
            field: Some("profile".into()),
            message: e.to_string(),
        })?;
    }
    Ok(config)
}

type DeError = (toml::de::Error, String);

fn deserialize<T: serde::de::DeserializeOwned>(table: Spanned<DeTable<'_>>) -> Result<T, DeError> {
    serde_path_to_error::deserialize(toml::de::Deserializer::from(table))
        .map_err(|e| (e.inner().clone(), e.path().to_string()))
}

/// A value as the only entry of a table under `key`, so it deserializes with its spans.
fn under<'a>(key: &'static str, value: Spanned<DeValue<'a>>) -> Spanned<DeTable<'a>> {
    let span = value.span();
    let mut table = DeTable::new();
    table.insert(Spanned::new(span.clone(), Cow::Borrowed(key)), value);
    Spanned::new(span, table)
}

/// The field an error names: from serde's path, else from the message.
fn field_name(prefix: &str, path: &str, message: &str) -> Option<String> {
    let path = path.trim_start_matches('.');
    let from_message = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    let leaf = match (path.is_empty() || path == "?", from_message) {
        (false, Some(name)) if !path.ends_with(name) => format!("{path}.{name}"),
        (false, _) => path.to_string(),
        (true, Some(name)) => name.to_string(),
        (true, None) => String::new(),
    };
    let joined = match (prefix.is_empty(), leaf.is_empty()) {
        (true, _) => leaf,
        (false, true) => prefix.to_string(),
        (false, false) if leaf.starts_with('[') => format!("{prefix}{leaf}"),
        (false, false) => format!("{prefix}.{leaf}"),
    };
    (!joined.is_empty()).then_some(joined)
}

/// The line of the `[[fault]]` header a rule error's location (`fault[2].`) points at.
fn rule_line(text: &str, location: &str) -> Option<usize> {
    let index: usize = location
        .strip_prefix("fault[")?
        .split_once(']')?
        .0
        .parse()
        .ok()?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[fault]]"))
        .nth(index)
        .map(|(i, _)| i + 1)
}

impl ConfigFile {
    /// Starts the settings from `profile`, keeping the keys the file set itself (and the seed).
    pub fn apply_profile(&mut self, profile: Profile) -> Result<(), serde_json::Error> {
        let mut base = serde_json::to_value(profile.options())?;
        let own = serde_json::to_value(&self.options)?;
        for key in self.explicit.iter().map(String::as_str).chain(["seed"]) {
            if let (Some(slot), Some(value)) = (base.get_mut(key), own.get(key)) {
                *slot = value.clone();
            }
        }
        self.options = serde_json::from_value(base)?;
        self.profile = Some(profile);
        Ok(())
    }

    /// The file as TOML (what `serve --print-config` prints).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// The file as TOML without the given top-level keys (tokens not to be shown).
    pub fn to_toml_without<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<String, toml::ser::Error> {
        let mut table = toml::Table::try_from(self)?;
        for key in keys {
            table.remove(key);
        }
        toml::to_string(&table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        parse_config(text, Path::new("tenant.toml"))
    }

    #[test]
    fn top_level_keys_are_tenant_options() {
        let c =
            parse("max_page_size = 50\nunique_work_email = false\n[server]\nmax_connections = 9\n")
                .unwrap();
        assert_eq!(c.options.max_page_size, 50);
        assert!(!c.options.unique_work_email);
        assert_eq!(c.options.server.max_connections, 9);
    }

    #[test]
    fn unknown_field_names_file_line_and_field() {
        let e = parse("seed = 1\n\nmax_pagesize = 3\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert_eq!(e.field.as_deref(), Some("max_pagesize"), "{e}");
        assert!(
            e.to_string().starts_with("tenant.toml:3: max_pagesize: "),
            "{e}"
        );
    }

    #[test]
    fn bad_value_names_the_nested_field() {
        let e = parse("[server]\nidle_timeout_ms = \"soon\"\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert_eq!(e.field.as_deref(), Some("server.idle_timeout_ms"), "{e}");
    }

    #[test]
    fn faults_inline_and_their_errors_located() {
        let ok = "[[fault]]\nname = \"a\"\neffect = { kind = \"status\", status = 503 }\n";
        let c = parse(ok).unwrap();
        assert_eq!(c.fault.len(), 1);
        let bad = "seed = 2\n[[fault]]\nname = \"a\"\neffect = { kind = \"status\", status = 503 }\n[[fault]]\nname = \"b\"\nbogus = 1\n";
        let e = parse(bad).unwrap_err();
        assert!(
            e.field.as_deref().unwrap_or_default().starts_with("fault"),
            "{e}"
        );
        assert!(e.line.is_some_and(|l| l >= 5), "{e}");
    }

    #[test]
    fn serve_section_is_checked() {
        let c = parse("[serve]\nusers = 5\nsave_every = \"30s\"\n").unwrap();
        assert_eq!(c.serve.users, Some(5));
        assert_eq!(c.serve.save_every.map(|d| d.0.as_secs()), Some(30));
        let e = parse("[serve]\nuser = 5\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("serve.user"), "{e}");
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn a_profile_is_a_start_the_file_stands_over() {
        let c = parse("profile = \"generic\"\nunique_work_email = true\n").unwrap();
        assert!(c.options.groups, "generic serves /Groups");
        assert!(
            c.options.unique_work_email,
            "the file's own key stands over the profile"
        );
        assert_eq!(c.options.seed, SERVE_DEFAULT_SEED);
        let e = parse("\nprofile = \"scim\"\n").unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(2), Some("profile")),
            "{e}"
        );
    }

    #[test]
    fn printed_config_reads_back_the_same() {
        let mut c =
            parse("[[fault]]\nname = \"a\"\neffect = { kind = \"status\", status = 503 }\n")
                .unwrap();
        c.options.max_page_size = 7;
        c.serve.users = Some(3);
        let text = c.to_toml().unwrap();
        let back = parse(&text).unwrap();
        assert_eq!(
            (&back.options, &back.serve, &back.fault),
            (&c.options, &c.serve, &c.fault),
            "{text}"
        );
    }
}
