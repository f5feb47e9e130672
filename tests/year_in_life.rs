//! A year in the life of a team: a weekly release on a file store, its
//! checklist edited five times between releases, people changing during
//! releases, and a crate upgrade (a migration) along the way. Every old
//! release still loads, every new one is on the newest version, a DORA
//! report over all of them works, and the trust ledger says who accepted
//! each version.
#![cfg(feature = "store")]

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::TempDir;
use release_workflow::{
    Actor, Gate, Release, ReleaseKind, Role, Stage, Template,
    metrics::{ReportOptions, Window},
    release::Trust,
    store::{FileStore, ReleaseFilter, ReleaseStore},
};

/// Monday 2026-01-05 09:00 UTC plus `weeks` and `minutes`.
fn at(weeks: i64, minutes: i64) -> DateTime<Utc> {
    "2026-01-05T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
        + TimeDelta::weeks(weeks)
        + TimeDelta::minutes(minutes)
}

fn person(id: &str, name: &str, role: Role) -> Actor {
    Actor::new(id, name, role).unwrap()
}

/// The team's checklist after `edits` edits: each edit is one a team makes
/// (a title reworded, an item added, an item made optional, a section
/// added, an item moved to another gate).
fn checklist(edits: usize) -> Template {
    let mut builder = Template::builder("Payments team").section("Ship");
    builder = builder.item(
        "ship.built",
        if edits >= 1 { "Built from a tagged commit" } else { "Built" },
        Gate::Freeze,
    );
    builder = if edits >= 3 {
        builder.item_if_applicable("ship.migrated", "Database migrated", Gate::Deploy)
    } else {
        builder.item("ship.migrated", "Database migrated", Gate::Deploy)
    };
    builder = builder.item("ship.deployed", "Deployed to production", Gate::Deploy);
    if edits >= 2 {
        builder = builder.item("ship.canary", "Canary healthy for 15 minutes", Gate::Verify);
    }
    let smoke_gate = if edits >= 5 { Gate::Verify } else { Gate::Release };
    builder = builder.item("ship.smoke", "Smoke tests pass", smoke_gate);
    if edits >= 4 {
        builder =
            builder.section("Communication").item("comms.announced", "Release announced", Gate::Release);
    }
    builder.build().unwrap()
}

/// Walks `release` to `Released`, completing every item by `by`; a
/// release whose week is a multiple of 7 is rolled back while verifying.
fn walk(release: &mut Release, by: &Actor, week: i64) {
    let mut minute = 1;
    while release.stage() < Stage::Released {
        let next = release.stage().next().unwrap();
        if next == Stage::Released && week % 7 == 0 {
            release.roll_back("error rate doubled", by, at(week, minute)).unwrap();
            return;
        }
        let gate = next.entry_gate().unwrap();
        let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
        for item in open {
            release.complete(&item, by, at(week, minute)).unwrap();
        }
        release.advance_to(next, by, at(week, minute)).unwrap();
        minute += 30;
    }
}

