//! Change types on a release: reclassifying it, what an emergency change
//! defers and owes, its retrospective review, and one release of a service
//! in flight at a time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, Role};
use crate::checklist::{ItemId, ItemStatus};
use crate::event::{Event, EventKind};
use crate::policy::{Action, ChangeType, EmergencyChange, Policy};
use crate::release::apply::Effect;
use crate::release::change_error::{ChangeError, ReviewProblem};
use crate::release::govern::Conflict;
use crate::release::{Release, ReleaseError};
use crate::stage::{Gate, Stage};
use crate::text::check_reason;

/// The approvals of a gate an emergency change deferred: the gate passes
/// without them, and the release owes its review instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeferredApprovals {
    /// The gate.
    pub gate: Gate,
    /// Why.
    pub reason: String,
    /// Who deferred them.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
}

/// A retrospective approval of an emergency change's review.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReviewApproval {
    /// Who approved, in the role they approved in.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// What the review found, in the reviewer's words.
    pub summary: String,
}

/// Something an emergency change owes before it closes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "owed", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Owed {
    /// A deferred item, to complete.
    Item {
        /// The item.
        item: ItemId,
    },
    /// The review item, to complete.
    ReviewItem {
        /// The item.
        item: ItemId,
    },
    /// Review approvals still missing.
    Review {
        /// How many approvals the review needs.
        needed: u32,
        /// How many are given.
        given: u32,
        /// The roles a reviewer may hold.
        roles: Vec<Role>,
    },
}

impl std::fmt::Display for Owed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owed::Item { item } => write!(f, "deferred item `{item}` done"),
            Owed::ReviewItem { item } => write!(f, "review item `{item}` done"),
            Owed::Review { needed, given, roles } => {
                let roles: Vec<&str> = roles.iter().map(Role::as_str).collect();
                write!(f, "{given} of {needed} review approvals, from {}", roles.join(" or "))
            }
        }
    }
}

impl Release {
    // ----- recording ------------------------------------------------------

