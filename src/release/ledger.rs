//! Trust as an audited record: who trusted which checklist version, when
//! and why, which version it replaces and what differs; and who revoked
//! one.
//!
//! A team edits its checklist. Each edit is a new version, with a new
//! fingerprint, that readers must trust before releases planned with it
//! load. A [`TrustLedger`] is the record of those decisions, kept by a
//! store beside the versions
//! ([`ReleaseStore::trust_checklist`](crate::store::ReleaseStore::trust_checklist)):
//! the versions it trusts are trusted by the store on top of its
//! [`Trust`], so that a release keeps loading with the version it was
//! planned with for its whole life.
//!
//! **Revoking** a version means: no new release is created with it (a
//! store refuses, naming the revocation), and every release planned with
//! it still loads, and says so
//! ([`StoredRelease::revoked`](crate::store::StoredRelease::revoked)). A
//! revoked version can be trusted again with a new record.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::checklist::{Template, TemplateDifference};
use crate::digest::Digest;
use crate::release::Trust;
use crate::text::{TextError, check_reason};

/// One version trusted: which, by whom, when, why, and what it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustRecord {
    /// The version's fingerprint.
    pub fingerprint: Digest,
    /// The checklist's name.
    pub name: String,
    /// Who trusted it.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// Why: the review it passed.
    pub why: String,
    /// The version it replaces, if it is an edit of one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Digest>,
    /// What differs from the version it replaces: what the reviewer
    /// approved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<TemplateDifference>,
}

impl TrustRecord {
    /// The record of `by` trusting `template` at `at`, saying why;
    /// `replaces` is the version it is an edit of, whose differences it
    /// keeps.
    pub fn new(
        template: &Template,
        replaces: Option<&Template>,
        by: &Actor,
        at: DateTime<Utc>,
        why: impl Into<String>,
    ) -> TrustRecord {
        TrustRecord {
            fingerprint: template.fingerprint(),
            name: template.name().to_owned(),
            by: by.clone(),
            at,
            why: why.into(),
            replaces: replaces.map(Template::fingerprint),
            differences: replaces.map(|replaced| template.differences_from(replaced)).unwrap_or_default(),
        }
    }
}

/// One version revoked: by whom, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// The version's fingerprint.
    pub fingerprint: Digest,
    /// Who revoked it.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub why: String,
}

impl fmt::Display for Revocation {
    /// `revoked by Ada Lovelace on 2026-12-04 09:00 UTC: a gate was missing`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "revoked by {} on {}: {}", self.by.name(), self.at.format("%Y-%m-%d %H:%M UTC"), self.why)
    }
}

/// One entry of a [`TrustLedger`], as stored: `{"entry": "trusted", ...}`
/// or `{"entry": "revoked", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TrustEntry {
    /// A version trusted.
    Trusted(TrustRecord),
    /// A version revoked.
    Revoked(Revocation),
}

impl TrustEntry {
    /// The version the entry is about.
    pub fn fingerprint(&self) -> &Digest {
        match self {
            TrustEntry::Trusted(record) => &record.fingerprint,
            TrustEntry::Revoked(revocation) => &revocation.fingerprint,
        }
    }

    /// When it was recorded.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            TrustEntry::Trusted(record) => record.at,
            TrustEntry::Revoked(revocation) => revocation.at,
        }
    }
}

/// Why an entry cannot go into a [`TrustLedger`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The version is trusted already, and not revoked since.
    #[error("checklist \"{name}\" ({fingerprint}) is trusted already, since {at}: nothing to record")]
    AlreadyTrusted {
        /// The version.
        fingerprint: Digest,
        /// The checklist's name.
        name: String,
        /// When it was trusted.
        at: DateTime<Utc>,
    },
    /// The version is revoked already, and not trusted again since.
    #[error("checklist version {fingerprint} is {revocation}: nothing to record")]
    AlreadyRevoked {
        /// The version.
        fingerprint: Digest,
        /// The standing revocation, in words.
        revocation: String,
    },
    /// An entry dated before the ledger's last.
    #[error("the entry is dated {at}, before the ledger's last entry at {last}: the ledger keeps time order")]
    TimeWentBackwards {
        /// The entry's time.
        at: DateTime<Utc>,
        /// The last entry's time.
        last: DateTime<Utc>,
    },
    /// An empty or malformed reason.
    #[error(transparent)]
    Text(#[from] TextError),
}

