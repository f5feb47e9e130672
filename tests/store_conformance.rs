//! One suite over the `ReleaseStore` trait, run against every store: in
//! memory, on disk, and in PostgreSQL.
//!
//! The PostgreSQL run needs a server: set
//! `RELEASE_WORKFLOW_TEST_DATABASE_URL` (such as
//! `postgres://release_workflow:release_workflow@localhost/release_workflow_test`)
//! and build with `--features postgres`. Without one, those tests say
//! loudly that they were skipped; with `RELEASE_WORKFLOW_REQUIRE_POSTGRES`
//! set (as CI sets it), a skip is a failure.
#![cfg(feature = "store")]

mod common;
#[path = "store_conformance/feed.rs"]
mod feed;

use std::sync::Arc;

use common::{TempDir, ada, at_stage, planned, t};
use release_workflow::{
    Gate, NextAction, Release, ReleaseError, Stage, Template,
    release::{LedgerError, Trust},
    store::{FileStore, MemoryStore, ReleaseFilter, ReleaseKey, ReleaseStore, ReleaseSummary, StoreError},
};

type Shared = Arc<dyn ReleaseStore + Send + Sync>;

/// A store under test: `trusting` opens another handle on the same stored
/// releases (another connection, for a database) with a trust of its own.
struct Backend {
    name: &'static str,
    trusting: Box<dyn Fn(Trust) -> Shared>,
}

impl Backend {
    fn memory() -> Backend {
        let store = MemoryStore::new();
        Backend { name: "memory", trusting: Box::new(move |trust| Arc::new(store.clone().with_trust(trust))) }
    }

    fn file(dir: &TempDir) -> Backend {
        let path = dir.path().to_path_buf();
        Backend {
            name: "file",
            trusting: Box::new(move |trust| Arc::new(FileStore::open(&path).unwrap().with_trust(trust))),
        }
    }

    /// Another handle, trusting the default checklist.
    fn connect(&self) -> Shared {
        (self.trusting)(Trust::default())
    }

    /// Another handle, trusting `trust`.
    fn trusting(&self, trust: Trust) -> Shared {
        (self.trusting)(trust)
    }
}

/// Runs `check` against the memory and file stores.
fn on_local_stores(test: &str, check: Check) {
    check(&Backend::memory());
    let dir = TempDir::new(&format!("conformance-{test}"));
    check(&Backend::file(&dir));
}

/// A release of `service` at `version`, planned at `t(0)`.
fn planned_for(service: &str, version: &str) -> Release {
    Release::builder()
        .service(service)
        .version(version)
        .kind(release_workflow::ReleaseKind::Minor)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(ada())
        .plan(t(0))
        .unwrap()
}

fn creates_loads_and_refuses_a_second_create(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let release = at_stage(Stage::Released);
    let key = store.create(&release).unwrap();
    assert_eq!(key.as_str(), "checkout@2.4.0");
    let loaded = store.load(&key).unwrap();
    assert_eq!(loaded.release, release, "{name}");
    assert_eq!(loaded.torn_tail, None, "{name}");
    assert_eq!(store.keys().unwrap(), std::slice::from_ref(&key), "{name}");
    // Another handle sees it.
    assert_eq!(backend.connect().load(&key).unwrap().release, release, "{name}");
    let exists = store.create(&release).unwrap_err();
    assert!(matches!(exists, StoreError::ReleaseExists { .. }), "{name}: {exists:?}");
    assert_eq!(exists.next_actions(), [NextAction::LoadAndAppend]);
    assert_eq!(store.load(&key).unwrap().release, release, "{name}: a refused create changed nothing");
}

fn names_the_closest_keys_of_a_missing_release(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let key = store.create(&planned()).unwrap();
    let missing = ReleaseKey::parse("nope@1.0.0").unwrap();
    assert!(matches!(store.load(&missing), Err(StoreError::ReleaseNotFound { .. })), "{name}");
    let typo = ReleaseKey::parse("checkuot@2.4.0").unwrap();
    for error in [store.load(&typo).unwrap_err(), store.append(&typo, 1, &[]).unwrap_err()] {
        match &error {
            StoreError::ReleaseNotFound { suggestions, .. } => {
                assert_eq!(suggestions, std::slice::from_ref(&key), "{name}")
            }
            other => panic!("{name}: expected not found, got {other:?}"),
        }
        assert!(
            error.to_string().ends_with("did you mean checkout@2.4.0? choose a key the store has"),
            "{name}: {error}"
        );
        assert_eq!(error.next_actions(), [NextAction::ChooseStoredKey]);
    }
}

fn appends_check_the_events_and_the_version_read(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let mut release = planned();
    let key = store.create(&release).unwrap();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    release.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    assert_eq!(store.save(&release, 1).unwrap(), 3, "{name}");
    assert_eq!(store.load(&key).unwrap().release, release, "{name}");
    // One event at a time, as a tool appends.
    release.complete("planning.roles-assigned", &ada(), t(3)).unwrap();
    assert_eq!(store.save(&release, 3).unwrap(), 4, "{name}");
    assert_eq!(backend.connect().load(&key).unwrap().release, release, "{name}");

    // A writer that read fewer events is behind: refused, nothing written.
    let stale = store.append(&key, 1, &release.events()[1..2]).unwrap_err();
    assert!(
        matches!(&stale, StoreError::Conflict { key: k, expected: 1, actual: 4 } if k == key.as_str()),
        "{name}: {stale:?}"
    );
    assert!(stale.to_string().contains("load the release again and redo the change"), "{name}");
    assert_eq!(stale.next_actions(), [NextAction::ReloadAndRedo]);
    // So is one that read more than there are.
    assert!(matches!(store.append(&key, 9, &[]), Err(StoreError::Conflict { expected: 9, actual: 4, .. })));

    // An event that breaks a rule is refused with its position, nothing written.
    let mut early = release.clone();
    early.complete("planning.stakeholders-notified", &ada(), t(4)).unwrap();
    let mut backwards = early.events()[4].clone();
    backwards.at = t(-100);
    let refused = store.append(&key, 4, &[early.events()[4].clone(), backwards]).unwrap_err();
    assert!(
        matches!(refused, StoreError::Release(ReleaseError::Replay { position: 5, .. })),
        "{name}: {refused:?}"
    );
    let planned_again = release.events()[0].clone();
    let refused = store.append(&key, 4, &[planned_again]).unwrap_err();
    assert!(
        matches!(refused, StoreError::Release(ReleaseError::Replay { position: 4, .. })),
        "{name}: {refused:?}"
    );
    assert_eq!(store.load(&key).unwrap().release, release, "{name}: refused appends changed nothing");
    assert_eq!(store.append(&key, 4, &[]).unwrap(), 4, "{name}");
    // After a refusal the store appends on from what is stored.
    assert_eq!(store.save(&early, 4).unwrap(), 5, "{name}");
    assert_eq!(store.load(&key).unwrap().release, early, "{name}");
}

fn racing_writers_on_several_handles_cannot_both_win(backend: &Backend) {
    let name = backend.name;
    let release = planned();
    let key = backend.connect().create(&release).unwrap();
    let items = ["planning.scope-documented", "planning.version-confirmed", "planning.roles-assigned"];
    let handles: Vec<Shared> = items.iter().map(|_| backend.connect()).collect();
    for round in 0..8 {
        let base = handles[0].load(&key).unwrap().release;
        let count = base.events().len();
        let outcomes: Vec<Result<usize, StoreError>> = std::thread::scope(|scope| {
            let threads: Vec<_> = items
                .iter()
                .zip(&handles)
                .enumerate()
                .map(|(writer, (item, store))| {
                    let mut mine = base.clone();
                    scope.spawn(move || {
                        let at = t(10 * round + writer as i64);
                        let settled = mine.item_status(item).is_some_and(|status| status.is_settled());
                        let done = if settled {
                            mine.reopen(item, "again", &ada(), at).map(drop)
                        } else {
                            mine.complete(item, &ada(), at).map(drop)
                        };
                        done.map_err(StoreError::from)?;
                        store.save(&mine, count)
                    })
                })
                .collect();
            threads.into_iter().map(|thread| thread.join().unwrap()).collect()
        });
        let winners = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
        let conflicts = outcomes.iter().filter(|o| matches!(o, Err(StoreError::Conflict { .. }))).count();
        assert_eq!((winners, conflicts), (1, items.len() - 1), "{name}, round {round}: {outcomes:?}");
        let stored = handles[1].load(&key).unwrap().release;
        assert_eq!(stored.events().len(), count + 1, "{name}");
    }
}

