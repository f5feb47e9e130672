//! The rules of a policy: which roles may take which action where, and the
//! approvals a gate needs.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::actor::Role;
use crate::checklist::{Item, ItemId};
use crate::policy::error::PolicyError;
use crate::stage::Gate;
use crate::text::{MAX_TITLE_CHARS, check_line, named_enum};

/// Something a person does to a release, as a policy grants it.
///
/// Displays and parses in kebab case (`"mark-not-applicable"`), ignoring
/// ASCII case. Planning is not among them: the plan names its release
/// manager, who plans it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Mark an item done.
    Complete,
    /// Rule out an if-applicable item.
    MarkNotApplicable,
    /// Waive a required item.
    Waive,
    /// Open a settled item again.
    Reopen,
    /// Add a change while the release is planned.
    AddChange,
    /// Move the release forward through a gate.
    Advance,
    /// Record a health sample or baseline.
    Observe,
    /// Raise a flag criterion's flag.
    RaiseFlag,
    /// Clear a raised flag.
    ClearFlag,
    /// Accept the risk of inconclusive findings.
    AcceptRisk,
    /// Roll the release back.
    RollBack,
    /// Record an incident.
    OpenIncident,
    /// Record that an incident is resolved.
    ResolveIncident,
    /// Deploy despite a change window, with a reason.
    OverrideWindow,
    /// Change the roster: add a person, hand a role over, remove someone.
    ///
    /// A policy without a grant of this action lets the release manager do
    /// it: every release keeps a way to staff itself, and the checklists
    /// written before roster changes existed keep their fingerprint.
    ChangeRoster,
    /// Move an open release to another trusted version of its checklist.
    ///
    /// A policy without a grant of this action lets the release manager do
    /// it, as for [`Action::ChangeRoster`].
    ChangeChecklist,
    /// Change the release's [change type](crate::policy::ChangeType)
    /// before it deploys. The release manager by default, as for
    /// [`Action::ChangeRoster`].
    ChangeType,
    /// Defer an item or a gate's approvals of an emergency change. The
    /// release manager by default, as for [`Action::ChangeRoster`].
    Defer,
    /// Let the release deploy while another release of its service is in
    /// flight, with a reason. The release manager by default, as for
    /// [`Action::ChangeRoster`].
    DeployInParallel,
}

named_enum!(Action, "action", {
    Complete => "complete",
    MarkNotApplicable => "mark-not-applicable",
    Waive => "waive",
    Reopen => "reopen",
    AddChange => "add-change",
    Advance => "advance",
    Observe => "observe",
    RaiseFlag => "raise-flag",
    ClearFlag => "clear-flag",
    AcceptRisk => "accept-risk",
    RollBack => "roll-back",
    OpenIncident => "open-incident",
    ResolveIncident => "resolve-incident",
    OverrideWindow => "override-window",
    ChangeRoster => "change-roster",
    ChangeChecklist => "change-checklist",
    ChangeType => "change-type",
    Defer => "defer",
    DeployInParallel => "deploy-in-parallel",
});

impl Action {
    /// The action as a verb phrase, for messages: what `someone may not`
    /// do, followed by what it is done to.
    pub const fn verb(self) -> &'static str {
        match self {
            Action::Complete => "complete",
            Action::MarkNotApplicable => "mark not applicable",
            Action::Waive => "waive",
            Action::Reopen => "reopen",
            Action::AddChange => "add a change to",
            Action::Advance => "advance",
            Action::Observe => "record observations on",
            Action::RaiseFlag => "raise a flag on",
            Action::ClearFlag => "clear a flag on",
            Action::AcceptRisk => "accept the risk on",
            Action::RollBack => "roll back",
            Action::OpenIncident => "record an incident on",
            Action::ResolveIncident => "resolve an incident on",
            Action::OverrideWindow => "override a change window of",
            Action::ChangeRoster => "change the roster of",
            Action::ChangeChecklist => "move to another checklist version",
            Action::ChangeType => "change the change type of",
            Action::Defer => "defer work on",
            Action::DeployInParallel => "allow a parallel deployment of",
        }
    }

    /// Whether the action concerns one checklist item, and so can be
    /// granted per item, section or gate.
    pub const fn concerns_an_item(self) -> bool {
        matches!(self, Action::Complete | Action::MarkNotApplicable | Action::Waive | Action::Reopen)
    }
}

/// Where a grant applies. The most specific grant that covers an item
/// decides who may act on it: the item's own, else its section's, else its
/// gate's, else the grants for everything.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// Every item, gate and release.
    Everything,
    /// The items of one gate; for [`Action::Advance`], the move through it.
    Gate(Gate),
    /// The items of one section, by title.
    Section(String),
    /// One item.
    Item(ItemId),
}

impl Scope {
    /// The items of the section with this title.
    pub fn section(title: &str) -> Scope {
        Scope::Section(title.to_owned())
    }

