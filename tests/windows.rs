//! Change windows: freezes and deployment windows in a time zone, on both
//! sides of daylight-saving changes, checked when a release starts
//! deploying, overridden with a reason — live and on replay.

mod common;

use chrono::{DateTime, NaiveDateTime, Utc};
use common::{ada, complete_gate, grace, linus, refused, sam, t};
use proptest::prelude::*;
use release_workflow::chrono_tz::Europe::Berlin;
use release_workflow::{
    Event, Gate, NextAction, Release, ReleaseError, ReleaseKind, Stage, Template,
    event::EventKind,
    policy::{Action, ChangeWindow, Policy, Scope, WeeklyTime, WindowKind},
    release::{AccessError, Trust},
};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn local(text: &str) -> NaiveDateTime {
    text.parse().unwrap()
}

fn weekly(name: &str, kind: WindowKind, from: &str, to: &str) -> ChangeWindow {
    ChangeWindow::weekly(name, kind, Berlin, from.parse().unwrap(), to.parse().unwrap()).unwrap()
}

fn weekend_freeze() -> ChangeWindow {
    weekly("Weekend freeze", WindowKind::Freeze, "fri 18:00", "mon 07:00")
}

// ----- the windows alone ---------------------------------------------------------

#[test]
fn a_weekly_window_holds_in_local_time_on_both_sides_of_daylight_saving() {
    let freeze = weekend_freeze();
    // March 2026: Berlin moves to summer time on Sunday the 29th.
    assert!(!freeze.contains(utc("2026-03-27T16:59:00Z")), "17:59 CET on Friday");
    assert!(freeze.contains(utc("2026-03-27T17:00:00Z")), "18:00 CET on Friday");
    assert!(freeze.contains(utc("2026-03-30T04:59:00Z")), "06:59 CEST on Monday");
    assert!(!freeze.contains(utc("2026-03-30T05:00:00Z")), "07:00 CEST on Monday");
    assert_eq!(freeze.ends_after(utc("2026-03-28T12:00:00Z")), utc("2026-03-30T05:00:00Z"));
    // October 2026: back to winter time on Sunday the 25th.
    assert!(freeze.contains(utc("2026-10-23T16:00:00Z")), "18:00 CEST on Friday");
    assert!(!freeze.contains(utc("2026-10-23T15:59:00Z")));
    assert_eq!(freeze.ends_after(utc("2026-10-24T12:00:00Z")), utc("2026-10-26T06:00:00Z"), "07:00 CET");
    assert!(freeze.contains(utc("2026-10-26T05:59:00Z")));
    assert!(!freeze.contains(utc("2026-10-26T06:00:00Z")));
    // Mid-week, it does not hold, and opens next on Friday evening.
    assert!(!freeze.contains(utc("2026-12-02T12:00:00Z")));
    assert_eq!(freeze.opens_after(utc("2026-12-02T12:00:00Z")), Some(utc("2026-12-04T17:00:00Z")));
}

#[test]
fn a_time_the_clock_skips_starts_when_the_clock_jumps_and_a_repeated_one_at_its_first() {
    // 02:30 does not exist in Berlin on 2026-03-29: the clock jumps from
    // 02:00 CET to 03:00 CEST (01:00 UTC).
    let night = weekly("Night freeze", WindowKind::Freeze, "sun 02:30", "sun 04:00");
    assert!(!night.contains(utc("2026-03-29T00:59:00Z")), "01:59 CET");
    assert!(night.contains(utc("2026-03-29T01:00:00Z")), "03:00 CEST");
    assert_eq!(night.opens_after(utc("2026-03-28T12:00:00Z")), Some(utc("2026-03-29T01:00:00Z")));
    assert_eq!(night.ends_after(utc("2026-03-29T01:30:00Z")), utc("2026-03-29T02:00:00Z"), "04:00 CEST");
    // 02:30 happens twice on 2026-10-25: at 00:30 UTC (CEST) and 01:30 UTC (CET).
    let repeated = weekly("Repeated", WindowKind::Freeze, "sun 02:30", "sun 03:30");
    assert_eq!(repeated.opens_after(utc("2026-10-24T12:00:00Z")), Some(utc("2026-10-25T00:30:00Z")));
    assert!(repeated.contains(utc("2026-10-25T00:45:00Z")), "02:45 CEST");
    assert!(!repeated.contains(utc("2026-10-25T01:15:00Z")), "02:15 CET, after the clock went back");
    assert!(repeated.contains(utc("2026-10-25T01:45:00Z")), "02:45 CET");
    assert_eq!(repeated.ends_after(utc("2026-10-25T01:45:00Z")), utc("2026-10-25T02:30:00Z"));
}

