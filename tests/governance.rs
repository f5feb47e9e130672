//! Who may do what: the roster, the policy's grants, approvals with
//! segregation of duties, risk decisions bound to their findings — live,
//! and on replay.

mod common;

use common::{ada, at_stage, complete_gate, grace, linus, monitor, planned, refused, sam, t};
use release_workflow::{
    Actor, Event, Gate, NextAction, Release, ReleaseError, Role, Stage, Template,
    checklist::{TemplateDifference, TemplateError},
    event::EventKind,
    plan::Change,
    policy::{Action, Policy, PolicyError, Scope},
    release::{AccessError, ApprovalProblem, Trust},
};

/// A release frozen with every deploy item settled: only the approval is
/// missing before it may deploy.
fn ready_to_approve() -> Release {
    let mut release = at_stage(Stage::Frozen);
    complete_gate(&mut release, Gate::Deploy, t(10));
    release
}

fn access(error: ReleaseError) -> AccessError {
    match error {
        ReleaseError::Access(access) => *access,
        other => panic!("expected an access error, got {other}"),
    }
}

fn approval_problem(error: ReleaseError) -> ApprovalProblem {
    match access(error) {
        AccessError::Approval { problem, .. } => problem,
        other => panic!("expected a refused approval, got {other}"),
    }
}

/// Replays `release`'s log with `event` appended, with the default trust.
fn replay_with(release: &Release, event: Event) -> Result<Release, ReleaseError> {
    let mut events = release.events().to_vec();
    events.push(event);
    Release::replay(events, &Trust::default())
}

// ----- identity -----------------------------------------------------------

#[test]
fn someone_off_the_roster_is_refused_naming_who_is_on_it() {
    let release = planned();
    let mallory = Actor::new("mallory", "Mallory", Role::RELEASE_MANAGER).unwrap();
    let error = refused(&release, |r| r.complete("planning.scope-documented", &mallory, t(1)).map(drop));
    assert_eq!(error.next_actions(), [NextAction::ActAsPermittedRole]);
    let message = error.to_string();
    assert!(message.contains("Mallory [mallory] is not on this release's roster"), "{message}");
    assert!(message.contains("Ada Lovelace [ada] (release-manager)"), "{message}");
    assert!(matches!(access(error), AccessError::NotOnRoster { person, .. } if person.as_str() == "mallory"));
}

#[test]
fn a_role_the_roster_does_not_give_is_refused() {
    let release = planned();
    let grace_as_manager = grace().acting_as(Role::RELEASE_MANAGER);
    let error =
        refused(&release, |r| r.waive("planning.scope-documented", "x", &grace_as_manager, t(1)).map(drop));
    let message = error.to_string();
    assert!(message.contains("does not hold the role release-manager"), "{message}");
    assert!(message.contains("on-call-engineer"), "names the roles held: {message}");
    assert!(matches!(access(error), AccessError::RoleNotHeld { .. }));
}

