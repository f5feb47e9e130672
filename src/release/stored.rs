//! How a release is stored: its event log, behind a format version.
//!
//! Only the log is written; loading replays it, so a stored release can
//! never claim a stage or a status its events do not justify.

use std::fmt;

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::digest::{Digest, SealKey};
use crate::event::{Event, EventKind};
use crate::release::chain::{Link, StoredEvent, StoredEventRef, linked, verify_links};
use crate::release::{ChainProblem, Integrity, Release, ReleaseError, Trust};

/// The format version this crate writes; it reads this one and every
/// earlier one.
///
/// # Format 5
///
/// A stored release is an object with two fields, `format` first: `format`
/// (this number) and `events`, the release's log, oldest first; a release
/// moved to other checklist versions, written to travel, has a third,
/// `checklists`: those versions, each as a checklist object, which a reader
/// must trust as it must the planned one. Nothing else is stored: loading replays the log through every rule, so the stage,
/// statuses, verdict and incidents are always what the events justify.
/// Every object, at every level, is read strictly: a field this crate does
/// not know, or a field given twice, is refused, never dropped.
///
/// Each event is `{"at": RFC 3339 time, "by": {"id"?, "name", "role"}, "what":
/// {"type": ..., fields}, "digest": ..., "seal"?: ...}`. `digest` is the
/// event's link in the log's hash chain (64 hexadecimal digits): the
/// SHA-256 of the previous event's link (its 32 bytes; nothing before the
/// first event) followed by the event's canonical encoding, which is
/// `{"at","by","what"}` serialized to compact JSON exactly as this crate
/// writes it, except that in the planning event the plan's `template` is
/// written as its [fingerprint](crate::Template::fingerprint) (a string of
/// 64 hexadecimal digits): the chain binds the checklist through its
/// fingerprint.
///
/// The plan's `template` is the checklist itself (an object), or its
/// fingerprint (a string), which **names** a checklist version the reader
/// holds: a store keeps each version once, beside the logs, and writes its
/// logs naming them, so a planning event's line is its canonical encoding
/// and its link. A document meant to travel holds its checklist
/// (`serde_json::to_string(&release)`); one written with
/// [`Release::referring`] names it, for a reader whose [`Trust`] trusts
/// that version. A checklist named but not held by the reader is refused
/// with [`ReleaseError::UnknownChecklist`]. `seal`, in a log sealed with a [`SealKey`](crate::digest::SealKey),
/// is the HMAC-SHA-256 of the link under that key. See
/// [`Release::chain`] and [`Trust`](crate::release::Trust). Field names are in snake case; every named
/// value (an event type, a stage, a role, a gate, ...) is written in kebab
/// case, exactly as its `Display` writes it. The `type`s and their fields:
///
/// | type | fields |
/// |---|---|
/// | `planned` | `plan`: `service`?, `version`, `kind`, `target_date`, `release_manager`, `on_call`, `roster`? (actors), `changes` (`id`, `committed_at`, `author`?), `monitoring_window_seconds`, `remediates`?, `change_type`? (`standard` or `emergency`; absent for `normal`), `template` (a fingerprint, or `name`, `sections`, `items`, `criteria`?, `restoration`?, `policy`?) |
/// | `change-added` | `change` |
/// | `approved` | `gate` |
/// | `window-overridden` | `window`, `reason` |
/// | `item-completed` | `item` |
/// | `item-not-applicable`, `item-waived`, `item-reopened` | `item`, `reason` |
/// | `advanced` | `from`, `to` (stages: `planned`, ..., `rolled-back`) |
/// | `observed` | `signal`, `value`, `source`, `kind`? (`baseline`; absent for a sample), `measured_at`? (when measured, if before the event's `at`) |
/// | `observed-batch` | `observations`: each `signal`, `value`, `source`, `kind`?, `at` (when it was measured) |
/// | `flag-raised` | `criterion`, `evidence` |
/// | `flag-cleared` | `criterion`, `reason` |
/// | `risk-accepted` | `criteria`, `why` |
/// | `incident-opened` | `incident`: `id`, `severity`, `summary`, `opened_at`, `resolved_at`? |
/// | `incident-resolved` | `incident` (its id), `resolved_at` |
/// | `rolled-back` | `from`, `reason`: `{"kind": "decision", "why"}` or `{"kind": "criteria", "findings"}` |
/// | `checklist-changed` | `checklist` (a fingerprint: the version the release follows from then on), `reason` |
/// | `roster-changed` | `change`: `{"kind": "added", "member"}`, `{"kind": "handed-over", "from" (a person id), "to"}` or `{"kind": "removed", "person"}` (actors as in `by`); `reason` |
/// | `change-type-changed` | `to` (`normal`, `standard` or `emergency`), `reason` |
/// | `item-deferred` | `item`, `reason` |
/// | `approvals-deferred` | `gate`, `reason` |
/// | `review-approved` | `summary` |
/// | `parallel-deploy-allowed` | `reason` |
///
/// Fields marked `?` are left out when empty. For example:
///
/// ```json
/// {
///   "format": 5,
///   "events": [
///     {"at": "2026-11-30T09:00:00Z",
///      "by": {"id": "ada", "name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "planned", "plan": {"version": "2.4.0", "roster": ["..."], "...": "..."}},
///      "digest": "3f5c...64 hex digits"},
///     {"at": "2026-11-30T09:02:00Z",
///      "by": {"id": "ada", "name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "item-completed", "item": "planning.scope-documented"},
///      "digest": "9a01..."},
///     {"at": "2026-11-30T09:04:00Z",
///      "by": {"id": "linus", "name": "Linus", "role": "change-approver"},
///      "what": {"type": "approved", "gate": "deploy"},
///      "digest": "c2d7..."}
///   ]
/// }
/// ```
///
/// An actor's `id` is left out when it equals the name. The repository pins
/// this shape with a snapshot test (`tests/snapshots/release-format-5.json`):
/// a change to it is deliberate. A format this crate does not know is
/// refused with [`ReleaseError::UnsupportedFormat`].
///
/// # Formats 4, 3, 2 and 1
///
/// Format 4 (written while 0.3 was developed; no released version wrote
/// it) is format 5 with the checklist always held: a plan's `template` is
/// always the object, and a string there is refused. Its events chain
/// exactly as format 5's do, so a log brought from format 4 to 5 keeps
/// every link and its head.
///
/// Format 3 (written while 0.3 was developed, before governance; no
/// released version wrote it) is format 4 without what governance added:
/// actor ids (a format-3 actor's id is its name), the plan's `roster`, a
/// change's `author`, a template's `policy`, and the `approved` and
/// `window-overridden` events. It is read as it is, chained; it encodes,
/// and so chains, exactly as it was written.
///
/// Format 2 (written by 0.2) is format 3 without `digest` and `seal`;
/// format 1 (written by 0.1) is format 2 with event types and the stage
/// `rolled_back` in snake case (`item_completed`). Both are read as they
/// are, reported [`Integrity::Unchained`]: nothing binds their events, so
/// only the rules and the trusted checklist guard them, and a reader with a
/// key refuses them. Saving a release read from any of them writes format 5.
pub const FORMAT_VERSION: u32 = 5;

