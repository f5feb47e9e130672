//! Releases in PostgreSQL, for tools that run on more than one machine.
//!
//! One row per event, numbered from 0 within its release: the primary key
//! `(key, seq)` is the optimistic lock, so two writers that read the same
//! release cannot both append to it — the database refuses the second,
//! and the store reports a [`StoreError::Conflict`]. Each event row holds
//! the event's line exactly as the file store writes it (the event, its
//! chain link and seal), so a release loads through the same checks: the
//! chain, the trusted checklist, every rule replayed. A summary row per
//! release, kept in the same transaction as its events, lists releases by
//! stage or service without reading a log.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::{Client, NoTls, Row, Statement};

use crate::checklist::Template;
use crate::digest::Digest;
use crate::event::Event;
use crate::release::{FORMAT_VERSION, Release, Trust};
use crate::stage::Stage;
use crate::store::checklists::KeptChecklists;
use crate::store::error::StoreError;
use crate::store::in_flight::{Flight, check_in_database};
use crate::store::log::{Header, encode_error, parse_log};
use crate::store::postgres_sql::{
    APPEND_EVENTS, FILL_SUMMARY_CHECK, INSERT_RELEASE, LOCK_SERVICE, SELECT_CHECKLIST, SELECT_IN_FLIGHT,
    SELECT_KEYS, SELECT_LISTED, SELECT_LOG, SELECT_SUMMARY, check_schema_name, migrate, quoted,
};
use crate::store::postgres_summary::{Summary, summary_check};
use crate::store::{
    Listing, Loaded, ReleaseFilter, ReleaseKey, ReleaseStore, ReleaseSummary, StoredRelease, Unreadable,
    check_creatable, extend, moved_to, moves_checklist,
};

#[path = "postgres_connection.rs"]
mod connection;
#[path = "postgres_deployments.rs"]
mod deployments;
#[path = "postgres_feed.rs"]
mod feed;
#[path = "postgres_ledger.rs"]
mod ledger;
#[path = "postgres_many.rs"]
mod many;
#[path = "postgres_migrate.rs"]
mod migrate;

pub(super) use connection::database;
use connection::{Connection, at_server, server_of};

/// The version of the database schema this crate writes and reads. A
/// database at a newer version is refused; an older one is migrated when a
/// store connects.
pub const SCHEMA_VERSION: i32 = 4;

/// The schema the tables live in unless another is named.
const DEFAULT_SCHEMA: &str = "release_workflow";

