//! Change types: a normal change takes the full path, a standard change is
//! pre-approved, an emergency change fixes production now and owes its
//! review afterwards. A policy declares what each type may skip and owes.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use crate::actor::Role;
use crate::checklist::ItemId;
use crate::policy::error::PolicyError;
use crate::policy::rule::MAX_APPROVALS;
use crate::stage::Gate;
use crate::text::named_enum;
use crate::version::ReleaseKind;

/// What kind of change a release is, as ITIL's change models (and
/// ServiceNow's) name them. A release is planned with one; changing it is a
/// governed, audited event.
///
/// Displays, parses and is stored in kebab case (`"emergency"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ChangeType {
    /// The full path: every item, approval and window, as the checklist
    /// and its policy say.
    #[default]
    Normal,
    /// Pre-approved and low risk: skips the approvals the policy's
    /// [`StandardChange`] lists, for releases it makes eligible.
    Standard,
    /// Production needs a fix now: may defer what the policy's
    /// [`EmergencyChange`] lets it defer, and owes a review afterwards.
    Emergency,
}

named_enum!(ChangeType, "change type", {
    Normal => "normal",
    Standard => "standard",
    Emergency => "emergency",
});

impl ChangeType {
    /// Whether this is the default type, which a plan does not write.
    pub(crate) fn is_normal(&self) -> bool {
        *self == ChangeType::Normal
    }
}

/// What a [standard](ChangeType::Standard) change skips, and which releases
/// may be one: pre-approved work of a known shape.
///
/// Stored as `{"skips_approvals": ["deploy"], "kinds": ["patch"],
/// "max_changes": 3}`; `kinds` and `max_changes` may be left out (any kind,
/// any number of changes).
///
/// ```
/// use release_workflow::{Gate, ReleaseKind, policy::{Policy, StandardChange}};
///
/// let standard = StandardChange::skipping_approvals([Gate::Deploy])
///     .with_kinds([ReleaseKind::Patch])
///     .with_max_changes(3);
/// let policy = Policy::octoacme().with_standard_changes(standard)?;
/// assert!(policy.standard_changes().is_some_and(|rule| rule.skips_approvals_of(Gate::Deploy)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardChange {
    skips_approvals: Vec<Gate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kinds: Vec<ReleaseKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_changes: Option<u32>,
}

impl StandardChange {
    /// A standard change that needs no approvals at `gates`; any kind of
    /// release with any number of changes is eligible until narrowed.
    pub fn skipping_approvals(gates: impl IntoIterator<Item = Gate>) -> StandardChange {
        StandardChange { skips_approvals: gates.into_iter().collect(), kinds: Vec::new(), max_changes: None }
    }

    /// The same rule, for releases of these kinds only.
    #[must_use]
    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = ReleaseKind>) -> StandardChange {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// The same rule, for releases shipping at most `count` changes.
    #[must_use]
    pub fn with_max_changes(mut self, count: u32) -> StandardChange {
        self.max_changes = Some(count);
        self
    }

    /// The gates whose approvals a standard change skips.
    pub fn skipped_approvals(&self) -> &[Gate] {
        &self.skips_approvals
    }

    /// Whether a standard change skips the approvals of `gate`.
    pub fn skips_approvals_of(&self, gate: Gate) -> bool {
        self.skips_approvals.contains(&gate)
    }

    /// The kinds of release that may be standard; empty: every kind.
    pub fn kinds(&self) -> &[ReleaseKind] {
        &self.kinds
    }

    /// The most changes a standard release ships, if limited.
    pub fn max_changes(&self) -> Option<u32> {
        self.max_changes
    }

    /// Why a release of `kind` shipping `changes` changes is not eligible,
    /// in words ending a sentence; `None` when it is.
    pub fn ineligibility(&self, kind: ReleaseKind, changes: usize) -> Option<String> {
        if !self.kinds.is_empty() && !self.kinds.contains(&kind) {
            let kinds: Vec<&str> = self.kinds.iter().map(|kind| kind.as_str()).collect();
            return Some(format!(
                "a {kind} release is not one; the policy makes {} releases standard",
                kinds.join(" and ")
            ));
        }
        match self.max_changes {
            Some(max) if changes > max as usize => {
                Some(format!("it ships {changes} changes; a standard change ships at most {max}"))
            }
            _ => None,
        }
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let problem =
            |problem: String| PolicyError::InvalidChangeType { change_type: ChangeType::Standard, problem };
        if self.skips_approvals.is_empty() {
            return Err(problem("skips no approvals: name the gates whose approvals it skips".into()));
        }
        if let Some(gate) = self.skips_approvals.iter().find(|gate| gate.exit_stage().is_none()) {
            return Err(problem(format!(
                "skips the approvals of the {gate} gate, which no move passes through"
            )));
        }
        Ok(())
    }
}

