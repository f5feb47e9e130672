//! Model-based test: a small reference model of the rules against the real
//! `Release`, over random sequences of every operation.
//!
//! The model re-states the rules independently — the transition table,
//! which gates are worked in which stage, the sets of settled items, the
//! OctoAcme criteria's verdict (on the verify and release gates),
//! incidents, the monitoring window, and the OctoAcme policy: who may take
//! which step, the deploy gate's approval,
//! its lapses and segregation of duties — and predicts whether each
//! operation is accepted. Steps are taken by someone the policy permits, or
//! by anyone: people on the roster in the wrong role, someone off it, a role
//! claimed but not held, the planner approving. After every step the test
//! checks that the release agrees with the model, that the stage moved only
//! along the table's edges, and that replaying the log gives the same
//! release.
//!
//! Cases: 10,000 sequences of up to 60 operations by default;
//! `MODEL_CASES=100000 MODEL_STEPS=200 cargo test --release --test model`
//! runs more and longer.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use common::{ada, t as at};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use release_workflow::{
    Actor, Gate, Release, Role, Stage, Template,
    checklist::Requirement,
    incident::{Incident, IncidentSeverity},
    plan::Change,
};

const SIGNALS: [&str; 3] = ["error_rate", "latency_p95_ms", "critical_flow_failures"];
const FLAGS: [&str; 2] = ["security-vulnerability", "data-integrity"];
const WINDOW_MINUTES: i64 = 48 * 60;

/// What the model knows of each item: its gate, requirement and whether the
/// workflow settles it.
#[derive(Debug, Clone)]
struct ItemInfo {
    id: String,
    section: String,
    gate: Gate,
    optional: bool,
    automatic: bool,
}

fn items() -> Vec<ItemInfo> {
    Template::octoacme()
        .items()
        .iter()
        .map(|item| ItemInfo {
            id: item.id().to_string(),
            section: item.section().to_owned(),
            gate: item.gate(),
            optional: item.requirement() == Requirement::IfApplicable,
            automatic: item.settled_on().is_some(),
        })
        .collect()
}

/// The model's own statement of the OctoAcme policy: the roles that may
/// take `op` (on `item`), by name.
fn may(op: &Op, item: Option<&ItemInfo>) -> &'static [&'static str] {
    const MANAGER: &[&str] = &["release-manager"];
    let security_scan = item.is_some_and(|item| item.id == SECURITY_SCAN);
    match op {
        Op::Complete(_) if security_scan => &["security-engineer", "automation"],
        Op::Complete(_) if item.is_some_and(|item| item.section == "Communication") => MANAGER,
        Op::Complete(_) | Op::SettleGate => &["release-manager", "on-call-engineer", "automation"],
        Op::Waive(..) if security_scan => &["security-engineer"],
        Op::NotApplicable(..) | Op::Waive(..) | Op::AcceptRisk(_) | Op::AddChange(_) => MANAGER,
        Op::Reopen(..) => &["release-manager", "on-call-engineer", "security-engineer"],
        Op::Advance(_) => &["release-manager", "automation"],
        Op::RollBack(_) | Op::RollBackOnCriteria | Op::OpenIncident(..) => {
            &["release-manager", "on-call-engineer", "automation"]
        }
        Op::RecordHealthy | Op::Observe(..) | Op::Baseline(_) => {
            &["release-manager", "on-call-engineer", "automation"]
        }
        Op::RaiseFlag(..) => &["release-manager", "on-call-engineer", "security-engineer", "automation"],
        Op::ClearFlag(..) | Op::ResolveIncident(..) => &["release-manager", "on-call-engineer"],
        Op::Approve => &["change-approver"],
    }
}

