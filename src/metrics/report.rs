//! What a report says: the metrics, their tiers, and why.

use std::fmt;
use std::sync::Arc;

use std::num::NonZeroUsize;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::{Benchmark, Spread, Tier};
use crate::metrics::error::MetricsError;
use crate::metrics::zone::Zone;
use crate::text::{counted, named_enum};

/// A half-open span of time, `[start, end)`, that a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "WindowFields")]
pub struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowFields {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<WindowFields> for Window {
    type Error = MetricsError;

    fn try_from(fields: WindowFields) -> Result<Self, MetricsError> {
        Window::new(fields.start, fields.end)
    }
}

impl Window {
    /// The window from `start` (included) to `end` (excluded).
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidWindow`] unless `start` is before `end`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Window, MetricsError> {
        if start >= end {
            return Err(MetricsError::InvalidWindow { start, end });
        }
        Ok(Window { start, end })
    }

    /// Where it starts (included).
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// Where it ends (excluded).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Whether `at` is inside.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// What a report covers and how it grades: a window (or the days the
/// records span), optionally one service, the time zone whose midnights
/// begin days and weeks (weeks start on Monday), and the benchmark.
///
/// ```
/// use release_workflow::metrics::{Benchmark, ReportOptions, Window, Zone};
///
/// let window = Window::new("2026-10-01T00:00:00Z".parse()?, "2027-01-01T00:00:00Z".parse()?)?;
/// let options = ReportOptions::new(window)
///     .with_service("checkout")
///     .with_time_zone(release_workflow::chrono_tz::Europe::Berlin)
///     .with_benchmark(Benchmark::Dora2021);
/// assert_eq!(options.service(), Some("checkout"));
/// assert_eq!(options.time_zone(), Zone::Named(release_workflow::chrono_tz::Europe::Berlin));
/// assert_eq!(options.benchmark(), Benchmark::Dora2021);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportOptions {
    window: Option<Window>,
    service: Option<String>,
    zone: Zone,
    benchmark: Benchmark,
    threads: Option<NonZeroUsize>,
    emergency_changes: bool,
}

impl ReportOptions {
    /// A report over `window`: every service, days in UTC, graded against
    /// DORA 2023.
    pub fn new(window: Window) -> ReportOptions {
        ReportOptions { window: Some(window), ..ReportOptions::recorded_days() }
    }

    /// A report over the days the records span: from the midnight (in the
    /// report's time zone) before the first deployment to the midnight
    /// after the last, whatever their service. Otherwise as
    /// [`new`](ReportOptions::new).
    pub fn recorded_days() -> ReportOptions {
        ReportOptions {
            window: None,
            service: None,
            zone: Zone::UTC,
            benchmark: Benchmark::default(),
            threads: None,
            emergency_changes: true,
        }
    }

    /// Only deployments of this service.
    #[must_use]
    pub fn with_service(mut self, service: impl Into<String>) -> ReportOptions {
        self.service = Some(service.into());
        self
    }

    /// Days and weeks begin at midnight in this time zone: an IANA zone
    /// ([`chrono_tz::Tz`]), a [`FixedOffset`] or a [`Zone`].
    #[must_use]
    pub fn with_time_zone(mut self, zone: impl Into<Zone>) -> ReportOptions {
        self.zone = zone.into();
        self
    }

    /// Days and weeks begin at midnight at this UTC offset: the same as
    /// [`with_time_zone`](ReportOptions::with_time_zone) with an offset.
    #[must_use]
    pub fn with_utc_offset(self, offset: FixedOffset) -> ReportOptions {
        self.with_time_zone(offset)
    }

    /// The benchmark to grade against.
    #[must_use]
    pub fn with_benchmark(mut self, benchmark: Benchmark) -> ReportOptions {
        self.benchmark = benchmark;
        self
    }

    /// Computes on at most this many threads (at least one, at most 256);
    /// by default, on every core for histories large enough to gain from
    /// it. The result never depends on it.
    #[must_use]
    pub fn with_threads(mut self, threads: NonZeroUsize) -> ReportOptions {
        self.threads = Some(threads);
        self
    }

    /// Whether emergency changes count (the default), or are left out of
    /// every metric and counted in the explanation: a team that wants its
    /// normal flow measured apart from its firefighting.
    #[must_use]
    pub fn with_emergency_changes(mut self, counted: bool) -> ReportOptions {
        self.emergency_changes = counted;
        self
    }

    /// Whether emergency changes count.
    pub fn emergency_changes(&self) -> bool {
        self.emergency_changes
    }

    /// The window, or `None` for the days the records span.
    pub fn window(&self) -> Option<Window> {
        self.window
    }

    /// The service reported on, if only one.
    pub fn service(&self) -> Option<&str> {
        self.service.as_deref()
    }

    /// The time zone whose midnights begin days and weeks.
    pub fn time_zone(&self) -> Zone {
        self.zone
    }

    /// The benchmark graded against.
    pub fn benchmark(&self) -> Benchmark {
        self.benchmark
    }

    /// The most threads to compute on, if limited.
    pub fn threads(&self) -> Option<NonZeroUsize> {
        self.threads
    }
}

/// How often deployments happen.
///
/// - `per_day`: deployments over every day of the window, empty days
///   included (a day is a calendar day in the report's time zone; a window
///   that starts or ends mid-day counts that day);
/// - `per_week`: `per_day × 7`;
/// - `deploy_days_per_week`: the median, over every week (Monday to Sunday
///   in the time zone) the window touches, partial weeks included, of the
///   number of days with a deployment in the window — as Google's fourkeys
///   dashboard and Apache DevLake count it. A window that starts on a
///   Wednesday counts that week's Wednesday to Sunday as one week.
///
/// Zero deployments in a window is a measurement, not missing data: the
/// rates are `0` and the tier is low.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DeploymentFrequency {
    /// Deployments in the window.
    pub count: usize,
    /// Mean deployments per day.
    pub per_day: f64,
    /// Mean deployments per week.
    pub per_week: f64,
    /// Median days with a deployment per week.
    pub deploy_days_per_week: f64,
    /// The tier of `per_day`.
    pub tier: Tier,
}