/// Releases kept in a PostgreSQL database, shared by every process that
/// connects to it.
///
/// The store creates its tables in its schema (`release_workflow` unless
/// [named](PostgresStore::connect_to_schema)) and migrates them when it
/// connects, under an advisory lock so that replicas starting together
/// migrate once; a database whose schema a newer version of the crate
/// wrote is refused ([`StoreError::Schema`]). The schema, version
/// [`SCHEMA_VERSION`]:
///
/// | table | columns |
/// |---|---|
/// | `schema_version` | `version integer` (one row per migration applied) |
/// | `releases` | `key text` primary key, `service text`, `version text`, `stage text` (as `Display` writes it), `format integer`, `events bigint`, `head text` (the last link, 64 hex digits), `last_event_at timestamptz`, `summary_check text` (the SHA-256 of the row's summary: see below), `checklist text` (the [fingerprint](crate::Template::fingerprint) of the release's checklist); indexed by stage and by service |
/// | `events` | `key text` references `releases`, `seq bigint` (from 0), `line text` (the event as the file store writes it: compact JSON with its `digest` and `seal`); primary key `(key, seq)` |
///
/// A store holds one connection, used by one operation at a time; threads
/// that need more connect a store each. It connects without TLS; to use
/// TLS (or any other connection setting), connect a `postgres::Client`
/// yourself and give it to [`with_client`](PostgresStore::with_client).
///
/// **A lost connection** (the server restarted, ended the session, or the
/// network dropped it) is found by the next call. A store opened from a URL
/// ([`connect`](PostgresStore::connect)) then connects again, once, and
/// runs the call again, when the call had not started writing: a
/// long-running tool rides out a restart. A write whose connection was
/// lost while it ran may or may not be stored: its error says to load the
/// release again and redo the change, and the next call connects again. A
/// store made on a caller's client ([`with_client`](PostgresStore::with_client))
/// has no address to connect to: its error says to make a new client and a
/// new store. Every database error names the server (`host:port`) and the
/// cause underneath (`Connection refused`, the server's message and code).
///
/// A summary row changed outside the store (its stage, say, by SQL) is
/// refused when its release loads, naming what disagrees with the log,
/// and when a listing reads it, by its `summary_check`: a listing never
/// shows a stage the log does not have. A listing filtered by stage or
/// service leaves out a row whose edited stage or service no longer
/// matches the filter; an unfiltered one finds it.
///
/// Errors that name a log's `path` and `line` (as
/// [`StoreError::CorruptLog`] and [`StoreError::Refused`] do) name
/// `<schema>.events/<key>` and the line the event would have in the file
/// store's log: event `seq` is line `seq + 2`.
pub struct PostgresStore {
    connection: Mutex<Connection>,
    /// Where to connect again after the connection is lost; `None` for a
    /// store made on a caller's client.
    url: Option<String>,
    /// The server, for messages: `host:port`.
    server: String,
    schema: String,
    trust: Trust,
    /// The release each append last wrote, with its head: the next append
    /// to it checks its events against this instead of reading the log,
    /// when the summary row shows nobody else wrote since.
    recent: Mutex<HashMap<ReleaseKey, Written>>,
    /// The checklist versions kept in the schema that this store has
    /// written or read.
    kept: KeptChecklists,
    /// The connection that listens for the feed's notifications, made on
    /// the first wait.
    listener: Mutex<Option<Client>>,
    /// The trust the store works with, its own and its ledger's, with the
    /// ledger's length it was built from.
    effective: Mutex<Option<(usize, Arc<Trust>)>>,
}

