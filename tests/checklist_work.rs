//! Working a release's checklist: completing, ruling out, waiving, reopening.

mod common;

use common::{ada, at_stage, grace, planned, refused, t};
use release_workflow::{
    Gate, NextAction, ReleaseError, Stage,
    checklist::{ItemId, ItemStatus},
    event::EventKind,
    text::TextError,
};

fn id(text: &str) -> ItemId {
    ItemId::parse(text).unwrap()
}

#[test]
fn completing_an_item_records_who_and_when() {
    let mut release = planned();
    let event = release.complete("planning.scope-documented", &grace(), t(5)).unwrap().clone();
    assert_eq!(event.what, EventKind::ItemCompleted { item: id("planning.scope-documented") });
    assert_eq!(event.by, grace());
    assert_eq!(
        release.item_status("planning.scope-documented"),
        Some(&ItemStatus::Done { by: grace(), at: t(5) })
    );
    assert_eq!(release.events().len(), 2);
    assert_eq!(release.last_event_at(), t(5));
}

#[test]
fn if_applicable_items_are_ruled_out_with_a_reason() {
    let mut release = planned();
    release.mark_not_applicable("build.code-freeze", "trunk-based", &ada(), t(1)).unwrap();
    let status = release.item_status("build.code-freeze").unwrap();
    assert_eq!(status.reason(), Some("trunk-based"));
    assert!(status.is_settled());
    assert_eq!(status.to_string(), "not applicable by Ada Lovelace at 2026-11-30 09:01 UTC: trunk-based");

    let error = refused(&release, |r| {
        r.mark_not_applicable("planning.scope-documented", "no", &ada(), t(2)).map(drop)
    });
    assert_eq!(error, ReleaseError::ItemIsRequired { item: id("planning.scope-documented") });
    assert!(error.to_string().contains("waive it"), "{error}");
}

#[test]
fn required_items_are_waived_with_a_reason_and_a_name() {
    let mut release = planned();
    release.waive("planning.stakeholders-notified", "stakeholders are the team", &ada(), t(1)).unwrap();
    assert_eq!(
        release.item_status("planning.stakeholders-notified"),
        Some(&ItemStatus::Waived { reason: "stakeholders are the team".into(), by: ada(), at: t(1) })
    );
    let error = refused(&release, |r| r.waive("testing.performance-tested", "later", &ada(), t(2)).map(drop));
    assert_eq!(error, ReleaseError::ItemIsOptional { item: id("testing.performance-tested") });
}

#[test]
fn empty_reasons_are_refused() {
    let release = planned();
    for reason in ["", "   ", "\n\t"] {
        let error =
            refused(&release, |r| r.mark_not_applicable("build.code-freeze", reason, &ada(), t(1)).map(drop));
        assert!(
            matches!(error, ReleaseError::Text(TextError::InvalidText { problem: "is empty", .. })),
            "{error}"
        );
        let error =
            refused(&release, |r| r.waive("planning.scope-documented", reason, &ada(), t(1)).map(drop));
        assert!(matches!(error, ReleaseError::Text(TextError::InvalidText { .. })), "{error}");
    }
    let long = "x".repeat(release_workflow::text::MAX_REASON_CHARS + 1);
    refused(&release, |r| r.waive("planning.scope-documented", long, &ada(), t(1)).map(drop));
}

#[test]
fn reopening_puts_an_item_back_to_open() {
    let mut release = planned();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    release.reopen("planning.scope-documented", "scope changed", &grace(), t(2)).unwrap();
    assert_eq!(release.item_status("planning.scope-documented"), Some(&ItemStatus::Open));
    assert!(matches!(release.events().last().unwrap().what, EventKind::ItemReopened { .. }));

    let error = refused(&release, |r| r.reopen("planning.scope-documented", "again", &ada(), t(3)).map(drop));
    assert_eq!(error, ReleaseError::ItemAlreadyOpen { item: id("planning.scope-documented") });
    release.complete("planning.scope-documented", &ada(), t(3)).unwrap();
    refused(&release, |r| r.reopen("planning.scope-documented", " ", &ada(), t(4)).map(drop));
}

#[test]
fn settled_items_must_be_reopened_before_they_change() {
    let mut release = planned();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    let error = refused(&release, |r| r.complete("planning.scope-documented", &ada(), t(2)).map(drop));
    assert_eq!(
        error,
        ReleaseError::ItemAlreadySettled { item: id("planning.scope-documented"), status: "done" }
    );
    let error = refused(&release, |r| r.waive("planning.scope-documented", "x", &ada(), t(2)).map(drop));
    assert!(error.to_string().contains("reopen it with a reason"), "{error}");
    assert_eq!(error.next_actions(), [NextAction::ReopenItem]);
}

