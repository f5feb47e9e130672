//! Health signals as monitoring tools deliver them: measured before they
//! are recorded, in batches, judged on the verify gate, and baselines from
//! the service's previous release.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{ada, at_stage, complete_gate, grace, linus, monitor, refused, t, team_builder};
use release_workflow::{
    Event, Gate, NextAction, Release, ReleaseError, Stage, Template,
    event::EventKind,
    health::{CriterionKind, Observation, ObservationKind, RollbackCriterion, Severity, Threshold},
    release::MAX_OBSERVATIONS_PER_EVENT,
};

fn sample(signal: &str, value: f64, measured: DateTime<Utc>) -> Observation {
    Observation::sample(signal, value, "prometheus", measured).unwrap()
}

fn seconds(minute: i64, second: i64) -> DateTime<Utc> {
    t(minute) + TimeDelta::seconds(second)
}

/// `at_stage(stage)` entered `Deploying` at t(2), `Verifying` at t(3) and
/// `Released` at t(4).
fn verifying() -> Release {
    at_stage(Stage::Verifying)
}

#[test]
fn a_sample_measured_before_the_last_event_is_accepted_when_it_arrives() {
    // The issue's case: measured while deploying, delivered after the move to verifying.
    let mut release = verifying();
    let measured = seconds(2, 30);
    let error =
        refused(&release, |r| r.observe("error_rate", 0.2, "prometheus", &monitor(), measured).map(drop));
    assert!(matches!(error, ReleaseError::TimeWentBackwards { .. }), "{error}");
    let event = release.record_observation(sample("error_rate", 0.2, measured), &monitor(), t(5)).unwrap();
    assert_eq!(event.at, t(5));
    let EventKind::Observed { measured_at, .. } = &event.what else { panic!("{event:?}") };
    assert_eq!(*measured_at, Some(measured));
    assert_eq!(
        event.what.to_string(),
        "observed error_rate = 0.2 from prometheus, measured 2026-11-30 09:02:30 UTC",
    );
    // The observation is judged at its measured time.
    let kept = release.observations().last().unwrap();
    assert_eq!((kept.at(), kept.value().get()), (measured, 0.2));
    // Recorded as it is measured, the event says nothing more.
    let now = release.record_observation(sample("error_rate", 0.01, t(6)), &monitor(), t(6)).unwrap();
    assert!(matches!(now.what, EventKind::Observed { measured_at: None, .. }));
    assert_eq!(common::round_trip(&release), release);
}

#[test]
fn a_sample_counts_only_if_measured_while_the_release_was_watched() {
    let release = verifying();
    // Frozen at t(1), deploying from t(2).
    let early = refused(&release, |r| {
        r.record_observation(sample("error_rate", 0.2, seconds(1, 59)), &monitor(), t(5)).map(drop)
    });
    assert_eq!(
        early,
        ReleaseError::MeasuredOutsideMonitoring { measured_at: seconds(1, 59), stage: Stage::Frozen }
    );
    assert!(
        early.to_string().contains("measured at 2026-11-30 09:01:59 UTC, when the release was frozen"),
        "{early}"
    );
    let planned = refused(&release, |r| {
        r.record_observation(sample("error_rate", 0.2, t(-5)), &monitor(), t(5)).map(drop)
    });
    assert!(matches!(planned, ReleaseError::MeasuredOutsideMonitoring { stage: Stage::Planned, .. }));
    let mut copy = release.clone();
    copy.record_observation(sample("error_rate", 0.2, t(2)), &monitor(), t(5)).unwrap();
    // Not after it is recorded.
    let future = refused(&release, |r| {
        r.record_observation(sample("error_rate", 0.2, t(9)), &monitor(), t(5)).map(drop)
    });
    assert_eq!(future, ReleaseError::MeasuredAfterRecorded { measured_at: t(9), recorded_at: t(5) });
    assert!(future.to_string().contains("before it was measured"), "{future}");
    // A baseline needs no monitoring, only a stage before release.
    copy.record_observation(
        Observation::baseline("latency_p95_ms", 200.0, "prometheus", t(-60)).unwrap(),
        &monitor(),
        t(6),
    )
    .unwrap();
}

