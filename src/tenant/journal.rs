//! The request journal: every request with its response, latency and fault, in a bounded
//! ring, optionally streamed to a JSON-lines file; plus running stats by operation.

use super::faults::{AppliedFault, Operation};
use super::redact::redact_credentials;
use crate::histogram::Histogram;
use bytes::Bytes;
use http::{HeaderMap, Method};
use parking_lot::Mutex;
use serde::Serialize;
use serde::ser::SerializeMap;
use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Default ring size.
pub const DEFAULT_CAPACITY: usize = 1_000;
/// Default bound on the bytes the kept entries hold (bodies, headers, path and query).
pub const DEFAULT_BYTES: usize = 64 * 1024 * 1024;
/// Default size beyond which a body is kept truncated (and marked so).
pub const DEFAULT_BODY_BYTES: usize = 64 * 1024;
/// The most entries one query returns, whatever its `limit`.
pub(crate) const MAX_QUERY_LIMIT: usize = 1_000;

/// How much the journal keeps (issue 15 D4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalLimits {
    /// Entries kept in total (0 keeps none but still counts stats).
    pub entries: usize,
    /// Bytes the kept entries may hold in total; the oldest go first.
    pub bytes: usize,
    /// A request or response body longer than this is kept truncated to it.
    pub body_bytes: usize,
}

impl Default for JournalLimits {
    fn default() -> Self {
        JournalLimits {
            entries: DEFAULT_CAPACITY,
            bytes: DEFAULT_BYTES,
            body_bytes: DEFAULT_BODY_BYTES,
        }
    }
}

/// One journaled request.
#[derive(Clone, Debug)]
pub struct JournalEntry {
    /// 1-based sequence number since the last clear.
    pub seq: u64,
    /// When the request arrived, Unix ms (tenant clock).
    pub time: i64,
    /// Method.
    pub method: Method,
    /// Path.
    pub path: String,
    /// Raw query string, secret parameters redacted.
    pub query: Option<String>,
    /// Request headers, secrets redacted (the tenant's [`super::redact::Redaction`]).
    pub headers: HeaderMap,
    /// Request body.
    pub request_body: Bytes,
    /// Response status; `None` when the connection was closed without one.
    pub status: Option<u16>,
    /// Response body (as sent, even when truncated on the wire).
    pub response_body: Bytes,
    /// Time to answer including injected delay, microseconds.
    pub latency_us: u64,
    /// SCIM operation.
    pub operation: Operation,
    /// Rules that fired.
    pub faults: Vec<AppliedFault>,
    /// The full lengths of the request and response bodies when the journal kept them truncated.
    pub truncated: Option<(usize, usize)>,
}

impl JournalEntry {
    /// Cuts bodies longer than `max` (copying the kept part, so the rest is freed) and marks it.
    fn truncate_bodies(&mut self, max: usize) {
        let full = (self.request_body.len(), self.response_body.len());
        if full.0 <= max && full.1 <= max {
            return;
        }
        for body in [&mut self.request_body, &mut self.response_body] {
            if body.len() > max {
                *body = Bytes::copy_from_slice(&body[..max]);
            }
        }
        self.truncated = Some(full);
    }

    /// Roughly the memory the entry holds.
    fn weight(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 32)
            .sum();
        256 + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + headers
            + self.request_body.len()
            + self.response_body.len()
    }
}

/// The headers as text; secrets were already redacted when the entry was recorded
/// ([`super::redact::Redaction`]), and `Authorization` is redacted here once more.
pub(crate) fn redacted_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| {
            let value =
                if k == http::header::AUTHORIZATION || k == http::header::PROXY_AUTHORIZATION {
                    String::from_utf8_lossy(redact_credentials(v).as_bytes()).into_owned()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
            (k.as_str().to_string(), value)
        })
        .collect()
}

/// A body as JSON when it is JSON, else as (lossy) text.
fn body_value(body: &Bytes) -> serde_json::Value {
    if body.is_empty() {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))
}

