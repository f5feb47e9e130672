//! DORA metrics from a history of deployments.

mod compute;
mod elapsed;
mod error;
mod history;
#[cfg(feature = "store")]
mod json;
mod parallel;
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
