//! The audit trail: when, who, what.

mod common;

use common::{ada, at_stage, grace, planned, t};
use release_workflow::{Stage, audit::AuditTrail, event::EventType};

#[test]
fn the_trail_renders_every_event_with_its_position() {
    let mut release = planned();
    release.complete("planning.scope-documented", &grace(), t(5)).unwrap();
    let text = AuditTrail::of(&release).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with(
            "#0    2026-11-30 09:00:00 UTC  Ada Lovelace (release-manager)  planned minor release 2.4.0"
        ),
        "{text}"
    );
    assert_eq!(
        lines[1],
        "#1    2026-11-30 09:05:00 UTC  Grace Hopper (on-call-engineer)  completed planning.scope-documented"
    );
}

#[test]
fn the_trail_filters_by_actor_type_and_time() {
    let mut release = at_stage(Stage::Frozen);
    release.complete("testing.unit-tests-passing", &grace(), t(30)).unwrap();
    release.complete("testing.regression-tested", &grace(), t(40)).unwrap();
    let trail = AuditTrail::of(&release);
    assert_eq!(trail.len(), release.events().len());
    let by_grace = AuditTrail::of(&release).by("Grace Hopper");
    assert_eq!(by_grace.len(), 2);
    assert_eq!(by_grace.entries()[0].0, release.events().len() - 2, "positions are positions in the log");
    assert_eq!(AuditTrail::of(&release).of_type(EventType::Advanced).len(), 1);
    assert_eq!(AuditTrail::of(&release).of_type(EventType::ItemCompleted).by("Grace Hopper").len(), 2);
    assert_eq!(AuditTrail::of(&release).between(t(30), t(40)).len(), 1, "the end is excluded");
    assert!(AuditTrail::of(&release).by("Nobody").is_empty());
    assert!(AuditTrail::of(&release).by("Nobody").to_string().is_empty());
    assert_eq!("ITEM-COMPLETED".parse::<EventType>().unwrap(), EventType::ItemCompleted);
    assert!("deleted".parse::<EventType>().is_err());
}

#[test]
fn a_refused_operation_leaves_no_trace_in_the_trail() {
    let mut release = planned();
    let before = AuditTrail::of(&release).to_string();
    assert!(release.advance_to(Stage::Frozen, &ada(), t(1)).is_err());
    assert!(release.complete("no.such-item", &ada(), t(1)).is_err());
    assert_eq!(AuditTrail::of(&release).to_string(), before);
}
