//! A release from plan to production with the OctoAcme checklist.
//!
//! Plans release 2.4.0, tries to freeze too early and shows the refusal,
//! works through the checklist (ruling out what does not apply, with
//! reasons), deploys, verifies with healthy signals, releases, and prints
//! the summary along the way.
//!
//! Run it with `cargo run --example walkthrough`.

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{Actor, Gate, Release, Role, Stage};

/// Items of the OctoAcme checklist that release 2.4.0 does not need, and why.
const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("build.code-freeze", "trunk-based development: main stays open behind feature flags"),
    ("docs.migration-guides-prepared", "no breaking change: nothing to migrate"),
    ("pre-deployment.database-backed-up", "no schema change in this release"),
    ("deployment.migrations-executed", "no schema change in this release"),
    ("verification.production-uat", "no user-facing workflow changed"),
];

/// A clock the example advances by hand: the library never reads the time.
struct Clock(DateTime<Utc>);

impl Clock {
    fn tick(&mut self, minutes: i64) -> DateTime<Utc> {
        self.0 += TimeDelta::minutes(minutes);
        self.0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    let linus = Actor::new("linus", "Linus", Role::QA_ENGINEER)?;
    let sam = Actor::new("sam", "Sam Okafor", Role::SECURITY_ENGINEER)?;
    let margaret = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;
    let monitor = Actor::new("prometheus-bridge", "prometheus-bridge", Role::AUTOMATION)?;
    let team = Team { manager: ada.clone(), security: sam.clone() };
    let mut clock = Clock("2026-11-30T09:00:00Z".parse()?);

    let mut release = Release::builder()
        .service("checkout")
        .version("2.4.0")
        .previous_version("2.3.7")
        .target_date("2026-12-02".parse()?)
        .release_manager(ada.clone())
        .on_call(grace.clone())
        // Who may act on the release, in which roles: the OctoAcme policy
        // checks every event against this roster.
        .member(linus.clone())
        // Ada approves changes too, but never her own release.
        .member(ada.acting_as(Role::CHANGE_APPROVER))
        .member(sam)
        .member(margaret.clone())
        .member(monitor.clone())
        .change("PR-1432 one-click reorder", "2026-11-26T15:02:00Z".parse()?)
        .change("PR-1440 faster cart totals", "2026-11-27T11:45:00Z".parse()?)
        .plan(clock.0)?;
    section("Planned");
    println!("{release}");

    section("Freezing too early");
    match release.advance_to(Stage::Frozen, &ada, clock.tick(5)) {
        Ok(_) => return Err("the freeze should have been refused".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }
    println!("(the release is still {})", release.stage());

    section("Planning, then the freeze");
    work_gate(&mut release, Gate::Freeze, &ada, &team, &mut clock)?;
    release.advance_to(Stage::Frozen, &ada, clock.tick(10))?;
    println!("{release}");

    section("Getting ready to deploy");
    // "Current production state documented": the latency the release is judged against.
    release.record_baseline("latency_p95_ms", 182.0, "prometheus", &monitor, clock.tick(5))?;
    work_gate(&mut release, Gate::Deploy, &linus, &team, &mut clock)?;
    // Production needs a second person's approval: Ada planned the release,
    // so she may not give it.
    match release.approve(Gate::Deploy, &ada.acting_as(Role::CHANGE_APPROVER), clock.tick(1)) {
        Ok(_) => return Err("a self-approval should have been refused".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }
    println!("{release}");
    release.approve(Gate::Deploy, &margaret, clock.tick(10))?;
    release.advance_to(Stage::Deploying, &ada, clock.tick(20))?;

    section("Deploying");
    work_gate(&mut release, Gate::Verify, &grace, &team, &mut clock)?;
    release.advance_to(Stage::Verifying, &ada, clock.tick(5))?;

    section("Verifying in production");
    for (error_rate, latency, failed_flows) in [(0.004, 190.0, 0.0), (0.006, 201.0, 0.0), (0.003, 188.0, 0.0)]
    {
        let at = clock.tick(5);
        release.observe("error_rate", error_rate, "prometheus", &monitor, at)?;
        release.observe("latency_p95_ms", latency, "prometheus", &monitor, at)?;
        release.observe("critical_flow_failures", failed_flows, "synthetics", &monitor, at)?;
    }
    println!("  health: {}", release.verdict());
    work_gate(&mut release, Gate::Release, &grace, &team, &mut clock)?;
    release.advance_to(Stage::Released, &ada, clock.tick(15))?;
    println!("{release}");

    section("After the release");
    work_gate(&mut release, Gate::PostRelease, &ada, &team, &mut clock)?;
    println!("{release}");
    println!("closed: {}", release.is_closed());

    section("Audit trail, last 5 events");
    let events = release.events();
    for event in events.iter().skip(events.len().saturating_sub(5)) {
        println!("{event}");
    }
    println!("({} events in all)", events.len());
    Ok(())
}

/// The people whose decisions the OctoAcme policy reserves.
struct Team {
    /// Rules items out: a scoping decision.
    manager: Actor,
    /// Completes the security scan, and only they.
    security: Actor,
}

/// Settles every open item of `gate`: the release manager rules out those
/// listed in [`NOT_APPLICABLE`], the security engineer completes the
/// security scan, `by` completes the rest, a few minutes apart.
fn work_gate(
    release: &mut Release,
    gate: Gate,
    by: &Actor,
    team: &Team,
    clock: &mut Clock,
) -> Result<(), release_workflow::Error> {
    let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
    for id in &open {
        let at = clock.tick(7);
        match NOT_APPLICABLE.iter().find(|(ruled_out, _)| ruled_out == id) {
            Some((_, reason)) => {
                release.mark_not_applicable(id, *reason, &team.manager, at)?;
                println!("  not applicable  {id}: {reason}");
            }
            None if id == "testing.security-scans-clean" => {
                release.complete(id, &team.security, at)?;
                println!("  {} completed {id}", team.security.name());
            }
            None => {
                release.complete(id, by, at)?;
            }
        }
    }
    println!("  {} settled {} {gate} items", by.name(), open.len());
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title} ==");
}
