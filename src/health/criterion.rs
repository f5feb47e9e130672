//! Rollback criteria as data: what trips them and how badly.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::health::error::HealthError;
use crate::health::value::{FiniteF64, Signal};
use crate::text::{MAX_TITLE_CHARS, check_line, named_enum};

/// The longest criterion id accepted, in characters.
pub const MAX_CRITERION_ID_CHARS: usize = 100;

/// The most breaching samples a threshold may ask for before it trips.
pub const MAX_BREACHES_TO_TRIP: u32 = 1000;

crate::id::slug_id!(
    /// The stable id of a rollback criterion, such as `error-rate`.
    ///
    /// Same rules as an [`ItemId`](crate::ItemId): dot-separated lowercase
    /// kebab-case slugs, at most [`MAX_CRITERION_ID_CHARS`] characters.
    CriterionId,
    what = "criterion id",
    example = "error-rate",
    max = MAX_CRITERION_ID_CHARS
);

/// Which of the checklist's "When to Rollback" triggers a criterion watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CriterionKind {
    /// "Critical functionality is broken".
    CriticalFunctionalityBroken,
    /// "Security vulnerability introduced".
    SecurityVulnerabilityIntroduced,
    /// "Severe performance degradation".
    SeverePerformanceDegradation,
    /// "Data integrity issues detected".
    DataIntegrityIssues,
    /// "Business-critical flows failing".
    BusinessCriticalFlowsFailing,
    /// A trigger of the team's own.
    Custom,
}

named_enum!(CriterionKind, "criterion kind", {
    CriticalFunctionalityBroken => "critical-functionality-broken",
    SecurityVulnerabilityIntroduced => "security-vulnerability-introduced",
    SeverePerformanceDegradation => "severe-performance-degradation",
    DataIntegrityIssues => "data-integrity-issues",
    BusinessCriticalFlowsFailing => "business-critical-flows-failing",
    Custom => "custom",
});

impl CriterionKind {
    /// The trigger in the checklist's words.
    pub fn describe(self) -> &'static str {
        match self {
            CriterionKind::CriticalFunctionalityBroken => "Critical functionality is broken",
            CriterionKind::SecurityVulnerabilityIntroduced => "Security vulnerability introduced",
            CriterionKind::SeverePerformanceDegradation => "Severe performance degradation",
            CriterionKind::DataIntegrityIssues => "Data integrity issues detected",
            CriterionKind::BusinessCriticalFlowsFailing => "Business-critical flows failing",
            CriterionKind::Custom => "Custom trigger",
        }
    }
}

/// How bad it is when a criterion trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The release must be rolled back: the verdict is `RollBack`.
    Critical,
    /// A person must look: the verdict is `Inconclusive` until someone
    /// decides.
    Warning,
}

named_enum!(Severity, "severity", {
    Critical => "critical",
    Warning => "warning",
});

/// Which side of the bound is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// A value strictly above the bound breaches it.
    Above,
    /// A value strictly below the bound breaches it.
    Below,
}

named_enum!(Comparison, "comparison", {
    Above => "above",
    Below => "below",
});

impl Comparison {
    /// Whether `value` breaches `bound`. A value exactly on the bound does
    /// not.
    pub fn breaches(self, value: f64, bound: f64) -> bool {
        match self {
            Comparison::Above => value > bound,
            Comparison::Below => value < bound,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }
}

/// What a signal is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bound {
    /// A fixed value: `error_rate > 0.05`.
    Absolute(FiniteF64),
    /// A multiple of the signal's baseline, recorded before the release
    /// went out: `latency_p95_ms > 1.5 × baseline`. The factor is positive.
    TimesBaseline(FiniteF64),
}

/// What a threshold's verdict is when it has no data to judge: no sample of
/// its signal, or (for a baseline bound) no baseline.
///
/// The idea is Kayenta's "must have data": a metric that must report is not
/// healthy because it is silent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum WhenMissing {
    /// No data is no problem.
    Ignore,
    /// No data makes the verdict `Inconclusive`: a person decides.
    #[default]
    Inconclusive,
    /// No data trips the criterion, as a breach would.
    Trip,
}

named_enum!(WhenMissing, "when missing", {
    Ignore => "ignore",
    Inconclusive => "inconclusive",
    Trip => "trip",
});

