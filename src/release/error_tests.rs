//! Every refusal's message and its `next_actions()` say the same thing.
//!
//! The rule: a message that tells a person what to do says it in the words
//! of the [`NextAction`]s the error gives a tool ([`NextAction::describe`]),
//! and a message whose fix is in the call itself (a time, a text, a name
//! the message names) or that says there is nothing to do gives none and
//! uses none of their words.

use chrono::{DateTime, Utc};

use crate::action::NextAction;
use crate::actor::{Actor, PersonId, Role};
use crate::checklist::{Item, ItemId, TemplateDifference};
use crate::digest::Digest;
use crate::health::{HealthError, Verdict};
use crate::plan::PlanError;
use crate::policy::{Action, ChangeType, WindowKind};
use crate::release::access::{AccessError, ApprovalProblem, ApprovalsNeeded};
use crate::release::change_error::{ChangeError, ReviewProblem};
use crate::release::error::{ChainProblem, OverrideProblem, ReleaseError};
use crate::release::ledger::{LedgerError, Revocation};
use crate::release::versions::ChecklistMoveProblem;
use crate::roster::RosterProblem;
use crate::stage::{Gate, Stage};

/// Every action, to look for the words of those an error does not give.
const ACTIONS: [NextAction; 27] = [
    NextAction::SettleItems,
    NextAction::ReopenItem,
    NextAction::AcceptRiskOrRollBack,
    NextAction::RollBackOnCriteria,
    NextAction::RollBackWithReason,
    NextAction::Advance,
    NextAction::ShipNewRelease,
    NextAction::ReloadAndRedo,
    NextAction::LoadAndAppend,
    NextAction::ChooseStoredKey,
    NextAction::TrustTemplate,
    NextAction::RestoreLog,
    NextAction::GetApproval,
    NextAction::WaitOrOverrideWindow,
    NextAction::ActAsPermittedRole,
    NextAction::CompleteOrWaive,
    NextAction::MarkNotApplicable,
    NextAction::UseKnownName,
    NextAction::RecordObservations,
    NextAction::ClearFlag,
    NextAction::OpenIncident,
    NextAction::UpgradeCrate,
    NextAction::HandOverRole,
    NextAction::StaffApprover,
    NextAction::GetReview,
    NextAction::SettleWhatIsOwed,
    NextAction::WaitOrDeployInParallel,
];

#[test]
fn the_action_list_is_complete() {
    // A new action is added here, or this fails to compile.
    for action in ACTIONS {
        match action {
            NextAction::SettleItems
            | NextAction::ReopenItem
            | NextAction::AcceptRiskOrRollBack
            | NextAction::RollBackOnCriteria
            | NextAction::RollBackWithReason
            | NextAction::Advance
            | NextAction::ShipNewRelease
            | NextAction::ReloadAndRedo
            | NextAction::LoadAndAppend
            | NextAction::ChooseStoredKey
            | NextAction::TrustTemplate
            | NextAction::RestoreLog
            | NextAction::GetApproval
            | NextAction::WaitOrOverrideWindow
            | NextAction::ActAsPermittedRole
            | NextAction::CompleteOrWaive
            | NextAction::MarkNotApplicable
            | NextAction::UseKnownName
            | NextAction::RecordObservations
            | NextAction::ClearFlag
            | NextAction::OpenIncident
            | NextAction::UpgradeCrate
            | NextAction::HandOverRole
            | NextAction::StaffApprover
            | NextAction::GetReview
            | NextAction::SettleWhatIsOwed
            | NextAction::WaitOrDeployInParallel => {}
        }
    }
}

