//! Moving an open release to a newer version of its checklist: explicit,
//! governed, audited, and every gate the release passed checked again.

mod common;

use common::{ada, at_stage, grace, refused, t};
use release_workflow::{
    Gate, NextAction, Release, ReleaseError, Role, Stage, Template,
    event::EventType,
    policy::Policy,
    release::{AccessError, ChecklistMoveProblem, Trust, UnverifiedRelease},
};

/// A version of the team's checklist: one section of these items.
fn team(items: &[(&str, &str, Gate)]) -> Template {
    let builder = Template::builder("Team").section("Ship");
    items.iter().fold(builder, |builder, (id, title, gate)| builder.item(id, title, *gate)).build().unwrap()
}

const BUILT: (&str, &str, Gate) = ("ship.built", "Built", Gate::Freeze);
const DEPLOYED: (&str, &str, Gate) = ("ship.deployed", "Deployed", Gate::Deploy);
const VERIFIED: (&str, &str, Gate) = ("ship.verified", "Verified", Gate::Verify);
const CHECKED: (&str, &str, Gate) = ("ship.checked", "Checked", Gate::Release);

/// The team's checklist: one item per gate.
fn v1() -> Template {
    team(&[BUILT, DEPLOYED, VERIFIED, CHECKED])
}

/// v1 with a title reworded and an item added to the verify gate.
fn v2() -> Template {
    let canary = ("ship.canary", "Canary healthy", Gate::Verify);
    team(&[("ship.built", "Built from a tag", Gate::Freeze), DEPLOYED, VERIFIED, canary, CHECKED])
}

/// v1 with an item added to the freeze gate.
fn v3() -> Template {
    team(&[BUILT, ("ship.signed", "Artifacts signed", Gate::Freeze), DEPLOYED, VERIFIED, CHECKED])
}

/// A release on v1, frozen.
fn frozen_on_v1() -> Release {
    let mut release = common::team_builder().template(v1()).plan(t(0)).unwrap();
    release.complete("ship.built", &ada(), t(1)).unwrap();
    release.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    release
}

fn problem(error: ReleaseError) -> ChecklistMoveProblem {
    match error {
        ReleaseError::InvalidChecklistMove { problem, .. } => problem,
        other => panic!("expected a refused move, got {other}"),
    }
}

#[test]
fn an_open_release_moves_to_a_newer_version_keeping_what_it_settled() {
    let mut release = frozen_on_v1();
    release.move_to_checklist(&v2(), "reviewed in #412: a canary check", &ada(), t(3)).unwrap();
    assert_eq!(release.template(), &v2());
    assert_eq!(release.plan().template(), &v1(), "the plan keeps the version it was planned with");
    assert_eq!(release.checklist_versions().collect::<Vec<_>>(), [&v2()]);
    assert!(release.item_status("ship.built").unwrap().is_settled(), "statuses are kept by item id");
    let open: Vec<String> = release.open_items(Gate::Verify).map(|item| item.id().to_string()).collect();
    assert_eq!(open, ["ship.verified", "ship.canary"], "the new item is open");
    let last = release.events().last().unwrap();
    assert_eq!(last.what.event_type(), EventType::ChecklistChanged);
    assert_eq!(
        last.what.to_string(),
        format!(
            "moved the release to checklist version {}: reviewed in #412: a canary check",
            v2().fingerprint()
        )
    );
    // The rest of the release follows the new version.
    release.complete("ship.deployed", &ada(), t(4)).unwrap();
    release.advance_to(Stage::Deploying, &ada(), t(5)).unwrap();
    release.complete("ship.verified", &ada(), t(6)).unwrap();
    let blocked = refused(&release, |r| r.advance_to(Stage::Verifying, &ada(), t(7)).map(drop));
    assert!(blocked.to_string().contains("ship.canary"), "{blocked}");
    release.complete("ship.canary", &ada(), t(7)).unwrap();
    release.advance_to(Stage::Verifying, &ada(), t(8)).unwrap();
    // Replay finds the version in the trust, and nowhere else.
    let both = Trust::default().trusting(v1()).trusting(v2());
    assert_eq!(Release::replay(release.events().to_vec(), &both).unwrap(), release);
    let error = Release::replay(release.events().to_vec(), &Trust::default().trusting(v1())).unwrap_err();
    assert!(
        matches!(&error, ReleaseError::Replay { source, .. } if matches!(**source, ReleaseError::UnknownChecklist { .. })),
        "{error}"
    );
    assert_eq!(error.next_actions(), [NextAction::TrustTemplate]);
}

