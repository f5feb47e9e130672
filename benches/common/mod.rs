//! What the benches share: a start time, a planned release with the team
//! the OctoAcme policy asks for, and gates settled by the right people.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use release_workflow::{Actor, Gate, Release, ReleaseKind, Role};

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
    Release::builder()
        .service("bench")
        .version(version)
        .kind(ReleaseKind::Minor)
        .target_date(start().date_naive())
        .release_manager(ada.clone())
        .on_call(ada.clone())
        .member(security())
        .member(approver())
        .plan(start())
        .unwrap()
}
