//! Who may do what: a checklist's policy, as data.
//!
//! A [`Policy`] lives in a [`Template`](crate::Template), so the checklist
//! and the rules of who may work it are pinned, fingerprinted and trusted
//! together. It declares the roles a team uses, grants each action to
//! roles (for everything, one gate, one section or one item: the most
//! specific grant wins), asks for approvals before gates, and sets the
//! [change windows](ChangeWindow) deployments keep to.
//!
//! ```
//! use release_workflow::{Gate, Role, policy::{Action, Policy, Scope}};
//!
//! let dba = Role::new("dba")?;
//! let policy = Policy::builder()
//!     .role(Role::RELEASE_MANAGER, "Owns the release")
//!     .role(Role::CHANGE_APPROVER, "Approves production changes")
//!     .role(dba.clone(), "Database administrator")
//!     .allow(Action::Complete, Scope::Everything, [Role::RELEASE_MANAGER])
//!     .allow(Action::Complete, Scope::section("Environment Preparation"), [dba, Role::RELEASE_MANAGER])
//!     .allow(Action::Advance, Scope::Everything, [Role::RELEASE_MANAGER])
//!     .require_approvals(Gate::Deploy, 1, [Role::CHANGE_APPROVER])
//!     .build()?;
//! assert_eq!(policy.approvals_for(Gate::Deploy).map(|rule| rule.count()), Some(1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Who may do what
//!
//! A template may carry a [`Policy`]: the roles a team uses (a [`Role`] is
//! a name it defines), the [`Grant`]s of each [`Action`] to roles, the
//! approvals each gate needs ([`ApprovalRule`]) and the change windows
//! deployments keep to ([`ChangeWindow`]). A release's [`Roster`](crate::roster::Roster) — its
//! release manager, on-call engineer and [members](crate::plan::ReleaseBuilder::member)
//! — says who holds which role, under a stable [`PersonId`](crate::PersonId). Under a
//! policy every event is checked: the actor is on the roster under the name
//! it gives their id, in a role it gives them, and the policy lets that role
//! take the action; approvals come from distinct people other than the
//! release's planner and its changes' authors; entering `Deploying` keeps to
//! the windows unless one was overridden. Replay checks the same, so a
//! forged approval or a deployment inside a freeze is refused on load.
//!
//! ```
//! use release_workflow::{Actor, Gate, Release, ReleaseError, ReleaseKind, Role, Stage, release::{AccessError, ApprovalProblem}};
//!
//! let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
//! let margaret = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;
//! let sam = Actor::new("sam", "Sam Okafor", Role::SECURITY_ENGINEER)?;
//! let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! let mut release = Release::builder()
//!     .version("2.4.0")
//!     .kind(ReleaseKind::Minor)
//!     .target_date("2026-12-01".parse()?)
//!     .release_manager(ada.clone())
//!     .on_call(ada.acting_as(Role::ON_CALL_ENGINEER))
//!     .member(ada.acting_as(Role::CHANGE_APPROVER))
//!     .member(margaret.clone())
//!     .member(sam.clone())
//!     .plan(t0)?;
//! for gate in [Gate::Freeze, Gate::Deploy] {
//!     let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
//!     for id in &open {
//!         // The OctoAcme policy leaves the security scan to the security engineer.
//!         let by = if id == "testing.security-scans-clean" { &sam } else { &ada };
//!         release.complete(id, by, t0)?;
//!     }
//!     if gate == Gate::Freeze {
//!         release.advance_to(Stage::Frozen, &ada, t0)?;
//!     }
//! }
//! // Ada holds the approver role, but planned the release.
//! match release.approve(Gate::Deploy, &ada.acting_as(Role::CHANGE_APPROVER), t0) {
//!     Err(ReleaseError::Access(refused)) => assert!(matches!(
//!         *refused,
//!         AccessError::Approval { problem: ApprovalProblem::PlannedIt, .. }
//!     )),
//!     other => panic!("expected a refusal, got {other:?}"),
//! }
//! release.approve(Gate::Deploy, &margaret, t0)?;
//! release.advance_to(Stage::Deploying, &ada, t0)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Templates without a policy check nobody, as before policies existed.

mod change_type;
mod error;
mod octoacme;
mod rule;
mod window;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::actor::Role;
use crate::checklist::{Item, Requirement};
use crate::stage::Gate;
use crate::text::{MAX_TITLE_CHARS, check_line};

/// Who changes a roster under a policy that does not say.
static RELEASE_MANAGER: Role = Role::RELEASE_MANAGER;

