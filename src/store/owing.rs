//! What a store answers about change types: the emergency changes whose
//! review is overdue, and a release's status beside the other releases of
//! its service.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::release::{Owed, ReleaseStatus};
use crate::stage::Stage;
use crate::store::{LOADED_AT_ONCE, ReleaseFilter, ReleaseKey, ReleaseStore, StoreError, Unreadable};

/// An emergency change that owes something past its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueRelease {
    /// Its key in the store.
    pub key: ReleaseKey,
    /// The service released, if the plan names one.
    pub service: Option<String>,
    /// The version released.
    pub version: String,
    /// Its stage now.
    pub stage: Stage,
    /// When what it owes fell due.
    pub due: DateTime<Utc>,
    /// What it owes.
    pub owed: Vec<Owed>,
}

/// What [`ReleaseStore::overdue`] found: every overdue emergency change,
/// and every release that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Overdue {
    /// The overdue releases, sorted by key.
    pub releases: Vec<OverdueRelease>,
    /// The releases that could not be read, sorted by key.
    pub unreadable: Vec<Unreadable>,
}

/// Every emergency change in `store` overdue at `at`.
pub(super) fn overdue<S: ReleaseStore + ?Sized>(store: &S, at: DateTime<Utc>) -> Result<Overdue, StoreError> {
    let mut overdue = Overdue::default();
    for keys in store.keys()?.chunks(LOADED_AT_ONCE) {
        let mut loaded = store.load_many(keys)?;
        for stored in &loaded.releases {
            let release = &stored.release;
            if let Some(due) = release.review_due().filter(|_| release.is_overdue(at)) {
                overdue.releases.push(OverdueRelease {
                    key: ReleaseKey::of(release),
                    service: release.service().map(str::to_owned),
                    version: release.version().to_string(),
                    stage: release.stage(),
                    due,
                    owed: release.owed(),
                });
            }
        }
        overdue.unreadable.append(&mut loaded.unreadable);
    }
    Ok(overdue)
}

/// The status at `at` of the release stored under `key`, beside the
/// releases of its service in flight.
pub(super) fn status<S: ReleaseStore + ?Sized>(
    store: &S,
    key: &ReleaseKey,
    at: DateTime<Utc>,
) -> Result<ReleaseStatus, StoreError> {
    status_among_listed(store, key, at, |_| Ok(None))
}

/// As [`status`], with the keys of the service's releases that may be in
/// flight from `listed` when it knows them (the file store's in-flight
/// list), else from a listing of the service.
pub(super) fn status_among_listed<S: ReleaseStore + ?Sized>(
    store: &S,
    key: &ReleaseKey,
    at: DateTime<Utc>,
    listed: impl FnOnce(&str) -> Result<Option<Vec<ReleaseKey>>, StoreError>,
) -> Result<ReleaseStatus, StoreError> {
    let release = store.load(key)?.release;
    let Some(service) = release.service() else {
        return Ok(release.status_at(at));
    };
    let candidates = match listed(service)? {
        Some(keys) => keys,
        None => store
            .list(&ReleaseFilter::all().of_service(service))?
            .releases
            .into_iter()
            .filter(|summary| matches!(summary.stage, Stage::Deploying | Stage::Verifying))
            .map(|summary| summary.key)
            .collect(),
    };
    let in_flight: Vec<ReleaseKey> = candidates.into_iter().filter(|other| other != key).collect();
    let others = store.load_many(&in_flight)?;
    // A listed key of a release that has left flight is passed over by
    // `status_among`, which looks at the stage.
    Ok(release.status_among(at, others.releases.iter().map(|stored| &stored.release)))
}
