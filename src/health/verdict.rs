//! Judging criteria against what was observed.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::health::criterion::{
    Bound, CriterionId, CriterionKind, RollbackCriterion, Severity, Threshold, Trigger, WhenMissing,
};
use crate::health::observation::{Observation, ObservationKind, RaisedFlag};
use crate::health::value::{FiniteF64, Signal};
use crate::text::named_enum;

/// One breaching sample, as a finding cites it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Breach {
    /// The value observed.
    pub value: FiniteF64,
    /// When.
    pub at: DateTime<Utc>,
    /// Where it came from.
    pub source: String,
}

/// Which data a threshold lacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// No sample of the signal was recorded.
    Samples,
    /// The bound is relative to a baseline, and none was recorded.
    Baseline,
}

named_enum!(Missing, "missing data", {
    Samples => "samples",
    Baseline => "baseline",
});

/// Why a criterion produced a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Cause {
    /// Enough samples breached the bound.
    Breached {
        /// The signal.
        signal: Signal,
        /// The bound the samples were compared with (for a baseline bound,
        /// factor × baseline).
        bound: FiniteF64,
        /// The baseline, for a baseline bound.
        baseline: Option<FiniteF64>,
        /// How many breaching samples trip the criterion.
        needed: u32,
        /// How many samples breached.
        breaching: usize,
        /// How many samples were judged.
        samples: usize,
        /// The breaches that tripped it: the earliest `needed` of them.
        tripped_by: Vec<Breach>,
    },
    /// Someone raised the criterion's flag.
    Flagged {
        /// What shows the problem.
        evidence: String,
        /// Who raised it.
        by: Actor,
        /// When.
        at: DateTime<Utc>,
    },
    /// There was nothing to judge.
    MissingData {
        /// The signal.
        signal: Signal,
        /// What was missing.
        missing: Missing,
    },
}

/// What a finding calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// A person must decide.
    Inconclusive,
    /// Roll the release back.
    RollBack,
}

named_enum!(Outcome, "outcome", {
    Inconclusive => "inconclusive",
    RollBack => "roll-back",
});

/// One criterion that is not satisfied, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The criterion.
    pub criterion: CriterionId,
    /// Its title.
    pub title: String,
    /// The checklist trigger it implements.
    pub kind: CriterionKind,
    /// Its severity.
    pub severity: Severity,
    /// What the finding calls for.
    pub outcome: Outcome,
    /// Why.
    pub cause: Cause,
}

impl Finding {
    /// Whether `other` finds the same thing: the same criterion with the
    /// same outcome, for the same cause — the same bound breached by the
    /// same earliest breaches (more samples since do not make it another
    /// finding), the same raised flag, or the same data missing. A risk
    /// decision accepts the findings it was made for, and only those.
    pub fn is_same_finding(&self, other: &Finding) -> bool {
        self.criterion == other.criterion
            && self.outcome == other.outcome
            && match (&self.cause, &other.cause) {
                (
                    Cause::Breached { signal, bound, baseline, needed, tripped_by, .. },
                    Cause::Breached {
                        signal: other_signal,
                        bound: other_bound,
                        baseline: other_baseline,
                        needed: other_needed,
                        tripped_by: other_tripped_by,
                        ..
                    },
                ) => {
                    signal == other_signal
                        && bound == other_bound
                        && baseline == other_baseline
                        && needed == other_needed
                        && tripped_by == other_tripped_by
                }
                (cause @ Cause::Flagged { .. }, other @ Cause::Flagged { .. })
                | (cause @ Cause::MissingData { .. }, other @ Cause::MissingData { .. }) => cause == other,
                _ => false,
            }
    }
}