impl Serialize for JournalEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("seq", &self.seq)?;
        map.serialize_entry("time", &crate::scim::datetime::format_millis(self.time))?;
        map.serialize_entry("method", self.method.as_str())?;
        map.serialize_entry("path", &self.path)?;
        map.serialize_entry("query", &self.query)?;
        map.serialize_entry("operation", &self.operation)?;
        map.serialize_entry("request_headers", &redacted_headers(&self.headers))?;
        map.serialize_entry("request_body", &body_value(&self.request_body))?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("response_body", &body_value(&self.response_body))?;
        map.serialize_entry("latency_ms", &(self.latency_us as f64 / 1000.0))?;
        map.serialize_entry("faults", &self.faults)?;
        if let Some((request, response)) = self.truncated {
            let full = serde_json::json!({"request_body": request, "response_body": response});
            map.serialize_entry("truncated_bodies", &full)?;
        }
        map.end()
    }
}

/// Counts and latencies of one operation.
#[derive(Clone, Debug, Default)]
pub struct OperationStats {
    /// Requests by status (`None`: closed without a response).
    pub by_status: BTreeMap<Option<u16>, u64>,
    /// Latencies.
    pub latency: Histogram,
}

/// What [`Journal::query`] selects.
#[derive(Clone, Debug, Default)]
pub struct JournalQuery {
    /// Only this method.
    pub method: Option<Method>,
    /// Only paths containing this text.
    pub path: Option<String>,
    /// Only this status.
    pub status: Option<u16>,
    /// Only this operation.
    pub operation: Option<Operation>,
    /// Only requests where a fault fired (true) or none did (false).
    pub faulted: Option<bool>,
    /// Only entries after this sequence number.
    pub since: Option<u64>,
    /// At most this many, the most recent (100 by default, [`MAX_QUERY_LIMIT`] at most).
    pub limit: Option<usize>,
}

/// One shard of the ring, written by the threads mapped to it.
#[derive(Default)]
struct Shard {
    entries: VecDeque<Arc<JournalEntry>>,
    stats: BTreeMap<Operation, OperationStats>,
}

/// A shard behind its lock, with the sequence number of its oldest entry readable without
/// the lock, so eviction finds the oldest shard without locking all of them per record.
struct ShardSlot {
    ring: Mutex<Shard>,
    /// `seq` of the shard's front entry, `u64::MAX` when empty; written under `ring`'s lock.
    front: AtomicU64,
}

impl Default for ShardSlot {
    fn default() -> Self {
        ShardSlot {
            ring: Mutex::default(),
            front: AtomicU64::new(u64::MAX),
        }
    }
}

impl ShardSlot {
    fn lock(&self) -> parking_lot::MutexGuard<'_, Shard> {
        self.ring.lock()
    }

    /// Publishes the front entry's seq; call with the lock held after changing `entries`.
    fn publish_front(&self, shard: &Shard) {
        let seq = shard.entries.front().map_or(u64::MAX, |e| e.seq);
        self.front.store(seq, Ordering::Release);
    }
}

/// Shards of the ring: a thread records into its own shard, so an entry is usually freed by
/// the thread that allocated it. With one shared ring, worker threads free each other's
/// memory and contend on one lock, which cost 29% of GET throughput in `wrk` runs.
const SHARDS: usize = 8;

thread_local! {
    static SHARD: usize = {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % SHARDS
    };
}

/// Entries the file writer may lag behind before new ones are left out of the file.
const SINK_BACKLOG: usize = 4_096;

/// The journal of a tenant.
pub struct Journal {
    limits: JournalLimits,
    shards: Box<[ShardSlot]>,
    next_seq: AtomicU64,
    /// Entries and bytes kept over all shards.
    kept: AtomicUsize,
    kept_bytes: AtomicUsize,
    sink: Mutex<Option<mpsc::SyncSender<Arc<JournalEntry>>>>,
    /// Whether `sink` is set: read per record so a journal without a file takes no lock.
    streaming: std::sync::atomic::AtomicBool,
    /// Why the journal file stopped, once it did.
    sink_error: Arc<Mutex<Option<String>>>,
}

