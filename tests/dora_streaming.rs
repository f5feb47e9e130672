//! Reading histories from JSON Lines on every core, and reports from
//! totals that keep no records.
#![cfg(feature = "store")]

mod common;

use std::io::Read;
use std::num::NonZeroUsize;

use chrono::{DateTime, TimeDelta, Utc};
use common::{TempDir, deployment_record};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use release_workflow::metrics::{
    DeploymentRecord, ExclusionReason, History, IncidentSpan, JsonLines, MetricsError, Period, ReportOptions,
    RollbackSpan, Totals, Window,
};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn n(count: usize) -> NonZeroUsize {
    NonZeroUsize::new(count).unwrap()
}

/// A fixed history of `count` generated records.
fn records(count: usize) -> Vec<DeploymentRecord> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = prop::collection::vec(deployment_record(), count);
    strategy.new_tree(&mut runner).unwrap().current()
}

fn json_lines(records: &[DeploymentRecord]) -> String {
    records.iter().map(|record| serde_json::to_string(record).unwrap() + "\n").collect()
}

fn fortnight() -> ReportOptions {
    ReportOptions::new(Window::new(at("2026-11-02T00:00:00Z"), at("2026-11-16T00:00:00Z")).unwrap())
}

#[test]
fn a_file_reads_to_its_history_in_order_whatever_the_threads_and_blocks() {
    let records = records(400);
    let text = json_lines(&records);
    let dir = TempDir::new("streaming-order");
    let path = dir.path().join("history.jsonl");
    std::fs::write(&path, &text).unwrap();
    for (threads, block) in [(1, 1 << 20), (2, 1 << 20), (3, 100), (4, 7), (2, 1)] {
        let reader = JsonLines::new().with_threads(n(threads)).with_block_size(n(block));
        let reading = reader.history_from_path(&path).unwrap();
        assert_eq!(reading.value.records(), records.as_slice(), "{threads} threads, blocks of {block}");
        assert_eq!((reading.lines, reading.records, reading.malformed_count), (400, 400, 0));
        let from_reader = reader.history(text.as_bytes()).unwrap();
        assert_eq!(from_reader.value.records(), records.as_slice());
    }
}

#[test]
fn totals_read_from_a_file_report_what_the_history_reports() {
    let records = records(600);
    let history = History::from_records(records.clone());
    let text = json_lines(&records);
    for options in [fortnight(), ReportOptions::recorded_days(), fortnight().with_service("api")] {
        let expected = history.report(&options).unwrap();
        let trend = history.trend(&options, Period::Week).unwrap();
        let by_service = history.report_by_service(&options).unwrap();
        for (threads, block) in [(1, 1 << 20), (2, 300), (3, 1)] {
            let reader = JsonLines::new().with_threads(n(threads)).with_block_size(n(block));
            let totals = Totals::new(&options).with_trend(Period::Week).with_service_reports();
            let reports = reader.totals(text.as_bytes(), totals).unwrap().value.finish().unwrap();
            assert_eq!(reports.report, expected, "{threads} threads, blocks of {block}");
            assert_eq!(reports.trend.as_ref(), Some(&trend));
            assert_eq!(reports.by_service, by_service);
        }
    }
}

