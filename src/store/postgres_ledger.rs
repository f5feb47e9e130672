//! The PostgreSQL store's trust ledger: the `trust_ledger` table, one
//! entry a row by position, beside the `checklists` it names
//! ([`ReleaseStore::trust_ledger`](crate::store::ReleaseStore::trust_ledger)).
//!
//! A release's log is read with the ledger's length, in the same snapshot;
//! the store's trust (its own with the ledger applied) is rebuilt when that
//! length moved, so a load costs no extra query.

use std::path::PathBuf;
use std::sync::{Arc, MutexGuard, PoisonError};

use postgres::Row;

use super::connection::{Connection, database};
use super::{PostgresStore, as_count};
use crate::checklist::Template;
use crate::release::{Trust, TrustEntry, TrustLedger};
use crate::store::error::StoreError;
use crate::store::ledger::{LEDGER_KEY, push_expected, replay};
use crate::store::postgres_sql::{INSERT_TRUST, KEEP_CHECKLIST, SELECT_LEDGER};

/// The ledger's length a log's rows were read with.
pub(super) fn seen_by(rows: &[Row]) -> Option<usize> {
    rows.first().and_then(|row| row.get::<_, Option<i64>>(9)).and_then(|count| usize::try_from(count).ok())
}

impl PostgresStore {
    fn effective(&self) -> MutexGuard<'_, Option<(usize, Arc<Trust>)>> {
        // Replaced whole: a panic elsewhere leaves none half-made.
        self.effective.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store's own trust with its ledger applied: the one built before
    /// when the ledger still has `seen` entries, else read again.
    pub(super) fn effective_trust(
        &self,
        connection: &mut Connection,
        seen: Option<usize>,
    ) -> Result<Arc<Trust>, StoreError> {
        if let (Some(seen), Some((built_from, trust))) = (seen, self.effective().as_ref())
            && seen == *built_from
        {
            return Ok(Arc::clone(trust));
        }
        let ledger = self.read_ledger(connection)?;
        let trust =
            Arc::new(ledger.applied_to(self.trust.clone(), |fingerprint| {
                self.kept_checklist(connection, fingerprint)
            })?);
        *self.effective() = Some((ledger.entries().len(), Arc::clone(&trust)));
        Ok(trust)
    }

    pub(super) fn read_ledger(&self, connection: &mut Connection) -> Result<TrustLedger, StoreError> {
        let statement = self.statement(connection, SELECT_LEDGER)?;
        let rows = connection.client.query(&statement, &[]).map_err(database("read the trust ledger of"))?;
        let path = PathBuf::from(format!("{}.trust_ledger", self.schema));
        let mut entries = Vec::with_capacity(rows.len());
        for (position, row) in rows.iter().enumerate() {
            let entry: TrustEntry = serde_json::from_str(row.get::<_, &str>(0)).map_err(|error| {
                StoreError::CorruptChecklist {
                    path: path.clone(),
                    problem: format!("entry {} is not a trust entry: {error}", position + 1),
                }
            })?;
            entries.push(entry);
        }
        replay(entries, &path)
    }

    /// Keeps `template` in the schema's checklists, before a log names it.
    pub(super) fn keep_version(
        &self,
        connection: &mut Connection,
        template: &Arc<Template>,
    ) -> Result<(), StoreError> {
        let fingerprint = template.fingerprint();
        if self.kept.knows(&fingerprint) {
            return Ok(());
        }
        let encoded = String::from_utf8_lossy(&template.canonical_encoding()).into_owned();
        let statement = self.statement(connection, KEEP_CHECKLIST)?;
        connection
            .client
            .execute(&statement, &[&fingerprint.to_string(), &encoded])
            .map_err(database("keep a checklist version in"))?;
        self.kept.remember(Arc::clone(template));
        Ok(())
    }

    pub(super) fn append_trust_once(
        &self,
        expected: usize,
        entry: &TrustEntry,
        template: Option<&Template>,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let mut ledger = self.read_ledger(&mut connection)?;
        push_expected(&mut ledger, expected, entry)?;
        let line = serde_json::to_string(entry)
            .map_err(|error| StoreError::Encode { key: LEDGER_KEY.to_owned(), source: Arc::new(error) })?;
        let fingerprint = template.map(|template| template.fingerprint().to_string());
        let keep =
            template.map(|template| String::from_utf8_lossy(&template.canonical_encoding()).into_owned());
        let statement = self.statement(&mut connection, INSERT_TRUST)?;
        let inserted = connection
            .client
            .execute(&statement, &[&as_count(expected), &line, &fingerprint, &keep])
            .map_err(database("append to the trust ledger of"))?;
        if inserted == 0 {
            let actual = self.read_ledger(&mut connection)?.entries().len();
            return Err(StoreError::Conflict { key: LEDGER_KEY.to_owned(), expected, actual });
        }
        Ok(())
    }
}
