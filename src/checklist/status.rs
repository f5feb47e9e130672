//! Where one checklist item of a release stands.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;

/// Where one item of a release's checklist stands, and who put it there.
///
/// Every status but `Open` settles the item for its gate. The release keeps
/// the rules: only an [`IfApplicable`](crate::checklist::Requirement::IfApplicable)
/// item can be `NotApplicable`, only a
/// [`Required`](crate::checklist::Requirement::Required) one can be `Waived`, and both
/// need a reason. A `Deferred` item (an emergency change's) lets its gate
/// pass but is owed: it is never done until it is completed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ItemStatus {
    /// Not settled yet.
    #[default]
    Open,
    /// Done.
    Done {
        /// Who did it.
        by: Actor,
        /// When.
        at: DateTime<Utc>,
    },
    /// Ruled out for this release.
    NotApplicable {
        /// Why it does not apply.
        reason: String,
        /// Who ruled it out.
        by: Actor,
        /// When.
        at: DateTime<Utc>,
    },
    /// A required item let go for this release.
    Waived {
        /// Why it was let go.
        reason: String,
        /// Who took the responsibility.
        by: Actor,
        /// When.
        at: DateTime<Utc>,
    },
    /// Put off by an emergency change: its gate may pass, and the release
    /// owes it done before it closes.
    Deferred {
        /// Why it was put off.
        reason: String,
        /// Who deferred it.
        by: Actor,
        /// When.
        at: DateTime<Utc>,
    },
}

impl ItemStatus {
    /// Whether the item no longer blocks its gate: every status but open.
    /// A deferred item is settled for its gate, and still owed.
    pub fn is_settled(&self) -> bool {
        !matches!(self, ItemStatus::Open)
    }

    /// Whether the item was deferred and is owed.
    pub fn is_deferred(&self) -> bool {
        matches!(self, ItemStatus::Deferred { .. })
    }

    /// Who settled the item, unless it is open.
    pub fn settled_by(&self) -> Option<&Actor> {
        match self {
            ItemStatus::Open => None,
            ItemStatus::Done { by, .. }
            | ItemStatus::NotApplicable { by, .. }
            | ItemStatus::Waived { by, .. }
            | ItemStatus::Deferred { by, .. } => Some(by),
        }
    }

    /// When the item was settled, unless it is open.
    pub fn settled_at(&self) -> Option<DateTime<Utc>> {
        match self {
            ItemStatus::Open => None,
            ItemStatus::Done { at, .. }
            | ItemStatus::NotApplicable { at, .. }
            | ItemStatus::Waived { at, .. }
            | ItemStatus::Deferred { at, .. } => Some(*at),
        }
    }

    /// The reason given, for `NotApplicable`, `Waived` and `Deferred`.
    pub fn reason(&self) -> Option<&str> {
        match self {
            ItemStatus::NotApplicable { reason, .. }
            | ItemStatus::Waived { reason, .. }
            | ItemStatus::Deferred { reason, .. } => Some(reason),
            ItemStatus::Open | ItemStatus::Done { .. } => None,
        }
    }

    /// A one-word name: `open`, `done`, `not applicable`, `waived` or
    /// `deferred`.
    pub fn label(&self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::Done { .. } => "done",
            ItemStatus::NotApplicable { .. } => "not applicable",
            ItemStatus::Waived { .. } => "waived",
            ItemStatus::Deferred { .. } => "deferred",
        }
    }
}

impl fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())?;
        if let (Some(by), Some(at)) = (self.settled_by(), self.settled_at()) {
            write!(f, " by {} at {}", by.name(), at.format("%Y-%m-%d %H:%M UTC"))?;
        }
        if let Some(reason) = self.reason() {
            write!(f, ": {reason}")?;
        }
        Ok(())
    }
}