/// Someone of [`PEOPLE`] the policy lets take `op`: the release manager or
/// the on-call engineer in turns where either may, else the first who may.
fn permitted_person(op: &Op, item: Option<&ItemInfo>, index: usize) -> usize {
    let roles = may(op, item);
    let turn = if index.is_multiple_of(2) { 0 } else { 1 };
    if roles.contains(&PEOPLE[turn].2) {
        return turn;
    }
    (0..5).find(|&p| roles.contains(&PEOPLE[p].2)).unwrap_or(0)
}

/// The model's own table of which gates are worked in which stage.
fn workable(stage: Stage, gate: Gate) -> bool {
    use Gate::*;
    let gates: &[Gate] = match stage {
        Stage::Planned => &[Freeze, Deploy, Verify, Release],
        Stage::Frozen => &[Deploy, Verify, Release],
        Stage::Deploying => &[Verify, Release],
        Stage::Verifying => &[Release],
        Stage::Released => &[PostRelease],
        Stage::RolledBack => &[Rollback],
    };
    gates.contains(&gate)
}

/// The model's own transition table for forward moves.
fn next(stage: Stage) -> Option<(Stage, Gate)> {
    match stage {
        Stage::Planned => Some((Stage::Frozen, Gate::Freeze)),
        Stage::Frozen => Some((Stage::Deploying, Gate::Deploy)),
        Stage::Deploying => Some((Stage::Verifying, Gate::Verify)),
        Stage::Verifying => Some((Stage::Released, Gate::Release)),
        Stage::Released | Stage::RolledBack => None,
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Completes every open item the stage works of the next gate (or of
    /// the closing group, in a final stage): a batch, so sequences get far.
    SettleGate,
    /// Observes a healthy value of each signal: a batch of three.
    RecordHealthy,
    Complete(usize),
    NotApplicable(usize, bool),
    Waive(usize, bool),
    Reopen(usize, bool),
    Advance(Stage),
    RollBack(bool),
    RollBackOnCriteria,
    Observe(usize, f64),
    Baseline(f64),
    RaiseFlag(usize, bool),
    ClearFlag(usize, bool),
    AcceptRisk(bool),
    OpenIncident(u8, i64),
    ResolveIncident(u8, i64),
    AddChange(u8),
    /// Approves the deploy gate.
    Approve,
}

/// Who acts: someone the policy lets do the step (chosen by
/// [`permitted_person`]), or anyone of [`PEOPLE`], on the roster or not.
#[derive(Debug, Clone, Copy)]
enum Who {
    Permitted,
    Person(usize),
}

/// The people a step may be taken by. The release's roster holds the first
/// five, and Ada as a change approver too.
const PEOPLE: [(&str, &str, &str); 8] = [
    ("ada", "Ada Lovelace", "release-manager"),
    ("grace", "Grace Hopper", "on-call-engineer"),
    ("sam", "Sam Security", "security-engineer"),
    ("linus", "Linus Approver", "change-approver"),
    ("monitor", "monitor", "automation"),
    // Off the roster.
    ("mallory", "Mallory", "release-manager"),
    // Claiming a role the roster does not give her.
    ("grace", "Grace Hopper", "sre"),
    // Ada holds this role too, but planned the release.
    ("ada", "Ada Lovelace", "change-approver"),
];

const SECURITY_SCAN: &str = "testing.security-scans-clean";

fn person(index: usize) -> Actor {
    let (id, name, role) = PEOPLE[index];
    Actor::new(id, name, role.parse().unwrap()).unwrap()
}

#[derive(Debug, Clone)]
struct Step {
    op: Op,
    who: Who,
    /// Minutes after the previous step; negative tries to go back in time.
    minutes: i64,
}

#[derive(Debug, Clone)]
struct Model {
    items: Vec<ItemInfo>,
    stage: Stage,
    settled: BTreeSet<usize>,
    now: i64,
    deploying_at: Option<i64>,
    released_at: Option<i64>,
    error_rates: Vec<f64>,
    latencies: Vec<f64>,
    baselines: Vec<(i64, f64)>,
    flows: Vec<f64>,
    flags: BTreeSet<usize>,
    accepted: BTreeSet<&'static str>,
    incidents: BTreeMap<u8, (i64, Option<i64>)>,
    changes: BTreeSet<u8>,
    /// Whether the deploy gate's one approval is given and not lapsed.
    approved: bool,
    events: usize,
    accepts_last: bool,
}

impl Model {
    /// The OctoAcme verdict: whether to roll back, and the inconclusive
    /// findings, one name each.
    fn verdict(&self) -> (bool, BTreeSet<&'static str>) {
        let mut roll_back = !self.flags.is_empty();
        let mut inconclusive = BTreeSet::new();
        if self.error_rates.is_empty() {
            inconclusive.insert("error-rate");
        } else if self.error_rates.iter().filter(|v| **v > 0.05).count() >= 2 {
            roll_back = true;
        }
        let baseline = self
            .baselines
            .iter()
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .map(|(_, value)| *value);
        // A decision accepts the finding it was made for: "no baseline" and
        // "no samples" of one criterion are two findings.
        match baseline {
            None => drop(inconclusive.insert("latency-p95 without a baseline")),
            Some(_) if self.latencies.is_empty() => drop(inconclusive.insert("latency-p95 without samples")),
            Some(baseline) => {
                if self.latencies.iter().filter(|v| **v > 1.5 * baseline).count() >= 3 {
                    roll_back = true;
                }
            }
        }
        if self.flows.is_empty() {
            inconclusive.insert("critical-flow-failures");
        } else if self.flows.iter().any(|v| *v > 0.0) {
            roll_back = true;
        }
        (roll_back, inconclusive)
    }

    fn health_allows_release(&self) -> bool {
        let (roll_back, inconclusive) = self.verdict();
        !roll_back && inconclusive.is_subset(&self.accepted)
    }

    fn monitoring(&self, t: i64) -> bool {
        match self.stage {
            Stage::Deploying | Stage::Verifying => true,
            Stage::Released => self.released_at.is_some_and(|released| t < released + WINDOW_MINUTES),
            _ => false,
        }
    }

    fn can_roll_back(&self, t: i64) -> bool {
        matches!(self.stage, Stage::Deploying | Stage::Verifying)
            || (self.stage == Stage::Released && self.monitoring(t))
    }

    fn item_work(&self, index: usize) -> Option<&ItemInfo> {
        self.items.get(index).filter(|item| !item.automatic && workable(self.stage, item.gate))
    }

    fn enter(&mut self, stage: Stage, t: i64) {
        self.stage = stage;
        match stage {
            Stage::Deploying => self.deploying_at = Some(t),
            Stage::Released => self.released_at = Some(t),
            Stage::RolledBack => {
                let automatic = self.items.iter().position(|item| item.automatic);
                self.settled.extend(automatic);
            }
            _ => {}
        }
    }

    /// Whether every item of `gate` is settled.
    fn gate_settled(&self, gate: Gate) -> bool {
        self.items.iter().enumerate().all(|(i, item)| item.gate != gate || self.settled.contains(&i))
    }

    /// The gate a settle-everything batch works in this stage.
    fn batch_gate(&self) -> Gate {
        match self.stage {
            Stage::Released => Gate::PostRelease,
            Stage::RolledBack => Gate::Rollback,
            stage => next(stage).map_or(Gate::Rollback, |(_, gate)| gate),
        }
    }

    fn batch_items(&self) -> Vec<usize> {
        let gate = self.batch_gate();
        (0..self.items.len())
            .filter(|i| !self.settled.contains(i) && self.item_work(*i).is_some_and(|item| item.gate == gate))
            .collect()
    }

    /// Whether the person taking `step` is on the roster as they claim and
    /// holds a role the policy lets take it. Batches are taken item by item
    /// by people who may, whoever is named.
    fn authorized(&self, step: &Step) -> bool {
        let item = match step.op {
            Op::Complete(i) | Op::NotApplicable(i, _) | Op::Waive(i, _) | Op::Reopen(i, _) => {
                self.items.get(i)
            }
            _ => None,
        };
        match step.who {
            Who::Permitted => true,
            Who::Person(_) if matches!(step.op, Op::SettleGate | Op::RecordHealthy) => true,
            // Off the roster, or claiming a role not held.
            Who::Person(5 | 6) => false,
            Who::Person(p) => {
                // Ada may hold change-approver, but planned the release.
                let approves_own = p == 7 && matches!(step.op, Op::Approve);
                !approves_own && may(&step.op, item).contains(&PEOPLE[p].2)
            }
        }
    }

    /// Applies a step: `true` when the real release must accept it.
    fn step(&mut self, step: &Step) -> bool {
        if !self.authorized(step) {
            return false;
        }
        let t = self.now + step.minutes;
        if let Op::SettleGate = step.op {
            let batch = self.batch_items();
            if batch.is_empty() {
                return true;
            }
            if t < self.now {
                return false;
            }
            self.events += batch.len();
            self.settled.extend(batch);
            self.now = t;
            return true;
        }
        if t < self.now {
            return false;
        }
        let accepted = match step.op {
            Op::SettleGate => true,
            Op::RecordHealthy => {
                let ok = self.monitoring(t);
                if ok {
                    self.error_rates.push(0.001);
                    self.latencies.push(180.0);
                    self.flows.push(0.0);
                    self.events += 2;
                }
                ok
            }
            Op::Complete(i) => {
                let ok = self.item_work(i).is_some() && !self.settled.contains(&i);
                ok && self.settled.insert(i)
            }
            Op::NotApplicable(i, reason) => {
                let ok = self.item_work(i).is_some_and(|item| item.optional)
                    && !self.settled.contains(&i)
                    && reason;
                ok && self.settled.insert(i)
            }
            Op::Waive(i, reason) => {
                let ok = self.item_work(i).is_some_and(|item| !item.optional)
                    && !self.settled.contains(&i)
                    && reason;
                ok && self.settled.insert(i)
            }
            Op::Reopen(i, reason) => {
                let ok = self.item_work(i).is_some() && self.settled.contains(&i) && reason;
                if ok && self.items.get(i).is_some_and(|item| item.gate == Gate::Deploy) {
                    self.approved = false;
                }
                ok && self.settled.remove(&i)
            }
            Op::Approve => {
                let ok = self.stage == Stage::Frozen && !self.approved && self.gate_settled(Gate::Deploy);
                if ok {
                    self.approved = true;
                }
                ok
            }

            Op::Advance(target) => {
                let ok = next(self.stage).is_some_and(|(next, gate)| {
                    next == target
                        && self.gate_settled(gate)
                        && (target != Stage::Released || self.health_allows_release())
                        // OctoAcme checks health on the verify gate: a roll-back verdict blocks it.
                        && (target != Stage::Verifying || !self.verdict().0)
                        && (target != Stage::Deploying || self.approved)
                });
                if ok {
                    self.enter(target, t);
                }
                ok
            }
            Op::RollBack(reason) => {
                let ok = self.can_roll_back(t) && reason;
                if ok {
                    self.enter(Stage::RolledBack, t);
                }
                ok
            }
            Op::RollBackOnCriteria => {
                let ok = self.can_roll_back(t) && self.verdict().0;
                if ok {
                    self.enter(Stage::RolledBack, t);
                }
                ok
            }
            Op::Observe(signal, value) => {
                let ok = self.monitoring(t);
                if ok {
                    match signal {
                        0 => self.error_rates.push(value),
                        1 => self.latencies.push(value),
                        _ => self.flows.push(value),
                    }
                }
                ok
            }
            Op::Baseline(value) => {
                let ok = matches!(
                    self.stage,
                    Stage::Planned | Stage::Frozen | Stage::Deploying | Stage::Verifying
                );
                if ok {
                    self.baselines.push((t, value));
                }
                ok
            }
            Op::RaiseFlag(flag, evidence) => {
                let ok = self.monitoring(t) && !self.flags.contains(&flag) && evidence;
                ok && self.flags.insert(flag)
            }
            Op::ClearFlag(flag, reason) => {
                let ok = self.monitoring(t) && self.flags.contains(&flag) && reason;
                ok && self.flags.remove(&flag)
            }
            Op::AcceptRisk(reason) => {
                let (roll_back, inconclusive) = self.verdict();
                let undecided: BTreeSet<_> = inconclusive.difference(&self.accepted).copied().collect();
                let ok = matches!(self.stage, Stage::Deploying | Stage::Verifying)
                    && !roll_back
                    && !undecided.is_empty()
                    && reason;
                if ok {
                    self.accepted.extend(undecided);
                }
                ok
            }
            Op::OpenIncident(id, back) => {
                let opened = t - back;
                let ok = self.stage >= Stage::Deploying
                    && !self.incidents.contains_key(&id)
                    && self.deploying_at.is_some_and(|deployed| opened >= deployed);
                if ok {
                    self.incidents.insert(id, (opened, None));
                }
                ok
            }
            Op::ResolveIncident(id, back) => {
                let resolved = t - back;
                match self.incidents.get_mut(&id) {
                    Some((opened, end @ None)) if resolved >= *opened => {
                        *end = Some(resolved);
                        true
                    }
                    _ => false,
                }
            }
            Op::AddChange(id) => {
                let ok = self.stage == Stage::Planned && self.changes.insert(id);
                if ok {
                    self.approved = false;
                }
                ok
            }
        };
        if accepted {
            self.now = t;
            self.events += 1;
        }
        accepted
    }
}

struct Rules;

impl ReferenceStateMachine for Rules {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model {
            items: items(),
            stage: Stage::Planned,
            settled: BTreeSet::new(),
            now: 0,
            deploying_at: None,
            released_at: None,
            error_rates: Vec::new(),
            latencies: Vec::new(),
            baselines: Vec::new(),
            flows: Vec::new(),
            flags: BTreeSet::new(),
            accepted: BTreeSet::new(),
            incidents: BTreeMap::new(),
            changes: BTreeSet::new(),
            approved: false,
            events: 1,
            accepts_last: true,
        })
        .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let count = state.items.len();
        // Mostly the open items of the gates this stage works, so sequences get somewhere.
        let useful: Vec<usize> =
            (0..count).filter(|i| !state.settled.contains(i) && state.item_work(*i).is_some()).collect();
        let item = if useful.is_empty() {
            (0..count).boxed()
        } else {
            prop_oneof![4 => proptest::sample::select(useful), 1 => 0..count].boxed()
        };
        let next_stage = next(state.stage).map_or(Stage::RolledBack, |(stage, _)| stage);
        let value = prop_oneof![3 => 0.0..0.04f64, 2 => 150.0..400.0f64, 2 => Just(0.0), 1 => 0.0..2.0f64];
        let op = prop_oneof![
            4 => Just(Op::SettleGate),
            2 => Just(Op::RecordHealthy),
            12 => item.clone().prop_map(Op::Complete),
            2 => (item.clone(), any::<bool>()).prop_map(|(i, r)| Op::NotApplicable(i, r)),
            2 => (item.clone(), any::<bool>()).prop_map(|(i, r)| Op::Waive(i, r)),
            2 => (0..count, prop::bool::weighted(0.8)).prop_map(|(i, r)| Op::Reopen(i, r)),
            5 => Just(Op::Advance(next_stage)),
            1 => proptest::sample::select(Stage::ALL).prop_map(Op::Advance),
            1 => prop::bool::weighted(0.8).prop_map(Op::RollBack),
            1 => Just(Op::RollBackOnCriteria),
            6 => (0..SIGNALS.len(), value).prop_map(|(s, v)| Op::Observe(s, v)),
            2 => (150.0..300.0f64).prop_map(Op::Baseline),
            1 => (0..FLAGS.len(), prop::bool::weighted(0.9)).prop_map(|(f, e)| Op::RaiseFlag(f, e)),
            1 => (0..FLAGS.len(), prop::bool::weighted(0.9)).prop_map(|(f, r)| Op::ClearFlag(f, r)),
            2 => prop::bool::weighted(0.9).prop_map(Op::AcceptRisk),
            1 => (0u8..4, -5i64..90).prop_map(|(id, back)| Op::OpenIncident(id, back.max(0))),
            1 => (0u8..4, -5i64..90).prop_map(|(id, back)| Op::ResolveIncident(id, back.max(0))),
            1 => (0u8..4).prop_map(Op::AddChange),
            3 => Just(Op::Approve),
        ];
        let who = prop_oneof![6 => Just(Who::Permitted), 2 => (0..PEOPLE.len()).prop_map(Who::Person)];
        (op, who, prop_oneof![10 => 0i64..40, 1 => -3i64..0, 1 => 300i64..1500])
            .prop_map(|(op, who, minutes)| Step { op, who, minutes })
            .boxed()
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        state.accepts_last = state.step(step);
        state
    }
}