#[test]
fn malformed_lines_are_reported_by_number_and_the_rest_is_read() {
    let good = |version: &str, day: u32| {
        let record =
            DeploymentRecord::new("web", version, at(&format!("2026-11-{day:02}T10:00:00Z"))).unwrap();
        serde_json::to_string(&record).unwrap()
    };
    let text = [
        format!("\u{feff}{}", good("1.0.0", 2)),                      // 1: after a byte order mark
        "not json".to_owned(),                                        // 2
        String::new(),                                                // 3: blank
        format!("{}\r", good("1.0.1", 3)),                            // 4: CRLF
        r#"{"release":"x","service":"web","version":"1","started_at":"2026-11-02T10:00:00Z","production_at":"2026-11-01T00:00:00Z","commits":[]}"#.to_owned(), // 5: production before start
        "   ".to_owned(),                                             // 6: blank
        good("1.0.2", 4),                                             // 7, no newline at the end
    ]
    .join("\n");
    for block in [1, 5, 64, 1 << 20] {
        let reading = JsonLines::new().with_block_size(n(block)).history(text.as_bytes()).unwrap();
        let versions: Vec<&str> = reading.value.records().iter().map(DeploymentRecord::version).collect();
        assert_eq!(versions, ["1.0.0", "1.0.1", "1.0.2"], "blocks of {block}");
        assert_eq!((reading.lines, reading.records, reading.malformed_count), (7, 3, 2));
        let lines: Vec<u64> = reading.malformed.iter().map(|malformed| malformed.line).collect();
        assert_eq!(lines, [2, 5]);
        assert!(
            reading.malformed[0].to_string().starts_with("line 2: malformed JSON"),
            "{}",
            reading.malformed[0]
        );
        assert!(
            reading.malformed[1].problem.contains("before it started deploying"),
            "{}",
            reading.malformed[1]
        );
    }
    let one = JsonLines::new().with_kept_malformed(1).history(text.as_bytes()).unwrap();
    assert_eq!((one.malformed.len(), one.malformed_count), (1, 2));
    assert_eq!(one.malformed[0].line, 2);
}

#[test]
fn a_line_that_is_not_utf8_is_malformed_and_its_neighbours_are_read() {
    let record = DeploymentRecord::new("web", "1.0.0", at("2026-11-02T10:00:00Z")).unwrap();
    let line = serde_json::to_string(&record).unwrap();
    let mut bytes = format!("{line}\n").into_bytes();
    bytes.extend_from_slice(b"{\"release\":\"\xff\"}\n");
    bytes.extend_from_slice(line.as_bytes());
    let reading = JsonLines::new().history(bytes.as_slice()).unwrap();
    assert_eq!((reading.records, reading.malformed_count), (2, 1));
    assert_eq!(reading.malformed[0].line, 2);
    let totals = JsonLines::new().totals(bytes.as_slice(), Totals::new(&fortnight())).unwrap();
    assert_eq!((totals.records, totals.malformed_count), (2, 1));
    assert_eq!(totals.value.finish().unwrap().report.metrics.deployments, 2);
}

/// Hands out its text a few bytes at a time, interrupted now and then,
/// then fails if asked to.
struct Trickle {
    text: Vec<u8>,
    at: usize,
    calls: usize,
    fail_at_end: bool,
}

impl Read for Trickle {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(5) {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        let rest = &self.text[self.at..];
        if rest.is_empty() && self.fail_at_end {
            return Err(std::io::Error::other("the disk went away"));
        }
        let count = rest.len().min(buffer.len()).min(1 + self.calls % 7);
        buffer[..count].copy_from_slice(&rest[..count]);
        self.at += count;
        Ok(count)
    }
}

#[test]
fn any_reader_will_do_and_a_failing_one_is_named() {
    let records = records(50);
    let text = json_lines(&records).into_bytes();
    let trickle = Trickle { text: text.clone(), at: 0, calls: 0, fail_at_end: false };
    let reading = JsonLines::new().with_block_size(n(64)).history(trickle).unwrap();
    assert_eq!(reading.value.records(), records.as_slice());

    let failing = Trickle { text, at: 0, calls: 0, fail_at_end: true };
    let error = JsonLines::new().history(failing).unwrap_err();
    assert_eq!(
        error,
        MetricsError::Unreadable { source_name: "the history".into(), problem: "the disk went away".into() }
    );
    let missing = JsonLines::new().history_from_path("/nonexistent/history.jsonl").unwrap_err();
    assert!(missing.to_string().starts_with("cannot read /nonexistent/history.jsonl: "), "{missing}");
}

