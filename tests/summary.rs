//! The summary a release manager reads.

mod common;

use common::{ada, at_stage, complete_gate, planned, t};
use release_workflow::{Gate, NextAction, Stage};

#[test]
fn a_planned_release_shows_its_people_progress_and_blockers() {
    let mut release = planned();
    release.complete("planning.version-confirmed", &ada(), t(1)).unwrap();
    let text = release.to_string();
    assert!(text.starts_with("Release 2.4.0 (minor) of checkout, target 2026-12-01\n"), "{text}");
    assert!(text.contains("stage      planned since 2026-11-30 09:00 UTC"), "{text}");
    assert!(text.contains("Ada Lovelace (release manager), Grace Hopper (on call)"), "{text}");
    assert!(text.contains("→ freeze         1/8"), "{text}");
    assert!(text.contains("deploy         0/25"), "{text}");
    assert!(!text.contains("rollback "), "the rollback group is hidden until a rollback: {text}");
    assert!(text.contains("frozen is blocked by 7 open items:"), "{text}");
    assert!(
        text.contains("planning.type-identified \"Release type identified (patch, minor, major)\""),
        "{text}"
    );
    assert!(!text.contains("- planning.version-confirmed"), "{text}");
    assert!(text.contains("completed planning.version-confirmed"), "{text}");
}

#[test]
fn long_blocker_lists_are_cut_with_a_count() {
    let mut release = at_stage(Stage::Frozen);
    let text = release.to_string();
    assert!(text.contains("deploying is blocked by 25 open items:"), "{text}");
    assert!(text.contains("… and 15 more"), "{text}");
    assert!(text.contains("✓ freeze"), "{text}");
    // Ten are listed whole, with no count of the rest.
    let open: Vec<String> = release.open_items(Gate::Deploy).map(|item| item.id().to_string()).collect();
    for id in open.iter().take(15) {
        release.complete(id, &common::completer(id), t(30)).unwrap();
    }
    let text = release.to_string();
    assert_eq!(text.lines().filter(|line| line.starts_with("               - ")).count(), 10, "{text}");
    assert!(!text.contains("… and"), "{text}");
}

#[test]
fn final_stages_show_what_closes_them() {
    let mut released = at_stage(Stage::Released);
    let text = released.to_string();
    assert!(text.contains("rollback   allowed until 2026-12-02 09:04 UTC"), "{text}");
    assert!(text.contains("to close   14 open post-release items:"), "{text}");
    complete_gate(&mut released, Gate::PostRelease, t(60));
    assert!(released.to_string().contains("closed     every post-release item is settled"));

    let mut rolled_back = at_stage(Stage::Verifying);
    rolled_back.roll_back("checkout errors at 9%", &ada(), t(30)).unwrap();
    let text = rolled_back.to_string();
    assert!(
        text.contains("rolled back from verifying by Ada Lovelace, decided: checkout errors at 9%"),
        "{text}"
    );
    assert!(text.contains("rollback       1/8"), "{text}");
    assert!(!text.contains("post-release"), "{text}");
    assert!(text.contains("to close   7 open rollback items:"), "{text}");
}

#[test]
fn a_ready_release_says_so() {
    let mut release = planned();
    complete_gate(&mut release, Gate::Freeze, t(1));
    assert!(release.to_string().contains("next       ready to move to frozen"));
}

#[test]
fn the_summary_shows_health_and_incidents_while_the_release_is_watched() {
    let mut release = at_stage(Stage::Verifying);
    assert!(release.to_string().contains("health     inconclusive"), "{release}");
    common::record_healthy_signals(&mut release, t(20));
    assert!(release.to_string().contains("health     healthy (4 observations)"), "{release}");
    let bot = common::monitor();
    release.observe("critical_flow_failures", 3.0, "synthetics", &bot, t(21)).unwrap();
    let incident = release_workflow::incident::Incident::new(
        "INC-1",
        release_workflow::incident::IncidentSeverity::Sev1,
        "checkout down",
        t(21),
    );
    release.open_incident(incident.unwrap(), &bot, t(22)).unwrap();
    let text = release.to_string();
    assert!(text.contains("health     roll back\n               - critical-flow-failures"), "{text}");
    assert!(
        text.contains("incident   INC-1 [sev1] checkout down, opened 2026-11-30 09:21 UTC, unresolved"),
        "{text}"
    );
    assert!(!planned().to_string().contains("health"), "no health line before deployment");
}

