//! Checks shared by every piece of free text the crate accepts, and the
//! errors of the bottom layer: text that breaks its rules
//! ([`TextError`]) and a name that names nothing ([`ParseError`]).

use std::borrow::Cow;
use std::fmt;

/// Text the crate refuses: a name, title, reason or id that breaks its
/// rules. Every layer above wraps it when its own input is text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// A piece of free text (name, title, reason) that breaks its rules.
    #[error("the {field} \"{value}\" {problem}: {}", advice(*max_chars))]
    InvalidText {
        /// Which text.
        field: &'static str,
        /// The text given, shortened.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
        /// The longest accepted, in characters.
        max_chars: usize,
    },

    /// A malformed id or name: of an item, a criterion, a role or a person.
    #[error("the {what} \"{id}\" {problem}: {rule}")]
    InvalidId {
        /// What the id names.
        what: &'static str,
        /// The id given, shortened.
        id: String,
        /// What is wrong with it.
        problem: &'static str,
        /// The rule ids of its kind keep, with a well-formed example: what
        /// to write instead.
        rule: &'static str,
    },
}

/// Reasons may span lines; every other text is one line.
fn advice(max_chars: usize) -> String {
    if max_chars == MAX_REASON_CHARS {
        format!("give a reason of at most {max_chars} characters")
    } else {
        format!("give one trimmed line of at most {max_chars} characters")
    }
}

/// A name that names nothing: the text given to parse a stage, gate, role,
/// kind or any other named value, and the names accepted.
///
/// Every enum of the crate with a text form parses with
/// [`FromStr`](std::str::FromStr) and reports this error.
///
/// ```
/// use release_workflow::Stage;
///
/// let error = "bogus".parse::<Stage>().unwrap_err();
/// assert_eq!(error.input(), "bogus");
/// assert!(error.expected().contains(&"rolled-back"));
/// assert_eq!(
///     error.to_string(),
///     "unknown stage \"bogus\": expected one of planned, frozen, deploying, verifying, released, rolled-back"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParseError {
    what: &'static str,
    input: String,
    expected: &'static [&'static str],
}

impl ParseError {
    pub(crate) fn new(what: &'static str, input: &str, expected: &'static [&'static str]) -> ParseError {
        ParseError { what, input: shorten(input), expected }
    }

    /// What kind of name was expected (`"stage"`, `"gate"`, ...).
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The text given, shortened.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Every name accepted, in their canonical form.
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} \"{}\": expected one of {}", self.what, self.input, self.expected.join(", "))
    }
}

impl std::error::Error for ParseError {}

/// The longest name accepted, in characters: a service, a change or
/// incident id, the source of an observation.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest item, section or template title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Checks that `value` is one trimmed, non-empty line of at most `max_chars`
/// characters. `field` names the value in the error.
pub(crate) fn check_line(field: &'static str, value: &str, max_chars: usize) -> Result<(), TextError> {
    // This runs for every name of every record of a large history: a plain
    // ASCII line of printable characters is the common case, and checked
    // in one pass over its bytes (`cargo bench --bench read`).
    let bytes = value.as_bytes();
    if bytes.len() <= max_chars
        && bytes.first().is_some_and(|first| first.is_ascii_graphic())
        && bytes.last().is_some_and(|last| last.is_ascii_graphic())
        && bytes.iter().all(|byte| (b' '..=b'~').contains(byte))
    {
        return Ok(());
    }
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
    Err(TextError::InvalidText { field, value: shorten(value), problem, max_chars })
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
pub(crate) fn check_reason(field: &'static str, value: &str) -> Result<(), TextError> {
    let problem = if value.trim().is_empty() {
        "is empty"
    } else if value.chars().count() > MAX_REASON_CHARS {
        "is too long"
    } else {
        return Ok(());
    };
    Err(TextError::InvalidText { field, value: shorten(value), problem, max_chars: MAX_REASON_CHARS })
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

/// What makes `text` not one lowercase kebab-case slug (a role's name) of
/// at most `max_chars` characters, if anything: the rule of
/// [`slug_problem`] without its dots.
pub(crate) fn kebab_problem(text: &str, max_chars: usize) -> Option<&'static str> {
    if text.contains(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        && !text.is_empty()
    {
        return Some("may only use lowercase ASCII letters, digits and '-'");
    }
    slug_problem(text, max_chars)
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

/// `count` and its noun, singular or plural: `1 deployment`, `2 deployments`.
pub(crate) fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The end of a message about an unknown name: `: did you mean a?`,
/// `: did you mean one of a, b?`, or `: ` and `otherwise` when nothing is
/// close.
pub(crate) fn did_you_mean(suggestions: &[String], otherwise: &str) -> String {
    match suggestions {
        [] => format!(": {otherwise}"),
        [only] => format!(": did you mean {only}?"),
        several => format!(": did you mean one of {}?", several.join(", ")),
    }
}

/// The candidates closest to `given` by edit distance, for "did you mean"
/// hints: at most three, closest first, none further than a third of the
/// candidate's length (at least one edit).
pub(crate) fn closest<'a, T: AsRef<str> + ?Sized>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a T>,
) -> Vec<&'a T> {
    // A text far longer than any candidate is no typo of one.
    const LONGEST_COMPARED: usize = 400;
    if given.len() > LONGEST_COMPARED {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &str, &T)> = candidates
        .into_iter()
        .map(|candidate| (edit_distance(given, candidate.as_ref()), candidate.as_ref(), candidate))
        .filter(|(distance, text, _)| *distance <= text.len().max(4) / 3)
        .collect();
    scored.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    scored.into_iter().take(3).map(|(_, _, candidate)| candidate).collect()
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut left = i + 1;
        let mut next = Vec::with_capacity(row.len());
        next.push(left);
        for (cb, (up_left, up)) in b.iter().zip(row.iter().zip(row.iter().skip(1))) {
            left = (up_left + usize::from(ca != *cb)).min(up + 1).min(left + 1);
            next.push(left);
        }
        row = next;
    }
    row.last().copied().unwrap_or_default()
}

