//! The PostgreSQL store's summary rows: what a listing reads without
//! loading a log, and how the store notices one changed behind its back.
//!
//! A summary row repeats what its release's log says (service, version,
//! stage, event count, last event time, head). The store writes it in the
//! same statement as the events, so through the store the two agree. SQL
//! run outside the store can change one without the other; then:
//!
//! - **a load** compares every field of the row with the replayed log and
//!   refuses a release whose row disagrees, naming the fields;
//! - **a listing**, which reads rows only, checks each row's
//!   `summary_check`: the SHA-256 of its fields, written with them. A row
//!   whose fields no longer hash to it is refused, so a listing never shows
//!   a stage the log does not have. Like a log's unkeyed chain, the check
//!   catches an edit, not someone who recomputes it. A row written before
//!   the check existed (schema version 1) is verified by loading its
//!   release once, and its check written then;
//! - **a listing** also reads each row's `checklist` (the fingerprint of
//!   the release's checklist, covered by the check) and reports a release
//!   whose checklist the reader does not trust as unreadable, as a load
//!   would refuse it. A row written before the column existed (schema
//!   version 2) is verified by loading its release once, and its checklist
//!   and check written then.

use chrono::{DateTime, SecondsFormat, Utc};
use postgres::Row;

use crate::digest::Digest;
use crate::store::summary::ReleaseSummary;

/// A release's summary row, as load and append read it.
pub(super) struct Summary {
    pub(super) format: u32,
    pub(super) events: usize,
    pub(super) head: Option<String>,
    pub(super) service: Option<String>,
    pub(super) version: String,
    pub(super) stage: String,
    pub(super) last_event_at: DateTime<Utc>,
}

impl Summary {
    /// The summary in a row's first seven columns, in the order
    /// `format, events, head, service, version, stage, last_event_at`.
    pub(super) fn of(row: &Row) -> Summary {
        Summary {
            format: u32::try_from(row.get::<_, i32>(0)).unwrap_or(0),
            events: usize::try_from(row.get::<_, i64>(1)).unwrap_or(0),
            head: row.get(2),
            service: row.get(3),
            version: row.get(4),
            stage: row.get(5),
            last_event_at: row.get(6),
        }
    }

    /// Each field of the row that says something else than the log, in
    /// words: `stage (the row says released, the log deploying)`.
    pub(super) fn differences_from(&self, log: &ReleaseSummary, head: Option<&str>) -> Vec<String> {
        let mut differences = Vec::new();
        let mut differ = |field: &str, row: String, log: String| {
            if row != log {
                differences.push(format!("{field} (the row says {row}, the log {log})"));
            }
        };
        let or_none = |value: Option<&str>| value.map_or_else(|| "none".to_owned(), str::to_owned);
        differ("event count", self.events.to_string(), log.events.to_string());
        differ("head", or_none(self.head.as_deref()), or_none(head));
        differ("service", or_none(self.service.as_deref()), or_none(log.service.as_deref()));
        differ("version", self.version.clone(), log.version.clone());
        differ("stage", self.stage.clone(), log.stage.to_string());
        differ("last event time", rfc3339(self.last_event_at), rfc3339(log.last_event_at));
        differences
    }
}

/// The check a summary row is written with: the SHA-256 of its fields, one
/// per line (a field never holds a line break), in hexadecimal. A row of
/// schema version 3 or later also covers its checklist's fingerprint, on a
/// last line; one written before has none.
pub(super) fn summary_check(summary: &ReleaseSummary, head: Option<&str>, checklist: Option<&str>) -> String {
    let mut text = format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n{}",
        summary.key,
        summary.service.as_deref().unwrap_or(""),
        summary.version,
        summary.stage,
        summary.events,
        rfc3339(summary.last_event_at),
        head.unwrap_or(""),
    );
    if let Some(checklist) = checklist {
        text.push('\n');
        text.push_str(checklist);
    }
    Digest::of(text.as_bytes()).to_string()
}

/// A time as the database keeps it: `timestamptz` holds microseconds, and
/// the driver sends a time as its microseconds since 2000-01-01, cut
/// toward that date. Both sides of a comparison are cut the same way.
fn rfc3339(at: DateTime<Utc>) -> String {
    let epoch = DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or_default();
    let kept = (at - epoch)
        .num_microseconds()
        .and_then(|micros| epoch.checked_add_signed(chrono::TimeDelta::microseconds(micros)));
    kept.unwrap_or(at).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
