//! Speed of the PostgreSQL store on a local server.
//!
//! Targets on the reference machine (2 cores, the server on the same
//! machine): appending one event ≤ 2 ms, loading a release of 1,000
//! events ≤ 10 ms, listing 10,000 releases by stage ≤ 50 ms, loading
//! 10,000 10-event OctoAcme releases (what a dashboard reads) ≤ 0.3 s; a
//! DORA report over 100,000 stored releases, end to end (reading their
//! deployment records from the store, then the report) ≤ 1 s. The 100,000
//! releases are created once, in a schema the bench keeps
//! (`bench_dora_100k_changes`), since creating them takes a minute or two.
//! Appends are
//! committed (and so flushed to the server's write-ahead log) before they
//! return.
//!
//! Needs a server: `RELEASE_WORKFLOW_TEST_DATABASE_URL=postgres://… cargo
//! bench --features postgres --bench postgres`. Without one it says so and
//! measures nothing.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use release_workflow::{
    Actor, Gate, Release, ReleaseKind, Role, Stage, Template,
    release::Trust,
    store::{PostgresStore, ReleaseFilter, ReleaseStore},
};

mod common;

use common::{planned, settle, start};

/// A store in a fresh schema of its own.
fn fresh_store(url: &str, name: &str) -> PostgresStore {
    let schema = format!("bench_{name}_{}", std::process::id());
    drop_schema(url, &schema);
    PostgresStore::connect_to_schema(url, &schema).unwrap()
}

fn drop_schema(url: &str, schema: &str) {
    let mut raw = postgres::Client::connect(url, postgres::NoTls).unwrap();
    raw.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
}

/// `release` with `count` more events: an item completed and reopened in turn.
fn grow(release: &mut Release, ada: &Actor, count: usize) {
    let mut at = release.last_event_at();
    for _ in 0..count {
        at += TimeDelta::seconds(1);
        let item = "planning.scope-documented";
        if release.item_status(item).is_some_and(|status| status.is_settled()) {
            release.reopen(item, "scope changed", ada, at).unwrap();
        } else {
            release.complete(item, ada, at).unwrap();
        }
    }
}

/// A small checklist, so that 10,000 stored releases stay small.
fn small_template() -> Template {
    Template::builder("Small").section("Ship").item("ship.tested", "Tested", Gate::Deploy).build().unwrap()
}

fn small_release(ada: &Actor, index: usize) -> Release {
    Release::builder()
        .service(format!("service-{}", index % 50))
        .version(format!("1.0.{index}"))
        .kind(ReleaseKind::Patch)
        .target_date(start().date_naive())
        .release_manager(ada.clone())
        .on_call(ada.clone())
        .template(small_template())
        .plan(start())
        .unwrap()
}

fn benches(c: &mut Criterion) {
    let Ok(url) = std::env::var("RELEASE_WORKFLOW_TEST_DATABASE_URL") else {
        eprintln!("SKIPPED: set RELEASE_WORKFLOW_TEST_DATABASE_URL to bench the PostgreSQL store");
        return;
    };
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
    let mut group = c.benchmark_group("postgres store");
    group.throughput(Throughput::Elements(1));

    let append = fresh_store(&url, "append");
    let store = &append;
    let mut release = planned(&ada, "1.0.0");
    store.create(&release).unwrap();
    group.bench_function("append one event, committed", |b| {
        b.iter(|| {
            let stored = release.events().len();
            grow(&mut release, &ada, 1);
            black_box(store.save(&release, stored).unwrap())
        })
    });

    let loaded = fresh_store(&url, "load");
    let store = &loaded;
    let mut long = planned(&ada, "1.0.0");
    grow(&mut long, &ada, 999);
    let key = store.create(&long).unwrap();
    // A reader on another connection, as a dashboard replica would be.
    let reader = PostgresStore::connect_to_schema(&url, store.schema()).unwrap();
    group.bench_function("load a release of 1,000 events", |b| {
        b.iter(|| black_box(reader.load(&key).unwrap()))
    });

    // A store creates only releases of checklists it trusts.
    let listed = fresh_store(&url, "list").with_trust(Trust::default().trusting(small_template()));
    let store = &listed;
    for index in 0..10_000 {
        store.create(&small_release(&ada, index)).unwrap();
    }
    let planned_releases = ReleaseFilter::all().in_stage(Stage::Planned);
    assert_eq!(store.list(&planned_releases).unwrap().releases.len(), 10_000);
    group.bench_function("list 10,000 releases by stage", |b| {
        b.iter(|| black_box(store.list(&planned_releases).unwrap()))
    });
    group.finish();

    // 10,000 ten-event OctoAcme releases, loaded on another connection one
    // by one, and all at once: what a dashboard of every release reads.
    let many = fresh_store(&url, "many");
    let keys: Vec<_> = (0..10_000)
        .map(|index| {
            let mut release = planned(&ada, &format!("1.0.{index}"));
            settle(&mut release, Gate::Freeze, &ada, start());
            release.advance_to(Stage::Frozen, &ada, start()).unwrap();
            assert_eq!(release.events().len(), 10);
            many.create(&release).unwrap()
        })
        .collect();
    let reader = PostgresStore::connect_to_schema(&url, many.schema()).unwrap();
    let mut group = c.benchmark_group("postgres store, 10,000 releases");
    group.sample_size(10).measurement_time(std::time::Duration::from_secs(20));
    group.bench_function("load 10,000 10-event releases, one by one", |b| {
        b.iter(|| black_box(keys.iter().map(|key| reader.load(key).unwrap().release).collect::<Vec<_>>()))
    });
    group.bench_function("load 10,000 10-event releases, all at once (load_many)", |b| {
        b.iter(|| {
            let loaded = reader.load_many(&keys).unwrap();
            assert_eq!(loaded.releases.len(), keys.len());
            black_box(loaded)
        })
    });
    group.finish();
    for store in [append, loaded, listed, many] {
        drop_schema(&url, store.schema());
    }
    dora(c, &url, &ada);
}

