//! A store on disk: one append-only JSON Lines log per release.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use crate::digest::Digest;
use crate::event::Event;
use crate::metrics::parallel::map_in_shares;
use crate::release::{FORMAT_VERSION, Release, Trust};
use crate::store::checklists::KeptChecklists;
use crate::store::error::StoreError;
use crate::store::in_flight::{Flight, Flights, ServiceLock, check_against};
use crate::store::log::{Parsed, header_line, parse_log, push_event_lines};
use crate::store::{
    Loaded, ReleaseKey, ReleaseStore, StoredRelease, check_creatable, extend, moved_to, moves_checklist,
    not_found,
};

/// Releases kept on disk, one append-only log per release.
///
/// Each release is a file `<key>.jsonl` in the store's directory. Its first
/// line is a header, `{"format":5,"release":"<key>"}` (the format it was
/// created in: a log keeps its header's format, and events appended to an
/// older log are written as that format writes them); every further line is
/// one event, chained and (with a key) sealed exactly as
/// [`FORMAT_VERSION`](crate::release::FORMAT_VERSION) describes; from format
/// 5 on, the planning event names its checklist by fingerprint rather than
/// holding it, so a log is a few KB and its checklist is read once, from
/// the store's trust, for every release planned with it. A log is read
/// against the store's [`Trust`]: its chain must hold, its checklist must
/// be trusted, every event must pass the rules, and it must be the release
/// its file name says.
///
/// - **Creation is atomic**: the log is written and synced under a
///   temporary name, then linked to its name, which fails if the name is
///   taken, so a reader sees all of a new release or none of it.
/// - **Appends are durable and whole**: the new lines are written and
///   synced (`fsync`) before [`append`](ReleaseStore::append) returns; an
///   append that fails part way (a full disk) cuts the log back to where it
///   was before returning the error. A batch is whole after a crash too:
///   before writing several events, the store marks where they start and
///   end (`.<key>.jsonl.batch`, synced), and a reader drops a batch the log
///   does not hold whole, as a torn tail.
/// - **Writers do not overwrite each other**: an append holds an exclusive
///   lock on the file, and is refused with [`StoreError::Conflict`] when
///   the log no longer has the number of events its writer read.
/// - **Appends stay cheap on long logs**: a store remembers each release it
///   last wrote, with the file's length, modification time, inode and
///   inode change time, and the head digest then. An append to a file
///   unchanged since — same length and times (an editor can put the
///   modification time back, not the change time), same inode, and its
///   last line still carrying the remembered head — continues from memory;
///   a file changed in any way is read and verified first, so an event is
///   never acknowledged into a log that does not load. (Where the platform
///   gives no change time, every append reads the file.)
///   [`load`](ReleaseStore::load) always reads and verifies the file.
/// - **A crash cannot lose what was acknowledged**: a last line cut short
///   by a crash mid-append is reported as a [`TornTail`](crate::store::TornTail)
///   and left out on load (it was never acknowledged), and the next append
///   cuts it off; a last line complete but for its newline is an event, and
///   the next append completes it.
/// - **A corrupt log is named, never repaired silently**: a line that does
///   not read or verify is named in the error, and
///   [`recover`](FileStore::recover) moves the log aside and restores its
///   longest valid prefix, reporting what it dropped.
///
/// ```
/// use release_workflow::{release::Trust, store::{FileStore, ReleaseStore}};
/// # use release_workflow::{Actor, Release, ReleaseKind, Role};
/// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
/// let dir = std::env::temp_dir().join(format!("release-store-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let store = FileStore::open(&dir)?.with_trust(Trust::default());
/// let key = store.create(&release)?;
/// assert_eq!(store.load(&key)?.release, release);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    trust: Arc<Trust>,
    /// The releases this store last wrote, with the state their file had
    /// then: an append to a file still in that state starts from the
    /// remembered release instead of reading and replaying the whole log.
    recent: Arc<Mutex<HashMap<ReleaseKey, Written>>>,
    /// The checklist versions read from or written to the directory.
    kept: Arc<KeptChecklists>,
    /// The trust the store works with, its own and its ledger's, as of the
    /// ledger file's state it was built from.
    effective: Arc<Mutex<Option<BuiltTrust>>>,
}

