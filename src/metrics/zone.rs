//! Where a report's days begin: a UTC offset or an IANA time zone, and the
//! calendar of local days it gives.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset as _, TimeDelta, TimeZone as _, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::metrics::error::MetricsError;
use crate::metrics::time::{civil_from_days, days_from_civil};
use crate::text::{closest, did_you_mean, shorten};

/// The time zone a report's days, weeks and months are counted in.
///
/// A fixed UTC offset, or an IANA time zone (`chrono-tz`), whose offset
/// follows daylight-saving time: in `Europe/Berlin` a day starts at 23:00
/// UTC in winter and 22:00 UTC in summer, and the day clocks change is 23
/// or 25 hours long. Written as text, an offset is `+01:00` (or `Z`) and a
/// zone its IANA name.
///
/// ```
/// use release_workflow::metrics::Zone;
///
/// let berlin: Zone = "Europe/Berlin".parse()?;
/// assert_eq!(berlin, Zone::Named(chrono_tz::Europe::Berlin));
/// assert_eq!("+05:30".parse::<Zone>()?.to_string(), "+05:30");
/// let error = "Europe/Berln".parse::<Zone>().unwrap_err();
/// assert!(error.to_string().contains("did you mean one of Europe/Berlin, "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// There is one UTC: [`Zone::UTC`], the names `Z` and `+00:00`, an offset
/// of zero and every IANA zone whose offset is zero at all times (`UTC`,
/// `Etc/UTC`, `Zulu`, `GMT`, `Etc/GMT`, ...) are the same zone. They
/// compare equal, hash alike, and are written `UTC`, so that options and
/// totals asked for in any of them merge and compare as one.
///
/// ```
/// use release_workflow::chrono::FixedOffset;
/// use release_workflow::metrics::Zone;
///
/// let zero = FixedOffset::east_opt(0).ok_or("an offset")?;
/// assert_eq!(Zone::from(zero), Zone::UTC);
/// assert_eq!("Z".parse::<Zone>()?, Zone::UTC);
/// assert_eq!("+00:00".parse::<Zone>()?, Zone::UTC);
/// assert_eq!("Etc/UTC".parse::<Zone>()?, Zone::UTC);
/// assert_eq!(Zone::Offset(zero).to_string(), "UTC");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Zone {
    /// A fixed offset from UTC.
    Offset(FixedOffset),
    /// An IANA time zone.
    Named(Tz),
}

/// The IANA zones whose offset is zero at all times: UTC under its names.
const ALWAYS_UTC: &[Tz] = &[
    Tz::UTC,
    Tz::Etc__UTC,
    Tz::Etc__UCT,
    Tz::Etc__Universal,
    Tz::Etc__Zulu,
    Tz::UCT,
    Tz::Universal,
    Tz::Zulu,
    Tz::GMT,
    Tz::GMT0,
    Tz::GMTPlus0,
    Tz::GMTMinus0,
    Tz::Greenwich,
    Tz::Etc__GMT,
    Tz::Etc__GMT0,
    Tz::Etc__GMTPlus0,
    Tz::Etc__GMTMinus0,
    Tz::Etc__Greenwich,
];

/// A zone as it compares: UTC once, whatever its spelling.
#[derive(PartialEq, Eq, Hash)]
enum Canonical {
    Utc,
    Offset(i32),
    Named(Tz),
}

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone::Named(Tz::UTC);

    /// Whether this is UTC, under any of its names or as an offset of zero.
    pub fn is_utc(&self) -> bool {
        self.canonical() == Canonical::Utc
    }

    fn canonical(&self) -> Canonical {
        match *self {
            Zone::Offset(offset) if offset.local_minus_utc() == 0 => Canonical::Utc,
            Zone::Offset(offset) => Canonical::Offset(offset.local_minus_utc()),
            Zone::Named(zone) if ALWAYS_UTC.contains(&zone) => Canonical::Utc,
            Zone::Named(zone) => Canonical::Named(zone),
        }
    }

    /// The offset in force at `at`, in seconds east of UTC.
    pub fn offset_seconds_at(&self, at: DateTime<Utc>) -> i32 {
        match self {
            Zone::Offset(offset) => offset.local_minus_utc(),
            Zone::Named(zone) => zone.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc(),
        }
    }

    /// The wall-clock time `at` reads in this zone (UTC's, at the edges
    /// of the calendar).
    pub(crate) fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        let offset = TimeDelta::seconds(i64::from(self.offset_seconds_at(at)));
        at.naive_utc().checked_add_signed(offset).unwrap_or(at.naive_utc())
    }

    /// The first instant whose local time is `local` or later: `local`
    /// itself, except inside a daylight-saving gap (where it never
    /// happens), which gives the instant the gap ends.
    fn first_instant_from(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            Zone::Offset(offset) => local
                .checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
                .map(|utc| utc.and_utc()),
            Zone::Named(zone) => {
                // A gap is at most a few hours and starts and ends on a
                // whole minute in every zone's rules since 1970.
                let mut probe = local;
                for _ in 0..=24 * 60 {
                    if let Some(instant) = zone.from_local_datetime(&probe).earliest() {
                        return Some(instant.with_timezone(&Utc));
                    }
                    probe = probe.checked_add_signed(TimeDelta::minutes(1))?;
                }
                None
            }
        }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.canonical() == other.canonical()
    }
}