#[test]
fn late_samples_of_a_rolled_back_or_released_release_count_until_it_stopped_being_watched() {
    let mut rolled = verifying();
    rolled.roll_back("error spike", &grace(), t(10)).unwrap();
    // Measured before the rollback: part of the story, accepted.
    rolled.record_observation(sample("error_rate", 0.4, t(9)), &monitor(), t(11)).unwrap();
    let after = refused(&rolled, |r| {
        r.record_observation(sample("error_rate", 0.4, t(10)), &monitor(), t(11)).map(drop)
    });
    assert!(
        matches!(after, ReleaseError::MeasuredOutsideMonitoring { stage: Stage::RolledBack, .. }),
        "{after}"
    );
    // Recorded as measured after the rollback: refused as before.
    let now = refused(&rolled, |r| r.observe("error_rate", 0.4, "prometheus", &monitor(), t(12)).map(drop));
    assert!(matches!(now, ReleaseError::NotMonitoring { stage: Stage::RolledBack, .. }), "{now}");

    let mut released = at_stage(Stage::Released);
    let closes = released.monitoring_window_closes_at().unwrap();
    let late = closes + TimeDelta::hours(2);
    released
        .record_observation(sample("error_rate", 0.01, closes - TimeDelta::seconds(1)), &monitor(), late)
        .unwrap();
    let error = refused(&released, |r| {
        r.record_observation(sample("error_rate", 0.01, closes), &monitor(), late).map(drop)
    });
    assert!(
        matches!(error, ReleaseError::MeasuredOutsideMonitoring { stage: Stage::Released, .. }),
        "{error}"
    );
    assert_eq!(common::round_trip(&released), released);
}

#[test]
fn the_verdict_judges_late_samples_by_when_they_were_measured() {
    let recent = RollbackCriterion::threshold(
        "errors",
        "Error rate above 5% in the last 10 minutes",
        CriterionKind::CriticalFunctionalityBroken,
        Threshold::above("error_rate", 0.05).unwrap().with_evaluation_window(TimeDelta::minutes(10)).unwrap(),
        Severity::Critical,
    )
    .unwrap();
    let template = Template::octoacme().without_policy().with_criteria(vec![recent]).unwrap();
    let mut release = common::planned_on(template);
    while release.stage() != Stage::Verifying {
        common::advance(&mut release, t(2));
    }
    release.observe("error_rate", 0.01, "prometheus", &monitor(), t(30)).unwrap();
    // A breach measured at 09:05 and delivered at 09:31 is outside the window ending at 09:30.
    release.record_observation(sample("error_rate", 0.3, t(5)), &monitor(), t(31)).unwrap();
    assert!(release.verdict().is_healthy(), "{}", release.verdict());
    // One measured at 09:25 is inside it, whenever it arrives.
    release.record_observation(sample("error_rate", 0.3, t(25)), &monitor(), t(32)).unwrap();
    assert!(release.verdict().should_roll_back());
    let replayed = Release::replay(release.events().to_vec(), &common::trusting(&release)).unwrap();
    assert_eq!(replayed.verdict(), release.verdict());
}

