//! A small workflow engine, as an internal tool would write it.
//!
//! Four services release at once, each driven by its own thread through the
//! typed API and saved to a store after every step: PostgreSQL when
//! `DATABASE_URL` is set (build with `--features postgres`; the run gets a
//! schema of its own), a file store in a temporary directory otherwise. A monitoring
//! thread streams health signals to them while they are verified; the
//! payments release's error rate climbs, its criteria trip, and it is rolled
//! back. At the end every release is loaded back from the store and the
//! DORA report of the result is printed.
//!
//! Run it with `cargo run --example engine`, or
//! `DATABASE_URL=postgres://user:password@localhost/releases cargo run --features postgres --example engine`.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::typed::{AnyStage, Planned, Verifying};
use release_workflow::{
    Actor, Gate, Release, Role, Stage,
    incident::{Incident, IncidentSeverity},
    metrics::{History, ReportOptions, Window},
    store::{FileStore, ReleaseFilter, ReleaseKey, ReleaseStore},
};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// A store the drivers share between their threads.
type Store = dyn ReleaseStore + Send + Sync;

/// One health sample for one service, `minute` minutes into verification.
struct Sample {
    signal: &'static str,
    value: f64,
    minute: i64,
}

/// The services, their versions, and whether their error rate climbs.
const SERVICES: [(&str, &str, &str, bool); 4] = [
    ("checkout", "2.4.0", "2.3.7", false),
    ("payments", "3.1.0", "3.0.4", true),
    ("search", "5.0.1", "5.0.0", false),
    ("accounts", "1.8.0", "1.7.2", false),
];

