//! An event's time as stored text: exactly what chrono writes and reads
//! (RFC 3339 in UTC, `2026-11-30T09:00:00Z`), without chrono's general
//! formatting and parsing when the time is a whole second of the years
//! 0 to 9999, as nearly every recorded time is. Every event of every
//! loaded log has its time read, and written again when its link is
//! checked; the `read a stored log` bench in `benches/integrity.rs`
//! measures the saving. Any other time takes chrono's own path, so the
//! text and its meaning never differ from chrono's (a property test holds
//! the two side by side).

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserializer, Serialize, Serializer};

/// The length of `YYYY-MM-DDTHH:MM:SSZ`.
const WHOLE_SECOND_LEN: usize = 20;

/// For `#[serde(with = "crate::instant::rfc3339")]`.
pub(crate) mod rfc3339 {
    use super::*;

    /// Writes `at` (a time, or a reference to one) as chrono does.
    pub(crate) fn serialize<S: Serializer, T: std::borrow::Borrow<DateTime<Utc>>>(
        at: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let at = at.borrow();
        match whole_second(at) {
            Some(text) => {
                serializer.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
            }
            None => at.serialize(serializer),
        }
    }

    /// Reads a time as chrono does.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        deserializer.deserialize_str(Visitor)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, if `at` is a whole second of the years 0 to
/// 9999.
fn whole_second(at: &DateTime<Utc>) -> Option<[u8; WHOLE_SECOND_LEN]> {
    if at.nanosecond() != 0 {
        return None;
    }
    let year = u32::try_from(at.year()).ok().filter(|year| *year <= 9999)?;
    let mut text = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, digits: usize, mut value: u32| {
        for position in (at..at + digits).rev() {
            if let Some(slot) = text.get_mut(position) {
                // A digit: the remainder of a division by 10.
                *slot = b'0' + (value % 10) as u8;
            }
            value /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, at.month());
    put(8, 2, at.day());
    put(11, 2, at.hour());
    put(14, 2, at.minute());
    put(17, 2, at.second());
    Some(text)
}

/// `text` as a time, if it is `YYYY-MM-DDTHH:MM:SSZ` naming a whole second
/// (no leap second): the times chrono reads the same way.
fn read_whole_second(text: &str) -> Option<DateTime<Utc>> {
    let bytes: &[u8; WHOLE_SECOND_LEN] = text.as_bytes().try_into().ok()?;
    let number = |from: usize, to: usize| -> Option<u32> {
        bytes
            .get(from..to)?
            .iter()
            .try_fold(0u32, |value, byte| byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'Z')];
    if !separators.iter().all(|(at, separator)| bytes.get(*at) == Some(separator)) {
        return None;
    }
    let year = i32::try_from(number(0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?
        .and_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)
        .map(|naive| naive.and_utc())
}

struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date and time, such as 2026-11-30T09:00:00Z")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        match read_whole_second(text) {
            Some(at) => Ok(at),
            None => text
                .parse::<DateTime<chrono::FixedOffset>>()
                .map(|at| at.with_timezone(&Utc))
                .map_err(E::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Fast(#[serde(with = "rfc3339")] DateTime<Utc>);

    /// Any time chrono can write: whole seconds, fractions, leap seconds,
    /// years before 0 and after 9999.
    fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
        let seconds = prop_oneof![
            0i64..4_102_444_800,                  // 1970 to 2100
            -62_167_219_200i64..253_402_300_800,  // the years 0 to 9999
            -100_000_000_000i64..300_000_000_000, // and either side
        ];
        let nanos = prop_oneof![Just(0u32), 0u32..2_000_000_000, Just(1_000_000_000)];
        (seconds, nanos)
            .prop_filter_map("a time chrono has", |(seconds, nanos)| DateTime::from_timestamp(seconds, nanos))
    }

    proptest! {
        #[test]
        fn times_are_written_and_read_as_chrono_does(at in any_time()) {
            let fast = serde_json::to_string(&Fast(at)).unwrap();
            prop_assert_eq!(&fast, &serde_json::to_string(&at).unwrap());
            prop_assert_eq!(serde_json::from_str::<Fast>(&fast).unwrap(), Fast(at));
        }

        #[test]
        fn any_text_reads_as_chrono_reads_it(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|z|[+-][0-9]{2}:[0-9]{2})") {
            let json = serde_json::to_string(&text).unwrap();
            let fast = serde_json::from_str::<Fast>(&json).map(|Fast(at)| at).map_err(|error| error.to_string());
            let chrono = serde_json::from_str::<DateTime<Utc>>(&json).map_err(|error| error.to_string());
            prop_assert_eq!(fast.ok(), chrono.ok());
        }
    }

    #[test]
    fn a_whole_second_takes_the_short_path_and_anything_else_chronos() {
        let at: DateTime<Utc> = "2026-11-30T09:05:07Z".parse().unwrap();
        assert_eq!(whole_second(&at).as_ref().map(|text| &text[..]), Some(&b"2026-11-30T09:05:07Z"[..]));
        assert_eq!(read_whole_second("2026-11-30T09:05:07Z"), Some(at));
        for other in [
            "2026-11-30T09:05:07+00:00",
            "2026-11-30 09:05:07Z",
            "2026-02-30T09:05:07Z",
            "2026-11-30T09:05:60Z",
            "2026-11-30T24:00:00Z",
            "+2026-11-30T09:05:07",
        ] {
            assert_eq!(read_whole_second(other), None, "{other}");
        }
        let fraction = at + chrono::TimeDelta::milliseconds(5);
        assert_eq!(whole_second(&fraction), None);
        assert_eq!(serde_json::to_string(&Fast(fraction)).unwrap(), "\"2026-11-30T09:05:07.005Z\"");
        let error = serde_json::from_str::<Fast>("\"yesterday\"").unwrap_err().to_string();
        assert!(error.contains("input contains invalid characters"), "{error}");
        let error = serde_json::from_str::<Fast>("42").unwrap_err().to_string();
        assert!(error.contains("an RFC 3339 date and time"), "{error}");
    }
}