/// The longest an emergency change may take to settle what it owes.
pub const MAX_REVIEW_DEADLINE: TimeDelta = TimeDelta::days(90);

/// What an [emergency](ChangeType::Emergency) change may defer, and what it
/// owes afterwards.
///
/// It may defer the approvals of named gates before it deploys, deploy
/// through change windows, and defer the checklist items the policy marks
/// deferrable. A deferral is recorded as such, with who made it and why,
/// never as done. Afterwards the release owes: `count` retrospective
/// approvals from people holding one of the review's roles (neither its
/// planner nor an author of its changes), every deferred item completed,
/// and the review item completed (it cannot be waived or ruled out), all
/// within the deadline after the release starts deploying. Until then it
/// does not close; past the deadline it is overdue.
///
/// Stored as `{"review": {"count": 1, "roles": ["change-approver"],
/// "within_hours": 72}, "defers_approvals": ["deploy"], "skips_windows":
/// true, "deferrable_items": ["testing.performance-acceptable"],
/// "review_item": "closure.retrospective-scheduled"}`.
///
/// ```
/// use chrono::TimeDelta;
/// use release_workflow::{Gate, Role, policy::{EmergencyChange, Policy}};
///
/// let emergency = EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(72))
///     .with_deferrable_approvals([Gate::Deploy])
///     .with_windows_skipped()
///     .with_deferrable_item("testing.performance-acceptable")?
///     .with_review_item("closure.retrospective-scheduled")?;
/// let policy = Policy::octoacme().with_emergency_changes(emergency)?;
/// let rule = policy.emergency_changes().ok_or("declared")?;
/// assert!(rule.defers_approvals_of(Gate::Deploy));
/// assert_eq!(rule.review_deadline(), TimeDelta::hours(72));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyChange {
    review: Review,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    defers_approvals: Vec<Gate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    skips_windows: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    deferrable_items: Vec<ItemId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    review_item: Option<ItemId>,
}

/// The retrospective approvals an emergency change owes, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Review {
    count: u32,
    roles: Vec<Role>,
    within_hours: u32,
}

impl EmergencyChange {
    /// An emergency change that owes `count` retrospective approvals from
    /// people holding one of `roles`, within `deadline` of starting to
    /// deploy (rounded down to whole hours). It defers nothing until told.
    pub fn reviewed_by(
        count: u32,
        roles: impl IntoIterator<Item = Role>,
        deadline: TimeDelta,
    ) -> EmergencyChange {
        let hours = u32::try_from(deadline.num_hours()).unwrap_or(if deadline < TimeDelta::zero() {
            0
        } else {
            u32::MAX
        });
        EmergencyChange {
            review: Review { count, roles: roles.into_iter().collect(), within_hours: hours },
            defers_approvals: Vec::new(),
            skips_windows: false,
            deferrable_items: Vec::new(),
            review_item: None,
        }
    }

    /// The same rule, letting an emergency change defer the approvals of
    /// `gates` until after it deploys.
    #[must_use]
    pub fn with_deferrable_approvals(mut self, gates: impl IntoIterator<Item = Gate>) -> EmergencyChange {
        self.defers_approvals = gates.into_iter().collect();
        self
    }

    /// The same rule, letting an emergency change start deploying whatever
    /// the change windows say.
    #[must_use]
    pub fn with_windows_skipped(mut self) -> EmergencyChange {
        self.skips_windows = true;
        self
    }

