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
/// `@`, `%`, `~`, not starting with a dot, at most 200 characters.
///
/// Two releases never share a key: [`ReleaseKey::of`] is injective. A
/// character a key cannot hold, `%` itself and a leading dot are written as
/// `%` and the two hexadecimal digits of each of their UTF-8 bytes (a space
/// is `%20`, `é` is `%C3%A9`); a name whose key would be longer than 200
/// characters keeps its first part and ends with `~` and the SHA-256 of the
/// whole name, which no other name shares.
///
/// Letters keep their case. On a file system that ignores case (macOS's by
/// default), `Web@1.0.0` and `web@1.0.0` name one file: creating the second
/// is refused with [`StoreError::ReleaseExists`], and loading checks that a
/// log holds the release its key names, so two releases never mix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReleaseKey(String);

impl ReleaseKey {
    /// The key of `release`: `service@version`, or the version alone,
    /// encoded so that no two releases share one.
    ///
    /// ```
    /// # use release_workflow::{Actor, Release, Role, store::ReleaseKey};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// let plan = |service: &str| {
    ///     Release::builder().service(service).version("2.4.0").previous_version("2.3.0")
    ///         .target_date("2026-12-01".parse().unwrap()).release_manager(ada.clone())
    ///         .on_call(ada.clone()).plan(t0)
    /// };
    /// assert_eq!(ReleaseKey::of(&plan("checkout")?).as_str(), "checkout@2.4.0");
    /// assert_eq!(ReleaseKey::of(&plan("check out")?).as_str(), "check%20out@2.4.0");
    /// assert_eq!(ReleaseKey::of(&plan("check_out")?).as_str(), "check_out@2.4.0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of(release: &Release) -> ReleaseKey {
        let raw = match release.service() {
            Some(service) => format!("{service}@{}", release.version()),
            None => release.version().to_string(),
        };
        ReleaseKey::encode(&raw)
    }

    /// Whether the key may be of a release of `service`: it starts with
    /// the service's encoded name and `@`, or it is a long key ending with
    /// a digest, which may be of any service. A caller that must know
    /// loads the release.
    pub(crate) fn names_service(&self, service: &str) -> bool {
        let prefix = ReleaseKey::encode(&format!("{service}@"));
        let shortened = |key: &str| key.contains('~');
        if shortened(&prefix.0) || shortened(&self.0) {
            return true;
        }
        self.0.starts_with(&prefix.0)
    }

    /// The key that names `raw`: see the type's documentation.
    fn encode(raw: &str) -> ReleaseKey {
        let mut key = String::with_capacity(raw.len());
        let mut bytes = [0u8; 4];
        for (index, c) in raw.chars().enumerate() {
            if allowed_literally(c) && !(index == 0 && c == '.') {
                key.push(c);
            } else {
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    key.push_str(&format!("%{byte:02X}"));
                }
            }
        }
        if key.len() > MAX_KEY_CHARS {
            let digest = crate::digest::Digest::of(raw.as_bytes()).to_string();
            let mut keep = MAX_KEY_CHARS - digest.len() - 1;
            // Never cut an escape in two.
            // (It stops by the start: nothing before it holds a `%`.)
            while key.as_bytes().get(keep.saturating_sub(2)..keep).is_some_and(|end| end.contains(&b'%')) {
                keep -= 1;
            }
            key.truncate(keep);
            key.push('~');
            key.push_str(&digest);
        }
        ReleaseKey(key)
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
            "may only use ASCII letters, digits and . _ - + @ % ~"
        } else {
            return Ok(ReleaseKey(text.to_owned()));
        };
        Err(StoreError::InvalidKey { key: crate::text::shorten(text), problem })
    }
}

/// The characters a key holds.
fn allowed(c: char) -> bool {
    allowed_literally(c) || matches!(c, '%' | '~')
}

/// The characters of a name a key keeps as they are; `%` starts an escape
/// and `~` a digest, so they are escaped too.
fn allowed_literally(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_differ_get_keys_that_differ() {
        let names = ["a b@1", "a_b@1", "a%20b@1", "é@1", "e@1", ".x@1", "%2Ex@1", "a~b@1"];
        let keys: Vec<ReleaseKey> = names.iter().map(|name| ReleaseKey::encode(name)).collect();
        for (i, key) in keys.iter().enumerate() {
            assert!(ReleaseKey::parse(key.as_str()).is_ok(), "{key}");
            for other in keys.iter().skip(i + 1) {
                assert_ne!(key, other);
            }
        }
        assert_eq!(keys[0].as_str(), "a%20b@1");
        assert_eq!(keys[3].as_str(), "%C3%A9@1");
        assert_eq!(keys[5].as_str(), "%2Ex@1");
        assert_eq!(keys[6].as_str(), "%252Ex@1");
    }

    #[test]
    fn long_names_end_with_their_digest_and_stay_apart() {
        let long = "s".repeat(300);
        let other = format!("{}t", "s".repeat(299));
        let (a, b) = (ReleaseKey::encode(&long), ReleaseKey::encode(&other));
        assert_ne!(a, b);
        assert_eq!(a.as_str().chars().count(), MAX_KEY_CHARS);
        assert!(a.as_str().ends_with(&crate::digest::Digest::of(long.as_bytes()).to_string()));
        // Escapes from the first character, and shifted by one: the cut
        // backs off to the last whole escape either way.
        for (name, head) in [("é".repeat(100), 135), (format!("a{}", "é".repeat(100)), 133)] {
            let escaped = ReleaseKey::encode(&name);
            assert!(ReleaseKey::parse(escaped.as_str()).is_ok());
            let before_digest = escaped.as_str().split('~').next().unwrap_or_default();
            assert_eq!(before_digest.len(), head, "an escape was cut: {escaped}");
            assert!(before_digest.ends_with("%A9") || before_digest.ends_with("%C3"), "{escaped}");
        }
        assert_eq!(ReleaseKey::encode(&"s".repeat(201)).as_str().len(), MAX_KEY_CHARS);
        assert_eq!(ReleaseKey::encode(&"s".repeat(200)).as_str(), "s".repeat(200));
    }
}

crate::id::text_newtype!(ReleaseKey, StoreError);
