//! A fast path for the one JSON shape this crate writes a record in.
//!
//! [`DeploymentRecord`] serializes as one compact object, fields in a fixed
//! order, strings without escapes in practice, timestamps in chrono's
//! `…T…Z` form. A history of a million such lines is read mostly in serde's
//! generic machinery and chrono's general RFC 3339 parser; this scanner
//! reads exactly that shape and nothing else, and gives up (`None`) at the
//! first byte it does not expect — any other order, whitespace, an escape,
//! an offset, a leap second, a field it does not know, a record that breaks
//! a rule — so serde reads every other line, and reports every error, as
//! before. What it accepts, serde reads to the same record (a property
//! test checks it over generated and mutated lines). `cargo bench --bench
//! read` shows the gain.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::metrics::record::{DeploymentRecord, IncidentSpan, RecordRef, RollbackSpan};

/// The record on `line`, when the line has exactly the shape this crate
/// writes and the record keeps every rule; `None` otherwise.
pub(crate) fn record(line: &str) -> Option<DeploymentRecord> {
    record_ref(line, &mut Scratch::default()).map(|record| record.to_record())
}

/// Room for a record's lists, reused from line to line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    rollback: Option<RollbackSpan>,
    commits: Vec<DateTime<Utc>>,
    incidents: Vec<IncidentSpan>,
}

/// As [`record`], borrowing from the line and from `scratch` instead of
/// building a record.
pub(crate) fn record_ref<'a>(line: &'a str, scratch: &'a mut Scratch) -> Option<RecordRef<'a>> {
    let mut cursor = Cursor { text: line, bytes: line.as_bytes(), at: 0 };
    cursor.expect(b"{\"release\":")?;
    let release = cursor.string()?;
    cursor.expect(b",\"service\":")?;
    let service = cursor.string()?;
    cursor.expect(b",\"version\":")?;
    let version = cursor.string()?;
    cursor.expect(b",\"started_at\":")?;
    let started_at = cursor.timestamp()?;
    let production_at = if cursor.skip(b",\"production_at\":") { Some(cursor.timestamp()?) } else { None };
    scratch.rollback = if cursor.skip(b",\"rollback\":{\"decided_at\":") {
        let decided_at = cursor.timestamp()?;
        let restored_at = if cursor.skip(b",\"restored_at\":") { Some(cursor.timestamp()?) } else { None };
        cursor.expect(b"}")?;
        Some(RollbackSpan { decided_at, restored_at })
    } else {
        None
    };
    cursor.expect(b",\"commits\":[")?;
    let commits = &mut scratch.commits;
    commits.clear();
    if !cursor.skip(b"]") {
        loop {
            commits.push(cursor.timestamp()?);
            if cursor.skip(b"]") {
                break;
            }
            cursor.expect(b",")?;
        }
    }
    let incidents = &mut scratch.incidents;
    incidents.clear();
    if cursor.skip(b",\"incidents\":[") && !cursor.skip(b"]") {
        loop {
            cursor.expect(b"{\"id\":")?;
            let id = Arc::from(cursor.string()?);
            cursor.expect(b",\"opened_at\":")?;
            let opened_at = cursor.timestamp()?;
            let resolved_at =
                if cursor.skip(b",\"resolved_at\":") { Some(cursor.timestamp()?) } else { None };
            cursor.expect(b"}")?;
            incidents.push(IncidentSpan { id, opened_at, resolved_at });
            if cursor.skip(b"]") {
                break;
            }
            cursor.expect(b",")?;
        }
    }
    let remediation = cursor.skip(b",\"remediation\":true");
    let emergency = cursor.skip(b",\"emergency\":true");
    cursor.expect(b"}")?;
    if cursor.at != cursor.bytes.len() {
        return None;
    }
    let record = RecordRef {
        release,
        shared_release: None,
        service,
        shared_service: None,
        version,
        started_at,
        production_at,
        rollback: scratch.rollback.as_ref(),
        commits,
        incidents,
        remediation,
        emergency,
    };
    record.validate().ok()?;
    Some(record)
}

struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// Steps over `expected` if it comes next.
    fn skip(&mut self, expected: &[u8]) -> bool {
        let found = self.bytes.get(self.at..).is_some_and(|rest| rest.starts_with(expected));
        if found {
            self.at += expected.len();
        }
        found
    }

    fn expect(&mut self, expected: &[u8]) -> Option<()> {
        self.skip(expected).then_some(())
    }

    /// A string without escapes (which serde would unescape). Control
    /// characters, which serde refuses raw, need no check here: every
    /// string of a record is a name, and the record's rules refuse them.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b"\"")?;
        let rest = self.bytes.get(self.at..)?;
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        if rest.get(end) != Some(&b'"') {
            return None;
        }
        let string = self.text.get(self.at..self.at + end);
        self.at += end + 1;
        string
    }

    /// A timestamp as chrono writes one in UTC: `2026-11-30T14:00:00Z`,
    /// with 1 to 9 digits of a second's fraction before the `Z` if any.
    fn timestamp(&mut self) -> Option<DateTime<Utc>> {
        self.expect(b"\"")?;
        let rest = self.bytes.get(self.at..)?;
        let head: &[u8; 19] = rest.get(..19)?.try_into().ok()?;
        let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2, b'T', h1, h2, b':', n1, n2, b':', s1, s2] = *head
        else {
            return None;
        };
        let year = number(&[y1, y2, y3, y4])?;
        let (month, day) = (number(&[m1, m2])?, number(&[d1, d2])?);
        let (hour, minute, second) = (number(&[h1, h2])?, number(&[n1, n2])?, number(&[s1, s2])?);
        let mut used = 19;
        let mut nanos = 0;
        if rest.get(used) == Some(&b'.') {
            used += 1;
            let digits = rest.get(used..)?.iter().take_while(|byte| byte.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            nanos = number(rest.get(used..used + digits)?)? * 10_u32.pow(9 - digits as u32);
            used += digits;
        }
        if rest.get(used..used + 2) != Some(b"Z\"") {
            return None;
        }
        // Leap seconds are chrono's to read.
        if second > 59 {
            return None;
        }
        self.at += used + 2;
        let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
        let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
        Some(date.and_time(time).and_utc())
    }
}