fn update_retries_until_every_concurrent_change_lands(backend: &Backend) {
    let name = backend.name;
    const ITEMS: [&str; 6] = [
        "planning.version-confirmed",
        "planning.type-identified",
        "planning.scope-documented",
        "planning.dependencies-identified",
        "planning.roles-assigned",
        "planning.stakeholders-notified",
    ];
    let key = backend.connect().create(&planned()).unwrap();
    std::thread::scope(|scope| {
        let threads: Vec<_> = ITEMS
            .into_iter()
            .map(|item| {
                let (store, key) = (backend.connect(), key.clone());
                scope.spawn(move || {
                    store.update(&key, |release| {
                        let at = release.last_event_at();
                        release.complete(item, &ada(), at)?;
                        Ok::<_, StoreError>(item)
                    })
                })
            })
            .collect();
        let mut attempts = 0;
        for thread in threads {
            let updated = thread.join().unwrap().unwrap();
            // What the load found comes back with the release as saved.
            assert_eq!(updated.stored.torn_tail, None, "{name}");
            assert!(updated.stored.release.item_status(updated.value).is_some_and(|s| s.is_settled()));
            attempts += updated.attempts;
        }
        assert!(attempts >= ITEMS.len(), "{name}: every change ran at least once");
    });
    let store = backend.connect();
    let release = store.load(&key).unwrap().release;
    for item in ITEMS {
        assert!(release.item_status(item).is_some_and(|status| status.is_settled()), "{name}: {item}");
    }
    // The change's error is the caller's own type, and comes back as it was.
    #[derive(Debug)]
    enum ToolError {
        Store(StoreError),
        Rule(ReleaseError),
    }
    impl From<StoreError> for ToolError {
        fn from(error: StoreError) -> ToolError {
            ToolError::Store(error)
        }
    }
    impl From<ReleaseError> for ToolError {
        fn from(error: ReleaseError) -> ToolError {
            ToolError::Rule(error)
        }
    }
    let error = store
        .update(&key, |release| -> Result<(), ToolError> {
            release.complete("planning.no-such-item", &ada(), t(5))?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(error, ToolError::Rule(ReleaseError::UnknownItem { .. })), "{name}: {error:?}");
    let missing = ReleaseKey::parse("not-stored@1.0.0").unwrap();
    let error = store.update(&missing, |_| Ok::<_, ToolError>(())).unwrap_err();
    assert!(matches!(error, ToolError::Store(StoreError::ReleaseNotFound { .. })), "{name}: {error:?}");
    assert_eq!(store.load(&key).unwrap().release.events().len(), 7, "{name}");
}

fn keys_and_listings_are_sorted_and_filtered(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    assert!(
        store.keys().unwrap().is_empty() && store.list(&ReleaseFilter::all()).unwrap().releases.is_empty()
    );
    let mut releases = vec![
        planned_for("search", "1.0.0"),
        planned_for("checkout", "2.0.0"),
        planned_for("checkout", "10.0.0"),
        planned_for("Zeta", "1.0.0"),
    ];
    let mut frozen = at_stage(Stage::Frozen);
    frozen.complete("build.features-merged", &ada(), t(9)).ok();
    releases.push(frozen);
    releases.push(at_stage(Stage::Deploying).tap_version("2.4.1"));
    for release in &releases {
        store.create(release).unwrap();
    }
    let keys: Vec<String> = store.keys().unwrap().iter().map(ToString::to_string).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "{name}: keys in byte order");
    assert_eq!(keys.len(), 6);
    let listed = store.list(&ReleaseFilter::all()).unwrap();
    assert!(listed.unreadable.is_empty(), "{name}");
    let listed = listed.releases;
    let expected: Vec<ReleaseSummary> = {
        let mut all: Vec<ReleaseSummary> = releases.iter().map(ReleaseSummary::of).collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        all
    };
    assert_eq!(listed, expected, "{name}");
    let keys_of = |filter: ReleaseFilter| -> Vec<String> {
        store.list(&filter).unwrap().releases.into_iter().map(|summary| summary.key.to_string()).collect()
    };
    assert_eq!(keys_of(ReleaseFilter::all().in_stage(Stage::Frozen)), ["checkout@2.4.0"], "{name}");
    assert_eq!(keys_of(ReleaseFilter::all().in_stage(Stage::Deploying)), ["checkout@2.4.1"], "{name}");
    assert_eq!(
        keys_of(ReleaseFilter::all().of_service("checkout")),
        ["checkout@10.0.0", "checkout@2.0.0", "checkout@2.4.0", "checkout@2.4.1"],
        "{name}"
    );
    assert_eq!(
        keys_of(ReleaseFilter::all().of_service("checkout").in_stage(Stage::Planned)),
        ["checkout@10.0.0", "checkout@2.0.0"],
        "{name}"
    );
    assert!(keys_of(ReleaseFilter::all().of_service("nobody")).is_empty());
    // A filter no service can match (a NUL) matches nothing, on every store.
    let nul = store.list(&ReleaseFilter::all().of_service("check\0out"));
    assert!(nul.as_ref().is_ok_and(|nul| nul.releases.is_empty()), "{name}: {nul:?}");
    assert!(keys_of(ReleaseFilter::all().in_stage(Stage::RolledBack)).is_empty());
    // A listing follows appends.
    let key = ReleaseKey::parse("checkout@2.4.1").unwrap();
    let mut deploying = store.load(&key).unwrap().release;
    let stored = deploying.events().len();
    deploying.roll_back("bad build", &common::grace(), t(60)).unwrap();
    store.save(&deploying, stored).unwrap();
    let rolled_back = store.list(&ReleaseFilter::all().in_stage(Stage::RolledBack)).unwrap().releases;
    assert_eq!(rolled_back, [ReleaseSummary::of(&deploying)], "{name}");
    assert_eq!(rolled_back[0].last_event_at, t(60));
}

/// Changes a release's version, for a second release of the same service.
trait TapVersion {
    fn tap_version(self, version: &str) -> Release;
}

impl TapVersion for Release {
    fn tap_version(self, version: &str) -> Release {
        let mut events = self.events().to_vec();
        if let release_workflow::event::EventKind::Planned { plan } = &mut events[0].what {
            let mut changed = serde_json::to_value(&**plan).unwrap();
            changed["version"] = serde_json::Value::String(version.to_owned());
            *plan = Arc::new(serde_json::from_value(changed).unwrap());
        }
        Release::replay(events, &common::trusting(&self)).unwrap()
    }
}

/// A check of the suite, run against one store.
type Check = fn(&Backend);

const SUITE: [(&str, Check); 19] = [
    ("deployments", deployments_are_the_records_of_the_releases_that_deployed),
    ("feed", feed::the_feed_numbers_every_stored_event_once_in_order),
    ("feed-race", feed::writers_racing_on_several_handles_get_distinct_numbers),
    ("feed-pages", feed::a_long_feed_comes_in_pages),
    ("feed-unreadable", feed::a_release_the_reader_cannot_read_is_reported_and_passed),
    ("feed-wait", feed::a_waiting_reader_wakes_for_an_append_and_times_out_without_one),
    ("overdue", the_store_lists_every_overdue_emergency_change),
    ("in-flight", one_release_of_a_service_is_in_flight_at_a_time),
    ("create", creates_loads_and_refuses_a_second_create),
    ("missing", names_the_closest_keys_of_a_missing_release),
    ("append", appends_check_the_events_and_the_version_read),
    ("race", racing_writers_on_several_handles_cannot_both_win),
    ("update", update_retries_until_every_concurrent_change_lands),
    ("listing", keys_and_listings_are_sorted_and_filtered),
    ("bad-keys", keys_that_cannot_name_a_release_are_refused),
    ("untrusted", a_release_on_an_untrusted_checklist_is_not_created),
    ("unreadable", listings_and_reports_go_on_past_what_they_cannot_read),
    ("trust-ledger", a_trust_ledger_records_who_trusted_each_version_and_revoking_stops_new_releases),
    ("load-many", loading_many_gives_each_in_the_order_asked_and_reports_the_rest),
];

/// Release `version` of checkout, frozen, its deploy gate settled and
/// approved: ready to deploy.
fn ready_to_deploy(version: &str) -> Release {
    let mut release = at_stage(Stage::Frozen).tap_version(version);
    common::complete_gate(&mut release, Gate::Deploy, t(20));
    release.approve(Gate::Deploy, &common::linus(), t(20)).unwrap();
    release
}

