//! Release health: rollback criteria, what was observed, and the verdict.

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