#[test]
fn a_document_of_a_moved_release_holds_every_version_and_names_them_when_referring() {
    let mut release = frozen_on_v1();
    release.move_to_checklist(&v2(), "canary", &ada(), t(3)).unwrap();
    let whole = serde_json::to_string(&release).unwrap();
    let json: serde_json::Value = serde_json::from_str(&whole).unwrap();
    assert_eq!(json["checklists"][0]["name"], "Team", "self-contained: it holds v2");
    let both = Trust::default().trusting(v1()).trusting(v2());
    let load =
        |text: &str, trust: &Trust| serde_json::from_str::<UnverifiedRelease>(text).unwrap().verify(trust);
    assert_eq!(load(&whole, &both).unwrap(), release);
    // A reader who trusts only v1 is told what differs in v2.
    let error = load(&whole, &Trust::default().trusting(v1())).unwrap_err();
    assert!(matches!(error, ReleaseError::UntrustedTemplate { .. }), "{error}");
    assert!(error.to_string().contains("ship.canary"), "{error}");
    // Naming its versions, the document holds none of them.
    let named = serde_json::to_string(&release.referring()).unwrap();
    assert!(!named.contains("\"checklists\""));
    assert_eq!(load(&named, &both).unwrap(), release);
    // A held version no event names is refused.
    let mut edited = json.clone();
    edited["checklists"] = serde_json::json!([v3()]);
    let error = load(&edited.to_string(), &both.clone().trusting(v3())).unwrap_err();
    assert!(error.to_string().contains("no event moves the release to"), "{error}");
}

#[test]
fn a_move_is_refused_when_a_passed_gate_does_not_hold_under_the_new_version() {
    let release = frozen_on_v1();
    // v3 adds an item to the freeze gate, which the release passed.
    let error = refused(&release, |r| r.move_to_checklist(&v3(), "signing", &ada(), t(3)).map(drop));
    assert!(error.to_string().contains("`ship.signed` (freeze)"), "{error}");
    assert!(error.to_string().contains("finish this release on its version"), "{error}");
    assert_eq!(
        problem(error),
        ChecklistMoveProblem::PassedGatesOpen { items: vec![(Gate::Freeze, "ship.signed".parse().unwrap())] }
    );
    // Before the freeze, the same move is fine.
    let mut planned = common::team_builder().template(v1()).plan(t(0)).unwrap();
    planned.move_to_checklist(&v3(), "signing", &ada(), t(1)).unwrap();
    assert_eq!(planned.open_items(Gate::Freeze).count(), 2);
    // The same version, an empty reason, a rolled-back release.
    let error = refused(&release, |r| r.move_to_checklist(&v1(), "again", &ada(), t(3)).map(drop));
    assert_eq!(problem(error), ChecklistMoveProblem::SameVersion);
    let error = refused(&release, |r| r.move_to_checklist(&v2(), "", &ada(), t(3)).map(drop));
    assert!(matches!(error, ReleaseError::Text(_)), "{error}");
    let mut rolled_back = frozen_on_v1();
    rolled_back.complete("ship.deployed", &ada(), t(3)).unwrap();
    rolled_back.advance_to(Stage::Deploying, &ada(), t(3)).unwrap();
    rolled_back.roll_back("abandoned", &ada(), t(3)).unwrap();
    let error = refused(&rolled_back, |r| r.move_to_checklist(&v2(), "late", &ada(), t(4)).map(drop));
    assert_eq!(problem(error), ChecklistMoveProblem::ReleaseOver);
}

