//! DORA metrics against hand-computed fixtures.

mod common;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use release_workflow::metrics::{
    Benchmark, DeploymentRecord, Elapsed, ExclusionReason, History, IncidentSpan, Period, ReportOptions,
    RollbackSpan, Tier, Window, Zone,
};

/// 2026-11-02 (a Monday) 00:00 UTC plus `hours`.
fn h(hours: f64) -> DateTime<Utc> {
    "2026-11-02T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        + TimeDelta::milliseconds((hours * 3_600_000.0) as i64)
}

/// The two weeks from Monday 2026-11-02.
fn fortnight() -> ReportOptions {
    ReportOptions::new(Window::new(h(0.0), h(14.0 * 24.0)).unwrap())
}

/// A deployment of `service` started at hour `start`, in production
/// `minutes` later, shipping commits made at the given hours.
fn deployment(service: &str, version: &str, start: f64, minutes: i64, commits: &[f64]) -> DeploymentRecord {
    DeploymentRecord::new(service, version, h(start))
        .unwrap()
        .with_production_at(h(start) + TimeDelta::minutes(minutes))
        .unwrap()
        .with_commits(commits.iter().map(|hour| h(*hour)))
}

fn incident(id: &str, opened: f64, resolved: Option<f64>) -> IncidentSpan {
    IncidentSpan { id: id.into(), opened_at: h(opened), resolved_at: resolved.map(h) }
}

fn hours(elapsed: Elapsed) -> f64 {
    elapsed.as_millis() as f64 / 3_600_000.0
}

#[test]
fn no_deployments_means_no_data_except_a_frequency_of_zero() {
    let report = History::new().report(&fortnight()).unwrap();
    let m = &report.metrics;
    assert_eq!(m.deployments, 0);
    assert_eq!((m.deployment_frequency.per_day, m.deployment_frequency.deploy_days_per_week), (0.0, 0.0));
    assert_eq!(m.deployment_frequency.tier, Tier::Low);
    assert_eq!(m.lead_time.spread, None);
    assert_eq!(m.lead_time.tier, None);
    assert_eq!(m.change_failure_rate.rate, None);
    assert_eq!(m.change_failure_rate.tier, None);
    assert_eq!(m.recovery_time.spread, None);
    assert_eq!(m.rollbacks.rate, None);
    assert_eq!(m.deployment_duration, None);
    assert_eq!(m.rework.rate, None);
    assert!(report.to_string().contains("no data"));
}

#[test]
fn a_single_deployment() {
    let history = History::from_records([deployment("web", "1.0.0", 10.0, 30, &[4.0])]);
    let m = history.report(&fortnight()).unwrap().metrics;
    assert_eq!(m.deployments, 1);
    assert!((m.deployment_frequency.per_day - 1.0 / 14.0).abs() < 1e-12);
    assert!((m.deployment_frequency.per_week - 0.5).abs() < 1e-12);
    assert_eq!(m.deployment_frequency.deploy_days_per_week, 0.5, "median of 1 and 0 deploy days");
    assert_eq!(m.deployment_frequency.tier, Tier::Medium, "0.5/week is between weekly and monthly");
    let lead = m.lead_time.spread.unwrap();
    assert_eq!((lead.count, hours(lead.median), hours(lead.p90)), (1, 6.5, 6.5));
    assert_eq!(m.lead_time.tier, Some(Tier::Elite));
    let duration = m.deployment_duration.unwrap();
    assert_eq!(
        (duration.median, duration.p90),
        (Elapsed::from_millis(1_800_000), Elapsed::from_millis(1_800_000))
    );
    assert_eq!(m.change_failure_rate.rate, Some(0.0));
    assert_eq!(m.change_failure_rate.tier, Some(Tier::Elite));
    assert_eq!(m.recovery_time.spread, None, "no failure, no recovery time");
}

