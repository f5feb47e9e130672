//! What a listing of stored releases shows, and how it is filtered.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use crate::metrics::History;
use crate::release::Release;
use crate::stage::Stage;
use crate::store::error::StoreError;
use crate::store::key::ReleaseKey;

/// One stored release as a listing shows it, without its log.
///
/// ```
/// use release_workflow::{Stage, store::{MemoryStore, ReleaseFilter, ReleaseStore}};
/// # use release_workflow::{Actor, Release, ReleaseKind, Role};
/// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
/// let store = MemoryStore::new();
/// store.create(&release)?;
/// let planned = store.list(&ReleaseFilter::all().in_stage(Stage::Planned).of_service("checkout"))?;
/// assert_eq!(planned.releases.len(), 1);
/// assert_eq!(planned.releases[0].key.as_str(), "checkout@2.4.0");
/// assert!(planned.unreadable.is_empty());
/// assert!(store.list(&ReleaseFilter::all().in_stage(Stage::Deploying))?.releases.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReleaseSummary {
    /// Its key in the store.
    pub key: ReleaseKey,
    /// The service released, if the plan names one.
    pub service: Option<String>,
    /// The version released.
    pub version: String,
    /// Its stage now.
    pub stage: Stage,
    /// How many events its log holds.
    pub events: usize,
    /// When its latest event happened.
    pub last_event_at: DateTime<Utc>,
}

impl ReleaseSummary {
    /// The summary of `release`.
    pub fn of(release: &Release) -> ReleaseSummary {
        ReleaseSummary {
            key: ReleaseKey::of(release),
            service: release.service().map(str::to_owned),
            version: release.version().to_string(),
            stage: release.stage(),
            events: release.events().len(),
            last_event_at: release.last_event_at(),
        }
    }
}

/// Which stored releases a listing shows: all of them, or those in a stage,
/// of a service, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReleaseFilter {
    stage: Option<Stage>,
    service: Option<String>,
}

impl ReleaseFilter {
    /// Every release.
    pub fn all() -> ReleaseFilter {
        ReleaseFilter::default()
    }

    /// Only releases in `stage`.
    #[must_use]
    pub fn in_stage(mut self, stage: Stage) -> ReleaseFilter {
        self.stage = Some(stage);
        self
    }

    /// Only releases of `service`.
    #[must_use]
    pub fn of_service(mut self, service: impl Into<String>) -> ReleaseFilter {
        self.service = Some(service.into());
        self
    }

    /// The stage asked for, if any.
    pub fn stage(&self) -> Option<Stage> {
        self.stage
    }

    /// The service asked for, if any.
    pub fn service(&self) -> Option<&str> {
        self.service.as_deref()
    }

    /// Whether `summary` is one the filter shows.
    pub fn matches(&self, summary: &ReleaseSummary) -> bool {
        self.stage.is_none_or(|stage| stage == summary.stage)
            && self.service.as_ref().is_none_or(|service| summary.service.as_ref() == Some(service))
    }
}

/// A stored release a listing or a report could not read, and why: one
/// damaged or untrusted log is reported, and the rest are still listed.
///
/// It serializes as `{"key": ..., "reason": ...}`, the reason being the
/// error's message, for a tool that shows a listing as JSON; it does not
/// deserialize, because an error read back would have lost its source.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// The release's key.
    pub key: ReleaseKey,
    /// Why it could not be read; its message and
    /// [`next_actions`](StoreError::next_actions) say what to do.
    pub error: StoreError,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.error)
    }
}

impl Serialize for Unreadable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            key: &'a ReleaseKey,
            reason: String,
        }
        Shown { key: &self.key, reason: self.error.to_string() }.serialize(serializer)
    }
}

/// What [`ReleaseStore::list`](crate::store::ReleaseStore::list) found: the
/// releases the filter shows, and every release that could not be read.
///
/// A release that cannot be read is reported whatever the filter, unless
/// the store can tell from what it keeps beside the log that the filter
/// leaves it out (the PostgreSQL store filters by its checked summary
/// rows).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listing {
    /// The releases the filter shows, sorted by key.
    pub releases: Vec<ReleaseSummary>,
    /// The releases that could not be read, sorted by key.
    pub unreadable: Vec<Unreadable>,
}

/// What [`ReleaseStore::load_many`](crate::store::ReleaseStore::load_many)
/// found: every release it could read, and every one it could not.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The releases read, in the order their keys were asked for.
    pub releases: Vec<crate::store::StoredRelease>,
    /// The releases that could not be read (a key not stored among them),
    /// in the order their keys were asked for.
    pub unreadable: Vec<Unreadable>,
}

impl Loaded {
    /// Files each answer of a load under `releases` or `unreadable`, in
    /// order; fails with the first error about the store itself.
    pub(crate) fn sorted(
        answers: impl IntoIterator<Item = (ReleaseKey, Result<crate::store::StoredRelease, StoreError>)>,
    ) -> Result<Loaded, StoreError> {
        let mut loaded = Loaded::default();
        for (key, answer) in answers {
            match answer {
                Ok(stored) => loaded.releases.push(stored),
                Err(error) if error.is_about_one_release() => {
                    loaded.unreadable.push(Unreadable { key, error })
                }
                Err(error) => return Err(error),
            }
        }
        Ok(loaded)
    }
}

/// What [`ReleaseStore::deployments`](crate::store::ReleaseStore::deployments)
/// found: the deployment records of the releases the filter shows, for a
/// DORA report, and every release that could not be read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Deployments {
    /// One record per release the filter shows that entered `Deploying`,
    /// in key order.
    pub history: History,
    /// The releases that could not be read, sorted by key.
    pub unreadable: Vec<Unreadable>,
}
