//! Speed of judging a release's health.
//!
//! Targets on the reference machine (2 cores), each over 10,000
//! observations in under 1 ms: the OctoAcme criteria, and criteria with the
//! rules canary tools judge by (breaches in a row, a total or a run,
//! evaluation windows, a dry run).

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use release_workflow::{
    Template,
    health::{CriterionKind, Observation, RollbackCriterion, Severity, Threshold, Verdict},
};

fn observations(count: usize) -> Vec<Observation> {
    let start = DateTime::<Utc>::from_timestamp(1_764_493_200, 0).unwrap_or_default();
    let signals = ["error_rate", "latency_p95_ms", "critical_flow_failures"];
    let mut out = vec![Observation::baseline("latency_p95_ms", 200.0, "prometheus", start).unwrap()];
    for i in 0..count - 1 {
        let signal = signals[i % signals.len()];
        let at = start + TimeDelta::seconds(i as i64);
        // Mostly healthy, with a breach every 97th sample so every threshold has work to do.
        let value = match (signal, i % 97 == 0) {
            ("error_rate", false) => 0.01,
            ("error_rate", true) => 0.2,
            ("latency_p95_ms", false) => 210.0,
            ("latency_p95_ms", true) => 900.0,
            (_, false) => 0.0,
            (_, true) => 1.0,
        };
        out.push(Observation::sample(signal, value, "prometheus", at).unwrap());
    }
    out
}

/// A criterion per rule a canary tool judges by, on the same signals.
fn canary_criteria() -> Vec<RollbackCriterion> {
    let criterion = |id: &str, threshold: Threshold| {
        RollbackCriterion::threshold(id, "canary", CriterionKind::Custom, threshold, Severity::Critical)
            .unwrap()
    };
    let window = TimeDelta::minutes(30);
    vec![
        criterion(
            "errors-sustained",
            Threshold::above("error_rate", 0.05)
                .and_then(|t| t.with_consecutive_breaches_to_trip(3))
                .and_then(|t| t.with_evaluation_window(window))
                .unwrap(),
        ),
        criterion(
            "latency",
            Threshold::above_baseline("latency_p95_ms", 1.5)
                .and_then(|t| t.with_breach_limits(50, 2))
                .and_then(|t| t.with_evaluation_window(window))
                .unwrap(),
        ),
        criterion(
            "flows",
            Threshold::above("critical_flow_failures", 0.0)
                .and_then(|t| t.with_breach_limits(20, 3))
                .unwrap(),
        ),
        criterion("errors-trial", Threshold::above("error_rate", 0.01).unwrap()).with_dry_run(true),
    ]
}

fn benches(c: &mut Criterion) {
    let criteria = Template::octoacme().criteria().to_vec();
    let observations = observations(10_000);
    c.bench_function("verdict, OctoAcme criteria over 10,000 observations", |b| {
        b.iter(|| Verdict::evaluate(black_box(&criteria), black_box(&observations), &[]))
    });
    let canary = canary_criteria();
    c.bench_function("verdict, runs and windows over 10,000 observations", |b| {
        b.iter(|| Verdict::evaluate(black_box(&canary), black_box(&observations), &[]))
    });
    c.bench_function("dry run, runs and windows over 10,000 observations", |b| {
        b.iter(|| Verdict::dry_run(black_box(&canary), black_box(&observations), &[]))
    });
}

criterion_group!(health, benches);
criterion_main!(health);