#[test]
fn unknown_ids_are_refused_with_suggestions() {
    let release = planned();
    let error = refused(&release, |r| r.complete("planning.version-confirm", &ada(), t(1)).map(drop));
    match &error {
        ReleaseError::UnknownItem { item, suggestions } => {
            assert_eq!(item, "planning.version-confirm");
            assert_eq!(suggestions.first(), Some(&id("planning.version-confirmed")));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.to_string().contains("did you mean `planning.version-confirmed`"), "{error}");
    for garbage in ["", " ", "💥", "x".repeat(10_000).as_str(), "PLANNING.VERSION-CONFIRMED"] {
        let error = refused(&release, |r| r.complete(garbage, &ada(), t(1)).map(drop));
        assert!(matches!(error, ReleaseError::UnknownItem { .. }), "{error}");
    }
    assert_eq!(release.item_status("nope"), None);
}

#[test]
fn time_cannot_go_backwards() {
    let mut release = planned();
    release.complete("planning.scope-documented", &ada(), t(10)).unwrap();
    let error = refused(&release, |r| r.complete("planning.version-confirmed", &ada(), t(9)).map(drop));
    assert_eq!(error, ReleaseError::TimeWentBackwards { at: t(9), last: t(10) });
    // The same instant is fine: several things happen in one minute.
    release.complete("planning.version-confirmed", &ada(), t(10)).unwrap();
    let error = refused(&release, |r| r.advance_to(Stage::Frozen, &ada(), t(-1)).map(drop));
    assert!(matches!(error, ReleaseError::TimeWentBackwards { .. }));
}

#[test]
fn passed_gates_are_closed_to_work() {
    let release = at_stage(Stage::Frozen);
    let error = refused(&release, |r| r.reopen("planning.scope-documented", "oops", &ada(), t(99)).map(drop));
    assert_eq!(
        error,
        ReleaseError::ItemNotWorkable {
            item: id("planning.scope-documented"),
            gate: Gate::Freeze,
            stage: Stage::Frozen
        }
    );
    assert!(error.to_string().contains("past the freeze gate"), "{error}");

    let released = at_stage(Stage::Released);
    for item in ["verification.logs-clean", "deployment.initiated", "build.pipelines-passing"] {
        let error = refused(&released, |r| r.reopen(item, "oops", &ada(), t(99)).map(drop));
        assert!(matches!(error, ReleaseError::ItemNotWorkable { .. }), "{error}");
    }
}

#[test]
fn later_gates_can_be_prepared_early_but_closing_groups_wait() {
    let mut release = planned();
    release.complete("pre-deployment.window-confirmed", &ada(), t(1)).unwrap();
    release.complete("verification.smoke-tests-passing", &ada(), t(1)).unwrap();
    let error =
        refused(&release, |r| r.complete("communication.release-notes-published", &ada(), t(2)).map(drop));
    assert!(matches!(error, ReleaseError::ItemNotWorkable { gate: Gate::PostRelease, .. }), "{error}");
    let error = refused(&release, |r| r.complete("rollback.procedure-initiated", &ada(), t(2)).map(drop));
    assert!(matches!(error, ReleaseError::ItemNotWorkable { gate: Gate::Rollback, .. }), "{error}");

    let mut released = at_stage(Stage::Released);
    released.complete("communication.release-notes-published", &ada(), t(99)).unwrap();
    refused(&released, |r| r.complete("rollback.procedure-initiated", &ada(), t(99)).map(drop));
}

#[test]
fn the_rollback_decision_is_not_worked_by_hand() {
    let mut release = at_stage(Stage::Deploying);
    release.roll_back("error rate at 9%", &grace(), t(99)).unwrap();
    let error = refused(&release, |r| r.reopen("rollback.decision-made", "undo", &ada(), t(100)).map(drop));
    assert_eq!(
        error,
        ReleaseError::SettledByWorkflow { item: id("rollback.decision-made"), stage: Stage::RolledBack }
    );
}

#[test]
fn progress_is_counted_per_gate_and_section() {
    let mut release = planned();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    release.mark_not_applicable("build.code-freeze", "trunk", &ada(), t(1)).unwrap();
    release.complete("testing.unit-tests-passing", &ada(), t(1)).unwrap();
    let freeze = release.gate_progress(Gate::Freeze);
    assert_eq!((freeze.settled, freeze.total, freeze.open()), (2, 8, 6));
    assert_eq!(freeze.to_string(), "2/8");
    let by_gate = release.progress_by_gate();
    assert_eq!(by_gate.len(), 6);
    assert_eq!(by_gate[1].0, Gate::Deploy);
    assert_eq!((by_gate[1].1.settled, by_gate[1].1.total), (1, 25));
    let by_section = release.progress_by_section();
    assert_eq!(by_section.len(), 12);
    assert_eq!(by_section[0].0, "Release Planning");
    assert_eq!((by_section[0].1.settled, by_section[0].1.total), (1, 6));
    assert_eq!((by_section[1].1.settled, by_section[1].1.total), (1, 5));
    assert_eq!(by_section.iter().map(|(_, tally)| tally.total).sum::<usize>(), 66);
}

#[test]
fn blocking_items_cover_every_gate_up_to_the_target() {
    let mut release = planned();
    assert_eq!(release.blocking_items(Stage::Frozen).len(), 8);
    assert_eq!(release.blocking_items(Stage::Deploying).len(), 8 + 25);
    assert_eq!(release.blocking_items(Stage::Released).len(), 8 + 25 + 5 + 6);
    assert!(release.blocking_items(Stage::Planned).is_empty());
    assert!(release.blocking_items(Stage::RolledBack).is_empty());
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    let blockers = release.blocking_items(Stage::Frozen);
    assert_eq!(blockers.len(), 7);
    assert!(blockers.iter().all(|item| item.id().as_str() != "planning.scope-documented"));
    assert_eq!(blockers[0].title(), "Release version and date confirmed");
    assert_eq!(blockers[0].section(), "Release Planning");
}