/// A trust built from the ledger file, and the file's state it was built
/// from.
pub(super) type BuiltTrust = (FileState, Arc<Trust>);

/// A release as this store last wrote it, and its file as it left it.
#[derive(Debug)]
pub(super) struct Written {
    file: FileState,
    release: Release,
    format: u32,
    /// The head of a chained log.
    head: Option<Digest>,
    /// The last event's line as written, newline included: the file ends
    /// with it.
    last_line: Vec<u8>,
}

/// What tells a file changed: its length, its modification time, and its
/// inode's number and change time. A program can put a file's
/// modification time back; the change time, which the kernel sets on
/// every write and on setting the times, it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileState {
    len: u64,
    modified: Option<SystemTime>,
    /// `(inode, ctime seconds, ctime nanoseconds)`; `None` where the
    /// platform does not say, and then the file is always read again.
    inode: Option<(u64, i64, i64)>,
}

impl FileState {
    fn of(file: &File, path: &Path) -> Result<FileState, StoreError> {
        let metadata = file.metadata().map_err(|error| StoreError::io(path, "read", error))?;
        Ok(FileState::from_metadata(&metadata))
    }

    fn from_metadata(metadata: &std::fs::Metadata) -> FileState {
        FileState { len: metadata.len(), modified: metadata.modified().ok(), inode: inode_of(metadata) }
    }

    /// The state of the file at `path`, if there is one.
    pub(super) fn at(path: &Path) -> Result<Option<FileState>, StoreError> {
        match fs::metadata(path) {
            Ok(metadata) => Ok(Some(FileState::from_metadata(&metadata))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(StoreError::io(path, "read", error)),
        }
    }

    /// Whether the file can be trusted to be as it was: it says so on
    /// every count, change time included.
    pub(super) fn unchanged_since(&self, then: &FileState) -> bool {
        self == then && self.inode.is_some() && self.modified.is_some()
    }
}

#[cfg(unix)]
fn inode_of(metadata: &std::fs::Metadata) -> Option<(u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((metadata.ino(), metadata.ctime(), metadata.ctime_nsec()))
}

#[cfg(not(unix))]
fn inode_of(_: &std::fs::Metadata) -> Option<(u64, i64, i64)> {
    None
}

/// How many releases the cache of recent writes holds before it starts over.
const RECENT_RELEASES: usize = 256;

/// The fewest logs `load_many` gives a thread: below that, starting one
/// costs more than it saves.
const LEAST_SHARE: usize = 32;

impl PartialEq for FileStore {
    /// Two stores are equal when they use the same directory.
    fn eq(&self, other: &FileStore) -> bool {
        self.dir == other.dir
    }
}

impl Eq for FileStore {}

/// Distinguishes the temporary files of one process.
static TEMPORARY: AtomicU64 = AtomicU64::new(0);

impl FileStore {
    /// A store in `dir`, which must exist, trusting
    /// [`Trust::default`]: the OctoAcme checklist, no key.
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
        Ok(FileStore {
            dir,
            trust: Arc::new(Trust::default()),
            recent: Arc::default(),
            kept: Arc::default(),
            effective: Arc::default(),
        })
    }

    /// The same store, reading logs against `trust` and, when it holds a
    /// key, sealing what it writes with it.
    #[must_use]
    pub fn with_trust(self, trust: Trust) -> FileStore {
        FileStore {
            dir: self.dir,
            trust: Arc::new(trust),
            recent: Arc::default(),
            kept: self.kept,
            effective: Arc::default(),
        }
    }

    /// What the store was given to trust; its trust ledger adds to it
    /// ([`ReleaseStore::trust_ledger`]).
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The store's own trust.
    pub(super) fn own_trust(&self) -> &Arc<Trust> {
        &self.trust
    }

