//! People change during a release: someone added, a role handed over,
//! someone removed. Each change is a governed, audited event; every later
//! event is checked against the roster it made, live and on replay.

mod common;

use common::{
    ada, at_stage, complete_gate, grace, linus, monitor, refused, round_trip, sam, t, team_builder,
};
use proptest::prelude::*;
use release_workflow::{
    Actor, Event, Gate, NextAction, PersonId, Release, ReleaseError, Role, Stage, Template,
    event::{EventKind, EventType},
    incident::{Incident, IncidentSeverity},
    policy::{Action, Policy, Scope},
    release::{AccessError, Trust},
    roster::{RosterChange, RosterProblem},
};

fn person(id: &str) -> PersonId {
    id.parse().unwrap()
}

fn alan() -> Actor {
    Actor::new("alan", "Alan Turing", Role::ON_CALL_ENGINEER).unwrap()
}

fn incident() -> Incident {
    Incident::new("INC-1", IncidentSeverity::Sev3, "slow pages", t(9)).unwrap()
}

fn problem(error: ReleaseError) -> RosterProblem {
    match error {
        ReleaseError::InvalidRosterChange { problem, .. } => problem,
        other => panic!("expected a refused roster change, got {other}"),
    }
}

fn replayed(release: &Release) -> Release {
    Release::replay(release.events().to_vec(), &Trust::default()).unwrap()
}

/// OctoAcme's team without its change approver: planned before anyone
/// could approve a deployment.
fn planned_without_an_approver() -> Release {
    team_builder()
        .template(Template::octoacme())
        .member(sam())
        .member(monitor())
        .change("PR-1", t(-600))
        .plan(t(0))
        .unwrap()
}

#[test]
fn an_approver_staffed_after_planning_lets_the_release_deploy() {
    let mut release = planned_without_an_approver();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(3));
    // Nobody on the roster may approve, and linus may not act at all.
    let error = refused(&release, |r| r.approve(Gate::Deploy, &linus(), t(4)).map(drop));
    assert!(
        matches!(&error, ReleaseError::Access(access) if matches!(**access, AccessError::NotOnRoster { .. }))
    );
    // The blocked move says so, and points at staffing, not at asking.
    let blocked = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), t(4)).map(drop));
    assert_eq!(blocked.next_actions(), [NextAction::StaffApprover]);
    assert!(blocked.to_string().contains("nobody on the roster may give it"), "{blocked}");
    assert!(blocked.to_string().contains(NextAction::StaffApprover.describe()), "{blocked}");
    assert_eq!(release.status().next_move.unwrap().next_actions(), [NextAction::StaffApprover]);
    release.add_member(linus(), "CAB delegate for this release", &ada(), t(4)).unwrap();
    let blocked = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), t(5)).map(drop));
    assert_eq!(blocked.next_actions(), [NextAction::GetApproval]);
    assert!(
        blocked.to_string().contains("1 more approval from change-approver (has 0 of 1); linus may"),
        "{blocked}"
    );
    release.approve(Gate::Deploy, &linus(), t(5)).unwrap();
    release.advance_to(Stage::Deploying, &ada(), t(6)).unwrap();
    let change =
        release.events().iter().find(|event| event.what.event_type() == EventType::RosterChanged).unwrap();
    assert_eq!(
        change.to_string(),
        "2026-11-30 09:04:00 UTC  Ada Lovelace (release-manager)  added Linus Approver [linus] as \
         change-approver: CAB delegate for this release"
    );
    assert_eq!(replayed(&release), release);
    assert_eq!(round_trip(&release), release);
}

