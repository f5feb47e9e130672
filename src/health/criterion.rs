//! Rollback criteria as data: what trips them and how badly.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::health::error::HealthError;
use crate::health::threshold::Threshold;
use crate::text::{MAX_TITLE_CHARS, check_line, named_enum};

/// The longest criterion id accepted, in characters.
pub const MAX_CRITERION_ID_CHARS: usize = 100;

crate::id::slug_id!(
    /// The stable id of a rollback criterion, such as `error-rate`.
    ///
    /// Same rules as an [`ItemId`](crate::checklist::ItemId): dot-separated lowercase
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
/// use release_workflow::health::{CriterionKind, RollbackCriterion, Severity, Threshold};
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
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    dry_run: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionFields {
    id: CriterionId,
    title: String,
    kind: CriterionKind,
    trigger: Trigger,
    severity: Severity,
    #[serde(default)]
    dry_run: bool,
}

impl TryFrom<CriterionFields> for RollbackCriterion {
    type Error = HealthError;

    fn try_from(fields: CriterionFields) -> Result<Self, HealthError> {
        let criterion =
            RollbackCriterion::new(fields.id, fields.title, fields.kind, fields.trigger, fields.severity)?;
        Ok(criterion.with_dry_run(fields.dry_run))
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
        Ok(RollbackCriterion { id, title, kind, trigger, severity, dry_run: false })
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

    /// The same criterion, judged in a dry run when `dry_run` is true
    /// (Argo Rollouts' `dryRun`): its findings are reported
    /// ([`Verdict::dry_run`](crate::health::Verdict::dry_run),
    /// [`Release::dry_run_findings`](crate::Release::dry_run_findings)) but
    /// never trip it, so a team can try a new criterion on real releases
    /// before it can roll one back.
    ///
    /// ```
    /// use release_workflow::health::{CriterionKind, Observation, RollbackCriterion, Severity, Threshold, Verdict};
    ///
    /// let trial = RollbackCriterion::threshold(
    ///     "saturation",
    ///     "CPU saturation above 90%",
    ///     CriterionKind::SeverePerformanceDegradation,
    ///     Threshold::above("cpu_saturation", 0.9)?,
    ///     Severity::Critical,
    /// )?
    /// .with_dry_run(true);
    /// let at: chrono::DateTime<chrono::Utc> = "2026-11-30T10:00:00Z".parse()?;
    /// let hot = [Observation::sample("cpu_saturation", 0.97, "prometheus", at)?];
    /// let criteria = [trial];
    /// assert!(Verdict::evaluate(&criteria, &hot, &[]).is_healthy());
    /// assert_eq!(Verdict::dry_run(&criteria, &hot, &[]).len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_dry_run(mut self, dry_run: bool) -> RollbackCriterion {
        self.dry_run = dry_run;
        self
    }

    /// Whether it is judged in a dry run: reported, never tripping.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }
}

impl fmt::Display for RollbackCriterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dry_run = if self.dry_run { ", dry run" } else { "" };
        write!(f, "{} \"{}\" [{}, {}{dry_run}]: ", self.id, self.title, self.kind, self.severity)?;
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
