//! The release stores, and what they do with damaged files.
#![cfg(feature = "store")]

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{ada, at_stage, planned, t};
use release_workflow::{
    FORMAT_VERSION, FileStore, MemoryStore, NextAction, Release, ReleaseError, ReleaseKey, ReleaseStore,
    Stage, StoreError, TornTail,
};

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("release-workflow-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn stores(dir: &TempDir) -> Vec<(&'static str, Box<dyn ReleaseStore>)> {
    vec![("memory", Box::new(MemoryStore::new())), ("file", Box::new(FileStore::open(dir.path()).unwrap()))]
}

#[test]
fn a_stored_release_loads_back_equal() {
    let dir = TempDir::new("round-trip");
    for (name, store) in stores(&dir) {
        let release = at_stage(Stage::Released);
        let key = store.create(&release).unwrap();
        assert_eq!(key.as_str(), "checkout@2.4.0");
        let loaded = store.load(&key).unwrap();
        assert_eq!(loaded.release, release, "{name}");
        assert_eq!(loaded.torn_tail, None);
        assert_eq!(store.keys().unwrap(), std::slice::from_ref(&key));
        let exists = store.create(&release).unwrap_err();
        assert!(matches!(exists, StoreError::ReleaseExists { .. }), "{name}");
        assert_eq!(exists.next_actions(), [NextAction::LoadAndAppend]);
        let missing = ReleaseKey::parse("nope@1.0.0").unwrap();
        assert!(matches!(store.load(&missing), Err(StoreError::ReleaseNotFound { .. })), "{name}");
        // A near miss gets "did you mean", as an unknown item does.
        let typo = ReleaseKey::parse("checkuot@2.4.0").unwrap();
        for error in [store.load(&typo).unwrap_err(), store.append(&typo, 1, &[]).unwrap_err()] {
            match &error {
                StoreError::ReleaseNotFound { suggestions, .. } => {
                    assert_eq!(suggestions, std::slice::from_ref(&key))
                }
                other => panic!("{name}: expected not found, got {other:?}"),
            }
            assert!(error.to_string().ends_with("did you mean checkout@2.4.0?"), "{error}");
            assert!(!error.to_string().contains("keys()"), "{error}");
            assert_eq!(error.next_actions(), [NextAction::ChooseStoredKey]);
        }
    }
}

#[test]
fn appends_check_the_events_and_the_version_read() {
    let dir = TempDir::new("append");
    for (name, store) in stores(&dir) {
        let mut release = planned();
        let key = store.create(&release).unwrap();
        release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
        release.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
        assert_eq!(store.save(&release, 1).unwrap(), 3, "{name}");
        assert_eq!(store.load(&key).unwrap().release, release);

        // A writer that read one event is behind: refused, nothing written.
        let stale = store.append(&key, 1, &release.events()[1..2]);
        match &stale {
            Err(StoreError::Conflict { key: stale_key, expected: 1, actual: 3 }) => {
                assert_eq!(stale_key, key.as_str(), "{name}");
            }
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }
        let stale = stale.unwrap_err();
        assert!(stale.to_string().contains("load it again"));
        assert_eq!(stale.next_actions(), [NextAction::ReloadAndRedo]);

        // An event that breaks a rule is refused, nothing written.
        let mut early = release.clone();
        early.complete("planning.roles-assigned", &ada(), t(3)).unwrap();
        let mut backwards = early.events()[3].clone();
        backwards.at = t(-100);
        let refused = store.append(&key, 3, &[backwards]);
        assert!(
            matches!(refused, Err(StoreError::Release(ReleaseError::Replay { position: 3, .. }))),
            "{name}: {refused:?}"
        );
        // The rule the event broke is the error's source.
        let refused = refused.unwrap_err();
        let source = std::error::Error::source(&refused).expect("a refused event names its rule");
        let rule = source.downcast_ref::<Box<ReleaseError>>().map(|rule| &**rule);
        assert!(matches!(rule, Some(ReleaseError::TimeWentBackwards { .. })), "{source:?}");
        assert_eq!(store.load(&key).unwrap().release, release, "{name}");
        assert_eq!(store.append(&key, 3, &[]).unwrap(), 3);
    }
}

