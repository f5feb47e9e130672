//! Thresholds: a bound on a signal, and how many breaching samples, over
//! which stretch of time, trip it.

use std::fmt;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use crate::health::error::HealthError;
use crate::health::value::{FiniteF64, Signal};
use crate::text::named_enum;

/// The most breaching samples a threshold may ask for before it trips.
pub const MAX_BREACHES_TO_TRIP: u32 = 1000;

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

/// The longest evaluation window a threshold may have: 31 days, in seconds.
pub const MAX_EVALUATION_WINDOW_SECONDS: u32 = 31 * 24 * 60 * 60;

/// A bound on a named signal, and which breaching samples trip it.
///
/// A threshold trips when enough samples breach its bound: a number of
/// them in total (Argo Rollouts' `failureLimit`), a number of them in a
/// row by when they were measured (its `consecutiveErrorLimit`), or
/// whichever comes first of the two. With an evaluation window, only the
/// samples measured in the last stretch of time count — the window ends at
/// the newest sample of the signal, so a verdict depends on what was
/// measured, never on when it is asked.
///
/// ```
/// use chrono::TimeDelta;
/// use release_workflow::health::{Threshold, WhenMissing};
///
/// let errors = Threshold::above("error_rate", 0.05)?.with_breaches_to_trip(2)?;
/// let latency = Threshold::above_baseline("latency_p95_ms", 1.5)?.with_when_missing(WhenMissing::Ignore);
/// let sustained = Threshold::above("error_rate", 0.05)?
///     .with_breach_limits(10, 3)?
///     .with_evaluation_window(TimeDelta::minutes(15))?;
/// assert_eq!(errors.to_string(), "error_rate > 0.05 (2 samples trip it)");
/// assert_eq!(latency.to_string(), "latency_p95_ms > 1.5 × baseline (1 sample trips it)");
/// assert_eq!(
///     sustained.to_string(),
///     "error_rate > 0.05 over the last 15 minutes (10 samples, or 3 in a row, trip it)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ThresholdFields")]
pub struct Threshold {
    signal: Signal,
    comparison: Comparison,
    bound: Bound,
    #[serde(skip_serializing_if = "Option::is_none")]
    breaches_to_trip: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consecutive_breaches_to_trip: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window_seconds: Option<u32>,
    when_missing: WhenMissing,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdFields {
    signal: Signal,
    comparison: Comparison,
    bound: Bound,
    #[serde(default)]
    breaches_to_trip: Option<u32>,
    #[serde(default)]
    consecutive_breaches_to_trip: Option<u32>,
    #[serde(default)]
    window_seconds: Option<u32>,
    #[serde(default)]
    when_missing: WhenMissing,
}

impl TryFrom<ThresholdFields> for Threshold {
    type Error = HealthError;

    fn try_from(fields: ThresholdFields) -> Result<Self, HealthError> {
        // A threshold stored before the consecutive rule always has a total.
        let total = match (fields.breaches_to_trip, fields.consecutive_breaches_to_trip) {
            (None, None) => Some(1),
            (total, _) => total,
        };
        let threshold = Threshold {
            signal: fields.signal,
            comparison: fields.comparison,
            bound: fields.bound,
            breaches_to_trip: total,
            consecutive_breaches_to_trip: fields.consecutive_breaches_to_trip,
            window_seconds: fields.window_seconds,
            when_missing: fields.when_missing,
        };
        threshold.validate()?;
        Ok(threshold)
    }
}

impl Threshold {
    /// A threshold with every part given, tripping on `breaches_to_trip`
    /// breaches in total; see the shorter constructors, and the `with_`
    /// methods for the other rules.
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
        let threshold = Threshold {
            signal,
            comparison,
            bound,
            breaches_to_trip: Some(breaches_to_trip),
            consecutive_breaches_to_trip: None,
            window_seconds: None,
            when_missing,
        };
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

    /// The same threshold, tripping once `count` samples breach it in total
    /// (Argo Rollouts' failure limit, counted as the breach that trips:
    /// Argo's `failureLimit: n` is `with_breaches_to_trip(n + 1)`). This
    /// replaces the threshold's rule: a consecutive rule it had is gone.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidThreshold`] for a count outside 1 to
    /// [`MAX_BREACHES_TO_TRIP`].
    pub fn with_breaches_to_trip(self, count: u32) -> Result<Threshold, HealthError> {
        self.with_rule(Some(count), None)
    }

    /// The same threshold, tripping once `count` samples in a row breach
    /// it, in the order they were measured, however many breached in all
    /// (Argo Rollouts' `consecutiveErrorLimit`, counted as the breach that
    /// trips). This replaces the threshold's rule: a total it had is gone.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidThreshold`] for a count outside 1 to
    /// [`MAX_BREACHES_TO_TRIP`].
    pub fn with_consecutive_breaches_to_trip(self, count: u32) -> Result<Threshold, HealthError> {
        self.with_rule(None, Some(count))
    }

