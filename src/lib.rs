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
//! applicable (an [`IfApplicable`](crate::checklist::Requirement::IfApplicable) item, with a
//! reason) or waived (a [`Required`](crate::checklist::Requirement::Required) one, with a
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
//! ASCII case) with a [`ParseError`](text::ParseError) that lists what is accepted, and serde
//! stores it. Each such type lists its values in `ALL`.
//!
//! # A map of the crate
//!
//! The root holds the names every tool needs: [`Release`] and its
//! [`ReleaseError`], the [`Stage`]s and [`Gate`]s, [`Actor`]s, [`Role`]s and
//! [`PersonId`]s, the [`Template`], the [`Event`]s of the log, the
//! [`ReleaseKind`], [`NextAction`] and the umbrella [`Error`]. Everything
//! else lives in a module of its own, each of which teaches its part. They
//! are listed bottom layer first, as they build on each other: a module
//! uses only the modules listed before it, and those of its own layer
//! (`text`, `actor`, `version` and `digest`; `health` and `incident`;
//! `checklist` and `policy`; `plan` and `roster`;
//! `event` and `release`; `audit`, `typed`, `metrics` and `store`):
//!
//! | module | what it holds |
//! |---|---|
//! | [`text`] | the rules of free text (names, titles, reasons) and [`ParseError`](text::ParseError) for names that name nothing |
//! | [`actor`] | who acts: people, their ids and roles, and the limits on each |
//! | [`version`] | release versions and the [`ReleaseKind`] a bump makes |
//! | [`digest`] | SHA-256 digests, and the [`SealKey`](digest::SealKey) that seals a log |
//! | [`health`] | rollback criteria, observations, flags, and the [`Verdict`](health::Verdict) over them |
//! | [`incident`] | production incidents, linked to the release that caused them |
//! | [`checklist`] | templates of items, their gates, and checklists in Markdown |
//! | [`policy`] | who may do what: roles, grants, approvals and change windows |
//! | [`plan`] | what a release is meant to be, and the [`ReleaseBuilder`](plan::ReleaseBuilder) that plans it |
//! | [`roster`] | the people of one release and the roles they hold for it |
//! | [`event`] | the audit log's events |
//! | [`release`] | the state machine, its status, approvals, and reading a stored release back ([`Trust`](release::Trust)) |
//! | [`audit`] | a release's log filtered and rendered for people |
//! | [`typed`] | the compile-time API: one handle per stage |
//! | [`metrics`] | DORA metrics over a history of deployments, with tiers |
//! | `store` | keeping releases: in memory, in files, in PostgreSQL (feature `store`) |
//!
//! The crate re-exports the crates whose types are in its API, so a tool
//! names them without guessing a matching version: [`chrono`] (times and
//! dates), [`chrono_tz`] (the IANA time zones of change windows and
//! reports) and [`semver`] (versions).
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
//! # Errors
//!
//! Each layer of the crate owns its errors, and a function returns its own
//! layer's: [`ReleaseError`] from every operation on a release,
//! [`PlanError`](plan::PlanError) from planning one,
//! [`TemplateError`](checklist::TemplateError) from building a checklist,
//! [`HealthError`](health::HealthError) for criteria and observations,
//! [`MetricsError`](metrics::MetricsError) for reports, `StoreError` from a
//! store, and [`TextError`](text::TextError) and
//! [`ParseError`](text::ParseError) at the bottom, for text and names. An
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
pub mod actor;
pub mod audit;
pub mod checklist;
pub mod digest;
mod error;
pub mod event;
pub mod health;
mod id;
pub mod incident;
mod instant;
mod memo;
pub mod metrics;
pub mod plan;
pub mod policy;
mod progress;
pub mod release;
pub mod roster;
mod stage;
#[cfg(feature = "store")]
pub mod store;
pub mod text;
pub mod typed;
pub mod version;

pub use action::NextAction;
pub use actor::{Actor, PersonId, Role};
pub use checklist::Template;
pub use error::Error;
pub use event::Event;
pub use release::{Release, ReleaseError};
pub use stage::{Gate, Stage};
pub use version::ReleaseKind;

pub use chrono;
pub use chrono_tz;
pub use semver;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
