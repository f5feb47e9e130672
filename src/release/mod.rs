//! The release state machine.
//!
//! # Storing releases, and trusting what is read back
//!
//! Every data type implements serde's traits. A [`Release`] serializes as
//! its event log with a [format version](FORMAT_VERSION), each event bound
//! to the one before it by a SHA-256 link. Reading one back is a trust
//! decision, so it is a type boundary: deserializing gives an
//! [`UnverifiedRelease`], and only [`UnverifiedRelease::verify`] against a
//! [`Trust`] gives a `Release`, once
//!
//! - the hash chain holds at every event (an event edited in place is
//!   named), and with a [`SealKey`](crate::digest::SealKey) every event's HMAC seal is the key's;
//! - the log's checklist is one the caller trusts — by default the
//!   OctoAcme checklist, plus any template the tool adds — so an edited
//!   checklist is refused, naming what differs;
//! - every event passes the live rules ([`Release::replay`]).
//!
//! What each level detects:
//!
//! | attack on a stored log | no key, no anchor | head anchored | with a key |
//! |---|---|---|---|
//! | an event edited in place | refused, naming the event | refused | refused, naming the event |
//! | the checklist edited (items removed, gates moved) | refused, naming what differs | refused | refused |
//! | every event rewritten, chain recomputed (re-attributed, re-timed, completions turned into waivers, incidents erased) | **not detected** if every rule holds | refused | refused, naming the first event |
//! | the log truncated to a shorter prefix | **not detected** | refused | **not detected** without an anchor |
//! | a log copied under another release's name | refused | refused | refused |
//! | the whole store replaced by an older copy | not detected | refused | not detected |
//!
//! Anchoring means writing [`Release::head`] somewhere the log's writer
//! cannot reach (a ticket, a commit, a second system) and checking it later
//! with [`Release::verify_anchor`]. A key is held by the tools that write
//! releases and never appears in a log. What no level detects: a person who
//! holds the key, or can act through a tool that does, recording false
//! events — the log proves what was recorded, not that it was true.
//!
//! With `serde_json`, enable its `float_roundtrip` feature so that signal
//! values read back bit for bit.

mod access;
mod apply;
mod chain;
mod change;
mod change_error;
mod error;
mod error_messages;
mod govern;
mod health;
mod ledger;
mod markdown;
mod observe;
mod people;
mod rare;
mod settled;
mod status;
mod stored;
mod trust;
mod versions;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::actor::Actor;
use crate::checklist::{Item, ItemId, ItemStatus, Template};
use crate::event::{Event, EventKind, RollbackReason};
use crate::health::{Observation, RaisedFlag};
use crate::plan::{Change, PlanError, ReleaseBuilder, ReleasePlan};
use crate::policy::ChangeType;
pub use crate::progress::Tally;
use crate::stage::{Gate, Stage};
use crate::version::{ReleaseKind, Version};

pub use access::{AccessError, Approval, ApprovalProblem, ApprovalsNeeded};
pub use chain::Integrity;
#[cfg(feature = "store")]
pub(crate) use chain::{StoredEvent, canonical, stored_line};
pub use change::{DeferredApprovals, Owed, ReviewApproval};
pub use change_error::{ChangeError, ReviewProblem};
#[cfg(all(test, feature = "store"))]
pub(crate) use error::tests::assert_says_its_actions;
pub use error::{ChainProblem, OverrideProblem, ReleaseError};
pub use ledger::{LedgerError, Revocation, TrustEntry, TrustLedger, TrustRecord};
pub use observe::MAX_OBSERVATIONS_PER_EVENT;
pub use status::{
    ClosedWindow, Closing, GateProgress, HealthStatus, HeldBy, NextMove, ReleaseStatus, RollbackStatus,
};
#[cfg(feature = "store")]
pub(crate) use stored::{FIRST_CHAINED_FORMAT, FIRST_NAMING_FORMAT, is_readable as is_readable_format};
pub use stored::{FORMAT_VERSION, Referring, Sealed, UnverifiedRelease};
pub use trust::Trust;
pub use versions::ChecklistMoveProblem;

/// The position `Release::entered` holds for a stage not entered.
const NOT_ENTERED: u32 = u32::MAX;