#[test]
fn a_year_of_weekly_releases_outlives_five_checklist_edits_and_a_changing_team() {
    let dir = TempDir::new("year-in-life");
    // The team trusts nothing but its own checklist, through the ledger.
    let open = || FileStore::open(dir.path()).unwrap().with_trust(Trust::nothing());
    let store = open();
    let ada = person("ada", "Ada Lovelace", Role::RELEASE_MANAGER);
    let reviewers = [
        person("ada", "Ada Lovelace", Role::RELEASE_MANAGER),
        person("grace", "Grace Hopper", Role::RELEASE_MANAGER),
        person("linus", "Linus", Role::RELEASE_MANAGER),
        person("ken", "Ken", Role::RELEASE_MANAGER),
        person("barbara", "Barbara", Role::RELEASE_MANAGER),
        person("margaret", "Margaret", Role::RELEASE_MANAGER),
    ];
    store
        .trust_checklist(&checklist(0), None, &reviewers[0], at(0, -60), "the team's first checklist")
        .unwrap();
    let mut edits = 0;
    let mut planned_with = Vec::new();
    for week in 0..52 {
        // Every ninth week, between releases, someone edits the checklist
        // and another reviews and trusts the new version.
        if week > 0 && week % 9 == 0 && edits < 5 {
            edits += 1;
            let (old, new) = (checklist(edits - 1), checklist(edits));
            let reviewer = &reviewers[edits];
            let record = store
                .trust_checklist(&new, Some(&old), reviewer, at(week, -60), &format!("edit {edits} reviewed"))
                .unwrap();
            assert!(!record.differences.is_empty(), "edit {edits} changes something a reviewer sees");
        }
        let on_call = person(if week % 2 == 0 { "grace" } else { "alan" }, "On call", Role::ON_CALL_ENGINEER);
        let mut release = Release::builder()
            .service("payments")
            .version(format!("1.{week}.0"))
            .kind(ReleaseKind::Minor)
            .target_date(at(week, 0).date_naive())
            .release_manager(ada.clone())
            .on_call(on_call.clone())
            .template(checklist(edits))
            .change("PR-1", at(week, -24 * 60))
            .plan(at(week, 0))
            .unwrap();
        // Some weeks the on-call engineer hands over mid-release.
        if week % 5 == 0 {
            let relief = person("kim", "Kim", Role::ON_CALL_ENGINEER);
            release.hand_over(on_call.id(), relief, "end of shift", &ada, at(week, 0)).unwrap();
        }
        let key = store.create(&release).unwrap();
        let created = release.events().len();
        walk(&mut release, &ada, week);
        store.save(&release, created).unwrap();
        planned_with.push((key, checklist(edits).fingerprint()));
    }
    assert_eq!(edits, 5);
    // A year later, on a fresh handle (another process): every release
    // loads, each on the version it was planned with.
    let later = open();
    assert_eq!(later.keys().unwrap().len(), 52);
    for (key, fingerprint) in &planned_with {
        let stored = later.load(key).unwrap();
        assert_eq!(stored.release.template().fingerprint(), *fingerprint, "{key}");
        assert_eq!(stored.revoked, None, "{key}");
    }
    // Every new release after an edit is on the newest version.
    let newest = checklist(5).fingerprint();
    assert!(planned_with.iter().skip(45).all(|(_, fingerprint)| *fingerprint == newest));
    // Six versions, each kept once, for 52 logs.
    let kept = std::fs::read_dir(later.checklists_dir())
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|ext| ext == "json"))
        .count();
    assert_eq!(kept, 6);
    // The trust ledger says who accepted each version, newest first.
    let ledger = later.trust_ledger().unwrap();
    let lineage: Vec<(&str, &str)> =
        ledger.lineage(&newest).iter().map(|record| (record.by.id().as_str(), record.why.as_str())).collect();
    assert_eq!(
        lineage,
        [
            ("margaret", "edit 5 reviewed"),
            ("barbara", "edit 4 reviewed"),
            ("ken", "edit 3 reviewed"),
            ("linus", "edit 2 reviewed"),
            ("grace", "edit 1 reviewed"),
            ("ada", "the team's first checklist"),
        ]
    );
    // A DORA report over the whole store works, with nothing unreadable.
    let deployments = later.deployments(&ReleaseFilter::all()).unwrap();
    assert!(deployments.unreadable.is_empty(), "{:?}", deployments.unreadable);
    assert_eq!(deployments.history.records().len(), 52);
    let year = Window::new(at(0, -60), at(52, 0)).unwrap();
    let report = deployments.history.report(&ReportOptions::new(year)).unwrap();
    assert_eq!(report.metrics.deployments, 52);
    assert_eq!(report.metrics.rollbacks.count, 8, "weeks 0, 7, ..., 49 were rolled back");
    // The team revokes its first version: its releases still load, say so,
    // and no new release starts on it.
    let first = checklist(0).fingerprint();
    let revocation =
        later.revoke_checklist(&first, &ada, at(53, 0), "every release is on a newer one").unwrap();
    let (first_key, _) = &planned_with[0];
    assert_eq!(open().load(first_key).unwrap().revoked, Some(revocation));
    let late = Release::builder()
        .service("payments")
        .version("0.9.9")
        .kind(ReleaseKind::Patch)
        .target_date(at(53, 0).date_naive())
        .release_manager(ada.clone())
        .on_call(ada.clone())
        .template(checklist(0))
        .plan(at(53, 0))
        .unwrap();
    assert!(open().create(&late).unwrap_err().to_string().contains("every release is on a newer one"));
    // An upgrade's migration finds every log current, and changes nothing.
    let migration = open().migrate().unwrap();
    assert_eq!((migration.migrated.len(), migration.current, migration.unreadable.len()), (0, 52, 0));
}