#[test]
fn one_id_acts_under_the_name_the_roster_gives_it() {
    let release = planned();
    let impostor = Actor::new("ada", "Ada L.", Role::RELEASE_MANAGER).unwrap();
    let error = refused(&release, |r| r.complete("planning.scope-documented", &impostor, t(1)).map(drop));
    assert!(error.to_string().contains(r#"on the roster as "Ada Lovelace", not "Ada L.""#), "{error}");
    // The same name under another id is someone else, and not on the roster.
    let namesake = Actor::new("ada2", "Ada Lovelace", Role::RELEASE_MANAGER).unwrap();
    let error = refused(&release, |r| r.complete("planning.scope-documented", &namesake, t(1)).map(drop));
    assert!(matches!(access(error), AccessError::NotOnRoster { .. }));
}

#[test]
fn the_roster_gathers_roles_by_id_and_refuses_two_names_for_one_id() {
    let release = common::team_builder()
        .on_call(ada().acting_as(Role::ON_CALL_ENGINEER))
        .member(ada().acting_as(Role::SRE))
        .member(grace())
        .plan(t(0))
        .unwrap();
    let roster = release.plan().roster();
    assert_eq!(roster.members().len(), 2);
    let roles = roster.member(ada().id()).unwrap().roles();
    assert_eq!(roles, [Role::RELEASE_MANAGER, Role::ON_CALL_ENGINEER, Role::SRE]);
    assert_eq!(roster.holders(&[Role::SRE]).count(), 1);

    let error = common::team_builder()
        .member(Actor::new("ada", "Countess Lovelace", Role::SRE).unwrap())
        .plan(t(0))
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains(r#"under two names, "Ada Lovelace" and "Countess Lovelace""#), "{message}");
}

#[test]
fn a_roster_role_the_policy_does_not_declare_is_refused_when_planning() {
    let error = common::team_builder()
        .member(Actor::new("dana", "Dana", Role::new("dba").unwrap()).unwrap())
        .plan(t(0))
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("dana as dba, a role the checklist's policy does not declare"), "{message}");
    assert!(message.contains("change-approver"), "lists the declared roles: {message}");
}

#[test]
fn a_checklist_without_a_policy_checks_no_one() {
    let mut release = common::planned_on(Template::octoacme().without_policy());
    let mallory = Actor::new("mallory", "Mallory", Role::DEVELOPER).unwrap();
    release.waive("testing.security-scans-clean", "trusted", &mallory, t(1)).unwrap();
    assert_eq!(release.approvals_needed(Gate::Deploy), None);
    let error = refused(&release, |r| r.approve(Gate::Deploy, &linus(), t(2)).map(drop));
    assert_eq!(approval_problem(error), ApprovalProblem::NotRequired);
}

// ----- grants ---------------------------------------------------------------

#[test]
fn the_most_specific_grant_decides_and_the_refusal_names_who_may() {
    let mut release = at_stage(Stage::Frozen);
    // The security scan is the security engineer's, not the release manager's.
    let error = refused(&release, |r| r.complete("testing.security-scans-clean", &ada(), t(5)).map(drop));
    let message = error.to_string();
    assert!(
        message.contains(
            "Ada Lovelace (release-manager) may not complete `testing.security-scans-clean`: the policy lets \
             security-engineer or automation do that"
        ),
        "{message}"
    );
    let error =
        refused(&release, |r| r.waive("testing.security-scans-clean", "later", &ada(), t(5)).map(drop));
    assert!(error.to_string().contains("the policy lets security-engineer do that"), "{error}");
    release.waive("testing.security-scans-clean", "scanner down; manual review done", &sam(), t(5)).unwrap();
    // Everything else the release manager may complete, and waive.
    release.complete("build.pipelines-passing", &ada(), t(5)).unwrap();
    release.waive("docs.known-issues-documented", "none known", &ada(), t(5)).unwrap();
    // The on-call engineer may complete, but not waive or rule out.
    release.complete("testing.unit-tests-passing", &grace(), t(5)).unwrap();
    let error = refused(&release, |r| r.waive("docs.release-notes-drafted", "x", &grace(), t(5)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::Waive, .. }));
    let error = refused(&release, |r| {
        r.mark_not_applicable("testing.performance-tested", "x", &grace(), t(5)).map(drop)
    });
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::MarkNotApplicable, .. }));
    // Only the release manager and automation move a release.
    let error = refused(&release, |r| r.advance_to(Stage::Deploying, &grace(), t(5)).map(drop));
    assert!(error.to_string().contains("may not advance the release through the deploy gate"), "{error}");
}

#[test]
fn every_action_of_the_octoacme_policy_is_checked() {
    let mut release = at_stage(Stage::Verifying);
    // Samples come from automation and the people on call, not the security engineer.
    let error = refused(&release, |r| r.observe("error_rate", 0.01, "laptop", &sam(), t(10)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::Observe, .. }));
    // Anyone may raise a flag; clearing it is for the release manager and responders.
    release.raise_flag("data-integrity", "rows missing", &sam(), t(10)).unwrap();
    let error = refused(&release, |r| r.clear_flag("data-integrity", "fine", &sam(), t(11)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::ClearFlag, .. }));
    release.clear_flag("data-integrity", "backfilled", &grace(), t(11)).unwrap();
    // Risk is the release manager's to accept.
    let error = refused(&release, |r| r.accept_risk("fine", &grace(), t(12)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::AcceptRisk, .. }));
    // The security engineer neither rolls back nor records incidents.
    let error = refused(&release, |r| r.roll_back("bad", &sam(), t(12)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::RollBack, .. }));
    let incident = release_workflow::incident::Incident::new(
        "INC-1",
        release_workflow::incident::IncidentSeverity::Sev3,
        "slow",
        t(11),
    )
    .unwrap();
    let error = refused(&release, |r| r.open_incident(incident.clone(), &sam(), t(12)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::OpenIncident, .. }));
    release.open_incident(incident, &monitor(), t(12)).unwrap();
    let error = refused(&release, |r| r.resolve_incident("INC-1", t(12), &monitor(), t(12)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::ResolveIncident, .. }));
    release.resolve_incident("INC-1", t(12), &grace(), t(12)).unwrap();
    // Automation rolls back on tripped criteria.
    release.observe("critical_flow_failures", 3.0, "synthetics", &monitor(), t(13)).unwrap();
    release.observe("critical_flow_failures", 4.0, "synthetics", &monitor(), t(13)).unwrap();
    release.observe("critical_flow_failures", 5.0, "synthetics", &monitor(), t(13)).unwrap();
    if release.verdict().should_roll_back() {
        release.roll_back_on_criteria(&monitor(), t(14)).unwrap();
        assert_eq!(release.stage(), Stage::RolledBack);
    }
    // Changes are added by the release manager and developers only.
    let mut planned = planned();
    let change = Change::new("PR-9", t(1)).unwrap();
    let error = refused(&planned, |r| r.add_change(change.clone(), &grace(), t(1)).map(drop));
    assert!(matches!(access(error), AccessError::NotPermitted { action: Action::AddChange, .. }));
    planned.add_change(change, &ada(), t(1)).unwrap();
}