fn one_release_of_a_service_is_in_flight_at_a_time(backend: &Backend) {
    let name = backend.name;
    // Two handles race to deploy two releases of checkout: exactly one
    // wins, every round, and the other is told which release holds it.
    let handles = [backend.connect(), backend.connect()];
    for round in 0..6 {
        let versions = [format!("3.{round}.0"), format!("3.{round}.1")];
        let releases: Vec<Release> = versions.iter().map(|version| ready_to_deploy(version)).collect();
        for release in &releases {
            handles[0].create(release).unwrap();
        }
        let outcomes: Vec<(Release, Result<usize, StoreError>)> = std::thread::scope(|scope| {
            let threads: Vec<_> = releases
                .iter()
                .zip(&handles)
                .map(|(release, store)| {
                    let mut mine = release.clone();
                    scope.spawn(move || {
                        let stored = mine.events().len();
                        mine.advance_to(Stage::Deploying, &ada(), t(30)).unwrap();
                        let saved = store.save(&mine, stored);
                        (mine, saved)
                    })
                })
                .collect();
            threads.into_iter().map(|thread| thread.join().unwrap()).collect()
        });
        let winners: Vec<&Release> =
            outcomes.iter().filter(|(_, outcome)| outcome.is_ok()).map(|(release, _)| release).collect();
        assert_eq!(winners.len(), 1, "{name}, round {round}: {outcomes:?}");
        let winner = winners[0].version().to_string();
        let refusal = outcomes.iter().find_map(|(_, outcome)| outcome.as_ref().err()).unwrap();
        let message = refusal.to_string();
        assert!(
            message.contains(&format!("release {winner} of checkout is deploying")),
            "{name}, round {round}: {message}"
        );
        assert_eq!(refusal.next_actions(), [NextAction::WaitOrDeployInParallel], "{name}");
        // The loser is stored as it was: frozen; its status says who holds
        // the service.
        let loser = outcomes.iter().find(|(_, outcome)| outcome.is_err()).unwrap();
        let key = ReleaseKey::of(&loser.0);
        assert_eq!(handles[1].load(&key).unwrap().release.stage(), Stage::Frozen, "{name}");
        let status = handles[1].status(&key, t(31)).unwrap();
        let held = status.next_move.and_then(|next| next.held_by).expect("held");
        assert_eq!(held.version.to_string(), winner, "{name}");
        // Rolling the winner back frees the service for the loser.
        let winner_key = ReleaseKey::of(winners[0]);
        let mut deployed = handles[0].load(&winner_key).unwrap().release;
        let stored = deployed.events().len();
        deployed.roll_back("make way", &common::grace(), t(40)).unwrap();
        handles[0].save(&deployed, stored).unwrap();
        let mut second = handles[1].load(&key).unwrap().release;
        let stored = second.events().len();
        second.advance_to(Stage::Deploying, &ada(), t(50)).unwrap();
        handles[1].save(&second, stored).unwrap();
        // And rolled back too, for the next round.
        let stored = second.events().len();
        second.roll_back("next round", &common::grace(), t(60)).unwrap();
        handles[1].save(&second, stored).unwrap();
    }
    // A parallel deployment allowed by the policy's event goes beside one
    // in flight; another service is never held.
    let store = &handles[0];
    let first = ready_to_deploy("4.0.0");
    let mut parallel = ready_to_deploy("4.0.1");
    parallel.allow_parallel_deploy("the schema change ships beside 4.0.0", &ada(), t(21)).unwrap();
    for release in [&first, &parallel] {
        let key = store.create(release).unwrap();
        let mut deploying = release.clone();
        deploying.advance_to(Stage::Deploying, &ada(), t(30)).unwrap();
        store
            .save(&deploying, release.events().len())
            .unwrap_or_else(|error| panic!("{name}: {key}: {error}"));
    }
    let elsewhere = planned_for("search", "1.0.0");
    store.create(&elsewhere).unwrap();
    // A release created already in flight is held to the rule too.
    let mut imported = ready_to_deploy("4.0.2");
    imported.advance_to(Stage::Deploying, &ada(), t(30)).unwrap();
    let error = store.create(&imported).unwrap_err();
    assert!(error.to_string().contains("of checkout is deploying"), "{name}: {error}");
    assert!(
        matches!(store.load(&ReleaseKey::of(&imported)), Err(StoreError::ReleaseNotFound { .. })),
        "{name}"
    );
}

fn the_store_lists_every_overdue_emergency_change(backend: &Backend) {
    use release_workflow::policy::{ChangeType, EmergencyChange, Policy};
    let name = backend.name;
    let emergency = EmergencyChange::reviewed_by(
        1,
        [release_workflow::Role::CHANGE_APPROVER],
        chrono::TimeDelta::hours(24),
    )
    .with_deferrable_approvals([Gate::Deploy]);
    let template = Template::octoacme()
        .with_policy(Policy::octoacme().with_emergency_changes(emergency).unwrap())
        .unwrap();
    let store = (backend.trusting)(Trust::default().trusting(template.clone()));
    let mut hotfix = common::planned_on(template.clone());
    hotfix.reclassify(ChangeType::Emergency, "checkout is down", &ada(), t(0)).unwrap();
    common::complete_gate(&mut hotfix, Gate::Freeze, t(1));
    hotfix.advance_to(Stage::Frozen, &ada(), t(1)).unwrap();
    common::complete_gate(&mut hotfix, Gate::Deploy, t(2));
    hotfix.defer_approvals(Gate::Deploy, "nobody awake", &ada(), t(2)).unwrap();
    hotfix.advance_to(Stage::Deploying, &ada(), t(3)).unwrap();
    let key = store.create(&hotfix).unwrap();
    store.create(&planned_for("search", "1.0.0")).unwrap();
    let due = t(3) + chrono::TimeDelta::hours(24);
    assert!(store.overdue(t(4)).unwrap().releases.is_empty(), "{name}: not yet due");
    let overdue = store.overdue(due + chrono::TimeDelta::minutes(1)).unwrap();
    assert_eq!(overdue.releases.len(), 1, "{name}");
    assert_eq!((&overdue.releases[0].key, overdue.releases[0].due), (&key, due), "{name}");
    assert_eq!(overdue.releases[0].owed.len(), 1, "{name}: its review");
    // Reviewed, it owes nothing.
    let mut reviewed = hotfix.clone();
    reviewed.approve_review("right call", &common::linus(), due).unwrap();
    store.save(&reviewed, hotfix.events().len()).unwrap();
    assert!(store.overdue(due + chrono::TimeDelta::minutes(1)).unwrap().releases.is_empty(), "{name}");
}

/// Enough releases for the stores that read on several threads to use
/// more than one (each takes at least 32).
const MANY: usize = 70;

fn loading_many_gives_each_in_the_order_asked_and_reports_the_rest(backend: &Backend) {
    let name = backend.name;
    let both = (backend.trusting)(Trust::default().trusting(team_checklist()));
    let mut keys: Vec<ReleaseKey> =
        (0..MANY).map(|n| both.create(&planned_for("checkout", &format!("1.0.{n}"))).unwrap()).collect();
    let team = both.create(&common::planned_on(team_checklist())).unwrap();
    // Asked out of order, with a key twice, one not stored and one the
    // handle cannot read (it trusts only OctoAcme's checklist).
    keys.reverse();
    keys.insert(10, keys[3].clone());
    let missing = ReleaseKey::parse("checkout@1.0.700").unwrap();
    keys.insert(40, missing.clone());
    keys.insert(50, team.clone());
    let store = backend.connect();
    let loaded = store.load_many(&keys).unwrap();
    let readable: Vec<&ReleaseKey> = keys.iter().filter(|key| **key != missing && **key != team).collect();
    assert_eq!(loaded.releases.len(), readable.len(), "{name}");
    for (stored, key) in loaded.releases.iter().zip(&readable) {
        assert_eq!(ReleaseKey::of(&stored.release), **key, "{name}");
        assert_eq!(*stored, store.load(key).unwrap(), "{name}: {key} as `load` reads it");
    }
    let unreadable: Vec<&ReleaseKey> = loaded.unreadable.iter().map(|unreadable| &unreadable.key).collect();
    assert_eq!(unreadable, [&missing, &team], "{name}: in the order asked");
    match &loaded.unreadable[0].error {
        StoreError::ReleaseNotFound { suggestions, .. } => {
            assert!(
                !suggestions.is_empty() && suggestions.iter().all(|key| keys.contains(key)),
                "{name}: {suggestions:?}"
            )
        }
        other => panic!("{name}: expected not found, got {other:?}"),
    }
    assert_eq!(loaded.unreadable[1].error.next_actions(), [NextAction::TrustTemplate], "{name}");
    assert_eq!(loaded.unreadable[1].error.to_string(), store.load(&team).unwrap_err().to_string(), "{name}");
    // Only keys not stored: each still names the closest stored ones.
    let only_missing = store.load_many(std::slice::from_ref(&missing)).unwrap();
    match &only_missing.unreadable[..] {
        [unreadable] => match &unreadable.error {
            StoreError::ReleaseNotFound { suggestions, .. } => assert!(!suggestions.is_empty(), "{name}"),
            other => panic!("{name}: expected not found, got {other:?}"),
        },
        other => panic!("{name}: {other:?}"),
    }
    // Nothing asked, nothing read; and the handle that trusts both reads
    // them all.
    let none = store.load_many(&[]).unwrap();
    assert!(none.releases.is_empty() && none.unreadable.is_empty(), "{name}");
    let all = both.load_many(&keys[..]).unwrap();
    assert_eq!((all.releases.len(), all.unreadable.len()), (MANY + 2, 1), "{name}");
}

