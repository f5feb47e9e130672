//! How soon a reader waiting on the change feed sees an append made by
//! another handle (another connection, for PostgreSQL), and what the feed
//! costs an append.
//!
//! Targets on the reference machine (2 cores): an append reaches a
//! waiting reader within 1 s on the file store (which looks every 50 ms)
//! and within 100 ms on PostgreSQL (woken by `NOTIFY`). Measured from
//! just before the append to the reader's wake, the append included.
//!
//! PostgreSQL needs a server: `RELEASE_WORKFLOW_TEST_DATABASE_URL=postgres://…
//! cargo bench --features postgres --bench feed`.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use release_workflow::{
    Actor, Gate, Release, Role, Stage,
    store::{Cursor, FileStore, ReleaseStore},
};

mod common;

use common::{settle, start};

/// A release deploying, where observations can be appended forever.
fn deploying(ada: &Actor) -> Release {
    let mut release = common::team(ada, "1.0.0").service("bench").plan(start()).unwrap();
    for next in [Stage::Frozen, Stage::Deploying] {
        settle(&mut release, next.entry_gate().unwrap_or(Gate::Freeze), ada, start());
        release.advance_to(next, ada, start()).unwrap();
    }
    release
}

/// Appends one observation through `writer` while a reader on `reader`
/// waits, and times append-to-wake.
fn latency(
    c: &mut Criterion,
    name: &str,
    writer: &(dyn ReleaseStore + Sync),
    reader: &(dyn ReleaseStore + Sync),
) {
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
    let mut release = deploying(&ada);
    let key = writer.create(&release).unwrap();
    let mut cursor = reader.changes_since(Cursor::START).unwrap().cursor;
    let mut group = c.benchmark_group("feed: append to a waiting reader");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let stored = release.events().len();
                let at = start() + chrono::TimeDelta::seconds(stored as i64);
                release.observe("error_rate", 0.001, "prometheus", &ada, at).unwrap();
                let (ready, waiting) = mpsc::channel();
                let from = cursor;
                let woke = std::thread::scope(|scope| {
                    let waiter = scope.spawn(|| {
                        ready.send(()).unwrap();
                        let changes = reader.wait_for_changes(from, Duration::from_secs(5)).unwrap();
                        (Instant::now(), changes.cursor)
                    });
                    waiting.recv().unwrap();
                    // Let the reader settle into its wait.
                    std::thread::sleep(Duration::from_millis(5));
                    let before = Instant::now();
                    writer.save(&release, stored).unwrap();
                    let (woke, next) = waiter.join().unwrap();
                    cursor = next;
                    woke - before
                });
                total += woke;
            }
            total
        })
    });
    group.finish();
    let _ = key;
}

fn benches(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("release-workflow-bench-feed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (writer, reader) = (FileStore::open(&dir).unwrap(), FileStore::open(&dir).unwrap());
    latency(c, "file store (polling every 50 ms)", &writer, &reader);
    let _ = std::fs::remove_dir_all(&dir);
    #[cfg(feature = "postgres")]
    match std::env::var("RELEASE_WORKFLOW_TEST_DATABASE_URL") {
        Ok(url) => {
            use release_workflow::store::PostgresStore;
            let schema = format!("bench_feed_{}", std::process::id());
            let writer = PostgresStore::connect_to_schema(&url, &schema).unwrap();
            let reader = PostgresStore::connect_to_schema(&url, &schema).unwrap();
            latency(c, "PostgreSQL (LISTEN/NOTIFY)", &writer, &reader);
            let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            raw.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
        }
        Err(_) => eprintln!("SKIPPED: set RELEASE_WORKFLOW_TEST_DATABASE_URL to bench the PostgreSQL store"),
    }
}

criterion_group!(feed, benches);
criterion_main!(feed);
