//! `--out DIR`: a played scenario's files. The same scenario and seed give byte-identical
//! files (virtual time, seeded ids, ordered maps).

use super::report::summary_json;
use super::runner::Played;
use crate::engine::log::{write_csv, write_json_lines};
use crate::html::{Expectation, ScenarioInput, StatusSample, scenario_page};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

fn create(dir: &Path, name: &str) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::new(File::create(dir.join(name))?))
}

impl Played {
    /// The self-contained `report.html` page (issue 16).
    pub fn html(&self) -> String {
        let expectations = self
            .steps
            .iter()
            .flat_map(|step| {
                step.checks.iter().map(move |c| Expectation {
                    place: step.place(),
                    at_ms: step.at_ms,
                    what: &c.what,
                    ok: c.ok,
                    expected: &c.expected,
                    actual: &c.actual,
                })
            })
            .collect();
        let statuses = self
            .steps
            .iter()
            .map(|s| StatusSample {
                at_ms: s.at_ms,
                status: s.job_status,
            })
            .collect();
        let job = &self.world.job;
        scenario_page(&ScenarioInput {
            name: &self.name,
            description: &self.description,
            file: &self.file,
            seed: self.seed,
            start_ms: self.start_ms,
            cycles: job.cycles(),
            statuses,
            expectations,
            logs: job.logs(),
            trace: job.trace(),
        })
    }
}

/// Writes the provisioning logs (JSON lines and the portal's three CSV files), the request
/// trace (JSON lines), the final tenant state, the cycle summaries, the run summary and the
/// job as Graph's `synchronizationJob` with its `synchronizationStatus` (§1.1), and
/// `report.html`.
pub(crate) fn write(played: &Played, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let job = &played.world.job;

    let mut logs = create(dir, "logs.jsonl")?;
    write_json_lines(job.logs(), &mut logs)?;
    logs.flush()?;

    let mut csv = create(dir, "logs.csv")?;
    let mut steps = create(dir, "logs-steps.csv")?;
    let mut modified = create(dir, "logs-modified-properties.csv")?;
    write_csv(job.logs(), &mut csv, &mut steps, &mut modified)?;
    for w in [&mut csv, &mut steps, &mut modified] {
        w.flush()?;
    }

    let mut trace = create(dir, "trace.jsonl")?;
    for record in job.trace() {
        serde_json::to_writer(&mut trace, record)?;
        trace.write_all(b"\n")?;
    }
    trace.flush()?;

    let mut tenant = create(dir, "tenant.json")?;
    serde_json::to_writer_pretty(&mut tenant, &played.final_users)?;
    tenant.write_all(b"\n")?;
    tenant.flush()?;

    let mut cycles = create(dir, "cycles.json")?;
    serde_json::to_writer_pretty(&mut cycles, job.cycles())?;
    cycles.write_all(b"\n")?;
    cycles.flush()?;

    let mut summary = create(dir, "summary.json")?;
    serde_json::to_writer_pretty(&mut summary, &summary_json(played))?;
    summary.write_all(b"\n")?;
    summary.flush()?;

    let mut status = create(dir, "status.json")?;
    serde_json::to_writer_pretty(&mut status, &job.synchronization_job())?;
    status.write_all(b"\n")?;
    status.flush()?;

    std::fs::write(dir.join("report.html"), played.html())
}
