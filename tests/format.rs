//! The stored format, pinned: changing it is a deliberate, visible decision.
//!
//! If this test fails because the format changed on purpose, bump
//! `FORMAT_VERSION` if old logs no longer load, and rewrite the snapshot
//! with `UPDATE_SNAPSHOTS=1 cargo test --test format`.

mod common;

use common::{ada, grace, load_json, t, trusting};
use release_workflow::release::FORMAT_VERSION;
use release_workflow::{
    Actor, Gate, Release, Role, Template,
    event::EventType,
    health::Observation,
    incident::{Incident, IncidentSeverity},
    plan::Change,
    policy::{Action, ChangeType, ChangeWindow, EmergencyChange, Policy, Scope, WindowKind},
};

/// A small release that records every kind of event, by ids.
fn sample() -> Release {
    sample_by(ada(), grace(), true, true)
}

/// The sample as a format-4 log holds it: no roster changes.
fn format_4_sample() -> Release {
    sample_by(ada(), grace(), true, false)
}

/// The sample as logs of formats 1 to 3 hold it: actors had no id, so each
/// reads with their name as id.
fn legacy_sample() -> Release {
    let legacy = |actor: Actor| -> Actor {
        serde_json::from_value(serde_json::json!({"name": actor.name(), "role": actor.role()})).unwrap()
    };
    sample_by(legacy(ada()), legacy(grace()), false, false)
}

/// Who may do what on the sample: enough for every event, an approval of
/// the deploy gate, and a freeze the sample deploys in, overridden; with
/// `change_types` (format 5 on), emergency changes too.
fn policy(change_types: bool) -> Policy {
    let (manager, on_call, bot, approver) =
        (Role::RELEASE_MANAGER, Role::ON_CALL_ENGINEER, Role::AUTOMATION, Role::CHANGE_APPROVER);
    let freeze = ChangeWindow::weekly(
        "Monday morning freeze",
        WindowKind::Freeze,
        chrono_tz::Europe::Berlin,
        "mon 09:00".parse().unwrap(),
        "mon 12:00".parse().unwrap(),
    )
    .unwrap();
    let policy = Policy::builder()
        .role(manager.clone(), "Owns the release")
        .role(on_call.clone(), "Carries the pager")
        .role(bot.clone(), "The monitor")
        .role(approver.clone(), "Approves production changes")
        .allow(Action::Complete, Scope::Everything, [manager.clone()])
        .allow(Action::MarkNotApplicable, Scope::Everything, [manager.clone()])
        .allow(Action::Waive, Scope::Everything, [manager.clone()])
        .allow(Action::Reopen, Scope::Everything, [manager.clone()])
        .allow(Action::AddChange, Scope::Everything, [manager.clone()])
        .allow(Action::Advance, Scope::Everything, [manager])
        .allow(Action::Observe, Scope::Everything, [bot])
        .allow(Action::RaiseFlag, Scope::Everything, [on_call.clone()])
        .allow(Action::ClearFlag, Scope::Everything, [on_call.clone()])
        .allow(Action::OpenIncident, Scope::Everything, [on_call.clone()])
        .allow(Action::ResolveIncident, Scope::Everything, [on_call.clone()])
        .allow(Action::RollBack, Scope::Everything, [on_call])
        .allow(Action::OverrideWindow, Scope::Everything, [approver.clone()])
        .require_approvals(Gate::Deploy, 1, [approver.clone()])
        .window(freeze)
        .build()
        .unwrap();
    if !change_types {
        return policy;
    }
    let emergency = EmergencyChange::reviewed_by(1, [approver], chrono::TimeDelta::hours(72))
        .with_deferrable_approvals([Gate::Deploy])
        .with_deferrable_item("ship.verified")
        .unwrap();
    policy.with_emergency_changes(emergency).unwrap()
}

/// The sample's checklist; `checked` titles its release item, which the
/// version the sample moves to rewords.
fn sample_template(checked: &str, governed: bool, change_types: bool) -> Template {
    let template = Template::builder("Sample")
        .section("Ship")
        .item("ship.built", "Built", Gate::Freeze)
        .item_if_applicable("ship.migrated", "Migrated", Gate::Deploy)
        .item("ship.verified", "Verified", Gate::Verify)
        .item("ship.checked", checked, Gate::Release)
        .section("Rollback")
        .item_settled_on_entering(
            "rollback.decided",
            "Rollback decided",
            Gate::Rollback,
            release_workflow::Stage::RolledBack,
        )
        .criteria(Template::octoacme().criteria().iter().take(2).cloned())
        .build()
        .unwrap();
    if governed {
        template.with_policy(policy(change_types)).unwrap().with_restoration("rollback.decided").unwrap()
    } else {
        template
    }
}