#[test]
fn the_recorded_days_are_the_whole_days_from_the_first_deployment_to_the_last() {
    let history = History::from_records([
        DeploymentRecord::new("web", "1.0.0", at("2026-11-03T17:00:00Z")).unwrap(),
        DeploymentRecord::new("api", "1.0.0", at("2026-11-05T08:00:00Z")).unwrap(),
    ]);
    let report = history.report(&ReportOptions::recorded_days().with_service("web")).unwrap();
    // The days of every record, whatever its service.
    assert_eq!(report.window.start(), at("2026-11-03T00:00:00Z"));
    assert_eq!(report.window.end(), at("2026-11-06T00:00:00Z"));
    assert_eq!(report.metrics.deployments, 1);
    assert_eq!(report.metrics.deployment_frequency.per_day, 1.0 / 3.0);
    assert_eq!(report.explanation.other_services, 1);
    assert_eq!(History::new().report(&ReportOptions::recorded_days()), Err(MetricsError::NothingRecorded));
    assert!(MetricsError::NothingRecorded.to_string().contains("give the report a window"));
    // A window given is kept, records or not.
    assert_eq!(History::new().report(&fortnight()).unwrap().metrics.deployments, 0);
}

#[test]
fn totals_merge_only_with_totals_made_alike() {
    let options = fortnight();
    let mut totals = Totals::new(&options).with_trend(Period::Week);
    let record = DeploymentRecord::new("web", "1.0.0", at("2026-11-03T17:00:00Z")).unwrap();
    totals.add(&record);
    for other in [
        Totals::new(&options),
        Totals::new(&options).with_trend(Period::Month),
        Totals::new(&options).with_trend(Period::Week).with_service_reports(),
        Totals::new(&options.clone().with_service("web")).with_trend(Period::Week),
    ] {
        assert_eq!(totals.merge(other), Err(MetricsError::TotalsMismatch));
    }
    assert_eq!(totals.records(), 1);
    let mut part = totals.empty_like();
    part.add(&record);
    totals.merge(part).unwrap();
    assert_eq!(totals.records(), 2);
    assert_eq!(totals.finish().unwrap().report.metrics.deployments, 2);
}

#[test]
fn each_trend_row_explains_its_failures_and_exclusions() {
    let restored = |hours: i64| Some(at("2026-11-03T12:00:00Z") + TimeDelta::hours(hours));
    let history = History::from_records([
        DeploymentRecord::new("web", "1.0.0", at("2026-11-03T10:00:00Z"))
            .unwrap()
            .with_production_at(at("2026-11-03T10:20:00Z"))
            .unwrap()
            .with_rollback(RollbackSpan { decided_at: at("2026-11-03T11:00:00Z"), restored_at: restored(0) })
            .unwrap(),
        DeploymentRecord::new("web", "1.0.1", at("2026-11-10T10:00:00Z")).unwrap(),
        DeploymentRecord::new("web", "1.0.2", at("2026-11-11T10:00:00Z"))
            .unwrap()
            .with_production_at(at("2026-11-11T10:20:00Z"))
            .unwrap()
            .with_incident(IncidentSpan {
                id: "INC-9".into(),
                opened_at: at("2026-11-11T11:00:00Z"),
                resolved_at: None,
            })
            .unwrap(),
    ]);
    let trend = history.trend(&fortnight(), Period::Week).unwrap();
    let [first, second] = &trend.rows[..] else { panic!("two weeks: {trend:?}") };
    assert_eq!(first.explanation.failures.len(), 1);
    assert_eq!(&*first.explanation.failures[0].release, "web@1.0.0");
    assert!(first.explanation.failures[0].rolled_back);
    assert!(first.explanation.exclusions.is_empty());
    let second_failures: Vec<&str> = second.explanation.failures.iter().map(|f| &*f.release).collect();
    assert_eq!(second_failures, ["web@1.0.2"]);
    assert_eq!(&*second.explanation.failures[0].incidents[0], "INC-9");
    let reasons: Vec<(&str, &ExclusionReason)> =
        second.explanation.exclusions.iter().map(|e| (&*e.release, &e.reason)).collect();
    assert_eq!(
        reasons,
        [("web@1.0.1", &ExclusionReason::NotInProduction), ("web@1.0.2", &ExclusionReason::Unresolved)]
    );
    // The rows together explain what the report explains.
    let report = history.report(&fortnight()).unwrap();
    let mut failures: Vec<_> = trend.rows.iter().flat_map(|row| row.explanation.failures.clone()).collect();
    failures.sort();
    assert_eq!(failures, report.explanation.failures);
    assert!(second.explanation.to_string().contains("failed deployments (1): web@1.0.2 (incident INC-9)"));
}