impl Journal {
    /// A journal keeping the last `capacity` entries (0 keeps none but still counts stats),
    /// with the default byte bounds.
    pub fn new(capacity: usize) -> Self {
        Self::with_limits(JournalLimits {
            entries: capacity,
            ..JournalLimits::default()
        })
    }

    /// A journal within `limits`: beyond either total the oldest entries are dropped.
    pub fn with_limits(limits: JournalLimits) -> Self {
        Journal {
            limits,
            shards: (0..SHARDS).map(|_| ShardSlot::default()).collect(),
            next_seq: AtomicU64::new(1),
            kept: AtomicUsize::new(0),
            kept_bytes: AtomicUsize::new(0),
            sink: Mutex::new(None),
            streaming: std::sync::atomic::AtomicBool::new(false),
            sink_error: Arc::default(),
        }
    }

    /// Why writing the journal file failed, if it did (the file then stops growing).
    pub fn file_error(&self) -> Option<String> {
        self.sink_error.lock().clone()
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.kept.load(Ordering::Relaxed).min(self.limits.entries)
    }

    /// Whether no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Streams every new entry to `writer` as JSON lines, from a background thread so that
    /// requests never wait on the disk.
    /// A write error is logged and kept ([`Journal::file_error`], `/_admin/health`).
    pub fn stream_to(&self, writer: Box<dyn Write + Send>) {
        let (tx, rx) = mpsc::sync_channel::<Arc<JournalEntry>>(SINK_BACKLOG);
        let error = Arc::clone(&self.sink_error);
        std::thread::spawn(move || {
            if let Err(e) = write_entries(&rx, writer) {
                tracing::error!("the journal file stopped: {e}");
                *error.lock() = Some(e.to_string());
            }
        });
        *self.sink.lock() = Some(tx);
        self.streaming.store(true, Ordering::Release);
    }

    /// Records an entry (its `seq` is assigned here) and returns the sequence number.
    pub fn record(&self, mut entry: JournalEntry) -> u64 {
        entry.truncate_bodies(self.limits.body_bytes);
        let weight = entry.weight();
        let shard = SHARD.with(|s| *s);
        let entry = {
            let slot = &self.shards[shard];
            let mut shard = slot.lock();
            // Numbered under the shard lock, so each shard stays in sequence order.
            entry.seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
            let stats = shard.stats.entry(entry.operation).or_default();
            *stats.by_status.entry(entry.status).or_insert(0) += 1;
            stats.latency.record_micros(entry.latency_us);
            let entry = Arc::new(entry);
            if self.limits.entries > 0 && weight <= self.limits.bytes {
                shard.entries.push_back(Arc::clone(&entry));
                if shard.entries.len() == 1 {
                    slot.publish_front(&shard);
                }
                self.kept.fetch_add(1, Ordering::Relaxed);
                self.kept_bytes.fetch_add(weight, Ordering::Relaxed);
            }
            entry
        };
        self.evict_over_limits();
        let seq = entry.seq;
        if self.streaming.load(Ordering::Acquire)
            && let Some(tx) = self.sink.lock().as_ref()
            && let Err(mpsc::TrySendError::Full(e)) = tx.try_send(entry)
        {
            tracing::warn!("journal file lagging: entry {} not written", e.seq);
        }
        seq
    }

    /// Drops the oldest entries (over all shards) while either total is over its limit.
    fn evict_over_limits(&self) {
        while self.kept.load(Ordering::Relaxed) > self.limits.entries
            || self.kept_bytes.load(Ordering::Relaxed) > self.limits.bytes
        {
            let oldest = self
                .shards
                .iter()
                .enumerate()
                .map(|(i, s)| (s.front.load(Ordering::Acquire), i))
                .filter(|(seq, _)| *seq != u64::MAX)
                .min()
                .or_else(|| self.oldest_locked());
            let Some((seq, i)) = oldest else { return };
            let slot = &self.shards[i];
            let mut shard = slot.lock();
            if shard.entries.front().is_some_and(|e| e.seq == seq)
                && let Some(e) = shard.entries.pop_front()
            {
                slot.publish_front(&shard);
                self.kept.fetch_sub(1, Ordering::Relaxed);
                self.kept_bytes.fetch_sub(e.weight(), Ordering::Relaxed);
            } else {
                // Another thread moved this front meanwhile; republish and look again.
                slot.publish_front(&shard);
            }
        }
    }

