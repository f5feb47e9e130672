//! A release's health: observations, flags, risk decisions, incidents, and
//! the rollback they justify.

use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::event::{Event, EventKind, RollbackReason};
use crate::health::{
    Bound, CriterionId, Finding, FiniteF64, Observation, ObservationKind, Outcome, RaisedFlag, RiskDecision,
    RollbackCriterion, Signal, Threshold, Verdict,
};
use crate::incident::Incident;
use crate::release::apply::Effect;
use crate::release::{Release, ReleaseError};
use crate::stage::Stage;
use crate::text::{MAX_NAME_CHARS, check_line, check_reason};

/// The most observations one event may record: a batch larger than this is
/// recorded as several.
pub const MAX_OBSERVATIONS_PER_EVENT: usize = 10_000;

const SAMPLE_STAGES: &str = "samples and flags are recorded while the release is deploying, verifying, or released \
                             within its monitoring window";
const BASELINE_STAGES: &str = "baselines are recorded before the release is released";
const DECISION_STAGES: &str = "risk is accepted while the release is deploying or verifying";
const INCIDENT_STAGES: &str = "incidents are recorded once the release is deploying, and after it is final";

impl Release {
    // ----- recording ------------------------------------------------------

    /// Records a sample of a health signal, measured at `at`.
    ///
    /// Samples are kept while the release is `Deploying`, `Verifying`, or
    /// `Released` within its monitoring window, for signals that one of the
    /// template's criteria watches. Anything else is refused rather than
    /// kept, so the log holds only what the verdict can use.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Health`] for a malformed signal name or for NaN or an
    /// infinity; [`ReleaseError::UnknownSignal`] for a signal no criterion watches;
    /// [`ReleaseError::Text`] for a bad source; [`ReleaseError::NotMonitoring`]
    /// outside those stages; [`ReleaseError::TimeWentBackwards`].
    pub fn observe(
        &mut self,
        signal: &str,
        value: f64,
        source: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.observe_now(signal, value, source, ObservationKind::Sample, by, at)
    }

    /// Records a signal's baseline: its value before the release, which
    /// thresholds relative to a baseline compare samples with. The latest
    /// baseline counts. Baselines are recorded from `Planned` to `Verifying`.
    ///
    /// # Errors
    ///
    /// As [`observe`](Release::observe).
    pub fn record_baseline(
        &mut self,
        signal: &str,
        value: f64,
        source: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        self.observe_now(signal, value, source, ObservationKind::Baseline, by, at)
    }

    fn observe_now(
        &mut self,
        signal: &str,
        value: f64,
        source: &str,
        kind: ObservationKind,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let what = EventKind::Observed {
            signal: Signal::parse(signal)?,
            value: FiniteF64::new(value)?,
            source: source.to_owned(),
            kind,
            measured_at: None,
        };
        self.record(by, at, what)
    }

    /// Records one observation, measured at its own time (its
    /// [`at`](Observation::at)) and recorded at `at`: a sample a monitoring
    /// system delivered late counts in the stage it was measured in, and
    /// the verdict judges it by when it was measured. The event keeps both
    /// times.
    ///
    /// ```
    /// # use release_workflow::{Actor, Release, ReleaseKind, Role, Stage};
    /// use release_workflow::Observation;
    /// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// # let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    /// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone())
    /// #     .template(release_workflow::Template::octoacme().without_policy()).plan(t0)?;
    /// # for item in release.template().gate_items(release_workflow::Gate::Freeze).map(|i| i.id().clone()).collect::<Vec<_>>() { release.complete(item.as_str(), &ada, t0)?; }
    /// # release.advance_to(Stage::Frozen, &ada, t0)?;
    /// # for item in release.template().gate_items(release_workflow::Gate::Deploy).map(|i| i.id().clone()).collect::<Vec<_>>() { release.complete(item.as_str(), &ada, t0)?; }
    /// let deploying: chrono::DateTime<chrono::Utc> = "2026-11-30T09:10:00Z".parse()?;
    /// release.advance_to(Stage::Deploying, &ada, deploying)?;
    /// # for item in release.template().gate_items(release_workflow::Gate::Verify).map(|i| i.id().clone()).collect::<Vec<_>>() { release.complete(item.as_str(), &ada, deploying)?; }
    /// release.advance_to(Stage::Verifying, &ada, "2026-11-30T09:20:00Z".parse()?)?;
    /// // Measured at 09:15 while deploying, delivered at 09:25.
    /// let late = Observation::sample("error_rate", 0.2, "prometheus", "2026-11-30T09:15:00Z".parse()?)?;
    /// let event = release.record_observation(late, &ada, "2026-11-30T09:25:00Z".parse()?)?;
    /// assert!(event.to_string().ends_with("measured 2026-11-30 09:15:00 UTC"), "{event}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`observe`](Release::observe) for a sample recorded as it is
    /// measured; [`ReleaseError::MeasuredOutsideMonitoring`] for a sample
    /// measured before the release was deploying, after it was rolled
    /// back or after its monitoring window closed;
    /// [`ReleaseError::MeasuredAfterRecorded`].
    pub fn record_observation(
        &mut self,
        observation: Observation,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let measured_at = (observation.at() != at).then_some(observation.at());
        let what = EventKind::Observed {
            signal: observation.signal().clone(),
            value: observation.value(),
            source: observation.source().to_owned(),
            kind: observation.kind(),
            measured_at,
        };
        self.record(by, at, what)
    }