#[test]
fn medians_are_interpolated_over_every_change_not_per_day() {
    // Day 1: lead times 1 h, 2 h, 3 h; day 2: 10 h. Median of all four is 2.5 h;
    // a median of daily medians would say 6 h.
    let history = History::from_records([
        deployment("web", "1.0.0", 10.0, 0, &[9.0, 8.0, 7.0]),
        deployment("web", "1.0.1", 34.0, 0, &[24.0]),
    ]);
    let lead = history.report(&fortnight()).unwrap().metrics.lead_time.spread.unwrap();
    assert_eq!(lead.count, 4);
    assert_eq!(hours(lead.median), 2.5);
    // p90: rank 0.9 × 3 = 2.7 between 3 h and 10 h: 3 + 0.7 × 7 = 7.9 h.
    assert!((hours(lead.p90) - 7.9).abs() < 1e-6);
}

#[test]
fn a_deployment_with_no_changes_has_no_lead_time() {
    let history = History::from_records([deployment("web", "1.0.0", 10.0, 12, &[])]);
    let m = history.report(&fortnight()).unwrap().metrics;
    assert_eq!(m.lead_time.spread, None);
    assert_eq!(m.deployment_duration.unwrap().median, Elapsed::from_millis(12 * 60_000));
}

#[test]
fn commits_after_production_are_excluded_and_counted() {
    let history = History::from_records([deployment("web", "1.0.0", 10.0, 60, &[9.0, 11.5, 12.0])]);
    let report = history.report(&fortnight()).unwrap();
    let lead = report.metrics.lead_time;
    assert_eq!(lead.spread.unwrap().count, 1);
    assert_eq!(hours(lead.spread.unwrap().median), 2.0);
    assert_eq!(lead.commits_after_production, 2);
    assert_eq!(
        report.explanation.exclusions[0].reason,
        ExclusionReason::CommitsAfterProduction { commits: 2 }
    );
    let text = report.to_string();
    assert!(text.contains("2 commits after production (1 deployment) from lead time"), "{text}");
    // Only what was left out, and counts in the singular where they are one.
    let left_out = text.lines().find(|line| line.starts_with("left out:")).unwrap();
    assert_eq!(left_out, "left out: 2 commits after production (1 deployment) from lead time");
    assert!(text.contains("· 1 deployment ") && text.contains("(1 change)"), "{text}");
    assert!(!text.contains(";\n") && !text.contains("; \n"), "no list ends in a separator: {text}");
}

#[test]
fn a_report_with_nothing_left_out_says_so() {
    let history = History::from_records([deployment("web", "1.0.0", 10.0, 60, &[9.0])]);
    let text = history.report(&fortnight()).unwrap().to_string();
    assert!(text.contains("\nleft out: nothing\n"), "{text}");
}

#[test]
fn trend_columns_hold_seven_digit_counts() {
    let start = h(0.0);
    let records = (0..1_000_000)
        .map(|i| DeploymentRecord::new("web", "1.0.0", start + chrono::TimeDelta::milliseconds(i)).unwrap());
    let history = History::from_records(records);
    let trend = history.trend(&fortnight(), Period::Week).unwrap();
    let text = trend.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains(" 1000000 "), "{text}");
    // Every row is as wide as the header, and the big numbers end where
    // their column's title does.
    let width = |line: &str| line.chars().count();
    assert!(lines.iter().all(|line| width(line) == width(lines[0])), "{text}");
    let end_of = |line: &str, text: &str| line.find(text).map(|start| start + text.len());
    assert_eq!(end_of(lines[1], "1000000"), end_of(lines[0], "deploys"), "{text}");
    assert_eq!(end_of(lines[1], "142857.14"), end_of(lines[0], "per day"), "{text}");
}

#[test]
fn an_incident_never_resolved_fails_the_deployment_but_has_no_recovery_time() {
    let history = History::from_records([
        deployment("web", "1.0.0", 10.0, 10, &[]).with_incident(incident("INC-1", 11.0, None)).unwrap(),
        deployment("web", "1.0.1", 20.0, 10, &[]),
    ]);
    let report = history.report(&fortnight()).unwrap();
    let m = &report.metrics;
    assert_eq!((m.change_failure_rate.failed, m.change_failure_rate.rate), (1, Some(0.5)));
    assert_eq!(m.change_failure_rate.tier, Some(Tier::Low));
    assert_eq!((m.recovery_time.spread, m.recovery_time.unresolved), (None, 1));
    assert_eq!(&*report.explanation.failures[0].incidents[0], "INC-1");
    assert!(report.explanation.exclusions.iter().any(|e| e.reason == ExclusionReason::Unresolved));
}