/// Lead time for changes: for every change a deployment in the window
/// shipped to production, the time from its commit to the deployment
/// reaching production (entering `Verifying`).
///
/// A commit time after production cannot be a lead time; such changes are
/// left out and counted in `commits_after_production`. Changes of
/// deployments that never reached production are not lead times either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LeadTime {
    /// Median and 90th percentile; `None` without a change in production.
    pub spread: Option<Spread>,
    /// Changes left out because their commit time is after production.
    pub commits_after_production: usize,
    /// The tier of the median.
    pub tier: Option<Tier>,
}

/// Change failure rate: distinct failed deployments over deployments.
///
/// A deployment failed when it was rolled back or caused at least one
/// incident; several incidents on one deployment count it once.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangeFailureRate {
    /// Failed deployments.
    pub failed: usize,
    /// `failed / deployments`, from 0 to 1; `None` without deployments.
    pub rate: Option<f64>,
    /// The tier of the rate.
    pub tier: Option<Tier>,
}

/// Failed deployment recovery time: for every failed deployment, the time
/// from the failure's start (its first incident opening or its rollback
/// being decided, whichever is first) to its restoration (the rollback
/// restored and every incident resolved, whichever is last).
///
/// A failure not yet restored has no recovery time; it is counted in
/// `unresolved`, not averaged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecoveryTime {
    /// Median and 90th percentile; `None` without a restored failure.
    pub spread: Option<Spread>,
    /// Failures not restored yet.
    pub unresolved: usize,
    /// The tier of the median.
    pub tier: Option<Tier>,
}

/// A count of deployments, and its share of all deployments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// How many.
    pub count: usize,
    /// `count / deployments`; `None` without deployments.
    pub rate: Option<f64>,
}

