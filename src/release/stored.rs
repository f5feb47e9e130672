//! How a release is stored: its event log, behind a format version.
//!
//! Only the log is written; loading replays it, so a stored release can
//! never claim a stage or a status its events do not justify.

use std::fmt;

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Event, Release};

/// The format version this crate writes and reads.
///
/// # Format 1
///
/// A stored release is an object with two fields, `format` first: `format`
/// (this number) and `events`, the release's log, oldest first. Nothing
/// else is stored: loading replays the log through every rule, so the stage,
/// statuses, verdict and incidents are always what the events justify.
///
/// Each event is `{"at": RFC 3339 time, "by": {"name", "role"}, "what":
/// {"type": ..., fields}}`. The `type`s and their fields:
///
/// | type | fields |
/// |---|---|
/// | `planned` | `plan`: `service`?, `version`, `kind`, `target_date`, `release_manager`, `on_call`, `changes` (`id`, `committed_at`), `monitoring_window_seconds`, `remediates`?, `template` (`name`, `sections`, `items`, `criteria`?) |
/// | `change_added` | `change` |
/// | `item_completed` | `item` |
/// | `item_not_applicable`, `item_waived`, `item_reopened` | `item`, `reason` |
/// | `advanced` | `from`, `to` (stages in snake case) |
/// | `observed` | `signal`, `value`, `source`, `kind`? (`baseline`; absent for a sample) |
/// | `flag_raised` | `criterion`, `evidence` |
/// | `flag_cleared` | `criterion`, `reason` |
/// | `risk_accepted` | `criteria`, `why` |
/// | `incident_opened` | `incident`: `id`, `severity`, `summary`, `opened_at`, `resolved_at`? |
/// | `incident_resolved` | `incident` (its id), `resolved_at` |
/// | `rolled_back` | `from`, `reason`: `{"kind": "decision", "why"}` or `{"kind": "criteria", "findings"}` |
///
/// Fields marked `?` are left out when empty. For example:
///
/// ```json
/// {
///   "format": 1,
///   "events": [
///     {"at": "2026-11-30T09:00:00Z", "by": {"name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "planned", "plan": {"version": "2.4.0", "...": "..."}}},
///     {"at": "2026-11-30T09:02:00Z", "by": {"name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "item_completed", "item": "planning.scope-documented"}},
///     {"at": "2026-11-30T09:05:00Z", "by": {"name": "Ada Lovelace", "role": "release-manager"},
///      "what": {"type": "advanced", "from": "planned", "to": "frozen"}}
///   ]
/// }
/// ```
///
/// The repository pins this shape with a snapshot test
/// (`tests/snapshots/release-format-1.json`): a change to it is deliberate.
/// A format this crate does not know is refused with
/// [`Error::UnsupportedFormat`].
pub const FORMAT_VERSION: u32 = 1;

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

struct StoredVisitor;

impl<'de> Visitor<'de> for StoredVisitor {
    type Value = Release;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stored release: {\"format\": 1, \"events\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Release, A::Error> {
        let mut format = None;
        let mut events: Option<Vec<Event>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    let found: u32 = map.next_value()?;
                    if found != FORMAT_VERSION {
                        return Err(A::Error::custom(Error::UnsupportedFormat {
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