impl Eq for Zone {}

impl std::hash::Hash for Zone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.canonical().hash(state);
    }
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::UTC
    }
}

impl From<FixedOffset> for Zone {
    fn from(offset: FixedOffset) -> Zone {
        Zone::Offset(offset)
    }
}

impl From<Tz> for Zone {
    fn from(zone: Tz) -> Zone {
        Zone::Named(zone)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.canonical() {
            Canonical::Utc => f.write_str("UTC"),
            Canonical::Offset(_) | Canonical::Named(_) => match self {
                Zone::Offset(offset) => write!(f, "{offset}"),
                Zone::Named(zone) => f.write_str(zone.name()),
            },
        }
    }
}

impl FromStr for Zone {
    type Err = MetricsError;

    /// An offset (`+01:00`, `-05:30`, `Z`) or an IANA name (`Europe/Berlin`,
    /// `UTC`).
    fn from_str(text: &str) -> Result<Zone, MetricsError> {
        if text == "Z" {
            return Ok(Zone::UTC);
        }
        if text.starts_with(['+', '-']) {
            return format!("2000-01-01T00:00:00{text}")
                .parse::<DateTime<FixedOffset>>()
                .map(|at| Zone::Offset(*at.offset()))
                .map_err(|_| MetricsError::UnknownZone {
                    input: shorten(text),
                    advice: ": write an offset as ±HH:MM, such as +01:00".to_owned(),
                });
        }
        text.parse::<Tz>().map(Zone::Named).map_err(|_| {
            let names = chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name());
            let suggestions: Vec<String> = closest(text, names.collect::<Vec<_>>().iter().copied())
                .into_iter()
                .map(str::to_owned)
                .collect();
            MetricsError::UnknownZone {
                input: shorten(text),
                advice: did_you_mean(
                    &suggestions,
                    "write an IANA name such as Europe/Berlin or an offset such as +01:00",
                ),
            }
        })
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Zone, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

const DAY_SECONDS: i64 = 86_400;

/// Local calendar days in a [`Zone`], numbered from 1970-01-01.
///
/// Finding an IANA zone's offset is a search of its rules; a report asks
/// for a million of them. The calendar remembers, per UTC day, the offset
/// in force all day long (in a small direct-mapped table), and searches
/// the rules again only for UTC days on which the offset changes.
#[derive(Debug, Clone)]
pub(crate) struct Calendar {
    zone: Zone,
    /// The offset of a zone that has one offset, in seconds.
    fixed: Option<i64>,
    /// `(utc_day, offset)` by `utc_day % OFFSET_SLOTS`; `CHANGES` for a day
    /// on which the offset changes.
    offsets: Vec<(i64, i32)>,
}

const OFFSET_SLOTS: usize = 512;
const CHANGES: i32 = i32::MIN;
const EMPTY_SLOT: (i64, i32) = (i64::MIN, CHANGES);

impl Calendar {
    pub(crate) fn new(zone: Zone) -> Calendar {
        match zone {
            // UTC, by name or not, is the offset 0: no rules to look up.
            _ if zone.is_utc() => Calendar { zone, fixed: Some(0), offsets: Vec::new() },
            Zone::Offset(offset) => {
                Calendar { zone, fixed: Some(i64::from(offset.local_minus_utc())), offsets: Vec::new() }
            }
            Zone::Named(_) => Calendar { zone, fixed: None, offsets: vec![EMPTY_SLOT; OFFSET_SLOTS] },
        }
    }

    /// The local day `at` falls on.
    pub(crate) fn day(&mut self, at: DateTime<Utc>) -> i64 {
        self.day_of_second(at.timestamp())
    }

    /// The local day of the second `seconds` after the Unix epoch.
    #[inline]
    pub(crate) fn day_of_second(&mut self, seconds: i64) -> i64 {
        let offset = match self.fixed {
            Some(offset) => offset,
            None => i64::from(self.offset_seconds(seconds)),
        };
        (seconds + offset).div_euclid(DAY_SECONDS)
    }

