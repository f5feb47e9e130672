//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{Actor, Gate, Release, ReleaseKind, Role, Stage};

pub fn ada() -> Actor {
    Actor::new("Ada Lovelace", Role::ReleaseManager).unwrap()
}

pub fn grace() -> Actor {
    Actor::new("Grace Hopper", Role::OnCallEngineer).unwrap()
}

/// 2026-11-30 09:00 UTC plus `minutes`.
pub fn t(minutes: i64) -> DateTime<Utc> {
    "2026-11-30T09:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(minutes)
}

/// Release 2.4.0 on the OctoAcme checklist, planned at `t(0)`.
pub fn planned() -> Release {
    Release::builder()
        .service("checkout")
        .version("2.4.0")
        .kind(ReleaseKind::Minor)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .change("PR-1", t(-600))
        .plan(t(0))
        .unwrap()
}

/// Completes every open item of `gate` at time `at`.
pub fn complete_gate(release: &mut Release, gate: Gate, at: DateTime<Utc>) {
    let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
    for id in open {
        release.complete(&id, &ada(), at).unwrap();
    }
}

/// Records healthy values of every signal the OctoAcme criteria watch.
pub fn record_healthy_signals(release: &mut Release, at: DateTime<Utc>) {
    let bot = Actor::new("monitor", Role::Automation).unwrap();
    release.record_baseline("latency_p95_ms", 200.0, "prometheus", &bot, at).unwrap();
    release.observe("latency_p95_ms", 210.0, "prometheus", &bot, at).unwrap();
    release.observe("error_rate", 0.01, "prometheus", &bot, at).unwrap();
    release.observe("critical_flow_failures", 0.0, "synthetics", &bot, at).unwrap();
}

/// A release walked forward to `stage` (not `RolledBack`), every gate's
/// items completed, each step at `t(step)`; healthy signals are recorded
/// while it is verified.
pub fn at_stage(stage: Stage) -> Release {
    let mut release = planned();
    let mut minute = 1;
    while release.stage() < stage {
        advance(&mut release, t(minute));
        minute += 1;
    }
    release
}

/// Settles the next gate, records healthy signals before `Released`, and
/// moves the release to its next stage at `at`.
pub fn advance(release: &mut Release, at: DateTime<Utc>) {
    let next = release.stage().next().unwrap();
    if next == Stage::Released {
        record_healthy_signals(release, at);
    }
    complete_gate(release, next.entry_gate().unwrap(), at);
    release.advance_to(next, &ada(), at).unwrap();
}
