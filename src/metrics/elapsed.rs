//! Durations in reports: whole milliseconds, shown for people.

use std::fmt;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

/// A duration in a report, in whole milliseconds (serialized as that
/// number). Displays for people: `45 s`, `12 min`, `3.5 h`, `2.1 d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Elapsed(i64);

impl Elapsed {
    /// A duration of `millis` milliseconds.
    pub const fn from_millis(millis: i64) -> Elapsed {
        Elapsed(millis)
    }

    /// A duration of `hours` hours (saturating at the extremes of `i64`
    /// milliseconds).
    pub const fn from_hours(hours: i64) -> Elapsed {
        Elapsed(hours.saturating_mul(3_600_000))
    }

    /// A duration of `days` days (saturating at the extremes of `i64`
    /// milliseconds).
    pub const fn from_days(days: i64) -> Elapsed {
        Elapsed(days.saturating_mul(86_400_000))
    }

    /// The duration in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The duration in hours, with fractions.
    pub fn as_hours(self) -> f64 {
        self.0 as f64 / 3_600_000.0
    }

    /// The duration as a chrono `TimeDelta`.
    pub fn to_time_delta(self) -> TimeDelta {
        TimeDelta::milliseconds(self.0)
    }
}

impl From<TimeDelta> for Elapsed {
    fn from(delta: TimeDelta) -> Elapsed {
        Elapsed(delta.num_milliseconds())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0 as f64 / 1000.0;
        let (value, unit) = match seconds.abs() {
            s if s < 60.0 => (seconds, "s"),
            s if s < 3600.0 => (seconds / 60.0, "min"),
            s if s < 86_400.0 => (seconds / 3600.0, "h"),
            _ => (seconds / 86_400.0, "d"),
        };
        if (value - value.round()).abs() < 0.05 {
            write!(f, "{value:.0} {unit}")
        } else {
            write!(f, "{value:.1} {unit}")
        }
    }
}
