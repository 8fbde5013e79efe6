//! Group cycles against a recording transport: a minimal SCIM target that answers what the
//! engine sends and keeps every request, so the group sequence is checked without a socket.

use crate::clock::VirtualClock;
use crate::engine::config::{AccidentalDeletions, JobConfig};
use crate::engine::directory::{Directory, DirectoryUser, Group};
use crate::engine::job::{EngineError, ProvisioningJob};
use crate::engine::log::{Action, Status};
use crate::engine::transport::{BoxFuture, Delivered, Transport, TransportError};
use crate::scim::message::{Request, Response};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as sent: method, path with query, JSON body.
type Sent = (Method, String, Value);

/// Answers lookups with empty lists, creates with fresh ids, and PATCH/DELETE with 204.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<Sent>>,
    /// Users created, to answer reads by id.
    users: Mutex<Vec<Value>>,
    /// Answer group PATCHes with 500.
    fail_group_patches: AtomicBool,
}

impl Recorder {
    fn answer(&self, req: &Request) -> Response {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let list = || {
            let empty = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": []});
            Response::scim(StatusCode::OK, empty.to_string().into())
        };
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        match (req.method.clone(), req.path.as_str()) {
            (Method::GET, p)
                if req.query.is_some() && (p.ends_with("/Users") || p.ends_with("/Groups")) =>
            {
                list()
            }
            (Method::GET, p) => {
                let id = p.rsplit('/').next().unwrap_or_default();
                match users.iter().find(|u| u["id"] == id) {
                    Some(u) => Response::scim(StatusCode::OK, u.to_string().into()),
                    None => Response::empty(StatusCode::NOT_FOUND),
                }
            }
            (Method::POST, p) => {
                let mut created = body.clone();
                let n = self.sent.lock().map_or(0, |s| s.len());
                let prefix = if p.ends_with("/Groups") { "g" } else { "u" };
                created["id"] = json!(format!("{prefix}{n}"));
                if prefix == "u" {
                    users.push(created.clone());
                }
                Response::scim(StatusCode::CREATED, created.to_string().into())
            }
            (Method::PATCH, p)
                if p.contains("/Groups/") && self.fail_group_patches.load(Ordering::Relaxed) =>
            {
                Response::empty(StatusCode::INTERNAL_SERVER_ERROR)
            }
            _ => Response::empty(StatusCode::NO_CONTENT),
        }
    }

    fn sent(&self, method: Method, path_part: &str) -> Vec<Sent> {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.iter()
            .filter(|(m, p, _)| *m == method && p.contains(path_part))
            .cloned()
            .collect()
    }

