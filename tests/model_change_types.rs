//! Model-based test of change types and one release in flight per service:
//! four releases of two services, stored in one store, moved at random.
//!
//! The model states the rules of change types on its own — which type a
//! release is, what an emergency change may defer, who may approve its
//! review and when, what it owes before it closes — and which release of a
//! service is in flight, and predicts whether each step is accepted. The
//! steps: reclassify, defer the deferrable item or the deploy gate's
//! approvals, allow a parallel deployment, move forward (settling the
//! gate, approving it unless deferred, saving through the store), roll
//! back, approve the review (by a reviewer, the planner, or someone in the
//! wrong role), complete the deferred item, settle the closing group.
//! After every step: the store holds what the test holds, every release
//! replays to itself, no two releases of a service are in flight unless
//! all but one were allowed to deploy in parallel, and no emergency change
//! is closed while it owes something.
//!
//! Cases: 2,000 sequences of up to 40 steps by default;
//! `MODEL_CASES=20000 MODEL_STEPS=100 cargo test --release --test
//! model_change_types` runs more and longer.

#![cfg(feature = "store")]

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{ada, grace, linus, monitor, sam, t as at};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use release_workflow::{
    Gate, Release, Role, Stage, Template,
    policy::{ChangeType, EmergencyChange, Policy},
    release::Trust,
    store::{MemoryStore, ReleaseKey, ReleaseStore},
};

const RELEASES: usize = 4;
const SERVICES: [&str; 2] = ["checkout", "search"];
const DEFERRABLE: &str = "testing.performance-tested";
const REVIEW_ITEM: &str = "closure.retrospective-scheduled";
const WINDOW_MINUTES: i64 = 48 * 60;

fn template() -> Template {
    let emergency = EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(24))
        .with_deferrable_approvals([Gate::Deploy])
        .with_deferrable_item(DEFERRABLE)
        .unwrap()
        .with_review_item(REVIEW_ITEM)
        .unwrap();
    Template::octoacme().with_policy(Policy::octoacme().with_emergency_changes(emergency).unwrap()).unwrap()
}

fn service_of(release: usize) -> usize {
    release % SERVICES.len()
}

/// Where the deferrable item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Open,
    Deferred,
    Done,
}

#[derive(Debug, Clone)]
struct One {
    emergency: bool,
    stage: Stage,
    item: Item,
    approvals_deferred: bool,
    parallel: bool,
    deployed_at: Option<i64>,
    released_at: Option<i64>,
    reviewed: bool,
    closing_settled: bool,
}

#[derive(Debug, Clone)]
struct Model {
    releases: Vec<One>,
    now: i64,
    accepts_last: bool,
}

/// Who approves a review: the reviewer, the planner acting as approver,
/// or the on-call engineer.
#[derive(Debug, Clone, Copy)]
enum Reviewer {
    Approver,
    Planner,
    OnCall,
}

#[derive(Debug, Clone)]
enum Op {
    Reclassify(bool),
    DeferItem,
    DeferApprovals,
    AllowParallel,
    Forward,
    RollBack,
    Review(Reviewer),
    CompleteItem,
    SettleClosing,
}

#[derive(Debug, Clone)]
struct Step {
    release: usize,
    op: Op,
    minutes: i64,
}

impl One {
    fn in_flight(&self) -> bool {
        matches!(self.stage, Stage::Deploying | Stage::Verifying)
    }

    fn before_deploying(&self) -> bool {
        self.stage <= Stage::Frozen
    }
}