/// Gives an enum its text form: kebab-case names, the same in `Display`,
/// `FromStr` and serde. `FromStr` is for people and ignores ASCII case;
/// serde reads stored data and takes the exact names only, so a stored log
/// has one spelling. Both report a [`ParseError`].
///
/// ```ignore
/// named_enum!(Stage, "stage", { Planned => "planned", RolledBack => "rolled-back" | "rolled_back" });
/// ```
///
/// Names after `|` are older spellings that parse (stored format 1 wrote
/// them) but are never written and not listed as expected.
macro_rules! named_enum {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        impl $name {
            #[doc = concat!("Every ", $what, ", in order.")]
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every name, in the order of `ALL`.
            const NAMES: &'static [&'static str] = &[$($text),+];

            #[doc = concat!("The ", $what, "'s name, in kebab case: what `Display` writes, `FromStr` reads and serde stores.")]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl $name {
            /// The value with exactly this name, as stored.
            fn from_stored(text: &str) -> Option<$name> {
                match text {
                    $($text $(| $alias)* => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::text::ParseError;

            #[doc = concat!("Parses a ", $what, " name, ignoring ASCII case.")]
            fn from_str(text: &str) -> Result<$name, crate::text::ParseError> {
                $(
                    if text.eq_ignore_ascii_case($text) $(|| text.eq_ignore_ascii_case($alias))* {
                        return Ok($name::$variant);
                    }
                )+
                Err(crate::text::ParseError::new($what, text, $name::NAMES))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                struct NameVisitor;

                impl serde::de::Visitor<'_> for NameVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "a {} name: one of {}", $what, $name::NAMES.join(", "))
                    }

                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        $name::from_stored(text)
                            .ok_or_else(|| E::custom(crate::text::ParseError::new($what, text, $name::NAMES)))
                    }
                }

                deserializer.deserialize_str(NameVisitor)
            }
        }
    };
}

pub(crate) use named_enum;

/// Text read borrowed from the input where it can be, owned where it
/// cannot (an escape, a reader that does not lend): what a deserializer
/// reads many of, such as keys, tags and roles, without allocating.
pub(crate) struct Text<'de>(pub(crate) Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text<'de>, D::Error> {
        struct TextVisitor;

        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("text")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_in_characters_on_both_paths() {
        // Plain ASCII takes the one-pass check, anything else the full one:
        // the limit is the same for both.
        for letter in ["a", "é"] {
            assert!(check_line("name", &letter.repeat(200), 200).is_ok(), "{letter}");
            assert!(check_line("name", &letter.repeat(201), 200).is_err(), "{letter}");
        }
    }

    #[test]
    fn near_misses_are_suggested_and_far_ones_are_not() {
        let candidates = ["abcdef", "planning.scope-documented", "zzzzzz"];
        // Two edits away from a six-letter name: within a third of it.
        assert_eq!(closest("abcdxx", candidates.iter().copied()), ["abcdef"]);
        assert_eq!(closest("abcxxx", candidates.iter().copied()), Vec::<&str>::new());
        assert_eq!(
            closest("planning.scope-documentd", candidates.iter().copied()),
            ["planning.scope-documented"]
        );
        // Closest first, at most three.
        let many = ["abcdez", "abcdef", "abcdyy", "abcdeg", "abcdeh"];
        assert_eq!(closest("abcdef", many.iter().copied()), ["abcdef", "abcdeg", "abcdeh"]);
    }

    #[test]
    fn texts_far_longer_than_any_name_are_not_compared() {
        let at_the_limit = "a".repeat(400);
        assert_eq!(closest(&at_the_limit, [at_the_limit.as_str()]), [at_the_limit.as_str()]);
        let past_it = "a".repeat(401);
        assert!(closest(&past_it, [past_it.as_str()]).is_empty());
    }

    #[test]
    fn hints_read_as_sentences() {
        assert_eq!(did_you_mean(&[], "check the id"), ": check the id");
        assert_eq!(did_you_mean(&["a".into()], "x"), ": did you mean a?");
        assert_eq!(did_you_mean(&["a".into(), "b".into()], "x"), ": did you mean one of a, b?");
        assert_eq!(counted(1, "item", "items"), "1 item");
        assert_eq!(counted(0, "item", "items"), "0 items");
        assert!(breaks_line('\u{2028}') && breaks_line('\u{2029}') && breaks_line('\n'));
        assert!(!breaks_line(' ') && !breaks_line('é'));
    }
}
