//! `blinksim run`: load every scenario, check them all, then play each and report. Nothing
//! runs unless every file is well formed.

use super::load::{LoadError, collect, load_path};
use super::output;
use super::report::{console, summary_json};
use super::runner::play;
use super::world::{Target, prepare};
use crate::engine::job::Progress;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

/// Exit status: every expectation held.
pub(crate) const EXIT_OK: i32 = 0;
/// Exit status: an expectation failed.
pub(crate) const EXIT_FAILED: i32 = 1;
/// Exit status: a scenario is malformed (nothing ran).
pub(crate) const EXIT_MALFORMED: i32 = 2;

/// What `blinksim run` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Files or folders.
    pub paths: Vec<PathBuf>,
    /// The embedded tenant or a SCIM endpoint.
    pub target: Target,
    /// Where to write each scenario's files.
    pub out: Option<PathBuf>,
    /// Print the JSON summaries instead of the report.
    pub json: bool,
    /// Draw progress bars on stderr.
    pub progress: bool,
    /// Write a JUnit XML report here.
    pub junit: Option<PathBuf>,
    /// Write the HTML report here (`FILE-<stem>.html` for each of several scenarios).
    pub html: Option<PathBuf>,
}

/// Where `--html FILE` puts one scenario's page among `count`.
fn html_path(file: &std::path::Path, stem: &str, count: usize) -> PathBuf {
    if count == 1 {
        return file.to_path_buf();
    }
    let base = file
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    file.with_file_name(format!("{base}-{stem}.html"))
}

/// Loads and checks every file; every error is kept, so one run names them all.
fn prepare_all(
    files: &[PathBuf],
    target: &Target,
) -> Result<Vec<(super::Scenario, super::World)>, Vec<LoadError>> {
    let mut errors = Vec::new();
    let mut prepared = Vec::new();
    for file in files {
        match load_path(file).and_then(|s| prepare(&s, target).map(|w| (s, w))) {
            Ok(pair) => prepared.push(pair),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(prepared)
    } else {
        Err(errors)
    }
}

/// Runs the scenarios; returns the exit status.
pub async fn run(options: &RunOptions, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let files = match collect(&options.paths) {
        Ok(files) => files,
        Err(e) => return malformed(vec![e], stderr),
    };
    let prepared = match prepare_all(&files, &options.target) {
        Ok(prepared) => prepared,
        Err(errors) => return malformed(errors, stderr),
    };

    let count = prepared.len();
    let single = count == 1;
    let stems: Vec<String> = prepared.iter().map(|(s, _)| s.stem()).collect();
    let mut seen = BTreeSet::new();
    let mut summaries = Vec::new();
    let mut suites = Vec::new();
    let mut status = EXIT_OK;
    #[cfg(feature = "cli")]
    let bar: Option<&dyn Fn(String) -> Progress> = Some(&crate::progress::bar);
    #[cfg(not(feature = "cli"))]
    let bar: Option<&dyn Fn(String) -> Progress> = None;
    let progress = bar.filter(|_| options.progress);
    for ((scenario, world), stem) in prepared.into_iter().zip(stems) {
        let played = play(&scenario, world, progress).await;
        if !played.ok() {
            status = EXIT_FAILED;
        }
        if options.junit.is_some() {
            suites.push(super::junit::Suite::of(&played));
        }
        if let Some(file) = &options.html {
            let path = html_path(file, &stem, count);
            if let Err(e) = std::fs::write(&path, played.html()) {
                let _ = writeln!(stderr, "error: writing {}: {e}", path.display());
                status = status.max(EXIT_FAILED);
            }
        }
        if options.json {
            summaries.push(summary_json(&played));
        } else {
            let _ = write!(stdout, "{}", console(&played));
            let _ = writeln!(stdout);
        }
        if let Some(out) = &options.out {
            // Two files with one stem (a.toml, a.json) keep apart by their full names.
            let name = if seen.insert(stem.clone()) {
                stem
            } else {
                scenario
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or(stem)
            };
            let dir = if single { out.clone() } else { out.join(name) };
            if let Err(e) = output::write(&played, &dir) {
                let _ = writeln!(stderr, "error: writing {}: {e}", dir.display());
                status = status.max(EXIT_FAILED);
            }
        }
    }
    if let Some(path) = &options.junit
        && let Err(e) = std::fs::write(path, super::junit::render(&suites))
    {
        let _ = writeln!(stderr, "error: writing {}: {e}", path.display());
        status = status.max(EXIT_FAILED);
    }
    if options.json {
        print_json(stdout, single, summaries);
    }
    status
}

/// Names every malformed file on stderr; nothing runs.
fn malformed(errors: Vec<LoadError>, stderr: &mut dyn Write) -> i32 {
    for e in &errors {
        let _ = writeln!(stderr, "error: {e}");
    }
    let _ = writeln!(
        stderr,
        "{} malformed scenario file(s); nothing was run",
        errors.len()
    );
    EXIT_MALFORMED
}

/// The `--json` summary: one object for one scenario, else an array.
fn print_json(stdout: &mut dyn Write, single: bool, mut summaries: Vec<serde_json::Value>) {
    let value = if single {
        summaries.pop().unwrap_or_default()
    } else {
        serde_json::Value::Array(summaries)
    };
    let _ = writeln!(
        stdout,
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    );
}
