//! Checklists as Markdown task lists: read a team's checklist from the
//! Markdown it already keeps, and write a template back.
//!
//! # The conventions
//!
//! A checklist is read as GitHub-flavored Markdown (by `pulldown-cmark`):
//!
//! - the first `# Heading` is the template's name;
//! - every other heading with task items under it (`- [ ] ...`, before the
//!   next heading) is a section; headings without task items (phases,
//!   "Purpose") are prose, and so are plain bullets and paragraphs;
//! - a task item is an item; its title is its text, and a title ending in
//!   "(if applicable)" or "(if needed)" makes it
//!   [`IfApplicable`](crate::Requirement::IfApplicable) (the marker is not
//!   part of the title);
//! - **annotations** are HTML comments, which GitHub does not show:
//!   `<!-- key: value; key: value -->`. On a heading (on its line, or on a
//!   line of its own in the section): `gate` (of the section's items) and
//!   `id` (the prefix of their derived ids). On an item, at the end of its
//!   line: `id`, `gate`, `requirement` (`required` or `if-applicable`,
//!   then the title is taken as written), `settled-on-entering` (a stage)
//!   and `restoration: yes`. Comments that do not start with a lowercase
//!   `key:` are prose (`<!-- TODO: ask QA -->`);
//! - a fenced block whose info string has the word `release-workflow`
//!   (```` ```json release-workflow ````) holds the template's settings as
//!   JSON: its `criteria` and `policy`, as serde writes them;
//! - what the Markdown does not say, a [`MarkdownImport`] map says (gates
//!   by section, ids by title, the name, criteria, policy); an annotation
//!   wins over the map, and an item without an id gets
//!   `section-prefix.title-in-kebab-case`.
//!
//! A template's boxes are all open, lists are one level deep, and titles
//! differ within a section: each is refused with the line at fault.
//! [`Template::to_markdown`](crate::Template::to_markdown) writes these
//! conventions, so its output reads back to an equal template.

mod error;
mod export;
mod import;
mod map;
mod parse;

pub use error::MarkdownError;
pub use map::MarkdownImport;

pub(crate) use export::escaped;
pub(crate) use parse::{Block, blocks};

use crate::checklist::template::Template;

impl Template {
    /// Reads a checklist from Markdown, with `map` giving what its
    /// annotations do not; see the crate docs, [Checklists in Markdown](crate#checklists-in-markdown).
    ///
    /// ```
    /// use release_workflow::{Gate, MarkdownImport, Requirement, Template};
    ///
    /// let markdown = "\
    /// # Web app
    ///
    /// ## Before deploying <!-- gate: deploy -->
    ///
    /// - [ ] Tests passing <!-- id: ship.tests -->
    /// - [ ] Feature flags configured (if applicable)
    ///
    /// ## After <!-- gate: post-release -->
    ///
    /// - [ ] Release notes published
    /// ";
    /// let template = Template::from_markdown(markdown, &MarkdownImport::new())?;
    /// assert_eq!(template.name(), "Web app");
    /// let flags = template.item("before-deploying.feature-flags-configured").ok_or("missing")?;
    /// assert_eq!(flags.requirement(), Requirement::IfApplicable);
    /// assert_eq!(template.item("ship.tests").map(|item| item.gate()), Some(Gate::Deploy));
    ///
    /// // The source OctoAcme checklist reads as the built-in template.
    /// let source = include_str!("../../../tests/fixtures/release-management-checklist.md");
    /// assert_eq!(Template::from_markdown(source, &MarkdownImport::octoacme())?, Template::octoacme());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MarkdownError`], naming the line: an item outside any section, a
    /// title repeated within a section, a section repeated, no items, a
    /// nested list, a ticked box, an item without a gate, an annotation or
    /// settings block that cannot be read, or a template rule broken (a
    /// malformed id, an item no role may settle...).
    pub fn from_markdown(markdown: &str, map: &MarkdownImport) -> Result<Template, MarkdownError> {
        import::import(markdown, map)
    }

    /// The checklist as Markdown that [`from_markdown`](Template::from_markdown)
    /// reads back to an equal template, with an empty map: sections as
    /// `##` headings, items as open boxes annotated with their ids (and
    /// gates, where a section's items do not share one), the criteria and
    /// policy in a settings block. It renders on GitHub as a plain
    /// checklist.
    ///
    /// ```
    /// use release_workflow::{MarkdownImport, Template};
    ///
    /// let octoacme = Template::octoacme();
    /// let markdown = octoacme.to_markdown();
    /// assert!(markdown.contains("- [ ] Code freeze initiated (if applicable) <!-- id: build.code-freeze; gate: freeze -->"));
    /// assert_eq!(Template::from_markdown(&markdown, &MarkdownImport::new())?, octoacme);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        export::template_markdown(self)
    }
}
