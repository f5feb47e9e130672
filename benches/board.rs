//! How fast the board example draws its pages, server-side.
//!
//! Targets on the reference machine (2 cores): the board of 1,000 releases
//! ≤ 50 ms, one release's page ≤ 5 ms, each from a file store: the feed's
//! head read, the releases loaded and checked, their statuses worked out
//! and the HTML written. The HTML alone, from statuses already worked
//! out, is measured beside it.

#[path = "../examples/board/pages.rs"]
#[allow(dead_code)]
mod pages;
#[path = "../examples/board/web.rs"]
#[allow(dead_code)]
mod web;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use release_workflow::{
    Actor, Gate, Release, Role, Stage,
    store::{Cursor, FileStore, ReleaseKey, ReleaseStore},
};

mod common;

use common::{settle, start};

/// Release `index`: version `1.<round>.0` of one of 50 services, planned or
/// frozen, but for round 18, deploying (even services) or verifying (odd
/// ones): one release of a service in flight at a time.
fn release(ada: &Actor, index: usize) -> Release {
    let (round, service) = (index / 50, index % 50);
    let mut release = common::team(ada, &format!("1.{round}.0"))
        .service(format!("service-{service}"))
        .plan(start())
        .unwrap();
    let moves = match round {
        18 => 2 + service % 2,
        _ => round % 2,
    };
    for next in [Stage::Frozen, Stage::Deploying, Stage::Verifying].iter().take(moves) {
        settle(&mut release, next.entry_gate().unwrap_or(Gate::Freeze), ada, start());
        release.advance_to(*next, ada, start()).unwrap();
    }
    release
}

fn benches(c: &mut Criterion) {
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
    let dir = std::env::temp_dir().join(format!("release-workflow-bench-board-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileStore::open(&dir).unwrap();
    let keys: Vec<ReleaseKey> =
        (0..1_000).map(|index| store.create(&release(&ada, index)).unwrap()).collect();
    let at = start() + chrono::TimeDelta::hours(1);
    let board = web::render_board(&store, at).unwrap().into_string();
    assert!(board.contains("service-49"), "the board shows the releases");

    let mut group = c.benchmark_group("board");
    group.sample_size(20);
    group.bench_function("the board of 1,000 releases, from a file store", |b| {
        b.iter(|| black_box(web::render_board(&store, at).unwrap()))
    });
    let cards: Vec<pages::Card> = keys
        .iter()
        .map(|key| pages::Card { key: key.clone(), status: store.load(key).unwrap().release.status_at(at) })
        .collect();
    group.bench_function("the board of 1,000 releases, the HTML alone", |b| {
        b.iter(|| black_box(pages::board(&cards, &[], at, Cursor::START)))
    });
    let deploying =
        keys.iter().find(|key| store.load(key).unwrap().release.stage() == Stage::Verifying).unwrap();
    group.bench_function("one release's page, from a file store", |b| {
        b.iter(|| black_box(web::render_release(&store, deploying, at).unwrap()))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(board, benches);
criterion_main!(board);