/// A release as this store last wrote it.
struct Written {
    release: Release,
    head: Option<String>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore").field("schema", &self.schema).field("trust", &self.trust).finish()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (such as
    /// `postgres://user:password@localhost/releases`, or the key-value form
    /// `host=localhost user=ci dbname=releases`), creating or migrating the
    /// store's tables in the `release_workflow` schema.
    ///
    /// ```no_run
    /// use release_workflow::{Stage, store::{PostgresStore, ReleaseFilter, ReleaseStore}};
    ///
    /// let url = std::env::var("DATABASE_URL")?;
    /// let store = PostgresStore::connect(&url)?;
    /// let listing = store.list(&ReleaseFilter::all().in_stage(Stage::Deploying))?;
    /// for release in &listing.releases {
    ///     println!("{} is deploying since {}", release.key, release.last_event_at);
    /// }
    /// for unreadable in &listing.unreadable {
    ///     eprintln!("cannot read {unreadable}");
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the database cannot be reached or
    /// refuses the login or the tables; [`StoreError::Schema`] when a newer
    /// version of the crate wrote them.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::connect_to_schema(url, DEFAULT_SCHEMA)
    }

    /// As [`connect`](PostgresStore::connect), with the tables in
    /// `schema`: several tools, or a test per schema, in one database.
    ///
    /// # Errors
    ///
    /// As [`connect`](PostgresStore::connect), and [`StoreError::Schema`]
    /// for a name that is not a lowercase identifier.
    pub fn connect_to_schema(url: &str, schema: &str) -> Result<PostgresStore, StoreError> {
        check_schema_name(schema)?;
        let server = server_of(url);
        let named = |error: StoreError| at_server(error, &server, true);
        let client = Client::connect(url, NoTls).map_err(database("connect to")).map_err(named)?;
        let mut store = PostgresStore::with_client(client, schema).map_err(named)?;
        store.url = Some(url.to_owned());
        store.server = server;
        Ok(store)
    }

    /// A store on a connection made by the caller (with TLS, a pool's
    /// settings, ...), its tables in `schema`, created or migrated now.
    ///
    /// # Errors
    ///
    /// As [`connect_to_schema`](PostgresStore::connect_to_schema).
    pub fn with_client(mut client: Client, schema: &str) -> Result<PostgresStore, StoreError> {
        check_schema_name(schema)?;
        migrate(&mut client, schema)?;
        let server = client
            .query_one("SELECT host(inet_server_addr()), inet_server_port()", &[])
            .ok()
            .and_then(|row| {
                Some(format!("{}:{}", row.get::<_, Option<String>>(0)?, row.get::<_, Option<i32>>(1)?))
            })
            .unwrap_or_else(|| "a local socket".to_owned());
        Ok(PostgresStore {
            connection: Mutex::new(Connection { client, prepared: HashMap::new() }),
            url: None,
            server,
            schema: schema.to_owned(),
            trust: Trust::default(),
            recent: Mutex::new(HashMap::new()),
            kept: KeptChecklists::default(),
            listener: Mutex::new(None),
            effective: Mutex::new(None),
        })
    }

    /// The same store, loading logs against `trust`: the checklists it
    /// trusts and the key that seals new events. See
    /// [`FileStore::with_trust`](crate::store::FileStore::with_trust).
    #[must_use]
    pub fn with_trust(mut self, trust: Trust) -> PostgresStore {
        self.trust = trust;
        self.recent().clear();
        *self.effective.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self
    }

    /// What the store trusts.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The schema its tables are in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The version of the schema in the database: [`SCHEMA_VERSION`] once
    /// the store has connected.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when it cannot be read.
    pub fn schema_version(&self) -> Result<i32, StoreError> {
        let sql = format!("SELECT coalesce(max(version), 0) FROM {}.schema_version", quoted(&self.schema));
        self.retrying(|| {
            let row = self
                .connection()
                .client
                .query_one(&sql, &[])
                .map_err(database("read the schema version of"))?;
            Ok(row.get(0))
        })
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // Every write is one statement, done or not: a panic in another
        // thread leaves the connection usable.
        self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn recent(&self) -> MutexGuard<'_, HashMap<ReleaseKey, Written>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn statement(&self, connection: &mut Connection, sql: &'static str) -> Result<Statement, StoreError> {
        connection.statement(&self.schema, sql)
    }

    /// Where errors say a release's log is.
    fn path_of(&self, key: &ReleaseKey) -> PathBuf {
        PathBuf::from(format!("{}.events/{key}", self.schema))
    }

    fn not_found(&self, connection: &mut Connection, key: &ReleaseKey) -> StoreError {
        match self.stored_keys(connection) {
            Ok(keys) => super::not_found(key, &keys),
            Err(error) => error,
        }
    }

    fn stored_keys(&self, connection: &mut Connection) -> Result<Vec<ReleaseKey>, StoreError> {
        let statement = self.statement(connection, SELECT_KEYS)?;
        let rows = connection.client.query(&statement, &[]).map_err(database("list the releases in"))?;
        Ok(rows.iter().filter_map(|row| ReleaseKey::parse(row.get(0)).ok()).collect())
    }

    /// The lines of `events`, chained from `previous`, and the new head.
    fn lines(&self, mut previous: Option<Digest>, events: &[Event]) -> (Vec<String>, Option<Digest>) {
        let lines = events
            .iter()
            .map(|event| {
                let (line, digest) =
                    crate::release::stored_line(previous.as_ref(), event, self.trust.key(), true);
                previous = Some(digest);
                // serde_json writes UTF-8: the conversion never loses anything.
                String::from_utf8_lossy(&line).into_owned()
            })
            .collect();
        (lines, previous)
    }

    /// Reads a release's summary (its format, event count and head) and
    /// its event lines in order, from one snapshot.
    fn read_log(
        &self,
        connection: &mut Connection,
        key: &ReleaseKey,
    ) -> Result<Option<(Summary, Vec<Row>)>, StoreError> {
        let statement = self.statement(connection, SELECT_LOG)?;
        let rows = connection.client.query(&statement, &[&key.as_str()]).map_err(database("read"))?;
        let Some(first) = rows.first() else { return Ok(None) };
        let summary = Summary::of(first);
        Ok(Some((summary, rows)))
    }

    /// Verifies and replays a release from its rows, as the file store
    /// does its log: the rows are the log's lines.
    /// `kept` reads a kept checklist version the trust does not hold, for
    /// the message that names it.
    fn parse<'a>(
        &self,
        key: &ReleaseKey,
        summary: &Summary,
        events: impl IntoIterator<Item = (i64, &'a str)>,
        trust: &Trust,
        kept: &mut crate::store::checklists::ReadKept<'_>,
    ) -> Result<Parsed, StoreError> {
        let path = self.path_of(key);
        let header = Header { format: summary.format, release: key.to_string(), migrated: None };
        let mut text = serde_json::to_vec(&header).map_err(|error| encode_error(key, error))?;
        text.push(b'\n');
        // A release row without events has none: the count check below
        // names it.
        for (index, (seq, line)) in events.into_iter().enumerate() {
            if usize::try_from(seq).ok() != Some(index) {
                return Err(StoreError::CorruptLog {
                    path,
                    line: index + 2,
                    problem: format!(
                        "event {} is missing: the next stored event is event {}",
                        index + 1,
                        seq.saturating_add(1)
                    ),
                });
            }
            text.extend_from_slice(line.as_bytes());
            text.push(b'\n');
        }
        let parsed = parse_log(&path, key, &text, trust, kept)?;
        let head = parsed.head.map(|digest| digest.to_string());
        let differences = summary.differences_from(&ReleaseSummary::of(&parsed.release), head.as_deref());
        if !differences.is_empty() {
            return Err(StoreError::NotALog {
                path,
                problem: format!(
                    "its summary row disagrees with its event rows on {}: the rows were changed outside the \
                     store; restore them from a backup",
                    differences.join(", ")
                ),
            });
        }
        Ok(Parsed { release: parsed.release, integrity: parsed.integrity })
    }

    /// The release as stored now with `expected` events, from memory when
    /// the summary shows it is as this store last wrote it; a conflict when
    /// another writer appended since `summary` was read.
    fn current(
        &self,
        connection: &mut Connection,
        key: &ReleaseKey,
        summary: &Summary,
        expected: usize,
    ) -> Result<Release, StoreError> {
        if let Some(written) = self.recent().remove(key)
            && written.release.events().len() == summary.events
            && written.head == summary.head
        {
            return Ok(written.release);
        }
        match self.read_log(connection, key)? {
            Some((now, _)) if now.events != expected => {
                Err(StoreError::Conflict { key: key.to_string(), expected, actual: now.events })
            }
            Some((now, rows)) => {
                let trust = self.effective_trust(connection, ledger::seen_by(&rows))?;
                let kept = &mut |fingerprint: &Digest| self.kept_checklist(connection, fingerprint);
                Ok(self.parse(key, &now, event_lines(&rows), &trust, kept)?.release)
            }
            None => Err(self.not_found(connection, key)),
        }
    }

    /// The kept checklist version of `fingerprint`, if the schema keeps it.
    fn kept_checklist(
        &self,
        connection: &mut Connection,
        fingerprint: &Digest,
    ) -> Result<Option<Arc<Template>>, StoreError> {
        self.kept.get_or_read(fingerprint, || {
            let statement = self.statement(connection, SELECT_CHECKLIST)?;
            let row = connection
                .client
                .query_opt(&statement, &[&fingerprint.to_string()])
                .map_err(database("read a checklist version from"))?;
            let path = PathBuf::from(format!("{}.checklists/{fingerprint}", self.schema));
            Ok(row.map(|row| (row.get::<_, String>(0).into_bytes(), path)))
        })
    }

    /// The conflict a refused write met: how many events the release has now.
    fn conflict(&self, connection: &mut Connection, key: &ReleaseKey, expected: usize) -> StoreError {
        match self.read_summary(connection, key) {
            Ok(Some(summary)) => {
                StoreError::Conflict { key: key.to_string(), expected, actual: summary.events }
            }
            Ok(None) => self.not_found(connection, key),
            Err(error) => error,
        }
    }

    fn read_summary(
        &self,
        connection: &mut Connection,
        key: &ReleaseKey,
    ) -> Result<Option<Summary>, StoreError> {
        let statement = self.statement(connection, SELECT_SUMMARY)?;
        let row = connection
            .client
            .query_opt(&statement, &[&key.as_str()])
            .map_err(database("read the summary of"))?;
        Ok(row.as_ref().map(Summary::of))
    }
}

