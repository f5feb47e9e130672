//! The change feed, on every store: every stored event once, numbered in
//! the order stored, resumable from a cursor, paged, and waited for.

use std::time::{Duration, Instant};

use release_workflow::store::{Changes, Cursor, FEED_PAGE, ReleaseStore};
use release_workflow::{Release, Stage};

use super::{Backend, Shared, planned_for, team_checklist};
use crate::common::{ada, t};

/// Every change after `cursor`, page by page, and the cursor after them.
fn read_all(store: &Shared, mut cursor: Cursor) -> (Vec<release_workflow::store::FeedEntry>, Cursor) {
    let mut all = Vec::new();
    loop {
        let page = store.changes_since(cursor).unwrap();
        assert!(page.changes.len() <= FEED_PAGE);
        if page.is_empty() {
            return (all, cursor);
        }
        assert!(page.cursor > cursor, "a page moves the cursor on");
        cursor = page.cursor;
        all.extend(page.changes);
    }
}

pub(super) fn the_feed_numbers_every_stored_event_once_in_order(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    assert!(store.changes_since(Cursor::START).unwrap().is_empty(), "{name}: a new store has no changes");
    assert_eq!(store.feed_head().unwrap(), Cursor::START, "{name}");
    let mut web = planned_for("web", "1.0.0");
    let mut api = planned_for("api", "2.0.0");
    let web_key = store.create(&web).unwrap();
    store.create(&api).unwrap();
    web.complete("planning.scope-documented", &ada(), t(1)).unwrap();
    web.complete("planning.version-confirmed", &ada(), t(2)).unwrap();
    store.save(&web, 1).unwrap();
    api.complete("planning.roles-assigned", &ada(), t(3)).unwrap();
    store.save(&api, 1).unwrap();

    let (changes, cursor) = read_all(&store, Cursor::START);
    let seen: Vec<(u64, String, usize)> =
        changes.iter().map(|change| (change.number, change.key.to_string(), change.index)).collect();
    let expected = [
        (1, "web@1.0.0", 0),
        (2, "api@2.0.0", 0),
        (3, "web@1.0.0", 1),
        (4, "web@1.0.0", 2),
        (5, "api@2.0.0", 1),
    ];
    let expected: Vec<(u64, String, usize)> =
        expected.iter().map(|(number, key, index)| (*number, (*key).to_owned(), *index)).collect();
    assert_eq!(seen, expected, "{name}");
    for change in &changes {
        let stored = if change.key == web_key { &web } else { &api };
        assert_eq!(&change.event, &stored.events()[change.index], "{name}: change {}", change.number);
        assert_eq!(change.cursor(), Cursor::after(change.number));
    }
    assert_eq!(cursor, Cursor::after(5), "{name}");
    assert_eq!(store.feed_head().unwrap(), cursor, "{name}: the head is after the last change");

    // Another handle, as a tool restarted with its kept cursor, reads on
    // from there; the text of a cursor is what it keeps.
    let other = backend.connect();
    let kept: Cursor = Cursor::after(3).to_string().parse().unwrap();
    let rest = other.changes_since(kept).unwrap();
    assert_eq!(rest.changes.iter().map(|change| change.number).collect::<Vec<_>>(), [4, 5], "{name}");
    assert_eq!(rest.cursor, Cursor::after(5), "{name}");
    assert!(other.changes_since(rest.cursor).unwrap().is_empty(), "{name}");
    assert!(other.changes_since(Cursor::after(99)).unwrap().is_empty(), "{name}: a cursor past the end");

    // A refused append adds nothing to the feed.
    let mut stale = web.clone();
    stale.complete("planning.roles-assigned", &ada(), t(4)).unwrap();
    assert!(store.save(&stale, 1).is_err());
    assert!(store.changes_since(cursor).unwrap().is_empty(), "{name}: a refused append is no change");
}

