//! Change types: a standard change skips the approvals its policy lists, an
//! emergency change defers what its policy lets it and owes a review by a
//! deadline, and one release of a service is in flight at a time — live,
//! in the status, in Markdown, and on replay.

mod common;

use chrono::TimeDelta;
use common::{
    ada, complete_gate, grace, linus, planned_on, record_healthy_signals, refused, round_trip, sam, t,
};
use release_workflow::{
    Actor, Gate, NextAction, Release, ReleaseError, ReleaseKind, Role, Stage, Template,
    checklist::ItemStatus,
    plan::PlanError,
    policy::{
        Action, ChangeType, ChangeWindow, EmergencyChange, Policy, PolicyError, Scope, StandardChange,
        WindowKind,
    },
    release::{ChangeError, Owed, ReviewProblem},
};

const REVIEW_ITEM: &str = "closure.retrospective-scheduled";
const DEFERRABLE: &str = "testing.performance-tested";

/// A freeze over the whole test week, so only an override or an
/// emergency change deploys.
fn freeze() -> ChangeWindow {
    ChangeWindow::once(
        "Year-end freeze",
        WindowKind::Freeze,
        chrono_tz::UTC,
        "2026-11-29T00:00:00".parse().unwrap(),
        "2026-12-31T00:00:00".parse().unwrap(),
    )
    .unwrap()
}

fn emergency_rule() -> EmergencyChange {
    EmergencyChange::reviewed_by(2, [Role::CHANGE_APPROVER, Role::SECURITY_ENGINEER], TimeDelta::hours(72))
        .with_deferrable_approvals([Gate::Deploy])
        .with_windows_skipped()
        .with_deferrable_item(DEFERRABLE)
        .unwrap()
        .with_review_item(REVIEW_ITEM)
        .unwrap()
}

/// OctoAcme with a freeze, standard patch changes of up to 2 changes that
/// skip the deploy approval, and emergency changes.
fn template() -> Template {
    let policy = Policy::octoacme()
        .with_window(freeze())
        .unwrap()
        .with_standard_changes(
            StandardChange::skipping_approvals([Gate::Deploy])
                .with_kinds([ReleaseKind::Patch])
                .with_max_changes(2),
        )
        .unwrap()
        .with_emergency_changes(emergency_rule())
        .unwrap();
    Template::octoacme().with_policy(policy).unwrap()
}

fn planned_as(change_type: ChangeType) -> Release {
    let mut release = planned_on(template());
    if change_type != ChangeType::Normal {
        release.reclassify(change_type, "as the test needs", &ada(), t(0)).unwrap();
    }
    release
}

fn change(error: ReleaseError) -> ChangeError {
    match error {
        ReleaseError::Change(change) => *change,
        other => panic!("expected a change-type refusal, got {other}"),
    }
}

/// An emergency release deployed at `t(10)` inside the freeze, its deploy
/// approval and one test item deferred.
fn emergency_deployed() -> Release {
    deploy_as_emergency(planned_as(ChangeType::Emergency))
}

/// `release`, an emergency change, deployed at `t(10)` as
/// [`emergency_deployed`] is.
fn deploy_as_emergency(mut release: Release) -> Release {
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    release.defer_item(DEFERRABLE, "load test after the fix", &ada(), t(3)).unwrap();
    release.defer_approvals(Gate::Deploy, "the approvers are asleep", &ada(), t(3)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(4));
    release.advance_to(Stage::Deploying, &ada(), t(10)).unwrap();
    release
}

/// `emergency_deployed`, verified and released at `t(30)`.
fn emergency_released() -> Release {
    let mut release = emergency_deployed();
    complete_gate(&mut release, Gate::Verify, t(20));
    release.advance_to(Stage::Verifying, &ada(), t(20)).unwrap();
    record_healthy_signals(&mut release, t(25));
    complete_gate(&mut release, Gate::Release, t(30));
    release.advance_to(Stage::Released, &ada(), t(30)).unwrap();
    release
}

// ----- planning and reclassifying -------------------------------------------