/// Times anywhere from 1900 to 2100, to the nanosecond or to the second.
fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (-2_208_988_800_i64..4_102_444_800, prop_oneof![Just(0_u32), 0_u32..1_000_000_000, Just(500_000_000)])
        .prop_map(|(seconds, nanos)| DateTime::from_timestamp(seconds, nanos).unwrap())
}

fn any_record() -> impl Strategy<Value = DeploymentRecord> {
    (
        any_time(),
        proptest::option::of(0_i64..10_000_000),
        prop::collection::vec(any_time(), 0..4),
        proptest::option::of((0_i64..10_000, proptest::option::of(0_i64..10_000))),
        prop::collection::vec((0_i64..10_000, proptest::option::of(0_i64..10_000)), 0..3),
        any::<bool>(),
        "[a-z][a-z0-9é -]{0,8}[a-z]",
    )
        .prop_map(|(start, production, commits, rollback, incidents, remediation, service)| {
            let ms = TimeDelta::milliseconds;
            let mut record = DeploymentRecord::new(&service, "1.0.0", start).unwrap().with_commits(commits);
            if let Some(delay) = production {
                record = record.with_production_at(start + ms(delay)).unwrap();
            }
            if let Some((decided, restored)) = rollback {
                let decided_at = start + ms(decided);
                let restored_at = restored.map(|after| decided_at + ms(after));
                record = record.with_rollback(RollbackSpan { decided_at, restored_at }).unwrap();
            }
            for (index, (opened, resolved)) in incidents.into_iter().enumerate() {
                let opened_at = start + ms(opened);
                let resolved_at = resolved.map(|after| opened_at + ms(after));
                let incident = IncidentSpan { id: format!("INC-{index}").into(), opened_at, resolved_at };
                record = record.with_incident(incident).unwrap();
            }
            if remediation { record.with_remediation() } else { record }
        })
}

/// What serde alone makes of a line: the reference the fast path must match.
fn by_serde(line: &str) -> Result<DeploymentRecord, MetricsError> {
    serde_json::from_str(line).map_err(|error| MetricsError::MalformedJson { problem: error.to_string() })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Records this crate writes read back through the fast path as serde reads them.
    #[test]
    fn every_written_record_reads_back_as_serde_reads_it(record in any_record()) {
        let line = serde_json::to_string(&record).unwrap();
        prop_assert_eq!(DeploymentRecord::from_json(&line), Ok(record.clone()));
        prop_assert_eq!(DeploymentRecord::from_json_bytes(line.as_bytes()), Ok(record));
    }

    /// A line changed anywhere reads as serde reads it: the same record,
    /// or the same error.
    #[test]
    fn a_changed_line_reads_as_serde_reads_it(
        record in any_record(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0_usize..4, prop::sample::select(vec![
            '"', '\\', ':', ',', '{', '}', '[', ']', ' ', 'Z', 'T', '+', '-', '.', '0', '9', '6', 'é', 'x', '\n', '\t', '\u{1}', '\u{7f}',
        ])), 1..3),
    ) {
        let mut chars: Vec<char> = serde_json::to_string(&record).unwrap().chars().collect();
        for (index, edit, c) in edits {
            if chars.is_empty() {
                chars.push(c);
                continue;
            }
            let at = index.index(chars.len());
            match edit {
                0 => chars[at] = c,
                1 => chars.insert(at, c),
                2 => { chars.remove(at); }
                _ => chars.truncate(at),
            }
        }
        let line: String = chars.into_iter().collect();
        prop_assert_eq!(DeploymentRecord::from_json(&line), by_serde(&line), "{}", line);
    }
}

