//! Rollback criteria, observations, flags, verdicts and the gates they hold.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{ada, at_stage, complete_gate, grace, record_healthy_signals, refused, t};
use release_workflow::{
    Actor, Gate, NextAction, Release, ReleaseError, Stage, Template,
    event::{EventKind, RollbackReason},
    health::{
        Bound, Cause, CriterionKind, HealthError, Missing, Observation, Outcome, RollbackCriterion, Severity,
        Threshold, Verdict, WhenMissing,
    },
    text::TextError,
};

fn bot() -> Actor {
    common::monitor()
}

/// A release on `template`, walked to `Verifying` with every item done.
fn verifying_with(template: Template) -> Release {
    let mut release = Release::builder()
        .version("1.2.0")
        .previous_version("1.1.4")
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .member(common::sam())
        .member(common::linus())
        .member(common::monitor())
        .template(template)
        .plan(t(0))
        .unwrap();
    while release.stage() != Stage::Verifying {
        common::advance(&mut release, t(1));
    }
    complete_gate(&mut release, Gate::Release, t(2));
    release
}

/// The OctoAcme checklist with `criteria` instead of its own.
fn octoacme_with(criteria: Vec<RollbackCriterion>) -> Template {
    Template::octoacme().with_criteria(criteria).unwrap()
}

fn threshold_criterion(id: &str, threshold: Threshold, severity: Severity) -> RollbackCriterion {
    RollbackCriterion::threshold(id, "test criterion", CriterionKind::Custom, threshold, severity).unwrap()
}

fn samples(signal: &str, values: &[f64]) -> Vec<Observation> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Observation::sample(signal, *v, "test", t(i as i64)).unwrap())
        .collect()
}

fn verdict(criteria: &[RollbackCriterion], observations: &[Observation]) -> Verdict {
    Verdict::evaluate(criteria, observations, &[])
}

#[test]
fn a_threshold_breaches_strictly_beyond_its_bound() {
    let above =
        [threshold_criterion("errors", Threshold::above("error_rate", 0.05).unwrap(), Severity::Critical)];
    assert!(verdict(&above, &samples("error_rate", &[0.05, 0.0, 0.049])).is_healthy());
    assert!(verdict(&above, &samples("error_rate", &[0.050_000_1])).should_roll_back());
    let below =
        [threshold_criterion("throughput", Threshold::below("rps", 100.0).unwrap(), Severity::Critical)];
    assert!(verdict(&below, &samples("rps", &[100.0, 150.0])).is_healthy());
    assert!(verdict(&below, &samples("rps", &[99.99])).should_roll_back());
}

#[test]
fn it_takes_the_configured_number_of_breaches_to_trip() {
    let criteria = [threshold_criterion(
        "errors",
        Threshold::above("error_rate", 0.05).unwrap().with_breaches_to_trip(3).unwrap(),
        Severity::Critical,
    )];
    assert!(verdict(&criteria, &samples("error_rate", &[0.09, 0.01, 0.2])).is_healthy());
    let tripped = verdict(&criteria, &samples("error_rate", &[0.09, 0.01, 0.2, 0.07, 0.3]));
    let Verdict::RollBack { findings } = &tripped else { panic!("{tripped}") };
    let Cause::Breached { needed, breaching, samples, tripped_by, bound, .. } = &findings[0].cause else {
        panic!("{tripped}")
    };
    assert_eq!((*needed, *breaching, *samples), (3, 4, 5));
    assert_eq!(bound.get(), 0.05);
    // The three earliest breaches tripped it, with their values and times.
    let cited: Vec<(f64, DateTime<Utc>)> = tripped_by.iter().map(|b| (b.value.get(), b.at)).collect();
    assert_eq!(cited, [(0.09, t(0)), (0.2, t(2)), (0.07, t(3))]);
    let text = tripped.to_string();
    assert!(text.contains("errors") && text.contains("4 of 5 error_rate samples breached 0.05"), "{text}");
    assert!(Threshold::above("x", 1.0).unwrap().with_breaches_to_trip(0).is_err());
    assert!(Threshold::above("x", 1.0).unwrap().with_breaches_to_trip(1001).is_err());
}

