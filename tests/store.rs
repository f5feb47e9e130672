//! The release stores, and what they do with damaged files.
#![cfg(feature = "store")]

mod common;

use std::fs;
use std::io::Write;

use chrono::{DateTime, Utc};
use common::{TempDir, ada, at_stage, planned, t};
use release_workflow::{
    Actor, NextAction, Release, ReleaseError, Stage, Template,
    digest::Digest,
    release::{FORMAT_VERSION, ReleaseStatus, Revocation, TrustEntry, TrustLedger, TrustRecord},
    store::{
        Changes, Cursor, Deployments, FileStore, Listing, Loaded, MemoryStore, Overdue, ReleaseFilter,
        ReleaseKey, ReleaseStore, StoreError, TornTail,
    },
};

/// A directory under the system's temporary directory, removed on drop.
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
            assert!(
                error.to_string().ends_with("did you mean checkout@2.4.0? choose a key the store has"),
                "{error}"
            );
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
        assert!(stale.to_string().contains("load the release again and redo the change"));
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

/// A file store holding `planned()` with one item completed, saved.
fn stored_with_one_completion(name: &str) -> (TempDir, FileStore, Release, ReleaseKey) {
    let dir = TempDir::new(name);
    let store = FileStore::open(dir.path()).unwrap();
    let mut release = planned();
    let key = store.create(&release).unwrap();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    store.save(&release, 1).unwrap();
    (dir, store, release, key)
}

#[test]
fn a_torn_last_line_is_left_out_reported_and_cut_by_the_next_append() {
    let (_dir, store, mut release, key) = stored_with_one_completion("torn");
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
    assert_eq!(lines[0], r#"{"format":5,"release":"checkout@2.4.0"}"#);
    assert_eq!(lines.len(), release.events().len() + 1);
    let chain = release.chain();
    for ((line, event), link) in lines[1..].iter().zip(release.events()).zip(&chain) {
        let mut stored: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(stored["digest"], serde_json::json!(link.to_string()));
        stored.as_object_mut().unwrap().remove("digest");
        if let Some(template) = stored["what"].get_mut("plan").map(|plan| &mut plan["template"]) {
            // The planning event names its checklist; the store holds the version.
            assert_eq!(*template, serde_json::json!(release.template().fingerprint().to_string()));
            *template = serde_json::to_value(release.template()).unwrap();
        }
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
    // An item's completion, in the middle of the log, made a second later.
    let edited = text.replacen(
        r#"{"at":"2026-11-30T09:01:00Z","by":{"id":"ada","name":"Ada Lovelace","role":"release-manager"},"what":{"type":"item-completed","item":"planning.scope-documented"}"#,
        r#"{"at":"2026-11-30T09:01:01Z","by":{"id":"ada","name":"Ada Lovelace","role":"release-manager"},"what":{"type":"item-completed","item":"planning.scope-documented"}"#,
        1,
    );
    assert!(edited.len() == text.len() && edited != text);
    assert_eq!(edited.lines().last(), text.lines().last(), "the edit must leave the last line alone");
    fs::write(&path, edited).unwrap();
    let stored = release.events().len();
    release.complete("testing.unit-tests-passing", &ada(), t(99)).unwrap();
    let error = store.save(&release, stored).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("line 5: event 4 of the log was changed"), "{error}");
}

#[test]
fn an_edit_that_restores_the_files_time_is_noticed_by_a_store_that_remembers_it() {
    let dir = TempDir::new("same-length-same-time");
    let store = FileStore::open(dir.path()).unwrap();
    let mut release = at_stage(Stage::Frozen);
    let key = store.create(&release).unwrap();
    // An append: the store now remembers the file as it left it.
    let stored = release.events().len();
    release.complete("testing.unit-tests-passing", &ada(), t(99)).unwrap();
    store.save(&release, stored).unwrap();
    let path = store.path_of(&key);
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    // An earlier line edited in place, same length, and the time put back:
    // what an editor that preserves timestamps does.
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replacen("\"at\":\"2026-11-30T09:01:00Z\"", "\"at\":\"2026-11-30T09:01:01Z\"", 1);
    assert!(edited.len() == text.len() && edited != text);
    assert_eq!(edited.lines().last(), text.lines().last(), "the last line is left alone");
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    std::io::Write::write_all(&mut &file, edited.as_bytes()).unwrap();
    file.set_modified(before).unwrap();
    drop(file);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    // The next append is refused: nothing is acknowledged into a log that
    // does not load.
    let stored = release.events().len();
    release.complete("testing.integration-tests-passing", &ada(), t(100)).unwrap();
    let error = store.save(&release, stored).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("of the log was changed after it was written"), "{error}");
    assert_eq!(fs::read_to_string(&path).unwrap(), edited, "nothing was appended");
}