/// A team checklist of one deploy item.
fn team_checklist() -> Template {
    Template::builder("Team").section("Ship").item("ship.tested", "Tested", Gate::Deploy).build().unwrap()
}

fn a_release_on_an_untrusted_checklist_is_not_created(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let release = common::planned_on(team_checklist());
    let error = store.create(&release).unwrap_err();
    assert!(
        matches!(&error, StoreError::NotCreated { key, .. } if key == "checkout@2.4.0"),
        "{name}: {error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with("release checkout@2.4.0 was not stored, and nothing was written: "),
        "{message}"
    );
    assert!(message.contains("checklist \"Team\""), "{name}: {message}");
    assert_eq!(error.next_actions(), [NextAction::TrustTemplate], "{name}");
    assert!(message.ends_with(NextAction::TrustTemplate.describe()), "{name}: {message}");
    assert!(store.keys().unwrap().is_empty(), "{name}: nothing written");
    let fingerprint = team_checklist().fingerprint();
    assert_eq!(store.checklist(&fingerprint).unwrap(), None, "{name}: no checklist version kept");
    // Trusted, the same release is created and loads.
    let trusted = (backend.trusting)(Trust::default().trusting(team_checklist()));
    let key = trusted.create(&release).unwrap();
    assert_eq!(trusted.load(&key).unwrap().release, release, "{name}");
    // Its checklist version is kept, once, for every handle: one that does
    // not trust it can still show it to a reviewer.
    trusted.create(&common::planned_on(team_checklist()).tap_version("2.5.0")).unwrap();
    assert_eq!(store.checklist(&fingerprint).unwrap(), Some(team_checklist()), "{name}");
    assert_eq!(backend.connect().checklist(&fingerprint).unwrap(), Some(team_checklist()), "{name}");
    let unknown = Template::octoacme().without_policy().fingerprint();
    assert_eq!(store.checklist(&unknown).unwrap(), None, "{name}");
    assert_eq!(store.keys().unwrap().len(), 2, "{name}: kept versions are not releases");
}

fn listings_and_reports_go_on_past_what_they_cannot_read(backend: &Backend) {
    let name = backend.name;
    let both = (backend.trusting)(Trust::default().trusting(team_checklist()));
    let team = both.create(&common::planned_on(team_checklist())).unwrap();
    let deployed = both.create(&at_stage(Stage::Released).tap_version("2.5.0")).unwrap();
    assert_eq!(both.list(&ReleaseFilter::all()).unwrap().releases.len(), 2, "{name}");
    // A handle that trusts only OctoAcme's checklist cannot read the team's
    // release: it says which and why, and lists and counts the other.
    let store = backend.connect();
    let listing = store.list(&ReleaseFilter::all()).unwrap();
    let keys: Vec<&ReleaseKey> = listing.releases.iter().map(|summary| &summary.key).collect();
    assert_eq!(keys, [&deployed], "{name}");
    let [unreadable] = &listing.unreadable[..] else { panic!("{name}: {listing:?}") };
    assert_eq!(unreadable.key, team, "{name}");
    assert_eq!(unreadable.error.next_actions(), [NextAction::TrustTemplate], "{name}");
    assert!(unreadable.to_string().starts_with("checkout@2.4.0: "), "{name}: {unreadable}");
    assert!(unreadable.to_string().contains("checklist \"Team\""), "{name}: {unreadable}");
    let json = serde_json::to_value(&listing).unwrap();
    assert_eq!(json["unreadable"][0]["key"], "checkout@2.4.0", "{name}");
    assert_eq!(json["unreadable"][0]["reason"], unreadable.error.to_string(), "{name}");
    // A release that cannot be read is reported unless the store can tell
    // the filter leaves it out: PostgreSQL from its checked summary row.
    let filtered = store.list(&ReleaseFilter::all().in_stage(Stage::Released)).unwrap();
    let reported = usize::from(name != "postgres");
    assert_eq!((filtered.releases.len(), filtered.unreadable.len()), (1, reported), "{name}");
    let planned = store.list(&ReleaseFilter::all().in_stage(Stage::Planned)).unwrap();
    assert_eq!((planned.releases.len(), planned.unreadable.len()), (0, 1), "{name}");
    let deployments = store.deployments(&ReleaseFilter::all()).unwrap();
    assert_eq!(deployments.history.records().len(), 1, "{name}: the released one is counted");
    assert_eq!(deployments.history.records()[0].version(), "2.5.0", "{name}");
    let [unreadable] = &deployments.unreadable[..] else { panic!("{name}: {deployments:?}") };
    assert_eq!(unreadable.key, team, "{name}");
    // The handle that trusts both reads both, and counts the deployed one.
    let all = both.deployments(&ReleaseFilter::all()).unwrap();
    assert_eq!((all.history.records().len(), all.unreadable.len()), (1, 0), "{name}");
    let none = both.deployments(&ReleaseFilter::all().of_service("billing")).unwrap();
    assert!(none.history.records().is_empty() && none.unreadable.is_empty(), "{name}");
}

fn deployments_are_the_records_of_the_releases_that_deployed(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let mut rolled_back = at_stage(Stage::Deploying).tap_version("2.6.0");
    rolled_back.roll_back("error rate doubled", &ada(), t(40)).unwrap();
    let mut verifying = at_stage(Stage::Verifying).tap_version("2.7.0");
    let releases = vec![
        at_stage(Stage::Planned).tap_version("2.4.0"),
        at_stage(Stage::Released).tap_version("2.5.0"),
        rolled_back,
        verifying.clone(),
        planned_for("billing", "1.0.0"),
    ];
    for release in &releases {
        store.create(release).unwrap();
    }
    let expected = |releases: &[Release]| {
        let mut records = release_workflow::metrics::History::from_releases(releases).into_records();
        records.sort_by(|a, b| a.release().cmp(b.release()));
        records
    };
    let read = |filter: &ReleaseFilter| {
        let deployments = store.deployments(filter).unwrap();
        assert!(deployments.unreadable.is_empty(), "{name}: {:?}", deployments.unreadable);
        let mut records = deployments.history.into_records();
        records.sort_by(|a, b| a.release().cmp(b.release()));
        records
    };
    assert_eq!(read(&ReleaseFilter::all()), expected(&releases), "{name}");
    assert_eq!(read(&ReleaseFilter::all()).len(), 3, "{name}: the three that deployed");
    assert_eq!(read(&ReleaseFilter::all().in_stage(Stage::RolledBack)), expected(&releases[2..3]), "{name}");
    assert!(read(&ReleaseFilter::all().of_service("billing")).is_empty(), "{name}");
    // A release that moves on changes its record: released now, in production.
    let stored = verifying.events().len();
    common::advance(&mut verifying, t(60));
    assert_eq!(verifying.stage(), Stage::Released);
    store.save(&verifying, stored).unwrap();
    let now = read(&ReleaseFilter::all().in_stage(Stage::Released));
    assert_eq!(now, expected(&[releases[1].clone(), verifying]), "{name}");
    assert!(now.iter().all(|record| record.production_at().is_some()), "{name}");
}