#[test]
fn a_governed_move_checks_who_moves_the_approvals_passed_and_the_roster() {
    let release = at_stage(Stage::Deploying);
    // Two approvals of the deploy gate, which the release passed with one.
    let stricter = Template::octoacme()
        .with_policy(Policy::octoacme().with_approvals(Gate::Deploy, 2, [Role::CHANGE_APPROVER]).unwrap())
        .unwrap();
    let error =
        refused(&release, |r| r.move_to_checklist(&stricter, "two approvers", &ada(), t(20)).map(drop));
    assert_eq!(
        problem(error),
        ChecklistMoveProblem::PassedGateApprovals { gate: Gate::Deploy, needed: 2, given: 1 }
    );
    // As many approvals as the new policy asks are enough.
    let freeze = release_workflow::policy::ChangeWindow::weekly(
        "Weekend freeze",
        release_workflow::policy::WindowKind::Freeze,
        release_workflow::chrono_tz::Europe::Berlin,
        "fri 18:00".parse().unwrap(),
        "mon 07:00".parse().unwrap(),
    )
    .unwrap();
    let same_approvals =
        Template::octoacme().with_policy(Policy::octoacme().with_window(freeze).unwrap()).unwrap();
    let mut moved = release.clone();
    moved.move_to_checklist(&same_approvals, "a weekend freeze", &ada(), t(20)).unwrap();
    // A looser policy is fine; on call may not move the release.
    let ungoverned = Template::octoacme().without_policy();
    let error = refused(&release, |r| r.move_to_checklist(&ungoverned, "why not", &grace(), t(20)).map(drop));
    let ReleaseError::Access(access) = &error else { panic!("{error}") };
    assert!(matches!(**access, AccessError::NotPermitted { .. }), "{error}");
    let mut moved = release.clone();
    moved.move_to_checklist(&ungoverned, "the policy moves to the platform", &ada(), t(20)).unwrap();
    // A policy that does not declare a role on the roster is refused.
    let narrow = Policy::builder()
        .role(Role::RELEASE_MANAGER, "owns it")
        .role(Role::ON_CALL_ENGINEER, "pager")
        .allow(
            release_workflow::policy::Action::Complete,
            release_workflow::policy::Scope::Everything,
            [Role::RELEASE_MANAGER],
        )
        .allow(
            release_workflow::policy::Action::Advance,
            release_workflow::policy::Scope::Everything,
            [Role::RELEASE_MANAGER],
        )
        .build()
        .unwrap();
    let narrow = v1().with_policy(narrow).unwrap();
    let mut planned = common::planned();
    let error = refused(&planned, |r| r.move_to_checklist(&narrow, "smaller", &ada(), t(1)).map(drop));
    assert!(matches!(problem(error), ChecklistMoveProblem::UndeclaredRole { .. }));
    // The typed handle moves too.
    planned = common::team_builder().template(v1()).plan(t(0)).unwrap();
    let mut handle = release_workflow::typed::Planned::try_from(planned).unwrap();
    handle.move_to_checklist(&v2(), "typed", &ada(), t(1)).unwrap();
    assert_eq!(handle.inner().template(), &v2());
}

#[cfg(feature = "store")]
#[test]
fn a_file_store_keeps_the_version_a_release_moved_to_and_loads_it_on_every_handle() {
    use release_workflow::store::{FileStore, ReleaseStore, StoreError};
    let dir = common::TempDir::new("checklist-move");
    let open = || FileStore::open(dir.path()).unwrap().with_trust(Trust::nothing());
    let store = open();
    store.trust_checklist(&v1(), None, &ada(), t(0), "first").unwrap();
    let release = common::team_builder().template(v1()).plan(t(0)).unwrap();
    let key = store.create(&release).unwrap();
    // Moving to a version the store does not trust is refused, writing nothing.
    let error = store
        .update(&key, |release| {
            release.move_to_checklist(&v2(), "canary", &ada(), t(1))?;
            Ok::<_, StoreError>(())
        })
        .unwrap_err();
    assert!(error.to_string().contains("checklist"), "{error}");
    assert_eq!(open().load(&key).unwrap().release.events().len(), 1);
    // Trusted through the ledger, the move is stored and the version kept.
    store.trust_checklist(&v2(), Some(&v1()), &grace(), t(1), "canary, reviewed").unwrap();
    store
        .update(&key, |release| {
            release.move_to_checklist(&v2(), "canary", &ada(), t(2))?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let loaded = open().load(&key).unwrap().release;
    assert_eq!(loaded.template(), &v2());
    assert!(store.checklists_dir().join(format!("{}.json", v2().fingerprint())).exists());
}