/// Every metric of a report or of one period of a trend.
///
/// Medians and percentiles are interpolated between the two nearest values
/// (as fourkeys, GitLab and PostgreSQL's `percentile_cont` do), computed by
/// selection over all values — never a median of daily medians. A metric
/// with no data is `None`, never zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoraMetrics {
    /// Deployments: records whose deployment started in the window.
    pub deployments: usize,
    /// How often.
    pub deployment_frequency: DeploymentFrequency,
    /// Commit to production.
    pub lead_time: LeadTime,
    /// Failed over all.
    pub change_failure_rate: ChangeFailureRate,
    /// Failure to restoration.
    pub recovery_time: RecoveryTime,
    /// Deployments rolled back.
    pub rollbacks: Share,
    /// From `Deploying` to `Verifying`, for deployments that reached
    /// production.
    pub deployment_duration: Option<Spread>,
    /// Deployment rework rate: unplanned deployments that remediate an
    /// incident, over deployments.
    pub rework: Share,
    /// Emergency changes over deployments: not a DORA metric, and not
    /// graded. `None` when no deployment counted was one, and then not
    /// written, so a history without them reports exactly as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_changes: Option<Share>,
}

/// Why a deployment counted as failed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Failure {
    /// When its deployment started.
    pub started_at: DateTime<Utc>,
    /// The release.
    pub release: Arc<str>,
    /// Whether it was rolled back.
    pub rolled_back: bool,
    /// The incidents it caused.
    pub incidents: Vec<Arc<str>>,
}

/// Why part of a deployment was left out of a metric.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum ExclusionReason {
    /// Changes whose commit time is after production: no lead time.
    CommitsAfterProduction {
        /// How many of its changes.
        commits: usize,
    },
    /// The deployment never reached production: no lead times and no
    /// duration.
    NotInProduction,
    /// A failure not restored yet: no recovery time.
    Unresolved,
}

/// A deployment left out of a metric, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Exclusion {
    /// When its deployment started.
    pub started_at: DateTime<Utc>,
    /// The release.
    pub release: Arc<str>,
    /// Why.
    pub reason: ExclusionReason,
}

/// What a report counted and left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Explanation {
    /// Every failed deployment and why it failed, in the order the
    /// deployments started (then by release), so the report does not depend
    /// on the order of the records.
    pub failures: Vec<Failure>,
    /// Every deployment left out of a metric and why, in the same order.
    pub exclusions: Vec<Exclusion>,
    /// Records whose deployment started outside the window.
    pub outside_window: usize,
    /// Records of other services, for a one-service report.
    pub other_services: usize,
    /// Records of emergency changes, for a report that leaves them out
    /// ([`ReportOptions::with_emergency_changes`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub emergency_changes: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// The DORA metrics of a history over a window, graded, and explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoraReport {
    /// The window.
    pub window: Window,
    /// The service reported on, or `None` for all.
    pub service: Option<String>,
    /// The time zone of days and weeks.
    pub time_zone: Zone,
    /// The benchmark graded against.
    pub benchmark: Benchmark,
    /// The metrics.
    pub metrics: DoraMetrics,
    /// What counted as failure and what was left out.
    pub explanation: Explanation,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "no data".to_owned(), |rate| format!("{:.1}%", rate * 100.0))
}

fn spread(spread: Option<&Spread>, one: &str, many: &str) -> String {
    spread.map_or_else(
        || "no data".to_owned(),
        |s| format!("median {} · p90 {} ({})", s.median, s.p90, counted(s.count, one, many)),
    )
}

/// A median of deploy days per week: `1 deploy day/week`, `3.5 deploy days/week`.
fn deploy_days(median: f64) -> String {
    let noun = if median == 1.0 { "deploy day/week" } else { "deploy days/week" };
    format!("{median} {noun}")
}

fn tier(tier: Option<Tier>) -> String {
    tier.map_or_else(|| "—".to_owned(), |tier| tier.to_string())
}

/// How many failed deployments a report lists before it only counts the rest.
const LISTED_FAILURES: usize = 10;