pub(crate) use change_type::ChangeTypes;
pub use change_type::{ChangeType, EmergencyChange, MAX_REVIEW_DEADLINE, StandardChange};
pub use error::PolicyError;
pub use rule::{Action, ApprovalRule, Grant, MAX_APPROVALS, Scope};
pub(crate) use window::local_text;
pub use window::{ChangeWindow, WeeklyTime, WindowKind, WindowSchedule};

/// Who may do what on releases of one checklist: declared roles, grants of
/// actions to roles, approvals each gate needs, and change windows.
///
/// Built with [`Policy::builder`] or read with serde; checked on every path.
/// A template checks its policy against its items when it takes it
/// ([`Template::with_policy`](crate::Template::with_policy)): a grant naming
/// an item or section the template lacks, or an item that no role may
/// settle, is refused there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PolicyFields")]
pub struct Policy {
    /// Every role the policy knows, with what it means to the team.
    roles: BTreeMap<Role, String>,
    grants: Vec<Grant>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    approvals: Vec<ApprovalRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    windows: Vec<ChangeWindow>,
    /// The change types beyond normal; a policy without them writes
    /// nothing, so its fingerprint is what it was before they existed.
    #[serde(flatten)]
    change_types: ChangeTypes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFields {
    roles: BTreeMap<Role, String>,
    grants: Vec<Grant>,
    #[serde(default)]
    approvals: Vec<ApprovalRule>,
    #[serde(default)]
    windows: Vec<ChangeWindow>,
    #[serde(default)]
    standard: Option<StandardChange>,
    #[serde(default)]
    emergency: Option<EmergencyChange>,
}

impl TryFrom<PolicyFields> for Policy {
    type Error = PolicyError;

    fn try_from(fields: PolicyFields) -> Result<Policy, PolicyError> {
        let policy = Policy {
            roles: fields.roles,
            grants: fields.grants,
            approvals: fields.approvals,
            windows: fields.windows,
            change_types: ChangeTypes { standard: fields.standard, emergency: fields.emergency },
        };
        policy.validate()?;
        Ok(policy)
    }
}

impl Policy {
    /// Starts a policy built in code; see [`PolicyBuilder`].
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// The policy the built-in OctoAcme checklist ships with; see
    /// [`Template::octoacme`](crate::Template::octoacme) for what it allows
    /// and why.
    pub fn octoacme() -> Policy {
        octoacme::policy()
    }

    /// The same policy with one more change window.
    ///
    /// ```
    /// use release_workflow::{Template, policy::{ChangeWindow, Policy, WindowKind}};
    ///
    /// let weekend = ChangeWindow::weekly(
    ///     "Weekend freeze",
    ///     WindowKind::Freeze,
    ///     release_workflow::chrono_tz::Europe::Berlin,
    ///     "fri 18:00".parse()?,
    ///     "mon 07:00".parse()?,
    /// )?;
    /// let template = Template::octoacme().with_policy(Policy::octoacme().with_window(weekend)?)?;
    /// assert_eq!(template.policy().map(|policy| policy.windows().len()), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidWindow`] when the policy has a window of that
    /// name already.
    pub fn with_window(mut self, window: ChangeWindow) -> Result<Policy, PolicyError> {
        self.windows.push(window);
        self.validate()?;
        Ok(self)
    }

