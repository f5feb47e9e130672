//! Reading a history from JSON Lines on every core, streaming.
//!
//! One thread reads blocks of whole lines (cut at the last newline, the
//! rest carried to the next block) and counts their lines; worker threads
//! parse blocks into records and feed them to a part of the result (the
//! records of a [`History`], or [`Totals`]); the reading thread absorbs
//! parts in block order, so a history keeps the file's order and line
//! numbers are exact. At most two blocks per worker wait to be parsed, so
//! memory stays bounded whatever the file's size, and buffers are reused.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

use serde::{Deserialize, Serialize};

use crate::metrics::error::MetricsError;
use crate::metrics::history::History;
use crate::metrics::parallel::{MAX_THREADS, start};
use crate::metrics::record::DeploymentRecord;
use crate::metrics::totals::Totals;

/// A reader of deployment records in JSON Lines: one record per line, as
/// [`DeploymentRecord`] serializes (and as [`DeploymentRecord::from_json`]
/// reads it).
///
/// Lines are parsed on every core (or [`threads`](JsonLines::threads)),
/// streaming: a [`History`] holds the records read, in the file's order;
/// [`Totals`] hold only what the metrics need, so a report straight from a
/// file of any size needs memory for its durations, not its records. A
/// malformed line does not stop the reading: it is skipped and reported
/// by number in the [`Reading`]. Blank lines are skipped; a UTF-8 byte
/// order mark is allowed.
///
/// ```
/// use release_workflow::metrics::{JsonLines, ReportOptions, Totals};
///
/// let text = concat!(
///     r#"{"release":"web@1.0.0","service":"web","version":"1.0.0","started_at":"2026-11-30T14:00:00Z","commits":[]}"#, "\n",
///     "not json\n",
///     r#"{"release":"web@1.0.1","service":"web","version":"1.0.1","started_at":"2026-12-01T09:00:00Z","commits":[]}"#, "\n",
/// );
/// let reading = JsonLines::new().totals(text.as_bytes(), Totals::new(&ReportOptions::recorded_days()))?;
/// assert_eq!((reading.lines, reading.records), (3, 2));
/// assert_eq!(reading.malformed[0].line, 2);
/// let report = reading.value.finish()?.report;
/// assert_eq!(report.metrics.deployments, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonLines {
    threads: Option<NonZeroUsize>,
    kept_malformed: usize,
    block_bytes: usize,
}

impl Default for JsonLines {
    fn default() -> JsonLines {
        JsonLines { threads: None, kept_malformed: DEFAULT_KEPT_MALFORMED, block_bytes: BLOCK_BYTES }
    }
}

/// The largest block asked for: larger ones are cut to it.
const MAX_BLOCK_BYTES: usize = 1 << 30;

/// How many malformed lines a reading describes by default; the rest are
/// counted.
pub const DEFAULT_KEPT_MALFORMED: usize = 1_000;

/// The size of the blocks handed to parsing threads by default: large
/// enough that handing one over costs little beside parsing it.
const BLOCK_BYTES: usize = 1 << 20;

/// What reading a JSON Lines source gave: the value read into, and what
/// was skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading<T> {
    /// The records read, or the totals they were added to.
    pub value: T,
    /// Lines read, blank and malformed ones included.
    pub lines: u64,
    /// Records read.
    pub records: u64,
    /// The first malformed lines (up to
    /// [`with_kept_malformed`](JsonLines::with_kept_malformed)), in order.
    pub malformed: Vec<MalformedLine>,
    /// How many lines were malformed, all told.
    pub malformed_count: u64,
}

