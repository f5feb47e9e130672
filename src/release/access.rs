//! What governance refuses: someone off the roster, a role not held, an
//! action the policy does not grant, an approval segregation of duties
//! forbids; and what a gate still needs approved.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::action::NextAction;
use crate::actor::{Actor, PersonId, Role};
use crate::checklist::ItemId;
use crate::policy::Action;
use crate::stage::{Gate, Stage};

/// An event refused because of who acts, under a checklist with a
/// [`Policy`](crate::policy::Policy): the person is not on the release's
/// [`Roster`](crate::roster::Roster), claims a role or name it does not give them,
/// or acts in a role the policy does not let do it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// Someone whose id is not on the roster.
    #[error(
        "{name} [{person}] is not on this release's roster, so may not act on it: the roster lists {roster}; {}",
        NextAction::ActAsPermittedRole.describe()
    )]
    NotOnRoster {
        /// The id given.
        person: PersonId,
        /// The name given.
        name: String,
        /// Who is on the roster, in words.
        roster: String,
    },

    /// An id the roster knows under another name.
    #[error(
        "{person} is on the roster as \"{rostered}\", not \"{claimed}\": one person acts under one id and the name \
         the roster gives it"
    )]
    NameMismatch {
        /// The id.
        person: PersonId,
        /// The name the event claims.
        claimed: String,
        /// The name on the roster.
        rostered: String,
    },

    /// A role the roster does not give the person.
    #[error(
        "{name} [{person}] does not hold the role {role} on this release (the roster gives them {held}): {}",
        NextAction::ActAsPermittedRole.describe()
    )]
    RoleNotHeld {
        /// The person.
        person: PersonId,
        /// Their name.
        name: String,
        /// The role claimed.
        role: Role,
        /// The roles they hold, in words.
        held: String,
    },

    /// An action the policy does not grant to the actor's role.
    #[error("{}", not_permitted_message(actor, *action, target, allowed))]
    NotPermitted {
        /// Who tried.
        actor: Actor,
        /// What they tried.
        action: Action,
        /// What they tried it on, in words: an item, a gate, or the release.
        target: String,
        /// The roles that may.
        allowed: Vec<Role>,
    },

    /// An approval refused: not asked for, not the approver's to give, or
    /// forbidden by segregation of duties.
    #[error("{}", approval_message(person, name, *gate, problem))]
    Approval {
        /// Who tried.
        person: PersonId,
        /// Their name.
        name: String,
        /// The gate.
        gate: Gate,
        /// Why not.
        problem: ApprovalProblem,
    },
}

fn not_permitted_message(actor: &Actor, action: Action, target: &str, allowed: &[Role]) -> String {
    let who = if allowed.is_empty() {
        "nobody may".to_owned()
    } else {
        let roles: Vec<&str> = allowed.iter().map(Role::as_str).collect();
        format!("the policy lets {} do that", roles.join(" or "))
    };
    format!(
        "{actor} may not {} {target}: {who}; {}",
        action.verb(),
        NextAction::ActAsPermittedRole.describe()
    )
}

impl AccessError {
    /// What clears the refusal, as data: the same as the message says.
    pub fn next_actions(&self) -> Vec<NextAction> {
        match self {
            AccessError::NotOnRoster { .. }
            | AccessError::RoleNotHeld { .. }
            | AccessError::NotPermitted { .. } => {
                vec![NextAction::ActAsPermittedRole]
            }
            // The call names the person wrongly: correct it.
            AccessError::NameMismatch { .. } => Vec::new(),
            AccessError::Approval { gate, problem, .. } => match problem {
                ApprovalProblem::NotRequired => vec![NextAction::Advance],
                ApprovalProblem::NotNext { stage } => match stage_passing(*gate) {
                    Some(at) if *stage < at => vec![NextAction::Advance],
                    _ => Vec::new(),
                },
                ApprovalProblem::WrongRole { .. }
                | ApprovalProblem::PlannedIt
                | ApprovalProblem::AuthoredChange { .. }
                | ApprovalProblem::AlreadyApproved { .. } => vec![NextAction::GetApproval],
                ApprovalProblem::ItemsOpen { .. } => vec![NextAction::SettleItems],
            },
        }
    }
}

/// The stage a release is in when `gate` is the next one it passes.
fn stage_passing(gate: Gate) -> Option<Stage> {
    Stage::ALL.iter().copied().find(|stage| stage.next().and_then(Stage::entry_gate) == Some(gate))
}