impl DoraMetrics {
    fn rows(&self) -> Vec<(&'static str, String, String)> {
        let frequency = &self.deployment_frequency;
        vec![
            (
                "deployment frequency",
                format!(
                    "{:.2}/day · {:.1}/week · {} (median) · {}",
                    frequency.per_day,
                    frequency.per_week,
                    deploy_days(frequency.deploy_days_per_week),
                    counted(frequency.count, "deployment", "deployments"),
                ),
                frequency.tier.to_string(),
            ),
            (
                "lead time for changes",
                spread(self.lead_time.spread.as_ref(), "change", "changes"),
                tier(self.lead_time.tier),
            ),
            (
                "change failure rate",
                format!(
                    "{} ({} of {})",
                    percent(self.change_failure_rate.rate),
                    self.change_failure_rate.failed,
                    counted(self.deployments, "deployment", "deployments")
                ),
                tier(self.change_failure_rate.tier),
            ),
            (
                "recovery time",
                format!(
                    "{}, {} unresolved",
                    spread(self.recovery_time.spread.as_ref(), "restored", "restored"),
                    self.recovery_time.unresolved
                ),
                tier(self.recovery_time.tier),
            ),
            (
                "rollback frequency",
                format!("{} ({})", self.rollbacks.count, percent(self.rollbacks.rate)),
                String::new(),
            ),
            (
                "deployment duration",
                spread(self.deployment_duration.as_ref(), "deployment", "deployments"),
                String::new(),
            ),
            (
                "rework rate",
                format!(
                    "{} ({})",
                    percent(self.rework.rate),
                    counted(self.rework.count, "remediation", "remediations")
                ),
                String::new(),
            ),
        ]
        .into_iter()
        .chain(self.emergency_changes.map(|share| {
            (
                "emergency changes",
                format!("{} ({})", percent(share.rate), counted(share.count, "deployment", "deployments")),
                String::new(),
            )
        }))
        .collect()
    }
}

impl fmt::Display for DoraReport {
    /// The metrics as a table, then what counted as failure and what was
    /// left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let zone = self.time_zone;
        let zone_name = match zone {
            _ if zone.is_utc() => "UTC".to_owned(),
            Zone::Offset(offset) => format!("UTC{offset}"),
            Zone::Named(name) => name.name().to_owned(),
        };
        writeln!(
            f,
            "DORA report · {} · {} → {} ({zone_name}) · graded against {}",
            self.service.as_deref().unwrap_or("all services"),
            zone.local(self.window.start).format("%Y-%m-%d %H:%M"),
            zone.local(self.window.end).format("%Y-%m-%d %H:%M"),
            self.benchmark,
        )?;
        writeln!(f, "{:<24} {:<78} tier", "metric", "value")?;
        for (name, value, tier) in self.metrics.rows() {
            writeln!(f, "{name:<24} {value:<78} {tier}")?;
        }
        write!(f, "{}", self.explanation)
    }
}