#[test]
fn a_path_that_cannot_be_opened_as_a_log_is_an_io_error_not_a_missing_release() {
    let dir = TempDir::new("log-is-a-directory");
    let store = FileStore::open(dir.path()).unwrap();
    let key = ReleaseKey::parse("web@1.0.0").unwrap();
    fs::create_dir(store.path_of(&key)).unwrap();
    let error = store.append(&key, 1, &[]).map(|_| ()).unwrap_err();
    assert!(matches!(error, StoreError::Io { .. }), "{error}");
    assert!(error.to_string().contains("cannot open"), "{error}");
}

/// A release of `service` 1.0.0, planned at `t(0)`.
fn planned_for(service: &str) -> Release {
    Release::builder()
        .service(service)
        .version("1.0.0")
        .previous_version("0.9.0")
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(ada())
        .plan(t(0))
        .unwrap()
}

#[test]
fn names_a_file_name_cannot_hold_never_share_a_key() {
    let dir = TempDir::new("injective");
    let store = FileStore::open(dir.path()).unwrap();
    let long = "p".repeat(199);
    let other_long = format!("{}q", "p".repeat(198));
    let services = ["pay ments", "pay_ments", "paymenté", "paymente", "pay%20ments", &long, &other_long];
    let releases: Vec<Release> = services.iter().map(|service| planned_for(service)).collect();
    let keys: Vec<ReleaseKey> = releases.iter().map(|release| store.create(release).unwrap()).collect();
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(store.load(key).unwrap().release, releases[i], "{key}");
        assert!(keys.iter().skip(i + 1).all(|other| other != key), "{key} is shared");
    }
    assert_eq!(store.keys().unwrap().len(), services.len());
}

#[test]
fn a_log_copied_under_another_key_is_refused() {
    let dir = TempDir::new("copied");
    let store = FileStore::open(dir.path()).unwrap();
    let key = store.create(&planned_for("web")).unwrap();
    let other = ReleaseKey::parse("api@1.0.0").unwrap();
    let text = fs::read_to_string(store.path_of(&key)).unwrap();
    fs::write(store.path_of(&other), text.replacen("web@1.0.0", "api@1.0.0", 1)).unwrap();
    let error = store.load(&other).map(|_| ()).unwrap_err();
    assert!(matches!(error, StoreError::NotALog { .. }), "{error}");
    assert!(error.to_string().contains("it holds release web@1.0.0, not api@1.0.0"), "{error}");
}

/// Rewrites the file with `edit` applied, keeping its length and restoring
/// its modification time: an edit made to go unnoticed.
fn edit_unnoticeably(path: &std::path::Path, edit: impl FnOnce(&str) -> String) {
    let modified = fs::metadata(path).unwrap().modified().unwrap();
    let text = fs::read_to_string(path).unwrap();
    let edited = edit(&text);
    assert_eq!(edited.len(), text.len());
    assert_ne!(edited, text);
    fs::write(path, edited).unwrap();
    fs::File::options().write(true).open(path).unwrap().set_modified(modified).unwrap();
    assert_eq!(fs::metadata(path).unwrap().modified().unwrap(), modified);
}

