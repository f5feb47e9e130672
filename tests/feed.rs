//! The file store's change feed across processes and crashes: a writer
//! killed at any point leaves a feed that the next reader catches up, with
//! every stored event once, numbered without a gap.

#![cfg(feature = "store")]

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TempDir, advance, t};
use release_workflow::{
    Release, Stage, Template,
    store::{Cursor, FileStore, ReleaseKey, ReleaseStore},
};

const SERVICES: [&str; 3] = ["search", "billing", "mail"];

/// Release 1.0.0 of `service`, deploying.
fn deploying(service: &str) -> Release {
    let mut release = common::team_builder()
        .service(service)
        .template(Template::octoacme())
        .member(common::sam())
        .member(common::linus())
        .member(common::monitor())
        .plan(t(0))
        .unwrap();
    let mut minute = 1;
    while release.stage() < Stage::Deploying {
        advance(&mut release, t(minute));
        minute += 1;
    }
    release
}

/// Where the child process writes, when this test binary runs as one.
const CHILD_DIR: &str = "RELEASE_WORKFLOW_FEED_CHILD_DIR";

#[test]
#[ignore = "run by a_writer_killed_at_any_point_leaves_a_feed_the_next_reader_completes, as its child process"]
fn writing_child() {
    let store = FileStore::open(std::env::var(CHILD_DIR).expect("the parent names the store")).unwrap();
    let keys: Vec<ReleaseKey> = store.keys().unwrap();
    // Until killed: an observation, or a batch of two, on each release in turn.
    for round in 0u32.. {
        for key in &keys {
            let mut release = store.load(key).unwrap().release;
            let stored = release.events().len();
            let at = t(100) + chrono::TimeDelta::seconds(i64::try_from(stored).unwrap());
            release.observe("error_rate", 0.001, "prometheus", &common::monitor(), at).unwrap();
            if round % 2 == 1 {
                release.observe("latency_p95_ms", 180.0, "prometheus", &common::monitor(), at).unwrap();
            }
            store.save(&release, stored).unwrap();
        }
    }
}

/// This test binary started again as `writing_child`, writing to `dir`.
fn writer_process(dir: &TempDir) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "writing_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Checks that the feed names every stored event once, numbered 1 to n in
/// order, and returns how many it names.
fn feed_matches_logs(store: &FileStore, round: u64) -> usize {
    let mut cursor = Cursor::START;
    let mut seen = BTreeSet::new();
    let mut numbers = Vec::new();
    loop {
        let page = store.changes_since(cursor).unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.unreadable.is_empty(), "round {round}: {:?}", page.unreadable);
        for change in page.changes {
            numbers.push(change.number);
            assert!(seen.insert((change.key, change.index)), "round {round}: an event named twice");
        }
        cursor = page.cursor;
    }
    assert_eq!(
        numbers,
        (1..=numbers.len() as u64).collect::<Vec<_>>(),
        "round {round}: numbered without a gap"
    );
    let mut stored = BTreeSet::new();
    for key in store.keys().unwrap() {
        let count = store.load(&key).unwrap().release.events().len();
        stored.extend((0..count).map(|index| (key.clone(), index)));
    }
    assert_eq!(seen, stored, "round {round}: the feed names exactly the events the logs hold");
    seen.len()
}

#[test]
fn a_writer_killed_at_any_point_leaves_a_feed_the_next_reader_completes() {
    let dir = TempDir::new("feed-killed");
    let store = FileStore::open(dir.path()).unwrap();
    for service in SERVICES {
        store.create(&deploying(service)).unwrap();
    }
    let pending = dir.path().join("feed").join("pending");
    let (mut kills, mut caught_up, mut last) = (0, 0, 0);
    for round in 0..30u64 {
        let mut child = writer_process(&dir);
        std::thread::sleep(Duration::from_millis(20 + (round * 7) % 40));
        child.kill().unwrap(); // SIGKILL, wherever the writer was
        child.wait().unwrap();
        kills += 1;
        let markers = std::fs::read_dir(&pending).map_or(0, |entries| entries.count());
        // A reader in a process of its own, as after a restart.
        let fresh = FileStore::open(dir.path()).unwrap();
        let named = feed_matches_logs(&fresh, round);
        assert!(named >= last, "round {round}: the feed never shrinks");
        last = named;
        if markers > 0 {
            caught_up += 1;
            assert_eq!(std::fs::read_dir(&pending).unwrap().count(), 0, "round {round}: markers done with");
        }
    }
    eprintln!("{kills} writers killed; {caught_up} left a marker the next reader caught up");
    assert!(last > 3 * 8, "the children wrote: {last} changes");
}

#[test]
fn a_reader_in_another_process_sees_an_append_within_a_second() {
    let dir = TempDir::new("feed-latency");
    let store = FileStore::open(dir.path()).unwrap();
    let key = store.create(&deploying("search")).unwrap();
    let cursor = store.changes_since(Cursor::START).unwrap().cursor;
    let mut child = writer_process(&dir);
    let started = Instant::now();
    let waited = store.wait_for_changes(cursor, Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    let changes = waited.unwrap();
    assert!(!changes.changes.is_empty(), "the child's append arrives");
    assert!(changes.changes.iter().all(|change| change.key == key), "{:?}", changes.changes);
    // The child starts a process and loads before it appends: the wait
    // covers that too, so it is bounded generously here; the bench
    // `feed` measures the latency itself.
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}
