//! Markdown to the blocks a checklist is read from: headings, task items,
//! annotation comments and the settings block, each with its line.
//!
//! `pulldown-cmark` does the Markdown; this module only walks its events.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::checklist::markdown::error::MarkdownError;

/// The info-string word that marks a fenced block as the checklist's
/// settings (criteria and policy, as JSON).
pub(crate) const SETTINGS_WORD: &str = "release-workflow";

/// One annotation comment: `<!-- key: value; key: value -->`, its pairs in
/// the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) line: usize,
    pub(crate) pairs: Vec<(String, String)>,
}

impl Note {
    /// The value of `key`, if the note gives it.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, value)| value.as_str())
    }

    /// Refuses a key outside `allowed`, naming what `what` accepts.
    pub(crate) fn check_keys(&self, what: &str, allowed: &[&str]) -> Result<(), MarkdownError> {
        match self.pairs.iter().find(|(key, _)| !allowed.contains(&key.as_str())) {
            None => Ok(()),
            Some((key, _)) => Err(MarkdownError::Annotation {
                line: self.line,
                problem: format!(
                    "`{key}` is not an annotation of {what}: it takes {}",
                    allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }
}

/// What a checklist is read from, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading: its level (1 to 6), text and annotations.
    Heading { line: usize, level: u8, text: String, notes: Vec<Note> },
    /// A task list item: ticked or not, its text and annotations.
    Task { line: usize, checked: bool, text: String, notes: Vec<Note> },
    /// An annotation comment on a line of its own.
    Note(Note),
    /// A fenced block whose info string has [`SETTINGS_WORD`].
    Settings { line: usize, body: String },
}

/// Where each line starts, to turn byte offsets into line numbers.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1));
        Lines(starts)
    }

    /// The line (from 1) holding byte `offset`.
    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset)
    }
}

/// What is being collected while the events of one block go by.
enum Open {
    Nothing,
    Heading { line: usize, level: u8, text: String, notes: Vec<Note> },
    Item { line: usize, checked: Option<bool>, text: String, notes: Vec<Note> },
    Settings { line: usize, body: String },
    Html { line: usize, html: String },
}