    fn clear(&self) {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

struct Recording(Arc<Recorder>);

impl Transport for Recording {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Delivered, TransportError>> {
        Box::pin(async move {
            let response = self.0.answer(&request);
            let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let path = match &request.query {
                Some(q) => format!("{}?{q}", request.path),
                None => request.path.clone(),
            };
            if let Ok(mut sent) = self.0.sent.lock() {
                sent.push((request.method.clone(), path, body));
            }
            Ok(Delivered {
                response,
                simulated_delay: Duration::ZERO,
            })
        })
    }

    fn real_time(&self) -> bool {
        false
    }
}

fn directory(members: usize) -> Directory {
    let mut dir = Directory::new();
    let mut ids = Vec::new();
    for i in 0..members {
        let id = format!("u{i}");
        dir.add_user(DirectoryUser::new(&id, &format!("user{i}@contoso.example")))
            .unwrap();
        ids.push(id);
    }
    dir.add_group(Group {
        object_id: "g-sales".into(),
        display_name: "Sales".into(),
        members: ids,
    })
    .unwrap();
    dir.assign("g-sales", true, "User").unwrap();
    dir
}

/// A job with groups on, at `http://target.example/scim` plus `flag`.
fn groups_job(flag: &str) -> (ProvisioningJob, Arc<Recorder>) {
    job(JobConfig {
        tenant_url: format!("http://target.example/scim{flag}"),
        provision_groups: true,
        ..JobConfig::default()
    })
}

fn job(config: JobConfig) -> (ProvisioningJob, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let transport = Arc::new(Recording(recorder.clone()));
    let job = ProvisioningJob::new(config, transport, VirtualClock::at_millis(0)).unwrap();
    (job, recorder)
}

fn ops(sent: &Sent) -> String {
    sent.2["Operations"].to_string()
}

#[tokio::test]
async fn groups_are_created_without_members_then_filled() {
    let dir = directory(2);
    let (mut job, rec) = groups_job("");
    let summary = job.run_cycle(&dir).await.unwrap().clone();
    // The probe asks for a random group too (SCIMDEV "a random user and group").
    let probes = rec.sent(
        Method::GET,
        "/Groups?excludedAttributes=members&filter=displayName",
    );
    assert_eq!(probes.len(), 2, "the probe and the match: {probes:?}");
    let posts = rec.sent(Method::POST, "/scim/Groups");
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].2.get("members").is_none(),
        "created without members"
    );
    assert_eq!(posts[0].2["externalId"], "g-sales");
    let patches = rec.sent(Method::PATCH, "/scim/Groups/");
    assert_eq!(patches.len(), 1);
    assert!(
        ops(&patches[0])
            .starts_with(r#"[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u"#)
    );
    let link = &job.group_links()["g-sales"];
    assert_eq!(link.members.len(), 2);
    assert_eq!(summary.groups_in_connector_data_store, 1);
    let entry = job.logs().last().unwrap();
    assert_eq!(entry.target_identity.identity_type, "Group");
    assert_eq!(entry.provisioning_action, Action::Create);
    assert_eq!(summary.counts.created, 3, "two users and the group");
}

#[tokio::test]
async fn membership_follows_the_directory_in_both_dialects() {
    for (url_flag, removal) in [
        ("", r#"[{"op":"Remove","path":"members","value":[{"value":"#),
        (
            "?aadOptscim062020",
            r#"[{"op":"remove","path":"members[value eq \""#,
        ),
    ] {
        let mut dir = directory(3);
        let (mut job, rec) = groups_job(url_flag);
        job.run_cycle(&dir).await.unwrap();
        rec.clear();
        dir.remove_member("g-sales", "u1").unwrap();
        let summary = job.run_cycle(&dir).await.unwrap().clone();
        let patches = rec.sent(Method::PATCH, "/scim/Groups/");
        assert_eq!(patches.len(), 1, "{url_flag}: {patches:?}");
        assert!(
            ops(&patches[0]).starts_with(removal),
            "{url_flag}: {}",
            ops(&patches[0])
        );
        assert_eq!(job.group_links()["g-sales"].members.len(), 2);
        assert_eq!(summary.counts.updated, 1, "the group (u1 is disabled)");
    }
}

#[tokio::test]
async fn a_rename_then_an_unassignment_deletes_the_group() {
    let mut dir = directory(1);
    let (mut job, rec) = groups_job("");
    job.run_cycle(&dir).await.unwrap();
    rec.clear();
    dir.rename_group("g-sales", "Sales EMEA").unwrap();
    job.run_cycle(&dir).await.unwrap();
    let patches = rec.sent(Method::PATCH, "/scim/Groups/");
    assert_eq!(
        ops(&patches[0]),
        r#"[{"op":"Replace","path":"displayName","value":"Sales EMEA"}]"#
    );
    rec.clear();
    let quiet = job.run_cycle(&dir).await.unwrap().clone();
    assert!(
        rec.sent(Method::PATCH, "/Groups").is_empty(),
        "nothing changed"
    );
    assert!(quiet.steady_state);
    dir.unassign("g-sales", true).unwrap();
    job.run_cycle(&dir).await.unwrap();
    assert_eq!(rec.sent(Method::DELETE, "/scim/Groups/").len(), 1);
    assert!(job.group_links().is_empty());
}

#[tokio::test]
async fn large_groups_go_in_batches_of_the_batch_size() {
    let dir = directory(250);
    let (mut job, rec) = groups_job("");
    job.run_cycle(&dir).await.unwrap();
    let patches = rec.sent(Method::PATCH, "/scim/Groups/");
    let sizes: Vec<usize> = patches
        .iter()
        .map(|p| p.2["Operations"][0]["value"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    let entry = job.logs().last().unwrap();
    assert_eq!(entry.provisioning_status_info.status, Status::Success);
}

#[tokio::test]
async fn groups_are_off_by_default() {
    let dir = directory(1);
    let (mut job, rec) = job(JobConfig {
        tenant_url: "http://target.example/scim".into(),
        ..JobConfig::default()
    });
    job.run_cycle(&dir).await.unwrap();
    assert!(rec.sent(Method::GET, "/Groups").is_empty());
    assert!(rec.sent(Method::POST, "/Groups").is_empty());
}

#[tokio::test]
async fn on_demand_takes_one_group_with_up_to_five_members() {
    let dir = directory(6);
    let (mut job, rec) = groups_job("");
    let six: Vec<String> = (0..6).map(|i| format!("u{i}")).collect();
    let refused = job.provision_group_on_demand(&dir, "Sales", &six).await;
    assert!(matches!(
        refused,
        Err(EngineError::TooManyOnDemandMembers(6))
    ));
    assert!(rec.sent(Method::GET, "/").is_empty(), "nothing sent");
    let results = job
        .provision_group_on_demand(&dir, "Sales", &six[..2])
        .await
        .unwrap();
    assert_eq!(results.len(), 3, "two users, then the group");
    let group = results[2].entry.as_ref().unwrap();
    assert_eq!(group.provisioning_action, Action::Create);
    assert_eq!(job.group_links()["g-sales"].members.len(), 2);
    let stranger = job
        .provision_group_on_demand(&dir, "Sales", &["nobody".to_string()])
        .await;
    assert!(matches!(stranger, Err(EngineError::NotAMember { .. })));
}

#[tokio::test]
async fn a_failed_member_patch_is_a_reference_failure_retried_next_cycle() {
    // QUAR: "failure to update a manager or a group member is a reference failure".
    let dir = directory(2);
    let (mut job, rec) = groups_job("");
    rec.fail_group_patches.store(true, Ordering::Relaxed);
    let summary = job.run_cycle(&dir).await.unwrap().clone();
    assert_eq!(summary.counts.reference_failures, 1);
    assert_eq!(summary.counts.failed, 0, "the group itself was created");
    let entry = job.logs().last().unwrap();
    assert_eq!(entry.provisioning_status_info.status, Status::Warning);
    assert!(
        job.escrows().is_empty(),
        "not escrowed: the 40% and 40,000 thresholds ignore it"
    );
    assert!(job.group_links()["g-sales"].members.is_empty());
    rec.fail_group_patches.store(false, Ordering::Relaxed);
    rec.clear();
    let summary = job.run_cycle(&dir).await.unwrap().clone();
    assert_eq!(rec.sent(Method::PATCH, "/scim/Groups/").len(), 1, "retried");
    assert_eq!(summary.counts.reference_failures, 0);
    assert_eq!(job.group_links()["g-sales"].members.len(), 2);
}

#[tokio::test]
async fn groups_count_toward_the_deletion_threshold() {
    // ACCDEL: "Groups evaluated for deletion count towards the deletion threshold."
    let mut dir = directory(1);
    let (mut job, rec) = job(JobConfig {
        tenant_url: "http://target.example/scim".into(),
        provision_groups: true,
        accidental_deletions: AccidentalDeletions {
            enabled: true,
            threshold: 1,
        },
        ..JobConfig::default()
    });
    job.run_cycle(&dir).await.unwrap();
    rec.clear();
    dir.unassign("g-sales", true).unwrap();
    let summary = job.run_cycle(&dir).await.unwrap().clone();
    assert_eq!(
        summary.counts.staged_deletes, 2,
        "the user's disable and the group's delete"
    );
    assert!(rec.sent(Method::DELETE, "/").is_empty());
    assert_eq!(job.staged_deletes().len(), 2);
    assert!(job.group_links().contains_key("g-sales"));
}
