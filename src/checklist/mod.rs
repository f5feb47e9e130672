//! Checklists as data: templates of items, and the status of each item in a
//! release.
//!
//! # Checklists are data
//!
//! [`Template::octoacme`] is the OctoAcme release management checklist,
//! word for word: 66 items in 12 sections. A team writes its own with
//! [`Template::builder`], or loads one with serde from JSON or TOML; every
//! path validates it, and errors name the item at fault.
//! `examples/templates/team.toml` is a complete, commented template file:
//! a short team checklist with its rollback criteria, its policy and its
//! restoration item.
//!
//! ```toml
#![doc = include_str!("../../examples/templates/team.toml")]
//! ```
//!
//! `team.json` is its twin, for serde's JSON:
//!
//! ```
//! use release_workflow::Template;
//!
//! let team: Template = serde_json::from_str(include_str!("../../examples/templates/team.json"))?;
//! assert_eq!(team.name(), "Payments API");
//! let restoration = team.restoration().ok_or("declared in the file")?;
//! assert_eq!(restoration.id().as_str(), "rollback.traffic-restored");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A template also names its **restoration item**
//! ([`Template::restoration`]): the rollback item whose settling marks
//! service restored, where the recovery-time metric ends a failure.
//!
//! # Checklists in Markdown
//!
//! Teams keep checklists as Markdown task lists in issues and wikis, so a
//! template reads from one ([`Template::from_markdown`]) and writes to one
//! ([`Template::to_markdown`]), and a release's checklist exports as
//! GitHub-flavored Markdown to paste into an issue
//! ([`Release::to_markdown`](crate::Release::to_markdown)), whose ticked boxes come back as events
//! ([`Release::apply_markdown`](crate::Release::apply_markdown)). The conventions:
//!
//! - the first `# Heading` is the template's name;
//! - every other heading with task items (`- [ ] ...`) under it is a
//!   section; headings without task items, plain bullets and paragraphs
//!   are prose;
//! - a task item is an item; a title ending in "(if applicable)" or
//!   "(if needed)" makes it [`IfApplicable`](Requirement::IfApplicable),
//!   and the marker is not part of the title;
//! - **annotations** are HTML comments, which GitHub does not show,
//!   written `<!-- key: value; key: value -->`. On a heading (on its line,
//!   or on a line of its own in the section): `gate` (of the section's
//!   items) and `id` (the prefix of their derived ids). At the end of an
//!   item's line: `id`, `gate`, `requirement` (`required` or
//!   `if-applicable`; the title is then taken as written),
//!   `settled-on-entering` (a stage) and `restoration: yes`. A comment that
//!   does not start with a lowercase `key:` is prose (`<!-- TODO: ask QA -->`);
//! - a fenced block whose info string has the word `release-workflow`
//!   (```` ```json release-workflow ````) holds the template's `criteria`
//!   and `policy` as JSON;
//! - what the Markdown does not say, a [`MarkdownImport`] map says: gates
//!   and id prefixes by section, ids and gates by item title, the name,
//!   criteria and policy. An annotation wins over the map; an item with no
//!   id gets `section-prefix.title-in-kebab-case`.
//!
//! A template's boxes are all open, lists are one level deep, and titles
//! differ within a section (unless each carries an `id`): each is refused
//! with the line at fault. [`MarkdownImport::octoacme`] reads the source
//! OctoAcme document to [`Template::octoacme`], item for item.
//!
//! [`Template::mermaid`] draws the workflow as a Mermaid state diagram.

mod diagram;
mod error;
#[cfg(feature = "toml")]
mod file;
mod item;
pub(crate) mod markdown;
mod octoacme;
mod pin;
mod status;
mod template;

pub use error::TemplateError;
pub use item::{Item, ItemId, MAX_ID_CHARS, Requirement};
pub use markdown::{MarkdownError, MarkdownImport};
pub use octoacme::OCTOACME_NAME;
pub use pin::{ItemField, TemplateDifference};
pub use status::ItemStatus;
pub use template::{Template, TemplateBuilder};