#[test]
fn a_one_off_window_holds_between_two_local_times() {
    let year_end = ChangeWindow::once(
        "Year-end freeze",
        WindowKind::Freeze,
        Berlin,
        local("2026-12-20T00:00:00"),
        local("2027-01-04T08:00:00"),
    )
    .unwrap();
    assert!(!year_end.contains(utc("2026-12-19T22:59:00Z")));
    assert!(year_end.contains(utc("2026-12-19T23:00:00Z")));
    assert!(year_end.contains(utc("2027-01-04T06:59:00Z")));
    assert!(!year_end.contains(utc("2027-01-04T07:00:00Z")));
    assert_eq!(year_end.ends_after(utc("2026-12-25T00:00:00Z")), utc("2027-01-04T07:00:00Z"));
    assert_eq!(year_end.opens_after(utc("2026-12-01T00:00:00Z")), Some(utc("2026-12-19T23:00:00Z")));
    assert_eq!(year_end.opens_after(utc("2027-02-01T00:00:00Z")), None, "it does not come back");
    let backwards = ChangeWindow::once(
        "Backwards",
        WindowKind::Freeze,
        Berlin,
        local("2027-01-04T08:00:00"),
        local("2026-12-20T00:00:00"),
    );
    assert!(backwards.unwrap_err().to_string().contains("not after it starts"));
    let empty = ChangeWindow::weekly(
        "Empty",
        WindowKind::Freeze,
        Berlin,
        "fri 18:00".parse().unwrap(),
        "fri 18:00".parse().unwrap(),
    );
    assert!(empty.unwrap_err().to_string().contains("two different times"));
    assert!(
        ChangeWindow::weekly(
            " ",
            WindowKind::Freeze,
            Berlin,
            "fri 18:00".parse().unwrap(),
            "mon 07:00".parse().unwrap()
        )
        .is_err()
    );
}

#[test]
fn a_window_is_scoped_to_services_and_kinds() {
    use release_workflow::ReleaseKind::{Major, Minor};
    let freeze = weekend_freeze().with_services(["payments"]).unwrap().with_kinds([Major]);
    assert!(freeze.applies_to(Some("payments"), Major));
    assert!(!freeze.applies_to(Some("payments"), Minor));
    assert!(!freeze.applies_to(Some("checkout"), Major));
    assert!(!freeze.applies_to(None, Major));
    assert!(weekend_freeze().applies_to(None, Minor));
    assert!(weekend_freeze().with_services(["bad\nname"]).is_err());
}

