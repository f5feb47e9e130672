//! Speed of replay and of the file store.
//!
//! Targets on the reference machine (2 cores): replay at least 1,000,000
//! events per second. File-store appends are synced to disk before they
//! return, so their speed is the disk's: the figure is reported, not
//! targeted.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use release_workflow::{
    Actor, Event, Gate, Release, Role, Stage,
    release::Trust,
    store::{FileStore, ReleaseStore},
};

mod common;

use common::{planned, settle, start};

/// A release walked to Verifying with every item done, then `samples`
/// health observations: a long, realistic log.
fn long_log(ada: &Actor, samples: usize) -> Vec<Event> {
    let mut release = planned(ada, "1.0.0");
    let mut at = start();
    for next in [Stage::Frozen, Stage::Deploying, Stage::Verifying] {
        settle(&mut release, next.entry_gate().unwrap(), ada, at);
        release.advance_to(next, ada, at).unwrap();
    }
    release.record_baseline("latency_p95_ms", 200.0, "prometheus", ada, at).unwrap();
    let signals = ["error_rate", "latency_p95_ms", "critical_flow_failures"];
    for i in 0..samples {
        at += TimeDelta::seconds(1);
        let value = if signals[i % 3] == "latency_p95_ms" { 210.0 } else { 0.0 };
        release.observe(signals[i % 3], value, "prometheus", ada, at).unwrap();
    }
    settle(&mut release, Gate::Release, ada, at);
    release.advance_to(Stage::Released, ada, at).unwrap();
    release.events().to_vec()
}

fn benches(c: &mut Criterion) {
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
    let events = long_log(&ada, 10_000);
    let mut replay = c.benchmark_group("replay");
    replay.throughput(Throughput::Elements(events.len() as u64));
    replay.bench_function(format!("{} events", events.len()), |b| {
        b.iter_batched(
            || events.clone(),
            |events| black_box(Release::replay(events, &Trust::default()).unwrap()),
            BatchSize::LargeInput,
        )
    });
    replay.finish();

    let dir = std::env::temp_dir().join(format!("release-workflow-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileStore::open(&dir).unwrap();
    let mut serial = 0u64;
    let mut append = c.benchmark_group("file store");
    append.throughput(Throughput::Elements(1));
    append.bench_function("append one event, fsynced, to a fresh release", |b| {
        b.iter_batched(
            || {
                serial += 1;
                let mut release = planned(&ada, &format!("1.0.{serial}"));
                store.create(&release).unwrap();
                release.complete("planning.scope-documented", &ada, start()).unwrap();
                release
            },
            |release| black_box(store.save(&release, 1).unwrap()),
            BatchSize::PerIteration,
        )
    });
    // A long log: the store remembers what it wrote, so an append does not
    // read and replay the 10,000 events before it.
    let mut long = Release::replay(events.clone(), &Trust::default()).unwrap();
    let key = store.create(&long).unwrap();
    let mut stored = long.events().len();
    let mut at = long.last_event_at();
    append.bench_function("append one event, fsynced, to a release of 10,000 events", |b| {
        b.iter(|| {
            at += TimeDelta::seconds(1);
            long.observe("error_rate", 0.0, "prometheus", &ada, at).unwrap();
            stored = store.save(&long, stored).unwrap();
        })
    });
    let _ = key;
    append.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(store, benches);
criterion_main!(store);
