//! Speed of the state machine on the OctoAcme checklist.
//!
//! Targets on the reference machine (2 cores): a gate check under 1 µs, a
//! gate check with a policy of 3 approvals and 2 change windows under
//! 2 µs, the same check of an emergency change (its approvals deferred,
//! the windows skipped) with the in-flight check against 20 other releases
//! under 2 µs, a whole walk from Planned to Released under 50 µs.

mod common;

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use release_workflow::{
    Actor, Gate, Release, ReleaseKind, Role, Stage, Template,
    policy::{ChangeType, ChangeWindow, EmergencyChange, Policy, WindowKind},
};

use common::{approver, security, settle, start};

/// Planned on the built-in OctoAcme checklist, shared rather than copied.
fn planned(ada: &Actor) -> Release {
    team(ada).plan(start()).unwrap()
}

fn planned_on(ada: &Actor, template: Template) -> Release {
    team(ada).template(template).plan(start()).unwrap()
}

/// Release 2.4.0 planned by `ada`, with the approvers and the security
/// engineer on its roster.
fn team(ada: &Actor) -> release_workflow::plan::ReleaseBuilder {
    Release::builder()
        .version("2.4.0")
        .kind(ReleaseKind::Minor)
        .target_date(start().date_naive())
        .release_manager(ada.clone())
        .on_call(ada.clone())
        .member(security())
        .member(approver())
        .member(Actor::new("ken", "Ken", Role::CHANGE_APPROVER).unwrap())
        .member(Actor::new("pat", "Pat", Role::PRODUCT_OWNER).unwrap())
        .change("PR-1", start())
}

/// Settles every item of each gate (approving the deploy gate), records
/// healthy signals, and moves through to Released.
fn walk(ada: &Actor) -> Release {
    let mut release = planned(ada);
    let mut at = start();
    for (gate, next) in [
        (Gate::Freeze, Stage::Frozen),
        (Gate::Deploy, Stage::Deploying),
        (Gate::Verify, Stage::Verifying),
        (Gate::Release, Stage::Released),
    ] {
        at += TimeDelta::seconds(1);
        settle(&mut release, gate, ada, at);
        if next == Stage::Released {
            release.record_baseline("latency_p95_ms", 200.0, "prometheus", ada, at).unwrap();
            release.observe("latency_p95_ms", 210.0, "prometheus", ada, at).unwrap();
            release.observe("error_rate", 0.01, "prometheus", ada, at).unwrap();
            release.observe("critical_flow_failures", 0.0, "synthetics", ada, at).unwrap();
        }
        release.advance_to(next, ada, at).unwrap();
    }
    release
}

/// A frozen release under a policy asking 3 approvals of the deploy gate,
/// with a weekend freeze and a weekday deployment window: every approval
/// given, so the check runs every rule and passes.
fn governed(ada: &Actor) -> (Release, DateTime<Utc>) {
    let window = |name: &str, kind, from: &str, to: &str| {
        ChangeWindow::weekly(
            name,
            kind,
            chrono_tz::Europe::Berlin,
            from.parse().unwrap(),
            to.parse().unwrap(),
        )
        .unwrap()
    };
    let policy = Policy::octoacme()
        .with_approvals(Gate::Deploy, 3, [Role::CHANGE_APPROVER, Role::PRODUCT_OWNER])
        .and_then(|policy| {
            policy.with_window(window("Weekend freeze", WindowKind::Freeze, "fri 18:00", "mon 07:00"))
        })
        .and_then(|policy| {
            policy.with_window(window("Working hours", WindowKind::Deployment, "mon 08:00", "fri 17:00"))
        })
        .unwrap();
    let mut release = planned_on(ada, Template::octoacme().with_policy(policy).unwrap());
    settle(&mut release, Gate::Freeze, ada, start());
    release.advance_to(Stage::Frozen, ada, start()).unwrap();
    let sam = security();
    let open: Vec<String> = release.open_items(Gate::Deploy).map(|item| item.id().to_string()).collect();
    for id in &open {
        let by = if id == "testing.security-scans-clean" { &sam } else { ada };
        release.complete(id, by, start()).unwrap();
    }
    for approver in [
        approver(),
        Actor::new("ken", "Ken", Role::CHANGE_APPROVER).unwrap(),
        Actor::new("pat", "Pat", Role::PRODUCT_OWNER).unwrap(),
    ] {
        release.approve(Gate::Deploy, &approver, start()).unwrap();
    }
    // Tuesday 2025-12-02 10:00 UTC: inside working hours, outside the freeze.
    let tuesday = DateTime::from_timestamp(1_764_669_600, 0).unwrap();
    assert!(release.check_advance_at(Stage::Deploying, tuesday).is_ok());
    (release, tuesday)
}