#[test]
fn an_item_the_checklist_lacks_is_named_before_who_may_work_it() {
    let release = planned();
    let error = refused(&release, |r| r.complete("planning.scope-documnted", &grace(), t(1)).map(drop));
    assert!(matches!(error, ReleaseError::UnknownItem { .. }), "{error}");
}

// ----- approvals --------------------------------------------------------------

#[test]
fn a_move_names_its_missing_approvals_beside_its_open_items() {
    let mut release = at_stage(Stage::Frozen);
    let error = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), t(10)).map(drop));
    let ReleaseError::TransitionBlocked { open, approvals: Some(approvals), .. } = &error else {
        panic!("{error}")
    };
    assert!(!open.is_empty());
    assert_eq!((approvals.gate, approvals.needed, approvals.missing()), (Gate::Deploy, 1, 1));
    assert_eq!(approvals.roles, [Role::CHANGE_APPROVER]);
    assert_eq!(error.next_actions(), [NextAction::SettleItems, NextAction::GetApproval]);
    let message = error.to_string();
    assert!(
        message.contains("the deploy gate needs 1 more approval from change-approver (has 0 of 1)"),
        "{message}"
    );

    complete_gate(&mut release, Gate::Deploy, t(10));
    let status = release.status();
    let next = status.next_move.as_ref().unwrap();
    assert!(!next.can_move());
    assert!(next.open_items.is_empty());
    assert_eq!(next.approvals.as_ref().map(|a| a.missing()), Some(1));
    assert_eq!(next.next_actions(), [NextAction::GetApproval]);
    let text = status.to_string();
    assert!(
        text.contains("deploying is blocked by approvals: the deploy gate needs 1 more approval"),
        "{text}"
    );

    release.approve(Gate::Deploy, &linus(), t(11)).unwrap();
    assert_eq!(release.approvals().len(), 1);
    let approvals = release_workflow::audit::AuditTrail::of(&release).in_role(&Role::CHANGE_APPROVER);
    assert_eq!(approvals.len(), 1);
    let by_linus = release_workflow::audit::AuditTrail::of(&release).by_person(linus().id());
    assert_eq!(
        by_linus.events().map(|event| &event.what).collect::<Vec<_>>(),
        [&EventKind::Approved { gate: Gate::Deploy }]
    );
    let by_sam = release_workflow::audit::AuditTrail::of(&release).by_person(sam().id());
    assert_eq!(by_sam.len(), 1, "the security scan");
    let text = release.to_string();
    assert!(text.contains("approved   deploy gate by Linus Approver at 2026-11-30 09:11 UTC"), "{text}");
    assert_eq!(release.status().approvals, release.approvals());
    assert_eq!(release.approvals_needed(Gate::Deploy), None);
    assert!(release.status().next_move.unwrap().can_move());
    release.advance_to(Stage::Deploying, &ada(), t(12)).unwrap();
    // The approval stays on record after the gate is passed.
    assert_eq!(release.approvals()[0].by, linus());
}

#[test]
fn the_planner_and_the_authors_of_changes_may_not_approve() {
    let approving_manager = ada().acting_as(Role::CHANGE_APPROVER);
    let author = Actor::new("ken", "Ken Thompson", Role::CHANGE_APPROVER).unwrap();
    let late_author = Actor::new("dennis", "Dennis Ritchie", Role::CHANGE_APPROVER).unwrap();
    let mut release = common::team_builder()
        .member(approving_manager.clone())
        .member(author.clone())
        .member(late_author.clone())
        .member(sam())
        .member(linus())
        .change_by("PR-1", t(-600), "ken")
        .plan(t(0))
        .unwrap();
    let change = Change::new("PR-2", t(-60)).unwrap().with_author("dennis").unwrap();
    release.add_change(change, &ada(), t(0)).unwrap();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(1)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(2));

    let error = refused(&release, |r| r.approve(Gate::Deploy, &approving_manager, t(3)).map(drop));
    assert_eq!(error.next_actions(), [NextAction::GetApproval]);
    assert!(error.to_string().contains("they planned the release, and segregation of duties"), "{error}");
    assert_eq!(approval_problem(error), ApprovalProblem::PlannedIt);
    let error = refused(&release, |r| r.approve(Gate::Deploy, &author, t(3)).map(drop));
    assert_eq!(approval_problem(error), ApprovalProblem::AuthoredChange { change: "PR-1".into() });
    let error = refused(&release, |r| r.approve(Gate::Deploy, &late_author, t(3)).map(drop));
    assert_eq!(approval_problem(error), ApprovalProblem::AuthoredChange { change: "PR-2".into() });
    release.approve(Gate::Deploy, &linus(), t(3)).unwrap();
    let error = refused(&release, |r| r.approve(Gate::Deploy, &linus(), t(4)).map(drop));
    assert_eq!(approval_problem(error), ApprovalProblem::AlreadyApproved { at: t(3) });
}