#[test]
fn baseline_bounds_use_the_latest_baseline() {
    let criteria = [threshold_criterion(
        "latency",
        Threshold::above_baseline("latency", 1.5).unwrap(),
        Severity::Critical,
    )];
    let mut observations = vec![
        Observation::baseline("latency", 100.0, "test", t(0)).unwrap(),
        Observation::baseline("latency", 200.0, "test", t(1)).unwrap(),
    ];
    observations.extend(samples("latency", &[300.0]));
    assert!(verdict(&criteria, &observations).is_healthy(), "300 is exactly 1.5 × 200");
    observations.push(Observation::sample("latency", 300.5, "test", t(5)).unwrap());
    let tripped = verdict(&criteria, &observations);
    let Cause::Breached { bound, baseline, .. } = &tripped.findings()[0].cause else { panic!("{tripped}") };
    assert_eq!((bound.get(), baseline.map(|b| b.get())), (300.0, Some(200.0)));
    assert!(Threshold::above_baseline("latency", 0.0).is_err());
    assert!(Threshold::above_baseline("latency", -1.0).is_err());
    assert_eq!(
        Threshold::above_baseline("latency", 2.0).unwrap().bound(),
        Bound::TimesBaseline(2.0.try_into().unwrap())
    );
}

#[test]
fn missing_data_follows_the_criterion_policy() {
    let with = |policy| {
        [threshold_criterion(
            "latency",
            Threshold::above_baseline("latency", 1.5).unwrap().with_when_missing(policy),
            Severity::Critical,
        )]
    };
    let no_data: [Observation; 0] = [];
    let baseline_only = [Observation::baseline("latency", 100.0, "test", t(0)).unwrap()];
    let samples_only = samples("latency", &[120.0]);
    assert!(verdict(&with(WhenMissing::Ignore), &no_data).is_healthy());
    assert!(verdict(&with(WhenMissing::Ignore), &samples_only).is_healthy());
    let inconclusive = verdict(&with(WhenMissing::Inconclusive), &baseline_only);
    let Verdict::Inconclusive { findings } = &inconclusive else { panic!("{inconclusive}") };
    assert_eq!(
        findings[0].cause,
        Cause::MissingData { signal: "latency".parse().unwrap(), missing: Missing::Samples }
    );
    let no_baseline = verdict(&with(WhenMissing::Inconclusive), &samples_only);
    assert!(matches!(
        &no_baseline.findings()[0].cause,
        Cause::MissingData { missing: Missing::Baseline, .. }
    ));
    assert!(verdict(&with(WhenMissing::Trip), &no_data).should_roll_back());
    assert!(
        verdict(&with(WhenMissing::Inconclusive), &no_data).to_string().contains("no baseline of latency")
    );
}

#[test]
fn warnings_make_a_verdict_inconclusive() {
    let criteria = [
        threshold_criterion("errors", Threshold::above("error_rate", 0.05).unwrap(), Severity::Critical),
        threshold_criterion("slow", Threshold::above("latency", 500.0).unwrap(), Severity::Warning),
    ];
    let mut observations = samples("error_rate", &[0.01]);
    observations.extend(samples("latency", &[700.0]));
    let warned = verdict(&criteria, &observations);
    let Verdict::Inconclusive { findings } = &warned else { panic!("{warned}") };
    assert_eq!((findings[0].criterion.as_str(), findings[0].outcome), ("slow", Outcome::Inconclusive));
    observations.extend(samples("error_rate", &[0.5]));
    let both = verdict(&criteria, &observations);
    assert!(both.should_roll_back());
    assert_eq!(both.findings().len(), 2, "a roll-back verdict still lists the warnings");
}

