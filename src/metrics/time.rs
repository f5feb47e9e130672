//! Timestamps in records: RFC 3339 text, parsed fast.
//!
//! Large histories are mostly timestamps, and the common form
//! `YYYY-MM-DDTHH:MM:SS[.fraction]Z` is parsed here directly; anything else
//! RFC 3339 allows goes through chrono.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};

/// Parses an RFC 3339 timestamp.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    parse_fast(text.as_bytes())
        .or_else(|| DateTime::parse_from_rfc3339(text).ok().map(|at| at.with_timezone(&Utc)))
}

fn digits(bytes: &[u8]) -> Option<i64> {
    bytes
        .iter()
        .try_fold(0i64, |value, byte| byte.is_ascii_digit().then(|| value * 10 + i64::from(byte - b'0')))
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, or `None` to let chrono try.
fn parse_fast(bytes: &[u8]) -> Option<DateTime<Utc>> {
    let (date_time, rest) = bytes.split_at_checked(19)?;
    let [_, _, _, _, b'-', _, _, b'-', _, _, b'T' | b't' | b' ', _, _, b':', _, _, b':', _, _] = date_time
    else {
        return None;
    };
    let year = digits(date_time.get(0..4)?)?;
    let month = digits(date_time.get(5..7)?)?;
    let day = digits(date_time.get(8..10)?)?;
    let hour = digits(date_time.get(11..13)?)?;
    let minute = digits(date_time.get(14..16)?)?;
    let second = digits(date_time.get(17..19)?)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let (nanos, zone) = match rest.split_first() {
        Some((b'.', tail)) => {
            let count = tail.iter().take_while(|byte| byte.is_ascii_digit()).count();
            let (fraction, zone) = tail.split_at_checked(count)?;
            if fraction.is_empty() || fraction.len() > 9 {
                return None;
            }
            let scale = 10i64.pow(9 - u32::try_from(fraction.len()).ok()?);
            (digits(fraction)? * scale, zone)
        }
        _ => (0, rest),
    };
    let offset_seconds = match zone {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    DateTime::from_timestamp(seconds, u32::try_from(nanos).ok()?)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_chrono() {
        for text in [
            "2026-11-30T14:00:00Z",
            "2024-02-29T23:59:59.5Z",
            "1969-12-31T23:59:59.123456789Z",
            "2026-11-30T14:00:00+05:30",
            "2026-11-30T14:00:00-08:00",
            "2000-03-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
        ] {
            let expected = DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).ok();
            assert_eq!(parse_fast(text.as_bytes()), expected, "{text}");
        }
        for bad in [
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T14:00:00",
            "x",
        ] {
            assert_eq!(parse_fast(bad.as_bytes()), None, "{bad}");
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
