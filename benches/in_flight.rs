//! What the stores' check of one release of a service in flight adds to a
//! move into `Deploying`.
//!
//! Target on the reference machine (2 cores): at most 1 ms more than the
//! same move of a release that names no service (which nothing checks),
//! on the file store and on PostgreSQL. Both moves are durable when they
//! return. On the file store the checked one also takes the service's
//! lock, reads its list of releases in flight, loads those (here: none,
//! the last one was rolled back), and writes the list back, synced,
//! before the log; on PostgreSQL it runs in a transaction that takes the
//! service's advisory lock and looks for another release in flight.
//!
//! PostgreSQL needs a server: `RELEASE_WORKFLOW_TEST_DATABASE_URL=postgres://…
//! cargo bench --features postgres --bench in_flight`.

use std::cell::RefCell;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use release_workflow::{
    Actor, Gate, Release, Role, Stage,
    store::{FileStore, ReleaseStore},
};

mod common;

use common::{settle, start};

/// Release `version`, of `service` if one is given, frozen with its deploy
/// gate settled and approved: ready to move into `Deploying`.
fn ready(ada: &Actor, service: Option<&str>, version: &str) -> Release {
    let builder = common::team(ada, version);
    let builder = match service {
        Some(service) => builder.service(service),
        None => builder,
    };
    let mut release = builder.plan(start()).unwrap();
    settle(&mut release, Gate::Freeze, ada, start());
    release.advance_to(Stage::Frozen, ada, start()).unwrap();
    settle(&mut release, Gate::Deploy, ada, start());
    release
}

fn benches(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("release-workflow-bench-flight-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    moves(c, "file store", &FileStore::open(&dir).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    #[cfg(feature = "postgres")]
    match std::env::var("RELEASE_WORKFLOW_TEST_DATABASE_URL") {
        Ok(url) => {
            let schema = format!("bench_flight_{}", std::process::id());
            let store = release_workflow::store::PostgresStore::connect_to_schema(&url, &schema).unwrap();
            moves(c, "PostgreSQL", &store);
            let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            raw.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
        }
        Err(_) => eprintln!("SKIPPED: set RELEASE_WORKFLOW_TEST_DATABASE_URL to bench the PostgreSQL store"),
    }
}

/// A move into `Deploying` on `store`, unchecked and checked.
fn moves(c: &mut Criterion, name: &str, store: &dyn ReleaseStore) {
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
    // 100 releases of the service stored already, none in flight.
    for n in 0..100 {
        store.create(&ready(&ada, Some("checkout"), &format!("0.{n}.0"))).unwrap();
    }
    let serial = RefCell::new(0u64);
    let in_flight: RefCell<Option<Release>> = RefCell::new(None);
    let mut group = c.benchmark_group(format!("{name}: move into Deploying, durable"));
    group.bench_function("a release naming no service (nothing to check)", |b| {
        b.iter_batched(
            || {
                *serial.borrow_mut() += 1;
                let release = ready(&ada, None, &format!("9.{}.0", serial.borrow()));
                store.create(&release).unwrap();
                let stored = release.events().len();
                let mut moving = release;
                moving.advance_to(Stage::Deploying, &ada, start()).unwrap();
                (moving, stored)
            },
            |(moving, stored)| black_box(store.save(&moving, stored).unwrap()),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("a release of a service with 100 releases stored (checked)", |b| {
        b.iter_batched(
            || {
                // The release that moved last is rolled back first, so
                // that the service is free again.
                if let Some(mut last) = in_flight.borrow_mut().take() {
                    let stored = last.events().len();
                    last.roll_back("next iteration", &ada, start()).unwrap();
                    store.save(&last, stored).unwrap();
                }
                *serial.borrow_mut() += 1;
                let release = ready(&ada, Some("checkout"), &format!("1.{}.0", serial.borrow()));
                store.create(&release).unwrap();
                let stored = release.events().len();
                let mut moving = release;
                moving.advance_to(Stage::Deploying, &ada, start()).unwrap();
                (moving, stored)
            },
            |(moving, stored)| {
                black_box(store.save(&moving, stored).unwrap());
                *in_flight.borrow_mut() = Some(moving);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(in_flight, benches);
criterion_main!(in_flight);
