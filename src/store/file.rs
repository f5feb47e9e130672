//! A store on disk: one append-only JSON Lines log per release.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::release::{FORMAT_VERSION, Release, ReleaseError, is_readable_format};
use crate::store::error::StoreError;
use crate::store::{ReleaseKey, ReleaseStore, StoredRelease, TornTail, extend, not_found};

/// Releases kept on disk, one append-only log per release.
///
/// Each release is a file `<key>.jsonl` in the store's directory. Its first
/// line is a header, `{"format":1,"release":"<key>"}`; every further line is
/// one [`Event`] in the format [`Release`] serializes its events in.
///
/// - **Creation is atomic**: the log is written and synced under a
///   temporary name, then linked to its name, which fails if the name is
///   taken, so a reader sees all of a new release or none of it.
/// - **Appends are durable**: the new lines are written and synced
///   (`fsync`) before [`append`](ReleaseStore::append) returns.
/// - **Writers do not overwrite each other**: an append holds an exclusive
///   lock on the file, and is refused with [`StoreError::Conflict`] when
///   the log no longer has the number of events its writer read.
/// - **Appends stay cheap on long logs**: a store remembers each release it
///   last wrote, with the file's length and modification time then. An
///   append to a file unchanged since continues from memory; a file changed
///   in any way (another writer, a torn tail, an edit) is read and replayed
///   first. [`load`](ReleaseStore::load) always reads and replays the file.
/// - **A crash cannot corrupt what was acknowledged**: a last line cut
///   short by a crash mid-append is reported as a [`TornTail`] and left out
///   on load (it was never acknowledged), and the next append cuts it off.
///   A batch of events cut short keeps its complete lines.
///
/// ```
/// use release_workflow::{FileStore, ReleaseStore};
/// # use release_workflow::{Actor, Release, ReleaseKind, Role};
/// # let ada = Actor::new("Ada", Role::ReleaseManager)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
/// let dir = std::env::temp_dir().join(format!("release-store-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let store = FileStore::open(&dir)?;
/// let key = store.create(&release)?;
/// assert_eq!(store.load(&key)?.release, release);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    /// The releases this store last wrote, with the length their file had
    /// then: an append to a file still that long starts from the cached
    /// release instead of reading and replaying the whole log again.
    recent: Arc<Mutex<HashMap<ReleaseKey, Written>>>,
}

/// A release as this store last wrote it, and its file as it left it.
#[derive(Debug)]
struct Written {
    file: FileState,
    release: Release,
}

/// What tells a file changed: its length and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileState {
    len: u64,
    modified: Option<SystemTime>,
}

impl FileState {
    fn of(file: &File, path: &Path) -> Result<FileState, StoreError> {
        let metadata = file.metadata().map_err(|error| StoreError::io(path, "read", error))?;
        Ok(FileState { len: metadata.len(), modified: metadata.modified().ok() })
    }
}

/// How many releases the cache of recent writes holds before it starts over.
const RECENT_RELEASES: usize = 256;

impl PartialEq for FileStore {
    /// Two stores are equal when they use the same directory.
    fn eq(&self, other: &FileStore) -> bool {
        self.dir == other.dir
    }
}

impl Eq for FileStore {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: u32,
    release: String,
}

/// Distinguishes the temporary files of one process.
static TEMPORARY: AtomicU64 = AtomicU64::new(0);

impl FileStore {
    /// A store in `dir`, which must exist.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] when `dir` cannot be read,
    /// [`StoreError::NotADirectory`] when it is not a directory.
    pub fn open(dir: impl Into<PathBuf>) -> Result<FileStore, StoreError> {
        let dir = dir.into();
        let metadata =
            fs::metadata(&dir).map_err(|error| StoreError::io(&dir, "open the store directory", error))?;
        if !metadata.is_dir() {
            return Err(StoreError::NotADirectory { path: dir });
        }
        Ok(FileStore { dir, recent: Arc::default() })
    }