    /// How specific the scope is for `item` (or a move through `gate`),
    /// if it covers it: everything 0, gate 1, section 2, item 3.
    pub(crate) fn specificity(&self, item: Option<&Item>, gate: Option<Gate>) -> Option<u8> {
        match self {
            Scope::Everything => Some(0),
            Scope::Gate(scoped) => (gate == Some(*scoped)).then_some(1),
            Scope::Section(section) => item.filter(|item| item.section() == section).map(|_| 2),
            Scope::Item(id) => item.filter(|item| item.id() == id).map(|_| 3),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Everything => f.write_str("everything"),
            Scope::Gate(gate) => write!(f, "the {gate} gate"),
            Scope::Section(section) => write!(f, "section \"{section}\""),
            Scope::Item(item) => write!(f, "item `{item}`"),
        }
    }
}

/// One rule of a policy: `roles` may take `action` within a scope.
///
/// Stored as `{"action": "waive", "roles": ["release-manager"]}`, with at
/// most one of `"gate"`, `"section"` or `"item"` to narrow it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "GrantFields", into = "GrantFields")]
pub struct Grant {
    action: Action,
    scope: Scope,
    roles: Vec<Role>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantFields {
    action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gate: Option<Gate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    item: Option<ItemId>,
    roles: Vec<Role>,
}

impl TryFrom<GrantFields> for Grant {
    type Error = PolicyError;

    fn try_from(fields: GrantFields) -> Result<Grant, PolicyError> {
        let scope = match (fields.gate, fields.section, fields.item) {
            (None, None, None) => Scope::Everything,
            (Some(gate), None, None) => Scope::Gate(gate),
            (None, Some(section), None) => Scope::Section(section),
            (None, None, Some(item)) => Scope::Item(item),
            _ => {
                return Err(PolicyError::InvalidScope {
                    grant: fields.action.to_string(),
                    problem:
                        "names more than one of gate, section and item: give one, or none for everything"
                            .into(),
                });
            }
        };
        let grant = Grant { action: fields.action, scope, roles: fields.roles };
        grant.validate()?;
        Ok(grant)
    }
}

impl From<Grant> for GrantFields {
    fn from(grant: Grant) -> GrantFields {
        let (mut gate, mut section, mut item) = (None, None, None);
        match grant.scope {
            Scope::Everything => {}
            Scope::Gate(scoped) => gate = Some(scoped),
            Scope::Section(title) => section = Some(title),
            Scope::Item(id) => item = Some(id),
        }
        GrantFields { action: grant.action, gate, section, item, roles: grant.roles }
    }
}

impl Grant {
    /// A grant; checked when its policy is built.
    pub fn new(action: Action, scope: Scope, roles: Vec<Role>) -> Grant {
        Grant { action, scope, roles }
    }

    /// The action granted.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Where it applies.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The roles it is granted to.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The grant in words, for messages: `waive on the deploy gate`.
    pub(crate) fn describe(&self) -> String {
        match &self.scope {
            Scope::Everything => self.action.to_string(),
            scope => format!("{} on {scope}", self.action),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), PolicyError> {
        let problem = |problem: String| PolicyError::InvalidScope { grant: self.describe(), problem };
        if self.roles.is_empty() {
            return Err(problem("grants it to no role: name at least one".into()));
        }
        match &self.scope {
            Scope::Everything => {}
            Scope::Gate(gate) if self.action == Action::Advance && gate.exit_stage().is_none() => {
                return Err(problem(format!("names the {gate} gate, which no move passes through")));
            }
            Scope::Gate(_) if self.action.concerns_an_item() || self.action == Action::Advance => {}
            Scope::Section(title) if self.action.concerns_an_item() => {
                check_line("section title", title, MAX_TITLE_CHARS).map_err(|e| problem(e.to_string()))?;
            }
            Scope::Item(_) if self.action.concerns_an_item() => {}
            _ => {
                return Err(problem(format!(
                    "narrows {} to {}: only item actions (complete, mark-not-applicable, waive, reopen) take a \
                     gate, section or item, and advance a gate",
                    self.action, self.scope
                )));
            }
        }
        Ok(())
    }
}

/// The most approvals a gate may ask for.
pub const MAX_APPROVALS: u32 = 20;

/// The approvals a gate needs: `count` people, each holding one of `roles`,
/// none of whom planned the release or authored one of its changes.
///
/// Stored as `{"gate": "deploy", "count": 2, "roles": ["change-approver"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    gate: Gate,
    count: u32,
    roles: Vec<Role>,
}

impl ApprovalRule {
    /// A rule; checked when its policy is built.
    pub fn new(gate: Gate, count: u32, roles: Vec<Role>) -> ApprovalRule {
        ApprovalRule { gate, count, roles }
    }

    /// The gate the approvals are for.
    pub fn gate(&self) -> Gate {
        self.gate
    }

    /// How many distinct people must approve.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The roles an approver may hold.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub(crate) fn validate(&self) -> Result<(), PolicyError> {
        let problem = |problem: String| PolicyError::InvalidApprovals { gate: self.gate, problem };
        if self.gate.exit_stage().is_none() {
            return Err(problem("are asked of a gate no move passes through".into()));
        }
        if self.count == 0 || self.count > MAX_APPROVALS {
            return Err(problem(format!("ask for {} approvals: ask for 1 to {MAX_APPROVALS}", self.count)));
        }
        if self.roles.is_empty() {
            return Err(problem("name no role that may approve: name at least one".into()));
        }
        Ok(())
    }
}