#[test]
fn two_incidents_on_one_deployment_count_it_once() {
    let history = History::from_records([
        deployment("web", "1.0.0", 10.0, 10, &[])
            .with_incident(incident("INC-1", 11.0, Some(12.0)))
            .unwrap()
            .with_incident(incident("INC-2", 11.5, Some(14.0)))
            .unwrap(),
        deployment("web", "1.0.1", 30.0, 10, &[]),
        deployment("web", "1.0.2", 50.0, 10, &[]),
        deployment("web", "1.0.3", 70.0, 10, &[]),
    ]);
    let m = history.report(&fortnight()).unwrap().metrics;
    assert_eq!((m.change_failure_rate.failed, m.change_failure_rate.rate), (1, Some(0.25)));
    // From the first incident opening (11 h) to the last resolving (14 h).
    let recovery = m.recovery_time.spread.unwrap();
    assert_eq!((recovery.count, hours(recovery.median)), (1, 3.0));
    assert_eq!(m.recovery_time.tier, Some(Tier::High));
}

#[test]
fn a_rollback_recovers_when_the_previous_version_is_back() {
    let rolled_back = deployment("web", "1.0.0", 10.0, 10, &[])
        .with_rollback(RollbackSpan { decided_at: h(10.5), restored_at: Some(h(10.75)) })
        .unwrap()
        .with_incident(incident("INC-3", 10.25, Some(10.6)))
        .unwrap();
    let in_progress = deployment("web", "1.0.1", 12.0, 10, &[])
        .with_rollback(RollbackSpan { decided_at: h(12.5), restored_at: None })
        .unwrap();
    let history =
        History::from_records([rolled_back, in_progress, deployment("web", "1.0.2", 13.0, 10, &[])]);
    let report = history.report(&fortnight()).unwrap();
    let m = &report.metrics;
    assert_eq!((m.rollbacks.count, m.change_failure_rate.failed), (2, 2));
    // Started at the incident (10.25 h), restored at the rollback (10.75 h).
    let recovery = m.recovery_time.spread.unwrap();
    assert_eq!((recovery.count, hours(recovery.median)), (1, 0.5));
    assert_eq!(m.recovery_time.unresolved, 1);
    assert_eq!(m.recovery_time.tier, Some(Tier::Elite));
    assert!(report.explanation.failures[0].rolled_back);
}

#[test]
fn records_on_the_window_bounds() {
    let window = Window::new(h(24.0), h(48.0)).unwrap();
    let history = History::from_records([
        deployment("web", "1.0.0", 24.0, 1, &[]),
        deployment("web", "1.0.1", 48.0, 1, &[]),
        deployment("web", "1.0.2", 23.999, 1, &[]),
    ]);
    let report = history.report(&ReportOptions::new(window)).unwrap();
    assert_eq!(report.metrics.deployments, 1, "from is included, to is excluded");
    assert_eq!(report.explanation.outside_window, 2);
    assert_eq!(report.metrics.deployment_frequency.per_day, 1.0);
    assert!(Window::new(h(1.0), h(1.0)).is_err());
}