/// The first format whose events are chained.
pub(crate) const FIRST_CHAINED_FORMAT: u32 = 3;

/// The first format whose planning event may name its checklist by
/// fingerprint.
pub(crate) const FIRST_NAMING_FORMAT: u32 = 5;

#[derive(Serialize)]
struct StoredRef<'a> {
    format: u32,
    events: Vec<StoredEventRef<'a>>,
    /// The checklist versions the release moved to, held by a document
    /// that holds its checklists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checklists: Vec<&'a crate::checklist::Template>,
}

impl<'a> StoredRef<'a> {
    fn of(release: &'a Release, key: Option<&SealKey>, name_checklist: bool) -> StoredRef<'a> {
        StoredRef {
            format: FORMAT_VERSION,
            events: linked(release.events(), key, name_checklist),
            checklists: if name_checklist { Vec::new() } else { release.checklist_versions().collect() },
        }
    }
}

impl Serialize for Release {
    /// Writes the release in the current format, its events chained and
    /// not sealed; [`sealed`](Release::sealed) seals them.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredRef::of(self, None, false).serialize(serializer)
    }
}

/// A release to serialize with every event sealed; see
/// [`Release::sealed`].
#[derive(Debug, Clone, Copy)]
pub struct Sealed<'a> {
    release: &'a Release,
    key: &'a SealKey,
    name_checklist: bool,
}

