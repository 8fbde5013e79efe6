//! The mock Blink tenant: an in-memory SCIM 2.0 server that behaves like Blink's API.
//!
//! [`Tenant`] is the tenant itself, a cheap cloneable handle with no sockets: call
//! [`Tenant::handle`] in-process, or serve it over HTTP with [`MockTenant`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use blinksim::tenant::MockTenant;
//! use serde_json::json;
//!
//! let blink = MockTenant::start().await; // 127.0.0.1, a free port
//! let base = blink.uri();                 // http://127.0.0.1:PORT/scim
//! blink.tenant().insert_user(json!({"userName": "ada@contoso.example", "active": true})).unwrap();
//! assert_eq!(blink.tenant().len(), 1);
//! assert!(base.ends_with("/scim"));
//! # }
//! ```

pub(crate) mod admin;
mod auth;
pub(crate) mod config;
mod conn;
pub(crate) mod exchange;
pub(crate) mod faults;
mod group_handler;
pub(crate) mod groups;
pub(crate) mod handler;
mod index;
pub(crate) mod journal;
mod mock;
pub(crate) mod options;
pub(crate) mod persist;
pub(crate) mod prefill;
pub(crate) mod redact;
pub(crate) mod serve;
pub(crate) mod server;
mod state;
pub(crate) mod store;
mod ui;

pub use auth::constant_time_eq;
pub use config::{
    ConfigError, ConfigFile, SERVE_DEFAULT_SEED, ServeSection, load_config, parse_config,
};
pub use exchange::{Exchange, Outcome};
pub use faults::parse::{ParseError, parse_json, parse_toml};
pub use faults::rule::{Effect, FaultRule, HeaderMatch, LostAs, Operation};
pub use journal::{
    DEFAULT_BODY_BYTES as JOURNAL_BODY_BYTES, DEFAULT_BYTES as JOURNAL_BYTES,
    DEFAULT_CAPACITY as JOURNAL_CAPACITY,
};
pub use mock::{MockTenant, MockTenantBuilder, Unmet, UnmetExpectations};
pub use options::{
    BLINK_BASE_URL, DEFAULT_ADMIN_TOKEN, DEFAULT_TOKEN, PatchResponse, Profile, ServerLimits,
    TenantOptions,
};
pub use persist::{StateError, write_atomically};
pub use serve::{LoadFaultsError, ServeConfig, ServeError, load_faults, serve};

use crate::clock::{SharedClock, SystemClock};
use crate::scim::error::ScimError;
use crate::scim::user::{ReadPolicy, UnknownAttributes, UserAttrs};
use faults::FaultSet;
use journal::Journal;
use parking_lot::{Mutex, MutexGuard, RwLock};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use store::{Rules, Store};
use time::OffsetDateTime;
use uuid::Uuid;

/// Users generated per batch handed from the generating thread to the filing one.
const PREFILL_BATCH: usize = 1024;

/// A mock Blink tenant. Clones share the same users.
#[derive(Clone)]
pub struct Tenant {
    inner: Arc<Inner>,
}

struct Inner {
    options: TenantOptions,
    store: RwLock<Store>,
    clock: SharedClock,
    base_url: RwLock<Arc<str>>,
    faults: Mutex<FaultSet>,
    /// Mirrors "some rule is installed", so requests skip the fault lock when none is.
    faults_active: AtomicBool,
    journal: Journal,
    /// The last prefill, which `/_admin/reset` restores.
    prefilled: Mutex<Option<(usize, u64)>>,
    /// Where `--state` saves (persist.rs).
    state_file: persist::StateFile,
    /// The last group prefill, which `/_admin/reset` restores after the users.
    prefilled_groups: Mutex<Option<(usize, u64)>>,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant")
            .field("base_url", &self.base_url())
            .field("users", &self.len())
            .finish()
    }
}

impl Default for Tenant {
    fn default() -> Self {
        Tenant::new(TenantOptions::default())
    }
}

impl Tenant {
    /// An empty tenant on the system clock, with base URL `https://api.joinblink.com/scim`.
    pub fn new(options: TenantOptions) -> Self {
        Tenant::with_clock(options, Arc::new(SystemClock))
    }

    /// An empty tenant on the given clock (a virtual one makes `meta` timestamps deterministic).
    pub fn with_clock(options: TenantOptions, clock: SharedClock) -> Self {
        let full = options.user_schema == crate::scim::schema::UserSchema::Full;
        let store = RwLock::new(Store::new(options.seed).with_user_groups(full));
        let faults = Mutex::new(FaultSet::new(options.seed));
        let journal = Journal::with_limits(journal::JournalLimits {
            entries: options.journal_capacity,
            bytes: options.journal_bytes,
            body_bytes: options.journal_body_bytes,
        });
        Tenant {
            inner: Arc::new(Inner {
                options,
                store,
                clock,
                base_url: RwLock::new(Arc::from(BLINK_BASE_URL)),
                faults,
                faults_active: AtomicBool::new(false),
                journal,
                prefilled: Mutex::new(None),
                state_file: persist::StateFile::default(),
                prefilled_groups: Mutex::new(None),
            }),
        }
    }