/// The team's checklist with its item renamed: its next version.
fn team_checklist_v2() -> Template {
    Template::builder("Team")
        .section("Ship")
        .item("ship.tested", "Tested in staging", Gate::Deploy)
        .build()
        .unwrap()
}

fn a_trust_ledger_records_who_trusted_each_version_and_revoking_stops_new_releases(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    assert!(store.trust_ledger().unwrap().entries().is_empty(), "{name}");
    // Trusted in the ledger, the team's checklist is trusted by every
    // handle on the store, though none was given it.
    let record =
        store.trust_checklist(&team_checklist(), None, &ada(), t(1), "first team checklist").unwrap();
    assert_eq!((record.name.as_str(), record.replaces, record.at), ("Team", None, t(1)), "{name}");
    let v1 = common::planned_on(team_checklist());
    let v1_key = backend.connect().create(&v1).unwrap();
    assert_eq!(backend.connect().load(&v1_key).unwrap().release, v1, "{name}");
    // A second version names the one it replaces and what differs.
    let record = store
        .trust_checklist(&team_checklist_v2(), Some(&team_checklist()), &ada(), t(2), "clearer title")
        .unwrap();
    assert_eq!(record.replaces, Some(team_checklist().fingerprint()), "{name}");
    assert_eq!(record.differences, team_checklist_v2().differences_from(&team_checklist()), "{name}");
    assert_eq!(record.differences.len(), 1, "{name}");
    // An open release moves to the new version: the store keeps it, and
    // every handle loads the release on it.
    let mut moving = backend.connect().load(&v1_key).unwrap().release;
    moving.move_to_checklist(&team_checklist_v2(), "clearer title", &ada(), t(2)).unwrap();
    backend.connect().save(&moving, 1).unwrap();
    assert_eq!(backend.connect().load(&v1_key).unwrap().release.template(), &team_checklist_v2(), "{name}");
    let still_on_v1 =
        backend.connect().create(&common::planned_on(team_checklist()).tap_version("2.4.5")).unwrap();
    // Trusting it again is refused, naming when it was; nothing is written.
    let error = store.trust_checklist(&team_checklist_v2(), None, &ada(), t(3), "again").unwrap_err();
    assert!(
        matches!(&error, StoreError::Release(ReleaseError::Ledger(LedgerError::AlreadyTrusted { .. }))),
        "{name}: {error:?}"
    );
    let error = store.trust_checklist(&team_checklist(), None, &ada(), t(3), " ").unwrap_err();
    assert!(
        matches!(&error, StoreError::Release(ReleaseError::Ledger(LedgerError::Text(_)))),
        "{name}: {error:?}"
    );
    assert_eq!(store.trust_ledger().unwrap().entries().len(), 2, "{name}");
    // Revoking the first: no new release on it, the old one still loads
    // and says so.
    let revocation =
        store.revoke_checklist(&team_checklist().fingerprint(), &ada(), t(4), "superseded").unwrap();
    let error =
        backend.connect().create(&common::planned_on(team_checklist()).tap_version("2.4.1")).unwrap_err();
    let StoreError::NotCreated { source, .. } = &error else { panic!("{name}: {error:?}") };
    assert!(matches!(**source, ReleaseError::RevokedChecklist { .. }), "{name}: {error:?}");
    assert!(
        error.to_string().contains("revoked by Ada Lovelace on 2026-11-30 09:04 UTC: superseded"),
        "{name}: {error}"
    );
    let stored = backend.connect().load(&still_on_v1).unwrap();
    assert_eq!(stored.release.template(), &team_checklist(), "{name}");
    assert_eq!(stored.revoked, Some(revocation.clone()), "{name}");
    let moved = backend.connect().load(&v1_key).unwrap();
    assert_eq!((moved.release, moved.revoked), (moving, None), "{name}: it follows v2 now");
    backend.connect().create(&common::planned_on(team_checklist_v2()).tap_version("2.5.0")).unwrap();
    let error = store.revoke_checklist(&team_checklist().fingerprint(), &ada(), t(5), "twice").unwrap_err();
    assert!(
        matches!(&error, StoreError::Release(ReleaseError::Ledger(LedgerError::AlreadyRevoked { .. }))),
        "{name}: {error:?}"
    );
    // The ledger reads the same on every handle, with its lineage.
    let ledger = backend.connect().trust_ledger().unwrap();
    assert_eq!(ledger.entries().len(), 3, "{name}");
    assert_eq!(ledger.revocation(&team_checklist().fingerprint()), Some(&revocation), "{name}");
    let lineage: Vec<&str> =
        ledger.lineage(&team_checklist_v2().fingerprint()).iter().map(|r| r.why.as_str()).collect();
    assert_eq!(lineage, ["clearer title", "first team checklist"], "{name}");
    // A handle that wrote on a stale view of the ledger is told, and a
    // second try lands: two writers, one ledger.
    let error =
        store.append_trust(1, &release_workflow::release::TrustEntry::Revoked(revocation), None).unwrap_err();
    assert!(matches!(&error, StoreError::Conflict { expected: 1, actual: 3, .. }), "{name}: {error:?}");
    assert!(
        store.checklist(&team_checklist_v2().fingerprint()).unwrap().is_some(),
        "{name}: the version is kept"
    );
}

fn keys_that_cannot_name_a_release_are_refused(backend: &Backend) {
    let store = backend.connect();
    for bad in ["", ".hidden", "a/b@1", "x@1.0.0\n", "a b@1"] {
        let error = ReleaseKey::parse(bad).unwrap_err();
        assert!(matches!(error, StoreError::InvalidKey { .. }), "{bad:?}: {error:?}");
    }
    assert!(store.keys().unwrap().is_empty(), "{}", backend.name);
}

#[test]
fn the_memory_and_file_stores_conform() {
    for (test, check) in SUITE {
        on_local_stores(test, check);
    }
}

/// Says `message` on the terminal even while the test harness captures
/// output: a skipped test must not pass silently.
fn say_loudly(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {message} ***\n");
}

#[cfg(not(feature = "postgres"))]
#[test]
fn the_postgres_store_conforms() {
    say_loudly(
        "the PostgreSQL store's conformance suite: this build has no `postgres` feature. Run \
         `cargo test --features postgres --test store_conformance` with RELEASE_WORKFLOW_TEST_DATABASE_URL set",
    );
    assert!(
        std::env::var_os("RELEASE_WORKFLOW_REQUIRE_POSTGRES").is_none(),
        "RELEASE_WORKFLOW_REQUIRE_POSTGRES is set, but this build has no `postgres` feature"
    );
}

#[cfg(feature = "postgres")]
mod postgres_store {
    use super::*;
    use release_workflow::{
        Gate, Template,
        digest::SealKey,
        release::{Integrity, Trust},
        store::{PostgresStore, SCHEMA_VERSION},
    };

    /// The server's URL, or `None` after saying loudly that the test is skipped.
    fn database_url(test: &str) -> Option<String> {
        match std::env::var("RELEASE_WORKFLOW_TEST_DATABASE_URL") {
            Ok(url) => Some(url),
            Err(_) => {
                say_loudly(&format!(
                    "PostgreSQL test `{test}`: set RELEASE_WORKFLOW_TEST_DATABASE_URL to a database this test \
                     may create schemas in"
                ));
                assert!(
                    std::env::var_os("RELEASE_WORKFLOW_REQUIRE_POSTGRES").is_none(),
                    "RELEASE_WORKFLOW_REQUIRE_POSTGRES is set, but RELEASE_WORKFLOW_TEST_DATABASE_URL is not"
                );
                None
            }
        }
    }

    /// A raw connection, for what the store does not do: dropping a
    /// schema, editing rows behind its back.
    fn raw(url: &str) -> postgres::Client {
        postgres::Client::connect(url, postgres::NoTls).unwrap()
    }

    /// Why loading `key` fails; a release that loads is a failure.
    /// Why `key` does not load; loading many reads it the same way.
    fn load_error(store: &PostgresStore, key: &ReleaseKey) -> StoreError {
        let error = match store.load(key) {
            Ok(_) => panic!("{key} loaded, but its rows were changed"),
            Err(error) => error,
        };
        let many = store.load_many(std::slice::from_ref(key)).unwrap();
        assert!(many.releases.is_empty(), "{key} loaded with others, but its rows were changed");
        assert_eq!(many.unreadable[0].error.to_string(), error.to_string(), "{key} loaded with others");
        error
    }

