//! The people of one release: who they are, and the roles they hold for it.
//!
//! A release's [`Roster`] gathers its release manager, its on-call engineer
//! and the members its plan names, by [`PersonId`], each
//! with every role given them. Under a policy, an event's actor must be on
//! it, under its name, in a role it gives them.
//!
//! ```
//! use release_workflow::{Actor, Role};
//! # use release_workflow::{Release, ReleaseKind};
//! # let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
//! # let at: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! # let mut release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
//! #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(at)?;
//! let roster = release.plan().roster();
//! let ada_there = roster.member(ada.id()).ok_or("on the roster")?;
//! assert!(ada_there.holds(&Role::RELEASE_MANAGER));
//! assert_eq!(roster.members().len(), 1, "one person, however many slots");
//! # let _: Option<Actor> = None;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::actor::{Actor, PersonId, Role};

/// One person on a release's [`Roster`]: their stable id, display name and
/// every role they hold for the release.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Member {
    id: PersonId,
    name: String,
    roles: Vec<Role>,
}

impl Member {
    /// The person's stable id.
    pub fn id(&self) -> &PersonId {
        &self.id
    }

    /// The name they display.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The roles they hold for the release, in the order given.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Whether they hold `role`.
    pub fn holds(&self, role: &Role) -> bool {
        self.roles.contains(role)
    }

    /// Whether they hold one of `roles`.
    pub fn holds_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.holds(role))
    }

    /// The person acting in `role`, if they hold it: the actor to pass to
    /// a release's operations.
    pub fn acting_as(&self, role: &Role) -> Option<Actor> {
        self.holds(role).then(|| Actor::on_roster(self.id.clone(), self.name.clone(), role.clone()))
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let roles: Vec<&str> = self.roles.iter().map(Role::as_str).collect();
        write!(f, "{} [{}] ({})", self.name, self.id, roles.join(", "))
    }
}

/// The people of one release and the roles each holds for it: the release
/// manager, the on-call engineer, and everyone the plan adds with
/// [`ReleaseBuilder::member`](crate::plan::ReleaseBuilder::member).
///
/// On a release whose checklist has a [`Policy`](crate::policy::Policy), the roster
/// is what an actor's role is checked against: the role an event claims
/// must be one the roster gives the actor's id, under the name the roster
/// knows them by. A call by someone off the roster is refused.
///
/// The roster is set when the release is planned and changes only through
/// audited events ([`RosterChange`]): a person added, a role handed over,
/// a person removed. [`Release::roster`](crate::Release::roster) is the
/// roster in force now; each event of a log is checked against the roster
/// in force at its time.
///
/// ```
/// use release_workflow::{Actor, Release, ReleaseKind, Role};
///
/// let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
/// let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
/// let release = Release::builder()
///     .version("2.4.0")
///     .kind(ReleaseKind::Minor)
///     .target_date("2026-12-01".parse()?)
///     .release_manager(ada.clone())
///     .on_call(grace)
///     .member(ada.acting_as(Role::SRE))
///     .plan("2026-11-30T09:00:00Z".parse()?)?;
/// let roster = release.plan().roster();
/// assert_eq!(roster.member(ada.id()).map(|ada| ada.roles().len()), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Roster {
    members: Vec<Member>,
}

/// Why an actor does not match a roster.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum RosterMismatch {
    /// Nobody on the roster has the actor's id.
    NotOnRoster,
    /// The roster knows the id under another name.
    OtherName(String),
    /// The roster does not give the person the role.
    RoleNotHeld(Vec<Role>),
}

