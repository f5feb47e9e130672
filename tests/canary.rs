//! What canary analysis tools judge with: breaches in a row beside breaches
//! in total, evaluation windows, dry-run criteria — and which criterion a
//! flag trips.

mod common;

use chrono::TimeDelta;
use common::{ada, t};
use release_workflow::health::{
    Breach, Cause, CriterionKind, HealthError, MAX_EVALUATION_WINDOW_SECONDS, Observation, Outcome,
    RaisedFlag, RollbackCriterion, Severity, Threshold, Verdict,
};

fn errors(threshold: Threshold) -> [RollbackCriterion; 1] {
    [RollbackCriterion::threshold(
        "errors",
        "Error rate above 5%",
        CriterionKind::CriticalFunctionalityBroken,
        threshold,
        Severity::Critical,
    )
    .unwrap()]
}

/// Error-rate samples at the given minutes.
fn at_minutes(samples: &[(i64, f64)]) -> Vec<Observation> {
    samples
        .iter()
        .map(|(minute, value)| Observation::sample("error_rate", *value, "prom", t(*minute)).unwrap())
        .collect()
}

/// The breach cause of the verdict's only finding.
fn breached(verdict: &Verdict) -> (u32, bool, Vec<i64>, usize, usize) {
    let [finding] = verdict.findings() else { panic!("one finding expected: {verdict}") };
    let Cause::Breached { needed, in_a_row, tripped_by, breaching, samples, .. } = &finding.cause else {
        panic!("a breach expected: {verdict}")
    };
    let minutes = tripped_by.iter().map(|breach: &Breach| (breach.at - t(0)).num_minutes()).collect();
    (*needed, *in_a_row, minutes, *breaching, *samples)
}

fn judged(threshold: Threshold, samples: &[(i64, f64)]) -> Verdict {
    Verdict::evaluate(&errors(threshold), &at_minutes(samples), &[])
}

fn sustained(in_a_row: u32) -> Threshold {
    Threshold::above("error_rate", 0.05).unwrap().with_consecutive_breaches_to_trip(in_a_row).unwrap()
}

#[test]
fn breaches_in_a_row_trip_on_a_run_in_the_order_they_were_measured() {
    // Four breaches, never three in a row: healthy, however many in total.
    let broken = [(0, 0.1), (1, 0.1), (2, 0.01), (3, 0.1), (4, 0.1), (5, 0.01), (6, 0.2)];
    assert!(judged(sustained(3), &broken).is_healthy());
    let tripped = judged(sustained(3), &[(0, 0.1), (1, 0.1), (2, 0.01), (3, 0.1), (4, 0.1), (5, 0.2)]);
    assert!(tripped.should_roll_back() && !tripped.is_healthy());
    assert_eq!(breached(&tripped), (3, true, vec![3, 4, 5], 5, 6));
    let text = tripped.to_string();
    assert!(text.contains("5 of 6 error_rate samples breached 0.05, 3 in a row trip it"), "{text}");
    // Arrival order is not measurement order: a late healthy sample measured
    // inside the run breaks it.
    let mut late = at_minutes(&[(0, 0.1), (1, 0.1), (3, 0.1)]);
    let criteria = errors(sustained(3));
    assert!(Verdict::evaluate(&criteria, &late, &[]).should_roll_back());
    late.push(Observation::sample("error_rate", 0.01, "prom", t(2)).unwrap());
    assert!(Verdict::evaluate(&criteria, &late, &[]).is_healthy());
    late.reverse();
    assert!(Verdict::evaluate(&criteria, &late, &[]).is_healthy());
    // Samples measured at the same instant are in value order: the healthy
    // one first, so the run is the breaches after it.
    let tied = [(0, 0.1), (1, 0.1), (1, 0.01), (2, 0.1)];
    assert!(judged(sustained(3), &tied).is_healthy());
    assert_eq!(breached(&judged(sustained(2), &tied)), (2, true, vec![1, 2], 3, 4));
}

#[test]
fn a_total_and_a_run_trip_on_whichever_comes_first() {
    let both = || Threshold::above("error_rate", 0.05).unwrap().with_breach_limits(4, 2).unwrap();
    // The run of two comes first (minute 3); the fourth breach only at minute 4.
    let run_first = [(0, 0.1), (1, 0.01), (2, 0.1), (3, 0.1), (4, 0.1), (5, 0.1)];
    assert_eq!(breached(&judged(both(), &run_first)), (2, true, vec![2, 3], 5, 6));
    // Never two in a row, but four in all.
    let scattered = [(0, 0.1), (1, 0.01), (2, 0.1), (3, 0.01), (4, 0.1), (5, 0.01), (6, 0.1)];
    assert_eq!(breached(&judged(both(), &scattered)), (4, false, vec![0, 2, 4, 6], 4, 7));
    // The fourth breach ends the first run: both trip at once, and the total is cited.
    let together = [(0, 0.1), (1, 0.01), (2, 0.1), (3, 0.01), (4, 0.1), (5, 0.1)];
    assert_eq!(breached(&judged(both(), &together)), (4, false, vec![0, 2, 4, 5], 4, 6));
    // Three breaches, no two in a row: neither rule.
    assert!(judged(both(), &[(0, 0.1), (1, 0.0), (2, 0.1), (3, 0.0), (4, 0.1)]).is_healthy());
    // A total rule alone keeps counting across healthy samples.
    let total = Threshold::above("error_rate", 0.05).unwrap().with_breaches_to_trip(3).unwrap();
    assert_eq!(breached(&judged(total, &scattered)), (3, false, vec![0, 2, 4], 4, 7));
}

