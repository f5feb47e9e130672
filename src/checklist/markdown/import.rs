//! A Markdown checklist read into a [`Template`].

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::checklist::error::TemplateError;
use crate::checklist::item::{Item, ItemId, MAX_ID_CHARS, Requirement};
use crate::checklist::markdown::error::MarkdownError;
use crate::checklist::markdown::map::MarkdownImport;
use crate::checklist::markdown::parse::{Block, Note, blocks};
use crate::checklist::template::Template;
use crate::health::RollbackCriterion;
use crate::policy::Policy;
use crate::stage::{Gate, Stage};

/// The markers that make an item [`IfApplicable`](Requirement::IfApplicable)
/// when they end its title, as the OctoAcme checklist writes them.
const IF_APPLICABLE_MARKERS: [&str; 2] = ["(if applicable)", "(if needed)"];

/// The annotation keys of a heading.
const SECTION_KEYS: [&str; 2] = ["gate", "id"];
/// The annotation keys of an item.
const ITEM_KEYS: [&str; 5] = ["id", "gate", "requirement", "settled-on-entering", "restoration"];

/// The settings block: what Markdown cannot say as a list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    criteria: Option<Vec<RollbackCriterion>>,
    #[serde(default)]
    policy: Option<Policy>,
    #[serde(default)]
    health_check_on_verify: Option<bool>,
}

/// A heading with its task items, as read.
struct Section {
    line: usize,
    title: String,
    notes: Vec<Note>,
    tasks: Vec<Task>,
}

/// A task item of a section, as read.
struct Task {
    line: usize,
    text: String,
    notes: Vec<Note>,
}

/// Reads `markdown` as a checklist, with `map` saying what the Markdown does
/// not; see [`Template::from_markdown`].
pub(crate) fn import(markdown: &str, map: &MarkdownImport) -> Result<Template, MarkdownError> {
    let mut title: Option<String> = None;
    let mut sections: Vec<Section> = Vec::new();
    let mut open: Option<Section> = None;
    let mut settings: Option<(usize, String)> = None;
    for block in blocks(markdown)? {
        match block {
            Block::Heading { level: 1, text, notes, .. }
                if title.is_none() && sections.is_empty() && open.is_none() =>
            {
                if let Some(note) = notes.first() {
                    return Err(annotation(
                        note.line,
                        "the title takes no annotations: put them on a section or an item",
                    ));
                }
                title = Some(text);
            }
            Block::Heading { line, text, notes, .. } => {
                sections.extend(open.take());
                open = Some(Section { line, title: text, notes, tasks: Vec::new() });
            }
            Block::Task { line, checked, text, notes } => {
                let Some(section) = open.as_mut() else {
                    return Err(MarkdownError::OutsideSection { line });
                };
                if checked {
                    return Err(MarkdownError::Ticked { line, title: text });
                }
                section.tasks.push(Task { line, text, notes });
            }
            Block::Note(note) => match open.as_mut() {
                Some(section) => section.notes.push(note),
                None => {
                    return Err(annotation(
                        note.line,
                        "an annotation before any section: put it on a heading or an item",
                    ));
                }
            },
            Block::Settings { line, body } => {
                if let Some((first, _)) = settings {
                    return Err(MarkdownError::Settings {
                        line,
                        problem: format!("appears a second time (first at line {first}): keep one"),
                    });
                }
                settings = Some((line, body));
            }
        }
    }
    sections.extend(open);
    let mut kept: Vec<Section> = Vec::new();
    for section in sections {
        if section.tasks.is_empty() {
            if let Some(note) = section.notes.first() {
                return Err(annotation(
                    note.line,
                    &format!("\"{}\" is annotated but has no task items", section.title),
                ));
            }
            continue;
        }
        if let Some(first) = kept.iter().find(|earlier| earlier.title == section.title) {
            return Err(MarkdownError::DuplicateSection {
                line: section.line,
                first_line: first.line,
                section: section.title,
            });
        }
        kept.push(section);
    }
    if kept.is_empty() {
        return Err(MarkdownError::NoItems);
    }
    let name = map.template_name().map(str::to_owned).or(title).ok_or(MarkdownError::NoName)?;
    let ReadItems { items, lines, restoration } = read_items(&kept, map)?;
    let line_of = |id: &str| lines.get(id).copied();
    let name_template_error = |source: TemplateError| {
        let line = match &source {
            TemplateError::InvalidItem { item, .. } => line_of(item),
            _ => None,
        };
        MarkdownError::Template { line, source }
    };
    let section_titles = kept.iter().map(|section| section.title.clone()).collect();
    let template = Template::new(name, section_titles, items).map_err(name_template_error)?;
    let (criteria, policy, health_check_on_verify) = settings_and_map(settings, map)?;
    let template = template.completed_with(criteria, policy, restoration).map_err(name_template_error)?;
    Ok(template.with_health_check_on_verify(health_check_on_verify))
}

