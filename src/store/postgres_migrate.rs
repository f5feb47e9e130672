//! Bringing a PostgreSQL store's logs to the current format, as the file
//! store does its logs ([`FileStore::migrate`](crate::store::FileStore::migrate)).

use super::connection::database;
use super::{PostgresStore, as_count, seqs};
use crate::release::FORMAT_VERSION;
use crate::store::error::StoreError;
use crate::store::migrate::{LogMigration, Migration};
use crate::store::postgres_sql::MIGRATE_LOG;
use crate::store::postgres_summary::summary_check;
use crate::store::summary::ReleaseSummary;
use crate::store::{ReleaseKey, ReleaseStore};

/// How many times a log is read again when an append lands between the
/// migration's read and its write.
const ATTEMPTS: usize = 3;

impl PostgresStore {
    /// What [`migrate`](PostgresStore::migrate) would do, writing nothing:
    /// a dry run.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the database fails. A release that
    /// does not load is reported in [`Migration::unreadable`].
    pub fn plan_migration(&self) -> Result<Migration, StoreError> {
        self.migrating(false)
    }

    /// Brings every release's log to [`FORMAT_VERSION`], verifying each
    /// first, as [`FileStore::migrate`](crate::store::FileStore::migrate)
    /// does: each log is rewritten in one statement (its event lines, its
    /// summary row and the checklist version it names), so a process killed
    /// at any point leaves it old or new, never half; a chained log keeps
    /// every link and its head; the summary row's `migrated` column records
    /// the format and head it came from; a log in the current format is
    /// left alone, so a second run finishes the job. A release that does
    /// not load is left as it is and reported.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the database fails: the releases
    /// migrated before stay migrated, and a second run goes on.
    pub fn migrate(&self) -> Result<Migration, StoreError> {
        self.migrating(true)
    }

    fn migrating(&self, write: bool) -> Result<Migration, StoreError> {
        // A release appended to all the while is left for the next run.
        Migration::over(
            self.keys()?,
            |key| self.retrying(|| self.migrate_release(key, write)),
            |error| error.is_about_one_release() || matches!(error, StoreError::Conflict { .. }),
        )
    }

    fn migrate_release(&self, key: &ReleaseKey, write: bool) -> Result<Option<LogMigration>, StoreError> {
        let mut read = 0;
        for _ in 0..ATTEMPTS {
            let mut connection = self.connection();
            let Some((summary, rows)) = self.read_log(&mut connection, key)? else {
                return Err(self.not_found(&mut connection, key));
            };
            let parsed = {
                let trust = self.effective_trust(&mut connection, super::ledger::seen_by(&rows))?;
                let kept = &mut |fingerprint: &crate::digest::Digest| {
                    self.kept_checklist(&mut connection, fingerprint)
                };
                self.parse(key, &summary, super::event_lines(&rows), &trust, kept)?
            };
            if summary.format == FORMAT_VERSION {
                return Ok(None);
            }
            read = summary.events;
            let release = parsed.release;
            let old_head = summary.head.as_deref().and_then(|head| head.parse().ok());
            let log = LogMigration {
                key: key.clone(),
                from: summary.format,
                to: FORMAT_VERSION,
                head_before: old_head,
                head_after: release.head(),
            };
            if !write {
                return Ok(Some(log));
            }
            let (lines, head) = self.lines(None, release.events());
            let head = head.map(|digest| digest.to_string());
            let fingerprint = release.template().fingerprint();
            let checklist = fingerprint.to_string();
            let keep = (!self.kept.knows(&fingerprint))
                .then(|| String::from_utf8_lossy(&release.template().canonical_encoding()).into_owned());
            let migrated = serde_json::json!({"format": summary.format, "head": summary.head}).to_string();
            let check = summary_check(&ReleaseSummary::of(&release), head.as_deref(), Some(&checklist));
            let statement = self.statement(&mut connection, MIGRATE_LOG)?;
            let from_format = i32::try_from(summary.format).unwrap_or(i32::MAX);
            let format = i32::try_from(FORMAT_VERSION).unwrap_or(i32::MAX);
            let updated = connection
                .client
                .execute(
                    &statement,
                    &[
                        &key.as_str(),
                        &format,
                        &head,
                        &check,
                        &checklist,
                        &migrated,
                        &as_count(summary.events),
                        &from_format,
                        &keep,
                        &seqs(0, lines.len()),
                        &lines,
                    ],
                )
                .map_err(database("migrate a release in"))?;
            if keep.is_some() {
                self.kept.remember(std::sync::Arc::new(release.template().clone()));
            }
            if updated > 0 {
                self.recent().remove(key);
                return Ok(Some(log));
            }
            // An append or another migration got there first: read again.
        }
        match self.read_summary(&mut self.connection(), key)? {
            Some(now) if now.format == FORMAT_VERSION => Ok(None),
            Some(now) => {
                Err(StoreError::Conflict { key: key.to_string(), expected: read, actual: now.events })
            }
            None => Err(self.not_found(&mut self.connection(), key)),
        }
    }
}
