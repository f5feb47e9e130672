//! Recording what monitoring measured: samples and baselines, one at a
//! time or in batches, each at the time it was measured; baselines taken
//! from the service's previous release.

use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::event::{Event, EventKind};
use crate::health::{Bound, FiniteF64, Observation, ObservationKind, RollbackCriterion, Signal, Threshold};
use crate::release::apply::Effect;
use crate::release::health::{SAMPLE_STAGES, list_or_none};
use crate::release::{Release, ReleaseError};
use crate::stage::Stage;
use crate::text::{MAX_NAME_CHARS, check_line};

/// The most observations one event may record: a batch larger than this is
/// recorded as several.
pub const MAX_OBSERVATIONS_PER_EVENT: usize = 10_000;

const BASELINE_STAGES: &str = "baselines are recorded before the release is released";

impl Release {
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
    /// use release_workflow::health::Observation;
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

    // ----- checks ---------------------------------------------------------

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
                problem: "it is empty; give at least one observation".to_owned(),
            });
        }
        if count > MAX_OBSERVATIONS_PER_EVENT {
            return Err(ReleaseError::InvalidBatch {
                count,
                problem: format!(
                    "one event holds at most {MAX_OBSERVATIONS_PER_EVENT}; record the export in several batches"
                ),
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
}