/// `governed`'s checklist with emergency changes declared: a frozen
/// emergency change of checkout with its deploy approvals deferred, and 20
/// releases of other services and of checkout, none of them in flight.
fn emergency(ada: &Actor) -> (Release, Vec<Release>, DateTime<Utc>) {
    let (governed, tuesday) = governed(ada);
    let rule = EmergencyChange::reviewed_by(1, [Role::CHANGE_APPROVER], TimeDelta::hours(24))
        .with_deferrable_approvals([Gate::Deploy])
        .with_windows_skipped();
    let policy = governed.template().policy().unwrap().clone().with_emergency_changes(rule).unwrap();
    let template = Template::octoacme().with_policy(policy).unwrap();
    let plan = |service: &str| {
        team(ada)
            .service(service)
            .template(template.clone())
            .change_type(ChangeType::Emergency)
            .plan(start())
            .unwrap()
    };
    let mut release = plan("checkout");
    settle(&mut release, Gate::Freeze, ada, start());
    release.advance_to(Stage::Frozen, ada, start()).unwrap();
    settle_without_approval(&mut release, ada);
    release.defer_approvals(Gate::Deploy, "production is down", ada, start()).unwrap();
    let others = (0..20).map(|n| plan(if n % 4 == 0 { "checkout" } else { "search" })).collect();
    (release, others, tuesday)
}

/// Completes the deploy gate's items, without approving it.
fn settle_without_approval(release: &mut Release, ada: &Actor) {
    let sam = security();
    let open: Vec<String> = release.open_items(Gate::Deploy).map(|item| item.id().to_string()).collect();
    for id in &open {
        let by = if id == "testing.security-scans-clean" { &sam } else { ada };
        release.complete(id, by, start()).unwrap();
    }
}

fn benches(c: &mut Criterion) {
    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();

    let blocked = planned(&ada);
    c.bench_function("gate check, blocked (8 open freeze items)", |b| {
        b.iter(|| black_box(&blocked).check_advance(black_box(Stage::Frozen)).is_err())
    });

    let mut ready = planned(&ada);
    settle(&mut ready, Gate::Freeze, &ada, start());
    c.bench_function("gate check, passing", |b| {
        b.iter(|| black_box(&ready).check_advance(black_box(Stage::Frozen)).is_ok())
    });

    let (governed, tuesday) = governed(&ada);
    c.bench_function("gate check with a policy of 3 approvals and 2 windows, passing", |b| {
        b.iter(|| {
            black_box(&governed).check_advance_at(black_box(Stage::Deploying), black_box(tuesday)).is_ok()
        })
    });

    let (emergency, others, tuesday) = emergency(&ada);
    assert!(emergency.check_advance_at(Stage::Deploying, tuesday).is_ok());
    c.bench_function("gate check of an emergency change, with the in-flight check among 20 releases", |b| {
        b.iter(|| {
            let release = black_box(&emergency);
            release.check_advance_at(black_box(Stage::Deploying), black_box(tuesday)).is_ok()
                && release.check_in_flight(black_box(&others)).is_ok()
        })
    });

    c.bench_function("whole walk Planned -> Released (66-item OctoAcme)", |b| {
        b.iter(|| black_box(walk(black_box(&ada))))
    });
}

criterion_group!(transitions, benches);
criterion_main!(transitions);