    /// The trust built from the ledger file in `state`, if that is the
    /// state it was built from.
    pub(super) fn effective(&self) -> MutexGuard<'_, Option<BuiltTrust>> {
        // Replaced whole: a panic elsewhere leaves none half-made.
        self.effective.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn recent(&self) -> MutexGuard<'_, HashMap<ReleaseKey, Written>> {
        // Entries are replaced whole, so a panic elsewhere cannot leave one
        // half-written.
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets what this store last wrote to a release's log.
    pub(super) fn forget(&self, key: &ReleaseKey) {
        self.recent().remove(key);
    }

    fn remember(&self, key: &ReleaseKey, written: Written) {
        let mut recent = self.recent();
        if recent.len() >= RECENT_RELEASES && !recent.contains_key(key) {
            recent.clear();
        }
        recent.insert(key.clone(), written);
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

    /// A complete log of `release` in the current format, and what this
    /// store remembers of it once written; the checklist version the log
    /// names is kept first.
    pub(super) fn encode_log(
        &self,
        key: &ReleaseKey,
        release: &Release,
    ) -> Result<(Vec<u8>, Written), StoreError> {
        self.keep_checklist(release.template())?;
        let mut text = header_line(key)?;
        let (head, last_line_start) =
            push_event_lines(&mut text, key, FORMAT_VERSION, None, release.events(), &self.trust)?;
        let written = Written {
            file: FileState { len: text.len() as u64, modified: None, inode: None },
            release: release.clone(),
            format: FORMAT_VERSION,
            head,
            last_line: text.get(last_line_start..).unwrap_or_default().to_vec(),
        };
        Ok((text, written))
    }

    /// Writes `text` under a temporary name in the directory, synced.
    pub(super) fn write_temporary(&self, key: &ReleaseKey, text: &[u8]) -> Result<PathBuf, StoreError> {
        self.write_temporary_in(&self.dir, key.as_str(), text)
    }

    /// Writes `text` under a temporary name in `dir` that starts with
    /// `name`, synced.
    pub(super) fn write_temporary_in(
        &self,
        dir: &Path,
        name: &str,
        text: &[u8],
    ) -> Result<PathBuf, StoreError> {
        loop {
            let serial = TEMPORARY.fetch_add(1, Ordering::Relaxed);
            let temporary = dir.join(format!(".{name}.{}.{serial}.tmp", std::process::id()));
            let mut file = match OpenOptions::new().write(true).create_new(true).open(&temporary) {
                Ok(file) => file,
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(StoreError::io(&temporary, "create a release log in", error)),
            };
            let written = file.write_all(text).and_then(|()| file.sync_all());
            if let Err(error) = written {
                let _ = fs::remove_file(&temporary);
                return Err(StoreError::io(&temporary, "write", error));
            }
            return Ok(temporary);
        }
    }

    /// Makes a new name in the directory durable.
    pub(super) fn sync_dir(&self) -> Result<(), StoreError> {
        crate::store::checklists::sync_dir(&self.dir)
    }

    pub(super) fn kept(&self) -> &KeptChecklists {
        &self.kept
    }

    /// Opens a release's log for appending and locks it, making sure the
    /// locked file is still the one under the release's name (a recovery
    /// may have moved it aside while this writer waited).
    pub(super) fn open_locked(&self, key: &ReleaseKey) -> Result<File, StoreError> {
        let path = self.path_of(key);
        loop {
            let file = match OpenOptions::new().read(true).write(true).open(&path) {
                Ok(file) => file,
                Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(self.not_found(key)),
                Err(error) => return Err(StoreError::io(&path, "open", error)),
            };
            // Held until the file is dropped: appends to one release take
            // turns, across threads and processes.
            file.lock().map_err(|error| StoreError::io(&path, "lock", error))?;
            if still_named(&file, &path) {
                return Ok(file);
            }
        }
    }

    /// The release as this store last left it, if the file is still as it
    /// was: same length and time, and its last line still the one written,
    /// which carries the remembered head. Someone who rewrites the log and
    /// its chain must rewrite that line, so a rewrite is noticed even when
    /// it keeps the file's length and restores its time.
    fn remembered(&self, key: &ReleaseKey, file: &mut File, state: FileState) -> Option<Written> {
        let written = self.recent().remove(key).filter(|written| state.unchanged_since(&written.file))?;
        let mut last_line = Vec::new();
        file.seek(SeekFrom::Start(state.len.checked_sub(written.last_line.len() as u64)?)).ok()?;
        file.read_to_end(&mut last_line).ok()?;
        (last_line == written.last_line).then_some(written)
    }

    /// Reads and verifies a log from an open file; gives its bytes too.
    pub(super) fn read(&self, key: &ReleaseKey, file: &mut File) -> Result<(Parsed, Vec<u8>), StoreError> {
        #[cfg(test)]
        FULL_READS.set(FULL_READS.get() + 1);
        let path = self.path_of(key);
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(|error| StoreError::io(&path, "read", error))?;
        let (whole, unfinished) = crate::store::batch::unfinished(&path, &bytes);
        let trust = self.effective_trust()?;
        let mut parsed =
            parse_log(&path, key, whole, &trust, &mut |fingerprint| self.kept_checklist(fingerprint))?;
        parsed.torn_tail = parsed.torn_tail.or(unfinished);
        Ok((parsed, bytes))
    }
}

/// Writes `text` where the file stands and syncs it.
#[cfg(not(test))]
fn write_synced(file: &mut File, text: &[u8]) -> io::Result<()> {
    file.write_all(text)?;
    file.sync_data()
}

impl FileStore {
    /// Loads a release with the store's trust as read beforehand.
    fn load_trusting(&self, key: &ReleaseKey, trust: &Trust) -> Result<StoredRelease, StoreError> {
        let path = self.path_of(key);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(self.not_found(key)),
            Err(error) => return Err(StoreError::io(&path, "read", error)),
        };
        let (whole, unfinished) = crate::store::batch::unfinished(&path, &bytes);
        let parsed =
            parse_log(&path, key, whole, trust, &mut |fingerprint| self.kept_checklist(fingerprint))?;
        Ok(StoredRelease {
            revoked: trust.revocation(&parsed.release.template().fingerprint()).cloned(),
            release: parsed.release,
            torn_tail: parsed.torn_tail.or(unfinished),
            integrity: parsed.integrity,
        })
    }
}

