//! Release health: rollback criteria, what was observed, and the verdict.

mod criterion;
mod error;
mod observation;
mod value;
mod verdict;

pub use criterion::{
    Bound, Comparison, CriterionId, CriterionKind, MAX_BREACHES_TO_TRIP, MAX_CRITERION_ID_CHARS,
    RollbackCriterion, Severity, Threshold, Trigger, WhenMissing, octoacme_criteria,
};
pub use error::HealthError;
pub use observation::{Observation, ObservationKind, RaisedFlag, RiskDecision};
pub use value::{FiniteF64, MAX_SIGNAL_CHARS, Signal};
pub use verdict::{Breach, Cause, Finding, Missing, Outcome, Verdict};
