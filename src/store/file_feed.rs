//! The file store's change feed: `feed/changes.jsonl` in the store's folder, a
//! line per stored event (`{"n":7,"key":"web@1.0.0","index":3,
//! "digest":"…"}`), numbered in the order written.
//!
//! Crash safety: an append writes its log first and its feed lines after,
//! so after a crash the feed may lag the logs, never lead them. To find a
//! lag without reading every log, a writer first leaves a marker in
//! `feed/pending/` naming the release (and the first event the feed will
//! lack), holds a lock on it while it writes, and removes it once the feed
//! has the events. A marker nobody holds is a writer's crash: opening the
//! store, and every read of the feed, adds to the feed what that release's
//! log has and the feed lacks, then removes the marker.
//!
//! Numbering: a writer holds the feed file's lock while it reads the last
//! number and appends after it, so numbers are unique and in file order
//! across threads and processes. A line cut short by a crash has no
//! newline: readers ignore it and the next writer cuts it off.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::event::Event;
use crate::store::error::StoreError;
use crate::store::feed::{Cursor, Mark};
use crate::store::file::FileStore;
use crate::store::key::ReleaseKey;
use crate::store::{FEED_PAGE, ReleaseStore};

/// The feed's folder in the store's folder.
const FEED_DIR: &str = "feed";
/// The feed's file in its folder.
const FEED_FILE: &str = "changes.jsonl";
/// The folder, in the feed's, of markers of appends whose feed lines may
/// be missing.
const PENDING_DIR: &str = "pending";
/// How much of the feed a look-up reads at a time.
const CHUNK: usize = 16 * 1024;

/// One feed line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    n: u64,
    key: ReleaseKey,
    index: usize,
    digest: Digest,
}

/// The marker of an append in progress: locked while the writer lives,
/// removed once the feed has its events.
#[derive(Debug)]
pub(super) struct Pending {
    path: PathBuf,
    /// Holds the lock; dropped after the marker is removed.
    _file: File,
}

impl Pending {
    /// The feed has the events: the marker has done its work. One that
    /// cannot be removed is checked again by the next reader, harmlessly.
    pub(super) fn done(self) {
        let _ = fs::remove_file(&self.path);
    }
}

impl FileStore {
    fn feed_path(&self) -> PathBuf {
        self.dir().join(FEED_DIR).join(FEED_FILE)
    }

    fn pending_dir(&self) -> PathBuf {
        self.dir().join(FEED_DIR).join(PENDING_DIR)
    }

