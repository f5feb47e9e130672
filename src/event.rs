//! The audit log: every change to a release is an event.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Actor, Change, ItemId, ReleasePlan, Stage};

/// One entry of a release's audit log: what happened, who did it, when.
///
/// A [`Release`](crate::Release) is the fold of its events: its stage, item
/// statuses and changes are exactly what its log says, and every operation
/// that changes a release appends one event. An operation that is refused
/// appends nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub by: Actor,
    /// What happened.
    pub what: EventKind,
}

/// What an [`Event`] records.
///
/// Serialized with a `type` tag in snake case (`"item_completed"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The release was planned; always the first event, and only there.
    Planned {
        /// Everything it was planned with.
        plan: Arc<ReleasePlan>,
    },
    /// A change was added to the release while it was planned.
    ChangeAdded {
        /// The change.
        change: Change,
    },
    /// A checklist item was done.
    ItemCompleted {
        /// The item.
        item: ItemId,
    },
    /// An if-applicable item was ruled out.
    ItemNotApplicable {
        /// The item.
        item: ItemId,
        /// Why it does not apply.
        reason: String,
    },
    /// A required item was waived.
    ItemWaived {
        /// The item.
        item: ItemId,
        /// Why it was let go.
        reason: String,
    },
    /// A settled item was opened again.
    ItemReopened {
        /// The item.
        item: ItemId,
        /// Why.
        reason: String,
    },
    /// The release moved forward.
    Advanced {
        /// The stage it left.
        from: Stage,
        /// The stage it entered.
        to: Stage,
    },
    /// The release was rolled back.
    RolledBack {
        /// The stage it left.
        from: Stage,
        /// Why.
        reason: RollbackReason,
    },
}

/// Why a release was rolled back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RollbackReason {
    /// A person decided, and said why.
    Decision {
        /// The decision's reason, in the decider's words.
        why: String,
    },
}

impl fmt::Display for RollbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollbackReason::Decision { why } => write!(f, "decided: {why}"),
        }
    }
}

impl fmt::Display for Event {
    /// One line of the audit trail: when, who, what.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {}  {}", self.at.format("%Y-%m-%d %H:%M:%S UTC"), self.by, self.what)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Planned { plan } => write!(
                f,
                "planned {} release {} for {} with \"{}\"",
                plan.kind(),
                plan.version(),
                plan.target_date(),
                plan.template().name()
            ),
            EventKind::ChangeAdded { change } => write!(f, "added change {}", change.id()),
            EventKind::ItemCompleted { item } => write!(f, "completed {item}"),
            EventKind::ItemNotApplicable { item, reason } => {
                write!(f, "marked {item} not applicable: {reason}")
            }
            EventKind::ItemWaived { item, reason } => write!(f, "waived {item}: {reason}"),
            EventKind::ItemReopened { item, reason } => write!(f, "reopened {item}: {reason}"),
            EventKind::Advanced { from, to } => write!(f, "moved the release from {from} to {to}"),
            EventKind::RolledBack { from, reason } => {
                write!(f, "rolled the release back from {from} ({reason})")
            }
        }
    }
}
