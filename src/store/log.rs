//! A release's log file: a header line, then one event per line.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::event::Event;
use crate::release::{
    FORMAT_VERSION, Integrity, Release, ReleaseError, StoredEvent, Trust, UnverifiedRelease,
};
use crate::store::error::StoreError;
use crate::store::{ReleaseKey, TornTail};

/// The first line of a log.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Header {
    pub(super) format: u32,
    pub(super) release: String,
    /// Where a migrated log came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) migrated: Option<MigratedFrom>,
}

/// The format a migrated log was in, and its verified head then (none for
/// an unchained format).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MigratedFrom {
    pub(super) format: u32,
    pub(super) head: Option<Digest>,
}

pub(super) fn header_line(key: &ReleaseKey) -> Result<Vec<u8>, StoreError> {
    let header = Header { format: FORMAT_VERSION, release: key.to_string(), migrated: None };
    let mut line = serde_json::to_vec(&header).map_err(|error| encode_error(key, error))?;
    line.push(b'\n');
    Ok(line)
}

/// Appends the lines of `events` to `text` in `format`, chained from
/// `previous` (and sealed with the trust's key) from format 3 on; returns
/// the new head and where the last line starts in `text`.
pub(super) fn push_event_lines(
    text: &mut Vec<u8>,
    key: &ReleaseKey,
    format: u32,
    mut previous: Option<Digest>,
    events: &[Event],
    trust: &Trust,
) -> Result<(Option<Digest>, usize), StoreError> {
    let mut last_line_start = text.len();
    for event in events {
        last_line_start = text.len();
        if format >= crate::release::FIRST_CHAINED_FORMAT {
            let named = format >= crate::release::FIRST_NAMING_FORMAT;
            let (line, digest) = crate::release::stored_line(previous.as_ref(), event, trust.key(), named);
            text.extend_from_slice(&line);
            previous = Some(digest);
        } else {
            serde_json::to_writer(&mut *text, event).map_err(|error| encode_error(key, error))?;
        }
        text.push(b'\n');
    }
    Ok((previous, last_line_start))
}

pub(super) fn encode_error(key: &ReleaseKey, error: serde_json::Error) -> StoreError {
    StoreError::Encode { key: key.to_string(), source: Arc::new(error) }
}

/// A log read from disk and verified.
pub(super) struct Parsed {
    pub(super) release: Release,
    pub(super) format: u32,
    pub(super) integrity: Integrity,
    /// The verified head, for a chained log.
    pub(super) head: Option<Digest>,
    pub(super) torn_tail: Option<TornTail>,
    /// The length of what the log acknowledges: every line but a torn tail.
    pub(super) end: usize,
    /// Whether the last event's line lacks its newline.
    pub(super) needs_newline: bool,
    /// Where the last event's line starts.
    pub(super) last_line_start: usize,
}

/// The lines of a log, read but not yet verified.
pub(super) struct Lines<'a> {
    pub(super) format: u32,
    /// Each event's line number (from 1), where it starts, and its bytes
    /// without the newline.
    pub(super) events: Vec<(usize, usize, &'a [u8])>,
    pub(super) torn_tail: Option<TornTail>,
    pub(super) end: usize,
    pub(super) needs_newline: bool,
}

/// Splits a log into its header and lines, checking the header names
/// `key` in a format this crate reads. A last line without its newline is
/// an event when it is a complete JSON object, and a torn tail otherwise.
pub(super) fn split_lines<'a>(
    path: &Path,
    key: &ReleaseKey,
    bytes: &'a [u8],
) -> Result<Lines<'a>, StoreError> {
    let not_a_log = |problem: String| StoreError::NotALog { path: path.to_path_buf(), problem };
    let Some(header_end) = memchr::memchr(b'\n', bytes) else {
        return Err(not_a_log("it has no complete header line".into()));
    };
    let (header, mut rest) = bytes.split_at(header_end + 1);
    let header: Header = serde_json::from_slice(header)
        .map_err(|error| not_a_log(format!("its first line is not a release log header ({error})")))?;
    if !crate::release::is_readable_format(header.format) {
        return Err(
            ReleaseError::UnsupportedFormat { found: header.format, supported: FORMAT_VERSION }.into()
        );
    }
    if header.release != key.as_str() {
        return Err(not_a_log(format!("its header names release {}, not {key}", header.release)));
    }
    let mut events = Vec::new();
    let mut line_number = 2;
    let mut offset = header_end + 1;
    let mut torn_tail = None;
    let mut needs_newline = false;
    while !rest.is_empty() {
        match memchr::memchr(b'\n', rest) {
            Some(newline) => {
                let (line, after) = rest.split_at(newline + 1);
                events.push((line_number, offset, line.get(..newline).unwrap_or_default()));
                offset += line.len();
                rest = after;
            }
            None if serde_json::from_slice::<serde::de::IgnoredAny>(rest).is_ok() => {
                // Complete but for its newline: written in full, so kept.
                events.push((line_number, offset, rest));
                offset += rest.len();
                needs_newline = true;
                rest = &[];
            }
            None => {
                torn_tail = Some(TornTail { line: line_number, bytes: rest.len() });
                rest = &[];
            }
        }
        line_number += 1;
    }
    Ok(Lines { format: header.format, events, torn_tail, end: offset, needs_newline })
}