    /// Leaves a durable, locked marker saying that `key`'s log is about to
    /// get events from `first` on that the feed does not have yet.
    pub(super) fn feed_pending(&self, key: &ReleaseKey, first: usize) -> Result<Pending, StoreError> {
        let dir = self.pending_dir();
        if !dir.is_dir() {
            fs::create_dir_all(&dir).map_err(|error| StoreError::io(&dir, "create", error))?;
            crate::store::checklists::sync_dir(&self.dir().join(FEED_DIR))?;
            self.sync_dir()?;
        }
        let path = dir.join(key.as_str());
        let mut file = loop {
            let file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|error| StoreError::io(&path, "create", error))?;
            file.lock().map_err(|error| StoreError::io(&path, "lock", error))?;
            // A reader catching up may have removed the marker while this
            // writer waited for its lock: then make a new one.
            if crate::store::file::still_named(&file, &path) {
                break file;
            }
        };
        file.set_len(0)
            .and_then(|()| file.write_all(first.to_string().as_bytes()))
            .and_then(|()| file.sync_all())
            .map_err(|error| StoreError::io(&path, "write", error))?;
        crate::store::checklists::sync_dir(&dir)?;
        Ok(Pending { path, _file: file })
    }

    /// Appends a feed line for each of `events`, the log's events from
    /// `first` on, numbered after the feed's last, durably.
    pub(super) fn feed_record(
        &self,
        key: &ReleaseKey,
        first: usize,
        events: &[Event],
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let path = self.feed_path();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|error| StoreError::io(&path, "open", error))?;
        file.lock().map_err(|error| StoreError::io(&path, "lock", error))?;
        let (end, last) = last_line(&mut file, &path)?;
        let mut text = Vec::new();
        for (offset, event) in events.iter().enumerate() {
            let line = Line {
                n: last + 1 + offset as u64,
                key: key.clone(),
                index: first + offset,
                digest: Mark::digest_of(event),
            };
            serde_json::to_writer(&mut text, &line)
                .map_err(|error| crate::store::log::encode_error(key, error))?;
            text.push(b'\n');
        }
        file.set_len(end)
            .and_then(|()| file.seek(SeekFrom::Start(end)))
            .and_then(|_| file.write_all(&text))
            .and_then(|()| file.sync_data())
            .map_err(|error| StoreError::io(&path, "append to", error))
    }

    /// Records events just written to the log in the feed, and removes
    /// their marker. The events are stored whatever happens here: feed
    /// lines that cannot be written are left to the marker, which the next
    /// reader of the feed finds.
    pub(super) fn record_in_feed(&self, pending: Pending, key: &ReleaseKey, first: usize, events: &[Event]) {
        if self.feed_record(key, first, events).is_ok() {
            pending.done();
        }
    }

    /// Adds to the feed what a crashed writer's release has and the feed
    /// lacks, for every marker nobody holds.
    pub(super) fn feed_catch_up(&self) -> Result<(), StoreError> {
        let dir = self.pending_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(StoreError::io(&dir, "list", error)),
        };
        for entry in entries {
            let entry = entry.map_err(|error| StoreError::io(&dir, "list", error))?;
            let path = entry.path();
            let Some(key) = entry.file_name().to_str().and_then(|name| ReleaseKey::parse(name).ok()) else {
                continue;
            };
            let mut file = match OpenOptions::new().read(true).write(true).open(&path) {
                Ok(file) => file,
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(StoreError::io(&path, "open", error)),
            };
            match file.try_lock() {
                Ok(()) => {}
                // A writer is at work: it records its own events.
                Err(fs::TryLockError::WouldBlock) => continue,
                Err(fs::TryLockError::Error(error)) => return Err(StoreError::io(&path, "lock", error)),
            }
            if !crate::store::file::still_named(&file, &path) {
                continue;
            }
            let mut first = String::new();
            let first = file.read_to_string(&mut first).ok().and_then(|_| first.trim().parse::<usize>().ok());
            match self.feed_repair(&key, first.unwrap_or(0)) {
                Ok(()) => {
                    let _ = fs::remove_file(&path);
                }
                // A release that cannot be read has no changes to show; its
                // marker stays until it can be.
                Err(error) if error.is_about_one_release() => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Records the events of `key` from `first` on that the feed lacks.
    fn feed_repair(&self, key: &ReleaseKey, first: usize) -> Result<(), StoreError> {
        let release = match self.load(key) {
            Ok(stored) => stored.release,
            // The crash came before the log was created: nothing to add.
            Err(StoreError::ReleaseNotFound { .. }) => return Ok(()),
            Err(error) => return Err(error),
        };
        let known: BTreeSet<usize> = self
            .feed_marks(Cursor::START, usize::MAX)?
            .into_iter()
            .filter(|mark| mark.key == *key)
            .map(|mark| mark.index)
            .collect();
        let events = release.events();
        let mut index = first;
        while index < events.len() {
            let start = index;
            while index < events.len() && !known.contains(&index) {
                index += 1;
            }
            self.feed_record(key, start, events.get(start..index).unwrap_or_default())?;
            index += 1;
        }
        Ok(())
    }

    /// The feed's marks after `cursor`, at most `limit`, in order.
    pub(super) fn feed_marks(&self, cursor: Cursor, limit: usize) -> Result<Vec<Mark>, StoreError> {
        let path = self.feed_path();
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(StoreError::io(&path, "open", error)),
        };
        let len = file.metadata().map_err(|error| StoreError::io(&path, "read", error))?.len();
        let start = first_after(&mut file, &path, len, cursor)?;
        file.seek(SeekFrom::Start(start)).map_err(|error| StoreError::io(&path, "read", error))?;
        let mut marks = Vec::new();
        let mut reader = BufReader::with_capacity(CHUNK, file);
        let mut bytes = Vec::new();
        let mut offset = start;
        while marks.len() < limit {
            bytes.clear();
            let read =
                reader.read_until(b'\n', &mut bytes).map_err(|error| StoreError::io(&path, "read", error))?;
            // The end, or a line cut short by a crash, which is not yet part
            // of the feed.
            if read == 0 || bytes.last() != Some(&b'\n') {
                break;
            }
            let line = parse_line(&path, &bytes, offset)?;
            offset += read as u64;
            if line.n > cursor.number() {
                marks.push(Mark {
                    number: line.n,
                    key: line.key,
                    index: line.index,
                    digest: Some(line.digest),
                });
            }
        }
        Ok(marks)
    }

    /// The cursor after the feed's last whole line.
    pub(super) fn feed_last(&self) -> Result<Cursor, StoreError> {
        let path = self.feed_path();
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Cursor::START),
            Err(error) => return Err(StoreError::io(&path, "open", error)),
        };
        let (_, last) = last_line(&mut file, &path)?;
        Ok(Cursor::after(last))
    }

    /// The marks after `cursor` of one page, after catching up with any
    /// crashed writer.
    pub(super) fn feed_page(&self, cursor: Cursor) -> Result<Vec<Mark>, StoreError> {
        self.feed_catch_up()?;
        self.feed_marks(cursor, FEED_PAGE)
    }
}