    /// The same rule, letting an emergency change defer the item with this
    /// id (one more of them).
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidChangeType`] for an id that is not an item id.
    pub fn with_deferrable_item(mut self, item: &str) -> Result<EmergencyChange, PolicyError> {
        self.deferrable_items.push(parse_item(item)?);
        Ok(self)
    }

    /// The same rule, owing the item with this id (a post-release item)
    /// completed: it cannot be waived or ruled out for an emergency change.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidChangeType`] for an id that is not an item id.
    pub fn with_review_item(mut self, item: &str) -> Result<EmergencyChange, PolicyError> {
        self.review_item = Some(parse_item(item)?);
        Ok(self)
    }

    /// How many retrospective approvals an emergency change owes.
    pub fn review_count(&self) -> u32 {
        self.review.count
    }

    /// The roles a retrospective approver may hold.
    pub fn review_roles(&self) -> &[Role] {
        &self.review.roles
    }

    /// How long after starting to deploy an emergency change has to settle
    /// what it owes.
    pub fn review_deadline(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.review.within_hours))
    }

    /// The gates whose approvals may be deferred.
    pub fn deferrable_approvals(&self) -> &[Gate] {
        &self.defers_approvals
    }

    /// Whether the approvals of `gate` may be deferred.
    pub fn defers_approvals_of(&self, gate: Gate) -> bool {
        self.defers_approvals.contains(&gate)
    }

    /// Whether an emergency change deploys whatever the change windows say.
    pub fn skips_windows(&self) -> bool {
        self.skips_windows
    }

    /// The items that may be deferred.
    pub fn deferrable_items(&self) -> &[ItemId] {
        &self.deferrable_items
    }

    /// Whether the item with this id may be deferred.
    pub fn defers_item(&self, item: &ItemId) -> bool {
        self.deferrable_items.contains(item)
    }

    /// The post-release item an emergency change must complete, if any.
    pub fn review_item(&self) -> Option<&ItemId> {
        self.review_item.as_ref()
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let problem =
            |problem: String| PolicyError::InvalidChangeType { change_type: ChangeType::Emergency, problem };
        let Review { count, roles, within_hours } = &self.review;
        if *count == 0 || *count > MAX_APPROVALS {
            return Err(problem(format!("asks for {count} review approvals: ask for 1 to {MAX_APPROVALS}")));
        }
        if roles.is_empty() {
            return Err(problem("names no role that may approve its review: name at least one".into()));
        }
        let deadline = TimeDelta::hours(i64::from(*within_hours));
        if deadline <= TimeDelta::zero() || deadline > MAX_REVIEW_DEADLINE {
            return Err(problem(format!(
                "gives {within_hours} hours for the review: give at least one hour and at most {} days",
                MAX_REVIEW_DEADLINE.num_days()
            )));
        }
        if let Some(gate) =
            self.defers_approvals.iter().find(|gate| !matches!(gate, Gate::Freeze | Gate::Deploy))
        {
            return Err(problem(format!(
                "defers the approvals of the {gate} gate: only approvals before deploying (freeze, deploy) can be deferred"
            )));
        }
        Ok(())
    }
}

fn parse_item(item: &str) -> Result<ItemId, PolicyError> {
    ItemId::parse(item).map_err(|source| PolicyError::InvalidChangeType {
        change_type: ChangeType::Emergency,
        problem: format!("names item `{}`: {source}", crate::text::shorten(item)),
    })
}

/// The change types a policy declares, beyond normal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct ChangeTypes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) standard: Option<StandardChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) emergency: Option<EmergencyChange>,
}

impl ChangeTypes {
    pub(crate) fn validate(&self) -> Result<(), PolicyError> {
        if let Some(standard) = &self.standard {
            standard.validate()?;
        }
        if let Some(emergency) = &self.emergency {
            emergency.validate()?;
        }
        Ok(())
    }

    /// The roles the change types name.
    pub(crate) fn roles(&self) -> impl Iterator<Item = &Role> + '_ {
        self.emergency.iter().flat_map(|emergency| emergency.review.roles.iter())
    }
}
