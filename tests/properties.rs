//! Properties of the state machine over random operation sequences.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{ada, grace, planned, t};
use proptest::prelude::*;
use release_workflow::{Actor, Change, Error, Gate, Release, ReleaseKind, Role, Stage, Template};
use strum::VariantArray;

#[derive(Debug, Clone)]
enum Op {
    Complete(String),
    NotApplicable(String, String),
    Waive(String, String),
    Reopen(String, String),
    Advance(Stage),
    RollBack(String),
    AddChange(String),
}

fn item_id() -> impl Strategy<Value = String> {
    let ids: Vec<String> = Template::octoacme().items().iter().map(|item| item.id().to_string()).collect();
    prop_oneof![
        8 => proptest::sample::select(ids),
        1 => any::<String>(),
        1 => "[a-z.-]{0,30}",
    ]
}

fn reason() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-z ]{1,20}", 1 => Just(String::new()), 1 => Just("  \n".to_owned()), 1 => any::<String>()]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => item_id().prop_map(Op::Complete),
        2 => (item_id(), reason()).prop_map(|(id, why)| Op::NotApplicable(id, why)),
        2 => (item_id(), reason()).prop_map(|(id, why)| Op::Waive(id, why)),
        2 => (item_id(), reason()).prop_map(|(id, why)| Op::Reopen(id, why)),
        4 => proptest::sample::select(Stage::VARIANTS).prop_map(Op::Advance),
        1 => reason().prop_map(Op::RollBack),
        1 => "[A-Z]{2}-[0-9]{1,3}".prop_map(Op::AddChange),
    ]
}

/// Operations, each with a time step in minutes; negative steps try to go
/// back in time.
fn ops() -> impl Strategy<Value = Vec<(Op, i64)>> {
    prop::collection::vec((op(), -3i64..=120), 0..120)
}

fn actor(index: usize) -> Actor {
    if index % 2 == 0 { ada() } else { grace() }
}

fn run(release: &mut Release, op: &Op, by: &Actor, at: DateTime<Utc>) -> Result<(), Error> {
    match op {
        Op::Complete(id) => release.complete(id, by, at).map(drop),
        Op::NotApplicable(id, why) => release.mark_not_applicable(id, why.as_str(), by, at).map(drop),
        Op::Waive(id, why) => release.waive(id, why.as_str(), by, at).map(drop),
        Op::Reopen(id, why) => release.reopen(id, why.as_str(), by, at).map(drop),
        Op::Advance(stage) => release.advance_to(*stage, by, at).map(drop),
        Op::RollBack(why) => release.roll_back(why.as_str(), by, at).map(drop),
        Op::AddChange(id) => release.add_change(Change::new(id.as_str(), at)?, by, at).map(drop),
    }
}

