//! DORA metrics from a history of deployments.
//!
//! # DORA metrics
//!
//! A [`History`] of [`DeploymentRecord`]s — made from releases, or built
//! from deployments recorded elsewhere — gives a [`DoraReport`] over a
//! half-open [`Window`]: deployment frequency, lead time for changes, change
//! failure rate, failed deployment recovery time, rollback frequency,
//! deployment duration and rework rate, each defined in its type's docs,
//! graded in [`Tier`]s under a [`Benchmark`], with an [`Explanation`] of
//! which deployments failed and what was left out. A metric with no data is
//! `None`, never zero. [`History::trend`] gives the same per week or month,
//! each row with its own explanation. Days, weeks and months begin at
//! midnight in a [`Zone`]: an IANA time zone (daylight-saving time
//! included) or a fixed offset.
//!
//! A report does not need the records: [`Totals`] keep what the metrics
//! need while records go past, and merge across threads. With the `store`
//! feature, `JsonLines` reads a JSON Lines history (a file or any reader)
//! on every core, streaming, into a `History` or into totals, reporting
//! malformed lines by number without stopping; a million-line file is
//! reported in about half a second and 130 MB (README, "DORA metrics").
//!
//! ```
//! use release_workflow::metrics::{DeploymentRecord, History, ReportOptions, RollbackSpan, Tier, Window};
//!
//! let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>();
//! let shipped = DeploymentRecord::new("checkout", "2.4.0", at("2026-11-02T10:00:00Z")?)?
//!     .with_production_at(at("2026-11-02T10:15:00Z")?)?
//!     .with_commits([at("2026-11-01T15:00:00Z")?]);
//! let rolled_back = DeploymentRecord::new("checkout", "2.4.1", at("2026-11-03T10:00:00Z")?)?
//!     .with_production_at(at("2026-11-03T10:15:00Z")?)?
//!     .with_rollback(RollbackSpan {
//!         decided_at: at("2026-11-03T10:40:00Z")?,
//!         restored_at: Some(at("2026-11-03T10:55:00Z")?),
//!     })?;
//! let history = History::from_records([shipped, rolled_back]);
//! let week = Window::new(at("2026-11-02T00:00:00Z")?, at("2026-11-09T00:00:00Z")?)?;
//! let report = history.report(&ReportOptions::new(week))?;
//! assert_eq!(report.metrics.change_failure_rate.rate, Some(0.5));
//! assert_eq!(report.metrics.recovery_time.tier, Some(Tier::Elite));
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compute;
mod elapsed;
mod error;
mod history;
#[cfg(feature = "store")]
mod json;
pub(crate) mod parallel;
#[cfg(feature = "store")]
mod read;
mod record;
mod report;
#[cfg(feature = "store")]
mod scan;
mod stats;
#[cfg(feature = "svg")]
mod svg;
mod tier;
pub(crate) mod time;
mod totals;
mod zone;

pub use elapsed::Elapsed;
pub use error::MetricsError;
pub use history::History;
#[cfg(feature = "store")]
pub use read::{DEFAULT_KEPT_MALFORMED, JsonLines, MalformedLine, Reading};
pub use record::{DeploymentRecord, IncidentSpan, RollbackSpan, UNNAMED_SERVICE};
pub use report::{
    ChangeFailureRate, DeploymentFrequency, DoraMetrics, DoraReport, Exclusion, ExclusionReason, Explanation,
    Failure, LeadTime, Period, RecoveryTime, ReportOptions, Share, Trend, TrendRow, Window,
};
pub use stats::Spread;
pub use tier::{Benchmark, Thresholds, Tier};
pub use totals::{MAX_TREND_PERIODS, Reports, Totals};
pub use zone::Zone;
