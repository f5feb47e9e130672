//! Public types are thread-safe, and parse what they display.

use std::fmt::Display;
use std::str::FromStr;

use release_workflow::*;

fn send_sync<T: Send + Sync>() {}
fn error_type<T: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
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
    error_type::<Error>();
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
fn names_round_trip_through_display_and_from_str() {
    parses_what_it_displays(Stage::ALL.iter().copied());
    parses_what_it_displays(Gate::ALL.iter().copied());
    parses_what_it_displays(Role::ALL.iter().copied());
    parses_what_it_displays(ReleaseKind::ALL.iter().copied());
    parses_what_it_displays([Requirement::Required, Requirement::IfApplicable]);
    assert_eq!("POST-RELEASE".parse::<Gate>().unwrap(), Gate::PostRelease);
    assert_eq!("Minor".parse::<ReleaseKind>().unwrap(), ReleaseKind::Minor);
    assert_eq!("if-applicable".parse::<Requirement>().unwrap(), Requirement::IfApplicable);
    let error = "ship".parse::<Gate>().unwrap_err().to_string();
    assert!(error.contains("freeze, deploy, verify, release, post-release, rollback"), "{error}");
    let id: ItemId = "a.b-c".parse().unwrap();
    assert_eq!(id.to_string().parse::<ItemId>().unwrap(), id);
}
