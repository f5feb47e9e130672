//! What the policy layer refuses: rules that name what does not exist,
//! contradict themselves, or leave work nobody may do.

use crate::actor::Role;
use crate::policy::ChangeType;
use crate::stage::Gate;
use crate::text::TextError;

/// A policy the crate refuses, naming the role, grant, gate, item or window
/// at fault.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A role used by a grant or an approval rule but not declared.
    #[error(
        "{used_by} names role `{role}`, which the policy does not declare, so nobody can hold it: declare it, \
         or use one of {declared}"
    )]
    UndeclaredRole {
        /// The role.
        role: Role,
        /// Where it is used.
        used_by: String,
        /// The declared roles.
        declared: String,
    },

    /// A grant whose scope does not fit its action, or that names no role.
    #[error("the grant of {grant} {problem}")]
    InvalidScope {
        /// The grant, in words.
        grant: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A grant naming an item or section the checklist does not have.
    #[error("the grant of {grant} {problem}")]
    UnknownTarget {
        /// The grant, in words.
        grant: String,
        /// What it names that is missing.
        problem: String,
    },

    /// An item that no role may complete, nor waive or rule out.
    #[error(
        "no role may settle checklist item `{item}`: grant complete (or waive, or mark-not-applicable) on it to \
         some role"
    )]
    Unsettleable {
        /// The item.
        item: String,
    },

    /// A gate with items or approvals that no role may move a release
    /// through.
    #[error("no role may advance a release through the {gate} gate: grant advance to some role")]
    Impassable {
        /// The gate.
        gate: Gate,
    },

    /// An approval rule that cannot be met or is given twice.
    #[error("the approvals of the {gate} gate {problem}")]
    InvalidApprovals {
        /// The gate.
        gate: Gate,
        /// What is wrong.
        problem: String,
    },

    /// A change window that is malformed or named twice.
    #[error("change window \"{window}\" {problem}")]
    InvalidWindow {
        /// The window's name.
        window: String,
        /// What is wrong.
        problem: String,
    },

    /// A change type declared wrongly: a standard change that skips
    /// nothing, an emergency change owing no review, an item it names that
    /// the checklist lacks.
    #[error("the policy's rule for {change_type} changes {problem}")]
    InvalidChangeType {
        /// The change type.
        change_type: ChangeType,
        /// What is wrong.
        problem: String,
    },

    /// A role description that breaks the text rules.
    #[error("the description of role `{role}`: {source}")]
    Text {
        /// The role.
        role: Role,
        /// The text rule it breaks.
        source: TextError,
    },
}