impl Sealed<'_> {
    /// Also names the checklist by fingerprint instead of writing it out;
    /// see [`Release::referring`].
    #[must_use]
    pub fn referring(self) -> Self {
        Sealed { name_checklist: true, ..self }
    }
}

impl Serialize for Sealed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredRef::of(self.release, Some(self.key), self.name_checklist).serialize(serializer)
    }
}

/// A release to serialize naming its checklist by fingerprint; see
/// [`Release::referring`].
#[derive(Debug, Clone, Copy)]
pub struct Referring<'a> {
    release: &'a Release,
}

impl Serialize for Referring<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredRef::of(self.release, None, true).serialize(serializer)
    }
}

impl Release {
    /// The release, to serialize with each event sealed with `key`: a
    /// reader who trusts the key refuses any event whose seal the key did
    /// not make. The key itself is not written.
    ///
    /// ```
    /// use release_workflow::{digest::SealKey, release::{Trust, UnverifiedRelease}};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let key = SealKey::new(b"32 bytes or more from the vault!".to_vec())?;
    /// let json = serde_json::to_string(&release.sealed(&key))?;
    ///
    /// let trust = Trust::default().with_key(key);
    /// let log: UnverifiedRelease = serde_json::from_str(&json)?;
    /// assert_eq!(log.verify(&trust)?, release);
    ///
    /// // Unsealed, the same release is refused by a reader with the key.
    /// let unsealed: UnverifiedRelease = serde_json::from_str(&serde_json::to_string(&release)?)?;
    /// assert!(unsealed.verify(&trust).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sealed<'a>(&'a self, key: &'a SealKey) -> Sealed<'a> {
        Sealed { release: self, key, name_checklist: false }
    }

    /// The release, to serialize naming its checklist by
    /// [fingerprint](crate::Template::fingerprint) instead of writing it
    /// out: a few hundred bytes where OctoAcme's checklist takes about 17
    /// KB. For a reader that holds that checklist version: a [`Trust`] that
    /// trusts it, or the store that keeps it. The chain is the same either
    /// way, so both documents verify to the same release with the same head.
    ///
    /// ```
    /// use release_workflow::release::{Trust, UnverifiedRelease};
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let whole = serde_json::to_string(&release)?;
    /// let named = serde_json::to_string(&release.referring())?;
    /// assert!(named.len() * 10 < whole.len());
    ///
    /// let log: UnverifiedRelease = serde_json::from_str(&named)?;
    /// assert_eq!(log.verify(&Trust::default())?, release);
    ///
    /// // A reader that does not hold that checklist says so.
    /// let log: UnverifiedRelease = serde_json::from_str(&named)?;
    /// let refused = log.verify(&Trust::nothing()).unwrap_err();
    /// assert!(refused.to_string().contains("holds no checklist of that fingerprint"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn referring(&self) -> Referring<'_> {
        Referring { release: self }
    }
}

