//! The compile-time API: one handle per stage, whose methods are the moves
//! that stage allows.
//!
//! [`Release`] checks every rule when the program runs.
//! Code that drives a release step by step can have the transition table
//! checked when it compiles instead: a [`Planned`] handle has
//! [`freeze`](Planned::freeze) but no `deploy`, a [`Deploying`] handle has
//! [`verify`](Deploying::verify) and [`roll_back`](Deploying::roll_back) but
//! no `release`. The checklist and health rules are still checked when the
//! program runs; a refused move gives the handle back inside [`Refused`], so
//! nothing is lost.
//!
//! ```
//! use release_workflow::typed::{Planned, Refused};
//! # use release_workflow::{Actor, Gate, Release, ReleaseKind, Role};
//! # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
//! # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
//! #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
//! let planned = Planned::try_from(release)?;
//! // Too early: the handle comes back with the reason.
//! let Refused { handle: mut planned, error } = planned.freeze(&ada, t0).unwrap_err();
//! println!("{error}");
//! for id in planned.open_items(Gate::Freeze) {
//!     planned.complete(&id, &ada, t0)?;
//! }
//! let frozen = planned.freeze(&ada, t0)?;
//! assert_eq!(frozen.inner().stage(), release_workflow::Stage::Frozen);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Moves the table does not have do not compile. Freezing a released
//! release:
//!
//! ```compile_fail
//! # fn check(released: release_workflow::typed::Released, by: &release_workflow::Actor, at: chrono::DateTime<chrono::Utc>) {
//! let _ = released.freeze(by, at);
//! # }
//! ```
//!
//! Deploying a planned one:
//!
//! ```compile_fail
//! # fn check(planned: release_workflow::typed::Planned, by: &release_workflow::Actor, at: chrono::DateTime<chrono::Utc>) {
//! let _ = planned.deploy(by, at);
//! # }
//! ```
//!
//! Releasing one that is not verified yet:
//!
//! ```compile_fail
//! # fn check(deploying: release_workflow::typed::Deploying, by: &release_workflow::Actor, at: chrono::DateTime<chrono::Utc>) {
//! let _ = deploying.release(by, at);
//! # }
//! ```
//!
//! A release loaded from storage enters the typed world with a `match` on
//! [`AnyStage`], and leaves it with `into_inner`:
//!
//! ```
//! use release_workflow::typed::AnyStage;
//! # use release_workflow::{Actor, Release, ReleaseKind, Role};
//! # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
//! # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
//! #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
//! match AnyStage::from(release) {
//!     AnyStage::Planned(planned) => println!("still planning: {}", planned.inner().version()),
//!     AnyStage::Verifying(verifying) => println!("health: {}", verifying.inner().verdict()),
//!     other => println!("{}", other.into_inner().stage()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, Utc};

use crate::actor::{Actor, PersonId};
use crate::event::Event;
use crate::health::Observation;
use crate::incident::Incident;
use crate::plan::Change;
use crate::release::{Release, ReleaseError};
use crate::stage::{Gate, Stage};

/// A move that was refused, with the handle it consumed.
///
/// Its `Debug` is short: the handle shows as the release's service,
/// version, stage and event count, not the whole release, so a refusal
/// passed out of `main` with `?` prints a few lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused<H> {
    /// The handle, unchanged.
    pub handle: H,
    /// Why the move was refused.
    pub error: ReleaseError,
}

impl<H> Refused<H> {
    /// The handle and the error.
    pub fn into_parts(self) -> (H, ReleaseError) {
        (self.handle, self.error)
    }
}

impl<H> fmt::Display for Refused<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<H: fmt::Debug> std::error::Error for Refused<H> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A handle asked for a release in another stage: a `Frozen` handle for a
/// release that is `Planned`, say. The release comes back unchanged.
///
/// ```
/// use release_workflow::typed::Frozen;
/// # use release_workflow::{Actor, Release, ReleaseKind, Role, Stage};
/// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
/// let wrong = Frozen::try_from(release).unwrap_err();
/// assert_eq!((wrong.actual(), wrong.wanted()), (Stage::Planned, Stage::Frozen));
/// assert_eq!(
///     wrong.to_string(),
///     "release 2.4.0 is planned, not frozen: take the handle of the stage it is in, or match on its stage"
/// );
/// let release = wrong.into_release();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct WrongStage {
    wanted: Stage,
    release: Box<Release>,
}