/// The record of which checklist versions were trusted and revoked, in
/// order: who trusted which version, when and why, which version it
/// replaces and what differs (what the reviewer approved).
///
/// A team edits its checklist. Each edit is a new version, with a new
/// fingerprint, that readers must trust before releases planned with it
/// load. A store keeps its ledger beside the versions
/// ([`ReleaseStore::trust_checklist`](crate::store::ReleaseStore::trust_checklist)),
/// and trusts the versions it trusts on top of its own [`Trust`], so a
/// release keeps loading with the version it was planned with for its
/// whole life.
///
/// **Revoking** a version means: no new release is created with it (a
/// store refuses with [`ReleaseError::RevokedChecklist`](crate::ReleaseError::RevokedChecklist)),
/// and every release planned with it still loads, and says so
/// ([`StoredRelease::revoked`](crate::store::StoredRelease::revoked)). A
/// revoked version can be trusted again with a new record.
///
/// ```
/// use release_workflow::{Actor, Gate, Role, Template, release::{Trust, TrustLedger}};
///
/// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// let v1 = Template::builder("Mobile").section("Store").item("store.review", "Reviewed", Gate::Deploy).build()?;
/// let v2 = Template::builder("Mobile").section("Store").item("store.review", "App review passed", Gate::Deploy).build()?;
/// let mut ledger = TrustLedger::default();
/// ledger.trust(&v1, None, &ada, "2026-11-02T09:00:00Z".parse()?, "first version")?;
/// let record = ledger.trust(&v2, Some(&v1), &ada, "2026-11-09T09:00:00Z".parse()?, "clearer title")?;
/// assert_eq!(record.replaces, Some(v1.fingerprint()));
/// assert_eq!(record.differences.len(), 1, "the title: what the reviewer approved");
/// ledger.revoke(&v1.fingerprint(), &ada, "2026-11-10T09:00:00Z".parse()?, "superseded")?;
/// let trust = ledger.applied_to(Trust::nothing(), |fingerprint| {
///     Ok::<_, std::convert::Infallible>([&v1, &v2].into_iter().find(|v| v.fingerprint() == *fingerprint).cloned().map(Into::into))
/// })?;
/// assert!(trust.trusts(&v1) && trust.trusts(&v2), "old releases still load");
/// assert!(trust.revocation(&v1.fingerprint()).is_some(), "but no new one starts on v1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<TrustEntry>", into = "Vec<TrustEntry>")]
pub struct TrustLedger {
    entries: Vec<TrustEntry>,
}

impl TrustLedger {
    /// Every entry, oldest first.
    pub fn entries(&self) -> &[TrustEntry] {
        &self.entries
    }

    /// The standing record of a version: the last time it was trusted,
    /// whether or not it was revoked since.
    pub fn record(&self, fingerprint: &Digest) -> Option<&TrustRecord> {
        self.entries.iter().rev().find_map(|entry| match entry {
            TrustEntry::Trusted(record) if record.fingerprint == *fingerprint => Some(record),
            _ => None,
        })
    }

    /// The revocation that stands for a version: one not followed by the
    /// version being trusted again.
    pub fn revocation(&self, fingerprint: &Digest) -> Option<&Revocation> {
        match self.entries.iter().rev().find(|entry| entry.fingerprint() == fingerprint)? {
            TrustEntry::Revoked(revocation) => Some(revocation),
            TrustEntry::Trusted(_) => None,
        }
    }

