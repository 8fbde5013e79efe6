//! The portal's three CSV downloads (§5.1, ANALYZE): entries, steps and modified properties,
//! joined by change id, with the portal's column names and labels.

use super::LogEntry;
use std::io::Write;

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Writes the three CSV files the portal downloads (ANALYZE): the entries, their steps and
/// their modified properties, joined by change id.
pub(crate) fn write_csv(
    entries: &[LogEntry],
    logs: &mut dyn Write,
    steps: &mut dyn Write,
    modified: &mut dyn Write,
) -> std::io::Result<()> {
    write_entries_csv(entries, logs)?;
    write_steps_csv(entries, steps)?;
    write_modified_csv(entries, modified)
}

fn write_entries_csv(entries: &[LogEntry], logs: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(logs);
    w.write_record([
        "Date",
        "Identity",
        "Action",
        "Source System",
        "Target System",
        "Status",
        "Source ID",
        "Target ID",
        "Job ID",
        "Cycle ID",
        "Change ID",
        "Error Code",
        "Reason",
        "Duration (ms)",
    ])
    .map_err(csv_err)?;
    for e in entries {
        let err = e.provisioning_status_info.error_information.as_ref();
        w.write_record([
            e.activity_date_time.as_str(),
            e.source_identity.display_name.as_str(),
            e.provisioning_action.as_str(),
            e.source_system.display_name.as_str(),
            e.target_system.display_name.as_str(),
            e.status().as_str(),
            e.source_identity.id.as_str(),
            e.target_identity.id.as_str(),
            e.job_id.as_str(),
            e.cycle_id.as_str(),
            e.change_id.as_str(),
            err.map_or("", |x| x.error_code.as_str()),
            err.map_or("", |x| x.reason.as_str()),
            &e.duration_in_milliseconds.to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
}

fn write_steps_csv(entries: &[LogEntry], steps: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(steps);
    w.write_record([
        "Change ID",
        "Step",
        "Name",
        "Type",
        "Status",
        "Description",
        "Details",
    ])
    .map_err(csv_err)?;
    for e in entries {
        for (i, s) in e.provisioning_steps.iter().enumerate() {
            let details = serde_json::to_string(&s.details).unwrap_or_default();
            let kind = serde_json::to_value(s.provisioning_step_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            w.write_record([
                e.change_id.as_str(),
                &(i + 1).to_string(),
                s.name.as_str(),
                &kind,
                s.status.as_str(),
                s.description.as_str(),
                &details,
            ])
            .map_err(csv_err)?;
        }
    }
    w.flush()?;
    Ok(())
}

fn write_modified_csv(entries: &[LogEntry], modified: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(modified);
    w.write_record(["Change ID", "Name", "Old Value", "New Value"])
        .map_err(csv_err)?;
    for e in entries {
        for m in &e.modified_properties {
            w.write_record([
                e.change_id.as_str(),
                m.display_name.as_str(),
                m.old_value.as_deref().unwrap_or(""),
                m.new_value.as_deref().unwrap_or(""),
            ])
            .map_err(csv_err)?;
        }
    }
    w.flush()
}