#[test]
fn a_batch_is_recorded_all_or_none() {
    let release = verifying();
    let export = vec![
        sample("error_rate", 0.01, t(3)),
        sample("error_rate", 0.02, seconds(3, 30)),
        sample("latency_p95_ms", 180.0, t(4)),
    ];
    let mut recorded = release.clone();
    let event = recorded.record_observations(export.clone(), &monitor(), t(5)).unwrap();
    assert_eq!(
        event.what.to_string(),
        "recorded 3 samples of error_rate, latency_p95_ms from prometheus, measured \
         2026-11-30 09:03:00 UTC to 2026-11-30 09:04:00 UTC"
    );
    assert_eq!(recorded.events().len(), release.events().len() + 1, "one event for the batch");
    assert_eq!(recorded.observations()[release.observations().len()..], export[..]);
    assert_eq!(common::round_trip(&recorded), recorded);

    // One bad observation refuses the batch, naming its position; nothing is recorded.
    let mut bad = export.clone();
    bad.insert(1, sample("cpu", 0.5, t(3)));
    let error = refused(&release, |r| r.record_observations(bad, &monitor(), t(5)).map(drop));
    let ReleaseError::BatchRefused { index, count, source } = &error else { panic!("{error:?}") };
    assert_eq!((*index, *count), (1, 4));
    assert!(matches!(**source, ReleaseError::UnknownSignal { .. }));
    assert!(
        error
            .to_string()
            .starts_with("observation 2 of 4 in the batch is refused, so none of it was recorded: "),
        "{error}"
    );
    let early = vec![sample("error_rate", 0.01, t(3)), sample("error_rate", 0.01, t(1))];
    let error = refused(&release, |r| r.record_observations(early, &monitor(), t(5)).map(drop));
    assert!(
        matches!(&error, ReleaseError::BatchRefused { index: 1, source, .. }
        if matches!(**source, ReleaseError::MeasuredOutsideMonitoring { .. })),
        "{error:?}"
    );

    let error = refused(&release, |r| r.record_observations(Vec::new(), &monitor(), t(5)).map(drop));
    assert!(
        error.to_string().contains("a batch of 0 observations cannot be recorded: it is empty"),
        "{error}"
    );
    let flood = vec![sample("error_rate", 0.01, t(3)); MAX_OBSERVATIONS_PER_EVENT + 1];
    let error = refused(&release, |r| r.record_observations(flood, &monitor(), t(5)).map(drop));
    assert!(
        matches!(error, ReleaseError::InvalidBatch { count, .. } if count == MAX_OBSERVATIONS_PER_EVENT + 1)
    );
    let full = vec![sample("error_rate", 0.01, t(3)); MAX_OBSERVATIONS_PER_EVENT];
    release.clone().record_observations(full, &monitor(), t(5)).unwrap();
    // Who may observe may record a batch; nobody else.
    let error = refused(&release, |r| r.record_observations(export, &common::sam(), t(5)).map(drop));
    assert!(error.next_actions().contains(&NextAction::ActAsPermittedRole), "{error}");
}

#[test]
fn a_forged_batch_does_not_replay() {
    let mut release = verifying();
    release.record_observations(vec![sample("error_rate", 0.01, t(3))], &monitor(), t(5)).unwrap();
    let mut events: Vec<Event> = release.events().to_vec();
    let position = events.len() - 1;
    let last = events.last_mut().unwrap();
    last.what = EventKind::ObservedBatch {
        observations: vec![sample("error_rate", 0.01, t(3)), sample("error_rate", 0.5, t(0))],
    };
    let error = Release::replay(events, &common::trusting(&release)).unwrap_err();
    let ReleaseError::Replay { position: at, source } = &error else { panic!("{error:?}") };
    assert_eq!(*at, position);
    assert!(matches!(**source, ReleaseError::BatchRefused { index: 1, .. }), "{error}");
}

/// A release at `Deploying` whose error rate breached twice: OctoAcme's
/// verdict says roll back.
fn deploying_and_failing(template: Template) -> Release {
    let mut release = common::planned_on(template);
    while release.stage() != Stage::Deploying {
        common::advance(&mut release, t(1));
    }
    release.observe("error_rate", 0.3, "prometheus", &monitor(), t(2)).unwrap();
    release.observe("error_rate", 0.4, "prometheus", &monitor(), t(3)).unwrap();
    complete_gate(&mut release, Gate::Verify, t(3));
    assert!(release.verdict().should_roll_back());
    release
}

#[test]
fn octoacme_will_not_verify_a_release_its_criteria_condemn() {
    let release = deploying_and_failing(Template::octoacme());
    let error = refused(&release, |r| r.advance_to(Stage::Verifying, &ada(), t(4)).map(drop));
    let ReleaseError::TransitionBlocked { gate, open, health, .. } = &error else { panic!("{error:?}") };
    assert_eq!((*gate, open.len()), (Gate::Verify, 0));
    assert!(health.as_ref().is_some_and(|verdict| verdict.should_roll_back()));
    assert!(error.to_string().contains("the release's health says roll back"), "{error}");
    assert_eq!(error.next_actions(), [NextAction::RollBackOnCriteria]);
    assert_eq!(release.check_advance(Stage::Verifying), Err(error));
    // Rolling back is what is left.
    release.clone().roll_back_on_criteria(&grace(), t(4)).unwrap();
    // A checklist without the check moves on: the release gate still holds.
    let mut unchecked = deploying_and_failing(Template::octoacme().with_health_check_on_verify(false));
    unchecked.advance_to(Stage::Verifying, &ada(), t(4)).unwrap();
    complete_gate(&mut unchecked, Gate::Release, t(4));
    assert!(unchecked.advance_to(Stage::Released, &ada(), t(5)).is_err());
    // An inconclusive verdict (no data yet) does not block verifying.
    assert!(!verifying().verdict().is_healthy());
}