    fn recent(&self) -> MutexGuard<'_, HashMap<ReleaseKey, Written>> {
        // Entries are replaced whole, so a panic elsewhere cannot leave one
        // half-written.
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remember(&self, key: &ReleaseKey, file: FileState, release: Release) {
        let mut recent = self.recent();
        if recent.len() >= RECENT_RELEASES && !recent.contains_key(key) {
            recent.clear();
        }
        recent.insert(key.clone(), Written { file, release });
    }

    /// A key the store does not have, with the stored keys closest to it.
    fn not_found(&self, key: &ReleaseKey) -> StoreError {
        not_found(key, &self.keys().unwrap_or_default())
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The log file of a release.
    pub fn path_of(&self, key: &ReleaseKey) -> PathBuf {
        self.dir.join(format!("{key}.jsonl"))
    }

    /// Writes a complete log under a temporary name; returns the name and
    /// the log's length.
    fn write_new_log(&self, key: &ReleaseKey, events: &[Event]) -> Result<(PathBuf, u64), StoreError> {
        let mut text = header_line(key)?;
        for event in events {
            push_event_line(&mut text, key, event)?;
        }
        loop {
            let serial = TEMPORARY.fetch_add(1, Ordering::Relaxed);
            let temporary = self.dir.join(format!(".{key}.{}.{serial}.tmp", std::process::id()));
            let mut file = match OpenOptions::new().write(true).create_new(true).open(&temporary) {
                Ok(file) => file,
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(StoreError::io(&temporary, "create a release log in", error)),
            };
            let written = file.write_all(&text).and_then(|()| file.sync_all());
            if let Err(error) = written {
                let _ = fs::remove_file(&temporary);
                return Err(StoreError::io(&temporary, "write", error));
            }
            return Ok((temporary, text.len() as u64));
        }
    }

    /// Makes a new name in the directory durable. Only Unix can open a
    /// directory to sync it; elsewhere the file system's own ordering is
    /// relied on.
    fn sync_dir(&self) -> Result<(), StoreError> {
        if !cfg!(unix) {
            return Ok(());
        }
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|error| StoreError::io(&self.dir, "sync", error))
    }
}

fn header_line(key: &ReleaseKey) -> Result<Vec<u8>, StoreError> {
    let header = Header { format: FORMAT_VERSION, release: key.to_string() };
    let mut line = serde_json::to_vec(&header).map_err(|error| encode_error(key, error))?;
    line.push(b'\n');
    Ok(line)
}

fn push_event_line(text: &mut Vec<u8>, key: &ReleaseKey, event: &Event) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *text, event).map_err(|error| encode_error(key, error))?;
    text.push(b'\n');
    Ok(())
}

fn encode_error(key: &ReleaseKey, error: serde_json::Error) -> StoreError {
    StoreError::Encode { key: key.to_string(), source: Arc::new(error) }
}

/// A log read from disk: the release, the torn tail if any, and the length
/// of the part that holds whole lines.
struct Parsed {
    release: Release,
    torn_tail: Option<TornTail>,
    complete_len: usize,
}

fn parse_log(path: &Path, key: &ReleaseKey, bytes: &[u8]) -> Result<Parsed, StoreError> {
    let complete_len = bytes.iter().rposition(|byte| *byte == b'\n').map_or(0, |newline| newline + 1);
    let (complete, tail) = bytes.split_at(complete_len);
    let mut lines = complete.split(|byte| *byte == b'\n');
    let not_a_log = |problem: String| StoreError::NotALog { path: path.to_path_buf(), problem };
    let header: Header = match lines.next().filter(|line| !line.is_empty()) {
        Some(line) => serde_json::from_slice(line)
            .map_err(|error| not_a_log(format!("its first line is not a release log header ({error})")))?,
        None => return Err(not_a_log("it has no complete header line".into())),
    };
    if !is_readable_format(header.format) {
        return Err(
            ReleaseError::UnsupportedFormat { found: header.format, supported: FORMAT_VERSION }.into()
        );
    }
    if header.release != key.as_str() {
        return Err(not_a_log(format!("its header names release {}, not {key}", header.release)));
    }
    let corrupt =
        |line: usize, problem: String| StoreError::CorruptLog { path: path.to_path_buf(), line, problem };
    let mut events = Vec::new();
    for (line_number, line) in (2..).zip(lines) {
        if line.is_empty() {
            // The split after the final newline.
            continue;
        }
        let event: Event =
            serde_json::from_slice(line).map_err(|error| corrupt(line_number, error.to_string()))?;
        events.push(event);
    }
    let release = Release::replay(events).map_err(|error| match error {
        ReleaseError::Replay { position, source } => corrupt(position + 2, source.to_string()),
        other => corrupt(2, other.to_string()),
    })?;
    let torn_tail = (!tail.is_empty()).then(|| TornTail {
        line: complete.iter().filter(|byte| **byte == b'\n').count() + 1,
        bytes: tail.len(),
    });
    Ok(Parsed { release, torn_tail, complete_len })
}

