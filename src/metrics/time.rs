//! Timestamps in records: RFC 3339 text, read and written with chrono.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};

/// Parses an RFC 3339 timestamp.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|at| at.with_timezone(&Utc))
}

fn format(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

struct TimestampVisitor;

impl<'de> Visitor<'de> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an RFC 3339 timestamp such as 2026-11-30T14:00:00Z")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        parse(text).ok_or_else(|| {
            E::custom(format!("\"{}\" is not an RFC 3339 timestamp", crate::text::shorten(text)))
        })
    }
}

/// Serde for `DateTime<Utc>` as RFC 3339 text.
pub(crate) mod rfc3339 {
    use super::*;

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        deserializer.deserialize_str(TimestampVisitor)
    }
}

/// Serde for `Option<DateTime<Utc>>` as RFC 3339 text or null.
pub(crate) mod rfc3339_option {
    use super::*;

    #[allow(clippy::ref_option, reason = "the signature serde's `with` expects")]
    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serializer.serialize_some(&format(at)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        struct OptionVisitor;

        impl<'de> Visitor<'de> for OptionVisitor {
            type Value = Option<DateTime<Utc>>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an RFC 3339 timestamp or null")
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_str(TimestampVisitor).map(Some)
            }
        }

        deserializer.deserialize_option(OptionVisitor)
    }
}

/// Serde for `Vec<DateTime<Utc>>` as a list of RFC 3339 texts.
pub(crate) mod rfc3339_vec {
    use super::*;

    pub fn serialize<S: Serializer>(times: &[DateTime<Utc>], serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(times.len()))?;
        for at in times {
            seq.serialize_element(&format(at))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<DateTime<Utc>>, D::Error> {
        struct Timestamp(DateTime<Utc>);

        impl<'de> serde::Deserialize<'de> for Timestamp {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(TimestampVisitor).map(Timestamp)
            }
        }

        struct VecVisitor;

        impl<'de> Visitor<'de> for VecVisitor {
            type Value = Vec<DateTime<Utc>>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of RFC 3339 timestamps")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut times = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(Timestamp(at)) = seq.next_element()? {
                    times.push(at);
                }
                Ok(times)
            }
        }

        deserializer.deserialize_seq(VecVisitor)
    }
}

/// Reads a string straight into an `Arc<str>`.
struct SharedStrVisitor;

impl Visitor<'_> for SharedStrVisitor {
    type Value = std::sync::Arc<str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<std::sync::Arc<str>, E> {
        Ok(std::sync::Arc::from(text))
    }
}

/// Serde for `Arc<str>` that copies the text once: serde's own goes through
/// a `String` first. Records hold many of these.
pub(crate) mod shared_str {
    use std::sync::Arc;

    use serde::de::Deserializer;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<str>, D::Error> {
        deserializer.deserialize_str(super::SharedStrVisitor)
    }
}

/// Year, month (1–12) and day (1–31) of a day numbered from 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(day: i64) -> (i64, i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day_of_month = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day_of_month)
}

/// The day number of a date: the inverse of [`civil_from_days`].
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc_3339() {
        let expected =
            DateTime::parse_from_rfc3339("2026-11-30T08:30:00Z").ok().map(|at| at.with_timezone(&Utc));
        assert_eq!(parse("2026-11-30T14:00:00+05:30"), expected);
        for bad in ["2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-30T14:00:00", "x"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
