//! What a store refuses or fails at.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use crate::action::NextAction;
use crate::release::ReleaseError;
use crate::store::key::ReleaseKey;

/// A store that cannot do what was asked: the file system failed, the key
/// is unknown or taken, another writer got there first, or what is stored
/// does not load.
///
/// The system's own error stays reachable as
/// [`source`](std::error::Error::source) for
/// [`Io`](StoreError::Io) and [`Encode`](StoreError::Encode), so it is
/// `Clone` but not comparable; match on the variant instead.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file system refused an operation.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the store was doing.
        action: &'static str,
        /// What the system said.
        #[source]
        source: Arc<io::Error>,
    },

    /// A store opened on a path that is not a directory.
    #[error("{} is not a directory: give the directory that holds the release logs", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },

    /// A release that cannot be written as JSON.
    #[error("cannot encode release {key} for storage: {source}")]
    Encode {
        /// The release.
        key: String,
        /// What the encoder said.
        #[source]
        source: Arc<serde_json::Error>,
    },

    /// A release key that cannot name a stored release.
    #[error("the release key \"{key}\" {problem}")]
    InvalidKey {
        /// The key given, shortened.
        key: String,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// Creating a release that the store already has.
    #[error("the store already has release {key}: load it and append to it instead")]
    ReleaseExists {
        /// Its key.
        key: String,
    },

    /// A release the store does not have.
    #[error("{}", not_found_message(key, suggestions))]
    ReleaseNotFound {
        /// The key asked for.
        key: String,
        /// The stored keys closest to it.
        suggestions: Vec<ReleaseKey>,
    },

    /// An append on top of a version the writer did not read.
    #[error(
        "release {key} has {actual} stored events, but this writer read {expected}: another writer changed it; \
         load it again and redo the change"
    )]
    Conflict {
        /// The release.
        key: String,
        /// The events the writer read.
        expected: usize,
        /// The events stored.
        actual: usize,
    },

    /// A log with a line that cannot be read, or that breaks a rule.
    #[error("{}, line {line}: {problem}", path.display())]
    CorruptLog {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },

    /// A file where a release log should be that is not one.
    #[error("{} is not a release log: {problem}", path.display())]
    NotALog {
        /// The file.
        path: PathBuf,
        /// Why not.
        problem: String,
    },

    /// Events the release's rules refuse, or a log in a format this crate
    /// cannot read.
    #[error(transparent)]
    Release(#[from] ReleaseError),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> StoreError {
        StoreError::Io { path: path.into(), action, source: Arc::new(source) }
    }

    /// What can be done next, as data: the same as the message says in
    /// words.
    pub fn next_actions(&self) -> Vec<NextAction> {
        match self {
            StoreError::ReleaseExists { .. } => vec![NextAction::LoadAndAppend],
            StoreError::ReleaseNotFound { .. } => vec![NextAction::ChooseStoredKey],
            StoreError::Conflict { .. } => vec![NextAction::ReloadAndRedo],
            StoreError::Release(error) => error.next_actions(),
            _ => Vec::new(),
        }
    }
}

fn not_found_message(key: &str, suggestions: &[ReleaseKey]) -> String {
    let mut message = format!("the store has no release {key}");
    match suggestions {
        [] => message.push_str(": choose a key the store has"),
        [only] => {
            let _ = write!(message, ": did you mean {only}?");
        }
        several => {
            let list: Vec<&str> = several.iter().map(ReleaseKey::as_str).collect();
            let _ = write!(message, ": did you mean one of {}?", list.join(", "));
        }
    }
    message
}
