//! What a store refuses or fails at.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use crate::action::NextAction;
use crate::release::ReleaseError;
use crate::store::key::ReleaseKey;
use crate::text::did_you_mean;

/// A store that cannot do what was asked: the file system failed, the key
/// is unknown or taken, another writer got there first, or what is stored
/// does not load.
///
/// The system's own error stays reachable as
/// [`source`](std::error::Error::source) for
/// [`Io`](StoreError::Io) and [`Encode`](StoreError::Encode), so it is
/// `Clone` but not comparable; match on the variant instead.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StoreError {
    /// The file system refused an operation.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the store was doing.
        action: &'static str,
        /// What the system said.
        source: Arc<io::Error>,
    },

    /// A store opened on a path that is not a directory.
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },

    /// A release that cannot be written as JSON.
    Encode {
        /// The release.
        key: String,
        /// What the encoder said.
        source: Arc<serde_json::Error>,
    },

    /// A release key that cannot name a stored release.
    InvalidKey {
        /// The key given, shortened.
        key: String,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// Creating a release that the store already has.
    ReleaseExists {
        /// Its key.
        key: String,
    },

    /// A release the store does not have.
    ReleaseNotFound {
        /// The key asked for.
        key: String,
        /// The stored keys closest to it.
        suggestions: Vec<ReleaseKey>,
    },

    /// An append on top of a version the writer did not read.
    Conflict {
        /// The release.
        key: String,
        /// The events the writer read.
        expected: usize,
        /// The events stored.
        actual: usize,
    },

    /// A log with a line that cannot be read.
    CorruptLog {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },

    /// The file store's change feed with a line that cannot be read.
    CorruptFeed {
        /// The feed's file.
        path: PathBuf,
        /// Where the line starts, in bytes from the file's start.
        offset: u64,
        /// What is wrong with it.
        problem: String,
    },

    /// A log with a line that reads but is refused: its event was changed
    /// after it was written (the chain does not hold), its checklist is
    /// not trusted, or it breaks a rule.
    Refused {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// Why it is refused.
        source: Box<ReleaseError>,
    },

    /// A release a store refused to create, writing nothing: the store
    /// could not load it back, because it does not trust the release's
    /// checklist.
    NotCreated {
        /// The release.
        key: String,
        /// Why: [`ReleaseError::UntrustedTemplate`] naming what differs from
        /// the closest trusted checklist.
        source: Box<ReleaseError>,
    },

    /// A file where a release log should be that is not one.
    NotALog {
        /// The file.
        path: PathBuf,
        /// Why not.
        problem: String,
    },

    /// A checklist version the store keeps that cannot be read, or that is
    /// not the version its fingerprint names: it was edited or damaged.
    CorruptChecklist {
        /// The file, or where in the database it is kept.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },

    /// Events the release's rules refuse, or a log in a format this crate
    /// cannot read.
    Release(ReleaseError),

    /// A trust entry given to a store that keeps no trust ledger.
    NoTrustLedger,

    /// The database refused or failed an operation, or could not be
    /// reached.
    #[cfg(feature = "postgres")]
    Database {
        /// What the store was doing.
        action: &'static str,
        /// The server, as `host:port` (or the socket directory), when the
        /// store knows it.
        server: String,
        /// Whether the store reconnects by itself (it was opened from a
        /// URL) when it finds its connection lost.
        reconnects: bool,
        /// What the client or the server said.
        source: Arc<postgres::Error>,
    },

    /// A database whose schema this store cannot use: written by a newer
    /// version of the crate, or named unusably.
    #[cfg(feature = "postgres")]
    Schema {
        /// The schema.
        schema: String,
        /// What is wrong, and what to do.
        problem: String,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io { path, action, source } => {
                write!(f, "cannot {action} {}: {source}", path.display())
            }
            StoreError::NotADirectory { path } => {
                write!(
                    f,
                    "{} is not a directory: give the directory that holds the release logs",
                    path.display()
                )
            }
            StoreError::Encode { key, source } => {
                write!(f, "cannot encode release {key} for storage: {source}")
            }
            StoreError::InvalidKey { key, problem } => write!(f, "the release key \"{key}\" {problem}"),
            StoreError::ReleaseExists { key } => {
                write!(f, "the store already has release {key}: {}", NextAction::LoadAndAppend.describe())
            }
            StoreError::ReleaseNotFound { key, suggestions } => {
                f.write_str(&not_found_message(key, suggestions))
            }
            StoreError::Conflict { key, expected, actual } => write!(
                f,
                "release {key} has {actual} stored events, but this writer read {expected}: another writer \
                 changed it; {}",
                NextAction::ReloadAndRedo.describe()
            ),
            StoreError::CorruptLog { path, line, problem } => {
                write!(f, "{}, line {line}: {problem}: {}", path.display(), NextAction::RestoreLog.describe())
            }
            StoreError::Refused { path, line, source } => {
                write!(f, "{}, line {line}: {source}", path.display())
            }
            StoreError::CorruptFeed { path, offset, problem } => write!(
                f,
                "{}, the line at byte {offset}: {problem}: the change feed was changed outside the store; \
                 restore it from a backup (the logs it indexes are not affected)",
                path.display()
            ),
            StoreError::NotCreated { key, source } => {
                write!(f, "release {key} was not stored, and nothing was written: {source}")
            }
            StoreError::NotALog { path, problem } => {
                write!(f, "{} is not a release log: {problem}", path.display())
            }
            StoreError::CorruptChecklist { path, problem } => write!(
                f,
                "{}: the checklist version kept there {problem}: restore it from a backup, or remove it and \
                 create a release planned with that checklist, which keeps it again",
                path.display()
            ),
            StoreError::Release(error) => fmt::Display::fmt(error, f),
            StoreError::NoTrustLedger => f.write_str(
                "this store keeps no trust ledger: trust checklist versions in the tool instead, with \
                 `Trust::trusting` where it opens the store",
            ),
            #[cfg(feature = "postgres")]
            StoreError::Database { action, server, reconnects, source } => f.write_str(
                &crate::store::postgres_error::database_message(action, server, *reconnects, source),
            ),
            #[cfg(feature = "postgres")]
            StoreError::Schema { schema, problem } => write!(f, "the database schema \"{schema}\" {problem}"),
        }
    }
}

