//! Reading scenario files (TOML, or JSON with the same model) into a [`Scenario`], with errors
//! that name the file, the line and the field at fault.
//!
//! Steps are written `do = "cycles"` beside their fields. Each is parsed on its own from the
//! externally tagged form `{ cycles = { count = 3 } }`, which serde reads without buffering, so
//! a bad field inside a step keeps its position (TOML) and its name.

use super::model::{Located, ScenarioFile, Step};
use crate::engine::directory::generator::DirectorySpec;
use crate::engine::policy::CYCLE_INTERVAL;
use serde::de::IgnoredAny;
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A scenario that parsed; [`prepare`](super::prepare) checks it against the engine and
/// tenant before anything runs.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file it came from (for messages and `directory.include`).
    pub path: PathBuf,
    /// The sections (their `step` list is empty: steps are in `steps`).
    pub file: ScenarioFile<IgnoredAny>,
    /// The timeline.
    pub steps: Vec<Located>,
}

impl Scenario {
    /// The file's stem, used for output folders and snapshot names.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into())
    }
}

/// A malformed scenario: where, which field, what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field at fault, e.g. `step[3].count` or `job.concurrency`.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    /// An error about a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_string(),
            line: None,
            field: None,
            message: message.into(),
        }
    }
}

/// The scenario files a list of paths names: files as given, folders' `*.toml` and `*.json`
/// files (not their sub-folders, which hold included data), each list sorted.
pub(crate) fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| LoadError::file(&shown, e.to_string()))?;
        if meta.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| LoadError::file(&shown, e.to_string()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_scenario_file(p))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(LoadError::file(
                    &shown,
                    "no .toml or .json scenario in this folder",
                ));
            }
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn is_scenario_file(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("toml") | Some("json")
    )
}

/// Reads and parses one scenario file (TOML unless it ends in `.json`).
pub fn load_path(path: &Path) -> Result<Scenario, LoadError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::file(&shown, e.to_string()))?;
    let json = path.extension().and_then(|e| e.to_str()) == Some("json");
    let (file, steps) = if json {
        parse_json(&text, &shown)?
    } else {
        parse_toml(&text, &shown)?
    };
    Ok(Scenario {
        path: path.to_path_buf(),
        file,
        steps,
    })
}

/// Parses TOML scenario text; `name` is used in errors.
pub(crate) fn parse_toml(
    text: &str,
    name: &str,
) -> Result<(ScenarioFile<IgnoredAny>, Vec<Located>), LoadError> {
    let lines = Lines::new(text);
    let toml_error = |e: &toml::de::Error, field| toml_error(&lines, name, e, field);
    let doc = DeTable::parse(text).map_err(|e| toml_error(&e, None))?;
    let span = doc.span();
    let mut root = doc.into_inner();
    let steps = root.remove("step");
    let de = toml::de::Deserializer::from(Spanned::new(span, root));
    let file: ScenarioFile<IgnoredAny> = serde_path_to_error::deserialize(de)
        .map_err(|e| toml_error(e.inner(), field_of(&e.path().to_string(), "")))?;

    let mut located = Vec::new();
    let Some(steps) = steps else {
        return Ok((file, located));
    };
    let steps_line = lines.line_of(steps.span().start);
    let DeValue::Array(items) = steps.into_inner() else {
        return Err(LoadError {
            file: name.to_string(),
            line: Some(steps_line),
            field: Some("step".into()),
            message: "expected an array of tables ([[step]])".into(),
        });
    };
    for (index, item) in items.into_iter().enumerate() {
        located.push(toml_step(item, index, &lines, name)?);
    }
    Ok((file, located))
}

