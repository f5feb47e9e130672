//! What a release refuses: an operation the rules do not allow now, or a
//! log that breaks them.

use chrono::{DateTime, Utc};

use crate::action::NextAction;
use crate::actor::Role;
use crate::checklist::{Item, ItemId, MarkdownError, TemplateDifference};
use crate::digest::Digest;
use crate::health::{CriterionId, HealthError, Verdict};
use crate::plan::PlanError;
use crate::policy::WindowKind;
use crate::release::access::{AccessError, ApprovalsNeeded};
use crate::release::change_error::ChangeError;
use crate::release::error_messages::{
    blocked_message, broken_chain_message, decision_message, not_allowed_message, not_workable_message,
    unknown_item_message, untrusted_message, window_closed_message,
};
use crate::release::ledger::{LedgerError, Revocation};
use crate::release::versions::ChecklistMoveProblem;
use crate::roster::RosterProblem;
use crate::stage::{Gate, Stage};
use crate::text::TextError;

/// An operation on a [`Release`](crate::Release) that its rules refuse, or
/// a stored log that breaks them.
///
/// Whenever an operation returns one, the release is exactly as it was
/// before the call: nothing was recorded. Each case names the item, stage,
/// criterion or incident involved and says in words what to do next;
/// [`next_actions`](ReleaseError::next_actions) gives the same as data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// An item id that the release's template does not have.
    #[error("{}", unknown_item_message(item, suggestions))]
    UnknownItem {
        /// The id given, shortened.
        item: String,
        /// The template's closest ids.
        suggestions: Vec<ItemId>,
    },

    /// Settling an item that is already settled.
    #[error("`{item}` is already {status}: reopen it with a reason to settle it another way")]
    ItemAlreadySettled {
        /// The item.
        item: ItemId,
        /// How it is settled now.
        status: &'static str,
    },

    /// Reopening an item that is open.
    #[error("`{item}` is already open: there is nothing to reopen")]
    ItemAlreadyOpen {
        /// The item.
        item: ItemId,
    },

    /// Marking a required item not applicable.
    #[error(
        "`{item}` is required, so it cannot be marked not applicable: complete it, or waive it with a reason"
    )]
    ItemIsRequired {
        /// The item.
        item: ItemId,
    },

    /// Waiving an item that may simply be marked not applicable.
    #[error("`{item}` applies only if applicable, so it is not waived: mark it not applicable with a reason")]
    ItemIsOptional {
        /// The item.
        item: ItemId,
    },

    /// Working by hand an item that the workflow settles itself.
    #[error("`{item}` is settled by the workflow when the release enters {stage}: it is not worked by hand")]
    SettledByWorkflow {
        /// The item.
        item: ItemId,
        /// The stage whose entry settles it.
        stage: Stage,
    },

    /// Working an item whose gate is passed or not yet open.
    #[error("{}", not_workable_message(item, *gate, *stage))]
    ItemNotWorkable {
        /// The item.
        item: ItemId,
        /// Its gate.
        gate: Gate,
        /// The release's stage.
        stage: Stage,
    },

    /// An operation timed before the release's last event.
    #[error(
        "{at} is before the release's last event at {last}: events cannot go back in time; \
         give the current time"
    )]
    TimeWentBackwards {
        /// The time given.
        at: DateTime<Utc>,
        /// The last event's time.
        last: DateTime<Utc>,
    },

    /// A move the transition table does not have.
    #[error("{}", not_allowed_message(*from, *to))]
    TransitionNotAllowed {
        /// The release's stage.
        from: Stage,
        /// The stage asked for.
        to: Stage,
    },

    /// A forward move blocked by open items of its gate, or by the
    /// release's health.
    #[error("{}", blocked_message(*from, *to, *gate, open, health.as_ref(), approvals.as_deref()))]
    TransitionBlocked {
        /// The release's stage.
        from: Stage,
        /// The stage asked for.
        to: Stage,
        /// The gate that guards the move.
        gate: Gate,
        /// Every open item of the gate, in checklist order.
        open: Vec<Item>,
        /// The verdict, when health blocks the move: `RollBack`, or
        /// `Inconclusive` with the findings nobody has decided on.
        health: Option<Verdict>,
        /// The approvals the gate still needs, when its policy asks for
        /// more than were given.
        approvals: Option<Box<ApprovalsNeeded>>,
    },

    /// Starting to deploy inside a freeze, or outside every deployment
    /// window that applies, without an override.
    #[error("{}", window_closed_message(window, *kind, *at, *until, *time_zone, overriders))]
    WindowClosed {
        /// The window, in words: kind, name, schedule and time zone.
        window: String,
        /// Freeze or deployment window.
        kind: WindowKind,
        /// The time asked about.
        at: DateTime<Utc>,
        /// When the freeze ends, or the deployment window next opens;
        /// `None` for a one-off deployment window that is over.
        until: Option<DateTime<Utc>>,
        /// The window's time zone, which the message gives `until` in too.
        time_zone: chrono_tz::Tz,
        /// The roles that may override the window.
        overriders: Vec<Role>,
    },

    /// An override of a change window that cannot be recorded.
    #[error("change window \"{window}\" {problem}")]
    InvalidOverride {
        /// The window named.
        window: String,
        /// Why not.
        problem: OverrideProblem,
    },

    /// A new release on a checklist version that was revoked: releases
    /// planned with it still load, but none starts on it.
    #[error(
        "checklist \"{template}\" was {revocation}: plan new releases with a version that is not revoked"
    )]
    RevokedChecklist {
        /// The checklist's name, shortened.
        template: String,
        /// Who revoked it, when and why.
        revocation: Box<Revocation>,
    },

    /// An entry a trust ledger refuses.
    #[error(transparent)]
    Ledger(#[from] LedgerError),

    /// A move to another checklist version that cannot be recorded.
    #[error("cannot move the release to checklist {checklist}: {problem}")]
    InvalidChecklistMove {
        /// The version, in words: its name and fingerprint.
        checklist: String,
        /// Why not.
        problem: ChecklistMoveProblem,
    },

    /// A roster change that cannot be recorded.
    #[error("cannot record \"{change}\": {problem}")]
    InvalidRosterChange {
        /// The change, in words.
        change: String,
        /// Why not.
        problem: RosterProblem,
    },

    /// Someone acting who is not on the roster, claims a role they do not
    /// hold, or acts in a role the policy does not permit.
    #[error(transparent)]
    Access(Box<AccessError>),

    /// A refusal of the change-type rules: a type, a deferral, a review, or
    /// a deployment beside another release of the service in flight.
    #[error(transparent)]
    Change(Box<ChangeError>),

    /// An observation of a signal that no criterion watches.
    #[error(
        "no rollback criterion watches the signal `{signal}`, so it is not recorded: the template's signals are {known}; \
         use a name the checklist has"
    )]
    UnknownSignal {
        /// The signal given.
        signal: String,
        /// The signals the template's criteria watch.
        known: String,
    },

    /// A criterion id that the template does not have.
    #[error(
        "the template has no rollback criterion `{criterion}`: its criteria are {known}; use a name the checklist has"
    )]
    UnknownCriterion {
        /// The id given, shortened.
        criterion: String,
        /// The template's criteria.
        known: String,
    },

    /// Raising or clearing a flag on a threshold criterion.
    #[error(
        "`{criterion}` is a threshold on {signal}, not a flag: record observations of its signal instead"
    )]
    NotAFlag {
        /// The criterion.
        criterion: CriterionId,
        /// The signal it watches.
        signal: String,
    },

    /// Raising a flag that is already raised.
    #[error(
        "the flag on `{criterion}` is already raised (by {by} at {at}): clear the flag first to raise it again"
    )]
    FlagAlreadyRaised {
        /// The criterion.
        criterion: CriterionId,
        /// Who raised it.
        by: String,
        /// When.
        at: DateTime<Utc>,
    },

    /// Clearing a flag that is not raised.
    #[error("the flag on `{criterion}` is not raised: there is nothing to clear")]
    FlagNotRaised {
        /// The criterion.
        criterion: CriterionId,
    },

    /// Health work outside the stages that allow it.
    #[error("{what} cannot be recorded while the release is {stage}: {when}")]
    NotMonitoring {
        /// The release's stage.
        stage: Stage,
        /// What was attempted.
        what: &'static str,
        /// When it is allowed.
        when: &'static str,
    },

    /// A sample measured when the release was not watched: before it was
    /// deploying, after it was rolled back, or after its monitoring window
    /// closed. (A sample recorded as it is measured is refused with
    /// [`NotMonitoring`](ReleaseError::NotMonitoring).)
    #[error(
        "a sample measured at {}, when the release was {stage}, cannot be recorded: samples count when \
         measured while the release is deploying, verifying, or released within its monitoring window",
        measured_at.format("%Y-%m-%d %H:%M:%S UTC")
    )]
    MeasuredOutsideMonitoring {
        /// When the sample was measured.
        measured_at: DateTime<Utc>,
        /// The release's stage then.
        stage: Stage,
    },

    /// An observation said to be measured after the event that records it.
    #[error(
        "an observation measured at {} cannot be recorded at {}, before it was measured: give the time it was \
         measured and the (later) time it is recorded",
        measured_at.format("%Y-%m-%d %H:%M:%S UTC"),
        recorded_at.format("%Y-%m-%d %H:%M:%S UTC")
    )]
    MeasuredAfterRecorded {
        /// When it was said to be measured.
        measured_at: DateTime<Utc>,
        /// When it was recorded.
        recorded_at: DateTime<Utc>,
    },

    /// A batch of observations with one the rules refuse: none of the
    /// batch was recorded.
    #[error("observation {} of {count} in the batch is refused, so none of it was recorded: {source}", index + 1)]
    BatchRefused {
        /// The refused observation's position in the batch, from 0.
        index: usize,
        /// How many observations the batch held.
        count: usize,
        /// Why it was refused.
        source: Box<ReleaseError>,
    },

    /// A batch of observations that cannot be recorded as one: empty, or
    /// too large.
    #[error("a batch of {count} observations cannot be recorded: {problem}")]
    InvalidBatch {
        /// How many it held.
        count: usize,
        /// What to do instead.
        problem: String,
    },

    /// Baselines asked of a release that cannot give them.
    #[error("baselines cannot be taken from release {version}: {problem}")]
    NoPreviousBaseline {
        /// The release asked.
        version: String,
        /// Why it cannot give them, and what to do.
        problem: String,
    },

    /// A decision asked for when the verdict needs none, or cannot take one.
    #[error("{}", decision_message(verdict))]
    NothingToDecide {
        /// The verdict at the time.
        verdict: Verdict,
    },

    /// A rollback on the criteria when none tripped.
    #[error(
        "no critical rollback criterion has tripped (the verdict is {verdict}): roll the release back with a reason, \
         on a decision"
    )]
    NoCriterionTripped {
        /// The verdict at the time: `Healthy` or `Inconclusive`.
        verdict: Verdict,
    },

    /// A logged rollback or risk decision that cites other criteria than the
    /// observations trip.
    #[error(
        "the event cites findings that the recorded observations and flags do not produce: the log was edited; \
         restore the log from a copy you trust, or recover its longest valid prefix and redo what was lost"
    )]
    CitationMismatch,

    /// An incident that cannot be recorded on this release as given.
    #[error("incident `{incident}` {problem}")]
    InvalidIncident {
        /// The incident's id.
        incident: String,
        /// What is wrong.
        problem: String,
    },

    /// An incident id that the release does not have.
    #[error("the release has no incident `{incident}`: open the incident first")]
    UnknownIncident {
        /// The id given, shortened.
        incident: String,
    },

    /// A rollback of a released release after its monitoring window.
    #[error(
        "the monitoring window of this release closed at {closed_at} (released at {released_at}), so it \
         can no longer be rolled back: ship a new release with the fix"
    )]
    MonitoringWindowClosed {
        /// When the release entered `Released`.
        released_at: DateTime<Utc>,
        /// When the window closed.
        closed_at: DateTime<Utc>,
    },

    /// Adding a change once the release is frozen.
    #[error(
        "the release is {stage}: changes can only be added while it is planned; ship a new release with the change"
    )]
    ChangesFrozen {
        /// The release's stage.
        stage: Stage,
    },

    /// An event whose recorded stage differs from the release's.
    #[error(
        "the event says the release was {recorded}, but it is {actual}: the log is out of order or was edited; \
         restore the log from a copy you trust, or recover its longest valid prefix and redo what was lost"
    )]
    StageMismatch {
        /// The stage the event records.
        recorded: Stage,
        /// The release's stage.
        actual: Stage,
    },

    /// A log that does not start with the release's plan, or plans twice.
    #[error(
        "{problem}: restore the log from a copy you trust, or recover its longest valid prefix and redo what was lost"
    )]
    MalformedLog {
        /// What is wrong.
        problem: &'static str,
    },

    /// A stored release in a format this version of the crate cannot read.
    #[error(
        "the stored release uses format {found}, but this crate reads formats 1 to {supported}: upgrade this crate to one that reads it"
    )]
    UnsupportedFormat {
        /// The format found.
        found: u32,
        /// The newest format this crate reads (and the one it writes).
        supported: u32,
    },

    /// A stored log whose checklist is not one the caller trusts: it was
    /// edited, or planned with a template the caller has not pinned.
    #[error("{}", untrusted_message(template, fingerprint, closest.as_deref(), differences))]
    UntrustedTemplate {
        /// The log's template's name.
        template: String,
        /// The log's template's fingerprint.
        fingerprint: Digest,
        /// The name of the trusted template closest to it, if any is
        /// trusted.
        closest: Option<String>,
        /// What differs from that template.
        differences: Vec<TemplateDifference>,
    },

    /// A log or document that names its checklist by fingerprint, read by
    /// a reader that holds no checklist of that fingerprint: it was written
    /// beside a store's checklist versions.
    #[error(
        "the release names its checklist by fingerprint {fingerprint}, and this reader holds no checklist of that \
         fingerprint: read it through the store that keeps that checklist version, or {}",
        NextAction::TrustTemplate.describe()
    )]
    UnknownChecklist {
        /// The fingerprint the release names.
        fingerprint: Digest,
    },

    /// A stored log whose hash chain does not hold at an event: the event
    /// was changed after it was written, or its seal was not made with the
    /// caller's key.
    #[error("{}", broken_chain_message(*position, *problem))]
    BrokenChain {
        /// The first event at fault, from 0 (the message counts from 1, as
        /// a person does: event 1 is the first).
        position: usize,
        /// What is wrong with it.
        problem: ChainProblem,
    },

    /// A release whose log does not contain the head digest anchored for it
    /// elsewhere: the log was truncated before the anchored event or
    /// rewritten.
    #[error(
        "the log does not contain the anchored event {anchored}: it was truncated or rewritten \
         (its {events} events end at {head}); restore the log from a copy you trust, or recover its longest valid \
         prefix and redo what was lost"
    )]
    AnchorNotFound {
        /// The digest anchored elsewhere.
        anchored: Digest,
        /// The log's head digest.
        head: Digest,
        /// How many events the log has.
        events: usize,
    },

    /// A log event that breaks a rule, at its position in the log.
    #[error("event {} of the log is refused: {source}", position + 1)]
    Replay {
        /// The event's position, from 0 (the message counts from 1).
        position: usize,
        /// The rule it breaks.
        source: Box<ReleaseError>,
    },

    /// A ticked or unticked box of an edited Markdown checklist that a rule
    /// refuses, at its line; nothing of the Markdown was applied.
    #[error("line {line} of the Markdown is refused: {source}")]
    FromMarkdown {
        /// The task item's line, from 1.
        line: usize,
        /// The rule it breaks.
        source: Box<ReleaseError>,
    },

    /// An edited Markdown checklist that cannot be read against the
    /// release: an item it does not have, one listed twice, a box unticked
    /// without a reason.
    #[error(transparent)]
    Markdown(#[from] MarkdownError),

    /// A reason, source or other text that breaks the text rules.
    #[error(transparent)]
    Text(#[from] TextError),

    /// A signal value, signal name or incident the health rules refuse.
    #[error(transparent)]
    Health(#[from] HealthError),

    /// A change that the plan's rules refuse (one listed twice).
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl From<ChangeError> for ReleaseError {
    fn from(error: ChangeError) -> ReleaseError {
        ReleaseError::Change(Box::new(error))
    }
}

impl From<AccessError> for ReleaseError {
    fn from(error: AccessError) -> ReleaseError {
        ReleaseError::Access(Box::new(error))
    }
}

impl ReleaseError {
    /// What can be done next, as data: the same as the message says in
    /// words. Empty when the error points at no operation (a malformed log,
    /// text to correct).
    ///
    /// ```
    /// use release_workflow::{Actor, NextAction, Release, ReleaseKind, Role, Stage};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let refusal = release.check_advance(Stage::Frozen).unwrap_err();
    /// assert_eq!(refusal.next_actions(), [NextAction::SettleItems]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_actions(&self) -> Vec<NextAction> {
        match self {
            ReleaseError::TransitionBlocked { open, health, approvals, .. } => {
                unblocking_actions(open, health.as_ref(), approvals.as_deref())
            }
            ReleaseError::WindowClosed { .. } => vec![NextAction::WaitOrOverrideWindow],
            ReleaseError::InvalidOverride { problem: OverrideProblem::UnknownWindow { .. }, .. }
            | ReleaseError::UnknownItem { .. }
            | ReleaseError::UnknownSignal { .. }
            | ReleaseError::UnknownCriterion { .. } => vec![NextAction::UseKnownName],
            ReleaseError::Access(error) => error.next_actions(),
            ReleaseError::Change(error) => error.next_actions(),
            ReleaseError::TransitionNotAllowed { from, to: Stage::RolledBack } if from.can_roll_back() => {
                vec![NextAction::RollBackWithReason]
            }
            ReleaseError::ItemAlreadySettled { .. } => vec![NextAction::ReopenItem],
            ReleaseError::ItemIsRequired { .. } => vec![NextAction::CompleteOrWaive],
            ReleaseError::ItemIsOptional { .. } => vec![NextAction::MarkNotApplicable],
            ReleaseError::NotAFlag { .. } => vec![NextAction::RecordObservations],
            ReleaseError::FlagAlreadyRaised { .. } => vec![NextAction::ClearFlag],
            ReleaseError::UnknownIncident { .. } => vec![NextAction::OpenIncident],
            ReleaseError::NothingToDecide { verdict: Verdict::RollBack { .. } } => {
                vec![NextAction::RollBackOnCriteria]
            }
            ReleaseError::NoCriterionTripped { .. } => vec![NextAction::RollBackWithReason],
            ReleaseError::MonitoringWindowClosed { .. } | ReleaseError::ChangesFrozen { .. } => {
                vec![NextAction::ShipNewRelease]
            }
            ReleaseError::Replay { source, .. }
            | ReleaseError::FromMarkdown { source, .. }
            | ReleaseError::BatchRefused { source, .. } => source.next_actions(),
            ReleaseError::UntrustedTemplate { .. } | ReleaseError::UnknownChecklist { .. } => {
                vec![NextAction::TrustTemplate]
            }
            ReleaseError::UnsupportedFormat { .. } => vec![NextAction::UpgradeCrate],
            ReleaseError::InvalidRosterChange { problem: RosterProblem::LastHolder { .. }, .. } => {
                vec![NextAction::HandOverRole]
            }
            // An unchained log is not damaged: its message says how to seal it.
            ReleaseError::BrokenChain { problem: ChainProblem::Unchained, .. } => Vec::new(),
            ReleaseError::BrokenChain { .. }
            | ReleaseError::AnchorNotFound { .. }
            | ReleaseError::CitationMismatch
            | ReleaseError::StageMismatch { .. }
            | ReleaseError::MalformedLog { .. } => vec![NextAction::RestoreLog],
            // The rest are corrected in the call itself (a time, a text, a
            // batch), or say there is nothing to do; their messages say so.
            ReleaseError::ItemAlreadyOpen { .. }
            | ReleaseError::SettledByWorkflow { .. }
            | ReleaseError::ItemNotWorkable { .. }
            | ReleaseError::TimeWentBackwards { .. }
            | ReleaseError::TransitionNotAllowed { .. }
            | ReleaseError::InvalidOverride { .. }
            | ReleaseError::InvalidRosterChange { .. }
            | ReleaseError::RevokedChecklist { .. }
            | ReleaseError::Ledger(_)
            | ReleaseError::InvalidChecklistMove { .. }
            | ReleaseError::FlagNotRaised { .. }
            | ReleaseError::NotMonitoring { .. }
            | ReleaseError::MeasuredOutsideMonitoring { .. }
            | ReleaseError::MeasuredAfterRecorded { .. }
            | ReleaseError::InvalidBatch { .. }
            | ReleaseError::NoPreviousBaseline { .. }
            | ReleaseError::NothingToDecide { .. }
            | ReleaseError::InvalidIncident { .. }
            | ReleaseError::Markdown(_)
            | ReleaseError::Text(_)
            | ReleaseError::Health(_)
            | ReleaseError::Plan(_) => Vec::new(),
        }
    }
}

/// Why a change window cannot be overridden.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OverrideProblem {
    /// The release already deploys: windows are overridden before that.
    TooLate {
        /// The release's stage.
        stage: Stage,
    },
    /// No window of the release's policy has the name.
    UnknownWindow {
        /// The names of the windows the policy has, quoted.
        known: Vec<String>,
    },
    /// The window does not apply to the release's service and kind.
    DoesNotApply,
    /// The window is overridden for this release already.
    AlreadyOverridden,
}

impl std::fmt::Display for OverrideProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OverrideProblem::TooLate { stage } => write!(
                f,
                "cannot be overridden now: the release is {stage}, and windows are overridden before it deploys"
            ),
            OverrideProblem::UnknownWindow { known } => write!(
                f,
                "is not a change window of this release's policy: its windows are {}; {}",
                if known.is_empty() { "none".to_owned() } else { known.join(", ") },
                NextAction::UseKnownName.describe()
            ),
            OverrideProblem::DoesNotApply => {
                f.write_str("does not apply to this release's service and kind: nothing to override")
            }
            OverrideProblem::AlreadyOverridden => f.write_str("is already overridden for this release"),
        }
    }
}