    /// Changes the release's [`ChangeType`] before it deploys, saying why:
    /// a hotfix planned as normal becomes an emergency, a standard change
    /// that grew becomes normal. The policy must declare the type, and a
    /// standard change's rule must make the release eligible.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Change`] with [`ChangeError::TooLate`] once the
    /// release deploys, [`ChangeError::NotDeclared`],
    /// [`ChangeError::NotEligible`], [`ChangeError::Unchanged`], or
    /// [`ChangeError::DeferredWork`] for an emergency change that deferred
    /// something; [`ReleaseError::Text`] for an empty reason;
    /// [`ReleaseError::Access`] when `by` may not change the type.
    pub fn reclassify(
        &mut self,
        to: ChangeType,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::ChangeTypeChanged { to, reason: reason.into() })
    }

    /// Defers an item of an emergency change, saying why: its gate may
    /// pass, and the release owes it done before it closes. The policy
    /// must list the item as deferrable.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Change`] with [`ChangeError::NotEmergency`] or
    /// [`ChangeError::NotDeferrable`]; as [`waive`](Release::waive) for an
    /// item that is unknown, settled or not workable now.
    pub fn defer_item(
        &mut self,
        item: &str,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let reason = reason.into();
        self.record_item(item, by, at, |item| EventKind::ItemDeferred { item, reason })
    }

    /// Defers the approvals `gate` needs, for an emergency change, saying
    /// why: the gate passes without them, and the release owes its review.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Change`] with [`ChangeError::NotEmergency`],
    /// [`ChangeError::NotDeferrable`], [`ChangeError::NoApprovalsToDefer`],
    /// [`ChangeError::AlreadyDeferred`] or [`ChangeError::TooLate`] for a
    /// gate passed.
    pub fn defer_approvals(
        &mut self,
        gate: Gate,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::ApprovalsDeferred { gate, reason: reason.into() })
    }

    /// Approves the review of an emergency change once it has started to
    /// deploy, with what the review found. `by` holds a role the policy's
    /// review names, and neither planned the release nor wrote one of its
    /// changes.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Change`] with [`ChangeError::NotEmergency`] or
    /// [`ChangeError::Review`] naming why; [`ReleaseError::Text`] for an
    /// empty summary.
    pub fn approve_review(
        &mut self,
        summary: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::ReviewApproved { summary: summary.into() })
    }

    /// Lets the release start deploying while another release of its
    /// service is in flight, saying why: for the rare deliberate parallel
    /// deployment. Recorded before the release deploys.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Change`] with [`ChangeError::TooLate`],
    /// [`ChangeError::NoService`] or [`ChangeError::ParallelAlreadyAllowed`];
    /// [`ReleaseError::Text`] for an empty reason; [`ReleaseError::Access`]
    /// when `by` may not.
    pub fn allow_parallel_deploy(
        &mut self,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::ParallelDeployAllowed { reason: reason.into() })
    }

    // ----- queries --------------------------------------------------------

    /// The release's change type now: as planned, or as last reclassified.
    pub fn change_type(&self) -> ChangeType {
        self.change_type
    }

    /// The approvals deferred, oldest first.
    pub fn deferred_approvals(&self) -> &[DeferredApprovals] {
        &self.more.deferred_approvals
    }

    /// The review approvals given, oldest first.
    pub fn review_approvals(&self) -> &[ReviewApproval] {
        &self.more.reviews
    }

    /// Whether a parallel deployment was allowed.
    pub fn parallel_deploy_allowed(&self) -> bool {
        self.more.parallel_allowed
    }

    /// Whether the release is in flight: deploying or verifying. One
    /// release of a service is in flight at a time.
    pub fn is_in_flight(&self) -> bool {
        matches!(self.stage(), Stage::Deploying | Stage::Verifying)
    }

    /// What an emergency change owes before it closes, once it has started
    /// to deploy: its review approvals; and once released, its deferred
    /// items and its review item done. Empty for other types, and when
    /// everything is settled.
    pub fn owed(&self) -> Vec<Owed> {
        let Some(rule) = self.emergency_rule() else {
            return Vec::new();
        };
        if self.entered_at(Stage::Deploying).is_none() {
            return Vec::new();
        }
        let mut owed = Vec::new();
        if self.stage() != Stage::RolledBack {
            for (item, status) in self.items() {
                if status.is_deferred() {
                    owed.push(Owed::Item { item: item.id().clone() });
                }
            }
        }
        if self.stage() == Stage::Released
            && let Some(item) = rule.review_item()
            && !matches!(self.item_status(item.as_str()), Some(ItemStatus::Done { .. }))
        {
            owed.push(Owed::ReviewItem { item: item.clone() });
        }
        let given = u32::try_from(self.more.reviews.len()).unwrap_or(u32::MAX);
        if given < rule.review_count() {
            owed.push(Owed::Review {
                needed: rule.review_count(),
                given,
                roles: rule.review_roles().to_vec(),
            });
        }
        owed
    }

    /// When what an emergency change owes falls due: its policy's review
    /// deadline after it started to deploy. `None` for other types and
    /// before it deploys.
    pub fn review_due(&self) -> Option<DateTime<Utc>> {
        let rule = self.emergency_rule()?;
        self.entered_at(Stage::Deploying)?.checked_add_signed(rule.review_deadline())
    }

    /// Whether the release owes something past its deadline at `at`.
    pub fn is_overdue(&self, at: DateTime<Utc>) -> bool {
        self.review_due().is_some_and(|due| at > due) && !self.owed().is_empty()
    }

    /// Checks that the release may start deploying beside `others`,
    /// releases a tool supplies (the stores check their own): no other
    /// release of its service is deploying or verifying, unless a parallel
    /// deployment was allowed. The release itself among `others` (known
    /// by its planning event) is skipped.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Change`] with [`ChangeError::ServiceInFlight`]
    /// naming the release in flight and its stage.
    pub fn check_in_flight<'a>(
        &self,
        others: impl IntoIterator<Item = &'a Release>,
    ) -> Result<(), ReleaseError> {
        let Some(service) = self.service().filter(|_| !self.more.parallel_allowed) else {
            return Ok(());
        };
        let holder = others.into_iter().find(|other| {
            other.is_in_flight()
                && other.service() == Some(service)
                && other.events().first() != self.events().first()
        });
        match holder {
            Some(other) => Err(self.service_held_by(other.version(), other.stage())),
            None => Ok(()),
        }
    }

    /// The refusal of a move into `Deploying` while release `version` of
    /// the service is in `stage`.
    pub(crate) fn service_held_by(&self, version: &crate::version::Version, stage: Stage) -> ReleaseError {
        ChangeError::ServiceInFlight {
            service: self.service().unwrap_or_default().to_owned(),
            version: version.clone(),
            stage,
            allowers: self.roles_for(Action::DeployInParallel),
        }
        .into()
    }

    // ----- rules ----------------------------------------------------------

    fn emergency_rule(&self) -> Option<&EmergencyChange> {
        (self.change_type == ChangeType::Emergency).then(|| self.template().policy()?.emergency_changes())?
    }

    /// Whether the gate's approvals are skipped: a standard change's rule
    /// skips them, or an emergency change deferred them.
    pub(super) fn skips_approvals(&self, gate: Gate) -> bool {
        match self.change_type {
            ChangeType::Standard => self
                .template()
                .policy()
                .and_then(Policy::standard_changes)
                .is_some_and(|rule| rule.skips_approvals_of(gate)),
            ChangeType::Emergency => {
                self.more.deferred_approvals.iter().any(|deferred| deferred.gate == gate)
            }
            _ => false,
        }
    }

    /// Whether an emergency change deploys whatever the windows say.
    pub(super) fn skips_windows(&self) -> bool {
        self.emergency_rule().is_some_and(EmergencyChange::skips_windows)
    }

    /// The review item an emergency change owes, if `item` is it.
    pub(super) fn check_not_review_item(&self, item: &ItemId) -> Result<(), ReleaseError> {
        match self.emergency_rule().and_then(EmergencyChange::review_item) {
            Some(review) if review == item => Err(ChangeError::ReviewItemOwed { item: item.clone() }.into()),
            _ => Ok(()),
        }
    }

    /// Checks that a standard change stays eligible with `changes` changes.
    pub(super) fn check_standard_with(&self, changes: usize) -> Result<(), ReleaseError> {
        if self.change_type != ChangeType::Standard {
            return Ok(());
        }
        match self.template().policy().and_then(Policy::standard_changes) {
            Some(rule) => match rule.ineligibility(self.kind(), changes) {
                Some(why) => Err(ChangeError::NotEligible { why }.into()),
                None => Ok(()),
            },
            None => Ok(()),
        }
    }

    pub(super) fn check_reclassify(&self, to: ChangeType, reason: &str) -> Result<Effect, ReleaseError> {
        if self.stage() > Stage::Frozen {
            return Err(ChangeError::TooLate { what: "a release changes type", stage: self.stage() }.into());
        }
        if to == self.change_type {
            return Err(ChangeError::Unchanged { change_type: to }.into());
        }
        if !self.template().policy().is_some_and(|policy| policy.declares_change_type(to)) {
            return Err(ChangeError::NotDeclared { change_type: to, current: self.change_type }.into());
        }
        let mut deferred: Vec<String> = self
            .items()
            .filter(|(_, status)| status.is_deferred())
            .map(|(item, _)| format!("`{}`", item.id()))
            .collect();
        deferred.extend(
            self.more.deferred_approvals.iter().map(|d| format!("the approvals of the {} gate", d.gate)),
        );
        if !deferred.is_empty() {
            return Err(ChangeError::DeferredWork { deferred }.into());
        }
        if to == ChangeType::Standard
            && let Some(why) = self
                .template()
                .policy()
                .and_then(Policy::standard_changes)
                .and_then(|rule| rule.ineligibility(self.kind(), self.changes().count()))
        {
            return Err(ChangeError::NotEligible { why }.into());
        }
        check_reason("reason for the change of type", reason)?;
        Ok(Effect::ChangeType(to))
    }

    pub(super) fn check_item_deferral(
        &self,
        item: &ItemId,
        reason: &str,
        event: &Event,
    ) -> Result<Effect, ReleaseError> {
        let rule = self.emergency_rule_for("defers work")?;
        if !rule.defers_item(item) {
            return Err(ChangeError::NotDeferrable {
                what: format!("`{item}`"),
                deferrable: deferrable(rule),
            }
            .into());
        }
        let (index, _) = self.open_item(item)?;
        check_reason("reason for the deferral", reason)?;
        Ok(Effect::Status {
            index,
            status: ItemStatus::Deferred { reason: reason.to_owned(), by: event.by.clone(), at: event.at },
        })
    }

    pub(super) fn check_approvals_deferral(
        &self,
        gate: Gate,
        reason: &str,
        event: &Event,
    ) -> Result<Effect, ReleaseError> {
        let rule = self.emergency_rule_for("defers work")?;
        if !rule.defers_approvals_of(gate) {
            return Err(ChangeError::NotDeferrable {
                what: format!("the approvals of the {gate} gate"),
                deferrable: deferrable(rule),
            }
            .into());
        }
        if gate.exit_stage().is_none_or(|exit| exit <= self.stage()) {
            return Err(ChangeError::TooLate { what: "approvals are deferred", stage: self.stage() }.into());
        }
        if self.template().policy().and_then(|policy| policy.approvals_for(gate)).is_none() {
            return Err(ChangeError::NoApprovalsToDefer { gate }.into());
        }
        if self.more.deferred_approvals.iter().any(|deferred| deferred.gate == gate) {
            return Err(ChangeError::AlreadyDeferred { gate }.into());
        }
        check_reason("reason for the deferral", reason)?;
        Ok(Effect::DeferApprovals(DeferredApprovals {
            gate,
            reason: reason.to_owned(),
            by: event.by.clone(),
            at: event.at,
        }))
    }

    pub(super) fn check_review(&self, summary: &str, event: &Event) -> Result<Effect, ReleaseError> {
        let rule = self.emergency_rule_for("is reviewed afterwards")?;
        let refuse = |problem: ReviewProblem| -> ReleaseError {
            ChangeError::Review { person: event.by.id().clone(), name: event.by.name().to_owned(), problem }
                .into()
        };
        if self.entered_at(Stage::Deploying).is_none() {
            return Err(refuse(ReviewProblem::NotYet { stage: self.stage() }));
        }
        if u32::try_from(self.more.reviews.len()).unwrap_or(u32::MAX) >= rule.review_count() {
            return Err(refuse(ReviewProblem::NothingOwed));
        }
        if !rule.review_roles().contains(event.by.role()) {
            return Err(refuse(ReviewProblem::WrongRole {
                role: event.by.role().clone(),
                roles: rule.review_roles().to_vec(),
            }));
        }
        match self.conflict_of(&event.by) {
            Some(Conflict::PlannedIt) => return Err(refuse(ReviewProblem::PlannedIt)),
            Some(Conflict::Authored(change)) => return Err(refuse(ReviewProblem::AuthoredChange { change })),
            None => {}
        }
        if self.more.reviews.iter().any(|review| review.by.id() == event.by.id()) {
            return Err(refuse(ReviewProblem::AlreadyApproved));
        }
        check_reason("summary of the review", summary)?;
        Ok(Effect::Review(ReviewApproval { by: event.by.clone(), at: event.at, summary: summary.to_owned() }))
    }

    pub(super) fn check_parallel(&self, reason: &str) -> Result<Effect, ReleaseError> {
        if self.stage() > Stage::Frozen {
            return Err(ChangeError::TooLate {
                what: "a parallel deployment is allowed",
                stage: self.stage(),
            }
            .into());
        }
        if self.service().is_none() {
            return Err(ChangeError::NoService.into());
        }
        if self.more.parallel_allowed {
            return Err(ChangeError::ParallelAlreadyAllowed.into());
        }
        check_reason("reason for the parallel deployment", reason)?;
        Ok(Effect::AllowParallel)
    }

    fn emergency_rule_for(&self, what: &'static str) -> Result<&EmergencyChange, ReleaseError> {
        self.emergency_rule()
            .ok_or_else(|| ChangeError::NotEmergency { what, change_type: self.change_type }.into())
    }
}

/// What an emergency change may defer, in words.
fn deferrable(rule: &EmergencyChange) -> Vec<String> {
    rule.deferrable_items()
        .iter()
        .map(|item| format!("`{item}`"))
        .chain(rule.deferrable_approvals().iter().map(|gate| format!("the approvals of the {gate} gate")))
        .collect()
}