#[test]
fn a_warning_after_release_shows_undecided_in_the_summary() {
    let criteria = vec![threshold_criterion(
        "slow",
        Threshold::above("latency", 500.0).unwrap().with_when_missing(WhenMissing::Ignore),
        Severity::Warning,
    )];
    let mut release = verifying_with(octoacme_with(criteria));
    release.advance_to(Stage::Released, &ada(), t(3)).unwrap();
    assert!(release.to_string().contains("health     healthy (0 observations)"), "{release}");
    release.observe("latency", 700.0, "p", &bot(), t(4)).unwrap();
    let text = release.to_string();
    assert!(text.contains("health     inconclusive\n               - slow"), "{text}");
    assert!(!text.contains("risk accepted"), "nobody accepted this risk: {text}");
    let health = release.status().health.unwrap();
    assert!(health.decisions.is_empty() && matches!(health.verdict, Verdict::Inconclusive { .. }));
}

#[test]
fn octoacme_criteria_need_data_before_release() {
    let mut release = at_stage(Stage::Verifying);
    complete_gate(&mut release, Gate::Release, t(10));
    let error = refused(&release, |r| r.advance_to(Stage::Released, &ada(), t(11)).map(drop));
    let ReleaseError::TransitionBlocked { open, health: Some(Verdict::Inconclusive { findings }), .. } =
        &error
    else {
        panic!("{error}")
    };
    assert!(open.is_empty());
    let ids: Vec<&str> = findings.iter().map(|f| f.criterion.as_str()).collect();
    assert_eq!(ids, ["error-rate", "latency-p95", "critical-flow-failures"]);
    assert!(error.to_string().contains("accept the risk"), "{error}");
    record_healthy_signals(&mut release, t(12));
    assert!(release.verdict().is_healthy());
    release.advance_to(Stage::Released, &ada(), t(13)).unwrap();
}

#[test]
fn a_rollback_verdict_refuses_release_naming_the_criteria() {
    let mut release = at_stage(Stage::Verifying);
    record_healthy_signals(&mut release, t(10));
    release.observe("error_rate", 0.08, "prometheus", &bot(), t(11)).unwrap();
    release.observe("error_rate", 0.12, "prometheus", &bot(), t(12)).unwrap();
    assert!(release.verdict().should_roll_back());
    let error = refused(&release, |r| r.advance_to(Stage::Released, &ada(), t(13)).map(drop));
    let message = error.to_string();
    assert!(message.contains("6 release items are not settled"), "{message}");
    assert!(
        message.contains("error-rate") && message.contains("0.12 at 2026-11-30 09:12:00 UTC"),
        "{message}"
    );
    // The way forward in words, and as data for tools; never a method name.
    assert!(message.contains("roll the release back on the criteria that tripped"), "{message}");
    assert!(!message.contains('`') && !message.contains("roll_back"), "{message}");
    assert_eq!(error.next_actions(), [NextAction::SettleItems, NextAction::RollBackOnCriteria]);
    complete_gate(&mut release, Gate::Release, t(13));
    let error = refused(&release, |r| r.advance_to(Stage::Released, &ada(), t(13)).map(drop));
    assert!(
        matches!(error, ReleaseError::TransitionBlocked { ref open, health: Some(Verdict::RollBack { .. }), .. } if open.is_empty())
    );
    let error = refused(&release, |r| r.accept_risk("ship it anyway", &ada(), t(14)).map(drop));
    assert!(matches!(error, ReleaseError::NothingToDecide { verdict: Verdict::RollBack { .. } }), "{error}");
    assert_eq!(error.next_actions(), [NextAction::RollBackOnCriteria]);
}