#[test]
fn a_type_the_policy_does_not_declare_is_refused_at_planning() {
    let error = common::team_builder().change_type(ChangeType::Emergency).plan(t(0)).unwrap_err();
    assert!(matches!(error, PlanError::ChangeType { change_type: ChangeType::Emergency, .. }));
    let message = error.to_string();
    assert!(message.contains("does not declare emergency changes"), "{message}");
    // Declared, it plans.
    let release = common::team_builder()
        .template(template())
        .member(linus())
        .change_type(ChangeType::Emergency)
        .plan(t(0))
        .unwrap();
    assert_eq!(release.change_type(), ChangeType::Emergency);
    assert_eq!(release.plan().change_type(), ChangeType::Emergency);
    assert_eq!(round_trip(&release), release);
}

#[test]
fn a_standard_change_must_be_eligible_and_stay_so() {
    // A minor release is not a patch.
    let error =
        common::team_builder().template(template()).change_type(ChangeType::Standard).plan(t(0)).unwrap_err();
    assert!(
        error.to_string().contains("a minor release is not one; the policy makes patch releases standard"),
        "{error}"
    );
    let mut release = common::team_builder()
        .version("2.4.1")
        .kind(ReleaseKind::Patch)
        .template(template())
        .member(linus())
        .change("PR-1", t(-60))
        .change("PR-2", t(-50))
        .change_type(ChangeType::Standard)
        .plan(t(0))
        .unwrap();
    let third = release_workflow::plan::Change::new("PR-3", t(-40)).unwrap();
    let error = change(refused(&release, |r| r.add_change(third.clone(), &ada(), t(1)).map(drop)));
    assert_eq!(
        error,
        ChangeError::NotEligible { why: "it ships 3 changes; a standard change ships at most 2".into() }
    );
    // Made normal, it takes the change and needs its approval again.
    release.reclassify(ChangeType::Normal, "a third change came in", &ada(), t(1)).unwrap();
    release.add_change(third, &ada(), t(2)).unwrap();
    let error =
        change(refused(&release, |r| r.reclassify(ChangeType::Standard, "back", &ada(), t(3)).map(drop)));
    assert!(matches!(error, ChangeError::NotEligible { .. }));
    assert_eq!(round_trip(&release), release);
}

#[test]
fn a_standard_change_skips_the_approvals_its_policy_lists_and_nothing_else() {
    let mut release = common::team_builder()
        .version("2.4.1")
        .kind(ReleaseKind::Patch)
        .template(template())
        .member(linus())
        .member(sam())
        .change_type(ChangeType::Standard)
        .plan(t(0))
        .unwrap();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(3));
    assert_eq!(release.approvals_needed(Gate::Deploy), None, "a standard change skips it");
    // The freeze still holds it: standard changes skip approvals, not windows.
    let error = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), t(4)).map(drop));
    assert!(matches!(error, ReleaseError::WindowClosed { .. }), "{error}");
    release.override_window("Year-end freeze", "pre-approved patch", &linus(), t(4)).unwrap();
    release.advance_to(Stage::Deploying, &ada(), t(5)).unwrap();
    // A normal release of the same checklist needs the approval.
    let mut normal = planned_on(template());
    complete_gate(&mut normal, Gate::Freeze, t(1));
    normal.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    complete_gate(&mut normal, Gate::Deploy, t(3));
    assert!(normal.approvals_needed(Gate::Deploy).is_some());
    assert_eq!(round_trip(&release), release);
}

#[test]
fn reclassifying_is_governed_and_ends_when_the_release_deploys() {
    let release = planned_on(template());
    // Grace is on call: the policy leaves the type to the release manager.
    let error = refused(&release, |r| r.reclassify(ChangeType::Emergency, "fire", &grace(), t(1)).map(drop));
    assert!(matches!(error, ReleaseError::Access(_)), "{error}");
    assert_eq!(error.next_actions(), [NextAction::ActAsPermittedRole]);
    let error =
        change(refused(&release, |r| r.reclassify(ChangeType::Normal, "same", &ada(), t(1)).map(drop)));
    assert_eq!(error, ChangeError::Unchanged { change_type: ChangeType::Normal });
    let error = refused(&release, |r| r.reclassify(ChangeType::Emergency, " ", &ada(), t(1)).map(drop));
    assert!(matches!(error, ReleaseError::Text(_)), "{error}");
    // A policy may give it to others.
    let policy = template().policy().unwrap().clone().with_grant(
        Action::ChangeType,
        Scope::Everything,
        [Role::ON_CALL_ENGINEER],
    );
    let mut on_call_may = planned_on(Template::octoacme().with_policy(policy.unwrap()).unwrap());
    on_call_may.reclassify(ChangeType::Emergency, "checkout is down", &grace(), t(1)).unwrap();
    // Once deploying, the type is what it deployed as.
    let deployed = emergency_deployed();
    let error =
        change(refused(&deployed, |r| r.reclassify(ChangeType::Normal, "over", &ada(), t(11)).map(drop)));
    assert_eq!(error, ChangeError::TooLate { what: "a release changes type", stage: Stage::Deploying });
    assert!(
        error.to_string().contains("a release changes type only before the release deploys; it is deploying")
    );
}