#[test]
fn weekly_times_and_windows_read_as_they_are_written() {
    let time: WeeklyTime = "Friday 18:30".parse().unwrap();
    assert_eq!(time.to_string(), "fri 18:30");
    for bad in ["fri", "18:00", "someday 18:00", "fri 24:00", "fri 18:00:00", ""] {
        assert!(bad.parse::<WeeklyTime>().is_err(), "{bad:?}");
    }
    let json = serde_json::to_string(&weekend_freeze()).unwrap();
    assert_eq!(
        json,
        r#"{"name":"Weekend freeze","kind":"freeze","time_zone":"Europe/Berlin","schedule":{"weekly":{"from":"fri 18:00","to":"mon 07:00"}}}"#
    );
    assert_eq!(serde_json::from_str::<ChangeWindow>(&json).unwrap(), weekend_freeze());
    let bad_zone = json.replace("Europe/Berlin", "Europe/Atlantis");
    assert!(serde_json::from_str::<ChangeWindow>(&bad_zone).is_err());
    let empty = json.replace(r#""to":"mon 07:00""#, r#""to":"fri 18:00""#);
    assert!(
        serde_json::from_str::<ChangeWindow>(&empty).unwrap_err().to_string().contains("two different times")
    );
    assert_eq!(
        weekend_freeze().to_string(),
        r#"freeze "Weekend freeze" (every fri 18:00 to mon 07:00 Europe/Berlin)"#
    );
}

proptest! {
    /// The same question always gets the same answer, and a weekly window
    /// holds exactly when the local weekday and time are inside it.
    #[test]
    fn a_weekly_window_agrees_with_the_local_clock(seconds in 1_767_225_600i64..1_830_297_600) {
        use chrono::{Datelike, Timelike};
        let at = DateTime::from_timestamp(seconds, 0).unwrap();
        let freeze = weekend_freeze();
        let local = at.with_timezone(&Berlin);
        let minute = local.weekday().num_days_from_monday() * 1440 + local.hour() * 60 + local.minute();
        // Outside: from Monday 07:00 to Friday 18:00.
        let inside = !(7 * 60..4 * 1440 + 18 * 60).contains(&minute);
        prop_assert_eq!(freeze.contains(at), inside);
        prop_assert_eq!(freeze.contains(at), freeze.contains(at));
        let end = freeze.ends_after(at);
        prop_assert!(end > at);
        prop_assert!(!freeze.contains(end));
        let opens = freeze.opens_after(at).unwrap();
        prop_assert!(opens > at && freeze.contains(opens));
        if inside {
            prop_assert!(end - at <= chrono::TimeDelta::hours(62));
        }
    }
}

// ----- releases and windows ----------------------------------------------------

/// A release of checkout (minor) under the OctoAcme policy with `windows`,
/// frozen, its deploy gate settled and approved: only windows stand
/// between it and deploying.
fn ready_to_deploy(windows: Vec<ChangeWindow>, kind: ReleaseKind) -> Release {
    let mut policy = Policy::octoacme();
    for window in windows {
        policy = policy.with_window(window).unwrap();
    }
    let template = Template::octoacme().with_policy(policy).unwrap();
    let mut release = Release::builder()
        .service("checkout")
        .version("2.4.0")
        .kind(kind)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .member(sam())
        .member(linus())
        .template(template)
        .plan(t(0))
        .unwrap();
    complete_gate(&mut release, Gate::Freeze, t(1));
    release.advance_to(Stage::Frozen, &ada(), t(1)).unwrap();
    complete_gate(&mut release, Gate::Deploy, t(2));
    release.approve(Gate::Deploy, &linus(), t(2)).unwrap();
    release
}

#[test]
fn deploying_inside_a_freeze_is_refused_naming_the_window_and_its_end() {
    let release = ready_to_deploy(vec![weekend_freeze()], ReleaseKind::Minor);
    let friday_evening = utc("2026-12-04T18:30:00Z"); // 19:30 in Berlin
    let error = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), friday_evening).map(drop));
    let ReleaseError::WindowClosed { kind, until, .. } = &error else { panic!("{error}") };
    assert_eq!((*kind, *until), (WindowKind::Freeze, Some(utc("2026-12-07T06:00:00Z"))));
    let message = error.to_string();
    assert!(
        message.contains(r#"freeze "Weekend freeze" (every fri 18:00 to mon 07:00 Europe/Berlin)"#),
        "{message}"
    );
    assert!(message.contains("holds until Mon 2026-12-07 07:00 CET (2026-12-07 06:00 UTC)"), "{message}");
    assert!(message.contains("change-approver may override it"), "{message}");
    assert_eq!(error.next_actions(), [NextAction::WaitOrOverrideWindow]);
    assert_eq!(release.check_advance_at(Stage::Deploying, friday_evening), Err(error.clone()));
    // The gate itself is clear: the status says ready; the time decides.
    assert!(release.check_advance(Stage::Deploying).is_ok());
    // On Monday at 07:00 in Berlin it may go.
    let mut monday = release.clone();
    monday.advance_to(Stage::Deploying, &ada(), utc("2026-12-07T06:00:00Z")).unwrap();
}