/// A small release that records every kind of event, planned by `ada`.
fn sample_by(ada: Actor, grace: Actor, governed: bool, roster_changes: bool) -> Release {
    let (ada, grace) = (|| ada.clone(), || grace.clone());
    let template = sample_template("Checked", governed, roster_changes);
    let linus = Actor::new("linus", "Linus", Role::CHANGE_APPROVER).unwrap();
    let bot = Actor::new("monitor", "monitor", Role::AUTOMATION).unwrap();
    let release = Release::builder()
        .service("web")
        .version("1.2.0")
        .previous_version("1.1.9")
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .change("PR-1", t(-60))
        .remediates("INC-1")
        .template(template);
    let mut release = if governed {
        release.member(linus.clone()).member(bot.clone()).change_by("PR-0", t(-90), "grace")
    } else {
        release
    }
    .plan(t(0))
    .unwrap();
    release.add_change(Change::new("PR-2", t(-30)).unwrap(), &ada(), t(1)).unwrap();
    release.complete("ship.built", &ada(), t(2)).unwrap();
    release.reopen("ship.built", "rebuilt with the fix", &ada(), t(3)).unwrap();
    release.waive("ship.built", "artifact reused from 1.1.9", &ada(), t(4)).unwrap();
    release.advance_to(release_workflow::Stage::Frozen, &ada(), t(5)).unwrap();
    release.mark_not_applicable("ship.migrated", "no schema change", &ada(), t(6)).unwrap();
    if roster_changes {
        // Change types: formats before 5 had none.
        release.reclassify(ChangeType::Emergency, "INC-1 costs orders every minute", &ada(), t(6)).unwrap();
        release.defer_item("ship.verified", "verified in production instead", &ada(), t(6)).unwrap();
        release.defer_approvals(Gate::Deploy, "the approver is asleep", &ada(), t(6)).unwrap();
        release.allow_parallel_deploy("1.1.9's hotfix finishes its deploy", &ada(), t(6)).unwrap();
    }
    if governed {
        release.approve(Gate::Deploy, &linus, t(6)).unwrap();
        release
            .override_window("Monday morning freeze", "the fix for INC-1 cannot wait", &linus, t(6))
            .unwrap();
    }
    release.advance_to(release_workflow::Stage::Deploying, &ada(), t(7)).unwrap();
    release.observe("error_rate", 0.25, "prometheus", &bot, t(8)).unwrap();
    if governed {
        // Delivered late, and in a batch: formats before 4 had neither.
        let late = Observation::sample("error_rate", 0.01, "prometheus", t(7)).unwrap();
        release.record_observation(late, &bot, t(8)).unwrap();
    }
    release.raise_flag("security-vulnerability", "CVE-2026-0001", &grace(), t(9)).unwrap();
    release.clear_flag("security-vulnerability", "not reachable", &grace(), t(10)).unwrap();
    if governed {
        let export = [(0.02, 9), (0.03, 10)].map(|(value, minute)| {
            Observation::sample("error_rate", value, "prometheus", t(minute)).unwrap()
        });
        release.record_observations(export, &bot, t(11)).unwrap();
    }
    let incident = Incident::new("INC-2", IncidentSeverity::Sev3, "slow pages", t(8)).unwrap();
    release.open_incident(incident, &grace(), t(11)).unwrap();
    release.resolve_incident("INC-2", t(12), &grace(), t(12)).unwrap();
    if roster_changes {
        // The roster changes: formats before 5 had none.
        let kim = Actor::new("kim", "Kim", Role::ON_CALL_ENGINEER).unwrap();
        let alan = Actor::new("alan", "Alan", Role::ON_CALL_ENGINEER).unwrap();
        release.add_member(kim.clone(), "a second pager for the night", &ada(), t(12)).unwrap();
        release.hand_over(kim.id(), alan.clone(), "Kim's shift ends", &ada(), t(12)).unwrap();
        release.remove_member(alan.id(), "one pager is enough again", &ada(), t(12)).unwrap();
        // And a move to the checklist's next version: formats before 5 had none.
        let reworded = sample_template("Checked by QA", true, true);
        release.move_to_checklist(&reworded, "QA checks the release, reviewed", &ada(), t(12)).unwrap();
    }
    release.observe("error_rate", 0.5, "prometheus", &bot, t(13)).unwrap();
    release.roll_back_on_criteria(&grace(), t(14)).unwrap();
    if roster_changes {
        release
            .approve_review("the fix was right; the criteria caught the regression", &linus, t(15))
            .unwrap();
    }
    release
}

