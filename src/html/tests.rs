//! The pages' content and their escaping: nothing a scenario or a user name holds can
//! become markup or script.

use super::JobBand;
use super::*;
use crate::engine::{CycleSummary, LogEntry};
use base64::Engine as _;
use std::io::Read as _;

const HOSTILE: &str = "</script><img src=x onerror=alert(1)>\"'&";

fn cycle(number: u32, minutes: i64, steady: bool, created: u64) -> CycleSummary {
    let start = crate::scim::format_millis(1_768_467_600_000 + minutes * 60_000);
    let json = serde_json::json!({
        "number": number, "cycleId": format!("c{number}"), "kind": "Incremental",
        "started": start, "ended": start, "simulatedDurationMs": 0, "state": "Succeeded",
        "counts": {"imported": 0, "entitled": 0, "created": created, "updated": 0, "disabled": 0,
            "deleted": 0, "skipped": 0, "failed": 0, "referenceFailures": 0, "references": 0,
            "stagedDeletes": 0, "requests": created},
        "progress": {"completedUnits": 1, "progressObservationDateTime": start, "totalUnits": 1,
            "units": "pages"},
        "escrowed": 0, "usersInConnectorDataStore": 0, "jobStatus": "Active",
        "scheduleState": "Active", "steadyState": steady
    });
    serde_json::from_value(json).unwrap()
}

fn entry(user: &str) -> LogEntry {
    let mut e: LogEntry = serde_json::from_str(include_str!("testdata-entry.json")).unwrap();
    e.source_identity.display_name = user.to_string();
    e.cycle_id = "c1".into();
    e
}

fn input<'a>(cycles: &'a [CycleSummary], logs: &'a [LogEntry]) -> ScenarioInput<'a> {
    ScenarioInput {
        name: HOSTILE,
        description: HOSTILE,
        file: HOSTILE,
        seed: 1,
        start_ms: 1_768_467_600_000,
        cycles,
        statuses: vec![StatusSample {
            at_ms: 1_768_467_600_000,
            status: JobBand::Active,
        }],
        expectations: vec![Expectation {
            place: HOSTILE.into(),
            at_ms: 1_768_467_600_000,
            what: HOSTILE,
            ok: false,
            expected: HOSTILE,
            actual: HOSTILE,
        }],
        logs,
        trace: &[],
    }
}

fn unpacked(page: &str, id: &str) -> serde_json::Value {
    let open = format!("<script type=\"application/octet-stream\" id=\"{id}\">");
    let start = page.find(&open).unwrap() + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&page[start..end])
        .unwrap();
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn hostile_names_never_become_markup() {
    let cycles = [cycle(1, 0, false, 1)];
    let logs = [entry(HOSTILE)];
    let page = scenario_page(&input(&cycles, &logs));
    assert!(!page.contains("<img"), "an attribute or tag got through");
    assert!(
        !page.contains("onerror=alert(1)>\""),
        "raw text got through"
    );
    // Only the page's own scripts: two data blocks and the code.
    assert_eq!(page.matches("<script").count(), 3);
    assert_eq!(page.matches("</script>").count(), 3);
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!page.contains(HOSTILE));
    // The user name travels intact, as data the page puts in with textContent.
    let rows = unpacked(&page, "log-data");
    assert_eq!(rows[0][2], HOSTILE);
}

#[test]
fn steady_runs_collapse_to_one_row_and_counts_reach_the_chart() {
    let mut cycles = vec![cycle(1, 0, false, 5)];
    cycles.extend((2..=1000).map(|n| cycle(n, i64::from(n) * 40, true, 0)));
    cycles.push(cycle(1001, 1001 * 40, false, 2));
    let page = scenario_page(&input(&cycles, &[]));
    assert!(
        page.contains("<td>2–1000</td>"),
        "the steady run is one row"
    );
    assert!(page.contains("999 cycles in steady state"));
    let table = &page[page.find("id=\"cycles\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr").count(), 4, "header, 1, 2-1000, 1001");
    assert!(page.contains("Cycle 1 (Incremental) at start: created 5"));
    assert!(page.contains("steady state: cycles 2-1000 (999 cycles)"));
    assert!(
        page.contains("FAIL"),
        "the failed expectation sets the verdict"
    );
}

#[test]
fn the_load_page_charts_every_cycle_and_operation() {
    use crate::load::{CycleFigures, LoadReport, OpFigures};
    let report = LoadReport {
        users: 10,
        seed: 1,
        concurrency: 2,
        target: HOSTILE.into(),
        generate_ms: 3,
        cycles: vec![CycleFigures {
            number: 1,
            kind: "Initial".into(),
            changed: 10,
            imported: 10,
            created: 10,
            updated: 0,
            disabled: 0,
            skipped: 0,
            failed: 0,
            requests: 20,
            real_ms: 100,
            simulated_ms: 1000,
            users_per_sec: 100.0,
            requests_per_sec: 200.0,
        }],
        operations: vec![OpFigures {
            operation: "POST /Users".into(),
            count: 10,
            p50_ms: 1.0,
            p90_ms: 2.0,
            p99_ms: 3.0,
            max_ms: 4.0,
        }],
        errors: Default::default(),
        stopped: None,
    };
    let page = load_page(&report);
    assert!(!page.contains("<img"));
    assert!(page.contains("cycle 1 (Initial)"));
    assert!(page.contains("Users p99: 3.00 ms"));
    assert_eq!(page.matches("<svg").count(), 2);
}

#[test]
fn cycles_that_repeat_collapse_after_the_first() {
    let cycles: Vec<CycleSummary> = (1..=10)
        .map(|n| cycle(n, i64::from(n) * 1440, false, 3))
        .collect();
    let page = scenario_page(&input(&cycles, &[]));
    let table = &page[page.find("id=\"cycles\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr").count(), 3, "header, 1, 2-10");
    assert!(table.contains("9 more cycles like cycle 1"));
}