    /// The same threshold, tripping once `total` samples breach it, or
    /// `in_a_row` samples breach it in a row, whichever comes first.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidThreshold`] for a count outside 1 to
    /// [`MAX_BREACHES_TO_TRIP`], or limits where one rule could never trip
    /// first: `in_a_row` must be at least 2 and below `total`.
    pub fn with_breach_limits(self, total: u32, in_a_row: u32) -> Result<Threshold, HealthError> {
        self.with_rule(Some(total), Some(in_a_row))
    }

    fn with_rule(mut self, total: Option<u32>, in_a_row: Option<u32>) -> Result<Threshold, HealthError> {
        self.breaches_to_trip = total;
        self.consecutive_breaches_to_trip = in_a_row;
        self.validate()?;
        Ok(self)
    }

    /// The same threshold, judging only the samples measured within
    /// `window` of the newest sample of its signal (Kayenta's and Flagger's
    /// interval). Breaches before it no longer count: a release that
    /// recovered is judged on how it runs now.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidThreshold`] for a window that is not a whole
    /// number of seconds from 1 second to 31 days.
    pub fn with_evaluation_window(mut self, window: TimeDelta) -> Result<Threshold, HealthError> {
        let seconds = u32::try_from(window.num_seconds()).ok().filter(|_| window.subsec_nanos() == 0);
        self.window_seconds = Some(seconds.unwrap_or(0));
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
        let counts = 1..=MAX_BREACHES_TO_TRIP;
        let rule = [self.breaches_to_trip, self.consecutive_breaches_to_trip];
        // Every way of making a threshold gives it a total, a run, or both.
        let problem = match (rule, rule.into_iter().flatten().find(|count| !counts.contains(count))) {
            (_, Some(count)) => {
                Some(format!("asks for {count} breaching samples; give 1 to {MAX_BREACHES_TO_TRIP}"))
            }
            ([Some(total), Some(in_a_row)], None) if in_a_row < 2 || in_a_row >= total => Some(format!(
                "trips on {total} breaches or {in_a_row} in a row, but one of those rules would always trip \
                 first; ask for at least 2 in a row and more than that in total, or use one rule"
            )),
            _ => None,
        };
        let problem = problem.or_else(|| match self.bound {
            Bound::TimesBaseline(factor) if factor.get() <= 0.0 => Some(
                "has a baseline factor that is not positive; give a factor above 0, such as 1.5".to_owned(),
            ),
            _ => None,
        });
        let problem = problem.or_else(|| {
            self.window_seconds.filter(|seconds| !(1..=MAX_EVALUATION_WINDOW_SECONDS).contains(seconds)).map(
                |_| {
                    "has an evaluation window that is not a whole number of seconds from 1 second to 31 days"
                        .to_owned()
                },
            )
        });
        match problem {
            None => Ok(()),
            Some(problem) => Err(HealthError::InvalidThreshold { signal: self.signal.to_string(), problem }),
        }
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

    /// How many breaching samples in total trip it, if a total does.
    pub fn breaches_to_trip(&self) -> Option<u32> {
        self.breaches_to_trip
    }

    /// How many breaching samples in a row trip it, if a run does.
    pub fn consecutive_breaches_to_trip(&self) -> Option<u32> {
        self.consecutive_breaches_to_trip
    }

    /// How far back from the newest sample the samples judged reach, if
    /// not to the first.
    pub fn evaluation_window(&self) -> Option<TimeDelta> {
        self.window_seconds.map(|seconds| TimeDelta::seconds(i64::from(seconds)))
    }

    /// What missing data means.
    pub fn when_missing(&self) -> WhenMissing {
        self.when_missing
    }
}

/// `seconds` in the largest unit that divides it: "15 minutes", "2 hours".
pub(crate) fn describe_seconds(seconds: u32) -> String {
    let (count, unit) = match seconds {
        s if s.is_multiple_of(3600) => (s / 3600, "hour"),
        s if s.is_multiple_of(60) => (s / 60, "minute"),
        s => (s, "second"),
    };
    if count == 1 { format!("1 {unit}") } else { format!("{count} {unit}s") }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.signal, self.comparison.symbol())?;
        match self.bound {
            Bound::Absolute(value) => write!(f, "{value}")?,
            Bound::TimesBaseline(factor) => write!(f, "{factor} × baseline")?,
        }
        if let Some(seconds) = self.window_seconds {
            write!(f, " over the last {}", describe_seconds(seconds))?;
        }
        match (self.breaches_to_trip, self.consecutive_breaches_to_trip) {
            (Some(total), Some(in_a_row)) => write!(f, " ({total} samples, or {in_a_row} in a row, trip it)"),
            (None, Some(1)) => f.write_str(" (1 sample in a row trips it)"),
            (None, Some(in_a_row)) => write!(f, " ({in_a_row} samples in a row trip it)"),
            (Some(1), None) | (None, None) => f.write_str(" (1 sample trips it)"),
            (Some(total), None) => write!(f, " ({total} samples trip it)"),
        }
    }
}