#[test]
fn the_stored_format_matches_its_snapshot() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/release-format-5.json");
    let actual = serde_json::to_string_pretty(&sample()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "the stored format changed. If on purpose, rewrite the snapshot with \
         `UPDATE_SNAPSHOTS=1 cargo test --test format` and review the diff.\n{actual}"
    );
    // And the snapshot loads back to the same release.
    assert_eq!(load_json(&expected, &trusting(&sample())).unwrap(), sample());
}

#[test]
fn logs_stored_in_format_4_still_load_with_the_same_head() {
    // Written while 0.3 was developed: format 5 with the checklist always held.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/release-format-4.json");
    let old = std::fs::read_to_string(path).unwrap();
    assert!(old.contains(r#""format": 4"#));
    let loaded = load_json(&old, &trusting(&format_4_sample())).unwrap();
    assert_eq!(loaded, format_4_sample());
    // Brought to format 5 its chain is the same: an anchor taken before still proves it.
    assert_eq!(loaded.head(), format_4_sample().head());
    // A format-4 log never names its checklist: one that does was edited.
    let named = serde_json::to_string(&sample().referring()).unwrap();
    let edited = named.replacen(&format!(r#""format":{FORMAT_VERSION}"#), r#""format":4"#, 1);
    assert_ne!(edited, named);
    let error = load_json(&edited, &trusting(&sample())).unwrap_err();
    assert!(
        error.contains("names its checklist by fingerprint, which logs before format 5 never do"),
        "{error}"
    );
}

#[test]
fn a_document_that_names_its_checklist_loads_where_that_checklist_is_trusted() {
    let whole = serde_json::to_string(&sample()).unwrap();
    let named = serde_json::to_string(&sample().referring()).unwrap();
    let fingerprint = sample().plan().template().fingerprint().to_string();
    assert!(named.contains(&format!(r#""template":"{fingerprint}""#)), "{named}");
    assert!(whole.contains(r#""sections":"#) && !named.contains(r#""sections":"#), "{named}");
    let loaded = load_json(&named, &trusting(&sample())).unwrap();
    assert_eq!(loaded, sample());
    assert_eq!(loaded.head(), sample().head(), "one chain, whichever way the checklist is written");
    // A reader that does not hold the version is told which one and how to trust it.
    let error = load_json(&named, &release_workflow::release::Trust::nothing()).unwrap_err();
    assert!(error.contains(&fingerprint) && error.contains("trust"), "{error}");
    // Sealed documents can name it too.
    let key = release_workflow::digest::SealKey::new(vec![7; 32]).unwrap();
    let sealed = serde_json::to_string(&sample().sealed(&key).referring()).unwrap();
    assert!(sealed.contains(&format!(r#""template":"{fingerprint}""#)));
    assert_eq!(load_json(&sealed, &trusting(&sample()).with_key(key)).unwrap(), sample());
}

#[test]
fn logs_stored_in_format_1_still_load() {
    // Written by 0.1: snake-case event types and stages.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/release-format-1.json");
    let old = std::fs::read_to_string(path).unwrap();
    assert!(old.contains(r#""format": 1"#) && old.contains("item_completed") && old.contains("rolled_back"));
    let loaded = load_json(&old, &trusting(&legacy_sample())).unwrap();
    assert_eq!(loaded, legacy_sample());
    // Saved again, it is written in the current format.
    let saved = serde_json::to_string(&loaded).unwrap();
    assert!(
        saved.contains(&format!(r#""format":{FORMAT_VERSION}"#))
            && saved.contains("item-completed")
            && !saved.contains("item_completed")
            && saved.contains(r#""digest":""#)
    );
}

#[test]
fn logs_stored_in_format_2_still_load_unchained() {
    // Written by 0.2: kebab-case names, no chain.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/release-format-2.json");
    let old = std::fs::read_to_string(path).unwrap();
    assert!(old.contains(r#""format": 2"#) && !old.contains("digest"));
    let log: release_workflow::release::UnverifiedRelease = serde_json::from_str(&old).unwrap();
    assert_eq!(log.integrity(&trusting(&legacy_sample())), release_workflow::release::Integrity::Unchained);
    assert_eq!(log.verify(&trusting(&legacy_sample())).unwrap(), legacy_sample());
    // A reader with a key refuses a log that cannot prove it was not rewritten.
    let key = release_workflow::digest::SealKey::new(vec![9; 32]).unwrap();
    let error = load_json(&old, &trusting(&legacy_sample()).with_key(key)).unwrap_err();
    assert!(error.contains("event 1 of the log is in a log written before logs were chained"), "{error}");
}

#[test]
fn logs_stored_in_format_3_still_load_chained() {
    // Written by 0.3: chained, actors without ids, no roster or policy.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/release-format-3.json");
    let old = std::fs::read_to_string(path).unwrap();
    assert!(old.contains(r#""format": 3"#) && old.contains("digest") && !old.contains(r#""id": "ada""#));
    let log: release_workflow::release::UnverifiedRelease = serde_json::from_str(&old).unwrap();
    assert_eq!(log.integrity(&trusting(&legacy_sample())), release_workflow::release::Integrity::Chained);
    let loaded = log.verify(&trusting(&legacy_sample())).unwrap();
    assert_eq!(loaded, legacy_sample());
    assert_eq!(loaded.events()[0].by.id().as_str(), "Ada Lovelace", "a format-3 actor's id is its name");
    // Its chain is what 0.3 wrote: an actor without an id encodes as it did.
    assert_eq!(loaded.head(), legacy_sample().head());
    let saved = serde_json::to_string(&loaded).unwrap();
    assert!(saved.contains(&format!(r#""format":{FORMAT_VERSION}"#)) && !saved.contains(r#""id":"ada""#));
}

#[test]
fn stored_names_are_exact() {
    // People may type `Frozen`; a stored log has one spelling.
    assert_eq!("Frozen".parse::<release_workflow::Stage>().unwrap(), release_workflow::Stage::Frozen);
    let stored = serde_json::to_string(&sample()).unwrap();
    let edited = stored.replacen(r#""to":"frozen""#, r#""to":"Frozen""#, 1);
    assert_ne!(edited, stored);
    let error = load_json(&edited, &trusting(&sample())).unwrap_err();
    assert!(error.contains(r#"unknown stage "Frozen""#), "{error}");
}

#[test]
fn the_sample_covers_every_event_type() {
    let release = sample();
    let seen: Vec<_> = release.events().iter().map(|event| event.what.event_type()).collect();
    // RiskAccepted needs an inconclusive verdict and no roll-back one; the health tests cover it.
    let missing: Vec<_> = EventType::ALL
        .iter()
        .copied()
        .filter(|t| !seen.contains(t) && *t != EventType::RiskAccepted)
        .collect();
    assert!(missing.is_empty(), "not in the snapshot: {missing:?}");
}

#[test]
fn the_docs_describe_the_format_the_crate_writes() {
    use release_workflow::release::FORMAT_VERSION;
    let source =
        |path: &str| std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let stored = source("src/release/stored.rs");
    for event_type in EventType::ALL {
        assert!(
            stored.contains(&format!("/// | `{event_type}`"))
                || stored.contains(&format!(", `{event_type}`")),
            "the format's table has no row for `{event_type}`"
        );
    }
    assert!(
        stored.contains(&format!("/// # Format {FORMAT_VERSION}\n")),
        "the format's docs are headed by its number"
    );
    assert!(stored.contains(&format!("\"format\": {FORMAT_VERSION},")), "the format's example is of it");
    assert!(stored.contains(&format!("tests/snapshots/release-format-{FORMAT_VERSION}.json")));
    let file_store = source("src/store/file.rs");
    let header = format!("{{\"format\":{FORMAT_VERSION},\"release\":\"<key>\"}}");
    assert!(file_store.contains(&header), "FileStore's docs show the header it writes: {header}");
    // And the header it writes is that one.
    #[cfg(feature = "store")]
    {
        let dir = common::TempDir::new("format-docs");
        let store = release_workflow::store::FileStore::open(dir.path())
            .unwrap()
            .with_trust(common::trusting(&sample()));
        let key = release_workflow::store::ReleaseStore::create(&store, &sample()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(format!("{key}.jsonl"))).unwrap();
        assert_eq!(text.lines().next().unwrap(), header.replace("<key>", key.as_str()));
    }
}
