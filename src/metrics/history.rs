//! A history of deployments, and the reports computed from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DeploymentRecord, DoraReport, Period, ReportOptions, Trend};
use crate::metrics::error::MetricsError;
use crate::metrics::parallel::{MAX_THREADS, Started, start};
use crate::metrics::totals::Totals;
use crate::release::Release;

/// Deployment records, in any order, to compute DORA metrics from.
///
/// ```
/// use release_workflow::metrics::{DeploymentRecord, History, ReportOptions, Window};
///
/// let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>();
/// let history = History::from_records([
///     DeploymentRecord::new("checkout", "2.4.0", at("2026-11-02T10:00:00Z")?)?
///         .with_production_at(at("2026-11-02T10:20:00Z")?)?
///         .with_commits([at("2026-11-01T16:00:00Z")?]),
/// ]);
/// let window = Window::new(at("2026-11-02T00:00:00Z")?, at("2026-11-09T00:00:00Z")?)?;
/// let report = history.report(&ReportOptions::new(window))?;
/// assert_eq!(report.metrics.deployments, 1);
/// let lead_time = report.metrics.lead_time.spread.ok_or("a lead time")?;
/// assert_eq!(lead_time.median.as_hours(), 18.0 + 20.0 / 60.0);
/// assert_eq!(report.metrics.change_failure_rate.rate, Some(0.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct History {
    records: Vec<DeploymentRecord>,
}

impl History {
    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// A history of these records.
    pub fn from_records(records: impl IntoIterator<Item = DeploymentRecord>) -> History {
        History { records: records.into_iter().collect() }
    }

    /// A history of these releases. Releases that never entered `Deploying`
    /// are not deployments and are skipped.
    pub fn from_releases<'a>(releases: impl IntoIterator<Item = &'a Release>) -> History {
        History {
            records: releases
                .into_iter()
                .filter_map(|release| DeploymentRecord::from_release(release).ok())
                .collect(),
        }
    }

    /// Adds a record.
    pub fn push(&mut self, record: DeploymentRecord) {
        self.records.push(record);
    }

    /// Adds a release.
    ///
    /// # Errors
    ///
    /// [`MetricsError::NotDeployed`] for a release that never entered `Deploying`.
    pub fn push_release(&mut self, release: &Release) -> Result<(), MetricsError> {
        self.records.push(DeploymentRecord::from_release(release)?);
        Ok(())
    }

    /// The records, in the order added.
    pub fn records(&self) -> &[DeploymentRecord] {
        &self.records
    }

    /// The records, in the order added, taken out of the history.
    pub fn into_records(self) -> Vec<DeploymentRecord> {
        self.records
    }

    /// The services the history knows, sorted.
    pub fn services(&self) -> Vec<&str> {
        let mut services: Vec<&str> = self.records.iter().map(DeploymentRecord::service).collect();
        services.sort_unstable();
        services.dedup();
        services
    }

    /// The report over `options`' window: one pass over the records (on
    /// every core, for a large history), then selection for the medians.
    ///
    /// # Errors
    ///
    /// [`MetricsError::NothingRecorded`] for a report over the
    /// [recorded days](ReportOptions::recorded_days) of an empty history.
    pub fn report(&self, options: &ReportOptions) -> Result<DoraReport, MetricsError> {
        Ok(self.totals(Totals::new(options)).finish()?.report)
    }

    /// One report per service, over the same window; `options`' own service
    /// filter is ignored. Each equals the one-service
    /// [`report`](History::report), from a single pass over the records.
    ///
    /// # Errors
    ///
    /// As [`report`](History::report).
    pub fn report_by_service(
        &self,
        options: &ReportOptions,
    ) -> Result<BTreeMap<String, DoraReport>, MetricsError> {
        Ok(self.totals(Totals::new(options).with_service_reports().with_report(false)).finish()?.by_service)
    }

    /// The metrics per week or per month across `options`' window: every
    /// period that overlaps the window, cut to it, empty periods included,
    /// each with its failures and exclusions. One pass puts each record in
    /// its period.
    ///
    /// # Errors
    ///
    /// [`MetricsError::TooManyPeriods`] when the window spans more than
    /// [`MAX_TREND_PERIODS`](crate::metrics::MAX_TREND_PERIODS) periods; otherwise as [`report`](History::report).
    pub fn trend(&self, options: &ReportOptions, period: Period) -> Result<Trend, MetricsError> {
        let reports = self.totals(Totals::new(options).with_trend(period).with_report(false)).finish()?;
        Ok(reports.trend.unwrap_or(Trend {
            period,
            time_zone: options.time_zone(),
            benchmark: options.benchmark(),
            rows: Vec::new(),
        }))
    }

    /// Adds every record to `totals`, splitting the records between threads
    /// when there are enough to gain from it.
    pub fn totals(&self, mut totals: Totals) -> Totals {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = totals
            .options()
            .threads()
            .map_or(cores, usize::from)
            .min(MAX_THREADS)
            .min(self.records.len() / RECORDS_PER_THREAD)
            .max(1);
        if threads == 1 {
            totals.reserve(self.records.len());
            for record in &self.records {
                totals.add(record);
            }
            return totals;
        }
        let parts = std::thread::scope(|scope| {
            let started: Vec<_> = self
                .records
                .chunks(self.records.len().div_ceil(threads))
                .enumerate()
                .map(|(index, records)| {
                    let mut part = totals.empty_like();
                    // The first part takes the others when merged: room for all.
                    part.reserve(if index == 0 { self.records.len() } else { records.len() });
                    start(scope, move || {
                        for record in records {
                            part.add(record);
                        }
                        part
                    })
                })
                .collect();
            started.into_iter().filter_map(Started::finish).collect::<Vec<_>>()
        });
        for part in parts {
            // Parts are made alike, so merging cannot fail.
            let _ = totals.merge(part);
        }
        totals
    }
}

/// The fewest records worth a thread of their own: below it, starting a
/// thread costs more than it saves.
const RECORDS_PER_THREAD: usize = 50_000;

impl FromIterator<DeploymentRecord> for History {
    fn from_iter<I: IntoIterator<Item = DeploymentRecord>>(records: I) -> History {
        History::from_records(records)
    }
}

impl Extend<DeploymentRecord> for History {
    fn extend<I: IntoIterator<Item = DeploymentRecord>>(&mut self, records: I) {
        self.records.extend(records);
    }
}