#[test]
fn a_handed_over_role_moves_who_may_act_and_the_status_shows_who_holds_it() {
    let mut release = at_stage(Stage::Deploying);
    release.hand_over(grace().id(), alan(), "end of Grace's shift", &ada(), t(10)).unwrap();
    assert_eq!(release.on_call(), alan());
    assert_eq!(release.plan().on_call(), &grace(), "the plan keeps who was planned");
    assert!(release.roster().member(grace().id()).is_none(), "on call was Grace's only role");
    let status = release.status();
    assert_eq!(status.on_call, alan());
    assert_eq!(status.release_manager, ada());
    let people: Vec<&str> = status.people.iter().map(|member| member.id().as_str()).collect();
    assert_eq!(people, ["ada", "sam", "linus", "monitor", "alan"]);
    // Grace may no longer act; Alan may, in the role handed to him.
    let error = refused(&release, |r| r.open_incident(incident(), &grace(), t(11)).map(drop));
    assert!(error.to_string().contains("grace"), "{error}");
    release.open_incident(incident(), &alan(), t(11)).unwrap();
    // The release manager's role can be handed over too; the planner then
    // stops being the release manager but stays the planner.
    let bob = Actor::new("bob", "Bob", Role::RELEASE_MANAGER).unwrap();
    release.hand_over(ada().id(), bob.clone(), "Ada on leave", &ada(), t(12)).unwrap();
    assert_eq!(release.release_manager(), bob);
    assert_eq!(release.status().release_manager, bob);
    let error = refused(&release, |r| r.complete("deployment.initiated", &ada(), t(13)).map(drop));
    assert!(matches!(&error, ReleaseError::Access(_)), "{error}");
    assert_eq!(replayed(&release), release);
}

#[test]
fn approvals_given_by_someone_who_leaves_or_hands_their_role_over_lapse() {
    let mut release = at_stage(Stage::Frozen);
    complete_gate(&mut release, Gate::Deploy, t(10));
    release.approve(Gate::Deploy, &linus(), t(11)).unwrap();
    let other = Actor::new("margaret", "Margaret", Role::CHANGE_APPROVER).unwrap();
    release.add_member(other.clone(), "second approver", &ada(), t(12)).unwrap();
    assert_eq!(release.approvals().len(), 1, "adding someone lapses nothing");
    release.remove_member(linus().id(), "left the company", &ada(), t(13)).unwrap();
    assert!(release.approvals().is_empty());
    let error = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), t(14)).map(drop));
    assert!(matches!(error, ReleaseError::TransitionBlocked { approvals: Some(_), .. }), "{error}");
    release.approve(Gate::Deploy, &other, t(14)).unwrap();
    let successor = Actor::new("ken", "Ken", Role::CHANGE_APPROVER).unwrap();
    release.hand_over(other.id(), successor, "Margaret moves team", &ada(), t(15)).unwrap();
    assert!(release.approvals().is_empty(), "an approval lapses with the role it was given in");
    assert_eq!(replayed(&release), release);
}

#[test]
fn a_change_that_would_leave_a_release_without_its_manager_or_on_call_is_refused() {
    let release = at_stage(Stage::Planned);
    let error = refused(&release, |r| r.remove_member(ada().id(), "leaving", &ada(), t(1)).map(drop));
    assert_eq!(error.next_actions(), [NextAction::HandOverRole]);
    assert!(error.to_string().contains(NextAction::HandOverRole.describe()), "{error}");
    assert_eq!(
        problem(error),
        RosterProblem::LastHolder { person: person("ada"), role: Role::RELEASE_MANAGER }
    );
    let error = refused(&release, |r| r.remove_member(grace().id(), "leaving", &ada(), t(1)).map(drop));
    assert_eq!(
        problem(error),
        RosterProblem::LastHolder { person: person("grace"), role: Role::ON_CALL_ENGINEER }
    );
    // With a second on-call engineer, Grace may leave.
    let mut release = release;
    release.add_member(alan(), "second pager", &ada(), t(1)).unwrap();
    release.remove_member(grace().id(), "shift over", &ada(), t(2)).unwrap();
    assert_eq!(release.on_call(), alan());
}

