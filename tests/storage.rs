//! A release stored as JSON is its event log, and loading replays it.

mod common;

use common::{ada, at_stage, complete_gate, grace, planned, t};
use release_workflow::{
    Event, Gate, Release, ReleaseError, ReleaseKind, Role, Stage, Template,
    checklist::{ItemStatus, Requirement},
    event::{EventKind, RollbackReason},
    plan::Change,
    release::{Tally, Trust, UnverifiedRelease},
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, value, "{json}");
}

fn rich_release() -> Release {
    let mut release = at_stage(Stage::Verifying);
    complete_gate(&mut release, Gate::Release, t(20));
    release.reopen("verification.logs-clean", "new error in logs", &grace(), t(21)).unwrap();
    release.waive("verification.logs-clean", "known noisy logger", &ada(), t(22)).unwrap();
    release.roll_back("latency doubled", &grace(), t(23)).unwrap();
    release.mark_not_applicable("rollback.database-rolled-back", "no schema change", &ada(), t(24)).unwrap();
    release
}

#[test]
fn a_release_round_trips_through_json_unchanged() {
    for release in [planned(), at_stage(Stage::Frozen), at_stage(Stage::Released), rich_release()] {
        let json = serde_json::to_string_pretty(&release).unwrap();
        let back = common::load_json(&json, &Trust::default()).unwrap();
        assert_eq!(back, release);
        assert_eq!(back.to_string(), release.to_string());
        assert_eq!(serde_json::to_string_pretty(&back).unwrap(), json);
    }
}

#[test]
fn every_public_data_type_round_trips() {
    round_trip(&Template::octoacme());
    round_trip(&Template::octoacme().items()[0].clone());
    round_trip(&ada());
    round_trip(&Change::new("PR-1", t(0)).unwrap());
    round_trip(&planned().plan().clone());
    round_trip(&ItemStatus::Waived { reason: "r".into(), by: ada(), at: t(1) });
    round_trip(&ItemStatus::Open);
    round_trip(&Stage::RolledBack);
    round_trip(&Gate::PostRelease);
    round_trip(&Requirement::IfApplicable);
    round_trip(&ReleaseKind::Major);
    round_trip(&Role::SRE);
    round_trip(&Tally { settled: 3, total: 5 });
    round_trip(&RollbackReason::Decision { why: "w".into() });
    for event in rich_release().events() {
        round_trip(event);
    }
    round_trip(&release_workflow::checklist::ItemId::parse("a.b").unwrap());
}

#[test]
fn the_stored_form_is_a_versioned_event_log() {
    let value = serde_json::to_value(at_stage(Stage::Frozen)).unwrap();
    assert_eq!(value["format"], json!(release_workflow::release::FORMAT_VERSION));
    let events = value["events"].as_array().unwrap();
    assert_eq!(events[0]["what"]["type"], "planned");
    assert_eq!(events[0]["what"]["plan"]["version"], "2.4.0");
    assert_eq!(events[1]["what"]["type"], "item-completed");
    assert_eq!(
        events.last().unwrap()["what"],
        json!({"type": "advanced", "from": "planned", "to": "frozen"})
    );
    assert_eq!(value.as_object().unwrap().len(), 2, "only the format and the log are stored");
}

/// Loads an edited log, its chain recomputed as an editor without a key
/// would: only the rules stand in the way.
fn load(mut value: Value) -> Result<Release, String> {
    common::rechain(&mut value);
    common::load_json(&value.to_string(), &Trust::default())
}

#[test]
fn a_log_edited_to_skip_a_gate_does_not_load() {
    // Freeze with no item settled: drop every completion before the freeze.
    let mut value = serde_json::to_value(at_stage(Stage::Frozen)).unwrap();
    let events = value["events"].as_array_mut().unwrap();
    events.retain(|event| event["what"]["type"] != "item-completed");
    let error = load(value).unwrap_err();
    assert!(error.contains("event 2 of the log is refused"), "{error}");
    assert!(error.contains("8 freeze items are not settled"), "{error}");
}

#[test]
fn a_log_edited_to_claim_a_later_stage_does_not_load() {
    let mut value = serde_json::to_value(at_stage(Stage::Frozen)).unwrap();
    let last = value["events"].as_array_mut().unwrap().last_mut().unwrap();
    last["what"] = json!({"type": "advanced", "from": "planned", "to": "released"});
    let error = load(value).unwrap_err();
    assert!(error.contains("cannot move from planned to released"), "{error}");
}

