//! Speed of the PostgreSQL store on a local server.
//!
//! Targets on the reference machine (2 cores, the server on the same
//! machine): appending one event ≤ 2 ms, loading a release of 1,000
//! events ≤ 10 ms, listing 10,000 releases by stage ≤ 50 ms, loading
//! 10,000 10-event OctoAcme releases (what a dashboard reads) ≤ 0.3 s.
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
}

criterion_group!(postgres_store, benches);
criterion_main!(postgres_store);
