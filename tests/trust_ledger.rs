//! The trust ledger as data: its rules, its stored form, and the trust it
//! gives a reader.

mod common;

use common::{ada, grace, t};
use release_workflow::{
    Gate, Template,
    release::{LedgerError, Trust, TrustEntry, TrustLedger},
};

fn version(title: &str) -> Template {
    Template::builder("Team").section("Ship").item("ship.ok", title, Gate::Deploy).build().unwrap()
}

#[test]
fn the_ledger_keeps_time_order_and_allows_entries_at_the_same_time() {
    let mut ledger = TrustLedger::default();
    ledger.trust(&version("Ok"), None, &ada(), t(5), "first").unwrap();
    // The same minute is fine; an earlier one is refused, and nothing is added.
    ledger.trust(&version("Ok, tested"), Some(&version("Ok")), &ada(), t(5), "second").unwrap();
    let error = ledger.revoke(&version("Ok").fingerprint(), &grace(), t(4), "late").unwrap_err();
    assert_eq!(error, LedgerError::TimeWentBackwards { at: t(4), last: t(5) });
    assert!(error.to_string().contains("the ledger keeps time order"), "{error}");
    assert_eq!(ledger.entries().len(), 2);
    // A revoked version trusted again stands again.
    ledger.revoke(&version("Ok").fingerprint(), &grace(), t(6), "superseded").unwrap();
    assert!(ledger.revocation(&version("Ok").fingerprint()).is_some());
    let record = ledger.trust(&version("Ok"), None, &ada(), t(7), "back, for the hotfix branch").unwrap();
    assert_eq!(ledger.revocation(&version("Ok").fingerprint()), None);
    assert_eq!(ledger.record(&version("Ok").fingerprint()), Some(&record));
    let versions: Vec<&str> = ledger.versions().map(|record| record.why.as_str()).collect();
    assert_eq!(
        versions,
        ["second", "back, for the hotfix branch"],
        "each version once, at its standing record"
    );
}

#[test]
fn the_ledger_is_stored_as_its_entries_and_read_back_through_its_rules() {
    let mut ledger = TrustLedger::default();
    ledger.trust(&version("Ok"), None, &ada(), t(1), "first").unwrap();
    ledger.revoke(&version("Ok").fingerprint(), &grace(), t(2), "superseded").unwrap();
    let json = serde_json::to_value(&ledger).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(2), "{json}");
    assert_eq!(json[0]["entry"], "trusted");
    assert_eq!(json[1]["entry"], "revoked");
    let back: TrustLedger = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, ledger);
    // Entries that break the rules are refused as a whole.
    let mut twice = json.as_array().unwrap().clone();
    twice.push(json[1].clone());
    let error = serde_json::from_value::<TrustLedger>(serde_json::Value::Array(twice)).unwrap_err();
    assert!(error.to_string().contains("nothing to record"), "{error}");
    // The trust it gives: the versions, and what is revoked.
    let kept = |fingerprint: &release_workflow::digest::Digest| {
        Ok::<_, std::convert::Infallible>(
            (*fingerprint == version("Ok").fingerprint()).then(|| std::sync::Arc::new(version("Ok"))),
        )
    };
    let trust = ledger.applied_to(Trust::nothing(), kept).unwrap();
    assert!(trust.trusts(&version("Ok")));
    assert_eq!(trust.revocation(&version("Ok").fingerprint()).map(|r| r.why.as_str()), Some("superseded"));
    let error = trust.check_new(&version("Ok")).unwrap_err();
    assert!(error.to_string().contains("revoked by Grace Hopper"), "{error}");
    assert!(matches!(ledger.entries()[0], TrustEntry::Trusted(_)));
}

#[test]
fn a_second_revocation_of_a_version_replaces_the_first_in_a_trust() {
    let revoke = |why: &str| release_workflow::release::Revocation {
        fingerprint: version("Ok").fingerprint(),
        by: ada(),
        at: t(1),
        why: why.into(),
    };
    let other = release_workflow::release::Revocation {
        fingerprint: version("Other").fingerprint(),
        ..revoke("other")
    };
    let trust = Trust::nothing().revoking(revoke("first")).revoking(other).revoking(revoke("second"));
    assert_eq!(trust.revocation(&version("Ok").fingerprint()).map(|r| r.why.as_str()), Some("second"));
    assert_eq!(trust.revocation(&version("Other").fingerprint()).map(|r| r.why.as_str()), Some("other"));
}

/// A store whose first `conflicts` trust appends lose a race.
#[cfg(feature = "store")]
struct Racing {
    inner: release_workflow::store::MemoryStore,
    conflicts: std::sync::atomic::AtomicUsize,
}

#[cfg(feature = "store")]
impl release_workflow::store::ReleaseStore for Racing {
    fn create(
        &self,
        release: &release_workflow::Release,
    ) -> Result<release_workflow::store::ReleaseKey, release_workflow::store::StoreError> {
        self.inner.create(release)
    }
    fn load(
        &self,
        key: &release_workflow::store::ReleaseKey,
    ) -> Result<release_workflow::store::StoredRelease, release_workflow::store::StoreError> {
        self.inner.load(key)
    }
    fn append(
        &self,
        key: &release_workflow::store::ReleaseKey,
        expected: usize,
        events: &[release_workflow::Event],
    ) -> Result<usize, release_workflow::store::StoreError> {
        self.inner.append(key, expected, events)
    }
    fn keys(&self) -> Result<Vec<release_workflow::store::ReleaseKey>, release_workflow::store::StoreError> {
        self.inner.keys()
    }
    fn changes_since(
        &self,
        cursor: release_workflow::store::Cursor,
    ) -> Result<release_workflow::store::Changes, release_workflow::store::StoreError> {
        self.inner.changes_since(cursor)
    }
    fn trust_ledger(&self) -> Result<TrustLedger, release_workflow::store::StoreError> {
        self.inner.trust_ledger()
    }
    fn append_trust(
        &self,
        expected: usize,
        entry: &TrustEntry,
        template: Option<&Template>,
    ) -> Result<(), release_workflow::store::StoreError> {
        use std::sync::atomic::Ordering;
        if self.conflicts.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok()
        {
            return Err(release_workflow::store::StoreError::Conflict {
                key: "the trust ledger".into(),
                expected,
                actual: expected + 1,
            });
        }
        self.inner.append_trust(expected, entry, template)
    }
}

#[cfg(feature = "store")]
#[test]
fn trusting_reads_the_ledger_again_after_losing_a_race_a_bounded_number_of_times() {
    use release_workflow::store::{ReleaseStore, StoreError, UPDATE_ATTEMPTS};
    let racing = |conflicts: usize| Racing {
        inner: release_workflow::store::MemoryStore::new(),
        conflicts: conflicts.into(),
    };
    let store = racing(UPDATE_ATTEMPTS - 1);
    store.trust_checklist(&version("Ok"), None, &ada(), t(1), "first").unwrap();
    assert_eq!(store.trust_ledger().unwrap().entries().len(), 1);
    let store = racing(UPDATE_ATTEMPTS);
    let error = store.trust_checklist(&version("Ok"), None, &ada(), t(1), "first").unwrap_err();
    assert!(matches!(error, StoreError::Conflict { .. }), "{error:?}");
    assert!(store.trust_ledger().unwrap().entries().is_empty());
    let error = store.revoke_checklist(&version("Ok").fingerprint(), &ada(), t(1), "x");
    assert!(error.is_ok(), "the races were all lost by then: {error:?}");
}