impl Roster {
    /// Gathers people in roles into one roster, merging the roles of one
    /// id; gives the id and both names of a person listed under two names.
    pub(crate) fn gather<'a>(
        people: impl IntoIterator<Item = &'a Actor>,
    ) -> Result<Roster, (PersonId, String, String)> {
        let mut members: Vec<Member> = Vec::new();
        for actor in people {
            match members.iter_mut().find(|member| &member.id == actor.id()) {
                Some(member) if member.name != actor.name() => {
                    return Err((actor.id().clone(), member.name.clone(), actor.name().to_owned()));
                }
                Some(member) => {
                    if !member.holds(actor.role()) {
                        member.roles.push(actor.role().clone());
                    }
                }
                None => members.push(Member {
                    id: actor.id().clone(),
                    name: actor.name().to_owned(),
                    roles: vec![actor.role().clone()],
                }),
            }
        }
        Ok(Roster { members })
    }

    /// Everyone on the roster, in the order they were given.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The person with this id, if they are on the roster.
    pub fn member(&self, id: &PersonId) -> Option<&Member> {
        self.members.iter().find(|member| &member.id == id)
    }

    /// The people who hold one of `roles`, in roster order.
    pub fn holders<'a>(&'a self, roles: &'a [Role]) -> impl Iterator<Item = &'a Member> + 'a {
        self.members.iter().filter(move |member| member.holds_any(roles))
    }

    /// Checks that the roster gives `actor`'s id their name and role.
    pub(crate) fn check(&self, actor: &Actor) -> Result<&Member, RosterMismatch> {
        let member = self.member(actor.id()).ok_or(RosterMismatch::NotOnRoster)?;
        if member.name != actor.name() {
            return Err(RosterMismatch::OtherName(member.name.clone()));
        }
        if !member.holds(actor.role()) {
            return Err(RosterMismatch::RoleNotHeld(member.roles.clone()));
        }
        Ok(member)
    }
}

/// A change to a release's roster, recorded as an audited event with a
/// reason ([`Release::add_member`](crate::Release::add_member),
/// [`hand_over`](crate::Release::hand_over),
/// [`remove_member`](crate::Release::remove_member)).
///
/// Stored with a `kind` tag: `{"kind": "handed-over", "from": "ada",
/// "to": {"id": "grace", "name": "Grace", "role": "release-manager"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RosterChange {
    /// A person joins the roster in a role, or someone on it takes on one
    /// more.
    Added {
        /// The person, in the role they take on.
        member: Actor,
    },
    /// A role passes from one person to another: `from` gives it up (and
    /// leaves the roster if it was their last), `to` takes it on.
    HandedOver {
        /// Who gives the role up.
        from: PersonId,
        /// Who takes it on, in the role handed over.
        to: Actor,
    },
    /// A person leaves the roster with every role they held; the approvals
    /// they gave lapse.
    Removed {
        /// Who leaves.
        person: PersonId,
    },
}

impl fmt::Display for RosterChange {
    /// `added Grace [grace] as change-approver`, `handed release-manager
    /// over from ada to Grace [grace]`, `removed ada from the roster`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RosterChange::Added { member } => {
                write!(f, "added {} [{}] as {}", member.name(), member.id(), member.role())
            }
            RosterChange::HandedOver { from, to } => {
                write!(f, "handed {} over from {from} to {} [{}]", to.role(), to.name(), to.id())
            }
            RosterChange::Removed { person } => write!(f, "removed {person} from the roster"),
        }
    }
}

/// Why a [`RosterChange`] is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RosterProblem {
    /// The person named is not on the roster.
    NotOnRoster {
        /// The id named.
        person: PersonId,
        /// Who is on the roster, in words.
        roster: String,
    },
    /// The roster knows the id under another name.
    OtherName {
        /// The id.
        person: PersonId,
        /// The name the change gives.
        claimed: String,
        /// The name on the roster.
        rostered: String,
    },
    /// The person already holds the role.
    AlreadyHolds {
        /// The person.
        person: PersonId,
        /// The role.
        role: Role,
    },
    /// The person handing a role over does not hold it.
    RoleNotHeld {
        /// The person.
        person: PersonId,
        /// The role.
        role: Role,
        /// The roles they hold, in words.
        held: String,
    },
    /// A role handed from someone to themselves.
    SamePerson {
        /// The person.
        person: PersonId,
    },
    /// The change would leave nobody in a role every release needs (its
    /// release manager's or its on-call engineer's).
    LastHolder {
        /// The person.
        person: PersonId,
        /// The role nobody else holds.
        role: Role,
    },
    /// A role the checklist's policy does not declare.
    UndeclaredRole {
        /// The role.
        role: Role,
        /// The roles the policy declares, in words.
        declared: String,
    },
    /// The release is rolled back: its roster is history.
    ReleaseOver,
}

