//! Planning a release: versions, kinds, people, changes and windows.

mod common;

use chrono::TimeDelta;
use common::{ada, grace, t};
use release_workflow::{
    Actor, NextAction, ReleaseError, ReleaseKind, Role, Stage, Template,
    event::EventKind,
    plan::{Change, PlanError, ReleaseBuilder},
    text::TextError,
    version::{VersionError, parse_version},
};

fn builder() -> ReleaseBuilder {
    release_workflow::Release::builder()
        .version("2.4.0")
        .kind(ReleaseKind::Minor)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
}

#[test]
fn a_planned_release_records_its_plan_as_the_first_event() {
    let release = builder().service("checkout").change("PR-1", t(-60)).plan(t(0)).unwrap();
    assert_eq!(release.stage(), Stage::Planned);
    assert_eq!(release.version().to_string(), "2.4.0");
    assert_eq!(release.kind(), ReleaseKind::Minor);
    assert_eq!(release.service(), Some("checkout"));
    assert_eq!(release.plan().release_manager(), &ada());
    assert_eq!(release.plan().on_call(), &grace());
    assert_eq!(release.template(), &Template::octoacme());
    assert_eq!(release.monitoring_window(), TimeDelta::hours(48));
    assert_eq!(release.changes().map(Change::id).collect::<Vec<_>>(), ["PR-1"]);
    assert_eq!(release.events().len(), 1);
    assert_eq!(release.events()[0].by, ada());
    assert_eq!(release.events()[0].at, t(0));
    assert!(matches!(release.events()[0].what, EventKind::Planned { .. }));
    assert_eq!(release.entered_at(Stage::Planned), Some(t(0)));
    assert!(release.items().all(|(_, status)| !status.is_settled()));
}

#[test]
fn versions_are_strict_semver() {
    for good in ["0.0.1", "2.4.0", "2.4.0-rc.1", "2.4.0+build.7", "10.20.30-alpha.1+sha.abc"] {
        assert!(builder().version(good).plan(t(0)).is_ok(), "{good}");
    }
    for bad in ["", "2", "2.4", "2.4.0.1", "02.4.0", "2.4.x", "latest", " 2.4.0", "2.4.0-", "-1.0.0"] {
        let error = builder().version(bad).plan(t(0)).unwrap_err();
        assert!(matches!(error, PlanError::Version(VersionError::Invalid { .. })), "{bad}: {error}");
        assert!(error.to_string().contains("MAJOR.MINOR.PATCH"), "{error}");
    }
    let v_prefixed = parse_version("v2.4.0").unwrap_err().to_string();
    assert!(v_prefixed.contains("drop the leading 'v'"), "{v_prefixed}");
    // The hint only where dropping the 'v' gives a version.
    for no_hint in ["x2.4.0", "v2.4", "version"] {
        let message = parse_version(no_hint).unwrap_err().to_string();
        assert!(!message.contains("drop the leading"), "{no_hint}: {message}");
    }
}

#[test]
fn the_kind_is_inferred_from_the_previous_version() {
    let kind = |previous: &str, next: &str| {
        ReleaseKind::between(&parse_version(previous).unwrap(), &parse_version(next).unwrap())
    };
    assert_eq!(kind("2.3.7", "2.3.8").unwrap(), ReleaseKind::Patch);
    assert_eq!(kind("2.3.7", "2.4.0").unwrap(), ReleaseKind::Minor);
    assert_eq!(kind("2.3.7", "3.0.0").unwrap(), ReleaseKind::Major);
    assert_eq!(kind("2.4.0-rc.1", "2.4.0").unwrap(), ReleaseKind::Minor);
    assert_eq!(kind("3.0.0-rc.1", "3.0.0").unwrap(), ReleaseKind::Major);
    assert_eq!(kind("2.4.1-rc.1", "2.4.1").unwrap(), ReleaseKind::Patch);
    assert!(matches!(kind("2.4.0", "2.4.0"), Err(VersionError::NotNewer { .. })));
    assert!(matches!(kind("2.4.0", "2.3.9"), Err(VersionError::NotNewer { .. })));
    assert!(matches!(kind("2.4.0", "2.4.0-rc.1"), Err(VersionError::NotNewer { .. })));
    // Build metadata has no precedence (SemVer §10): a rebuild is not a release.
    assert!(matches!(kind("2.4.0", "2.4.0+build.7"), Err(VersionError::NotNewer { .. })));
    assert!(matches!(kind("2.4.0+build.7", "2.4.0+build.8"), Err(VersionError::NotNewer { .. })));
    assert_eq!(kind("2.4.0+build.7", "2.4.1").unwrap(), ReleaseKind::Patch);

    let release = builder().version("3.0.0").previous_version("2.9.1").plan(t(0));
    // `.kind(Minor)` from `builder()` contradicts the bump.
    assert!(matches!(
        release,
        Err(PlanError::Version(VersionError::KindMismatch {
            given: ReleaseKind::Minor,
            inferred: ReleaseKind::Major,
            ..
        }))
    ));
    let inferred = release_workflow::Release::builder()
        .version("3.0.0")
        .previous_version("2.9.1")
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .plan(t(0))
        .unwrap();
    assert_eq!(inferred.kind(), ReleaseKind::Major);
    let garbage_previous = builder().previous_version("two").plan(t(0)).unwrap_err();
    assert!(matches!(garbage_previous, PlanError::Version(VersionError::Invalid { .. })));
}

