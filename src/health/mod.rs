//! Release health: rollback criteria, what was observed, and the verdict.
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
//! [`Observation`]s ([`Release::observe`](crate::Release::observe); measured earlier than recorded
//! with [`Release::record_observation`](crate::Release::record_observation); a monitoring export at once with
//! [`Release::record_observations`](crate::Release::record_observations)) and flags ([`Release::raise_flag`](crate::Release::raise_flag));
//! [`Release::verdict`](crate::Release::verdict) judges them, each sample at the time it was measured:
//!
//! - [`Verdict::RollBack`] when a critical criterion tripped: the release
//!   cannot be released (nor verified, under a template that
//!   [checks health on verify](crate::Template::with_health_check_on_verify), as
//!   OctoAcme's does), and [`Release::roll_back_on_criteria`](crate::Release::roll_back_on_criteria) rolls it
//!   back citing the findings;
//! - [`Verdict::Inconclusive`] when a warning tripped or required data is
//!   missing: a person decides with [`Release::accept_risk`](crate::Release::accept_risk), or rolls back;
//! - [`Verdict::Healthy`] otherwise.
//!
//! A criterion in a [dry run](RollbackCriterion::with_dry_run) is judged
//! and reported ([`Release::dry_run_findings`](crate::Release::dry_run_findings)) but never trips; a
//! baseline can come from the service's previous release
//! ([`Release::record_baselines_from`](crate::Release::record_baselines_from)) rather than be typed in.
//!
//! Production [`Incident`](crate::incident::Incident)s are recorded on the release that caused them,
//! even after it is final, and a release can be planned as the remediation
//! of an earlier one's incident: the DORA metrics need both.

mod criterion;
mod error;
mod observation;
mod threshold;
mod value;
mod verdict;

pub use criterion::{
    CriterionId, CriterionKind, MAX_CRITERION_ID_CHARS, RollbackCriterion, Severity, Trigger,
    octoacme_criteria,
};
pub use error::HealthError;
pub use observation::{Observation, ObservationKind, RaisedFlag, RiskDecision};
pub use threshold::{
    Bound, Comparison, MAX_BREACHES_TO_TRIP, MAX_EVALUATION_WINDOW_SECONDS, Threshold, WhenMissing,
};
pub use value::{FiniteF64, MAX_SIGNAL_CHARS, Signal};
pub use verdict::{Breach, Cause, Finding, Missing, Outcome, Verdict};