    /// The same policy asking `count` approvals from people holding one of
    /// `roles` before a release passes `gate`, in place of any approvals it
    /// asked for that gate.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidApprovals`] for a gate no move passes through,
    /// a count of 0 or above [`MAX_APPROVALS`], or no role;
    /// [`PolicyError::UndeclaredRole`] for a role the policy does not
    /// declare.
    pub fn with_approvals(
        mut self,
        gate: Gate,
        count: u32,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Policy, PolicyError> {
        self.approvals.retain(|rule| rule.gate() != gate);
        self.approvals.push(ApprovalRule::new(gate, count, roles.into_iter().collect()));
        self.validate()?;
        Ok(self)
    }

    /// The same policy also letting `roles` take `action` within `scope`:
    /// as [`PolicyBuilder::allow`], for a policy already built.
    ///
    /// ```
    /// use release_workflow::{Role, policy::{Action, Policy, Scope}};
    ///
    /// // The on-call engineer may staff the release too.
    /// let policy = Policy::octoacme().with_grant(
    ///     Action::ChangeRoster,
    ///     Scope::Everything,
    ///     [Role::RELEASE_MANAGER, Role::ON_CALL_ENGINEER],
    /// )?;
    /// assert!(policy.permits(&Role::ON_CALL_ENGINEER, Action::ChangeRoster, None, None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`PolicyBuilder::build`] for the grant: a role the policy does not
    /// declare, a scope that does not fit the action.
    pub fn with_grant(
        mut self,
        action: Action,
        scope: Scope,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Policy, PolicyError> {
        self.grants.push(Grant::new(action, scope, roles.into_iter().collect()));
        self.validate()?;
        Ok(self)
    }

    /// Every role the policy knows, with its description.
    pub fn roles(&self) -> &BTreeMap<Role, String> {
        &self.roles
    }

    /// Whether the policy declares `role`.
    pub fn declares(&self, role: &Role) -> bool {
        self.roles.contains_key(role)
    }

    /// The grants, in order.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// The approval rules, one per gate at most.
    pub fn approvals(&self) -> &[ApprovalRule] {
        &self.approvals
    }

    /// The approvals `gate` needs, if any.
    pub fn approvals_for(&self, gate: Gate) -> Option<&ApprovalRule> {
        self.approvals.iter().find(|rule| rule.gate() == gate)
    }

    /// The change windows.
    pub fn windows(&self) -> &[ChangeWindow] {
        &self.windows
    }

    /// What makes a release a [standard](ChangeType::Standard) change and
    /// what it skips, if the policy declares standard changes.
    pub fn standard_changes(&self) -> Option<&StandardChange> {
        self.change_types.standard.as_ref()
    }

    /// What an [emergency](ChangeType::Emergency) change may defer and
    /// owes, if the policy declares emergency changes.
    pub fn emergency_changes(&self) -> Option<&EmergencyChange> {
        self.change_types.emergency.as_ref()
    }

    /// Whether a release may be planned as (or changed to) `change_type`:
    /// normal always, the others when the policy declares them.
    pub fn declares_change_type(&self, change_type: ChangeType) -> bool {
        match change_type {
            ChangeType::Normal => true,
            ChangeType::Standard => self.change_types.standard.is_some(),
            ChangeType::Emergency => self.change_types.emergency.is_some(),
        }
    }

    /// The same policy declaring standard changes as `rule` says, in place
    /// of any rule it had for them.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidChangeType`] for a rule that skips no
    /// approvals, or those of a gate no move passes through.
    pub fn with_standard_changes(mut self, rule: StandardChange) -> Result<Policy, PolicyError> {
        self.change_types.standard = Some(rule);
        self.validate()?;
        Ok(self)
    }

    /// The same policy declaring emergency changes as `rule` says, in
    /// place of any rule it had for them.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidChangeType`] for a review of no one or with
    /// a deadline out of range, approvals deferred past deploying;
    /// [`PolicyError::UndeclaredRole`] for a review role the policy does
    /// not declare. The items it names are checked against the checklist
    /// when a template takes the policy.
    pub fn with_emergency_changes(mut self, rule: EmergencyChange) -> Result<Policy, PolicyError> {
        self.change_types.emergency = Some(rule);
        self.validate()?;
        Ok(self)
    }

    /// The window with this name, if the policy has it.
    pub fn window(&self, name: &str) -> Option<&ChangeWindow> {
        self.windows.iter().find(|window| window.name() == name)
    }

    /// The roles that may take `action`, on `item` if it concerns one, or at
    /// `gate` for a move: those of the most specific grants that cover it
    /// (an item's own grants, else its section's, else its gate's, else the
    /// grants for everything). Empty when nobody may.
    pub fn roles_for<'a>(&'a self, action: Action, item: Option<&Item>, gate: Option<Gate>) -> Vec<&'a Role> {
        if self.grants_by_default(action) {
            return vec![&RELEASE_MANAGER];
        }
        let mut roles: Vec<&Role> = Vec::new();
        for grant in self.deciding_grants(action, item, gate) {
            for role in grant.roles() {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
        }
        roles
    }

    /// Whether `role` may take `action` on `item`, or at `gate`: whether
    /// it is among [`roles_for`](Policy::roles_for).
    pub fn permits(&self, role: &Role, action: Action, item: Option<&Item>, gate: Option<Gate>) -> bool {
        // Checked for every event of a governed release: no allocation.
        if self.grants_by_default(action) {
            return *role == Role::RELEASE_MANAGER;
        }
        self.deciding_grants(action, item, gate).any(|grant| grant.roles().contains(role))
    }

    /// Whether no grant names `action` and the release manager may take it
    /// by default: true only of the actions that came after the policies
    /// written before them ([`Action::ChangeRoster`],
    /// [`Action::ChangeChecklist`], [`Action::ChangeType`],
    /// [`Action::Defer`], [`Action::DeployInParallel`]).
    fn grants_by_default(&self, action: Action) -> bool {
        matches!(
            action,
            Action::ChangeRoster
                | Action::ChangeChecklist
                | Action::ChangeType
                | Action::Defer
                | Action::DeployInParallel
        ) && !self.grants.iter().any(|grant| grant.action() == action)
    }

    /// The grants that decide who may take `action` on `item` or at `gate`:
    /// those of the most specific scope that covers it.
    fn deciding_grants<'a>(
        &'a self,
        action: Action,
        item: Option<&Item>,
        gate: Option<Gate>,
    ) -> impl Iterator<Item = &'a Grant> {
        let gate = item.map(Item::gate).or(gate);
        let of_action = move || self.grants.iter().filter(move |grant| grant.action() == action);
        let best = of_action().filter_map(|grant| grant.scope().specificity(item, gate)).max();
        of_action().filter(move |grant| best.is_some() && grant.scope().specificity(item, gate) == best)
    }