    fn state_file(&self) -> &persist::StateFile {
        &self.inner.state_file
    }

    /// The settings.
    pub fn options(&self) -> &TenantOptions {
        &self.inner.options
    }

    /// The SCIM base URL used in `meta.location`, `Location` and `$ref`.
    pub fn base_url(&self) -> Arc<str> {
        self.inner.base_url.read().clone()
    }

    /// Sets the base URL (the server does, once it knows its address).
    pub fn set_base_url(&self, url: &str) {
        *self.inner.base_url.write() = Arc::from(url.trim_end_matches('/'));
    }

    /// The tenant's current time.
    pub fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    /// The tenant's current time, Unix milliseconds (the unit of `meta` and the journal).
    pub(crate) fn now_millis(&self) -> i64 {
        self.inner.clock.now_millis()
    }

    pub(crate) fn store(&self) -> &RwLock<Store> {
        &self.inner.store
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.inner.store.read().len()
    }

    /// Whether the tenant has no users.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every user as Blink would return it, in id order.
    pub fn users(&self) -> Vec<Value> {
        let base = self.base_url();
        let store = self.inner.store.read();
        let ctx = handler::render_context(&store, &base);
        store.iter().map(|u| u.to_json(&ctx)).collect()
    }

    /// One user by id.
    pub fn user(&self, id: &str) -> Option<Value> {
        let id = Uuid::parse_str(id).ok()?;
        let base = self.base_url();
        let store = self.inner.store.read();
        let ctx = handler::render_context(&store, &base);
        store.get(&id).map(|u| u.to_json(&ctx))
    }

    /// The user with this userName (case-insensitive).
    pub fn find_by_user_name(&self, user_name: &str) -> Option<Value> {
        let base = self.base_url();
        let store = self.inner.store.read();
        let ctx = handler::render_context(&store, &base);
        store.find_by_user_name(user_name).map(|u| u.to_json(&ctx))
    }

    /// Adds a user from a SCIM representation, as `POST /Users` would; returns it rendered.
    pub fn insert_user(&self, resource: Value) -> Result<Value, ScimError> {
        let attrs = UserAttrs::from_json(&resource, self.read_policy())?.with_blink_defaults();
        let id = self.create_user(attrs)?;
        self.user(&id.to_string())
            .ok_or_else(|| ScimError::new(500, "user vanished"))
    }

    fn create_user(&self, attrs: UserAttrs) -> Result<Uuid, ScimError> {
        let now = self.now_millis();
        let rules = Rules {
            unique_work_email: self.options().unique_work_email,
        };
        Ok(self.inner.store.write().create(attrs, now, rules)?.id)
    }