#[cfg(test)]
thread_local! {
    /// In tests: how many bytes a write may store before the disk is full.
    static DISK_ROOM: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// In tests: how many times an append read and verified a whole log.
    static FULL_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// In tests: how many bytes a write stores before the process "dies"
    /// (panics, so nothing after the write runs, as after a crash).
    static CRASH_AFTER: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Writes `text` where the file stands and syncs it; in tests, the disk
/// fills up after [`DISK_ROOM`] bytes.
#[cfg(test)]
fn write_synced(file: &mut File, text: &[u8]) -> io::Result<()> {
    if let Some(written) = CRASH_AFTER.take() {
        file.write_all(text.get(..written).unwrap_or_default())?;
        file.sync_data()?;
        panic!("a crash, {written} bytes into a write of {}", text.len());
    }
    match DISK_ROOM.get() {
        Some(room) if room < text.len() => {
            file.write_all(text.get(..room).unwrap_or_default())?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "no space left on device"))
        }
        _ => {
            file.write_all(text)?;
            file.sync_data()
        }
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
pub(super) fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Whether `path` still names the open `file`: without inode numbers, the
/// name is trusted.
#[cfg(not(unix))]
pub(super) fn still_named(_file: &File, _path: &Path) -> bool {
    true
}

impl ReleaseStore for FileStore {
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        let trust = self.effective_trust()?;
        check_creatable(release, &trust)?;
        let key = ReleaseKey::of(release);
        let path = self.path_of(&key);
        // A release stored already in flight (brought from elsewhere) is
        // held to the same rule as one that moves there.
        let _service = match Flight::of(false, release) {
            Flight::Enters if !path.exists() => Some(self.enter_flight(&key, release)?),
            _ => None,
        };
        let (text, mut written) = self.encode_log(&key, release)?;
        let temporary = self.write_temporary(&key, &text)?;
        let pending = self.feed_pending(&key, 0)?;
        // A hard link never replaces an existing name: two creators of one
        // release cannot both succeed.
        let linked = fs::hard_link(&temporary, &path);
        let _ = fs::remove_file(&temporary);
        match linked {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                pending.done();
                return Err(StoreError::ReleaseExists { key: key.to_string() });
            }
            Err(error) => {
                pending.done();
                return Err(StoreError::io(&path, "create", error));
            }
        }
        self.sync_dir()?;
        self.record_in_feed(pending, &key, 0, release.events());
        if let Ok(file) = File::open(&path) {
            let state = FileState::of(&file, &path)?;
            if state.len == written.file.len {
                written.file = state;
                self.remember(&key, written);
            }
        }
        Ok(key)
    }

    fn load(&self, key: &ReleaseKey) -> Result<StoredRelease, StoreError> {
        self.load_trusting(key, &*self.effective_trust()?)
    }

    /// Reads the logs on as many threads as there are cores (parsing and
    /// checking a log costs more than reading it), with the store's trust
    /// read once; the `many_releases` bench in `benches/integrity.rs`
    /// compares it with one load after the other.
    fn load_many(&self, keys: &[ReleaseKey]) -> Result<Loaded, StoreError> {
        let trust = self.effective_trust()?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let answers = map_in_shares(keys, cores, LEAST_SHARE, |key| self.load_trusting(key, &trust));
        Loaded::sorted(keys.iter().cloned().zip(answers))
    }

    fn append(&self, key: &ReleaseKey, expected: usize, events: &[Event]) -> Result<usize, StoreError> {
        let path = self.path_of(key);
        let mut file = self.open_locked(key)?;
        let state = FileState::of(&file, &path)?;
        let (current, end, torn, needs_newline) = match self.remembered(key, &mut file, state) {
            Some(written) => {
                let end = written.file.len;
                (written, end, false, false)
            }
            None => {
                let (parsed, bytes) = self.read(key, &mut file)?;
                let end = parsed.end as u64;
                let torn = parsed.torn_tail.is_some();
                let last_line = bytes.get(parsed.last_line_start..parsed.end).unwrap_or_default().to_vec();
                let written = Written {
                    file: state,
                    release: parsed.release,
                    format: parsed.format,
                    head: parsed.head,
                    last_line,
                };
                (written, end, torn, parsed.needs_newline)
            }
        };
        let actual = current.release.events().len();
        if actual != expected {
            return Err(StoreError::Conflict { key: key.to_string(), expected, actual });
        }
        // A refused event leaves the store without a memory of this
        // release: the next append reads the log again.
        let Written { release, format, head, last_line, .. } = current;
        let trust =
            if moves_checklist(events) { self.effective_trust()? } else { Arc::clone(self.own_trust()) };
        let was_in_flight = release.is_in_flight();
        let updated = extend(release, events, actual, &trust)?;
        // Held until the events are written: moves of one service into
        // flight take turns.
        let flight = Flight::of(was_in_flight, &updated);
        let _service = match flight {
            Flight::Enters => Some(self.enter_flight(key, &updated)?),
            Flight::Leaves | Flight::Stays => None,
        };
        // A log never names a version its store does not keep.
        for version in moved_to(events, &trust) {
            self.keep_checklist(&version)?;
        }
        let mut text = Vec::new();
        if needs_newline {
            text.push(b'\n');
        }
        let (new_head, last_in_text) = push_event_lines(&mut text, key, format, head, events, &self.trust)?;
        if torn {
            file.set_len(end).map_err(|error| StoreError::io(&path, "cut the torn tail of", error))?;
        }
        // A lone event clears a crashed batch's marker before it is written
        // and is done with it; a batch writes its own and ends it after.
        let lone = events.len() == 1;
        if lone {
            crate::store::batch::clear_stale(&path, || self.sync_dir())?;
        } else if !events.is_empty() {
            crate::store::batch::begin(&path, end, end + text.len() as u64, || self.sync_dir())?;
        }
        let pending = if events.is_empty() { None } else { Some(self.feed_pending(key, actual)?) };
        let appended = file.seek(SeekFrom::Start(end)).and_then(|_| write_synced(&mut file, &text));
        if let Err(error) = appended {
            // Leave the log as it was: a batch is stored whole or not at all.
            let _ = file.set_len(end).and_then(|()| file.sync_data());
            let _ = crate::store::batch::end(&path);
            if let Some(pending) = pending {
                pending.done();
            }
            return Err(StoreError::io(&path, "append to", error));
        }
        if let Some(pending) = pending {
            self.record_in_feed(pending, key, actual, events);
        }
        // The batch is durable: its marker has done its work (as has one a
        // crash left, when this append only cut a torn tail). The events
        // are stored, so a marker that cannot be removed is no reason to
        // report them lost: it names a batch the log holds whole, which a
        // reader ignores, until the next batch replaces it or a recovery
        // (which does report the failure) removes it.
        if !lone {
            let _ = crate::store::batch::end(&path);
        }
        if flight == Flight::Leaves {
            // The list is a hint every check verifies: a key left on it
            // by a failure here is dropped by the next check.
            let _ = self.leave_flight(key, &updated);
        }
        let count = updated.events().len();
        let last_line =
            if events.is_empty() { last_line } else { text.get(last_in_text..).unwrap_or_default().to_vec() };
        let written = Written {
            file: FileState::of(&file, &path)?,
            release: updated,
            format,
            head: new_head,
            last_line,
        };
        self.remember(key, written);
        Ok(count)
    }

    /// Catches the feed up with any writer that crashed between its log
    /// and its feed lines first (see the module `file_feed`).
    fn changes_since(&self, cursor: crate::store::Cursor) -> Result<crate::store::Changes, StoreError> {
        let marks = self.feed_page(cursor)?;
        crate::store::feed::resolve(self, cursor, marks)
    }

    /// Reads the releases of the service in flight from its list in
    /// `in-flight/` instead of loading every release of the service; a
    /// service without a list (a store written before it) is listed.
    fn status(
        &self,
        key: &ReleaseKey,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<crate::release::ReleaseStatus, StoreError> {
        crate::store::owing::status_among_listed(self, key, at, |service| {
            Flights::new(&self.dir).listed(service)
        })
    }

    /// Reads the feed's last line, after catching up with a crashed writer.
    fn feed_head(&self) -> Result<crate::store::Cursor, StoreError> {
        self.feed_catch_up()?;
        self.feed_last()
    }

    /// The version kept in [`checklists_dir`](FileStore::checklists_dir).
    fn trust_ledger(&self) -> Result<crate::release::TrustLedger, StoreError> {
        self.stored_ledger()
    }

    fn append_trust(
        &self,
        expected: usize,
        entry: &crate::release::TrustEntry,
        template: Option<&crate::checklist::Template>,
    ) -> Result<(), StoreError> {
        self.append_trust_entry(expected, entry, template)
    }

    fn checklist(&self, fingerprint: &Digest) -> Result<Option<crate::checklist::Template>, StoreError> {
        Ok(self.kept_checklist(fingerprint)?.map(|kept| (*kept).clone()))
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

impl FileStore {
    /// Checks that `updated`, entering flight, has its service to itself,
    /// and lists it as in flight; returns the service's lock, to hold
    /// until its log is written.
    fn enter_flight(&self, key: &ReleaseKey, updated: &Release) -> Result<ServiceLock, StoreError> {
        let service = updated.service().unwrap_or_default();
        let lock = Flights::new(&self.dir).lock(service)?;
        let candidates = match lock.listed()? {
            Some(listed) => listed,
            None => self.keys()?.into_iter().filter(|other| other.names_service(service)).collect(),
        };
        let mut in_flight = Vec::new();
        for other in candidates.iter().filter(|other| *other != key) {
            // A release that cannot be read is reported by loads and
            // listings; it does not hold the service here.
            if let Ok(stored) = self.load(other)
                && stored.release.is_in_flight()
                && stored.release.service() == Some(service)
            {
                in_flight.push((other.clone(), stored.release));
            }
        }
        check_against(updated, in_flight.iter().map(|(_, release)| release))?;
        let mut keys: Vec<ReleaseKey> = in_flight.into_iter().map(|(other, _)| other).collect();
        keys.push(key.clone());
        lock.write(&keys)?;
        Ok(lock)
    }

    /// Takes `key` off its service's list once its release has left flight.
    fn leave_flight(&self, key: &ReleaseKey, updated: &Release) -> Result<(), StoreError> {
        let lock = Flights::new(&self.dir).lock(updated.service().unwrap_or_default())?;
        if let Some(mut listed) = lock.listed()? {
            listed.retain(|listed| listed != key);
            lock.write(&listed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("release-workflow-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn appends_continue_from_memory_while_the_file_is_as_written() {
        let dir = scratch("memory");
        let mut release = crate::release::sample();
        let ada = release.plan().release_manager().clone();
        let at = release.last_event_at();
        let (store, other) = (FileStore::open(&dir).unwrap(), FileStore::open(&dir).unwrap());
        let key = store.create(&release).unwrap();
        FULL_READS.set(0);
        let mut stored = 1;
        for item in ["planning.scope-documented", "planning.version-confirmed"] {
            release.complete(item, &ada, at).unwrap();
            stored = store.save(&release, stored).unwrap();
        }
        assert_eq!(FULL_READS.get(), 0, "an append read a log this store wrote and nobody changed");
        // Another store appends: this one notices, reads, and refuses its
        // stale view.
        let mut theirs = release.clone();
        theirs.complete("planning.type-identified", &ada, at).unwrap();
        other.save(&theirs, stored).unwrap();
        FULL_READS.set(0);
        release.complete("planning.roles-assigned", &ada, at).unwrap();
        assert!(matches!(store.save(&release, stored), Err(StoreError::Conflict { .. })));
        assert_eq!(FULL_READS.get(), 1);
        // A last line left without its newline is read, and completed.
        let path = store.path_of(&key);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.trim_end()).unwrap();
        assert!(matches!(store.save(&release, stored), Err(StoreError::Conflict { .. })));
        assert_eq!(store.save(&theirs, 4).unwrap(), 4);
        let mut next = theirs.clone();
        next.complete("planning.roles-assigned", &ada, at).unwrap();
        assert_eq!(store.save(&next, 4).unwrap(), 5);
        assert_eq!(store.load(&key).unwrap().release, next);
        assert!(fs::read_to_string(&path).unwrap().lines().all(|line| line.ends_with('}')));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_batch_cut_by_a_crash_is_dropped_whole_as_a_torn_tail() {
        let dir = scratch("crash-batch");
        let mut release = crate::release::sample();
        let ada = release.plan().release_manager().clone();
        let at = release.last_event_at();
        let store = FileStore::open(&dir).unwrap();
        let key = store.create(&release).unwrap();
        let path = store.path_of(&key);
        let before = fs::read(&path).unwrap();
        let acknowledged = release.clone();
        for item in ["planning.scope-documented", "planning.version-confirmed", "planning.type-identified"] {
            release.complete(item, &ada, at).unwrap();
        }
        // The process dies two lines and a bit into a batch of three.
        let (whole, _) = store.encode_log(&key, &release).unwrap();
        let batch = whole.get(before.len()..).unwrap();
        let first_two = batch.split_inclusive(|&byte| byte == b'\n').take(2).map(<[u8]>::len).sum::<usize>();
        CRASH_AFTER.set(Some(first_two + 10));
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| store.save(&release, 1)));
        assert!(crashed.is_err(), "the write was cut");
        assert_eq!(fs::read(&path).unwrap().len(), before.len() + first_two + 10);
        // Two whole lines of the batch are on disk, yet none of it loads.
        let loaded = FileStore::open(&dir).unwrap().load(&key).unwrap();
        assert_eq!(loaded.release, acknowledged, "a batch is all or nothing");
        assert_eq!(loaded.torn_tail, Some(crate::store::TornTail { line: 3, bytes: first_two + 10 }));
        // The next append, from another store, cuts it off and goes on.
        let other = FileStore::open(&dir).unwrap();
        let mut next = acknowledged.clone();
        next.complete("planning.roles-assigned", &ada, at).unwrap();
        assert_eq!(other.save(&next, 1).unwrap(), 2);
        assert_eq!(other.load(&key).unwrap().release, next);
        assert_eq!(other.load(&key).unwrap().torn_tail, None);
        assert!(!marker_exists(&path), "the marker went with the batch");
        // A batch that completes leaves no marker, and loads whole.
        let mut three = next.clone();
        for item in ["planning.scope-documented", "planning.version-confirmed", "planning.type-identified"] {
            three.complete(item, &ada, at).unwrap();
        }
        assert_eq!(other.save(&three, 2).unwrap(), 5);
        assert!(!marker_exists(&path));
        assert_eq!(store.load(&key).unwrap().release, three);
        // A crash after the whole batch is written, before its marker is
        // removed: the batch is whole, and loads.
        let mut two_more = three.clone();
        for item in ["planning.dependencies-identified", "planning.stakeholders-notified"] {
            two_more.complete(item, &ada, at).unwrap();
        }
        let (whole, _) = store.encode_log(&key, &two_more).unwrap();
        let (before_batch, _) = store.encode_log(&key, &three).unwrap();
        CRASH_AFTER.set(Some(whole.len() - before_batch.len()));
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| other.save(&two_more, 5)));
        assert!(crashed.is_err());
        assert!(marker_exists(&path), "the crash left the marker");
        let loaded = FileStore::open(&dir).unwrap().load(&key).unwrap();
        assert_eq!((loaded.release, loaded.torn_tail), (two_more, None));
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Whether a batch marker lies beside the log at `path`.
    fn marker_exists(path: &Path) -> bool {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        path.with_file_name(format!(".{name}.batch")).exists()
    }

    #[test]
    fn a_recovery_that_cannot_remove_a_batch_marker_says_so() {
        let dir = scratch("stuck-marker");
        let release = crate::release::sample();
        let store = FileStore::open(&dir).unwrap();
        let key = store.create(&release).unwrap();
        let path = store.path_of(&key);
        // A marker that cannot be removed: a directory in its place.
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        fs::create_dir(path.with_file_name(format!(".{name}.batch"))).unwrap();
        let error = store.recover(&key).map(|_| ()).unwrap_err();
        assert!(matches!(error, StoreError::Io { action: "remove", .. }), "{error:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_is_still_named_until_another_takes_its_name() {
        let dir = scratch("named");
        let (path, other) = (dir.join("log.jsonl"), dir.join("other.jsonl"));
        fs::write(&path, "one").unwrap();
        fs::write(&other, "two").unwrap();
        let open = File::open(&path).unwrap();
        assert!(still_named(&open, &path));
        assert!(!still_named(&open, &other), "another file of the same device");
        fs::rename(&other, &path).unwrap();
        assert!(!still_named(&open, &path), "the name now holds another file");
        fs::remove_file(&path).unwrap();
        assert!(!still_named(&open, &path), "the name is gone");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_append_that_fills_the_disk_leaves_the_log_as_it_was() {
        let dir = scratch("full-disk");
        let mut release = crate::release::sample();
        let ada = release.plan().release_manager().clone();
        let at = release.last_event_at();
        let store = FileStore::open(&dir).unwrap();
        let key = store.create(&release).unwrap();
        let before = fs::read(store.path_of(&key)).unwrap();
        for item in
            ["planning.scope-documented", "planning.version-confirmed", "planning.stakeholders-notified"]
        {
            release.complete(item, &ada, at).unwrap();
        }
        // Room for one event and a half: the batch of three fails part way.
        DISK_ROOM.set(Some(400));
        let error = store.save(&release, 1).unwrap_err();
        DISK_ROOM.set(None);
        assert!(error.to_string().contains("no space left"), "{error}");
        assert_eq!(fs::read(store.path_of(&key)).unwrap(), before, "the partial batch was not cut");
        assert_eq!(store.load(&key).unwrap().release.events().len(), 1);
        // Once there is room again, the same batch goes in whole.
        assert_eq!(store.save(&release, 1).unwrap(), 4);
        assert_eq!(store.load(&key).unwrap().release, release);
        fs::remove_dir_all(&dir).unwrap();
    }
}