#[test]
fn an_inconclusive_verdict_is_resolved_by_a_recorded_decision() {
    let template = octoacme_with(vec![
        threshold_criterion("errors", Threshold::above("error_rate", 0.05).unwrap(), Severity::Critical),
        threshold_criterion("slow", Threshold::above("latency", 500.0).unwrap(), Severity::Warning),
        threshold_criterion(
            "queue",
            Threshold::above("queue", 1000.0).unwrap().with_when_missing(WhenMissing::Ignore),
            Severity::Warning,
        ),
    ]);
    let mut release = verifying_with(template);
    release.observe("error_rate", 0.01, "prometheus", &bot(), t(3)).unwrap();
    release.observe("latency", 650.0, "prometheus", &bot(), t(3)).unwrap();
    assert!(matches!(
        release.advance_to(Stage::Released, &ada(), t(4)),
        Err(ReleaseError::TransitionBlocked { .. })
    ));

    let error = refused(&release, |r| r.accept_risk(" ", &ada(), t(4)).map(drop));
    assert!(matches!(error, ReleaseError::Text(TextError::InvalidText { .. })));
    release.accept_risk("known slow path behind a flag; fix in 1.2.1", &ada(), t(4)).unwrap();
    let decision = &release.risk_decisions()[0];
    assert_eq!(decision.criteria.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["slow"]);
    assert_eq!((&decision.by, decision.at), (&ada(), t(4)));
    assert!(matches!(release.events().last().unwrap().what, EventKind::RiskAccepted { .. }));
    let error = refused(&release, |r| r.accept_risk("again", &ada(), t(5)).map(drop));
    assert!(matches!(error, ReleaseError::NothingToDecide { .. }));
    assert!(error.next_actions().is_empty(), "nothing to decide, nothing to do");

    // A new warning needs a decision of its own.
    release.observe("queue", 5000.0, "prometheus", &bot(), t(5)).unwrap();
    let error = refused(&release, |r| r.advance_to(Stage::Released, &ada(), t(6)).map(drop));
    let ReleaseError::TransitionBlocked { health: Some(Verdict::Inconclusive { findings }), .. } = &error
    else {
        panic!("{error}")
    };
    assert_eq!(findings.iter().map(|f| f.criterion.as_str()).collect::<Vec<_>>(), ["queue"]);
    release.accept_risk("queue drains overnight", &ada(), t(6)).unwrap();
    release.advance_to(Stage::Released, &ada(), t(7)).unwrap();

    let healthy = at_stage(Stage::Released);
    let mut verifying = at_stage(Stage::Verifying);
    record_healthy_signals(&mut verifying, t(30));
    let error = refused(&verifying, |r| r.accept_risk("nothing", &ada(), t(31)).map(drop));
    assert!(error.to_string().contains("the release is healthy"), "{error}");
    assert!(healthy.risk_decisions().is_empty());
}

#[test]
fn a_release_is_rolled_back_citing_the_tripped_criteria() {
    for stage in [Stage::Deploying, Stage::Verifying, Stage::Released] {
        let mut release = at_stage(stage);
        let error = refused(&release, |r| r.roll_back_on_criteria(&grace(), t(20)).map(drop));
        assert!(matches!(error, ReleaseError::NoCriterionTripped { .. }), "{error}");
        assert_eq!(error.next_actions(), [NextAction::RollBackWithReason]);
        release.observe("critical_flow_failures", 2.0, "synthetics", &bot(), t(20)).unwrap();
        let event = release.roll_back_on_criteria(&grace(), t(21)).unwrap().clone();
        let EventKind::RolledBack { from, reason: RollbackReason::Criteria { findings } } = &event.what
        else {
            panic!("{event}")
        };
        assert_eq!(*from, stage);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].criterion.as_str(), "critical-flow-failures");
        assert_eq!(findings[0].kind, CriterionKind::BusinessCriticalFlowsFailing);
        assert_eq!(release.stage(), Stage::RolledBack);
        assert!(release.item_status("rollback.decision-made").unwrap().is_settled());
        let summary = release.to_string();
        assert!(
            summary.contains(&format!("rolled back from {stage} by Grace Hopper, on tripped criteria:")),
            "{summary}"
        );
        assert!(
            summary.contains("- critical-flow-failures \"A business-critical flow failed its check\""),
            "{summary}"
        );
    }
    for stage in [Stage::Planned, Stage::Frozen] {
        let release = at_stage(stage);
        let error = refused(&release, |r| r.roll_back_on_criteria(&grace(), t(20)).map(drop));
        assert!(
            matches!(
                error,
                ReleaseError::NoCriterionTripped { .. } | ReleaseError::TransitionNotAllowed { .. }
            ),
            "{error}"
        );
    }
}