impl fmt::Debug for WrongStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrongStage")
            .field("wanted", &self.wanted)
            .field("release", &Summary(&self.release))
            .finish()
    }
}

/// A release in a `Debug` of a few dozen bytes: which release it is and
/// how far it got, never its whole log and checklist.
struct Summary<'a>(&'a Release);

impl fmt::Debug for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Release")
            .field("service", &self.0.service())
            .field("version", &self.0.version().to_string())
            .field("stage", &self.0.stage())
            .field("events", &self.0.events().len())
            .finish_non_exhaustive()
    }
}

impl WrongStage {
    /// The stage the release is in.
    pub fn actual(&self) -> Stage {
        self.release.stage()
    }

    /// The stage of the handle asked for.
    pub fn wanted(&self) -> Stage {
        self.wanted
    }

    /// The release, to read.
    pub fn release(&self) -> &Release {
        &self.release
    }

    /// The release, unchanged.
    pub fn into_release(self) -> Release {
        *self.release
    }
}

impl fmt::Display for WrongStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "release {} is {}, not {}: take the handle of the stage it is in, or match on its stage",
            self.release.version(),
            self.actual(),
            self.wanted
        )
    }
}

impl std::error::Error for WrongStage {}

/// The handles' shared part: the release, and the checklist work allowed in
/// every stage (whether an item can be worked is still checked at run time,
/// by its gate).
macro_rules! handle {
    ($(#[$doc:meta])* $name:ident, $stage:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Box<Release>);

        /// The release's service, version, stage and event count: see
        /// [`inner`](Self::inner) for the rest.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&Summary(&self.0)).finish()
            }
        }

        impl $name {
            /// The stage this handle stands for.
            pub const STAGE: Stage = $stage;

            /// The release, to read.
            pub fn inner(&self) -> &Release {
                &self.0
            }

            /// Leaves the typed world.
            pub fn into_inner(self) -> Release {
                *self.0
            }

            /// The ids of the open items of `gate`, to work through.
            pub fn open_items(&self, gate: Gate) -> Vec<String> {
                self.0.open_items(gate).map(|item| item.id().to_string()).collect()
            }

            /// See [`Release::complete`].
            ///
            /// # Errors
            ///
            /// As [`Release::complete`].
            pub fn complete(&mut self, item: &str, by: &Actor, at: DateTime<Utc>) -> Result<&Event, ReleaseError> {
                self.0.complete(item, by, at)
            }

            /// See [`Release::mark_not_applicable`].
            ///
            /// # Errors
            ///
            /// As [`Release::mark_not_applicable`].
            pub fn mark_not_applicable(
                &mut self,
                item: &str,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.mark_not_applicable(item, reason, by, at)
            }

            /// See [`Release::waive`].
            ///
            /// # Errors
            ///
            /// As [`Release::waive`].
            pub fn waive(
                &mut self,
                item: &str,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.waive(item, reason, by, at)
            }

            /// See [`Release::reopen`].
            ///
            /// # Errors
            ///
            /// As [`Release::reopen`].
            pub fn reopen(
                &mut self,
                item: &str,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.reopen(item, reason, by, at)
            }
        }

        impl TryFrom<Release> for $name {
            type Error = WrongStage;

            /// The handle of a release in this stage; any other release is
            /// given back inside the error.
            fn try_from(release: Release) -> Result<Self, WrongStage> {
                if release.stage() == $stage {
                    Ok($name(Box::new(release)))
                } else {
                    Err(WrongStage { wanted: $stage, release: Box::new(release) })
                }
            }
        }

        impl From<$name> for Release {
            fn from(handle: $name) -> Release {
                *handle.0
            }
        }
    };
}

