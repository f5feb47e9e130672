//! Governance: who may act on a release, the approvals its gates need, and
//! the change windows its deployment keeps to. Checked on every path,
//! live and on replay, when the release's checklist has a policy.

use chrono::{DateTime, Utc};

use crate::actor::{Actor, Role};
use crate::event::{Event, EventKind};
use crate::policy::{Action, ChangeWindow, Policy, WindowKind};
use crate::release::access::{AccessError, Approval, ApprovalProblem, ApprovalsNeeded};
use crate::release::apply::Effect;
use crate::release::{OverrideProblem, Release, ReleaseError};
use crate::roster::RosterMismatch;
use crate::stage::{Gate, Stage};
use crate::text::check_reason;

/// Why a person may not approve a release's work.
pub(super) enum Conflict {
    /// They planned the release.
    PlannedIt,
    /// They wrote the change with this id.
    Authored(String),
}

impl Release {
    // ----- recording ------------------------------------------------------

    /// Approves passing `gate`, the gate the release passes next, once its
    /// items are settled. `by` must hold a role the gate's approval rule
    /// accepts, and must neither have planned the release nor written one
    /// of its changes.
    ///
    /// An approval lapses when an item of its gate is reopened, when a
    /// change is added, and (for the release gate) when a risk decision
    /// changes what was approved.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Access`] with [`AccessError::Approval`] naming why
    /// the approval is refused, or another [`AccessError`] for someone off
    /// the roster; [`ReleaseError::TimeWentBackwards`].
    pub fn approve(&mut self, gate: Gate, by: &Actor, at: DateTime<Utc>) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::Approved { gate })
    }

    /// Lets the release start deploying despite the change window named
    /// `window` (a freeze it would start in, or a deployment window it would
    /// start outside), saying why. Recorded while the release is planned or
    /// frozen; it holds for this release's deployment.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::InvalidOverride`] for a window the policy does not
    /// have or that does not apply to this release, one already overridden,
    /// or a release past `Frozen`; [`ReleaseError::Text`] for an empty
    /// reason; [`ReleaseError::Access`] when `by` may not override windows.
    pub fn override_window(
        &mut self,
        window: &str,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::WindowOverridden { window: window.to_owned(), reason: reason.into() })
    }

    // ----- queries --------------------------------------------------------

    /// The approvals given and not lapsed, oldest first.
    pub fn approvals(&self) -> &[Approval] {
        &self.approvals
    }

    /// What `gate` still needs approved, if its policy asks approvals and
    /// not enough are given; `None` when nothing is missing.
    pub fn approvals_needed(&self, gate: Gate) -> Option<ApprovalsNeeded> {
        let rule = self.template().policy()?.approvals_for(gate)?;
        if self.skips_approvals(gate) {
            return None;
        }
        let of_gate = || self.approvals.iter().filter(move |approval| approval.gate == gate);
        // Every gate check asks: count first, copy only what a refusal shows.
        (of_gate().count() < rule.count() as usize).then(|| ApprovalsNeeded {
            gate,
            needed: rule.count(),
            roles: rule.roles().to_vec(),
            given: of_gate().cloned().collect(),
            approvers: self
                .roster()
                .holders(rule.roles())
                .map(|member| member.id())
                .filter(|id| {
                    *id != self.plan().release_manager().id()
                        && !self.changes().any(|change| change.author() == Some(*id))
                        && !of_gate().any(|approval| approval.by.id() == *id)
                })
                .cloned()
                .collect(),
        })
    }

    /// The change windows of the release's policy that apply to it: its
    /// service and kind are in their scope.
    pub fn change_windows(&self) -> impl Iterator<Item = &ChangeWindow> + '_ {
        self.template()
            .policy()
            .map(Policy::windows)
            .unwrap_or_default()
            .iter()
            .filter(|window| window.applies_to(self.service(), self.kind()))
    }

    /// Whether the release may start deploying at `at` as far as its change
    /// windows go: not inside a freeze, and inside a deployment window when
    /// any applies, unless the window was overridden.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::WindowClosed`] naming the window and when it ends
    /// (for a freeze) or next opens (for a deployment window).
    pub fn check_windows(&self, at: DateTime<Utc>) -> Result<(), ReleaseError> {
        if self.skips_windows() {
            return Ok(());
        }
        let overridden = |window: &ChangeWindow| self.more.overrides.iter().any(|name| name == window.name());
        let closed = |window: &ChangeWindow, until: Option<DateTime<Utc>>| ReleaseError::WindowClosed {
            window: window.to_string(),
            kind: window.kind(),
            at,
            until,
            time_zone: window.time_zone(),
            overriders: self.roles_for(Action::OverrideWindow),
        };
        if let Some(freeze) = self
            .change_windows()
            .find(|window| window.kind() == WindowKind::Freeze && window.contains(at) && !overridden(window))
        {
            return Err(closed(freeze, Some(freeze.ends_after(at))));
        }
        let deployment: Vec<&ChangeWindow> =
            self.change_windows().filter(|window| window.kind() == WindowKind::Deployment).collect();
        if deployment.is_empty() || deployment.iter().any(|window| window.contains(at) || overridden(window))
        {
            return Ok(());
        }
        let next = deployment
            .iter()
            .filter_map(|window| window.opens_after(at).map(|opens| (opens, *window)))
            .min_by_key(|(opens, _)| *opens);
        match next {
            Some((opens, window)) => Err(closed(window, Some(opens))),
            None => deployment.first().map_or(Ok(()), |window| Err(closed(window, None))),
        }
    }

    /// As [`check_advance`](Release::check_advance), and for a move into
    /// `Deploying`, [`check_windows`](Release::check_windows) at `at`: the
    /// whole answer [`advance_to`](Release::advance_to) would give at `at`,
    /// but for who asks.
    ///
    /// # Errors
    ///
    /// As `check_advance` and `check_windows`.
    pub fn check_advance_at(&self, to: Stage, at: DateTime<Utc>) -> Result<(), ReleaseError> {
        self.check_advance(to)?;
        if to == Stage::Deploying {
            self.check_windows(at)?;
        }
        Ok(())
    }

    // ----- checks ---------------------------------------------------------

    /// The roles the policy lets take `action` on the release as a whole.
    pub(super) fn roles_for(&self, action: Action) -> Vec<Role> {
        self.template()
            .policy()
            .map(|policy| policy.roles_for(action, None, None).into_iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Checks that the roster knows `by` as they claim, and that the policy
    /// lets their role take the event's action. Nothing to check under a
    /// checklist without a policy. An event about an item the checklist
    /// lacks passes here, for the rule checks to name it.
    pub(super) fn authorize(&self, event: &Event) -> Result<(), ReleaseError> {
        let Some(policy) = self.template().policy() else {
            return Ok(());
        };
        self.check_identity(&event.by)?;
        let (action, item, gate) = match &event.what {
            // Approvals and reviews are checked against their own rules.
            EventKind::Planned { .. } | EventKind::Approved { .. } | EventKind::ReviewApproved { .. } => {
                return Ok(());
            }
            EventKind::ChangeAdded { .. } => (Action::AddChange, None, None),
            EventKind::ItemCompleted { item } => (Action::Complete, Some(item), None),
            EventKind::ItemNotApplicable { item, .. } => (Action::MarkNotApplicable, Some(item), None),
            EventKind::ItemWaived { item, .. } => (Action::Waive, Some(item), None),
            EventKind::ItemReopened { item, .. } => (Action::Reopen, Some(item), None),
            EventKind::Advanced { to, .. } => (Action::Advance, None, to.entry_gate()),
            EventKind::Observed { .. } | EventKind::ObservedBatch { .. } => (Action::Observe, None, None),
            EventKind::FlagRaised { .. } => (Action::RaiseFlag, None, None),
            EventKind::FlagCleared { .. } => (Action::ClearFlag, None, None),
            EventKind::RiskAccepted { .. } => (Action::AcceptRisk, None, None),
            EventKind::IncidentOpened { .. } => (Action::OpenIncident, None, None),
            EventKind::IncidentResolved { .. } => (Action::ResolveIncident, None, None),
            EventKind::RolledBack { .. } => (Action::RollBack, None, None),
            EventKind::WindowOverridden { .. } => (Action::OverrideWindow, None, None),
            EventKind::RosterChanged { .. } => (Action::ChangeRoster, None, None),
            EventKind::ChecklistChanged { .. } => (Action::ChangeChecklist, None, None),
            EventKind::ChangeTypeChanged { .. } => (Action::ChangeType, None, None),
            EventKind::ItemDeferred { .. } | EventKind::ApprovalsDeferred { .. } => {
                (Action::Defer, None, None)
            }
            EventKind::ParallelDeployAllowed { .. } => (Action::DeployInParallel, None, None),
        };
        let item = match item {
            Some(id) => match self.template().item(id.as_str()) {
                Some(item) => Some(item),
                None => return Ok(()),
            },
            None => None,
        };
        if policy.permits(event.by.role(), action, item, gate) {
            return Ok(());
        }
        let allowed = policy.roles_for(action, item, gate);
        let target = match (item, gate) {
            (Some(item), _) => format!("`{}`", item.id()),
            (None, Some(gate)) => format!("the release through the {gate} gate"),
            (None, None) => "this release".to_owned(),
        };
        Err(AccessError::NotPermitted {
            actor: event.by.clone(),
            action,
            target,
            allowed: allowed.into_iter().cloned().collect(),
        }
        .into())
    }

    fn check_identity(&self, by: &Actor) -> Result<(), AccessError> {
        let roster = self.roster();
        roster.check(by).map(|_| ()).map_err(|mismatch| match mismatch {
            RosterMismatch::NotOnRoster => AccessError::NotOnRoster {
                person: by.id().clone(),
                name: by.name().to_owned(),
                roster: roster.describe(),
            },
            RosterMismatch::OtherName(rostered) => {
                AccessError::NameMismatch { person: by.id().clone(), claimed: by.name().to_owned(), rostered }
            }
            RosterMismatch::RoleNotHeld(held) => AccessError::RoleNotHeld {
                person: by.id().clone(),
                name: by.name().to_owned(),
                role: by.role().clone(),
                held: held.iter().map(Role::as_str).collect::<Vec<_>>().join(", "),
            },
        })
    }

    pub(super) fn check_approved(&self, gate: Gate, event: &Event) -> Result<Effect, ReleaseError> {
        let refuse = |problem: ApprovalProblem| AccessError::Approval {
            person: event.by.id().clone(),
            name: event.by.name().to_owned(),
            gate,
            problem,
        };
        let rule = self
            .template()
            .policy()
            .and_then(|policy| policy.approvals_for(gate))
            .ok_or_else(|| refuse(ApprovalProblem::NotRequired))?;
        if self.stage().next().and_then(Stage::entry_gate) != Some(gate) {
            return Err(refuse(ApprovalProblem::NotNext { stage: self.stage() }).into());
        }
        if !rule.roles().contains(event.by.role()) {
            return Err(refuse(ApprovalProblem::WrongRole {
                role: event.by.role().clone(),
                roles: rule.roles().to_vec(),
            })
            .into());
        }
        match self.conflict_of(&event.by) {
            Some(Conflict::PlannedIt) => return Err(refuse(ApprovalProblem::PlannedIt).into()),
            Some(Conflict::Authored(change)) => {
                return Err(refuse(ApprovalProblem::AuthoredChange { change }).into());
            }
            None => {}
        }
        if let Some(earlier) =
            self.approvals.iter().find(|approval| approval.gate == gate && approval.by.id() == event.by.id())
        {
            return Err(refuse(ApprovalProblem::AlreadyApproved { at: earlier.at }).into());
        }
        let open: Vec<_> = self.open_items(gate).map(|item| item.id().clone()).collect();
        if !open.is_empty() {
            return Err(refuse(ApprovalProblem::ItemsOpen { items: open }).into());
        }
        Ok(Effect::Approve(Approval { gate, by: event.by.clone(), at: event.at }))
    }

    /// Why segregation of duties keeps `by` from approving this release:
    /// they planned it, or wrote one of its changes.
    pub(super) fn conflict_of(&self, by: &Actor) -> Option<Conflict> {
        if self.plan().release_manager().id() == by.id() {
            return Some(Conflict::PlannedIt);
        }
        self.changes()
            .find(|change| change.author() == Some(by.id()))
            .map(|change| Conflict::Authored(change.id().to_owned()))
    }

    pub(super) fn check_override(&self, window: &str, reason: &str) -> Result<Effect, ReleaseError> {
        let refuse = |problem: OverrideProblem| ReleaseError::InvalidOverride {
            window: crate::text::shorten(window),
            problem,
        };
        if self.stage() > Stage::Frozen {
            return Err(refuse(OverrideProblem::TooLate { stage: self.stage() }));
        }
        let Some(found) = self.template().policy().and_then(|policy| policy.window(window)) else {
            let known: Vec<String> =
                self.change_windows().map(|window| format!("\"{}\"", window.name())).collect();
            return Err(refuse(OverrideProblem::UnknownWindow { known }));
        };
        if !found.applies_to(self.service(), self.kind()) {
            return Err(refuse(OverrideProblem::DoesNotApply));
        }
        if self.more.overrides.iter().any(|name| name == window) {
            return Err(refuse(OverrideProblem::AlreadyOverridden));
        }
        check_reason("reason for overriding the window", reason)?;
        Ok(Effect::Override { window: window.to_owned() })
    }

    /// Drops the approvals an accepted event makes stale.
    pub(super) fn lapse_approvals(&mut self, what: &EventKind) {
        match what {
            EventKind::ItemReopened { item, .. } => {
                if let Some(gate) = self.template().item(item.as_str()).map(crate::checklist::Item::gate) {
                    self.approvals.retain(|approval| approval.gate != gate);
                }
            }
            EventKind::ChangeAdded { .. } => self.approvals.clear(),
            EventKind::RiskAccepted { .. } => {
                self.approvals.retain(|approval| approval.gate != Gate::Release)
            }
            _ => {}
        }
    }
}
