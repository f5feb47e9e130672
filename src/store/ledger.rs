//! The trust ledger a store keeps beside its checklist versions: who
//! trusted or revoked which version, when and why
//! ([`TrustLedger`](crate::release::TrustLedger)).
//!
//! The file store keeps it as `checklists/trust-ledger.jsonl`, one entry a
//! line, appended under a lock and synced; the store's trust is its own
//! [`Trust`] with the ledger applied, rebuilt whenever the file changes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;

use crate::checklist::Template;
use crate::release::{ReleaseError, Trust, TrustEntry, TrustLedger};
use crate::store::checklists::sync_dir;
use crate::store::error::StoreError;
use crate::store::file::FileState;
use crate::store::{FileStore, ReleaseStore, UPDATE_ATTEMPTS};

/// What a conflict on the ledger is reported under.
pub(super) const LEDGER_KEY: &str = "the trust ledger";

/// Checks `entry` against the store's ledger and appends it, reading the
/// ledger again when another writer got there first.
pub(super) fn record<S: ReleaseStore + ?Sized>(
    store: &S,
    entry: &TrustEntry,
    template: Option<&Template>,
) -> Result<(), StoreError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let ledger = store.trust_ledger()?;
        ledger.check(entry).map_err(|error| StoreError::Release(ReleaseError::Ledger(error)))?;
        match store.append_trust(ledger.entries().len(), entry, template) {
            Err(StoreError::Conflict { .. }) if attempts < UPDATE_ATTEMPTS => {}
            outcome => return outcome,
        }
    }
}

/// Pushes `entry` onto `ledger` as an append to a stored ledger that must
/// hold `expected` entries: the building block of every store's
/// [`append_trust`](ReleaseStore::append_trust).
pub(super) fn push_expected(
    ledger: &mut TrustLedger,
    expected: usize,
    entry: &TrustEntry,
) -> Result<(), StoreError> {
    let actual = ledger.entries().len();
    if actual != expected {
        return Err(StoreError::Conflict { key: LEDGER_KEY.to_owned(), expected, actual });
    }
    ledger.push(entry.clone()).map_err(|error| StoreError::Release(ReleaseError::Ledger(error)))
}

/// Replays stored entries into a ledger; `at` names where they are kept,
/// for a message.
pub(super) fn replay(entries: Vec<TrustEntry>, at: &std::path::Path) -> Result<TrustLedger, StoreError> {
    TrustLedger::try_from(entries).map_err(|error| StoreError::CorruptChecklist {
        path: at.to_path_buf(),
        problem: format!("holds an entry its ledger refuses: {error}"),
    })
}

impl FileStore {
    /// The file of the trust ledger.
    pub fn trust_ledger_path(&self) -> PathBuf {
        self.checklists_dir().join("trust-ledger.jsonl")
    }

    /// The store's own trust with its ledger applied, rebuilt when the
    /// ledger file changed since it was last built.
    pub(super) fn effective_trust(&self) -> Result<Arc<Trust>, StoreError> {
        let path = self.trust_ledger_path();
        let Some(state) = FileState::at(&path)? else {
            return Ok(Arc::clone(self.own_trust()));
        };
        if let Some((built_from, trust)) = self.effective().as_ref()
            && state.unchanged_since(built_from)
        {
            return Ok(Arc::clone(trust));
        }
        let (ledger, _) = self.read_ledger(&mut open(&path)?)?;
        let trust = Arc::new(
            ledger
                .applied_to((**self.own_trust()).clone(), |fingerprint| self.kept_checklist(fingerprint))?,
        );
        *self.effective() = Some((state, Arc::clone(&trust)));
        Ok(trust)
    }

    /// The ledger in the store's file, empty when there is none.
    pub(super) fn stored_ledger(&self) -> Result<TrustLedger, StoreError> {
        let path = self.trust_ledger_path();
        match File::open(&path) {
            Ok(mut file) => Ok(self.read_ledger(&mut file)?.0),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(TrustLedger::default()),
            Err(error) => Err(StoreError::io(&path, "read", error)),
        }
    }

    /// The ledger in `file`, and the length of its complete lines: a last
    /// line a crash cut short was never acknowledged, and is left out.
    fn read_ledger(&self, file: &mut File) -> Result<(TrustLedger, u64), StoreError> {
        let path = self.trust_ledger_path();
        let mut text = String::new();
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_string(&mut text))
            .map_err(|error| StoreError::io(&path, "read", error))?;
        let complete = text.rfind('\n').map_or(0, |end| end + 1);
        let mut entries = Vec::new();
        for (number, line) in (1..).zip(text.get(..complete).unwrap_or_default().lines()) {
            let entry: TrustEntry =
                serde_json::from_str(line).map_err(|error| StoreError::CorruptChecklist {
                    path: path.clone(),
                    problem: format!("line {number} is not a trust entry: {error}"),
                })?;
            entries.push(entry);
        }
        Ok((replay(entries, &path)?, complete as u64))
    }

    /// Appends `entry` under the ledger's lock, if the ledger holds
    /// `expected` entries.
    pub(super) fn append_trust_entry(
        &self,
        expected: usize,
        entry: &TrustEntry,
        template: Option<&Template>,
    ) -> Result<(), StoreError> {
        if let Some(template) = template {
            self.keep_checklist(template)?;
        }
        let dir = self.checklists_dir();
        fs::create_dir_all(&dir).map_err(|error| StoreError::io(&dir, "create", error))?;
        let path = self.trust_ledger_path();
        let created = !path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|error| StoreError::io(&path, "open", error))?;
        // Held until the file is dropped: writers of the ledger take turns.
        file.lock().map_err(|error| StoreError::io(&path, "lock", error))?;
        let (mut ledger, complete) = self.read_ledger(&mut file)?;
        push_expected(&mut ledger, expected, entry)?;
        // A line a crash cut short goes before the next one is written.
        file.set_len(complete).map_err(|error| StoreError::io(&path, "cut a torn line from", error))?;
        let mut line = serde_json::to_vec(entry)
            .map_err(|error| StoreError::Encode { key: LEDGER_KEY.to_owned(), source: Arc::new(error) })?;
        line.push(b'\n');
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(|error| StoreError::io(&path, "append to", error))?;
        if created {
            sync_dir(&dir)?;
        }
        Ok(())
    }
}

fn open(path: &std::path::Path) -> Result<File, StoreError> {
    File::open(path).map_err(|error: io::Error| StoreError::io(path, "read", error))
}
