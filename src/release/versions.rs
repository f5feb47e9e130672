//! Moving an open release to a newer version of its checklist: an explicit,
//! governed, audited event that re-checks every gate the release passed.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::actor::{Actor, Role};
use crate::checklist::{ItemId, Template};
use crate::digest::Digest;
use crate::event::{Event, EventKind};
use crate::policy::ChangeType;
use crate::release::apply::{Effect, Resolve};
use crate::release::settled::Settled;
use crate::release::{Release, ReleaseError};
use crate::stage::{Gate, Stage};
use crate::text::check_reason;

/// Why a release cannot move to another checklist version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecklistMoveProblem {
    /// The release follows that version already.
    SameVersion,
    /// The release is rolled back: its checklist no longer changes.
    ReleaseOver,
    /// The new version has items, in gates the release has passed, that
    /// the release never settled: passing those gates again is not
    /// possible, so the release finishes on its version.
    PassedGatesOpen {
        /// The items, with their gates, in checklist order.
        items: Vec<(Gate, ItemId)>,
    },
    /// The new version's policy asks more approvals of a gate the release
    /// passed than it was given.
    PassedGateApprovals {
        /// The gate.
        gate: Gate,
        /// How many the new version asks.
        needed: u32,
        /// How many were given.
        given: usize,
    },
    /// Someone on the roster holds a role the new version's policy does
    /// not declare.
    UndeclaredRole {
        /// The person.
        person: String,
        /// The role.
        role: Role,
    },
    /// The new version's policy does not declare the release's change type.
    ChangeTypeUndeclared {
        /// The release's change type.
        change_type: ChangeType,
    },
}

impl fmt::Display for ChecklistMoveProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChecklistMoveProblem::SameVersion => f.write_str("the release follows that version already"),
            ChecklistMoveProblem::ReleaseOver => {
                f.write_str("the release is rolled back: it keeps the version it was rolled back on")
            }
            ChecklistMoveProblem::PassedGatesOpen { items } => {
                let listed: Vec<String> =
                    items.iter().map(|(gate, item)| format!("`{item}` ({gate})")).collect();
                write!(
                    f,
                    "the new version has items in gates the release has passed that it never settled: {}; \
                     finish this release on its version and plan the next one with the new",
                    listed.join(", ")
                )
            }
            ChecklistMoveProblem::PassedGateApprovals { gate, needed, given } => write!(
                f,
                "the new version asks {needed} approvals of the {gate} gate, which the release passed with \
                 {given}; finish this release on its version and plan the next one with the new"
            ),
            ChecklistMoveProblem::UndeclaredRole { person, role } => write!(
                f,
                "{person} holds {role} on the roster, a role the new version's policy does not declare"
            ),
            ChecklistMoveProblem::ChangeTypeUndeclared { change_type } => write!(
                f,
                "the release is a {change_type} change, which the new version's policy does not declare"
            ),
        }
    }
}

impl Release {
    /// Moves the release to `checklist`, another version of its checklist
    /// (a team's edit, trusted), saying why: the release follows it from
    /// then on. Every gate the release passed is checked again under the
    /// new version: each of its items must be settled (an item keeps its
    /// status by id), and its approvals must be enough for the new policy.
    /// The event names the version by fingerprint; a reader must trust it
    /// (replay finds it in the [`Trust`](crate::release::Trust)).
    ///
    /// ```
    /// use release_workflow::{Actor, Gate, Release, ReleaseKind, Role, Template};
    ///
    /// let v1 = Template::builder("Team").section("Ship").item("ship.tested", "Tested", Gate::Deploy).build()?;
    /// let v2 = Template::builder("Team").section("Ship").item("ship.tested", "Tested in staging", Gate::Deploy).build()?;
    /// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    ///     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone())
    ///     .template(v1).plan(t0)?;
    /// release.move_to_checklist(&v2, "the clearer title, reviewed", &ada, t0)?;
    /// assert_eq!(release.template(), &v2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReleaseError::InvalidChecklistMove`] naming the
    /// [`ChecklistMoveProblem`]; [`ReleaseError::Text`] for an empty
    /// reason; [`ReleaseError::Access`] when `by` may not move it
    /// ([`Action::ChangeChecklist`](crate::policy::Action::ChangeChecklist),
    /// the release manager when the policy does not say);
    /// [`ReleaseError::TimeWentBackwards`].
    pub fn move_to_checklist(
        &mut self,
        checklist: &Template,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let fingerprint = checklist.fingerprint();
        let shared = Arc::new(checklist.clone());
        let what = EventKind::ChecklistChanged { checklist: fingerprint, reason: reason.into() };
        self.apply_resolving(Event { at, by: by.clone(), what }, &|wanted| {
            (*wanted == fingerprint).then(|| Arc::clone(&shared))
        })
    }

