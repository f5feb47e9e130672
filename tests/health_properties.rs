//! Properties of the verdict over random observations.

mod common;

use chrono::TimeDelta;
use common::{ada, at_stage, complete_gate, t};
use proptest::prelude::*;
use release_workflow::{
    Gate, Release, Stage, Template,
    health::{CriterionKind, Observation, RaisedFlag, RollbackCriterion, Severity, Threshold, Verdict},
};

const SIGNALS: [&str; 3] = ["error_rate", "latency_p95_ms", "critical_flow_failures"];

fn observation() -> impl Strategy<Value = Observation> {
    (
        0..SIGNALS.len(),
        prop_oneof![0.0..0.1f64, 0.0..500.0f64, Just(0.0), Just(0.05)],
        any::<bool>(),
        0i64..600,
    )
        .prop_map(|(signal, value, baseline, minute)| {
            let make = if baseline { Observation::baseline } else { Observation::sample };
            make(SIGNALS[signal], value, "prometheus", t(minute)).unwrap()
        })
}

fn flags() -> impl Strategy<Value = Vec<RaisedFlag>> {
    proptest::sample::subsequence(vec!["security-vulnerability", "data-integrity"], 0..=2).prop_map(|ids| {
        ids.into_iter()
            .map(|id| RaisedFlag {
                criterion: id.parse().unwrap(),
                evidence: "evidence".into(),
                by: ada(),
                at: t(1),
            })
            .collect()
    })
}

/// A sample of `signal` that breaches its OctoAcme bound, given `observations`.
fn breaching(signal: &str, observations: &[Observation]) -> Observation {
    let value = match signal {
        "error_rate" => 0.5,
        "critical_flow_failures" => 1.0,
        _ => {
            let latest = observations
                .iter()
                .filter(|o| {
                    o.signal().as_str() == signal
                        && o.kind() == release_workflow::health::ObservationKind::Baseline
                })
                .map(|o| o.value().get())
                .fold(0.0, f64::max);
            latest * 1.5 + 1.0
        }
    };
    Observation::sample(signal, value, "prometheus", t(700)).unwrap()
}

/// Criteria with every rule a canary tool judges by: runs, totals with
/// runs, evaluation windows, baselines, a dry run.
fn canary_criteria() -> Vec<RollbackCriterion> {
    let criterion = |id: &str, threshold: Threshold, severity| {
        RollbackCriterion::threshold(id, "canary", CriterionKind::Custom, threshold, severity).unwrap()
    };
    let minutes = TimeDelta::minutes;
    vec![
        criterion(
            "errors-sustained",
            Threshold::above("error_rate", 0.05)
                .unwrap()
                .with_consecutive_breaches_to_trip(3)
                .unwrap()
                .with_evaluation_window(minutes(30))
                .unwrap(),
            Severity::Critical,
        ),
        criterion(
            "latency",
            Threshold::above_baseline("latency_p95_ms", 1.5).unwrap().with_breach_limits(5, 2).unwrap(),
            Severity::Critical,
        ),
        criterion(
            "flows",
            Threshold::above("critical_flow_failures", 0.0)
                .unwrap()
                .with_breaches_to_trip(2)
                .unwrap()
                .with_evaluation_window(minutes(60))
                .unwrap(),
            Severity::Warning,
        ),
        criterion("errors-trial", Threshold::above("error_rate", 0.01).unwrap(), Severity::Critical)
            .with_dry_run(true),
    ]
}

/// `items` in an order driven by `seed`.
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut shuffled = items.to_vec();
    let mut state = seed | 1;
    for i in (1..shuffled.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        shuffled.swap(i, (state % (i as u64 + 1)) as usize);
    }
    shuffled
}

/// A sample measured while the release of [`verifying_on`] is watched:
/// after t(3), to the second.
fn watched_sample() -> impl Strategy<Value = Observation> {
    (0..SIGNALS.len(), prop_oneof![0.0..0.1f64, 0.0..500.0f64, Just(0.0), Just(0.06)], 180i64..7200).prop_map(
        |(signal, value, second)| {
            let at = t(0) + TimeDelta::seconds(second);
            Observation::sample(SIGNALS[signal], value, "prometheus", at).unwrap()
        },
    )
}

