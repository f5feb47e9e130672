//! Who did something: a person or a system, with the role they acted in.

use std::fmt;

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr, VariantArray};

use crate::Error;
use crate::text::check_line;

/// The longest actor name accepted, in characters.
pub const MAX_ACTOR_NAME_CHARS: usize = 120;

/// The part someone plays in a release.
///
/// Displays and parses in kebab case (`"release-manager"`), ignoring ASCII
/// case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case", ascii_case_insensitive)]
#[non_exhaustive]
pub enum Role {
    /// Owns the release and its checklist.
    ReleaseManager,
    /// Carries the pager while the release is out.
    OnCallEngineer,
    /// Writes and ships the changes.
    Developer,
    /// Tests the release.
    QaEngineer,
    /// Reviews the release's security.
    SecurityEngineer,
    /// Runs the platform the release lands on.
    Sre,
    /// Decides on scope and accepts the release for the business.
    ProductOwner,
    /// Answers the customers the release affects.
    Support,
    /// A pipeline, bot or workflow engine acting on its own.
    Automation,
}

impl Role {
    /// Parses a role name in kebab case, ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] when the text names no role.
    pub fn parse(text: &str) -> Result<Role, Error> {
        text.parse().map_err(|_| Error::unknown_name::<Role>("role", text))
    }
}

/// Who did something, recorded with every event.
///
/// The name is a single line of 1 to [`MAX_ACTOR_NAME_CHARS`] characters with no
/// leading or trailing whitespace; deserialization checks it too.
///
/// ```
/// use release_workflow::{Actor, Role};
///
/// let ada = Actor::new("Ada Lovelace", Role::ReleaseManager)?;
/// assert_eq!(ada.to_string(), "Ada Lovelace (release-manager)");
/// assert!(Actor::new("  ", Role::Developer).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "ActorFields")]
pub struct Actor {
    name: String,
    role: Role,
}

#[derive(Deserialize)]
struct ActorFields {
    name: String,
    role: Role,
}

impl TryFrom<ActorFields> for Actor {
    type Error = Error;

    fn try_from(fields: ActorFields) -> Result<Self, Error> {
        Actor::new(fields.name, fields.role)
    }
}

impl Actor {
    /// An actor with a name and a role.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidText`] when the name is empty, has surrounding
    /// whitespace or control characters, or is longer than
    /// [`MAX_ACTOR_NAME_CHARS`].
    pub fn new(name: impl Into<String>, role: Role) -> Result<Actor, Error> {
        let name = name.into();
        check_line("actor name", &name, MAX_ACTOR_NAME_CHARS)?;
        Ok(Actor { name, role })
    }

    /// The actor's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The role the actor acts in.
    pub fn role(&self) -> Role {
        self.role
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.role)
    }
}
