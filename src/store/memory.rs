//! A store in memory, for tests and short-lived tools.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::checklist::Template;
use crate::digest::Digest;
use crate::event::Event;
use crate::release::{Integrity, Release, Trust, TrustEntry, TrustLedger};
use crate::store::error::StoreError;
use crate::store::feed::{Changes, Cursor, FEED_PAGE, Mark, resolve};
use crate::store::in_flight::{Flight, check_against};
use crate::store::ledger::push_expected;
use crate::store::{ReleaseKey, ReleaseStore, StoredRelease, check_creatable, extend, not_found};

/// Releases kept in memory, behind a mutex: shared between threads, gone
/// with the process.
///
/// Like every store, it holds only what it can load: it trusts the
/// checklists its [`Trust`] does (by default the built-in OctoAcme one),
/// refuses to create a release of another, and refuses to load a release
/// whose checklist a handle with another trust does not trust. A clone is
/// another handle on the same releases, as a [`FileStore`](crate::store::FileStore)'s is.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    releases: Arc<Mutex<BTreeMap<ReleaseKey, Release>>>,
    trust: Arc<Trust>,
    /// The trust ledger, and the versions its entries name.
    ledger: Arc<Mutex<Ledger>>,
    /// The change feed: change `n` is at `n - 1`. Written while the
    /// releases' lock is held, so in the order the releases changed.
    feed: Arc<Mutex<Vec<Mark>>>,
}

#[derive(Debug, Default)]
struct Ledger {
    ledger: TrustLedger,
    versions: BTreeMap<Digest, Arc<Template>>,
}

impl MemoryStore {
    /// An empty store trusting [`Trust::default`].
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The same releases, created and loaded against `trust`.
    #[must_use]
    pub fn with_trust(self, trust: Trust) -> MemoryStore {
        MemoryStore { releases: self.releases, trust: Arc::new(trust), ledger: self.ledger, feed: self.feed }
    }

    /// What the store was given to trust; its trust ledger adds to it
    /// ([`ReleaseStore::trust_ledger`]).
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        // Entries are pushed whole.
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store's own trust with its ledger applied.
    fn effective_trust(&self) -> Trust {
        let ledger = self.ledger();
        let applied = ledger.ledger.applied_to((*self.trust).clone(), |fingerprint| {
            Ok::<_, std::convert::Infallible>(ledger.versions.get(fingerprint).cloned())
        });
        match applied {
            Ok(trust) => trust,
            Err(never) => match never {},
        }
    }

    /// Numbers `events`, the events of `key` from `first` on, in the feed.
    fn record(&self, key: &ReleaseKey, first: usize, events: &[Event]) {
        // A mark is pushed whole.
        let mut feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
        for index in first..first + events.len() {
            let number = feed.len() as u64 + 1;
            feed.push(Mark { number, key: key.clone(), index, digest: None });
        }
    }

    fn releases(&self) -> MutexGuard<'_, BTreeMap<ReleaseKey, Release>> {
        // A panic in another thread cannot leave a half-written release:
        // every change replaces a whole entry.
        self.releases.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stored release under `key`, if this handle trusts its checklist.
    fn trusted(
        &self,
        releases: &BTreeMap<ReleaseKey, Release>,
        key: &ReleaseKey,
    ) -> Result<Release, StoreError> {
        let release = releases.get(key).ok_or_else(|| not_found(key, releases.keys()))?;
        self.effective_trust().pin(release.template()).map_err(StoreError::Release)?;
        Ok(release.clone())
    }
}

impl ReleaseStore for MemoryStore {
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        check_creatable(release, &self.effective_trust())?;
        let key = ReleaseKey::of(release);
        let mut releases = self.releases();
        if releases.contains_key(&key) {
            return Err(StoreError::ReleaseExists { key: key.to_string() });
        }
        if Flight::of(false, release) == Flight::Enters {
            check_against(release, releases.values())?;
        }
        releases.insert(key.clone(), release.clone());
        self.record(&key, 0, release.events());
        Ok(key)
    }

    fn changes_since(&self, cursor: Cursor) -> Result<Changes, StoreError> {
        let marks: Vec<Mark> = {
            let feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
            let from = usize::try_from(cursor.number()).unwrap_or(usize::MAX).min(feed.len());
            feed.get(from..).unwrap_or_default().iter().take(FEED_PAGE).cloned().collect()
        };
        resolve(self, cursor, marks)
    }

    fn feed_head(&self) -> Result<Cursor, StoreError> {
        let feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(Cursor::after(feed.len() as u64))
    }

    fn load(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError> {
        let release = self.trusted(&self.releases(), key)?;
        let revoked = self.ledger().ledger.revocation(&release.template().fingerprint()).cloned();
        Ok(StoredRelease { release, torn_tail: None, integrity: Integrity::InMemory, revoked })
    }

    fn append(&self, key: &ReleaseKey, expected: usize, events: &[Event]) -> Result<usize, StoreError> {
        let mut releases = self.releases();
        let current = self.trusted(&releases, key)?;
        let actual = current.events().len();
        if actual != expected {
            return Err(StoreError::Conflict { key: key.to_string(), expected, actual });
        }
        let was_in_flight = current.is_in_flight();
        let updated = extend(current, events, actual, &self.effective_trust())?;
        if Flight::of(was_in_flight, &updated) == Flight::Enters {
            check_against(
                &updated,
                releases.iter().filter(|(other, _)| *other != key).map(|(_, release)| release),
            )?;
        }
        let count = updated.events().len();
        releases.insert(key.clone(), updated);
        self.record(key, actual, events);
        Ok(count)
    }

    fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError> {
        Ok(self.releases().keys().cloned().collect())
    }

    /// The checklist of a stored release with this fingerprint (each
    /// release holds its own), or one the trust ledger names.
    fn checklist(&self, fingerprint: &Digest) -> Result<Option<Template>, StoreError> {
        let releases = self.releases();
        let found = releases.values().map(Release::template).find(|held| held.fingerprint() == *fingerprint);
        match found {
            Some(found) => Ok(Some(found.clone())),
            None => Ok(self.ledger().versions.get(fingerprint).map(|version| (**version).clone())),
        }
    }

    fn trust_ledger(&self) -> Result<TrustLedger, StoreError> {
        Ok(self.ledger().ledger.clone())
    }

    fn append_trust(
        &self,
        expected: usize,
        entry: &TrustEntry,
        template: Option<&Template>,
    ) -> Result<(), StoreError> {
        let mut ledger = self.ledger();
        push_expected(&mut ledger.ledger, expected, entry)?;
        if let Some(template) = template {
            ledger.versions.insert(template.fingerprint(), Arc::new(template.clone()));
        }
        Ok(())
    }
}
