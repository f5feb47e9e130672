//! A release saved, loaded back, audited — and a careless edit refused.
//!
//! Runs release 5.0.0 of the search service to production, saves it in a
//! file store in a temporary directory, loads it back, prints its audit
//! trail and its head digest (to anchor elsewhere), then edits the file the
//! way a careless person would (marking the release Released while items
//! are still open) and shows the load refusing it: the edited event no
//! longer matches its link in the log's hash chain.
//!
//! Run it with `cargo run --example audit`.

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{
    Actor, Gate, Release, Role, Stage,
    audit::AuditTrail,
    event::EventType,
    store::{FileStore, ReleaseStore},
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    let sam = Actor::new("sam", "Sam Okafor", Role::SECURITY_ENGINEER)?;
    let margaret = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;
    let start: DateTime<Utc> = "2026-12-07T09:00:00Z".parse()?;
    let at = |minutes: i64| start + TimeDelta::minutes(minutes);

    let dir = std::env::temp_dir().join(format!("release-workflow-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = FileStore::open(&dir)?;

    // Plan and store the release, then save each step as it happens.
    let mut release = Release::builder()
        .service("search")
        .version("5.0.0")
        .previous_version("4.9.2")
        .target_date("2026-12-07".parse()?)
        .release_manager(ada.clone())
        .on_call(grace.clone())
        .member(sam.clone())
        .member(margaret.clone())
        .plan(at(0))?;
    let key = store.create(&release)?;
    let mut stored = release.events().len();
    for (minute, next) in [(20, Stage::Frozen), (60, Stage::Deploying)] {
        let gate = next.entry_gate().ok_or("a forward stage has a gate")?;
        let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
        for id in &open {
            let by = if id == "testing.security-scans-clean" { &sam } else { &ada };
            release.complete(id, by, at(minute))?;
        }
        if release.approvals_needed(gate).is_some() {
            release.approve(gate, &margaret, at(minute))?;
        }
        release.advance_to(next, &ada, at(minute))?;
        stored = store.save(&release, stored)?;
    }
    release.complete("deployment.initiated", &grace, at(61))?;
    stored = store.save(&release, stored)?;
    println!("saved {key} to {} ({stored} events)", store.path_of(&key).display());

    section("Loaded back");
    let loaded = store.load(&key)?;
    println!("equal to the release in memory: {}", loaded.release == release);
    println!("{}", loaded.release);

    section("Audit trail: the transitions");
    print!("{}", AuditTrail::of(&loaded.release).of_type(EventType::Advanced));
    section("Audit trail: Grace's events");
    print!("{}", AuditTrail::of(&loaded.release).by("Grace Hopper"));
    section("Audit trail: the last five events");
    let trail = AuditTrail::of(&loaded.release);
    let last_five: Vec<_> = trail.entries().iter().skip(trail.len().saturating_sub(5)).collect();
    for (position, event) in last_five {
        println!("#{position:<4} {event}");
    }

    section("Anchoring the log");
    let anchored = loaded.release.head();
    println!("head digest, to write into the change ticket: {anchored}");
    println!("loaded as {}: the chain held at every event", loaded.integrity);

    section("A careless edit");
    // Someone "fixes" the file by hand: the freeze becomes a release.
    let path = store.path_of(&key);
    let text = std::fs::read_to_string(&path)?;
    let edited = text.replacen(r#""from":"planned","to":"frozen""#, r#""from":"planned","to":"released""#, 1);
    std::fs::write(&path, edited)?;
    println!("edited {}: planned → released, with {} items still open", path.display(), open_items(&release));
    match store.load(&key) {
        Ok(_) => return Err("the edited log must not load".into()),
        Err(refusal) => println!("load refused: {refusal}"),
    }

    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn open_items(release: &Release) -> usize {
    [Gate::Verify, Gate::Release].iter().map(|gate| release.open_items(*gate).count()).sum()
}

fn section(title: &str) {
    println!("\n== {title} ==");
}
