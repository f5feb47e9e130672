//! Properties of the state machine over random operation sequences.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{ada, grace, planned, t};
use proptest::prelude::*;
use release_workflow::{
    Actor, Gate, Release, ReleaseError, ReleaseKind, Role, Stage, Template,
    health::Verdict,
    incident::{Incident, IncidentSeverity},
    plan::Change,
};

#[derive(Debug, Clone)]
enum Op {
    Complete(String),
    NotApplicable(String, String),
    Waive(String, String),
    Reopen(String, String),
    /// Completes every open item of the next stage's gate.
    SettleGate,
    /// Records a healthy value of every signal the criteria watch.
    RecordHealthy,
    AdvanceNext,
    Advance(Stage),
    RollBack(String),
    RollBackOnCriteria,
    AddChange(String),
    Observe(String, f64),
    Baseline(String, f64),
    RaiseFlag(String),
    ClearFlag(String),
    AcceptRisk(String),
    OpenIncident(String, i64),
    ResolveIncident(String, i64),
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

fn signal() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(vec!["error_rate", "latency_p95_ms", "critical_flow_failures"]).prop_map(String::from),
        1 => "[a-z_]{1,12}",
    ]
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0..0.04f64,
        2 => Just(0.0),
        2 => 0.0..400.0f64,
        1 => Just(0.05),
        1 => any::<f64>(),
    ]
}

fn criterion() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "security-vulnerability",
        "data-integrity",
        "error-rate",
        "no-such-criterion",
    ])
    .prop_map(String::from)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => item_id().prop_map(Op::Complete),
        2 => (item_id(), reason()).prop_map(|(id, why)| Op::NotApplicable(id, why)),
        2 => (item_id(), reason()).prop_map(|(id, why)| Op::Waive(id, why)),
        2 => (item_id(), reason()).prop_map(|(id, why)| Op::Reopen(id, why)),
        3 => Just(Op::SettleGate),
        2 => Just(Op::RecordHealthy),
        3 => Just(Op::AdvanceNext),
        4 => proptest::sample::select(Stage::ALL).prop_map(Op::Advance),
        1 => reason().prop_map(Op::RollBack),
        1 => Just(Op::RollBackOnCriteria),
        1 => "[A-Z]{2}-[0-9]{1,3}".prop_map(Op::AddChange),
        5 => (signal(), value()).prop_map(|(signal, value)| Op::Observe(signal, value)),
        2 => (signal(), value()).prop_map(|(signal, value)| Op::Baseline(signal, value)),
        1 => criterion().prop_map(Op::RaiseFlag),
        1 => criterion().prop_map(Op::ClearFlag),
        1 => reason().prop_map(Op::AcceptRisk),
        1 => ("INC-[0-9]", -30i64..10).prop_map(|(id, minutes)| Op::OpenIncident(id, minutes)),
        1 => ("INC-[0-9]", -30i64..10).prop_map(|(id, minutes)| Op::ResolveIncident(id, minutes)),
    ]
}

/// Operations, each with a time step in minutes; negative steps try to go
/// back in time.
fn ops() -> impl Strategy<Value = Vec<(Op, i64)>> {
    prop::collection::vec((op(), -3i64..=120), 0..120)
}

fn actor(index: usize) -> Actor {
    if index.is_multiple_of(2) { ada() } else { grace() }
}