/// What a release's summary row says of its log.
struct Parsed {
    release: Release,
    integrity: crate::release::Integrity,
}

impl ReleaseStore for PostgresStore {
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        self.retrying(|| self.create_once(release))
    }

    fn load(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError> {
        self.retrying(|| self.load_once(key))
    }

    fn append(&self, key: &ReleaseKey, expected: usize, events: &[Event]) -> Result<usize, StoreError> {
        self.retrying(|| self.append_once(key, expected, events))
    }

    /// Reads every log with one query, then checks them on as many threads
    /// as there are cores; the `postgres` bench compares it with one load
    /// after the other.
    fn load_many(&self, keys: &[ReleaseKey]) -> Result<Loaded, StoreError> {
        self.retrying(|| self.load_many_once(keys))
    }

    fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError> {
        self.retrying(|| self.keys_once())
    }

    /// One query over the summary rows, which keep each release's
    /// deployment record: no log is read (see `postgres_deployments.rs`).
    fn deployments(&self, filter: &ReleaseFilter) -> Result<crate::store::Deployments, StoreError> {
        self.retrying(|| self.deployments_once(filter))
    }

    fn changes_since(&self, cursor: crate::store::Cursor) -> Result<crate::store::Changes, StoreError> {
        let marks = self.retrying(|| self.feed_marks(cursor))?;
        crate::store::feed::resolve(self, cursor, marks)
    }

    /// The feed counter, committed: writers hold its row until they commit.
    fn feed_head(&self) -> Result<crate::store::Cursor, StoreError> {
        self.retrying(|| self.feed_counter())
    }

    /// Woken by `NOTIFY`, on a second connection made on the first wait;
    /// a store made on a caller's client, which has no URL to connect
    /// with, looks every 50 ms instead.
    fn wait_for_changes(
        &self,
        cursor: crate::store::Cursor,
        timeout: std::time::Duration,
    ) -> Result<crate::store::Changes, StoreError> {
        self.wait_for_feed(cursor, timeout)
    }

    /// The version kept in the schema's `checklists` table.
    fn trust_ledger(&self) -> Result<crate::release::TrustLedger, StoreError> {
        self.retrying(|| self.read_ledger(&mut self.connection()))
    }

    fn append_trust(
        &self,
        expected: usize,
        entry: &crate::release::TrustEntry,
        template: Option<&Template>,
    ) -> Result<(), StoreError> {
        self.retrying(|| self.append_trust_once(expected, entry, template))
    }

    fn checklist(&self, fingerprint: &Digest) -> Result<Option<Template>, StoreError> {
        self.retrying(|| {
            Ok(self.kept_checklist(&mut self.connection(), fingerprint)?.map(|kept| (*kept).clone()))
        })
    }

    fn list(&self, filter: &ReleaseFilter) -> Result<Listing, StoreError> {
        self.retrying(|| self.list_once(filter))
    }
}

