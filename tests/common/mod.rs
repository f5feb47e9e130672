//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use release_workflow::{
    Actor, Gate, Release, ReleaseError, ReleaseKind, Role, Stage, Template,
    metrics::{DeploymentRecord, IncidentSpan, RollbackSpan},
    release::{Trust, UnverifiedRelease},
};

pub fn ada() -> Actor {
    Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER).unwrap()
}

pub fn grace() -> Actor {
    Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER).unwrap()
}

/// The security engineer on the roster of [`planned`].
pub fn sam() -> Actor {
    Actor::new("sam", "Sam Security", Role::SECURITY_ENGINEER).unwrap()
}

/// The change approver on the roster of [`planned`].
pub fn linus() -> Actor {
    Actor::new("linus", "Linus Approver", Role::CHANGE_APPROVER).unwrap()
}

/// The monitoring bot on the roster of [`planned`].
pub fn monitor() -> Actor {
    Actor::new("monitor", "monitor", Role::AUTOMATION).unwrap()
}

/// Who completes `item` under the OctoAcme policy: the security engineer
/// for the security scan, the release manager for everything else.
pub fn completer(item: &str) -> Actor {
    if item == "testing.security-scans-clean" { sam() } else { ada() }
}

/// 2026-11-30 09:00 UTC plus `minutes`.
pub fn t(minutes: i64) -> DateTime<Utc> {
    "2026-11-30T09:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(minutes)
}

/// Release 2.4.0 on the OctoAcme checklist, planned at `t(0)`.
pub fn planned() -> Release {
    planned_on(Template::octoacme())
}

/// Release 2.4.0 of checkout, minor, for 2026-12-01, Ada its release
/// manager and Grace on call: the rest is the test's to give.
pub fn team_builder() -> release_workflow::plan::ReleaseBuilder {
    Release::builder()
        .service("checkout")
        .version("2.4.0")
        .kind(ReleaseKind::Minor)
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
}

/// Release 2.4.0 on `template`, planned at `t(0)` with the team of
/// [`planned`] on its roster.
pub fn planned_on(template: Template) -> Release {
    with_team(team_builder().template(template))
}

/// `builder` with the team of [`planned`] on its roster and its change,
/// planned at `t(0)`.
fn with_team(builder: release_workflow::plan::ReleaseBuilder) -> Release {
    builder.member(sam()).member(linus()).member(monitor()).change("PR-1", t(-600)).plan(t(0)).unwrap()
}

/// Release `version` of `service` on the OctoAcme checklist, planned at
/// `t(0)` with the team of [`planned`] on its roster.
pub fn planned_as(service: &str, version: &str) -> Release {
    with_team(team_builder().service(service).version(version))
}

/// `release` walked forward to `stage` as [`at_stage`] walks.
pub fn walked_to(mut release: Release, stage: Stage) -> Release {
    let mut minute = 1;
    while release.stage() < stage {
        advance(&mut release, t(minute));
        minute += 1;
    }
    release
}

/// Completes every open item of `gate` at time `at`.
pub fn complete_gate(release: &mut Release, gate: Gate, at: DateTime<Utc>) {
    let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
    for id in open {
        release.complete(&id, &completer(&id), at).unwrap();
    }
}

/// Records healthy values of every signal the OctoAcme criteria watch.
pub fn record_healthy_signals(release: &mut Release, at: DateTime<Utc>) {
    let bot = monitor();
    release.record_baseline("latency_p95_ms", 200.0, "prometheus", &bot, at).unwrap();
    release.observe("latency_p95_ms", 210.0, "prometheus", &bot, at).unwrap();
    release.observe("error_rate", 0.01, "prometheus", &bot, at).unwrap();
    release.observe("critical_flow_failures", 0.0, "synthetics", &bot, at).unwrap();
}

/// A release walked forward to `stage` (not `RolledBack`), every gate's
/// items completed, each step at `t(step)`; healthy signals are recorded
/// while it is verified.
pub fn at_stage(stage: Stage) -> Release {
    walked_to(planned(), stage)
}

/// Settles the next gate, records healthy signals before `Released`, and
/// moves the release to its next stage at `at`.
pub fn advance(release: &mut Release, at: DateTime<Utc>) {
    let next = release.stage().next().unwrap();
    if next == Stage::Released {
        record_healthy_signals(release, at);
    }
    let gate = next.entry_gate().unwrap();
    complete_gate(release, gate, at);
    if release.approvals_needed(gate).is_some() {
        release.approve(gate, &linus(), at).unwrap();
    }
    release.advance_to(next, &ada(), at).unwrap();
}

/// 2026-11-02 (a Monday) 00:00 UTC plus `minutes`: the epoch of the
/// generated deployment records.
pub fn record_time(minutes: i64) -> DateTime<Utc> {
    "2026-11-02T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(minutes)
}