impl fmt::Display for Explanation {
    /// What counted as failure (the first ten, by start), then what was
    /// left out, in one line each.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let explanation = self;
        let failures = &explanation.failures;
        if !failures.is_empty() {
            let mut listed: Vec<String> = failures
                .iter()
                .take(LISTED_FAILURES)
                .map(|failure| {
                    let mut why: Vec<String> = Vec::new();
                    if failure.rolled_back {
                        why.push("rolled back".into());
                    }
                    if !failure.incidents.is_empty() {
                        let ids: Vec<&str> = failure.incidents.iter().map(|id| &**id).collect();
                        let noun = if ids.len() == 1 { "incident" } else { "incidents" };
                        why.push(format!("{noun} {}", ids.join(", ")));
                    }
                    format!("{} ({})", failure.release, why.join(", "))
                })
                .collect();
            if failures.len() > LISTED_FAILURES {
                listed.push(format!("… and {} more", failures.len() - LISTED_FAILURES));
            }
            writeln!(f, "failed deployments ({}): {}", failures.len(), listed.join("; "))?;
        }
        let (mut commits, mut commit_deployments, mut not_in_production, mut unresolved) = (0, 0, 0, 0);
        for exclusion in &explanation.exclusions {
            match exclusion.reason {
                ExclusionReason::CommitsAfterProduction { commits: count } => {
                    commits += count;
                    commit_deployments += 1;
                }
                ExclusionReason::NotInProduction => not_in_production += 1,
                ExclusionReason::Unresolved => unresolved += 1,
            }
        }
        let mut left_out: Vec<String> = Vec::new();
        if commits > 0 {
            left_out.push(format!(
                "{} after production ({}) from lead time",
                counted(commits, "commit", "commits"),
                counted(commit_deployments, "deployment", "deployments")
            ));
        }
        if not_in_production > 0 {
            left_out.push(format!(
                "{} not in production from lead time and duration",
                counted(not_in_production, "deployment", "deployments")
            ));
        }
        if unresolved > 0 {
            left_out.push(format!(
                "{} from recovery time",
                counted(unresolved, "unresolved failure", "unresolved failures")
            ));
        }
        if explanation.outside_window > 0 {
            let records = counted(explanation.outside_window, "record", "records");
            left_out.push(format!("{records} outside the window"));
        }
        if explanation.other_services > 0 {
            let records = counted(explanation.other_services, "record", "records");
            left_out.push(format!("{records} of other services"));
        }
        if explanation.emergency_changes > 0 {
            let records = counted(explanation.emergency_changes, "emergency change", "emergency changes");
            left_out.push(records);
        }
        if left_out.is_empty() {
            writeln!(f, "left out: nothing")
        } else {
            writeln!(f, "left out: {}", left_out.join("; "))
        }
    }
}

/// How long each period of a trend is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// Calendar weeks, Monday to Sunday in the report's time zone.
    Week,
    /// Calendar months in the report's time zone.
    Month,
}

named_enum!(Period, "period", {
    Week => "week",
    Month => "month",
});

/// One period of a trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    /// The part of the report's window in this period.
    pub window: Window,
    /// The period's metrics.
    pub metrics: DoraMetrics,
    /// The period's failed deployments and what it left out, as a
    /// report's (without records outside the window or of other services,
    /// which the report counts).
    pub explanation: Explanation,
}

/// The same metrics per week or per month across a report's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// How long each period is.
    pub period: Period,
    /// The time zone of the periods.
    pub time_zone: Zone,
    /// The benchmark the rows are graded against.
    pub benchmark: Benchmark,
    /// Every period overlapping the window, in order, empty ones included.
    pub rows: Vec<TrendRow>,
}

impl fmt::Display for Trend {
    /// One row per period; an `emergency` column when any period had an
    /// emergency change.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let emergencies = self.rows.iter().any(|row| row.metrics.emergency_changes.is_some());
        write!(
            f,
            "{:<12} {:>9} {:>11} {:>14} {:>8} {:>14} {:>9} {:>8}",
            self.period, "deploys", "per day", "lead time p50", "CFR", "recovery p50", "rollbacks", "rework"
        )?;
        writeln!(f, "{}", if emergencies { format!(" {:>9}", "emergency") } else { String::new() })?;
        for row in &self.rows {
            let m = &row.metrics;
            let median = |s: Option<&Spread>| s.map_or_else(|| "—".to_owned(), |s| s.median.to_string());
            let share =
                |rate: Option<f64>| rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0));
            write!(
                f,
                "{:<12} {:>9} {:>11.2} {:>14} {:>8} {:>14} {:>9} {:>8}",
                self.time_zone.local(row.window.start).format("%Y-%m-%d"),
                m.deployments,
                m.deployment_frequency.per_day,
                median(m.lead_time.spread.as_ref()),
                share(m.change_failure_rate.rate),
                median(m.recovery_time.spread.as_ref()),
                m.rollbacks.count,
                share(m.rework.rate),
            )?;
            let emergency = if emergencies {
                format!(" {:>9}", m.emergency_changes.map_or(0, |share| share.count))
            } else {
                String::new()
            };
            writeln!(f, "{emergency}")?;
        }
        Ok(())
    }
}