/// The gate rule, computed from the statuses alone.
fn gate_settled(release: &Release, gate: Gate) -> bool {
    release.items().filter(|(item, _)| item.gate() == gate).all(|(_, status)| status.is_settled())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_every_rule(steps in ops()) {
        let mut release = planned();
        let mut now = t(0);
        for (index, (op, minutes)) in steps.iter().enumerate() {
            now += TimeDelta::minutes(*minutes);
            let before = release.clone();
            let result = run(&mut release, op, &actor(index), now);
            match &result {
                Ok(()) => {
                    prop_assert_eq!(release.events().len(), before.events().len() + 1);
                    prop_assert_eq!(release.last_event_at(), now);
                    prop_assert!(now >= before.last_event_at());
                    if release.stage() != before.stage() {
                        prop_assert!(before.stage().can_move_to(release.stage()),
                            "{:?} -> {:?} is not an edge", before.stage(), release.stage());
                    }
                }
                Err(_) => prop_assert_eq!(&release, &before, "a refused {:?} changed the release", op),
            }
            if let Op::Advance(target) = op {
                let allowed = now >= before.last_event_at()
                    && before.stage().next() == Some(*target)
                    && target.entry_gate().is_some_and(|gate| gate_settled(&before, gate));
                prop_assert_eq!(result.is_ok(), allowed, "advance to {:?} from {:?}: {:?}", target, before.stage(), result);
            }
        }
        prop_assert_eq!(&Release::replay(release.events().to_vec()).unwrap(), &release);
        let json = serde_json::to_string(&release).unwrap();
        prop_assert_eq!(&serde_json::from_str::<Release>(&json).unwrap(), &release);
    }

    #[test]
    fn a_walk_through_the_gates_succeeds_exactly_when_each_gate_is_settled(
        skip in proptest::sample::subsequence(
            Template::octoacme().items().iter().map(|item| item.id().to_string()).collect::<Vec<_>>(), 0..4)
    ) {
        let mut release = planned();
        let mut minute = 0;
        for next in [Stage::Frozen, Stage::Deploying, Stage::Verifying, Stage::Released] {
            let gate = next.entry_gate().unwrap();
            let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
            for id in open.iter().filter(|id| !skip.contains(id)) {
                minute += 1;
                release.complete(id, &ada(), t(minute)).unwrap();
            }
            let skipped_here = open.iter().filter(|id| skip.contains(id)).count();
            match release.advance_to(next, &ada(), t(minute)) {
                Ok(_) => prop_assert_eq!(skipped_here, 0),
                Err(Error::TransitionBlocked { open, .. }) => {
                    prop_assert_eq!(open.len(), skipped_here);
                    prop_assert!(open.iter().all(|item| skip.contains(&item.id().to_string())));
                    break;
                }
                Err(other) => prop_assert!(false, "unexpected {other}"),
            }
        }
    }

    #[test]
    fn planning_never_panics_on_arbitrary_input(
        version in prop_oneof![any::<String>(), "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(-[a-z0-9.]{1,8})?"],
        previous in proptest::option::of("[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}"),
        kind in proptest::sample::select(ReleaseKind::VARIANTS),
        name in any::<String>(),
        seconds in any::<i64>(),
        window in any::<i64>(),
        change in any::<String>(),
    ) {
        let at = DateTime::from_timestamp(seconds % 253_402_300_799, 0).unwrap_or_default();
        let mut builder = Release::builder()
            .version(version.as_str())
            .kind(kind)
            .target_date(at.date_naive())
            .change(change, at)
            .monitoring_window(TimeDelta::try_seconds(window / 1000).unwrap_or_default());
        if let Ok(manager) = Actor::new(name, Role::ReleaseManager) {
            builder = builder.release_manager(manager.clone()).on_call(manager);
        }
        if let Some(previous) = previous {
            builder = builder.previous_version(previous);
        }
        if let Ok(release) = builder.plan(at) {
            prop_assert!(semver::Version::parse(&version).is_ok());
            prop_assert_eq!(release.stage(), Stage::Planned);
        }
    }

    #[test]
    fn operations_never_panic_on_arbitrary_times(seconds in prop::collection::vec(any::<i64>(), 1..10)) {
        let mut release = planned();
        for (index, seconds) in seconds.into_iter().enumerate() {
            let at = DateTime::from_timestamp(seconds % 253_402_300_799, 0).unwrap_or_default();
            let _ = release.complete("planning.scope-documented", &actor(index), at);
            let _ = release.advance_to(Stage::Frozen, &actor(index), at);
            let _ = release.roll_back("r", &actor(index), at);
        }
    }

    #[test]
    fn template_builders_never_panic(id in any::<String>(), title in any::<String>(), section in any::<String>()) {
        let result = Template::builder("T").section(section).item(&id, &title, Gate::Deploy).build();
        if let Ok(template) = result {
            prop_assert_eq!(template.items()[0].id().as_str(), id.as_str());
        }
    }
}

#[test]
fn released_at_the_end_of_time_does_not_overflow() {
    let far = DateTime::<Utc>::MAX_UTC - TimeDelta::hours(1);
    let mut release = planned();
    for next in [Stage::Frozen, Stage::Deploying, Stage::Verifying, Stage::Released] {
        common::complete_gate(&mut release, next.entry_gate().unwrap(), far);
        release.advance_to(next, &ada(), far).unwrap();
    }
    assert_eq!(release.monitoring_window_closes_at(), None);
    release.roll_back("still inside a window that ends after the calendar does", &ada(), far).unwrap();
}