/// A bound on a named signal, and how many breaching samples trip it.
///
/// ```
/// use release_workflow::{Threshold, WhenMissing};
///
/// let errors = Threshold::above("error_rate", 0.05)?.with_breaches_to_trip(2)?;
/// let latency = Threshold::above_baseline("latency_p95_ms", 1.5)?.with_when_missing(WhenMissing::Ignore);
/// assert_eq!(errors.to_string(), "error_rate > 0.05 (2 samples trip it)");
/// assert_eq!(latency.to_string(), "latency_p95_ms > 1.5 × baseline (1 sample trips it)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ThresholdFields")]
pub struct Threshold {
    signal: Signal,
    comparison: Comparison,
    bound: Bound,
    breaches_to_trip: u32,
    when_missing: WhenMissing,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdFields {
    signal: Signal,
    comparison: Comparison,
    bound: Bound,
    #[serde(default = "one")]
    breaches_to_trip: u32,
    #[serde(default)]
    when_missing: WhenMissing,
}

fn one() -> u32 {
    1
}

impl TryFrom<ThresholdFields> for Threshold {
    type Error = HealthError;

    fn try_from(fields: ThresholdFields) -> Result<Self, HealthError> {
        let threshold = Threshold {
            signal: fields.signal,
            comparison: fields.comparison,
            bound: fields.bound,
            breaches_to_trip: fields.breaches_to_trip,
            when_missing: fields.when_missing,
        };
        threshold.validate()?;
        Ok(threshold)
    }
}

impl Threshold {
    /// A threshold with every part given; see the shorter constructors.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidThreshold`] for a baseline factor that is not
    /// positive, or a breach count outside 1 to [`MAX_BREACHES_TO_TRIP`].
    pub fn new(
        signal: Signal,
        comparison: Comparison,
        bound: Bound,
        breaches_to_trip: u32,
        when_missing: WhenMissing,
    ) -> Result<Threshold, HealthError> {
        let threshold = Threshold { signal, comparison, bound, breaches_to_trip, when_missing };
        threshold.validate()?;
        Ok(threshold)
    }

    /// Trips when `signal` is strictly above `bound`; one breaching sample
    /// trips it, and missing data is inconclusive.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidSignal`] or [`HealthError::NotFinite`].
    pub fn above(signal: &str, bound: f64) -> Result<Threshold, HealthError> {
        Threshold::simple(signal, Comparison::Above, Bound::Absolute(FiniteF64::new(bound)?))
    }

    /// Trips when `signal` is strictly below `bound`.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidSignal`] or [`HealthError::NotFinite`].
    pub fn below(signal: &str, bound: f64) -> Result<Threshold, HealthError> {
        Threshold::simple(signal, Comparison::Below, Bound::Absolute(FiniteF64::new(bound)?))
    }

    /// Trips when `signal` is strictly above `factor` times its baseline.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidSignal`], [`HealthError::NotFinite`], or
    /// [`HealthError::InvalidThreshold`] for a factor that is not positive.
    pub fn above_baseline(signal: &str, factor: f64) -> Result<Threshold, HealthError> {
        Threshold::simple(signal, Comparison::Above, Bound::TimesBaseline(FiniteF64::new(factor)?))
    }

    /// Trips when `signal` is strictly below `factor` times its baseline.
    ///
    /// # Errors
    ///
    /// As [`above_baseline`](Threshold::above_baseline).
    pub fn below_baseline(signal: &str, factor: f64) -> Result<Threshold, HealthError> {
        Threshold::simple(signal, Comparison::Below, Bound::TimesBaseline(FiniteF64::new(factor)?))
    }

    fn simple(signal: &str, comparison: Comparison, bound: Bound) -> Result<Threshold, HealthError> {
        Threshold::new(Signal::parse(signal)?, comparison, bound, 1, WhenMissing::default())
    }

