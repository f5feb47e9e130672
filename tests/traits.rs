//! Public types are thread-safe, and parse what they display.

use std::fmt::Display;
use std::str::FromStr;

#[cfg(feature = "store")]
use release_workflow::store::*;
use release_workflow::{
    actor::*, audit::*, checklist::*, digest::*, event::*, health::*, incident::*, metrics::*, plan::*,
    policy::*, release::*, roster::*, text::*, version::*, *,
};

fn send_sync<T: Send + Sync>() {}
fn error_type<T: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<Digest>();
    send_sync::<SealKey>();
    send_sync::<AuditTrail<'static>>();
    send_sync::<Release>();
    send_sync::<ReleasePlan>();
    send_sync::<ReleaseBuilder>();
    send_sync::<Template>();
    send_sync::<TemplateBuilder>();
    send_sync::<Item>();
    send_sync::<ItemId>();
    send_sync::<ItemStatus>();
    send_sync::<Actor>();
    send_sync::<Change>();
    send_sync::<Event>();
    send_sync::<EventKind>();
    send_sync::<RollbackReason>();
    send_sync::<Tally>();
    send_sync::<Stage>();
    send_sync::<Gate>();
    send_sync::<Role>();
    send_sync::<ReleaseKind>();
    send_sync::<Requirement>();
    send_sync::<ReleaseStatus>();
    send_sync::<NextMove>();
    send_sync::<NextAction>();
    send_sync::<release_workflow::typed::AnyStage>();
    send_sync::<PersonId>();
    send_sync::<Roster>();
    send_sync::<Member>();
    send_sync::<Policy>();
    send_sync::<PolicyBuilder>();
    send_sync::<Grant>();
    send_sync::<Scope>();
    send_sync::<ApprovalRule>();
    send_sync::<ChangeWindow>();
    send_sync::<WeeklyTime>();
    send_sync::<Approval>();
    send_sync::<ApprovalsNeeded>();
    send_sync::<ApprovalProblem>();
    error_type::<Error>();
    error_type::<PolicyError>();
    error_type::<AccessError>();
    error_type::<ParseError>();
    error_type::<TextError>();
    error_type::<VersionError>();
    error_type::<HealthError>();
    error_type::<TemplateError>();
    error_type::<MarkdownError>();
    send_sync::<MarkdownImport>();
    error_type::<PlanError>();
    error_type::<ReleaseError>();
    error_type::<MetricsError>();
    #[cfg(feature = "store")]
    error_type::<StoreError>();
    #[cfg(feature = "store")]
    {
        send_sync::<release_workflow::store::ReleaseSummary>();
        send_sync::<release_workflow::store::ReleaseFilter>();
        send_sync::<release_workflow::store::FileStore>();
        send_sync::<release_workflow::store::MemoryStore>();
    }
    #[cfg(feature = "postgres")]
    send_sync::<release_workflow::store::PostgresStore>();
    send_sync::<release_workflow::health::Observation>();
    send_sync::<release_workflow::health::Threshold>();
    send_sync::<release_workflow::health::Verdict>();
    error_type::<release_workflow::typed::WrongStage>();
}

