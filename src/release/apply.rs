//! The fold: checking an event against a release, then applying it.
//!
//! Live operations and replay share this one path, so a log can only hold
//! what the live rules allow.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::checklist::{Item, ItemId, ItemStatus, Requirement, Template};
use crate::digest::Digest;
use crate::event::{Event, EventKind, RollbackReason};
use crate::health::{Observation, RaisedFlag, RiskDecision, Verdict};
use crate::incident::Incident;
use crate::plan::{PlanError, ReleasePlan};
use crate::release::access::Approval;
use crate::release::settled::Settled;

/// How many of the latest events' actors an applied event's actor is
/// compared with to share their text: enough for the handful of people
/// who act on one release.
const RECENT_ACTORS: usize = 8;
use crate::release::{NOT_ENTERED, Release, ReleaseError, Trust};
use crate::roster::Roster;
use crate::stage::{Gate, Stage};
use crate::text::check_reason;

/// What an accepted event changes.
pub(super) enum Effect {
    Status { index: usize, status: ItemStatus },
    AddChange,
    Enter { stage: Stage },
    Observe(Vec<Observation>),
    RaiseFlag(RaisedFlag),
    ClearFlag { index: usize },
    AcceptRisk(RiskDecision),
    OpenIncident(Incident),
    ResolveIncident { index: usize, resolved_at: DateTime<Utc> },
    Approve(Approval),
    Override { window: String },
    Roster(Box<Roster>),
    MoveChecklist { template: Arc<Template>, statuses: Settled },
    ChangeType(crate::policy::ChangeType),
    DeferApprovals(crate::release::DeferredApprovals),
    Review(crate::release::ReviewApproval),
    AllowParallel,
}

/// Finds a checklist version by fingerprint, for an event that names one.
pub(super) type Resolve<'a> = &'a dyn Fn(&Digest) -> Option<Arc<Template>>;

impl Release {
    pub(super) fn start(plan: Arc<ReleasePlan>, mut event: Event) -> Release {
        event.by.share_with([plan.release_manager(), plan.on_call()]);
        let mut entered = [NOT_ENTERED; Stage::ALL.len()];
        if let Some(slot) = entered.get_mut(Stage::Planned as usize) {
            *slot = 0;
        }
        Release {
            statuses: Settled::default(),
            change_type: plan.change_type(),
            plan,
            stage: Stage::Planned,
            entered,
            observations: Vec::new(),
            flags: Vec::new(),
            approvals: Vec::new(),
            more: super::rare::Rarely::default(),
            events: vec![event],
        }
    }