#[test]
fn a_rewrite_that_keeps_length_and_time_is_noticed_before_an_append() {
    let (_dir, store, release, key) = stored_with_one_completion("unnoticed");
    let path = store.path_of(&key);

    // The last line edited in place: the store notices and refuses to
    // build on it.
    edit_unnoticeably(&path, |text| {
        replace_last(text, "planning.scope-documented", "planning.scope-documenteX")
    });
    let mut next = release.clone();
    next.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    let error = store.save(&next, 2).map(|_| ()).unwrap_err();
    assert!(matches!(error, StoreError::CorruptLog { .. } | StoreError::Refused { .. }), "{error}");

    // The log rewritten with its chain recomputed: the store reads it
    // again instead of chaining new events to the head it remembers, so
    // the log it leaves still verifies.
    let dir = TempDir::new("unnoticed-rechained");
    let store = FileStore::open(dir.path()).unwrap();
    let key = store.create(&planned()).unwrap();
    store.save(&release, 1).unwrap();
    let path = store.path_of(&key);
    edit_unnoticeably(&path, |text| {
        let edited = text.replacen(r#""at":"2026-11-30T09:01:00Z""#, r#""at":"2026-11-30T09:01:30Z""#, 1);
        let scratch = dir.path().join("scratch");
        fs::write(&scratch, edited).unwrap();
        common::rechain_file(&scratch);
        fs::read_to_string(&scratch).unwrap()
    });
    store.save(&next, 2).unwrap();
    let loaded = store.load(&key).unwrap().release;
    assert_eq!(loaded.events().len(), 3);
    assert_eq!(
        loaded.events()[1].at,
        t(1) + chrono::TimeDelta::seconds(30),
        "the rewrite is what the store built on"
    );
}

#[test]
fn a_last_line_complete_but_for_its_newline_is_kept_and_completed() {
    let (_dir, store, mut release, key) = stored_with_one_completion("no-newline");
    let path = store.path_of(&key);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.strip_suffix('\n').unwrap()).unwrap();
    let loaded = store.load(&key).unwrap();
    assert_eq!((&loaded.release, loaded.torn_tail), (&release, None), "an acknowledged event was cut");
    release.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    assert_eq!(store.save(&release, 2).unwrap(), 3);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(text.ends_with("}\n"));
    assert_eq!(store.load(&key).unwrap().release, release);
}

#[test]
fn recover_keeps_the_longest_valid_prefix_and_the_damaged_log() {
    let dir = TempDir::new("recover");
    let store = FileStore::open(dir.path()).unwrap();
    let release = at_stage(Stage::Frozen);
    let key = store.create(&release).unwrap();
    let path = store.path_of(&key);
    let original = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = original.lines().collect();
    let total = lines.len();
    lines[5] = "{this is not json}";
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let damaged = fs::read(&path).unwrap();
    // Loading names the line and points at recovery; nothing is repaired.
    let error = store.load(&key).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("line 6"), "{error}");
    assert_eq!(error.next_actions(), [NextAction::RestoreLog]);
    assert_eq!(fs::read(&path).unwrap(), damaged);

    let recovery = store.recover(&key).unwrap();
    assert_eq!(recovery.release.release.events(), &release.events()[..4]);
    let dropped: Vec<usize> = recovery.dropped.iter().map(|line| line.line).collect();
    assert_eq!(dropped, (6..=total).collect::<Vec<_>>());
    assert!(recovery.problem.as_deref().is_some_and(|problem| problem.starts_with("line 6:")));
    let aside = recovery.moved_to.unwrap();
    assert_eq!(fs::read(&aside).unwrap(), damaged, "the damaged log is kept as it was");
    assert_eq!(store.load(&key).unwrap().release, recovery.release.release);
    assert_eq!(store.keys().unwrap(), std::slice::from_ref(&key), "the kept copy is not a release");
    // A healthy log has nothing to recover.
    let again = store.recover(&key).unwrap();
    assert!(again.dropped.is_empty() && again.moved_to.is_none());
    // Damaged again, it is kept beside the first copy, not over it.
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text + "{\"not\":\"an event\"}\n").unwrap();
    let second = store.recover(&key).unwrap();
    assert_eq!(second.moved_to.unwrap(), dir.path().join(format!("{key}.jsonl.corrupt-2")));
    assert_eq!(fs::read(&aside).unwrap(), damaged, "the first copy was overwritten");
    // A chain broken in the middle is cut there too.
    let key = store.create(&planned_for("web")).unwrap();
    let mut web = store.load(&key).unwrap().release;
    web.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    web.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    store.save(&web, 1).unwrap();
    let path = store.path_of(&key);
    let text = fs::read_to_string(&path).unwrap();
    let edited =
        replace_last(&text, r#""item":"planning.scope-documented""#, r#""item":"planning.roles-assigned""#);
    fs::write(
        &path,
        replace_last(
            &edited,
            r#""item":"planning.version-confirmed""#,
            r#""item":"planning.scope-documented""#,
        ),
    )
    .unwrap();
    let recovery = store.recover(&key).unwrap();
    assert_eq!(recovery.release.release.events().len(), 1);
    assert!(recovery.problem.unwrap().contains("was changed after it was written"));
    // A log whose plan itself is damaged has no prefix to keep: its
    // checklist named by a fingerprint no one trusts, or its text changed.
    let text = fs::read_to_string(&path).unwrap();
    let fingerprint = web.template().fingerprint().to_string();
    let other = format!("{}{}", if fingerprint.starts_with('0') { '1' } else { '0' }, &fingerprint[1..]);
    fs::write(&path, text.replacen(&fingerprint, &other, 1)).unwrap();
    let error = store.recover(&key).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("nothing to keep") && error.to_string().contains(&other), "{error}");
    fs::write(&path, text.replacen(r#""target_date":"2026-"#, r#""target_date":"2027-"#, 1)).unwrap();
    let error = store.recover(&key).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("nothing to keep"), "{error}");
}

