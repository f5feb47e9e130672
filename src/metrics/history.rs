//! A history of deployments, and the reports computed from it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::compute::{Accumulator, Calendar};
use super::{DeploymentRecord, DoraReport, Period, ReportOptions, Trend, TrendRow, Window};
use crate::metrics::error::MetricsError;
use crate::release::Release;

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
    /// [`MetricsError::NotDeployed`] for a release that never entered `Deploying`.
    pub fn push_release(&mut self, release: &Release) -> Result<(), MetricsError> {
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
        let mut accumulator = Accumulator::new(options.window, calendar(options), true);
        accumulator.reserve(self.records.len());
        for record in &self.records {
            if options.service.as_deref().is_some_and(|service| record.service() != service) {
                accumulator.skip_other_services(1);
            } else {
                accumulator.offer(record);
            }
        }
        finish(options, options.service.clone(), accumulator)
    }

    /// One report per service, over the same window; `options`' own service
    /// filter is ignored. Each equals the one-service
    /// [`report`](History::report), from a single pass over the records.
    pub fn report_by_service(&self, options: &ReportOptions) -> BTreeMap<String, DoraReport> {
        let mut by_service: HashMap<&str, Accumulator> = HashMap::new();
        for record in &self.records {
            by_service
                .entry(record.service())
                .or_insert_with(|| Accumulator::new(options.window, calendar(options), true))
                .offer(record);
        }
        by_service
            .into_iter()
            .map(|(service, mut accumulator)| {
                accumulator.skip_other_services(self.records.len() - accumulator.records_seen());
                (service.to_owned(), finish(options, Some(service.to_owned()), accumulator))
            })
            .collect()
    }

    /// The metrics per week or per month across `options`' window: every
    /// period that overlaps the window, cut to it, empty periods included.
    /// One pass puts each record in its period.
    ///
    /// # Errors
    ///
    /// [`MetricsError::TooManyPeriods`] when the window spans more than
    /// [`MAX_TREND_PERIODS`] periods.
    pub fn trend(&self, options: &ReportOptions, period: Period) -> Result<Trend, MetricsError> {
        let calendar = calendar(options);
        let windows = periods(&options.window, period, calendar)?;
        let mut accumulators: Vec<Accumulator> =
            windows.iter().map(|window| Accumulator::new(*window, calendar, false)).collect();
        for record in &self.records {
            if options.service.as_deref().is_some_and(|service| record.service() != service) {
                continue;
            }
            let at = record.started_at();
            if !options.window.contains(at) {
                continue;
            }
            let index = windows.partition_point(|window| window.end() <= at);
            if let Some(accumulator) = accumulators.get_mut(index) {
                accumulator.add(record);
            }
        }
        let thresholds = options.benchmark.thresholds();
        let rows = windows
            .into_iter()
            .zip(accumulators)
            .map(|(window, accumulator)| TrendRow { window, metrics: accumulator.finish(&thresholds).0 })
            .collect();
        Ok(Trend { period, utc_offset_seconds: options.offset.local_minus_utc(), rows })
    }
}

/// The most periods a trend has: a weekly trend of about 190 years.
pub const MAX_TREND_PERIODS: usize = 10_000;

fn calendar(options: &ReportOptions) -> Calendar {
    Calendar { offset_seconds: i64::from(options.offset.local_minus_utc()) }
}

fn finish(options: &ReportOptions, service: Option<String>, accumulator: Accumulator) -> DoraReport {
    let (metrics, explanation) = accumulator.finish(&options.benchmark.thresholds());
    DoraReport {
        window: options.window,
        service,
        utc_offset_seconds: options.offset.local_minus_utc(),
        benchmark: options.benchmark,
        metrics,
        explanation,
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
fn periods(window: &Window, period: Period, calendar: Calendar) -> Result<Vec<Window>, MetricsError> {
    let first_day = calendar.day(window.start());
    let period_start = match period {
        Period::Week => calendar.start_of_day(Calendar::week(first_day) * 7 - 3),
        Period::Month => calendar.start_of_day(first_day).and_then(|day| {
            let local = day.naive_utc().checked_add_signed(TimeDelta::seconds(calendar.offset_seconds))?;
            let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1)?;
            calendar.start_of_day(first.signed_duration_since(NaiveDate::default()).num_days())
        }),
    };
    // Near the ends of time a period can start before time does.
    let mut start = period_start.unwrap_or(window.start());
    let mut windows = Vec::new();
    while start < window.end() {
        if windows.len() == MAX_TREND_PERIODS {
            return Err(MetricsError::TooManyPeriods { period: period.to_string(), max: MAX_TREND_PERIODS });
        }
        let end = next_period(start, period, calendar);
        if let Ok(cut) = Window::new(start.max(window.start()), end.min(window.end())) {
            windows.push(cut);
        }
        if end <= start {
            break;
        }
        start = end;
    }
    Ok(windows)
}

fn next_period(start: DateTime<Utc>, period: Period, calendar: Calendar) -> DateTime<Utc> {
    match period {
        Period::Week => start.checked_add_signed(TimeDelta::days(7)).unwrap_or(DateTime::<Utc>::MAX_UTC),
        Period::Month => start
            .naive_utc()
            .checked_add_signed(TimeDelta::seconds(calendar.offset_seconds))
            .and_then(|local| local.checked_add_months(Months::new(1)))
            .and_then(|next| next.and_utc().checked_sub_signed(TimeDelta::seconds(calendar.offset_seconds)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    }
}