/// A line that is not a deployment record, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MalformedLine {
    /// Its number, from 1.
    pub line: u64,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for MalformedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl JsonLines {
    /// A reader on every core, describing up to [`DEFAULT_KEPT_MALFORMED`]
    /// malformed lines.
    pub fn new() -> JsonLines {
        JsonLines::default()
    }

    /// Parses on this many threads (besides the one reading; at most 256).
    #[must_use]
    pub fn with_threads(mut self, threads: NonZeroUsize) -> JsonLines {
        self.threads = Some(threads);
        self
    }

    /// Hands lines to the parsing threads in blocks of about this many
    /// bytes (default 1 MiB, at most 1 GiB); a line longer than a block
    /// makes its block longer. The result never depends on it.
    #[must_use]
    pub fn with_block_size(mut self, bytes: NonZeroUsize) -> JsonLines {
        self.block_bytes = bytes.get().min(MAX_BLOCK_BYTES);
        self
    }

    /// Describes at most this many malformed lines; the rest are counted.
    #[must_use]
    pub fn with_kept_malformed(mut self, lines: usize) -> JsonLines {
        self.kept_malformed = lines;
        self
    }

    /// The threads parsing runs on, if limited (by
    /// [`with_threads`](JsonLines::with_threads)); every core otherwise.
    pub fn threads(&self) -> Option<NonZeroUsize> {
        self.threads
    }

    /// The size of the blocks handed to the parsing threads, in bytes.
    pub fn block_size(&self) -> usize {
        self.block_bytes
    }

    /// How many malformed lines a reading describes; the rest are counted.
    pub fn kept_malformed(&self) -> usize {
        self.kept_malformed
    }

    /// Reads the records of `source` into a [`History`], in order.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Unreadable`] when reading fails; malformed lines are
    /// not errors.
    pub fn history(&self, source: impl Read) -> Result<Reading<History>, MetricsError> {
        self.read(source, "the history", History::new())
    }

    /// Reads the records of the file at `path` into a [`History`].
    ///
    /// # Errors
    ///
    /// [`MetricsError::Unreadable`], naming the file, when it cannot be
    /// opened or read.
    pub fn history_from_path(&self, path: impl AsRef<Path>) -> Result<Reading<History>, MetricsError> {
        let (file, name) = open(path.as_ref())?;
        self.read(file, &name, History::new())
    }

    /// Adds the records of `source` to `totals`, keeping none of them.
    ///
    /// # Errors
    ///
    /// As [`history`](JsonLines::history).
    pub fn totals(&self, source: impl Read, totals: Totals) -> Result<Reading<Totals>, MetricsError> {
        self.read(source, "the history", totals)
    }

    /// Adds the records of the file at `path` to `totals`.
    ///
    /// # Errors
    ///
    /// As [`history_from_path`](JsonLines::history_from_path).
    pub fn totals_from_path(
        &self,
        path: impl AsRef<Path>,
        totals: Totals,
    ) -> Result<Reading<Totals>, MetricsError> {
        let (file, name) = open(path.as_ref())?;
        self.read(file, &name, totals)
    }

    fn read<S: Sink>(&self, mut source: impl Read, name: &str, value: S) -> Result<Reading<S>, MetricsError> {
        let unreadable = |error: std::io::Error| MetricsError::Unreadable {
            source_name: name.to_owned(),
            problem: error.to_string(),
        };
        let workers =
            self.threads.map_or_else(|| thread::available_parallelism().map_or(1, usize::from), usize::from);
        let workers = workers.min(MAX_THREADS);
        let mut reading = Reading { value, lines: 0, records: 0, malformed: Vec::new(), malformed_count: 0 };
        let kept = self.kept_malformed;
        thread::scope(|scope| {
            let (blocks, to_parse) = sync_channel::<Block>(workers * 2);
            let to_parse = Arc::new(Mutex::new(to_parse));
            let (parts, parsed) = channel::<Part<S>>();
            let (spares, spare) = channel::<Vec<u8>>();
            let mut running = 0;
            for _ in 0..workers {
                let (to_parse, parts, spares) = (Arc::clone(&to_parse), parts.clone(), spares.clone());
                let empty = reading.value.empty_like();
                let worker = start(scope, move || {
                    // A value whose records need no order is one per worker,
                    // absorbed once; otherwise one per block, absorbed in order.
                    let mut own = (!S::ORDERED).then(|| empty.empty_like());
                    while let Some(block) = next_block(&to_parse) {
                        let value = own.take().unwrap_or_else(|| empty.empty_like());
                        let mut part = parse(&block, value, kept);
                        if !S::ORDERED {
                            own = part.value.take();
                        }
                        // The reader may have stopped: then nobody waits for these.
                        let _ = spares.send(block.bytes);
                        if parts.send(part).is_err() {
                            return;
                        }
                    }
                    if let Some(value) = own {
                        let _ = parts.send(Part::new(None, value));
                    }
                });
                // A worker that could not start is dropped, channels and all.
                running += usize::from(worker.is_running());
            }
            drop((parts, spares));
            if running == 0 {
                return Err(MetricsError::Unreadable {
                    source_name: name.to_owned(),
                    problem: "no thread could start to parse it".to_owned(),
                });
            }
            let mut absorber = Absorber { pending: BTreeMap::new(), next: 0, kept };
            let mut carry: Vec<u8> = Vec::new();
            let (mut index, mut first_line, mut at_start) = (0, 1, true);
            loop {
                let mut bytes = spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(self.block_bytes));
                bytes.clear();
                bytes.append(&mut carry);
                // A line longer than a block is carried whole: read at least as much again.
                let target = self.block_bytes.max(bytes.len() * 2);
                let end = fill(&mut source, &mut bytes, target).map_err(unreadable)?;
                if !end {
                    match memchr::memrchr(b'\n', &bytes) {
                        Some(newline) => carry.extend(bytes.drain(newline + 1..)),
                        None => {
                            // No whole line yet: read on into a longer block.
                            carry = bytes;
                            continue;
                        }
                    }
                }
                if at_start {
                    // The first block holds a whole line (or the whole
                    // source): a byte order mark would be at its start.
                    if bytes.starts_with(b"\xEF\xBB\xBF") {
                        bytes.drain(..3);
                    }
                    at_start = false;
                }
                let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64
                    + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
                let block = Block { index, first_line, bytes };
                if blocks.send(block).is_err() {
                    break; // every worker is gone: the parts say what was parsed
                }
                (index, first_line) = (index + 1, first_line + lines);
                while let Ok(part) = parsed.try_recv() {
                    absorber.absorb(part, &mut reading);
                }
                if end {
                    break;
                }
            }
            drop(blocks);
            for part in parsed {
                absorber.absorb(part, &mut reading);
            }
            Ok::<(), MetricsError>(())
        })?;
        Ok(reading)
    }
}