fn main() -> Result<(), Failure> {
    let start: DateTime<Utc> = "2026-12-07T08:00:00Z".parse()?;
    let (store, dir) = open_store()?;
    let store = &*store;

    let (senders, receivers): (Vec<Sender<Sample>>, Vec<Receiver<Sample>>) =
        SERVICES.iter().map(|_| mpsc::channel()).unzip();
    let logs: Vec<Result<Vec<String>, String>> = thread::scope(|scope| {
        let monitor = scope.spawn(move || monitor(senders));
        let drivers: Vec<_> = SERVICES
            .iter()
            .zip(receivers)
            .enumerate()
            .map(|(index, (service, signals))| {
                let begins = start + TimeDelta::minutes(17 * index as i64);
                scope
                    .spawn(move || drive(store, *service, begins, signals).map_err(|error| error.to_string()))
            })
            .collect();
        let logs = drivers
            .into_iter()
            .map(|driver| driver.join().unwrap_or_else(|_| Err("a driver panicked".into())));
        let logs: Vec<_> = logs.collect();
        let _ = monitor.join();
        logs
    });
    for log in logs {
        for line in log? {
            println!("{line}");
        }
        println!();
    }

    // Everything the engine did is in the store: load it back and report.
    let mut releases: Vec<Release> = Vec::new();
    for key in store.keys()? {
        releases.push(store.load(&key)?.release);
    }
    println!(
        "stored releases: {}",
        releases
            .iter()
            .map(|r| format!("{} ({})", ReleaseKey::of(r), r.stage()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // A dashboard lists releases by stage without replaying them.
    let rolled_back = store.list(&ReleaseFilter::all().in_stage(Stage::RolledBack))?;
    let keys: Vec<String> = rolled_back.releases.iter().map(|summary| summary.key.to_string()).collect();
    println!("rolled back: {}", keys.join(", "));
    for unreadable in &rolled_back.unreadable {
        println!("cannot read {unreadable}");
    }
    let history = History::from_releases(&releases);
    let window = Window::new(start - TimeDelta::hours(8), start + TimeDelta::days(1))?;
    println!("\n{}", history.report(&ReportOptions::new(window))?);
    if let Some(dir) = dir {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}

/// The store: PostgreSQL when `DATABASE_URL` is set, else a file store in a
/// temporary directory (given back, to remove at the end).
fn open_store() -> Result<(Box<Store>, Option<std::path::PathBuf>), Failure> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return Ok((open_database(&url)?, None));
    }
    let dir = std::env::temp_dir().join(format!("release-workflow-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok((Box::new(FileStore::open(&dir)?), Some(dir)))
}

/// Every run in a schema of its own: the releases' keys repeat from run to run.
#[cfg(feature = "postgres")]
fn open_database(url: &str) -> Result<Box<Store>, Failure> {
    let schema = format!("engine_example_{}", std::process::id());
    let store = release_workflow::store::PostgresStore::connect_to_schema(url, &schema)?;
    println!("storing in PostgreSQL, schema {schema} (drop it with `DROP SCHEMA {schema} CASCADE`)\n");
    Ok(Box::new(store))
}

#[cfg(not(feature = "postgres"))]
fn open_database(_url: &str) -> Result<Box<Store>, Failure> {
    Err("DATABASE_URL is set, but this build has no PostgreSQL store: run it with `--features postgres`"
        .into())
}

/// Streams health samples to each service's driver: healthy values, except
/// for a service whose error rate climbs.
fn monitor(senders: Vec<Sender<Sample>>) {
    for minute in 1..=6 {
        for (sender, (_, _, _, climbs)) in senders.iter().zip(SERVICES) {
            let error_rate =
                if climbs { 0.004 * f64::from(1 << minute) } else { 0.002 + 0.001 * minute as f64 };
            for (signal, value) in [
                ("error_rate", error_rate),
                ("latency_p95_ms", 190.0 + minute as f64),
                ("critical_flow_failures", 0.0),
            ] {
                let _ = sender.send(Sample { signal, value, minute });
            }
        }
    }
}

/// Drives one release from plan to released (or rolled back), saving each
/// step to the store, and returns what happened.
fn drive(
    store: &Store,
    (service, version, previous, _): (&str, &str, &str, bool),
    start: DateTime<Utc>,
    signals: Receiver<Sample>,
) -> Result<Vec<String>, Failure> {
    // The engine works the checklist as automation; the decisions the
    // OctoAcme policy keeps for people stay with them: Ada owns the release,
    // Margaret approves production.
    let manager = Actor::new(&format!("{service}-bot"), format!("{service}-bot"), Role::AUTOMATION)?;
    let owner = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    let approver = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;
    let on_call = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    let at = |minutes: i64| start + TimeDelta::minutes(minutes);
    let mut log = vec![format!("[{service}] planning {version}")];
    let release = Release::builder()
        .service(service)
        .version(version)
        .previous_version(previous)
        .target_date(start.date_naive())
        .release_manager(owner.clone())
        .on_call(on_call.clone())
        .member(manager.clone())
        .member(approver.clone())
        .change(format!("{service}-PR-1"), start - TimeDelta::hours(30))
        .change(format!("{service}-PR-2"), start - TimeDelta::hours(6))
        .plan(at(0))?;
    let key = store.create(&release)?;
    let mut saved = release.events().len();

    // The checklist, gate by gate; each transition is saved as it happens.
    let mut planned = Planned::try_from(release)?;
    for id in planned.open_items(Gate::Freeze) {
        planned.complete(&id, &manager, at(5))?;
    }
    let mut frozen = planned.freeze(&manager, at(10)).map_err(|refused| refused.error)?;
    frozen.record_baseline("latency_p95_ms", 185.0, "prometheus", &manager, at(11))?;
    for id in frozen.open_items(Gate::Deploy) {
        frozen.complete(&id, &manager, at(20))?;
    }
    frozen.approve(&approver, at(25))?;
    saved = store.save(frozen.inner(), saved)?;
    let mut deploying = frozen.deploy(&manager, at(30)).map_err(|refused| refused.error)?;
    for id in deploying.open_items(Gate::Verify) {
        deploying.complete(&id, &on_call, at(40))?;
    }
    let mut verifying = deploying.verify(&manager, at(45)).map_err(|refused| refused.error)?;
    saved = store.save(verifying.inner(), saved)?;
    log.push(format!("[{service}] in production at {}", at(45).format("%H:%M")));

    // Verification: record the samples as they arrive; stop at the first sign of trouble.
    let mut minute_seen = 0;
    while let Ok(sample) = signals.recv() {
        let when = at(45 + sample.minute);
        verifying.observe(sample.signal, sample.value, "prometheus", &manager, when)?;
        minute_seen = sample.minute;
        if verifying.inner().verdict().should_roll_back() {
            break;
        }
    }
    saved = store.save(verifying.inner(), saved)?;
    let now = at(46 + minute_seen);
    let verdict = verifying.inner().verdict();
    log.push(format!(
        "[{service}] health after {minute_seen} min: {}",
        verdict.to_string().lines().next().unwrap_or("")
    ));
    let finished = if verdict.should_roll_back() {
        roll_back(verifying, &owner, &on_call, now, &mut log)?
    } else {
        for id in verifying.open_items(Gate::Release) {
            verifying.complete(&id, &on_call, now)?;
        }
        let released = verifying.release(&manager, now).map_err(|refused| refused.error)?;
        log.push(format!("[{service}] released {version} at {}", now.format("%H:%M")));
        released.into_inner()
    };
    saved = store.save(&finished, saved)?;
    log.push(format!("[{service}] {key}: {saved} events stored, stage {}", finished.stage()));
    // A release read back from the store re-enters the typed world by its stage.
    if let AnyStage::RolledBack(rolled_back) = AnyStage::from(store.load(&key)?.release) {
        log.push(format!("[{service}] reloaded: closed = {}", rolled_back.inner().is_closed()));
    }
    Ok(log)
}

/// Rolls a release back on its tripped criteria and works the rollback
/// checklist.
fn roll_back(
    verifying: Verifying,
    owner: &Actor,
    on_call: &Actor,
    now: DateTime<Utc>,
    log: &mut Vec<String>,
) -> Result<Release, Failure> {
    let service = verifying.inner().service().unwrap_or_default().to_owned();
    let mut rolled_back = verifying.roll_back_on_criteria(on_call, now).map_err(|refused| refused.error)?;
    log.push(format!("[{service}] rolled back on its criteria at {}", now.format("%H:%M")));
    let incident = format!("INC-{service}");
    let opened = now - TimeDelta::minutes(2);
    rolled_back.open_incident(
        Incident::new(&incident, IncidentSeverity::Sev2, "error rate above 5%", opened)?,
        on_call,
        now,
    )?;
    rolled_back.mark_not_applicable("rollback.database-rolled-back", "no schema change", owner, now)?;
    for id in rolled_back.open_items(Gate::Rollback) {
        rolled_back.complete(&id, on_call, now + TimeDelta::minutes(10))?;
    }
    rolled_back.resolve_incident(
        &incident,
        now + TimeDelta::minutes(9),
        on_call,
        now + TimeDelta::minutes(12),
    )?;
    Ok(rolled_back.into_inner())
}