/// One `[[step]]` table: its `do` keyword names the variant, its other keys the fields.
fn toml_step(
    item: Spanned<DeValue<'_>>,
    index: usize,
    lines: &Lines,
    name: &str,
) -> Result<Located, LoadError> {
    let at = format!("step[{index}]");
    let item_span = item.span();
    let line = lines.line_of(item_span.start);
    let here = |field: String, message: String| LoadError {
        file: name.to_string(),
        line: Some(line),
        field: Some(field),
        message,
    };
    let DeValue::Table(mut table) = item.into_inner() else {
        return Err(here(at, "expected a table".into()));
    };
    let keyword = table.remove_entry("do").ok_or_else(|| {
        here(
            format!("{at}.do"),
            "missing field `do` (what the step does, e.g. do = \"cycle\")".into(),
        )
    })?;
    let (key, value) = keyword;
    let key_line = lines.line_of(key.span().start);
    let value_span = value.span();
    let Some(kind) = value.get_ref().as_str().map(str::to_string) else {
        return Err(LoadError {
            line: Some(key_line),
            ..here(
                format!("{at}.do"),
                format!("expected a string, found {}", value.get_ref().type_str()),
            )
        });
    };
    let mut wrapped = DeTable::new();
    wrapped.insert(
        Spanned::new(value_span, Cow::Owned(kind.clone())),
        Spanned::new(item_span.clone(), DeValue::Table(table)),
    );
    let de = toml::de::Deserializer::from(Spanned::new(item_span, wrapped));
    let step: Step = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = step_field(&e.path().to_string(), &at, e.inner().message());
        let mut err = toml_error(lines, name, e.inner(), Some(field));
        err.line = err.line.or(Some(line));
        err
    })?;
    Ok(Located {
        step,
        line: Some(line),
        index,
    })
}

/// A toml error located at its line, with the field it concerns.
fn toml_error(lines: &Lines, name: &str, e: &toml::de::Error, field: Option<String>) -> LoadError {
    LoadError {
        file: name.to_string(),
        line: e.span().map(|s| lines.line_of(s.start)),
        field,
        message: e.message().trim().to_string(),
    }
}

/// Parses JSON scenario text; `name` is used in errors. Lines of errors inside steps are those
/// of the step's `"do"`.
pub(crate) fn parse_json(
    text: &str,
    name: &str,
) -> Result<(ScenarioFile<IgnoredAny>, Vec<Located>), LoadError> {
    let json_error = |e: &serde_json::Error, field: Option<String>| LoadError {
        file: name.to_string(),
        line: Some(e.line()).filter(|l| *l > 0),
        field,
        message: strip_json_position(&e.to_string()),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let file: ScenarioFile<IgnoredAny> = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| json_error(e.inner(), field_of(&e.path().to_string(), "")))?;
    #[derive(serde::Deserialize)]
    struct Steps {
        #[serde(default)]
        step: Vec<serde_json::Value>,
    }
    let steps: Steps =
        serde_json::from_str(text).map_err(|e| json_error(&e, Some("step".into())))?;
    let do_lines = Lines::new(text).lines_of_key("\"do\"");
    let mut located = Vec::new();
    for (index, item) in steps.step.into_iter().enumerate() {
        let at = format!("step[{index}]");
        let line = do_lines.get(index).copied();
        let here = |field: String, message: String| LoadError {
            file: name.to_string(),
            line,
            field: Some(field),
            message,
        };
        let serde_json::Value::Object(mut object) = item else {
            return Err(here(at, "expected an object".into()));
        };
        let kind = match object.remove("do") {
            Some(serde_json::Value::String(s)) => s,
            Some(other) => {
                return Err(here(
                    format!("{at}.do"),
                    format!("expected a string, found {other}"),
                ));
            }
            None => {
                return Err(here(
                    format!("{at}.do"),
                    "missing field `do` (what the step does, e.g. \"do\": \"cycle\")".into(),
                ));
            }
        };
        let wrapped = serde_json::json!({ kind: object });
        let step: Step = serde_path_to_error::deserialize(wrapped).map_err(|e| {
            let message = strip_json_position(&e.inner().to_string());
            here(step_field(&e.path().to_string(), &at, &message), message)
        })?;
        located.push(Located { step, line, index });
    }
    Ok((file, located))
}

/// Most cycles one step may run: a `cycles` count, or the cycles an `advance` span implies.
pub(crate) const MAX_CYCLES_PER_STEP: u64 = 10_000;
/// Most cycles a whole scenario may run (the 30-day purge scenario runs about 1,100).
pub(crate) const MAX_CYCLES_PER_SCENARIO: u64 = 20_000;
/// Most users a `directory.generate` section or `tenant.prefill` may make.
pub(crate) const MAX_GENERATED_USERS: usize = 100_000;