/// A stored release as read, before it is trusted: its events and their
/// links, not yet checked.
///
/// Deserializing gives this, never a [`Release`]: only
/// [`verify`](UnverifiedRelease::verify) against a [`Trust`] does, once the
/// hash chain holds, the seals (with a key) are the key's, the checklist is
/// a trusted one, and every event passes the rules.
///
/// ```
/// use release_workflow::release::{Trust, UnverifiedRelease};
/// # use release_workflow::{Actor, Release, ReleaseKind, Role};
/// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
/// let json = serde_json::to_string(&release)?;
/// let log: UnverifiedRelease = serde_json::from_str(&json)?;
/// let loaded = log.verify(&Trust::default())?;
/// assert_eq!(loaded, release);
///
/// // An edited event breaks the chain, and the error names it.
/// let edited = json.replace("\"Ada\"", "\"Eve\"");
/// let log: UnverifiedRelease = serde_json::from_str(&edited)?;
/// let refused = log.verify(&Trust::default()).unwrap_err();
/// assert!(refused.to_string().starts_with("event 1 of the log was changed"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedRelease {
    format: u32,
    events: Vec<Event>,
    links: Vec<Option<Link>>,
    /// The checklist versions a document holds for its moves.
    checklists: Vec<crate::checklist::Template>,
}

impl UnverifiedRelease {
    /// A log read elsewhere (a store's file), from its events as stored.
    pub(crate) fn from_stored(
        format: u32,
        stored: Vec<StoredEvent>,
    ) -> Result<UnverifiedRelease, ReleaseError> {
        let mut events = Vec::with_capacity(stored.len());
        let mut links = Vec::with_capacity(stored.len());
        for (position, event) in stored.into_iter().enumerate() {
            if format < FIRST_CHAINED_FORMAT && event.is_linked() {
                return Err(ReleaseError::BrokenChain { position, problem: ChainProblem::UnexpectedDigest });
            }
            if format < FIRST_NAMING_FORMAT && event.names_checklist() {
                return Err(ReleaseError::MalformedLog {
                    problem: "the planning event names its checklist by fingerprint, which logs before format 5 \
                              never do: the log was edited",
                });
            }
            let (event, link) = event.split();
            events.push(event);
            links.push(link);
        }
        Ok(UnverifiedRelease { format, events, links, checklists: Vec::new() })
    }

    /// The stored format it was read in.
    pub fn format(&self) -> u32 {
        self.format
    }

    /// The events as read, unchecked.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The [fingerprint](crate::Template::fingerprint) of the checklist
    /// version its planning event names, when it names one instead of
    /// holding it: the version a reader's [`Trust`] must hold to verify it.
    pub fn named_checklist(&self) -> Option<Digest> {
        self.plan().and_then(|plan| plan.named_checklist().copied())
    }

    /// Holds `template` where the planning event names it, when its
    /// fingerprint is the one named: a store that keeps that version hands
    /// it over, so that a reader which does not trust it is told what
    /// differs from the checklists it does trust.
    #[cfg(feature = "store")]
    pub(crate) fn hold_checklist(&mut self, template: std::sync::Arc<crate::checklist::Template>) {
        if let Some(Event { what: EventKind::Planned { plan }, .. }) = self.events.first_mut()
            && plan.named_checklist() == Some(&template.fingerprint())
        {
            *plan = std::sync::Arc::new(plan.sharing(template));
        }
    }

    fn plan(&self) -> Option<&crate::plan::ReleasePlan> {
        match self.events.first() {
            Some(Event { what: EventKind::Planned { plan }, .. }) => Some(plan),
            _ => None,
        }
    }

    /// What [`verify`](UnverifiedRelease::verify) establishes when it
    /// succeeds with `trust`.
    pub fn integrity(&self, trust: &Trust) -> Integrity {
        if self.format < FIRST_CHAINED_FORMAT {
            Integrity::Unchained
        } else if trust.has_key() {
            Integrity::Sealed
        } else {
            Integrity::Chained
        }
    }