/// Release `index` of the small checklist, walked to `Released`, or rolled
/// back from `Verifying` one time in eight, deployed `index` minutes after
/// the start.
fn deployed(ada: &Actor, index: usize) -> Release {
    let mut release = small_release(ada, index);
    let at = start() + TimeDelta::minutes(index as i64);
    let committed = at - TimeDelta::hours(2 + (index % 24) as i64);
    release
        .add_change(release_workflow::plan::Change::new(format!("PR-{index}"), committed).unwrap(), ada, at)
        .unwrap();
    release.advance_to(Stage::Frozen, ada, at).unwrap();
    release.complete("ship.tested", ada, at).unwrap();
    for next in [Stage::Deploying, Stage::Verifying] {
        release.advance_to(next, ada, at).unwrap();
    }
    let done = at + TimeDelta::minutes(20);
    if index.is_multiple_of(8) {
        release.roll_back("error rate doubled", ada, done).unwrap();
    } else {
        release.advance_to(Stage::Released, ada, done).unwrap();
    }
    release
}

/// DORA over 100,000 releases stored in PostgreSQL, end to end.
fn dora(c: &mut Criterion, url: &str, ada: &Actor) {
    const COUNT: usize = 100_000;
    let schema = "bench_dora_100k_changes";
    let trust = || Trust::default().trusting(small_template());
    let store = PostgresStore::connect_to_schema(url, schema).unwrap().with_trust(trust());
    let stored = store.keys().unwrap().len();
    if stored != COUNT {
        drop_schema(url, schema);
        let writers: Vec<PostgresStore> = (0..4)
            .map(|_| PostgresStore::connect_to_schema(url, schema).unwrap().with_trust(trust()))
            .collect();
        let count = writers.len();
        std::thread::scope(|scope| {
            for (writer, store) in writers.iter().enumerate() {
                scope.spawn(move || {
                    for index in (writer..COUNT).step_by(count) {
                        store.create(&deployed(ada, index)).unwrap();
                    }
                });
            }
        });
    }
    let reader = PostgresStore::connect_to_schema(url, schema).unwrap().with_trust(trust());
    let options = release_workflow::metrics::ReportOptions::recorded_days();
    let report = || {
        let deployments = reader.deployments(&ReleaseFilter::all()).unwrap();
        assert_eq!((deployments.history.records().len(), deployments.unreadable.len()), (COUNT, 0));
        deployments.history.report(&options).unwrap()
    };
    let first = report();
    let text = first.to_string();
    assert!(text.contains("change failure rate      12.5%") && !text.contains("no data"), "{text}");
    let mut group = c.benchmark_group("postgres store, 100,000 releases");
    group.sample_size(10).measurement_time(std::time::Duration::from_secs(20));
    group.bench_function("DORA report from the store, end to end (deployments, then report)", |b| {
        b.iter(|| black_box(report()))
    });
    group.finish();
}

criterion_group!(postgres_store, benches);
criterion_main!(postgres_store);