    /// Checks what the policy can check alone: every role it names is
    /// declared, scopes fit their actions, approval rules and windows are
    /// well formed and unique.
    fn validate(&self) -> Result<(), PolicyError> {
        for (role, description) in &self.roles {
            check_line("role description", description, MAX_TITLE_CHARS)
                .map_err(|source| PolicyError::Text { role: role.clone(), source })?;
        }
        let undeclared = |role: &Role, used_by: String| PolicyError::UndeclaredRole {
            role: role.clone(),
            used_by,
            declared: self.roles.keys().map(Role::to_string).collect::<Vec<_>>().join(", "),
        };
        for grant in &self.grants {
            grant.validate()?;
            if let Some(role) = grant.roles().iter().find(|role| !self.declares(role)) {
                return Err(undeclared(role, format!("the grant of {}", grant.describe())));
            }
        }
        for (index, rule) in self.approvals.iter().enumerate() {
            rule.validate()?;
            if self.approvals.iter().take(index).any(|earlier| earlier.gate() == rule.gate()) {
                return Err(PolicyError::InvalidApprovals {
                    gate: rule.gate(),
                    problem: "are given twice: give each gate one approval rule".into(),
                });
            }
            if let Some(role) = rule.roles().iter().find(|role| !self.declares(role)) {
                return Err(undeclared(role, format!("the approvals of the {} gate", rule.gate())));
            }
        }
        self.change_types.validate()?;
        if let Some(role) = self.change_types.roles().find(|role| !self.declares(role)) {
            return Err(undeclared(role, "the review of emergency changes".to_owned()));
        }
        for (index, window) in self.windows.iter().enumerate() {
            if self.windows.iter().take(index).any(|earlier| earlier.name() == window.name()) {
                return Err(PolicyError::InvalidWindow {
                    window: window.name().to_owned(),
                    problem: "is given twice: window names must be unique".into(),
                });
            }
        }
        Ok(())
    }

    /// Checks the policy against the checklist it governs: grants name
    /// items and sections the template has, every item can be settled by
    /// some role, and every gate can be passed.
    pub(crate) fn validate_for(&self, items: &[Item], sections: &[String]) -> Result<(), PolicyError> {
        for grant in &self.grants {
            match grant.scope() {
                Scope::Item(id) if !items.iter().any(|item| item.id() == id) => {
                    return Err(PolicyError::UnknownTarget {
                        grant: grant.describe(),
                        problem: names_unknown_item(id, items),
                    });
                }
                Scope::Section(section) if !sections.contains(section) => {
                    return Err(PolicyError::UnknownTarget {
                        grant: grant.describe(),
                        problem: format!("names section \"{section}\", which the checklist does not have"),
                    });
                }
                _ => {}
            }
        }
        if let Some(emergency) = self.emergency_changes() {
            check_emergency_items(emergency, items)?;
        }
        for item in items.iter().filter(|item| item.settled_on().is_none()) {
            let settle_otherwise = match item.requirement() {
                Requirement::Required => Action::Waive,
                Requirement::IfApplicable => Action::MarkNotApplicable,
            };
            if self.roles_for(Action::Complete, Some(item), None).is_empty()
                && self.roles_for(settle_otherwise, Some(item), None).is_empty()
            {
                return Err(PolicyError::Unsettleable { item: item.id().to_string() });
            }
        }
        for gate in Gate::ALL.iter().filter(|gate| gate.exit_stage().is_some()) {
            let used = items.iter().any(|item| item.gate() == *gate) || self.approvals_for(*gate).is_some();
            if used && self.roles_for(Action::Advance, None, Some(*gate)).is_empty() {
                return Err(PolicyError::Impassable { gate: *gate });
            }
        }
        Ok(())
    }
}