    /// The same threshold, tripping only once `count` samples breach it
    /// (Argo Rollouts' failure limit, counted as the breach that trips:
    /// Argo's `failureLimit: n` is `breaches_to_trip(n + 1)`).
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidThreshold`] for a count outside 1 to
    /// [`MAX_BREACHES_TO_TRIP`].
    pub fn with_breaches_to_trip(mut self, count: u32) -> Result<Threshold, HealthError> {
        self.breaches_to_trip = count;
        self.validate()?;
        Ok(self)
    }

    /// The same threshold, with `policy` for missing data.
    #[must_use]
    pub fn with_when_missing(mut self, policy: WhenMissing) -> Threshold {
        self.when_missing = policy;
        self
    }

    fn validate(&self) -> Result<(), HealthError> {
        let problem = if !(1..=MAX_BREACHES_TO_TRIP).contains(&self.breaches_to_trip) {
            format!("asks for {} breaching samples; give 1 to {MAX_BREACHES_TO_TRIP}", self.breaches_to_trip)
        } else if matches!(self.bound, Bound::TimesBaseline(factor) if factor.get() <= 0.0) {
            "has a baseline factor that is not positive; give a factor above 0, such as 1.5".to_owned()
        } else {
            return Ok(());
        };
        Err(HealthError::InvalidThreshold { signal: self.signal.to_string(), problem })
    }

    /// The signal it watches.
    pub fn signal(&self) -> &Signal {
        &self.signal
    }

    /// Which side of the bound is bad.
    pub fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// What the signal is compared with.
    pub fn bound(&self) -> Bound {
        self.bound
    }

    /// How many breaching samples trip it.
    pub fn breaches_to_trip(&self) -> u32 {
        self.breaches_to_trip
    }

    /// What missing data means.
    pub fn when_missing(&self) -> WhenMissing {
        self.when_missing
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.signal, self.comparison.symbol())?;
        match self.bound {
            Bound::Absolute(value) => write!(f, "{value}")?,
            Bound::TimesBaseline(factor) => write!(f, "{factor} × baseline")?,
        }
        match self.breaches_to_trip {
            1 => f.write_str(" (1 sample trips it)"),
            count => write!(f, " ({count} samples trip it)"),
        }
    }
}

/// What trips a criterion: a flag a person raises, or a threshold on a
/// signal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// Trips while someone has raised it, with evidence, and nobody has
    /// cleared it.
    Flag,
    /// Trips when enough samples of a signal breach a bound.
    Threshold(Threshold),
}

/// One rollback criterion: a trigger of the checklist's "When to Rollback",
/// held as data.
///
/// ```
/// use release_workflow::{CriterionKind, RollbackCriterion, Severity, Threshold};
///
/// let errors = RollbackCriterion::threshold(
///     "error-rate",
///     "Error rate above 5%",
///     CriterionKind::CriticalFunctionalityBroken,
///     Threshold::above("error_rate", 0.05)?.with_breaches_to_trip(2)?,
///     Severity::Critical,
/// )?;
/// let cve = RollbackCriterion::flag(
///     "security-vulnerability",
///     "Security vulnerability introduced",
///     CriterionKind::SecurityVulnerabilityIntroduced,
///     Severity::Critical,
/// )?;
/// assert_eq!(errors.id().as_str(), "error-rate");
/// assert!(cve.as_threshold().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "CriterionFields")]
pub struct RollbackCriterion {
    id: CriterionId,
    title: String,
    kind: CriterionKind,
    trigger: Trigger,
    severity: Severity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionFields {
    id: CriterionId,
    title: String,
    kind: CriterionKind,
    trigger: Trigger,
    severity: Severity,
}

impl TryFrom<CriterionFields> for RollbackCriterion {
    type Error = HealthError;

    fn try_from(fields: CriterionFields) -> Result<Self, HealthError> {
        RollbackCriterion::new(fields.id, fields.title, fields.kind, fields.trigger, fields.severity)
    }
}

impl RollbackCriterion {
    /// A criterion from its parts.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidCriterion`] for a title that is not one trimmed line
    /// of at most [`MAX_TITLE_CHARS`] characters.
    pub fn new(
        id: CriterionId,
        title: impl Into<String>,
        kind: CriterionKind,
        trigger: Trigger,
        severity: Severity,
    ) -> Result<RollbackCriterion, HealthError> {
        let title = title.into();
        check_line("title", &title, MAX_TITLE_CHARS).map_err(|error| HealthError::InvalidCriterion {
            criterion: id.to_string(),
            problem: error.to_string(),
        })?;
        Ok(RollbackCriterion { id, title, kind, trigger, severity })
    }

    /// A criterion tripped by a threshold.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidId`](crate::text::TextError::InvalidId) or [`HealthError::InvalidCriterion`].
    pub fn threshold(
        id: &str,
        title: &str,
        kind: CriterionKind,
        threshold: Threshold,
        severity: Severity,
    ) -> Result<RollbackCriterion, HealthError> {
        RollbackCriterion::new(CriterionId::parse(id)?, title, kind, Trigger::Threshold(threshold), severity)
    }

