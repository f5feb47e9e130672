//! Timestamps in records: RFC 3339 text, parsed fast.
//!
//! Large histories are mostly timestamps, and the common form
//! `YYYY-MM-DDTHH:MM:SS[.fraction]Z` is parsed here directly; anything else
//! RFC 3339 allows goes through chrono.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta, Utc};
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
pub(crate) fn parse_fast(bytes: &[u8]) -> Option<DateTime<Utc>> {
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
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )?;
    let time = NaiveTime::from_hms_nano_opt(
        u32::try_from(hour).ok()?,
        u32::try_from(minute).ok()?,
        u32::try_from(second).ok()?,
        u32::try_from(nanos).ok()?,
    )?;
    let local = NaiveDateTime::new(date, time).and_utc();
    if offset_seconds == 0 {
        Some(local)
    } else {
        local.checked_sub_signed(TimeDelta::seconds(offset_seconds))
    }
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

/// Reads a string into an `Arc<str>` made by its function.
struct SharedStrVisitor(fn(&str) -> std::sync::Arc<str>);

impl Visitor<'_> for SharedStrVisitor {
    type Value = std::sync::Arc<str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<std::sync::Arc<str>, E> {
        Ok((self.0)(text))
    }
}

/// Serde for a service name as `Arc<str>`: the few names of a history are
/// shared between its records instead of allocated for each (a small
/// per-thread cache of the names seen last).
pub(crate) mod interned_str {
    use std::cell::RefCell;
    use std::sync::Arc;

    use serde::de::Deserializer;

    const CACHED: usize = 64;

    thread_local! {
        static RECENT: RefCell<Vec<Arc<str>>> = const { RefCell::new(Vec::new()) };
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<str>, D::Error> {
        deserializer.deserialize_str(super::SharedStrVisitor(intern))
    }

    /// The shared copy of `text`, from the names this thread saw last.
    pub(crate) fn intern(text: &str) -> Arc<str> {
        RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            if let Some(known) = recent.iter().find(|known| ***known == *text) {
                return Arc::clone(known);
            }
            let shared: Arc<str> = Arc::from(text);
            if recent.len() == CACHED {
                recent.remove(0);
            }
            recent.push(Arc::clone(&shared));
            shared
        })
    }
}

/// Serde for `Arc<str>` that copies the text once: serde's own goes through
/// a `String` first. Records hold many of these.
pub(crate) mod shared_str {
    use std::sync::Arc;

    use serde::de::Deserializer;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<str>, D::Error> {
        deserializer.deserialize_str(super::SharedStrVisitor(|text| Arc::from(text)))
    }
}