fn open(path: &Path) -> Result<(File, String), MetricsError> {
    let name = path.display().to_string();
    match File::open(path) {
        Ok(file) => Ok((file, name)),
        Err(error) => Err(MetricsError::Unreadable { source_name: name, problem: error.to_string() }),
    }
}

/// Reads until `bytes` holds at least `size` bytes; `true` at the end of
/// the source.
fn fill(source: &mut impl Read, bytes: &mut Vec<u8>, size: usize) -> std::io::Result<bool> {
    bytes.reserve(size.saturating_sub(bytes.len()));
    while bytes.len() < size {
        // Reading at most the room left never grows the buffer, and
        // `read_to_end` reads into it without clearing it first.
        let room = (bytes.capacity() - bytes.len()) as u64;
        match source.by_ref().take(room).read_to_end(bytes) {
            Ok(0) => return Ok(true),
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(false)
}

/// Lines handed to a worker.
struct Block {
    index: u64,
    first_line: u64,
    bytes: Vec<u8>,
}

fn next_block(to_parse: &Mutex<Receiver<Block>>) -> Option<Block> {
    to_parse.lock().ok()?.recv().ok()
}

impl<S> Part<S> {
    fn new(index: Option<u64>, value: S) -> Part<S> {
        Part { index, value: Some(value), lines: 0, records: 0, malformed: Vec::new(), malformed_count: 0 }
    }
}

/// What a worker made of a block (`index`), or its own value when the
/// records need no order (no `index`).
struct Part<S> {
    index: Option<u64>,
    value: Option<S>,
    lines: u64,
    records: u64,
    malformed: Vec<MalformedLine>,
    malformed_count: u64,
}

fn parse<S: Sink>(block: &Block, value: S, kept: usize) -> Part<S> {
    let mut part = Part::new(Some(block.index), value);
    // Checking the block's UTF-8 once spares the parser checking every
    // string of every line again (`cargo bench --bench read`).
    match std::str::from_utf8(&block.bytes) {
        Ok(text) => {
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]) {
                // Newlines are ASCII: every cut falls between characters.
                let line = text.get(start..end).unwrap_or_default();
                if end > start || end < text.len() {
                    part.line(block.first_line, line.trim_ascii(), kept, S::add_line);
                }
                start = end + 1;
            }
        }
        Err(_) => {
            for line in lines(&block.bytes) {
                part.line(block.first_line, line.trim_ascii(), kept, S::add_bytes);
            }
        }
    }
    part
}