#[test]
fn the_summary_never_says_ready_when_health_blocks_the_move() {
    // Every Release item settled, but the verdict says roll back.
    let mut release = at_stage(Stage::Verifying);
    common::record_healthy_signals(&mut release, t(20));
    let bot = common::monitor();
    release.observe("critical_flow_failures", 3.0, "synthetics", &bot, t(21)).unwrap();
    // Blocked by items and by health: both are named.
    let text = release.to_string();
    assert!(text.contains("next       released is blocked by 6 open items:"), "{text}");
    assert!(text.contains("\n             and by the release's health, which says roll back: "), "{text}");
    assert_eq!(
        release.status().next_move.unwrap().next_actions(),
        [NextAction::SettleItems, NextAction::RollBackOnCriteria]
    );
    complete_gate(&mut release, Gate::Release, t(22));
    assert!(release.check_advance(Stage::Released).is_err());
    let status = release.status();
    let next = status.next_move.as_ref().unwrap();
    assert!(!next.can_move() && next.open_items.is_empty());
    assert_eq!(next.next_actions(), [NextAction::RollBackOnCriteria]);
    let text = release.to_string();
    assert!(!text.contains("ready to move") && !text.contains("0 open items"), "{text}");
    assert!(
        text.contains("next       released is blocked by the release's health, which says roll back: roll the release back"),
        "{text}"
    );

    // Inconclusive: blocked until a person decides, then ready.
    let mut release = at_stage(Stage::Verifying);
    complete_gate(&mut release, Gate::Release, t(21));
    let text = release.to_string();
    assert!(
        text.contains("which is inconclusive: accept the risk with a reason, or roll the release back"),
        "{text}"
    );
    assert_eq!(release.status().next_move.unwrap().next_actions(), [NextAction::AcceptRiskOrRollBack]);
    release.accept_risk("signals arrive tomorrow", &ada(), t(22)).unwrap();
    assert!(release.check_advance(Stage::Released).is_ok());
    assert!(release.status().next_move.unwrap().can_move());
    let text = release.to_string();
    assert!(text.contains("next       ready to move to released"), "{text}");
    assert!(text.contains("health     inconclusive, risk accepted:"), "{text}");
}

#[test]
fn counts_read_in_the_singular_and_plural() {
    let mut release = planned();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.reopen("planning.scope-documented", "scope changed", &ada(), t(2)).unwrap();
    let text = release.to_string();
    assert!(text.contains("frozen is blocked by 1 open item:"), "{text}");
    let mut release = at_stage(Stage::Verifying);
    common::record_healthy_signals(&mut release, t(20));
    let observations = release.observations().len();
    assert!(release.to_string().contains(&format!("healthy ({observations} observations)")));
}

#[test]
fn the_status_is_data_a_dashboard_can_render() {
    let release = at_stage(Stage::Released);
    let status = release.status();
    assert_eq!(status.stage, Stage::Released);
    assert!(status.next_move.is_none());
    assert!(status.rollback_allowed_until.is_some());
    let closing = status.closing.as_ref().unwrap();
    assert_eq!((closing.group, closing.open_items.len()), (Gate::PostRelease, 14));
    assert!(status.progress.iter().all(|progress| progress.gate != Gate::Rollback));
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["stage"], "released");
    assert_eq!(json["progress"][0], serde_json::json!({"gate": "freeze", "settled": 8, "total": 8}));
    let back: release_workflow::release::ReleaseStatus = serde_json::from_value(json).unwrap();
    assert_eq!(back, status);
    assert_eq!(status.to_string(), release.to_string());
}