impl Model {
    /// Whether `step` is accepted, and the model after it.
    fn step(&mut self, step: &Step) -> bool {
        self.now += step.minutes;
        let now = self.now;
        let others_in_flight = {
            let service = service_of(step.release);
            self.releases.iter().enumerate().any(|(index, other)| {
                index != step.release && service_of(index) == service && other.in_flight()
            })
        };
        let one = &mut self.releases[step.release];
        match step.op {
            Op::Reclassify(emergency) => {
                let ok = one.before_deploying()
                    && emergency != one.emergency
                    && one.item != Item::Deferred
                    && !one.approvals_deferred;
                if ok {
                    one.emergency = emergency;
                }
                ok
            }
            Op::DeferItem => {
                let ok = one.emergency && one.before_deploying() && one.item == Item::Open;
                if ok {
                    one.item = Item::Deferred;
                }
                ok
            }
            Op::DeferApprovals => {
                let ok = one.emergency && one.before_deploying() && !one.approvals_deferred;
                if ok {
                    one.approvals_deferred = true;
                }
                ok
            }
            Op::AllowParallel => {
                let ok = one.before_deploying() && !one.parallel;
                if ok {
                    one.parallel = true;
                }
                ok
            }
            Op::Forward => {
                let Some(next) = one.stage.next() else { return false };
                if next == Stage::Deploying && others_in_flight && !one.parallel {
                    return false;
                }
                if next == Stage::Deploying {
                    one.deployed_at = Some(now);
                    if one.item == Item::Open {
                        one.item = Item::Done;
                    }
                }
                if next == Stage::Released {
                    one.released_at = Some(now);
                }
                one.stage = next;
                true
            }
            Op::RollBack => {
                let ok = one.in_flight()
                    || (one.stage == Stage::Released
                        && one.released_at.is_some_and(|released| now < released + WINDOW_MINUTES));
                if ok {
                    one.stage = Stage::RolledBack;
                    one.closing_settled = false;
                }
                ok
            }
            Op::Review(reviewer) => {
                let ok = one.emergency
                    && one.deployed_at.is_some()
                    && !one.reviewed
                    && matches!(reviewer, Reviewer::Approver);
                if ok {
                    one.reviewed = true;
                }
                ok
            }
            Op::CompleteItem => {
                let ok = one.item == Item::Deferred || (one.item == Item::Open && one.before_deploying());
                if ok {
                    one.item = Item::Done;
                }
                ok
            }
            Op::SettleClosing => {
                if matches!(one.stage, Stage::Released | Stage::RolledBack) {
                    one.closing_settled = true;
                }
                true
            }
        }
    }

    /// Whether release `index` is closed, as the model sees it.
    fn closed(&self, index: usize) -> bool {
        let one = &self.releases[index];
        let owes = one.emergency
            && one.deployed_at.is_some()
            && (!one.reviewed || (one.stage == Stage::Released && one.item == Item::Deferred));
        matches!(one.stage, Stage::Released | Stage::RolledBack) && one.closing_settled && !owes
    }
}

struct Rules;

impl ReferenceStateMachine for Rules {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        let one = One {
            emergency: false,
            stage: Stage::Planned,
            item: Item::Open,
            approvals_deferred: false,
            parallel: false,
            deployed_at: None,
            released_at: None,
            reviewed: false,
            closing_settled: false,
        };
        Just(Model { releases: vec![one; RELEASES], now: 0, accepts_last: true }).boxed()
    }

    fn transitions(_: &Model) -> BoxedStrategy<Step> {
        let op = prop_oneof![
            2 => any::<bool>().prop_map(Op::Reclassify),
            1 => Just(Op::DeferItem),
            1 => Just(Op::DeferApprovals),
            1 => Just(Op::AllowParallel),
            6 => Just(Op::Forward),
            1 => Just(Op::RollBack),
            2 => prop_oneof![Just(Reviewer::Approver), Just(Reviewer::Planner), Just(Reviewer::OnCall)]
                .prop_map(Op::Review),
            1 => Just(Op::CompleteItem),
            2 => Just(Op::SettleClosing),
        ];
        (0..RELEASES, op, prop_oneof![4 => 0i64..60, 1 => 600i64..3000])
            .prop_map(|(release, op, minutes)| Step { release, op, minutes })
            .boxed()
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        state.accepts_last = state.step(step);
        state
    }
}

struct Real {
    store: MemoryStore,
    keys: Vec<ReleaseKey>,
    releases: Vec<Release>,
    trust: Trust,
}

/// Completes the open items `stage` works of `gate`.
fn settle(release: &mut Release, gate: Gate, t: DateTime<Utc>) -> bool {
    let open: Vec<String> = release
        .open_items(gate)
        .filter(|item| item.settled_on().is_none() && release.stage().can_work(gate))
        .map(|item| item.id().to_string())
        .collect();
    open.iter().all(|id| release.complete(id, &common::completer(id), t).is_ok())
}

fn forward(release: &mut Release, t: DateTime<Utc>) -> bool {
    let Some(next) = release.stage().next() else { return false };
    let Some(gate) = next.entry_gate() else { return false };
    if next == Stage::Released {
        common::record_healthy_signals(release, t);
    }
    if !settle(release, gate, t) {
        return false;
    }
    if release.approvals_needed(gate).is_some() && release.approve(gate, &linus(), t).is_err() {
        return false;
    }
    release.advance_to(next, &ada(), t).is_ok()
}

