//! What the health layer refuses: thresholds, criteria, observations and
//! incidents that cannot be judged.

use crate::text::TextError;

/// A rollback criterion, threshold, observation or incident the crate
/// refuses, naming the criterion, signal or incident at fault.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// A number that is NaN or infinite.
    #[error("{value} is not a finite number: give a real measurement")]
    NotFinite {
        /// The value given.
        value: String,
    },

    /// A malformed signal name.
    #[error("the signal name \"{signal}\" {problem}: use names such as `error_rate` or `latency_p95_ms`")]
    InvalidSignal {
        /// The name given, shortened.
        signal: String,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// A threshold that cannot be judged.
    #[error("the threshold on {signal} {problem}")]
    InvalidThreshold {
        /// Its signal.
        signal: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A rollback criterion that cannot be judged.
    #[error("rollback criterion `{criterion}` {problem}")]
    InvalidCriterion {
        /// The criterion's id.
        criterion: String,
        /// What is wrong with it.
        problem: String,
    },

    /// An incident whose times contradict each other.
    #[error("incident `{incident}` {problem}")]
    InvalidIncident {
        /// The incident's id.
        incident: String,
        /// What is wrong.
        problem: String,
    },

    /// A name, title, source or id that breaks the text rules.
    #[error(transparent)]
    Text(#[from] TextError),
}
