//! Checks shared by every piece of free text the crate accepts.

use crate::Error;

/// Checks that `value` is one trimmed, non-empty line of at most `max_chars`
/// characters. `field` names the value in the error.
pub(crate) fn check_line(field: &'static str, value: &str, max_chars: usize) -> Result<(), Error> {
    // One pass over the characters: this runs for every name of every
    // record of a large history.
    let mut count = 0;
    let mut control = false;
    for c in value.chars() {
        count += 1;
        control |= breaks_line(c);
    }
    let edges_blank = value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace);
    let problem = if value.trim().is_empty() {
        "is empty"
    } else if edges_blank {
        "has leading or trailing whitespace"
    } else if control {
        "contains a line break or another control character"
    } else if count > max_chars {
        "is too long"
    } else {
        return Ok(());
    };
    Err(Error::InvalidText { field, value: shorten(value), problem, max_chars })
}

/// Whether `c` breaks a line or is another control character: the C0 and
/// C1 controls (line feed, carriage return, tab, vertical tab, form feed,
/// next line, ...) and Unicode's line and paragraph separators (U+2028,
/// U+2029), which are not controls but end a line all the same.
pub(crate) fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Checks a reason someone gives for a decision: non-empty after trimming,
/// at most `MAX_REASON_CHARS` characters; line breaks are allowed.
pub(crate) fn check_reason(field: &'static str, value: &str) -> Result<(), Error> {
    let problem = if value.trim().is_empty() {
        "is empty"
    } else if value.chars().count() > MAX_REASON_CHARS {
        "is too long"
    } else {
        return Ok(());
    };
    Err(Error::InvalidText { field, value: shorten(value), problem, max_chars: MAX_REASON_CHARS })
}

/// The longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// A copy of `value` short enough to quote in an error message.
pub(crate) fn shorten(value: &str) -> String {
    const QUOTED_CHARS: usize = 60;
    match value.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", value.get(..cut).unwrap_or(value)),
        None => value.to_owned(),
    }
}

/// What makes `text` not an id of dot-separated lowercase kebab-case slugs of
/// at most `max_chars` characters, if anything.
pub(crate) fn slug_problem(text: &str, max_chars: usize) -> Option<&'static str> {
    if text.is_empty() {
        return Some("is empty");
    }
    if text.len() > max_chars {
        return Some("is too long");
    }
    for segment in text.split('.') {
        if segment.is_empty() {
            return Some("has an empty segment: dots must separate non-empty slugs");
        }
        if !segment.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Some("may only use lowercase ASCII letters, digits, '-' and '.'");
        }
        if segment.starts_with('-') || segment.ends_with('-') || segment.contains("--") {
            return Some("has a hyphen at a slug's edge or two in a row");
        }
    }
    None
}
