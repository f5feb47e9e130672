//! Run software releases safely.
//!
//! `release-workflow` models a release as a typed state machine whose
//! checklist is data. It refuses a transition while a required item is open
//! and says exactly what blocks it, records every action as an audited
//! [`Event`], and stores a release as its event log, so a release read back
//! is a release whose every step was checked.
//!
//! It is a library for the internal tools release managers build: a bot
//! that drives releases, a dashboard, a CLI. It never reads the clock, and
//! does no I/O outside the optional file store: every operation takes who
//! acts and when, which makes every run reproducible.
//!
//! # The life of a release
//!
//! A [`Release`] starts [`Planned`](Stage::Planned) from a [`Template`] and
//! moves forward one [`Stage`] at a time. Each forward move is guarded by a
//! [`Gate`]: every item of that gate must be *settled* — done, marked not
//! applicable (an [`IfApplicable`](Requirement::IfApplicable) item, with a
//! reason) or waived (a [`Required`](Requirement::Required) one, with a
//! reason and who takes responsibility).
//!
//! | from | to | allowed when |
//! |---|---|---|
//! | Planned | Frozen | every `Freeze` item is settled |
//! | Frozen | Deploying | every `Deploy` item is settled |
//! | Deploying | Verifying | every `Verify` item is settled |
//! | Verifying | Released | every `Release` item is settled |
//! | Deploying, Verifying | RolledBack | a rollback reason is given |
//! | Released | RolledBack | a reason is given, within the monitoring window (48 h by default) |
//!
//! `Released` and `RolledBack` are final. Their `PostRelease` and `Rollback`
//! items are then worked through, and the release is
//! [closed](Release::is_closed) when they are all settled.
//!
//! ```
//! use chrono::{DateTime, TimeDelta, Utc};
//! use release_workflow::{Actor, Gate, Release, ReleaseError, Role, Stage};
//!
//! let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
//! let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
//! let mut now: DateTime<Utc> = "2026-11-30T09:00:00Z".parse()?;
//!
//! let mut release = Release::builder()
//!     .service("checkout")
//!     .version("2.4.0")
//!     .previous_version("2.3.7") // a minor release, inferred
//!     .target_date("2026-12-01".parse()?)
//!     .release_manager(ada.clone())
//!     .on_call(grace.clone())
//!     .change("PR-1432", "2026-11-27T16:20:00Z".parse()?)
//!     .plan(now)?;
//!
//! // Freezing now is refused, and the error names every open Freeze item.
//! match release.advance_to(Stage::Frozen, &ada, now) {
//!     Err(ReleaseError::TransitionBlocked { open, .. }) => assert_eq!(open.len(), 8),
//!     other => panic!("expected a refusal, got {other:?}"),
//! }
//!
//! // Work the Freeze items, then freeze.
//! let freeze_items: Vec<String> =
//!     release.open_items(Gate::Freeze).map(|item| item.id().to_string()).collect();
//! for id in &freeze_items {
//!     now += TimeDelta::minutes(5);
//!     if id == "build.code-freeze" {
//!         release.mark_not_applicable(id, "trunk-based development: no freeze branch", &ada, now)?;
//!     } else {
//!         release.complete(id, &ada, now)?;
//!     }
//! }
//! // The status says what the next move needs, from the same check the
//! // move runs; `Display` prints it for a person.
//! assert!(release.status().next_move.is_some_and(|next| next.can_move()));
//! release.advance_to(Stage::Frozen, &ada, now)?;
//! assert_eq!(release.stage(), Stage::Frozen);
//! assert_eq!(release.events().len(), 10); // planned, 8 items, frozen
//! println!("{release}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every named value — a [`Stage`], [`Gate`], [`Role`], [`ReleaseKind`],
//! ... — has one text form in kebab case (`rolled-back`, `post-release`):
//! `Display` writes it, [`FromStr`](std::str::FromStr) reads it (ignoring
//! ASCII case) with a [`ParseError`] that lists what is accepted, and serde
//! stores it. Each such type lists its values in `ALL`.
//!
//! # Checklists are data
//!
//! [`Template::octoacme`] is the OctoAcme release management checklist,
//! word for word: 66 items in 12 sections. A team writes its own with
//! [`Template::builder`], or loads one with serde from JSON or TOML; every
//! path validates it, and errors name the item at fault.
//! `examples/templates/team.toml` is a complete, commented template file:
//! a short team checklist with its rollback criteria, its policy and its
//! restoration item.
//!
//! ```toml
#![doc = include_str!("../examples/templates/team.toml")]
//! ```
//!
//! `team.json` is its twin, for serde's JSON:
//!
//! ```
//! use release_workflow::Template;
//!
//! let team: Template = serde_json::from_str(include_str!("../examples/templates/team.json"))?;
//! assert_eq!(team.name(), "Payments API");
//! let restoration = team.restoration().ok_or("declared in the file")?;
//! assert_eq!(restoration.id().as_str(), "rollback.traffic-restored");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A template also names its **restoration item**
//! ([`Template::restoration`]): the rollback item whose settling marks
//! service restored, where the recovery-time metric ends a failure.
//!
//! # Checklists in Markdown
//!
//! Teams keep checklists as Markdown task lists in issues and wikis, so a
//! template reads from one ([`Template::from_markdown`]) and writes to one
//! ([`Template::to_markdown`]), and a release's checklist exports as
//! GitHub-flavored Markdown to paste into an issue
//! ([`Release::to_markdown`]), whose ticked boxes come back as events
//! ([`Release::apply_markdown`]). The conventions:
//!
//! - the first `# Heading` is the template's name;
//! - every other heading with task items (`- [ ] ...`) under it is a
//!   section; headings without task items, plain bullets and paragraphs
//!   are prose;
//! - a task item is an item; a title ending in "(if applicable)" or
//!   "(if needed)" makes it [`IfApplicable`](Requirement::IfApplicable),
//!   and the marker is not part of the title;
//! - **annotations** are HTML comments, which GitHub does not show,
//!   written `<!-- key: value; key: value -->`. On a heading (on its line,
//!   or on a line of its own in the section): `gate` (of the section's
//!   items) and `id` (the prefix of their derived ids). At the end of an
//!   item's line: `id`, `gate`, `requirement` (`required` or
//!   `if-applicable`; the title is then taken as written),
//!   `settled-on-entering` (a stage) and `restoration: yes`. A comment that
//!   does not start with a lowercase `key:` is prose (`<!-- TODO: ask QA -->`);
//! - a fenced block whose info string has the word `release-workflow`
//!   (```` ```json release-workflow ````) holds the template's `criteria`
//!   and `policy` as JSON;
//! - what the Markdown does not say, a [`MarkdownImport`] map says: gates
//!   and id prefixes by section, ids and gates by item title, the name,
//!   criteria and policy. An annotation wins over the map; an item with no
//!   id gets `section-prefix.title-in-kebab-case`.
//!
//! A template's boxes are all open, lists are one level deep, and titles
//! differ within a section (unless each carries an `id`): each is refused
//! with the line at fault. [`MarkdownImport::octoacme`] reads the source
//! OctoAcme document to [`Template::octoacme`], item for item.
//!
//! [`Template::mermaid`] draws the workflow as a Mermaid state diagram.
//!
//! # Two APIs: dynamic and typed
//!
//! The same rules have two front doors.
//!
//! **[`Release`]** is dynamic: one type for every stage, every move a method
//! that checks the table when it runs, such as
//! [`advance_to(Stage::Frozen, ..)`](Release::advance_to). Use it when the
//! next move comes from outside the program — a button in a dashboard, a
//! command in a chat bot, a log read from storage — and the program cannot
//! know the stage in advance.
//!
//! **[`typed`]** is static: one handle per stage ([`typed::Planned`],
//! [`typed::Frozen`], ...), whose methods are only the moves that stage
//! allows. `planned.deploy(..)` does not compile; `deploying.verify(..)`
//! returns a `Verifying` handle, or the `Deploying` handle back inside
//! [`typed::Refused`] with the reason. Use it for code that drives a release
//! step by step — a pipeline, a workflow engine — so that a move the table
//! does not have is a compile error rather than a page at night.
//!
//! The two meet at the edges: `AnyStage::from(release)` gives an
//! [`AnyStage`](typed::AnyStage) to `match` on (a release loaded from a
//! store enters the typed world this way), and every handle's
//! `into_inner` gives the `Release` back. The checklist and health rules
//! are checked at run time either way; only the transition table moves to
//! compile time.
//!
//! ```
//! use release_workflow::typed::AnyStage;
//! # use release_workflow::{Actor, Gate, Release, ReleaseKind, Role};
//! # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
//! # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
//! #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
//! // A release from storage: its stage decides which handle it becomes.
//! if let AnyStage::Planned(mut planned) = AnyStage::from(release) {
//!     for id in planned.open_items(Gate::Freeze) {
//!         planned.complete(&id, &ada, t0)?;
//!     }
//!     let frozen = planned.freeze(&ada, t0)?; // a `Frozen` handle: it has `deploy`, not `freeze`
//!     let release: Release = frozen.into_inner();
//!     assert_eq!(release.stage(), release_workflow::Stage::Frozen);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Health and rollback
//!
//! A template also holds [`RollbackCriterion`]s: the checklist's "When to
//! Rollback" triggers as data. A criterion is a flag a person raises with
//! evidence, or a [`Threshold`] on a named signal — absolute
//! (`error_rate > 0.05`) or relative to a baseline
//! (`latency_p95_ms > 1.5 × baseline`) — with how many breaching samples
//! trip it (in total, in a row, or whichever first), over which evaluation
//! window, and what missing data means. While a release is out, tools record
//! [`Observation`]s ([`Release::observe`]; measured earlier than recorded
//! with [`Release::record_observation`]; a monitoring export at once with
//! [`Release::record_observations`]) and flags ([`Release::raise_flag`]);
//! [`Release::verdict`] judges them, each sample at the time it was measured:
//!
//! - [`Verdict::RollBack`] when a critical criterion tripped: the release
//!   cannot be released (nor verified, under a template that
//!   [checks health on verify](Template::with_health_check_on_verify), as
//!   OctoAcme's does), and [`Release::roll_back_on_criteria`] rolls it
//!   back citing the findings;
//! - [`Verdict::Inconclusive`] when a warning tripped or required data is
//!   missing: a person decides with [`Release::accept_risk`], or rolls back;
//! - [`Verdict::Healthy`] otherwise.
//!
//! A criterion in a [dry run](RollbackCriterion::with_dry_run) is judged
//! and reported ([`Release::dry_run_findings`]) but never trips; a
//! baseline can come from the service's previous release
//! ([`Release::record_baselines_from`]) rather than be typed in.
//!
//! Production [`Incident`]s are recorded on the release that caused them,
//! even after it is final, and a release can be planned as the remediation
//! of an earlier one's incident: the DORA metrics need both.
//!
//! # Who may do what
//!
//! A template may carry a [`Policy`]: the roles a team uses (a [`Role`] is
//! a name it defines), the [`Grant`]s of each [`Action`] to roles, the
//! approvals each gate needs ([`ApprovalRule`]) and the change windows
//! deployments keep to ([`ChangeWindow`]). A release's [`Roster`] — its
//! release manager, on-call engineer and [members](ReleaseBuilder::member)
//! — says who holds which role, under a stable [`PersonId`]. Under a
//! policy every event is checked: the actor is on the roster under the name
//! it gives their id, in a role it gives them, and the policy lets that role
//! take the action; approvals come from distinct people other than the
//! release's planner and its changes' authors; entering `Deploying` keeps to
//! the windows unless one was overridden. Replay checks the same, so a
//! forged approval or a deployment inside a freeze is refused on load.
//!
//! ```
//! use release_workflow::{AccessError, Actor, ApprovalProblem, Gate, Release, ReleaseError, ReleaseKind, Role, Stage};
//!
//! let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
//! let margaret = Actor::new("margaret", "Margaret Hamilton", Role::CHANGE_APPROVER)?;
//! let sam = Actor::new("sam", "Sam Okafor", Role::SECURITY_ENGINEER)?;
//! let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! let mut release = Release::builder()
//!     .version("2.4.0")
//!     .kind(ReleaseKind::Minor)
//!     .target_date("2026-12-01".parse()?)
//!     .release_manager(ada.clone())
//!     .on_call(ada.acting_as(Role::ON_CALL_ENGINEER))
//!     .member(ada.acting_as(Role::CHANGE_APPROVER))
//!     .member(margaret.clone())
//!     .member(sam.clone())
//!     .plan(t0)?;
//! for gate in [Gate::Freeze, Gate::Deploy] {
//!     let open: Vec<String> = release.open_items(gate).map(|item| item.id().to_string()).collect();
//!     for id in &open {
//!         // The OctoAcme policy leaves the security scan to the security engineer.
//!         let by = if id == "testing.security-scans-clean" { &sam } else { &ada };
//!         release.complete(id, by, t0)?;
//!     }
//!     if gate == Gate::Freeze {
//!         release.advance_to(Stage::Frozen, &ada, t0)?;
//!     }
//! }
//! // Ada holds the approver role, but planned the release.
//! match release.approve(Gate::Deploy, &ada.acting_as(Role::CHANGE_APPROVER), t0) {
//!     Err(ReleaseError::Access(refused)) => assert!(matches!(
//!         *refused,
//!         AccessError::Approval { problem: ApprovalProblem::PlannedIt, .. }
//!     )),
//!     other => panic!("expected a refusal, got {other:?}"),
//! }
//! release.approve(Gate::Deploy, &margaret, t0)?;
//! release.advance_to(Stage::Deploying, &ada, t0)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Templates without a policy check nobody, as before policies existed.
//!
//! # Storing releases, and trusting what is read back
//!
//! Every data type implements serde's traits. A [`Release`] serializes as
//! its event log with a [format version](FORMAT_VERSION), each event bound
//! to the one before it by a SHA-256 link. Reading one back is a trust
//! decision, so it is a type boundary: deserializing gives an
//! [`UnverifiedRelease`], and only [`UnverifiedRelease::verify`] against a
//! [`Trust`] gives a `Release`, once
//!
//! - the hash chain holds at every event (an event edited in place is
//!   named), and with a [`SealKey`] every event's HMAC seal is the key's;
//! - the log's checklist is one the caller trusts — by default the
//!   OctoAcme checklist, plus any template the tool adds — so an edited
//!   checklist is refused, naming what differs;
//! - every event passes the live rules ([`Release::replay`]).
//!
//! What each level detects:
//!
//! | attack on a stored log | no key, no anchor | head anchored | with a key |
//! |---|---|---|---|
//! | an event edited in place | refused, naming the event | refused | refused, naming the event |
//! | the checklist edited (items removed, gates moved) | refused, naming what differs | refused | refused |
//! | every event rewritten, chain recomputed (re-attributed, re-timed, completions turned into waivers, incidents erased) | **not detected** if every rule holds | refused | refused, naming the first event |
//! | the log truncated to a shorter prefix | **not detected** | refused | **not detected** without an anchor |
//! | a log copied under another release's name | refused | refused | refused |
//! | the whole store replaced by an older copy | not detected | refused | not detected |
//!
//! Anchoring means writing [`Release::head`] somewhere the log's writer
//! cannot reach (a ticket, a commit, a second system) and checking it later
//! with [`Release::verify_anchor`]. A key is held by the tools that write
//! releases and never appears in a log. What no level detects: a person who
//! holds the key, or can act through a tool that does, recording false
//! events — the log proves what was recorded, not that it was true.
//!
//! With `serde_json`, enable its `float_roundtrip` feature so that signal
//! values read back bit for bit.
//!
//! The `ReleaseStore` trait keeps releases: `MemoryStore` in memory,
//! `FileStore` as one append-only, fsynced, chained JSON Lines log per
//! release, with atomic creation, optimistic concurrency between writers
//! (and `update`, which retries a change on a conflict), whole-or-nothing
//! appends, recovery from a log torn by a crash, and an explicit `recover`
//! for a damaged one. [`AuditTrail::of`] a release renders and filters
//! the log: when, who, what.
//!
//! # DORA metrics
//!
//! A [`History`] of [`DeploymentRecord`]s — made from releases, or built
//! from deployments recorded elsewhere — gives a [`DoraReport`] over a
//! half-open [`Window`]: deployment frequency, lead time for changes, change
//! failure rate, failed deployment recovery time, rollback frequency,
//! deployment duration and rework rate, each defined in its type's docs,
//! graded in [`Tier`]s under a [`Benchmark`], with an [`Explanation`] of
//! which deployments failed and what was left out. A metric with no data is
//! `None`, never zero. [`History::trend`] gives the same per week or month,
//! each row with its own explanation. Days, weeks and months begin at
//! midnight in a [`Zone`]: an IANA time zone (daylight-saving time
//! included) or a fixed offset.
//!
//! A report does not need the records: [`Totals`] keep what the metrics
//! need while records go past, and merge across threads. With the `store`
//! feature, `JsonLines` reads a JSON Lines history (a file or any reader)
//! on every core, streaming, into a `History` or into totals, reporting
//! malformed lines by number without stopping; a million-line file is
//! reported in about half a second and 130 MB (README, "DORA metrics").
//!
//! ```
//! use release_workflow::{DeploymentRecord, History, ReportOptions, RollbackSpan, Tier, Window};
//!
//! let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>();
//! let shipped = DeploymentRecord::new("checkout", "2.4.0", at("2026-11-02T10:00:00Z")?)?
//!     .reached_production(at("2026-11-02T10:15:00Z")?)?
//!     .with_commits([at("2026-11-01T15:00:00Z")?]);
//! let rolled_back = DeploymentRecord::new("checkout", "2.4.1", at("2026-11-03T10:00:00Z")?)?
//!     .reached_production(at("2026-11-03T10:15:00Z")?)?
//!     .rolled_back(RollbackSpan {
//!         decided_at: at("2026-11-03T10:40:00Z")?,
//!         restored_at: Some(at("2026-11-03T10:55:00Z")?),
//!     })?;
//! let history = History::from_records([shipped, rolled_back]);
//! let week = Window::new(at("2026-11-02T00:00:00Z")?, at("2026-11-09T00:00:00Z")?)?;
//! let report = history.report(&ReportOptions::new(week))?;
//! assert_eq!(report.metrics.change_failure_rate.rate, Some(0.5));
//! assert_eq!(report.metrics.recovery_time.tier, Some(Tier::Elite));
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Each layer of the crate owns its errors, and a function returns its own
//! layer's: [`ReleaseError`] from every operation on a release,
//! [`PlanError`] from planning one, [`TemplateError`] from building a
//! checklist, [`HealthError`] for criteria and observations,
//! [`MetricsError`] for reports, `StoreError` from a store, and
//! [`TextError`] and [`ParseError`] at the bottom, for text and names. An
//! error from a layer below travels up wrapped, message unchanged. Each
//! case names the item, stage or field involved and says in words what to
//! do next; where a tool wants that as data, `next_actions()` gives
//! [`NextAction`]s. A refused operation leaves the release unchanged and
//! records nothing. [`Error`] gathers every layer's error, for code that
//! wants one type to match on or to return with `?`.
//!
//! # Features
//!
//! - `store` (on by default): `ReleaseStore`, `MemoryStore` and
//!   `FileStore`, and `DeploymentRecord::from_json` and `JsonLines` for
//!   reading records from JSON Lines. Without it the crate does no I/O at
//!   all.
//! - `toml`: `Template::from_toml` and `Template::to_toml`, for template
//!   files in TOML.
//! - `svg`: `Trend::to_svg`, the trend as a picture of four panels over
//!   their tier bands, drawn with `plotters`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

