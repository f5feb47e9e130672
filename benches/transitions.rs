//! Speed of the state machine on the OctoAcme checklist.
//!
//! Targets on the reference machine (2 cores): a gate check under 1 µs, a
//! whole walk from Planned to Released under 50 µs.

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use release_workflow::{Actor, Gate, Release, ReleaseKind, Role, Stage};

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_493_200, 0).unwrap_or_default()
}

fn planned(ada: &Actor) -> Release {
    Release::builder()
        .version("2.4.0")
        .kind(ReleaseKind::Minor)
        .target_date(start().date_naive())
        .release_manager(ada.clone())
        .on_call(ada.clone())
        .change("PR-1", start())
        .plan(start())
        .unwrap()
}

/// Settles every item of each gate, records healthy signals, and moves
/// through to Released.
fn walk(ada: &Actor) -> Release {
    let mut release = planned(ada);
    let mut at = start();
    for (gate, next) in [
        (Gate::Freeze, Stage::Frozen),
        (Gate::Deploy, Stage::Deploying),
        (Gate::Verify, Stage::Verifying),
        (Gate::Release, Stage::Released),
    ] {
        let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
        for id in &open {
            at += TimeDelta::seconds(1);
            release.complete(id, ada, at).unwrap();
        }
        if next == Stage::Released {
            release.record_baseline("latency_p95_ms", 200.0, "prometheus", ada, at).unwrap();
            release.observe("latency_p95_ms", 210.0, "prometheus", ada, at).unwrap();
            release.observe("error_rate", 0.01, "prometheus", ada, at).unwrap();
            release.observe("critical_flow_failures", 0.0, "synthetics", ada, at).unwrap();
        }
        release.advance_to(next, ada, at).unwrap();
    }
    release
}

fn benches(c: &mut Criterion) {
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();

    let blocked = planned(&ada);
    c.bench_function("gate check, blocked (8 open freeze items)", |b| {
        b.iter(|| black_box(&blocked).check_advance(black_box(Stage::Frozen)).is_err())
    });

    let mut ready = planned(&ada);
    let freeze: Vec<String> = ready.open_items(Gate::Freeze).map(|item| item.id().to_string()).collect();
    for id in &freeze {
        ready.complete(id, &ada, start()).unwrap();
    }
    c.bench_function("gate check, passing", |b| {
        b.iter(|| black_box(&ready).check_advance(black_box(Stage::Frozen)).is_ok())
    });

    c.bench_function("whole walk Planned -> Released (66-item OctoAcme)", |b| {
        b.iter(|| black_box(walk(black_box(&ada))))
    });
}

criterion_group!(transitions, benches);
criterion_main!(transitions);