/// Reads, verifies and replays a log; `kept` gives the checklist versions
/// the store keeps.
pub(super) fn parse_log(
    path: &Path,
    key: &ReleaseKey,
    bytes: &[u8],
    trust: &Trust,
    kept: &mut crate::store::checklists::ReadKept<'_>,
) -> Result<Parsed, StoreError> {
    let lines = split_lines(path, key, bytes)?;
    let corrupt = |line: usize, error: serde_json::Error| StoreError::CorruptLog {
        path: path.to_path_buf(),
        line,
        problem: error.to_string(),
    };
    let mut stored: Vec<StoredEvent> = Vec::with_capacity(lines.events.len());
    for (line, _, text) in &lines.events {
        stored.push(serde_json::from_slice(text).map_err(|error| corrupt(*line, error))?);
    }
    let line_of = |position: usize| lines.events.get(position).map_or(2, |(line, _, _)| *line);
    let refused = |error: ReleaseError| {
        let line = match &error {
            ReleaseError::BrokenChain { position, .. } | ReleaseError::Replay { position, .. } => {
                line_of(*position)
            }
            _ => line_of(0),
        };
        StoreError::Refused { path: path.to_path_buf(), line, source: Box::new(error) }
    };
    let mut unverified = UnverifiedRelease::from_stored(lines.format, stored).map_err(refused)?;
    crate::store::checklists::hand_over(&mut unverified, trust, kept)?;
    let integrity = unverified.integrity(trust);
    let (release, head) = unverified.verify_with_head(trust).map_err(refused)?;
    let named = ReleaseKey::of(&release);
    if named != *key {
        return Err(StoreError::NotALog {
            path: path.to_path_buf(),
            problem: format!("it holds release {named}, not {key}: it was copied or renamed"),
        });
    }
    let last_line_start = lines.events.last().map_or(0, |(_, start, _)| *start);
    Ok(Parsed {
        release,
        format: lines.format,
        integrity,
        head,
        torn_tail: lines.torn_tail,
        end: lines.end,
        needs_newline: lines.needs_newline,
        last_line_start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(release: &Release) -> Vec<u8> {
        let key = ReleaseKey::of(release);
        let mut text = header_line(&key).unwrap();
        push_event_lines(&mut text, &key, FORMAT_VERSION, None, release.events(), &Trust::default()).unwrap();
        text
    }

    fn release() -> Release {
        let mut release = crate::release::sample();
        let ada = release.plan().release_manager().clone();
        let at = release.last_event_at();
        for item in ["planning.scope-documented", "planning.version-confirmed", "planning.type-identified"] {
            release.complete(item, &ada, at).unwrap();
        }
        release
    }

    #[test]
    fn an_edited_line_is_named_by_its_line_and_event() {
        let release = release();
        let text = log_of(&release);
        let key = ReleaseKey::of(&release);
        let edited = String::from_utf8(text.clone()).unwrap().replacen(
            "planning.version-confirmed\"}",
            "planning.roles-assigned\"}",
            1,
        );
        let error =
            parse_log(Path::new("log"), &key, edited.as_bytes(), &Trust::default(), &mut |_| Ok(None))
                .map(|_| ())
                .unwrap_err();
        assert!(error.to_string().contains("line 4: event 3 of the log was changed"), "{error}");
    }
}