/// A release on `template` in `Verifying` since t(3), with a latency baseline.
fn verifying_on(template: Template) -> Release {
    let mut release = common::planned_on(template);
    let mut minute = 1;
    while release.stage() != Stage::Verifying {
        common::advance(&mut release, t(minute));
        minute += 1;
    }
    release.record_baseline("latency_p95_ms", 200.0, "prometheus", &common::monitor(), t(3)).unwrap();
    release
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn canary_rules_do_not_depend_on_arrival_order(
        observations in prop::collection::vec(observation(), 0..80),
        seed in any::<u64>(),
    ) {
        let criteria = canary_criteria();
        let verdict = Verdict::evaluate(&criteria, &observations, &[]);
        let dry_run = Verdict::dry_run(&criteria, &observations, &[]);
        let shuffled = shuffled(&observations, seed);
        prop_assert_eq!(Verdict::evaluate(&criteria, &shuffled, &[]), verdict);
        prop_assert_eq!(Verdict::dry_run(&criteria, &shuffled, &[]), dry_run);
    }

    #[test]
    fn late_and_batched_samples_give_the_verdict_of_samples_recorded_as_measured(
        samples in prop::collection::vec(watched_sample(), 1..60),
        cuts in prop::collection::vec(0usize..60, 0..6),
        seed in any::<u64>(),
    ) {
        let template = Template::octoacme().with_criteria(canary_criteria()).unwrap();
        let bot = common::monitor();
        // Recorded the moment each was measured, in measurement order.
        let mut live = verifying_on(template.clone());
        let mut in_order = samples.clone();
        in_order.sort_by_key(Observation::at);
        for sample in &in_order {
            live.record_observation(sample.clone(), &bot, sample.at()).unwrap();
        }
        // Delivered late, shuffled, in batches cut at random.
        let mut late = verifying_on(template);
        let delivered = shuffled(&samples, seed);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut % delivered.len()).collect();
        cuts.extend([0, delivered.len()]);
        cuts.sort_unstable();
        cuts.dedup();
        let arrival = t(200);
        for window in cuts.windows(2) {
            let batch = delivered[window[0]..window[1]].to_vec();
            if batch.len() == 1 {
                late.record_observation(batch[0].clone(), &bot, arrival).unwrap();
            } else {
                late.record_observations(batch, &bot, arrival).unwrap();
            }
        }
        prop_assert_eq!(late.verdict(), live.verdict());
        prop_assert_eq!(late.dry_run_findings(), live.dry_run_findings());
        let replayed = Release::replay(late.events().to_vec(), &common::trusting(&late)).unwrap();
        prop_assert_eq!(&replayed, &late);
    }

    #[test]
    fn observation_order_does_not_change_the_verdict(
        observations in prop::collection::vec(observation(), 0..60),
        flags in flags(),
        seed in any::<u64>(),
    ) {
        let criteria = Template::octoacme().criteria().to_vec();
        let verdict = Verdict::evaluate(&criteria, &observations, &flags);
        let shuffled = shuffled(&observations, seed);
        let mut reversed_flags = flags.clone();
        reversed_flags.reverse();
        prop_assert_eq!(Verdict::evaluate(&criteria, &shuffled, &reversed_flags), verdict);
    }

    #[test]
    fn a_breaching_observation_never_turns_a_rollback_healthy(
        observations in prop::collection::vec(observation(), 0..60),
        flags in flags(),
        signal in proptest::sample::select(SIGNALS.to_vec()),
    ) {
        let criteria = Template::octoacme().criteria().to_vec();
        let before = Verdict::evaluate(&criteria, &observations, &flags);
        let mut more = observations.clone();
        more.push(breaching(signal, &observations));
        let after = Verdict::evaluate(&criteria, &more, &flags);
        if before.should_roll_back() {
            prop_assert!(after.should_roll_back(), "{} became {}", before, after);
        }
    }

    #[test]
    fn a_tripped_critical_criterion_always_refuses_release(
        values in prop::collection::vec((0..SIGNALS.len(), 0.0..0.2f64, any::<bool>()), 0..20),
        flag in proptest::option::of(proptest::sample::select(vec!["security-vulnerability", "data-integrity"])),
    ) {
        let mut release: Release = at_stage(Stage::Verifying);
        complete_gate(&mut release, Gate::Release, t(10));
        let mut at = t(10);
        for (signal, value, baseline) in values {
            at += TimeDelta::seconds(1);
            if baseline {
                release.record_baseline(SIGNALS[signal], value, "p", &ada(), at).unwrap();
            } else {
                release.observe(SIGNALS[signal], value, "p", &ada(), at).unwrap();
            }
        }
        if let Some(flag) = flag {
            release.raise_flag(flag, "evidence", &ada(), at).unwrap();
        }
        let verdict = release.verdict();
        let _ = release.accept_risk("go", &ada(), at);
        let released = release.advance_to(Stage::Released, &ada(), at).is_ok();
        if verdict.should_roll_back() {
            prop_assert!(!released, "released with {}", verdict);
        } else {
            prop_assert!(released, "refused with {}", verdict);
        }
    }
}
