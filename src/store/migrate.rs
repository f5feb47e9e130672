//! Bringing a file store's logs to the current format.
//!
//! A log keeps the format it was created in, and events appended to it are
//! written as that format writes them, so a store holds logs of every
//! format its releases lived through. [`FileStore::migrate`] rewrites each
//! older log in [`FORMAT_VERSION`], after verifying it: the same events,
//! re-encoded, so a chained log keeps every link and its head, and an
//! anchor taken before the migration still proves the history.

use std::fs;

use serde::Serialize;

use crate::digest::Digest;
use crate::release::FORMAT_VERSION;
use crate::store::error::StoreError;
use crate::store::log::{Header, MigratedFrom, encode_error};
use crate::store::{FileStore, ReleaseKey, ReleaseStore, Unreadable};

/// One log brought to the current format, or that would be in a dry run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LogMigration {
    /// The release.
    pub key: ReleaseKey,
    /// The format the log was in.
    pub from: u32,
    /// The format it is written in now: [`FORMAT_VERSION`].
    pub to: u32,
    /// The verified head before, for a chained log (format 3 and later);
    /// `None` for formats 1 and 2, which had no chain to anchor.
    pub head_before: Option<Digest>,
    /// The head after. For a chained log it is `head_before`: the events
    /// are the same and so is every link.
    pub head_after: Digest,
}

/// What [`FileStore::migrate`] did, or
/// [`FileStore::plan_migration`] would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Migration {
    /// The logs brought forward (or to be), in key order.
    pub migrated: Vec<LogMigration>,
    /// How many logs were in the current format already.
    pub current: usize,
    /// The logs that do not load, left as they are: a log is migrated only
    /// once it verifies. Each says why and what to do.
    pub unreadable: Vec<Unreadable>,
}

impl Migration {
    /// Migrates each key with `one`, counting the logs already current and
    /// reporting those whose error `left_alone` says is the log's own; any
    /// other error ends the run.
    pub(crate) fn over(
        keys: Vec<ReleaseKey>,
        mut one: impl FnMut(&ReleaseKey) -> Result<Option<LogMigration>, StoreError>,
        left_alone: impl Fn(&StoreError) -> bool,
    ) -> Result<Migration, StoreError> {
        let mut migration = Migration::default();
        for key in keys {
            match one(&key) {
                Ok(Some(log)) => migration.migrated.push(log),
                Ok(None) => migration.current += 1,
                Err(error) if left_alone(&error) => migration.unreadable.push(Unreadable { key, error }),
                Err(error) => return Err(error),
            }
        }
        Ok(migration)
    }
}

impl FileStore {
    /// What [`migrate`](FileStore::migrate) would do, writing nothing: a
    /// dry run.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] when the directory cannot be listed. A log that
    /// does not load is reported in [`Migration::unreadable`].
    pub fn plan_migration(&self) -> Result<Migration, StoreError> {
        self.migrating(false)
    }

    /// Brings every log to [`FORMAT_VERSION`], verifying each first, and
    /// reports what it did.
    ///
    /// - **Verified first**: a log is rewritten only once it loads against
    ///   the store's trust; one that does not is left as it is and reported
    ///   in [`Migration::unreadable`].
    /// - **The history stays provable**: a chained log keeps every link and
    ///   its head, so an anchor taken before still verifies
    ///   ([`Release::verify_anchor`](crate::Release::verify_anchor)); the
    ///   new log's header records the format and head it came from
    ///   (`"migrated":{"format":3,"head":"…"}`).
    /// - **Crash-safe**: each log is written whole under a temporary name,
    ///   synced, and renamed over the old one, holding the log's lock, so a
    ///   process killed at any point leaves every log loadable, in its old
    ///   format or the new one. An unfinished batch is cut first, as an
    ///   append would.
    /// - **Idempotent**: a log in the current format is left alone, so a
    ///   second run finishes what an interrupted one began and then finds
    ///   nothing to do.
    ///
    /// Tools on a crate version that cannot read the current format cannot
    /// read a migrated log: upgrade them first.
    ///
    /// ```
    /// use release_workflow::store::{FileStore, ReleaseStore};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let dir = std::env::temp_dir().join(format!("release-workflow-doc-migrate-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let store = FileStore::open(&dir)?;
    /// store.create(&release)?;
    /// let plan = store.plan_migration()?; // writes nothing
    /// assert!(plan.migrated.is_empty() && plan.current == 1);
    /// let done = store.migrate()?;
    /// assert!(done.migrated.is_empty() && done.unreadable.is_empty());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] when the directory cannot be listed, or a log
    /// cannot be rewritten (a full disk): the logs migrated before it stay
    /// migrated, that one stays as it was, and a second run goes on.
    pub fn migrate(&self) -> Result<Migration, StoreError> {
        self.migrating(true)
    }

    fn migrating(&self, write: bool) -> Result<Migration, StoreError> {
        // An I/O error is the store's (a full disk), not one log's: it stops the run.
        Migration::over(
            self.keys()?,
            |key| self.migrate_log(key, write),
            |error| error.is_about_one_release() && !matches!(error, StoreError::Io { .. }),
        )
    }

    /// Verifies one log and, when it is older and `write` is set, rewrites
    /// it in the current format.
    fn migrate_log(&self, key: &ReleaseKey, write: bool) -> Result<Option<LogMigration>, StoreError> {
        let path = self.path_of(key);
        // Held until the log is replaced: appends wait, then find the new
        // file under the name.
        let mut file = self.open_locked(key)?;
        let (parsed, bytes) = self.read(key, &mut file)?;
        if parsed.format == FORMAT_VERSION {
            return Ok(None);
        }
        let log = LogMigration {
            key: key.clone(),
            from: parsed.format,
            to: FORMAT_VERSION,
            head_before: parsed.head,
            head_after: parsed.release.head(),
        };
        if !write {
            return Ok(Some(log));
        }
        let (events, _) = self.encode_log(key, &parsed.release)?;
        let header = Header {
            format: FORMAT_VERSION,
            release: key.to_string(),
            migrated: Some(MigratedFrom { format: parsed.format, head: parsed.head }),
        };
        let mut text = serde_json::to_vec(&header).map_err(|error| encode_error(key, error))?;
        text.push(b'\n');
        let first_event = memchr::memchr(b'\n', &events).map_or(events.len(), |end| end + 1);
        text.extend_from_slice(events.get(first_event..).unwrap_or_default());
        // An unfinished batch is cut and its marker removed before the log
        // is replaced: a marker must never describe another file's bytes,
        // and the cut log alone loads as it did.
        if parsed.end < bytes.len() {
            file.set_len(parsed.end as u64)
                .and_then(|()| file.sync_data())
                .map_err(|error| StoreError::io(&path, "cut the torn tail of", error))?;
        }
        crate::store::batch::end(&path)?;
        let temporary = self.write_temporary(key, &text)?;
        if let Err(error) = fs::rename(&temporary, &path) {
            let _ = fs::remove_file(&temporary);
            return Err(StoreError::io(&path, "replace with its migrated log", error));
        }
        self.sync_dir()?;
        self.forget(key);
        Ok(Some(log))
    }
}
