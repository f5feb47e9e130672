//! What the checklist layer refuses: items and templates that break the
//! rules of a checklist.

use crate::health::HealthError;
use crate::policy::PolicyError;
use crate::text::TextError;

/// A checklist item or template the crate refuses, naming the item,
/// section or criterion at fault.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// A checklist item that a template cannot hold.
    #[error("checklist item `{item}` {problem}")]
    InvalidItem {
        /// The item's id.
        item: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A template whose name or sections break the rules.
    #[error("template \"{template}\" {problem}")]
    InvalidTemplate {
        /// The template's name.
        template: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A rollback criterion id given twice.
    #[error("rollback criterion `{criterion}` appears twice: criterion ids must be unique")]
    DuplicateCriterion {
        /// The criterion's id.
        criterion: String,
    },

    /// A template file that cannot be read as a template.
    #[error("the {format} template cannot be read: {problem}")]
    Unreadable {
        /// The file's format.
        format: &'static str,
        /// What the reader refused, with its line.
        problem: String,
    },

    /// An item id or title that breaks the text rules.
    #[error(transparent)]
    Text(#[from] TextError),

    /// A rollback criterion that cannot be judged.
    #[error(transparent)]
    Health(#[from] HealthError),

    /// A policy that names what the checklist lacks, or leaves work nobody
    /// may do.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}
