//! Bringing a file store's logs to the current format: verified first,
//! dry run, idempotent, and crash-safe under SIGKILL.
#![cfg(feature = "store")]

mod common;

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{TempDir, ada, t, team_builder};
use release_workflow::{
    Gate, Release, Stage,
    release::FORMAT_VERSION,
    store::{FileStore, ReleaseKey, ReleaseStore},
};

/// Release `version` of `service` on the OctoAcme checklist, frozen: ten
/// events or so.
fn frozen(service: &str, version: &str) -> Release {
    let mut release = team_builder()
        .service(service)
        .version(version)
        .member(common::sam())
        .member(common::linus())
        .member(common::monitor())
        .plan(t(0))
        .unwrap();
    common::complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(2)).unwrap();
    release
}

/// `release`'s log as a file store of `format` wrote it: formats 3 and 4
/// chained and holding their checklist, formats 1 and 2 without links.
fn legacy_log(release: &Release, format: u32) -> String {
    let key = ReleaseKey::of(release);
    let document = serde_json::to_value(release).unwrap();
    let mut text = format!("{{\"format\":{format},\"release\":\"{key}\"}}\n");
    for event in document["events"].as_array().unwrap() {
        let mut event = event.clone();
        if format < 3 {
            event.as_object_mut().unwrap().remove("digest");
        }
        text.push_str(&event.to_string());
        text.push('\n');
    }
    text
}

/// Writes `release` into `store` as a log of `format`.
fn store_as(store: &FileStore, release: &Release, format: u32) -> ReleaseKey {
    let key = ReleaseKey::of(release);
    fs::write(store.path_of(&key), legacy_log(release, format)).unwrap();
    key
}

/// `release` with the next `count` deploy items completed.
fn deploy_items_done(release: &Release, count: usize, at: i64) -> Release {
    let mut more = release.clone();
    let open: Vec<String> = release
        .template()
        .items()
        .iter()
        .filter(|item| {
            item.gate() == Gate::Deploy
                && release.item_status(item.id().as_str()).is_some_and(|s| !s.is_settled())
        })
        .map(|item| item.id().to_string())
        .collect();
    for (n, item) in open.iter().take(count).enumerate() {
        more.complete(item, &common::completer(item), t(at + n as i64)).unwrap();
    }
    more
}

