//! What tamper evidence costs, and what sharing checklists saves.
//!
//! Targets on the reference machine (2 cores):
//! - reading a stored log costs at most 20% more chained than unchained
//!   (the same events in format 2), and so does a file-store append;
//! - 10,000 loaded 10-event OctoAcme releases take at most 20 MB (the
//!   bytes they hold are counted by this bench's allocator and printed)
//!   and load in at most 0.1 s from a file store, and in at most 0.2 s
//!   from JSON documents that name their checklist;
//! - a 10-event log on disk is at most 4 KB (printed);
//! - replay of 100,000 events including 20,000 added changes runs at
//!   1,000,000 events per second or more;
//! - a 10,000-item template validates in under 10 ms.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::Duration;

use chrono::TimeDelta;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use release_workflow::{
    Actor, Event, Gate, Release, Role, Stage, Template,
    checklist::Item,
    plan::Change,
    release::{Trust, UnverifiedRelease},
    store::{FileStore, ReleaseStore},
};

mod common;

use common::{planned, settle, start};

/// An OctoAcme release with ten events: planned, eight Freeze items, frozen.
fn ten_events(ada: &Actor, version: &str) -> Release {
    let mut release = planned(ada, version);
    settle(&mut release, Gate::Freeze, ada, start());
    release.advance_to(Stage::Frozen, ada, start()).unwrap();
    assert_eq!(release.events().len(), 10);
    release
}

/// The same release as format 2 wrote it: no digests.
fn unchained(release: &Release) -> String {
    let mut stored = serde_json::to_value(release).unwrap();
    stored["format"] = 2.into();
    for event in stored["events"].as_array_mut().unwrap() {
        event.as_object_mut().unwrap().remove("digest");
    }
    stored.to_string()
}

/// A log of `changes` added changes, then observations up to `total`
/// events.
fn changes_then_samples(ada: &Actor, changes: usize, total: usize) -> Vec<Event> {
    let mut release = planned(ada, "1.0.0");
    let mut at = start();
    for n in 0..changes {
        release.add_change(Change::new(format!("PR-{n}"), at).unwrap(), ada, at).unwrap();
    }
    for next in [Stage::Frozen, Stage::Deploying] {
        settle(&mut release, next.entry_gate().unwrap(), ada, at);
        release.advance_to(next, ada, at).unwrap();
    }
    while release.events().len() < total {
        at += TimeDelta::seconds(1);
        release.observe("error_rate", 0.0, "prometheus", ada, at).unwrap();
    }
    release.events().to_vec()
}

/// Counts the bytes allocated and not yet freed, so that the memory a set
/// of loaded releases holds is measured exactly, not guessed from the
/// process's resident size.
///
/// It counts only while [`COUNTING`] is on, so that the loads timed below
/// run without a counter every core updates on every allocation (it cost
/// them about 3%).
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

// SAFETY: every call is passed to the system allocator unchanged; only a
// counter is updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(new_size as isize, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The bytes `make`'s answer holds when it returns, counted from a
/// quiet start: what is freed during the call nets out, and only what
/// the answer keeps remains.
fn held_by<T>(make: impl FnOnce() -> T) -> (T, usize) {
    LIVE.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let made = make();
    COUNTING.store(false, Ordering::Relaxed);
    (made, usize::try_from(LIVE.load(Ordering::Relaxed)).unwrap_or(0))
}