/// Each operation once, on the connection as it is: the trait's methods
/// run them through [`retrying`](PostgresStore::retrying).
impl PostgresStore {
    fn create_once(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        let trust = self.effective_trust(&mut self.connection(), None)?;
        check_creatable(release, &trust)?;
        let key = ReleaseKey::of(release);
        let (lines, head) = self.lines(None, release.events());
        let head = head.map(|digest| digest.to_string());
        let summary = ReleaseSummary::of(release);
        let fingerprint = release.template().fingerprint();
        let checklist = fingerprint.to_string();
        // Sent once per version and store: the schema keeps it from then on.
        let keep = (!self.kept.knows(&fingerprint))
            .then(|| String::from_utf8_lossy(&release.template().canonical_encoding()).into_owned());
        let format = i32::try_from(FORMAT_VERSION).unwrap_or(i32::MAX);
        let mut connection = self.connection();
        let statement = self.statement(&mut connection, INSERT_RELEASE)?;
        let (stage, events, seqs, check) = (
            summary.stage.to_string(),
            as_count(summary.events),
            seqs(0, lines.len()),
            summary_check(&summary, head.as_deref(), Some(&checklist)),
        );
        let channel = self.feed_channel();
        let (deployment, deployment_check) = deployments::deployment_columns(&key, release);
        let params: [&(dyn postgres::types::ToSql + Sync); 16] = [
            &key.as_str(),
            &summary.service,
            &summary.version,
            &stage,
            &format,
            &events,
            &head,
            &summary.last_event_at,
            &seqs,
            &lines,
            &check,
            &checklist,
            &keep,
            &channel,
            &deployment,
            &deployment_check,
        ];
        // A release stored already in flight (brought from elsewhere) is
        // held to the same rule as one that moves there.
        let inserted = if Flight::of(false, release) == Flight::Enters {
            let statements = (
                self.statement(&mut connection, LOCK_SERVICE)?,
                self.statement(&mut connection, SELECT_IN_FLIGHT)?,
            );
            let mut transaction = connection.client.transaction().map_err(database("create a release in"))?;
            check_in_database(&mut transaction, &statements, &self.schema, &key, release)?;
            transaction.execute(&statement, &params).and_then(|count| transaction.commit().map(|()| count))
        } else {
            connection.client.execute(&statement, &params)
        }
        .map_err(database("create a release in"))?;
        drop(connection);
        if keep.is_some() {
            self.kept.remember(Arc::new(release.template().clone()));
        }
        if inserted == 0 {
            return Err(StoreError::ReleaseExists { key: key.to_string() });
        }
        self.recent().insert(key.clone(), Written { release: release.clone(), head });
        Ok(key)
    }