/// `text` with the last occurrence of `from` replaced by `to`.
fn replace_last(text: &str, from: &str, to: &str) -> String {
    let at = text.rfind(from).unwrap();
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

#[test]
fn update_retries_until_every_concurrent_change_lands() {
    let dir = TempDir::new("update");
    const ITEMS: [&str; 6] = [
        "planning.version-confirmed",
        "planning.type-identified",
        "planning.scope-documented",
        "planning.dependencies-identified",
        "planning.roles-assigned",
        "planning.stakeholders-notified",
    ];
    for name in ["memory", "file"] {
        let store: std::sync::Arc<dyn ReleaseStore + Send + Sync> = match name {
            "memory" => std::sync::Arc::new(MemoryStore::new()),
            _ => std::sync::Arc::new(FileStore::open(dir.path()).unwrap()),
        };
        let key = store.create(&planned_for(name)).unwrap();
        let threads: Vec<_> = ITEMS
            .into_iter()
            .map(|item| {
                let (store, key) = (std::sync::Arc::clone(&store), key.clone());
                std::thread::spawn(move || {
                    store.update(&key, |release| {
                        let at = release.last_event_at();
                        release.complete(item, &ada(), at)?;
                        Ok::<_, StoreError>(())
                    })
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap().map(|_| ()).unwrap();
        }
        let release = store.load(&key).unwrap().release;
        for item in ITEMS {
            assert!(release.item_status(item).is_some_and(|status| status.is_settled()), "{name}: {item}");
        }
        // A change the rules refuse is reported, and nothing is saved.
        let error = store
            .update(&key, |release| {
                release.complete("planning.no-such-item", &ada(), t(5)).map(drop).map_err(StoreError::from)
            })
            .map(|_| ())
            .unwrap_err();
        assert!(matches!(error, StoreError::Release(ReleaseError::UnknownItem { .. })), "{error}");
        assert_eq!(store.load(&key).unwrap().release.events().len(), 7);
    }
}

/// A full disk, for real: a 256 KiB tmpfs, filled. Needs root to mount;
/// elsewhere the unit test `store::file::tests` fails the writer instead.
#[test]
fn a_full_disk_leaves_the_log_as_it_was() {
    let dir = TempDir::new("full-disk");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(dir.path())
        .status()
        .is_ok_and(|status| status.success());
    if !mounted {
        eprintln!(
            "SKIPPED a_full_disk_leaves_the_log_as_it_was: cannot mount a tmpfs here (not root?); \
             store::file::tests::an_append_that_fills_the_disk_leaves_the_log_as_it_was covers it"
        );
        return;
    }
    struct Unmount<'a>(&'a std::path::Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(dir.path());
    let store = FileStore::open(dir.path()).unwrap();
    let mut release = at_stage(Stage::Deploying);
    let key = store.create(&release).unwrap();
    let path = store.path_of(&key);
    let before = fs::read(&path).unwrap();
    // Fill the disk.
    let mut filler = fs::File::create(dir.path().join("filler")).unwrap();
    let block = vec![0u8; 4096];
    while filler.write_all(&block).and_then(|()| filler.sync_all()).is_ok() {}
    while filler.write_all(&block[..1]).is_ok() {}
    drop(filler);
    let bot = release_workflow::Actor::new("monitor", "monitor", release_workflow::Role::AUTOMATION).unwrap();
    let stored = release.events().len();
    for n in 0..200 {
        release.observe("error_rate", 0.001 * f64::from(n), "prometheus", &bot, t(100)).unwrap();
    }
    let error = store.save(&release, stored).map(|_| ()).unwrap_err();
    assert!(matches!(error, StoreError::Io { .. }), "{error}");
    assert_eq!(fs::read(&path).unwrap(), before, "a partial batch was left in the log");
    assert_eq!(store.load(&key).unwrap().release.events().len(), stored);
    fs::remove_file(dir.path().join("filler")).unwrap();
    assert_eq!(store.save(&release, stored).unwrap(), release.events().len());
    assert_eq!(store.load(&key).unwrap().release, release);
}

#[test]
fn a_log_cut_at_any_byte_keeps_every_whole_event() {
    let (dir, store, mut release, key) = stored_with_one_completion("cut-anywhere");
    release.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    release.complete("planning.type-identified", &ada(), t(3)).unwrap();
    store.save(&release, 2).unwrap();
    let path = store.path_of(&key);
    let full = fs::read(&path).unwrap();
    // Where each event's line ends (after its newline); a crash cannot cut
    // the planning line, which creation writes whole.
    let ends: Vec<usize> =
        full.iter().enumerate().filter(|(_, byte)| **byte == b'\n').map(|(at, _)| at + 1).collect();
    let scratch = FileStore::open(dir.path()).unwrap();
    for cut in ends[1]..=full.len() {
        fs::write(&path, &full[..cut]).unwrap();
        let loaded = scratch.load(&key).unwrap_or_else(|error| panic!("cut at {cut}: {error}"));
        let whole_lines = ends.iter().filter(|end| **end <= cut).count() - 1;
        // A line complete but for its newline counts too.
        let complete_but_newline = ends.contains(&(cut + 1));
        let expected = whole_lines + usize::from(complete_but_newline);
        assert_eq!(loaded.release.events().len(), expected, "cut at {cut}");
        assert_eq!(loaded.release.events(), &release.events()[..expected], "cut at {cut}");
        assert_eq!(loaded.torn_tail.is_some(), !ends.contains(&cut) && !complete_but_newline, "cut at {cut}");
    }
}

#[test]
fn a_log_of_format_2_loads_unchained_and_stays_readable_after_appends() {
    let dir = TempDir::new("format-2");
    let store = FileStore::open(dir.path()).unwrap();
    let mut release = planned();
    let key = ReleaseKey::of(&release);
    let mut text = format!("{{\"format\":2,\"release\":\"{key}\"}}\n");
    for event in release.events() {
        text.push_str(&serde_json::to_string(event).unwrap());
        text.push('\n');
    }
    fs::write(store.path_of(&key), text).unwrap();
    let loaded = store.load(&key).unwrap();
    assert_eq!(loaded.integrity, release_workflow::release::Integrity::Unchained);
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    store.save(&release, 1).unwrap();
    let reloaded = store.load(&key).unwrap();
    assert_eq!(
        (reloaded.release, reloaded.integrity),
        (release, release_workflow::release::Integrity::Unchained)
    );
    assert!(!fs::read_to_string(store.path_of(&key)).unwrap().contains("digest"), "a log mixes formats");
    // A store with a key cannot vouch for it.
    let key_store = FileStore::open(dir.path()).unwrap().with_trust(
        release_workflow::release::Trust::default()
            .with_key(release_workflow::digest::SealKey::new(vec![3; 32]).unwrap()),
    );
    let error = key_store.load(&key).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("written before logs were chained"), "{error}");
}

#[test]
fn a_sealed_store_seals_what_it_writes_and_refuses_what_it_did_not_seal() {
    let dir = TempDir::new("sealed");
    let sealed = release_workflow::release::Trust::default()
        .with_key(release_workflow::digest::SealKey::new(vec![5; 32]).unwrap());
    let store = FileStore::open(dir.path()).unwrap().with_trust(sealed);
    let (mut release, key) = (planned(), ReleaseKey::of(&planned()));
    store.create(&release).unwrap();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    store.save(&release, 1).unwrap();
    let loaded = store.load(&key).unwrap();
    assert_eq!(
        (loaded.release, loaded.integrity),
        (release.clone(), release_workflow::release::Integrity::Sealed)
    );
    let text = fs::read_to_string(store.path_of(&key)).unwrap();
    assert_eq!(text.matches(r#""seal":""#).count(), 2);
    // A reader without the key still checks the chain.
    let unkeyed = FileStore::open(dir.path()).unwrap().load(&key).unwrap();
    assert_eq!(unkeyed.integrity, release_workflow::release::Integrity::Chained);
    // A log written without the key, then put in its place, is refused.
    fs::remove_file(store.path_of(&key)).unwrap();
    FileStore::open(dir.path()).unwrap().create(&release).unwrap();
    let error = store.load(&key).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("line 2: event 1 of the log is not sealed"), "{error}");
}

/// A store where another writer always got there first.
struct AlwaysStale {
    inner: MemoryStore,
    appends: std::sync::atomic::AtomicUsize,
}

impl ReleaseStore for AlwaysStale {
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        self.inner.create(release)
    }

    fn load(&self, key: &ReleaseKey) -> Result<release_workflow::store::StoredRelease, StoreError> {
        self.inner.load(key)
    }

    fn append(
        &self,
        key: &ReleaseKey,
        expected: usize,
        _: &[release_workflow::Event],
    ) -> Result<usize, StoreError> {
        self.appends.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Err(StoreError::Conflict { key: key.to_string(), expected, actual: expected + 1 })
    }

    fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError> {
        self.inner.keys()
    }

    fn changes_since(
        &self,
        cursor: release_workflow::store::Cursor,
    ) -> Result<release_workflow::store::Changes, StoreError> {
        self.inner.changes_since(cursor)
    }
}

#[test]
fn update_gives_up_after_its_attempts_and_reports_the_conflict() {
    let store = AlwaysStale { inner: MemoryStore::new(), appends: Default::default() };
    let key = store.create(&planned()).unwrap();
    let mut changes = 0;
    let error = store
        .update(&key, |release| {
            changes += 1;
            release.complete("planning.scope-documented", &ada(), t(1)).map(drop).map_err(StoreError::from)
        })
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict { .. }), "{error}");
    assert_eq!(error.next_actions(), [NextAction::ReloadAndRedo]);
    assert_eq!(changes, release_workflow::store::UPDATE_ATTEMPTS);
    assert_eq!(
        store.appends.load(std::sync::atomic::Ordering::Relaxed),
        release_workflow::store::UPDATE_ATTEMPTS
    );
}

#[test]
fn the_store_keeps_each_checklist_version_once_beside_the_logs() {
    let dir = TempDir::new("kept-checklists");
    let store = FileStore::open(dir.path()).unwrap();
    store.create(&at_stage(Stage::Frozen)).unwrap();
    store.create(&planned_for("web")).unwrap();
    let fingerprint = release_workflow::Template::octoacme().fingerprint();
    let kept: Vec<_> =
        fs::read_dir(store.checklists_dir()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(kept, [std::ffi::OsString::from(format!("{fingerprint}.json"))], "one file for two releases");
    let path = store.checklists_dir().join(format!("{fingerprint}.json"));
    assert_eq!(fs::read(&path).unwrap(), release_workflow::Template::octoacme().canonical_encoding());
    // A log is a few KB: it names the version instead of holding it.
    let log = fs::metadata(store.path_of(&ReleaseKey::parse("checkout@2.4.0").unwrap())).unwrap().len();
    assert!(log < 4_000, "{log} bytes");
    // A kept copy edited by hand is reported to a reader that needs it,
    // naming the file; a reader that trusts the version does not need it.
    fs::write(&path, fs::read_to_string(&path).unwrap().replacen("Release", "Relaese", 1)).unwrap();
    let fresh = FileStore::open(dir.path()).unwrap().with_trust(release_workflow::release::Trust::nothing());
    let error = fresh.load(&ReleaseKey::parse("web@1.0.0").unwrap()).map(|_| ()).unwrap_err();
    assert!(matches!(error, StoreError::CorruptChecklist { .. }), "{error:?}");
    assert!(error.to_string().contains(&format!("{fingerprint}.json")), "{error}");
    assert!(error.to_string().contains("which it is kept under"), "{error}");
    FileStore::open(dir.path()).unwrap().load(&ReleaseKey::parse("web@1.0.0").unwrap()).unwrap();
    // And creating a release on that version refuses to name a copy that is not it.
    let refused = FileStore::open(dir.path()).unwrap().create(&planned_for("api")).map(|_| ()).unwrap_err();
    assert!(matches!(refused, StoreError::CorruptChecklist { .. }), "{refused:?}");
    assert!(
        !FileStore::open(dir.path()).unwrap().keys().unwrap().iter().any(|key| key.as_str() == "api@1.0.0")
    );
}

#[test]
fn the_trust_ledger_file_survives_a_torn_line_and_refuses_an_edited_one() {
    use release_workflow::{Gate, Template};
    let dir = TempDir::new("trust-ledger-file");
    let store = FileStore::open(dir.path()).unwrap();
    let team = |title: &str| {
        Template::builder("Team").section("Ship").item("ship.ok", title, Gate::Deploy).build().unwrap()
    };
    store.trust_checklist(&team("Ok"), None, &ada(), t(1), "first").unwrap();
    let path = store.trust_ledger_path();
    let whole = fs::read(&path).unwrap();
    assert_eq!(whole.iter().filter(|byte| **byte == b'\n').count(), 1, "one entry a line");
    // A crash cut the next entry short: it was never acknowledged, the
    // ledger reads without it, and the next entry replaces it.
    let mut torn = whole.clone();
    torn.extend_from_slice(br#"{"entry":"trusted","fingerprint":"ab"#);
    fs::write(&path, &torn).unwrap();
    assert_eq!(store.trust_ledger().unwrap().entries().len(), 1);
    store.trust_checklist(&team("Ok, tested"), Some(&team("Ok")), &ada(), t(2), "second").unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with(std::str::from_utf8(&whole).unwrap()) && text.ends_with('\n'), "{text}");
    assert_eq!(FileStore::open(dir.path()).unwrap().trust_ledger().unwrap().entries().len(), 2);
    // An entry edited by hand (its reason emptied) is refused, naming the file.
    fs::write(&path, text.replacen(r#""why":"first""#, r#""why":"""#, 1)).unwrap();
    let error = store.trust_ledger().unwrap_err();
    assert!(matches!(&error, StoreError::CorruptChecklist { path: at, .. } if *at == path), "{error:?}");
    assert!(error.to_string().contains("holds an entry its ledger refuses"), "{error}");
    // And a store that cannot read its ledger creates nothing on trust it cannot check.
    let release = common::planned_on(team("Ok"));
    assert!(matches!(store.create(&release), Err(StoreError::CorruptChecklist { .. })));
}

#[test]
fn a_trust_ledger_that_cannot_be_read_is_an_error_not_an_empty_ledger() {
    let dir = TempDir::new("trust-ledger-unreadable");
    let store = FileStore::open(dir.path()).unwrap();
    fs::create_dir_all(store.trust_ledger_path()).unwrap();
    let error = store.trust_ledger().unwrap_err();
    assert!(matches!(&error, StoreError::Io { .. }), "{error:?}");
}

/// A store with its own answer to every method it may override: each one
/// fails naming the method.
struct OwnAnswers(MemoryStore);

fn own(method: &str) -> StoreError {
    StoreError::NotALog { path: method.into(), problem: "the store's own answer".into() }
}

impl ReleaseStore for OwnAnswers {
    fn create(&self, release: &Release) -> Result<ReleaseKey, StoreError> {
        self.0.create(release)
    }
    fn load(&self, key: &ReleaseKey) -> Result<release_workflow::store::StoredRelease, StoreError> {
        self.0.load(key)
    }
    fn append(
        &self,
        key: &ReleaseKey,
        expected: usize,
        events: &[release_workflow::Event],
    ) -> Result<usize, StoreError> {
        self.0.append(key, expected, events)
    }
    fn keys(&self) -> Result<Vec<ReleaseKey>, StoreError> {
        self.0.keys()
    }
    fn changes_since(&self, cursor: Cursor) -> Result<Changes, StoreError> {
        self.0.changes_since(cursor)
    }
    fn feed_head(&self) -> Result<Cursor, StoreError> {
        Err(own("feed_head"))
    }
    fn wait_for_changes(&self, _: Cursor, _: std::time::Duration) -> Result<Changes, StoreError> {
        Err(own("wait_for_changes"))
    }
    fn load_many(&self, _: &[ReleaseKey]) -> Result<Loaded, StoreError> {
        Err(own("load_many"))
    }
    fn list(&self, _: &ReleaseFilter) -> Result<Listing, StoreError> {
        Err(own("list"))
    }
    fn deployments(&self, _: &ReleaseFilter) -> Result<Deployments, StoreError> {
        Err(own("deployments"))
    }
    fn overdue(&self, _: DateTime<Utc>) -> Result<Overdue, StoreError> {
        Err(own("overdue"))
    }
    fn status(&self, _: &ReleaseKey, _: DateTime<Utc>) -> Result<ReleaseStatus, StoreError> {
        Err(own("status"))
    }
    fn checklist(&self, _: &Digest) -> Result<Option<Template>, StoreError> {
        Err(own("checklist"))
    }
    fn trust_ledger(&self) -> Result<TrustLedger, StoreError> {
        Err(own("trust_ledger"))
    }
    fn append_trust(&self, _: usize, _: &TrustEntry, _: Option<&Template>) -> Result<(), StoreError> {
        Err(own("append_trust"))
    }
    fn trust_checklist(
        &self,
        _: &Template,
        _: Option<&Template>,
        _: &Actor,
        _: DateTime<Utc>,
        _: &str,
    ) -> Result<TrustRecord, StoreError> {
        Err(own("trust_checklist"))
    }
    fn revoke_checklist(
        &self,
        _: &Digest,
        _: &Actor,
        _: DateTime<Utc>,
        _: &str,
    ) -> Result<Revocation, StoreError> {
        Err(own("revoke_checklist"))
    }
    fn save(&self, _: &Release, _: usize) -> Result<usize, StoreError> {
        Err(own("save"))
    }
}

/// The methods a store may override, each called once on `store`, with the
/// name of the method that answered when it failed.
fn answers(store: &impl ReleaseStore, release: &Release, key: &ReleaseKey) -> Vec<String> {
    let template = release.template();
    let fingerprint = template.fingerprint();
    let all = ReleaseFilter::all();
    let results: Vec<Result<(), StoreError>> = vec![
        store.feed_head().map(drop),
        store.wait_for_changes(Cursor::START, std::time::Duration::ZERO).map(drop),
        store.load_many(std::slice::from_ref(key)).map(drop),
        store.list(&all).map(drop),
        store.deployments(&all).map(drop),
        store.overdue(t(0)).map(drop),
        store.status(key, t(0)).map(drop),
        store.checklist(&fingerprint).map(drop),
        store.trust_ledger().map(drop),
        store.append_trust(0, &TrustEntry::Revoked(revocation(&fingerprint)), None),
        store.trust_checklist(template, None, &ada(), t(0), "reviewed").map(drop),
        store.revoke_checklist(&fingerprint, &ada(), t(0), "retired").map(drop),
        store.save(release, 0).map(drop),
    ];
    results
        .into_iter()
        .map(|result| match result {
            Err(StoreError::NotALog { path, .. }) => path.display().to_string(),
            other => format!("the trait's default: {other:?}"),
        })
        .collect()
}

fn revocation(fingerprint: &Digest) -> Revocation {
    Revocation { fingerprint: *fingerprint, by: ada(), at: t(0), why: "retired".into() }
}

#[test]
fn a_store_behind_a_pointer_keeps_its_own_answer_to_every_method_it_overrides() {
    let store = OwnAnswers(MemoryStore::new());
    let release = planned();
    let key = store.create(&release).unwrap();
    let expected = answers(&store, &release, &key);
    assert!(expected.iter().all(|answer| !answer.starts_with("the trait's")), "{expected:?}");
    let store = std::sync::Arc::new(store);
    assert_eq!(answers(&&*store, &release, &key), expected, "behind &");
    assert_eq!(answers(&store, &release, &key), expected, "behind Arc");
    let shared: std::sync::Arc<dyn ReleaseStore + Send + Sync> = store;
    assert_eq!(answers(&shared, &release, &key), expected, "behind Arc<dyn>");
    let boxed: Box<dyn ReleaseStore> = Box::new(OwnAnswers(MemoryStore::new()));
    assert_eq!(answers(&boxed, &release, &key), expected, "behind Box<dyn>");
}

#[test]
fn a_crashed_batch_marker_is_cleared_before_a_lone_event_is_written() {
    let dir = TempDir::new("stale-batch");
    let store = FileStore::open(dir.path()).unwrap();
    let mut release = planned();
    let key = store.create(&release).unwrap();
    // A batch killed before it wrote a line leaves a marker naming bytes
    // from the log's end on. Were it still there when a lone event is
    // written (a writer killed before its clean-up), the next load would
    // take the event for part of that batch and drop it, after the feed
    // had numbered it. So the marker must go first: one that cannot be
    // removed (a folder in its place) refuses the append.
    let log = store.path_of(&key);
    let before = fs::read(&log).unwrap();
    let marker = log.with_file_name(format!(".{}.jsonl.batch", key.as_str()));
    fs::create_dir(&marker).unwrap();
    let stored = release.events().len();
    release.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    let error = store.save(&release, stored).unwrap_err();
    assert!(matches!(&error, StoreError::Io { action: "remove", path, .. } if *path == marker), "{error:?}");
    assert_eq!(fs::read(&log).unwrap(), before, "the log is as it was");
    assert_eq!(store.changes_since(Cursor::START).unwrap().changes.len(), stored, "nothing numbered");
    // A marker file is removed, and the event stored.
    fs::remove_dir(&marker).unwrap();
    fs::write(&marker, r#"{"from":0,"to":1}"#).unwrap();
    store.save(&release, stored).unwrap();
    assert!(!marker.exists());
    let fresh = FileStore::open(dir.path()).unwrap();
    assert_eq!(fresh.load(&key).unwrap().release.events().len(), stored + 1);
}
