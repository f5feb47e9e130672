//! Properties of the verdict over random observations.

mod common;

use chrono::TimeDelta;
use common::{ada, at_stage, complete_gate, t};
use proptest::prelude::*;
use release_workflow::{Gate, Observation, RaisedFlag, Release, Stage, Template, Verdict};

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
                    o.signal().as_str() == signal && o.kind() == release_workflow::ObservationKind::Baseline
                })
                .map(|o| o.value().get())
                .fold(0.0, f64::max);
            latest * 1.5 + 1.0
        }
    };
    Observation::sample(signal, value, "prometheus", t(700)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn observation_order_does_not_change_the_verdict(
        observations in prop::collection::vec(observation(), 0..60),
        flags in flags(),
        seed in any::<u64>(),
    ) {
        let criteria = Template::octoacme().criteria().to_vec();
        let verdict = Verdict::evaluate(&criteria, &observations, &flags);
        let mut shuffled = observations.clone();
        // A deterministic shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
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
