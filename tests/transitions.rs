//! The transition table: forward moves, refusals and rollbacks.

mod common;

use chrono::TimeDelta;
use common::{ada, at_stage, complete_gate, grace, planned, refused, t};
use release_workflow::{
    Gate, NextAction, Release, ReleaseError, Stage,
    checklist::ItemStatus,
    event::{EventKind, RollbackReason},
    text::TextError,
};

#[test]
fn a_release_walks_forward_gate_by_gate() {
    let mut release = planned();
    for (minute, (gate, next)) in [
        (Gate::Freeze, Stage::Frozen),
        (Gate::Deploy, Stage::Deploying),
        (Gate::Verify, Stage::Verifying),
        (Gate::Release, Stage::Released),
    ]
    .into_iter()
    .enumerate()
    {
        let at = t(minute as i64 + 1);
        if next == Stage::Released {
            common::record_healthy_signals(&mut release, at);
        }
        complete_gate(&mut release, gate, at);
        if release.approvals_needed(gate).is_some() {
            release.approve(gate, &common::linus(), at).unwrap();
        }
        let from = release.stage();
        let event = release.advance_to(next, &ada(), at).unwrap().clone();
        assert_eq!(event.what, EventKind::Advanced { from, to: next });
        assert_eq!(release.stage(), next);
        assert_eq!(release.entered_at(next), Some(at));
    }
    assert!(!release.is_closed());
    complete_gate(&mut release, Gate::PostRelease, t(10));
    assert!(release.is_closed());
}

#[test]
fn a_blocked_transition_names_every_open_item_and_changes_nothing() {
    let mut release = planned();
    release.complete("planning.version-confirmed", &ada(), t(1)).unwrap();
    let error = refused(&release, |r| r.advance_to(Stage::Frozen, &ada(), t(2)).map(drop));
    let ReleaseError::TransitionBlocked { from, to, gate, open, health, approvals } = &error else {
        panic!("unexpected {error:?}")
    };
    assert_eq!((*from, *to, *gate), (Stage::Planned, Stage::Frozen, Gate::Freeze));
    assert_eq!(health, &None);
    assert_eq!(approvals, &None, "the freeze gate needs no approvals");
    let ids: Vec<&str> = open.iter().map(|item| item.id().as_str()).collect();
    assert_eq!(
        ids,
        [
            "planning.type-identified",
            "planning.scope-documented",
            "planning.dependencies-identified",
            "planning.roles-assigned",
            "planning.stakeholders-notified",
            "build.features-merged",
            "build.code-freeze",
        ]
    );
    let message = error.to_string();
    for item in open {
        assert!(message.contains(item.id().as_str()) && message.contains(item.title()), "{message}");
    }
    assert!(message.contains("7 freeze items are not settled"), "{message}");
    assert_eq!(release.check_advance(Stage::Frozen), Err(error));
}

#[test]
fn every_kind_of_settlement_opens_a_gate() {
    let mut release = planned();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.reopen("planning.stakeholders-notified", "not yet told", &ada(), t(2)).unwrap();
    release.reopen("build.code-freeze", "rethink", &ada(), t(2)).unwrap();
    assert!(release.check_advance(Stage::Frozen).is_err());
    release.waive("planning.stakeholders-notified", "internal release", &ada(), t(3)).unwrap();
    release.mark_not_applicable("build.code-freeze", "trunk-based", &ada(), t(3)).unwrap();
    assert_eq!(release.check_advance(Stage::Frozen), Ok(()));
    release.advance_to(Stage::Frozen, &ada(), t(4)).unwrap();
}

#[test]
fn moves_off_the_table_are_refused() {
    for stage in [Stage::Planned, Stage::Frozen, Stage::Deploying, Stage::Verifying, Stage::Released] {
        let mut release = at_stage(stage);
        // Settle everything that can be settled, so only the table can refuse.
        for gate in Gate::ALL.iter().copied() {
            if stage.can_work(gate) {
                complete_gate(&mut release, gate, t(50));
            }
        }
        for target in Stage::ALL.iter().copied() {
            if target == Stage::RolledBack || stage.next() == Some(target) {
                continue;
            }
            let error = refused(&release, |r| r.advance_to(target, &ada(), t(60)).map(drop));
            assert_eq!(error, ReleaseError::TransitionNotAllowed { from: stage, to: target });
        }
    }
    let error = at_stage(Stage::Planned).advance_to(Stage::RolledBack, &ada(), t(1)).unwrap_err();
    assert!(error.to_string().contains("cannot move from planned to rolled-back"), "{error}");
    assert!(error.next_actions().is_empty());
    let error = at_stage(Stage::Verifying).advance_to(Stage::RolledBack, &ada(), t(9)).unwrap_err();
    assert!(error.to_string().contains("roll the release back with a reason instead"), "{error}");
    assert!(!error.to_string().contains('`'), "{error}");
    assert_eq!(error.next_actions(), [NextAction::RollBackWithReason]);
}