    /// Checks the log and gives the release: the hash chain must hold at
    /// every event (and, with a key, every seal be the key's), its
    /// checklist must be trusted, and every event must pass the rules.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::BrokenChain`] naming the first event whose link or
    /// seal does not hold; [`ReleaseError::UntrustedTemplate`] naming what
    /// differs from the closest trusted checklist;
    /// [`ReleaseError::Replay`] naming the first event that breaks a rule;
    /// [`ReleaseError::MalformedLog`].
    pub fn verify(self, trust: &Trust) -> Result<Release, ReleaseError> {
        self.verify_with_head(trust).map(|(release, _)| release)
    }

    /// As [`verify`](UnverifiedRelease::verify), also giving the verified
    /// head digest of a chained log.
    pub(crate) fn verify_with_head(
        mut self,
        trust: &Trust,
    ) -> Result<(Release, Option<Digest>), ReleaseError> {
        // A version the document holds for a move must be one the reader
        // trusts: it is refused, naming what differs, as a held checklist is.
        for held in &self.checklists {
            let named = self.events.iter().any(|event| {
                matches!(&event.what, EventKind::ChecklistChanged { checklist, .. } if *checklist == held.fingerprint())
            });
            if !named {
                return Err(ReleaseError::MalformedLog {
                    problem: "the document holds a checklist version no event moves the release to",
                });
            }
            trust.pin(held)?;
        }
        let head = if self.format >= FIRST_CHAINED_FORMAT {
            // The trusted copy of the checklist knows its fingerprint, which
            // the planning event's link covers: pinning it first spares
            // hashing the checklist again.
            if let Some(first) = self.events.first_mut() {
                Release::pin_plan(first, trust)?;
            }
            verify_links(&self.events, &self.links, trust.key())?
        } else if trust.has_key() {
            return Err(ReleaseError::BrokenChain { position: 0, problem: ChainProblem::Unchained });
        } else {
            None
        };
        Ok((Release::replay(self.events, trust)?, head))
    }
}

impl<'de> Deserialize<'de> for UnverifiedRelease {
    /// Refuses an unknown format before reading any event when `format`
    /// comes first (as this crate writes it); refuses unknown and repeated
    /// fields.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("Release", FIELDS, StoredVisitor)
    }
}

const FIELDS: &[&str] = &["format", "events", "checklists"];

/// Whether this crate reads stored format `format`: this one and every
/// earlier one.
pub(crate) fn is_readable(format: u32) -> bool {
    (1..=FORMAT_VERSION).contains(&format)
}

struct StoredVisitor;

impl<'de> Visitor<'de> for StoredVisitor {
    type Value = UnverifiedRelease;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stored release: {\"format\": 3, \"events\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnverifiedRelease, A::Error> {
        let mut format = None;
        let mut events: Option<Vec<StoredEvent>> = None;
        let mut checklists: Option<Vec<crate::checklist::Template>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" if format.is_some() => return Err(A::Error::duplicate_field("format")),
                "format" => {
                    let found: u32 = map.next_value()?;
                    if !is_readable(found) {
                        return Err(A::Error::custom(ReleaseError::UnsupportedFormat {
                            found,
                            supported: FORMAT_VERSION,
                        }));
                    }
                    format = Some(found);
                }
                "events" if events.is_some() => return Err(A::Error::duplicate_field("events")),
                // Events read before the format (a map that sorts its keys)
                // are checked against it once it is known.
                "events" => events = Some(map.next_value()?),
                "checklists" if checklists.is_some() => return Err(A::Error::duplicate_field("checklists")),
                "checklists" => checklists = Some(map.next_value()?),
                other => return Err(A::Error::unknown_field(other, FIELDS)),
            }
        }
        let format = format.ok_or_else(|| A::Error::missing_field("format"))?;
        let events = events.ok_or_else(|| A::Error::missing_field("events"))?;
        let mut log = UnverifiedRelease::from_stored(format, events).map_err(A::Error::custom)?;
        log.checklists = checklists.unwrap_or_default();
        Ok(log)
    }
}
