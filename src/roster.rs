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

use serde::Serialize;

use crate::actor::{Actor, PersonId, Role};

/// One person on a release's [`Roster`]: their stable id, display name and
/// every role they hold for the release.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
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
/// knows them by. A call by someone off the roster is refused. The roster is
/// fixed when the release is planned.
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
