//! The hash chain that binds a release's events, and what verifying it
//! establishes.

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, SealKey};
use crate::event::{Event, EventKind};
use crate::release::{ChainProblem, Release, ReleaseError};
use crate::text::named_enum;

/// The canonical encoding of an event, which its link digest covers: the
/// event as this crate serializes it to compact JSON (`{"at":..,"by":..,
/// "what":{..}}`, no whitespace, fields in that order), except that the
/// plan's template is written as its fingerprint.
#[cfg(any(feature = "store", test))]
pub(crate) fn canonical(event: &Event) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_canonical(&mut bytes, event);
    bytes
}

/// Writes the canonical encoding of `event` to `out`.
fn write_canonical(out: impl std::io::Write, event: &Event) {
    // An event holds strings, times, named values and finite numbers, and
    // the writers here (a buffer, a hash) never fail: serializing it to
    // JSON cannot fail.
    let _ = match &event.what {
        EventKind::Planned { plan } => {
            let what = PlannedWhat { kind: "planned", plan: plan.pinned() };
            serde_json::to_writer(out, &CanonicalEvent { at: &event.at, by: &event.by, what })
        }
        _ => serde_json::to_writer(out, event),
    };
}

/// The planning event as the chain covers it.
#[derive(Serialize)]
struct CanonicalEvent<'a> {
    #[serde(serialize_with = "crate::instant::rfc3339::serialize")]
    at: &'a chrono::DateTime<chrono::Utc>,
    by: &'a crate::actor::Actor,
    what: PlannedWhat<'a>,
}

#[derive(Serialize)]
struct PlannedWhat<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    plan: crate::plan::PinnedPlan<'a>,
}

/// One event's link: the digest of the previous link's bytes followed by
/// the event's canonical encoding (the first event's link is the digest of
/// its encoding alone).
pub(crate) fn link(previous: Option<&Digest>, event: &Event) -> Digest {
    // Serialized straight into the hash: the `read a stored log` bench in
    // `benches/integrity.rs` measures what the buffer cost.
    let mut linker = Digest::linker(previous);
    write_canonical(&mut linker, event);
    linker.finish()
}

/// The link and, with a key, the seal an event is stored with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Link {
    pub(crate) digest: Digest,
    pub(crate) seal: Option<Digest>,
}

/// Checks each stored link against the event's canonical encoding and
/// the link before it, and each seal against `key`; returns the last link.
/// `links` holds one entry per event, `None` where the stored event had no
/// digest. Every path a log is read by (a document, a file store, a
/// database) checks it here, so one log gets one verdict.
pub(crate) fn verify_links(
    events: &[Event],
    links: &[Option<Link>],
    key: Option<&SealKey>,
) -> Result<Option<Digest>, ReleaseError> {
    let mut previous: Option<Digest> = None;
    for (position, (event, stored)) in events.iter().zip(links).enumerate() {
        let broken = |problem| ReleaseError::BrokenChain { position, problem };
        let stored = stored.ok_or_else(|| broken(ChainProblem::MissingDigest))?;
        let digest = link(previous.as_ref(), event);
        if digest != stored.digest {
            return Err(broken(ChainProblem::DigestMismatch));
        }
        if let Some(key) = key {
            let seal = stored.seal.ok_or_else(|| broken(ChainProblem::MissingSeal))?;
            if !key.verifies(&digest, &seal) {
                return Err(broken(ChainProblem::SealMismatch));
            }
        }
        previous = Some(digest);
    }
    Ok(previous)
}

/// How much a loaded log proved about itself.
///
/// | | in-place edit of an event | rewrite of the whole log | truncation |
/// |---|---|---|---|
/// | `Unchained` | refused only if it breaks a rule | no | no |
/// | `Chained` | refused, naming the event | no, unless the head is anchored | no, unless the head is anchored |
/// | `Sealed` | refused, naming the event | refused, without the key | no, unless the head is anchored |
///
/// Anchoring the [head](Release::head) elsewhere and checking it with
/// [`verify_anchor`](Release::verify_anchor) detects truncation and
/// rewrites at every level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Integrity {
    /// A log written before logs were chained (format 1 or 2): every event
    /// passed the rules, but nothing binds one to the next.
    Unchained,
    /// Every event's digest matched it and the event before it.
    Chained,
    /// Chained, and every event's seal was made with the caller's key.
    Sealed,
    /// Never written out: a release a [`MemoryStore`](crate::store::MemoryStore)
    /// holds as it was given, with nothing to verify.
    InMemory,
}