/// Holds a message beside its actions: each action's words are in the
/// message, and no other action's are.
pub(crate) fn assert_says_its_actions(message: &str, actions: &[NextAction], what: &str) {
    for action in actions {
        assert!(message.contains(action.describe()), "{what}: the message does not say {action}: {message}");
    }
    for action in ACTIONS.iter().filter(|action| !actions.contains(action)) {
        assert!(
            !message.contains(action.describe()),
            "{what}: the message says {action}, which next_actions() does not give: {message}"
        );
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn item(id: &str) -> ItemId {
    Item::new(id, "An item", "A section", Gate::Freeze).unwrap().id().clone()
}

fn ada() -> Actor {
    Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap()
}

fn moved(problem: ChecklistMoveProblem) -> ReleaseError {
    ReleaseError::InvalidChecklistMove { checklist: "\"Team\" (b7a3…)".into(), problem }
}

fn eve() -> PersonId {
    "eve".parse().unwrap()
}

fn roster(problem: RosterProblem) -> ReleaseError {
    ReleaseError::InvalidRosterChange { change: "removed eve from the roster".into(), problem }
}

fn review(problem: ReviewProblem) -> ReleaseError {
    ChangeError::Review { person: "ada".parse::<PersonId>().unwrap(), name: "Ada".into(), problem }.into()
}

fn approval(gate: Gate, problem: ApprovalProblem) -> ReleaseError {
    AccessError::Approval { person: "ada".parse::<PersonId>().unwrap(), name: "Ada".into(), gate, problem }
        .into()
}

/// One refusal of every kind, and of every kind of approval, override and
/// verdict whose advice differs. The exhaustive match below fails to
/// compile when a variant is added without a sample here.
fn samples() -> Vec<ReleaseError> {
    let open = vec![Item::new("qa.smoke", "Smoke tests pass", "QA", Gate::Deploy).unwrap()];
    let needed = ApprovalsNeeded {
        gate: Gate::Deploy,
        needed: 1,
        roles: vec![Role::CHANGE_APPROVER],
        given: vec![],
        approvers: vec!["linus".parse().unwrap()],
    };
    let unstaffed = ApprovalsNeeded { approvers: vec![], ..needed.clone() };
    let verdict_rollback = Verdict::RollBack { findings: vec![] };
    let verdict_unsure = Verdict::Inconclusive { findings: vec![] };
    let nested = ReleaseError::ItemAlreadySettled { item: item("qa.smoke"), status: "done" };
    let digest = Digest::of(b"event");
    vec![
        ReleaseError::UnknownItem { item: "qa.smok".into(), suggestions: vec![item("qa.smoke")] },
        ReleaseError::UnknownItem { item: "nothing-like-it".into(), suggestions: vec![] },
        nested.clone(),
        ReleaseError::ItemAlreadyOpen { item: item("qa.smoke") },
        ReleaseError::ItemIsRequired { item: item("qa.smoke") },
        ReleaseError::ItemIsOptional { item: item("qa.smoke") },
        ReleaseError::SettledByWorkflow { item: item("rollback.decision-made"), stage: Stage::RolledBack },
        ReleaseError::ItemNotWorkable { item: item("qa.smoke"), gate: Gate::Freeze, stage: Stage::Deploying },
        ReleaseError::ItemNotWorkable {
            item: item("qa.smoke"),
            gate: Gate::PostRelease,
            stage: Stage::Deploying,
        },
        ReleaseError::TimeWentBackwards { at: at("2026-11-30T09:00:00Z"), last: at("2026-11-30T10:00:00Z") },
        ReleaseError::TransitionNotAllowed { from: Stage::Planned, to: Stage::Deploying },
        ReleaseError::TransitionNotAllowed { from: Stage::Deploying, to: Stage::RolledBack },
        ReleaseError::TransitionNotAllowed { from: Stage::RolledBack, to: Stage::Released },
        ReleaseError::TransitionBlocked {
            from: Stage::Frozen,
            to: Stage::Deploying,
            gate: Gate::Deploy,
            open: open.clone(),
            health: None,
            approvals: Some(Box::new(needed)),
        },
        ReleaseError::TransitionBlocked {
            from: Stage::Frozen,
            to: Stage::Deploying,
            gate: Gate::Deploy,
            open: vec![],
            health: None,
            approvals: Some(Box::new(unstaffed)),
        },
        ReleaseError::TransitionBlocked {
            from: Stage::Verifying,
            to: Stage::Released,
            gate: Gate::Release,
            open: vec![],
            health: Some(verdict_unsure.clone()),
            approvals: None,
        },
        ReleaseError::TransitionBlocked {
            from: Stage::Verifying,
            to: Stage::Released,
            gate: Gate::Release,
            open,
            health: Some(verdict_rollback.clone()),
            approvals: None,
        },
        ReleaseError::WindowClosed {
            window: "Weekend".into(),
            kind: WindowKind::Freeze,
            at: at("2026-12-05T10:00:00Z"),
            until: Some(at("2026-12-07T06:00:00Z")),
            time_zone: chrono_tz::Europe::Berlin,
            overriders: vec![Role::RELEASE_MANAGER],
        },
        ReleaseError::InvalidOverride {
            window: "Weekend".into(),
            problem: OverrideProblem::TooLate { stage: Stage::Deploying },
        },
        ReleaseError::InvalidOverride {
            window: "Wekend".into(),
            problem: OverrideProblem::UnknownWindow { known: vec!["\"Weekend\"".into()] },
        },
        ReleaseError::InvalidOverride { window: "Weekend".into(), problem: OverrideProblem::DoesNotApply },
        ReleaseError::InvalidOverride {
            window: "Weekend".into(),
            problem: OverrideProblem::AlreadyOverridden,
        },
        roster(RosterProblem::NotOnRoster { person: eve(), roster: "Ada [ada] as release-manager".into() }),
        roster(RosterProblem::OtherName { person: eve(), claimed: "Eve".into(), rostered: "Eva".into() }),
        roster(RosterProblem::AlreadyHolds { person: eve(), role: Role::SRE }),
        roster(RosterProblem::RoleNotHeld { person: eve(), role: Role::SRE, held: "qa".into() }),
        roster(RosterProblem::SamePerson { person: eve() }),
        roster(RosterProblem::LastHolder { person: eve(), role: Role::RELEASE_MANAGER }),
        roster(RosterProblem::UndeclaredRole { role: Role::SRE, declared: "release-manager".into() }),
        roster(RosterProblem::ReleaseOver),
        moved(ChecklistMoveProblem::SameVersion),
        moved(ChecklistMoveProblem::ReleaseOver),
        moved(ChecklistMoveProblem::PassedGatesOpen { items: vec![(Gate::Freeze, item("ship.signed"))] }),
        moved(ChecklistMoveProblem::PassedGateApprovals { gate: Gate::Deploy, needed: 2, given: 1 }),
        moved(ChecklistMoveProblem::UndeclaredRole { person: "eve".into(), role: Role::SRE }),
        ReleaseError::RevokedChecklist {
            template: "Team".into(),
            revocation: Box::new(Revocation {
                fingerprint: Digest::of(b"team"),
                by: ada(),
                at: at("2026-12-01T09:00:00Z"),
                why: "superseded".into(),
            }),
        },
        ReleaseError::Ledger(LedgerError::AlreadyTrusted {
            fingerprint: Digest::of(b"team"),
            name: "Team".into(),
            at: at("2026-12-01T09:00:00Z"),
        }),
        ReleaseError::Ledger(LedgerError::AlreadyRevoked {
            fingerprint: Digest::of(b"team"),
            revocation: "revoked by Ada on 2026-12-01 09:00 UTC: superseded".into(),
        }),
        ReleaseError::Ledger(LedgerError::TimeWentBackwards {
            at: at("2026-12-01T09:00:00Z"),
            last: at("2026-12-02T09:00:00Z"),
        }),
        AccessError::NotOnRoster {
            person: "eve".parse::<PersonId>().unwrap(),
            name: "Eve".into(),
            roster: "Ada [ada] as release-manager".into(),
        }
        .into(),
        AccessError::NameMismatch {
            person: "ada".parse::<PersonId>().unwrap(),
            claimed: "Ada L".into(),
            rostered: "Ada".into(),
        }
        .into(),
        AccessError::RoleNotHeld {
            person: "ada".parse::<PersonId>().unwrap(),
            name: "Ada".into(),
            role: Role::CHANGE_APPROVER,
            held: "release-manager".into(),
        }
        .into(),
        AccessError::NotPermitted {
            actor: ada(),
            action: Action::Complete,
            target: "item `qa.smoke`".into(),
            allowed: vec![Role::SECURITY_ENGINEER],
        }
        .into(),
        ChangeError::NotDeclared { change_type: ChangeType::Emergency, current: ChangeType::Normal }.into(),
        ChangeError::NotEligible { why: "it ships 4 changes; a standard change ships at most 3".into() }
            .into(),
        ChangeError::Unchanged { change_type: ChangeType::Standard }.into(),
        ChangeError::DeferredWork { deferred: vec!["`qa.smoke`".into()] }.into(),
        ChangeError::TooLate { what: "a release changes type", stage: Stage::Deploying }.into(),
        ChangeError::NotEmergency { what: "defers work", change_type: ChangeType::Normal }.into(),
        ChangeError::NotDeferrable { what: "`qa.smoke`".into(), deferrable: vec![] }.into(),
        ChangeError::NoApprovalsToDefer { gate: Gate::Freeze }.into(),
        ChangeError::AlreadyDeferred { gate: Gate::Deploy }.into(),
        review(ReviewProblem::NotYet { stage: Stage::Frozen }),
        review(ReviewProblem::WrongRole { role: Role::ON_CALL_ENGINEER, roles: vec![Role::CHANGE_APPROVER] }),
        review(ReviewProblem::PlannedIt),
        review(ReviewProblem::AuthoredChange { change: "PR-1".into() }),
        review(ReviewProblem::AlreadyApproved),
        review(ReviewProblem::NothingOwed),
        ChangeError::ReviewItemOwed { item: item("closure.retrospective-scheduled") }.into(),
        ChangeError::ServiceInFlight {
            service: "checkout".into(),
            version: crate::version::parse_version("2.4.0").unwrap(),
            stage: Stage::Deploying,
            allowers: vec![Role::RELEASE_MANAGER],
        }
        .into(),
        ChangeError::ServiceInFlight {
            service: "checkout".into(),
            version: crate::version::parse_version("2.4.0").unwrap(),
            stage: Stage::Verifying,
            allowers: vec![],
        }
        .into(),
        ChangeError::ParallelAlreadyAllowed.into(),
        ChangeError::NoService.into(),
        approval(Gate::Freeze, ApprovalProblem::NotRequired),
        approval(Gate::Deploy, ApprovalProblem::NotNext { stage: Stage::Planned }),
        approval(Gate::Deploy, ApprovalProblem::NotNext { stage: Stage::Verifying }),
        approval(
            Gate::Deploy,
            ApprovalProblem::WrongRole { role: Role::RELEASE_MANAGER, roles: vec![Role::CHANGE_APPROVER] },
        ),
        approval(Gate::Deploy, ApprovalProblem::PlannedIt),
        approval(Gate::Deploy, ApprovalProblem::AuthoredChange { change: "PR-1".into() }),
        approval(Gate::Deploy, ApprovalProblem::AlreadyApproved { at: at("2026-11-30T09:00:00Z") }),
        approval(Gate::Deploy, ApprovalProblem::ItemsOpen { items: vec![item("qa.smoke")] }),
        ReleaseError::UnknownSignal { signal: "latency".into(), known: "error_rate".into() },
        ReleaseError::UnknownCriterion { criterion: "slow".into(), known: "error-rate".into() },
        ReleaseError::NotAFlag {
            criterion: "error-rate".parse::<crate::health::CriterionId>().unwrap(),
            signal: "error_rate".into(),
        },
        ReleaseError::FlagAlreadyRaised {
            criterion: "data-loss".parse::<crate::health::CriterionId>().unwrap(),
            by: "Ada".into(),
            at: at("2026-11-30T09:00:00Z"),
        },
        ReleaseError::FlagNotRaised { criterion: "data-loss".parse::<crate::health::CriterionId>().unwrap() },
        ReleaseError::NotMonitoring { stage: Stage::Planned, what: "a flag", when: "while it deploys" },
        ReleaseError::MeasuredOutsideMonitoring {
            measured_at: at("2026-11-30T09:00:00Z"),
            stage: Stage::Planned,
        },
        ReleaseError::MeasuredAfterRecorded {
            measured_at: at("2026-11-30T10:00:00Z"),
            recorded_at: at("2026-11-30T09:00:00Z"),
        },
        ReleaseError::BatchRefused { index: 2, count: 5, source: Box::new(nested.clone()) },
        ReleaseError::InvalidBatch { count: 0, problem: "it is empty".into() },
        ReleaseError::NoPreviousBaseline { version: "2.3.0".into(), problem: "it is planned".into() },
        ReleaseError::NothingToDecide { verdict: Verdict::Healthy },
        ReleaseError::NothingToDecide { verdict: verdict_unsure.clone() },
        ReleaseError::NothingToDecide { verdict: verdict_rollback },
        ReleaseError::NoCriterionTripped { verdict: verdict_unsure },
        ReleaseError::CitationMismatch,
        ReleaseError::InvalidIncident { incident: "INC-1".into(), problem: "is already open".into() },
        ReleaseError::UnknownIncident { incident: "INC-2".into() },
        ReleaseError::MonitoringWindowClosed {
            released_at: at("2026-11-28T09:00:00Z"),
            closed_at: at("2026-11-30T09:00:00Z"),
        },
        ReleaseError::ChangesFrozen { stage: Stage::Frozen },
        ReleaseError::StageMismatch { recorded: Stage::Frozen, actual: Stage::Planned },
        ReleaseError::MalformedLog { problem: "the log is empty" },
        ReleaseError::UnsupportedFormat { found: 9, supported: 4 },
        ReleaseError::UntrustedTemplate {
            template: "Team".into(),
            fingerprint: digest,
            closest: Some("OctoAcme".into()),
            differences: vec![TemplateDifference::Renamed {
                trusted: "OctoAcme".into(),
                found: "Team".into(),
            }],
        },
        ReleaseError::UntrustedTemplate {
            template: "Team".into(),
            fingerprint: digest,
            closest: None,
            differences: vec![],
        },
        ReleaseError::UnknownChecklist { fingerprint: digest },
        ReleaseError::BrokenChain { position: 3, problem: ChainProblem::DigestMismatch },
        ReleaseError::BrokenChain { position: 0, problem: ChainProblem::Unchained },
        ReleaseError::AnchorNotFound { anchored: digest, head: Digest::of(b"head"), events: 4 },
        ReleaseError::Replay { position: 3, source: Box::new(nested.clone()) },
        ReleaseError::FromMarkdown { line: 7, source: Box::new(nested) },
        ReleaseError::Markdown(crate::checklist::MarkdownError::OutsideSection { line: 3 }),
        ReleaseError::Text(crate::text::check_reason("reason", "").unwrap_err()),
        ReleaseError::Health(HealthError::NotFinite { value: "NaN".into() }),
        ReleaseError::Plan(PlanError::MissingField { field: "version" }),
    ]
}

#[test]
fn every_refusal_says_what_its_next_actions_are() {
    let samples = samples();
    for error in &samples {
        // Names every variant: a new one fails to compile until it is sampled.
        match error {
            ReleaseError::UnknownItem { .. }
            | ReleaseError::ItemAlreadySettled { .. }
            | ReleaseError::ItemAlreadyOpen { .. }
            | ReleaseError::ItemIsRequired { .. }
            | ReleaseError::ItemIsOptional { .. }
            | ReleaseError::SettledByWorkflow { .. }
            | ReleaseError::ItemNotWorkable { .. }
            | ReleaseError::TimeWentBackwards { .. }
            | ReleaseError::TransitionNotAllowed { .. }
            | ReleaseError::TransitionBlocked { .. }
            | ReleaseError::WindowClosed { .. }
            | ReleaseError::InvalidOverride { .. }
            | ReleaseError::InvalidRosterChange { .. }
            | ReleaseError::RevokedChecklist { .. }
            | ReleaseError::Ledger(_)
            | ReleaseError::InvalidChecklistMove { .. }
            | ReleaseError::Access(_)
            | ReleaseError::Change(_)
            | ReleaseError::UnknownSignal { .. }
            | ReleaseError::UnknownCriterion { .. }
            | ReleaseError::NotAFlag { .. }
            | ReleaseError::FlagAlreadyRaised { .. }
            | ReleaseError::FlagNotRaised { .. }
            | ReleaseError::NotMonitoring { .. }
            | ReleaseError::MeasuredOutsideMonitoring { .. }
            | ReleaseError::MeasuredAfterRecorded { .. }
            | ReleaseError::BatchRefused { .. }
            | ReleaseError::InvalidBatch { .. }
            | ReleaseError::NoPreviousBaseline { .. }
            | ReleaseError::NothingToDecide { .. }
            | ReleaseError::NoCriterionTripped { .. }
            | ReleaseError::CitationMismatch
            | ReleaseError::InvalidIncident { .. }
            | ReleaseError::UnknownIncident { .. }
            | ReleaseError::MonitoringWindowClosed { .. }
            | ReleaseError::ChangesFrozen { .. }
            | ReleaseError::StageMismatch { .. }
            | ReleaseError::MalformedLog { .. }
            | ReleaseError::UnsupportedFormat { .. }
            | ReleaseError::UntrustedTemplate { .. }
            | ReleaseError::UnknownChecklist { .. }
            | ReleaseError::BrokenChain { .. }
            | ReleaseError::AnchorNotFound { .. }
            | ReleaseError::Replay { .. }
            | ReleaseError::FromMarkdown { .. }
            | ReleaseError::Markdown(_)
            | ReleaseError::Text(_)
            | ReleaseError::Health(_)
            | ReleaseError::Plan(_) => {}
        }
        assert_says_its_actions(&error.to_string(), &error.next_actions(), &format!("{error:?}"));
    }
    // The refusals the issue found, each pointing where its message points.
    let actions = |error: &ReleaseError| error.next_actions();
    let find = |wanted: &dyn Fn(&ReleaseError) -> bool| {
        samples.iter().filter(|e| wanted(e)).cloned().collect::<Vec<_>>()
    };
    let approvals = find(
        &|error| matches!(error, ReleaseError::Access(access) if matches!(**access, AccessError::Approval { .. })),
    );
    let by_problem: Vec<Vec<NextAction>> = approvals.iter().map(actions).collect();
    assert_eq!(
        by_problem,
        [
            vec![NextAction::Advance],     // not required
            vec![NextAction::Advance],     // not next yet
            vec![],                        // past it
            vec![NextAction::GetApproval], // wrong role
            vec![NextAction::GetApproval], // planned it
            vec![NextAction::GetApproval], // wrote a change
            vec![NextAction::GetApproval], // approved already
            vec![NextAction::SettleItems], // items open
        ]
    );
    // An unknown item, with and without names close to it.
    let unknown: Vec<String> = find(&|error| matches!(error, ReleaseError::UnknownItem { .. }))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        unknown,
        [
            "the template has no item `qa.smok`: did you mean `qa.smoke`? use a name the checklist has",
            "the template has no item `nothing-like-it`: use a name the checklist has",
        ]
    );
    let not_yet = approvals.get(1).map(ToString::to_string).unwrap_or_default();
    assert!(not_yet.contains("it can be approved once the release is frozen"), "{not_yet}");
    let unknown_window = find(&|error| {
        matches!(error, ReleaseError::InvalidOverride { problem: OverrideProblem::UnknownWindow { .. }, .. })
    });
    assert_eq!(unknown_window.iter().map(actions).collect::<Vec<_>>(), [vec![NextAction::UseKnownName]]);
    // Of the roster changes, only the last holder of a role is told to act.
    let roster_changes = find(&|error| matches!(error, ReleaseError::InvalidRosterChange { .. }));
    let with_actions: Vec<Vec<NextAction>> =
        roster_changes.iter().map(actions).filter(|actions| !actions.is_empty()).collect();
    assert_eq!((roster_changes.len(), with_actions), (8, vec![vec![NextAction::HandOverRole]]));
}