#[test]
fn each_roster_change_is_refused_for_what_it_gets_wrong_leaving_the_release_unchanged() {
    let release = at_stage(Stage::Planned);
    let cases: Vec<(Box<Operation>, RosterProblem)> = vec![
        (
            Box::new(|r| r.add_member(linus(), "again", &ada(), t(1)).map(drop)),
            RosterProblem::AlreadyHolds { person: person("linus"), role: Role::CHANGE_APPROVER },
        ),
        (
            Box::new(|r| {
                let renamed = Actor::new("linus", "Linus T", Role::SRE).unwrap();
                r.add_member(renamed, "typo", &ada(), t(1)).map(drop)
            }),
            RosterProblem::OtherName {
                person: person("linus"),
                claimed: "Linus T".into(),
                rostered: "Linus Approver".into(),
            },
        ),
        (
            Box::new(|r| r.hand_over(&person("nobody"), alan(), "why", &ada(), t(1)).map(drop)),
            RosterProblem::NotOnRoster { person: person("nobody"), roster: r_describe() },
        ),
        (
            Box::new(|r| r.hand_over(sam().id(), alan(), "why", &ada(), t(1)).map(drop)),
            RosterProblem::RoleNotHeld {
                person: person("sam"),
                role: Role::ON_CALL_ENGINEER,
                held: "security-engineer".into(),
            },
        ),
        (
            Box::new(|r| r.hand_over(grace().id(), grace(), "why", &ada(), t(1)).map(drop)),
            RosterProblem::SamePerson { person: person("grace") },
        ),
        (
            Box::new(|r| {
                let guest = Actor::new("guest", "Guest", Role::new("visitor").unwrap()).unwrap();
                r.add_member(guest, "why", &ada(), t(1)).map(drop)
            }),
            RosterProblem::UndeclaredRole {
                role: Role::new("visitor").unwrap(),
                declared: Policy::octoacme().roles().keys().map(Role::as_str).collect::<Vec<_>>().join(", "),
            },
        ),
    ];
    for (operation, expected) in cases {
        let error = refused(&release, operation);
        let message = error.to_string();
        assert_eq!(problem(error), expected, "{message}");
    }
    // An empty reason, and a rolled-back release.
    let error = refused(&release, |r| r.add_member(alan(), " ", &ada(), t(1)).map(drop));
    assert!(matches!(error, ReleaseError::Text(_)), "{error}");
    let mut rolled_back = at_stage(Stage::Deploying);
    rolled_back.roll_back("bad deploy", &ada(), t(20)).unwrap();
    let error = refused(&rolled_back, |r| r.add_member(alan(), "late", &ada(), t(21)).map(drop));
    assert_eq!(problem(error), RosterProblem::ReleaseOver);
}

/// A roster change to try on a copy of a release.
type Operation = dyn Fn(&mut Release) -> Result<(), ReleaseError>;

/// How the roster of [`common::planned`] reads in messages.
fn r_describe() -> String {
    "Ada Lovelace [ada] (release-manager); Grace Hopper [grace] (on-call-engineer); Sam Security [sam] \
     (security-engineer); Linus Approver [linus] (change-approver); monitor [monitor] (automation)"
        .into()
}

#[test]
fn the_policy_says_who_may_change_the_roster_and_the_release_manager_may_by_default() {
    let release = at_stage(Stage::Planned);
    let error = refused(&release, |r| r.add_member(alan(), "more hands", &grace(), t(1)).map(drop));
    let ReleaseError::Access(access) = &error else { panic!("{error}") };
    let AccessError::NotPermitted { action, allowed, .. } = &**access else { panic!("{error}") };
    assert_eq!((*action, allowed.as_slice()), (Action::ChangeRoster, [Role::RELEASE_MANAGER].as_slice()));
    // A policy that grants it to on call instead: the release manager may not.
    let policy = Policy::octoacme()
        .with_grant(Action::ChangeRoster, Scope::Everything, [Role::ON_CALL_ENGINEER])
        .unwrap();
    let mut release = common::planned_on(Template::octoacme().with_policy(policy).unwrap());
    release.add_member(alan(), "more hands", &grace(), t(1)).unwrap();
    let error = refused(&release, |r| r.remove_member(alan().id(), "done", &ada(), t(2)).map(drop));
    assert!(matches!(&error, ReleaseError::Access(_)), "{error}");
    // Without a policy, nobody's role is checked.
    let mut ungoverned = common::planned_on(Template::octoacme().without_policy());
    ungoverned.add_member(alan(), "more hands", &grace(), t(1)).unwrap();
}