    /// The versions trusted, each once (its standing record), oldest first.
    pub fn versions(&self) -> impl Iterator<Item = &TrustRecord> + '_ {
        self.entries
            .iter()
            .filter_map(|entry| match entry {
                TrustEntry::Trusted(record) => Some(record),
                TrustEntry::Revoked(_) => None,
            })
            .filter(|record| {
                self.record(&record.fingerprint).is_some_and(|standing| std::ptr::eq(standing, *record))
            })
    }

    /// The versions a version descends from, following `replaces`: the
    /// version itself first, then the one it replaced, and so on.
    pub fn lineage(&self, fingerprint: &Digest) -> Vec<&TrustRecord> {
        let mut lineage: Vec<&TrustRecord> = Vec::new();
        let mut next = self.record(fingerprint);
        while let Some(record) = next {
            if lineage.iter().any(|seen| seen.fingerprint == record.fingerprint) {
                break;
            }
            lineage.push(record);
            next = record.replaces.as_ref().and_then(|replaced| self.record(replaced));
        }
        lineage
    }

    /// Records that `by` trusts `template` at `at`, saying why; `replaces`
    /// is the version it is an edit of, whose differences the record keeps.
    ///
    /// # Errors
    ///
    /// As [`check`](TrustLedger::check); the ledger is unchanged.
    pub fn trust(
        &mut self,
        template: &Template,
        replaces: Option<&Template>,
        by: &Actor,
        at: DateTime<Utc>,
        why: impl Into<String>,
    ) -> Result<TrustRecord, LedgerError> {
        let record = TrustRecord::new(template, replaces, by, at, why);
        self.push(TrustEntry::Trusted(record.clone()))?;
        Ok(record)
    }

    /// Records that `by` revokes the version of `fingerprint` at `at`,
    /// saying why.
    ///
    /// # Errors
    ///
    /// As [`check`](TrustLedger::check); the ledger is unchanged.
    pub fn revoke(
        &mut self,
        fingerprint: &Digest,
        by: &Actor,
        at: DateTime<Utc>,
        why: impl Into<String>,
    ) -> Result<Revocation, LedgerError> {
        let revocation = Revocation { fingerprint: *fingerprint, by: by.clone(), at, why: why.into() };
        self.push(TrustEntry::Revoked(revocation.clone()))?;
        Ok(revocation)
    }

    /// Checks an entry against the ledger: a reason, time order, and a
    /// change to what stands (a version trusted that is not, or revoked
    /// that is not).
    ///
    /// # Errors
    ///
    /// [`LedgerError::AlreadyTrusted`], [`LedgerError::AlreadyRevoked`],
    /// [`LedgerError::TimeWentBackwards`], [`LedgerError::Text`] for an
    /// empty reason.
    pub fn check(&self, entry: &TrustEntry) -> Result<(), LedgerError> {
        if let Some(last) = self.entries.last().map(TrustEntry::at)
            && entry.at() < last
        {
            return Err(LedgerError::TimeWentBackwards { at: entry.at(), last });
        }
        let fingerprint = entry.fingerprint();
        match entry {
            TrustEntry::Trusted(record) => {
                check_reason("reason for trusting the checklist", &record.why)?;
                if let Some(standing) = self.record(fingerprint)
                    && self.revocation(fingerprint).is_none()
                {
                    return Err(LedgerError::AlreadyTrusted {
                        fingerprint: *fingerprint,
                        name: standing.name.clone(),
                        at: standing.at,
                    });
                }
            }
            TrustEntry::Revoked(revocation) => {
                check_reason("reason for revoking the checklist", &revocation.why)?;
                if let Some(standing) = self.revocation(fingerprint) {
                    return Err(LedgerError::AlreadyRevoked {
                        fingerprint: *fingerprint,
                        revocation: standing.to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks `entry` and appends it.
    ///
    /// # Errors
    ///
    /// As [`check`](TrustLedger::check); the ledger is unchanged.
    pub fn push(&mut self, entry: TrustEntry) -> Result<(), LedgerError> {
        self.check(&entry)?;
        self.entries.push(entry);
        Ok(())
    }

    /// `trust`, also trusting every version the ledger trusted (revoked
    /// ones too: their releases still load) and knowing the revocations
    /// that stand. `kept` gives the checklist of a fingerprint; a version
    /// it does not have is left out.
    ///
    /// # Errors
    ///
    /// Whatever `kept` returns.
    pub fn applied_to<E>(
        &self,
        mut trust: Trust,
        mut kept: impl FnMut(&Digest) -> Result<Option<Arc<Template>>, E>,
    ) -> Result<Trust, E> {
        for record in self.versions() {
            if let Some(template) = kept(&record.fingerprint)? {
                trust = trust.trusting_shared(template);
            }
        }
        let mut seen = BTreeSet::new();
        for fingerprint in self.entries.iter().map(TrustEntry::fingerprint) {
            if seen.insert(*fingerprint)
                && let Some(revocation) = self.revocation(fingerprint)
            {
                trust = trust.revoking(revocation.clone());
            }
        }
        Ok(trust)
    }
}

impl TryFrom<Vec<TrustEntry>> for TrustLedger {
    type Error = LedgerError;

    /// Replays stored entries through [`check`](TrustLedger::check).
    fn try_from(entries: Vec<TrustEntry>) -> Result<TrustLedger, LedgerError> {
        let mut ledger = TrustLedger::default();
        for entry in entries {
            ledger.push(entry)?;
        }
        Ok(ledger)
    }
}

impl From<TrustLedger> for Vec<TrustEntry> {
    fn from(ledger: TrustLedger) -> Vec<TrustEntry> {
        ledger.entries
    }
}