/// What clears a blocked move: settling its open items, and deciding on
/// the health that blocks it.
pub(crate) fn unblocking_actions(
    open: &[Item],
    health: Option<&Verdict>,
    approvals: Option<&ApprovalsNeeded>,
) -> Vec<NextAction> {
    let mut actions = Vec::new();
    if !open.is_empty() {
        actions.push(NextAction::SettleItems);
    }
    match health {
        Some(Verdict::RollBack { .. }) => actions.push(NextAction::RollBackOnCriteria),
        Some(_) => actions.push(NextAction::AcceptRiskOrRollBack),
        None => {}
    }
    if let Some(approvals) = approvals {
        actions.push(approvals.next_action());
    }
    actions
}

/// How a link of a stored log's hash chain fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChainProblem {
    /// The event's digest is not the digest of the event and the one
    /// before it.
    DigestMismatch,
    /// A chained log's event without its digest.
    MissingDigest,
    /// A digest in a log format that has none (formats 1 and 2).
    UnexpectedDigest,
    /// A seal that the caller's key did not make.
    SealMismatch,
    /// An event without a seal, read with a key.
    MissingSeal,
    /// A log written before logs were chained (format 1 or 2), read with a
    /// key: it cannot prove it was not rewritten.
    Unchained,
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChainProblem::DigestMismatch => {
                "was changed after it was written: its digest does not match it and the event before it"
            }
            ChainProblem::MissingDigest => "has no digest, which a chained log (format 3) gives every event",
            ChainProblem::UnexpectedDigest => "has a digest, which logs of formats 1 and 2 do not have",
            ChainProblem::SealMismatch => {
                "has a seal the key did not make: the log was rewritten by someone without the key, or \
                 sealed with another key"
            }
            ChainProblem::MissingSeal => "is not sealed, but a key was given to verify the log's seals",
            ChainProblem::Unchained => {
                "is in a log written before logs were chained (format 1 or 2), which a key cannot verify: \
                 read it without a key, check it, and save it again to seal it"
            }
        })
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
pub(crate) mod tests;
