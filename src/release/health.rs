//! A release's health: flags, risk decisions, incidents, the verdict and the
//! rollback it justifies (recording observations is in `observe`).

use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::event::{Event, EventKind, RollbackReason};
use crate::health::{CriterionId, Finding, Observation, Outcome, RaisedFlag, RiskDecision, Verdict};
use crate::incident::Incident;
use crate::release::apply::Effect;
use crate::release::{Release, ReleaseError};
use crate::stage::Stage;
use crate::text::check_reason;

pub(super) const SAMPLE_STAGES: &str = "samples and flags are recorded while the release is deploying, verifying, or released \
                             within its monitoring window";
const DECISION_STAGES: &str = "risk is accepted while the release is deploying or verifying";
const INCIDENT_STAGES: &str = "incidents are recorded once the release is deploying, and after it is final";

impl Release {
    // ----- flags, decisions, incidents -------------------------------------

    /// Raises the flag of a flag criterion, with the evidence for it. While
    /// it is raised the criterion is tripped.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::UnknownCriterion`]; [`ReleaseError::NotAFlag`] for a threshold
    /// criterion; [`ReleaseError::FlagAlreadyRaised`]; [`ReleaseError::Text`] for
    /// empty evidence; [`ReleaseError::NotMonitoring`]; [`ReleaseError::TimeWentBackwards`].
    pub fn raise_flag(
        &mut self,
        criterion: &str,
        evidence: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let criterion = self.criterion_id(criterion)?;
        self.record(by, at, EventKind::FlagRaised { criterion, evidence: evidence.into() })
    }

    /// Clears a raised flag, saying why it no longer applies.
    ///
    /// # Errors
    ///
    /// As [`raise_flag`](Release::raise_flag), with
    /// [`ReleaseError::FlagNotRaised`] for a flag that is not raised.
    pub fn clear_flag(
        &mut self,
        criterion: &str,
        reason: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let criterion = self.criterion_id(criterion)?;
        self.record(by, at, EventKind::FlagCleared { criterion, reason: reason.into() })
    }

    /// Accepts the risk of the current inconclusive findings, so the release
    /// may be released: `by` decides, and says why.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::NothingToDecide`] when the verdict is healthy, says roll
    /// back, or every finding is already decided; [`ReleaseError::Text`]
    /// for an empty reason; [`ReleaseError::NotMonitoring`] outside `Deploying`
    /// and `Verifying`; [`ReleaseError::TimeWentBackwards`].
    pub fn accept_risk(
        &mut self,
        why: impl Into<String>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let criteria = match self.undecided_health() {
            Some(Verdict::Inconclusive { findings }) => {
                findings.into_iter().map(|finding| finding.criterion).collect()
            }
            _ => Vec::new(),
        };
        self.record(by, at, EventKind::RiskAccepted { criteria, why: why.into() })
    }

    /// Rolls the release back because critical criteria tripped, citing
    /// their findings.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::NoCriterionTripped`] unless the verdict is `RollBack`; as
    /// [`roll_back`](Release::roll_back) for the stage and the monitoring
    /// window.
    pub fn roll_back_on_criteria(&mut self, by: &Actor, at: DateTime<Utc>) -> Result<&Event, ReleaseError> {
        let findings = self.rollback_findings()?;
        let from = self.stage();
        self.record(by, at, EventKind::RolledBack { from, reason: RollbackReason::Criteria { findings } })
    }