// Layers, bottom to top; a module uses only modules of its own layer or
// below, and names them by path (`crate::stage::Stage`):
// - text, id, memo, digest, stage, action, actor, version, progress;
// - health (criteria, observations, verdicts) and incident;
// - checklist and policy (its templates hold rollback criteria and a policy);
// - plan and roster;
// - event and release;
// - audit, typed, metrics, store; and error, the umbrella over all.
mod action;
mod actor;
mod audit;
mod checklist;
mod digest;
mod error;
mod event;
mod health;
mod id;
mod incident;
mod memo;
mod metrics;
mod plan;
mod policy;
mod progress;
mod release;
mod roster;
mod stage;
#[cfg(feature = "store")]
mod store;
mod text;
pub mod typed;
mod version;

pub use action::NextAction;
pub use actor::{Actor, MAX_ACTOR_NAME_CHARS, MAX_PERSON_ID_CHARS, MAX_ROLE_CHARS, PersonId, Role};
pub use audit::AuditTrail;
pub use checklist::{
    Item, ItemField, ItemId, ItemStatus, MAX_ID_CHARS, MarkdownError, MarkdownImport, OCTOACME_NAME,
    Requirement, Template, TemplateBuilder, TemplateDifference, TemplateError,
};
pub use digest::{Digest, DigestError, MIN_SEAL_KEY_BYTES, SealKey, SealKeyError};
pub use error::Error;
pub use event::{Event, EventKind, EventType, RollbackReason};
pub use health::{
    Bound, Breach, Cause, Comparison, CriterionId, CriterionKind, Finding, FiniteF64, HealthError,
    MAX_BREACHES_TO_TRIP, MAX_CRITERION_ID_CHARS, MAX_EVALUATION_WINDOW_SECONDS, MAX_SIGNAL_CHARS, Missing,
    Observation, ObservationKind, Outcome, RaisedFlag, RiskDecision, RollbackCriterion, Severity, Signal,
    Threshold, Trigger, Verdict, WhenMissing, octoacme_criteria,
};
pub use incident::{Incident, IncidentSeverity};
pub use metrics::{
    Benchmark, ChangeFailureRate, DeploymentFrequency, DeploymentRecord, DoraMetrics, DoraReport, Elapsed,
    Exclusion, ExclusionReason, Explanation, Failure, History, IncidentSpan, LeadTime, MAX_TREND_PERIODS,
    MetricsError, Period, RecoveryTime, ReportOptions, Reports, RollbackSpan, Share, Spread, Thresholds,
    Tier, Totals, Trend, TrendRow, UNNAMED_SERVICE, Window, Zone,
};
#[cfg(feature = "store")]
pub use metrics::{DEFAULT_KEPT_MALFORMED, JsonLines, MalformedLine, Reading};
pub use plan::{
    Change, DEFAULT_MONITORING_WINDOW, MAX_MONITORING_WINDOW, PlanError, ReleaseBuilder, ReleasePlan,
};
pub use policy::{
    Action, ApprovalRule, ChangeWindow, Grant, MAX_APPROVALS, Policy, PolicyBuilder, PolicyError, Scope,
    WeeklyTime, WindowKind, WindowSchedule,
};
pub use progress::Tally;
pub use release::{
    AccessError, Approval, ApprovalProblem, ApprovalsNeeded, ChainProblem, Closing, FORMAT_VERSION,
    GateProgress, HealthStatus, Integrity, MAX_OBSERVATIONS_PER_EVENT, NextMove, Release, ReleaseError,
    ReleaseStatus, RollbackStatus, Sealed, Trust, UnverifiedRelease,
};
pub use roster::{Member, Roster};
pub use stage::{Gate, Stage};
#[cfg(feature = "store")]
pub use store::{
    DroppedLine, FileStore, MemoryStore, Recovery, ReleaseFilter, ReleaseKey, ReleaseStore, ReleaseSummary,
    StoreError, StoredRelease, TornTail, UPDATE_ATTEMPTS,
};
#[cfg(feature = "postgres")]
pub use store::{PostgresStore, SCHEMA_VERSION};
pub use text::{MAX_NAME_CHARS, MAX_REASON_CHARS, MAX_TITLE_CHARS, ParseError, TextError};
pub use version::{ReleaseKind, Version, VersionError, parse_version};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