struct RealRelease;

fn run(release: &mut Release, step: &Step, t: DateTime<Utc>, index: usize) -> bool {
    let model_items = items();
    let id = |i: usize| model_items.get(i).map(|item| item.id.clone()).unwrap_or_default();
    let item = match &step.op {
        Op::Complete(i) | Op::NotApplicable(i, _) | Op::Waive(i, _) | Op::Reopen(i, _) => model_items.get(*i),
        _ => None,
    };
    let by = person(match step.who {
        Who::Person(p) if !matches!(step.op, Op::SettleGate | Op::RecordHealthy) => p,
        _ => permitted_person(&step.op, item, index),
    });
    let reason = |ok: bool| if ok { "because" } else { "  " };
    match &step.op {
        Op::SettleGate => {
            let gate = match release.stage() {
                Stage::Released => Gate::PostRelease,
                Stage::RolledBack => Gate::Rollback,
                stage => stage.next().and_then(Stage::entry_gate).unwrap_or(Gate::Rollback),
            };
            let open: Vec<String> = release
                .open_items(gate)
                .filter(|item| item.settled_on().is_none() && release.stage().can_work(gate))
                .map(|item| item.id().to_string())
                .collect();
            open.iter().all(|id| release.complete(id, &common::completer(id), t).is_ok())
        }
        Op::RecordHealthy => SIGNALS
            .iter()
            .zip([0.001, 180.0, 0.0])
            .all(|(signal, value)| release.observe(signal, value, "prometheus", &by, t).is_ok()),
        Op::Complete(i) => release.complete(&id(*i), &by, t).is_ok(),
        Op::NotApplicable(i, ok) => release.mark_not_applicable(&id(*i), reason(*ok), &by, t).is_ok(),
        Op::Waive(i, ok) => release.waive(&id(*i), reason(*ok), &by, t).is_ok(),
        Op::Reopen(i, ok) => release.reopen(&id(*i), reason(*ok), &by, t).is_ok(),
        Op::Advance(stage) => release.advance_to(*stage, &by, t).is_ok(),
        Op::RollBack(ok) => release.roll_back(reason(*ok), &by, t).is_ok(),
        Op::RollBackOnCriteria => release.roll_back_on_criteria(&by, t).is_ok(),
        Op::Observe(signal, value) => release.observe(SIGNALS[*signal], *value, "prometheus", &by, t).is_ok(),
        Op::Baseline(value) => {
            release.record_baseline("latency_p95_ms", *value, "prometheus", &by, t).is_ok()
        }
        Op::RaiseFlag(flag, ok) => {
            release.raise_flag(FLAGS[*flag], if *ok { "CVE" } else { "" }, &by, t).is_ok()
        }
        Op::ClearFlag(flag, ok) => release.clear_flag(FLAGS[*flag], reason(*ok), &by, t).is_ok(),
        Op::AcceptRisk(ok) => release.accept_risk(reason(*ok), &by, t).is_ok(),
        Op::OpenIncident(id, back) => {
            let incident = Incident::new(
                format!("INC-{id}"),
                IncidentSeverity::Sev2,
                "errors",
                t - TimeDelta::minutes(*back),
            );
            release.open_incident(incident.unwrap(), &by, t).is_ok()
        }
        Op::ResolveIncident(id, back) => {
            release.resolve_incident(&format!("INC-{id}"), t - TimeDelta::minutes(*back), &by, t).is_ok()
        }
        Op::AddChange(id) => release.add_change(Change::new(format!("C-{id}"), t).unwrap(), &by, t).is_ok(),
        Op::Approve => release.approve(Gate::Deploy, &by, t).is_ok(),
    }
}