#[test]
fn approvals_come_from_the_right_role_for_the_next_gate_once_its_items_are_settled() {
    let release = at_stage(Stage::Frozen);
    // Items open: nothing to approve yet.
    let error = refused(&release, |r| r.approve(Gate::Deploy, &linus(), t(10)).map(drop));
    let ApprovalProblem::ItemsOpen { items } = approval_problem(error) else { panic!() };
    assert!(items.iter().any(|item| item.as_str() == "build.pipelines-passing"));
    let release = ready_to_approve();
    // The wrong role.
    let error = refused(&release, |r| r.approve(Gate::Deploy, &sam(), t(10)).map(drop));
    assert_eq!(
        approval_problem(error),
        ApprovalProblem::WrongRole { role: Role::SECURITY_ENGINEER, roles: vec![Role::CHANGE_APPROVER] }
    );
    // A gate that asks no approvals, and a gate that is not next.
    let error = refused(&release, |r| r.approve(Gate::Release, &linus(), t(10)).map(drop));
    assert_eq!(approval_problem(error), ApprovalProblem::NotRequired);
    let planned = planned();
    let error = refused(&planned, |r| r.approve(Gate::Deploy, &linus(), t(10)).map(drop));
    assert_eq!(approval_problem(error), ApprovalProblem::NotNext { stage: Stage::Planned });
    let deploying = at_stage(Stage::Deploying);
    let error = refused(&deploying, |r| r.approve(Gate::Deploy, &linus(), t(10)).map(drop));
    assert_eq!(approval_problem(error), ApprovalProblem::NotNext { stage: Stage::Deploying });
}

#[test]
fn approvals_lapse_when_what_they_approved_changes() {
    // Reopening an item of the approved gate.
    let mut release = ready_to_approve();
    release.approve(Gate::Deploy, &linus(), t(11)).unwrap();
    release.reopen("build.pipelines-passing", "flaky run", &ada(), t(12)).unwrap();
    assert!(release.approvals().is_empty());
    release.complete("build.pipelines-passing", &ada(), t(13)).unwrap();
    assert!(release.approvals_needed(Gate::Deploy).is_some(), "the approval must be given again");
    release.approve(Gate::Deploy, &linus(), t(14)).unwrap();
    release.advance_to(Stage::Deploying, &ada(), t(15)).unwrap();

    // Reopening an item of another gate leaves it.
    let mut release = ready_to_approve();
    release.approve(Gate::Deploy, &linus(), t(11)).unwrap();
    release.reopen("deployment.initiated", "not yet", &ada(), t(12)).map(drop).unwrap_err();
    release.complete("deployment.initiated", &ada(), t(12)).unwrap();
    release.reopen("deployment.initiated", "started too early", &ada(), t(12)).unwrap();
    assert_eq!(release.approvals().len(), 1);

    // A change added, before the freeze: on a policy asking approval of the
    // freeze gate.
    let policy = Policy::octoacme().with_approvals(Gate::Freeze, 1, [Role::CHANGE_APPROVER]).unwrap();
    let mut release = common::planned_on(Template::octoacme().with_policy(policy).unwrap());
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.approve(Gate::Freeze, &linus(), t(2)).unwrap();
    release.add_change(Change::new("PR-7", t(2)).unwrap(), &ada(), t(3)).unwrap();
    assert!(release.approvals().is_empty());
    let error = refused(&release, |r| r.advance_to(Stage::Frozen, &ada(), t(4)).map(drop));
    assert!(matches!(error, ReleaseError::TransitionBlocked { approvals: Some(_), .. }), "{error}");
}

#[test]
fn a_risk_decision_lapses_the_release_gates_approvals() {
    let policy = Policy::octoacme().with_approvals(Gate::Release, 1, [Role::CHANGE_APPROVER]).unwrap();
    let mut release = common::planned_on(Template::octoacme().with_policy(policy).unwrap());
    while release.stage() < Stage::Verifying {
        common::advance(&mut release, t(1));
    }
    complete_gate(&mut release, Gate::Release, t(2));
    // No data yet: inconclusive. The approver approves, then the risk is accepted.
    release.approve(Gate::Release, &linus(), t(3)).unwrap();
    release.accept_risk("monitoring lags; dashboards look fine", &ada(), t(4)).unwrap();
    assert!(
        release.approvals().iter().all(|approval| approval.gate != Gate::Release),
        "the decision changed what was approved"
    );
    assert_eq!(release.approvals().len(), 1, "the deploy gate's approval stays on record");
    release.approve(Gate::Release, &linus(), t(5)).unwrap();
    release.advance_to(Stage::Released, &ada(), t(6)).unwrap();
}

#[test]
fn more_approvals_count_distinct_people_holding_any_accepted_role() {
    let policy = Policy::octoacme()
        .with_approvals(Gate::Deploy, 2, [Role::CHANGE_APPROVER, Role::PRODUCT_OWNER])
        .unwrap();
    let owner = Actor::new("pat", "Pat Owner", Role::PRODUCT_OWNER).unwrap();
    let mut release = common::team_builder()
        .member(sam())
        .member(linus())
        .member(linus().acting_as(Role::PRODUCT_OWNER))
        .member(owner.clone())
        .template(Template::octoacme().with_policy(policy).unwrap())
        .plan(t(0))
        .unwrap();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(1)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(2));
    release.approve(Gate::Deploy, &linus(), t(3)).unwrap();
    // Linus again, in his other role, is still one person.
    let error = refused(&release, |r| {
        r.approve(Gate::Deploy, &linus().acting_as(Role::PRODUCT_OWNER), t(3)).map(drop)
    });
    assert!(matches!(approval_problem(error), ApprovalProblem::AlreadyApproved { .. }));
    let needed = release.approvals_needed(Gate::Deploy).unwrap();
    assert_eq!((needed.missing(), needed.given.len()), (1, 1));
    assert!(needed.to_string().contains("approved by Linus Approver"), "{needed}");
    release.approve(Gate::Deploy, &owner, t(4)).unwrap();
    release.advance_to(Stage::Deploying, &ada(), t(5)).unwrap();
}