    fn offset_seconds(&mut self, seconds: i64) -> i32 {
        let offset_at = |second: i64| {
            DateTime::from_timestamp(second, 0).map_or(0, |instant| self.zone.offset_seconds_at(instant))
        };
        let utc_day = seconds.div_euclid(DAY_SECONDS);
        let slot = utc_day.rem_euclid(OFFSET_SLOTS as i64) as usize;
        if let Some(&(day, offset)) = self.offsets.get(slot)
            && day == utc_day
            && offset != CHANGES
        {
            return offset;
        }
        let start = offset_at(utc_day * DAY_SECONDS);
        let end = offset_at(utc_day * DAY_SECONDS + DAY_SECONDS - 1);
        let all_day = (start == end).then_some(start);
        if let Some(entry) = self.offsets.get_mut(slot) {
            *entry = (utc_day, all_day.unwrap_or(CHANGES));
        }
        all_day.unwrap_or_else(|| offset_at(seconds))
    }

    /// The local day `window` ends on: the day of its last instant.
    pub(crate) fn last_day(&mut self, end: DateTime<Utc>) -> i64 {
        self.day(end - TimeDelta::nanoseconds(1))
    }

    /// Monday-based week number of a day (1970-01-01 was a Thursday).
    pub(crate) fn week(day: i64) -> i64 {
        (day + 3).div_euclid(7)
    }

    /// The first day of a week.
    pub(crate) fn monday(week: i64) -> i64 {
        week * 7 - 3
    }

    /// Months since January 1970 of a day (the proleptic Gregorian
    /// calendar, in integers: every day has a month).
    pub(crate) fn month(day: i64) -> i64 {
        let (year, month, _) = civil_from_days(day);
        (year - 1970) * 12 + month - 1
    }

    /// The first day of a month counted as [`month`](Calendar::month) does.
    pub(crate) fn first_of_month(month: i64) -> i64 {
        days_from_civil(month.div_euclid(12) + 1970, month.rem_euclid(12) + 1, 1)
    }

    /// The instant a local day starts (its first existing instant, when a
    /// daylight-saving gap swallows midnight), unless it is outside time.
    pub(crate) fn start_of_day(&self, day: i64) -> Option<DateTime<Utc>> {
        self.zone.first_instant_from(date_of(day)?.and_hms_opt(0, 0, 0)?)
    }
}

fn date_of(day: i64) -> Option<NaiveDate> {
    NaiveDate::default().checked_add_signed(TimeDelta::try_days(day)?)
}

#[cfg(test)]
mod tests {
    use chrono::Datelike as _;

    use super::*;

    #[test]
    fn civil_days_agree_with_chrono() {
        // Every 997th day misses the last day of each 400-year era (a 29
        // February, day 11,016 in 2000), the only day whose
        // `day_of_era / 146_096` is not zero: it and its neighbours are
        // added, from -2000 to 2800.
        let era_ends = (-10..=2).flat_map(|era| (-1..=1).map(move |next| 11_016 + era * 146_097 + next));
        let epoch = NaiveDate::default();
        for day in (-800_000..800_000).step_by(997).chain(-400..400).chain(era_ends) {
            let date = date_of(day).unwrap();
            let (year, month, day_of_month) = civil_from_days(day);
            assert_eq!(
                (year, month, day_of_month),
                (i64::from(date.year()), i64::from(date.month()), i64::from(date.day()))
            );
            assert_eq!(days_from_civil(year, month, day_of_month), day);
            let first = Calendar::first_of_month(Calendar::month(day));
            assert_eq!(date_of(first).unwrap(), date.with_day(1).unwrap(), "{date}");
            assert_eq!(first, date.with_day(1).unwrap().signed_duration_since(epoch).num_days());
        }
    }

    #[test]
    fn cached_local_days_agree_with_the_zone_rules() {
        // Every half hour for years, in zones whose clocks change at or near
        // local midnight (Santiago, Havana, Beirut, São Paulo), at 01:00 UTC
        // (London, Berlin), by half an hour (Lord Howe), and across the date
        // line (Apia): the day from the calendar's cache of offsets is the
        // day the zone's own rules give, whatever the cache held before.
        use chrono_tz::{America, Asia, Australia, Europe, Pacific};
        let zones = [
            America::Santiago,
            America::Havana,
            Asia::Beirut,
            America::Sao_Paulo,
            Europe::London,
            Europe::Berlin,
            Australia::Lord_Howe,
            Pacific::Apia,
        ];
        let from = NaiveDate::from_ymd_opt(2010, 1, 1).and_then(|date| date.and_hms_opt(0, 0, 0));
        let from = from.map(|start| start.and_utc().timestamp()).unwrap_or_default();
        for zone in zones {
            let mut calendar = Calendar::new(Zone::Named(zone));
            for second in (from..from + 16 * 365 * DAY_SECONDS).step_by(1800) {
                let at = DateTime::from_timestamp(second, 0).unwrap_or_default();
                let expected =
                    at.with_timezone(&zone).date_naive().signed_duration_since(NaiveDate::default());
                assert_eq!(calendar.day_of_second(second), expected.num_days(), "{zone} at {at}");
            }
        }
    }
}