/// The items of every section, the line of each id, and the restoration
/// item if one is marked.
struct ReadItems {
    items: Vec<Item>,
    lines: HashMap<String, usize>,
    restoration: Option<ItemId>,
}

fn read_items(sections: &[Section], map: &MarkdownImport) -> Result<ReadItems, MarkdownError> {
    // Ids given by annotation or map come first, so that a derived id
    // never takes one of them.
    let mut taken: HashSet<String> = HashSet::new();
    for section in sections {
        for task in &section.tasks {
            let (title, _) = split_marker(&task.text, note_value(&task.notes, "requirement").is_some());
            if let Some(id) =
                note_value(&task.notes, "id").or_else(|| map.item_map(title).and_then(|m| m.id.as_deref()))
            {
                taken.insert(id.to_owned());
            }
        }
    }
    let mut items = Vec::new();
    let mut lines = HashMap::new();
    let mut restoration: Option<(usize, ItemId)> = None;
    for section in sections {
        for note in &section.notes {
            note.check_keys("a section", &SECTION_KEYS)?;
        }
        let section_map = map.section_map(&section.title);
        let section_gate = match note_value(&section.notes, "gate") {
            Some(gate) => Some(parse_gate(gate, note_line(&section.notes, "gate"))?),
            None => section_map.and_then(|m| m.gate),
        };
        let prefix = note_value(&section.notes, "id")
            .map(str::to_owned)
            .or_else(|| section_map.and_then(|m| m.prefix.clone()))
            .unwrap_or_else(|| slug(&section.title, MAX_ID_CHARS / 2, "section"));
        // A title seen in this section: its line, and whether an `id`
        // annotation tells it apart.
        let mut titles: HashMap<&str, (usize, bool)> = HashMap::new();
        for task in &section.tasks {
            for note in &task.notes {
                note.check_keys("an item", &ITEM_KEYS)?;
            }
            let written = note_value(&task.notes, "requirement");
            let (title, marked) = split_marker(&task.text, written.is_some());
            if title.is_empty() {
                return Err(MarkdownError::EmptyTitle { line: task.line });
            }
            let named = note_value(&task.notes, "id").is_some();
            if let Some((first_line, first_named)) = titles.insert(title, (task.line, named))
                && !(named && first_named)
            {
                return Err(MarkdownError::DuplicateTitle {
                    line: task.line,
                    first_line,
                    section: section.title.clone(),
                    title: title.to_owned(),
                });
            }
            let item_map = map.item_map(title);
            let gate = match note_value(&task.notes, "gate") {
                Some(gate) => parse_gate(gate, task.line)?,
                None => {
                    item_map.and_then(|m| m.gate).or(section_gate).ok_or_else(|| MarkdownError::NoGate {
                        line: task.line,
                        section: section.title.clone(),
                        title: title.to_owned(),
                    })?
                }
            };
            let id = match note_value(&task.notes, "id").or_else(|| item_map.and_then(|m| m.id.as_deref())) {
                Some(id) => id.to_owned(),
                None => derived_id(&prefix, title, &mut taken),
            };
            let requirement = match written {
                Some(requirement) => {
                    requirement.parse().map_err(|error| annotation(task.line, &format!("{error}")))?
                }
                None if marked => Requirement::IfApplicable,
                None => Requirement::Required,
            };
            let settled: Option<Stage> = match note_value(&task.notes, "settled-on-entering") {
                Some(stage) => {
                    Some(stage.parse().map_err(|error| annotation(task.line, &format!("{error}")))?)
                }
                None => item_map.and_then(|m| m.settled_on_entering),
            };
            let restores = match note_value(&task.notes, "restoration") {
                Some("yes") => true,
                Some(other) => {
                    return Err(annotation(
                        task.line,
                        &format!("`restoration: {other}`: the only value is `yes`"),
                    ));
                }
                None => item_map.is_some_and(|m| m.restoration),
            };
            let mut item = Item::new(&id, title, &section.title, gate)
                .map_err(|source| MarkdownError::Template { line: Some(task.line), source })?;
            if requirement == Requirement::IfApplicable {
                item = item.with_requirement(Requirement::IfApplicable);
            }
            if let Some(stage) = settled {
                item = item.with_settled_on(stage);
            }
            if restores {
                if let Some((first, _)) = &restoration {
                    return Err(annotation(
                        task.line,
                        &format!("a second restoration item (the first at line {first}): a template has one"),
                    ));
                }
                restoration = Some((task.line, item.id().clone()));
            }
            // A repeated id is reported at the repeat, the line to change.
            if let Some(first) = lines.insert(item.id().to_string(), task.line) {
                return Err(MarkdownError::Template {
                    line: Some(task.line),
                    source: TemplateError::InvalidItem {
                        item: item.id().to_string(),
                        problem: format!("appears twice (first at line {first}): item ids must be unique"),
                    },
                });
            }
            items.push(item);
        }
    }
    Ok(ReadItems { items, lines, restoration: restoration.map(|(_, id)| id) })
}

