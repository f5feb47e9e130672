//! A release rolled back by its own criteria.
//!
//! Release 3.1.0 of the payments service reaches verification; its error
//! rate climbs (the monitor delivers each scrape late, as a batch); the
//! verdict turns to roll back; the promotion is refused with the reason;
//! the release is rolled back citing the criterion, the incident it caused
//! is recorded, and the rollback checklist is worked through.
//!
//! Run it with `cargo run --example rollback`.

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{
    Actor, Gate, Release, Role, Stage,
    health::Observation,
    incident::{Incident, IncidentSeverity},
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    let monitor = Actor::new("prometheus-bridge", "prometheus-bridge", Role::AUTOMATION)?;
    // The scanner completes the security scan; a change approver approves
    // production; the monitor records samples.
    let scanner = Actor::new("security-scanner", "security-scanner", Role::AUTOMATION)?;
    let approver = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;
    let start: DateTime<Utc> = "2026-12-03T08:00:00Z".parse()?;
    let at = |minutes: i64| start + TimeDelta::minutes(minutes);

    let mut release = Release::builder()
        .service("payments")
        .version("3.1.0")
        .previous_version("3.0.4")
        .target_date("2026-12-03".parse()?)
        .release_manager(ada.clone())
        .on_call(grace.clone())
        .member(monitor.clone())
        .member(scanner.clone())
        .member(approver.clone())
        .change("PR-2201 new card tokenizer", "2026-12-01T14:10:00Z".parse()?)
        .plan(start)?;

    // The checklist up to verification, done without incident.
    release.record_baseline("latency_p95_ms", 240.0, "prometheus", &monitor, at(1))?;
    for (minute, next) in [(10, Stage::Frozen), (60, Stage::Deploying), (90, Stage::Verifying)] {
        let gate = next.entry_gate().ok_or("every forward stage has a gate")?;
        settle_all(&mut release, gate, (&ada, &scanner), at(minute))?;
        if release.approvals_needed(gate).is_some() {
            release.approve(gate, &approver, at(minute))?;
        }
        release.advance_to(next, &ada, at(minute))?;
    }
    settle_all(&mut release, Gate::Release, (&grace, &scanner), at(95))?;

    section("Verification: the error rate climbs");
    // Each scrape reaches the library a minute after it was measured, as
    // one batch: judged by when it was measured, recorded all or none.
    for (minute, error_rate) in [(96, 0.004), (98, 0.031), (100, 0.072), (102, 0.118)] {
        let measured = at(minute);
        let scrape = [
            Observation::sample("error_rate", error_rate, "prometheus", measured)?,
            Observation::sample("latency_p95_ms", 250.0, "prometheus", measured)?,
            Observation::sample("critical_flow_failures", 0.0, "synthetics", measured)?,
        ];
        release.record_observations(scrape, &monitor, at(minute + 1))?;
        println!(
            "{}  error_rate = {error_rate:<6} verdict: {}",
            at(minute).format("%H:%M"),
            headline(&release)
        );
    }

    section("Promotion refused");
    match release.advance_to(Stage::Released, &ada, at(103)) {
        Ok(_) => return Err("a release with a roll-back verdict must not be released".into()),
        Err(refusal) => println!("{refusal}"),
    }

    section("Rolled back on the criteria");
    let event = release.roll_back_on_criteria(&grace, at(104))?;
    println!("{event}");
    let incident = Incident::new(
        "INC-3107",
        IncidentSeverity::Sev2,
        "Card payments failing for 1 in 9 customers",
        at(99),
    )?;
    release.open_incident(incident, &grace, at(105))?;

    section("The rollback checklist");
    release.mark_not_applicable("rollback.database-rolled-back", "3.1.0 changed no schema", &ada, at(110))?;
    settle_all(&mut release, Gate::Rollback, (&grace, &scanner), at(125))?;
    release.resolve_incident("INC-3107", at(118), &grace, at(130))?;
    println!("{release}");
    println!("closed: {}", release.is_closed());
    Ok(())
}

/// Completes every open item of `gate`: the security scan by `scanner`,
/// the rest by `by`.
fn settle_all(
    release: &mut Release,
    gate: Gate,
    (by, scanner): (&Actor, &Actor),
    at: DateTime<Utc>,
) -> Result<(), release_workflow::Error> {
    let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
    for id in open {
        let who = if id == "testing.security-scans-clean" { scanner } else { by };
        release.complete(&id, who, at)?;
    }
    Ok(())
}

/// The verdict in a word or two.
fn headline(release: &Release) -> String {
    let verdict = release.verdict();
    let first_line = verdict.to_string();
    first_line.lines().next().unwrap_or_default().to_owned()
}

fn section(title: &str) {
    println!("\n== {title} ==");
}
