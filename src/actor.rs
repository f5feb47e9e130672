//! Who did something: a person or a system, with the role they acted in.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::{TextError, check_line, named_enum};

/// The longest actor name accepted, in characters.
pub const MAX_ACTOR_NAME_CHARS: usize = 120;

/// The part someone plays in a release.
///
/// Displays and parses in kebab case (`"release-manager"`), ignoring ASCII
/// case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

named_enum!(Role, "role", {
    ReleaseManager => "release-manager",
    OnCallEngineer => "on-call-engineer",
    Developer => "developer",
    QaEngineer => "qa-engineer",
    SecurityEngineer => "security-engineer",
    Sre => "sre",
    ProductOwner => "product-owner",
    Support => "support",
    Automation => "automation",
});

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
#[serde(deny_unknown_fields)]
struct ActorFields {
    name: String,
    role: Role,
}

impl TryFrom<ActorFields> for Actor {
    type Error = TextError;

    fn try_from(fields: ActorFields) -> Result<Self, TextError> {
        Actor::new(fields.name, fields.role)
    }
}

impl Actor {
    /// An actor with a name and a role.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidText`] when the name is empty, has surrounding
    /// whitespace or control characters, or is longer than
    /// [`MAX_ACTOR_NAME_CHARS`].
    pub fn new(name: impl Into<String>, role: Role) -> Result<Actor, TextError> {
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