#[test]
fn a_forged_roster_change_is_refused_on_replay() {
    let release = at_stage(Stage::Planned);
    let mut events = release.events().to_vec();
    events.push(Event {
        at: t(1),
        by: sam(),
        what: EventKind::RosterChanged {
            change: Box::new(RosterChange::Added {
                member: Actor::new("eve", "Eve", Role::RELEASE_MANAGER).unwrap(),
            }),
            reason: "let me in".into(),
        },
    });
    let error = Release::replay(events, &Trust::default()).unwrap_err();
    assert!(matches!(&error, ReleaseError::Replay { .. }), "{error}");
    assert!(error.to_string().contains("change the roster"), "{error}");
}

#[test]
fn the_typed_handles_change_the_roster_in_every_open_stage() {
    let planned = release_workflow::typed::Planned::try_from(at_stage(Stage::Planned)).unwrap();
    let mut planned = planned;
    planned.add_member(alan(), "second pager", &ada(), t(1)).unwrap();
    planned
        .hand_over(
            grace().id(),
            Actor::new("kim", "Kim", Role::ON_CALL_ENGINEER).unwrap(),
            "swap",
            &ada(),
            t(2),
        )
        .unwrap();
    planned.remove_member(alan().id(), "not needed", &ada(), t(3)).unwrap();
    assert_eq!(planned.inner().on_call().id().as_str(), "kim");
}

// ----- the property --------------------------------------------------------

