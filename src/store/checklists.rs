//! The checklist versions a store keeps: each once, under its fingerprint,
//! for the logs that name it.
//!
//! A log written in format 5 names its checklist by fingerprint instead of
//! holding it. A reader whose [`Trust`](crate::release::Trust) holds that
//! version needs nothing more; one that does not is handed the kept copy,
//! so that it is told which checklist the release follows and what differs
//! from the ones it trusts, not only a fingerprint.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::checklist::Template;
use crate::digest::Digest;
use crate::release::UnverifiedRelease;
use crate::store::error::StoreError;

/// Reads the kept checklist version of a fingerprint, if the store keeps
/// it.
pub(super) type ReadKept<'a> = dyn FnMut(&Digest) -> Result<Option<Arc<Template>>, StoreError> + 'a;

/// The kept versions a store has read or written, parsed once and shared
/// by every release that names them.
#[derive(Debug, Default)]
pub(super) struct KeptChecklists {
    parsed: Mutex<HashMap<Digest, Arc<Template>>>,
}

impl KeptChecklists {
    fn parsed(&self) -> std::sync::MutexGuard<'_, HashMap<Digest, Arc<Template>>> {
        // Entries are inserted whole: a panic elsewhere leaves none half-made.
        self.parsed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether this version is known to be kept.
    pub(super) fn knows(&self, fingerprint: &Digest) -> bool {
        self.parsed().contains_key(fingerprint)
    }

    /// Remembers a version the store has written or read.
    pub(super) fn remember(&self, template: Arc<Template>) {
        self.parsed().insert(template.fingerprint(), template);
    }

    /// The version of `fingerprint`, remembered or read with `read` (its
    /// kept bytes, and where they are kept) and then remembered.
    pub(super) fn get_or_read(
        &self,
        fingerprint: &Digest,
        read: impl FnOnce() -> Result<Option<(Vec<u8>, std::path::PathBuf)>, StoreError>,
    ) -> Result<Option<Arc<Template>>, StoreError> {
        if let Some(template) = self.parsed().get(fingerprint) {
            return Ok(Some(Arc::clone(template)));
        }
        let Some((bytes, path)) = read()? else { return Ok(None) };
        let template = Arc::new(decode(&path, fingerprint, &bytes)?);
        self.remember(Arc::clone(&template));
        Ok(Some(template))
    }
}

/// A kept version's bytes, checked: they must be a checklist, and the one
/// whose fingerprint they are kept under.
pub(super) fn decode(path: &Path, fingerprint: &Digest, bytes: &[u8]) -> Result<Template, StoreError> {
    let template: Template = serde_json::from_slice(bytes).map_err(|error| StoreError::CorruptChecklist {
        path: path.to_path_buf(),
        problem: format!("is not a checklist: {error}"),
    })?;
    let found = template.fingerprint();
    if found != *fingerprint {
        return Err(StoreError::CorruptChecklist {
            path: path.to_path_buf(),
            problem: format!("has fingerprint {found}, not {fingerprint}, which it is kept under"),
        });
    }
    Ok(template)
}

/// Makes `log` hold the kept version its planning event names, when the
/// reader's trust does not hold that version: verifying it then says which
/// checklist it is and how it differs from the trusted ones.
pub(super) fn hand_over(
    log: &mut UnverifiedRelease,
    trust: &crate::release::Trust,
    kept: impl FnOnce(&Digest) -> Result<Option<Arc<Template>>, StoreError>,
) -> Result<(), StoreError> {
    if let Some(fingerprint) = log.named_checklist()
        && !trust.holds(&fingerprint)
        && let Some(template) = kept(&fingerprint)?
    {
        log.hold_checklist(template);
    }
    Ok(())
}

/// The file store keeps each version as `checklists/<fingerprint>.json`,
/// the checklist's canonical encoding, written once and never changed.
impl crate::store::FileStore {
    /// The folder of the checklist versions the store keeps.
    pub fn checklists_dir(&self) -> std::path::PathBuf {
        self.dir().join("checklists")
    }

    fn checklist_path(&self, fingerprint: &Digest) -> std::path::PathBuf {
        self.checklists_dir().join(format!("{fingerprint}.json"))
    }

    /// The kept version of `fingerprint`, if the store keeps it.
    pub(super) fn kept_checklist(&self, fingerprint: &Digest) -> Result<Option<Arc<Template>>, StoreError> {
        self.kept().get_or_read(fingerprint, || {
            let path = self.checklist_path(fingerprint);
            match std::fs::read(&path) {
                Ok(bytes) => Ok(Some((bytes, path))),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(StoreError::io(&path, "read", error)),
            }
        })
    }

    /// Keeps `template` durably, unless it is kept already, before a log
    /// names it: a log never names a version its store does not keep. A
    /// kept copy that is not that version is reported, not overwritten.
    pub(super) fn keep_checklist(&self, template: &Template) -> Result<(), StoreError> {
        let fingerprint = template.fingerprint();
        if self.kept().knows(&fingerprint) || self.kept_checklist(&fingerprint)?.is_some() {
            return Ok(());
        }
        let dir = self.checklists_dir();
        let created = !dir.is_dir();
        std::fs::create_dir_all(&dir).map_err(|error| StoreError::io(&dir, "create", error))?;
        let path = self.checklist_path(&fingerprint);
        let temporary =
            self.write_temporary_in(&dir, &fingerprint.to_string(), &template.canonical_encoding())?;
        // Another writer keeping the same version writes the same bytes: a
        // rename over its copy changes nothing.
        let renamed = std::fs::rename(&temporary, &path);
        if let Err(error) = renamed {
            let _ = std::fs::remove_file(&temporary);
            return Err(StoreError::io(&path, "keep a checklist version as", error));
        }
        sync_dir(&dir)?;
        if created {
            self.sync_dir()?;
        }
        self.kept().remember(Arc::new(template.clone()));
        Ok(())
    }
}

/// Makes new names in `dir` durable. Only Unix can open a directory to
/// sync it; elsewhere the file system's own ordering is relied on.
pub(super) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    if !cfg!(unix) {
        return Ok(());
    }
    std::fs::File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(|error| StoreError::io(dir, "sync", error))
}