/// One release, moving through its [`Stage`]s as its checklist allows.
///
/// A release is the fold of its [`Event`] log. Every operation takes who
/// acts and when (the crate never reads the clock), checks every rule, and
/// then either appends one event and returns it, or returns a [`ReleaseError`] and
/// leaves the release exactly as it was.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use release_workflow::{Actor, Release, ReleaseKind, Role, Stage};
///
/// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// let grace = Actor::new("grace", "Grace", Role::ON_CALL_ENGINEER)?;
/// let t0: DateTime<Utc> = "2026-11-30T09:00:00Z".parse()?;
///
/// let mut release = Release::builder()
///     .version("2.4.0")
///     .kind(ReleaseKind::Minor)
///     .target_date("2026-12-01".parse()?)
///     .release_manager(ada.clone())
///     .on_call(grace)
///     .plan(t0)?;
///
/// // Too early: the error lists every open Freeze item.
/// let refused = release.advance_to(Stage::Frozen, &ada, t0).unwrap_err();
/// assert!(refused.to_string().contains("planning.version-confirmed"));
/// assert_eq!(release.stage(), Stage::Planned);
///
/// release.complete("planning.version-confirmed", &ada, t0)?;
/// release.mark_not_applicable("build.code-freeze", "trunk-based: no freeze branch", &ada, t0)?;
/// assert_eq!(release.blocking_items(Stage::Frozen).len(), 6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Release {
    plan: Arc<ReleasePlan>,
    stage: Stage,
    /// The statuses of the items settled; every other item is open.
    statuses: settled::Settled,
    /// When the release entered each stage, as the position in `events`
    /// of the event that moved it there ([`NOT_ENTERED`] if it has not):
    /// the time is that event's, and a position is a quarter of the size.
    entered: [u32; Stage::ALL.len()],
    observations: Vec<Observation>,
    /// The flags raised and not cleared, in the order raised.
    flags: Vec<RaisedFlag>,
    /// The approvals given and not lapsed.
    approvals: Vec<Approval>,
    /// The change type now: as planned, or as last reclassified.
    change_type: ChangeType,
    /// What few releases hold: added changes, incidents, overrides, roster
    /// and checklist changes, an emergency change's deferrals and reviews.
    more: rare::Rarely,
    events: Vec<Event>,
}

impl ReleaseBuilder {
    /// Checks every input and creates the release, `Planned` at `at`.
    ///
    /// # Errors
    ///
    /// As [`build_plan`](ReleaseBuilder::build_plan).
    pub fn plan(self, at: DateTime<Utc>) -> Result<Release, PlanError> {
        Ok(Release::from_plan(self.build_plan()?, at))
    }
}

impl Release {
    /// Starts planning a release; see [`ReleaseBuilder`].
    pub fn builder() -> ReleaseBuilder {
        ReleaseBuilder::default()
    }

    /// Creates a release from a checked plan, `Planned` at `at`; the first
    /// event is the release manager's.
    pub fn from_plan(plan: ReleasePlan, at: DateTime<Utc>) -> Release {
        let plan = Arc::new(plan);
        let event = Event {
            at,
            by: plan.release_manager().clone(),
            what: EventKind::Planned { plan: Arc::clone(&plan) },
        };
        Release::start(plan, event)
    }

    // ----- checklist work -------------------------------------------------

    /// Marks an item done.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::UnknownItem`] for an id the template does not have (with the
    /// closest ids); [`ReleaseError::ItemNotWorkable`] when the item's gate is
    /// passed or not open in this stage; [`ReleaseError::SettledByWorkflow`],
    /// [`ReleaseError::ItemAlreadySettled`], [`ReleaseError::TimeWentBackwards`].
    pub fn complete(&mut self, item: &str, by: &Actor, at: DateTime<Utc>) -> Result<&Event, ReleaseError> {
        self.record_item(item, by, at, |item| EventKind::ItemCompleted { item })
    }

    /// Rules out an [`IfApplicable`](crate::checklist::Requirement::IfApplicable) item
    /// for this release, saying why.
    ///
    /// # Errors
    ///
    /// As [`complete`](Release::complete), plus [`ReleaseError::ItemIsRequired`]
    /// for a required item and [`ReleaseError::Text`] for an empty reason.
    pub fn mark_not_applicable(
        &mut self,
        item: &str,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let reason = reason.into();
        self.record_item(item, by, at, |item| EventKind::ItemNotApplicable { item, reason })
    }

    /// Waives a [`Required`](crate::checklist::Requirement::Required) item for this
    /// release: `by` takes the responsibility, and says why.
    ///
    /// # Errors
    ///
    /// As [`complete`](Release::complete), plus [`ReleaseError::ItemIsOptional`]
    /// for an if-applicable item (mark it not applicable instead) and
    /// [`ReleaseError::Text`] for an empty reason.
    pub fn waive(
        &mut self,
        item: &str,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let reason = reason.into();
        self.record_item(item, by, at, |item| EventKind::ItemWaived { item, reason })
    }

    /// Opens a settled item again, saying why.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::UnknownItem`], [`ReleaseError::ItemNotWorkable`],
    /// [`ReleaseError::SettledByWorkflow`], [`ReleaseError::ItemAlreadyOpen`],
    /// [`ReleaseError::Text`] for an empty reason,
    /// [`ReleaseError::TimeWentBackwards`].
    pub fn reopen(
        &mut self,
        item: &str,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let reason = reason.into();
        self.record_item(item, by, at, |item| EventKind::ItemReopened { item, reason })
    }