#[test]
fn two_writers_racing_on_one_release_cannot_both_win() {
    let dir = TempDir::new("race");
    let store = FileStore::open(dir.path()).unwrap();
    let release = planned();
    let key = store.create(&release).unwrap();
    let items = [
        "planning.scope-documented",
        "planning.version-confirmed",
        "planning.roles-assigned",
        "build.features-merged",
    ];
    for round in 0..20 {
        let base = store.load(&key).unwrap().release;
        let count = base.events().len();
        let outcomes: Vec<Result<usize, release_workflow::Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> = items
                .iter()
                .enumerate()
                .map(|(writer, item)| {
                    let mut mine = base.clone();
                    let store = &store;
                    scope.spawn(move || {
                        let at = t(10 * round + writer as i64);
                        match mine.complete(item, &ada(), at) {
                            Ok(_) => store.save(&mine, count).map_err(Into::into),
                            Err(error) => Err(error.into()),
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|handle| handle.join().unwrap()).collect()
        });
        let winners = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
        let conflicts = outcomes
            .iter()
            .filter(|o| matches!(o, Err(release_workflow::Error::Store(StoreError::Conflict { .. }))))
            .count();
        let refused = outcomes
            .iter()
            .filter(|o| {
                matches!(o, Err(release_workflow::Error::Release(ReleaseError::ItemAlreadySettled { .. })))
            })
            .count();
        if refused == items.len() {
            break;
        }
        assert_eq!(winners, 1, "round {round}: {outcomes:?}");
        assert_eq!(winners + conflicts + refused, items.len());
        assert_eq!(store.load(&key).unwrap().release.events().len(), count + 1);
    }
}

#[test]
fn a_torn_last_line_is_left_out_reported_and_cut_by_the_next_append() {
    let dir = TempDir::new("torn");
    let store = FileStore::open(dir.path()).unwrap();
    let mut release = planned();
    let key = store.create(&release).unwrap();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    store.save(&release, 1).unwrap();
    let path = store.path_of(&key);
    // A crash in the middle of the next append: half a line, no newline.
    let torn = br#"{"at":"2026-11-30T09:05:00Z","by":{"na"#;
    fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(torn).unwrap();
    let loaded = store.load(&key).unwrap();
    assert_eq!(loaded.release, release, "the acknowledged prefix is intact");
    assert_eq!(loaded.torn_tail, Some(TornTail { line: 4, bytes: torn.len() }));
    release.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    assert_eq!(store.save(&release, 2).unwrap(), 3);
    let repaired = store.load(&key).unwrap();
    assert_eq!((repaired.release, repaired.torn_tail), (release, None));
    assert!(fs::read_to_string(&path).unwrap().ends_with("}\n"));
}

#[test]
fn a_corrupt_line_in_the_middle_is_named_by_file_and_line() {
    let dir = TempDir::new("corrupt");
    let store = FileStore::open(dir.path()).unwrap();
    let release = at_stage(Stage::Frozen);
    let key = store.create(&release).unwrap();
    let path = store.path_of(&key);
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[4] = "{this is not json}";
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    match store.load(&key) {
        Err(StoreError::CorruptLog { path: named, line, .. }) => assert_eq!((named, line), (path.clone(), 5)),
        other => panic!("unexpected {other:?}"),
    }
    let message = store.load(&key).unwrap_err().to_string();
    assert!(message.contains("checkout@2.4.0.jsonl, line 5"), "{message}");
    // Nothing is appended on top of a corrupt log.
    assert!(matches!(store.save(&release, release.events().len()), Err(StoreError::CorruptLog { .. })));
}

#[test]
fn a_hand_edited_log_that_skips_a_gate_does_not_load() {
    let dir = TempDir::new("tampered");
    let store = FileStore::open(dir.path()).unwrap();
    let release = at_stage(Stage::Frozen);
    let key = store.create(&release).unwrap();
    let path = store.path_of(&key);
    let text = fs::read_to_string(&path).unwrap();
    let last = text.lines().count();
    let tampered = text.replace(r#""from":"planned","to":"frozen""#, r#""from":"planned","to":"released""#);
    assert_ne!(tampered, text);
    fs::write(&path, tampered).unwrap();
    // The edit breaks the chain at its line...
    let error = store.load(&key).unwrap_err();
    assert!(matches!(error, StoreError::Refused { line, .. } if line == last), "{error}");
    assert!(error.to_string().contains("was changed after it was written"), "{error}");
    // ...and with the chain recomputed, the rules still refuse it.
    common::rechain_file(&path);
    let error = store.load(&key).unwrap_err();
    assert!(matches!(error, StoreError::Refused { line, .. } if line == last), "{error}");
    assert!(error.to_string().contains("cannot move from planned to released"), "{error}");
}

#[test]
fn files_that_are_not_logs_are_refused_clearly() {
    let dir = TempDir::new("not-a-log");
    let store = FileStore::open(dir.path()).unwrap();
    let key = ReleaseKey::parse("web@1.0.0").unwrap();
    fs::write(store.path_of(&key), "hello\n").unwrap();
    assert!(matches!(store.load(&key), Err(StoreError::NotALog { .. })));
    fs::write(store.path_of(&key), "").unwrap();
    assert!(store.load(&key).unwrap_err().to_string().contains("no complete header line"));
    fs::write(store.path_of(&key), "{\"format\":1,\"release\":\"other@1.0.0\"}\n").unwrap();
    assert!(store.load(&key).unwrap_err().to_string().contains("names release other@1.0.0"));
    fs::write(store.path_of(&key), "{\"format\":99,\"release\":\"web@1.0.0\"}\n").unwrap();
    assert!(matches!(
        store.load(&key),
        Err(StoreError::Release(ReleaseError::UnsupportedFormat { found: 99, supported: FORMAT_VERSION }))
    ));
    // Stray files are not releases.
    fs::write(dir.path().join("notes.txt"), "x").unwrap();
    assert_eq!(store.keys().unwrap(), [key]);
}

#[test]
fn directories_that_cannot_hold_a_store_are_refused_clearly() {
    let missing = std::env::temp_dir().join("release-workflow-no-such-dir-for-sure");
    let error = FileStore::open(&missing).unwrap_err();
    assert!(matches!(error, StoreError::Io { .. }));
    assert!(error.to_string().contains("release-workflow-no-such-dir-for-sure"), "{error}");
    // The system's own error stays reachable, for tools that inspect it.
    let source = std::error::Error::source(&error).expect("an I/O error keeps its source");
    let io = source.downcast_ref::<std::io::Error>().expect("the source is the io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    // An encoding failure keeps serde's error as its source, and names the release.
    let encode = StoreError::Encode {
        key: "web@1.0.0".into(),
        source: std::sync::Arc::new(serde_json::from_str::<u8>("x").unwrap_err()),
    };
    assert!(encode.to_string().starts_with("cannot encode release web@1.0.0"), "{encode}");
    let source = std::error::Error::source(&encode).unwrap();
    assert!(source.downcast_ref::<serde_json::Error>().is_some());
    let dir = TempDir::new("file-not-dir");
    let file = dir.path().join("plain");
    fs::write(&file, "x").unwrap();
    let error = FileStore::open(&file).unwrap_err();
    assert!(matches!(error, StoreError::NotADirectory { .. }), "{error}");
    assert!(error.to_string().contains("not a directory"));
    // /proc takes no new files, whoever asks: a read-only directory for root too.
    let read_only = FileStore::open("/proc").unwrap();
    let error = read_only.create(&planned()).unwrap_err();
    assert!(matches!(error, StoreError::Io { .. }), "{error}");
    assert!(error.to_string().contains("/proc"), "{error}");
}

#[test]
fn keys_are_safe_file_names() {
    assert_eq!(ReleaseKey::of(&planned()).as_str(), "checkout@2.4.0");
    for bad in ["", ".hidden", "a/b", "a b", "../x"] {
        assert!(ReleaseKey::parse(bad).is_err(), "{bad}");
    }
    let unnamed = Release::builder()
        .version("1.0.0-rc.1+build.5")
        .kind(release_workflow::ReleaseKind::Major)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(ada())
        .plan(t(0))
        .unwrap();
    assert_eq!(ReleaseKey::of(&unnamed).as_str(), "1.0.0-rc.1+build.5");
}

#[test]
fn a_stored_log_is_a_header_then_one_event_per_line() {
    let dir = TempDir::new("shape");
    let store = FileStore::open(dir.path()).unwrap();
    let release = at_stage(Stage::Frozen);
    let key = store.create(&release).unwrap();
    let text = fs::read_to_string(store.path_of(&key)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], r#"{"format":3,"release":"checkout@2.4.0"}"#);
    assert_eq!(lines.len(), release.events().len() + 1);
    let chain = release.chain();
    for ((line, event), link) in lines[1..].iter().zip(release.events()).zip(&chain) {
        let mut stored: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(stored["digest"], serde_json::json!(link.to_string()));
        stored.as_object_mut().unwrap().remove("digest");
        assert_eq!(&serde_json::from_value::<release_workflow::Event>(stored).unwrap(), event);
    }
    assert_eq!(chain.last(), Some(&release.head()));
    assert!(matches!(
        serde_json::from_str::<serde_json::Value>(lines[1]).unwrap()["what"]["type"].as_str(),
        Some("planned")
    ));
}

#[test]
fn two_stores_on_one_directory_see_each_others_appends() {
    let dir = TempDir::new("two-stores");
    let first = FileStore::open(dir.path()).unwrap();
    let second = FileStore::open(dir.path()).unwrap();
    let mut release = planned();
    let key = first.create(&release).unwrap();
    // The second store appends behind the first one's back.
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    second.save(&release, 1).unwrap();
    // The first store remembers a shorter file: it must read the log again, and refuse a stale writer.
    let mut stale = planned();
    stale.complete("planning.version-confirmed", &ada(), t(1)).unwrap();
    assert!(matches!(first.save(&stale, 1), Err(StoreError::Conflict { expected: 1, actual: 2, .. })));
    release.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    assert_eq!(first.save(&release, 2).unwrap(), 3);
    assert_eq!(second.load(&key).unwrap().release, release);
    // Refused appends leave the log and the store's memory of it as they were.
    let mut refused = release.clone();
    refused.complete("planning.roles-assigned", &ada(), t(3)).unwrap();
    let mut backwards = refused.events()[3].clone();
    backwards.at = t(-5);
    assert!(first.append(&key, 3, &[backwards]).is_err());
    assert_eq!(first.save(&refused, 3).unwrap(), 4);
    assert_eq!(first.load(&key).unwrap().release, refused);
}

#[test]
fn an_edit_that_keeps_the_length_is_still_noticed_by_the_next_append() {
    let dir = TempDir::new("same-length");
    let store = FileStore::open(dir.path()).unwrap();
    let mut release = at_stage(Stage::Frozen);
    let key = store.create(&release).unwrap();
    let path = store.path_of(&key);
    // Let the file's clock tick past the store's own write.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replacen(r#""to":"frozen""#, r#""to":"Frozen""#, 1);
    assert_eq!(edited.len(), text.len());
    fs::write(&path, edited).unwrap();
    let stored = release.events().len();
    release.complete("testing.unit-tests-passing", &ada(), t(99)).unwrap();
    assert!(matches!(store.save(&release, stored), Err(StoreError::CorruptLog { .. })));
}