named_enum!(Integrity, "integrity", {
    Unchained => "unchained",
    Chained => "chained",
    Sealed => "sealed",
    InMemory => "in-memory",
});

impl Release {
    /// The digest of every event's link, oldest first: the last one is the
    /// [head](Release::head).
    ///
    /// Each link is the SHA-256 of the link before it (32 bytes; nothing
    /// for the first event) followed by the event's canonical encoding: the
    /// event serialized to compact JSON, as a stored log writes it, with the
    /// planning event's template written as its fingerprint (see
    /// [`FORMAT_VERSION`](crate::release::FORMAT_VERSION)). Changing any event
    /// changes its link and every link after it.
    pub fn chain(&self) -> Vec<Digest> {
        let mut previous: Option<Digest> = None;
        self.events()
            .iter()
            .map(|event| {
                let digest = link(previous.as_ref(), event);
                previous = Some(digest);
                digest
            })
            .collect()
    }

    /// The head digest: the link of the last event, which binds the whole
    /// log. Anchor it somewhere the log's writer cannot reach — a ticket, a
    /// commit, a second system — and check it later with
    /// [`verify_anchor`](Release::verify_anchor) to detect a truncated or
    /// rewritten log.
    ///
    /// It is computed from the events on each call (a hash per event).
    ///
    /// ```
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role};
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
    /// let anchored = release.head(); // written into the change ticket
    /// release.complete("planning.scope-documented", &ada, t0)?;
    /// assert_ne!(release.head(), anchored);
    /// assert_eq!(release.verify_anchor(&anchored)?, 0); // the log still holds event 0 as anchored
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn head(&self) -> Digest {
        let mut previous: Option<Digest> = None;
        for event in self.events() {
            previous = Some(link(previous.as_ref(), event));
        }
        // A release always has its planning event.
        previous.unwrap_or_else(|| Digest::of(b""))
    }

    /// Checks that the log holds the event whose link is `anchored`, and
    /// returns that event's position: the log is the one anchored, possibly
    /// continued since.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::AnchorNotFound`] when no event's link is `anchored`:
    /// the log was truncated before it, or rewritten.
    pub fn verify_anchor(&self, anchored: &Digest) -> Result<usize, ReleaseError> {
        let chain = self.chain();
        chain.iter().position(|digest| digest == anchored).ok_or_else(|| ReleaseError::AnchorNotFound {
            anchored: *anchored,
            head: chain.last().copied().unwrap_or_else(|| Digest::of(b"")),
            events: chain.len(),
        })
    }
}

/// A stored event: the event, and from format 3 its link and seal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredEvent {
    #[serde(with = "crate::instant::rfc3339")]
    at: chrono::DateTime<chrono::Utc>,
    by: crate::actor::Actor,
    what: EventKind,
    #[serde(default)]
    digest: Option<Digest>,
    #[serde(default)]
    seal: Option<Digest>,
}

impl StoredEvent {
    /// The event and its link, if it has one. A seal without a digest is
    /// kept as a missing digest.
    pub(crate) fn split(self) -> (Event, Option<Link>) {
        let link = self.digest.map(|digest| Link { digest, seal: self.seal });
        (Event { at: self.at, by: self.by, what: self.what }, link)
    }

    /// Whether it is a planning event that names its checklist by
    /// fingerprint.
    pub(crate) fn names_checklist(&self) -> bool {
        matches!(&self.what, EventKind::Planned { plan } if plan.named_checklist().is_some())
    }

    /// Whether it carries any part of a link.
    pub(crate) fn is_linked(&self) -> bool {
        self.digest.is_some() || self.seal.is_some()
    }
}

/// An event as formats 3 and later store it: the event's fields, then its
/// link and seal.
#[derive(Serialize)]
pub(crate) struct StoredEventRef<'a> {
    #[serde(serialize_with = "crate::instant::rfc3339::serialize")]
    at: &'a chrono::DateTime<chrono::Utc>,
    by: &'a crate::actor::Actor,
    what: WhatRef<'a>,
    digest: Digest,
    #[serde(skip_serializing_if = "Option::is_none")]
    seal: Option<Digest>,
}