/// The blocks of `markdown`, parsed as GitHub-flavored Markdown (task
/// lists, strikethrough).
pub(crate) fn blocks(markdown: &str) -> Result<Vec<Block>, MarkdownError> {
    let lines = Lines::new(markdown);
    let options = Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    let mut blocks = Vec::new();
    let mut open = Open::Nothing;
    let mut list_depth = 0usize;
    let mut in_code = false;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        let line = lines.of(range.start);
        match event {
            Event::Start(Tag::List(_)) => {
                list_depth += 1;
                if list_depth > 1 {
                    return Err(MarkdownError::NestedList { line });
                }
            }
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Heading { level, .. }) => {
                open = Open::Heading { line, level: level as u8, text: String::new(), notes: Vec::new() };
            }
            Event::Start(Tag::Item) => {
                open = Open::Item { line, checked: None, text: String::new(), notes: Vec::new() };
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let settings = matches!(&kind, CodeBlockKind::Fenced(info)
                    if info.split_whitespace().any(|word| word == SETTINGS_WORD));
                if settings && matches!(open, Open::Nothing) {
                    open = Open::Settings { line, body: String::new() };
                } else {
                    // Code inside an item or a heading is not part of its title.
                    in_code = true;
                }
            }
            Event::Start(Tag::HtmlBlock) if matches!(open, Open::Nothing) => {
                open = Open::Html { line, html: String::new() };
            }
            Event::Start(Tag::Paragraph) => {
                // A second paragraph of an item continues its title.
                if let Open::Item { text, .. } = &mut open
                    && !text.is_empty()
                {
                    text.push(' ');
                }
            }
            Event::TaskListMarker(checked) => {
                if let Open::Item { checked: slot, .. } = &mut open {
                    *slot = Some(checked);
                }
            }
            Event::Text(_) if in_code => {}
            Event::Text(piece) => match &mut open {
                Open::Heading { text, .. } | Open::Item { text, .. } => text.push_str(&piece),
                Open::Settings { body, .. } => body.push_str(&piece),
                Open::Nothing | Open::Html { .. } => {}
            },
            Event::Code(code) => {
                if let Open::Heading { text, .. } | Open::Item { text, .. } = &mut open {
                    text.push('`');
                    text.push_str(&code);
                    text.push('`');
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Open::Heading { text, .. } | Open::Item { text, .. } = &mut open {
                    text.push(' ');
                }
            }
            Event::InlineHtml(html) | Event::Html(html) => match &mut open {
                Open::Heading { text, notes, .. } | Open::Item { text, notes, .. } => {
                    match annotations(&html, line)? {
                        Some(found) => notes.extend(found),
                        None => text.push_str(&html),
                    }
                }
                Open::Html { html: block, .. } => block.push_str(&html),
                Open::Nothing | Open::Settings { .. } => {}
            },
            // Each end closes only what it opened: an item keeps what its
            // inner blocks (a comment on a line of its own, code) add.
            Event::End(TagEnd::Heading(_)) => {
                if let Open::Heading { line, level, text, notes } = &mut open {
                    let text = text.trim().to_owned();
                    blocks.push(Block::Heading {
                        line: *line,
                        level: *level,
                        text,
                        notes: std::mem::take(notes),
                    });
                    open = Open::Nothing;
                }
            }
            Event::End(TagEnd::Item) => {
                if let Open::Item { line, checked, text, notes } = &mut open {
                    if let Some(checked) = *checked {
                        let text = text.trim().to_owned();
                        blocks.push(Block::Task { line: *line, checked, text, notes: std::mem::take(notes) });
                    }
                    open = Open::Nothing;
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                if let Open::Settings { line, body } = &mut open {
                    blocks.push(Block::Settings { line: *line, body: std::mem::take(body) });
                    open = Open::Nothing;
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Open::Html { line, html } = &mut open {
                    for note in annotations(html, *line)?.unwrap_or_default() {
                        blocks.push(Block::Note(note));
                    }
                    open = Open::Nothing;
                }
            }
            _ => {}
        }
    }
    Ok(blocks)
}

/// The annotations among the HTML comments of `html`, or `None` when it
/// holds none (other HTML, or comments that are prose).
///
/// A comment is an annotation when it starts with a lowercase key and a
/// colon (`<!-- gate: deploy -->`); `<!-- TODO: ask QA -->` and other
/// comments are left alone.
fn annotations(html: &str, line: usize) -> Result<Option<Vec<Note>>, MarkdownError> {
    let mut notes = Vec::new();
    let mut from = 0;
    let mut any_comment = false;
    while let Some(start) = html.get(from..).and_then(|rest| rest.find("<!--")).map(|at| from + at) {
        let body_start = start + "<!--".len();
        let Some(end) = html.get(body_start..).and_then(|rest| rest.find("-->")).map(|at| body_start + at)
        else {
            break;
        };
        any_comment = true;
        let body = html.get(body_start..end).unwrap_or_default();
        // The comment's own line, for comments in a multi-line block.
        let comment_line = line + html.get(..start).unwrap_or_default().matches('\n').count();
        if let Some(note) = annotation(body.trim(), comment_line)? {
            notes.push(note);
        }
        from = end + "-->".len();
    }
    Ok(any_comment.then_some(notes).filter(|_| html.trim_start().starts_with("<!--")))
}

/// One comment's body as an annotation, if it is one.
fn annotation(body: &str, line: usize) -> Result<Option<Note>, MarkdownError> {
    let key_end = body.find(':');
    let first_key = key_end.and_then(|end| body.get(..end)).map(str::trim);
    let is_annotation = first_key.is_some_and(|key| {
        key.starts_with(|c: char| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c == '-')
    });
    if !is_annotation {
        return Ok(None);
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in body.split(';').map(str::trim).filter(|part| !part.is_empty()) {
        let Some((key, value)) = part.split_once(':') else {
            return Err(MarkdownError::Annotation {
                line,
                problem: format!("`{part}` has no value: write annotations as `key: value; key: value`"),
            });
        };
        let (key, value) = (key.trim(), value.trim());
        if value.is_empty() {
            return Err(MarkdownError::Annotation { line, problem: format!("`{key}` has no value") });
        }
        if pairs.iter().any(|(seen, _)| seen == key) {
            return Err(MarkdownError::Annotation { line, problem: format!("`{key}` is given twice") });
        }
        pairs.push((key.to_owned(), value.to_owned()));
    }
    Ok(Some(Note { line, pairs }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        let lines = Lines::new("a\nbc\n\nd");
        assert_eq!([0, 1, 2, 3, 4, 5, 6].map(|at| lines.of(at)), [1, 1, 2, 2, 2, 3, 4]);
    }

    #[test]
    fn annotations_are_key_value_comments_and_other_comments_are_prose() {
        let note = annotation("id: a.b; gate: deploy;", 3).unwrap().unwrap();
        assert_eq!(note.get("id"), Some("a.b"));
        assert_eq!(note.get("gate"), Some("deploy"));
        assert_eq!(note.line, 3);
        assert_eq!(annotation("TODO: ask QA", 1).unwrap(), None);
        assert_eq!(annotation("just a remark", 1).unwrap(), None);
        // A key is one lowercase word (hyphens allowed): anything else is prose.
        assert_eq!(annotation("see also: the wiki", 1).unwrap(), None);
        assert_eq!(annotation("gAte: deploy", 1).unwrap(), None);
        assert_eq!(annotation("-gate: deploy", 1).unwrap(), None);
        assert!(annotation("settled-on-entering: rolled-back", 1).unwrap().is_some());
    }

    #[test]
    fn the_search_for_the_next_comment_starts_after_the_last_one() {
        // The first comment's body ends like the start of another.
        let notes = annotations("<!-- x <!--> <!-- gate: deploy -->", 1).unwrap().unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].get("gate"), Some("deploy"));
        assert!(annotation("gate: deploy; id", 1).unwrap_err().to_string().contains("`id` has no value"));
        assert!(annotation("gate: deploy; gate: freeze", 1).unwrap_err().to_string().contains("twice"));
        assert!(annotation("gate: ", 1).unwrap_err().to_string().contains("`gate` has no value"));
    }
}
