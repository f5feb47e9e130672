//! A store in memory, for tests and short-lived tools.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::event::Event;
use crate::release::Integrity;
use crate::release::Release;
use crate::store::error::StoreError;
use crate::store::{ReleaseKey, ReleaseStore, StoredRelease, extend, not_found};

/// Releases kept in memory, behind a mutex: shared between threads, gone
/// with the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    releases: Mutex<BTreeMap<ReleaseKey, Release>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn releases(&self) -> MutexGuard<'_, BTreeMap<ReleaseKey, Release>> {
        // A panic in another thread cannot leave a half-written release:
        // every change replaces a whole entry.
        self.releases.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ReleaseStore for MemoryStore {
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        let key = ReleaseKey::of(release);
        let mut releases = self.releases();
        if releases.contains_key(&key) {
            return Err(StoreError::ReleaseExists { key: key.to_string() });
        }
        releases.insert(key.clone(), release.clone());
        Ok(key)
    }

    fn load(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError> {
        let releases = self.releases();
        let release = releases.get(key).cloned().ok_or_else(|| not_found(key, releases.keys()))?;
        Ok(StoredRelease { release, torn_tail: None, integrity: Integrity::InMemory })
    }

    fn append(&self, key: &ReleaseKey, expected: usize, events: &[Event]) -> Result<usize, StoreError> {
        let mut releases = self.releases();
        let current = releases.get(key).ok_or_else(|| not_found(key, releases.keys()))?;
        let actual = current.events().len();
        if actual != expected {
            return Err(StoreError::Conflict { key: key.to_string(), expected, actual });
        }
        let updated = extend(current.clone(), events, actual)?;
        let count = updated.events().len();
        releases.insert(key.clone(), updated);
        Ok(count)
    }

    fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError> {
        Ok(self.releases().keys().cloned().collect())
    }
}