#[test]
fn rollback_is_allowed_from_deploying_verifying_and_released() {
    for stage in [Stage::Deploying, Stage::Verifying, Stage::Released] {
        let mut release = at_stage(stage);
        let event = release.roll_back("error rate 9%", &grace(), t(30)).unwrap().clone();
        assert_eq!(
            event.what,
            EventKind::RolledBack {
                from: stage,
                reason: RollbackReason::Decision { why: "error rate 9%".into() }
            }
        );
        assert_eq!(release.stage(), Stage::RolledBack);
        assert_eq!(
            release.rollback_reason(),
            Some(&RollbackReason::Decision { why: "error rate 9%".into() })
        );
        assert_eq!(
            release.item_status("rollback.decision-made"),
            Some(&ItemStatus::Done { by: grace(), at: t(30) })
        );
        assert_eq!(release.open_items(Gate::Rollback).count(), 7);
        assert!(!release.is_closed());
        release
            .mark_not_applicable("rollback.database-rolled-back", "no schema change", &ada(), t(31))
            .unwrap();
        complete_gate(&mut release, Gate::Rollback, t(32));
        assert!(release.is_closed());
    }
}

#[test]
fn rollback_is_refused_elsewhere_and_without_a_reason() {
    for stage in [Stage::Planned, Stage::Frozen] {
        let release = at_stage(stage);
        let error = refused(&release, |r| r.roll_back("why not", &ada(), t(30)).map(drop));
        assert_eq!(error, ReleaseError::TransitionNotAllowed { from: stage, to: Stage::RolledBack });
    }
    let mut rolled_back = at_stage(Stage::Verifying);
    rolled_back.roll_back("bad", &ada(), t(30)).unwrap();
    let error = refused(&rolled_back, |r| r.roll_back("again", &ada(), t(31)).map(drop));
    assert_eq!(error, ReleaseError::TransitionNotAllowed { from: Stage::RolledBack, to: Stage::RolledBack });
    assert!(error.to_string().contains("rolled-back is final"), "{error}");
    let error = refused(&rolled_back, |r| r.advance_to(Stage::Released, &ada(), t(31)).map(drop));
    assert!(matches!(error, ReleaseError::TransitionNotAllowed { .. }));

    let verifying = at_stage(Stage::Verifying);
    for reason in ["", "  "] {
        let error = refused(&verifying, |r| r.roll_back(reason, &ada(), t(30)).map(drop));
        assert!(matches!(error, ReleaseError::Text(TextError::InvalidText { .. })), "{error}");
    }
}

#[test]
fn released_releases_roll_back_only_inside_the_monitoring_window() {
    let release = at_stage(Stage::Released);
    let released_at = release.entered_at(Stage::Released).unwrap();
    let closes = released_at + TimeDelta::hours(48);
    assert_eq!(release.monitoring_window_closes_at(), Some(closes));

    let mut inside = release.clone();
    inside.roll_back("late regression", &ada(), closes - TimeDelta::seconds(1)).unwrap();
    assert_eq!(inside.stage(), Stage::RolledBack);

    for at in [closes, closes + TimeDelta::days(3)] {
        let error = refused(&release, |r| r.roll_back("too late", &ada(), at).map(drop));
        assert_eq!(error, ReleaseError::MonitoringWindowClosed { released_at, closed_at: closes });
        assert_eq!(error.next_actions(), [NextAction::ShipNewRelease]);
        assert!(error.to_string().contains("ship a new release with the fix"), "{error}");
    }
}

#[test]
fn the_monitoring_window_is_set_per_release() {
    let mut release = Release::builder()
        .version("1.0.1")
        .previous_version("1.0.0")
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .member(common::sam())
        .member(common::linus())
        .member(common::monitor())
        .monitoring_window(TimeDelta::hours(2))
        .plan(t(0))
        .unwrap();
    while release.stage() != Stage::Released {
        common::advance(&mut release, t(1));
    }
    assert_eq!(release.monitoring_window_closes_at(), Some(t(121)));
    assert!(matches!(
        release.clone().roll_back("x", &ada(), t(121)),
        Err(ReleaseError::MonitoringWindowClosed { .. })
    ));
    release.roll_back("x", &ada(), t(120)).unwrap();
}

#[test]
fn after_a_rollback_only_the_rollback_checklist_is_worked() {
    let mut release = at_stage(Stage::Verifying);
    release.roll_back("checkout broken", &ada(), t(30)).unwrap();
    let error = refused(&release, |r| r.complete("verification.logs-clean", &ada(), t(31)).map(drop));
    assert!(matches!(
        error,
        ReleaseError::ItemNotWorkable { gate: Gate::Release, stage: Stage::RolledBack, .. }
    ));
    assert!(error.to_string().contains("no longer matter"), "{error}");
    release.complete("rollback.procedure-initiated", &ada(), t(31)).unwrap();
}

#[test]
fn the_stage_table_agrees_with_the_design() {
    use Stage::*;
    let edges: Vec<(Stage, Stage)> = Stage::ALL
        .iter()
        .copied()
        .flat_map(|from| Stage::ALL.iter().copied().map(move |to| (from, to)))
        .filter(|(f, t)| f.can_move_to(*t))
        .collect();
    assert_eq!(
        edges,
        [
            (Planned, Frozen),
            (Frozen, Deploying),
            (Deploying, Verifying),
            (Deploying, RolledBack),
            (Verifying, Released),
            (Verifying, RolledBack),
            (Released, RolledBack),
        ]
    );
    assert!(Released.is_final() && RolledBack.is_final() && !Verifying.is_final());
    assert_eq!("Rolled-Back".parse::<Stage>().unwrap(), RolledBack);
    let unknown = "shipped".parse::<Stage>().unwrap_err();
    assert_eq!(unknown.input(), "shipped");
    assert!(unknown.to_string().contains("expected one of planned, frozen"), "{unknown}");
    assert_eq!(Stage::Released.to_string().parse::<Stage>().unwrap(), Released);
}
