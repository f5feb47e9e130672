//! DORA straight from the PostgreSQL store: each summary row keeps its
//! release's deployment record, written in the statement that writes the
//! events, so [`ReleaseStore::deployments`](crate::store::ReleaseStore::deployments)
//! over 100,000 releases is one query and no log is read.
//!
//! Like a summary row, a record is covered by a check (the SHA-256 of the
//! key and the record), so a record changed by SQL outside the store is
//! reported, not counted. A row written before the record existed (schema
//! version 3) has no check: its release is loaded once, and its record and
//! check written then.

use postgres::Row;

use super::PostgresStore;
use super::connection::database;
use crate::digest::Digest;
use crate::metrics::DeploymentRecord;
use crate::release::Release;
use crate::store::ReleaseStore;
use crate::store::error::StoreError;
use crate::store::key::ReleaseKey;
use crate::store::postgres_sql::{FILL_DEPLOYMENT, SELECT_DEPLOYMENTS};
use crate::store::summary::{Deployments, ReleaseFilter, Unreadable};

/// What a summary row keeps of a release's deployment: its record as JSON
/// (none for a release that never entered `Deploying`) and the check.
pub(super) fn deployment_columns(key: &ReleaseKey, release: &Release) -> (Option<String>, String) {
    let record =
        DeploymentRecord::from_release(release).ok().and_then(|record| serde_json::to_string(&record).ok());
    let check = deployment_check(key, record.as_deref());
    (record, check)
}

/// The check of a row's deployment record.
fn deployment_check(key: &ReleaseKey, record: Option<&str>) -> String {
    Digest::of(format!("{key}\n{}", record.unwrap_or("")).as_bytes()).to_string()
}

impl PostgresStore {
    pub(super) fn deployments_once(&self, filter: &ReleaseFilter) -> Result<Deployments, StoreError> {
        if filter.service().is_some_and(|service| service.contains('\0')) {
            return Ok(Deployments::default());
        }
        let stage = filter.stage().map(|stage| stage.to_string());
        let mut connection = self.connection();
        let statement = self.statement(&mut connection, SELECT_DEPLOYMENTS)?;
        let rows = connection
            .client
            .query(&statement, &[&stage, &filter.service()])
            .map_err(database("read the deployments in"))?;
        let trust = self.effective_trust(&mut connection, None)?;
        drop(connection);
        let mut deployments = Deployments::default();
        for row in &rows {
            let key = self.listed_key(row)?;
            let read = self.summary(&key, row, &trust).and_then(|_| self.deployment(&key, row));
            match read {
                Ok(Some(record)) => deployments.history.push(record),
                Ok(None) => {}
                Err(error) if error.is_about_one_release() => {
                    deployments.unreadable.push(Unreadable { key, error })
                }
                Err(error) => return Err(error),
            }
        }
        Ok(deployments)
    }

    /// A row's deployment record, checked; read from its log (and written)
    /// for a row from before records were kept.
    fn deployment(&self, key: &ReleaseKey, row: &Row) -> Result<Option<DeploymentRecord>, StoreError> {
        let (record, check): (Option<&str>, Option<&str>) = (row.get(9), row.get(10));
        let Some(check) = check else {
            let stored = self.load(key)?;
            let (record, check) = deployment_columns(key, &stored.release);
            let events = i64::try_from(stored.release.events().len()).unwrap_or(i64::MAX);
            let mut connection = self.connection();
            let statement = self.statement(&mut connection, FILL_DEPLOYMENT)?;
            connection
                .client
                .execute(&statement, &[&key.as_str(), &record, &check, &events])
                .map_err(database("write the deployment record in"))?;
            return Ok(DeploymentRecord::from_release(&stored.release).ok());
        };
        let changed = |what: &str| StoreError::NotALog {
            path: std::path::PathBuf::from(format!("{}.releases/{key}", self.schema)),
            problem: format!(
                "its deployment record {what}: load the release to see what its log says, and restore the \
                 row from a backup"
            ),
        };
        if check != deployment_check(key, record) {
            return Err(changed("was changed outside the store (it no longer matches its check)"));
        }
        record
            .map(|record| {
                serde_json::from_str(record).map_err(|error| changed(&format!("does not read: {error}")))
            })
            .transpose()
    }
}