#[test]
fn the_fast_path_leaves_every_other_shape_to_serde() {
    let record = DeploymentRecord::new("web", "1.0.0", at("2026-11-02T10:00:00Z")).unwrap();
    let line = serde_json::to_string(&record).unwrap();
    for other in [
        line.replace("\"service\":\"web\"", "\"service\":\"w\\u0065b\""), // an escape
        line.replace(",\"", ", \""),                                      // spaces
        line.replace("10:00:00Z", "12:00:00+02:00"),                      // an offset
        line.replace("10:00:00Z", "10:00:00.5Z"),                         // a fraction
        line.replace("}", ",\"remediation\":false}"),                     // a default written out
        format!("  {line}  "),                                            // surrounding blanks
    ] {
        assert_eq!(DeploymentRecord::from_json(&other), by_serde(&other), "{other}");
        assert!(DeploymentRecord::from_json(&other).is_ok(), "{other}");
    }
    for refused in [
        line.replace("10:00:00Z", "10:00:60Z"), // a leap second: chrono's to read
        line.replace("2026-11-02", "2026-02-30"), // no such day
        line.replace("\"version\":\"1.0.0\"", "\"version\":\" 1.0.0\""), // breaks a rule
        line.replace("}", ",\"extra\":1}"),     // an unknown field
    ] {
        assert_eq!(DeploymentRecord::from_json(&refused), by_serde(&refused), "{refused}");
    }
}

#[test]
fn each_service_report_counts_what_it_left_out() {
    let deployed = |service: &str, version: &str, started: &str| {
        DeploymentRecord::new(service, version, at(started)).unwrap()
    };
    let history = History::from_records([
        deployed("web", "1.0.0", "2026-11-03T10:00:00Z"),
        deployed("web", "1.0.1", "2026-11-04T10:00:00Z"),
        deployed("web", "0.9.0", "2026-10-20T10:00:00Z"), // before the window
        deployed("api", "2.0.0", "2026-11-05T10:00:00Z"),
        deployed("api", "1.9.0", "2026-12-20T10:00:00Z"), // after it
    ]);
    let reports = history.report_by_service(&fortnight()).unwrap();
    let counts = |service: &str| {
        let explanation = &reports[service].explanation;
        (reports[service].metrics.deployments, explanation.outside_window, explanation.other_services)
    };
    assert_eq!(counts("web"), (2, 1, 2));
    assert_eq!(counts("api"), (1, 1, 3));
    let mut totals = Totals::new(&fortnight()).with_service_reports();
    for record in history.records() {
        totals.add(record);
    }
    assert_eq!(totals.records(), 5);
    let reports = totals.finish().unwrap();
    assert_eq!(reports.by_service["web"].explanation.other_services, 2);
    // Without asking for per-service reports there are none.
    assert!(Totals::new(&fortnight()).finish().unwrap().by_service.is_empty());
}

#[test]
fn a_reader_tells_what_it_was_set_to() {
    let default = JsonLines::new();
    assert_eq!(default.threads(), None, "every core by default");
    assert_eq!(default.block_size(), 1 << 20, "1 MiB by default");
    assert_eq!(default.kept_malformed(), release_workflow::metrics::DEFAULT_KEPT_MALFORMED);
    let set = JsonLines::new().with_threads(n(3)).with_block_size(n(4096)).with_kept_malformed(7);
    assert_eq!((set.threads(), set.block_size(), set.kept_malformed()), (Some(n(3)), 4096, 7));
    let huge = JsonLines::new().with_block_size(n(usize::MAX));
    assert_eq!(huge.block_size(), 1 << 30, "cut to 1 GiB");
}
