//! The values health is measured in: finite numbers and signal names.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::health::error::HealthError;

/// A finite `f64`: never NaN or infinite, and never `-0.0` (stored as
/// `0.0`), so it can be compared, ordered and hashed like an integer.
///
/// Signal values and thresholds are `FiniteF64`, which is how a release that
/// holds them stays `Eq` and `Hash`.
///
/// ```
/// use release_workflow::health::FiniteF64;
///
/// let rate = FiniteF64::new(0.05)?;
/// assert_eq!(rate.get(), 0.05);
/// assert!(FiniteF64::new(f64::NAN).is_err());
/// assert!(FiniteF64::new(f64::INFINITY).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct FiniteF64(f64);

impl FiniteF64 {
    /// Zero.
    pub const ZERO: FiniteF64 = FiniteF64(0.0);

    /// Checks that `value` is finite.
    ///
    /// # Errors
    ///
    /// [`HealthError::NotFinite`] for NaN and infinities.
    pub fn new(value: f64) -> Result<FiniteF64, HealthError> {
        if value.is_finite() {
            // Adding zero turns -0.0 into 0.0, so equal values hash equally.
            Ok(FiniteF64(value + 0.0))
        } else {
            Err(HealthError::NotFinite { value: value.to_string() })
        }
    }

    /// `value`, with infinities clamped to the largest finite values and
    /// NaN read as zero. For results of arithmetic on finite values.
    pub fn saturating(value: f64) -> FiniteF64 {
        FiniteF64::new(value.clamp(f64::MIN, f64::MAX)).unwrap_or(FiniteF64::ZERO)
    }

    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl PartialEq for FiniteF64 {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for FiniteF64 {}

impl Hash for FiniteF64 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

impl PartialOrd for FiniteF64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FiniteF64 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl TryFrom<f64> for FiniteF64 {
    type Error = HealthError;

    fn try_from(value: f64) -> Result<Self, HealthError> {
        FiniteF64::new(value)
    }
}

impl From<FiniteF64> for f64 {
    fn from(value: FiniteF64) -> f64 {
        value.0
    }
}

impl fmt::Display for FiniteF64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for FiniteF64 {
    type Err = HealthError;

    fn from_str(text: &str) -> Result<Self, HealthError> {
        let value: f64 =
            text.trim().parse().map_err(|_| HealthError::NotFinite { value: crate::text::shorten(text) })?;
        FiniteF64::new(value)
    }
}

/// The longest signal name accepted, in characters.
pub const MAX_SIGNAL_CHARS: usize = 64;

/// The name of a health signal, such as `error_rate` or `latency_p95_ms`.
///
/// A lowercase ASCII letter followed by lowercase letters, digits, `_`, `-`
/// or `.`; at most [`MAX_SIGNAL_CHARS`] characters.
///
/// ```
/// use release_workflow::health::Signal;
///
/// let signal = Signal::parse("latency_p95_ms")?;
/// assert_eq!(signal.as_str(), "latency_p95_ms");
/// assert!(Signal::parse("Latency P95").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Signal(String);

impl Signal {
    /// Parses and checks a signal name.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidSignal`] saying which rule the name breaks.
    pub fn parse(text: &str) -> Result<Signal, HealthError> {
        let mut chars = text.chars();
        let problem = match chars.next() {
            None => Some("is empty"),
            Some(first) if !first.is_ascii_lowercase() => Some("must start with a lowercase ASCII letter"),
            Some(_) if text.len() > MAX_SIGNAL_CHARS => Some("is longer than 64 characters"),
            Some(_) => chars
                .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.')))
                .then_some("may only use lowercase ASCII letters, digits, '_', '-' and '.'"),
        };
        match problem {
            None => Ok(Signal(text.to_owned())),
            Some(problem) => Err(HealthError::InvalidSignal { signal: crate::text::shorten(text), problem }),
        }
    }
}

crate::id::text_newtype!(Signal, HealthError);
