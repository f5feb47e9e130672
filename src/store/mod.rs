//! Keeping releases: the [`ReleaseStore`] trait, in memory and on disk.
//!
//! A store keeps each release as its event log and hands it back replayed,
//! so a stored release passes every rule again when it is loaded. Writers
//! append events on top of the version they read: a writer whose view is
//! stale gets [`StoreError::Conflict`] instead of overwriting what another
//! writer recorded.
//!
//! The `ReleaseStore` trait keeps releases: `MemoryStore` in memory,
//! `FileStore` as one append-only, fsynced, chained JSON Lines log per
//! release, with atomic creation, optimistic concurrency between writers
//! (and `update`, which retries a change on a conflict), whole-or-nothing
//! appends, recovery from a log torn by a crash, and an explicit `recover`
//! for a damaged one. [`AuditTrail::of`](crate::audit::AuditTrail::of) a release renders and filters
//! the log: when, who, what.

mod batch;
mod checklists;
mod error;
mod feed;
mod file;
mod file_feed;
mod in_flight;
mod key;
mod ledger;
mod log;
mod memory;
mod migrate;
mod owing;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_error;
#[cfg(feature = "postgres")]
mod postgres_sql;
#[cfg(feature = "postgres")]
mod postgres_summary;
mod recover;
mod summary;

pub use error::StoreError;
pub use feed::{Changes, Cursor, CursorError, FEED_PAGE, FeedEntry};
pub use file::FileStore;
pub use key::ReleaseKey;
pub use memory::MemoryStore;
pub use migrate::{LogMigration, Migration};
pub use owing::{Overdue, OverdueRelease};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, SCHEMA_VERSION};
pub use recover::{DroppedLine, Recovery};
pub use summary::{Deployments, Listing, Loaded, ReleaseFilter, ReleaseSummary, Unreadable};

use crate::actor::Actor;
use crate::checklist::Template;
use crate::event::Event;
use crate::release::{
    Integrity, Release, ReleaseError, Revocation, Trust, TrustEntry, TrustLedger, TrustRecord,
};
use chrono::{DateTime, Utc};

/// How many releases a listing or a report over a store holds in memory at
/// once: enough for [`ReleaseStore::load_many`] to pay off, few enough that
/// a store of any size is listed in bounded memory.
const LOADED_AT_ONCE: usize = 1_024;

/// A release read back from a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRelease {
    /// The release, replayed from its log.
    pub release: Release,
    /// What a crash left unfinished at the end of the log (a line cut
    /// short, or a batch not all written), left out: it was never
    /// acknowledged. The next append removes it.
    pub torn_tail: Option<TornTail>,
    /// What loading proved about the log.
    pub integrity: Integrity,
    /// The revocation of the checklist version the release follows, when
    /// the store's trust ledger revoked it: the release loads, and no new
    /// release starts on that version.
    pub revoked: Option<Revocation>,
}

/// An unfinished end of a log file, left by a crash: a last line cut
/// short, or a batch of events not all written. It was never acknowledged:
/// a load leaves it out, and the next append cuts it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TornTail {
    /// Its first line's number, from 1.
    pub line: usize,
    /// How many bytes it has, all lines together.
    pub bytes: usize,
}

