//! Days, weeks and months where the team lives: IANA time zones on both
//! sides of daylight-saving changes, fixed offsets, and weeks the window
//! only touches.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use release_workflow::chrono_tz::{America, Europe, Tz};
use release_workflow::metrics::{
    DeploymentRecord, History, MetricsError, Period, ReportOptions, Totals, Window, Zone,
};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn deployed(version: &str, started: &str) -> DeploymentRecord {
    DeploymentRecord::new("web", version, at(started)).unwrap()
}

fn window(start: &str, end: &str) -> Window {
    Window::new(at(start), at(end)).unwrap()
}

#[test]
fn days_begin_at_midnight_on_both_sides_of_the_spring_change() {
    // Berlin moves its clocks from 02:00 CET to 03:00 CEST on 2026-03-29.
    // 23:30 UTC on the 28th is 00:30 on the 29th (CET); 22:30 UTC on the
    // 29th is 00:30 on the 30th (CEST): two days in Berlin, one at +01:00.
    let history = History::from_records([
        deployed("1.0.0", "2026-03-28T23:30:00Z"),
        deployed("1.0.1", "2026-03-29T22:30:00Z"),
    ]);
    let berlin = history.report(&ReportOptions::recorded_days().with_time_zone(Europe::Berlin)).unwrap();
    assert_eq!(berlin.window.start(), at("2026-03-28T23:00:00Z"));
    assert_eq!(berlin.window.end(), at("2026-03-30T22:00:00Z"));
    assert_eq!(berlin.metrics.deployment_frequency.per_day, 1.0);
    let plus_one = FixedOffset::east_opt(3600).unwrap();
    let fixed = history.report(&ReportOptions::recorded_days().with_utc_offset(plus_one)).unwrap();
    assert_eq!(fixed.window.start(), at("2026-03-28T23:00:00Z"));
    assert_eq!(fixed.window.end(), at("2026-03-29T23:00:00Z"));
    assert_eq!(fixed.metrics.deployment_frequency.per_day, 2.0);
    assert!(berlin.to_string().contains("2026-03-29 00:00 → 2026-03-31 00:00 (Europe/Berlin)"), "{berlin}");
    assert!(fixed.to_string().contains("2026-03-29 00:00 → 2026-03-30 00:00 (UTC+01:00)"), "{fixed}");
}

#[test]
fn weeks_begin_on_local_mondays_across_both_changes() {
    let history = History::from_records([
        deployed("1.0.0", "2026-03-24T12:00:00Z"),
        // Monday 00:30 in Berlin (CEST), still Sunday 23:30 at +01:00.
        deployed("1.0.1", "2026-03-29T22:30:00Z"),
    ]);
    let spring = window("2026-03-22T23:00:00Z", "2026-04-05T22:00:00Z");
    let berlin = ReportOptions::new(spring).with_time_zone(Europe::Berlin);
    let trend = history.trend(&berlin, Period::Week).unwrap();
    let starts: Vec<DateTime<Utc>> = trend.rows.iter().map(|row| row.window.start()).collect();
    assert_eq!(starts, [at("2026-03-22T23:00:00Z"), at("2026-03-29T22:00:00Z")]);
    assert_eq!(trend.rows[0].window.end() - trend.rows[0].window.start(), TimeDelta::hours(7 * 24 - 1));
    let deployments: Vec<usize> = trend.rows.iter().map(|row| row.metrics.deployments).collect();
    assert_eq!(deployments, [1, 1]);
    // The same instants at a fixed +01:00: the second deployment is on Sunday.
    let fixed = ReportOptions::new(spring).with_utc_offset(FixedOffset::east_opt(3600).unwrap());
    let trend = history.trend(&fixed, Period::Week).unwrap();
    let deployments: Vec<usize> = trend.rows.iter().map(|row| row.metrics.deployments).collect();
    assert_eq!(deployments[0], 2);

    // Autumn: the week that ends with the change back is an hour longer.
    let autumn = window("2026-10-18T22:00:00Z", "2026-11-01T23:00:00Z");
    let trend =
        History::new().trend(&ReportOptions::new(autumn).with_time_zone(Europe::Berlin), Period::Week);
    let rows = trend.unwrap().rows;
    assert_eq!(rows[0].window.end(), at("2026-10-25T23:00:00Z"));
    assert_eq!(rows[0].window.end() - rows[0].window.start(), TimeDelta::hours(7 * 24 + 1));
    assert_eq!(rows[1].window.end() - rows[1].window.start(), TimeDelta::hours(7 * 24));
}