/// Criteria, policy and the health check on verify from the settings block
/// or the map, never both.
fn settings_and_map(
    settings: Option<(usize, String)>,
    map: &MarkdownImport,
) -> Result<(Vec<RollbackCriterion>, Option<Policy>, bool), MarkdownError> {
    let (criteria, policy, check) = match settings {
        None => (None, None, None),
        Some((line, body)) => {
            let read: Settings = serde_json::from_str(&body).map_err(|error| MarkdownError::Settings {
                line,
                problem: format!("is not valid: {error}"),
            })?;
            let twice = |what: &str| MarkdownError::Settings {
                line,
                problem: format!("gives {what}, and so does the import map: keep one"),
            };
            if read.criteria.is_some() && map.given_criteria().is_some() {
                return Err(twice("criteria"));
            }
            if read.policy.is_some() && map.given_policy().is_some() {
                return Err(twice("a policy"));
            }
            if read.health_check_on_verify.is_some() && map.given_health_check_on_verify().is_some() {
                return Err(twice("the health check on verify"));
            }
            (read.criteria, read.policy, read.health_check_on_verify)
        }
    };
    let criteria =
        criteria.or_else(|| map.given_criteria().map(<[RollbackCriterion]>::to_vec)).unwrap_or_default();
    let check = check.or_else(|| map.given_health_check_on_verify()).unwrap_or(false);
    Ok((criteria, policy.or_else(|| map.given_policy().cloned()), check))
}

/// The title without its "(if applicable)" marker, and whether it had one.
/// A title whose requirement is annotated is taken as written.
pub(crate) fn split_marker(text: &str, requirement_written: bool) -> (&str, bool) {
    if requirement_written {
        return (text, false);
    }
    for marker in IF_APPLICABLE_MARKERS {
        let cut = text.len().checked_sub(marker.len());
        if let Some(head) = cut.and_then(|cut| text.get(..cut))
            && text.get(head.len()..).is_some_and(|tail| tail.eq_ignore_ascii_case(marker))
        {
            return (head.trim_end(), true);
        }
    }
    (text, false)
}