/// The people a random walk draws from: the planned team and three more.
fn pool() -> Vec<Actor> {
    vec![
        ada(),
        grace(),
        sam(),
        linus(),
        monitor(),
        alan(),
        Actor::new("ken", "Ken", Role::CHANGE_APPROVER).unwrap(),
        Actor::new("bob", "Bob", Role::RELEASE_MANAGER).unwrap(),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Add(usize),
    HandOver(usize, usize),
    Remove(usize),
    Approve(usize),
    Settle(usize),
    Advance(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let n = pool().len();
    prop_oneof![
        (0..n).prop_map(Op::Add),
        (0..n, 0..n).prop_map(|(from, to)| Op::HandOver(from, to)),
        (0..n).prop_map(Op::Remove),
        (0..n).prop_map(Op::Approve),
        (0..n).prop_map(Op::Settle),
        (0..n).prop_map(Op::Advance),
    ]
}

/// An independent model of the roster: who holds which role.
type Model = Vec<(PersonId, Role)>;

fn model_holds(model: &Model, actor: &Actor) -> bool {
    model.iter().any(|(id, role)| id == actor.id() && role == actor.role())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random roster changes, approvals and moves: replay equals the live
    /// release, and no event is accepted from someone who does not hold,
    /// on the roster in force at its time, the role it claims.
    #[test]
    fn replay_equals_live_and_nobody_acts_off_the_roster_of_their_time(ops in proptest::collection::vec(op(), 1..40)) {
        let people = pool();
        let mut release = common::planned();
        let mut model: Model = release
            .roster()
            .members()
            .iter()
            .flat_map(|member| member.roles().iter().map(|role| (member.id().clone(), role.clone())))
            .collect();
        for (step, op) in ops.into_iter().enumerate() {
            let at = t(step as i64 + 1);
            // The release manager of the moment acts for roster changes.
            let manager = release.release_manager();
            let before = release.events().len();
            let outcome = match &op {
                Op::Add(who) => release.add_member(people[*who].clone(), "staffing", &manager, at).map(drop),
                Op::HandOver(from, to) => {
                    let to = people[*to].clone();
                    let from = people[*from].id().clone();
                    release.hand_over(&from, to, "handover", &manager, at).map(drop)
                }
                Op::Remove(who) => release.remove_member(people[*who].id(), "leaves", &manager, at).map(drop),
                Op::Approve(who) => match release.stage().next().and_then(Stage::entry_gate) {
                    Some(gate) => release.approve(gate, &people[*who], at).map(drop),
                    None => Ok(()),
                },
                Op::Settle(who) => match release.stage().next().and_then(Stage::entry_gate) {
                    Some(gate) => {
                        let open = release.open_items(gate).next().map(|item| item.id().to_string());
                        match open {
                            Some(item) => release.complete(&item, &people[*who], at).map(drop),
                            None => Ok(()),
                        }
                    }
                    None => Ok(()),
                },
                Op::Advance(who) => match release.stage().next() {
                    Some(next) if next != Stage::Released => release.advance_to(next, &people[*who], at).map(drop),
                    _ => Ok(()),
                },
            };
            if outcome.is_ok() && release.events().len() > before {
                let event = release.events().last().unwrap();
                prop_assert!(model_holds(&model, &event.by), "accepted from {} off the roster: {}", event.by, event);
                if let EventKind::RosterChanged { change, .. } = &event.what {
                    match &**change {
                        RosterChange::Added { member } => model.push((member.id().clone(), member.role().clone())),
                        RosterChange::HandedOver { from, to } => {
                            model.retain(|(id, role)| !(id == from && role == to.role()));
                            model.push((to.id().clone(), to.role().clone()));
                        }
                        RosterChange::Removed { person } => model.retain(|(id, _)| id != person),
                        _ => prop_assert!(false, "an unknown roster change"),
                    }
                }
            }
            // The live roster is the model's, and approvals come only from it.
            for (id, role) in &model {
                prop_assert!(release.roster().member(id).is_some_and(|member| member.holds(role)));
            }
            let held = release.roster().members().iter().map(|member| member.roles().len()).sum::<usize>();
            prop_assert_eq!(held, model.len());
            for approval in release.approvals() {
                prop_assert!(model_holds(&model, &approval.by));
            }
            // Somebody always manages the release and carries the pager.
            prop_assert!(model.iter().any(|(_, role)| *role == Role::RELEASE_MANAGER));
            prop_assert!(model.iter().any(|(_, role)| *role == Role::ON_CALL_ENGINEER));
        }
        prop_assert_eq!(&replayed(&release), &release);
    }
}

#[test]
fn someone_on_the_roster_takes_on_one_more_role() {
    let mut release = at_stage(Stage::Planned);
    release.add_member(linus().acting_as(Role::SRE), "covers the platform tonight", &ada(), t(1)).unwrap();
    let member = release.roster().member(linus().id()).unwrap();
    assert_eq!(member.roles(), [Role::CHANGE_APPROVER, Role::SRE]);
    assert_eq!(member.acting_as(&Role::SRE), Some(linus().acting_as(Role::SRE)));
    assert_eq!(member.acting_as(&Role::QA_ENGINEER), None);
    // Handing one of two roles over keeps the person on the roster.
    let kim = Actor::new("kim", "Kim", Role::SRE).unwrap();
    release.hand_over(linus().id(), kim, "end of shift", &ada(), t(2)).unwrap();
    assert_eq!(release.roster().member(linus().id()).unwrap().roles(), [Role::CHANGE_APPROVER]);
}

#[test]
fn the_approvers_named_are_those_who_may_still_approve() {
    let policy = Policy::octoacme().with_approvals(Gate::Deploy, 2, [Role::CHANGE_APPROVER]).unwrap();
    let ken = Actor::new("ken", "Ken", Role::CHANGE_APPROVER).unwrap();
    let mut release = team_builder()
        .template(Template::octoacme().with_policy(policy).unwrap())
        .member(sam())
        .member(linus())
        .member(ken.clone())
        .member(ada().acting_as(Role::CHANGE_APPROVER))
        .change_by("PR-9", t(-60), "ken")
        .plan(t(0))
        .unwrap();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(3));
    // Ada planned it and Ken wrote a change: only Linus may approve.
    let needed = release.approvals_needed(Gate::Deploy).unwrap();
    assert_eq!(needed.approvers, [person("linus")]);
    assert_eq!(needed.next_action(), NextAction::GetApproval);
    release.approve(Gate::Deploy, &linus(), t(4)).unwrap();
    // Linus has approved: nobody left for the second approval.
    let needed = release.approvals_needed(Gate::Deploy).unwrap();
    assert!(needed.approvers.is_empty(), "{needed:?}");
    assert_eq!(needed.next_action(), NextAction::StaffApprover);
    assert!(needed.to_string().ends_with("nobody on the roster may give it"), "{needed}");
}
