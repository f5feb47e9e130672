//! What the benches share: a start time, a planned release with the team
//! the OctoAcme policy asks for, and gates settled by the right people.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{
    Actor, Gate, Release, ReleaseKind, Role,
    metrics::{DeploymentRecord, History, IncidentSpan, RollbackSpan},
};

/// The security engineer, who alone completes the security scan.
pub fn security() -> Actor {
    Actor::new("sam", "Sam", Role::SECURITY_ENGINEER).unwrap()
}

/// The change approver, who approves the deploy gate.
pub fn approver() -> Actor {
    Actor::new("linus", "Linus", Role::CHANGE_APPROVER).unwrap()
}

/// Settles every open item of `gate`, each by someone the OctoAcme policy
/// lets, and approves the gate if its policy asks.
pub fn settle(release: &mut Release, gate: Gate, ada: &Actor, at: DateTime<Utc>) {
    let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
    let sam = security();
    for id in &open {
        let by = if id == "testing.security-scans-clean" { &sam } else { ada };
        release.complete(id, by, at).unwrap();
    }
    if release.approvals_needed(gate).is_some() {
        release.approve(gate, &approver(), at).unwrap();
    }
}

pub fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_493_200, 0).unwrap_or_default()
}

/// Release `version` of the bench service, planned by `ada` at `start()`.
pub fn planned(ada: &Actor, version: &str) -> Release {
    team(ada, version).service("bench").plan(start()).unwrap()
}

/// Release `version`, minor, for `start()`'s day, `ada` its release
/// manager and on call, the security engineer and the approver on its
/// roster; no service yet.
pub fn team(ada: &Actor, version: &str) -> release_workflow::plan::ReleaseBuilder {
    Release::builder()
        .version(version)
        .kind(ReleaseKind::Minor)
        .target_date(start().date_naive())
        .release_manager(ada.clone())
        .on_call(ada.clone())
        .member(security())
        .member(approver())
}

/// A deterministic history: 20 services deploying around the clock for a
/// year, 1–4 changes each, about 12% failing.
pub fn history(count: usize) -> History {
    let start = DateTime::<Utc>::from_timestamp(1_735_689_600, 0).unwrap_or_default(); // 2025-01-01
    let span_seconds = 365 * 86_400;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|i| {
            let started = start + TimeDelta::seconds((next() % span_seconds) as i64);
            let service = format!("service-{:02}", i % 20);
            let mut record = DeploymentRecord::new(&service, &format!("1.{}.0", i / 20), started)
                .unwrap()
                .with_production_at(started + TimeDelta::seconds(300 + (next() % 1800) as i64))
                .unwrap()
                .with_commits(
                    (0..1 + next() % 4).map(|_| started - TimeDelta::seconds((next() % 604_800) as i64)),
                );
            match next() % 100 {
                0..=5 => {
                    let decided_at = started + TimeDelta::seconds(900);
                    let restored_at = Some(decided_at + TimeDelta::seconds((next() % 3600) as i64));
                    record = record.with_rollback(RollbackSpan { decided_at, restored_at }).unwrap();
                }
                6..=11 => {
                    let opened_at = started + TimeDelta::seconds(1200);
                    let resolved_at = Some(opened_at + TimeDelta::seconds((next() % 14_400) as i64));
                    record = record
                        .with_incident(IncidentSpan { id: format!("INC-{i}").into(), opened_at, resolved_at })
                        .unwrap();
                }
                _ => {}
            }
            record
        })
        .collect()
}