/// Where releases are kept.
///
/// Implementations are shared between threads (`&self` methods), and every
/// method checks what it stores: `create` and `append` replay the log with
/// the new events, so a store never holds a log that does not load.
///
/// ```
/// use release_workflow::store::{MemoryStore, ReleaseStore};
/// # use release_workflow::{Actor, Release, ReleaseKind, Role};
/// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let mut release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
///
/// let store = MemoryStore::new();
/// let key = store.create(&release)?;
/// assert_eq!(key.as_str(), "checkout@2.4.0");
///
/// // Change the release, then save the events the store does not have.
/// let stored = store.load(&key)?.release.events().len();
/// release.complete("planning.scope-documented", &ada, t0)?;
/// store.save(&release, stored)?;
/// assert_eq!(store.load(&key)?.release, release);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait ReleaseStore {
    /// Stores a new release with its whole log, atomically: afterwards the
    /// store has all of it or none of it.
    ///
    /// # Errors
    ///
    /// [`StoreError::ReleaseExists`] when the key is taken;
    /// [`StoreError::Io`] when the store cannot be written.
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError>;

    /// Loads and replays a release.
    ///
    /// # Errors
    ///
    /// [`StoreError::ReleaseNotFound`] with the closest stored keys;
    /// [`StoreError::CorruptLog`] naming the line that cannot be read;
    /// [`StoreError::Refused`] naming the line whose event breaks a rule,
    /// a broken chain or an untrusted checklist (its `source` says which);
    /// [`StoreError::NotALog`]; [`StoreError::Io`].
    fn load(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError>;

    /// Appends `events` to a release the caller read with `expected`
    /// events, and returns the new number of events. The events are checked
    /// against the stored release first, and are durable when this returns.
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] when the stored release no longer has
    /// `expected` events: another writer got there first; reload and apply
    /// the change again. [`StoreError::Release`] holding
    /// [`ReleaseError::Replay`] for an event that breaks a rule; as
    /// [`load`](ReleaseStore::load) otherwise.
    fn append(&self, key: &ReleaseKey, expected: usize, events: &[Event]) -> Result<usize, StoreError>;

    /// The changes stored after `cursor`, oldest first, at most
    /// [`FEED_PAGE`]: every event the store appended (or created a release
    /// with), across all releases, each with its number in the store's
    /// feed. Keep [`Changes::cursor`] for the next call; a reader far
    /// behind calls again until a page comes back empty.
    ///
    /// The events are read from their releases' logs, verified as
    /// [`load`](ReleaseStore::load) verifies them; a release that cannot be
    /// read is reported in [`Changes::unreadable`] and its changes are
    /// skipped, and an event a [`recover`](FileStore::recover) dropped is
    /// left out.
    ///
    /// ```
    /// use release_workflow::store::{Cursor, MemoryStore, ReleaseStore};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let mut release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let store = MemoryStore::new();
    /// let key = store.create(&release)?;
    /// let first = store.changes_since(Cursor::START)?;
    /// assert_eq!(first.changes.len(), 1); // the planning event
    ///
    /// release.complete("planning.scope-documented", &ada, t0)?;
    /// store.save(&release, 1)?;
    /// let next = store.changes_since(first.cursor)?;
    /// assert_eq!((next.changes[0].number, &next.changes[0].key, next.changes[0].index), (2, &key, 1));
    /// assert!(store.changes_since(next.cursor)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] or [`StoreError::Database`](StoreError) when the
    /// feed itself cannot be read; [`StoreError::CorruptFeed`] when a line
    /// of the file store's feed cannot be read.
    fn changes_since(&self, cursor: Cursor) -> Result<Changes, StoreError>;

    /// The cursor after the last change stored: where a reader that wants
    /// only what comes next starts (a board reads it before it renders, a
    /// new bot before it follows the feed). The file and PostgreSQL stores
    /// read it without reading a log; the default pages through the feed.
    ///
    /// ```
    /// use release_workflow::store::{Cursor, MemoryStore, ReleaseStore};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let store = MemoryStore::new();
    /// assert_eq!(store.feed_head()?, Cursor::START);
    /// store.create(&release)?;
    /// let head = store.feed_head()?;
    /// assert_eq!(head, Cursor::after(1));
    /// assert!(store.changes_since(head)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`changes_since`](ReleaseStore::changes_since).
    fn feed_head(&self) -> Result<Cursor, StoreError> {
        let mut cursor = Cursor::START;
        loop {
            let page = self.changes_since(cursor)?;
            if page.is_empty() {
                return Ok(cursor);
            }
            cursor = page.cursor;
        }
    }

    /// As [`changes_since`](ReleaseStore::changes_since), but waits up to
    /// `timeout` for a change when there is none yet, and returns an empty
    /// page if none came. The file and memory stores look every 50 ms; the
    /// PostgreSQL store is woken by the database (`LISTEN`/`NOTIFY`).
    ///
    /// # Errors
    ///
    /// As [`changes_since`](ReleaseStore::changes_since).
    fn wait_for_changes(&self, cursor: Cursor, timeout: std::time::Duration) -> Result<Changes, StoreError> {
        feed::poll(self, cursor, timeout)
    }

    /// Loads many releases at once: what a dashboard or a report over the
    /// store does. A release that cannot be read (a key not stored among
    /// them) is reported in [`Loaded::unreadable`] with why, and the others
    /// load. A store may do better than one [`load`](ReleaseStore::load)
    /// after the other: the file store reads logs on several threads, the
    /// PostgreSQL store reads them with one query.
    ///
    /// ```
    /// use release_workflow::store::{MemoryStore, ReleaseKey, ReleaseStore};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let store = MemoryStore::new();
    /// let key = store.create(&release)?;
    /// let gone: ReleaseKey = "checkout@9.9.9".parse()?;
    /// let loaded = store.load_many(&[key, gone.clone()])?;
    /// assert_eq!(loaded.releases[0].release, release);
    /// assert_eq!(loaded.unreadable[0].key, gone);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] or [`StoreError::Database`](StoreError) when the
    /// store itself cannot be read.
    fn load_many(&self, keys: &[ReleaseKey]) -> Result<Loaded, StoreError> {
        Loaded::sorted(keys.iter().map(|key| (key.clone(), self.load(key))))
    }

    /// The keys of every stored release, sorted.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] when the store cannot be read.
    fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError>;

    /// The releases `filter` shows, sorted by key, as summaries, and every
    /// release that could not be read (with its key and why): one damaged
    /// log does not hide the others. A store that keeps summaries (the
    /// PostgreSQL store) answers without loading a log; the others load
    /// every release.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] or [`StoreError::Database`](StoreError) when the
    /// store itself cannot be read; a release that cannot be read is in
    /// [`Listing::unreadable`] instead.
    fn list(&self, filter: &ReleaseFilter) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        for keys in self.keys()?.chunks(LOADED_AT_ONCE) {
            let mut loaded = self.load_many(keys)?;
            listing.releases.extend(
                loaded
                    .releases
                    .iter()
                    .map(|stored| ReleaseSummary::of(&stored.release))
                    .filter(|summary| filter.matches(summary)),
            );
            listing.unreadable.append(&mut loaded.unreadable);
        }
        Ok(listing)
    }

    /// The deployment records of the releases `filter` shows, for a DORA
    /// report over the store, and every release that could not be read:
    /// one damaged log does not stop the report.
    ///
    /// ```
    /// use release_workflow::metrics::{ReportOptions, Window};
    /// use release_workflow::store::{MemoryStore, ReleaseFilter, ReleaseStore};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let store = MemoryStore::new();
    /// store.create(&release)?;
    /// let deployments = store.deployments(&ReleaseFilter::all().of_service("checkout"))?;
    /// assert!(deployments.unreadable.is_empty());
    /// // Planned, not deployed: nothing to count yet.
    /// assert!(deployments.history.records().is_empty());
    /// let window = Window::new(t0, t0 + chrono::TimeDelta::days(28))?;
    /// let report = deployments.history.report(&ReportOptions::new(window))?;
    /// assert_eq!(report.metrics.deployments, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`list`](ReleaseStore::list).
    fn deployments(&self, filter: &ReleaseFilter) -> Result<Deployments, StoreError> {
        let mut deployments = Deployments::default();
        for keys in self.keys()?.chunks(LOADED_AT_ONCE) {
            let mut loaded = self.load_many(keys)?;
            for stored in &loaded.releases {
                if filter.matches(&ReleaseSummary::of(&stored.release)) {
                    // A release that never entered `Deploying` is not a
                    // deployment: it has no record, and is not counted.
                    let _ = deployments.history.push_release(&stored.release);
                }
            }
            deployments.unreadable.append(&mut loaded.unreadable);
        }
        Ok(deployments)
    }

    /// Every emergency change whose review is overdue at `at` (it owes
    /// something past its deadline; see [`Release::owed`]), and every
    /// release that could not be read: what a team looks at to see every
    /// review it owes.
    ///
    /// # Errors
    ///
    /// As [`list`](ReleaseStore::list).
    fn overdue(&self, at: DateTime<Utc>) -> Result<Overdue, StoreError> {
        owing::overdue(self, at)
    }

    /// The [status](Release::status_among) at `at` of the release stored
    /// under `key`, beside the stored releases of its service in flight:
    /// a release held by another says which.
    ///
    /// # Errors
    ///
    /// As [`load`](ReleaseStore::load) for the release, and
    /// [`list`](ReleaseStore::list) for the others.
    fn status(
        &self,
        key: &ReleaseKey,
        at: DateTime<Utc>,
    ) -> Result<crate::release::ReleaseStatus, StoreError> {
        owing::status(self, key, at)
    }

    /// The checklist version of this [fingerprint](crate::Template::fingerprint)
    /// if the store keeps it: the one a release planned with it follows,
    /// and whose logs name it. A store keeps each version once, from the
    /// first release created with it; a tool shows it to a reviewer before
    /// trusting it, or compares it with
    /// [`differences_from`](crate::Template::differences_from).
    ///
    /// ```
    /// use release_workflow::Template;
    /// use release_workflow::store::{MemoryStore, ReleaseStore};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let store = MemoryStore::new();
    /// store.create(&release)?;
    /// let fingerprint = release.template().fingerprint();
    /// assert_eq!(store.checklist(&fingerprint)?.as_ref(), Some(release.template()));
    /// assert_eq!(store.checklist(&Template::octoacme().without_policy().fingerprint())?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The default keeps none, for a store that writes each release whole.
    ///
    /// # Errors
    ///
    /// [`StoreError::CorruptChecklist`] when the kept copy is not that
    /// version; the store's own errors.
    fn checklist(&self, fingerprint: &crate::digest::Digest) -> Result<Option<Template>, StoreError> {
        let _ = fingerprint;
        Ok(None)
    }

    /// The store's trust ledger: which checklist versions were trusted and
    /// revoked, by whom, when and why, oldest first. The versions it
    /// trusts are trusted by the store on top of its own
    /// [`Trust`], and no new release is created on a
    /// version it revoked. See [`TrustLedger`].
    ///
    /// The default keeps none.
    ///
    /// # Errors
    ///
    /// [`StoreError::CorruptChecklist`] when the ledger cannot be read or
    /// one of its entries breaks its rules; the store's own errors.
    fn trust_ledger(&self) -> Result<TrustLedger, StoreError> {
        Ok(TrustLedger::default())
    }

    /// Appends `entry` to the trust ledger if it holds `expected` entries
    /// still, keeping `template` (the version a trusted entry names) first,
    /// so that the ledger never trusts a version the store does not keep.
    /// The building block of [`trust_checklist`](ReleaseStore::trust_checklist)
    /// and [`revoke_checklist`](ReleaseStore::revoke_checklist).
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] when another writer appended first;
    /// [`StoreError::Release`] with [`ReleaseError::Ledger`] for an entry
    /// the ledger refuses; [`StoreError::NoTrustLedger`] from a store that
    /// keeps none (the default).
    fn append_trust(
        &self,
        expected: usize,
        entry: &TrustEntry,
        template: Option<&Template>,
    ) -> Result<(), StoreError> {
        let _ = (expected, entry, template);
        Err(StoreError::NoTrustLedger)
    }

    /// Records that `by` trusts `template` at `at`, saying why; `replaces`
    /// is the version it is an edit of, whose differences the record keeps
    /// for the reviewer. From then on every handle on the store loads the
    /// releases planned with it and creates new ones on it.
    ///
    /// ```
    /// use release_workflow::{Actor, Gate, Role, Template};
    /// use release_workflow::store::{MemoryStore, ReleaseStore};
    ///
    /// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// let ours = Template::builder("Mobile").section("Store").item("store.review", "Reviewed", Gate::Deploy).build()?;
    /// let store = MemoryStore::new();
    /// let record = store.trust_checklist(&ours, None, &ada, "2026-11-02T09:00:00Z".parse()?, "reviewed by the team")?;
    /// assert_eq!(record.by, ada);
    /// assert!(store.trust_ledger()?.record(&ours.fingerprint()).is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Ledger`] (inside [`StoreError::Release`]) for a
    /// version trusted already or an empty reason; as
    /// [`append_trust`](ReleaseStore::append_trust).
    fn trust_checklist(
        &self,
        template: &Template,
        replaces: Option<&Template>,
        by: &Actor,
        at: DateTime<Utc>,
        why: &str,
    ) -> Result<TrustRecord, StoreError> {
        let record = TrustRecord::new(template, replaces, by, at, why);
        ledger::record(self, &TrustEntry::Trusted(record.clone()), Some(template))?;
        Ok(record)
    }

    /// Records that `by` revokes the checklist version of `fingerprint` at
    /// `at`, saying why: the store creates no new release on it, and the
    /// releases planned with it still load, saying so
    /// ([`StoredRelease::revoked`]).
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Ledger`] (inside [`StoreError::Release`]) for a
    /// version revoked already or an empty reason; as
    /// [`append_trust`](ReleaseStore::append_trust).
    fn revoke_checklist(
        &self,
        fingerprint: &crate::digest::Digest,
        by: &Actor,
        at: DateTime<Utc>,
        why: &str,
    ) -> Result<Revocation, StoreError> {
        let revocation = Revocation { fingerprint: *fingerprint, by: by.clone(), at, why: why.to_owned() };
        ledger::record(self, &TrustEntry::Revoked(revocation.clone()), None)?;
        Ok(revocation)
    }

    /// Appends the events of `release` from position `stored` on: the ones
    /// made since it was loaded with `stored` events (or created, with all
    /// of them). Returns the new number of stored events.
    ///
    /// # Errors
    ///
    /// As [`append`](ReleaseStore::append).
    fn save(&self, release: &Release, stored: usize) -> Result<usize, StoreError> {
        let new = release.events().get(stored..).unwrap_or_default();
        self.append(&ReleaseKey::of(release), stored, new)
    }

    /// Loads a release, lets `change` work on it, and saves what it
    /// recorded; when another writer got there first, does it all again on
    /// the newer release, up to [`UPDATE_ATTEMPTS`] times.
    ///
    /// Returns what a tool would otherwise load again for: the release as
    /// saved, with what loading it found (a [torn tail](StoredRelease::torn_tail),
    /// which the append then removed, and the log's
    /// [integrity](StoredRelease::integrity)), and what `change` returned.
    ///
    /// `change` may run more than once, each time on the release as then
    /// stored, so it should decide from what it is given (and do nothing
    /// outside the release). Its error is the caller's own: any type a
    /// [`StoreError`] converts into, such as `StoreError` itself, the
    /// crate's [`Error`](crate::Error) or `Box<dyn std::error::Error>`, so
    /// `?` works inside it on a [`ReleaseError`] and on the caller's own
    /// errors. When it returns an error nothing is saved and the error comes
    /// back as it was.
    ///
    /// Callable on a store, a reference to one, and a `Box` or `Arc` of a
    /// `dyn ReleaseStore`.
    ///
    /// ```
    /// use release_workflow::release::Integrity;
    /// use release_workflow::store::{MemoryStore, ReleaseStore};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let store = MemoryStore::new();
    /// let key = store.create(&release)?;
    /// let updated = store.update(&key, |release| {
    ///     release.complete("planning.scope-documented", &ada, t0)?;
    ///     Ok::<_, release_workflow::Error>(release.open_items(release_workflow::Gate::Freeze).count())
    /// })?;
    /// assert_eq!(updated.value, 7, "open freeze items left");
    /// assert_eq!(updated.stored.release.events().len(), 2);
    /// assert_eq!((updated.stored.torn_tail, updated.stored.integrity), (None, Integrity::InMemory));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// What `change` returned; [`StoreError::Conflict`] when every attempt
    /// met another writer's change; as [`load`](ReleaseStore::load) and
    /// [`append`](ReleaseStore::append) otherwise (each converted into `E`).
    fn update<T, E>(
        &self,
        key: &ReleaseKey,
        mut change: impl FnMut(&mut Release) -> Result<T, E>,
    ) -> Result<Updated<T>, E>
    where
        Self: Sized,
        E: From<StoreError>,
    {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut loaded = self.load(key)?;
            let stored = loaded.release.events().len();
            let value = change(&mut loaded.release)?;
            match self.save(&loaded.release, stored) {
                Err(StoreError::Conflict { .. }) if attempts < UPDATE_ATTEMPTS => {}
                Err(error) => return Err(error.into()),
                Ok(_) => return Ok(Updated { stored: loaded, value, attempts }),
            }
        }
    }
}