#[test]
fn breach_rules_that_cannot_trip_first_are_refused() {
    let base = || Threshold::above("error_rate", 0.05).unwrap();
    let problem = |result: Result<Threshold, HealthError>| match result {
        Err(HealthError::InvalidThreshold { signal, problem }) => {
            assert_eq!(signal, "error_rate");
            problem
        }
        other => panic!("expected a refusal, got {other:?}"),
    };
    let dead = problem(base().with_breach_limits(3, 3));
    assert!(dead.contains("3 breaches or 3 in a row") && dead.contains("one rule"), "{dead}");
    assert!(problem(base().with_breach_limits(3, 1)).contains("at least 2 in a row"));
    assert!(problem(base().with_breach_limits(0, 2)).contains("give 1 to 1000"));
    assert!(problem(base().with_breach_limits(5, 1001)).contains("1001"));
    assert!(problem(base().with_consecutive_breaches_to_trip(0)).contains("0 breaching samples"));
    assert!(problem(base().with_consecutive_breaches_to_trip(1001)).contains("1001 breaching samples"));
    assert!(
        base().with_breach_limits(3, 2).is_ok() && base().with_consecutive_breaches_to_trip(1000).is_ok()
    );
    // Each setter is the whole rule: the last one given stands.
    let run = base().with_breach_limits(5, 2).unwrap().with_consecutive_breaches_to_trip(3).unwrap();
    assert_eq!((run.breaches_to_trip(), run.consecutive_breaches_to_trip()), (None, Some(3)));
    let total = run.with_breaches_to_trip(2).unwrap();
    assert_eq!((total.breaches_to_trip(), total.consecutive_breaches_to_trip()), (Some(2), None));
    // How each reads.
    assert_eq!(sustained(1).to_string(), "error_rate > 0.05 (1 sample in a row trips it)");
    assert_eq!(sustained(3).to_string(), "error_rate > 0.05 (3 samples in a row trip it)");
    assert_eq!(
        base().with_breach_limits(5, 2).unwrap().to_string(),
        "error_rate > 0.05 (5 samples, or 2 in a row, trip it)"
    );
}

#[test]
fn an_evaluation_window_judges_only_the_samples_measured_in_it() {
    let windowed = |minutes: i64| {
        Threshold::above("error_rate", 0.05)
            .unwrap()
            .with_breaches_to_trip(2)
            .unwrap()
            .with_evaluation_window(TimeDelta::minutes(minutes))
            .unwrap()
    };
    // A spike at the start, healthy since: judged on the last ten minutes, healthy.
    let recovered: Vec<(i64, f64)> =
        [(0, 0.3), (1, 0.4)].into_iter().chain((5..=20).map(|m| (m, 0.01))).collect();
    assert!(judged(windowed(10), &recovered).is_healthy());
    let whole = Threshold::above("error_rate", 0.05).unwrap().with_breaches_to_trip(2).unwrap();
    assert!(judged(whole, &recovered).should_roll_back());
    // The window ends at the newest sample and includes its start.
    let edge = [(10, 0.3), (20, 0.4)];
    let tripped = judged(windowed(10), &edge);
    assert_eq!(breached(&tripped), (2, false, vec![10, 20], 2, 2));
    let [finding] = tripped.findings() else { panic!() };
    let Cause::Breached { since, .. } = &finding.cause else { panic!() };
    assert_eq!(*since, Some(t(10)));
    assert!(tripped.to_string().contains("2 of 2 error_rate samples since 2026-11-30 09:10:00 UTC breached"));
    assert!(judged(windowed(10), &[(9, 0.3), (20, 0.4)]).is_healthy());
    // The samples counted are those in the window.
    assert_eq!(breached(&judged(windowed(10), &[(0, 0.01), (12, 0.3), (15, 0.02), (20, 0.4)])).4, 3);
    // A window with a run rule: the run must lie inside it.
    let run = sustained(2).with_evaluation_window(TimeDelta::minutes(5)).unwrap();
    assert!(judged(run.clone(), &[(0, 0.3), (1, 0.3), (2, 0.01), (7, 0.01)]).is_healthy());
    assert!(judged(run, &[(0, 0.3), (5, 0.3), (6, 0.3)]).should_roll_back());
    assert_eq!(windowed(15).to_string(), "error_rate > 0.05 over the last 15 minutes (2 samples trip it)");
    let read = |seconds: i64| {
        Threshold::above("x", 1.0)
            .unwrap()
            .with_evaluation_window(TimeDelta::seconds(seconds))
            .unwrap()
            .to_string()
    };
    assert_eq!(read(1), "x > 1 over the last 1 second (1 sample trips it)");
    assert_eq!(read(90), "x > 1 over the last 90 seconds (1 sample trips it)");
    assert_eq!(read(60), "x > 1 over the last 1 minute (1 sample trips it)");
    assert_eq!(read(7200), "x > 1 over the last 2 hours (1 sample trips it)");
}