fn approval_message(person: &PersonId, name: &str, gate: Gate, problem: &ApprovalProblem) -> String {
    let advice = match problem {
        ApprovalProblem::NotRequired => format!(": {} without one", NextAction::Advance.describe()),
        ApprovalProblem::NotNext { stage } => match stage_passing(gate) {
            Some(at) if *stage < at => {
                format!(": it can be approved once the release is {at}; {}", NextAction::Advance.describe())
            }
            _ => ": the release is past it, and there is nothing left to approve".to_owned(),
        },
        ApprovalProblem::WrongRole { .. }
        | ApprovalProblem::PlannedIt
        | ApprovalProblem::AuthoredChange { .. }
        | ApprovalProblem::AlreadyApproved { .. } => format!("; {}", NextAction::GetApproval.describe()),
        ApprovalProblem::ItemsOpen { .. } => {
            format!(": {}; then approve what is settled", NextAction::SettleItems.describe())
        }
    };
    format!("{name} [{person}] may not approve the {gate} gate: {problem}{advice}")
}

/// Why an approval is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApprovalProblem {
    /// The policy asks no approvals for the gate.
    NotRequired,
    /// The gate is not the one the release passes next.
    NotNext {
        /// The release's stage.
        stage: Stage,
    },
    /// The approver's role is not one the gate's approvals accept.
    WrongRole {
        /// The role acted in.
        role: Role,
        /// The roles that may approve.
        roles: Vec<Role>,
    },
    /// The approver planned the release.
    PlannedIt,
    /// The approver wrote a change the release ships.
    AuthoredChange {
        /// The change.
        change: String,
    },
    /// The approver already approved the gate.
    AlreadyApproved {
        /// When.
        at: DateTime<Utc>,
    },
    /// Items of the gate are still open: an approval approves a settled
    /// checklist.
    ItemsOpen {
        /// The open items.
        items: Vec<ItemId>,
    },
}

impl fmt::Display for ApprovalProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApprovalProblem::NotRequired => f.write_str("the policy asks no approvals for it"),
            ApprovalProblem::NotNext { stage } => {
                write!(f, "the release is {stage}, so that gate is not the next one it passes")
            }
            ApprovalProblem::WrongRole { role, roles } => {
                let roles: Vec<&str> = roles.iter().map(Role::as_str).collect();
                write!(f, "approvals come from {}, and they act as {role}", roles.join(" or "))
            }
            ApprovalProblem::PlannedIt => f.write_str(
                "they planned the release, and segregation of duties asks someone else to approve it",
            ),
            ApprovalProblem::AuthoredChange { change } => write!(
                f,
                "they wrote change {change}, which the release ships, and segregation of duties asks someone else \
                 to approve it"
            ),
            ApprovalProblem::AlreadyApproved { at } => {
                write!(f, "they approved it at {at} already; approvals count distinct people")
            }
            ApprovalProblem::ItemsOpen { items } => {
                let items: Vec<&str> = items.iter().map(ItemId::as_str).collect();
                write!(f, "its items {} are open", items.join(", "))
            }
        }
    }
}

/// One approval of a gate, as the release holds it until it lapses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Approval {
    /// The gate approved.
    pub gate: Gate,
    /// Who approved, in the role they approved in.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
}

/// The approvals a gate still needs before a release may pass it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApprovalsNeeded {
    /// The gate.
    pub gate: Gate,
    /// How many distinct people must approve.
    pub needed: u32,
    /// The roles an approver may hold.
    pub roles: Vec<Role>,
    /// The approvals given and not lapsed.
    pub given: Vec<Approval>,
    /// Who on the roster now may give one of the missing approvals: they
    /// hold an accepted role, neither planned the release nor wrote one of
    /// its changes, and have not approved the gate yet. Empty when nobody
    /// may: someone must be added to the roster first.
    #[serde(default)]
    pub approvers: Vec<PersonId>,
}

impl ApprovalsNeeded {
    /// What gets the approvals: asking one of [`approvers`](Self::approvers),
    /// or, with nobody on the roster who may approve, staffing one.
    pub fn next_action(&self) -> NextAction {
        if self.approvers.is_empty() { NextAction::StaffApprover } else { NextAction::GetApproval }
    }

    /// How many more approvals the gate needs.
    pub fn missing(&self) -> usize {
        (self.needed as usize).saturating_sub(self.given.len())
    }
}

impl fmt::Display for ApprovalsNeeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let roles: Vec<&str> = self.roles.iter().map(Role::as_str).collect();
        write!(
            f,
            "{} more {} from {} (has {} of {})",
            self.missing(),
            if self.missing() == 1 { "approval" } else { "approvals" },
            roles.join(" or "),
            self.given.len(),
            self.needed
        )?;
        if !self.given.is_empty() {
            let names: Vec<&str> = self.given.iter().map(|approval| approval.by.name()).collect();
            write!(f, ": approved by {}", names.join(", "))?;
        }
        if self.approvers.is_empty() {
            f.write_str("; nobody on the roster may give it")
        } else {
            let ids: Vec<&str> = self.approvers.iter().map(PersonId::as_str).collect();
            write!(f, "; {} may", ids.join(" or "))
        }
    }
}