    fn load_once(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError> {
        let mut connection = self.connection();
        let Some((summary, rows)) = self.read_log(&mut connection, key)? else {
            return Err(self.not_found(&mut connection, key));
        };
        let trust = self.effective_trust(&mut connection, ledger::seen_by(&rows))?;
        drop(connection);
        self.stored(key, &summary, event_lines(&rows), &trust)
    }

    /// A release read as it is stored, checked against its summary row,
    /// with the revocation of its checklist if there is one. The store's
    /// connection must be free: a checklist the trust does not hold is
    /// read through it, for the message that names it.
    fn stored<'a>(
        &self,
        key: &ReleaseKey,
        summary: &Summary,
        events: impl IntoIterator<Item = (i64, &'a str)>,
        trust: &Trust,
    ) -> Result<StoredRelease, StoreError> {
        let kept = &mut |fingerprint: &Digest| self.kept_checklist(&mut self.connection(), fingerprint);
        let parsed = self.parse(key, summary, events, trust, kept)?;
        let revoked = trust.revocation(&parsed.release.template().fingerprint()).cloned();
        Ok(StoredRelease { release: parsed.release, torn_tail: None, integrity: parsed.integrity, revoked })
    }

    fn append_once(&self, key: &ReleaseKey, expected: usize, events: &[Event]) -> Result<usize, StoreError> {
        let mut connection = self.connection();
        let Some(summary) = self.read_summary(&mut connection, key)? else {
            return Err(self.not_found(&mut connection, key));
        };
        if summary.events != expected {
            return Err(StoreError::Conflict { key: key.to_string(), expected, actual: summary.events });
        }
        if events.is_empty() {
            return Ok(expected);
        }
        let current = self.current(&mut connection, key, &summary, expected)?;
        let was_in_flight = current.is_in_flight();
        // A refused event leaves the store without a memory of this
        // release: the next append reads it again.
        let trust = if moves_checklist(events) {
            self.effective_trust(&mut connection, None)?
        } else {
            Arc::new(self.trust.clone())
        };
        let updated = extend(current, events, expected, &trust)?;
        // A log never names a version its store does not keep.
        for version in moved_to(events, &trust) {
            self.keep_version(&mut connection, &version)?;
        }
        let previous = match &summary.head {
            Some(head) => Some(head.parse::<Digest>().map_err(|_| StoreError::NotALog {
                path: self.path_of(key),
                problem: format!(
                    "its summary row's head \"{head}\" is not a digest: restore it from a backup"
                ),
            })?),
            None => None,
        };
        let (lines, head) = self.lines(previous, events);
        let head = head.map(|digest| digest.to_string());
        let new = ReleaseSummary::of(&updated);
        let checklist = updated.template().fingerprint().to_string();
        let statement = self.statement(&mut connection, APPEND_EVENTS)?;
        let flight_check = match Flight::of(was_in_flight, &updated) {
            Flight::Enters => Some((
                self.statement(&mut connection, LOCK_SERVICE)?,
                self.statement(&mut connection, SELECT_IN_FLIGHT)?,
            )),
            Flight::Leaves | Flight::Stays => None,
        };
        let (stage, events, previous_count, seqs, check) = (
            new.stage.to_string(),
            as_count(new.events),
            as_count(expected),
            seqs(expected, lines.len()),
            summary_check(&new, head.as_deref(), Some(&checklist)),
        );
        let channel = self.feed_channel();
        let (deployment, deployment_check) = deployments::deployment_columns(key, &updated);
        let params: [&(dyn postgres::types::ToSql + Sync); 13] = [
            &key.as_str(),
            &stage,
            &events,
            &head,
            &new.last_event_at,
            &previous_count,
            &seqs,
            &lines,
            &check,
            &checklist,
            &channel,
            &deployment,
            &deployment_check,
        ];
        let written = match &flight_check {
            // One transaction: a move into flight is checked and written
            // under its service's lock. Other appends are one statement.
            Some(statements) => {
                let mut transaction =
                    connection.client.transaction().map_err(database("append to a release in"))?;
                check_in_database(&mut transaction, statements, &self.schema, key, &updated)?;
                match transaction.execute(&statement, &params) {
                    Ok(count) if count > 0 => transaction.commit().map(|()| count),
                    other => other, // rolled back as the transaction is dropped
                }
            }
            None => connection.client.execute(&statement, &params),
        };
        match written {
            Ok(0) => return Err(self.conflict(&mut connection, key, expected)),
            Ok(_) => {}
            Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                // Writers through a store never collide here: the summary
                // row's lock orders them, and the later one finds the count
                // moved. A row already numbered where the summary says the
                // log ends was added outside the store.
                return Err(match self.conflict(&mut connection, key, expected) {
                    StoreError::Conflict { actual, .. } if actual == expected => StoreError::NotALog {
                        path: self.path_of(key),
                        problem: format!(
                            "it holds an event row numbered {expected}, beyond the {} its summary row counts: \
                             rows were added outside the store; restore them from a backup",
                            counted_events(expected)
                        ),
                    },
                    other => other,
                });
            }
            Err(error) => return Err(database("append to a release in")(error)),
        }
        drop(connection);
        let count = updated.events().len();
        self.recent().insert(key.clone(), Written { release: updated, head });
        Ok(count)
    }

