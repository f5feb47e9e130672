//! A batch of events is appended to a file store's log whole or not at all,
//! after a crash too.
//!
//! One event is one line, and a line cut short by a crash is a torn tail
//! the log's reader drops. A batch is several lines: a crash between two of
//! them would leave complete lines of an unfinished batch, which read as
//! events. So before it writes a batch, the store writes where the batch
//! starts and ends in a marker beside the log (`.<key>.jsonl.batch`,
//! synced with its directory) and removes it once the batch is synced. A
//! reader that finds a marker whose batch the log does not hold whole reads
//! the log up to the batch's start and reports the rest as a torn tail,
//! which the next append cuts off.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::TornTail;
use crate::store::error::StoreError;

/// Where a batch starts and ends in the log, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Marker {
    from: u64,
    to: u64,
}

/// The marker beside `log`.
fn marker_path(log: &Path) -> PathBuf {
    let name = log.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    log.with_file_name(format!(".{name}.batch"))
}

/// Marks a batch from `from` to `to` as begun, durably: the marker and the
/// directory entry are synced before the batch is written.
pub(super) fn begin(
    log: &Path,
    from: u64,
    to: u64,
    sync_dir: impl Fn() -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let path = marker_path(log);
    let text = serde_json::to_vec(&Marker { from, to }).unwrap_or_default();
    File::create(&path)
        .and_then(|mut file| {
            file.write_all(&text)?;
            file.sync_all()
        })
        .map_err(|error| StoreError::io(&path, "write", error))?;
    sync_dir()
}

/// Removes, durably, a marker that a crashed batch left, before a lone
/// event is written where that batch would have gone: left in place, it
/// would make the next load take the event for part of the unfinished
/// batch and drop it, after the feed had numbered it.
pub(super) fn clear_stale(
    log: &Path,
    sync_dir: impl Fn() -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if end(log)? { sync_dir() } else { Ok(()) }
}

/// Marks the log's batches as ended: no marker, or the one there gone
/// (`true` when there was one).
pub(super) fn end(log: &Path) -> Result<bool, StoreError> {
    let path = marker_path(log);
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(StoreError::io(&path, "remove", error)),
    }
}

/// The part of `bytes` (the log as read) to parse, and the unfinished
/// batch after it, if the marker beside the log names one the log does not
/// hold whole. A marker that cannot be read is no batch: it is written and
/// synced whole before its batch, so only a crash while writing it leaves
/// one torn, and then no line of its batch was written.
pub(super) fn unfinished<'a>(log: &Path, bytes: &'a [u8]) -> (&'a [u8], Option<TornTail>) {
    let marker =
        fs::read(marker_path(log)).ok().and_then(|text| serde_json::from_slice::<Marker>(&text).ok());
    let len = bytes.len() as u64;
    match marker {
        Some(Marker { from, to }) if from < len && len < to => {
            let cut = usize::try_from(from).unwrap_or(bytes.len()).min(bytes.len());
            let (kept, dropped) = bytes.split_at(cut);
            let complete_lines = memchr::memchr_iter(b'\n', kept).count();
            // A kept part that ends without its newline ends with a line of
            // its own: the batch starts on the line after it.
            let open_line = usize::from(kept.last().is_some_and(|&byte| byte != b'\n'));
            let line = complete_lines + open_line + 1;
            (kept, Some(TornTail { line, bytes: dropped.len() }))
        }
        _ => (bytes, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log path in a fresh directory, with a marker for a batch from
    /// `from` to `to`.
    fn marked(name: &str, from: u64, to: u64) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("release-workflow-batch-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let log = dir.join("web@1.0.0.jsonl");
        begin(&log, from, to, || Ok(())).unwrap();
        log
    }

    #[test]
    fn only_a_batch_partly_written_is_cut() {
        // A header and one line (7 bytes), then a batch of three (6 bytes).
        let log = marked("partly", 7, 13);
        let whole = b"head\na\nb\nc\nd\n".as_slice();
        assert_eq!(whole.len(), 13);
        let first = |len: usize| whole.get(..len).unwrap();
        // Partly written: cut at its start, reported from its first line.
        assert_eq!(unfinished(&log, first(10)), (first(7), Some(TornTail { line: 3, bytes: 3 })));
        // Nothing of it written yet: nothing to cut.
        assert_eq!(unfinished(&log, first(7)), (first(7), None));
        // Written whole, the marker still there (a crash before removing
        // it): the log is read as it is.
        assert_eq!(unfinished(&log, whole), (whole, None));
        // Shorter than the batch's start: not this batch's doing.
        assert_eq!(unfinished(&log, first(4)), (first(4), None));
        // No marker, no batch.
        end(&log).unwrap();
        assert_eq!(unfinished(&log, first(10)), (first(10), None));
        end(&log).unwrap();
    }

    #[test]
    fn a_batch_after_a_line_without_its_newline_starts_on_the_next_line() {
        // "head\na" lacks its newline: the batch writes it first.
        let log = marked("newline", 6, 12);
        let (kept, torn) = unfinished(&log, b"head\na\nb\n".as_slice());
        assert_eq!(kept, b"head\na");
        assert_eq!(torn, Some(TornTail { line: 3, bytes: 3 }), "line 2 is `a`; the batch starts on line 3");
        end(&log).unwrap();
    }
}