    /// Adds a change to the release while it is still `Planned`.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::ChangesFrozen`] after `Planned`; [`ReleaseError::Plan`]
    /// for an id the release already ships; [`ReleaseError::TimeWentBackwards`].
    pub fn add_change(
        &mut self,
        change: Change,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::ChangeAdded { change })
    }

    // ----- transitions ----------------------------------------------------

    /// Moves the release forward to `target`, the next stage, if every item
    /// of the gate that guards it is settled.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::TransitionBlocked`] listing every open item of the gate;
    /// [`ReleaseError::TransitionNotAllowed`] when `target` is not the next stage
    /// (use [`roll_back`](Release::roll_back) for `RolledBack`);
    /// [`ReleaseError::TimeWentBackwards`].
    pub fn advance_to(
        &mut self,
        target: Stage,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let from = self.stage;
        self.record(by, at, EventKind::Advanced { from, to: target })
    }

    /// Rolls the release back from `Deploying` or `Verifying`, or from
    /// `Released` while its monitoring window is open, on `by`'s decision.
    ///
    /// Entering `RolledBack` settles the items the template settles on
    /// entering it (in the OctoAcme checklist, "Rollback decision made and
    /// communicated"); the rest of the rollback checklist is then worked.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Text`] for an empty reason;
    /// [`ReleaseError::TransitionNotAllowed`] from any other stage;
    /// [`ReleaseError::MonitoringWindowClosed`]; [`ReleaseError::TimeWentBackwards`].
    pub fn roll_back(
        &mut self,
        why: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let from = self.stage;
        let reason = RollbackReason::Decision { why: why.into() };
        self.record(by, at, EventKind::RolledBack { from, reason })
    }

    fn record(&mut self, by: &Actor, at: DateTime<Utc>, what: EventKind) -> Result<&Event, ReleaseError> {
        self.apply(Event { at, by: by.clone(), what })
    }

    /// Records an event about the item with this id, once the id is known.
    fn record_item(
        &mut self,
        id: &str,
        by: &Actor,
        at: DateTime<Utc>,
        what: impl FnOnce(ItemId) -> EventKind,
    ) -> Result<&Event, ReleaseError> {
        let item =
            self.template().item(id).map(|item| item.id().clone()).ok_or_else(|| self.unknown_item(id))?;
        self.record(by, at, what(item))
    }

    fn unknown_item(&self, id: &str) -> ReleaseError {
        ReleaseError::UnknownItem {
            item: crate::text::shorten(id),
            suggestions: self.template().similar_ids(id),
        }
    }

    // ----- queries --------------------------------------------------------

    /// The stage the release is in.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// Everything the release was planned with.
    pub fn plan(&self) -> &ReleasePlan {
        &self.plan
    }

    /// The version being released.
    pub fn version(&self) -> &Version {
        self.plan.version()
    }

    /// Patch, minor or major.
    pub fn kind(&self) -> ReleaseKind {
        self.plan.kind()
    }

    /// The service the release ships, if named.
    pub fn service(&self) -> Option<&str> {
        self.plan.service()
    }

    /// The day the release is meant to go out.
    pub fn target_date(&self) -> NaiveDate {
        self.plan.target_date()
    }

    /// The checklist the release follows.
    pub fn template(&self) -> &Template {
        self.more.versions.last().map_or_else(|| self.plan.template(), |version| &**version)
    }

    /// The checklist versions the release moved to after it was planned,
    /// in order ([`move_to_checklist`](Release::move_to_checklist)); it
    /// follows the last. Empty for a release on the version it was planned
    /// with.
    pub fn checklist_versions(&self) -> impl Iterator<Item = &Template> + '_ {
        self.more.versions.iter().map(|version| &**version)
    }

    /// Every change the release ships: those planned, then those added.
    pub fn changes(&self) -> impl Iterator<Item = &Change> + '_ {
        self.plan.changes().iter().chain(&self.more.added_changes)
    }

    /// The status of the item with this id, if the template has it.
    pub fn item_status(&self, item: &str) -> Option<&ItemStatus> {
        self.template().position(item).map(|index| self.statuses.get(index))
    }

    /// Every item of the checklist with its status, in checklist order.
    pub fn items(&self) -> impl Iterator<Item = (&Item, &ItemStatus)> + '_ {
        let items = self.template().items();
        items.iter().zip(self.statuses.in_order(items.len()))
    }

    /// The open items of `gate`, in checklist order.
    pub fn open_items(&self, gate: Gate) -> impl Iterator<Item = &Item> + '_ {
        self.items()
            .filter(move |(item, status)| item.gate() == gate && !status.is_settled())
            .map(|(item, _)| item)
    }

    /// The open items that stand between the release and `target`: those of
    /// every gate from the current stage forward up to `target`.
    ///
    /// Empty when nothing but the checklist could block the move: when
    /// `target` is not ahead of the current stage (a move the table does not
    /// have, or `RolledBack`, which needs a reason rather than items), it is
    /// empty too; [`advance_to`](Release::advance_to) and
    /// [`roll_back`](Release::roll_back) say why such a move is refused.
    pub fn blocking_items(&self, target: Stage) -> Vec<&Item> {
        if target == Stage::RolledBack {
            return Vec::new();
        }
        let current = self.stage;
        self.items()
            .filter(|(item, status)| {
                !status.is_settled()
                    && item.gate().exit_stage().is_some_and(|exit| current < exit && exit <= target)
            })
            .map(|(item, _)| item)
            .collect()
    }

    /// Settled and total items of one gate.
    pub fn gate_progress(&self, gate: Gate) -> Tally {
        let mut tally = Tally::default();
        for (item, status) in self.items() {
            if item.gate() == gate {
                tally.count(status.is_settled());
            }
        }
        tally
    }

    /// Settled and total items of every gate the template uses, in gate
    /// order.
    pub fn progress_by_gate(&self) -> Vec<(Gate, Tally)> {
        let mut tallies = [Tally::default(); Gate::ALL.len()];
        for (item, status) in self.items() {
            if let Some(tally) = tallies.get_mut(item.gate() as usize) {
                tally.count(status.is_settled());
            }
        }
        Gate::ALL
            .iter()
            .zip(tallies)
            .filter(|(_, tally)| tally.total > 0)
            .map(|(gate, tally)| (*gate, tally))
            .collect()
    }

    /// Settled and total items of every section, in checklist order.
    pub fn progress_by_section(&self) -> Vec<(&str, Tally)> {
        let mut tallies: Vec<(&str, Tally)> = Vec::with_capacity(self.template().sections().len());
        for (item, status) in self.items() {
            match tallies.last_mut() {
                Some((section, tally)) if *section == item.section() => tally.count(status.is_settled()),
                _ => {
                    let mut tally = Tally::default();
                    tally.count(status.is_settled());
                    tallies.push((item.section(), tally));
                }
            }
        }
        tallies
    }

    /// When the release entered `stage`, if it has.
    pub fn entered_at(&self, stage: Stage) -> Option<DateTime<Utc>> {
        let position = *self.entered.get(stage as usize)?;
        self.events.get(usize::try_from(position).ok()?).map(|event| event.at)
    }

    /// When the post-release monitoring window closes, once the release is
    /// `Released`; a rollback is allowed strictly before this instant.
    pub fn monitoring_window_closes_at(&self) -> Option<DateTime<Utc>> {
        let released = self.entered_at(Stage::Released)?;
        released.checked_add_signed(self.plan.monitoring_window())
    }

    /// How long after release a rollback stays allowed.
    pub fn monitoring_window(&self) -> TimeDelta {
        self.plan.monitoring_window()
    }

    /// Why the release was rolled back, once it has been.
    pub fn rollback_reason(&self) -> Option<&RollbackReason> {
        self.rollback_event().map(|(_, reason, _)| reason)
    }

    /// The rollback's event: the stage it left, its reason, and the event.
    fn rollback_event(&self) -> Option<(Stage, &RollbackReason, &Event)> {
        self.events.iter().rev().find_map(|event| match &event.what {
            EventKind::RolledBack { from, reason } => Some((*from, reason, event)),
            _ => None,
        })
    }

    /// Whether the release is final, every item of its closing group
    /// (`PostRelease` once released, `Rollback` once rolled back) is
    /// settled, and an emergency change owes nothing ([`owed`](Release::owed)).
    pub fn is_closed(&self) -> bool {
        let closing = match self.stage {
            Stage::Released => Gate::PostRelease,
            Stage::RolledBack => Gate::Rollback,
            _ => return false,
        };
        self.open_items(closing).next().is_none() && self.owed().is_empty()
    }

    /// The audit log, oldest first; the first event plans the release.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// When the last event happened: operations must not be timed earlier.
    pub fn last_event_at(&self) -> DateTime<Utc> {
        self.events
            .last()
            .map_or_else(|| self.entered_at(Stage::Planned).unwrap_or_default(), |event| event.at)
    }
}

/// Release 2.4.0 of checkout on the OctoAcme checklist, Ada its release
/// manager and on call, planned at 2026-11-30 09:00 UTC: for unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn sample() -> Release {
    let ada = Actor::new("ada", "Ada", crate::actor::Role::RELEASE_MANAGER).unwrap();
    Release::builder()
        .service("checkout")
        .version("2.4.0")
        .kind(ReleaseKind::Minor)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada.clone())
        .on_call(ada)
        .plan("2026-11-30T09:00:00Z".parse().unwrap())
        .unwrap()
}