#[test]
fn months_begin_at_local_midnight_before_and_after_the_change() {
    // New York moves to EDT on 2026-03-08.
    let history = History::from_records([
        deployed("1.0.0", "2026-03-01T04:30:00Z"), // still February 28th, 23:30 EST
        deployed("1.0.1", "2026-03-31T12:00:00Z"),
        deployed("1.0.2", "2026-04-01T03:30:00Z"), // still March 31st, 23:30 EDT
    ]);
    let quarter = window("2026-02-01T05:00:00Z", "2026-05-01T04:00:00Z");
    let options = ReportOptions::new(quarter).with_time_zone(America::New_York);
    let trend = history.trend(&options, Period::Month).unwrap();
    let starts: Vec<DateTime<Utc>> = trend.rows.iter().map(|row| row.window.start()).collect();
    assert_eq!(starts, [at("2026-02-01T05:00:00Z"), at("2026-03-01T05:00:00Z"), at("2026-04-01T04:00:00Z")]);
    let deployments: Vec<usize> = trend.rows.iter().map(|row| row.metrics.deployments).collect();
    assert_eq!(deployments, [1, 2, 0]);
    assert_eq!(trend.time_zone, Zone::Named(America::New_York));
}

#[test]
fn a_day_whose_midnight_never_happens_begins_when_it_does() {
    // Santiago de Chile moves from -04:00 to -03:00 at midnight on
    // 2026-09-06: that day begins at 01:00 local, 04:00 UTC.
    let history = History::from_records([deployed("1.0.0", "2026-09-06T15:00:00Z")]);
    let options = ReportOptions::recorded_days().with_time_zone(America::Santiago);
    let report = history.report(&options).unwrap();
    assert_eq!(report.window.start(), at("2026-09-06T04:00:00Z"));
    assert_eq!(report.window.end(), at("2026-09-07T03:00:00Z"));
}

#[test]
fn deploy_days_per_week_count_every_week_the_window_touches() {
    // Wednesday 4 to Wednesday 18 November touches three weeks: Wednesday
    // to Sunday, a whole week, Monday and Tuesday. Deploy days: 2, 1, 2.
    // Counting only the whole week gave 1; fourkeys and DevLake count all
    // three: the median is 2.
    let history = History::from_records(
        ["05", "06", "10", "16", "17"]
            .iter()
            .enumerate()
            .map(|(index, day)| deployed(&format!("1.0.{index}"), &format!("2026-11-{day}T10:00:00Z"))),
    );
    let options = ReportOptions::new(window("2026-11-04T00:00:00Z", "2026-11-18T00:00:00Z"));
    let report = history.report(&options).unwrap();
    assert_eq!(report.metrics.deployment_frequency.deploy_days_per_week, 2.0);
    // Two deploy days on one Tuesday-to-Monday window: two weeks touched, 1 and 1.
    let short = ReportOptions::new(window("2026-11-10T00:00:00Z", "2026-11-17T00:00:00Z"));
    assert_eq!(history.report(&short).unwrap().metrics.deployment_frequency.deploy_days_per_week, 1.0);
}