    /// The oldest entry's seq and shard, read under each shard's lock (when no front was
    /// published yet, as another thread's push may still be on its way).
    fn oldest_locked(&self) -> Option<(u64, usize)> {
        self.shards
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.lock().entries.front().map(|e| (e.seq, i)))
            .min()
    }

    /// Every kept entry, oldest first.
    pub fn entries(&self) -> Vec<Arc<JournalEntry>> {
        let mut all: Vec<Arc<JournalEntry>> = self
            .shards
            .iter()
            .flat_map(|s| s.lock().entries.iter().cloned().collect::<Vec<_>>())
            .collect();
        all.sort_by_key(|e| e.seq);
        all
    }

    /// Entries matching `q`, oldest first.
    pub fn query(&self, q: &JournalQuery) -> Vec<Arc<JournalEntry>> {
        let mut out: Vec<Arc<JournalEntry>> = self
            .entries()
            .into_iter()
            .filter(|e| q.method.as_ref().is_none_or(|m| e.method == *m))
            .filter(|e| q.path.as_deref().is_none_or(|p| e.path.contains(p)))
            .filter(|e| q.status.is_none_or(|s| e.status == Some(s)))
            .filter(|e| q.operation.is_none_or(|o| e.operation == o))
            .filter(|e| q.faulted.is_none_or(|f| f != e.faults.is_empty()))
            .filter(|e| q.since.is_none_or(|s| e.seq > s))
            .collect();
        let limit = q.limit.unwrap_or(100).min(MAX_QUERY_LIMIT);
        if out.len() > limit {
            out.drain(..out.len() - limit);
        }
        out
    }

    /// Stats since the last reset.
    pub fn stats(&self) -> BTreeMap<Operation, OperationStats> {
        let mut merged: BTreeMap<Operation, OperationStats> = BTreeMap::new();
        for shard in self.shards.iter() {
            for (op, s) in &shard.lock().stats {
                let m = merged.entry(*op).or_default();
                for (status, n) in &s.by_status {
                    *m.by_status.entry(*status).or_insert(0) += n;
                }
                m.latency.merge(&s.latency);
            }
        }
        merged
    }

    /// Drops the kept entries (stats stay).
    pub fn clear(&self) {
        for shard in self.shards.iter() {
            let mut s = shard.lock();
            let (n, bytes) = s
                .entries
                .drain(..)
                .fold((0, 0), |(n, b), e| (n + 1, b + e.weight()));
            shard.publish_front(&s);
            self.kept.fetch_sub(n, Ordering::Relaxed);
            self.kept_bytes.fetch_sub(bytes, Ordering::Relaxed);
        }
    }

    /// Drops entries and stats and restarts numbering.
    pub fn reset(&self) {
        self.clear();
        for shard in self.shards.iter() {
            shard.lock().stats.clear();
        }
        self.next_seq.store(1, Ordering::Relaxed);
    }
}

/// Writes entries as JSON lines, in sequence order within each batch, until the journal goes.
fn write_entries(
    rx: &mpsc::Receiver<Arc<JournalEntry>>,
    mut writer: Box<dyn Write + Send>,
) -> std::io::Result<()> {
    while let Ok(entry) = rx.recv() {
        let mut batch = vec![entry];
        batch.extend(rx.try_iter());
        batch.sort_by_key(|e| e.seq);
        for e in batch {
            serde_json::to_writer(&mut writer, &*e)?;
            writer.write_all(b"\n")?;
        }
        writer.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
