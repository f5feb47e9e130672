//! What the change-type rules refuse: a type the policy does not declare,
//! a deferral it does not allow, a review not the reviewer's to give, and
//! a deployment while another release of the service is in flight.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::action::NextAction;
use crate::actor::{PersonId, Role};
use crate::checklist::ItemId;
use crate::policy::ChangeType;
use crate::stage::{Gate, Stage};
use crate::version::Version;

/// A refusal of the change-type rules (see
/// [`ChangeType`]): reclassifying a release, deferring work of an
/// emergency change, approving its review, or deploying beside another
/// release of the same service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// A type the checklist's policy does not declare.
    #[error(
        "the checklist's policy does not declare {change_type} changes, so the release cannot be one: keep it \
         {current}, or declare {change_type} changes in the policy"
    )]
    NotDeclared {
        /// The type asked for.
        change_type: ChangeType,
        /// The type it is.
        current: ChangeType,
    },

    /// A release the policy's standard-change rule does not make eligible.
    #[error("the release cannot be a standard change: {why}")]
    NotEligible {
        /// Why not, in the rule's words.
        why: String,
    },

    /// A change of type to the type the release has.
    #[error("the release is a {change_type} change already")]
    Unchanged {
        /// Its type.
        change_type: ChangeType,
    },

    /// An emergency change that deferred work, asked to become another
    /// type: what it deferred is owed whatever its type.
    #[error(
        "the release deferred {} as an emergency change, and stays one: what it deferred is owed",
        deferred.join(", ")
    )]
    DeferredWork {
        /// What it deferred, in words.
        deferred: Vec<String>,
    },

    /// A change of type, a deferral or a parallel deployment asked for
    /// once the release has started to deploy.
    #[error("{what} only before the release deploys; it is {stage}")]
    TooLate {
        /// What was asked, in words: "a release changes type".
        what: &'static str,
        /// The stage it is in.
        stage: Stage,
    },

    /// A deferral or a review of a release that is not an emergency change.
    #[error("only an emergency change {what}; this release is a {change_type} change")]
    NotEmergency {
        /// What was asked, in words: "defers work".
        what: &'static str,
        /// The release's type.
        change_type: ChangeType,
    },

    /// Something the policy does not let an emergency change defer.
    #[error(
        "the policy does not let an emergency change defer {what}; it may defer {}",
        or_nothing(deferrable)
    )]
    NotDeferrable {
        /// What was asked, in words.
        what: String,
        /// What may be deferred, in words.
        deferrable: Vec<String>,
    },

    /// A deferral of approvals a gate does not need.
    #[error("the {gate} gate needs no approvals, so there are none to defer")]
    NoApprovalsToDefer {
        /// The gate.
        gate: Gate,
    },

    /// A deferral of approvals deferred already.
    #[error("the approvals of the {gate} gate are deferred already")]
    AlreadyDeferred {
        /// The gate.
        gate: Gate,
    },

    /// A review approval refused.
    #[error("{name} [{person}] cannot approve the review of this emergency change: {problem}")]
    Review {
        /// Who tried.
        person: PersonId,
        /// Their name.
        name: String,
        /// Why not.
        problem: ReviewProblem,
    },

    /// An item an emergency change owes done, waived or ruled out.
    #[error(
        "an emergency change owes `{item}` done as its review, so it cannot be waived or ruled out: {}",
        NextAction::SettleWhatIsOwed.describe()
    )]
    ReviewItemOwed {
        /// The item.
        item: ItemId,
    },

    /// A move into `Deploying` while another release of the service is in
    /// flight.
    #[error("{}", in_flight_message(service, version, *stage, allowers))]
    ServiceInFlight {
        /// The service.
        service: String,
        /// The version of the release in flight.
        version: Version,
        /// Its stage: deploying or verifying.
        stage: Stage,
        /// The roles that may allow a parallel deployment.
        allowers: Vec<Role>,
    },

    /// A parallel deployment allowed twice.
    #[error("a parallel deployment is allowed for this release already")]
    ParallelAlreadyAllowed,

    /// A parallel deployment of a release that names no service.
    #[error("the release names no service, so no other release can hold its service")]
    NoService,
}