    /// Records many observations in one event, all or none: a monitoring
    /// system's export. Each is checked as
    /// [`record_observation`](Release::record_observation) checks it; the
    /// first refused one refuses the batch, naming its position.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::BatchRefused`] around what refused an observation;
    /// [`ReleaseError::InvalidBatch`] for an empty batch or one of more
    /// than [`MAX_OBSERVATIONS_PER_EVENT`]; [`ReleaseError::TimeWentBackwards`].
    pub fn record_observations(
        &mut self,
        observations: impl IntoIterator<Item = Observation>,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let observations = observations.into_iter().collect();
        self.record(by, at, EventKind::ObservedBatch { observations })
    }

    /// Records, as this release's baselines, what `previous` measured: for
    /// each signal this release's criteria compare with a baseline, the
    /// median of `previous`'s samples of it, measured when its newest one
    /// was. `previous` is the release of the same service before this one
    /// (the caller finds it in its history or store); it must have been
    /// released, and be healthy or have every finding decided. A baseline
    /// typed in by hand ([`record_baseline`](Release::record_baseline)) is
    /// a guess; this one is how the service ran last time.
    ///
    /// The baselines are one batch, each naming its source ("release 2.3.0,
    /// median of 42 samples").
    ///
    /// # Errors
    ///
    /// [`ReleaseError::NoPreviousBaseline`] when `previous` is of another
    /// service, not older, not released, not healthy, or has no sample of
    /// a signal this release needs a baseline of (naming it); as
    /// [`record_observations`](Release::record_observations).
    pub fn record_baselines_from(
        &mut self,
        previous: &Release,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<&Event, ReleaseError> {
        let baselines = self.baselines_from(previous, at)?;
        self.record_observations(baselines, by, at)
    }

    fn baselines_from(
        &self,
        previous: &Release,
        at: DateTime<Utc>,
    ) -> Result<Vec<Observation>, ReleaseError> {
        let refuse = |problem: String| ReleaseError::NoPreviousBaseline {
            version: previous.version().to_string(),
            problem,
        };
        if previous.service() != self.service() {
            let service = |release: &Release| release.service().unwrap_or("no service").to_owned();
            return Err(refuse(format!(
                "it is of {}, this release of {}: take baselines from the same service",
                service(previous),
                service(self)
            )));
        }
        if previous.version() >= self.version() {
            return Err(refuse(format!(
                "it is not older than this release ({}): take baselines from the release before",
                self.version()
            )));
        }
        if previous.stage() != Stage::Released {
            return Err(refuse(format!(
                "it is {}, not released: take baselines from the last release that went out",
                previous.stage()
            )));
        }
        if let Some(verdict) = previous.undecided_health() {
            return Err(refuse(format!(
                "its health is not settled ({verdict}): it is no baseline to judge by"
            )));
        }
        let mut baselines = Vec::new();
        for signal in self.baseline_signals() {
            let mut values: Vec<&Observation> = previous
                .observations
                .iter()
                .filter(|o| o.kind() == ObservationKind::Sample && o.signal() == signal)
                .collect();
            let Some(measured) = values.iter().map(|o| o.at()).max() else {
                return Err(refuse(format!(
                    "it has no sample of {signal}; record that baseline by hand with record_baseline"
                )));
            };
            values.sort_unstable_by_key(|o| o.value());
            let middle = values.len() / 2;
            let median = match (values.get(middle.wrapping_sub(1)), values.get(middle)) {
                (Some(low), Some(high)) if values.len().is_multiple_of(2) => {
                    FiniteF64::saturating(low.value().get() / 2.0 + high.value().get() / 2.0)
                }
                (_, Some(high)) => high.value(),
                _ => continue,
            };
            let source = format!("release {}, median of {} samples", previous.version(), values.len());
            baselines.push(Observation::new(
                signal.clone(),
                median,
                source,
                ObservationKind::Baseline,
                measured.min(at),
            )?);
        }
        Ok(baselines)
    }

    /// The signals this release's criteria compare with a baseline.
    fn baseline_signals(&self) -> Vec<&Signal> {
        let mut signals: Vec<&Signal> = self
            .template()
            .criteria()
            .iter()
            .filter_map(RollbackCriterion::as_threshold)
            .filter(|threshold| matches!(threshold.bound(), Bound::TimesBaseline(_)))
            .map(Threshold::signal)
            .collect();
        signals.sort_unstable();
        signals.dedup();
        signals
    }

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
    /// tripping. See [`RollbackCriterion::with_dry_run`].
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
        self.risk_decisions
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
        &self.risk_decisions
    }

