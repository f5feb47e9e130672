//! The change feed: every event a store appends, across all its releases,
//! numbered in the order it was stored, for tools that follow a store (a
//! board, a chat bot) instead of polling every release.
//!
//! A store numbers each event it stores from 1, once, and never reuses a
//! number. A reader keeps a [`Cursor`] (the number of the last change it
//! handled; [`Cursor::START`] before the first), asks for
//! [`changes_since`](crate::store::ReleaseStore::changes_since) it, and
//! keeps the [`Changes::cursor`] it is given for next time: across a
//! restart too, since a cursor is a number that reads and writes as text.
//!
//! The feed names events; the events come from the releases' logs, loaded
//! and verified as [`load`](crate::store::ReleaseStore::load) does, so a
//! feed never shows an event its log would not.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::event::Event;
use crate::store::error::StoreError;
use crate::store::key::ReleaseKey;
use crate::store::summary::Unreadable;
use crate::store::{ReleaseStore, StoredRelease};

/// The most changes one call of
/// [`changes_since`](crate::store::ReleaseStore::changes_since) returns: a
/// reader far behind catches up page by page, in bounded memory.
pub const FEED_PAGE: usize = 1_024;

/// How often a store without notifications looks for changes while a
/// reader waits.
pub(crate) const POLL_EVERY: Duration = Duration::from_millis(50);

/// Where a reader of the feed stands: the number of the last change it
/// handled, or [`Cursor::START`] before the first.
///
/// It reads and writes as its number, so a tool can keep it in a file:
///
/// ```
/// use release_workflow::store::Cursor;
///
/// let kept: Cursor = "42".parse()?;
/// assert_eq!(kept.number(), 42);
/// assert_eq!(kept.to_string(), "42");
/// assert_eq!(Cursor::START.number(), 0);
/// assert!("-1".parse::<Cursor>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(u64);

impl Cursor {
    /// Before the first change.
    pub const START: Cursor = Cursor(0);

    /// The cursor after the change numbered `number`.
    pub fn after(number: u64) -> Cursor {
        Cursor(number)
    }

    /// The number of the last change handled; 0 before the first.
    pub fn number(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a text is not a [`Cursor`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("`{text}` is not a feed cursor: write the number of the last change handled, 0 before the first")]
pub struct CursorError {
    /// The text, shortened.
    pub text: String,
}

impl FromStr for Cursor {
    type Err = CursorError;

    fn from_str(text: &str) -> Result<Cursor, CursorError> {
        text.trim().parse().map(Cursor).map_err(|_| CursorError { text: crate::text::shorten(text) })
    }
}

/// One change in the feed: an event a store stored, with its number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FeedEntry {
    /// Its number in the feed, from 1.
    pub number: u64,
    /// The release it belongs to.
    pub key: ReleaseKey,
    /// Its position in the release's log, from 0.
    pub index: usize,
    /// The event.
    pub event: Event,
}

impl FeedEntry {
    /// The cursor after this change: keep it once the change is handled.
    pub fn cursor(&self) -> Cursor {
        Cursor(self.number)
    }
}

impl fmt::Display for FeedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {} [{}]: {}", self.number, self.key, self.index, self.event)
    }
}

/// What [`changes_since`](crate::store::ReleaseStore::changes_since) a
/// cursor returns: the changes after it, oldest first, at most
/// [`FEED_PAGE`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Changes {
    /// The changes, oldest first.
    pub changes: Vec<FeedEntry>,
    /// Where the reader stands after these: pass it to the next call. It
    /// moves past changes of releases that cannot be read too.
    pub cursor: Cursor,
    /// The releases whose changes could not be read, with why; their
    /// changes are left out of this page.
    pub unreadable: Vec<Unreadable>,
}

impl Changes {
    /// Whether there was nothing after the cursor.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.unreadable.is_empty()
    }
}

/// What a store's feed records of one change: which event it is, and a
/// digest of it, so that an event a recovery dropped (and another stored
/// in its place later) is not shown under the old number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) number: u64,
    pub(crate) key: ReleaseKey,
    pub(crate) index: usize,
    /// The digest of the event when it was stored, where a recovery may
    /// drop events since (the file store); `None` where none can.
    pub(crate) digest: Option<Digest>,
}