fn run(release: &mut Release, op: &Op, by: &Actor, at: DateTime<Utc>) -> Result<(), ReleaseError> {
    match op {
        Op::Complete(id) => release.complete(id, by, at).map(drop),
        Op::NotApplicable(id, why) => release.mark_not_applicable(id, why.as_str(), by, at).map(drop),
        Op::Waive(id, why) => release.waive(id, why.as_str(), by, at).map(drop),
        Op::Reopen(id, why) => release.reopen(id, why.as_str(), by, at).map(drop),
        Op::Advance(stage) => release.advance_to(*stage, by, at).map(drop),
        Op::RollBack(why) => release.roll_back(why.as_str(), by, at).map(drop),
        Op::AddChange(id) => release.add_change(Change::new(id.as_str(), at)?, by, at).map(drop),
        Op::SettleGate => {
            let Some(gate) = release.stage().next().and_then(Stage::entry_gate) else { return Ok(()) };
            let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
            for id in open {
                release.complete(&id, by, at)?;
            }
            Ok(())
        }
        Op::RecordHealthy => {
            release.record_baseline("latency_p95_ms", 200.0, "prometheus", by, at)?;
            release.observe("latency_p95_ms", 180.0, "prometheus", by, at)?;
            release.observe("error_rate", 0.001, "prometheus", by, at)?;
            release.observe("critical_flow_failures", 0.0, "synthetics", by, at).map(drop)
        }
        // From a final stage there is no next stage: moving to the same one must be refused.
        Op::AdvanceNext => {
            release.advance_to(release.stage().next().unwrap_or(release.stage()), by, at).map(drop)
        }
        Op::RollBackOnCriteria => release.roll_back_on_criteria(by, at).map(drop),
        Op::Observe(signal, value) => release.observe(signal, *value, "prometheus", by, at).map(drop),
        Op::Baseline(signal, value) => {
            release.record_baseline(signal, *value, "prometheus", by, at).map(drop)
        }
        Op::RaiseFlag(criterion) => release.raise_flag(criterion, "CVE-2026-0001", by, at).map(drop),
        Op::ClearFlag(criterion) => release.clear_flag(criterion, "false alarm", by, at).map(drop),
        Op::AcceptRisk(why) => release.accept_risk(why.as_str(), by, at).map(drop),
        Op::OpenIncident(id, minutes) => {
            let incident = Incident::new(
                id.as_str(),
                IncidentSeverity::Sev2,
                "errors",
                at + TimeDelta::minutes(*minutes),
            )?;
            release.open_incident(incident, by, at).map(drop)
        }
        Op::ResolveIncident(id, minutes) => {
            release.resolve_incident(id, at + TimeDelta::minutes(*minutes), by, at).map(drop)
        }
    }
}

/// The health rule, computed from the verdict and the decisions alone.
fn health_allows_release(release: &Release) -> bool {
    match release.verdict() {
        Verdict::Healthy => true,
        Verdict::RollBack { .. } => false,
        Verdict::Inconclusive { findings } => findings.iter().all(|finding| {
            release
                .risk_decisions()
                .iter()
                .any(|decision| decision.findings.iter().any(|accepted| accepted.is_same_finding(finding)))
        }),
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
        // The checklist's rules, on their own: who may act is the model
        // test's and the governance tests' to check.
        let mut release = common::planned_on(Template::octoacme().without_policy());
        let mut now = t(0);
        for (index, (op, minutes)) in steps.iter().enumerate() {
            now += TimeDelta::minutes(*minutes);
            let before = release.clone();
            let result = run(&mut release, op, &actor(index), now);
            if matches!(op, Op::SettleGate | Op::RecordHealthy) {
                // A batch of operations: each one is checked by the other steps.
                continue;
            }
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
            let target = match op {
                Op::Advance(target) => Some(*target),
                Op::AdvanceNext => before.stage().next(),
                _ => None,
            };
            if let Some(target) = &target {
                let health_allows = match target {
                    Stage::Released => health_allows_release(&before),
                    // OctoAcme checks health on the verify gate: only a roll-back verdict blocks it.
                    Stage::Verifying => !before.verdict().should_roll_back(),
                    _ => true,
                };
                let allowed = now >= before.last_event_at()
                    && before.stage().next() == Some(*target)
                    && target.entry_gate().is_some_and(|gate| gate_settled(&before, gate))
                    && health_allows;
                prop_assert_eq!(result.is_ok(), allowed, "advance to {:?} from {:?}: {:?}", target, before.stage(), result);
            }
            if release.stage() == Stage::Released && before.stage() != Stage::Released {
                prop_assert!(!before.verdict().should_roll_back(), "released with a roll-back verdict");
            }
            if release.stage() == Stage::Verifying && before.stage() != Stage::Verifying {
                prop_assert!(!before.verdict().should_roll_back(), "verifying with a roll-back verdict");
            }
        }
        prop_assert_eq!(&Release::replay(release.events().to_vec(), &common::trusting(&release)).unwrap(), &release);
        prop_assert_eq!(&common::round_trip(&release), &release);
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
                release.complete(id, &common::completer(id), t(minute)).unwrap();
            }
            let skipped_here = open.iter().filter(|id| skip.contains(id)).count();
            if skipped_here == 0 && release.approvals_needed(gate).is_some() {
                release.approve(gate, &common::linus(), t(minute)).unwrap();
            }
            match release.advance_to(next, &ada(), t(minute)) {
                Ok(_) => prop_assert_eq!(skipped_here, 0),
                Err(ReleaseError::TransitionBlocked { open, .. }) => {
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
        kind in proptest::sample::select(ReleaseKind::ALL),
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
        if let Ok(manager) = Actor::new("manager", name, Role::RELEASE_MANAGER) {
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
    while release.stage() != Stage::Released {
        common::advance(&mut release, far);
    }
    assert_eq!(release.monitoring_window_closes_at(), None);
    release.roll_back("still inside a window that ends after the calendar does", &ada(), far).unwrap();
}