#[test]
fn an_emergency_change_that_deferred_work_stays_one() {
    let mut release = planned_as(ChangeType::Emergency);
    release.defer_item(DEFERRABLE, "load test later", &ada(), t(1)).unwrap();
    let error =
        change(refused(&release, |r| r.reclassify(ChangeType::Normal, "calm now", &ada(), t(2)).map(drop)));
    assert_eq!(error, ChangeError::DeferredWork { deferred: vec![format!("`{DEFERRABLE}`")] });
    // Done, nothing is deferred any more, and it may become normal.
    release.complete(DEFERRABLE, &ada(), t(2)).unwrap();
    release.reclassify(ChangeType::Normal, "calm now", &ada(), t(3)).unwrap();
    assert_eq!(release.change_type(), ChangeType::Normal);
}

// ----- deferring ----------------------------------------------------------

#[test]
fn only_an_emergency_change_defers_and_only_what_its_policy_lists() {
    let normal = planned_on(template());
    let error = change(refused(&normal, |r| r.defer_item(DEFERRABLE, "later", &ada(), t(1)).map(drop)));
    assert_eq!(error, ChangeError::NotEmergency { what: "defers work", change_type: ChangeType::Normal });
    let release = planned_as(ChangeType::Emergency);
    let error = change(refused(&release, |r| {
        r.defer_item("testing.unit-tests-passing", "later", &ada(), t(1)).map(drop)
    }));
    let message = error.to_string();
    assert!(
        message.contains("does not let an emergency change defer `testing.unit-tests-passing`; it may defer `testing.performance-tested`, the approvals of the deploy gate"),
        "{message}"
    );
    let error =
        change(refused(&release, |r| r.defer_approvals(Gate::Freeze, "later", &ada(), t(1)).map(drop)));
    assert!(matches!(error, ChangeError::NotDeferrable { .. }));
    // Unknown items are named as everywhere else.
    let error = refused(&release, |r| r.defer_item("testing.nope", "later", &ada(), t(1)).map(drop));
    assert!(matches!(error, ReleaseError::UnknownItem { .. }), "{error}");
    // Deferring twice, or past the gate, is refused.
    let mut release = release;
    release.defer_approvals(Gate::Deploy, "asleep", &ada(), t(1)).unwrap();
    let error =
        change(refused(&release, |r| r.defer_approvals(Gate::Deploy, "again", &ada(), t(2)).map(drop)));
    assert_eq!(error, ChangeError::AlreadyDeferred { gate: Gate::Deploy });
    let deployed = emergency_deployed();
    let error = refused(&deployed, |r| r.defer_approvals(Gate::Deploy, "x", &ada(), t(11)).map(drop));
    assert_eq!(
        change(error),
        ChangeError::TooLate { what: "approvals are deferred", stage: Stage::Deploying }
    );
    let error = refused(&deployed, |r| r.defer_approvals(Gate::Freeze, "x", &ada(), t(11)).map(drop));
    assert!(matches!(change(error), ChangeError::NotDeferrable { .. }));
    // A deferrable item past its gate cannot be worked, deferred or not.
    let mut deployed = deployed;
    deployed.complete(DEFERRABLE, &ada(), t(11)).unwrap();
    let error = refused(&deployed, |r| r.defer_item(DEFERRABLE, "x", &ada(), t(12)).map(drop));
    assert!(matches!(error, ReleaseError::ItemNotWorkable { .. }), "{error}");
}

