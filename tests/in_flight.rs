//! The file store keeps one release of a service in flight across
//! processes, after a crash, and for stores written before it kept a list.

#![cfg(feature = "store")]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TempDir, ada, at_stage, complete_gate, grace, linus, t};
use release_workflow::{
    Gate, Release, ReleaseError, Stage,
    release::ChangeError,
    store::{FileStore, ReleaseKey, ReleaseStore, StoreError},
};

/// Release `version` of checkout, frozen, its deploy gate settled and
/// approved.
fn ready(version: &str) -> Release {
    let frozen = at_stage(Stage::Frozen);
    let mut events = frozen.events().to_vec();
    if let release_workflow::event::EventKind::Planned { plan } = &mut events[0].what {
        let mut changed = serde_json::to_value(&**plan).unwrap();
        changed["version"] = serde_json::Value::String(version.to_owned());
        *plan = std::sync::Arc::new(serde_json::from_value(changed).unwrap());
    }
    let mut release = Release::replay(events, &common::trusting(&frozen)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(20));
    release.approve(Gate::Deploy, &linus(), t(20)).unwrap();
    release
}

fn deploy(store: &FileStore, key: &ReleaseKey) -> Result<usize, StoreError> {
    let mut release = store.load(key)?.release;
    let stored = release.events().len();
    release.advance_to(Stage::Deploying, &ada(), t(30)).map_err(StoreError::from)?;
    store.save(&release, stored)
}

fn held(error: &StoreError) -> bool {
    matches!(error, StoreError::Release(ReleaseError::Change(change)) if matches!(**change, ChangeError::ServiceInFlight { .. }))
}

const CHILD_DIR: &str = "RELEASE_WORKFLOW_FLIGHT_CHILD_DIR";
const CHILD_KEY: &str = "RELEASE_WORKFLOW_FLIGHT_CHILD_KEY";
/// The child exits with this code when the store says the service is held.
const HELD: i32 = 3;

#[test]
#[ignore = "run by two_processes_racing_to_deploy_one_service_never_both_win, as its child process"]
fn deploying_child() {
    let dir = std::path::PathBuf::from(std::env::var(CHILD_DIR).expect("the parent names the store"));
    let key = ReleaseKey::parse(&std::env::var(CHILD_KEY).expect("and the release")).unwrap();
    // Both children start together: each waits for the parent's go.
    let go = dir.join("go");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !go.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(200));
    }
    match deploy(&FileStore::open(&dir).unwrap(), &key) {
        Ok(_) => {}
        Err(error) if held(&error) => std::process::exit(HELD),
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn two_processes_racing_to_deploy_one_service_never_both_win() {
    let dir = TempDir::new("flight-race");
    let store = FileStore::open(dir.path()).unwrap();
    for round in 0..12 {
        let keys: Vec<ReleaseKey> =
            (0..2).map(|n| store.create(&ready(&format!("5.{round}.{n}"))).unwrap()).collect();
        let go = dir.path().join("go");
        let _ = std::fs::remove_file(&go);
        let children: Vec<_> = keys
            .iter()
            .map(|key| {
                Command::new(std::env::current_exe().unwrap())
                    .args(["--exact", "deploying_child", "--ignored", "--nocapture", "--test-threads=1"])
                    .env(CHILD_DIR, dir.path())
                    .env(CHILD_KEY, key.as_str())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150));
        std::fs::write(&go, "").unwrap();
        let codes: Vec<i32> =
            children.into_iter().map(|mut child| child.wait().unwrap().code().unwrap_or(-1)).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, HELD], "round {round}: exactly one child deploys");
        // The stores agree: one deploying, one frozen.
        let stages: Vec<Stage> = keys.iter().map(|key| store.load(key).unwrap().release.stage()).collect();
        let winner = codes.iter().position(|code| *code == 0).unwrap();
        assert_eq!(stages[winner], Stage::Deploying, "round {round}");
        assert_eq!(stages[1 - winner], Stage::Frozen, "round {round}");
        // Roll the winner back for the next round.
        let mut deployed = store.load(&keys[winner]).unwrap().release;
        let stored = deployed.events().len();
        deployed.roll_back("next round", &grace(), t(40)).unwrap();
        store.save(&deployed, stored).unwrap();
    }
}

#[test]
fn a_store_written_before_the_list_is_checked_against_every_release_of_the_service() {
    let dir = TempDir::new("flight-unlisted");
    let store = FileStore::open(dir.path()).unwrap();
    let first = store.create(&ready("6.0.0")).unwrap();
    let second = store.create(&ready("6.0.1")).unwrap();
    deploy(&store, &first).unwrap();
    // As a store written before this check kept no list: remove it.
    std::fs::remove_dir_all(dir.path().join("in-flight")).unwrap();
    let error = deploy(&FileStore::open(dir.path()).unwrap(), &second).unwrap_err();
    assert!(held(&error), "{error}");
    assert!(error.to_string().contains("release 6.0.0 of checkout is deploying"), "{error}");
}

#[test]
fn a_key_listed_by_a_move_that_never_reached_its_log_is_dropped() {
    let dir = TempDir::new("flight-stale");
    let store = FileStore::open(dir.path()).unwrap();
    let first = store.create(&ready("7.0.0")).unwrap();
    let second = store.create(&ready("7.0.1")).unwrap();
    // A crash after the list named the first release, before its log said
    // it deploys: the list is stale.
    deploy(&store, &first).unwrap();
    let mut deployed = store.load(&first).unwrap().release;
    let stored = deployed.events().len();
    deployed.roll_back("undo", &grace(), t(35)).unwrap();
    store.save(&deployed, stored).unwrap();
    let lists: Vec<_> = std::fs::read_dir(dir.path().join("in-flight"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "keys"))
        .collect();
    assert_eq!(lists.len(), 1);
    std::fs::write(&lists[0], format!("{first}\n")).unwrap();
    deploy(&store, &second).unwrap();
    let listed = std::fs::read_to_string(&lists[0]).unwrap();
    assert_eq!(listed, format!("{second}\n"), "the stale key is dropped, the new one listed");
    // Released, the service is free and the list empty.
    let mut release = store.load(&second).unwrap().release;
    let stored = release.events().len();
    release.roll_back("done", &grace(), t(45)).unwrap();
    store.save(&release, stored).unwrap();
    assert_eq!(std::fs::read_to_string(&lists[0]).unwrap(), "");
}