#[test]
fn zones_read_and_write_as_names_and_offsets() {
    assert_eq!("Europe/Berlin".parse::<Zone>(), Ok(Zone::Named(Europe::Berlin)));
    assert_eq!("+05:30".parse::<Zone>(), Ok(Zone::Offset(FixedOffset::east_opt(19_800).unwrap())));
    assert_eq!("-03:00".parse::<Zone>(), Ok(Zone::Offset(FixedOffset::west_opt(10_800).unwrap())));
    assert_eq!("Z".parse::<Zone>(), Ok(Zone::UTC));
    assert_eq!(Zone::default(), Zone::UTC);
    for text in ["Europe/Berlin", "+05:30", "-03:00", "UTC"] {
        let zone: Zone = text.parse().unwrap();
        assert_eq!(zone.to_string(), text);
        let json = serde_json::to_string(&zone).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<Zone>(&json).unwrap(), zone);
    }
    let Err(MetricsError::UnknownZone { input, advice }) = "Europe/Berln".parse::<Zone>() else { panic!() };
    assert_eq!(input, "Europe/Berln");
    assert!(advice.contains("Europe/Berlin"), "{advice}");
    let offset = "+25:00".parse::<Zone>().unwrap_err().to_string();
    assert_eq!(offset, "unknown time zone \"+25:00\": write an offset as ±HH:MM, such as +01:00");
    let nothing = "Mars/Olympus".parse::<Zone>().unwrap_err().to_string();
    assert!(
        nothing.ends_with("write an IANA name such as Europe/Berlin or an offset such as +01:00"),
        "{nothing}"
    );
    assert!(serde_json::from_str::<Zone>("\"Nowhere\"").is_err());
    assert_eq!(Zone::Named(Europe::Berlin).offset_seconds_at(at("2026-07-01T00:00:00Z")), 7200);
    assert_eq!(Zone::Named(Europe::Berlin).offset_seconds_at(at("2026-01-01T00:00:00Z")), 3600);
}

#[test]
fn utc_is_one_zone_under_every_name() {
    use std::collections::HashSet;
    let zero = FixedOffset::east_opt(0).unwrap();
    let spellings =
        ["UTC", "Z", "+00:00", "-00:00", "Etc/UTC", "Zulu", "Universal", "GMT", "Etc/GMT", "Greenwich"];
    let mut zones: Vec<Zone> = spellings.iter().map(|text| text.parse().unwrap()).collect();
    zones.extend([Zone::UTC, Zone::Offset(zero), Zone::from(zero), Zone::Named(Tz::Etc__UCT)]);
    for zone in &zones {
        assert_eq!(*zone, Zone::UTC, "{zone:?}");
        assert!(zone.is_utc(), "{zone:?}");
        assert_eq!(zone.to_string(), "UTC", "{zone:?}");
        assert_eq!(serde_json::to_string(zone).unwrap(), "\"UTC\"");
    }
    assert_eq!(zones.iter().collect::<HashSet<_>>().len(), 1, "one UTC in a set");
    // Not UTC: a zone that is at zero only in winter, and any other offset.
    for other in [Zone::Named(Europe::London), "+00:30".parse().unwrap(), Zone::Named(Europe::Berlin)] {
        assert_ne!(other, Zone::UTC, "{other:?}");
        assert!(!other.is_utc(), "{other:?}");
    }
    // Totals asked for in two spellings of UTC merge as one.
    let week = window("2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z");
    let mut z = Totals::new(&ReportOptions::new(week).with_time_zone("Z".parse::<Zone>().unwrap()));
    z.merge(Totals::new(&ReportOptions::new(week).with_time_zone(Zone::UTC))).unwrap();
    let report = z.finish().unwrap().report;
    assert!(report.to_string().contains("(UTC)"), "{report}");
}

#[test]
fn a_report_stores_its_time_zone() {
    let history = History::from_records([deployed("1.0.0", "2026-03-24T12:00:00Z")]);
    let options = ReportOptions::recorded_days().with_time_zone(Europe::Berlin);
    let report = history.report(&options).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["time_zone"], "Europe/Berlin");
    let back: release_workflow::metrics::DoraReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn a_day_the_zone_skipped_whole_ends_the_day_before_it() {
    // Samoa crossed the date line at the end of 29 December 2011: 23:59:59
    // at -10:00 was followed by 00:00 on the 31st at +14:00, so the 30th
    // never happened there. A deployment on the 29th gives a window ending
    // where the 30th would have begun: the first instant of the 31st.
    let history = History::from_records([deployed("1.0.0", "2011-12-29T20:00:00Z")]);
    let options = ReportOptions::recorded_days().with_time_zone(chrono_tz::Pacific::Apia);
    let report = history.report(&options).unwrap();
    assert_eq!(report.window.start(), at("2011-12-29T10:00:00Z"));
    assert_eq!(report.window.end(), at("2011-12-30T10:00:00Z"));
}