impl ReleaseStore for FileStore {
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        let key = ReleaseKey::of(release);
        let path = self.path_of(&key);
        let (temporary, length) = self.write_new_log(&key, release.events())?;
        // A hard link never replaces an existing name: two creators of one
        // release cannot both succeed.
        let linked = fs::hard_link(&temporary, &path);
        let _ = fs::remove_file(&temporary);
        match linked {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                return Err(StoreError::ReleaseExists { key: key.to_string() });
            }
            Err(error) => return Err(StoreError::io(&path, "create", error)),
        }
        self.sync_dir()?;
        if let Ok(file) = File::open(&path) {
            let state = FileState::of(&file, &path)?;
            if state.len == length {
                self.remember(&key, state, release.clone());
            }
        }
        Ok(key)
    }

    fn load(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError> {
        let path = self.path_of(key);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(self.not_found(key)),
            Err(error) => return Err(StoreError::io(&path, "read", error)),
        };
        let parsed = parse_log(&path, key, &bytes)?;
        Ok(StoredRelease { release: parsed.release, torn_tail: parsed.torn_tail })
    }

    fn append(&self, key: &ReleaseKey, expected: usize, events: &[Event]) -> Result<usize, StoreError> {
        let path = self.path_of(key);
        let mut file = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(self.not_found(key)),
            Err(error) => return Err(StoreError::io(&path, "open", error)),
        };
        // Held until the file is dropped: appends to one release take turns,
        // across threads and processes.
        file.lock().map_err(|error| StoreError::io(&path, "lock", error))?;
        let state = FileState::of(&file, &path)?;
        // Writers only ever append, so a file as long and as old as this
        // store left it holds exactly what the store wrote.
        let cached = self.recent().remove(key).filter(|written| written.file == state);
        let (current, complete_len, torn) = match cached {
            Some(written) => (written.release, state.len, false),
            None => {
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).map_err(|error| StoreError::io(&path, "read", error))?;
                let parsed = parse_log(&path, key, &bytes)?;
                (parsed.release, parsed.complete_len as u64, parsed.torn_tail.is_some())
            }
        };
        let actual = current.events().len();
        if actual != expected {
            if !torn {
                self.remember(key, state, current);
            }
            return Err(StoreError::Conflict { key: key.to_string(), expected, actual });
        }
        // A refused event leaves the store without a memory of this
        // release: the next append reads the log again.
        let updated = extend(current, events, actual)?;
        let mut text = Vec::new();
        for event in events {
            push_event_line(&mut text, key, event)?;
        }
        if torn {
            file.set_len(complete_len)
                .map_err(|error| StoreError::io(&path, "cut the torn tail of", error))?;
        }
        file.seek(SeekFrom::Start(complete_len))
            .and_then(|_| file.write_all(&text))
            .and_then(|()| file.sync_data())
            .map_err(|error| StoreError::io(&path, "append to", error))?;
        let count = updated.events().len();
        self.remember(key, FileState::of(&file, &path)?, updated);
        Ok(count)
    }

    fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError> {
        let entries = fs::read_dir(&self.dir).map_err(|error| StoreError::io(&self.dir, "list", error))?;
        let mut keys = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| StoreError::io(&self.dir, "list", error))?;
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|name| name.strip_suffix(".jsonl")) else {
                continue;
            };
            if let Ok(key) = ReleaseKey::parse(stem) {
                keys.push(key);
            }
        }
        keys.sort();
        Ok(keys)
    }
}