#[test]
fn missing_fields_are_named() {
    let missing = |builder: ReleaseBuilder| match builder.plan(t(0)) {
        Err(PlanError::MissingField { field }) => field,
        other => panic!("expected a missing field, got {other:?}"),
    };
    assert!(builder().plan(t(0)).is_ok());
    assert_eq!(missing(release_workflow::Release::builder()), "version");
    assert_eq!(
        missing(
            release_workflow::Release::builder().version("1.0.0").target_date("2026-12-01".parse().unwrap())
        ),
        "kind"
    );
    assert_eq!(
        missing(release_workflow::Release::builder().version("1.0.0").kind(ReleaseKind::Major)),
        "target_date"
    );
    let no_people = release_workflow::Release::builder()
        .version("1.0.0")
        .kind(ReleaseKind::Major)
        .target_date("2026-12-01".parse().unwrap());
    assert_eq!(missing(no_people.clone()), "release_manager");
    assert_eq!(missing(no_people.release_manager(ada())), "on_call");
}

#[test]
fn changes_and_services_are_checked() {
    let duplicate = builder().change("PR-1", t(-5)).change("PR-1", t(-4)).plan(t(0)).unwrap_err();
    assert_eq!(duplicate, PlanError::DuplicateChange { change: "PR-1".into() });
    assert!(matches!(
        builder().change("", t(-5)).plan(t(0)),
        Err(PlanError::Text(TextError::InvalidText { field: "change id", .. }))
    ));
    assert!(matches!(
        builder().service(" padded").plan(t(0)),
        Err(PlanError::Text(TextError::InvalidText { field: "service", .. }))
    ));
    assert!(Change::new("x".repeat(201), t(0)).is_err());
}

#[test]
fn monitoring_windows_must_be_positive_and_at_most_ninety_days() {
    for bad in [TimeDelta::zero(), TimeDelta::hours(-1), TimeDelta::days(91)] {
        assert!(matches!(
            builder().monitoring_window(bad).plan(t(0)),
            Err(PlanError::InvalidMonitoringWindow { .. })
        ));
    }
    let release = builder().monitoring_window(TimeDelta::hours(6)).plan(t(0)).unwrap();
    assert_eq!(release.monitoring_window(), TimeDelta::hours(6));
}

#[test]
fn actors_need_a_real_name() {
    // Every character that breaks a line is refused, Unicode's line and
    // paragraph separators and the vertical tab, form feed and next line too.
    for bad in [
        "",
        "   ",
        " Ada",
        "Ada\n",
        "A\tB",
        "A\rB",
        "A\u{2028}B",
        "A\u{2029}B",
        "A\u{b}B",
        "A\u{c}B",
        "A\u{85}B",
    ] {
        assert!(
            matches!(
                Actor::new("dev", bad, Role::DEVELOPER),
                Err(TextError::InvalidText { field: "actor name", .. })
            ),
            "{bad:?}"
        );
    }
    assert!(Actor::new("x", "x".repeat(121), Role::DEVELOPER).is_err());
    let bad_json = r#"{"name":"","role":"developer"}"#;
    assert!(serde_json::from_str::<Actor>(bad_json).is_err());
    assert_eq!("ON-CALL-ENGINEER".parse::<Role>().unwrap(), Role::ON_CALL_ENGINEER);
    assert_eq!("intern".parse::<Role>().unwrap().as_str(), "intern", "roles are data a team defines");
    assert!("an intern".parse::<Role>().unwrap_err().to_string().contains("change-approver"));
}

#[test]
fn changes_can_be_added_only_while_planned() {
    let mut release = builder().change("PR-1", t(-5)).plan(t(0)).unwrap();
    release.add_change(Change::new("PR-2", t(1)).unwrap(), &ada(), t(2)).unwrap();
    assert_eq!(release.changes().map(Change::id).collect::<Vec<_>>(), ["PR-1", "PR-2"]);
    let before = release.clone();
    assert_eq!(
        release.add_change(Change::new("PR-2", t(1)).unwrap(), &ada(), t(3)).unwrap_err(),
        ReleaseError::Plan(PlanError::DuplicateChange { change: "PR-2".into() })
    );
    assert_eq!(release, before);

    let mut frozen = common::at_stage(Stage::Frozen);
    let before = frozen.clone();
    let error = frozen.add_change(Change::new("PR-9", t(50)).unwrap(), &ada(), t(50)).unwrap_err();
    assert_eq!(error, ReleaseError::ChangesFrozen { stage: Stage::Frozen });
    assert_eq!(error.next_actions(), [NextAction::ShipNewRelease]);
    assert_eq!(frozen, before);
}