/// "names item `x`, which the checklist does not have: did you mean ...".
fn names_unknown_item(id: &crate::checklist::ItemId, items: &[Item]) -> String {
    let closest: Vec<String> = crate::text::closest(id.as_str(), items.iter().map(Item::id))
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    format!(
        "names item `{id}`, which the checklist does not have{}",
        crate::text::did_you_mean(&closest, "check the item ids")
    )
}

/// Checks that the items an emergency change names are the checklist's:
/// deferrable items are worked by hand before the release passes its
/// release gate, and the review item is a post-release item.
fn check_emergency_items(emergency: &EmergencyChange, items: &[Item]) -> Result<(), PolicyError> {
    let problem =
        |problem: String| PolicyError::InvalidChangeType { change_type: ChangeType::Emergency, problem };
    let find = |id: &crate::checklist::ItemId| {
        items.iter().find(|item| item.id() == id).ok_or_else(|| problem(names_unknown_item(id, items)))
    };
    for id in emergency.deferrable_items() {
        let item = find(id)?;
        if item.settled_on().is_some()
            || !matches!(item.gate(), Gate::Freeze | Gate::Deploy | Gate::Verify | Gate::Release)
        {
            return Err(problem(format!(
                "lets `{id}` be deferred, a {} item: only items worked by hand before release can be deferred",
                item.gate()
            )));
        }
    }
    if let Some(id) = emergency.review_item() {
        let item = find(id)?;
        if item.gate() != Gate::PostRelease || item.settled_on().is_some() {
            return Err(problem(format!(
                "owes `{id}` as its review, a {} item: name a post-release item worked by hand",
                item.gate()
            )));
        }
    }
    Ok(())
}

/// Builds a [`Policy`] in code. Nothing is checked until
/// [`build`](PolicyBuilder::build), which reports the first problem.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PolicyBuilder {
    roles: BTreeMap<Role, String>,
    grants: Vec<Grant>,
    approvals: Vec<ApprovalRule>,
    windows: Vec<ChangeWindow>,
    change_types: ChangeTypes,
    first_error: Option<PolicyError>,
}

impl PolicyBuilder {
    /// Declares a role, with what it means to the team.
    pub fn role(mut self, role: Role, description: &str) -> Self {
        self.roles.insert(role, description.to_owned());
        self
    }

    /// Lets `roles` take `action` within `scope`.
    pub fn allow(mut self, action: Action, scope: Scope, roles: impl IntoIterator<Item = Role>) -> Self {
        self.grants.push(Grant::new(action, scope, roles.into_iter().collect()));
        self
    }

    /// Lets `roles` take `action` on the item with this id only: a grant
    /// that overrides the grants of its section, gate and everything.
    pub fn allow_item(mut self, action: Action, item: &str, roles: impl IntoIterator<Item = Role>) -> Self {
        match crate::checklist::ItemId::parse(item) {
            Ok(id) => self.grants.push(Grant::new(action, Scope::Item(id), roles.into_iter().collect())),
            Err(source) => {
                self.first_error.get_or_insert(PolicyError::InvalidScope {
                    grant: format!("{action} on item `{}`", crate::text::shorten(item)),
                    problem: source.to_string(),
                });
            }
        }
        self
    }

    /// Asks for `count` approvals from distinct people holding one of
    /// `roles` before a release passes `gate`.
    pub fn require_approvals(
        mut self,
        gate: Gate,
        count: u32,
        roles: impl IntoIterator<Item = Role>,
    ) -> Self {
        self.approvals.push(ApprovalRule::new(gate, count, roles.into_iter().collect()));
        self
    }

    /// Adds a change window.
    pub fn window(mut self, window: ChangeWindow) -> Self {
        self.windows.push(window);
        self
    }

    /// Declares standard changes; see [`StandardChange`].
    pub fn standard_changes(mut self, rule: StandardChange) -> Self {
        self.change_types.standard = Some(rule);
        self
    }

    /// Declares emergency changes; see [`EmergencyChange`].
    pub fn emergency_changes(mut self, rule: EmergencyChange) -> Self {
        self.change_types.emergency = Some(rule);
        self
    }

    /// Checks and returns the policy.
    ///
    /// # Errors
    ///
    /// The first problem met: a scope that does not parse, a role used but
    /// not declared, a scope an action cannot take, approvals given twice for
    /// a gate or asking for no one, windows named twice.
    pub fn build(self) -> Result<Policy, PolicyError> {
        if let Some(error) = self.first_error {
            return Err(error);
        }
        let policy = Policy {
            roles: self.roles,
            grants: self.grants,
            approvals: self.approvals,
            windows: self.windows,
            change_types: self.change_types,
        };
        policy.validate()?;
        Ok(policy)
    }
}