/// The health of a release: all its criteria judged against what was
/// observed.
///
/// - `RollBack` when a critical criterion tripped (its threshold breached
///   often enough, its flag raised, or, with [`WhenMissing::Trip`], its data
///   missing);
/// - otherwise `Inconclusive` when a warning tripped or required data is
///   missing: a person decides;
/// - otherwise `Healthy`.
///
/// Every finding names its criterion, the values that tripped it and when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing calls for attention.
    Healthy,
    /// Nothing calls for a rollback, but these findings need a person.
    Inconclusive {
        /// Every finding, in criterion order.
        findings: Vec<Finding>,
    },
    /// At least one finding calls for a rollback.
    RollBack {
        /// Every finding, in criterion order; those that call for the
        /// rollback have [`Outcome::RollBack`].
        findings: Vec<Finding>,
    },
}

impl Verdict {
    /// Judges `criteria` against `observations` and the flags raised.
    ///
    /// The verdict does not depend on the order of the observations: a
    /// threshold counts breaching samples, and takes the latest baseline
    /// (the highest value, for baselines recorded at the same instant).
    ///
    /// ```
    /// use release_workflow::{Observation, Template, Verdict};
    ///
    /// let at: chrono::DateTime<chrono::Utc> = "2026-11-30T10:00:00Z".parse()?;
    /// let criteria = Template::octoacme().criteria().to_vec();
    /// let observations = [
    ///     Observation::sample("error_rate", 0.09, "prometheus", at)?,
    ///     Observation::sample("error_rate", 0.11, "prometheus", at)?,
    /// ];
    /// let verdict = Verdict::evaluate(&criteria, &observations, &[]);
    /// assert!(verdict.should_roll_back());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(
        criteria: &[RollbackCriterion],
        observations: &[Observation],
        flags: &[RaisedFlag],
    ) -> Verdict {
        let findings: Vec<Finding> = criteria
            .iter()
            .filter_map(|criterion| {
                let (cause, tripped) = match criterion.trigger() {
                    Trigger::Flag => {
                        let flag = flags.iter().find(|flag| &flag.criterion == criterion.id())?;
                        let cause = Cause::Flagged {
                            evidence: flag.evidence.clone(),
                            by: flag.by.clone(),
                            at: flag.at,
                        };
                        (cause, true)
                    }
                    Trigger::Threshold(threshold) => judge(threshold, observations)?,
                };
                let outcome = match (tripped, criterion.severity()) {
                    (true, Severity::Critical) => Outcome::RollBack,
                    _ => Outcome::Inconclusive,
                };
                Some(Finding {
                    criterion: criterion.id().clone(),
                    title: criterion.title().to_owned(),
                    kind: criterion.kind(),
                    severity: criterion.severity(),
                    outcome,
                    cause,
                })
            })
            .collect();
        if findings.iter().any(|finding| finding.outcome == Outcome::RollBack) {
            Verdict::RollBack { findings }
        } else if findings.is_empty() {
            Verdict::Healthy
        } else {
            Verdict::Inconclusive { findings }
        }
    }

    /// Whether the release should be rolled back.
    pub fn should_roll_back(&self) -> bool {
        matches!(self, Verdict::RollBack { .. })
    }

    /// Whether nothing calls for attention.
    pub fn is_healthy(&self) -> bool {
        matches!(self, Verdict::Healthy)
    }

    /// Every finding; empty when healthy.
    pub fn findings(&self) -> &[Finding] {
        match self {
            Verdict::Healthy => &[],
            Verdict::Inconclusive { findings } | Verdict::RollBack { findings } => findings,
        }
    }
}