#[test]
fn flags_are_raised_with_evidence_and_cleared_with_a_reason() {
    let mut release = at_stage(Stage::Verifying);
    record_healthy_signals(&mut release, t(10));
    let security = common::sam();
    let error = refused(&release, |r| r.raise_flag("security-vulnerability", "", &security, t(11)).map(drop));
    assert!(matches!(error, ReleaseError::Text(TextError::InvalidText { .. })));
    let error = refused(&release, |r| r.raise_flag("error-rate", "high", &security, t(11)).map(drop));
    assert!(error.to_string().contains("record observations of its signal instead"), "{error}");
    let error = refused(&release, |r| r.raise_flag("security", "x", &security, t(11)).map(drop));
    assert!(error.to_string().contains("security-vulnerability"), "lists the known criteria: {error}");
    let error = refused(&release, |r| r.clear_flag("data-integrity", "fine", &grace(), t(11)).map(drop));
    assert!(matches!(error, ReleaseError::FlagNotRaised { .. }));

    release
        .raise_flag("security-vulnerability", "CVE-2026-1234 in the new parser", &security, t(11))
        .unwrap();
    let verdict = release.verdict();
    let Verdict::RollBack { findings } = &verdict else { panic!("{verdict}") };
    assert_eq!(
        findings[0].cause,
        Cause::Flagged {
            evidence: "CVE-2026-1234 in the new parser".into(),
            by: security.clone(),
            at: t(11)
        }
    );
    let error =
        refused(&release, |r| r.raise_flag("security-vulnerability", "again", &ada(), t(12)).map(drop));
    assert!(matches!(error, ReleaseError::FlagAlreadyRaised { .. }));
    release
        .clear_flag("security-vulnerability", "false positive: parser not reachable", &grace(), t(12))
        .unwrap();
    assert!(release.verdict().is_healthy());
    assert!(release.raised_flags().is_empty());
}

#[test]
fn bad_observations_are_refused() {
    let release = at_stage(Stage::Verifying);
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let error = refused(&release, |r| r.observe("error_rate", value, "p", &bot(), t(10)).map(drop));
        assert!(matches!(error, ReleaseError::Health(HealthError::NotFinite { .. })), "{error}");
    }
    let error = refused(&release, |r| r.observe("cpu", 0.5, "p", &bot(), t(10)).map(drop));
    assert!(
        error.to_string().contains("`cpu`")
            && error.to_string().contains("error_rate, latency_p95_ms, critical_flow_failures"),
        "{error}"
    );
    for signal in ["", "Error Rate", "1st", "error rate"] {
        let error = refused(&release, |r| r.observe(signal, 0.5, "p", &bot(), t(10)).map(drop));
        assert!(
            matches!(error, ReleaseError::Health(HealthError::InvalidSignal { .. })),
            "{signal}: {error}"
        );
    }
    let error = refused(&release, |r| r.observe("error_rate", 0.5, "", &bot(), t(10)).map(drop));
    assert!(matches!(error, ReleaseError::Text(TextError::InvalidText { .. })));
    let error = refused(&release, |r| r.observe("error_rate", 0.5, "p", &bot(), t(-10)).map(drop));
    assert!(matches!(error, ReleaseError::TimeWentBackwards { .. }));
}

