//! Who did something: a person with a stable id and a display name, acting
//! in one of the roles a team defines.
//!
//! An [`Actor`] is who an event records: a [`PersonId`] that stays the same
//! (a username, an email), the name people see, and the [`Role`] the person
//! acts in. Roles are names a team defines in its policy; the built-in ones
//! are constants (`Role::RELEASE_MANAGER`, ...). Which roles a person holds
//! on a release, its [`Roster`](crate::roster::Roster) says.
//!
//! ```
//! use release_workflow::{Actor, Role};
//!
//! let ada = Actor::new("ada@octoacme.com", "Ada Lovelace", Role::RELEASE_MANAGER)?;
//! let dba = Role::new("dba")?;
//! let as_dba = ada.acting_as(dba.clone());
//! assert_eq!((as_dba.id(), as_dba.role()), (ada.id(), &dba));
//! assert!(Role::new("database admin").is_err(), "a role is a kebab-case name");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::text::{TextError, check_line, kebab_problem, shorten};

/// The longest actor name accepted, in characters.
pub const MAX_ACTOR_NAME_CHARS: usize = 120;

/// The longest person id accepted, in characters.
pub const MAX_PERSON_ID_CHARS: usize = 120;

/// The longest role name accepted, in characters.
pub const MAX_ROLE_CHARS: usize = 60;

/// The part someone plays in a release: a name a team defines, in kebab
/// case (`"release-manager"`, `"cab-member"`, `"dba"`).
///
/// Roles are data: a template's [`Policy`](crate::policy::Policy) declares the
/// roles it knows and grants them actions, and a release's
/// [`Roster`](crate::roster::Roster) says who holds which. The constants name the
/// roles the built-in OctoAcme policy uses; a team adds its own with
/// [`Role::new`] or `parse`.
///
/// `FromStr` ignores ASCII case (`"DBA"` is `dba`); serde takes the exact,
/// lowercase name only, so a stored log has one spelling.
///
/// ```
/// use release_workflow::Role;
///
/// let dba: Role = "DBA".parse()?;
/// assert_eq!(dba, Role::new("dba")?);
/// assert_eq!(Role::RELEASE_MANAGER.as_str(), "release-manager");
/// assert!(Role::new("change approver").is_err()); // kebab case: change-approver
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role(Cow<'static, str>);

impl Role {
    /// Owns the release and its checklist.
    pub const RELEASE_MANAGER: Role = Role(Cow::Borrowed("release-manager"));
    /// Carries the pager while the release is out.
    pub const ON_CALL_ENGINEER: Role = Role(Cow::Borrowed("on-call-engineer"));
    /// Writes and ships the changes.
    pub const DEVELOPER: Role = Role(Cow::Borrowed("developer"));
    /// Tests the release.
    pub const QA_ENGINEER: Role = Role(Cow::Borrowed("qa-engineer"));
    /// Reviews the release's security.
    pub const SECURITY_ENGINEER: Role = Role(Cow::Borrowed("security-engineer"));
    /// Runs the platform the release lands on.
    pub const SRE: Role = Role(Cow::Borrowed("sre"));
    /// Decides on scope and accepts the release for the business.
    pub const PRODUCT_OWNER: Role = Role(Cow::Borrowed("product-owner"));
    /// Answers the customers the release affects.
    pub const SUPPORT: Role = Role(Cow::Borrowed("support"));
    /// Approves changes for production: a change advisory board's voice.
    pub const CHANGE_APPROVER: Role = Role(Cow::Borrowed("change-approver"));
    /// A pipeline, bot or workflow engine acting on its own.
    pub const AUTOMATION: Role = Role(Cow::Borrowed("automation"));

    /// The roles this crate names, in the order above.
    pub const BUILT_IN: &'static [Role] = &[
        Role::RELEASE_MANAGER,
        Role::ON_CALL_ENGINEER,
        Role::DEVELOPER,
        Role::QA_ENGINEER,
        Role::SECURITY_ENGINEER,
        Role::SRE,
        Role::PRODUCT_OWNER,
        Role::SUPPORT,
        Role::CHANGE_APPROVER,
        Role::AUTOMATION,
    ];

    /// A role with this exact name.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidId`] unless the name is 1 to [`MAX_ROLE_CHARS`]
    /// characters of lowercase kebab case (`a-z`, `0-9`, single hyphens
    /// inside).
    pub fn new(name: &str) -> Result<Role, TextError> {
        // The built-in roles are valid, and most roles named are built in.
        if let Some(known) = Role::BUILT_IN.iter().find(|known| known.as_str() == name) {
            return Ok(known.clone());
        }
        match kebab_problem(name, MAX_ROLE_CHARS) {
            None => Ok(Role(Cow::Owned(name.to_owned()))),
            Some(problem) => Err(TextError::InvalidId {
                what: "role",
                id: shorten(name),
                problem,
                rule: "write lowercase kebab case (letters, digits, single hyphens inside) such as `change-approver`",
            }),
        }
    }

    /// Parses a role name, ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// As [`Role::new`].
    pub fn parse(name: &str) -> Result<Role, TextError> {
        Role::new(&name.to_ascii_lowercase())
    }

    /// The role's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl std::str::FromStr for Role {
    type Err = TextError;

    fn from_str(text: &str) -> Result<Role, TextError> {
        Role::parse(text)
    }
}

