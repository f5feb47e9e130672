//! A history of deployments, and the reports computed from it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::compute::{Calendar, compute};
use super::{DeploymentRecord, DoraReport, Period, ReportOptions, Trend, TrendRow, Window};
use crate::{Error, Release};

/// Deployment records, in any order, to compute DORA metrics from.
///
/// ```
/// use release_workflow::{DeploymentRecord, History, ReportOptions, Window};
///
/// let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>();
/// let history = History::from_records([
///     DeploymentRecord::new("checkout", "2.4.0", at("2026-11-02T10:00:00Z")?)?
///         .reached_production(at("2026-11-02T10:20:00Z")?)?
///         .with_commits([at("2026-11-01T16:00:00Z")?]),
/// ]);
/// let window = Window::new(at("2026-11-02T00:00:00Z")?, at("2026-11-09T00:00:00Z")?)?;
/// let report = history.report(&ReportOptions::new(window));
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
    /// [`Error::NotDeployed`] for a release that never entered `Deploying`.
    pub fn push_release(&mut self, release: &Release) -> Result<(), Error> {
        self.records.push(DeploymentRecord::from_release(release)?);
        Ok(())
    }

    /// The records, in the order added.
    pub fn records(&self) -> &[DeploymentRecord] {
        &self.records
    }

    /// The services the history knows, sorted.
    pub fn services(&self) -> Vec<&str> {
        let mut services: Vec<&str> = self.records.iter().map(DeploymentRecord::service).collect();
        services.sort_unstable();
        services.dedup();
        services
    }

    /// The report over `options`' window: one pass over the records, then
    /// selection for the medians.
    pub fn report(&self, options: &ReportOptions) -> DoraReport {
        self.report_on(&self.records, options)
    }

    fn report_on<'a>(
        &self,
        records: impl IntoIterator<Item = &'a DeploymentRecord>,
        options: &ReportOptions,
    ) -> DoraReport {
        let calendar = Calendar { offset_seconds: i64::from(options.offset.local_minus_utc()) };
        let (metrics, explanation) = compute(
            records,
            &options.window,
            options.service.as_deref(),
            calendar,
            &options.benchmark.thresholds(),
            true,
        );
        DoraReport {
            window: options.window,
            service: options.service.clone(),
            utc_offset_seconds: options.offset.local_minus_utc(),
            benchmark: options.benchmark,
            metrics,
            explanation,
        }
    }

    /// One report per service, over the same window; `options`' own service
    /// filter is ignored. Each equals the one-service [`report`](History::report),
    /// from a single grouping pass.
    pub fn report_by_service(&self, options: &ReportOptions) -> BTreeMap<String, DoraReport> {
        let mut by_service: BTreeMap<&str, Vec<&DeploymentRecord>> = BTreeMap::new();
        for record in &self.records {
            by_service.entry(record.service()).or_default().push(record);
        }
        by_service
            .into_iter()
            .map(|(service, records)| {
                let others = self.records.len() - records.len();
                let mut report = self.report_on(records, &options.clone().service(service));
                report.explanation.other_services = others;
                (service.to_owned(), report)
            })
            .collect()
    }

    /// The metrics per week or per month across `options`' window: every
    /// period that overlaps the window, cut to it, empty periods included.
    /// The records are put in their periods in one pass.
    pub fn trend(&self, options: &ReportOptions, period: Period) -> Trend {
        let calendar = Calendar { offset_seconds: i64::from(options.offset.local_minus_utc()) };
        let windows = periods(&options.window, period, calendar);
        let mut buckets: Vec<Vec<&DeploymentRecord>> = vec![Vec::new(); windows.len()];
        for record in &self.records {
            if options.service.as_deref().is_some_and(|service| record.service() != service) {
                continue;
            }
            let at = record.started_at();
            if !options.window.contains(at) {
                continue;
            }
            let index = windows.partition_point(|window| window.to() <= at);
            if let Some(bucket) = buckets.get_mut(index) {
                bucket.push(record);
            }
        }
        let thresholds = options.benchmark.thresholds();
        let rows = windows
            .into_iter()
            .zip(buckets)
            .map(|(window, records)| {
                let (metrics, _) = compute(records, &window, None, calendar, &thresholds, false);
                TrendRow { window, metrics }
            })
            .collect();
        Trend { period, utc_offset_seconds: options.offset.local_minus_utc(), rows }
    }
}

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

/// The periods overlapping `window`, each cut to it.
fn periods(window: &Window, period: Period, calendar: Calendar) -> Vec<Window> {
    let first_day = calendar.day(window.from());
    let mut start = match period {
        Period::Week => calendar.start_of_day(Calendar::week(first_day) * 7 - 3),
        Period::Month => {
            let local =
                calendar.start_of_day(first_day).naive_utc() + TimeDelta::seconds(calendar.offset_seconds);
            let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap_or(local.date());
            calendar.start_of_day(first.signed_duration_since(NaiveDate::default()).num_days())
        }
    };
    let mut windows = Vec::new();
    while start < window.to() {
        let end = next_period(start, period, calendar);
        if let Ok(cut) = Window::new(start.max(window.from()), end.min(window.to())) {
            windows.push(cut);
        }
        if end <= start {
            break;
        }
        start = end;
    }
    windows
}

fn next_period(start: DateTime<Utc>, period: Period, calendar: Calendar) -> DateTime<Utc> {
    match period {
        Period::Week => start + TimeDelta::days(7),
        Period::Month => {
            let local = start.naive_utc() + TimeDelta::seconds(calendar.offset_seconds);
            match local.checked_add_months(Months::new(1)) {
                Some(next) => next.and_utc() - TimeDelta::seconds(calendar.offset_seconds),
                None => DateTime::<Utc>::MAX_UTC,
            }
        }
    }
}