#[test]
fn a_deferral_without_approvals_to_defer_is_refused() {
    let policy = Policy::octoacme()
        .with_emergency_changes(
            EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(24))
                .with_deferrable_approvals([Gate::Freeze]),
        )
        .unwrap();
    let mut release = planned_on(Template::octoacme().with_policy(policy).unwrap());
    release.reclassify(ChangeType::Emergency, "fire", &ada(), t(0)).unwrap();
    let error = change(refused(&release, |r| r.defer_approvals(Gate::Freeze, "x", &ada(), t(1)).map(drop)));
    assert_eq!(error, ChangeError::NoApprovalsToDefer { gate: Gate::Freeze });
}

#[test]
fn a_deferred_item_passes_its_gate_is_owed_and_is_completed_later() {
    let release = emergency_deployed();
    let status = release.item_status(DEFERRABLE).unwrap();
    assert!(status.is_deferred() && status.is_settled(), "{status}");
    assert!(
        matches!(status, ItemStatus::Deferred { by, reason, .. } if by.id().as_str() == "ada" && reason == "load test after the fix")
    );
    assert_eq!(release.deferred_approvals().len(), 1);
    assert_eq!(release.stage(), Stage::Deploying, "deployed inside the freeze, without the approval");
    // The audit trail says deferred, never done.
    let trail: Vec<String> = release.events().iter().map(|event| event.what.to_string()).collect();
    assert!(trail.contains(&format!("deferred {DEFERRABLE} (owed): load test after the fix")), "{trail:?}");
    assert!(trail.contains(
        &"deferred the approvals of the deploy gate (review owed): the approvers are asleep".to_owned()
    ));
    // Markdown shows it unticked and owed; ticking it completes it.
    let markdown = release.to_markdown();
    let line = markdown.lines().find(|line| line.starts_with("- [") && line.contains(DEFERRABLE)).unwrap();
    assert!(
        line.starts_with("- [ ] ") && line.contains("**deferred, owed**: load test after the fix"),
        "{line}"
    );
    assert!(
        release.markdown_updates(&markdown, &ada(), t(11)).unwrap().is_empty(),
        "an unticked owed item is unchanged"
    );
    // On top: the type, the deferred approvals, what is owed and by when.
    assert!(markdown.contains("**Change type:** emergency"), "{markdown}");
    assert!(
        markdown.contains(
            "- approvals of the deploy gate **deferred** by Ada Lovelace (release-manager), 2026-11-30 09:03 UTC: \
             the approvers are asleep"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "- **owes**, due 2026-12-03 09:10 UTC: deferred item \\`testing.performance-tested\\` done; 0 of 2 \
             review approvals"
        ),
        "{markdown}"
    );
    let mut released = emergency_released();
    let ticked = released.to_markdown().replace(
        &format!("- [ ] {}", line.trim_start_matches("- [ ] ")),
        &format!("- [x] {}", line.trim_start_matches("- [ ] ")),
    );
    released.apply_markdown(&ticked, &ada(), t(40)).unwrap();
    assert!(matches!(released.item_status(DEFERRABLE), Some(ItemStatus::Done { .. })));
    assert!(!released.owed().contains(&Owed::Item { item: DEFERRABLE.parse().unwrap() }));
}

// ----- what an emergency change owes --------------------------------------

