//! Checklists as Markdown task lists: read a team's checklist from the
//! Markdown it already keeps, and write a template back. The conventions
//! are the crate docs' "Checklists in Markdown"; `parse` walks the events
//! of `pulldown-cmark`, `import` turns its blocks into a template, `export`
//! writes one so that it reads back equal.

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
    /// use release_workflow::{Gate, Template, checklist::{MarkdownImport, Requirement}};
    ///
    /// let markdown = concat!(
    ///     "# Web app\n",
    ///     "\n",
    ///     "## Before deploying <!-- gate: deploy -->\n",
    ///     "\n",
    ///     "- [ ] Tests passing <!-- id: ship.tests -->\n",
    ///     "- [ ] Feature flags configured (if applicable)\n",
    ///     "\n",
    ///     "## After <!-- gate: post-release -->\n",
    ///     "\n",
    ///     "- [ ] Release notes published\n",
    /// );
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
    /// use release_workflow::{Template, checklist::MarkdownImport};
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