impl Mark {
    /// The digest a feed keeps of `event`: of its canonical encoding.
    pub(crate) fn digest_of(event: &Event) -> Digest {
        Digest::of(&crate::release::canonical(event))
    }
}

/// The changes `marks` name, read from their releases' logs; `cursor` is
/// where the reader stood.
pub(crate) fn resolve(
    store: &(impl ReleaseStore + ?Sized),
    cursor: Cursor,
    marks: Vec<Mark>,
) -> Result<Changes, StoreError> {
    let mut keys: Vec<ReleaseKey> = marks.iter().map(|mark| mark.key.clone()).collect();
    keys.sort();
    keys.dedup();
    let loaded = store.load_many(&keys)?;
    let by_key: std::collections::HashMap<ReleaseKey, &StoredRelease> =
        loaded.releases.iter().map(|stored| (ReleaseKey::of(&stored.release), stored)).collect();
    let mut changes = Changes {
        cursor: marks.last().map_or(cursor, |last| Cursor(last.number)),
        unreadable: loaded.unreadable.clone(),
        changes: Vec::with_capacity(marks.len()),
    };
    for mark in marks {
        let Some(event) = by_key.get(&mark.key).and_then(|stored| stored.release.events().get(mark.index))
        else {
            continue;
        };
        if mark.digest.is_none_or(|digest| Mark::digest_of(event) == digest) {
            changes.changes.push(FeedEntry {
                number: mark.number,
                key: mark.key,
                index: mark.index,
                event: event.clone(),
            });
        }
    }
    Ok(changes)
}

/// Asks `store` for the changes after `cursor` every [`POLL_EVERY`] until
/// there are some or `timeout` has passed.
pub(crate) fn poll(
    store: &(impl ReleaseStore + ?Sized),
    cursor: Cursor,
    timeout: Duration,
) -> Result<Changes, StoreError> {
    let deadline = Instant::now() + timeout;
    loop {
        let changes = store.changes_since(cursor)?;
        let now = Instant::now();
        if !changes.is_empty() || now >= deadline {
            return Ok(changes);
        }
        std::thread::sleep(POLL_EVERY.min(deadline - now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn entry() -> FeedEntry {
        let release = crate::release::sample();
        FeedEntry {
            number: 7,
            key: ReleaseKey::of(&release),
            index: 0,
            event: release.events().first().cloned().unwrap(),
        }
    }

    #[test]
    fn an_entry_says_its_number_release_and_event() {
        let entry = entry();
        let shown = entry.to_string();
        assert!(shown.starts_with(&format!("#7 {} [0]: ", entry.key)), "{shown}");
        assert!(shown.ends_with(&entry.event.to_string()), "{shown}");
        assert_eq!(entry.cursor(), Cursor::after(7));
    }

    #[test]
    fn a_cursor_reads_and_writes_as_its_number_and_names_bad_text() {
        assert_eq!(" 12 ".parse::<Cursor>().unwrap(), Cursor::after(12));
        assert_eq!(Cursor::after(12).to_string(), "12");
        assert_eq!(serde_json::to_string(&Cursor::after(12)).unwrap(), "12");
        let error = "soon".parse::<Cursor>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "`soon` is not a feed cursor: write the number of the last change handled, 0 before the first"
        );
        assert!(Cursor::START < Cursor::after(1));
    }

    #[test]
    fn a_page_with_only_unreadable_releases_is_not_empty() {
        let mut changes = Changes::default();
        assert!(changes.is_empty());
        changes.unreadable.push(Unreadable {
            key: ReleaseKey::parse("web@1.0.0").unwrap(),
            error: StoreError::NoTrustLedger,
        });
        assert!(!changes.is_empty(), "the reader must move past it");
    }

    #[test]
    fn polling_returns_at_its_timeout_without_a_change_and_at_once_with_one() {
        let store = MemoryStore::new();
        let started = std::time::Instant::now();
        assert!(poll(&store, Cursor::START, Duration::from_millis(120)).unwrap().is_empty());
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(120) && waited < Duration::from_secs(5), "{waited:?}");
        store.create(&crate::release::sample()).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(poll(&store, Cursor::START, Duration::from_secs(10)).unwrap().changes.len(), 1);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
