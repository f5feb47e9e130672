//! A [`Template`] written as Markdown that reads back to the same template.

use std::fmt::Write as _;

use crate::checklist::item::{Item, Requirement};
use crate::checklist::markdown::import::split_marker;
use crate::checklist::markdown::parse::SETTINGS_WORD;
use crate::checklist::template::Template;

/// Writes `text` so that Markdown reads it back as the same text: the
/// characters that would start emphasis, code, links, HTML, entities or
/// strikethrough are escaped with a backslash, and the rest is left as it
/// is so the file stays readable.
pub(crate) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let entity =
            c == '&' && chars.peek().is_some_and(|next| next.is_ascii_alphanumeric() || *next == '#');
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '#' | '!' | '|') || entity {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The template as Markdown: see [`Template::to_markdown`].
pub(crate) fn template_markdown(template: &Template) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# {}", escaped(template.name()));
    for section in template.sections() {
        let items: Vec<&Item> = template.section_items(section).collect();
        let shared_gate = items
            .first()
            .map(|first| first.gate())
            .filter(|gate| items.iter().all(|item| item.gate() == *gate));
        let _ = write!(out, "\n## {}", escaped(section));
        if let Some(gate) = shared_gate {
            let _ = write!(out, " <!-- gate: {gate} -->");
        }
        out.push_str("\n\n");
        for item in items {
            let restores = template.restoration().is_some_and(|restoration| restoration.id() == item.id());
            out.push_str("- [ ] ");
            out.push_str(&item_line(item, shared_gate.is_none(), restores));
            out.push('\n');
        }
    }
    let criteria = template.criteria();
    if !criteria.is_empty() || template.policy().is_some() || template.checks_health_on_verify() {
        out.push_str("\n## Settings\n\n");
        for criterion in criteria {
            let _ =
                writeln!(out, "- Roll back if: {} ({})", escaped(criterion.title()), criterion.severity());
        }
        let mut settings = serde_json::Map::new();
        if !criteria.is_empty() {
            settings.insert("criteria".into(), serde_json::to_value(criteria).unwrap_or_default());
        }
        if let Some(policy) = template.policy() {
            settings.insert("policy".into(), serde_json::to_value(policy).unwrap_or_default());
        }
        if template.checks_health_on_verify() {
            settings.insert("health_check_on_verify".into(), true.into());
        }
        let json = serde_json::to_string_pretty(&settings).unwrap_or_default();
        let fence = fence_for(&json);
        let _ = write!(out, "\n{fence}json {SETTINGS_WORD}\n{json}\n{fence}\n");
    }
    out
}

/// An item's title, marker and annotation, as one task line writes them.
fn item_line(item: &Item, with_gate: bool, restores: bool) -> String {
    let mut line = escaped(item.title());
    let mut notes = vec![format!("id: {}", item.id())];
    if with_gate {
        notes.push(format!("gate: {}", item.gate()));
    }
    match item.requirement() {
        Requirement::IfApplicable => line.push_str(" (if applicable)"),
        // A required item whose title ends like a marker says so, or it
        // would read back as if-applicable.
        Requirement::Required if split_marker(item.title(), false).1 => {
            notes.push("requirement: required".into())
        }
        Requirement::Required => {}
    }
    if let Some(stage) = item.settled_on() {
        notes.push(format!("settled-on-entering: {stage}"));
    }
    if restores {
        notes.push("restoration: yes".into());
    }
    format!("{line} <!-- {} -->", notes.join("; "))
}

/// A code fence longer than any run of backticks in `body`.
fn fence_for(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_what_markdown_would_read_as_markup() {
        assert_eq!(escaped("Code & Build Readiness"), "Code & Build Readiness");
        assert_eq!(escaped("Fish &amp; chips"), "Fish \\&amp; chips");
        assert_eq!(escaped("a*b_c`d[e]<f>~g#h\\i!j|k"), "a\\*b\\_c\\`d\\[e\\]\\<f\\>\\~g\\#h\\\\i\\!j\\|k");
        assert_eq!(escaped("(Slack, email, etc.)"), "(Slack, email, etc.)");
    }

    #[test]
    fn a_fence_outruns_the_backticks_of_its_body() {
        assert_eq!(fence_for("{}"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