/// A frozen release with one deploy item reopened: the move is blocked by
/// it (and at `at`, by the weekend freeze).
fn ready_to_deploy_but_one_item(at: DateTime<Utc>) -> Release {
    let mut release = ready_to_deploy(vec![weekend_freeze()], ReleaseKind::Minor);
    let item = release
        .template()
        .gate_items(Gate::Deploy)
        .find(|item| item.settled_on().is_none())
        .unwrap()
        .id()
        .to_string();
    release.reopen(&item, "redo it", &ada(), at).unwrap();
    release
}

#[test]
fn the_status_at_a_time_says_a_freeze_holds_the_move_when_it_opens_and_who_may_override() {
    let mut release = ready_to_deploy(vec![weekend_freeze()], ReleaseKind::Minor);
    let friday_evening = utc("2026-12-04T18:30:00Z");
    let status = release.status_at(friday_evening);
    let next = status.next_move.clone().unwrap();
    let window = next.window.clone().unwrap();
    assert_eq!((window.kind, window.until), (WindowKind::Freeze, Some(utc("2026-12-07T06:00:00Z"))));
    assert!(window.can_be_overridden());
    assert!(!next.can_move(), "inside the freeze the move is not ready");
    assert_eq!(next.next_actions(), [NextAction::WaitOrOverrideWindow]);
    // The window's words are the refusal's.
    let refusal = release.check_advance_at(Stage::Deploying, friday_evening).unwrap_err();
    assert_eq!(window.to_string(), refusal.to_string());
    let shown = status.to_string();
    assert!(
        shown.contains("next       deploying is blocked by a change window: cannot start deploying"),
        "{shown}"
    );
    assert!(shown.contains("change-approver may override it"), "{shown}");
    // Beside other blockers the window is named after them.
    let open_too = ready_to_deploy_but_one_item(friday_evening);
    let shown = open_too.status_at(friday_evening).to_string();
    assert!(shown.contains("next       deploying is blocked by 1 open item:"), "{shown}");
    assert!(shown.contains("             and by a change window: cannot start deploying"), "{shown}");
    // Status and status_at agree on everything but the window.
    let mut untimed = status.clone();
    if let Some(next) = untimed.next_move.as_mut() {
        next.window = None;
    }
    assert_eq!(untimed, release.status());
    // Outside the freeze, or once it is overridden, the move is ready.
    assert!(release.status_at(utc("2026-12-07T06:00:00Z")).next_move.unwrap().can_move());
    release.override_window("Weekend freeze", "the fix cannot wait", &linus(), friday_evening).unwrap();
    let next = release.status_at(friday_evening).next_move.unwrap();
    assert!(next.window.is_none() && next.can_move(), "{next:?}");
    // A window nobody may override says so.
    let (manager, on_call) =
        (release_workflow::Role::RELEASE_MANAGER, release_workflow::Role::ON_CALL_ENGINEER);
    let policy = Policy::builder()
        .role(manager.clone(), "owns it")
        .role(on_call, "pager")
        .allow(Action::Complete, Scope::Everything, [manager.clone()])
        .allow(Action::Advance, Scope::Everything, [manager])
        .window(weekend_freeze())
        .build()
        .unwrap();
    let template = Template::builder("Tiny")
        .section("Ship")
        .item("ship.built", "Built", Gate::Freeze)
        .build()
        .unwrap()
        .with_policy(policy)
        .unwrap();
    let mut tiny = common::team_builder().template(template).plan(t(0)).unwrap();
    tiny.complete("ship.built", &ada(), t(1)).unwrap();
    tiny.advance_to(Stage::Frozen, &ada(), t(1)).unwrap();
    let window = tiny.status_at(friday_evening).next_move.unwrap().window.unwrap();
    assert!(!window.can_be_overridden());
    assert!(window.to_string().contains("nobody may override it"), "{window}");
}

