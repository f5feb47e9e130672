//! What a reader of stored logs trusts: the checklists it has pinned, and
//! the key that seals its logs.

use std::sync::Arc;

use crate::checklist::Template;
use crate::digest::SealKey;
use crate::release::ReleaseError;
use crate::release::ledger::Revocation;

/// The checklists a reader of stored logs trusts, and optionally the key
/// their logs are sealed with.
///
/// A stored log carries the checklist it was planned with. Whoever can
/// write the log can edit that checklist — delete a required item, move it
/// to a later gate — and every rule would then hold against the edited
/// list. So a log becomes a [`Release`](crate::Release) only against a
/// `Trust`: its checklist must equal a trusted template (same
/// [fingerprint](Template::fingerprint)), or it is refused with
/// [`ReleaseError::UntrustedTemplate`] naming what differs from the closest
/// trusted one.
///
/// **The default trusts the built-in OctoAcme checklist and nothing else**:
/// a team with its own checklist says so, once, where its tool starts.
/// Releases of one trusted template share it in memory.
///
/// With a [`SealKey`], every event of a log must carry a seal made with
/// that key, so someone who can write the log but does not hold the key
/// cannot forge it; logs written before logs were chained are then refused.
///
/// ```
/// use release_workflow::{Gate, Template, release::Trust};
///
/// let ours = Template::builder("Mobile app")
///     .section("Store")
///     .item("store.review-passed", "App store review passed", Gate::Deploy)
///     .build()?;
/// let trust = Trust::default().trusting(ours.clone());
/// assert!(trust.trusts(&ours));
/// assert!(trust.trusts(&Template::octoacme()));
/// assert!(!Trust::nothing().trusts(&ours));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Trust {
    templates: Vec<Arc<Template>>,
    key: Option<SealKey>,
    /// Versions no new release may start on; their releases still load.
    revoked: Vec<Revocation>,
}

impl Default for Trust {
    /// Trusts the OctoAcme checklist; no key.
    fn default() -> Trust {
        Trust { templates: vec![Template::octoacme_shared()], key: None, revoked: Vec::new() }
    }
}

impl Trust {
    /// Trusts no template yet; no key.
    pub fn nothing() -> Trust {
        Trust { templates: Vec::new(), key: None, revoked: Vec::new() }
    }

    /// Also trusts `template`.
    #[must_use]
    pub fn trusting(mut self, template: Template) -> Trust {
        if !self.trusts(&template) {
            self.templates.push(Arc::new(template));
        }
        self
    }

    /// Also trusts `template`, shared with whoever else holds it.
    #[must_use]
    pub fn trusting_shared(mut self, template: Arc<Template>) -> Trust {
        if !self.trusts(&template) {
            self.templates.push(template);
        }
        self
    }

    /// Knows that the version `revocation` names is revoked: releases
    /// planned with it still load, and no new one is created with it
    /// ([`check_new`](Trust::check_new)).
    #[must_use]
    pub fn revoking(mut self, revocation: Revocation) -> Trust {
        self.revoked.retain(|standing| standing.fingerprint != revocation.fingerprint);
        self.revoked.push(revocation);
        self
    }

    /// The revocation of the version of `fingerprint`, if it is revoked.
    pub fn revocation(&self, fingerprint: &crate::digest::Digest) -> Option<&Revocation> {
        self.revoked.iter().find(|revocation| revocation.fingerprint == *fingerprint)
    }

    /// Whether a new release may start on `template`: it is trusted and
    /// not revoked.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::UntrustedTemplate`] as for a load;
    /// [`ReleaseError::RevokedChecklist`] naming the revocation.
    pub fn check_new(&self, template: &Template) -> Result<(), ReleaseError> {
        self.pin(template)?;
        match self.revocation(&template.fingerprint()) {
            Some(revocation) => Err(ReleaseError::RevokedChecklist {
                template: crate::text::shorten(template.name()),
                revocation: Box::new(revocation.clone()),
            }),
            None => Ok(()),
        }
    }

    /// Verifies seals with `key`: every event of a log must be sealed with
    /// it.
    #[must_use]
    pub fn with_key(mut self, key: SealKey) -> Trust {
        self.key = Some(key);
        self
    }

    /// The trusted templates, in the order they were added.
    pub fn templates(&self) -> impl Iterator<Item = &Template> + '_ {
        self.templates.iter().map(|template| &**template)
    }

    /// Whether `template` is trusted: equal to a trusted template.
    pub fn trusts(&self, template: &Template) -> bool {
        self.trusted(template).is_some()
    }

    /// Whether a trusted template has this fingerprint (64 hexadecimal
    /// digits, as a [`Digest`](crate::digest::Digest) displays).
    #[cfg(feature = "postgres")]
    pub(crate) fn trusts_fingerprint(&self, fingerprint: &str) -> bool {
        fingerprint.parse().is_ok_and(|fingerprint| self.holds(&fingerprint))
    }

    /// Whether seals are verified.
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    pub(crate) fn key(&self) -> Option<&SealKey> {
        self.key.as_ref()
    }

    /// Whether a trusted template has this fingerprint.
    #[cfg(feature = "store")]
    pub(crate) fn holds(&self, fingerprint: &crate::digest::Digest) -> bool {
        self.templates.iter().any(|trusted| trusted.fingerprint() == *fingerprint)
    }

    /// The trusted template of this fingerprint, shared by every release
    /// planned with it.
    pub(crate) fn by_fingerprint(&self, fingerprint: &crate::digest::Digest) -> Option<Arc<Template>> {
        self.templates.iter().find(|trusted| trusted.fingerprint() == *fingerprint).map(Arc::clone)
    }

    /// The trusted copy of `template`, shared by every release planned
    /// with it.
    fn trusted(&self, template: &Template) -> Option<&Arc<Template>> {
        // Comparing the templates themselves finds the same ones as
        // comparing fingerprints, without hashing anything; a release that
        // already holds a trusted copy is found by address.
        self.templates
            .iter()
            .find(|trusted| std::ptr::eq(&***trusted, template))
            .or_else(|| self.templates.iter().find(|trusted| ***trusted == *template))
    }

    /// The trusted copy of `template`.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::UntrustedTemplate`] naming what differs from the
    /// closest trusted template.
    pub(crate) fn pin(&self, template: &Template) -> Result<Arc<Template>, ReleaseError> {
        if let Some(trusted) = self.trusted(template) {
            return Ok(Arc::clone(trusted));
        }
        let closest = self
            .templates
            .iter()
            .map(|trusted| (trusted, template.differences_from(trusted)))
            .min_by_key(|(trusted, differences)| (trusted.name() != template.name(), differences.len()));
        let (closest, differences) = closest.map_or((None, Vec::new()), |(trusted, differences)| {
            (Some(trusted.name().to_owned()), differences)
        });
        Err(ReleaseError::UntrustedTemplate {
            template: crate::text::shorten(template.name()),
            fingerprint: template.fingerprint(),
            closest,
            differences,
        })
    }
}