impl fmt::Display for RosterProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RosterProblem::NotOnRoster { person, roster } => {
                write!(f, "{person} is not on the roster, which lists {roster}")
            }
            RosterProblem::OtherName { person, claimed, rostered } => write!(
                f,
                "{person} is on the roster as \"{rostered}\", not \"{claimed}\": one person has one name on a roster"
            ),
            RosterProblem::AlreadyHolds { person, role } => {
                write!(f, "{person} already holds {role}: nothing to change")
            }
            RosterProblem::RoleNotHeld { person, role, held } => {
                write!(
                    f,
                    "{person} does not hold {role} (the roster gives them {held}), so cannot hand it over"
                )
            }
            RosterProblem::SamePerson { person } => {
                write!(f, "{person} would hand a role over to themselves")
            }
            RosterProblem::LastHolder { person, role } => write!(
                f,
                "{person} is the only {role} on the roster, and a release always has one: {}",
                crate::action::NextAction::HandOverRole.describe()
            ),
            RosterProblem::UndeclaredRole { role, declared } => {
                write!(f, "{role} is not a role the checklist's policy declares: use one of {declared}")
            }
            RosterProblem::ReleaseOver => {
                f.write_str("the release is rolled back: its roster no longer changes")
            }
        }
    }
}

impl Roster {
    /// Who is on the roster, in words, for messages.
    pub(crate) fn describe(&self) -> String {
        self.members.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    }

    /// The roster after `change`, keeping someone in each of `kept` (the
    /// roles every release needs); the roster is unchanged.
    pub(crate) fn changed(&self, change: &RosterChange, kept: &[&Role]) -> Result<Roster, RosterProblem> {
        let mut next = self.clone();
        match change {
            RosterChange::Added { member } => next.add(member)?,
            RosterChange::HandedOver { from, to } => {
                if from == to.id() {
                    return Err(RosterProblem::SamePerson { person: from.clone() });
                }
                let giver = self.known(from)?;
                if !giver.holds(to.role()) {
                    return Err(RosterProblem::RoleNotHeld {
                        person: from.clone(),
                        role: to.role().clone(),
                        held: giver.roles.iter().map(Role::as_str).collect::<Vec<_>>().join(", "),
                    });
                }
                next.add(to)?;
                next.give_up(from, to.role());
            }
            RosterChange::Removed { person } => {
                let leaving = self.known(person)?;
                for role in kept.iter().filter(|role| leaving.holds(role)) {
                    if self.holders(std::slice::from_ref(*role)).count() == 1 {
                        return Err(RosterProblem::LastHolder {
                            person: person.clone(),
                            role: (*role).clone(),
                        });
                    }
                }
                next.members.retain(|member| &member.id != person);
            }
        }
        Ok(next)
    }

    fn known(&self, person: &PersonId) -> Result<&Member, RosterProblem> {
        self.member(person)
            .ok_or_else(|| RosterProblem::NotOnRoster { person: person.clone(), roster: self.describe() })
    }

    /// Gives `actor` their role, adding them if they are new.
    fn add(&mut self, actor: &Actor) -> Result<(), RosterProblem> {
        match self.members.iter_mut().find(|member| &member.id == actor.id()) {
            Some(member) if member.name != actor.name() => Err(RosterProblem::OtherName {
                person: actor.id().clone(),
                claimed: actor.name().to_owned(),
                rostered: member.name.clone(),
            }),
            Some(member) if member.holds(actor.role()) => {
                Err(RosterProblem::AlreadyHolds { person: actor.id().clone(), role: actor.role().clone() })
            }
            Some(member) => {
                member.roles.push(actor.role().clone());
                Ok(())
            }
            None => {
                self.members.push(Member {
                    id: actor.id().clone(),
                    name: actor.name().to_owned(),
                    roles: vec![actor.role().clone()],
                });
                Ok(())
            }
        }
    }

    /// Takes `role` from `person`; a person left with no role leaves.
    fn give_up(&mut self, person: &PersonId, role: &Role) {
        for member in self.members.iter_mut().filter(|member| &member.id == person) {
            member.roles.retain(|held| held != role);
        }
        self.members.retain(|member| !member.roles.is_empty());
    }
}