// ----- decisions bound to findings --------------------------------------------

#[test]
fn a_risk_accepted_for_missing_data_does_not_cover_the_criterion_tripping_later() {
    use release_workflow::health::{
        CriterionKind, RollbackCriterion, Severity, Threshold, Verdict, WhenMissing,
    };
    // The issue's case: a warning on the error rate, inconclusive without data.
    let warning = RollbackCriterion::threshold(
        "error-rate-warning",
        "Error rate above 2%",
        CriterionKind::Custom,
        Threshold::above("error_rate", 0.02).unwrap().with_when_missing(WhenMissing::Inconclusive),
        Severity::Warning,
    )
    .unwrap();
    let mut release = common::planned_on(Template::octoacme().with_criteria(vec![warning]).unwrap());
    while release.stage() < Stage::Verifying {
        common::advance(&mut release, t(1));
    }
    complete_gate(&mut release, Gate::Release, t(10));
    let Some(Verdict::Inconclusive { findings }) = release.undecided_health() else {
        panic!("{}", release.verdict())
    };
    assert!(matches!(findings[0].cause, release_workflow::health::Cause::MissingData { .. }));
    release.accept_risk("the exporter lags; logs are clean", &ada(), t(11)).unwrap();
    assert_eq!(release.undecided_health(), None);
    assert_eq!(release.risk_decisions()[0].findings, findings);
    // Now the warning trips on real data: a different finding of the same criterion.
    release.observe("error_rate", 0.03, "prometheus", &monitor(), t(12)).unwrap();
    let Some(Verdict::Inconclusive { findings: tripped }) = release.undecided_health() else {
        panic!("the tripped warning must need a decision of its own: {}", release.verdict())
    };
    assert_eq!(tripped[0].criterion.as_str(), "error-rate-warning");
    assert!(matches!(tripped[0].cause, release_workflow::health::Cause::Breached { .. }));
    let error = refused(&release, |r| r.advance_to(Stage::Released, &ada(), t(13)).map(drop));
    assert!(matches!(error, ReleaseError::TransitionBlocked { health: Some(_), .. }), "{error}");
    // A decision of its own covers it; more breaching samples later are still that finding.
    release.accept_risk("a known burst from the cache warm-up", &ada(), t(14)).unwrap();
    release.observe("error_rate", 0.035, "prometheus", &monitor(), t(15)).unwrap();
    assert_eq!(release.undecided_health(), None);
    release.advance_to(Stage::Released, &ada(), t(16)).unwrap();
}

// ----- replay -----------------------------------------------------------------

#[test]
fn forged_approvals_are_refused_on_load_naming_the_event() {
    let release = ready_to_approve();
    let position = release.events().len();
    let forge = |by: Actor| Event { at: t(20), by, what: EventKind::Approved { gate: Gate::Deploy } };

    // Someone off the roster.
    let outsider = Actor::new("eve", "Eve", Role::CHANGE_APPROVER).unwrap();
    let error = replay_with(&release, forge(outsider)).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with(&format!("event {} of the log is refused", position + 1)), "{message}");
    assert!(message.contains("Eve [eve] is not on this release's roster"), "{message}");
    // A role the approver does not hold.
    let error = replay_with(&release, forge(ada().acting_as(Role::CHANGE_APPROVER))).unwrap_err();
    assert!(error.to_string().contains("does not hold the role change-approver"), "{error}");
    // The wrong role.
    let error = replay_with(&release, forge(sam())).unwrap_err();
    assert!(error.to_string().contains("approvals come from change-approver"), "{error}");
    // A self-approval, with a roster that gives the planner the role.
    let mut events = release.events().to_vec();
    let EventKind::Planned { plan } = &mut events[0].what else { panic!() };
    let mut value = serde_json::to_value(plan.as_ref()).unwrap();
    value["roster"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::to_value(ada().acting_as(Role::CHANGE_APPROVER)).unwrap());
    *plan = std::sync::Arc::new(serde_json::from_value(value).unwrap());
    events.push(forge(ada().acting_as(Role::CHANGE_APPROVER)));
    let error = Release::replay(events, &Trust::default()).unwrap_err();
    assert!(error.to_string().contains("they planned the release"), "{error}");
    // The real one replays.
    replay_with(&release, forge(linus())).unwrap();
}