    /// Adds `count` realistic users generated from `seed`, managers included (each user
    /// reports to an earlier one, eight to a manager). Returns how many were added.
    pub fn prefill(&self, count: usize, seed: u64) -> usize {
        *self.inner.prefilled.lock() = Some((count, seed));
        let now = self.now_millis();
        let rules = Rules {
            unique_work_email: self.options().unique_work_email,
        };
        let mut store = self.inner.store.write();
        store.reserve(count);
        let mut ids = Vec::with_capacity(count);
        // Generating people and filing them cost about the same, so one thread generates
        // batches in order while this one files them: the same users, nearly twice as fast.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<UserAttrs>>(4);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut people = prefill::users(count, seed).peekable();
                while people.peek().is_some() {
                    let batch: Vec<_> = people.by_ref().take(PREFILL_BATCH).collect();
                    if tx.send(batch).is_err() {
                        return;
                    }
                }
            });
            for mut attrs in rx.iter().flatten() {
                if let Some(&manager) = ids
                    .len()
                    .checked_sub(1)
                    .map(|i| i / 8)
                    .and_then(|i| ids.get(i))
                    && let Some(ent) = attrs.enterprise.as_deref_mut()
                {
                    ent.manager = Some(crate::scim::user::ManagerRef::Id(manager));
                }
                // A prefill collision (same alias twice) only skips that user.
                if let Ok(user) = store.create(attrs, now, rules) {
                    ids.push(user.id);
                }
            }
        });
        ids.len()
    }

    /// Adds `count` realistic groups generated from `seed`, members drawn from the users
    /// (in id order, so the same prefill gives the same groups). Returns how many were added.
    pub fn prefill_groups(&self, count: usize, seed: u64) -> usize {
        *self.inner.prefilled_groups.lock() = Some((count, seed));
        let now = self.now_millis();
        let rules = groups::GroupRules {
            unique_display_name: self.options().unique_group_display_name,
            members_must_exist: true,
        };
        let mut store = self.inner.store.write();
        let users: Vec<Uuid> = store.iter().map(|u| u.id).collect();
        prefill::groups(count, seed, &users)
            .into_iter()
            .filter(|attrs| store.create_group(attrs.clone(), now, rules).is_ok())
            .count()
    }

    /// Number of groups.
    pub fn group_count(&self) -> usize {
        self.inner.store.read().groups().len()
    }

    /// Every group as the tenant returns it, in id order.
    pub fn groups(&self) -> Vec<Value> {
        let base = self.base_url();
        let store = self.inner.store.read();
        let all = group_handler::GroupProjection::Default;
        store
            .groups()
            .iter()
            .map(|g| group_handler::render(&store, g, &base, &all))
            .collect()
    }

    /// One group by id, as the tenant returns it.
    pub fn group(&self, id: &str) -> Option<Value> {
        let id = Uuid::parse_str(id).ok()?;
        let base = self.base_url();
        let store = self.inner.store.read();
        let all = group_handler::GroupProjection::Default;
        let group = store.groups().get(&id)?;
        Some(group_handler::render(&store, group, &base, &all))
    }

    /// The group with this displayName (case-folded, as the tenant compares names).
    pub fn find_group_by_display_name(&self, name: &str) -> Option<Value> {
        let base = self.base_url();
        let store = self.inner.store.read();
        let all = group_handler::GroupProjection::Default;
        let group = store.groups().find_by_display_name(name)?;
        Some(group_handler::render(&store, group, &base, &all))
    }

    /// Adds a group from a SCIM representation, as `POST /Groups` would (the same name and
    /// member checks); returns it rendered. Works whether or not `/Groups` is served.
    pub fn insert_group(&self, resource: Value) -> Result<Value, ScimError> {
        let attrs = crate::scim::group::GroupAttrs::from_json(&resource)?;
        let now = self.now_millis();
        let rules = self.group_rules();
        let id = self.inner.store.write().create_group(attrs, now, rules)?.id;
        self.group(&id.to_string())
            .ok_or_else(|| ScimError::new(500, "group vanished"))
    }

    /// Removes every user (and so every group).
    pub fn clear(&self) {
        self.inner.store.write().clear();
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    fn faults_active(&self) -> bool {
        self.inner.faults_active.load(Ordering::Acquire)
    }

    fn faults_lock(&self) -> MutexGuard<'_, FaultSet> {
        self.inner.faults.lock()
    }

    /// Installs fault rules after the existing ones. Rules from files and the admin API are
    /// validated on parsing; rules built in Rust are validated here.
    pub fn add_faults(&self, rules: Vec<FaultRule>) {
        let now = self.now_millis();
        let mut faults = self.faults_lock();
        faults.add(rules, now);
        self.inner
            .faults_active
            .store(!faults.is_empty(), Ordering::Release);
    }

    /// Validates and installs one rule (the Rust builder's entry point).
    pub fn add_fault(&self, rule: FaultRule) -> Result<(), faults::RuleError> {
        rule.validate()?;
        self.add_faults(vec![rule]);
        Ok(())
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        let mut faults = self.faults_lock();
        faults.clear();
        self.inner.faults_active.store(false, Ordering::Release);
    }

    /// Removes the fault rules with this name; whether any was removed.
    pub fn remove_fault(&self, name: &str) -> bool {
        let mut faults = self.faults_lock();
        let removed = faults.remove(name);
        self.inner
            .faults_active
            .store(!faults.is_empty(), Ordering::Release);
        removed
    }

    /// The installed fault rules with their counters.
    pub fn faults(&self) -> Vec<faults::Installed> {
        self.faults_lock().rules().to_vec()
    }

    /// Back to a fresh tenant: journal and faults cleared, users emptied, then (if
    /// `to_prefill` and the tenant was prefilled) the same prefill again. Returns the user count.
    pub fn reset(&self, to_prefill: bool) -> usize {
        self.clear_faults();
        self.journal().reset();
        self.clear();
        let prefilled = *self.inner.prefilled.lock();
        let users = match prefilled {
            Some((count, seed)) if to_prefill => self.prefill(count, seed),
            _ => 0,
        };
        let prefilled_groups = *self.inner.prefilled_groups.lock();
        if let Some((count, seed)) = prefilled_groups.filter(|_| to_prefill) {
            self.prefill_groups(count, seed);
        }
        users
    }

    /// Parses a representation with this tenant's unknown-attribute policy (for admin and tests).
    pub fn parse_user(&self, resource: &Value) -> Result<UserAttrs, ScimError> {
        UserAttrs::from_json(resource, self.read_policy())
    }

    /// How user representations are read: the unknown-attribute policy and the schema served.
    pub fn read_policy(&self) -> ReadPolicy {
        ReadPolicy {
            unknown: self.options().unknown_attributes,
            schema: self.options().user_schema,
        }
    }

    /// The policy for attributes outside the schema.
    pub fn unknown_attributes(&self) -> UnknownAttributes {
        self.options().unknown_attributes
    }
}