#[test]
fn an_emergency_change_does_not_close_while_it_owes_and_is_overdue_past_its_deadline() {
    let mut release = emergency_released();
    complete_gate(&mut release, Gate::PostRelease, t(40));
    // Every post-release item is settled; it still owes its deferred item and two reviews.
    assert!(release.open_items(Gate::PostRelease).next().is_none());
    assert!(!release.is_closed());
    let owed = release.owed();
    assert_eq!(
        owed,
        [
            Owed::Item { item: DEFERRABLE.parse().unwrap() },
            Owed::Review { needed: 2, given: 0, roles: vec![Role::CHANGE_APPROVER, Role::SECURITY_ENGINEER] },
        ]
    );
    assert_eq!(release.review_due(), Some(t(10) + TimeDelta::hours(72)));
    let on_time = release.status_at(t(11));
    assert!(!on_time.overdue && on_time.owed == owed);
    let late = release.status_at(t(10) + TimeDelta::hours(73));
    assert!(late.overdue, "past the deadline with something owed");
    assert!(release.is_overdue(t(10) + TimeDelta::hours(73)));
    let shown = late.to_string();
    assert!(shown.contains("owes, OVERDUE since 2026-12-03 09:10 UTC"), "{shown}");
    assert!(shown.contains(NextAction::SettleWhatIsOwed.describe()), "{shown}");
    // Settled, it closes, and is no longer overdue.
    release.complete(DEFERRABLE, &ada(), t(50)).unwrap();
    release.approve_review("right call; add a canary next time", &linus(), t(60)).unwrap();
    assert!(!release.is_closed(), "one review of two");
    release.approve_review("scan clean after the fact", &sam(), t(70)).unwrap();
    assert!(release.owed().is_empty());
    assert!(release.is_closed());
    assert!(!release.is_overdue(t(10) + TimeDelta::hours(100)));
    assert_eq!(round_trip(&release), release);
}

#[test]
fn the_review_item_cannot_be_waived_or_ruled_out() {
    let mut release = emergency_released();
    let error =
        change(refused(&release, |r| r.mark_not_applicable(REVIEW_ITEM, "no time", &ada(), t(40)).map(drop)));
    assert_eq!(error, ChangeError::ReviewItemOwed { item: REVIEW_ITEM.parse().unwrap() });
    assert_eq!(ReleaseError::from(error).next_actions(), [NextAction::SettleWhatIsOwed]);
    release.complete(REVIEW_ITEM, &ada(), t(40)).unwrap();
    // A normal release may still rule it out.
    let mut normal = common::at_stage(Stage::Released);
    normal.mark_not_applicable(REVIEW_ITEM, "routine release", &ada(), t(100)).unwrap();
}

#[test]
fn the_review_is_approved_afterwards_by_the_roles_it_names_with_segregation_of_duties() {
    let planned = planned_as(ChangeType::Emergency);
    let problem = |release: &Release, by: &Actor| match change(refused(release, |r| {
        r.approve_review("ok", by, release.last_event_at()).map(drop)
    })) {
        ChangeError::Review { problem, .. } => problem,
        other => panic!("expected a refused review, got {other}"),
    };
    assert_eq!(problem(&planned, &linus()), ReviewProblem::NotYet { stage: Stage::Planned });
    let mut release = emergency_deployed();
    assert_eq!(
        problem(&release, &grace()),
        ReviewProblem::WrongRole {
            role: Role::ON_CALL_ENGINEER,
            roles: vec![Role::CHANGE_APPROVER, Role::SECURITY_ENGINEER]
        }
    );
    // Ada holds the approver role too, but planned the release.
    let ada_approves = deploy_as_emergency(
        common::team_builder()
            .template(template())
            .member(ada().acting_as(Role::CHANGE_APPROVER))
            .member(linus())
            .member(sam())
            .change_type(ChangeType::Emergency)
            .plan(t(0))
            .unwrap(),
    );
    assert_eq!(problem(&ada_approves, &ada().acting_as(Role::CHANGE_APPROVER)), ReviewProblem::PlannedIt);
    release.approve_review("ok", &linus(), t(50)).unwrap();
    assert_eq!(problem(&release, &linus()), ReviewProblem::AlreadyApproved);
    let error = change(refused(&release, |r| r.approve_review("ok", &linus(), t(51)).map(drop)));
    assert_eq!(error.next_actions(), [NextAction::GetReview]);
    release.approve_review("ok", &sam(), t(52)).unwrap();
    let carol = Actor::new("carol", "Carol", Role::CHANGE_APPROVER).unwrap();
    release.add_member(carol.clone(), "a third reviewer", &ada(), t(53)).unwrap();
    assert_eq!(problem(&release, &carol), ReviewProblem::NothingOwed);
    // Someone off the roster is refused before the review's rules.
    let mallory = Actor::new("mallory", "Mallory", Role::CHANGE_APPROVER).unwrap();
    assert!(matches!(
        refused(&release, |r| r.approve_review("ok", &mallory, t(54)).map(drop)),
        ReleaseError::Access(_)
    ));
    // A normal release has no review.
    let normal = common::at_stage(Stage::Deploying);
    let error = change(refused(&normal, |r| r.approve_review("ok", &linus(), t(60)).map(drop)));
    assert_eq!(
        error,
        ChangeError::NotEmergency { what: "is reviewed afterwards", change_type: ChangeType::Normal }
    );
}