    /// Decides a move to the version of `fingerprint`: the statuses it
    /// leaves, or why not.
    pub(super) fn check_checklist_move(
        &self,
        fingerprint: &Digest,
        reason: &str,
        resolve: Resolve<'_>,
    ) -> Result<Effect, ReleaseError> {
        let template =
            resolve(fingerprint).ok_or(ReleaseError::UnknownChecklist { fingerprint: *fingerprint })?;
        let refuse = |problem: ChecklistMoveProblem| ReleaseError::InvalidChecklistMove {
            checklist: format!("\"{}\" ({fingerprint})", crate::text::shorten(template.name())),
            problem,
        };
        if template.fingerprint() == self.template().fingerprint() {
            return Err(refuse(ChecklistMoveProblem::SameVersion));
        }
        if self.stage() == Stage::RolledBack {
            return Err(refuse(ChecklistMoveProblem::ReleaseOver));
        }
        if let Some(policy) = template.policy() {
            for member in self.roster().members() {
                if let Some(role) = member.roles().iter().find(|role| !policy.declares(role)) {
                    return Err(refuse(ChecklistMoveProblem::UndeclaredRole {
                        person: member.id().to_string(),
                        role: role.clone(),
                    }));
                }
            }
        }
        if !template.policy().map_or(self.change_type() == ChangeType::Normal, |policy| {
            policy.declares_change_type(self.change_type())
        }) {
            return Err(refuse(ChecklistMoveProblem::ChangeTypeUndeclared {
                change_type: self.change_type(),
            }));
        }
        let mut statuses = Settled::default();
        for (index, item) in template.items().iter().enumerate() {
            if let Some(old) = self.template().position(item.id().as_str()) {
                statuses.set(index, self.statuses.get(old).clone());
            }
        }
        let passed: Vec<Gate> = Stage::ALL
            .iter()
            .filter(|stage| self.entered_at(**stage).is_some())
            .filter_map(|stage| stage.entry_gate())
            .collect();
        let open: Vec<(Gate, ItemId)> = template
            .items()
            .iter()
            .zip(statuses.in_order(template.items().len()))
            .filter(|(item, status)| passed.contains(&item.gate()) && !status.is_settled())
            .map(|(item, _)| (item.gate(), item.id().clone()))
            .collect();
        if !open.is_empty() {
            return Err(refuse(ChecklistMoveProblem::PassedGatesOpen { items: open }));
        }
        for gate in passed.into_iter().filter(|gate| !self.skips_approvals(*gate)) {
            if let Some(rule) = template.policy().and_then(|policy| policy.approvals_for(gate)) {
                let given = self.approvals().iter().filter(|approval| approval.gate == gate).count();
                if given < rule.count() as usize {
                    return Err(refuse(ChecklistMoveProblem::PassedGateApprovals {
                        gate,
                        needed: rule.count(),
                        given,
                    }));
                }
            }
        }
        check_reason("reason for moving to another checklist version", reason)?;
        Ok(Effect::MoveChecklist { template, statuses })
    }
}
