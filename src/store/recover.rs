//! Recovering a damaged log: its longest valid prefix, and the rest kept
//! aside.

use std::fs;
use std::io::{self, Read};
use std::path::PathBuf;

use crate::release::{Integrity, ReleaseError, UnverifiedRelease};
use crate::store::error::StoreError;
use crate::store::file::FileStore;
use crate::store::log::{Lines, split_lines};
use crate::store::{ReleaseKey, StoredRelease};

/// What [`FileStore::recover`] did to a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The release as restored: the events of the log's longest valid
    /// prefix.
    pub release: StoredRelease,
    /// The lines left out, from the first bad one to the end of the log.
    pub dropped: Vec<DroppedLine>,
    /// Why the first dropped line was refused.
    pub problem: Option<String>,
    /// Where the log as it was is kept, when anything was dropped.
    pub moved_to: Option<PathBuf>,
}

/// A line of a log that recovery left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DroppedLine {
    /// Its line number, from 1.
    pub line: usize,
    /// How many bytes it has.
    pub bytes: usize,
}

impl FileStore {
    /// Restores a damaged log to its longest valid prefix: the events up to
    /// the first line that does not read, breaks the chain or breaks a
    /// rule. The log as it was is first kept beside it, as
    /// `<key>.jsonl.corrupt-<n>`; the restored log replaces it atomically,
    /// chained (and sealed, with a key) in the current format. A log with
    /// nothing to drop is left as it is.
    ///
    /// Nothing is repaired silently: loading a damaged log fails, naming
    /// the line, until someone calls this, and the [`Recovery`] says what
    /// was dropped so the work it recorded can be redone.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotALog`] when the header or the first event (the
    /// plan) is damaged, so there is no prefix to keep;
    /// [`StoreError::ReleaseNotFound`]; [`StoreError::Io`].
    pub fn recover(&self, key: &ReleaseKey) -> Result<Recovery, StoreError> {
        let path = self.path_of(key);
        let mut file = self.open_locked(key)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|error| StoreError::io(&path, "read", error))?;
        let (whole, unfinished) = crate::store::batch::unfinished(&path, &bytes);
        let lines = split_lines(&path, key, whole)?;
        let trust = self.effective_trust()?;
        let (kept, problem) = self.valid_prefix(&lines, &trust);
        if kept == 0 {
            return Err(StoreError::NotALog {
                path,
                problem: format!(
                    "its first event, the plan, is damaged, so there is nothing to keep ({}); restore it from a copy",
                    problem.unwrap_or_default()
                ),
            });
        }
        let release = self.verified(key, &lines, kept)?;
        let mut dropped: Vec<DroppedLine> = lines
            .events
            .iter()
            .skip(kept)
            .map(|(line, _, text)| DroppedLine { line: *line, bytes: text.len() })
            .collect();
        if let Some(tail) = lines.torn_tail.or(unfinished) {
            dropped.push(DroppedLine { line: tail.line, bytes: tail.bytes });
        }
        if dropped.is_empty() {
            crate::store::batch::end(&path)?;
            return Ok(Recovery { release, dropped, problem, moved_to: None });
        }
        let aside = self.keep_aside(key)?;
        let (text, _) = self.encode_log(key, &release.release)?;
        let temporary = self.write_temporary(key, &text)?;
        fs::rename(&temporary, &path).map_err(|error| {
            let _ = fs::remove_file(&temporary);
            StoreError::io(&path, "replace", error)
        })?;
        // What the store remembers of the log no longer matches the file
        // (a new file, written now, ending on another line): its next append
        // reads it.
        self.sync_dir()?;
        crate::store::batch::end(&path)?;
        // Rewritten in the current format: chained, and sealed with a key.
        let integrity = if self.trust().has_key() { Integrity::Sealed } else { Integrity::Chained };
        let release =
            StoredRelease { release: release.release, torn_tail: None, integrity, revoked: release.revoked };
        Ok(Recovery { release, dropped, problem, moved_to: Some(aside) })
    }

    /// How many events from the start read and verify, and why the next
    /// one does not.
    fn valid_prefix(&self, lines: &Lines<'_>, trust: &crate::release::Trust) -> (usize, Option<String>) {
        let mut stored = Vec::with_capacity(lines.events.len());
        let mut problem = None;
        for (line, _, text) in &lines.events {
            match serde_json::from_slice(text) {
                Ok(event) => stored.push(event),
                Err(error) => {
                    problem = Some(format!("line {line}: {error}"));
                    break;
                }
            }
        }
        let read = stored.len();
        let verified = UnverifiedRelease::from_stored(lines.format, stored).and_then(|log| log.verify(trust));
        match verified {
            Ok(_) => (read, problem),
            Err(error) => {
                let position = match &error {
                    ReleaseError::BrokenChain { position, .. } | ReleaseError::Replay { position, .. } => {
                        *position
                    }
                    _ => 0,
                };
                let line = lines.events.get(position).map_or(2, |(line, _, _)| *line);
                (position, Some(format!("line {line}: {error}")))
            }
        }
    }
}

impl FileStore {
    /// The first `kept` events of `lines`, verified.
    fn verified(
        &self,
        key: &ReleaseKey,
        lines: &Lines<'_>,
        kept: usize,
    ) -> Result<StoredRelease, StoreError> {
        let path = self.path_of(key);
        let refused = |line: usize, source: ReleaseError| StoreError::Refused {
            path: path.clone(),
            line,
            source: Box::new(source),
        };
        let mut stored = Vec::with_capacity(kept);
        for (line, _, text) in lines.events.iter().take(kept) {
            let event = serde_json::from_slice(text).map_err(|error| StoreError::CorruptLog {
                path: path.clone(),
                line: *line,
                problem: error.to_string(),
            })?;
            stored.push(event);
        }
        let log = UnverifiedRelease::from_stored(lines.format, stored).map_err(|error| refused(2, error))?;
        let trust = self.effective_trust()?;
        let integrity = log.integrity(&trust);
        let release = log.verify(&trust).map_err(|error| refused(2, error))?;
        let revoked = trust.revocation(&release.template().fingerprint()).cloned();
        Ok(StoredRelease { release, torn_tail: None, integrity, revoked })
    }

    /// Links the log to the first free `<key>.jsonl.corrupt-<n>`.
    fn keep_aside(&self, key: &ReleaseKey) -> Result<PathBuf, StoreError> {
        let path = self.path_of(key);
        for n in 1.. {
            let aside = self.dir().join(format!("{key}.jsonl.corrupt-{n}"));
            match fs::hard_link(&path, &aside) {
                Ok(()) => return Ok(aside),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(StoreError::io(&aside, "keep the damaged log as", error)),
            }
        }
        Err(StoreError::io(&path, "keep aside", io::Error::other("no free name")))
    }
}
