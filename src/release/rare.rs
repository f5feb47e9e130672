//! What few releases ever hold, kept behind one pointer.
//!
//! A dashboard holds thousands of releases, and most of them never add a
//! change, open an incident, override a window, change their roster or
//! checklist version, or change type. Ten empty lists inline would cost
//! every release about 230 bytes; behind one pointer that is allocated on
//! the first write they cost 8. The `many_releases` bench in
//! `benches/integrity.rs` prints the heap 10,000 loaded releases hold.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use super::{DeferredApprovals, ReviewApproval};
use crate::checklist::Template;
use crate::health::RiskDecision;
use crate::incident::Incident;
use crate::plan::Change;
use crate::roster::Roster;

/// The lists a release rarely fills.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct Rare {
    pub(super) added_changes: Vec<Change>,
    /// The id of every change the release ships, for a duplicate check
    /// that does not grow with the number of changes; empty until a
    /// change is added, when the plan's are checked directly.
    pub(super) change_ids: BTreeSet<String>,
    pub(super) risk_decisions: Vec<RiskDecision>,
    pub(super) incidents: Vec<Incident>,
    /// The change windows overridden, by name.
    pub(super) overrides: Vec<String>,
    /// The roster in force, once a roster change made it differ from the
    /// plan's.
    pub(super) roster: Option<Roster>,
    /// The checklist versions the release moved to, in order: it follows
    /// the last, or the one it was planned with while there is none.
    pub(super) versions: Vec<Arc<Template>>,
    /// The gates whose approvals an emergency change deferred.
    pub(super) deferred_approvals: Vec<DeferredApprovals>,
    /// The review approvals an emergency change was given.
    pub(super) reviews: Vec<ReviewApproval>,
    /// Whether the release may deploy beside another of its service.
    pub(super) parallel_allowed: bool,
}

/// What a release holds before its first rare write.
static NOTHING_RARE: Rare = Rare {
    added_changes: Vec::new(),
    change_ids: BTreeSet::new(),
    risk_decisions: Vec::new(),
    incidents: Vec::new(),
    overrides: Vec::new(),
    roster: None,
    versions: Vec::new(),
    deferred_approvals: Vec::new(),
    reviews: Vec::new(),
    parallel_allowed: false,
};

/// [`Rare`], allocated on the first write; reads through `Deref`.
///
/// Compared and hashed by what it holds, so a release that allocated it
/// and one that did not are equal when they hold the same: replay and the
/// live release may differ in when they allocate, never in what they say.
#[derive(Debug, Clone, Default)]
pub(super) struct Rarely(Option<Box<Rare>>);

impl Rarely {
    /// The lists, allocated if this is the first write.
    pub(super) fn make_mut(&mut self) -> &mut Rare {
        self.0.get_or_insert_with(Box::default)
    }
}

impl Deref for Rarely {
    type Target = Rare;

    fn deref(&self) -> &Rare {
        self.0.as_deref().unwrap_or(&NOTHING_RARE)
    }
}

impl PartialEq for Rarely {
    fn eq(&self, other: &Rarely) -> bool {
        **self == **other
    }
}

impl Eq for Rarely {}

impl Hash for Rarely {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Actor, Role};
    use crate::event::EventKind;
    use crate::release::{Release, Trust, UnverifiedRelease};
    use crate::stage::{Gate, Stage};
    use crate::version::ReleaseKind;
    use std::hash::BuildHasher;

    fn planned() -> (Release, Actor, chrono::DateTime<chrono::Utc>) {
        let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
        let t0 = chrono::DateTime::from_timestamp(1_764_493_200, 0).unwrap();
        let release = Release::builder()
            .version("1.0.0")
            .kind(ReleaseKind::Minor)
            .target_date(t0.date_naive())
            .release_manager(ada.clone())
            .on_call(ada.clone())
            .plan(t0)
            .unwrap();
        (release, ada, t0)
    }

    /// A release that never wrote a rare list allocates none, and one
    /// that did equals its own replay (which allocates as it goes).
    #[test]
    fn a_release_allocates_its_rare_lists_on_the_first_write_only() {
        let (mut release, ada, t0) = planned();
        release.complete("planning.version-confirmed", &ada, t0).unwrap();
        assert!(release.more.0.is_none(), "settling an item writes no rare list");
        release.add_change(crate::plan::Change::new("PR-1", t0).unwrap(), &ada, t0).unwrap();
        assert!(release.more.0.is_some());
        assert_eq!(release.changes().count(), 1);
        let again = Release::replay(release.events().to_vec(), &Trust::default()).unwrap();
        assert_eq!(again, release);
    }

    /// The events that settle an item, live or loaded, name it with the
    /// checklist's own text; the times a release entered its stages are
    /// those of the events that moved it.
    #[test]
    fn item_events_share_the_checklists_ids_and_stage_times_are_their_events() {
        let (mut release, ada, t0) = planned();
        for (minute, id) in release
            .open_items(Gate::Freeze)
            .map(|item| item.id().to_string())
            .collect::<Vec<_>>()
            .iter()
            .enumerate()
        {
            release.complete(id, &ada, t0 + chrono::TimeDelta::minutes(minute as i64)).unwrap();
        }
        let frozen_at = t0 + chrono::TimeDelta::hours(1);
        release.advance_to(Stage::Frozen, &ada, frozen_at).unwrap();
        let text = serde_json::to_string(&release).unwrap();
        let loaded =
            serde_json::from_str::<UnverifiedRelease>(&text).unwrap().verify(&Trust::default()).unwrap();
        let mut named = 0;
        for held in [&release, &loaded] {
            for event in held.events() {
                let mut what = event.what.clone();
                if let Some(id) = what.item_mut() {
                    let item = held.template().item(id.as_str()).unwrap();
                    assert!(id.shares_text_with(item.id()), "{id} is a copy");
                    named += 1;
                }
            }
            assert_eq!(held.entered_at(Stage::Planned), Some(t0));
            assert_eq!(held.entered_at(Stage::Frozen), Some(frozen_at));
            assert_eq!(held.entered_at(Stage::Deploying), None);
        }
        assert_eq!(named, 16, "eight items settled, live and loaded");
        assert!(matches!(
            release.events().get(1).map(|event| &event.what),
            Some(EventKind::ItemCompleted { .. })
        ));
    }

    #[test]
    fn an_allocated_empty_set_equals_none_and_hashes_the_same() {
        let (none, mut empty) = (Rarely::default(), Rarely::default());
        empty.make_mut();
        assert!(empty.0.is_some());
        assert_eq!(none, empty);
        let hasher = std::collections::hash_map::RandomState::new();
        assert_eq!(hasher.hash_one(&none), hasher.hash_one(&empty));
        let mut written = Rarely::default();
        written.make_mut().overrides.push("weekend".into());
        assert_ne!(none, written);
        assert_ne!(hasher.hash_one(&none), hasher.hash_one(&written), "what it holds is hashed");
        assert_eq!(written.overrides, ["weekend"]);
        assert!(none.overrides.is_empty());
    }
}