    /// The incidents this release caused, in the order recorded.
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
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

    fn monitoring_open(&self, at: DateTime<Utc>) -> bool {
        match self.stage() {
            Stage::Deploying | Stage::Verifying => true,
            Stage::Released => self.monitoring_window_closes_at().is_none_or(|closes| at < closes),
            Stage::Planned | Stage::Frozen | Stage::RolledBack => false,
        }
    }

    fn require(&self, allowed: bool, what: &'static str, when: &'static str) -> Result<(), ReleaseError> {
        if allowed { Ok(()) } else { Err(ReleaseError::NotMonitoring { stage: self.stage(), what, when }) }
    }

    pub(super) fn check_observed(
        &self,
        signal: &Signal,
        value: FiniteF64,
        source: &str,
        kind: ObservationKind,
        measured_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<Effect, ReleaseError> {
        check_line("observation source", source, MAX_NAME_CHARS)?;
        let observation = Observation::new(signal.clone(), value, source, kind, measured_at.unwrap_or(at))?;
        self.check_observation(&observation, at)?;
        Ok(Effect::Observe(vec![observation]))
    }

    pub(super) fn check_batch(
        &self,
        observations: &[Observation],
        at: DateTime<Utc>,
    ) -> Result<Effect, ReleaseError> {
        let count = observations.len();
        if count == 0 {
            return Err(ReleaseError::InvalidBatch {
                count,
                problem: "it is empty; give at least one observation",
            });
        }
        if count > MAX_OBSERVATIONS_PER_EVENT {
            return Err(ReleaseError::InvalidBatch {
                count,
                problem: "one event holds at most 10000; record the export in several batches",
            });
        }
        for (index, observation) in observations.iter().enumerate() {
            self.check_observation(observation, at).map_err(|source| ReleaseError::BatchRefused {
                index,
                count,
                source: Box::new(source),
            })?;
        }
        Ok(Effect::Observe(observations.to_vec()))
    }

    /// Whether `observation`, measured at its own time, may be recorded at
    /// `at`.
    fn check_observation(&self, observation: &Observation, at: DateTime<Utc>) -> Result<(), ReleaseError> {
        let measured_at = observation.at();
        if measured_at > at {
            return Err(ReleaseError::MeasuredAfterRecorded { measured_at, recorded_at: at });
        }
        match observation.kind() {
            ObservationKind::Sample if measured_at == at => {
                self.require(self.monitoring_open(at), "a sample", SAMPLE_STAGES)?
            }
            ObservationKind::Sample => {
                if !self.monitored_at(measured_at) {
                    return Err(ReleaseError::MeasuredOutsideMonitoring {
                        measured_at,
                        stage: self.stage_at(measured_at),
                    });
                }
            }
            ObservationKind::Baseline => self.require(
                matches!(self.stage(), Stage::Planned | Stage::Frozen | Stage::Deploying | Stage::Verifying),
                "a baseline",
                BASELINE_STAGES,
            )?,
        }
        let signal = observation.signal();
        if !self.template().watches(signal) {
            let known: Vec<&str> = self.template().signals().into_iter().map(Signal::as_str).collect();
            return Err(ReleaseError::UnknownSignal {
                signal: signal.to_string(),
                known: list_or_none(&known),
            });
        }
        Ok(())
    }

    /// Whether a sample measured at `measured_at` was measured while the
    /// release was watched: from entering `Deploying` until it was rolled
    /// back or its monitoring window closed, whichever came first.
    fn monitored_at(&self, measured_at: DateTime<Utc>) -> bool {
        let ended = [self.entered_at(Stage::RolledBack), self.monitoring_window_closes_at()]
            .into_iter()
            .flatten()
            .min();
        self.entered_at(Stage::Deploying).is_some_and(|deploying| measured_at >= deploying)
            && ended.is_none_or(|ended| measured_at < ended)
    }

    /// The stage the release was in at `instant`: the last one it had
    /// entered by then (`Planned` before it was planned).
    fn stage_at(&self, instant: DateTime<Utc>) -> Stage {
        Stage::ALL
            .iter()
            .copied()
            .filter_map(|stage| {
                self.entered_at(stage).filter(|entered| *entered <= instant).map(|e| (e, stage))
            })
            .max()
            .map_or(Stage::Planned, |(_, stage)| stage)
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
            .incidents
            .iter()
            .position(|known| known.id() == incident)
            .ok_or_else(|| ReleaseError::UnknownIncident { incident: crate::text::shorten(incident) })?;
        if let Some(known) = self.incidents.get(index) {
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
        let problem = if self.incidents.iter().any(|known| known.id() == incident.id()) {
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

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}