    /// A fresh, empty schema for `test`.
    fn fresh_schema(url: &str, test: &str) -> String {
        let schema = format!("conformance_{}_{}", test.replace('-', "_"), std::process::id());
        raw(url).batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
        schema
    }

    /// Drops a test's schema once it passed (a failed test leaves it to look at).
    fn drop_schema(url: &str, schema: &str) {
        raw(url).batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
    }

    #[test]
    fn migrate_brings_older_rows_to_the_current_format_and_keeps_their_history() {
        let Some(url) = database_url("migrate_brings_older_rows_to_the_current_format") else { return };
        let schema = fresh_schema(&url, "migrate");
        let store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        let release = at_stage(Stage::Frozen);
        let key = store.create(&release).unwrap();
        store.create(&planned_for("web", "1.0.0")).unwrap();
        // Rows as format 4 wrote them: the planning line holds its checklist.
        let document = serde_json::to_value(&release).unwrap();
        let format_4_line = document["events"][0].to_string();
        let line_of = |client: &mut postgres::Client| -> String {
            let sql = format!("SELECT line FROM {schema}.events WHERE key = $1 AND seq = 0");
            client.query_one(&sql, &[&key.as_str()]).unwrap().get(0)
        };
        let mut client = raw(&url);
        client
            .execute(
                &format!("UPDATE {schema}.events SET line = $2 WHERE key = $1 AND seq = 0"),
                &[&key.as_str(), &format_4_line],
            )
            .unwrap();
        client
            .execute(&format!("UPDATE {schema}.releases SET format = 4 WHERE key = $1"), &[&key.as_str()])
            .unwrap();
        let store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        assert_eq!(store.load(&key).unwrap().release, release, "format 4 loads");

        let plan = store.plan_migration().unwrap();
        let planned: Vec<(&str, u32)> =
            plan.migrated.iter().map(|log| (log.key.as_str(), log.from)).collect();
        assert_eq!(planned, [("checkout@2.4.0", 4)]);
        assert_eq!((plan.current, plan.unreadable.len()), (1, 0));
        assert_eq!(line_of(&mut client), format_4_line, "a dry run writes nothing");

        let done = store.migrate().unwrap();
        assert_eq!(done.migrated, plan.migrated);
        assert_eq!(done.migrated[0].head_before, Some(release.head()));
        assert_eq!(done.migrated[0].head_after, release.head());
        let fingerprint = release.template().fingerprint().to_string();
        let migrated_line = line_of(&mut client);
        assert!(migrated_line.contains(&format!(r#""template":"{fingerprint}""#)), "{migrated_line}");
        let row = client
            .query_one(
                &format!("SELECT format, migrated FROM {schema}.releases WHERE key = $1"),
                &[&key.as_str()],
            )
            .unwrap();
        assert_eq!(row.get::<_, i32>(0), 5);
        let record: serde_json::Value = serde_json::from_str(row.get::<_, &str>(1)).unwrap();
        assert_eq!(record, serde_json::json!({"format": 4, "head": release.head().to_string()}));
        let fresh = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        let loaded = fresh.load(&key).unwrap().release;
        assert_eq!(loaded, release);
        loaded.verify_anchor(&release.head()).unwrap();
        let listing = fresh.list(&ReleaseFilter::all()).unwrap();
        assert_eq!((listing.releases.len(), listing.unreadable.len()), (2, 0), "{listing:?}");
        let again = fresh.migrate().unwrap();
        assert!(again.migrated.is_empty() && again.current == 2, "{again:?}");
        drop_schema(&url, &schema);
    }

    #[test]
    fn the_postgres_store_conforms() {
        let Some(url) = database_url("the_postgres_store_conforms") else { return };
        for (test, check) in SUITE {
            let schema = fresh_schema(&url, test);
            let (at, named) = (url.clone(), schema.clone());
            let trusting = Box::new(move |trust| -> Shared {
                Arc::new(PostgresStore::connect_to_schema(&at, &named).unwrap().with_trust(trust))
            });
            check(&Backend { name: "postgres", trusting });
            drop_schema(&url, &schema);
        }
    }

    #[test]
    fn a_store_connects_again_once_when_the_server_ends_its_session() {
        let Some(url) = database_url("a_store_connects_again_once_when_the_server_ends_its_session") else {
            return;
        };
        let schema = fresh_schema(&url, "reconnect");
        // The store's sessions carry a name of their own, so that ending them
        // ends no other test's.
        let name = format!("reconnect_{}", std::process::id());
        let tagged = format!("{url}{}application_name={name}", if url.contains('?') { '&' } else { '?' });
        let end_sessions = || {
            raw(&url)
                .execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                    &[&name],
                )
                .unwrap()
        };
        let store = PostgresStore::connect_to_schema(&tagged, &schema).unwrap();
        let key = store.create(&planned()).unwrap();
        // As a server restart does to every session.
        assert_eq!(end_sessions(), 1);
        assert_eq!(store.load(&key).unwrap().release, planned(), "a read connects again and answers");
        assert_eq!(end_sessions(), 1);
        let mut more = planned();
        more.complete("planning.scope-documented", &ada(), t(1)).unwrap();
        assert_eq!(
            store.save(&more, 1).unwrap(),
            2,
            "an append had not written: it connects again and writes"
        );
        assert_eq!(store.keys().unwrap().len(), 1);
        // A store made on a caller's client cannot connect again, and says so.
        let on_client =
            PostgresStore::with_client(postgres::Client::connect(&tagged, postgres::NoTls).unwrap(), &schema)
                .unwrap();
        end_sessions();
        let error = on_client.load(&key).unwrap_err();
        let message = error.to_string();
        assert!(matches!(&error, StoreError::Database { reconnects: false, .. }), "{error:?}");
        assert!(message.starts_with("cannot ") && !message.contains("prepare a statement"), "{message}");
        assert!(message.contains(":5432: "), "names the server: {message}");
        assert!(
            message.ends_with("this store was made on a client (`with_client`) and cannot reconnect: connect a new client and make a new store"),
            "{message}"
        );
        // A server that is not there is named, with the cause.
        let error = PostgresStore::connect("postgres://nobody:wrong@127.0.0.1:1/none").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot connect to the database at 127.0.0.1:1: Connection refused"),
            "{error}"
        );
        assert!(
            error.to_string().ends_with("check that the server runs there and accepts this login"),
            "{error}"
        );
        drop_schema(&url, &schema);
    }

    #[test]
    fn the_schema_is_created_once_and_a_newer_one_is_refused() {
        let Some(url) = database_url("the_schema_is_created_once_and_a_newer_one_is_refused") else { return };
        let schema = fresh_schema(&url, "schema");
        let stores: Vec<PostgresStore> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| PostgresStore::connect_to_schema(&url, &schema).unwrap()))
                .collect();
            threads.into_iter().map(|thread| thread.join().unwrap()).collect()
        });
        assert_eq!(stores[0].schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(stores[0].schema(), schema);
        let versions: i64 = raw(&url)
            .query_one(&format!("SELECT count(*) FROM {schema}.schema_version"), &[])
            .unwrap()
            .get(0);
        assert_eq!(versions, i64::from(SCHEMA_VERSION), "four replicas starting together migrate once");
        raw(&url).execute(&format!("INSERT INTO {schema}.schema_version VALUES (99)"), &[]).unwrap();
        assert_eq!(
            stores[0].schema_version().unwrap(),
            99,
            "what the database says, not what the crate writes"
        );
        let error = PostgresStore::connect_to_schema(&url, &schema).unwrap_err();
        assert!(matches!(error, StoreError::Schema { .. }), "{error:?}");
        assert!(
            error.to_string().contains("is at version 99, written by a newer release-workflow"),
            "{error}"
        );
        let too_long = "s".repeat(64);
        for bad in ["Releases", "release-workflow", "x; DROP TABLE y", "", "1st", "é", &too_long] {
            let error = PostgresStore::connect_to_schema(&url, bad).unwrap_err();
            assert!(error.to_string().contains("is not a plain identifier"), "{bad}: {error}");
        }
        // The longest name PostgreSQL keeps whole, a leading underscore, and
        // plain names that SQL also reads as keywords: each holds releases.
        let good = [format!("_{}", "s".repeat(62)), format!("_x{}", std::process::id())];
        for good in good.iter().map(String::as_str).chain(["user", "select", "order"]) {
            raw(&url).batch_execute(&format!("DROP SCHEMA IF EXISTS \"{good}\" CASCADE")).unwrap();
            let store = PostgresStore::connect_to_schema(&url, good)
                .unwrap_or_else(|error| panic!("{good}: {error}"));
            assert_eq!(store.schema(), good);
            let key = store.create(&planned()).unwrap();
            assert_eq!(store.load(&key).unwrap().release, planned(), "{good}");
            assert_eq!(store.list(&ReleaseFilter::all()).unwrap().releases.len(), 1, "{good}");
            drop_schema(&url, good);
        }
        let error = PostgresStore::connect("postgres://nobody:wrong@127.0.0.1:1/none").unwrap_err();
        assert!(matches!(error, StoreError::Database { action: "connect to", .. }), "{error:?}");
        assert!(std::error::Error::source(&error).is_some());
        drop_schema(&url, &schema);
    }

    #[test]
    fn a_deployment_record_edited_by_sql_is_reported_and_a_row_without_one_is_read_from_its_log() {
        let Some(url) = database_url("a_deployment_record_edited_by_sql_is_reported") else { return };
        let schema = fresh_schema(&url, "deployment");
        let store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        let mut client = raw(&url);
        let released = at_stage(Stage::Released);
        let key = store.create(&released).unwrap();
        let expected = release_workflow::metrics::DeploymentRecord::from_release(&released).unwrap();
        assert_eq!(
            store.deployments(&ReleaseFilter::all()).unwrap().history.records(),
            std::slice::from_ref(&expected)
        );
        // A row as schema version 3 left it: no record, no check. The report
        // reads its log once, and writes both.
        client
            .execute(&format!("UPDATE {schema}.releases SET deployment = NULL, deployment_check = NULL"), &[])
            .unwrap();
        assert_eq!(
            store.deployments(&ReleaseFilter::all()).unwrap().history.records(),
            std::slice::from_ref(&expected)
        );
        let (record, check): (Option<String>, Option<String>) = {
            let row = client
                .query_one(&format!("SELECT deployment, deployment_check FROM {schema}.releases"), &[])
                .unwrap();
            (row.get(0), row.get(1))
        };
        assert!(record.as_deref().is_some_and(|record| record.contains("\"production_at\"")), "{record:?}");
        assert!(check.is_some_and(|check| check.len() == 64));
        // A record rewritten by SQL (the rollback erased) is reported, not
        // counted; restored, it counts again.
        let honest = record.unwrap();
        client
            .execute(
                &format!("UPDATE {schema}.releases SET deployment = $1"),
                &[&honest.replace("2.4.0", "9.9.9")],
            )
            .unwrap();
        let deployments = store.deployments(&ReleaseFilter::all()).unwrap();
        assert!(deployments.history.records().is_empty());
        let [unreadable] = &deployments.unreadable[..] else { panic!("{deployments:?}") };
        assert_eq!(unreadable.key, key);
        assert!(
            unreadable.error.to_string().contains("its deployment record was changed outside the store"),
            "{unreadable}"
        );
        client.execute(&format!("UPDATE {schema}.releases SET deployment = $1"), &[&honest]).unwrap();
        assert_eq!(store.deployments(&ReleaseFilter::all()).unwrap().history.records(), [expected]);
        drop_schema(&url, &schema);
    }

    #[test]
    fn a_deployment_record_the_database_refuses_to_write_fails_the_report_instead_of_dropping_the_release() {
        let Some(url) = database_url("a_deployment_record_the_database_refuses_to_write_fails_the_report")
        else {
            return;
        };
        let schema = fresh_schema(&url, "deployment_write");
        let store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        let mut client = raw(&url);
        let released = at_stage(Stage::Released);
        store.create(&released).unwrap();
        // A row as schema version 3 left it, in a database that refuses
        // the record's write: the failure is the database's, not the
        // release's, so the report fails rather than count one release
        // fewer and call it unreadable.
        client
            .batch_execute(&format!(
                "UPDATE {schema}.releases SET deployment = NULL, deployment_check = NULL;
                 CREATE FUNCTION {schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS
                   $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$;
                 CREATE TRIGGER refuse BEFORE UPDATE ON {schema}.releases
                   FOR EACH ROW EXECUTE FUNCTION {schema}.refuse();"
            ))
            .unwrap();
        let error = store.deployments(&ReleaseFilter::all()).unwrap_err();
        assert!(
            matches!(error, StoreError::Database { action: "write the deployment record in", .. }),
            "{error:?}"
        );
        assert!(!error.is_about_one_release(), "{error:?}");
        // Written again once the database takes it, the record counts.
        client.batch_execute(&format!("DROP TRIGGER refuse ON {schema}.releases")).unwrap();
        let expected = release_workflow::metrics::DeploymentRecord::from_release(&released).unwrap();
        assert_eq!(store.deployments(&ReleaseFilter::all()).unwrap().history.records(), [expected]);
        drop_schema(&url, &schema);
    }

    #[test]
    fn a_summary_row_edited_by_sql_is_refused_on_load_and_in_listings() {
        let Some(url) = database_url("a_summary_row_edited_by_sql_is_refused_on_load_and_in_listings") else {
            return;
        };
        let schema = fresh_schema(&url, "summary");
        let store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        let mut client = raw(&url);
        let key = store.create(&at_stage(Stage::Deploying)).unwrap();
        let honest = store.list(&ReleaseFilter::all()).unwrap().releases;
        assert_eq!(honest.len(), 1);
        // The stage, then the service, rewritten by SQL.
        for (column, value, named) in [
            ("stage", "released", "stage (the row says released, the log deploying)"),
            ("service", "billing", "service (the row says billing, the log checkout)"),
            ("last_event_at", "2030-01-01T00:00:00Z", "last event time (the row says 2030-01-01T00:00:00Z"),
        ] {
            let sql = format!(
                "UPDATE {schema}.releases SET {column} = $2::text::{} WHERE key = $1",
                match column {
                    "last_event_at" => "timestamptz",
                    _ => "text",
                }
            );
            let before: String = client
                .query_one(
                    &format!("SELECT {column}::text FROM {schema}.releases WHERE key = $1"),
                    &[&key.as_str()],
                )
                .unwrap()
                .get(0);
            client.execute(&sql, &[&key.as_str(), &value]).unwrap();
            let error = PostgresStore::connect_to_schema(&url, &schema).unwrap().load(&key).unwrap_err();
            assert!(matches!(error, StoreError::NotALog { .. }), "{column}: {error:?}");
            assert!(error.to_string().contains(named), "{column}: {error}");
            // The listing reports the row it cannot vouch for, by key, and
            // goes on.
            let listed = store.list(&ReleaseFilter::all()).unwrap();
            assert!(listed.releases.is_empty(), "{column}");
            let [unreadable] = &listed.unreadable[..] else { panic!("{column}: {listed:?}") };
            assert_eq!(unreadable.key, key);
            assert!(
                unreadable.error.to_string().contains("its summary row was changed outside the store"),
                "{column}: {unreadable}"
            );
            client.execute(&sql, &[&key.as_str(), &before]).unwrap();
            assert_eq!(store.list(&ReleaseFilter::all()).unwrap().releases, honest, "{column} restored");
        }
        // A database of schema version 1 (no checks) is migrated when a store
        // connects; its rows are verified by loading their release once, and
        // their check written.
        client
            .batch_execute(&format!(
                "ALTER TABLE {schema}.releases DROP COLUMN summary_check, DROP COLUMN checklist, DROP COLUMN migrated;
                 DROP TABLE {schema}.checklists; DROP TABLE {schema}.trust_ledger;
                 ALTER TABLE {schema}.events DROP COLUMN feed; DROP TABLE {schema}.feed_counter;
                 ALTER TABLE {schema}.releases DROP COLUMN deployment, DROP COLUMN deployment_check;
                 DELETE FROM {schema}.schema_version WHERE version > 1;"
            ))
            .unwrap();
        let store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.list(&ReleaseFilter::all()).unwrap().releases, honest);
        let filled: Option<String> = client
            .query_one(
                &format!("SELECT summary_check FROM {schema}.releases WHERE key = $1"),
                &[&key.as_str()],
            )
            .unwrap()
            .get(0);
        assert!(filled.is_some_and(|check| check.len() == 64));
        let checklist: Option<String> = client
            .query_one(&format!("SELECT checklist FROM {schema}.releases WHERE key = $1"), &[&key.as_str()])
            .unwrap()
            .get(0);
        assert_eq!(checklist, Some(Template::octoacme().fingerprint().to_string()), "filled by the listing");
        // ... and such a row edited is refused by that load.
        client
            .execute(&format!("UPDATE {schema}.releases SET summary_check = NULL, stage = 'planned'"), &[])
            .unwrap();
        let listed = store.list(&ReleaseFilter::all()).unwrap();
        let [unreadable] = &listed.unreadable[..] else { panic!("{listed:?}") };
        let error = unreadable.error.to_string();
        assert!(error.contains("stage (the row says planned, the log deploying)"), "{error}");
        drop_schema(&url, &schema);
    }

    #[test]
    fn rows_changed_behind_the_stores_back_are_refused_on_load() {
        let Some(url) = database_url("rows_changed_behind_the_stores_back_are_refused_on_load") else {
            return;
        };
        let schema = fresh_schema(&url, "tamper");
        let store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        let release = at_stage(Stage::Verifying);
        let key = store.create(&release).unwrap();
        let loaded = store.load(&key).unwrap();
        assert_eq!(loaded.integrity, Integrity::Chained);
        let mut client = raw(&url);
        // Re-attributing an event: the chain no longer holds.
        client
            .execute(
                &format!(
                    "UPDATE {schema}.events SET line = replace(line, 'Ada Lovelace', 'Grace Hopper') \
                     WHERE key = $1 AND seq = 3"
                ),
                &[&key.as_str()],
            )
            .unwrap();
        let error = load_error(&store, &key);
        assert!(
            matches!(&error, StoreError::Refused { line: 5, .. } | StoreError::CorruptLog { line: 5, .. }),
            "{error:?}"
        );
        assert!(error.to_string().starts_with(&format!("{schema}.events/checkout@2.4.0, line 5")), "{error}");
        // A missing row is named.
        let fresh = at_stage(Stage::Frozen).tap_version("2.5.0");
        let key = store.create(&fresh).unwrap();
        client
            .execute(&format!("DELETE FROM {schema}.events WHERE key = $1 AND seq = 1"), &[&key.as_str()])
            .unwrap();
        let error = load_error(&store, &key);
        assert!(
            error.to_string().contains("line 3: event 2 is missing: the next stored event is event 3"),
            "{error}"
        );
        // A summary that disagrees with the rows: the last row removed.
        let other = planned().tap_version("2.6.0");
        let key = store.create(&other).unwrap();
        let mut more = other.clone();
        more.complete("planning.scope-documented", &ada(), t(1)).unwrap();
        store.save(&more, 1).unwrap();
        client
            .execute(&format!("DELETE FROM {schema}.events WHERE key = $1 AND seq = 1"), &[&key.as_str()])
            .unwrap();
        let error = load_error(&store, &key);
        assert!(
            error.to_string().contains(
                "its summary row disagrees with its event rows on event count (the row says 2, the log 1), head"
            ),
            "{error}"
        );
        // A summary row whose head was rewritten is noticed by the next
        // append of the store that wrote it, not trusted from its memory.
        let edited = planned().tap_version("2.7.0");
        let key_edited = store.create(&edited).unwrap();
        client
            .execute(
                &format!("UPDATE {schema}.releases SET head = repeat('0', 64) WHERE key = $1"),
                &[&key_edited.as_str()],
            )
            .unwrap();
        let mut on_top = edited.clone();
        on_top.complete("planning.scope-documented", &ada(), t(1)).unwrap();
        let error = store.save(&on_top, 1).unwrap_err();
        assert!(
            error.to_string().contains(&format!(
                "disagrees with its event rows on head (the row says {}, the log",
                "0".repeat(64)
            )),
            "{error}"
        );
        // A row added beyond the summary's count is found by the next append.
        let stray = planned().tap_version("2.9.0");
        let key_stray = store.create(&stray).unwrap();
        client
            .execute(
                &format!("INSERT INTO {schema}.events (key, seq, line) VALUES ($1, 1, '{{}}')"),
                &[&key_stray.as_str()],
            )
            .unwrap();
        let mut after = stray.clone();
        after.complete("planning.scope-documented", &ada(), t(1)).unwrap();
        let error = store.save(&after, 1).unwrap_err();
        assert!(matches!(error, StoreError::NotALog { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .contains("holds an event row numbered 1, beyond the 1 event its summary row counts"),
            "{error}"
        );
        // A database error that is not a conflict is reported as what it is.
        let limited = planned().tap_version("2.8.0");
        let key_limited = store.create(&limited).unwrap();
        client
            .batch_execute(&format!(
                "ALTER TABLE {schema}.events ADD CONSTRAINT short_logs CHECK (seq < 1) NOT VALID"
            ))
            .unwrap();
        let mut longer = limited.clone();
        longer.complete("planning.scope-documented", &ada(), t(1)).unwrap();
        let error = store.save(&longer, 1).unwrap_err();
        assert!(matches!(error, StoreError::Database { action: "append to a release in", .. }), "{error:?}");
        assert!(error.to_string().contains("short_logs"), "{error}");
        client.batch_execute(&format!("ALTER TABLE {schema}.events DROP CONSTRAINT short_logs")).unwrap();
        assert_eq!(store.save(&longer, 1).unwrap(), 2, "{key_limited} appends once the constraint is gone");
        // And an append on top of it is refused rather than built on it.
        let fresh_store = PostgresStore::connect_to_schema(&url, &schema).unwrap();
        assert!(fresh_store.append(&key, 2, &[]).is_ok(), "an empty append writes nothing");
        let mut next = more.clone();
        next.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
        assert!(fresh_store.save(&next, 2).is_err());
        drop_schema(&url, &schema);
    }

    #[test]
    fn a_store_given_another_trust_checks_again_what_it_remembers() {
        let Some(url) = database_url("a_store_given_another_trust_checks_again_what_it_remembers") else {
            return;
        };
        let schema = fresh_schema(&url, "retrust");
        let ours = Template::builder("Ours")
            .section("Ship")
            .item("ship.done", "Done", Gate::Deploy)
            .build()
            .unwrap();
        let trusting = PostgresStore::connect_to_schema(&url, &schema)
            .unwrap()
            .with_trust(Trust::default().trusting(ours.clone()));
        let mut release = planned_for("ours", "1.0.0");
        let mut events = release.events().to_vec();
        if let release_workflow::event::EventKind::Planned { plan } = &mut events[0].what {
            let mut changed = serde_json::to_value(&**plan).unwrap();
            changed["template"] = serde_json::to_value(&ours).unwrap();
            *plan = Arc::new(serde_json::from_value(changed).unwrap());
        }
        release = Release::replay(events, &Trust::default().trusting(ours)).unwrap();
        trusting.create(&release).unwrap();
        // The same store, now trusting only the built-in checklist: what it
        // wrote a moment ago is read and refused, not appended to from memory.
        assert!(trusting.trust().templates().any(|template| template.name() == "Ours"));
        let strict = trusting.with_trust(Trust::default());
        assert!(!strict.trust().templates().any(|template| template.name() == "Ours"));
        let stored = release.events().len();
        release.complete("ship.done", &ada(), t(1)).unwrap();
        let error = strict.save(&release, stored).unwrap_err();
        assert!(
            matches!(&error, StoreError::Refused { source, .. }
            if matches!(**source, ReleaseError::UntrustedTemplate { .. })),
            "{error:?}"
        );
        drop_schema(&url, &schema);
    }

    #[test]
    fn a_sealed_store_seals_what_it_writes() {
        let Some(url) = database_url("a_sealed_store_seals_what_it_writes") else { return };
        let schema = fresh_schema(&url, "sealed");
        let key = SealKey::new(vec![7; 32]).unwrap();
        let sealed = PostgresStore::connect_to_schema(&url, &schema)
            .unwrap()
            .with_trust(Trust::default().with_key(key));
        assert!(sealed.trust().has_key());
        let mut release = planned();
        let stored = sealed.create(&release).unwrap();
        release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
        sealed.save(&release, 1).unwrap();
        assert_eq!(sealed.load(&stored).unwrap().integrity, Integrity::Sealed);
        let other_key = SealKey::new(vec![8; 32]).unwrap();
        let stranger = PostgresStore::connect_to_schema(&url, &schema)
            .unwrap()
            .with_trust(Trust::default().with_key(other_key));
        assert!(stranger.load(&stored).is_err(), "a log sealed with another key is refused");
        drop_schema(&url, &schema);
    }
}