#[test]
fn an_override_needs_a_permitted_role_and_a_reason_and_is_logged() {
    let mut release = ready_to_deploy(vec![weekend_freeze()], ReleaseKind::Minor);
    let friday_evening = utc("2026-12-04T18:30:00Z");
    let error = refused(&release, |r| {
        r.override_window("Weekend freeze", "hotfix", &ada(), friday_evening).map(drop)
    });
    assert!(matches!(
        *match error {
            ReleaseError::Access(a) => a,
            e => panic!("{e}"),
        },
        AccessError::NotPermitted { .. }
    ));
    let error =
        refused(&release, |r| r.override_window("Weekend freeze", "  ", &linus(), friday_evening).map(drop));
    assert!(matches!(error, ReleaseError::Text(_)), "{error}");
    let error = refused(&release, |r| {
        r.override_window("Weekend frieze", "hotfix", &linus(), friday_evening).map(drop)
    });
    assert!(error.to_string().contains(r#"its windows are "Weekend freeze""#), "{error}");
    let event = release
        .override_window("Weekend freeze", "the INC-77 fix cannot wait for Monday", &linus(), friday_evening)
        .unwrap()
        .clone();
    assert_eq!(
        event.to_string(),
        "2026-12-04 18:30:00 UTC  Linus Approver (change-approver)  overrode change window \"Weekend freeze\": the INC-77 fix cannot wait for Monday"
    );
    let error = refused(&release, |r| {
        r.override_window("Weekend freeze", "again", &linus(), friday_evening).map(drop)
    });
    assert!(error.to_string().contains("already overridden"), "{error}");
    release.advance_to(Stage::Deploying, &ada(), friday_evening).unwrap();
    let error = refused(&release, |r| {
        r.override_window("Weekend freeze", "late", &linus(), friday_evening).map(drop)
    });
    assert!(error.to_string().contains("windows are overridden before it deploys"), "{error}");
}

#[test]
fn outside_every_deployment_window_the_refusal_names_when_the_next_opens() {
    let weekdays = weekly("Weekday mornings", WindowKind::Deployment, "mon 09:00", "mon 12:00");
    let thursdays = weekly("Thursday afternoons", WindowKind::Deployment, "thu 14:00", "thu 17:00");
    let release = ready_to_deploy(vec![weekdays, thursdays], ReleaseKind::Minor);
    // Tuesday 2026-12-01 10:00 in Berlin: Thursday 14:00 opens next.
    let tuesday = utc("2026-12-01T09:00:00Z");
    let error = refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), tuesday).map(drop));
    let ReleaseError::WindowClosed { kind, until, .. } = &error else { panic!("{error}") };
    assert_eq!((*kind, *until), (WindowKind::Deployment, Some(utc("2026-12-03T13:00:00Z"))));
    assert!(error.to_string().contains(r#"deployment window "Thursday afternoons""#), "{error}");
    assert!(error.to_string().contains("opens next, at Thu 2026-12-03 14:00 CET"), "{error}");
    // Inside one, it goes; and an override of a deployment window lets it go outside.
    release.clone().advance_to(Stage::Deploying, &ada(), utc("2026-12-03T13:30:00Z")).unwrap();
    let mut overridden = release.clone();
    overridden.override_window("Weekday mornings", "customer asked for Tuesday", &linus(), tuesday).unwrap();
    overridden.advance_to(Stage::Deploying, &ada(), tuesday).unwrap();
}

#[test]
fn a_one_off_deployment_window_that_is_over_is_named_as_over() {
    let launch = ChangeWindow::once(
        "Launch window",
        WindowKind::Deployment,
        Berlin,
        local("2026-11-30T09:00:00"),
        local("2026-11-30T11:00:00"),
    )
    .unwrap();
    let release = ready_to_deploy(vec![launch], ReleaseKind::Minor);
    let error =
        refused(&release, |r| r.advance_to(Stage::Deploying, &ada(), utc("2026-12-01T09:00:00Z")).map(drop));
    assert!(matches!(error, ReleaseError::WindowClosed { until: None, .. }), "{error}");
    assert!(error.to_string().contains("is over"), "{error}");
}

#[test]
fn windows_out_of_scope_do_not_hold_and_an_override_of_one_is_refused() {
    let payments_only = weekend_freeze().with_services(["payments"]).unwrap();
    let majors_only =
        weekly("Major freeze", WindowKind::Freeze, "mon 00:00", "sun 23:00").with_kinds([ReleaseKind::Major]);
    let mut release = ready_to_deploy(vec![payments_only, majors_only], ReleaseKind::Minor);
    assert_eq!(release.change_windows().count(), 0);
    let friday_evening = utc("2026-12-04T18:30:00Z");
    let error =
        refused(&release, |r| r.override_window("Weekend freeze", "x", &linus(), friday_evening).map(drop));
    assert!(error.to_string().contains("does not apply to this release"), "{error}");
    release.advance_to(Stage::Deploying, &ada(), friday_evening).unwrap();
}

#[test]
fn a_deployment_inside_a_freeze_without_an_override_is_refused_on_load() {
    let release = ready_to_deploy(vec![weekend_freeze()], ReleaseKind::Minor);
    let friday_evening = utc("2026-12-04T18:30:00Z");
    let forged = Event {
        at: friday_evening,
        by: ada(),
        what: EventKind::Advanced { from: Stage::Frozen, to: Stage::Deploying },
    };
    let mut events = release.events().to_vec();
    let position = events.len();
    events.push(forged.clone());
    let trust = Trust::default().trusting(release.template().clone());
    let error = Release::replay(events, &trust).unwrap_err();
    assert!(matches!(&error, ReleaseError::Replay { position: p, .. } if *p == position), "{error}");
    assert!(error.to_string().contains(r#"freeze "Weekend freeze""#), "{error}");
    assert_eq!(error.next_actions(), [NextAction::WaitOrOverrideWindow]);
    // With the override logged first, the same move loads.
    let mut overridden = release.clone();
    overridden.override_window("Weekend freeze", "hotfix", &linus(), friday_evening).unwrap();
    let mut events = overridden.events().to_vec();
    events.push(forged);
    Release::replay(events, &trust).unwrap();
    // A forged override by someone the policy does not let override is refused too.
    let mut events = release.events().to_vec();
    events.push(Event {
        at: friday_evening,
        by: ada(),
        what: EventKind::WindowOverridden { window: "Weekend freeze".into(), reason: "hotfix".into() },
    });
    let error = Release::replay(events, &trust).unwrap_err();
    assert!(error.to_string().contains("may not override a change window of this release"), "{error}");
}

#[test]
fn times_at_the_edges_of_the_calendar_do_not_panic() {
    let freeze = weekend_freeze();
    for at in [DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC] {
        let _ = freeze.contains(at);
        let _ = freeze.ends_after(at);
        let _ = freeze.opens_after(at);
    }
    assert_eq!(freeze.ends_after(DateTime::<Utc>::MAX_UTC), DateTime::<Utc>::MAX_UTC);
    let far = ChangeWindow::once(
        "Far",
        WindowKind::Freeze,
        Berlin,
        NaiveDateTime::MAX - chrono::TimeDelta::days(1),
        NaiveDateTime::MAX,
    )
    .unwrap();
    let _ = far.contains(utc("2026-12-01T00:00:00Z"));
    let _ = far.ends_after(DateTime::<Utc>::MAX_UTC);
    let release = ready_to_deploy(vec![freeze, far.clone()], ReleaseKind::Minor);
    let _ = release.check_windows(DateTime::<Utc>::MAX_UTC);
    // A refusal whose end is past the calendar's last day still prints.
    let near_end = DateTime::<Utc>::MAX_UTC - chrono::TimeDelta::hours(12);
    if let Err(error) = release.check_windows(near_end) {
        assert!(!error.to_string().is_empty());
    }
}