    fn keys_once(&self) -> Result<Vec<ReleaseKey>, StoreError> {
        self.stored_keys(&mut self.connection())
    }

    fn list_once(&self, filter: &ReleaseFilter) -> Result<Listing, StoreError> {
        // No service holds a NUL (a service is one line of text), and the
        // server refuses one in a parameter: nothing matches such a filter.
        if filter.service().is_some_and(|service| service.contains('\0')) {
            return Ok(Listing::default());
        }
        let stage = filter.stage().map(|stage| stage.to_string());
        let mut connection = self.connection();
        let statement = self.statement(&mut connection, SELECT_LISTED)?;
        let rows = connection
            .client
            .query(&statement, &[&stage, &filter.service()])
            .map_err(database("list the releases in"))?;
        let trust = self.effective_trust(&mut connection, None)?;
        drop(connection);
        let mut listing = Listing::default();
        for row in &rows {
            let key = self.listed_key(row)?;
            match self.summary(&key, row, &trust) {
                Ok(summary) => listing.releases.push(summary),
                Err(error) if error.is_about_one_release() => {
                    listing.unreadable.push(Unreadable { key, error })
                }
                Err(error) => return Err(error),
            }
        }
        Ok(listing)
    }
}

impl PostgresStore {
    /// A listed row's key. A key SQL made unreadable cannot be reported as
    /// an [`Unreadable`] release (it names none), so it fails the listing.
    fn listed_key(&self, row: &Row) -> Result<ReleaseKey, StoreError> {
        let key: &str = row.get(0);
        ReleaseKey::parse(key).map_err(|error| StoreError::NotALog {
            path: PathBuf::from(format!("{}.releases/{key}", self.schema)),
            problem: format!("its key was changed outside the store: {error}"),
        })
    }