    /// Rebuilds a release from its log, checking every event against the
    /// rules as the live operations do, and its checklist against the
    /// templates `trust` holds.
    ///
    /// ```
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role, release::Trust};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// release.complete("planning.scope-documented", &ada, t0)?;
    /// let rebuilt = Release::replay(release.events().to_vec(), &Trust::default())?;
    /// assert_eq!(rebuilt, release);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReleaseError::MalformedLog`] for an empty log or one that does not start
    /// by planning the release; [`ReleaseError::UntrustedTemplate`] when the
    /// plan's checklist is not a trusted one, naming what differs from the
    /// closest; [`ReleaseError::Replay`] naming the position of the
    /// first event that breaks a rule, and the rule.
    pub fn replay(events: impl IntoIterator<Item = Event>, trust: &Trust) -> Result<Release, ReleaseError> {
        let mut events = events.into_iter();
        let mut first = events.next().ok_or(ReleaseError::MalformedLog {
            problem: "the log is empty: it must start with the event that plans the release",
        })?;
        let plan = Release::pin_plan(&mut first, trust)?;
        let mut release = Release::start(plan, first);
        release.events.reserve_exact(events.size_hint().0);
        for (position, event) in (1..).zip(events) {
            release
                .apply_trusted(event, trust)
                .map_err(|source| ReleaseError::Replay { position, source: Box::new(source) })?;
        }
        Ok(release)
    }

    /// Checks that `first` plans the release with a trusted checklist, and
    /// makes it hold the trusted copy; gives its plan.
    pub(super) fn pin_plan(first: &mut Event, trust: &Trust) -> Result<Arc<ReleasePlan>, ReleaseError> {
        let EventKind::Planned { plan } = &mut first.what else {
            return Err(ReleaseError::Replay {
                position: 0,
                source: Box::new(ReleaseError::MalformedLog {
                    problem: "the log must start with the event that plans the release",
                }),
            });
        };
        if let Some(fingerprint) = plan.named_checklist() {
            // Named, not held: the trusted checklist of that fingerprint is
            // the one the chain's link covers, and the roster is checked
            // against its policy as it would be had the plan held it.
            let trusted = trust
                .by_fingerprint(fingerprint)
                .ok_or(ReleaseError::UnknownChecklist { fingerprint: *fingerprint })?;
            *plan = Arc::new(plan.resolved(trusted)?);
            return Ok(Arc::clone(plan));
        }
        let trusted = trust.pin(plan.template())?;
        if !std::ptr::eq(&*trusted, plan.template()) {
            *plan = Arc::new(plan.sharing(trusted));
        }
        Ok(Arc::clone(plan))
    }

    /// Records an event made elsewhere — read from a log, received from
    /// another process — checking it exactly as the operation that makes it
    /// would. Every operation of a release goes through here.
    ///
    /// # Errors
    ///
    /// Whatever the operation would report for the same change; the release
    /// is unchanged.
    pub fn apply(&mut self, event: Event) -> Result<&Event, ReleaseError> {
        self.apply_resolving(event, &|_| None)
    }

    /// As [`apply`](Release::apply), finding the checklist version an event
    /// names (a move to another version) among the ones `trust` holds: how
    /// replay and the stores apply events.
    ///
    /// # Errors
    ///
    /// As `apply`; [`ReleaseError::UnknownChecklist`] for a version `trust`
    /// does not hold.
    pub fn apply_trusted(&mut self, event: Event, trust: &Trust) -> Result<&Event, ReleaseError> {
        self.apply_resolving(event, &|fingerprint| trust.by_fingerprint(fingerprint))
    }

    pub(super) fn apply_resolving(
        &mut self,
        mut event: Event,
        resolve: Resolve<'_>,
    ) -> Result<&Event, ReleaseError> {
        // One copy of each person per release: the few who act on a
        // release act again and again (bounded, so that a long log costs
        // no more per event).
        event.by.share_with(
            [self.plan.release_manager(), self.plan.on_call()]
                .into_iter()
                .chain(self.events.iter().rev().take(RECENT_ACTORS).map(|recent| &recent.by)),
        );
        let effect = self.check(&event, resolve)?;
        match effect {
            Effect::Status { index, status } => {
                self.statuses.set(index, status);
                // The event names the item with its own copy of the id; the
                // checklist's is the same text, shared.
                if let (Some(named), Some(item)) = (event.what.item_mut(), self.template().items().get(index))
                    && named == item.id()
                {
                    *named = item.id().clone();
                }
            }
            Effect::AddChange => {
                if let EventKind::ChangeAdded { change } = &event.what {
                    let planned = self.plan.changes();
                    let more = self.more.make_mut();
                    if more.change_ids.is_empty() {
                        more.change_ids = planned.iter().map(|c| c.id().to_owned()).collect();
                    }
                    more.change_ids.insert(change.id().to_owned());
                    more.added_changes.push(change.clone());
                }
            }
            Effect::Enter { stage } => self.enter(stage, &event),
            Effect::Observe(mut observations) => self.observations.append(&mut observations),
            Effect::RaiseFlag(flag) => self.flags.push(flag),
            Effect::ClearFlag { index } => {
                if index < self.flags.len() {
                    self.flags.remove(index);
                }
            }
            Effect::AcceptRisk(decision) => self.more.make_mut().risk_decisions.push(decision),
            Effect::OpenIncident(incident) => self.more.make_mut().incidents.push(incident),
            Effect::ResolveIncident { index, resolved_at } => {
                if let Some(incident) = self.more.make_mut().incidents.get_mut(index) {
                    incident.resolve(resolved_at);
                }
            }
            Effect::Approve(approval) => self.approvals.push(approval),
            Effect::Override { window } => self.more.make_mut().overrides.push(window),
            Effect::Roster(roster) => {
                self.more.make_mut().roster = Some(*roster);
                self.lapse_approvals_of_the_departed();
            }
            Effect::MoveChecklist { template, statuses } => {
                self.more.make_mut().versions.push(template);
                self.statuses = statuses;
            }
            Effect::ChangeType(to) => self.change_type = to,
            Effect::DeferApprovals(deferred) => self.more.make_mut().deferred_approvals.push(deferred),
            Effect::Review(review) => self.more.make_mut().reviews.push(review),
            Effect::AllowParallel => self.more.make_mut().parallel_allowed = true,
        }
        self.lapse_approvals(&event.what);
        self.events.push(event);
        #[allow(clippy::indexing_slicing, reason = "the event was pushed on the line above")]
        Ok(&self.events[self.events.len() - 1])
    }

    fn enter(&mut self, stage: Stage, event: &Event) {
        self.stage = stage;
        if let Some(slot) = self.entered.get_mut(stage as usize) {
            // The event is pushed next, so its position is the log's length.
            *slot = u32::try_from(self.events.len()).unwrap_or(NOT_ENTERED);
        }
        let (plan, moved) = (Arc::clone(&self.plan), self.more.versions.last().cloned());
        let template = moved.as_deref().unwrap_or_else(|| plan.template());
        for (index, item) in template.items().iter().enumerate() {
            if item.settled_on() == Some(stage) && !self.statuses.get(index).is_settled() {
                self.statuses.set(index, ItemStatus::Done { by: event.by.clone(), at: event.at });
            }
        }
    }

    fn check(&self, event: &Event, resolve: Resolve<'_>) -> Result<Effect, ReleaseError> {
        let last = self.last_event_at();
        if event.at < last {
            return Err(ReleaseError::TimeWentBackwards { at: event.at, last });
        }
        self.authorize(event)?;
        let settle = |index: usize, status: ItemStatus| Ok(Effect::Status { index, status });
        match &event.what {
            EventKind::Planned { .. } => Err(ReleaseError::MalformedLog {
                problem: "a release is planned once: only the first event of its log may plan it",
            }),
            EventKind::ChangeAdded { change } => {
                if self.stage != Stage::Planned {
                    return Err(ReleaseError::ChangesFrozen { stage: self.stage });
                }
                let planned = || self.plan.changes().iter().any(|planned| planned.id() == change.id());
                if self.more.change_ids.contains(change.id())
                    || (self.more.change_ids.is_empty() && planned())
                {
                    return Err(PlanError::DuplicateChange { change: change.id().to_owned() }.into());
                }
                self.check_standard_with(self.changes().count() + 1)?;
                Ok(Effect::AddChange)
            }
            EventKind::ItemCompleted { item } => {
                let index = match self.deferred_item(item) {
                    Some(index) => index,
                    None => self.open_item(item)?.0,
                };
                settle(index, ItemStatus::Done { by: event.by.clone(), at: event.at })
            }
            EventKind::ItemNotApplicable { item, reason } => {
                let (index, found) = self.open_item(item)?;
                if found.requirement() == Requirement::Required {
                    return Err(ReleaseError::ItemIsRequired { item: item.clone() });
                }
                self.check_not_review_item(item)?;
                check_reason("reason for not applicable", reason)?;
                settle(
                    index,
                    ItemStatus::NotApplicable { reason: reason.clone(), by: event.by.clone(), at: event.at },
                )
            }
            EventKind::ItemWaived { item, reason } => {
                let (index, found) = self.open_item(item)?;
                if found.requirement() == Requirement::IfApplicable {
                    return Err(ReleaseError::ItemIsOptional { item: item.clone() });
                }
                self.check_not_review_item(item)?;
                check_reason("reason for the waiver", reason)?;
                settle(
                    index,
                    ItemStatus::Waived { reason: reason.clone(), by: event.by.clone(), at: event.at },
                )
            }
            EventKind::ItemReopened { item, reason } => {
                let (index, _) = self.workable_item(item)?;
                if !self.statuses.get(index).is_settled() {
                    return Err(ReleaseError::ItemAlreadyOpen { item: item.clone() });
                }
                check_reason("reason for reopening", reason)?;
                settle(index, ItemStatus::Open)
            }
            EventKind::Advanced { from, to } => {
                self.check_recorded_stage(*from)?;
                self.check_advance_at(*to, event.at)?;
                Ok(Effect::Enter { stage: *to })
            }
            EventKind::RolledBack { from, reason } => {
                self.check_recorded_stage(*from)?;
                self.check_rollback(reason, event)?;
                Ok(Effect::Enter { stage: Stage::RolledBack })
            }
            EventKind::Observed { signal, value, source, kind, measured_at } => {
                self.check_observed(signal, *value, source, *kind, *measured_at, event.at)
            }
            EventKind::ObservedBatch { observations } => self.check_batch(observations, event.at),
            EventKind::FlagRaised { criterion, evidence } => {
                self.check_flag_raised(criterion, evidence, event)
            }
            EventKind::FlagCleared { criterion, reason } => {
                self.check_flag_cleared(criterion, reason, event.at)
            }
            EventKind::RiskAccepted { criteria, why } => self.check_risk_accepted(criteria, why, event),
            EventKind::IncidentOpened { incident } => self.check_incident_opened(incident, event.at),
            EventKind::IncidentResolved { incident, resolved_at } => {
                self.check_incident_resolved(incident, *resolved_at, event.at)
            }
            EventKind::Approved { gate } => self.check_approved(*gate, event),
            EventKind::WindowOverridden { window, reason } => self.check_override(window, reason),
            EventKind::RosterChanged { change, reason } => self.check_roster_change(change, reason),
            EventKind::ChecklistChanged { checklist, reason } => {
                self.check_checklist_move(checklist, reason, resolve)
            }
            EventKind::ChangeTypeChanged { to, reason } => self.check_reclassify(*to, reason),
            EventKind::ItemDeferred { item, reason } => self.check_item_deferral(item, reason, event),
            EventKind::ApprovalsDeferred { gate, reason } => {
                self.check_approvals_deferral(*gate, reason, event)
            }
            EventKind::ReviewApproved { summary } => self.check_review(summary, event),
            EventKind::ParallelDeployAllowed { reason } => self.check_parallel(reason),
        }
    }

    fn check_recorded_stage(&self, recorded: Stage) -> Result<(), ReleaseError> {
        if recorded != self.stage {
            return Err(ReleaseError::StageMismatch { recorded, actual: self.stage });
        }
        Ok(())
    }

    /// Whether [`advance_to`](Release::advance_to) would accept `to` now,
    /// without recording anything: the same answer, the same error.
    ///
    /// ```
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role, Stage};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let blocked = release.check_advance(Stage::Frozen).unwrap_err();
    /// assert!(blocked.to_string().contains("8 freeze items are not settled"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReleaseError::TransitionBlocked`] or [`ReleaseError::TransitionNotAllowed`], as
    /// `advance_to` reports them.
    pub fn check_advance(&self, to: Stage) -> Result<(), ReleaseError> {
        let from = self.stage;
        let Some(gate) = to.entry_gate().filter(|_| from.next() == Some(to)) else {
            return Err(ReleaseError::TransitionNotAllowed { from, to });
        };
        let open: Vec<Item> = self.open_items(gate).cloned().collect();
        let health = match gate {
            Gate::Release => self.undecided_health(),
            // An inconclusive verdict waits for a person before release; a
            // release its criteria condemn is not worth verifying.
            Gate::Verify if self.template().checks_health_on_verify() => {
                Some(self.verdict()).filter(Verdict::should_roll_back)
            }
            _ => None,
        };
        let approvals = self.approvals_needed(gate).map(Box::new);
        if !open.is_empty() || health.is_some() || approvals.is_some() {
            return Err(ReleaseError::TransitionBlocked { from, to, gate, open, health, approvals });
        }
        Ok(())
    }

    fn check_rollback(&self, reason: &RollbackReason, event: &Event) -> Result<(), ReleaseError> {
        let from = self.stage;
        if !from.can_roll_back() {
            return Err(ReleaseError::TransitionNotAllowed { from, to: Stage::RolledBack });
        }
        match reason {
            RollbackReason::Decision { why } => check_reason("reason for the rollback", why)?,
            RollbackReason::Criteria { findings } => {
                if *findings != self.rollback_findings()? {
                    return Err(ReleaseError::CitationMismatch);
                }
            }
        }
        if from == Stage::Released
            && let (Some(released_at), Some(closed_at)) =
                (self.entered_at(Stage::Released), self.monitoring_window_closes_at())
            && event.at >= closed_at
        {
            return Err(ReleaseError::MonitoringWindowClosed { released_at, closed_at });
        }
        Ok(())
    }

    /// The item's position and definition, if it can be worked by hand now.
    fn workable_item(&self, id: &ItemId) -> Result<(usize, &Item), ReleaseError> {
        let index = self.template().position(id.as_str()).ok_or_else(|| self.unknown_item(id.as_str()))?;
        let item = self.template().items().get(index).ok_or_else(|| self.unknown_item(id.as_str()))?;
        if let Some(stage) = item.settled_on() {
            return Err(ReleaseError::SettledByWorkflow { item: id.clone(), stage });
        }
        if !self.stage.can_work(item.gate()) {
            return Err(ReleaseError::ItemNotWorkable {
                item: id.clone(),
                gate: item.gate(),
                stage: self.stage,
            });
        }
        Ok((index, item))
    }

    /// The position of the item if an emergency change deferred it: it is
    /// owed, and may be completed whatever the stage.
    fn deferred_item(&self, id: &ItemId) -> Option<usize> {
        let index = self.template().position(id.as_str())?;
        self.statuses.get(index).is_deferred().then_some(index)
    }

    /// As [`workable_item`](Release::workable_item), for an item still open.
    pub(super) fn open_item(&self, id: &ItemId) -> Result<(usize, &Item), ReleaseError> {
        let (index, item) = self.workable_item(id)?;
        let status = self.statuses.get(index);
        if status.is_settled() {
            return Err(ReleaseError::ItemAlreadySettled { item: id.clone(), status: status.label() });
        }
        Ok((index, item))
    }
}