fn chain_cost(c: &mut Criterion, ada: &Actor) {
    let release = ten_events(ada, "1.0.0");
    let chained = serde_json::to_string(&release).unwrap();
    let legacy = unchained(&release);
    let trust = Trust::default();
    let mut read = c.benchmark_group("read a 10-event stored release");
    for (name, text) in [("chained (format 3)", &chained), ("unchained (format 2)", &legacy)] {
        read.bench_function(name, |b| {
            b.iter(|| {
                let log: UnverifiedRelease = serde_json::from_str(black_box(text)).unwrap();
                black_box(log.verify(&trust).unwrap())
            })
        });
    }
    read.finish();

    let long = Release::replay(changes_then_samples(ada, 0, 10_000), &trust).unwrap();
    let chained = serde_json::to_string(&long).unwrap();
    let legacy = unchained(&long);
    let mut read = c.benchmark_group("read a 10,000-event stored release");
    read.throughput(Throughput::Elements(10_000)).sample_size(20);
    for (name, text) in [("chained (format 3)", &chained), ("unchained (format 2)", &legacy)] {
        read.bench_function(name, |b| {
            b.iter(|| {
                let log: UnverifiedRelease = serde_json::from_str(black_box(text)).unwrap();
                black_box(log.verify(&trust).unwrap())
            })
        });
    }
    // From a file store: each line is checked as a document's event is, on
    // its canonical encoding, so one log gets one verdict on every path.
    let dir = std::env::temp_dir().join(format!("release-workflow-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileStore::open(&dir).unwrap();
    let key = store.create(&long).unwrap();
    let chained_file = std::fs::read_to_string(store.path_of(&key)).unwrap();
    let mut legacy_file = format!("{{\"format\":2,\"release\":\"{key}\"}}\n");
    for event in long.events() {
        legacy_file.push_str(&serde_json::to_string(event).unwrap());
        legacy_file.push('\n');
    }
    for (name, text) in [
        ("chained (format 3), from a file store", &chained_file),
        ("unchained (format 2), from a file store", &legacy_file),
    ] {
        std::fs::write(store.path_of(&key), text).unwrap();
        read.bench_function(name, |b| b.iter(|| black_box(store.load(&key).unwrap())));
    }
    read.finish();
    let _ = std::fs::remove_dir_all(&dir);

    // Appends: one event, fsynced, to a chained log and to a format-2 log
    // (which stays unchained).
    let dir = std::env::temp_dir().join(format!("release-workflow-integrity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileStore::open(&dir).unwrap();
    let mut append = c.benchmark_group("append one event, fsynced");
    for format in [3, 2] {
        let mut release = ten_events(ada, &format!("2.0.{format}"));
        let key = store.create(&release).unwrap();
        if format == 2 {
            let mut text = format!("{{\"format\":2,\"release\":\"{key}\"}}\n");
            for event in release.events() {
                text.push_str(&serde_json::to_string(event).unwrap());
                text.push('\n');
            }
            std::fs::write(store.path_of(&key), text).unwrap();
        }
        let mut stored = store.load(&key).unwrap().release.events().len();
        let mut at = start();
        let name = if format == 3 { "to a chained log" } else { "to an unchained (format 2) log" };
        append.bench_function(name, |b| {
            b.iter(|| {
                at += TimeDelta::seconds(1);
                release.add_change(Change::new(format!("PR-{at}"), at).unwrap(), ada, at).ok();
                stored = store.save(&release, stored).unwrap();
            })
        });
    }
    append.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn many_releases(c: &mut Criterion, ada: &Actor) {
    let releases: Vec<Release> = (0..10_000).map(|n| ten_events(ada, &format!("1.0.{n}"))).collect();
    let whole: Vec<String> = releases.iter().map(|release| serde_json::to_string(release).unwrap()).collect();
    let referring: Vec<String> =
        releases.iter().map(|release| serde_json::to_string(&release.referring()).unwrap()).collect();
    let trust = Trust::default();
    let load_all = |stored: &[String]| -> Vec<Release> {
        stored
            .iter()
            .map(|text| serde_json::from_str::<UnverifiedRelease>(text).unwrap().verify(&trust).unwrap())
            .collect()
    };
    for (name, stored) in [("whole", &whole), ("naming their checklist", &referring)] {
        let (loaded, held) = held_by(|| load_all(stored));
        println!(
            "10,000 10-event releases loaded from JSON documents {name} hold {:.1} MB (stored: {:.1} KB each)",
            held as f64 / 1e6,
            stored[0].len() as f64 / 1e3
        );
        drop(loaded);
    }

    // The same releases in a file store: what a dashboard reads.
    let dir = std::env::temp_dir().join(format!("release-workflow-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileStore::open(&dir).unwrap();
    let keys: Vec<_> = releases.iter().map(|release| store.create(release).unwrap()).collect();
    drop(releases);
    let store = FileStore::open(&dir).unwrap();
    let from_store = || -> Vec<Release> { keys.iter().map(|key| store.load(key).unwrap().release).collect() };
    let (loaded, held) = held_by(from_store);
    println!(
        "10,000 10-event releases loaded from a file store hold {:.1} MB; a 10-event log on disk is {:.1} KB",
        held as f64 / 1e6,
        std::fs::metadata(store.path_of(&keys[0])).unwrap().len() as f64 / 1e3
    );
    drop(loaded);

    let mut group = c.benchmark_group("load 10,000 stored 10-event releases");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("from JSON documents holding their checklist (serde, then verify)", |b| {
        b.iter(|| black_box(load_all(&whole)))
    });
    group.bench_function("from JSON documents naming their checklist (serde, then verify)", |b| {
        b.iter(|| black_box(load_all(&referring)))
    });
    group.bench_function("from a file store, one by one", |b| b.iter(|| black_box(from_store())));
    group.bench_function("from a file store, all at once (load_many)", |b| {
        b.iter(|| {
            let loaded = store.load_many(&keys).unwrap();
            assert_eq!(loaded.releases.len(), keys.len());
            black_box(loaded)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn linear(c: &mut Criterion, ada: &Actor) {
    let events = changes_then_samples(ada, 20_000, 100_000);
    let trust = Trust::default();
    let mut replay = c.benchmark_group("replay");
    replay.throughput(Throughput::Elements(events.len() as u64)).sample_size(10);
    replay.bench_function("100,000 events including 20,000 changes", |b| {
        b.iter_batched(
            || events.clone(),
            |events| black_box(Release::replay(events, &trust).unwrap()),
            BatchSize::LargeInput,
        )
    });
    replay.finish();

    let sections: Vec<String> = (0..1_000).map(|n| format!("Section {n}")).collect();
    let items: Vec<Item> = (0..10_000)
        .map(|n| {
            Item::new(&format!("s{}.item-{n}", n / 10), "Something done", &sections[n / 10], Gate::Deploy)
                .unwrap()
        })
        .collect();
    let mut validate = c.benchmark_group("validate a template");
    validate.bench_function("10,000 items in 1,000 sections", |b| {
        b.iter_batched(
            || (sections.clone(), items.clone()),
            |(sections, items)| black_box(Template::new("Big", sections, items).unwrap()),
            BatchSize::LargeInput,
        )
    });
    validate.finish();
}

fn benches(c: &mut Criterion) {
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
    chain_cost(c, &ada);
    many_releases(c, &ada);
    linear(c, &ada);
}

criterion_group!(integrity, benches);
criterion_main!(integrity);
