//! Judging criteria against what was observed.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::health::criterion::{CriterionId, CriterionKind, RollbackCriterion, Severity, Trigger};
use crate::health::observation::{Observation, ObservationKind, RaisedFlag};
use crate::health::threshold::{Bound, Threshold, WhenMissing};
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
        /// How many breaching samples trip the criterion, by the rule that
        /// tripped it.
        needed: u32,
        /// Whether the rule that tripped it asks for breaches in a row
        /// rather than in total.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        in_a_row: bool,
        /// Where the evaluation window began, for a threshold with one:
        /// samples measured before it were not judged.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<DateTime<Utc>>,
        /// How many samples breached.
        breaching: usize,
        /// How many samples were judged.
        samples: usize,
        /// The breaches that tripped it: the earliest `needed` of them, or
        /// the first run of `needed` in a row.
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
                    Cause::Breached { signal, bound, baseline, needed, in_a_row, tripped_by, .. },
                    Cause::Breached {
                        signal: other_signal,
                        bound: other_bound,
                        baseline: other_baseline,
                        needed: other_needed,
                        in_a_row: other_in_a_row,
                        tripped_by: other_tripped_by,
                        ..
                    },
                ) => {
                    signal == other_signal
                        && bound == other_bound
                        && baseline == other_baseline
                        && needed == other_needed
                        && in_a_row == other_in_a_row
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
    /// The verdict does not depend on the order the observations arrived
    /// in: each is judged at the time it was measured. A threshold counts
    /// breaching samples, finds runs of them in the order they were
    /// measured (samples measured at the same instant in value order),
    /// ends its evaluation window at the newest sample of its signal, and
    /// takes the latest baseline (the highest value, for baselines measured
    /// at the same instant). Dry-run criteria are left out: see
    /// [`dry_run`](Verdict::dry_run).
    ///
    /// ```
    /// use release_workflow::{Template, health::{Observation, Verdict}};
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
        let findings =
            findings(criteria.iter().filter(|criterion| !criterion.is_dry_run()), observations, flags);
        if findings.iter().any(|finding| finding.outcome == Outcome::RollBack) {
            Verdict::RollBack { findings }
        } else if findings.is_empty() {
            Verdict::Healthy
        } else {
            Verdict::Inconclusive { findings }
        }
    }

    /// What the dry-run criteria among `criteria` find, judged as
    /// [`evaluate`](Verdict::evaluate) judges the others: each finding's
    /// outcome is what it would call for, and none of it counts in a
    /// verdict. See [`RollbackCriterion::with_dry_run`].
    pub fn dry_run(
        criteria: &[RollbackCriterion],
        observations: &[Observation],
        flags: &[RaisedFlag],
    ) -> Vec<Finding> {
        findings(criteria.iter().filter(|criterion| criterion.is_dry_run()), observations, flags)
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

/// Each of `criteria` judged: the findings, in criterion order.
fn findings<'a>(
    criteria: impl Iterator<Item = &'a RollbackCriterion>,
    observations: &[Observation],
    flags: &[RaisedFlag],
) -> Vec<Finding> {
    criteria
        .filter_map(|criterion| {
            let (cause, tripped) = match criterion.trigger() {
                Trigger::Flag => {
                    let flag = flags.iter().find(|flag| &flag.criterion == criterion.id())?;
                    let cause =
                        Cause::Flagged { evidence: flag.evidence.clone(), by: flag.by.clone(), at: flag.at };
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
        .collect()
}

/// The order samples were measured in; samples measured at the same
/// instant by value, then source, so that no order of arrival matters.
fn earliest(a: &&Observation, b: &&Observation) -> Ordering {
    a.at().cmp(&b.at()).then(a.value().cmp(&b.value())).then(a.source().cmp(b.source()))
}

/// Judges one threshold: `None` when satisfied, else the cause and whether
/// the criterion tripped (as opposed to lacking data it does not require to
/// trip).
fn judge(threshold: &Threshold, observations: &[Observation]) -> Option<(Cause, bool)> {
    let signal = threshold.signal();
    let of_signal = |kind: ObservationKind| {
        observations
            .iter()
            .filter(move |observation| observation.kind() == kind && observation.signal() == signal)
    };
    let missing = |missing: Missing| match threshold.when_missing() {
        WhenMissing::Ignore => None,
        WhenMissing::Inconclusive => Some((Cause::MissingData { signal: signal.clone(), missing }, false)),
        WhenMissing::Trip => Some((Cause::MissingData { signal: signal.clone(), missing }, true)),
    };
    let (bound, baseline) = match threshold.bound() {
        Bound::Absolute(bound) => (bound, None),
        Bound::TimesBaseline(factor) => {
            let latest = of_signal(ObservationKind::Baseline)
                .max_by(|a, b| a.at().cmp(&b.at()).then(a.value().cmp(&b.value())));
            let Some(baseline) = latest else {
                return missing(Missing::Baseline);
            };
            let product = FiniteF64::saturating(factor.get() * baseline.value().get());
            (product, Some(baseline.value()))
        }
    };
    let mut samples: Vec<&Observation> = of_signal(ObservationKind::Sample).collect();
    let Some(newest) = samples.iter().map(|sample| sample.at()).max() else {
        return missing(Missing::Samples);
    };
    let since = threshold.evaluation_window().map(|window| newest - window);
    if let Some(since) = since {
        samples.retain(|sample| sample.at() >= since);
    }
    let breaches = |sample: &&Observation| threshold.comparison().breaches(sample.value().get(), bound.get());
    let mut breaching: Vec<&Observation> = samples.iter().copied().filter(breaches).collect();
    let breaching_count = breaching.len();
    let as_count = |count: u32| usize::try_from(count).unwrap_or(usize::MAX);
    let total = threshold.breaches_to_trip().map(as_count).filter(|&needed| breaching.len() >= needed);
    let in_a_row =
        threshold.consecutive_breaches_to_trip().map(as_count).filter(|&needed| breaching.len() >= needed);
    let by_total = total.map(|needed| {
        if breaching.len() > needed {
            breaching.select_nth_unstable_by(needed, earliest);
            breaching.truncate(needed);
        }
        breaching.sort_unstable_by(earliest);
        breaching
    });
    let by_run = in_a_row.and_then(|needed| {
        samples.sort_unstable_by(earliest);
        let mut run = 0;
        samples
            .iter()
            .position(|sample| {
                run = if breaches(sample) { run + 1 } else { 0 };
                run == needed
            })
            .and_then(|last| samples.get(last + 1 - needed..=last))
            .map(<[&Observation]>::to_vec)
    });
    // Both rules tripped: the one that tripped first, by when its last
    // breach was measured, is the one the finding cites.
    let (tripped_by, in_a_row) = match (by_total, by_run) {
        (Some(total), Some(run)) => match (total.last(), run.last()) {
            (Some(a), Some(b)) if earliest(b, a) == Ordering::Less => (run, true),
            _ => (total, false),
        },
        (Some(total), None) => (total, false),
        (None, Some(run)) => (run, true),
        (None, None) => return None,
    };
    let needed = u32::try_from(tripped_by.len()).unwrap_or(u32::MAX);
    let tripped_by = tripped_by
        .into_iter()
        .map(|observation| Breach {
            value: observation.value(),
            at: observation.at(),
            source: observation.source().to_owned(),
        })
        .collect();
    let samples = samples.len();
    Some((
        Cause::Breached {
            signal: signal.clone(),
            bound,
            baseline,
            needed,
            in_a_row,
            since,
            breaching: breaching_count,
            samples,
            tripped_by,
        },
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
            Cause::Breached {
                signal,
                bound,
                baseline,
                needed,
                in_a_row,
                since,
                breaching,
                samples,
                tripped_by,
            } => {
                let noun = if *samples == 1 { "sample" } else { "samples" };
                write!(f, "{breaching} of {samples} {signal} {noun}")?;
                if let Some(since) = since {
                    write!(f, " since {}", since.format("%Y-%m-%d %H:%M:%S UTC"))?;
                }
                write!(f, " breached {bound}")?;
                if let Some(baseline) = baseline {
                    write!(f, " (from baseline {baseline})")?;
                }
                let trip = match (*needed, *in_a_row) {
                    (1, false) => "trips",
                    (_, false) => "trip",
                    (_, true) => "in a row trip",
                };
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
