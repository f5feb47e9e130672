//! A release's log file: a header line, then one event per line.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::checklist::Template;
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
}

pub(super) fn header_line(key: &ReleaseKey) -> Result<Vec<u8>, StoreError> {
    let header = Header { format: FORMAT_VERSION, release: key.to_string() };
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
            let (line, digest) = crate::release::stored_line(previous.as_ref(), event, trust.key());
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

/// A template that reads quickly, put in place of a trusted checklist cut
/// out of a planning event's line; the trusted checklist replaces it once
/// the line is read.
const STAND_IN: &[u8] =
    br#"{"name":"-","sections":["-"],"items":[{"id":"x","title":"-","section":"-","gate":"freeze"}]}"#;

/// A planning event's line with a trusted checklist's exact bytes cut out,
/// and that checklist. Reading a 66-item checklist costs far more than the
/// rest of a short log; a line that holds a trusted one byte for byte holds
/// an equal one, so it need not be read. (Where `"template":` occurs it is
/// a key: inside a JSON string its quotes would be escaped.)
fn cut_trusted_template(line: &[u8], trust: &Trust) -> Option<(Vec<u8>, Arc<Template>)> {
    const KEY: &[u8] = b"\"template\":";
    let at = memchr::memmem::find(line, KEY)? + KEY.len();
    let rest = line.get(at..)?;
    trust.encodings().find(|(_, encoding)| rest.starts_with(encoding)).map(|(template, encoding)| {
        let mut cut = Vec::with_capacity(line.len() - encoding.len() + STAND_IN.len());
        cut.extend_from_slice(line.get(..at).unwrap_or_default());
        cut.extend_from_slice(STAND_IN);
        cut.extend_from_slice(rest.get(encoding.len()..).unwrap_or_default());
        (cut, Arc::clone(template))
    })
}

/// Reads, verifies and replays a log.
pub(super) fn parse_log(
    path: &Path,
    key: &ReleaseKey,
    bytes: &[u8],
    trust: &Trust,
) -> Result<Parsed, StoreError> {
    let lines = split_lines(path, key, bytes)?;
    let corrupt = |line: usize, error: serde_json::Error| StoreError::CorruptLog {
        path: path.to_path_buf(),
        line,
        problem: error.to_string(),
    };
    let mut stored: Vec<StoredEvent> = Vec::with_capacity(lines.events.len());
    let mut texts = lines.events.iter();
    if let Some((line, _, text)) = texts.next() {
        // The planning event: read without its checklist when it holds a
        // trusted one byte for byte.
        let first = match cut_trusted_template(text, trust) {
            Some((cut, template)) => serde_json::from_slice(&cut).map(|mut first: StoredEvent| {
                first.share_template(template);
                first
            }),
            None => serde_json::from_slice(text),
        };
        stored.push(first.map_err(|error| corrupt(*line, error))?);
    }
    for (line, _, text) in texts {
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
    let unverified = UnverifiedRelease::from_stored(lines.format, stored).map_err(refused)?;
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
            parse_log(Path::new("log"), &key, edited.as_bytes(), &Trust::default()).map(|_| ()).unwrap_err();
        assert!(error.to_string().contains("line 4: event 3 of the log was changed"), "{error}");
    }

    #[test]
    fn a_trusted_checklist_is_cut_out_and_shared() {
        let release = release();
        let text = log_of(&release);
        let first_line = text.split(|byte| *byte == b'\n').nth(1).unwrap();
        let (cut, template) = cut_trusted_template(first_line, &Trust::default()).unwrap();
        assert!(cut.len() < 1_000, "the checklist was not cut out");
        assert!(std::ptr::eq(&*template, &*Template::octoacme_shared()));
        assert!(cut_trusted_template(first_line, &Trust::nothing()).is_none());
        let parsed =
            parse_log(Path::new("log"), &ReleaseKey::of(&release), &text, &Trust::default()).unwrap();
        assert_eq!(parsed.release, release);
        assert!(std::ptr::eq(parsed.release.template(), &*Template::octoacme_shared()));
    }
}