pub(super) fn writers_racing_on_several_handles_get_distinct_numbers(backend: &Backend) {
    let name = backend.name;
    let handles: Vec<Shared> = (0..3).map(|_| backend.connect()).collect();
    std::thread::scope(|scope| {
        for (writer, store) in handles.iter().enumerate() {
            scope.spawn(move || {
                let mut release = planned_for(&format!("service-{writer}"), "1.0.0");
                store.create(&release).unwrap();
                for (step, item) in
                    ["planning.scope-documented", "planning.version-confirmed", "planning.roles-assigned"]
                        .iter()
                        .enumerate()
                {
                    let stored = release.events().len();
                    release.complete(item, &ada(), t(step as i64)).unwrap();
                    store.save(&release, stored).unwrap();
                }
            });
        }
    });
    let (changes, cursor) = read_all(&handles[0], Cursor::START);
    assert_eq!(handles[1].feed_head().unwrap(), cursor, "{name}");
    let numbers: Vec<u64> = changes.iter().map(|change| change.number).collect();
    assert_eq!(numbers, (1..=12).collect::<Vec<_>>(), "{name}: each number once, in order");
    assert_eq!(cursor, Cursor::after(12));
    for writer in 0..3 {
        let indices: Vec<usize> = changes
            .iter()
            .filter(|change| change.key.as_str() == format!("service-{writer}@1.0.0"))
            .map(|change| change.index)
            .collect();
        assert_eq!(indices, [0, 1, 2, 3], "{name}: a release's events in their order");
    }
}

pub(super) fn a_long_feed_comes_in_pages(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let mut release = crate::common::at_stage(Stage::Deploying);
    store.create(&release).unwrap();
    let before = release.events().len();
    let samples: Vec<(&str, f64)> = (0..FEED_PAGE + 20).map(|n| ("error_rate", n as f64 / 1e6)).collect();
    for (n, (signal, value)) in samples.iter().enumerate() {
        release
            .observe(signal, *value, "prometheus", &ada(), t(100) + chrono::TimeDelta::seconds(n as i64))
            .unwrap();
    }
    store.save(&release, before).unwrap();
    let total = release.events().len() as u64;
    let first = store.changes_since(Cursor::START).unwrap();
    assert_eq!(first.changes.len(), FEED_PAGE, "{name}");
    assert_eq!(first.cursor, Cursor::after(FEED_PAGE as u64), "{name}");
    let second = store.changes_since(first.cursor).unwrap();
    assert_eq!(second.changes.len() as u64, total - FEED_PAGE as u64, "{name}");
    assert_eq!(second.changes.last().map(|change| change.index), Some(release.events().len() - 1), "{name}");
    // From the middle of the feed, as a reader resuming there.
    let middle = store.changes_since(Cursor::after(total - 3)).unwrap();
    assert_eq!(
        middle.changes.iter().map(|change| change.number).collect::<Vec<_>>(),
        [total - 2, total - 1, total]
    );
}

pub(super) fn a_release_the_reader_cannot_read_is_reported_and_passed(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let team = team_checklist();
    let writer = backend.trusting(release_workflow::release::Trust::default().trusting(team.clone()));
    let theirs = crate::common::planned_on(team);
    writer.create(&theirs).unwrap();
    let ours: Release = planned_for("web", "1.0.0");
    store.create(&ours).unwrap();
    let page: Changes = store.changes_since(Cursor::START).unwrap();
    assert_eq!(
        page.changes.iter().map(|change| change.key.to_string()).collect::<Vec<_>>(),
        ["web@1.0.0"],
        "{name}"
    );
    assert_eq!(page.unreadable.len(), 1, "{name}: {:?}", page.unreadable);
    assert_eq!(page.unreadable[0].key.as_str(), "checkout@2.4.0", "{name}");
    assert_eq!(page.cursor, Cursor::after(2), "{name}: the cursor moves past what cannot be read");
    assert!(store.changes_since(page.cursor).unwrap().is_empty());
}

pub(super) fn a_waiting_reader_wakes_for_an_append_and_times_out_without_one(backend: &Backend) {
    let name = backend.name;
    let store = backend.connect();
    let started = Instant::now();
    let nothing = store.wait_for_changes(Cursor::START, Duration::from_millis(200)).unwrap();
    assert!(nothing.is_empty(), "{name}");
    assert!(started.elapsed() >= Duration::from_millis(200), "{name}: it waited out its timeout");
    // Two readers wait on one handle at once (two pages of a board): both
    // are woken by the append, neither queues behind the other's wait.
    let writer = backend.connect();
    let woken: Vec<(Changes, Duration)> = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let waiting = Instant::now();
                    let changes = store.wait_for_changes(Cursor::START, Duration::from_secs(20)).unwrap();
                    (changes, waiting.elapsed())
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        writer.create(&planned_for("web", "1.0.0")).unwrap();
        readers.into_iter().map(|reader| reader.join().unwrap()).collect()
    });
    for (changes, waited) in woken {
        assert_eq!(changes.changes.len(), 1, "{name}");
        assert!(waited < Duration::from_secs(5), "{name}: woken after {waited:?}, not at the timeout");
    }
}
