//! What the metrics layer refuses: windows, records and trends that cannot
//! be measured.

use chrono::{DateTime, Utc};

use crate::stage::Stage;
use crate::text::TextError;

/// A window, deployment record or trend the metrics refuse, naming the
/// record or period at fault.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// A report window that does not go forward.
    #[error("the window from {start} to {end} is empty: its start must come before its end")]
    InvalidWindow {
        /// Its start.
        start: DateTime<Utc>,
        /// Its end.
        end: DateTime<Utc>,
    },

    /// Text that is not the JSON of a deployment record.
    #[error("malformed JSON: {problem}")]
    MalformedJson {
        /// What the parser found wrong, and where.
        problem: String,
    },

    /// A trend over more periods than it can hold.
    #[error(
        "a {period}ly trend of this window would have more than {max} periods: shorten the window or use months"
    )]
    TooManyPeriods {
        /// The period asked for.
        period: String,
        /// The most periods a trend has.
        max: usize,
    },

    /// A report over the recorded days of no records.
    #[error(
        "no deployment was recorded, so there are no recorded days to report on: give the report a window"
    )]
    NothingRecorded,

    /// Tallies of different reports merged.
    #[error(
        "the totals differ in their options, trend or per-service reports: merge only totals made alike (`Totals::empty_like`)"
    )]
    TotalsMismatch,

    /// A time zone name or offset that is neither.
    #[error("unknown time zone \"{input}\"{advice}")]
    UnknownZone {
        /// The text given, shortened.
        input: String,
        /// What to write instead.
        advice: String,
    },

    /// A history that could not be read.
    #[error("cannot read {source_name}: {problem}")]
    Unreadable {
        /// The file or stream.
        source_name: String,
        /// What went wrong.
        problem: String,
    },

    /// A picture the drawing library could not draw.
    #[error("cannot draw the trend: {problem}")]
    Drawing {
        /// What the drawing library reported.
        problem: String,
    },

    /// A release that is not a deployment yet.
    #[error("release {release} is {stage}: it becomes a deployment once it enters deploying")]
    NotDeployed {
        /// The release's version.
        release: String,
        /// Its stage.
        stage: Stage,
    },

    /// A deployment record whose times contradict each other.
    #[error("deployment record `{release}` {problem}: fix the record")]
    InvalidRecord {
        /// The record's release id.
        release: String,
        /// What is wrong.
        problem: String,
    },

    /// A service, version or id that breaks the text rules.
    #[error(transparent)]
    Text(#[from] TextError),
}