/// The lines of `bytes`, without their newlines.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, after) = match memchr::memchr(b'\n', rest) {
            Some(newline) => rest.split_at(newline),
            None => (rest, &b"\n"[..]),
        };
        rest = after.get(1..).unwrap_or_default();
        Some(line)
    })
}

impl<S: Sink> Part<S> {
    fn line<T: AsRef<[u8]> + ?Sized>(
        &mut self,
        first_line: u64,
        line: &T,
        kept: usize,
        add: impl FnOnce(&mut S, &T) -> Result<(), MetricsError>,
    ) {
        let number = first_line + self.lines;
        self.lines += 1;
        let Some(value) = self.value.as_mut().filter(|_| !line.as_ref().is_empty()) else { return };
        match add(value, line) {
            Ok(()) => self.records += 1,
            Err(error) => {
                self.malformed_count += 1;
                if self.malformed.len() < kept {
                    self.malformed.push(MalformedLine { line: number, problem: error.to_string() });
                }
            }
        }
    }
}

/// Absorbs parts in block order.
struct Absorber<S> {
    pending: BTreeMap<u64, Part<S>>,
    next: u64,
    kept: usize,
}

impl<S: Sink> Absorber<S> {
    fn absorb(&mut self, part: Part<S>, reading: &mut Reading<S>) {
        let Some(index) = part.index else {
            if let Some(value) = part.value {
                reading.value.absorb(value);
            }
            return;
        };
        self.pending.insert(index, part);
        while let Some(part) = self.pending.remove(&self.next) {
            self.next += 1;
            if let Some(value) = part.value {
                reading.value.absorb(value);
            }
            reading.lines += part.lines;
            reading.records += part.records;
            reading.malformed_count += part.malformed_count;
            let room = self.kept.saturating_sub(reading.malformed.len());
            reading.malformed.extend(part.malformed.into_iter().take(room));
        }
    }
}

/// What records are read into.
trait Sink: Send + Sized {
    /// Whether the records must be absorbed in the order read.
    const ORDERED: bool;

    fn empty_like(&self) -> Self;

    /// Adds the record on a line of text.
    fn add_line(&mut self, line: &str) -> Result<(), MetricsError>;

    /// Adds the record on a line that is not all UTF-8.
    fn add_bytes(&mut self, line: &[u8]) -> Result<(), MetricsError>;

    fn absorb(&mut self, later: Self);
}

impl Sink for History {
    const ORDERED: bool = true;

    fn empty_like(&self) -> History {
        History::new()
    }

    fn add_line(&mut self, line: &str) -> Result<(), MetricsError> {
        self.push(DeploymentRecord::from_json(line)?);
        Ok(())
    }

    fn add_bytes(&mut self, line: &[u8]) -> Result<(), MetricsError> {
        self.push(DeploymentRecord::from_json_bytes(line)?);
        Ok(())
    }

    fn absorb(&mut self, later: History) {
        self.extend(later.into_records());
    }
}

impl Sink for Totals {
    const ORDERED: bool = false;

    fn empty_like(&self) -> Totals {
        Totals::empty_like(self)
    }

    fn add_line(&mut self, line: &str) -> Result<(), MetricsError> {
        // The shape this crate writes is added without building a record.
        let mut scratch = self.take_scratch();
        let added = match crate::metrics::scan::record_ref(line, &mut scratch) {
            Some(record) => {
                self.add_ref(&record);
                Ok(())
            }
            None => DeploymentRecord::from_json(line).map(|record| self.add(&record)),
        };
        self.put_scratch(scratch);
        added
    }

    fn add_bytes(&mut self, line: &[u8]) -> Result<(), MetricsError> {
        self.add(&DeploymentRecord::from_json_bytes(line)?);
        Ok(())
    }

    fn absorb(&mut self, later: Totals) {
        // Parts are made with `empty_like`, so they always merge.
        let _ = self.merge(later);
    }
}