#[test]
fn observations_are_kept_only_while_the_release_is_watched() {
    for stage in [Stage::Planned, Stage::Frozen] {
        let release = at_stage(stage);
        let error = refused(&release, |r| r.observe("error_rate", 0.01, "p", &bot(), t(10)).map(drop));
        assert!(matches!(error, ReleaseError::NotMonitoring { stage: s, .. } if s == stage), "{error}");
        let mut early = release.clone();
        early.record_baseline("latency_p95_ms", 180.0, "p", &bot(), t(10)).unwrap();
    }
    let mut released = at_stage(Stage::Released);
    let closes = released.monitoring_window_closes_at().unwrap();
    released.observe("error_rate", 0.01, "p", &bot(), closes - TimeDelta::seconds(1)).unwrap();
    let error = refused(&released, |r| r.observe("error_rate", 0.01, "p", &bot(), closes).map(drop));
    assert!(matches!(error, ReleaseError::NotMonitoring { .. }), "{error}");
    let error =
        refused(&released, |r| r.record_baseline("latency_p95_ms", 1.0, "p", &bot(), closes).map(drop));
    assert!(matches!(error, ReleaseError::NotMonitoring { .. }), "{error}");
    let mut rolled_back = at_stage(Stage::Verifying);
    rolled_back.roll_back("bad", &ada(), t(30)).unwrap();
    let error = refused(&rolled_back, |r| r.observe("error_rate", 0.01, "p", &bot(), t(31)).map(drop));
    assert!(error.to_string().contains("rolled-back"), "{error}");
}

#[test]
fn criteria_are_data_that_round_trip_and_validate() {
    let criteria = Template::octoacme().criteria().to_vec();
    let json = serde_json::to_string(&criteria).unwrap();
    assert_eq!(serde_json::from_str::<Vec<RollbackCriterion>>(&json).unwrap(), criteria);
    let toml_text = r#"
        id = "error-rate"
        title = "Error rate above 2%"
        kind = "critical-functionality-broken"
        severity = "warning"
        [trigger.threshold]
        signal = "error_rate"
        comparison = "above"
        bound = { absolute = 0.02 }
        breaches_to_trip = 3
        when_missing = "ignore"
    "#;
    let criterion: RollbackCriterion = toml::from_str(toml_text).unwrap();
    assert_eq!(criterion.as_threshold().unwrap().to_string(), "error_rate > 0.02 (3 samples trip it)");
    for bad in [
        toml_text.replace("bound = { absolute = 0.02 }", "bound = { times-baseline = 0.0 }"),
        toml_text.replace("breaches_to_trip = 3", "breaches_to_trip = 0"),
        toml_text.replace("\"error-rate\"", "\"Error Rate\""),
        toml_text.replace("\"Error rate above 2%\"", "\"\""),
        toml_text.replace("\"error_rate\"", "\"error rate\""),
    ] {
        assert!(toml::from_str::<RollbackCriterion>(&bad).is_err(), "{bad}");
    }
    let twice = Template::octoacme().with_criteria(vec![criterion.clone(), criterion]).unwrap_err();
    assert!(twice.to_string().contains("`error-rate` appears twice"), "{twice}");
    let nan_json = r#"{"signal":"x","value":NaN,"source":"s","at":"2026-01-01T00:00:00Z"}"#;
    assert!(serde_json::from_str::<Observation>(nan_json).is_err());
}

#[test]
fn a_forged_rollback_citation_does_not_replay() {
    let mut release = at_stage(Stage::Verifying);
    release.observe("critical_flow_failures", 1.0, "synthetics", &bot(), t(20)).unwrap();
    release.roll_back_on_criteria(&ada(), t(21)).unwrap();
    let mut events = release.events().to_vec();
    // Remove the observation that tripped the criterion: the citation no longer holds.
    let observed = events.iter().position(|e| matches!(e.what, EventKind::Observed { .. })).unwrap();
    events.remove(observed);
    let error = Release::replay(events, &release_workflow::release::Trust::default()).unwrap_err();
    assert!(error.to_string().contains("no critical rollback criterion has tripped"), "{error}");
}