/// The feed line at byte `offset` of the file.
fn parse_line(path: &Path, bytes: &[u8], offset: u64) -> Result<Line, StoreError> {
    serde_json::from_slice(bytes).map_err(|error| StoreError::CorruptFeed {
        path: path.to_path_buf(),
        offset,
        problem: error.to_string(),
    })
}

/// Where the feed's whole lines end, and the number of the last one (0 for
/// an empty feed).
fn last_line(file: &mut File, path: &Path) -> Result<(u64, u64), StoreError> {
    let len = file.metadata().map_err(|error| StoreError::io(path, "read", error))?.len();
    let mut from = len;
    let mut tail = Vec::new();
    loop {
        from = from.saturating_sub(CHUNK as u64);
        tail.clear();
        file.seek(SeekFrom::Start(from))
            .and_then(|_| Read::by_ref(file).take(len - from).read_to_end(&mut tail))
            .map_err(|error| StoreError::io(path, "read", error))?;
        // The whole lines end after the last newline; a line after it
        // was cut short.
        let Some(last_newline) = memchr::memrchr(b'\n', &tail) else {
            if from == 0 {
                return Ok((0, 0));
            }
            continue;
        };
        let end = from + last_newline as u64 + 1;
        let before = tail.get(..last_newline).unwrap_or_default();
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1);
        if line_start == 0 && from > 0 {
            // The last whole line starts before this chunk: read more.
            continue;
        }
        let line = parse_line(
            path,
            tail.get(line_start..=last_newline).unwrap_or_default(),
            from + line_start as u64,
        )?;
        return Ok((end, line.n));
    }
}

