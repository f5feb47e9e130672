//! The notify example's bot (`examples/notify.rs`): the messages the
//! checklist's communication items ask for, one line each, resumed from a
//! kept cursor after a restart.

#![cfg(feature = "store")]

mod common;
#[path = "../examples/notify.rs"]
#[allow(dead_code)]
mod notify;

use common::{TempDir, grace, monitor, planned_as, t, walked_to};
use release_workflow::{
    Stage,
    store::{Cursor, FileStore, ReleaseKey, ReleaseStore},
};

/// The bot over `dir`, run until it has caught up; its lines.
fn run(dir: &TempDir, cursor_file: Option<&std::path::Path>, from_start: bool) -> Vec<String> {
    let options = notify::Options {
        store: Box::new(FileStore::open(dir.path()).unwrap()),
        cursor_file: cursor_file.map(std::path::Path::to_path_buf),
        from_start,
        once: true,
    };
    let mut out = Vec::new();
    notify::follow(&options, &mut out).unwrap();
    String::from_utf8(out).unwrap().lines().map(str::to_owned).collect()
}

#[test]
fn the_bot_announces_each_release_once_and_resumes_after_a_restart() {
    let dir = TempDir::new("notify");
    let store = FileStore::open(dir.path()).unwrap();
    store.create(&walked_to(planned_as("mail", "0.9.0"), Stage::Released)).unwrap();
    let billing = walked_to(planned_as("billing", "3.1.0"), Stage::Deploying);
    let billing_key = store.create(&billing).unwrap();
    let kept = dir.path().join("notify.cursor");

    let first = run(&dir, Some(&kept), true);
    assert_eq!(
        first,
        [
            "upcoming: mail@0.9.0 (minor release) planned for 2026-12-01, release manager Ada Lovelace, on call Grace Hopper",
            "deploying: mail@0.9.0, started by Ada Lovelace at 2026-11-30 09:02 UTC",
            "released: mail@0.9.0 is in production, released by Ada Lovelace at 2026-11-30 09:04 UTC",
            "upcoming: billing@3.1.0 (minor release) planned for 2026-12-01, release manager Ada Lovelace, on call Grace Hopper",
            "deploying: billing@3.1.0, started by Ada Lovelace at 2026-11-30 09:02 UTC",
        ]
    );
    let cursor: Cursor = std::fs::read_to_string(&kept).unwrap().parse().unwrap();
    assert_eq!(cursor, store.feed_head().unwrap(), "the kept cursor is where the bot stopped");

    // Restarted with nothing new: nothing said again.
    assert!(run(&dir, Some(&kept), true).is_empty());

    // The release is rolled back on its criteria: the restarted bot says
    // so, with the reasons, and only that.
    let mut rolled = store.load(&billing_key).unwrap().release;
    let stored = rolled.events().len();
    rolled.observe("critical_flow_failures", 2.0, "synthetics", &monitor(), t(20)).unwrap();
    rolled.roll_back_on_criteria(&grace(), t(21)).unwrap();
    store.save(&rolled, stored).unwrap();
    let next = run(&dir, Some(&kept), true);
    assert_eq!(next.len(), 1, "{next:?}");
    assert!(
        next[0].starts_with(
            "rolled back: billing@3.1.0 from deploying by Grace Hopper at 2026-11-30 09:21 UTC: criteria tripped: critical-flow-failures"
        ),
        "{next:?}"
    );

    // A new bot without a kept cursor starts at the head: it does not
    // announce the past.
    assert!(run(&dir, None, false).is_empty());
    let _: ReleaseKey = billing_key;
}

#[test]
fn a_cursor_file_that_is_not_a_cursor_is_named() {
    let dir = TempDir::new("notify-bad-cursor");
    let kept = dir.path().join("notify.cursor");
    std::fs::write(&kept, "yesterday").unwrap();
    let options = notify::Options {
        store: Box::new(FileStore::open(dir.path()).unwrap()),
        cursor_file: Some(kept.clone()),
        from_start: false,
        once: true,
    };
    let failure = notify::follow(&options, &mut Vec::new()).unwrap_err();
    let message = failure.to_string();
    assert!(message.starts_with(&kept.display().to_string()), "{message}");
    assert!(message.contains("`yesterday` is not a feed cursor"), "{message}");
}
