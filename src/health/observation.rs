//! What is recorded about a release's health: signal values and flags.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::health::criterion::CriterionId;
use crate::health::error::HealthError;
use crate::health::value::{FiniteF64, Signal};
use crate::text::{MAX_NAME_CHARS, check_line, named_enum};

/// Whether an observation is a sample to judge or the baseline to judge
/// samples against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ObservationKind {
    /// A value measured while the release is out.
    #[default]
    Sample,
    /// The value before the release, for thresholds relative to a baseline.
    Baseline,
}

named_enum!(ObservationKind, "observation kind", {
    Sample => "sample",
    Baseline => "baseline",
});

/// A signal's value at a time, from a source.
///
/// ```
/// use release_workflow::health::Observation;
///
/// let at: chrono::DateTime<chrono::Utc> = "2026-11-30T10:00:00Z".parse()?;
/// let sample = Observation::sample("error_rate", 0.012, "prometheus", at)?;
/// assert_eq!(sample.value().get(), 0.012);
/// assert!(Observation::sample("error_rate", f64::NAN, "prometheus", at).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ObservationFields")]
pub struct Observation {
    signal: Signal,
    value: FiniteF64,
    source: String,
    #[serde(default, skip_serializing_if = "is_sample")]
    kind: ObservationKind,
    at: DateTime<Utc>,
}

fn is_sample(kind: &ObservationKind) -> bool {
    *kind == ObservationKind::Sample
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObservationFields {
    signal: Signal,
    value: FiniteF64,
    source: String,
    #[serde(default)]
    kind: ObservationKind,
    at: DateTime<Utc>,
}

impl TryFrom<ObservationFields> for Observation {
    type Error = HealthError;

    fn try_from(fields: ObservationFields) -> Result<Self, HealthError> {
        Observation::new(fields.signal, fields.value, fields.source, fields.kind, fields.at)
    }
}

impl Observation {
    /// An observation from checked parts.
    ///
    /// # Errors
    ///
    /// [`HealthError::Text`] for a source that is not one trimmed line of
    /// at most [`MAX_NAME_CHARS`] characters.
    pub fn new(
        signal: Signal,
        value: FiniteF64,
        source: impl Into<String>,
        kind: ObservationKind,
        at: DateTime<Utc>,
    ) -> Result<Observation, HealthError> {
        let source = source.into();
        check_line("observation source", &source, MAX_NAME_CHARS)?;
        Ok(Observation { signal, value, source, kind, at })
    }

    /// A sample of `signal`.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidSignal`], [`HealthError::NotFinite`] for NaN or an
    /// infinity, [`HealthError::Text`] for a bad source.
    pub fn sample(
        signal: &str,
        value: f64,
        source: &str,
        at: DateTime<Utc>,
    ) -> Result<Observation, HealthError> {
        Observation::new(Signal::parse(signal)?, FiniteF64::new(value)?, source, ObservationKind::Sample, at)
    }

    /// A baseline of `signal`.
    ///
    /// # Errors
    ///
    /// As [`sample`](Observation::sample).
    pub fn baseline(
        signal: &str,
        value: f64,
        source: &str,
        at: DateTime<Utc>,
    ) -> Result<Observation, HealthError> {
        Observation::new(
            Signal::parse(signal)?,
            FiniteF64::new(value)?,
            source,
            ObservationKind::Baseline,
            at,
        )
    }

    /// The signal observed.
    pub fn signal(&self) -> &Signal {
        &self.signal
    }

    /// Its value.
    pub fn value(&self) -> FiniteF64 {
        self.value
    }

    /// Where the value came from (a monitoring system, a test run).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Sample or baseline.
    pub fn kind(&self) -> ObservationKind {
        self.kind
    }

    /// When it was observed.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }
}

impl fmt::Display for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ObservationKind::Baseline {
            f.write_str("baseline ")?;
        }
        write!(
            f,
            "{} = {} at {} from {}",
            self.signal,
            self.value,
            self.at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.source
        )
    }
}

/// A flag raised on a flag criterion, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RaisedFlag {
    /// The criterion flagged.
    pub criterion: CriterionId,
    /// What shows the problem (a CVE id, a failed reconciliation).
    pub evidence: String,
    /// Who raised it.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
}

/// A person's decision to go ahead despite inconclusive findings.
///
/// It accepts the findings that were inconclusive when it was made, and
/// only those: a criterion that later turns inconclusive, or the same
/// criterion found inconclusive for another cause (tripping on real data
/// after "no data yet" was accepted), needs a decision of its own; no
/// decision overrides a roll-back verdict.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RiskDecision {
    /// The criteria whose findings were accepted.
    pub criteria: Vec<CriterionId>,
    /// The findings accepted, as they were when the decision was made.
    #[serde(default)]
    pub findings: Vec<crate::health::verdict::Finding>,
    /// Why going ahead is right.
    pub why: String,
    /// Who decided.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
}