/// What [`ReleaseStore::update`] gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated<T> {
    /// The release as saved, with what the load it was changed from found.
    pub stored: StoredRelease,
    /// What the change returned, on the attempt that was saved.
    pub value: T,
    /// How many times the change ran: 1, unless other writers got there
    /// first.
    pub attempts: usize,
}

/// A store behind a reference, a `Box` or an `Arc` is a store, so that
/// `update` (generic, hence not on `dyn ReleaseStore` itself) works on
/// `Arc<dyn ReleaseStore + Send + Sync>`. Every method but `update` is
/// forwarded, so the store keeps its own answers (PostgreSQL's `list` from
/// its summaries, the file store's `status` from its in-flight lists);
/// `update` is built on `load` and `save`, which are.
macro_rules! forward_store {
    ($pointer:ty) => {
        impl<S: ReleaseStore + ?Sized> ReleaseStore for $pointer {
            fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
                (**self).create(release)
            }
            fn load(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError> {
                (**self).load(key)
            }
            fn append(
                &self,
                key: &ReleaseKey,
                expected: usize,
                events: &[Event],
            ) -> Result<usize, StoreError> {
                (**self).append(key, expected, events)
            }
            fn load_many(&self, keys: &[ReleaseKey]) -> Result<Loaded, StoreError> {
                (**self).load_many(keys)
            }
            fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError> {
                (**self).keys()
            }
            fn list(&self, filter: &ReleaseFilter) -> Result<Listing, StoreError> {
                (**self).list(filter)
            }
            fn deployments(&self, filter: &ReleaseFilter) -> Result<Deployments, StoreError> {
                (**self).deployments(filter)
            }
            fn changes_since(&self, cursor: Cursor) -> Result<Changes, StoreError> {
                (**self).changes_since(cursor)
            }
            fn feed_head(&self) -> Result<Cursor, StoreError> {
                (**self).feed_head()
            }
            fn wait_for_changes(
                &self,
                cursor: Cursor,
                timeout: std::time::Duration,
            ) -> Result<Changes, StoreError> {
                (**self).wait_for_changes(cursor, timeout)
            }

            fn overdue(&self, at: DateTime<Utc>) -> Result<Overdue, StoreError> {
                (**self).overdue(at)
            }
            fn status(
                &self,
                key: &ReleaseKey,
                at: DateTime<Utc>,
            ) -> Result<crate::release::ReleaseStatus, StoreError> {
                (**self).status(key, at)
            }
            fn save(&self, release: &Release, stored: usize) -> Result<usize, StoreError> {
                (**self).save(release, stored)
            }
            fn trust_checklist(
                &self,
                template: &Template,
                replaces: Option<&Template>,
                by: &Actor,
                at: DateTime<Utc>,
                why: &str,
            ) -> Result<TrustRecord, StoreError> {
                (**self).trust_checklist(template, replaces, by, at, why)
            }
            fn revoke_checklist(
                &self,
                fingerprint: &crate::digest::Digest,
                by: &Actor,
                at: DateTime<Utc>,
                why: &str,
            ) -> Result<Revocation, StoreError> {
                (**self).revoke_checklist(fingerprint, by, at, why)
            }
            fn checklist(&self, fingerprint: &crate::digest::Digest) -> Result<Option<Template>, StoreError> {
                (**self).checklist(fingerprint)
            }
            fn trust_ledger(&self) -> Result<TrustLedger, StoreError> {
                (**self).trust_ledger()
            }
            fn append_trust(
                &self,
                expected: usize,
                entry: &TrustEntry,
                template: Option<&Template>,
            ) -> Result<(), StoreError> {
                (**self).append_trust(expected, entry, template)
            }
        }
    };
}