#[test]
fn a_rolled_back_emergency_change_owes_its_review_only() {
    let mut release = emergency_deployed();
    release.roll_back("the fix made it worse", &grace(), t(15)).unwrap();
    assert_eq!(
        release.owed(),
        [Owed::Review { needed: 2, given: 0, roles: vec![Role::CHANGE_APPROVER, Role::SECURITY_ENGINEER] }]
    );
    complete_gate(&mut release, Gate::Rollback, t(20));
    assert!(!release.is_closed());
    release.approve_review("rollback was right", &linus(), t(30)).unwrap();
    release.approve_review("rollback was right", &sam(), t(31)).unwrap();
    assert!(release.is_closed());
}

// ----- one release in flight per service ----------------------------------

/// Release 2.5.0 of checkout, planned beside the hotfix.
fn next_release() -> Release {
    common::team_builder().version("2.5.0").template(template()).member(linus()).plan(t(0)).unwrap()
}

#[test]
fn a_second_release_of_a_service_does_not_deploy_while_one_is_in_flight() {
    let hotfix = emergency_deployed();
    let mut other = next_release();
    complete_gate(&mut other, Gate::Freeze, t(1));
    other.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    let error = change(other.check_in_flight([&hotfix]).unwrap_err());
    assert_eq!(
        error,
        ChangeError::ServiceInFlight {
            service: "checkout".into(),
            version: hotfix.version().clone(),
            stage: Stage::Deploying,
            allowers: vec![Role::RELEASE_MANAGER],
        }
    );
    assert!(error.to_string().starts_with("release 2.4.0 of checkout is deploying"), "{error}");
    assert_eq!(error.next_actions(), [NextAction::WaitOrDeployInParallel]);
    // The status says who holds the service, beside its other blockers.
    let status = other.status_among(t(11), [&hotfix, &other]);
    let next = status.next_move.as_ref().unwrap();
    let held = next.held_by.as_ref().unwrap();
    assert_eq!((held.service.as_str(), held.stage), ("checkout", Stage::Deploying));
    assert!(next.next_actions().contains(&NextAction::WaitOrDeployInParallel));
    assert!(
        status.to_string().contains("and by another release: release 2.4.0 of checkout is deploying"),
        "{status}"
    );
    // A release of another service, or none, is not held.
    let elsewhere = common::team_builder().service("search").template(template()).plan(t(0)).unwrap();
    assert!(elsewhere.check_in_flight([&hotfix]).is_ok());
    // Itself among the others is skipped.
    assert!(hotfix.check_in_flight([&hotfix]).is_ok());
    // Once the hotfix is rolled back, the service is free.
    let mut rolled_back = hotfix.clone();
    rolled_back.roll_back("bad fix", &grace(), t(12)).unwrap();
    assert!(other.check_in_flight([&rolled_back]).is_ok());
    assert!(other.status_among(t(13), [&rolled_back]).next_move.unwrap().held_by.is_none());
}

#[test]
fn a_parallel_deployment_is_allowed_by_a_governed_audited_event() {
    let hotfix = emergency_deployed();
    let mut other = next_release();
    let error = refused(&other, |r| r.allow_parallel_deploy("both", &grace(), t(1)).map(drop));
    assert!(matches!(error, ReleaseError::Access(_)), "{error}");
    other.allow_parallel_deploy("the schema change ships beside the hotfix", &ada(), t(1)).unwrap();
    assert!(other.parallel_deploy_allowed());
    assert!(other.check_in_flight([&hotfix]).is_ok());
    let error = change(refused(&other, |r| r.allow_parallel_deploy("again", &ada(), t(2)).map(drop)));
    assert_eq!(error, ChangeError::ParallelAlreadyAllowed);
    let error = change(refused(&hotfix, |r| r.allow_parallel_deploy("late", &ada(), t(20)).map(drop)));
    assert!(matches!(error, ChangeError::TooLate { stage: Stage::Deploying, .. }));
    let nameless = Release::builder()
        .version("1.0.0")
        .kind(ReleaseKind::Major)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .template(template())
        .plan(t(0))
        .unwrap();
    let error = change(refused(&nameless, |r| r.allow_parallel_deploy("x", &ada(), t(1)).map(drop)));
    assert_eq!(error, ChangeError::NoService);
    assert!(nameless.check_in_flight([&hotfix]).is_ok(), "a release without a service holds none");
    assert_eq!(round_trip(&other), other);
}

