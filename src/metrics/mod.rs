//! DORA metrics from a history of deployments.

mod compute;
mod elapsed;
mod error;
mod history;
#[cfg(feature = "store")]
mod json;
mod record;
mod report;
mod stats;
mod tier;
pub(crate) mod time;

pub use elapsed::Elapsed;
pub use error::MetricsError;
pub use history::{History, MAX_TREND_PERIODS};
pub use record::{DeploymentRecord, IncidentSpan, RollbackSpan, UNNAMED_SERVICE};
pub use report::{
    ChangeFailureRate, DeploymentFrequency, DoraMetrics, DoraReport, Exclusion, ExclusionReason, Explanation,
    Failure, LeadTime, Period, RecoveryTime, ReportOptions, Share, Trend, TrendRow, Window,
};
pub use stats::Spread;
pub use tier::{Benchmark, Thresholds, Tier};