/// Every value of a named enum: its name is kebab case, `Display` writes
/// it, `FromStr` reads it back in any ASCII case, serde stores exactly it,
/// and an unknown name lists every accepted one.
fn one_text_form<T>(all: &[T])
where
    T: Copy + Display + FromStr<Err = ParseError> + PartialEq + std::fmt::Debug + serde::Serialize,
    T: serde::de::DeserializeOwned,
{
    for value in all {
        let text = value.to_string();
        assert!(text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{text}");
        assert_eq!(text.parse::<T>().unwrap(), *value, "{text}");
        assert_eq!(text.to_uppercase().parse::<T>().unwrap(), *value, "{text} in upper case");
        assert_eq!(serde_json::to_value(value).unwrap(), serde_json::json!(text));
        assert_eq!(serde_json::from_value::<T>(serde_json::json!(text)).unwrap(), *value);
        assert!(
            serde_json::from_value::<T>(serde_json::json!(text.to_uppercase())).is_err(),
            "stored names are exact"
        );
    }
    let error = "no such name".parse::<T>().unwrap_err();
    assert_eq!(error.input(), "no such name");
    let names: Vec<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(error.expected(), names);
    assert!(error.to_string().contains(&names.join(", ")), "{error}");
}

#[test]
fn every_named_value_has_one_text_form() {
    one_text_form(Stage::ALL);
    one_text_form(Gate::ALL);
    one_text_form(ReleaseKind::ALL);
    one_text_form(Requirement::ALL);
    one_text_form(EventType::ALL);
    one_text_form(CriterionKind::ALL);
    one_text_form(Severity::ALL);
    one_text_form(Comparison::ALL);
    one_text_form(WhenMissing::ALL);
    one_text_form(ObservationKind::ALL);
    one_text_form(Outcome::ALL);
    one_text_form(Missing::ALL);
    one_text_form(IncidentSeverity::ALL);
    one_text_form(Tier::ALL);
    one_text_form(Benchmark::ALL);
    one_text_form(Period::ALL);
    one_text_form(NextAction::ALL);
    one_text_form(Action::ALL);
    one_text_form(WindowKind::ALL);
    assert_eq!(Stage::RolledBack.to_string(), "rolled-back");
    assert_eq!("x".parse::<Stage>().unwrap_err().what(), "stage");
    assert_eq!("x".parse::<IncidentSeverity>().unwrap_err().what(), "incident severity");
    assert_eq!(EventType::ItemNotApplicable.as_str(), "item-not-applicable");
}

#[test]
fn the_umbrella_error_holds_every_layer_unchanged() {
    let parse: Error = "bogus".parse::<Stage>().unwrap_err().into();
    assert!(matches!(parse, Error::Parse(_)));
    assert!(parse.to_string().starts_with("unknown stage \"bogus\""));
    let text: Error = Actor::new("x", " ", Role::DEVELOPER).unwrap_err().into();
    assert!(matches!(text, Error::Text(TextError::InvalidText { field: "actor name", .. })));
    let version: Error = parse_version("v2").unwrap_err().into();
    assert!(matches!(version, Error::Version(VersionError::Invalid { .. })));
    let window =
        Window::new("2026-01-02T00:00:00Z".parse().unwrap(), "2026-01-01T00:00:00Z".parse().unwrap());
    let metrics: Error = window.unwrap_err().into();
    assert!(matches!(metrics, Error::Metrics(MetricsError::InvalidWindow { .. })));
    assert!(metrics.to_string().contains("its start must come before its end"), "{metrics}");
    let markdown: Error = Template::from_markdown("- [ ] loose", &MarkdownImport::new()).unwrap_err().into();
    assert!(matches!(markdown, Error::Markdown(MarkdownError::OutsideSection { line: 1 })));
    #[cfg(feature = "store")]
    {
        let conflict: Error = StoreError::Conflict { key: "k".into(), expected: 1, actual: 2 }.into();
        assert_eq!(conflict.next_actions(), [NextAction::ReloadAndRedo]);
        let settled = ReleaseError::ItemAlreadySettled { item: "a.b".parse().unwrap(), status: "done" };
        assert_eq!(StoreError::from(settled).next_actions(), [NextAction::ReopenItem]);
    }
    // A lower layer's error keeps its message when a higher one wraps it.
    let inner = TextError::InvalidText {
        field: "reason",
        value: String::new(),
        problem: "is empty",
        max_chars: 2000,
    };
    let wrapped = ReleaseError::Text(inner.clone());
    assert_eq!(wrapped.to_string(), inner.to_string());
    assert_eq!(Error::from(wrapped).to_string(), inner.to_string());
    let settled = ReleaseError::ItemAlreadySettled { item: "a.b".parse().unwrap(), status: "done" };
    assert_eq!(Error::from(settled).next_actions(), [NextAction::ReopenItem]);
    assert!(Error::from(inner).next_actions().is_empty());
}

fn parses_what_it_displays<T>(values: impl IntoIterator<Item = T>)
where
    T: Display + FromStr + PartialEq + std::fmt::Debug,
    T::Err: std::fmt::Debug,
{
    for value in values {
        let text = value.to_string();
        assert_eq!(text.parse::<T>().unwrap(), value, "{text}");
        assert_eq!(text.to_uppercase().parse::<T>().unwrap(), value, "{text} in upper case");
    }
}

#[test]
fn roles_are_names_a_team_defines_with_one_stored_spelling() {
    for role in Role::BUILT_IN {
        assert_eq!(serde_json::to_value(role).unwrap(), serde_json::json!(role.as_str()));
        assert_eq!(serde_json::from_value::<Role>(serde_json::json!(role.as_str())).unwrap(), *role);
    }
    let dba: Role = "DBA".parse().unwrap();
    assert_eq!(dba.as_str(), "dba");
    assert_eq!(serde_json::from_value::<Role>(serde_json::json!("dba")).unwrap(), dba);
    assert!(serde_json::from_value::<Role>(serde_json::json!("DBA")).is_err(), "stored names are exact");
    assert_eq!(Role::new("release-manager").unwrap(), Role::RELEASE_MANAGER);
    for bad in ["", "cab member", "cab.member", "-cab", "cab--member", "Cab"] {
        let error = Role::new(bad).unwrap_err().to_string();
        assert!(error.contains("role"), "{bad:?}: {error}");
    }
    assert!(Role::new(&"r".repeat(61)).is_err());
    assert!(Role::new(&"r".repeat(60)).is_ok());
}

#[test]
fn an_id_refused_is_told_a_rule_its_own_example_keeps() {
    // Roles: kebab case, no dots; the advice never mentions dots.
    for bad in ["cab member", "cab.member"] {
        let error = Role::new(bad).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "the role \"{bad}\" may only use lowercase ASCII letters, digits and '-': write lowercase kebab case \
                 (letters, digits, single hyphens inside) such as `change-approver`"
            )
        );
    }
    // Person ids: one word; both examples the advice gives are accepted.
    let error = "Ada Lovelace".parse::<PersonId>().unwrap_err().to_string();
    assert!(
        error.ends_with("write one word, such as a username (`ada`) or an email (`ada@octoacme.com`)"),
        "{error}"
    );
    for example in ["ada", "ada@octoacme.com"] {
        assert!(example.parse::<PersonId>().is_ok(), "{example}");
        assert!(Actor::new(example, "Ada", Role::RELEASE_MANAGER).is_ok(), "{example}");
    }
    // Item and criterion ids: dotted slugs, and the example is one.
    let error = "QA smoke".parse::<ItemId>().unwrap_err().to_string();
    assert!(error.contains("write dot-separated lowercase slugs such as `"), "{error}");
    let example = error.split('`').nth(1).unwrap();
    assert!(example.parse::<ItemId>().is_ok(), "{example}");
    let error = "Error Rate".parse::<CriterionId>().unwrap_err().to_string();
    let example = error.split('`').nth(1).unwrap();
    assert!(example.parse::<CriterionId>().is_ok(), "{example}");
}

#[test]
fn names_round_trip_through_display_and_from_str() {
    parses_what_it_displays(Stage::ALL.iter().copied());
    parses_what_it_displays(Gate::ALL.iter().copied());
    parses_what_it_displays(Role::BUILT_IN.iter().cloned());
    parses_what_it_displays(ReleaseKind::ALL.iter().copied());
    parses_what_it_displays([Requirement::Required, Requirement::IfApplicable]);
    assert_eq!("POST-RELEASE".parse::<Gate>().unwrap(), Gate::PostRelease);
    assert_eq!("Minor".parse::<ReleaseKind>().unwrap(), ReleaseKind::Minor);
    assert_eq!("if-applicable".parse::<Requirement>().unwrap(), Requirement::IfApplicable);
    let error = "ship".parse::<Gate>().unwrap_err().to_string();
    assert!(error.contains("freeze, deploy, verify, release, post-release, rollback"), "{error}");
    let person: PersonId = "ada@octoacme.com".parse().unwrap();
    assert_eq!(person.to_string().parse::<PersonId>().unwrap(), person);
    let id: ItemId = "a.b-c".parse().unwrap();
    assert_eq!(id.to_string().parse::<ItemId>().unwrap(), id);
}
