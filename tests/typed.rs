//! The typestate API.

mod common;

use chrono::{DateTime, Utc};
use common::{ada, at_stage, planned, t};
use release_workflow::typed::{AnyStage, Deploying, Frozen, Planned, Refused, Released, Verifying};
use release_workflow::{Actor, Gate, Release, ReleaseError, Stage};

fn settle(open: Vec<String>, mut complete: impl FnMut(&str)) {
    for id in open {
        complete(&id);
    }
}

#[test]
fn a_release_walks_the_typed_api_to_released() {
    let planned = Planned::try_from(planned()).unwrap();
    let Refused { handle: mut planned, error } = planned.freeze(&ada(), t(1)).unwrap_err();
    assert!(matches!(error, ReleaseError::TransitionBlocked { .. }));
    assert_eq!(planned.inner().stage(), Stage::Planned);
    settle(planned.open_items(Gate::Freeze), |id| {
        planned.complete(id, &common::completer(id), t(2)).unwrap();
    });
    let mut frozen = planned.freeze(&ada(), t(3)).unwrap();
    frozen.record_baseline("latency_p95_ms", 200.0, "prometheus", &ada(), t(3)).unwrap();
    settle(frozen.open_items(Gate::Deploy), |id| {
        frozen.complete(id, &common::completer(id), t(4)).unwrap();
    });
    assert!(frozen.approvals_needed().is_some());
    frozen.approve(&common::linus(), t(4)).unwrap();
    assert_eq!(frozen.approvals_needed(), None);
    let mut deploying = frozen.deploy(&ada(), t(5)).unwrap();
    settle(deploying.open_items(Gate::Verify), |id| {
        deploying.complete(id, &common::completer(id), t(6)).unwrap();
    });
    let mut verifying = deploying.verify(&ada(), t(7)).unwrap();
    settle(verifying.open_items(Gate::Release), |id| {
        verifying.complete(id, &common::completer(id), t(8)).unwrap();
    });
    // Health is still checked at run time: no data yet, so a person must decide.
    let (mut verifying, error) = verifying.release(&ada(), t(9)).unwrap_err().into_parts();
    assert!(matches!(error, ReleaseError::TransitionBlocked { health: Some(_), .. }));
    verifying.observe("error_rate", 0.01, "prometheus", &ada(), t(10)).unwrap();
    verifying.observe("latency_p95_ms", 180.0, "prometheus", &ada(), t(10)).unwrap();
    verifying.observe("critical_flow_failures", 0.0, "synthetics", &ada(), t(10)).unwrap();
    let released = verifying.release(&ada(), t(11)).unwrap();
    assert_eq!(released.inner().stage(), Stage::Released);
    let rolled_back = released.roll_back("late regression", &ada(), t(12)).unwrap();
    assert!(rolled_back.inner().item_status("rollback.decision-made").unwrap().is_settled());
}

#[test]
fn a_refused_move_gives_the_handle_back_unchanged() {
    let verifying = Verifying::try_from(at_stage(Stage::Verifying)).unwrap();
    let before = verifying.clone();
    let refused = verifying.roll_back_on_criteria(&ada(), t(50)).unwrap_err();
    assert!(matches!(refused.error, ReleaseError::NoCriterionTripped { .. }));
    assert_eq!(refused.handle, before);
    let boxed: Box<dyn std::error::Error> = Box::new(refused);
    assert!(boxed.to_string().contains("no critical rollback criterion has tripped"));
}

#[test]
fn refusals_and_handles_debug_as_a_line_for_the_release_not_the_release() {
    // What `main` prints when a refusal leaves it with `?`.
    let release = planned();
    assert!(format!("{release:?}").len() > 5_000, "the whole release is long");
    let refused = Planned::try_from(release.clone()).unwrap().freeze(&ada(), t(1)).unwrap_err();
    let printed = format!("{refused:?}");
    // The error names the eight open items; the handle adds a line, not the release.
    let error = format!("{:?}", refused.error);
    assert!(printed.len() < error.len() + 150, "{} bytes: {printed}", printed.len());
    assert!(printed.starts_with("Refused { handle: Planned(Release { service: Some(\"checkout\"), version: \"2.4.0\", stage: Planned, events: 1, .. }), error: TransitionBlocked"), "{printed}");
    let wrong = Frozen::try_from(release).unwrap_err();
    let printed = format!("{wrong:?}");
    assert!(printed.starts_with("WrongStage { wanted: Frozen, release: Release { service: "), "{printed}");
    assert!(printed.len() < 200, "{printed}");
    let any = format!("{:?}", AnyStage::from(at_stage(Stage::Verifying)));
    assert!(any.starts_with("Verifying(Verifying(Release {") && any.len() < 200, "{any}");
}

#[test]
fn releases_enter_the_typed_world_by_stage() {
    for stage in [Stage::Planned, Stage::Frozen, Stage::Deploying, Stage::Verifying, Stage::Released] {
        let release = at_stage(stage);
        let any = AnyStage::from(release.clone());
        assert_eq!(any.inner(), &release);
        let matched = match &any {
            AnyStage::Planned(_) => Stage::Planned,
            AnyStage::Frozen(_) => Stage::Frozen,
            AnyStage::Deploying(_) => Stage::Deploying,
            AnyStage::Verifying(_) => Stage::Verifying,
            AnyStage::Released(_) => Stage::Released,
            AnyStage::RolledBack(_) => Stage::RolledBack,
        };
        assert_eq!(matched, stage);
        assert_eq!(Release::from(any), release);
    }
    // Asking for the wrong handle is a wrong-stage error, not a move: it says
    // which stage the release is in and which was asked for.
    let wrong = Deploying::try_from(planned()).unwrap_err();
    assert_eq!((wrong.actual(), wrong.wanted()), (Stage::Planned, Stage::Deploying));
    let message = wrong.to_string();
    assert!(message.contains("is planned, not deploying"), "{message}");
    assert!(!message.contains("cannot move"), "{message}");
    assert_eq!(wrong.into_release(), planned());
    let frozen = Frozen::try_from(planned()).unwrap_err();
    assert_eq!((frozen.actual(), frozen.wanted()), (Stage::Planned, Stage::Frozen));
    assert_eq!(Released::STAGE, Stage::Released);
}

/// The shapes of the compile_fail examples in the `typed` docs, with the
/// moves that do exist: they compile, so those examples fail only for the
/// missing move.
#[allow(dead_code)]
fn the_compile_fail_examples_fail_only_for_their_move(
    planned: Planned,
    deploying: Deploying,
    released: Released,
    by: &Actor,
    at: DateTime<Utc>,
) {
    let _ = planned.freeze(by, at);
    let _ = deploying.verify(by, at);
    let _ = released.roll_back("why", by, at);
}