impl AsRef<str> for Role {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Role, D::Error> {
        // Borrowed where the input lends it: every event names a role.
        let crate::text::Text(name) = crate::text::Text::deserialize(deserializer)?;
        Role::new(&name).map_err(serde::de::Error::custom)
    }
}

/// A person's stable id: what a [`Roster`](crate::roster::Roster) knows them by and
/// what segregation of duties compares, whatever name they display. An
/// email address, a username, an employee number: 1 to
/// [`MAX_PERSON_ID_CHARS`] characters with no whitespace or control
/// characters.
///
/// ```
/// use release_workflow::PersonId;
///
/// let ada: PersonId = "ada@octoacme.com".parse()?;
/// assert_eq!(ada.as_str(), "ada@octoacme.com");
/// assert!("Ada Lovelace".parse::<PersonId>().is_err()); // a name, not an id
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonId(String);

impl PersonId {
    /// Parses and checks a person id.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidId`] for an empty or too long id, or one with
    /// whitespace or control characters.
    pub fn parse(text: &str) -> Result<PersonId, TextError> {
        let problem = if text.is_empty() {
            "is empty"
        } else if text.chars().count() > MAX_PERSON_ID_CHARS {
            "is too long"
        } else if text.chars().any(|c| c.is_whitespace() || crate::text::breaks_line(c)) {
            "contains whitespace or a control character: an id is one word, such as a username or an email"
        } else {
            return Ok(PersonId(text.to_owned()));
        };
        Err(TextError::InvalidId {
            what: "person id",
            id: shorten(text),
            problem,
            rule: "write one word, such as a username (`ada`) or an email (`ada@octoacme.com`)",
        })
    }
}

crate::id::text_newtype!(PersonId, TextError);

/// Who did something, recorded with every event: a person's stable
/// [`PersonId`], the name they display, and the role they act in.
///
/// On a release whose checklist has a [`Policy`](crate::policy::Policy), the
/// release's [`Roster`](crate::roster::Roster) decides: an actor off the roster, or
/// claiming a role or a name the roster does not give their id, is refused.
/// Who the caller is stays the calling tool's business (authentication);
/// what they may do is this crate's (authorization).
///
/// The name is a single line of 1 to [`MAX_ACTOR_NAME_CHARS`] characters with
/// no leading or trailing whitespace; deserialization checks it too. Stored
/// actors of formats 1 to 3 had no id: they read with their name as id.
///
/// ```
/// use release_workflow::{Actor, Role};
///
/// let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
/// assert_eq!(ada.to_string(), "Ada Lovelace (release-manager)");
/// assert_eq!(ada.id().as_str(), "ada");
/// assert!(Actor::new("ada", "  ", Role::DEVELOPER).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "ActorFields")]
pub struct Actor {
    /// Shared, because an actor is recorded with every event and every
    /// settled item: a clone is a count, and a loaded release keeps one
    /// copy of each person (see `Actor::share_with`); the
    /// `many_releases` bench in `benches/integrity.rs` measures the heap
    /// this saves.
    parts: Arc<ActorParts>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct ActorParts {
    id: PersonId,
    name: String,
    role: Role,
}

impl fmt::Debug for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Actor")
            .field("id", &self.parts.id)
            .field("name", &self.parts.name)
            .field("role", &self.parts.role)
            .finish()
    }
}