impl std::error::Error for StoreError {
    /// The system's own error for [`Io`](StoreError::Io) and
    /// [`Encode`](StoreError::Encode), itself rather than the `Arc` that
    /// shares it, so that it downcasts to `io::Error` or
    /// `serde_json::Error`.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io { source, .. } => Some(&**source),
            StoreError::Encode { source, .. } => Some(&**source),
            StoreError::Release(error) => error.source(),
            StoreError::Refused { source, .. } | StoreError::NotCreated { source, .. } => Some(&**source),
            #[cfg(feature = "postgres")]
            StoreError::Database { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

impl From<ReleaseError> for StoreError {
    fn from(error: ReleaseError) -> StoreError {
        StoreError::Release(error)
    }
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> StoreError {
        StoreError::Io { path: path.into(), action, source: Arc::new(source) }
    }

    /// Whether the error is about one stored release (its log cannot be
    /// read, is damaged, breaks a rule or follows an untrusted checklist)
    /// rather than the store as a whole (its folder or its database): a
    /// [listing](crate::store::ReleaseStore::list) reports such a release as
    /// [unreadable](crate::store::Unreadable) and goes on with the rest.
    pub fn is_about_one_release(&self) -> bool {
        matches!(
            self,
            StoreError::Io { .. }
                | StoreError::Encode { .. }
                | StoreError::InvalidKey { .. }
                | StoreError::ReleaseNotFound { .. }
                | StoreError::CorruptLog { .. }
                | StoreError::Refused { .. }
                | StoreError::NotALog { .. }
                | StoreError::CorruptChecklist { .. }
                | StoreError::Release(_)
        )
    }

    /// What can be done next, as data: the same as the message says in
    /// words.
    pub fn next_actions(&self) -> Vec<NextAction> {
        match self {
            StoreError::ReleaseExists { .. } => vec![NextAction::LoadAndAppend],
            StoreError::ReleaseNotFound { .. } => vec![NextAction::ChooseStoredKey],
            StoreError::Conflict { .. } => vec![NextAction::ReloadAndRedo],
            #[cfg(feature = "postgres")]
            StoreError::Database { action, source, .. }
                if crate::store::postgres_error::lost_while_writing(action, source) =>
            {
                vec![NextAction::ReloadAndRedo]
            }
            StoreError::Release(error) => error.next_actions(),
            StoreError::Refused { source, .. } | StoreError::NotCreated { source, .. } => {
                source.next_actions()
            }
            StoreError::CorruptLog { .. } => vec![NextAction::RestoreLog],
            _ => Vec::new(),
        }
    }
}

fn not_found_message(key: &str, suggestions: &[ReleaseKey]) -> String {
    let keys: Vec<String> = suggestions.iter().map(ToString::to_string).collect();
    let choose = NextAction::ChooseStoredKey.describe();
    match keys.as_slice() {
        [] => format!("the store has no release {key}: {choose}"),
        _ => format!("the store has no release {key}{} {choose}", did_you_mean(&keys, choose)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Digest;
    use crate::release::ChainProblem;
    use crate::release::assert_says_its_actions;

    #[test]
    fn every_store_error_says_what_its_next_actions_are() {
        let key = || "checkout@2.4.0".to_owned();
        let path = || PathBuf::from("releases/checkout@2.4.0.jsonl");
        let untrusted = ReleaseError::UntrustedTemplate {
            template: "Team".into(),
            fingerprint: Digest::of(b"team"),
            closest: Some("OctoAcme".into()),
            differences: vec![],
        };
        let tampered = ReleaseError::BrokenChain { position: 52, problem: ChainProblem::DigestMismatch };
        let samples = [
            StoreError::io(path(), "read", io::Error::other("disk on fire")),
            StoreError::NotADirectory { path: path() },
            StoreError::Encode { key: key(), source: Arc::new(serde_json::from_str::<u8>("x").unwrap_err()) },
            StoreError::InvalidKey { key: key(), problem: "is empty" },
            StoreError::ReleaseExists { key: key() },
            StoreError::ReleaseNotFound { key: key(), suggestions: vec![] },
            StoreError::ReleaseNotFound {
                key: key(),
                suggestions: vec![ReleaseKey::parse("checkout@2.4.1").unwrap()],
            },
            StoreError::Conflict { key: key(), expected: 3, actual: 4 },
            StoreError::CorruptLog {
                path: path(),
                line: 3,
                problem: "expected value at line 1 column 1".into(),
            },
            StoreError::Refused { path: path(), line: 1, source: Box::new(untrusted.clone()) },
            StoreError::Refused { path: path(), line: 54, source: Box::new(tampered) },
            StoreError::NotALog { path: path(), problem: "its first line is not a header".into() },
            StoreError::CorruptFeed { path: path(), offset: 120, problem: "expected value".into() },
            StoreError::CorruptChecklist {
                path: PathBuf::from("releases/checklists/b7a3.json"),
                problem: "has fingerprint 9f00…, not the one it is kept under".into(),
            },
            StoreError::Release(untrusted),
            StoreError::NoTrustLedger,
        ];
        for error in &samples {
            assert_says_its_actions(&error.to_string(), &error.next_actions(), &format!("{error:?}"));
        }
        // A missing key, with and without keys close to it.
        assert_eq!(
            samples.get(5).map(ToString::to_string).unwrap_or_default(),
            "the store has no release checkout@2.4.0: choose a key the store has"
        );
        assert_eq!(
            samples.get(6).map(ToString::to_string).unwrap_or_default(),
            "the store has no release checkout@2.4.0: did you mean checkout@2.4.1? choose a key the store has"
        );
        // The two the issue found: trusting the checklist, and restoring a tampered log, are in the words.
        let trust = samples.get(9).map(ToString::to_string).unwrap_or_default();
        assert!(trust.contains("add it to the templates you trust"), "{trust}");
        let restore = samples.get(10).map(ToString::to_string).unwrap_or_default();
        assert!(restore.contains("line 54: event 53 of the log was changed"), "{restore}");
        assert!(restore.ends_with("recover its longest valid prefix and redo what was lost"), "{restore}");
    }
}