// ----- the policy ----------------------------------------------------------

#[test]
fn a_policy_refuses_change_types_it_cannot_keep() {
    let refused_rule = |rule: EmergencyChange| Policy::octoacme().with_emergency_changes(rule).unwrap_err();
    let error = refused_rule(EmergencyChange::reviewed_by(0, [Role::CHANGE_APPROVER], TimeDelta::hours(1)));
    assert!(error.to_string().contains("asks for 0 review approvals: ask for 1 to 20"), "{error}");
    let error = refused_rule(EmergencyChange::reviewed_by(1, [], TimeDelta::hours(1)));
    assert!(error.to_string().contains("names no role"), "{error}");
    let error =
        refused_rule(EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::minutes(30)));
    assert!(error.to_string().contains("gives 0 hours for the review"), "{error}");
    let error = refused_rule(
        EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(1))
            .with_deferrable_approvals([Gate::Verify]),
    );
    assert!(error.to_string().contains("only approvals before deploying"), "{error}");
    let error =
        refused_rule(EmergencyChange::reviewed_by(1, [Role::new("auditor").unwrap()], TimeDelta::hours(1)));
    assert!(matches!(error, PolicyError::UndeclaredRole { .. }), "{error}");
    let error = Policy::octoacme().with_standard_changes(StandardChange::skipping_approvals([])).unwrap_err();
    assert!(
        error.to_string().contains("the policy's rule for standard changes skips no approvals"),
        "{error}"
    );
    // Items are checked when a template takes the policy.
    let unknown = Policy::octoacme()
        .with_emergency_changes(
            EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(1))
                .with_deferrable_item("testing.performance-acceptible")
                .unwrap(),
        )
        .unwrap();
    let error = Template::octoacme().with_policy(unknown).unwrap_err().to_string();
    assert!(error.contains("did you mean testing.performance-tested"), "{error}");
    let not_post_release = Policy::octoacme()
        .with_emergency_changes(
            EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(1))
                .with_review_item(DEFERRABLE)
                .unwrap(),
        )
        .unwrap();
    let error = Template::octoacme().with_policy(not_post_release).unwrap_err().to_string();
    assert!(error.contains("name a post-release item"), "{error}");
}

