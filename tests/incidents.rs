//! Incidents linked to the release that caused them, and remediations.

mod common;

use chrono::TimeDelta;
use common::{ada, at_stage, grace, refused, t};
use release_workflow::{
    Release, ReleaseError, ReleaseKind, Stage,
    event::EventKind,
    incident::{Incident, IncidentSeverity},
    plan::PlanError,
    text::TextError,
};

fn incident(id: &str, opened_minute: i64) -> Incident {
    Incident::new(id, IncidentSeverity::Sev2, "checkout errors", t(opened_minute)).unwrap()
}

#[test]
fn incidents_are_opened_and_resolved_from_deploying_on_even_after_the_release_is_final() {
    let deploying_at = |release: &Release| release.entered_at(Stage::Deploying).unwrap();
    for (stage, roll_back) in [
        (Stage::Deploying, false),
        (Stage::Verifying, false),
        (Stage::Released, false),
        (Stage::Verifying, true),
    ] {
        let mut release = at_stage(stage);
        if roll_back {
            release.roll_back("errors", &ada(), t(20)).unwrap();
        }
        let opened = deploying_at(&release);
        // Days after release and after the monitoring window: incidents still count.
        let recorded = t(60 * 24 * 5);
        release
            .open_incident(
                Incident::new("INC-7", IncidentSeverity::Sev1, "outage", opened).unwrap(),
                &grace(),
                recorded,
            )
            .unwrap();
        assert!(matches!(release.events().last().unwrap().what, EventKind::IncidentOpened { .. }));
        release.resolve_incident("INC-7", opened + TimeDelta::minutes(45), &grace(), recorded).unwrap();
        let recorded_incident = &release.incidents()[0];
        assert_eq!(recorded_incident.opened_at(), opened);
        assert_eq!(recorded_incident.resolved_at(), Some(opened + TimeDelta::minutes(45)));
        assert_eq!(recorded_incident.severity(), IncidentSeverity::Sev1);
    }
}

#[test]
fn incidents_before_deployment_are_refused() {
    for stage in [Stage::Planned, Stage::Frozen] {
        let release = at_stage(stage);
        let error = refused(&release, |r| r.open_incident(incident("INC-1", 1), &ada(), t(10)).map(drop));
        assert!(matches!(error, ReleaseError::NotMonitoring { .. }), "{error}");
    }
    let release = at_stage(Stage::Verifying);
    let deployed = release.entered_at(Stage::Deploying).unwrap();
    let early =
        Incident::new("INC-1", IncidentSeverity::Sev3, "slow", deployed - TimeDelta::minutes(1)).unwrap();
    let error = refused(&release, |r| r.open_incident(early, &ada(), t(10)).map(drop));
    assert!(error.to_string().contains("before this release started deploying"), "{error}");
}

#[test]
fn incident_times_and_ids_are_checked() {
    let mut release = at_stage(Stage::Verifying);
    let error = refused(&release, |r| r.open_incident(incident("INC-1", 30), &ada(), t(10)).map(drop));
    assert!(error.to_string().contains("after it is recorded"), "opening in the future: {error}");
    release.open_incident(incident("INC-1", 3), &ada(), t(10)).unwrap();
    let error = refused(&release, |r| r.open_incident(incident("INC-1", 4), &ada(), t(11)).map(drop));
    assert!(error.to_string().contains("already recorded"), "{error}");
    let error = refused(&release, |r| r.resolve_incident("INC-1", t(2), &ada(), t(11)).map(drop));
    assert!(error.to_string().contains("before it opened"), "{error}");
    let error = refused(&release, |r| r.resolve_incident("INC-1", t(12), &ada(), t(11)).map(drop));
    assert!(error.to_string().contains("after it is recorded"), "{error}");
    let error = refused(&release, |r| r.resolve_incident("INC-2", t(11), &ada(), t(11)).map(drop));
    assert_eq!(error, ReleaseError::UnknownIncident { incident: "INC-2".into() });
    release.resolve_incident("INC-1", t(3), &ada(), t(11)).unwrap();
    let error = refused(&release, |r| r.resolve_incident("INC-1", t(11), &ada(), t(12)).map(drop));
    assert!(error.to_string().contains("already resolved"), "{error}");
}

#[test]
fn an_incident_can_be_recorded_after_it_ended() {
    let mut release = at_stage(Stage::Released);
    let over = incident("INC-9", 5).resolved(t(25)).unwrap();
    release.open_incident(over, &ada(), t(60)).unwrap();
    assert_eq!(release.incidents()[0].resolved_at(), Some(t(25)));
    assert!(incident("INC-9", 5).resolved(t(4)).is_err());
    assert!(Incident::new("", IncidentSeverity::Sev1, "x", t(0)).is_err());
    assert!(Incident::new("INC-1", IncidentSeverity::Sev1, "two\nlines", t(0)).is_err());
    let json = r#"{"id":"INC-1","severity":"sev2","summary":"x","opened_at":"2026-11-30T10:00:00Z","resolved_at":"2026-11-30T09:00:00Z"}"#;
    assert!(serde_json::from_str::<Incident>(json).is_err());
}

#[test]
fn a_release_can_be_planned_as_the_remediation_of_an_incident() {
    let fix = Release::builder()
        .version("2.4.1")
        .previous_version("2.4.0")
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .remediates("INC-7")
        .plan(t(0))
        .unwrap();
    assert_eq!(fix.kind(), ReleaseKind::Patch);
    assert_eq!(fix.plan().remediates(), Some("INC-7"));
    let back = common::round_trip(&fix);
    assert_eq!(back, fix);
    let bad = Release::builder()
        .version("2.4.1")
        .kind(ReleaseKind::Patch)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .remediates(" ")
        .plan(t(0));
    assert!(matches!(
        bad,
        Err(PlanError::Text(TextError::InvalidText { field: "remediated incident id", .. }))
    ));
}
