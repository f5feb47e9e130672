//! A production fix at night, as an emergency change.
//!
//! Checkout's 2.4.0 is failing card payments at 02:10 on a Saturday, inside
//! the weekend freeze. The team's policy declares emergency changes: they
//! may defer the deploy gate's approval and the performance test, deploy
//! through change windows, and owe afterwards two review approvals (a
//! change approver and a security engineer) within 24 hours, and the
//! retrospective done. The hotfix 2.4.1 goes out in minutes; a second
//! release of checkout, ready the same night, is refused while the hotfix
//! is in flight. One reviewer approves in the morning, the other is late:
//! the status says the release is overdue. Then everything owed is
//! settled, and the release closes.
//!
//! Run it with `cargo run --example hotfix`.

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{
    Actor, Gate, Release, Role, Stage, Template,
    event::EventType,
    policy::{ChangeType, ChangeWindow, EmergencyChange, Policy, WindowKind},
    release::Trust,
    store::{MemoryStore, ReleaseStore},
};

const DEFERRED_TEST: &str = "testing.performance-tested";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    let margaret = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;
    let sam = Actor::new("sam", "Sam Okafor", Role::SECURITY_ENGINEER)?;
    let monitor = Actor::new("prometheus-bridge", "prometheus-bridge", Role::AUTOMATION)?;
    let night: DateTime<Utc> = "2026-12-05T02:10:00Z".parse()?;
    let at = |minutes: i64| night + TimeDelta::minutes(minutes);

    section("The team's checklist: OctoAcme, a weekend freeze, emergency changes");
    let freeze = ChangeWindow::weekly(
        "Weekend freeze",
        WindowKind::Freeze,
        release_workflow::chrono_tz::Europe::Berlin,
        "fri 18:00".parse()?,
        "mon 07:00".parse()?,
    )?;
    let emergency = EmergencyChange::reviewed_by(
        2,
        [Role::CHANGE_APPROVER, Role::SECURITY_ENGINEER],
        TimeDelta::hours(24),
    )
    .with_deferrable_approvals([Gate::Deploy])
    .with_windows_skipped()
    .with_deferrable_item(DEFERRED_TEST)?
    .with_review_item("closure.retrospective-scheduled")?;
    let policy = Policy::octoacme().with_window(freeze)?.with_emergency_changes(emergency)?;
    let template = Template::octoacme().with_policy(policy)?;
    let store = MemoryStore::new().with_trust(Trust::default().trusting(template.clone()));
    let plan = |version: &str, change_type: ChangeType| {
        Release::builder()
            .service("checkout")
            .version(version)
            .previous_version("2.4.0")
            .target_date(night.date_naive())
            .release_manager(ada.clone())
            .on_call(grace.clone())
            .member(margaret.clone())
            .member(sam.clone())
            .member(monitor.clone())
            .change_by("PR-1502 retry declined cards once", at(-30), "grace")
            .change_type(change_type)
            .template(template.clone())
            .plan(at(0))
    };

    section("02:10 — the hotfix is planned as an emergency change");
    let mut hotfix = plan("2.4.1", ChangeType::Emergency)?;
    let key = store.create(&hotfix)?;
    settle(&mut hotfix, Gate::Freeze, &ada, &sam, at(5))?;
    hotfix.advance_to(Stage::Frozen, &ada, at(6))?;
    hotfix.defer_item(DEFERRED_TEST, "no time for a load test; run it Monday", &ada, at(7))?;
    hotfix.defer_approvals(Gate::Deploy, "no approver awake; payments failing", &ada, at(7))?;
    settle(&mut hotfix, Gate::Deploy, &ada, &sam, at(12))?;
    println!("{}", hotfix.status_at(at(12)));

    section("02:23 — a second release of checkout, ready the same night");
    let mut other = plan("2.5.0", ChangeType::Normal)?;
    let other_key = store.create(&other)?;
    settle(&mut other, Gate::Freeze, &ada, &sam, at(12))?;
    other.advance_to(Stage::Frozen, &ada, at(12))?;
    settle(&mut other, Gate::Deploy, &ada, &sam, at(12))?;
    other.approve(Gate::Deploy, &margaret, at(12))?;
    other.override_window("Weekend freeze", "the feature flag ships dark", &margaret, at(12))?;
    store.save(&other, 1)?;

    section("02:25 — the hotfix deploys inside the freeze, without its approval");
    hotfix.advance_to(Stage::Deploying, &ada, at(15))?;
    store.save(&hotfix, 1)?;
    println!("{}", hotfix.events().last().ok_or("an event")?);

    section("02:26 — the second release is refused while the hotfix is in flight");
    let stored = other.events().len();
    other.advance_to(Stage::Deploying, &ada, at(16))?;
    match store.save(&other, stored) {
        Err(refused) => {
            println!("refused: {refused}");
            println!("next:    {:?}", refused.next_actions());
        }
        Ok(_) => return Err("two releases of checkout may not deploy at once".into()),
    }
    let waiting = store.status(&other_key, at(16))?;
    let held = waiting.next_move.as_ref().and_then(|next| next.held_by.as_ref()).ok_or("held")?;
    println!("2.5.0 waits for {} {} ({})", held.service, held.version, held.stage);

    section("02:40 — verified and released");
    let stored = store.load(&key)?.release.events().len();
    record_healthy(&mut hotfix, &monitor, at(20))?;
    settle(&mut hotfix, Gate::Verify, &ada, &sam, at(25))?;
    hotfix.advance_to(Stage::Verifying, &ada, at(25))?;
    settle(&mut hotfix, Gate::Release, &ada, &sam, at(30))?;
    hotfix.advance_to(Stage::Released, &ada, at(30))?;
    settle(&mut hotfix, Gate::PostRelease, &ada, &sam, at(30 + 60 * 5))?;
    store.save(&hotfix, stored)?;
    println!("closed: {}; it owes:", hotfix.is_closed());
    for owed in hotfix.owed() {
        println!("  - {owed}");
    }

    section("09:00 — Margaret reviews; Sam does not, and the deadline passes");
    hotfix.approve_review("right call; the retry needs a cap, PR-1510", &margaret, at(60 * 7))?;
    let late = at(15) + TimeDelta::hours(25);
    println!("{}", hotfix.status_at(late));
    let overdue = store.overdue(late)?;
    println!(
        "overdue in the store: {:?}",
        overdue.releases.iter().map(|r| r.key.as_str()).collect::<Vec<_>>()
    );

    section("Monday — what is owed is settled, and the release closes");
    let monday = at(60 * 54);
    hotfix.complete(DEFERRED_TEST, &ada, monday)?;
    hotfix.approve_review("no new attack surface; scan clean after the fact", &sam, monday)?;
    println!("closed: {}", hotfix.is_closed());
    store.save(&hotfix, store.load(&key)?.release.events().len())?;
    println!("overdue in the store now: {}", store.overdue(monday)?.releases.len());
    section("The audit trail keeps what was deferred, by whom, and when it was done");
    for event in hotfix.events() {
        let owed = matches!(
            event.what.event_type(),
            EventType::ItemDeferred | EventType::ApprovalsDeferred | EventType::ReviewApproved
        );
        if owed || event.what.to_string() == format!("completed {DEFERRED_TEST}") {
            println!("{event}");
        }
    }
    Ok(())
}

/// Completes every open item of `gate` (the security scan by Sam).
fn settle(
    release: &mut Release,
    gate: Gate,
    by: &Actor,
    sam: &Actor,
    at: DateTime<Utc>,
) -> Result<(), release_workflow::Error> {
    let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
    for id in open {
        let who = if id == "testing.security-scans-clean" { sam } else { by };
        release.complete(&id, who, at)?;
    }
    Ok(())
}

/// Healthy values of every signal the OctoAcme criteria watch.
fn record_healthy(
    release: &mut Release,
    monitor: &Actor,
    at: DateTime<Utc>,
) -> Result<(), release_workflow::Error> {
    release.record_baseline("latency_p95_ms", 200.0, "prometheus", monitor, at)?;
    release.observe("latency_p95_ms", 205.0, "prometheus", monitor, at)?;
    release.observe("error_rate", 0.002, "prometheus", monitor, at)?;
    release.observe("critical_flow_failures", 0.0, "synthetics", monitor, at)?;
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title} ==");
}