#[test]
fn a_policy_with_change_types_round_trips_and_one_without_keeps_its_fingerprint() {
    let policy = template().policy().unwrap().clone();
    let json = serde_json::to_string(&policy).unwrap();
    assert!(json.contains(r#""emergency":{"review":{"count":2"#), "{json}");
    assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), policy);
    let plain = serde_json::to_string(&Policy::octoacme()).unwrap();
    assert!(!plain.contains("emergency") && !plain.contains("standard"), "{plain}");
    let edited = json.replace(r#""count":2"#, r#""count":0"#);
    assert!(serde_json::from_str::<Policy>(&edited).unwrap_err().to_string().contains("review approvals"));
}

// ----- the edges the mutation pass asked about ------------------------------

#[test]
fn a_normal_plan_writes_no_change_type_and_the_rules_read_back() {
    let normal = planned_on(template());
    let json = serde_json::to_string(normal.plan()).unwrap();
    assert!(!json.contains("change_type"), "{json}");
    let emergency = common::team_builder().template(template()).change_type(ChangeType::Emergency).plan(t(0));
    let json = serde_json::to_string(emergency.unwrap().plan()).unwrap();
    assert!(json.contains(r#""change_type":"emergency""#), "{json}");
    let policy = template().policy().unwrap().clone();
    let standard = policy.standard_changes().unwrap();
    assert_eq!(standard.skipped_approvals(), [Gate::Deploy]);
    assert_eq!(standard.kinds(), [ReleaseKind::Patch]);
    assert_eq!(standard.max_changes(), Some(2));
    let emergency = policy.emergency_changes().unwrap();
    assert_eq!(emergency.review_count(), 2);
    assert_eq!(emergency.review_roles(), [Role::CHANGE_APPROVER, Role::SECURITY_ENGINEER]);
    assert_eq!(emergency.deferrable_approvals(), [Gate::Deploy]);
    assert_eq!(emergency.deferrable_items(), [DEFERRABLE.parse().unwrap()]);
    assert_eq!(emergency.review_item(), Some(&REVIEW_ITEM.parse().unwrap()));
}

#[test]
fn a_standard_change_skips_only_the_gates_its_rule_names() {
    let policy = Policy::octoacme()
        .with_approvals(Gate::Release, 1, [Role::CHANGE_APPROVER])
        .unwrap()
        .with_standard_changes(StandardChange::skipping_approvals([Gate::Deploy]))
        .unwrap();
    let mut release = common::team_builder()
        .template(Template::octoacme().with_policy(policy).unwrap())
        .member(linus())
        .member(sam())
        .change_type(ChangeType::Standard)
        .plan(t(0))
        .unwrap();
    assert_eq!(release.approvals_needed(Gate::Deploy), None);
    assert!(release.approvals_needed(Gate::Release).is_some(), "the release gate's approval stands");
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
}

#[test]
fn an_emergency_change_keeps_to_the_windows_unless_its_rule_skips_them() {
    let rule = EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(24))
        .with_deferrable_approvals([Gate::Deploy]);
    let policy = Policy::octoacme().with_window(freeze()).unwrap().with_emergency_changes(rule).unwrap();
    let release = deploy_ready(
        common::team_builder()
            .template(Template::octoacme().with_policy(policy).unwrap())
            .member(linus())
            .member(sam())
            .change_type(ChangeType::Emergency)
            .plan(t(0))
            .unwrap(),
    );
    let error = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), t(10)).map(drop));
    assert!(matches!(error, ReleaseError::WindowClosed { .. }), "{error}");
}

/// `release`, an emergency change, frozen with its deploy items settled and
/// its approvals deferred.
fn deploy_ready(mut release: Release) -> Release {
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    release.defer_approvals(Gate::Deploy, "asleep", &ada(), t(3)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(4));
    release
}

#[test]
fn the_policy_takes_its_limits_and_refuses_past_them() {
    let rule = |count, deadline| EmergencyChange::reviewed_by(count, [Role::CHANGE_APPROVER], deadline);
    let accepts = |count, deadline| Policy::octoacme().with_emergency_changes(rule(count, deadline)).is_ok();
    assert!(accepts(20, TimeDelta::days(90)));
    assert!(!accepts(21, TimeDelta::hours(1)));
    assert!(!accepts(1, TimeDelta::days(90) + TimeDelta::hours(1)));
    let error = Policy::octoacme().with_emergency_changes(rule(1, TimeDelta::hours(-5))).unwrap_err();
    assert!(error.to_string().contains("gives 0 hours for the review"), "{error}");
}

#[test]
fn what_is_owed_reads_as_a_person_would_say_it() {
    let release = emergency_released();
    let owed: Vec<String> = release.owed().iter().map(ToString::to_string).collect();
    assert_eq!(
        owed,
        [
            format!("deferred item `{DEFERRABLE}` done"),
            format!("review item `{REVIEW_ITEM}` done"),
            "0 of 2 review approvals, from change-approver or security-engineer".to_owned(),
        ]
    );
    // Due at the deadline, overdue only past it.
    let due = release.review_due().unwrap();
    assert!(!release.is_overdue(due));
    assert!(release.is_overdue(due + TimeDelta::seconds(1)));
    let mut reviewed = release.clone();
    reviewed.approve_review("fine", &linus(), t(40)).unwrap();
    assert_eq!(reviewed.review_approvals().len(), 1);
    assert_eq!(reviewed.review_approvals()[0].summary, "fine");
    // Only the review item is owed done: other items are waived as ever.
    let mut other = emergency_released();
    other.waive("closure.artifacts-archived", "archived by the pipeline", &ada(), t(40)).unwrap();
}