#[test]
fn the_day_boundary_moves_with_the_utc_offset() {
    // 23:30 and 00:30 UTC: two days in UTC, one day at UTC+01:00 (00:30 and 01:30).
    let history = History::from_records([
        deployment("web", "1.0.0", 23.5, 1, &[]),
        deployment("web", "1.0.1", 24.5, 1, &[]),
    ]);
    let week = Window::new(h(0.0), h(7.0 * 24.0)).unwrap();
    let utc = history.report(&ReportOptions::new(week)).unwrap().metrics;
    assert_eq!(utc.deployment_frequency.deploy_days_per_week, 2.0);
    let plus_one = FixedOffset::east_opt(3600).unwrap();
    let local = history.report(&ReportOptions::new(week).with_utc_offset(plus_one)).unwrap().metrics;
    // At +01:00 the window runs from Monday 01:00 to the next Monday 01:00: eight calendar
    // days touching two weeks: both deployments fall on the first week's Tuesday, and the
    // second week (one Monday hour) has none. Partial weeks count: the median of 1 and 0.
    assert_eq!(local.deployment_frequency.deploy_days_per_week, 0.5);
    assert_eq!(local.deployment_frequency.per_day, 2.0 / 8.0);
}

#[test]
fn services_are_reported_alone_or_side_by_side() {
    let history = History::from_records([
        deployment("web", "1.0.0", 10.0, 10, &[9.0]),
        deployment("api", "2.0.0", 11.0, 10, &[1.0])
            .with_incident(incident("INC-9", 12.0, Some(13.0)))
            .unwrap(),
        deployment("api", "2.0.1", 12.0, 10, &[]).with_remediation(),
    ]);
    let api = history.report(&fortnight().with_service("api")).unwrap();
    assert_eq!((api.metrics.deployments, api.explanation.other_services), (2, 1));
    assert_eq!(api.metrics.rework.rate, Some(0.5));
    assert_eq!(api.metrics.change_failure_rate.rate, Some(0.5));
    let all = history.report_by_service(&fortnight()).unwrap();
    assert_eq!(all.keys().collect::<Vec<_>>(), ["api", "web"]);
    assert_eq!(all["web"].metrics.deployments, 1);
    assert_eq!(all["api"], api);
    assert_eq!(history.services(), ["api", "web"]);
}

#[test]
fn a_weekly_trend_covers_every_week_of_the_window() {
    let history = History::from_records([
        deployment("web", "1.0.0", 10.0, 10, &[9.0]),
        deployment("web", "1.0.1", 30.0, 10, &[29.0]),
        deployment("web", "1.0.2", 24.0 * 9.0, 10, &[]),
    ]);
    let trend = history.trend(&fortnight(), Period::Week).unwrap();
    assert_eq!(trend.rows.len(), 2);
    assert_eq!((trend.rows[0].metrics.deployments, trend.rows[1].metrics.deployments), (2, 1));
    assert_eq!(trend.rows[1].window.start(), h(7.0 * 24.0));
    let text = trend.to_string();
    assert!(text.starts_with("week"), "{text}");
    assert!(text.contains("2026-11-02") && text.contains("2026-11-09"), "{text}");

    let quarter = ReportOptions::new(
        Window::new("2026-10-15T00:00:00Z".parse().unwrap(), "2027-01-10T00:00:00Z".parse().unwrap())
            .unwrap(),
    );
    let monthly = history.trend(&quarter, Period::Month).unwrap();
    let starts: Vec<String> = monthly.rows.iter().map(|row| row.window.start().to_rfc3339()).collect();
    assert_eq!(
        starts,
        [
            "2026-10-15T00:00:00+00:00",
            "2026-11-01T00:00:00+00:00",
            "2026-12-01T00:00:00+00:00",
            "2027-01-01T00:00:00+00:00"
        ]
    );
    assert_eq!(monthly.rows[1].metrics.deployments, 3);
}

#[test]
fn tiers_follow_the_chosen_benchmark() {
    // Lead time of 2 h: elite in 2023 (under a day), high in 2021 (not under an hour).
    let history = History::from_records([deployment("web", "1.0.0", 10.0, 0, &[8.0])]);
    assert_eq!(history.report(&fortnight()).unwrap().metrics.lead_time.tier, Some(Tier::Elite));
    let old = history.report(&fortnight().with_benchmark(Benchmark::Dora2021)).unwrap();
    assert_eq!(old.metrics.lead_time.tier, Some(Tier::High));
    assert!(old.to_string().contains("graded against dora2021"), "{old}");
}