impl PersonId {
    /// Stored formats 1 to 3 knew people by name: their name is their id.
    fn from_name(name: &str) -> PersonId {
        PersonId(name.to_owned())
    }
}

impl Serialize for Actor {
    /// The id is written only when it differs from the name, so that an
    /// actor of a format-3 log (which had no id) encodes, and chains, as it
    /// did.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let ActorParts { id, name, role } = &*self.parts;
        let id_is_name = id.as_str() == name;
        let mut fields = serializer.serialize_struct("Actor", if id_is_name { 2 } else { 3 })?;
        if id_is_name {
            fields.skip_field("id")?;
        } else {
            fields.serialize_field("id", id)?;
        }
        fields.serialize_field("name", name)?;
        fields.serialize_field("role", role)?;
        fields.end()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorFields {
    #[serde(default)]
    id: Option<String>,
    name: String,
    role: Role,
}

impl TryFrom<ActorFields> for Actor {
    type Error = TextError;

    fn try_from(fields: ActorFields) -> Result<Self, TextError> {
        check_line("actor name", &fields.name, MAX_ACTOR_NAME_CHARS)?;
        let id = match fields.id {
            Some(id) => PersonId::parse(&id)?,
            None => PersonId::from_name(&fields.name),
        };
        Ok(Actor::from_parts(id, fields.name, fields.role))
    }
}

impl Actor {
    /// An actor: the person with this id and display name, acting in
    /// `role`.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidId`] for a bad id (see [`PersonId`]);
    /// [`TextError::InvalidText`] when the name is empty, has surrounding
    /// whitespace or control characters, or is longer than
    /// [`MAX_ACTOR_NAME_CHARS`].
    pub fn new(id: &str, name: impl Into<String>, role: Role) -> Result<Actor, TextError> {
        let id = PersonId::parse(id)?;
        let name = name.into();
        check_line("actor name", &name, MAX_ACTOR_NAME_CHARS)?;
        Ok(Actor::from_parts(id, name, role))
    }

    fn from_parts(id: PersonId, name: String, role: Role) -> Actor {
        Actor { parts: Arc::new(ActorParts { id, name, role }) }
    }

    /// A person whose id and name a roster already checked.
    pub(crate) fn on_roster(id: PersonId, name: String, role: Role) -> Actor {
        Actor::from_parts(id, name, role)
    }

    /// The same person acting in another role.
    pub fn acting_as(&self, role: Role) -> Actor {
        Actor::from_parts(self.parts.id.clone(), self.parts.name.clone(), role)
    }

    /// The person's stable id.
    pub fn id(&self) -> &PersonId {
        &self.parts.id
    }

    /// The person's display name.
    pub fn name(&self) -> &str {
        &self.parts.name
    }

    /// The role the actor acts in.
    pub fn role(&self) -> &Role {
        &self.parts.role
    }

    /// Makes this actor share its text with the first equal one of
    /// `known`: a loaded release keeps one copy of each person however
    /// many events they recorded.
    pub(crate) fn share_with<'a>(&mut self, known: impl IntoIterator<Item = &'a Actor>) {
        for other in known {
            if Arc::ptr_eq(&other.parts, &self.parts) {
                return;
            }
            if other.parts == self.parts {
                self.parts = Arc::clone(&other.parts);
                return;
            }
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.parts.name, self.parts.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_shows_its_parts_and_shares_its_text_with_an_equal_one() {
        let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
        assert_eq!(
            format!("{ada:?}"),
            r#"Actor { id: PersonId("ada"), name: "Ada", role: Role("release-manager") }"#
        );
        assert_eq!(ada.to_string(), "Ada (release-manager)");
        let mut again = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
        let other = ada.acting_as(Role::DEVELOPER);
        assert!(!Arc::ptr_eq(&again.parts, &ada.parts));
        // Not equal: kept apart.
        again.share_with([&other]);
        assert!(!Arc::ptr_eq(&again.parts, &ada.parts) && !Arc::ptr_eq(&again.parts, &other.parts));
        // Equal: shared, and still the same person.
        again.share_with([&other, &ada]);
        assert!(Arc::ptr_eq(&again.parts, &ada.parts));
        assert_eq!(again, ada);
    }
}
