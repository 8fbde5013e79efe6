//! The `check` command's output: console table or JSON on stdout, JUnit and HTML files, and the
//! exit status (0 all pass, 1 a check fails, 2 unreachable target or bad arguments).

use super::{CheckOptions, run};
use crate::exit::ExitStatus;
use std::io::Write;
use std::path::PathBuf;

/// Where the report goes.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// JSON on stdout instead of the table.
    pub json: bool,
    /// A JUnit XML file.
    pub junit: Option<PathBuf>,
    /// An HTML page.
    pub html: Option<PathBuf>,
}

/// Runs the checks and writes the report.
pub async fn command(
    options: &CheckOptions,
    allow_remote: bool,
    outputs: &Outputs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let report = match run(options, allow_remote).await {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "blinksim check: {e}");
            return ExitStatus::Malformed;
        }
    };
    let text = if outputs.json {
        report.json()
    } else {
        report.console()
    };
    let _ = writeln!(out, "{}", text.trim_end());
    let files = [
        (outputs.junit.as_ref(), report.junit()),
        (outputs.html.as_ref(), report.html()),
    ];
    for (path, content) in files {
        if let Some(path) = path
            && let Err(e) = std::fs::write(path, content)
        {
            let _ = writeln!(err, "blinksim check: writing {}: {e}", path.display());
            return ExitStatus::Malformed;
        }
    }
    if report.exit_code() == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failed
    }
}