/// What an event records, as stored: as it is, or for the planning event
/// of a log that names its checklist, with the template's fingerprint in
/// place of the template.
#[derive(Serialize)]
#[serde(untagged)]
enum WhatRef<'a> {
    Held(&'a EventKind),
    Named(PlannedWhat<'a>),
}

/// The events with their links (and seals, with a key), ready to store;
/// with `name_checklist`, the planning event names its checklist by
/// fingerprint instead of holding it.
pub(crate) fn linked<'a>(
    events: &'a [Event],
    key: Option<&SealKey>,
    name_checklist: bool,
) -> Vec<StoredEventRef<'a>> {
    let mut previous: Option<Digest> = None;
    events
        .iter()
        .map(|event| {
            let digest = link(previous.as_ref(), event);
            previous = Some(digest);
            let what = match &event.what {
                EventKind::Planned { plan } if name_checklist => {
                    WhatRef::Named(PlannedWhat { kind: "planned", plan: plan.pinned() })
                }
                what => WhatRef::Held(what),
            };
            StoredEventRef {
                at: &event.at,
                by: &event.by,
                what,
                digest,
                seal: key.map(|key| key.seal(&digest)),
            }
        })
        .collect()
}

/// An event's line in a chained log, and its link: the same bytes
/// [`StoredEventRef`] serializes to, made with one serialization of the
/// event and the link spliced in before the closing brace. With
/// `name_checklist` (format 5 on), the planning event's line is its
/// canonical encoding too: it names the checklist by fingerprint.
#[cfg(feature = "store")]
pub(crate) fn stored_line(
    previous: Option<&Digest>,
    event: &Event,
    key: Option<&SealKey>,
    name_checklist: bool,
) -> (Vec<u8>, Digest) {
    let (mut line, digest) = match &event.what {
        EventKind::Planned { .. } if !name_checklist => {
            (serde_json::to_vec(event).unwrap_or_default(), link(previous, event))
        }
        _ => {
            let line = canonical(event);
            let digest = Digest::link(previous, &line);
            (line, digest)
        }
    };
    // The encoding is a JSON object: it ends with its closing brace.
    line.pop();
    line.extend_from_slice(format!(",\"digest\":\"{digest}\"").as_bytes());
    if let Some(key) = key {
        line.extend_from_slice(format!(",\"seal\":\"{}\"", key.seal(&digest)).as_bytes());
    }
    line.push(b'}');
    (line, digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Actor, Role};
    use crate::event::EventKind;

    fn event(item: &str) -> Event {
        Event {
            at: "2026-11-30T09:00:00Z".parse().unwrap(),
            by: Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap(),
            what: EventKind::ItemCompleted { item: item.parse().unwrap() },
        }
    }

    #[test]
    #[cfg(feature = "store")]
    fn a_stored_line_is_the_serialized_stored_event() {
        let key = SealKey::new(vec![1; 32]).unwrap();
        let events = [crate::release::sample().events()[0].clone(), event("a.c")];
        for (key, named) in [(None, false), (Some(&key), false), (None, true), (Some(&key), true)] {
            let refs = linked(&events, key, named);
            let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
            let (first, digest) = stored_line(None, &events[0], key, named);
            let first = text(first);
            assert!(first == serde_json::to_string(&refs[0]).unwrap());
            // Named, the checklist is its fingerprint; held, it is written out.
            let EventKind::Planned { plan } = &events[0].what else { panic!("the sample starts planned") };
            let fingerprint = format!("\"template\":\"{}\"", plan.checklist_fingerprint());
            assert_eq!(first.contains(&fingerprint), named, "{first}");
            let (second, _) = stored_line(Some(&digest), &events[1], key, named);
            assert!(text(second) == serde_json::to_string(&refs[1]).unwrap());
        }
    }

    #[test]
    fn the_planning_event_is_covered_through_its_templates_fingerprint() {
        let release = crate::release::sample();
        let planned = &release.events()[0];
        let template = serde_json::to_string(release.template()).unwrap();
        let stored = serde_json::to_string(planned).unwrap();
        let expected = stored.replace(&template, &format!("\"{}\"", release.template().fingerprint()));
        assert_ne!(expected, stored);
        assert_eq!(String::from_utf8(canonical(planned)).unwrap(), expected);
    }

    #[test]
    fn links_name_the_first_event_that_does_not_match() {
        let events = vec![event("a.b"), event("a.c"), event("a.d")];
        let mut links: Vec<Option<Link>> = linked(&events, None, false)
            .iter()
            .map(|r| Some(Link { digest: r.digest, seal: None }))
            .collect();
        assert!(verify_links(&events, &links, None).is_ok());
        let mut edited = events.clone();
        edited[1] = event("a.x");
        assert_eq!(
            verify_links(&edited, &links, None),
            Err(ReleaseError::BrokenChain { position: 1, problem: ChainProblem::DigestMismatch })
        );
        links[2] = None;
        assert_eq!(
            verify_links(&events, &links, None),
            Err(ReleaseError::BrokenChain { position: 2, problem: ChainProblem::MissingDigest })
        );
    }
}
