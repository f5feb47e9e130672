//! How a release is stored: its event log, behind a format version.
//!
//! Only the log is written; loading replays it, so a stored release can
//! never claim a stage or a status its events do not justify.

use std::fmt;

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::Event;
use crate::release::{Release, ReleaseError};

/// The format version this crate writes; it reads this one and every
/// earlier one.
///
/// # Format 2
///
/// A stored release is an object with two fields, `format` first: `format`
/// (this number) and `events`, the release's log, oldest first. Nothing
/// else is stored: loading replays the log through every rule, so the stage,
/// statuses, verdict and incidents are always what the events justify.
///
/// Each event is `{"at": RFC 3339 time, "by": {"name", "role"}, "what":
/// {"type": ..., fields}}`. Field names are in snake case; every named
/// value (an event type, a stage, a role, a gate, ...) is written in kebab
/// case, exactly as its `Display` writes it. The `type`s and their fields:
///
/// | type | fields |
/// |---|---|
/// | `planned` | `plan`: `service`?, `version`, `kind`, `target_date`, `release_manager`, `on_call`, `changes` (`id`, `committed_at`), `monitoring_window_seconds`, `remediates`?, `template` (`name`, `sections`, `items`, `criteria`?) |
/// | `change-added` | `change` |
/// | `item-completed` | `item` |
/// | `item-not-applicable`, `item-waived`, `item-reopened` | `item`, `reason` |
/// | `advanced` | `from`, `to` (stages: `planned`, ..., `rolled-back`) |
/// | `observed` | `signal`, `value`, `source`, `kind`? (`baseline`; absent for a sample) |
/// | `flag-raised` | `criterion`, `evidence` |
/// | `flag-cleared` | `criterion`, `reason` |
/// | `risk-accepted` | `criteria`, `why` |
/// | `incident-opened` | `incident`: `id`, `severity`, `summary`, `opened_at`, `resolved_at`? |
/// | `incident-resolved` | `incident` (its id), `resolved_at` |
/// | `rolled-back` | `from`, `reason`: `{"kind": "decision", "why"}` or `{"kind": "criteria", "findings"}` |
///
/// Fields marked `?` are left out when empty. For example:
///
/// ```json
/// {
///   "format": 2,
///   "events": [
///     {"at": "2026-11-30T09:00:00Z", "by": {"name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "planned", "plan": {"version": "2.4.0", "...": "..."}}},
///     {"at": "2026-11-30T09:02:00Z", "by": {"name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "item-completed", "item": "planning.scope-documented"}},
///     {"at": "2026-11-30T09:05:00Z", "by": {"name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "advanced", "from": "planned", "to": "frozen"}}
///   ]
/// }
/// ```
///
/// The repository pins this shape with a snapshot test
/// (`tests/snapshots/release-format-2.json`): a change to it is deliberate.
/// A format this crate does not know is refused with
/// [`ReleaseError::UnsupportedFormat`].
///
/// # Format 1
///
/// Written by 0.1: the same shape, with event types and the stage
/// `rolled_back` in snake case (`item_completed`). It is read as it is;
/// saving a release read from it writes format 2.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct StoredRef<'a> {
    format: u32,
    events: &'a [Event],
}

impl Serialize for Release {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredRef { format: FORMAT_VERSION, events: self.events() }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Release {
    /// Reads `format` first (as this crate writes it) and refuses an
    /// unknown format before reading any event; then replays the events.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("Release", FIELDS, StoredVisitor)
    }
}

const FIELDS: &[&str] = &["format", "events"];

/// Whether this crate reads stored format `format`: this one and every
/// earlier one.
pub(crate) fn is_readable(format: u32) -> bool {
    (1..=FORMAT_VERSION).contains(&format)
}

struct StoredVisitor;

impl<'de> Visitor<'de> for StoredVisitor {
    type Value = Release;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stored release: {\"format\": 2, \"events\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Release, A::Error> {
        let mut format = None;
        let mut events: Option<Vec<Event>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
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
                "events" => events = Some(map.next_value()?),
                other => return Err(A::Error::unknown_field(other, FIELDS)),
            }
        }
        format.ok_or_else(|| A::Error::missing_field("format"))?;
        let events = events.ok_or_else(|| A::Error::missing_field("events"))?;
        Release::replay(events).map_err(A::Error::custom)
    }
}