    /// Records an incident caused by this release. `incident` says when it
    /// started (and ended, if it is over); `at` is when it is recorded.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::NotMonitoring`] before `Deploying`; [`ReleaseError::InvalidIncident`]
    /// for an id the release already has, or an incident that starts before
    /// the deployment did or after `at`; [`ReleaseError::TimeWentBackwards`].
    pub fn open_incident(
        &mut self,
        incident: Incident,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::IncidentOpened { incident })
    }

    /// Records that service was restored at `resolved_at`.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::UnknownIncident`]; [`ReleaseError::InvalidIncident`] when it is
    /// already resolved, or `resolved_at` is before it opened or after `at`;
    /// [`ReleaseError::TimeWentBackwards`].
    pub fn resolve_incident(
        &mut self,
        incident: &str,
        resolved_at: DateTime<Utc>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.record(by, at, EventKind::IncidentResolved { incident: incident.to_owned(), resolved_at })
    }

    // ----- queries --------------------------------------------------------

    /// The release's health now: every criterion of its template judged
    /// against the observations and raised flags. A workflow engine asks this
    /// to know whether to roll back.
    pub fn verdict(&self) -> Verdict {
        Verdict::evaluate(self.template().criteria(), &self.observations, &self.flags)
    }

    /// What the template's dry-run criteria find: reported, never
    /// tripping. See [`RollbackCriterion::with_dry_run`](crate::health::RollbackCriterion::with_dry_run).
    pub fn dry_run_findings(&self) -> Vec<Finding> {
        Verdict::dry_run(self.template().criteria(), &self.observations, &self.flags)
    }

    /// The verdict as far as it blocks `Released`: `None` when it does not
    /// (healthy, or every inconclusive finding decided), else the roll-back
    /// verdict, or the inconclusive findings nobody has decided on.
    pub fn undecided_health(&self) -> Option<Verdict> {
        match self.verdict() {
            Verdict::Healthy => None,
            rollback @ Verdict::RollBack { .. } => Some(rollback),
            Verdict::Inconclusive { findings } => {
                let undecided: Vec<Finding> =
                    findings.into_iter().filter(|finding| !self.is_decided(finding)).collect();
                (!undecided.is_empty()).then_some(Verdict::Inconclusive { findings: undecided })
            }
        }
    }

    /// Whether a risk decision accepted this very finding.
    fn is_decided(&self, finding: &Finding) -> bool {
        self.more
            .risk_decisions
            .iter()
            .any(|decision| decision.findings.iter().any(|accepted| accepted.is_same_finding(finding)))
    }

    /// The findings that call for a rollback now.
    pub(super) fn rollback_findings(&self) -> Result<Vec<Finding>, ReleaseError> {
        match self.verdict() {
            Verdict::RollBack { findings } => {
                Ok(findings.into_iter().filter(|finding| finding.outcome == Outcome::RollBack).collect())
            }
            verdict => Err(ReleaseError::NoCriterionTripped { verdict }),
        }
    }

    /// Every observation recorded, in the order recorded (each with the
    /// time it was measured).
    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }

    /// The flags raised and not cleared.
    pub fn raised_flags(&self) -> &[RaisedFlag] {
        &self.flags
    }

    /// The decisions to accept inconclusive findings.
    pub fn risk_decisions(&self) -> &[RiskDecision] {
        &self.more.risk_decisions
    }

    /// The incidents this release caused, in the order recorded.
    pub fn incidents(&self) -> &[Incident] {
        &self.more.incidents
    }

    // ----- checks ---------------------------------------------------------

    fn criterion_id(&self, id: &str) -> Result<CriterionId, ReleaseError> {
        self.template().criterion(id).map(|criterion| criterion.id().clone()).ok_or_else(|| {
            let known: Vec<&str> = self.template().criteria().iter().map(|c| c.id().as_str()).collect();
            ReleaseError::UnknownCriterion {
                criterion: crate::text::shorten(id),
                known: list_or_none(&known),
            }
        })
    }

    pub(super) fn monitoring_open(&self, at: DateTime<Utc>) -> bool {
        match self.stage() {
            Stage::Deploying | Stage::Verifying => true,
            Stage::Released => self.monitoring_window_closes_at().is_none_or(|closes| at < closes),
            Stage::Planned | Stage::Frozen | Stage::RolledBack => false,
        }
    }

    pub(super) fn require(
        &self,
        allowed: bool,
        what: &'static str,
        when: &'static str,
    ) -> Result<(), ReleaseError> {
        if allowed { Ok(()) } else { Err(ReleaseError::NotMonitoring { stage: self.stage(), what, when }) }
    }

    pub(super) fn check_flag_raised(
        &self,
        criterion: &CriterionId,
        evidence: &str,
        event: &Event,
    ) -> Result<Effect, ReleaseError> {
        self.check_flag_criterion(criterion)?;
        self.require(self.monitoring_open(event.at), "a flag", SAMPLE_STAGES)?;
        if let Some(raised) = self.flags.iter().find(|flag| &flag.criterion == criterion) {
            return Err(ReleaseError::FlagAlreadyRaised {
                criterion: criterion.clone(),
                by: raised.by.name().to_owned(),
                at: raised.at,
            });
        }
        check_reason("evidence for the flag", evidence)?;
        Ok(Effect::RaiseFlag(RaisedFlag {
            criterion: criterion.clone(),
            evidence: evidence.to_owned(),
            by: event.by.clone(),
            at: event.at,
        }))
    }

    pub(super) fn check_flag_cleared(
        &self,
        criterion: &CriterionId,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Effect, ReleaseError> {
        self.check_flag_criterion(criterion)?;
        self.require(self.monitoring_open(at), "a cleared flag", SAMPLE_STAGES)?;
        let index = self
            .flags
            .iter()
            .position(|flag| &flag.criterion == criterion)
            .ok_or_else(|| ReleaseError::FlagNotRaised { criterion: criterion.clone() })?;
        check_reason("reason for clearing the flag", reason)?;
        Ok(Effect::ClearFlag { index })
    }

    pub(super) fn check_risk_accepted(
        &self,
        criteria: &[CriterionId],
        why: &str,
        event: &Event,
    ) -> Result<Effect, ReleaseError> {
        self.require(
            matches!(self.stage(), Stage::Deploying | Stage::Verifying),
            "a risk decision",
            DECISION_STAGES,
        )?;
        let undecided = self.undecided_health();
        let findings: &[Finding] = match &undecided {
            Some(Verdict::Inconclusive { findings }) => findings,
            _ => &[],
        };
        let expected: Vec<&CriterionId> = findings.iter().map(|f| &f.criterion).collect();
        if expected.is_empty() {
            return Err(ReleaseError::NothingToDecide {
                verdict: undecided.unwrap_or_else(|| self.verdict()),
            });
        }
        if criteria.iter().collect::<Vec<_>>() != expected {
            return Err(ReleaseError::CitationMismatch);
        }
        check_reason("reason for accepting the risk", why)?;
        Ok(Effect::AcceptRisk(RiskDecision {
            criteria: criteria.to_vec(),
            findings: findings.to_vec(),
            why: why.to_owned(),
            by: event.by.clone(),
            at: event.at,
        }))
    }

    pub(super) fn check_incident_opened(
        &self,
        incident: &Incident,
        at: DateTime<Utc>,
    ) -> Result<Effect, ReleaseError> {
        self.require(self.stage() >= Stage::Deploying, "an incident", INCIDENT_STAGES)?;
        self.check_new_incident(incident, at)?;
        Ok(Effect::OpenIncident(incident.clone()))
    }

    pub(super) fn check_incident_resolved(
        &self,
        incident: &str,
        resolved_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Effect, ReleaseError> {
        let index = self
            .more
            .incidents
            .iter()
            .position(|known| known.id() == incident)
            .ok_or_else(|| ReleaseError::UnknownIncident { incident: crate::text::shorten(incident) })?;
        if let Some(known) = self.more.incidents.get(index) {
            known.check_resolution(resolved_at)?;
        }
        if resolved_at > at {
            return Err(ReleaseError::InvalidIncident {
                incident: incident.to_owned(),
                problem: format!("cannot be resolved at {resolved_at}, after it is recorded at {at}"),
            });
        }
        Ok(Effect::ResolveIncident { index, resolved_at })
    }

    fn check_flag_criterion(&self, criterion: &CriterionId) -> Result<(), ReleaseError> {
        let known = self.criterion_id(criterion.as_str())?;
        match self.template().criterion(known.as_str()).and_then(|c| c.as_threshold()) {
            Some(threshold) => {
                Err(ReleaseError::NotAFlag { criterion: known, signal: threshold.signal().to_string() })
            }
            None => Ok(()),
        }
    }

    fn check_new_incident(&self, incident: &Incident, at: DateTime<Utc>) -> Result<(), ReleaseError> {
        let problem = if self.more.incidents.iter().any(|known| known.id() == incident.id()) {
            "is already recorded on this release: incident ids are unique".to_owned()
        } else if incident.opened_at() > at {
            format!(
                "opens at {}, after it is recorded at {at}: record it once it has started",
                incident.opened_at()
            )
        } else if let Some(deployed) = self.entered_at(Stage::Deploying).filter(|d| incident.opened_at() < *d)
        {
            format!(
                "opens at {}, before this release started deploying at {deployed}: link it to the release that \
                 caused it",
                incident.opened_at()
            )
        } else if incident.resolved_at().is_some_and(|resolved| resolved > at) {
            format!("is resolved after it is recorded at {at}: record the resolution once it happens")
        } else {
            return Ok(());
        };
        Err(ReleaseError::InvalidIncident { incident: incident.id().to_owned(), problem })
    }
}

pub(super) fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}
