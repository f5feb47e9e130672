//! How a release is stored: its event log, behind a format version.
//!
//! Only the log is written; loading replays it, so a stored release can
//! never claim a stage or a status its events do not justify.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Event, Release};

/// The format version this crate writes and reads.
///
/// A stored release is an object with two fields: `format` (this number)
/// and `events`, the release's log, oldest first. Loading a release replays
/// its log through every rule.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct StoredRef<'a> {
    format: u32,
    events: &'a [Event],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredOwned {
    format: u32,
    events: Vec<Event>,
}

impl Serialize for Release {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredRef { format: FORMAT_VERSION, events: self.events() }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Release {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredOwned::deserialize(deserializer)?;
        if stored.format != FORMAT_VERSION {
            return Err(D::Error::custom(Error::UnsupportedFormat {
                found: stored.format,
                supported: FORMAT_VERSION,
            }));
        }
        Release::replay(stored.events).map_err(D::Error::custom)
    }
}