#[test]
fn the_health_check_on_verify_is_part_of_the_checklist() {
    let octoacme = Template::octoacme();
    let off = octoacme.clone().with_health_check_on_verify(false);
    assert!(octoacme.checks_health_on_verify() && !off.checks_health_on_verify());
    assert_ne!(octoacme.fingerprint(), off.fingerprint());
    assert_eq!(octoacme.clone().with_health_check_on_verify(true), octoacme);
    let json = serde_json::to_string(&octoacme).unwrap();
    assert!(json.contains(r#""health_check_on_verify":true"#));
    assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), octoacme);
    assert!(!serde_json::to_string(&off).unwrap().contains("health_check_on_verify"));
    let differences: Vec<String> = off.differences_from(&octoacme).iter().map(ToString::to_string).collect();
    assert_eq!(differences, ["it does not check health on the verify gate"]);
    // Markdown carries it in the settings block.
    let read =
        Template::from_markdown(&octoacme.to_markdown(), &release_workflow::checklist::MarkdownImport::new())
            .unwrap();
    assert_eq!(read, octoacme);
    // The settings block is written when there is something to say, and only then.
    let small = || Template::builder("Small").section("S").item("s.done", "Done", Gate::Deploy);
    let import = release_workflow::checklist::MarkdownImport::new();
    let checked = small().health_check_on_verify().build().unwrap();
    assert!(checked.to_markdown().contains(r#""health_check_on_verify": true"#), "{}", checked.to_markdown());
    assert_eq!(Template::from_markdown(&checked.to_markdown(), &import).unwrap(), checked);
    let plain = small().build().unwrap();
    assert!(!plain.to_markdown().contains("## Settings"), "{}", plain.to_markdown());
    assert_eq!(Template::from_markdown(&plain.to_markdown(), &import).unwrap(), plain);
    let criterion = release_workflow::health::RollbackCriterion::flag(
        "cve",
        "CVE found",
        CriterionKind::Custom,
        Severity::Critical,
    )
    .unwrap();
    let with_criteria = small().criterion(criterion).build().unwrap();
    assert_eq!(Template::from_markdown(&with_criteria.to_markdown(), &import).unwrap(), with_criteria);
    let built = Template::builder("Small")
        .section("S")
        .item("s.done", "Done", Gate::Deploy)
        .health_check_on_verify()
        .build()
        .unwrap();
    assert!(built.checks_health_on_verify());
}

/// Release `version` of checkout, released with healthy signals and these
/// p95 latency samples (none: its missing latency accepted as a risk).
fn released(version: &str, latencies: &[f64]) -> Release {
    let mut release = team_builder()
        .version(version)
        .template(Template::octoacme())
        .member(common::sam())
        .member(linus())
        .member(monitor())
        .plan(t(0))
        .unwrap();
    while release.stage() != Stage::Verifying {
        common::advance(&mut release, t(1));
    }
    complete_gate(&mut release, Gate::Release, t(2));
    release.observe("error_rate", 0.01, "prometheus", &monitor(), t(2)).unwrap();
    release.observe("critical_flow_failures", 0.0, "synthetics", &monitor(), t(2)).unwrap();
    if !latencies.is_empty() {
        release.record_baseline("latency_p95_ms", 200.0, "prometheus", &monitor(), t(2)).unwrap();
    }
    for (second, latency) in (0..).zip(latencies) {
        release.observe("latency_p95_ms", *latency, "prometheus", &monitor(), seconds(2, second)).unwrap();
    }
    if release.undecided_health().is_some() {
        release.accept_risk("no latency data yet", &ada(), t(3)).unwrap();
    }
    release.advance_to(Stage::Released, &ada(), t(3)).unwrap();
    release
}

#[test]
fn baselines_come_from_the_previous_healthy_release_of_the_service() {
    let previous = released("2.3.0", &[250.0, 190.0, 230.0, 210.0]);
    let mut release = common::planned();
    let event = release.record_baselines_from(&previous, &monitor(), t(5)).unwrap();
    let EventKind::ObservedBatch { observations } = &event.what else { panic!("{event:?}") };
    let [baseline] = &observations[..] else { panic!("one baseline signal in OctoAcme: {observations:?}") };
    assert_eq!(baseline.kind(), ObservationKind::Baseline);
    assert_eq!(baseline.signal().as_str(), "latency_p95_ms");
    assert_eq!(baseline.value().get(), 220.0, "the median of 190, 210, 230, 250");
    assert_eq!(baseline.source(), "release 2.3.0, median of 4 samples");
    assert_eq!(baseline.at(), seconds(2, 3), "measured when the newest sample was");
    assert!(
        event.to_string().contains("recorded 1 baseline of latency_p95_ms from release 2.3.0"),
        "{event}"
    );
    // An odd count's median is its middle value.
    let odd = released("2.3.0", &[300.0, 100.0, 200.0]);
    let mut other = common::planned();
    other.record_baselines_from(&odd, &monitor(), t(5)).unwrap();
    assert_eq!(other.observations()[0].value().get(), 200.0);
    // The threshold judges samples against it: 1.5 × 220 = 330.
    while release.stage() != Stage::Verifying {
        common::advance(&mut release, t(6));
    }
    for minute in 7..10 {
        release.observe("latency_p95_ms", 331.0, "prometheus", &monitor(), t(minute)).unwrap();
    }
    assert!(
        release.verdict().to_string().contains("breached 330 (from baseline 220)"),
        "{}",
        release.verdict()
    );
    assert_eq!(common::round_trip(&release), release);
}

#[test]
fn baselines_are_refused_from_a_release_that_cannot_give_them() {
    let release = common::planned();
    let problem = |previous: &Release| {
        let error = refused(&release, |r| r.record_baselines_from(previous, &monitor(), t(5)).map(drop));
        let ReleaseError::NoPreviousBaseline { version, problem } = &error else { panic!("{error:?}") };
        assert_eq!(version, &previous.version().to_string());
        problem.clone()
    };
    let other_service =
        team_builder().service("search").version("2.3.0").template(Template::octoacme()).plan(t(0)).unwrap();
    assert!(problem(&other_service).contains("it is of search, this release of checkout"));
    assert!(problem(&released("2.4.0", &[200.0])).contains("not older than this release (2.4.0)"));
    assert!(problem(&released("2.5.0", &[200.0])).contains("not older"));
    assert!(problem(&released_then_rolled_back()).contains("it is rolled-back, not released"));
    let mut unhealthy = released("2.3.0", &[200.0]);
    for minute in 4..7 {
        unhealthy.observe("latency_p95_ms", 900.0, "prometheus", &monitor(), t(minute)).unwrap();
    }
    assert!(problem(&unhealthy).contains("its health is not settled (roll back"));
    let silent = released("2.3.0", &[]);
    assert!(problem(&silent).contains("it has no sample of latency_p95_ms; record that baseline by hand"));
}

/// Release 2.3.0 of checkout, released and then rolled back.
fn released_then_rolled_back() -> Release {
    let mut release = released("2.3.0", &[200.0]);
    release.roll_back("customer reports", &grace(), t(4)).unwrap();
    release
}

#[test]
fn a_batch_says_what_it_holds() {
    let release = verifying();
    let described = |observations: Vec<Observation>| {
        let mut copy = release.clone();
        copy.record_observations(observations, &monitor(), t(5)).unwrap().what.to_string()
    };
    let baseline = |value: f64| Observation::baseline("latency_p95_ms", value, "grafana", t(3)).unwrap();
    assert_eq!(
        described(vec![sample("error_rate", 0.01, t(4))]),
        "recorded 1 sample of error_rate from prometheus, measured 2026-11-30 09:04:00 UTC"
    );
    assert_eq!(
        described(vec![baseline(200.0), baseline(210.0)]),
        "recorded 2 baselines of latency_p95_ms from grafana, measured 2026-11-30 09:03:00 UTC"
    );
    assert_eq!(
        described(vec![baseline(200.0), sample("error_rate", 0.01, t(4))]),
        "recorded 2 observations of error_rate, latency_p95_ms from grafana, prometheus, measured \
         2026-11-30 09:03:00 UTC to 2026-11-30 09:04:00 UTC"
    );
}
