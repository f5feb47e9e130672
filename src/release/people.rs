//! People change during a release: someone joins, a role is handed over,
//! someone leaves. Each change is an audited event, governed by the policy
//! (who may change the roster), and every later event is checked against
//! the roster it made.

use chrono::{DateTime, Utc};

use crate::actor::{Actor, PersonId, Role};
use crate::event::{Event, EventKind};
use crate::policy::Policy;
use crate::release::apply::Effect;
use crate::release::{Release, ReleaseError};
use crate::roster::{Roster, RosterChange, RosterProblem};
use crate::stage::Stage;
use crate::text::check_reason;

impl Release {
    /// The roster in force now: the one the release was planned with, as
    /// the roster changes since have left it. Under a policy, the next
    /// event's actor is checked against it.
    pub fn roster(&self) -> &Roster {
        self.more.roster.as_ref().unwrap_or_else(|| self.plan().roster())
    }

    /// Who holds the release manager's role now (the first, if several
    /// do): the planner, or whoever it was handed to.
    pub fn release_manager(&self) -> Actor {
        self.holder_of(self.plan().release_manager())
    }

    /// Who holds the on-call engineer's role now (the first, if several
    /// do).
    pub fn on_call(&self) -> Actor {
        self.holder_of(self.plan().on_call())
    }

    /// The first person on the roster in `planned`'s role, else `planned`.
    fn holder_of(&self, planned: &Actor) -> Actor {
        self.roster()
            .holders(std::slice::from_ref(planned.role()))
            .find_map(|member| member.acting_as(planned.role()))
            .unwrap_or_else(|| planned.clone())
    }

    /// Adds `member` to the roster in their role (or gives someone on it
    /// one more role), saying why: a DBA brought in, an approver staffed
    /// after planning.
    ///
    /// Under a policy, `by` must hold a role it lets change the roster
    /// ([`Action::ChangeRoster`](crate::policy::Action::ChangeRoster); the
    /// release manager when the policy does not say), and `member`'s role
    /// must be one the policy declares.
    ///
    /// ```
    /// use release_workflow::{Actor, Gate, Release, ReleaseKind, Role, Template};
    ///
    /// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// let grace = Actor::new("grace", "Grace", Role::ON_CALL_ENGINEER)?;
    /// let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    ///     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(grace)
    ///     .template(Template::octoacme()).plan(t0)?;
    /// // Planned before anyone could approve a deployment: staff it now.
    /// let linus = Actor::new("linus", "Linus", Role::CHANGE_APPROVER)?;
    /// release.add_member(linus.clone(), "CAB delegate for this release", &ada, t0)?;
    /// assert!(release.roster().member(linus.id()).is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReleaseError::InvalidRosterChange`] naming the
    /// [`RosterProblem`]: the id on the roster under another name, the role
    /// already held, a role the policy does not declare, a rolled-back
    /// release; [`ReleaseError::Text`] for an empty reason;
    /// [`ReleaseError::Access`] when `by` may not change the roster;
    /// [`ReleaseError::TimeWentBackwards`].
    pub fn add_member(
        &mut self,
        member: Actor,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.change_roster(RosterChange::Added { member }, reason.into(), by, at)
    }

    /// Hands `to`'s role over from `from` to `to`, saying why: the on-call
    /// engineer's shift ends, the release manager goes on leave. `from`
    /// gives the role up (and leaves the roster if it was their last); the
    /// approvals they gave in it lapse.
    ///
    /// ```
    /// use release_workflow::{Actor, Release, ReleaseKind, Role};
    ///
    /// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// let grace = Actor::new("grace", "Grace", Role::ON_CALL_ENGINEER)?;
    /// let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    ///     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(grace.clone()).plan(t0)?;
    /// let alan = Actor::new("alan", "Alan", Role::ON_CALL_ENGINEER)?;
    /// release.hand_over(grace.id(), alan.clone(), "end of Grace's shift", &ada, t0)?;
    /// assert_eq!(release.on_call(), alan);
    /// assert!(release.roster().member(grace.id()).is_none(), "on call was Grace's only role");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`add_member`](Release::add_member), and
    /// [`RosterProblem::NotOnRoster`], [`RosterProblem::RoleNotHeld`] or
    /// [`RosterProblem::SamePerson`] for a `from` who cannot hand the role
    /// over.
    pub fn hand_over(
        &mut self,
        from: &PersonId,
        to: Actor,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.change_roster(RosterChange::HandedOver { from: from.clone(), to }, reason.into(), by, at)
    }

    /// Removes `person` from the roster with every role they hold, saying
    /// why. The approvals they gave lapse, and they may no longer act on
    /// the release. The last person in the release manager's or the
    /// on-call engineer's role cannot leave: hand the role over first.
    ///
    /// # Errors
    ///
    /// As [`add_member`](Release::add_member), and
    /// [`RosterProblem::NotOnRoster`] or [`RosterProblem::LastHolder`].
    pub fn remove_member(
        &mut self,
        person: &PersonId,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.change_roster(RosterChange::Removed { person: person.clone() }, reason.into(), by, at)
    }

    fn change_roster(
        &mut self,
        change: RosterChange,
        reason: String,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::RosterChanged { change: Box::new(change), reason })
    }

    /// Decides a roster change: the roster it leaves, or why not.
    pub(super) fn check_roster_change(
        &self,
        change: &RosterChange,
        reason: &str,
    ) -> Result<Effect, ReleaseError> {
        let refuse = |problem: RosterProblem| ReleaseError::InvalidRosterChange {
            change: crate::text::shorten(&change.to_string()),
            problem,
        };
        if self.stage() == Stage::RolledBack {
            return Err(refuse(RosterProblem::ReleaseOver));
        }
        let taken = match change {
            RosterChange::Added { member } => Some(member.role()),
            RosterChange::HandedOver { to, .. } => Some(to.role()),
            RosterChange::Removed { .. } => None,
        };
        if let (Some(role), Some(policy)) = (taken, self.template().policy())
            && !policy.declares(role)
        {
            return Err(refuse(RosterProblem::UndeclaredRole {
                role: role.clone(),
                declared: declared(policy),
            }));
        }
        let kept: [&Role; 2] = [self.plan().release_manager().role(), self.plan().on_call().role()];
        let roster = self.roster().changed(change, &kept).map_err(refuse)?;
        check_reason("reason for the roster change", reason)?;
        Ok(Effect::Roster(Box::new(roster)))
    }

    /// Drops the approvals whose approver no longer holds, on the roster now
    /// in force, the role they approved in.
    pub(super) fn lapse_approvals_of_the_departed(&mut self) {
        let roster = self.more.roster.as_ref().unwrap_or_else(|| self.plan.roster());
        self.approvals.retain(|approval| roster.check(&approval.by).is_ok());
    }
}

fn declared(policy: &Policy) -> String {
    policy.roles().keys().map(Role::as_str).collect::<Vec<_>>().join(", ")
}