/// Why a review approval is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReviewProblem {
    /// The release has not started to deploy: there is nothing to review
    /// yet.
    NotYet {
        /// Its stage.
        stage: Stage,
    },
    /// The approver does not hold a role the review accepts.
    WrongRole {
        /// The role they acted in.
        role: Role,
        /// The roles the review accepts.
        roles: Vec<Role>,
    },
    /// The approver planned the release.
    PlannedIt,
    /// The approver wrote one of its changes.
    AuthoredChange {
        /// The change.
        change: String,
    },
    /// The approver approved the review already.
    AlreadyApproved,
    /// Every review approval it owes is given.
    NothingOwed,
}

impl fmt::Display for ReviewProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewProblem::NotYet { stage } => {
                write!(f, "it is {stage}, and is reviewed once it has started to deploy")
            }
            ReviewProblem::WrongRole { role, roles } => {
                let roles: Vec<&str> = roles.iter().map(Role::as_str).collect();
                write!(
                    f,
                    "they act as {role}, and the review takes {}; {}",
                    roles.join(" or "),
                    NextAction::GetReview.describe()
                )
            }
            ReviewProblem::PlannedIt => {
                write!(f, "they planned the release; {}", NextAction::GetReview.describe())
            }
            ReviewProblem::AuthoredChange { change } => {
                write!(f, "they wrote change {change}; {}", NextAction::GetReview.describe())
            }
            ReviewProblem::AlreadyApproved => {
                write!(f, "they approved it already; {}", NextAction::GetReview.describe())
            }
            ReviewProblem::NothingOwed => f.write_str("every review approval it owes is given"),
        }
    }
}

fn or_nothing(items: &[String]) -> String {
    if items.is_empty() { "nothing".to_owned() } else { items.join(", ") }
}

fn in_flight_message(service: &str, version: &Version, stage: Stage, allowers: &[Role]) -> String {
    let who = if allowers.is_empty() {
        "nobody may allow a parallel deployment".to_owned()
    } else {
        let roles: Vec<&str> = allowers.iter().map(Role::as_str).collect();
        format!("{} may allow a parallel deployment", roles.join(" or "))
    };
    format!(
        "release {version} of {service} is {stage}: one release of a service is in flight at a time ({who}); {}",
        NextAction::WaitOrDeployInParallel.describe()
    )
}

impl ChangeError {
    /// What clears the refusal, as data: the same as the message says.
    pub fn next_actions(&self) -> Vec<NextAction> {
        match self {
            ChangeError::Review { problem, .. } => match problem {
                ReviewProblem::WrongRole { .. }
                | ReviewProblem::PlannedIt
                | ReviewProblem::AuthoredChange { .. }
                | ReviewProblem::AlreadyApproved => vec![NextAction::GetReview],
                ReviewProblem::NotYet { .. } | ReviewProblem::NothingOwed => Vec::new(),
            },
            ChangeError::ReviewItemOwed { .. } => vec![NextAction::SettleWhatIsOwed],
            ChangeError::ServiceInFlight { .. } => vec![NextAction::WaitOrDeployInParallel],
            // The rest are corrected in the call or the policy; the
            // messages say how.
            ChangeError::NotDeclared { .. }
            | ChangeError::NotEligible { .. }
            | ChangeError::Unchanged { .. }
            | ChangeError::DeferredWork { .. }
            | ChangeError::TooLate { .. }
            | ChangeError::NotEmergency { .. }
            | ChangeError::NotDeferrable { .. }
            | ChangeError::NoApprovalsToDefer { .. }
            | ChangeError::AlreadyDeferred { .. }
            | ChangeError::ParallelAlreadyAllowed
            | ChangeError::NoService => Vec::new(),
        }
    }
}
