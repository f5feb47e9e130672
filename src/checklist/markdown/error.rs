//! What reading a Markdown checklist refuses, each naming the line.

use crate::checklist::error::TemplateError;

/// Markdown the crate cannot read as a checklist, naming the line (counted
/// from 1) and what to change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MarkdownError {
    /// A task item before any section heading.
    #[error("line {line}: the item is outside any section: put a heading (`## Section`) above it")]
    OutsideSection {
        /// The item's line.
        line: usize,
    },

    /// Two items of one section with the same title.
    #[error(
        "line {line}: section \"{section}\" already has an item \"{title}\" (line {first_line}): \
         titles within a section must differ, or each carry an `id` annotation"
    )]
    DuplicateTitle {
        /// The second item's line.
        line: usize,
        /// The first item's line.
        first_line: usize,
        /// The section.
        section: String,
        /// The repeated title.
        title: String,
    },

    /// Two headings with items and the same title.
    #[error(
        "line {line}: section \"{section}\" already appears at line {first_line}: section titles \
         must differ"
    )]
    DuplicateSection {
        /// The second heading's line.
        line: usize,
        /// The first heading's line.
        first_line: usize,
        /// The repeated title.
        section: String,
    },

    /// No task items at all.
    #[error(
        "the Markdown has no task items: write each checklist item as `- [ ] title` under a \
         section heading"
    )]
    NoItems,

    /// A list inside a list item.
    #[error(
        "line {line}: a nested list: a checklist is one level deep, so make each sub-item an item \
         of its own"
    )]
    NestedList {
        /// The nested list's first line.
        line: usize,
    },

    /// A ticked box in a template: a template's items are all open.
    #[error(
        "line {line}: \"{title}\" is ticked, but a template's boxes are all open: untick it \
         (`- [ ]`)"
    )]
    Ticked {
        /// The item's line.
        line: usize,
        /// The item's title.
        title: String,
    },

    /// A task item with no title.
    #[error("line {line}: the item has no title: write what is to be done after `- [ ]`")]
    EmptyTitle {
        /// The item's line.
        line: usize,
    },

    /// An item whose gate neither the Markdown nor the mapping gives.
    #[error(
        "line {line}: no gate for \"{title}\" in section \"{section}\": annotate the heading or \
         the item (`<!-- gate: deploy -->`), or map the section"
    )]
    NoGate {
        /// The item's line.
        line: usize,
        /// The section.
        section: String,
        /// The item's title.
        title: String,
    },

    /// No template name: no `# Title` heading and none given.
    #[error(
        "the checklist has no name: start the Markdown with a `# Title` heading, or give one with \
         `MarkdownImport::name`"
    )]
    NoName,

    /// An annotation comment that cannot be read.
    #[error("line {line}: {problem}")]
    Annotation {
        /// The annotation's line.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },

    /// A settings block (criteria and policy) that cannot be read.
    #[error("line {line}: the `release-workflow` settings block {problem}")]
    Settings {
        /// The block's first line.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },

    /// The checklist read breaks a rule of templates.
    #[error("{}{source}", line.map(|line| format!("line {line}: ")).unwrap_or_default())]
    Template {
        /// The line of the item or heading at fault, when one is.
        line: Option<usize>,
        /// What the template refuses.
        source: TemplateError,
    },

    /// A task item that names no item of the release's checklist.
    #[error("line {line}: \"{title}\" is not an item of the release's checklist{hint}")]
    UnknownItem {
        /// The item's line.
        line: usize,
        /// The title or id found.
        title: String,
        /// A "did you mean" hint, or advice.
        hint: String,
    },

    /// One item listed twice.
    #[error("line {line}: item `{item}` is listed twice (first at line {first_line}): keep one")]
    DuplicateItem {
        /// The second line.
        line: usize,
        /// The first line.
        first_line: usize,
        /// The item's id.
        item: String,
    },

    /// A settled item unticked without saying why.
    #[error(
        "line {line}: `{item}` was unticked without a reason: say why at the end of its line \
         (`reason: tests were flaky`), or tick it again"
    )]
    UntickedWithoutReason {
        /// The item's line.
        line: usize,
        /// The item's id.
        item: String,
    },
}

impl MarkdownError {
    /// The line the error is about, counted from 1, when it names one.
    pub fn line(&self) -> Option<usize> {
        match self {
            MarkdownError::OutsideSection { line }
            | MarkdownError::DuplicateTitle { line, .. }
            | MarkdownError::DuplicateSection { line, .. }
            | MarkdownError::NestedList { line }
            | MarkdownError::Ticked { line, .. }
            | MarkdownError::EmptyTitle { line }
            | MarkdownError::NoGate { line, .. }
            | MarkdownError::Annotation { line, .. }
            | MarkdownError::Settings { line, .. }
            | MarkdownError::UnknownItem { line, .. }
            | MarkdownError::DuplicateItem { line, .. }
            | MarkdownError::UntickedWithoutReason { line, .. } => Some(*line),
            MarkdownError::Template { line, .. } => *line,
            MarkdownError::NoItems | MarkdownError::NoName => None,
        }
    }
}