fn run(release: &mut Release, op: &Op, t: DateTime<Utc>) -> bool {
    match op {
        Op::Reclassify(emergency) => {
            let to = if *emergency { ChangeType::Emergency } else { ChangeType::Normal };
            release.reclassify(to, "the model says so", &ada(), t).is_ok()
        }
        Op::DeferItem => release.defer_item(DEFERRABLE, "after the fix", &ada(), t).is_ok(),
        Op::DeferApprovals => release.defer_approvals(Gate::Deploy, "nobody awake", &ada(), t).is_ok(),
        Op::AllowParallel => release.allow_parallel_deploy("on purpose", &ada(), t).is_ok(),
        Op::Forward => forward(release, t),
        Op::RollBack => release.roll_back("the model rolls back", &grace(), t).is_ok(),
        Op::Review(reviewer) => {
            let by = match reviewer {
                Reviewer::Approver => linus(),
                Reviewer::Planner => ada().acting_as(Role::CHANGE_APPROVER),
                Reviewer::OnCall => grace(),
            };
            release.approve_review("reviewed", &by, t).is_ok()
        }
        Op::CompleteItem => release.complete(DEFERRABLE, &ada(), t).is_ok(),
        Op::SettleClosing => {
            let gate = if release.stage() == Stage::RolledBack { Gate::Rollback } else { Gate::PostRelease };
            settle(release, gate, t);
            true
        }
    }
}

impl StateMachineTest for Real {
    type SystemUnderTest = Real;
    type Reference = Rules;

    fn init_test(_: &Model) -> Real {
        let template = template();
        let trust = Trust::default().trusting(template.clone());
        let store = MemoryStore::new().with_trust(trust.clone());
        let releases: Vec<Release> = (0..RELEASES)
            .map(|index| {
                common::team_builder()
                    .service(SERVICES[service_of(index)])
                    .version(format!("1.0.{index}"))
                    .template(template.clone())
                    .member(sam())
                    .member(linus())
                    .member(monitor())
                    .member(ada().acting_as(Role::CHANGE_APPROVER))
                    .plan(at(0))
                    .unwrap()
            })
            .collect();
        let keys = releases.iter().map(|release| store.create(release).unwrap()).collect();
        Real { store, keys, releases, trust }
    }

    fn apply(mut real: Real, model: &Model, step: Step) -> Real {
        let t = at(model.now);
        let before = real.releases[step.release].clone();
        let mut changed = before.clone();
        // Settling and moving is one batch: the store takes it whole or
        // not at all, so a refused move leaves the release as it was.
        let accepted = run(&mut changed, &step.op, t)
            && real.store.save(&changed, before.events().len()).map_err(|error| error.to_string()).is_ok();
        assert_eq!(
            accepted,
            model.accepts_last,
            "{step:?} on {:?} ({:?})",
            before.stage(),
            before.change_type()
        );
        if accepted {
            real.releases[step.release] = changed;
        }
        real
    }

    fn check_invariants(real: &Real, model: &Model) {
        for (index, (release, one)) in real.releases.iter().zip(&model.releases).enumerate() {
            assert_eq!(release.stage(), one.stage, "release {index}");
            assert_eq!(release.change_type() == ChangeType::Emergency, one.emergency, "release {index}");
            assert_eq!(release.parallel_deploy_allowed(), one.parallel);
            assert_eq!(
                release.item_status(DEFERRABLE).is_some_and(|s| s.is_deferred()),
                one.item == Item::Deferred
            );
            assert_eq!(
                release.is_closed(),
                model.closed(index),
                "release {index}: owes {:?}",
                release.owed()
            );
            if release.is_closed() {
                assert!(release.owed().is_empty(), "no emergency change closes owing");
            }
            assert_eq!(&real.store.load(&real.keys[index]).unwrap().release, release, "the store holds it");
            assert_eq!(&Release::replay(release.events().to_vec(), &real.trust).unwrap(), release);
        }
        for (service, name) in SERVICES.iter().enumerate() {
            let in_flight: Vec<&Release> = real
                .releases
                .iter()
                .enumerate()
                .filter(|(index, release)| service_of(*index) == service && release.is_in_flight())
                .map(|(_, release)| release)
                .collect();
            let allowed = in_flight.iter().filter(|release| release.parallel_deploy_allowed()).count();
            assert!(
                in_flight.len() <= 1 + allowed,
                "{} releases of {} in flight, {allowed} allowed in parallel",
                in_flight.len(),
                name
            );
        }
    }
}

fn config() -> Config {
    common::model_config(2_000)
}

fn steps() -> std::ops::Range<usize> {
    common::model_steps(40)
}

prop_state_machine! {
    #![proptest_config(config())]

    #[test]
    fn change_types_and_flights_agree_with_the_model(sequential steps() => Real);
}
