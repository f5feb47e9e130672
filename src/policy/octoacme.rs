//! The policy the OctoAcme checklist ships with.
//!
//! Chosen as a careful release manager would sign it, for an audit that
//! asks who may change production and who approved it:
//!
//! - **The team ticks what it did, the log says who.** Release managers,
//!   developers, QA, SREs, on-call engineers and pipelines may complete any
//!   item; support and product owners only the Communication section's.
//!   Separating every item by owner would turn the checklist into
//!   paperwork, and the audit trail already names the hand.
//! - **Security is the security engineer's.** Only a security engineer (or
//!   the scanner's automation) completes "Security scans completed with no
//!   critical issues", and only a security engineer may waive it: the
//!   release manager cannot take that risk on their behalf.
//! - **Decisions stay with the release manager.** Waivers, "not
//!   applicable", risk acceptance: one accountable person, who says why.
//! - **Anyone who sees a problem can stop the line.** Every human role may
//!   reopen an item; every role may raise a flag; the on-call engineer and
//!   SREs (and automation, on tripped criteria) may roll back without
//!   waiting for the release manager.
//! - **A second person approves production.** Moving from Frozen to
//!   Deploying needs one approval by a change approver who neither planned
//!   the release nor authored a change in it (SOC 2 CC8.1, SOX change
//!   control); only a change approver may override a change window.
//! - **No windows by default.** Freezes and deployment windows depend on
//!   where a team lives and works; a team adds its own
//!   ([`Policy::windows`]).

use crate::actor::Role;
use crate::policy::{Action, Policy, Scope};
use crate::stage::Gate;

/// The item only a security engineer may complete (with the scanner) or
/// waive.
const SECURITY_SCAN: &str = "testing.security-scans-clean";

#[allow(clippy::expect_used, reason = "a constant, checked by the unit tests; no caller input reaches it")]
pub(super) fn policy() -> Policy {
    let doers = [
        Role::RELEASE_MANAGER,
        Role::DEVELOPER,
        Role::QA_ENGINEER,
        Role::SRE,
        Role::ON_CALL_ENGINEER,
        Role::AUTOMATION,
    ];
    let humans_who_reopen = [
        Role::RELEASE_MANAGER,
        Role::DEVELOPER,
        Role::QA_ENGINEER,
        Role::SECURITY_ENGINEER,
        Role::SRE,
        Role::ON_CALL_ENGINEER,
    ];
    let responders = [Role::RELEASE_MANAGER, Role::ON_CALL_ENGINEER, Role::SRE];
    Policy::builder()
        .role(Role::RELEASE_MANAGER, "Owns the release, its checklist and its decisions")
        .role(Role::ON_CALL_ENGINEER, "Carries the pager while the release is out")
        .role(Role::DEVELOPER, "Writes and ships the changes")
        .role(Role::QA_ENGINEER, "Tests the release")
        .role(Role::SECURITY_ENGINEER, "Reviews the release's security and owns its risk")
        .role(Role::SRE, "Runs the platform the release lands on")
        .role(Role::PRODUCT_OWNER, "Decides on scope and speaks for the business")
        .role(Role::SUPPORT, "Answers the customers the release affects")
        .role(Role::CHANGE_APPROVER, "Approves changes to production; may override change windows")
        .role(Role::AUTOMATION, "A pipeline, bot or monitor acting on its own")
        .allow(Action::Complete, Scope::Everything, doers.clone())
        .allow(
            Action::Complete,
            Scope::section("Communication"),
            [Role::RELEASE_MANAGER, Role::SUPPORT, Role::PRODUCT_OWNER],
        )
        .allow_item(Action::Complete, SECURITY_SCAN, [Role::SECURITY_ENGINEER, Role::AUTOMATION])
        .allow(Action::MarkNotApplicable, Scope::Everything, [Role::RELEASE_MANAGER])
        .allow(Action::Waive, Scope::Everything, [Role::RELEASE_MANAGER])
        .allow_item(Action::Waive, SECURITY_SCAN, [Role::SECURITY_ENGINEER])
        .allow(Action::Reopen, Scope::Everything, humans_who_reopen.clone())
        .allow(Action::AddChange, Scope::Everything, [Role::RELEASE_MANAGER, Role::DEVELOPER])
        .allow(Action::Advance, Scope::Everything, [Role::RELEASE_MANAGER, Role::AUTOMATION])
        .allow(
            Action::Observe,
            Scope::Everything,
            [Role::AUTOMATION, Role::SRE, Role::ON_CALL_ENGINEER, Role::RELEASE_MANAGER],
        )
        .allow(
            Action::RaiseFlag,
            Scope::Everything,
            humans_who_reopen.into_iter().chain([Role::SUPPORT, Role::AUTOMATION]),
        )
        .allow(Action::ClearFlag, Scope::Everything, responders.clone())
        .allow(Action::AcceptRisk, Scope::Everything, [Role::RELEASE_MANAGER])
        .allow(Action::RollBack, Scope::Everything, responders.clone().into_iter().chain([Role::AUTOMATION]))
        .allow(
            Action::OpenIncident,
            Scope::Everything,
            responders.clone().into_iter().chain([Role::SUPPORT, Role::AUTOMATION]),
        )
        .allow(Action::ResolveIncident, Scope::Everything, responders)
        .allow(Action::OverrideWindow, Scope::Everything, [Role::CHANGE_APPROVER])
        .require_approvals(Gate::Deploy, 1, [Role::CHANGE_APPROVER])
        .build()
        .expect("the built-in OctoAcme policy is valid")
}
