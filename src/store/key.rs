//! The name a release is stored under.

use serde::{Deserialize, Serialize};

use crate::release::Release;
use crate::store::error::StoreError;

/// The longest key accepted, in characters.
const MAX_KEY_CHARS: usize = 200;

/// The name a release is stored under: `service@version`, or the version
/// for a release planned without a service.
///
/// Keys are safe file names: ASCII letters, digits and `.`, `_`, `-`, `+`,
/// `@`, not starting with a dot, at most 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReleaseKey(String);

impl ReleaseKey {
    /// The key of `release`. A service or version with characters a key
    /// cannot hold has them replaced by `_`.
    pub fn of(release: &Release) -> ReleaseKey {
        let raw = match release.service() {
            Some(service) => format!("{service}@{}", release.version()),
            None => release.version().to_string(),
        };
        let mut safe: String =
            raw.chars().map(|c| if allowed(c) { c } else { '_' }).take(MAX_KEY_CHARS).collect();
        if safe.starts_with('.') {
            safe.replace_range(..1, "_");
        }
        ReleaseKey(safe)
    }

    /// Parses and checks a key.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidKey`] saying which rule the text breaks.
    pub fn parse(text: &str) -> Result<ReleaseKey, StoreError> {
        let problem = if text.is_empty() {
            "is empty"
        } else if text.starts_with('.') {
            "starts with a dot"
        } else if text.chars().count() > MAX_KEY_CHARS {
            "is longer than 200 characters"
        } else if !text.chars().all(allowed) {
            "may only use ASCII letters, digits and . _ - + @"
        } else {
            return Ok(ReleaseKey(text.to_owned()));
        };
        Err(StoreError::InvalidKey { key: crate::text::shorten(text), problem })
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@')
}

crate::id::text_newtype!(ReleaseKey, StoreError);