impl StateMachineTest for RealRelease {
    type SystemUnderTest = (Release, usize);
    type Reference = Rules;

    fn init_test(_: &Model) -> (Release, usize) {
        let release = common::team_builder()
            .member(common::sam())
            .member(common::linus())
            .member(common::monitor())
            .member(ada().acting_as(Role::CHANGE_APPROVER))
            .change("PR-1", at(-600))
            .plan(at(0))
            .unwrap();
        (release, 0)
    }

    fn apply((mut release, index): (Release, usize), model: &Model, step: Step) -> (Release, usize) {
        let before = release.clone();
        let t = before.last_event_at() + TimeDelta::minutes(step.minutes);
        let accepted = run(&mut release, &step, t, index);
        assert_eq!(accepted, model.accepts_last, "step {index}: {step:?} from {:?}", before.stage());
        let batch = matches!(step.op, Op::SettleGate | Op::RecordHealthy);
        if accepted {
            assert!(before.stage() == release.stage() || before.stage().can_move_to(release.stage()));
        } else if !batch {
            assert_eq!(release, before, "a refused {step:?} changed the release");
        }
        (release, index + 1)
    }

    fn check_invariants((release, _): &(Release, usize), model: &Model) {
        assert_eq!(release.stage(), model.stage);
        assert_eq!(release.events().len(), model.events);
        assert_eq!(release.last_event_at(), at(model.now));
        let settled: BTreeSet<usize> = release
            .items()
            .enumerate()
            .filter(|(_, (_, status))| status.is_settled())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(settled, model.settled);
        assert_eq!(release.verdict().should_roll_back(), model.verdict().0);
        assert_eq!(release.incidents().len(), model.incidents.len());
        assert_eq!(release.raised_flags().len(), model.flags.len());
        assert_eq!(
            &Release::replay(release.events().to_vec(), &release_workflow::release::Trust::default())
                .unwrap(),
            release
        );

        // The status speaks of the next move exactly as the move's own check
        // does, and as the move itself turns out.
        let status = release.status();
        match (release.stage().next(), &status.next_move) {
            (Some(next), Some(next_move)) => {
                assert_eq!(next_move.to, next);
                let can_move = next_move.can_move();
                assert_eq!(can_move, release.check_advance(next).is_ok(), "{status}");
                let mut copy = release.clone();
                assert_eq!(can_move, copy.advance_to(next, &ada(), at(model.now)).is_ok(), "{status}");
                assert_eq!(can_move, status.to_string().contains("ready to move"), "{status}");
            }
            (None, None) => assert!(status.closing.is_some()),
            (next, next_move) => panic!("the stage's next move is {next:?}, the status says {next_move:?}"),
        }
    }
}

fn config() -> Config {
    common::model_config(10_000)
}

fn steps() -> std::ops::Range<usize> {
    common::model_steps(60)
}

prop_state_machine! {
    #![proptest_config(config())]

    #[test]
    fn the_release_agrees_with_the_model(sequential steps() => RealRelease);
}
