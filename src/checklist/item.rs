//! One checklist line: its id, title, section, gate and requirement.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::checklist::error::TemplateError;
use crate::stage::{Gate, Stage};
use crate::text::{MAX_TITLE_CHARS, TextError, check_line, named_enum};

/// The longest item id accepted, in characters.
pub const MAX_ID_CHARS: usize = 100;

crate::id::slug_id!(
    /// The stable id of a checklist item: dot-separated lowercase slugs, such as
    /// `planning.version-confirmed`.
    ///
    /// Each segment is one or more groups of ASCII lowercase letters and digits
    /// joined by single hyphens; the whole id is at most [`MAX_ID_CHARS`]
    /// characters. Ids are what tools store and what errors name, so they never
    /// change once a template is in use.
    ///
    /// ```
    /// use release_workflow::checklist::ItemId;
    ///
    /// let id = ItemId::parse("planning.version-confirmed")?;
    /// assert_eq!(id.as_str(), "planning.version-confirmed");
    /// assert!(ItemId::parse("Planning.Version Confirmed").is_err());
    /// assert!(ItemId::parse("planning..confirmed").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ItemId,
    what = "item id",
    example = "planning.version-confirmed",
    max = MAX_ID_CHARS
);

/// Whether an item must be done for its gate, or may be ruled out.
///
/// The source checklist marks optional items "(if applicable)" or
/// "(if needed)"; they are `IfApplicable`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    /// Settled only by being done, or waived with a reason.
    #[default]
    Required,
    /// Settled by being done, or marked not applicable with a reason.
    IfApplicable,
}

named_enum!(Requirement, "requirement", {
    Required => "required",
    IfApplicable => "if-applicable",
});

/// One line of a checklist.
///
/// An item belongs to a section of its [`Template`](crate::Template), guards
/// a [`Gate`], and is [`Required`](Requirement::Required) or
/// [`IfApplicable`](Requirement::IfApplicable). An item may be settled by the
/// workflow itself when the release enters a stage ("Rollback decision made
/// and communicated" is settled by the rollback); nobody works such an item
/// by hand.
///
/// ```
/// use release_workflow::{Gate, checklist::{Item, Requirement}};
///
/// let item = Item::new("qa.load-test", "Load test passed", "Testing", Gate::Deploy)?
///     .with_requirement(Requirement::IfApplicable);
/// assert_eq!(item.id().as_str(), "qa.load-test");
/// assert_eq!(item.requirement(), Requirement::IfApplicable);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ItemFields")]
pub struct Item {
    id: ItemId,
    title: String,
    section: String,
    gate: Gate,
    requirement: Requirement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    settled_on_entering: Option<Stage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFields {
    id: ItemId,
    title: String,
    section: String,
    gate: Gate,
    #[serde(default)]
    requirement: Requirement,
    #[serde(default)]
    settled_on_entering: Option<Stage>,
}

impl TryFrom<ItemFields> for Item {
    type Error = TemplateError;

    fn try_from(fields: ItemFields) -> Result<Self, TemplateError> {
        let item = Item {
            id: fields.id,
            title: fields.title,
            section: fields.section,
            gate: fields.gate,
            requirement: fields.requirement,
            settled_on_entering: fields.settled_on_entering,
        };
        item.validate()?;
        Ok(item)
    }
}

impl Item {
    /// A required item.
    ///
    /// # Errors
    ///
    /// [`TemplateError::Text`] for a malformed id; [`TemplateError::InvalidItem`]
    /// for an empty, multi-line or over-long title or section.
    pub fn new(id: &str, title: &str, section: &str, gate: Gate) -> Result<Item, TemplateError> {
        let item = Item {
            id: ItemId::parse(id)?,
            title: title.to_owned(),
            section: section.to_owned(),
            gate,
            requirement: Requirement::Required,
            settled_on_entering: None,
        };
        item.validate()?;
        Ok(item)
    }

    /// The same item with this requirement:
    /// [`IfApplicable`](Requirement::IfApplicable) lets it be marked not
    /// applicable; an item is [`Required`](Requirement::Required) otherwise.
    #[must_use]
    pub fn with_requirement(mut self, requirement: Requirement) -> Item {
        self.requirement = requirement;
        self
    }

    /// The same item, settled by the workflow when the release enters
    /// `stage` instead of by hand. A template refuses the item unless its
    /// gate is worked in that stage.
    #[must_use]
    pub fn with_settled_on(mut self, stage: Stage) -> Item {
        self.settled_on_entering = Some(stage);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), TemplateError> {
        let name_item = |error: TextError| TemplateError::InvalidItem {
            item: self.id.to_string(),
            problem: error.to_string(),
        };
        check_line("title", &self.title, MAX_TITLE_CHARS).map_err(name_item)?;
        check_line("section", &self.section, MAX_TITLE_CHARS).map_err(name_item)?;
        if let Some(stage) = self.settled_on_entering
            && !stage.can_work(self.gate)
        {
            return Err(TemplateError::InvalidItem {
                item: self.id.to_string(),
                problem: format!(
                    "is settled on entering {stage}, but {} items cannot be worked in {stage}",
                    self.gate
                ),
            });
        }
        Ok(())
    }

    /// The item's stable id.
    pub fn id(&self) -> &ItemId {
        &self.id
    }

    /// What the checklist says, word for word.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The title of the section the item belongs to.
    pub fn section(&self) -> &str {
        &self.section
    }

    /// The gate the item guards.
    pub fn gate(&self) -> Gate {
        self.gate
    }

    /// Whether the item must be done or may be ruled out.
    pub fn requirement(&self) -> Requirement {
        self.requirement
    }

    /// The stage whose entry settles this item, if the workflow settles it.
    pub fn settled_on(&self) -> Option<Stage> {
        self.settled_on_entering
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"{}\" ({})", self.id, self.title, self.section)?;
        if self.requirement == Requirement::IfApplicable {
            f.write_str(" [if applicable]")?;
        }
        Ok(())
    }
}