#[test]
fn forged_work_by_the_wrong_people_is_refused_on_load() {
    let release = at_stage(Stage::Frozen);
    let waived_by_on_call = Event {
        at: t(20),
        by: grace(),
        what: EventKind::ItemWaived { item: "build.pipelines-passing".parse().unwrap(), reason: "x".into() },
    };
    let error = replay_with(&release, waived_by_on_call).unwrap_err();
    assert!(error.to_string().contains("Grace Hopper (on-call-engineer) may not waive"), "{error}");
    assert_eq!(error.next_actions(), [NextAction::ActAsPermittedRole]);
    // A move without its approval.
    let mut frozen = ready_to_approve();
    let jump = Event {
        at: t(20),
        by: ada(),
        what: EventKind::Advanced { from: Stage::Frozen, to: Stage::Deploying },
    };
    let error = replay_with(&frozen, jump.clone()).unwrap_err();
    assert!(error.to_string().contains("needs 1 more approval"), "{error}");
    frozen.approve(Gate::Deploy, &linus(), t(19)).unwrap();
    replay_with(&frozen, jump).unwrap();
}

#[test]
fn a_policy_edited_in_a_stored_log_is_an_untrusted_checklist() {
    let release = ready_to_approve();
    let json = serde_json::to_string(&release).unwrap();
    // Anyone may now waive the security scan.
    let edited = json.replacen(
        r#""action":"waive","item":"testing.security-scans-clean","roles":["security-engineer"]"#,
        r#""action":"waive","item":"testing.security-scans-clean","roles":["developer"]"#,
        1,
    );
    assert_ne!(edited, json);
    let log: release_workflow::release::UnverifiedRelease = serde_json::from_str(&edited).unwrap();
    let error = log.verify(&Trust::default()).unwrap_err();
    let ReleaseError::UntrustedTemplate { differences, .. } = &error else { panic!("{error}") };
    assert_eq!(differences, &[TemplateDifference::PolicyChanged { what: "its grants differ".into() }]);
    assert!(error.to_string().contains("policy its grants differ"), "{error}");
}

#[test]
fn logs_of_the_ungoverned_octoacme_checklist_load_when_trusted_on_purpose() {
    let ungoverned = Template::octoacme().without_policy();
    let mut release = common::planned_on(ungoverned.clone());
    release.complete("planning.scope-documented", &grace(), t(1)).unwrap();
    let events = release.events().to_vec();
    let error = Release::replay(events.clone(), &Trust::default()).unwrap_err();
    assert!(error.to_string().contains("policy removed"), "{error}");
    assert_eq!(error.next_actions(), [NextAction::TrustTemplate]);
    let trust = Trust::default().trusting(ungoverned);
    assert_eq!(Release::replay(events, &trust).unwrap(), release);
}

// ----- the policy as data -----------------------------------------------------

#[test]
fn the_octoacme_policy_round_trips_and_keeps_its_fingerprint() {
    let template = Template::octoacme();
    let policy = template.policy().unwrap();
    assert_eq!(policy.roles().len(), Role::BUILT_IN.len());
    let json = serde_json::to_string(policy).unwrap();
    let reread: Policy = serde_json::from_str(&json).unwrap();
    assert_eq!(&reread, policy);
    let toml = toml::to_string(&template).unwrap();
    let reread: Template = toml::from_str(&toml).unwrap();
    assert_eq!(reread.fingerprint(), template.fingerprint());
    assert_ne!(template.fingerprint(), template.clone().without_policy().fingerprint());
}

