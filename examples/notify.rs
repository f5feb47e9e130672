//! A chat bot's core: follows a store's change feed and writes the
//! messages the checklist's communication items ask for, one line each,
//! to standard output (pipe them to a chat tool).
//!
//! ```text
//! cargo run --example notify -- --store DIR [--cursor-file FILE] [--from-start] [--once]
//! DATABASE_URL=postgres://… cargo run --features postgres --example notify -- --cursor-file FILE
//! ```
//!
//! The messages:
//!
//! - `upcoming`: a release was planned ("Stakeholders notified of upcoming
//!   release");
//! - `deploying`: it started to deploy;
//! - `released`: it is in production ("Stakeholders notified of successful
//!   deployment");
//! - `rolled back`: with its reasons, the criteria that tripped or the
//!   decision ("Rollback decision made and communicated", "Stakeholders
//!   notified of rollback").
//!
//! With `--cursor-file` the bot keeps where it stands in the feed, written
//! after each batch of messages, and a restart resumes from there: a
//! message is written at least once (a crash between writing a batch and
//! keeping its cursor repeats that batch). Without a kept cursor it starts
//! at the feed's head, so a new bot does not announce the past; with
//! `--from-start` it does. `--once` stops when it has caught up, instead of
//! waiting for more.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use release_workflow::{
    Stage,
    event::EventKind,
    store::{Cursor, FeedEntry, FileStore, ReleaseStore, StoreError},
};

/// The message a change asks for, if any.
pub fn message(change: &FeedEntry) -> Option<String> {
    let event = &change.event;
    let (key, by, at) = (&change.key, event.by.name(), event.at.format("%Y-%m-%d %H:%M UTC"));
    match &event.what {
        EventKind::Planned { plan } => Some(format!(
            "upcoming: {key} ({} release) planned for {}, release manager {}, on call {}",
            plan.kind(),
            plan.target_date(),
            plan.release_manager().name(),
            plan.on_call().name()
        )),
        EventKind::Advanced { to: Stage::Deploying, .. } => {
            Some(format!("deploying: {key}, started by {by} at {at}"))
        }
        EventKind::Advanced { to: Stage::Released, .. } => {
            Some(format!("released: {key} is in production, released by {by} at {at}"))
        }
        EventKind::RolledBack { from, reason } => {
            Some(format!("rolled back: {key} from {from} by {by} at {at}: {reason}"))
        }
        _ => None,
    }
}

/// What the bot was told.
pub struct Options {
    /// Where to read.
    pub store: Box<dyn ReleaseStore>,
    /// Where to keep the cursor, if anywhere.
    pub cursor_file: Option<PathBuf>,
    /// Announce what the feed holds already, when no cursor is kept.
    pub from_start: bool,
    /// Stop once caught up.
    pub once: bool,
}

/// Why the bot stopped.
#[derive(Debug)]
pub enum Failure {
    /// The store failed.
    Store(StoreError),
    /// The cursor file could not be read or written.
    CursorFile(PathBuf, String),
    /// Standard output is gone.
    Output(std::io::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Store(error) => write!(f, "{error}"),
            Failure::CursorFile(path, problem) => write!(f, "{}: {problem}", path.display()),
            Failure::Output(error) => write!(f, "cannot write the messages: {error}"),
        }
    }
}

/// Where the bot starts: its kept cursor, else the start or the head.
fn starting_cursor(options: &Options) -> Result<Cursor, Failure> {
    if let Some(path) = &options.cursor_file {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                return text.parse().map_err(|error: release_workflow::store::CursorError| {
                    Failure::CursorFile(path.clone(), error.to_string())
                });
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(Failure::CursorFile(path.clone(), error.to_string())),
        }
    }
    if options.from_start { Ok(Cursor::START) } else { options.store.feed_head().map_err(Failure::Store) }
}

/// Keeps `cursor` in `path`, replacing the file whole.
fn keep(path: &Path, cursor: Cursor) -> Result<(), Failure> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, cursor.to_string())
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| Failure::CursorFile(path.to_path_buf(), error.to_string()))
}

/// Follows the feed, writing each message to `out`.
pub fn follow(options: &Options, out: &mut impl Write) -> Result<Cursor, Failure> {
    let mut cursor = starting_cursor(options)?;
    loop {
        let page = if options.once {
            options.store.changes_since(cursor)
        } else {
            options.store.wait_for_changes(cursor, Duration::from_secs(30))
        }
        .map_err(Failure::Store)?;
        if page.is_empty() && options.once {
            return Ok(cursor);
        }
        for change in &page.changes {
            if let Some(line) = message(change) {
                writeln!(out, "{line}").map_err(Failure::Output)?;
            }
        }
        for unreadable in &page.unreadable {
            eprintln!("notify: skipped the changes of {unreadable}");
        }
        out.flush().map_err(Failure::Output)?;
        cursor = page.cursor;
        if let Some(path) = &options.cursor_file {
            keep(path, cursor)?;
        }
    }
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut store_dir, mut cursor_file, mut from_start, mut once) = (None, None, false, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--store" => store_dir = Some(args.next().ok_or("--store needs a directory")?),
            "--cursor-file" => {
                cursor_file = Some(PathBuf::from(args.next().ok_or("--cursor-file needs a path")?))
            }
            "--from-start" => from_start = true,
            "--once" => once = true,
            other => {
                return Err(format!(
                    "unknown argument {other}: use --store DIR, --cursor-file FILE, --from-start, --once"
                ));
            }
        }
    }
    let store: Box<dyn ReleaseStore> = match (store_dir, std::env::var("DATABASE_URL").ok()) {
        (Some(dir), _) => Box::new(FileStore::open(&dir).map_err(|error| error.to_string())?),
        #[cfg(feature = "postgres")]
        (None, Some(url)) => Box::new(
            release_workflow::store::PostgresStore::connect(&url).map_err(|error| error.to_string())?,
        ),
        #[cfg(not(feature = "postgres"))]
        (None, Some(_)) => {
            return Err("DATABASE_URL is set: build with --features postgres to read it".into());
        }
        (None, None) => return Err("say which store: --store DIR, or DATABASE_URL=postgres://…".into()),
    };
    Ok(Options { store, cursor_file, from_start, once })
}

#[allow(dead_code, reason = "a test includes this file as a module and runs `follow` itself")]
fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("notify: {problem}");
            return std::process::ExitCode::from(2);
        }
    };
    match follow(&options, &mut std::io::stdout().lock()) {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("notify: {failure}");
            std::process::ExitCode::FAILURE
        }
    }
}