    /// A criterion tripped by a flag that a person raises.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidId`](crate::text::TextError::InvalidId) or [`HealthError::InvalidCriterion`].
    pub fn flag(
        id: &str,
        title: &str,
        kind: CriterionKind,
        severity: Severity,
    ) -> Result<RollbackCriterion, HealthError> {
        RollbackCriterion::new(CriterionId::parse(id)?, title, kind, Trigger::Flag, severity)
    }

    /// The criterion's stable id.
    pub fn id(&self) -> &CriterionId {
        &self.id
    }

    /// What it watches, in a person's words.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Which checklist trigger it implements.
    pub fn kind(&self) -> CriterionKind {
        self.kind
    }

    /// What trips it.
    pub fn trigger(&self) -> &Trigger {
        &self.trigger
    }

    /// Its threshold, unless it is a flag.
    pub fn as_threshold(&self) -> Option<&Threshold> {
        match &self.trigger {
            Trigger::Threshold(threshold) => Some(threshold),
            Trigger::Flag => None,
        }
    }

    /// How bad it is when it trips.
    pub fn severity(&self) -> Severity {
        self.severity
    }
}

impl fmt::Display for RollbackCriterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"{}\" [{}, {}]: ", self.id, self.title, self.kind, self.severity)?;
        match &self.trigger {
            Trigger::Flag => f.write_str("raised by a person"),
            Trigger::Threshold(threshold) => write!(f, "{threshold}"),
        }
    }
}

/// The rollback criteria of [`Template::octoacme`](crate::Template::octoacme),
/// one per trigger of the checklist's "When to Rollback":
///
/// | id | trigger | rule | severity |
/// |---|---|---|---|
/// | `error-rate` | critical functionality broken | `error_rate > 0.05` (a fraction of requests), 2 samples, missing data inconclusive | critical |
/// | `security-vulnerability` | security vulnerability introduced | a flag, raised with evidence (a CVE, a scanner finding) | critical |
/// | `latency-p95` | severe performance degradation | `latency_p95_ms > 1.5 × baseline`, 3 samples, missing data inconclusive | critical |
/// | `data-integrity` | data integrity issues detected | a flag, raised with evidence (a failed reconciliation) | critical |
/// | `critical-flow-failures` | business-critical flows failing | `critical_flow_failures > 0` (failed synthetic checks of checkout, sign-in ...), 1 sample, missing data inconclusive | critical |
///
/// Two breaching error-rate samples and three latency samples keep a single
/// noisy scrape from rolling a release back; a single failed critical flow is
/// enough. Missing data is inconclusive rather than healthy: a release whose
/// monitoring is silent has not shown that it is healthy.
#[allow(clippy::expect_used, reason = "constants, checked by the unit tests; no caller input reaches them")]
pub fn octoacme_criteria() -> Vec<RollbackCriterion> {
    use CriterionKind::*;
    let built = [
        Threshold::above("error_rate", 0.05).and_then(|t| t.with_breaches_to_trip(2)).and_then(|t| {
            RollbackCriterion::threshold(
                "error-rate",
                "Error rate above 5%",
                CriticalFunctionalityBroken,
                t,
                Severity::Critical,
            )
        }),
        RollbackCriterion::flag(
            "security-vulnerability",
            "Security vulnerability introduced",
            SecurityVulnerabilityIntroduced,
            Severity::Critical,
        ),
        Threshold::above_baseline("latency_p95_ms", 1.5).and_then(|t| t.with_breaches_to_trip(3)).and_then(
            |t| {
                RollbackCriterion::threshold(
                    "latency-p95",
                    "p95 latency above 1.5 × its baseline",
                    SeverePerformanceDegradation,
                    t,
                    Severity::Critical,
                )
            },
        ),
        RollbackCriterion::flag(
            "data-integrity",
            "Data integrity issues detected",
            DataIntegrityIssues,
            Severity::Critical,
        ),
        Threshold::above("critical_flow_failures", 0.0).and_then(|t| {
            RollbackCriterion::threshold(
                "critical-flow-failures",
                "A business-critical flow failed its check",
                BusinessCriticalFlowsFailing,
                t,
                Severity::Critical,
            )
        }),
    ];
    built.into_iter().collect::<Result<_, _>>().expect("the built-in OctoAcme criteria are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_criteria_cover_the_five_triggers() {
        let kinds: Vec<CriterionKind> = octoacme_criteria().iter().map(RollbackCriterion::kind).collect();
        assert_eq!(kinds.len(), 5);
        for kind in CriterionKind::ALL.iter().filter(|kind| **kind != CriterionKind::Custom) {
            assert!(kinds.contains(kind), "{kind} has no criterion");
        }
    }
}