#[test]
fn evaluation_windows_are_whole_seconds_up_to_31_days() {
    let window = |window: TimeDelta| Threshold::above("x", 1.0).unwrap().with_evaluation_window(window);
    for bad in
        [TimeDelta::zero(), TimeDelta::seconds(-60), TimeDelta::milliseconds(1500), TimeDelta::days(32)]
    {
        let Err(HealthError::InvalidThreshold { problem, .. }) = window(bad) else {
            panic!("{bad} accepted")
        };
        assert!(problem.contains("from 1 second to 31 days"), "{problem}");
    }
    let longest = TimeDelta::seconds(i64::from(MAX_EVALUATION_WINDOW_SECONDS));
    assert_eq!(window(longest).unwrap().evaluation_window(), Some(TimeDelta::days(31)));
    assert!(window(longest + TimeDelta::seconds(1)).is_err());
}

#[test]
fn thresholds_store_their_rules_and_read_old_ones() {
    let threshold = Threshold::above("error_rate", 0.05)
        .unwrap()
        .with_breach_limits(6, 3)
        .unwrap()
        .with_evaluation_window(TimeDelta::minutes(30))
        .unwrap();
    let json = serde_json::to_string(&threshold).unwrap();
    assert!(json.contains(r#""breaches_to_trip":6,"consecutive_breaches_to_trip":3,"window_seconds":1800"#));
    assert_eq!(serde_json::from_str::<Threshold>(&json).unwrap(), threshold);
    // As thresholds were stored before these rules: a total, always written.
    let old = r#"{"signal":"error_rate","comparison":"above","bound":{"absolute":0.05},"breaches_to_trip":2,"when_missing":"inconclusive"}"#;
    let read: Threshold = serde_json::from_str(old).unwrap();
    assert_eq!(read, Threshold::above("error_rate", 0.05).unwrap().with_breaches_to_trip(2).unwrap());
    assert_eq!(serde_json::to_string(&read).unwrap(), old, "an old threshold is written as it was");
    let bare = r#"{"signal":"x","comparison":"above","bound":{"absolute":1.0}}"#;
    assert_eq!(serde_json::from_str::<Threshold>(bare).unwrap().breaches_to_trip(), Some(1));
    let run_only =
        r#"{"signal":"x","comparison":"above","bound":{"absolute":1.0},"consecutive_breaches_to_trip":3}"#;
    let read: Threshold = serde_json::from_str(run_only).unwrap();
    assert_eq!((read.breaches_to_trip(), read.consecutive_breaches_to_trip()), (None, Some(3)));
    let dead = r#"{"signal":"x","comparison":"above","bound":{"absolute":1.0},"breaches_to_trip":2,"consecutive_breaches_to_trip":3}"#;
    let error = serde_json::from_str::<Threshold>(dead).unwrap_err().to_string();
    assert!(error.contains("one of those rules would always trip first"), "{error}");
    let no_window = r#"{"signal":"x","comparison":"above","bound":{"absolute":1.0},"window_seconds":0}"#;
    assert!(serde_json::from_str::<Threshold>(no_window).is_err());
}

#[test]
fn dry_run_criteria_are_reported_and_never_trip() {
    let [live] = errors(Threshold::above("error_rate", 0.05).unwrap());
    let trial = RollbackCriterion::threshold(
        "errors-strict",
        "Error rate above 1%",
        CriterionKind::Custom,
        Threshold::above("error_rate", 0.01).unwrap(),
        Severity::Critical,
    )
    .unwrap()
    .with_dry_run(true);
    assert!(trial.is_dry_run() && !live.is_dry_run());
    assert!(trial.to_string().contains("[custom, critical, dry run]"), "{trial}");
    let criteria = [live, trial.clone()];
    let samples = at_minutes(&[(0, 0.03)]);
    // Only the dry run breaches: the verdict is healthy, the dry run says what it found.
    assert!(Verdict::evaluate(&criteria, &samples, &[]).is_healthy());
    let found = Verdict::dry_run(&criteria, &samples, &[]);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].criterion.as_str(), found[0].outcome), ("errors-strict", Outcome::RollBack));
    // Both breach: the live criterion alone makes the verdict.
    let both = at_minutes(&[(0, 0.3)]);
    let verdict = Verdict::evaluate(&criteria, &both, &[]);
    assert_eq!(verdict.findings().iter().map(|f| f.criterion.as_str()).collect::<Vec<_>>(), ["errors"]);
    assert_eq!(Verdict::dry_run(&criteria, &both, &[]).len(), 1);
    // Missing data is a dry-run finding too, and nothing live.
    let silent = Verdict::dry_run(&criteria, &[], &[]);
    assert!(matches!(silent[..], [ref f] if f.outcome == Outcome::Inconclusive));
    // Stored and read back as a dry run; an old criterion reads as live.
    let json = serde_json::to_string(&trial).unwrap();
    assert!(json.ends_with(r#""dry_run":true}"#), "{json}");
    assert_eq!(serde_json::from_str::<RollbackCriterion>(&json).unwrap(), trial);
    assert!(!serde_json::to_string(&criteria[0]).unwrap().contains("dry_run"));
}

#[test]
fn a_flag_trips_the_criterion_it_was_raised_on_and_no_other() {
    let flag = |id: &str, severity| {
        RollbackCriterion::flag(id, &format!("{id} flagged"), CriterionKind::Custom, severity).unwrap()
    };
    let criteria = [
        flag("security", Severity::Critical),
        flag("integrity", Severity::Critical),
        flag("docs", Severity::Warning),
    ];
    let raised = |id: &str, evidence: &str| RaisedFlag {
        criterion: id.parse().unwrap(),
        evidence: evidence.into(),
        by: ada(),
        at: t(3),
    };
    assert!(Verdict::evaluate(&criteria, &[], &[]).is_healthy());
    let verdict = Verdict::evaluate(&criteria, &[], &[raised("integrity", "reconciliation failed")]);
    assert!(verdict.should_roll_back() && !verdict.is_healthy());
    let [finding] = verdict.findings() else { panic!("only the flagged criterion: {verdict}") };
    assert_eq!(finding.criterion.as_str(), "integrity");
    assert_eq!(finding.title, "integrity flagged");
    assert_eq!(
        finding.cause,
        Cause::Flagged { evidence: "reconciliation failed".into(), by: ada(), at: t(3) }
    );
    // Two flags: each finding cites its own evidence.
    let two = Verdict::evaluate(&criteria, &[], &[raised("docs", "stale"), raised("security", "CVE-1")]);
    let cited: Vec<(&str, Outcome, String)> = two
        .findings()
        .iter()
        .map(|f| match &f.cause {
            Cause::Flagged { evidence, .. } => (f.criterion.as_str(), f.outcome, evidence.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        cited,
        [
            ("security", Outcome::RollBack, "CVE-1".to_owned()),
            ("docs", Outcome::Inconclusive, "stale".to_owned())
        ]
    );
    // A warning's flag alone: inconclusive, which is not healthy either.
    let warning = Verdict::evaluate(&criteria, &[], &[raised("docs", "stale")]);
    assert!(!warning.is_healthy() && !warning.should_roll_back());
}

#[test]
fn a_release_reports_its_dry_runs_and_goes_out_regardless() {
    let mut criteria = release_workflow::Template::octoacme().criteria().to_vec();
    criteria.push(
        RollbackCriterion::threshold(
            "errors-strict",
            "Error rate above 0.5%",
            CriterionKind::Custom,
            Threshold::above("error_rate", 0.005).unwrap(),
            Severity::Critical,
        )
        .unwrap()
        .with_dry_run(true),
    );
    let template = release_workflow::Template::octoacme().with_criteria(criteria).unwrap();
    let mut release = common::planned_on(template);
    while release.stage() != release_workflow::Stage::Verifying {
        common::advance(&mut release, t(1));
    }
    common::complete_gate(&mut release, release_workflow::Gate::Release, t(2));
    common::record_healthy_signals(&mut release, t(2));
    assert!(release.verdict().is_healthy());
    let found = release.dry_run_findings();
    assert_eq!(found.iter().map(|f| f.criterion.as_str()).collect::<Vec<_>>(), ["errors-strict"]);
    let status = release.status();
    assert_eq!(status.health.as_ref().map(|health| health.dry_run.clone()), Some(found));
    let text = status.to_string();
    assert!(
        text.contains("  dry run    errors-strict \"Error rate above 0.5%\" (critical, roll back): 1 of 1"),
        "{text}"
    );
    release.advance_to(release_workflow::Stage::Released, &ada(), t(3)).unwrap();
}