/// Health work, for the stages a release is watched in.
macro_rules! watched {
    ($name:ident) => {
        impl $name {
            /// See [`Release::observe`].
            ///
            /// # Errors
            ///
            /// As [`Release::observe`].
            pub fn observe(
                &mut self,
                signal: &str,
                value: f64,
                source: &str,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.observe(signal, value, source, by, at)
            }

            /// See [`Release::record_observation`].
            ///
            /// # Errors
            ///
            /// As [`Release::record_observation`].
            pub fn record_observation(
                &mut self,
                observation: Observation,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.record_observation(observation, by, at)
            }

            /// See [`Release::record_observations`].
            ///
            /// # Errors
            ///
            /// As [`Release::record_observations`].
            pub fn record_observations(
                &mut self,
                observations: impl IntoIterator<Item = Observation>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.record_observations(observations, by, at)
            }

            /// See [`Release::raise_flag`].
            ///
            /// # Errors
            ///
            /// As [`Release::raise_flag`].
            pub fn raise_flag(
                &mut self,
                criterion: &str,
                evidence: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.raise_flag(criterion, evidence, by, at)
            }

            /// See [`Release::clear_flag`].
            ///
            /// # Errors
            ///
            /// As [`Release::clear_flag`].
            pub fn clear_flag(
                &mut self,
                criterion: &str,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.clear_flag(criterion, reason, by, at)
            }

            /// Rolls the release back on `by`'s decision; see
            /// [`Release::roll_back`].
            ///
            /// # Errors
            ///
            /// As [`Release::roll_back`], with the handle given back.
            pub fn roll_back(
                self,
                why: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<RolledBack, Refused<Self>> {
                self.step(|release| release.roll_back(why, by, at).map(drop), RolledBack)
            }

            /// Rolls the release back citing its tripped criteria; see
            /// [`Release::roll_back_on_criteria`].
            ///
            /// # Errors
            ///
            /// As [`Release::roll_back_on_criteria`], with the handle given
            /// back.
            pub fn roll_back_on_criteria(
                self,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<RolledBack, Refused<Self>> {
                self.step(|release| release.roll_back_on_criteria(by, at).map(drop), RolledBack)
            }
        }
    };
}

/// Incident work, from `Deploying` on, final stages included.
macro_rules! incidents {
    ($name:ident) => {
        impl $name {
            /// See [`Release::open_incident`].
            ///
            /// # Errors
            ///
            /// As [`Release::open_incident`].
            pub fn open_incident(
                &mut self,
                incident: Incident,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.open_incident(incident, by, at)
            }

            /// See [`Release::resolve_incident`].
            ///
            /// # Errors
            ///
            /// As [`Release::resolve_incident`].
            pub fn resolve_incident(
                &mut self,
                incident: &str,
                resolved_at: DateTime<Utc>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.resolve_incident(incident, resolved_at, by, at)
            }
        }
    };
}

/// Moves that consume a handle: on success the next handle, on refusal the
/// same handle back with the error. The release is unchanged on refusal,
/// as every refused operation leaves it.
macro_rules! stepping {
    ($name:ident) => {
        impl $name {
            fn step<N>(
                mut self,
                operation: impl FnOnce(&mut Release) -> Result<(), ReleaseError>,
                next: impl FnOnce(Box<Release>) -> N,
            ) -> Result<N, Refused<Self>> {
                match operation(&mut self.0) {
                    Ok(()) => Ok(next(self.0)),
                    Err(error) => Err(Refused { handle: self, error }),
                }
            }
        }
    };
}

/// Roster changes and moves to another checklist version, for every
/// stage but a rollback's.
macro_rules! staffing {
    ($name:ident) => {
        impl $name {
            /// Adds someone to the roster; see [`Release::add_member`].
            ///
            /// # Errors
            ///
            /// As [`Release::add_member`].
            pub fn add_member(
                &mut self,
                member: Actor,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.add_member(member, reason, by, at)
            }

            /// Hands a role over; see [`Release::hand_over`].
            ///
            /// # Errors
            ///
            /// As [`Release::hand_over`].
            pub fn hand_over(
                &mut self,
                from: &PersonId,
                to: Actor,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.hand_over(from, to, reason, by, at)
            }

            /// Moves the release to another checklist version; see
            /// [`Release::move_to_checklist`].
            ///
            /// # Errors
            ///
            /// As [`Release::move_to_checklist`].
            pub fn move_to_checklist(
                &mut self,
                checklist: &crate::checklist::Template,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.move_to_checklist(checklist, reason, by, at)
            }

            /// Removes someone from the roster; see
            /// [`Release::remove_member`].
            ///
            /// # Errors
            ///
            /// As [`Release::remove_member`].
            pub fn remove_member(
                &mut self,
                person: &PersonId,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.remove_member(person, reason, by, at)
            }
        }
    };
}

/// Approvals for the gate the handle's release passes next: the gate is
/// the handle's to name, so a call cannot approve the wrong one.
macro_rules! approving {
    ($name:ident, $gate:expr) => {
        impl $name {
            #[doc = concat!("Approves passing the ", stringify!($gate), " gate; see [`Release::approve`].")]
            ///
            /// # Errors
            ///
            /// As [`Release::approve`].
            pub fn approve(&mut self, by: &Actor, at: DateTime<Utc>) -> Result<&Event, ReleaseError> {
                self.0.approve($gate, by, at)
            }

            /// What the gate passed next still needs approved; see
            /// [`Release::approvals_needed`].
            pub fn approvals_needed(&self) -> Option<crate::release::ApprovalsNeeded> {
                self.0.approvals_needed($gate)
            }
        }
    };
}

/// Overrides of change windows, recorded before the release deploys.
macro_rules! overriding {
    ($name:ident) => {
        impl $name {
            /// Overrides a change window; see [`Release::override_window`].
            ///
            /// # Errors
            ///
            /// As [`Release::override_window`].
            pub fn override_window(
                &mut self,
                window: &str,
                reason: impl Into<String>,
                by: &Actor,
                at: DateTime<Utc>,
            ) -> Result<&Event, ReleaseError> {
                self.0.override_window(window, reason, by, at)
            }
        }
    };
}

handle!(
    /// A release being planned: scope, people, changes.
    Planned,
    Stage::Planned
);
handle!(
    /// A release whose code is frozen.
    Frozen,
    Stage::Frozen
);
handle!(
    /// A release being deployed.
    Deploying,
    Stage::Deploying
);
handle!(
    /// A release in production, being verified.
    Verifying,
    Stage::Verifying
);
handle!(
    /// A released release: post-release work, or a rollback inside the
    /// monitoring window.
    Released,
    Stage::Released
);
handle!(
    /// A rolled-back release: the rollback checklist.
    RolledBack,
    Stage::RolledBack
);

stepping!(Planned);
stepping!(Frozen);
stepping!(Deploying);
stepping!(Verifying);
stepping!(Released);
staffing!(Planned);
staffing!(Frozen);
staffing!(Deploying);
staffing!(Verifying);
staffing!(Released);
watched!(Deploying);
watched!(Verifying);
watched!(Released);
incidents!(Deploying);
incidents!(Verifying);
incidents!(Released);
incidents!(RolledBack);
approving!(Planned, Gate::Freeze);
approving!(Frozen, Gate::Deploy);
approving!(Deploying, Gate::Verify);
approving!(Verifying, Gate::Release);
overriding!(Planned);
overriding!(Frozen);

impl Planned {
    /// Adds a change; see [`Release::add_change`].
    ///
    /// # Errors
    ///
    /// As [`Release::add_change`].
    pub fn add_change(
        &mut self,
        change: Change,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.0.add_change(change, by, at)
    }

    /// Freezes the release once every `Freeze` item is settled.
    ///
    /// # Errors
    ///
    /// As [`Release::advance_to`], with the handle given back.
    pub fn freeze(self, by: &Actor, at: DateTime<Utc>) -> Result<Frozen, Refused<Planned>> {
        self.step(|release| release.advance_to(Stage::Frozen, by, at).map(drop), Frozen)
    }
}

impl Frozen {
    /// Starts deploying once every `Deploy` item is settled.
    ///
    /// # Errors
    ///
    /// As [`Release::advance_to`], with the handle given back.
    pub fn deploy(self, by: &Actor, at: DateTime<Utc>) -> Result<Deploying, Refused<Frozen>> {
        self.step(|release| release.advance_to(Stage::Deploying, by, at).map(drop), Deploying)
    }

    /// Records a baseline; see [`Release::record_baseline`].
    ///
    /// # Errors
    ///
    /// As [`Release::record_baseline`].
    pub fn record_baseline(
        &mut self,
        signal: &str,
        value: f64,
        source: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.0.record_baseline(signal, value, source, by, at)
    }

    /// Records baselines from the service's previous release; see
    /// [`Release::record_baselines_from`].
    ///
    /// # Errors
    ///
    /// As [`Release::record_baselines_from`].
    pub fn record_baselines_from(
        &mut self,
        previous: &Release,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.0.record_baselines_from(previous, by, at)
    }
}

impl Deploying {
    /// Moves to verification once every `Verify` item is settled.
    ///
    /// # Errors
    ///
    /// As [`Release::advance_to`], with the handle given back.
    pub fn verify(self, by: &Actor, at: DateTime<Utc>) -> Result<Verifying, Refused<Deploying>> {
        self.step(|release| release.advance_to(Stage::Verifying, by, at).map(drop), Verifying)
    }
}

impl Verifying {
    /// Releases once every `Release` item is settled and the health allows
    /// it.
    ///
    /// # Errors
    ///
    /// As [`Release::advance_to`], with the handle given back.
    pub fn release(self, by: &Actor, at: DateTime<Utc>) -> Result<Released, Refused<Verifying>> {
        self.step(|release| release.advance_to(Stage::Released, by, at).map(drop), Released)
    }

    /// Accepts the risk of inconclusive findings; see
    /// [`Release::accept_risk`].
    ///
    /// # Errors
    ///
    /// As [`Release::accept_risk`].
    pub fn accept_risk(
        &mut self,
        why: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.0.accept_risk(why, by, at)
    }
}

/// A release in the typed world, whatever its stage: `match` on it to get
/// the handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyStage {
    /// Being planned.
    Planned(Planned),
    /// Frozen.
    Frozen(Frozen),
    /// Deploying.
    Deploying(Deploying),
    /// Verifying.
    Verifying(Verifying),
    /// Released.
    Released(Released),
    /// Rolled back.
    RolledBack(RolledBack),
}

impl From<Release> for AnyStage {
    fn from(release: Release) -> AnyStage {
        let boxed = Box::new(release);
        match boxed.stage() {
            Stage::Planned => AnyStage::Planned(Planned(boxed)),
            Stage::Frozen => AnyStage::Frozen(Frozen(boxed)),
            Stage::Deploying => AnyStage::Deploying(Deploying(boxed)),
            Stage::Verifying => AnyStage::Verifying(Verifying(boxed)),
            Stage::Released => AnyStage::Released(Released(boxed)),
            Stage::RolledBack => AnyStage::RolledBack(RolledBack(boxed)),
        }
    }
}

impl AnyStage {
    /// The release, whatever its stage.
    pub fn inner(&self) -> &Release {
        match self {
            AnyStage::Planned(handle) => handle.inner(),
            AnyStage::Frozen(handle) => handle.inner(),
            AnyStage::Deploying(handle) => handle.inner(),
            AnyStage::Verifying(handle) => handle.inner(),
            AnyStage::Released(handle) => handle.inner(),
            AnyStage::RolledBack(handle) => handle.inner(),
        }
    }

    /// Leaves the typed world.
    pub fn into_inner(self) -> Release {
        match self {
            AnyStage::Planned(handle) => handle.into_inner(),
            AnyStage::Frozen(handle) => handle.into_inner(),
            AnyStage::Deploying(handle) => handle.into_inner(),
            AnyStage::Verifying(handle) => handle.into_inner(),
            AnyStage::Released(handle) => handle.into_inner(),
            AnyStage::RolledBack(handle) => handle.into_inner(),
        }
    }
}

impl From<AnyStage> for Release {
    fn from(any: AnyStage) -> Release {
        any.into_inner()
    }
}