fn note_value<'a>(notes: &'a [Note], key: &str) -> Option<&'a str> {
    notes.iter().find_map(|note| note.get(key))
}

fn note_line(notes: &[Note], key: &str) -> usize {
    notes.iter().find(|note| note.get(key).is_some()).map_or(0, |note| note.line)
}

fn parse_gate(gate: &str, line: usize) -> Result<Gate, MarkdownError> {
    gate.parse().map_err(|error| annotation(line, &format!("{error}")))
}

fn annotation(line: usize, problem: &str) -> MarkdownError {
    MarkdownError::Annotation { line, problem: problem.to_owned() }
}

/// `prefix.slug-of-title`, made unique among `taken` with `-2`, `-3`...
fn derived_id(prefix: &str, title: &str, taken: &mut HashSet<String>) -> String {
    let room = MAX_ID_CHARS.saturating_sub(prefix.len() + 4).max(1);
    let base = format!("{prefix}.{}", slug(title, room, "item"));
    let mut id = base.clone();
    let mut next = 2;
    while taken.contains(&id) {
        id = format!("{base}-{next}");
        next += 1;
    }
    taken.insert(id.clone());
    id
}

/// `text` in kebab case: ASCII letters and digits, lowercased, the rest
/// turned into single hyphens; cut at a word to at most `max` characters;
/// `fallback` when nothing is left.
pub(crate) fn slug(text: &str, max: usize, fallback: &str) -> String {
    let mut slug = String::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|word| !word.is_empty()) {
        let extra = word.len() + usize::from(!slug.is_empty());
        if slug.len() + extra > max {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() { fallback.to_owned() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_ascii_words_and_cut_at_a_word() {
        assert_eq!(slug("Code & Build Readiness", 50, "x"), "code-build-readiness");
        assert_eq!(
            slug("Communication channels ready (Slack, email, etc.)", 30, "x"),
            "communication-channels-ready"
        );
        assert_eq!(slug("Überprüfung", 50, "x"), "berpr-fung");
        assert_eq!(slug("日本", 50, "item"), "item");
        // Cut exactly at the limit: a word fits when it and its hyphen do.
        assert_eq!(slug("ab cd", 5, "x"), "ab-cd");
        assert_eq!(slug("ab cd", 4, "x"), "ab");
        assert_eq!(slug("ab", 2, "x"), "ab");
        assert_eq!(slug("abc", 2, "x"), "x");
    }

    #[test]
    fn a_derived_id_leaves_room_for_its_prefix_and_a_suffix() {
        let title = vec!["word"; 30].join(" ");
        let id = derived_id("abcdefghij", &title, &mut HashSet::new());
        // 100 characters, less the prefix, its dot and room for `-NN`.
        assert_eq!(id, format!("abcdefghij.{}", vec!["word"; 17].join("-")));
        assert!(ItemId::parse(&id).is_ok());
    }

    #[test]
    fn markers_end_the_title_in_any_case() {
        assert_eq!(
            split_marker("Code freeze initiated (if applicable)", false),
            ("Code freeze initiated", true)
        );
        assert_eq!(
            split_marker("Database rollback executed (If Needed)", false),
            ("Database rollback executed", true)
        );
        assert_eq!(split_marker("Plain", false), ("Plain", false));
        assert_eq!(split_marker("Kept (if needed)", true), ("Kept (if needed)", false));
        assert_eq!(split_marker("(if needed)", false), ("", true));
    }

    #[test]
    fn derived_ids_never_repeat() {
        let mut taken = HashSet::from(["a.b".to_owned()]);
        assert_eq!(derived_id("a", "B", &mut taken), "a.b-2");
        assert_eq!(derived_id("a", "b!", &mut taken), "a.b-3");
    }
}