forward_store!(&S);
forward_store!(Box<S>);
forward_store!(std::sync::Arc<S>);

/// How many times [`ReleaseStore::update`] tries before it reports the
/// conflict.
pub const UPDATE_ATTEMPTS: usize = 8;

/// Replays `events` on top of `current`, numbering refusals from `first`.
/// Replays `events` on top of `current`, numbering refusals from `first`;
/// a move to another checklist version finds it in `trust`.
fn extend(
    mut current: Release,
    events: &[Event],
    first: usize,
    trust: &Trust,
) -> Result<Release, StoreError> {
    for (position, event) in (first..).zip(events) {
        current
            .apply_trusted(event.clone(), trust)
            .map_err(|source| ReleaseError::Replay { position, source: Box::new(source) })?;
    }
    Ok(current)
}

/// Whether an event moves a release to another checklist version: its
/// store then needs the store's whole trust, and keeps that version.
fn moves_checklist(events: &[Event]) -> bool {
    events.iter().any(|event| matches!(event.what, crate::event::EventKind::ChecklistChanged { .. }))
}

/// The checklist versions `events` move a release to, as `trust` holds
/// them: a store keeps each before its log names it.
fn moved_to(events: &[Event], trust: &Trust) -> Vec<std::sync::Arc<Template>> {
    events
        .iter()
        .filter_map(|event| match &event.what {
            crate::event::EventKind::ChecklistChanged { checklist, .. } => trust.by_fingerprint(checklist),
            _ => None,
        })
        .collect()
}

/// Refuses to create a release whose checklist `trust` does not trust: the
/// store could not load it back.
fn check_creatable(release: &Release, trust: &Trust) -> Result<(), StoreError> {
    match trust.check_new(release.template()) {
        Ok(_) => Ok(()),
        Err(source) => {
            Err(StoreError::NotCreated { key: ReleaseKey::of(release).to_string(), source: Box::new(source) })
        }
    }
}

/// A key the store does not have, with the stored keys closest to it.
fn not_found<'a>(key: &ReleaseKey, stored: impl IntoIterator<Item = &'a ReleaseKey>) -> StoreError {
    let suggestions = crate::text::closest(key.as_str(), stored).into_iter().cloned().collect();
    StoreError::ReleaseNotFound { key: key.to_string(), suggestions }
}