/// The offset of the first line numbered after `cursor` (or of the end),
/// found by halving: numbers grow line by line.
fn first_after(file: &mut File, path: &Path, len: u64, cursor: Cursor) -> Result<u64, StoreError> {
    // Every line that starts before `low` is numbered at most `cursor`;
    // the answer is at most `high`. `low` starts a line.
    let (mut low, mut high) = (0u64, len);
    let mut chunk = vec![0; 1024];
    while high - low > CHUNK as u64 {
        let middle = low + (high - low) / 2;
        file.seek(SeekFrom::Start(middle)).map_err(|error| StoreError::io(path, "read", error))?;
        let read = file.read(&mut chunk).map_err(|error| StoreError::io(path, "read", error))?;
        let seen = chunk.get(..read).unwrap_or_default();
        let whole = memchr::memchr(b'\n', seen).and_then(|newline| {
            let rest = seen.get(newline + 1..)?;
            let end = memchr::memchr(b'\n', rest)?;
            Some((newline + 1, rest.get(..=end)?))
        });
        let Some((start, line)) = whole else {
            // No whole line in reach: look nearer the start.
            high = middle;
            continue;
        };
        let start = middle + start as u64;
        if parse_line(path, line, start)?.n <= cursor.number() {
            low = start;
        } else {
            high = start;
        }
    }
    Ok(low)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::Release;

    /// A fresh, empty directory for the test `name`.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("release-workflow-feed-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A store in a fresh directory, holding a release of three events.
    fn store_with_three(name: &str) -> (FileStore, ReleaseKey, Release, PathBuf) {
        let dir = scratch(name);
        let store = FileStore::open(&dir).unwrap();
        let mut release = crate::release::sample();
        let ada = release.plan().release_manager().clone();
        let at = release.last_event_at();
        let key = store.create(&release).unwrap();
        let stored = release.events().len();
        release.complete("planning.scope-documented", &ada, at).unwrap();
        release.complete("planning.version-confirmed", &ada, at).unwrap();
        store.save(&release, stored).unwrap();
        (store, key, release, dir)
    }

    fn numbers_and_indices(store: &FileStore) -> Vec<(u64, usize)> {
        let changes = store.changes_since(Cursor::START).unwrap();
        changes.changes.iter().map(|change| (change.number, change.index)).collect()
    }

    /// The feed's lines, whole.
    fn feed_lines(store: &FileStore) -> Vec<String> {
        fs::read_to_string(store.feed_path()).unwrap().lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_writer_that_crashed_between_log_and_feed_is_caught_up_by_the_next_reader() {
        let (store, key, release, dir) = store_with_three("crash");
        let count = release.events().len();
        assert_eq!(numbers_and_indices(&store).len(), count);
        // As a crash leaves it: the log has every event, the feed lacks the
        // last two, and the writer's marker is there, held by nobody.
        let lines = feed_lines(&store);
        let kept = lines.get(..count - 2).unwrap().join("\n") + "\n";
        fs::write(store.feed_path(), kept).unwrap();
        fs::write(store.pending_dir().join(key.as_str()), (count - 2).to_string()).unwrap();
        assert_eq!(store.feed_marks(Cursor::START, usize::MAX).unwrap().len(), count - 2, "the feed lags");
        // Another handle, as a process started after the crash, reads the
        // whole feed: each event once, the two caught up numbered after.
        let other = FileStore::open(&dir).unwrap();
        let seen = numbers_and_indices(&other);
        let indices: Vec<usize> = seen.iter().map(|(_, index)| *index).collect();
        assert_eq!(indices, (0..count).collect::<Vec<_>>());
        assert_eq!(
            seen.iter().map(|(number, _)| *number).collect::<Vec<_>>(),
            (1..=count as u64).collect::<Vec<_>>()
        );
        assert!(!store.pending_dir().join(key.as_str()).exists(), "the marker has done its work");
        // Reading again changes nothing.
        assert_eq!(numbers_and_indices(&other), seen);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_marker_held_by_a_live_writer_is_left_to_it() {
        let (store, key, release, dir) = store_with_three("live");
        let held = store.feed_pending(&key, release.events().len()).unwrap();
        store.feed_catch_up().unwrap();
        assert!(
            store.pending_dir().join(key.as_str()).exists(),
            "a reader does not take a live writer's work"
        );
        held.done();
        assert!(!store.pending_dir().join(key.as_str()).exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_feed_line_cut_short_is_ignored_and_cut_off_by_the_next_append() {
        let (store, _key, mut release, dir) = store_with_three("torn");
        let count = release.events().len();
        let mut feed = OpenOptions::new().append(true).open(store.feed_path()).unwrap();
        feed.write_all(br#"{"n":99,"key":"#).unwrap();
        assert_eq!(numbers_and_indices(&store).len(), count, "a torn line is not yet part of the feed");
        let ada = release.plan().release_manager().clone();
        let at = release.last_event_at();
        release.complete("planning.roles-assigned", &ada, at).unwrap();
        store.save(&release, count).unwrap();
        let seen = numbers_and_indices(&store);
        assert_eq!(seen.last(), Some(&(count as u64 + 1, count)), "numbered after the last whole line");
        assert!(feed_lines(&store).iter().all(|line| !line.contains("\"n\":99")));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_change_whose_event_is_no_longer_the_one_stored_is_left_out() {
        let (store, _key, release, dir) = store_with_three("replaced");
        // As after a recovery dropped the last event and another was stored
        // in its place: the feed's digest no longer matches.
        let lines = feed_lines(&store);
        let last = lines.last().unwrap();
        let other = Mark::digest_of(release.events().first().unwrap()).to_string();
        let digest_at = last.find("\"digest\":\"").unwrap() + 10;
        let edited = format!("{}{}{}", &last[..digest_at], other, &last[digest_at + 64..]);
        let text = lines[..lines.len() - 1].join("\n") + "\n" + &edited + "\n";
        fs::write(store.feed_path(), text).unwrap();
        let changes = store.changes_since(Cursor::START).unwrap();
        assert_eq!(changes.changes.len(), release.events().len() - 1);
        assert_eq!(
            changes.cursor,
            Cursor::after(release.events().len() as u64),
            "the cursor still moves past it"
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_marker_of_a_release_that_cannot_be_read_stays_and_the_others_are_read() {
        let (store, _key, release, dir) = store_with_three("unreadable-marker");
        let broken: ReleaseKey = "broken@1.0.0".parse().unwrap();
        fs::write(store.path_of(&broken), "not a log\n").unwrap();
        fs::write(store.pending_dir().join(broken.as_str()), "0").unwrap();
        let changes = store.changes_since(Cursor::START).unwrap();
        assert_eq!(changes.changes.len(), release.events().len(), "the readable release's changes");
        assert!(store.pending_dir().join(broken.as_str()).exists(), "kept until its release can be read");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_pending_folder_or_marker_that_cannot_be_read_fails_the_read() {
        let (store, key, _release, dir) = store_with_three("unlistable");
        // A marker that cannot be opened: a folder in its place.
        fs::create_dir_all(store.pending_dir().join(key.as_str())).unwrap();
        let error = store.changes_since(Cursor::START).unwrap_err();
        assert!(matches!(error, StoreError::Io { action: "open", .. }), "{error:?}");
        // A pending folder that is not one.
        fs::remove_dir_all(store.pending_dir()).unwrap();
        fs::write(store.pending_dir(), "").unwrap();
        let error = store.changes_since(Cursor::START).unwrap_err();
        assert!(matches!(error, StoreError::Io { action: "list", .. }), "{error:?}");
        let _ = fs::remove_dir_all(&dir);
    }

    /// Writes a feed of `count` lines numbered from 1 (their key padded
    /// with `pad` characters), then `tail`; returns it open, with the byte
    /// offset where each line starts and where the last one ends.
    fn synthetic_feed(path: &Path, count: u64, pad: usize, tail: &[u8]) -> (File, Vec<u64>) {
        let key: ReleaseKey = format!("svc{}@1.0.0", "x".repeat(pad)).parse().unwrap();
        let mut text = Vec::new();
        let mut starts = Vec::new();
        for n in 1..=count {
            starts.push(text.len() as u64);
            let line = Line { n, key: key.clone(), index: n as usize, digest: Digest::of(&n.to_le_bytes()) };
            serde_json::to_writer(&mut text, &line).unwrap();
            text.push(b'\n');
        }
        starts.push(text.len() as u64);
        text.extend_from_slice(tail);
        fs::write(path, &text).unwrap();
        (File::open(path).unwrap(), starts)
    }

    #[test]
    fn the_last_whole_line_is_found_wherever_the_chunks_cut_the_feed() {
        let dir = scratch("last");
        let path = dir.join(FEED_FILE);
        // Lines of about 140 bytes: over 100..=400 lines the feed spans one
        // to four chunks.
        for count in (100..=400).chain([0, 1]) {
            for tail in [&b""[..], b"{\"n\":", &[b'x'; CHUNK + 7]] {
                let (mut file, starts) = synthetic_feed(&path, count, 10, tail);
                let end = *starts.last().unwrap();
                assert_eq!(
                    last_line(&mut file, &path).unwrap(),
                    (end, count),
                    "{count} lines + {}",
                    tail.len()
                );
            }
        }
        // A damaged last line far into the feed, longer than a chunk, is
        // named by where it starts.
        let damaged = [&b"not json "[..], &[b'x'; CHUNK], b"\n"].concat();
        let (_, starts) = synthetic_feed(&path, 300, 10, &damaged);
        let mut file = File::open(&path).unwrap();
        let error = last_line(&mut file, &path).unwrap_err();
        let offset = *starts.last().unwrap();
        assert!(matches!(error, StoreError::CorruptFeed { offset: at, .. } if at == offset), "{error:?}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_bisection_stops_at_a_line_start_within_a_chunk_before_the_first_line_after_the_cursor() {
        let dir = scratch("bisect");
        let path = dir.join(FEED_FILE);
        for (count, pad) in [(0, 0), (5, 0), (1_000, 10), (3_000, 3)] {
            let (mut file, starts) = synthetic_feed(&path, count, pad, b"");
            let len = *starts.last().unwrap();
            for cursor in (0..=count + 1).step_by(7).chain([count, count + 1]) {
                let found = first_after(&mut file, &path, len, Cursor::after(cursor)).unwrap();
                // The first line numbered after the cursor starts here.
                let exact = starts.get(cursor as usize).copied().unwrap_or(len);
                assert!(starts.contains(&found), "{found} starts a line ({count} lines, cursor {cursor})");
                assert!(found <= exact, "{found} is not past line {} at {exact}", cursor + 1);
                assert!(exact - found <= CHUNK as u64, "{found} is within a chunk of {exact}");
            }
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_feed_that_cannot_be_opened_fails_the_read_and_the_head() {
        let (store, _key, _release, dir) = store_with_three("unopenable");
        // A link to itself: opening it fails, and not as "not found", which
        // a store without a feed yet would be.
        fs::remove_file(store.feed_path()).unwrap();
        std::os::unix::fs::symlink(store.feed_path(), store.feed_path()).unwrap();
        let error = store.changes_since(Cursor::START).unwrap_err();
        assert!(matches!(&error, StoreError::Io { action: "open", path, .. } if *path == store.feed_path()));
        let error = store.feed_head().unwrap_err();
        assert!(matches!(&error, StoreError::Io { action: "open", path, .. } if *path == store.feed_path()));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_feed_line_is_named_by_its_place() {
        let (store, _key, _release, dir) = store_with_three("damaged");
        let mut lines = feed_lines(&store);
        let offset: usize = lines.first().map_or(0, |line| line.len() + 1);
        lines[1] = "not json".into();
        fs::write(store.feed_path(), lines.join("\n") + "\n").unwrap();
        let error = store.changes_since(Cursor::START).unwrap_err();
        assert!(
            matches!(&error, StoreError::CorruptFeed { offset: at, .. } if *at == offset as u64),
            "{error:?}"
        );
        assert!(error.to_string().contains("restore it from a backup"), "{error}");
        let _ = fs::remove_dir_all(&dir);
    }
}