/// The value of ASCII digits; `None` for anything else.
fn number(digits: &[u8]) -> Option<u32> {
    // At most nine digits: no overflow.
    digits
        .iter()
        .try_fold(0_u32, |value, digit| digit.is_ascii_digit().then(|| value * 10 + u32::from(digit - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).unwrap()
    }

    /// Records with every optional part, present and absent.
    fn written() -> Vec<DeploymentRecord> {
        let started = at("2026-11-02T10:00:00Z");
        let plain = DeploymentRecord::new("web", "1.0.0", started).unwrap();
        let full = DeploymentRecord::new("checkout", "2.4.0-rc.1", at("2026-11-02T10:00:00.123456789Z"))
            .unwrap()
            .with_production_at(at("2026-11-02T10:20:00.5Z"))
            .unwrap()
            .with_commits([at("2026-11-01T09:00:00Z"), at("2026-02-28T23:59:59.001Z")])
            .with_rollback(RollbackSpan {
                decided_at: at("2026-11-02T11:00:00Z"),
                restored_at: Some(at("2026-11-02T11:30:00Z")),
            })
            .unwrap()
            .with_incident(IncidentSpan {
                id: "INC-1".into(),
                opened_at: at("2026-11-02T10:30:00Z"),
                resolved_at: None,
            })
            .unwrap()
            .with_incident(IncidentSpan {
                id: "INC-2".into(),
                opened_at: at("2026-11-02T10:40:00Z"),
                resolved_at: Some(at("2028-02-29T00:00:00Z")),
            })
            .unwrap()
            .with_remediation();
        let open_rollback = plain
            .clone()
            .with_rollback(RollbackSpan { decided_at: at("2026-11-02T11:00:00Z"), restored_at: None })
            .unwrap();
        vec![plain, full, open_rollback]
    }

    #[test]
    fn every_shape_this_crate_writes_takes_the_fast_path() {
        for record in written() {
            let line = serde_json::to_string(&record).unwrap();
            let mut scratch = Scratch::default();
            let scanned = record_ref(&line, &mut scratch).map(|found| found.to_record());
            assert_eq!(scanned.as_ref(), Some(&record), "{line}");
            assert_eq!(super::record(&line), Some(record));
        }
    }

    #[test]
    fn anything_else_is_left_to_serde() {
        let line = serde_json::to_string(&written()[1]).unwrap();
        for other in [
            line.replace("\"version\":\"2.4.0-rc.1\"", "\"version\":\"2.4.0\\u0041\""),
            line.replace("\"INC-1\"", "\"INC\u{1}\""),
            line.replace("10:20:00.500Z", "10:20:00.Z"),
            line.replace("10:20:00.500Z", "10:20:00.1234567891Z"),
            line.replace("10:20:00.500Z", "10:20:00.5+00:00"),
            line.replace("10:20:00.500Z", "10:20:60.5Z"),
            line.replace("10:20:00.500Z", "1x:20:00.5Z"),
            line.replace("2026-11-01T09", "2026-11-01 09"),
            line.replace("\"commits\":[", "\"commits\": ["),
            line.replace("\"remediation\":true}", "\"remediation\":true} "),
            line.replace("\"remediation\":true}", "\"remediation\":true,\"x\":1}"),
            line.replace("},{\"id\"", "}{\"id\""),
            line.replace("\"],\"incidents\"", "\" \"],\"incidents\""),
            line.replace("{\"release\":", "{ \"release\":"),
            format!("{line}x"),
            line.replace(
                "\"started_at\":\"2026-11-02T10:00:00.123456789Z\"",
                "\"started_at\":\"2026-11-02T10:00:00.123456789Z",
            ),
            // Breaks a rule: production before the start.
            line.replace(
                "\"production_at\":\"2026-11-02T10:20:00.500Z\"",
                "\"production_at\":\"2026-11-01T10:20:00.500Z\"",
            ),
        ] {
            assert_ne!(other, line, "the edit must change the line");
            assert!(record_ref(&other, &mut Scratch::default()).is_none(), "{other}");
        }
    }

    #[test]
    fn digits_read_as_numbers() {
        assert_eq!(number(b"0042"), Some(42));
        assert_eq!(number(b"999999999"), Some(999_999_999));
        assert_eq!(number(b"4a"), None);
        assert_eq!(number(b""), Some(0));
    }
}