#[test]
fn options_give_back_what_they_were_given() {
    let everything = ReportOptions::recorded_days();
    assert_eq!(everything.window(), None);
    assert_eq!(everything.service(), None);
    assert_eq!(everything.time_zone(), Zone::UTC);
    assert_eq!(everything.benchmark(), Benchmark::Dora2023);
    assert_eq!(everything.threads(), None, "every core unless limited");
    let window = Window::new(h(0.0), h(24.0)).unwrap();
    let three = std::num::NonZeroUsize::new(3).unwrap();
    let paris = FixedOffset::east_opt(3600).unwrap();
    let chosen = ReportOptions::new(window).with_utc_offset(paris).with_threads(three);
    assert_eq!(chosen.window(), Some(window));
    assert_eq!(chosen.time_zone(), Zone::from(paris));
    assert_eq!(chosen.threads(), Some(three));
}

#[test]
fn records_are_checked() {
    let start = h(10.0);
    let record = DeploymentRecord::new("web", "1.0.0", start).unwrap();
    assert!(record.clone().with_production_at(start - TimeDelta::seconds(1)).is_err());
    assert!(record.clone().with_rollback(RollbackSpan { decided_at: h(9.0), restored_at: None }).is_err());
    assert!(
        record
            .clone()
            .with_rollback(RollbackSpan { decided_at: h(11.0), restored_at: Some(h(10.5)) })
            .is_err()
    );
    assert!(record.clone().with_incident(incident("I", 9.0, None)).is_err());
    assert!(record.clone().with_incident(incident("I", 11.0, Some(10.5))).is_err());
    let twice = record
        .clone()
        .with_incident(incident("I", 11.0, None))
        .unwrap()
        .with_incident(incident("I", 12.0, None));
    assert!(twice.unwrap_err().to_string().contains("lists incident I twice"));
    assert!(DeploymentRecord::new("", "1.0.0", start).is_err());
    let json = r#"{"release":"r","service":"s","version":"v","started_at":"2026-11-02T10:00:00Z","production_at":"2026-11-02T09:00:00Z","commits":[]}"#;
    let error = serde_json::from_str::<DeploymentRecord>(json).unwrap_err().to_string();
    assert!(error.contains("before it started deploying"), "{error}");
    let bad_time = r#"{"release":"r","service":"s","version":"v","started_at":"yesterday","commits":[]}"#;
    assert!(serde_json::from_str::<DeploymentRecord>(bad_time).unwrap_err().to_string().contains("RFC 3339"));
}