#[test]
fn a_policy_refuses_what_would_leave_work_nobody_may_do() {
    let base = || {
        Policy::builder().role(Role::RELEASE_MANAGER, "Owns the release").allow(
            Action::Advance,
            Scope::Everything,
            [Role::RELEASE_MANAGER],
        )
    };
    let small = |policy: Policy| {
        Template::builder("Small")
            .section("Ship")
            .item("ship.tested", "Tested", Gate::Deploy)
            .item_if_applicable("ship.migrated", "Migrated", Gate::Deploy)
            .build()
            .unwrap()
            .with_policy(policy)
    };
    // No role may settle the items.
    let error = small(base().build().unwrap()).unwrap_err();
    assert_eq!(error, TemplateError::Policy(PolicyError::Unsettleable { item: "ship.tested".into() }));
    // Completing covers both; waiving alone covers only the required one.
    let waive_only = base().allow(Action::Waive, Scope::Everything, [Role::RELEASE_MANAGER]).build().unwrap();
    let error = small(waive_only).unwrap_err();
    assert_eq!(error, TemplateError::Policy(PolicyError::Unsettleable { item: "ship.migrated".into() }));
    let settles = base()
        .allow(Action::Waive, Scope::Everything, [Role::RELEASE_MANAGER])
        .allow(Action::MarkNotApplicable, Scope::section("Ship"), [Role::RELEASE_MANAGER])
        .build()
        .unwrap();
    small(settles).unwrap();
    // Nobody may pass the gate.
    let no_advance = Policy::builder()
        .role(Role::RELEASE_MANAGER, "Owns the release")
        .allow(Action::Complete, Scope::Everything, [Role::RELEASE_MANAGER])
        .build()
        .unwrap();
    assert_eq!(
        small(no_advance).unwrap_err(),
        TemplateError::Policy(PolicyError::Impassable { gate: Gate::Deploy })
    );
    // A grant for an item or section the checklist lacks.
    let typo = base()
        .allow(Action::Complete, Scope::Everything, [Role::RELEASE_MANAGER])
        .allow_item(Action::Complete, "ship.testd", [Role::RELEASE_MANAGER])
        .build()
        .unwrap();
    let error = small(typo).unwrap_err().to_string();
    assert!(
        error.contains("names item `ship.testd`") && error.contains("did you mean ship.tested?"),
        "{error}"
    );
    let section = base()
        .allow(Action::Complete, Scope::Everything, [Role::RELEASE_MANAGER])
        .allow(Action::Complete, Scope::section("Shipping"), [Role::RELEASE_MANAGER])
        .build()
        .unwrap();
    assert!(small(section).unwrap_err().to_string().contains(r#"names section "Shipping""#));
}

#[test]
fn a_policy_refuses_roles_nobody_can_hold_and_rules_that_do_not_fit() {
    let base = || Policy::builder().role(Role::RELEASE_MANAGER, "Owns the release");
    let error = base().allow(Action::Complete, Scope::Everything, [Role::new("cab-member").unwrap()]).build();
    let message = error.unwrap_err().to_string();
    assert!(message.contains("names role `cab-member`, which the policy does not declare"), "{message}");
    assert!(message.contains("use one of release-manager"), "{message}");
    let error = base().require_approvals(Gate::Deploy, 1, [Role::CHANGE_APPROVER]).build().unwrap_err();
    assert!(matches!(error, PolicyError::UndeclaredRole { .. }), "{error}");
    for (count, fits) in [(0, false), (1, true), (20, true), (21, false)] {
        let result = base().require_approvals(Gate::Deploy, count, [Role::RELEASE_MANAGER]).build();
        assert_eq!(result.is_ok(), fits, "{count} approvals");
    }
    let twice = base()
        .require_approvals(Gate::Deploy, 1, [Role::RELEASE_MANAGER])
        .require_approvals(Gate::Deploy, 2, [Role::RELEASE_MANAGER])
        .build()
        .unwrap_err();
    assert!(twice.to_string().contains("are given twice"), "{twice}");
    let post = base().require_approvals(Gate::PostRelease, 1, [Role::RELEASE_MANAGER]).build().unwrap_err();
    assert!(post.to_string().contains("no move passes through"), "{post}");
    let nobody = base().require_approvals(Gate::Deploy, 1, []).build().unwrap_err();
    assert!(nobody.to_string().contains("name no role"), "{nobody}");
    // Scopes that do not fit their action.
    let error = base().allow(Action::AcceptRisk, Scope::Gate(Gate::Release), [Role::RELEASE_MANAGER]).build();
    assert!(error.unwrap_err().to_string().contains("only item actions"));
    let error = base().allow(Action::Advance, Scope::Gate(Gate::Rollback), [Role::RELEASE_MANAGER]).build();
    assert!(error.unwrap_err().to_string().contains("no move passes through"));
    let error = base().allow(Action::Advance, Scope::section("Ship"), [Role::RELEASE_MANAGER]).build();
    assert!(error.is_err());
    base().allow(Action::Advance, Scope::Gate(Gate::Deploy), [Role::RELEASE_MANAGER]).build().unwrap();
    let error = base().allow(Action::Complete, Scope::Everything, []).build().unwrap_err();
    assert!(error.to_string().contains("grants it to no role"), "{error}");
    let error =
        base().allow_item(Action::Complete, "Not An Id", [Role::RELEASE_MANAGER]).build().unwrap_err();
    assert!(matches!(error, PolicyError::InvalidScope { .. }), "{error}");
    // Stored grants name at most one scope.
    let json = r#"{"roles":{"release-manager":"x"},"grants":[{"action":"complete","gate":"deploy","section":"Ship","roles":["release-manager"]}]}"#;
    let error = serde_json::from_str::<Policy>(json).unwrap_err().to_string();
    assert!(error.contains("more than one of gate, section and item"), "{error}");
    let unknown = r#"{"roles":{},"grants":[],"owner":"x"}"#;
    assert!(serde_json::from_str::<Policy>(unknown).is_err());
}

#[test]
fn a_section_grant_overrides_the_grant_for_everything() {
    let template = Template::octoacme();
    let policy = template.policy().unwrap();
    let item = template.item("communication.support-briefed").unwrap();
    let roles = policy.roles_for(Action::Complete, Some(item), None);
    assert_eq!(roles, [&Role::RELEASE_MANAGER, &Role::SUPPORT, &Role::PRODUCT_OWNER]);
    assert!(!policy.permits(&Role::DEVELOPER, Action::Complete, Some(item), None));
    let other = template.item("build.pipelines-passing").unwrap();
    assert!(policy.permits(&Role::DEVELOPER, Action::Complete, Some(other), None));
    assert!(policy.permits(&Role::AUTOMATION, Action::Advance, None, Some(Gate::Deploy)));
    assert!(!policy.permits(&Role::SUPPORT, Action::Advance, None, Some(Gate::Deploy)));
}

#[test]
fn what_differs_between_two_policies_is_named_part_by_part() {
    let trusted = Template::octoacme();
    let differs = |template: Template| template.differences_from(&trusted);
    let what = |what: &str| vec![TemplateDifference::PolicyChanged { what: what.into() }];
    assert_eq!(differs(Template::octoacme()), vec![]);
    assert_eq!(differs(Template::octoacme().without_policy()), what("removed"));
    assert_eq!(trusted.differences_from(&Template::octoacme().without_policy()), what("added"));
    let approvals = Policy::octoacme().with_approvals(Gate::Deploy, 2, [Role::CHANGE_APPROVER]).unwrap();
    assert_eq!(differs(Template::octoacme().with_policy(approvals).unwrap()), what("its approvals differ"));
    let freeze = release_workflow::policy::ChangeWindow::weekly(
        "Weekend freeze",
        release_workflow::policy::WindowKind::Freeze,
        chrono_tz::Europe::Berlin,
        "fri 18:00".parse().unwrap(),
        "mon 07:00".parse().unwrap(),
    )
    .unwrap();
    let windows = Policy::octoacme().with_window(freeze).unwrap();
    assert_eq!(differs(Template::octoacme().with_policy(windows).unwrap()), what("its windows differ"));
    let mut roles_and_grants = Policy::builder();
    for (role, description) in Template::octoacme().policy().unwrap().roles() {
        roles_and_grants = roles_and_grants.role(role.clone(), description);
    }
    let roles_and_grants = roles_and_grants
        .role(Role::new("dba").unwrap(), "Database administrator")
        .allow(Action::Complete, Scope::Everything, [Role::RELEASE_MANAGER])
        .allow(Action::Advance, Scope::Everything, [Role::RELEASE_MANAGER])
        .build()
        .unwrap();
    assert_eq!(
        differs(Template::octoacme().with_policy(roles_and_grants).unwrap()),
        what("its roles, grants, approvals differ")
    );
}

#[test]
fn a_finding_is_the_same_only_for_the_same_criterion_outcome_and_cause() {
    use release_workflow::health::{
        Breach, Cause, CriterionKind, Finding, FiniteF64, Missing, Outcome, Severity, Signal,
    };
    let value = |v: f64| FiniteF64::new(v).unwrap();
    let breach = |v: f64, minute: i64| Breach { value: value(v), at: t(minute), source: "prometheus".into() };
    let breached = |cause: Cause| Finding {
        criterion: "error-rate".parse().unwrap(),
        title: "Error rate above 2%".into(),
        kind: CriterionKind::Custom,
        severity: Severity::Warning,
        outcome: Outcome::Inconclusive,
        cause,
    };
    let base = || Cause::Breached {
        signal: Signal::parse("error_rate").unwrap(),
        bound: value(0.02),
        baseline: None,
        needed: 1,
        in_a_row: false,
        since: None,
        breaching: 1,
        samples: 3,
        tripped_by: vec![breach(0.03, 12)],
    };
    let same = breached(base());
    assert!(same.is_same_finding(&breached(base())));
    // More samples, more breaches since: the same finding.
    let mut later = base();
    if let Cause::Breached { breaching, samples, since, .. } = &mut later {
        (*breaching, *samples, *since) = (4, 9, Some(t(5)));
    }
    assert!(same.is_same_finding(&breached(later)));
    // Any other part of the cause makes another finding.
    let changes: [fn(&mut Cause); 6] = [
        |cause| {
            if let Cause::Breached { in_a_row, .. } = cause {
                *in_a_row = true;
            }
        },
        |cause| {
            if let Cause::Breached { signal, .. } = cause {
                *signal = Signal::parse("error_rate_5xx").unwrap();
            }
        },
        |cause| {
            if let Cause::Breached { bound, .. } = cause {
                *bound = FiniteF64::new(0.025).unwrap();
            }
        },
        |cause| {
            if let Cause::Breached { baseline, .. } = cause {
                *baseline = Some(FiniteF64::new(0.01).unwrap());
            }
        },
        |cause| {
            if let Cause::Breached { needed, .. } = cause {
                *needed = 2;
            }
        },
        |cause| {
            if let Cause::Breached { tripped_by, .. } = cause {
                tripped_by[0].value = FiniteF64::new(0.04).unwrap();
            }
        },
    ];
    for (index, change) in changes.iter().enumerate() {
        let mut cause = base();
        change(&mut cause);
        assert!(!same.is_same_finding(&breached(cause)), "change {index}");
    }
    let mut other_criterion = breached(base());
    other_criterion.criterion = "latency".parse().unwrap();
    assert!(!same.is_same_finding(&other_criterion));
    let mut other_outcome = breached(base());
    other_outcome.outcome = Outcome::RollBack;
    assert!(!same.is_same_finding(&other_outcome));
    let missing = |missing| Cause::MissingData { signal: Signal::parse("error_rate").unwrap(), missing };
    let no_samples = breached(missing(Missing::Samples));
    assert!(!same.is_same_finding(&no_samples));
    assert!(no_samples.is_same_finding(&breached(missing(Missing::Samples))));
    assert!(!no_samples.is_same_finding(&breached(missing(Missing::Baseline))));
}