    /// A listed summary row, checked: its fields must hash to its check. A
    /// row without a check (written by schema version 1) is verified by
    /// loading its release, and its check written.
    fn summary(&self, key: &ReleaseKey, row: &Row, trust: &Trust) -> Result<ReleaseSummary, StoreError> {
        let bad = |problem: String| StoreError::NotALog {
            path: PathBuf::from(format!("{}.releases/{key}", self.schema)),
            problem,
        };
        let stage: &str = row.get(3);
        let summary = ReleaseSummary {
            key: key.clone(),
            service: row.get(1),
            version: row.get(2),
            stage: stage
                .parse::<Stage>()
                .map_err(|error| bad(format!("its summary row's stage: {error}")))?,
            events: usize::try_from(row.get::<_, i64>(4)).unwrap_or(0),
            last_event_at: row.get::<_, DateTime<Utc>>(5),
        };
        let head: Option<&str> = row.get(6);
        let checklist: Option<&str> = row.get(8);
        let expected = summary_check(&summary, head, checklist);
        match (row.get::<_, Option<&str>>(7), checklist) {
            (Some(check), Some(checklist)) if check == expected => {
                if trust.trusts_fingerprint(checklist) {
                    Ok(summary)
                } else {
                    // Loading refuses it, naming what differs from the
                    // closest trusted checklist; a release that loads after
                    // all (its row was wrong) is listed as its log says.
                    self.load(key).map(|stored| ReleaseSummary::of(&stored.release))
                }
            }
            (Some(check), _) if check != expected => Err(bad(
                "its summary row was changed outside the store (its fields no longer match their check): load \
                 the release to see what its log says, and restore the row from a backup"
                    .to_owned(),
            )),
            _ => {
                // Written before the check or the checklist column: loading
                // compares the row with the log, field by field, and checks
                // the checklist; then both are written.
                let stored = self.load(key)?;
                let checklist = stored.release.template().fingerprint().to_string();
                let check = summary_check(&summary, head, Some(&checklist));
                let mut connection = self.connection();
                let statement = self.statement(&mut connection, FILL_SUMMARY_CHECK)?;
                connection
                    .client
                    .execute(&statement, &[&key.as_str(), &check, &as_count(summary.events), &checklist])
                    .map_err(database("write the summary check in"))?;
                Ok(summary)
            }
        }
    }
}

/// The events of a log read with [`SELECT_LOG`]: a row each, none for a
/// release without events.
fn event_lines(rows: &[Row]) -> impl Iterator<Item = (i64, &str)> {
    rows.iter().map_while(|row| Some((row.get::<_, Option<i64>>(7)?, row.get::<_, Option<&str>>(8)?)))
}

/// "1 event", "2 events".
fn counted_events(count: usize) -> String {
    if count == 1 { "1 event".to_owned() } else { format!("{count} events") }
}

fn as_count(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn seqs(first: usize, count: usize) -> Vec<i64> {
    (first..first + count).map(as_count).collect()
}