/// A record started at a random minute of roughly three weeks (some outside
/// the two-week window), with random commits, failures and remediation.
pub fn deployment_record() -> impl Strategy<Value = DeploymentRecord> {
    (
        -2_000i64..22_000,
        proptest::option::of(0i64..600),
        prop::collection::vec(-20_000i64..800, 0..5),
        proptest::option::of((0i64..300, proptest::option::of(0i64..600))),
        prop::collection::vec((0i64..900, proptest::option::of(0i64..900)), 0..3),
        any::<bool>(),
        proptest::sample::select(vec!["web", "api"]),
        0u32..1000,
    )
        .prop_map(|(start, production, commits, rollback, incidents, remediation, service, version)| {
            let mut record =
                DeploymentRecord::new(service, &format!("1.0.{version}"), record_time(start)).unwrap();
            if let Some(delay) = production {
                record = record.with_production_at(record_time(start + delay)).unwrap();
            }
            record = record.with_commits(commits.into_iter().map(|offset| record_time(start + offset)));
            if let Some((decided, restored)) = rollback {
                let decided_at = record_time(start + decided);
                let span = RollbackSpan {
                    decided_at,
                    restored_at: restored.map(|r| decided_at + TimeDelta::minutes(r)),
                };
                record = record.with_rollback(span).unwrap();
            }
            for (index, (opened, resolved)) in incidents.into_iter().enumerate() {
                let opened_at = record_time(start + opened);
                let span = IncidentSpan {
                    id: format!("INC-{index}").into(),
                    opened_at,
                    resolved_at: resolved.map(|r| opened_at + TimeDelta::minutes(r)),
                };
                record = record.with_incident(span).unwrap();
            }
            if remediation { record.with_remediation() } else { record }
        })
}

/// Runs an operation that must be refused on a copy of `release`, checks
/// the copy is unchanged, and returns the refusal.
#[allow(dead_code, reason = "not every suite refuses operations")]
pub fn refused(
    release: &Release,
    operation: impl FnOnce(&mut Release) -> Result<(), ReleaseError>,
) -> ReleaseError {
    let mut copy = release.clone();
    let error = operation(&mut copy).expect_err("the operation should be refused");
    assert_eq!(&copy, release, "a refused operation changed the release: {error}");
    error
}

/// The default trust, also trusting `release`'s own checklist: the one it
/// was planned with and every version it moved to.
pub fn trusting(release: &Release) -> Trust {
    let planned = Trust::default().trusting(release.plan().template().clone());
    release.checklist_versions().cloned().fold(planned, Trust::trusting)
}

/// Reads a stored release and verifies it against `trust`; the error as
/// text, whether serde or verification refused it.
pub fn load_json(json: &str, trust: &Trust) -> Result<Release, String> {
    let log: UnverifiedRelease = serde_json::from_str(json).map_err(|error| error.to_string())?;
    log.verify(trust).map_err(|error| error.to_string())
}

/// `release` stored as JSON and read back against a trust in its checklist.
pub fn round_trip(release: &Release) -> Release {
    load_json(&serde_json::to_string(release).unwrap(), &trusting(release)).unwrap()
}

/// Recomputes every event's digest of a stored release, as the format
/// documents it, the way someone who edits a log without the key would:
/// SHA-256 of the previous link's bytes and the event's compact JSON.
pub fn rechain(stored: &mut serde_json::Value) {
    use sha2::{Digest as _, Sha256};
    let mut previous: Option<Vec<u8>> = None;
    let Some(events) = stored["events"].as_array_mut() else { return };
    for event in events {
        let Some(fields) = event.as_object_mut() else { return };
        fields.remove("digest");
        fields.remove("seal");
        let Ok(parsed) =
            serde_json::from_value::<release_workflow::Event>(serde_json::Value::Object(fields.clone()))
        else {
            // Not an event any more: leave it for the loader to refuse.
            continue;
        };
        // The planning event's template is covered by its fingerprint: the
        // SHA-256 of its compact JSON.
        let mut canonical = serde_json::to_string(&parsed).unwrap();
        if let release_workflow::event::EventKind::Planned { plan } = &parsed.what {
            let template = serde_json::to_string(plan.template()).unwrap();
            let fingerprint: String =
                Sha256::digest(template.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect();
            canonical = canonical.replace(&template, &format!("\"{fingerprint}\""));
        }
        let mut hasher = Sha256::new();
        if let Some(previous) = &previous {
            hasher.update(previous);
        }
        hasher.update(canonical.as_bytes());
        let digest = hasher.finalize().to_vec();
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        fields.insert("digest".into(), serde_json::Value::String(hex));
        previous = Some(digest);
    }
}

/// Recomputes the digests of a store's log file in place, as someone who
/// edits it without the key would.
pub fn rechain_file(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_owned();
    let events: Vec<serde_json::Value> = lines.map(|line| serde_json::from_str(line).unwrap()).collect();
    let mut stored = serde_json::json!({ "events": events });
    rechain(&mut stored);
    let mut out = header + "\n";
    for event in stored["events"].as_array().unwrap() {
        out.push_str(&serde_json::to_string(event).unwrap());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// A fresh directory under the system's temporary directory, removed when
/// dropped.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("release-workflow-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A model test's configuration: `cases` sequences unless `MODEL_CASES`
/// says otherwise.
pub fn model_config(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::Config;
    let cases = std::env::var("MODEL_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(cases);
    Config { cases, failure_persistence: Config::default().failure_persistence, ..Config::default() }
}

/// A model test's sequence lengths: up to `steps` operations unless
/// `MODEL_STEPS` says otherwise.
pub fn model_steps(steps: usize) -> std::ops::Range<usize> {
    let steps = std::env::var("MODEL_STEPS").ok().and_then(|steps| steps.parse().ok()).unwrap_or(steps);
    1..steps
}