fn header(store: &FileStore, key: &ReleaseKey) -> serde_json::Value {
    let text = fs::read_to_string(store.path_of(key)).unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

#[test]
fn migrate_brings_every_log_to_the_current_format_and_keeps_its_history() {
    let dir = TempDir::new("migrate");
    let store = FileStore::open(dir.path()).unwrap();
    let current = frozen("checkout", "1.0.0");
    store.create(&current).unwrap();
    let four = frozen("checkout", "1.1.0");
    let chained = store_as(&store, &four, 4);
    let two = frozen("search", "2.0.0");
    let unchained = store_as(&store, &two, 2);
    // A log that does not verify is left as it is, and reported.
    let broken = frozen("web", "3.0.0");
    let broken_key = ReleaseKey::of(&broken);
    fs::write(store.path_of(&broken_key), legacy_log(&broken, 4).replacen("Ada Lovelace", "Eve", 2)).unwrap();
    let before: Vec<Vec<u8>> =
        store.keys().unwrap().iter().map(|key| fs::read(store.path_of(key)).unwrap()).collect();

    // A dry run says what would change and writes nothing.
    let plan = store.plan_migration().unwrap();
    let planned: Vec<(&str, u32)> = plan.migrated.iter().map(|log| (log.key.as_str(), log.from)).collect();
    assert_eq!(planned, [("checkout@1.1.0", 4), ("search@2.0.0", 2)]);
    assert_eq!(plan.current, 1);
    let [unreadable] = &plan.unreadable[..] else { panic!("{plan:?}") };
    assert_eq!(unreadable.key, broken_key);
    assert!(unreadable.error.to_string().contains("event 1 of the log was changed"), "{}", unreadable.error);
    let after_plan: Vec<Vec<u8>> =
        store.keys().unwrap().iter().map(|key| fs::read(store.path_of(key)).unwrap()).collect();
    assert_eq!(after_plan, before, "a dry run writes nothing");

    let done = store.migrate().unwrap();
    assert_eq!(done.migrated, plan.migrated, "it did what the dry run said");
    assert_eq!((done.current, done.unreadable.len()), (1, 1));
    // The chained log keeps its head: an anchor taken before still proves it.
    let from_four = &done.migrated[0];
    assert_eq!(from_four.head_before, Some(four.head()));
    assert_eq!(from_four.head_after, four.head());
    let loaded = store.load(&chained).unwrap().release;
    assert_eq!(loaded, four);
    loaded.verify_anchor(&four.head()).unwrap();
    // The unchained one is chained now.
    assert_eq!(done.migrated[1].head_before, None);
    assert_eq!(store.load(&unchained).unwrap().release, two);
    assert_eq!(store.load(&unchained).unwrap().integrity, release_workflow::release::Integrity::Chained);
    // Each migrated log says where it came from, and names its checklist.
    let migrated = header(&store, &chained);
    assert_eq!(migrated["format"], FORMAT_VERSION);
    assert_eq!(migrated["migrated"]["format"], 4);
    assert_eq!(migrated["migrated"]["head"], four.head().to_string());
    assert_eq!(header(&store, &unchained)["migrated"], serde_json::json!({"format": 2, "head": null}));
    let text = fs::read_to_string(store.path_of(&chained)).unwrap();
    assert!(text.len() < 4_000 && !text.contains("\"sections\""), "{} bytes", text.len());
    assert!(store.checklists_dir().join(format!("{}.json", four.template().fingerprint())).exists());
    // The broken log is as it was.
    assert_eq!(fs::read(store.path_of(&broken_key)).unwrap(), before[3]);
    // Appends go on in the new format.
    let appended = deploy_items_done(&four, 1, 3);
    store.save(&appended, four.events().len()).unwrap();
    assert_eq!(store.load(&chained).unwrap().release, appended);

    // A second run finds nothing to do.
    let again = store.migrate().unwrap();
    assert!(again.migrated.is_empty(), "{again:?}");
    assert_eq!((again.current, again.unreadable.len()), (3, 1));
}

#[test]
fn a_batch_a_crash_left_unfinished_is_cut_before_the_log_is_replaced() {
    let dir = TempDir::new("migrate-batch");
    let store = FileStore::open(dir.path()).unwrap();
    let release = frozen("checkout", "1.0.0");
    let key = store_as(&store, &release, 4);
    // A batch of two events begun, one line of it written, then a crash.
    let more = deploy_items_done(&release, 2, 3);
    let whole = legacy_log(&more, 4);
    let logged = legacy_log(&release, 4);
    let first_of_batch = whole[logged.len()..].lines().next().unwrap().to_owned();
    let path = store.path_of(&key);
    fs::write(&path, format!("{logged}{first_of_batch}\n")).unwrap();
    let marker = dir.path().join(format!(".{key}.jsonl.batch"));
    fs::write(&marker, format!("{{\"from\":{},\"to\":{}}}", logged.len(), whole.len())).unwrap();
    assert_eq!(store.load(&key).unwrap().release, release, "the unfinished batch is a torn tail");

    let done = store.migrate().unwrap();
    assert_eq!(done.migrated.len(), 1);
    assert!(!marker.exists(), "no marker is left to describe the new file");
    let loaded = store.load(&key).unwrap();
    assert_eq!(loaded.release, release);
    assert_eq!(loaded.torn_tail, None);
}

/// Where the child process migrates, when this test binary runs as one.
const CHILD_DIR: &str = "RELEASE_WORKFLOW_MIGRATION_CHILD_DIR";

#[test]
#[ignore = "run by a_migration_killed_at_any_point_leaves_every_log_loadable, as its child process"]
fn migration_child() {
    let dir = std::env::var(CHILD_DIR).expect("the parent names the store");
    FileStore::open(dir).unwrap().migrate().unwrap();
}

#[test]
fn a_migration_killed_at_any_point_leaves_every_log_loadable() {
    let dir = TempDir::new("migrate-killed");
    let store = FileStore::open(dir.path()).unwrap();
    let releases: Vec<Release> = (0..120).map(|n| frozen("checkout", &format!("1.{n}.0"))).collect();
    for (n, release) in releases.iter().enumerate() {
        store_as(&store, release, if n % 3 == 0 { 2 } else { 4 });
    }
    // Kill the child after a growing delay, so the kills land before,
    // during and between rewrites; stop once a child finishes on its own.
    let mut kills = 0;
    let mut part_way = 0;
    for round in 0..40u64 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "migration_child", "--ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_millis(5 + round * round * 3);
        let mut finished = false;
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if !finished {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        // Every log loads, old or new, and holds its whole release.
        let fresh = FileStore::open(dir.path()).unwrap();
        for release in &releases {
            let loaded = fresh.load(&ReleaseKey::of(release)).unwrap();
            assert_eq!(&loaded.release, release, "round {round}");
            assert_eq!(loaded.torn_tail, None, "round {round}");
        }
        let migrated = releases
            .iter()
            .filter(|release| header(&fresh, &ReleaseKey::of(release))["format"] == FORMAT_VERSION)
            .count();
        if !finished && 0 < migrated && migrated < releases.len() {
            part_way += 1;
        }
        if finished {
            break;
        }
    }
    eprintln!("{kills} children killed, {part_way} part way through the logs");
    assert!(kills > 0 && part_way > 0, "no child was killed part way: {kills} kills, {part_way} part way");
    // A run after the kills finishes the job; the next finds nothing.
    let finish = store.migrate().unwrap();
    assert!(finish.unreadable.is_empty(), "{finish:?}");
    let again = store.migrate().unwrap();
    assert!(again.migrated.is_empty() && again.current == releases.len(), "{again:?}");
}
