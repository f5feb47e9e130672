//! Who may do what: the OctoAcme policy, a roster, an approval that
//! segregation of duties refuses, the approval a move is missing, a
//! weekend freeze and its override, and a forged log refused on load.
//!
//! Run with `cargo run --example governance`.

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{
    Actor, Event, Gate, Release, Role, Stage, Template,
    event::EventKind,
    policy::{ChangeWindow, Policy, WindowKind},
    release::Trust,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The people: ids are what the roster and segregation of duties compare.
    let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    let sam = Actor::new("sam", "Sam Okafor", Role::SECURITY_ENGINEER)?;
    let ken = Actor::new("ken", "Ken Thompson", Role::CHANGE_APPROVER)?;
    let margaret = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;

    // OctoAcme's policy, with the team's weekend freeze in Berlin time.
    let weekend = ChangeWindow::weekly(
        "Weekend freeze",
        WindowKind::Freeze,
        release_workflow::chrono_tz::Europe::Berlin,
        "fri 18:00".parse()?,
        "mon 07:00".parse()?,
    )?;
    let template = Template::octoacme().with_policy(Policy::octoacme().with_window(weekend)?)?;
    let thursday: DateTime<Utc> = "2026-12-03T09:00:00Z".parse()?;
    let at = |minutes: i64| thursday + TimeDelta::minutes(minutes);

    let mut release = Release::builder()
        .service("checkout")
        .version("2.5.0")
        .previous_version("2.4.0")
        .target_date("2026-12-04".parse()?)
        .release_manager(ada.clone())
        .on_call(grace.clone())
        .member(sam.clone())
        .member(ken.clone())
        .member(margaret.clone())
        // Ken wrote the change, so he may not approve its release.
        .change_by("PR-1502 saved carts", "2026-12-02T16:20:00Z".parse()?, "ken")
        .template(template)
        .plan(at(0))?;
    section("The roster");
    for member in release.plan().roster().members() {
        println!("  {member}");
    }

    section("Checklist work, as the policy allows");
    settle(&mut release, Gate::Freeze, &ada, &sam, at(10))?;
    release.advance_to(Stage::Frozen, &ada, at(15))?;
    match release.waive("testing.security-scans-clean", "scanner is slow today", &ada, at(20)) {
        Ok(_) => return Err("only the security engineer may waive the security scan".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }
    settle(&mut release, Gate::Deploy, &ada, &sam, at(30))?;

    section("A move missing its approval");
    match release.advance_to(Stage::Deploying, &ada, at(40)) {
        Ok(_) => return Err("the deploy gate needs an approval".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }

    section("Segregation of duties");
    match release.approve(Gate::Deploy, &ken, at(45)) {
        Ok(_) => return Err("the author of a change may not approve its release".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }
    let outsider = Actor::new("eve", "Eve", Role::CHANGE_APPROVER)?;
    match release.approve(Gate::Deploy, &outsider, at(45)) {
        Ok(_) => return Err("someone off the roster may not approve".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }
    release.approve(Gate::Deploy, &margaret, at(50))?;
    println!("approved by {}", margaret.name());

    section("A freeze");
    // The approval came late on Thursday; Friday evening it is 19:30 in Berlin.
    let friday_evening: DateTime<Utc> = "2026-12-04T18:30:00Z".parse()?;
    match release.advance_to(Stage::Deploying, &ada, friday_evening) {
        Ok(_) => return Err("the weekend freeze holds".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }

    section("An override, logged");
    match release.override_window("Weekend freeze", "INC-77 fix", &ada, friday_evening) {
        Ok(_) => return Err("only a change approver may override a window".into()),
        Err(refusal) => println!("refused: {refusal}"),
    }
    let event = release.override_window(
        "Weekend freeze",
        "the INC-77 checkout fix cannot wait for Monday",
        &margaret,
        friday_evening,
    )?;
    println!("{event}");
    release.advance_to(Stage::Deploying, &ada, friday_evening)?;
    println!("{release}");

    section("A forged log");
    // Someone appends an approval by Ada, who planned the release, to a
    // copy of the log: replay checks it as the live call would.
    let mut forged = release.events().to_vec();
    forged.push(Event {
        at: friday_evening,
        by: ada.acting_as(Role::CHANGE_APPROVER),
        what: EventKind::Approved { gate: Gate::Verify },
    });
    let trust = Trust::default().trusting(release.template().clone());
    match Release::replay(forged, &trust) {
        Ok(_) => return Err("the forged approval must not load".into()),
        Err(refusal) => println!("load refused: {refusal}"),
    }
    Ok(())
}

/// Settles the open items of `gate`: the security engineer the security
/// scan, the release manager the rest.
fn settle(
    release: &mut Release,
    gate: Gate,
    manager: &Actor,
    security: &Actor,
    at: DateTime<Utc>,
) -> Result<(), release_workflow::Error> {
    let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
    for id in &open {
        let by = if id == "testing.security-scans-clean" { security } else { manager };
        release.complete(id, by, at)?;
    }
    println!("  {} {gate} items settled", open.len());
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title} ==");
}