/// Judges one threshold: `None` when satisfied, else the cause and whether
/// the criterion tripped (as opposed to lacking data it does not require to
/// trip).
fn judge(threshold: &Threshold, observations: &[Observation]) -> Option<(Cause, bool)> {
    let signal = threshold.signal();
    let of_signal = || observations.iter().filter(move |observation| observation.signal() == signal);
    let missing = |missing: Missing| match threshold.when_missing() {
        WhenMissing::Ignore => None,
        WhenMissing::Inconclusive => Some((Cause::MissingData { signal: signal.clone(), missing }, false)),
        WhenMissing::Trip => Some((Cause::MissingData { signal: signal.clone(), missing }, true)),
    };
    let (bound, baseline) = match threshold.bound() {
        Bound::Absolute(bound) => (bound, None),
        Bound::TimesBaseline(factor) => {
            let latest = of_signal()
                .filter(|observation| observation.kind() == ObservationKind::Baseline)
                .max_by(|a, b| a.at().cmp(&b.at()).then(a.value().cmp(&b.value())));
            let Some(baseline) = latest else {
                return missing(Missing::Baseline);
            };
            let product = FiniteF64::saturating(factor.get() * baseline.value().get());
            (product, Some(baseline.value()))
        }
    };
    let mut samples = 0;
    let mut breaches: Vec<&Observation> = Vec::new();
    for observation in of_signal().filter(|observation| observation.kind() == ObservationKind::Sample) {
        samples += 1;
        if threshold.comparison().breaches(observation.value().get(), bound.get()) {
            breaches.push(observation);
        }
    }
    if samples == 0 {
        return missing(Missing::Samples);
    }
    let needed = threshold.breaches_to_trip();
    let needed_count = usize::try_from(needed).unwrap_or(usize::MAX);
    if breaches.len() < needed_count {
        return None;
    }
    let breaching = breaches.len();
    let earliest = |a: &&Observation, b: &&Observation| -> Ordering {
        a.at().cmp(&b.at()).then(a.value().cmp(&b.value())).then(a.source().cmp(b.source()))
    };
    if breaching > needed_count {
        breaches.select_nth_unstable_by(needed_count, earliest);
        breaches.truncate(needed_count);
    }
    breaches.sort_unstable_by(earliest);
    let tripped_by = breaches
        .into_iter()
        .map(|observation| Breach {
            value: observation.value(),
            at: observation.at(),
            source: observation.source().to_owned(),
        })
        .collect();
    Some((
        Cause::Breached { signal: signal.clone(), bound, baseline, needed, breaching, samples, tripped_by },
        true,
    ))
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = match self.outcome {
            Outcome::RollBack => "roll back",
            Outcome::Inconclusive => "decide",
        };
        write!(f, "{} \"{}\" ({}, {call}): ", self.criterion, self.title, self.severity)?;
        match &self.cause {
            Cause::Breached { signal, bound, baseline, needed, breaching, samples, tripped_by } => {
                let noun = if *samples == 1 { "sample" } else { "samples" };
                write!(f, "{breaching} of {samples} {signal} {noun} breached {bound}")?;
                if let Some(baseline) = baseline {
                    write!(f, " (from baseline {baseline})")?;
                }
                let trip = if *needed == 1 { "trips" } else { "trip" };
                let mut listed: Vec<String> = tripped_by
                    .iter()
                    .take(5)
                    .map(|breach| {
                        format!("{} at {}", breach.value, breach.at.format("%Y-%m-%d %H:%M:%S UTC"))
                    })
                    .collect();
                if tripped_by.len() > 5 {
                    listed.push("…".to_owned());
                }
                write!(f, ", {needed} {trip} it: {}", listed.join("; "))
            }
            Cause::Flagged { evidence, by, at } => {
                write!(f, "flagged by {} at {}: {evidence}", by.name(), at.format("%Y-%m-%d %H:%M:%S UTC"))
            }
            Cause::MissingData { signal, missing: Missing::Samples } => {
                write!(f, "no sample of {signal} recorded")
            }
            Cause::MissingData { signal, missing: Missing::Baseline } => {
                write!(f, "no baseline of {signal} recorded to compare with")
            }
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (label, findings) = match self {
            Verdict::Healthy => return f.write_str("healthy"),
            Verdict::Inconclusive { findings } => ("inconclusive", findings),
            Verdict::RollBack { findings } => ("roll back", findings),
        };
        f.write_str(label)?;
        for finding in findings {
            write!(f, "\n  - {finding}")?;
        }
        Ok(())
    }
}
