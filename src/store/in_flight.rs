//! One release of a service in flight, enforced by the stores.
//!
//! A move into `Deploying` is checked against the other releases of its
//! service while nothing else can move one of them: the memory store holds
//! its lock, PostgreSQL an advisory lock on the service for the
//! transaction, and the file store a lock file per service in its
//! `in-flight` folder. There the file store also keeps, per service, the
//! keys of the releases it last saw in flight, so that a check reads a few
//! logs rather than every release of the service. The list is a hint that
//! is always verified: it is written (renamed into place) before the log
//! that puts a release in flight, so a crash between the two leaves a key
//! whose log says it is not in flight, which the next check drops. A
//! service without a list (releases stored before this check existed) is
//! checked against every release whose key names it, once.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::digest::Digest;
use crate::release::Release;
use crate::store::checklists::sync_dir;
use crate::store::{ReleaseKey, StoreError};

/// What applying events does to the release's place in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flight {
    /// The release starts to deploy: its service must be free.
    Enters,
    /// The release is released or rolled back: its service is freed.
    Leaves,
    /// Neither.
    Stays,
}

impl Flight {
    /// How `updated` moved, from a release that was `was_in_flight`; only
    /// releases that name a service take part.
    pub(super) fn of(was_in_flight: bool, updated: &Release) -> Flight {
        match (updated.service().is_some(), was_in_flight, updated.is_in_flight()) {
            (true, false, true) => Flight::Enters,
            (true, true, false) => Flight::Leaves,
            _ => Flight::Stays,
        }
    }
}

/// Checks `updated`, which enters flight, against the releases of its
/// service among `others`.
pub(super) fn check_against<'a>(
    updated: &Release,
    others: impl IntoIterator<Item = &'a Release>,
) -> Result<(), StoreError> {
    updated.check_in_flight(others).map_err(StoreError::Release)
}

/// The file store's `in-flight` folder: a lock file and a list of keys per
/// service.
pub(super) struct Flights {
    dir: PathBuf,
}

/// A service's lock, held until dropped.
pub(super) struct ServiceLock {
    _file: File,
    list: PathBuf,
}

impl Flights {
    pub(super) fn new(store: &Path) -> Flights {
        Flights { dir: store.join("in-flight") }
    }

    /// Takes the lock of `service`: the file store's moves into and out of
    /// flight of that service take turns, across threads and processes.
    pub(super) fn lock(&self, service: &str) -> Result<ServiceLock, StoreError> {
        fs::create_dir_all(&self.dir).map_err(|error| StoreError::io(&self.dir, "create", error))?;
        // A service name may hold any character: its file is named by digest.
        let name = Digest::of(service.as_bytes()).to_string();
        let path = self.dir.join(format!("{name}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| StoreError::io(&path, "open", error))?;
        file.lock().map_err(|error| StoreError::io(&path, "lock", error))?;
        Ok(ServiceLock { _file: file, list: self.list_of(service) })
    }

    /// The file listing the releases of `service` in flight.
    fn list_of(&self, service: &str) -> PathBuf {
        self.dir.join(format!("{}.keys", Digest::of(service.as_bytes())))
    }

    /// The keys listed as in flight for `service`, read without its lock
    /// (a list is replaced whole, by a rename): every release of the
    /// service in flight is among them, since a move into flight lists its
    /// key before it writes its log; a key may remain of one that left.
    /// `None` when the service has no list.
    pub(super) fn listed(&self, service: &str) -> Result<Option<Vec<ReleaseKey>>, StoreError> {
        read_list(&self.list_of(service))
    }
}

fn read_list(list: &Path) -> Result<Option<Vec<ReleaseKey>>, StoreError> {
    match fs::read_to_string(list) {
        Ok(text) => Ok(Some(text.lines().filter_map(|line| ReleaseKey::parse(line).ok()).collect())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(StoreError::io(list, "read", error)),
    }
}

impl ServiceLock {
    /// The keys listed as in flight; `None` when the service has no list
    /// yet.
    pub(super) fn listed(&self) -> Result<Option<Vec<ReleaseKey>>, StoreError> {
        read_list(&self.list)
    }

    /// Replaces the list with `keys`, durably.
    pub(super) fn write(&self, keys: &[ReleaseKey]) -> Result<(), StoreError> {
        let temporary = self.list.with_extension("keys.tmp");
        let mut text = String::new();
        for key in keys {
            text.push_str(key.as_str());
            text.push('\n');
        }
        let written = File::create(&temporary).and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        });
        written.map_err(|error| StoreError::io(&temporary, "write", error))?;
        fs::rename(&temporary, &self.list).map_err(|error| StoreError::io(&self.list, "replace", error))?;
        match self.list.parent() {
            Some(dir) => sync_dir(dir),
            None => Ok(()),
        }
    }
}

/// Holds the service's lock for the rest of `transaction` and checks
/// `updated`, which enters flight, against the summary rows of the other
/// releases of its service (a row changed outside the store is caught by
/// the next load or listing of its release).
#[cfg(feature = "postgres")]
pub(super) fn check_in_database(
    transaction: &mut postgres::Transaction<'_>,
    statements: &(postgres::Statement, postgres::Statement),
    schema: &str,
    key: &ReleaseKey,
    updated: &Release,
) -> Result<(), StoreError> {
    let service = updated.service().unwrap_or_default();
    let (lock, select) = statements;
    let failed = crate::store::postgres::database("check the releases in flight in");
    transaction.execute(lock, &[&format!("release-workflow/{schema}/{service}")]).map_err(&failed)?;
    let rows = transaction.query(select, &[&service, &key.as_str()]).map_err(&failed)?;
    let Some(row) = rows.first().filter(|_| !updated.parallel_deploy_allowed()) else {
        return Ok(());
    };
    let (version, stage): (String, String) = (row.get(0), row.get(1));
    match (version.parse(), stage.parse()) {
        (Ok(version), Ok(stage)) => Err(StoreError::Release(updated.service_held_by(&version, stage))),
        // A row whose version or stage does not read was changed outside
        // the store: say so, rather than name a release it is not.
        _ => Err(StoreError::NotALog {
            path: std::path::PathBuf::from(format!("{schema}.releases")),
            problem: format!(
                "the summary row of a release of {service} in flight reads version \"{version}\" and stage \
                 \"{stage}\": it was changed outside the store; restore it from a backup"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_that_cannot_be_read_is_an_error_and_a_missing_one_is_none() {
        let store = std::env::temp_dir().join(format!("release-workflow-in-flight-{}", std::process::id()));
        let _ = fs::remove_dir_all(&store);
        let flights = Flights::new(&store);
        assert_eq!(flights.listed("checkout").unwrap(), None, "a service without a list");
        // A folder where the list should be: reading it fails, and the
        // failure is not taken for "no list" (which would list every
        // release of the service instead).
        let list = flights.list_of("checkout");
        fs::create_dir_all(&list).unwrap();
        let error = flights.listed("checkout").unwrap_err();
        assert!(matches!(&error, StoreError::Io { action: "read", path, .. } if *path == list), "{error:?}");
        let lock = flights.lock("checkout").unwrap();
        assert!(matches!(lock.listed(), Err(StoreError::Io { action: "read", .. })));
        drop(lock);
        let _ = fs::remove_dir_all(&store);
    }
}