#[test]
fn logs_that_break_rules_do_not_load() {
    let base = serde_json::to_value(rich_release()).unwrap();

    let mut backwards = base.clone();
    backwards["events"][3]["at"] = json!("2020-01-01T00:00:00Z");
    assert!(load(backwards).unwrap_err().contains("event 4 of the log is refused"));

    let mut unknown_item = base.clone();
    unknown_item["events"][2]["what"]["item"] = json!("planning.no-such-item");
    assert!(load(unknown_item).unwrap_err().contains("no item `planning.no-such-item`"));

    let mut no_plan = base.clone();
    no_plan["events"].as_array_mut().unwrap().remove(0);
    assert!(load(no_plan).unwrap_err().contains("must start with the event that plans the release"));

    let mut empty = base.clone();
    empty["events"] = json!([]);
    assert!(load(empty).unwrap_err().contains("the log is empty"));

    let mut planned_twice = base.clone();
    let mut plan = planned_twice["events"][0].clone();
    plan["at"] = json!("2030-01-01T00:00:00Z");
    planned_twice["events"].as_array_mut().unwrap().push(plan);
    assert!(load(planned_twice).unwrap_err().contains("planned once"));

    let mut bad_actor = base.clone();
    bad_actor["events"][4]["by"]["name"] = json!("");
    assert!(load(bad_actor).unwrap_err().contains("actor name"));

    let mut wrong_from = base.clone();
    let last = wrong_from["events"].as_array().unwrap().len() - 2;
    wrong_from["events"][last]["what"]["from"] = json!("deploying");
    let error = load(wrong_from).unwrap_err();
    assert!(error.contains("the event says the release was deploying"), "{error}");

    let mut future = base.clone();
    future["format"] = json!(release_workflow::release::FORMAT_VERSION + 1);
    let error = load(future).unwrap_err();
    let future_format = format!("format {}", release_workflow::release::FORMAT_VERSION + 1);
    assert!(error.contains(&future_format) && error.contains("upgrade this crate"), "{error}");

    let mut bad_template = base;
    bad_template["events"][0]["what"]["plan"]["template"]["items"][1]["id"] =
        json!("planning.version-confirmed");
    let error = load(bad_template).unwrap_err();
    assert!(error.contains("appears twice"), "{error}");
}

#[test]
fn replay_rebuilds_a_release_from_its_events() {
    let release = rich_release();
    let rebuilt = Release::replay(release.events().to_vec(), &Trust::default()).unwrap();
    assert_eq!(rebuilt, release);

    let mut events: Vec<Event> = release.events().to_vec();
    events.swap(1, 2);
    events[1].at = t(-100);
    match Release::replay(events, &Trust::default()) {
        Err(ReleaseError::Replay { position, source }) => {
            assert_eq!(position, 1);
            assert!(matches!(*source, ReleaseError::TimeWentBackwards { .. }));
        }
        other => panic!("unexpected {other:?}"),
    }
    // A replay refusal points where its rule does.
    let settled_twice = ReleaseError::Replay {
        position: 4,
        source: Box::new(ReleaseError::ItemAlreadySettled {
            item: "planning.scope-documented".parse().unwrap(),
            status: "done",
        }),
    };
    assert_eq!(settled_twice.next_actions(), [release_workflow::NextAction::ReopenItem]);
    match Release::replay(Vec::new(), &Trust::default()) {
        Err(error @ ReleaseError::MalformedLog { .. }) => {
            assert_eq!(error.next_actions(), [release_workflow::NextAction::RestoreLog])
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn replaying_a_forged_item_event_is_checked_like_a_live_one() {
    let release = planned();
    let mut events = release.events().to_vec();
    events.push(Event {
        at: t(1),
        by: ada(),
        what: EventKind::ItemNotApplicable {
            item: "planning.scope-documented".parse().unwrap(),
            reason: "skip".into(),
        },
    });
    let error = Release::replay(events, &Trust::default()).unwrap_err();
    assert!(error.to_string().contains("is required"), "{error}");
}

#[test]
fn a_future_format_is_refused_before_its_events_are_read() {
    let next = release_workflow::release::FORMAT_VERSION + 1;
    let future = format!(r#"{{"format":{next},"events":[{{"a shape":"this crate does not know"}}]}}"#);
    let error = serde_json::from_str::<UnverifiedRelease>(&future).unwrap_err().to_string();
    assert!(error.contains(&format!("format {next}")) && error.contains("upgrade this crate"), "{error}");
    let no_format = r#"{"events":[]}"#;
    assert!(serde_json::from_str::<UnverifiedRelease>(no_format).unwrap_err().to_string().contains("format"));
    let extra = r#"{"format":1,"events":[],"stage":"released"}"#;
    assert!(
        serde_json::from_str::<UnverifiedRelease>(extra)
            .unwrap_err()
            .to_string()
            .contains("unknown field `stage`")
    );
}
