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