#[test]
fn records_round_trip_through_json() {
    let record = deployment("web", "1.0.0", 10.0, 10, &[9.0, 9.5])
        .with_rollback(RollbackSpan { decided_at: h(10.5), restored_at: Some(h(10.75)) })
        .unwrap()
        .with_incident(incident("INC-3", 10.25, Some(10.6)))
        .unwrap()
        .with_remediation();
    let json = serde_json::to_string(&record).unwrap();
    assert_eq!(serde_json::from_str::<DeploymentRecord>(&json).unwrap(), record);
    assert!(json.contains(r#""started_at":"2026-11-02T10:00:00Z""#), "{json}");
    let report = History::from_records([record]).report(&fortnight()).unwrap();
    let back: release_workflow::metrics::DoraReport =
        serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn a_release_becomes_a_deployment_record() {
    use common::{ada, at_stage, t};
    let mut release = at_stage(release_workflow::Stage::Verifying);
    let record = DeploymentRecord::from_release(&release).unwrap();
    assert_eq!(record.release(), "checkout@2.4.0");
    assert_eq!(record.started_at(), release.entered_at(release_workflow::Stage::Deploying).unwrap());
    assert_eq!(record.production_at(), release.entered_at(release_workflow::Stage::Verifying));
    assert_eq!(record.commits(), [t(-600)]);
    release.roll_back("errors", &ada(), t(30)).unwrap();
    let decided = DeploymentRecord::from_release(&release).unwrap();
    assert_eq!(decided.rollback(), Some(&RollbackSpan { decided_at: t(30), restored_at: None }));
    release.complete("rollback.previous-version-redeployed", &ada(), t(42)).unwrap();
    let restored = DeploymentRecord::from_release(&release).unwrap();
    assert_eq!(restored.rollback().unwrap().restored_at, Some(t(42)));
    let planned = common::planned();
    assert!(matches!(
        DeploymentRecord::from_release(&planned),
        Err(release_workflow::metrics::MetricsError::NotDeployed { .. })
    ));
    assert_eq!(History::from_releases([&planned, &release]).records().len(), 1);
}

#[test]
fn windows_of_any_length_are_safe() {
    let history = History::from_records([deployment("web", "1.0.0", 10.0, 10, &[9.0])]);
    let all_time = Window::new(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC).unwrap();
    let report = history.report(&ReportOptions::new(all_time)).unwrap();
    assert_eq!(report.metrics.deployments, 1);
    assert_eq!(report.metrics.deployment_frequency.deploy_days_per_week, 0.0);
    let error = history.trend(&ReportOptions::new(all_time), Period::Week).unwrap_err();
    assert!(error.to_string().contains("more than 10000 periods"), "{error}");
    let end_of_time =
        Window::new(DateTime::<Utc>::MAX_UTC - TimeDelta::days(20), DateTime::<Utc>::MAX_UTC).unwrap();
    let trend = history.trend(&ReportOptions::new(end_of_time), Period::Week).unwrap();
    assert_eq!(trend.rows.iter().map(|row| row.metrics.deployments).sum::<usize>(), 0);
    assert_eq!(trend.rows.last().unwrap().window.end(), DateTime::<Utc>::MAX_UTC);
    let start_of_time =
        Window::new(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MIN_UTC + TimeDelta::days(40)).unwrap();
    for period in [Period::Week, Period::Month] {
        let trend = history.trend(
            &ReportOptions::new(start_of_time).with_utc_offset(FixedOffset::east_opt(-3600).unwrap()),
            period,
        );
        let rows = trend.unwrap().rows;
        assert_eq!(rows.first().unwrap().window.start(), DateTime::<Utc>::MIN_UTC, "{period}");
        assert_eq!(rows.last().unwrap().window.end(), start_of_time.end(), "{period}");
    }
}

#[test]
fn the_template_declares_which_rollback_item_marks_restoration() {
    use common::{ada, t};
    use release_workflow::{Gate, Stage, Template};
    // A team whose checklist restores by failing over, not by redeploying.
    let template = Template::builder("Failover")
        .section("Ship")
        .item("ship.deployed", "Deployed", Gate::Verify)
        .section("Rollback")
        .item("rollback.previous-version-redeployed", "Previous version redeployed", Gate::Rollback)
        .restoration_item("rollback.failed-over", "Traffic failed over to the standby region")
        .build()
        .unwrap();
    assert_eq!(template.restoration().unwrap().id().as_str(), "rollback.failed-over");
    let mut release = common::planned_on(template);
    release.advance_to(Stage::Frozen, &ada(), t(1)).unwrap();
    release.advance_to(Stage::Deploying, &ada(), t(2)).unwrap();
    release.roll_back("errors", &ada(), t(3)).unwrap();
    // The item with the old fixed id no longer marks anything...
    release.complete("rollback.previous-version-redeployed", &ada(), t(4)).unwrap();
    let record = DeploymentRecord::from_release(&release).unwrap();
    assert_eq!(record.rollback().unwrap().restored_at, None);
    // ...the declared one does.
    release.complete("rollback.failed-over", &ada(), t(9)).unwrap();
    let record = DeploymentRecord::from_release(&release).unwrap();
    assert_eq!(record.rollback().unwrap().restored_at, Some(t(9)));

    // Without a declaration, the rollback itself restores.
    let mut undeclared = common::planned_on(
        Template::builder("Plain")
            .section("Ship")
            .item("ship.deployed", "Deployed", Gate::Verify)
            .section("Rollback")
            .item("rollback.previous-version-redeployed", "Previous version redeployed", Gate::Rollback)
            .build()
            .unwrap(),
    );
    undeclared.advance_to(Stage::Frozen, &ada(), t(1)).unwrap();
    undeclared.advance_to(Stage::Deploying, &ada(), t(2)).unwrap();
    undeclared.roll_back("errors", &ada(), t(3)).unwrap();
    let record = DeploymentRecord::from_release(&undeclared).unwrap();
    assert_eq!(record.rollback().unwrap().restored_at, Some(t(3)));
}

#[test]
fn emergency_changes_are_counted_apart_and_can_be_left_out() {
    let normal = deployment("web", "1.0.0", 10.0, 10, &[9.0]);
    let emergency = deployment("web", "1.0.1", 20.0, 10, &[19.5]).with_emergency();
    assert!(emergency.is_emergency() && !normal.is_emergency());
    let history = History::from_records([normal.clone(), emergency.clone()]);
    let report = history.report(&fortnight()).unwrap();
    let share = report.metrics.emergency_changes.expect("one emergency change");
    assert_eq!((share.count, share.rate), (1, Some(0.5)));
    assert_eq!(report.metrics.deployments, 2);
    let text = report.to_string();
    assert!(text.contains("emergency changes") && text.contains("50.0% (1 deployment)"), "{text}");
    // Left out, the report is the normal flow's, and says what it left out.
    let normal_only = history.report(&fortnight().with_emergency_changes(false)).unwrap();
    assert_eq!(normal_only.metrics.deployments, 1);
    assert_eq!(normal_only.metrics.emergency_changes, None);
    assert_eq!(normal_only.explanation.emergency_changes, 1);
    assert!(normal_only.to_string().contains("left out: 1 emergency change"), "{normal_only}");
    assert_eq!(
        normal_only.metrics,
        History::from_records([normal.clone()]).report(&fortnight()).unwrap().metrics,
        "the same as a history without it"
    );
    // A history without emergency changes reports and stores as before.
    let plain = History::from_records([normal]).report(&fortnight()).unwrap();
    let json = serde_json::to_string(&plain).unwrap();
    assert!(!json.contains("emergency"), "{json}");
    assert!(!plain.to_string().contains("emergency"));
    // The record stores the mark, and the fast reader reads it.
    let line = serde_json::to_string(&emergency).unwrap();
    assert!(line.ends_with(r#","emergency":true}"#), "{line}");
    #[cfg(feature = "store")]
    {
        let read =
            release_workflow::metrics::JsonLines::new().history(format!("{line}\n").as_bytes()).unwrap();
        assert!(read.value.records()[0].is_emergency());
    }
    // The trend shows an emergency column only when a period had one.
    let trend = history.trend(&fortnight(), release_workflow::metrics::Period::Week).unwrap().to_string();
    assert!(trend.lines().next().unwrap().ends_with("emergency"), "{trend}");
    let plain_trend = History::from_records([deployment("web", "1.0.0", 10.0, 10, &[9.0])])
        .trend(&fortnight(), release_workflow::metrics::Period::Week)
        .unwrap()
        .to_string();
    assert!(!plain_trend.contains("emergency"), "{plain_trend}");
}

#[test]
fn an_emergency_release_is_an_emergency_deployment_record() {
    use common::{ada, t};
    use release_workflow::policy::{ChangeType, EmergencyChange, Policy};
    let rule =
        EmergencyChange::reviewed_by(1, [release_workflow::Role::CHANGE_APPROVER], TimeDelta::hours(24));
    let template = release_workflow::Template::octoacme()
        .with_policy(Policy::octoacme().with_emergency_changes(rule).unwrap())
        .unwrap();
    let mut release = common::planned_on(template);
    assert!(
        !DeploymentRecord::from_release(&common::at_stage(release_workflow::Stage::Deploying))
            .unwrap()
            .is_emergency()
    );
    release.reclassify(ChangeType::Emergency, "down", &ada(), t(0)).unwrap();
    common::advance(&mut release, t(1));
    common::advance(&mut release, t(2));
    assert!(DeploymentRecord::from_release(&release).unwrap().is_emergency());
}