/// Checks the work a scenario asks for against the limits above, before anything is built or
/// run, so a typo such as `count = 4294967295` is an error instead of hours and gigabytes.
pub(crate) fn check_limits(s: &Scenario) -> Result<(), LoadError> {
    let file = s.path.display().to_string();
    let section = |field: &str, message: String| LoadError {
        file: file.clone(),
        line: None,
        field: Some(field.to_string()),
        message,
    };
    if let Some(spec) = &s.file.directory.generate {
        check_generated(spec).map_err(|m| section("directory.generate.users", m))?;
    }
    if s.file.tenant.prefill > MAX_GENERATED_USERS {
        return Err(section("tenant.prefill", over_users(s.file.tenant.prefill)));
    }
    let mut total = 0u64;
    for located in &s.steps {
        let here = |field: &str, message: String| LoadError {
            file: file.clone(),
            line: located.line,
            field: Some(format!("step[{}].{field}", located.index)),
            message,
        };
        let (field, cycles) = match &located.step {
            Step::Cycle {} => ("do", 1),
            Step::Cycles { count } => ("count", u64::from(*count)),
            Step::Advance { by } => ("by", cycles_in(by.as_millis())),
            _ => continue,
        };
        if cycles > MAX_CYCLES_PER_STEP {
            let what = match &located.step {
                Step::Advance { .. } => format!(
                    "advancing this far runs up to {cycles} cycles (one every {})",
                    crate::duration::format_duration(CYCLE_INTERVAL)
                ),
                _ => format!("{cycles} cycles"),
            };
            return Err(here(
                field,
                format!("{what}: over the limit of {MAX_CYCLES_PER_STEP} cycles per step"),
            ));
        }
        total = total.saturating_add(cycles);
        if total > MAX_CYCLES_PER_SCENARIO {
            return Err(here(
                field,
                format!(
                    "the scenario reaches {total} cycles here: over the limit of \
                     {MAX_CYCLES_PER_SCENARIO} cycles per scenario"
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a generated directory's size against [`MAX_GENERATED_USERS`].
pub(crate) fn check_generated(spec: &DirectorySpec) -> Result<(), String> {
    if spec.users > MAX_GENERATED_USERS {
        return Err(over_users(spec.users));
    }
    Ok(())
}

fn over_users(users: usize) -> String {
    format!("{users} users: over the limit of {MAX_GENERATED_USERS} generated users")
}

/// The most cycles a clock advance of `millis` can run: one per interval, plus one due at
/// the start. Quarantine only lengthens the interval, so this is an upper bound.
fn cycles_in(millis: u64) -> u64 {
    let interval = u64::try_from(CYCLE_INTERVAL.as_millis()).unwrap_or(u64::MAX);
    (millis / interval).saturating_add(1)
}

/// The field a serde path names under `prefix`: the path minus the step's variant segment.
fn field_of(path: &str, prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return (path != "." && !path.is_empty()).then(|| path.to_string());
    }
    // The first segment is the step's variant (`cycles`), which the file spells `do`.
    let rest = path.split_once('.').map(|(_, rest)| rest)?;
    (!rest.is_empty() && rest != "?").then(|| format!("{prefix}.{rest}"))
}

/// The field an error inside step `at` is about: from the path, else from the message
/// (`missing field `user``, `unknown variant`).
fn step_field(path: &str, at: &str, message: &str) -> String {
    if let Some(field) = field_of(path, at) {
        return field;
    }
    if message.contains("unknown variant") {
        return format!("{at}.do");
    }
    if let Some(keys) = message.strip_prefix("unexpected keys in table: ") {
        let first = keys.split([',', ' ']).next().unwrap_or_default();
        return format!("{at}.{first}");
    }
    match message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
    {
        Some((name, _)) => format!("{at}.{name}"),
        None => at.to_string(),
    }
}

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Byte offsets to line numbers.
struct Lines<'a> {
    starts: Vec<usize>,
    text: &'a str,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts, text }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Lines where `key` appears as an object key, in order.
    fn lines_of_key(&self, key: &str) -> Vec<usize> {
        self.text
            .match_indices(key)
            .filter(|(i, _)| self.text[i + key.len()..].trim_start().starts_with(':'))
            .map(|(i, _)| self.line_of(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> LoadError {
        parse_toml(text, "s.toml").expect_err("should not parse")
    }

    #[test]
    fn steps_parse_with_lines() {
        let (file, steps) = parse_toml(
            "name = \"x\"\n\n[[step]]\ndo = \"cycle\"\n\n[[step]]\ndo = \"cycles\"\ncount = 3\n",
            "s.toml",
        )
        .unwrap();
        assert_eq!(file.name, "x");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].line, Some(3));
        assert!(matches!(steps[1].step, Step::Cycles { count: 3 }));
        assert_eq!(steps[1].line, Some(6));
    }

    #[test]
    fn unknown_step_names_line_and_do() {
        let e = err("name = \"x\"\n[[step]]\ndo = \"cyle\"\n");
        assert_eq!(e.line, Some(3), "{e}");
        assert_eq!(e.field.as_deref(), Some("step[0].do"), "{e}");
        assert!(e.message.contains("unknown variant `cyle`"), "{e}");
    }

    #[test]
    fn bad_type_names_the_field_and_its_line() {
        let e = err("name = \"x\"\n[[step]]\ndo = \"cycles\"\ncount = \"three\"\n");
        assert_eq!(e.line, Some(4), "{e}");
        assert_eq!(e.field.as_deref(), Some("step[0].count"), "{e}");
        assert!(e.message.contains("invalid type"), "{e}");
    }

    #[test]
    fn missing_field_is_named() {
        let e = err("name = \"x\"\n[[step]]\ndo = \"disable\"\n");
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("missing field `user`"), "{e}");
        assert_eq!(e.field.as_deref(), Some("step[0].user"), "{e}");
        assert_eq!(
            e.to_string(),
            format!("s.toml:2: field `step[0].user`: {}", e.message)
        );
    }

    #[test]
    fn unknown_field_in_a_step_is_named() {
        let e = err("name = \"x\"\n[[step]]\ndo = \"cycle\"\ncuont = 2\n");
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("cuont"), "{e}");
        assert_eq!(e.field.as_deref(), Some("step[0].cuont"), "{e}");
        let e = err("name = \"x\"\n[[step]]\ndo = \"cycles\"\ncount = 1\ncuont = 2\n");
        assert_eq!(e.line, Some(5), "{e}");
        assert_eq!(e.field.as_deref(), Some("step[0].cuont"), "{e}");
    }

    #[test]
    fn missing_do_is_reported() {
        let e = err("name = \"x\"\n[[step]]\ncount = 2\n");
        assert_eq!(e.field.as_deref(), Some("step[0].do"));
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn section_errors_name_their_path() {
        let e = err("name = \"x\"\n[job]\nconcurrency = \"many\"\n");
        assert_eq!(e.line, Some(3), "{e}");
        assert_eq!(e.field.as_deref(), Some("job.concurrency"), "{e}");
        let e = err("name = \"x\"\nsede = 3\n");
        assert!(e.message.contains("unknown field `sede`"), "{e}");
        assert_eq!(e.line, Some(2), "{e}");
        let e = err("description = \"no name\"\n");
        assert!(e.message.contains("missing field `name`"), "{e}");
    }

    #[test]
    fn syntax_errors_have_lines() {
        let e = err("name = \"x\"\n[[step]\n");
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn json_has_the_same_model() {
        let text = "{\n \"name\": \"x\",\n \"step\": [\n  {\"do\": \"cycle\"},\n  {\"do\": \"cycles\", \"count\": 2}\n ]\n}";
        let (_, steps) = parse_json(text, "s.json").unwrap();
        assert!(matches!(steps[1].step, Step::Cycles { count: 2 }));
        assert_eq!(steps[1].line, Some(5));
        let bad = text.replace("\"count\": 2", "\"count\": \"two\"");
        let e = parse_json(&bad, "s.json").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("step[1].count"), "{e}");
        assert_eq!(e.line, Some(5), "{e}");
        let e = parse_json(
            "{\"name\": \"x\", \"job\": {\"concurrency\": \"many\"}}",
            "s.json",
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("job.concurrency"), "{e}");
        assert_eq!(e.line, Some(1), "{e}");
    }
}
