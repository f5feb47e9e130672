//! The PostgreSQL store's change feed: each event row's number in the
//! feed, given as it is written (see migration 4 in `postgres_sql.rs`),
//! and a `NOTIFY` on the schema's channel when a write commits, which a
//! waiting reader `LISTEN`s for on a connection of its own.

use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

use super::PostgresStore;
use super::connection::database;
use crate::store::error::StoreError;
use crate::store::feed::{Cursor, Mark};
use crate::store::key::ReleaseKey;
use crate::store::postgres_sql::{SELECT_FEED, quoted};
use crate::store::{Changes, FEED_PAGE, ReleaseStore};

impl PostgresStore {
    /// The channel the schema's writes notify: one per schema, so that
    /// stores in other schemas of the database do not wake each other.
    /// Named by a digest of the schema's name, since a channel's name is
    /// at most 63 bytes, as a schema's is.
    pub(super) fn feed_channel(&self) -> String {
        let digest = crate::digest::Digest::of(self.schema.as_bytes()).to_string();
        format!("release_workflow_feed_{}", digest.get(..16).unwrap_or(&digest))
    }

    /// The feed's marks after `cursor`, one page.
    pub(super) fn feed_marks(&self, cursor: Cursor) -> Result<Vec<Mark>, StoreError> {
        let after = i64::try_from(cursor.number()).unwrap_or(i64::MAX);
        let page = i64::try_from(FEED_PAGE).unwrap_or(i64::MAX);
        let mut connection = self.connection();
        let statement = self.statement(&mut connection, SELECT_FEED)?;
        let rows =
            connection.client.query(&statement, &[&after, &page]).map_err(database("read the feed of"))?;
        drop(connection);
        rows.iter()
            .map(|row| {
                let (number, index) = (row.get::<_, i64>(0), row.get::<_, i64>(2));
                let key = ReleaseKey::parse(row.get::<_, &str>(1))?;
                let changed = |problem: String| StoreError::NotALog { path: self.path_of(&key), problem };
                Ok(Mark {
                    number: u64::try_from(number).map_err(|_| {
                        changed(format!("an event row has feed number {number}: restore it from a backup"))
                    })?,
                    index: usize::try_from(index).map_err(|_| {
                        changed(format!("an event row is numbered {index}: restore it from a backup"))
                    })?,
                    key,
                    // Rows are not dropped by a recovery here: every event
                    // named is the one stored under its number.
                    digest: None,
                })
            })
            .collect()
    }

    /// The feed counter: the number of the last change committed.
    pub(super) fn feed_counter(&self) -> Result<Cursor, StoreError> {
        let sql = format!("SELECT last FROM {}.feed_counter", quoted(&self.schema));
        let row = self.connection().client.query_one(&sql, &[]).map_err(database("read the feed of"))?;
        Ok(Cursor::after(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0)))
    }

    /// Waits for changes after `cursor`, woken by the database.
    pub(super) fn wait_for_feed(&self, cursor: Cursor, timeout: Duration) -> Result<Changes, StoreError> {
        let Some(url) = self.url.clone() else {
            return crate::store::feed::poll(self, cursor, timeout);
        };
        let deadline = Instant::now() + timeout;
        // One reader of this handle listens; another waiting at the same
        // time (a second page on a board) looks every 50 ms instead of
        // queueing behind the first's wait.
        let mut listener = match self.listener.try_lock() {
            Ok(listener) => listener,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return crate::store::feed::poll(self, cursor, timeout);
            }
        };
        if listener.is_none() {
            let mut client = Client::connect(&url, NoTls).map_err(database("connect to"))?;
            client
                .batch_execute(&format!("LISTEN {}", quoted(&self.feed_channel())))
                .map_err(database("listen for the feed of"))?;
            *listener = Some(client);
        }
        loop {
            // Listening already, so a change committed after this look
            // wakes the wait below.
            if let Some(client) = listener.as_mut() {
                let mut notifications = client.notifications();
                let mut pending = notifications.iter();
                while let Ok(Some(_)) = pending.next() {}
            }
            let changes = self.changes_since(cursor)?;
            let now = Instant::now();
            if !changes.is_empty() || now >= deadline {
                return Ok(changes);
            }
            let Some(client) = listener.as_mut() else { return Ok(changes) };
            let woken = client.notifications().timeout_iter(deadline - now).next();
            if let Err(error) = woken {
                // A listener that lost its connection is made again on
                // the next wait.
                *listener = None;
                return Err(database("listen for the feed of")(error));
            }
        }
    }
}
