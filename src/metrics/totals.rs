//! What the metrics need, accumulated while records go past: a report
//! straight from a stream, without keeping the records.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::metrics::compute::Accumulator;
use crate::metrics::error::MetricsError;
use crate::metrics::parallel::side_by_side;
use crate::metrics::record::{DeploymentRecord, RecordRef};
use crate::metrics::report::{DoraReport, Period, ReportOptions, Trend, TrendRow, Window};
#[cfg(feature = "store")]
use crate::metrics::scan::Scratch;
use crate::metrics::zone::Calendar;

/// The running totals of a report, and optionally of its trend and of one
/// report per service, fed one [`DeploymentRecord`] at a time in any order.
///
/// Totals keep what the metrics need — counts, the days with a
/// deployment, the durations whose medians it reports, the failures and
/// exclusions it explains — and not the records: a report over a stream of
/// a million records holds a few tens of megabytes. Tallies of separate
/// parts of a history [`merge`](Totals::merge), so parts can be tallied on
/// separate threads; the result does not depend on the order of the
/// records or of the merges. [`History`](crate::metrics::History) reports through
/// totals; the JSON Lines reader (`JsonLines`, feature `store`) fills them
/// on every core.
///
/// ```
/// use release_workflow::metrics::{DeploymentRecord, Period, ReportOptions, Totals};
///
/// let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>();
/// let mut totals = Totals::new(&ReportOptions::recorded_days()).with_trend(Period::Week);
/// for day in ["2026-11-02", "2026-11-04", "2026-11-10"] {
///     let started = at(&format!("{day}T10:00:00Z"))?;
///     totals.add(&DeploymentRecord::new("checkout", day, started)?);
/// }
/// let reports = totals.finish()?;
/// assert_eq!(reports.report.metrics.deployments, 3);
/// assert_eq!(reports.report.window.start(), at("2026-11-02T00:00:00Z")?);
/// assert_eq!(reports.report.window.end(), at("2026-11-11T00:00:00Z")?);
/// let trend = reports.trend.ok_or("a trend")?;
/// assert_eq!(trend.rows.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Totals {
    options: ReportOptions,
    calendar: Calendar,
    report: Accumulator,
    /// Whether the report is wanted, or only the trend or the per-service
    /// reports: then records are not added to it.
    report_wanted: bool,
    trend: Option<(Period, BTreeMap<i64, Accumulator>)>,
    by_service: Option<HashMap<Arc<str>, Accumulator>>,
    /// The earliest and latest start of every record added.
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    records: u64,
    /// Room for reading records without building them.
    #[cfg(feature = "store")]
    scratch: Scratch,
}

/// What a finished [`Totals`] reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Reports {
    /// The report over the options' window (or the recorded days).
    pub report: DoraReport,
    /// The trend, when [`with_trend`](Totals::with_trend) asked for one.
    pub trend: Option<Trend>,
    /// One report per service over the same window, when
    /// [`with_service_reports`](Totals::with_service_reports) asked for them; empty otherwise.
    pub by_service: BTreeMap<String, DoraReport>,
}

impl Totals {
    /// Empty totals of a report over `options`.
    pub fn new(options: &ReportOptions) -> Totals {
        Totals {
            options: options.clone(),
            calendar: Calendar::new(options.time_zone()),
            report: Accumulator::default(),
            report_wanted: true,
            trend: None,
            by_service: None,
            span: None,
            records: 0,
            #[cfg(feature = "store")]
            scratch: Scratch::default(),
        }
    }

    /// Also tallies the trend per `period`.
    #[must_use]
    pub fn with_trend(mut self, period: Period) -> Totals {
        self.trend = Some((period, BTreeMap::new()));
        self
    }

    /// Also tallies one report per service (each ignoring the options'
    /// service filter, as [`History::report_by_service`](crate::metrics::History::report_by_service)).
    #[must_use]
    pub fn with_service_reports(mut self) -> Totals {
        self.by_service = Some(HashMap::new());
        self
    }

    /// The same totals without the overall report, for callers that want
    /// only the trend or the per-service reports: records are added to
    /// those alone, and the report finished is empty.
    pub(crate) fn with_report(mut self, wanted: bool) -> Totals {
        self.report_wanted = wanted;
        self
    }

    /// Makes room for about `records` records in the report's totals.
    pub(crate) fn reserve(&mut self, records: usize) {
        if self.report_wanted {
            self.report.reserve(records);
        }
    }

    /// The options reported over.
    pub fn options(&self) -> &ReportOptions {
        &self.options
    }

    /// How many records were added, counted or not: a count of records, in
    /// `u64` like `Reading::records` (feature `store`).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Empty totals asking the same as these: the start of a part
    /// to [`merge`](Totals::merge) back.
    #[must_use]
    pub fn empty_like(&self) -> Totals {
        Totals {
            report_wanted: self.report_wanted,
            trend: self.trend.as_ref().map(|(period, _)| (*period, BTreeMap::new())),
            by_service: self.by_service.as_ref().map(|_| HashMap::new()),
            ..Totals::new(&self.options)
        }
    }

    /// Adds a record: counted when its deployment started inside the
    /// window and it is of the service asked for, otherwise counted as
    /// left out.
    pub fn add(&mut self, record: &DeploymentRecord) {
        self.add_ref(&record.borrowed());
    }

    pub(crate) fn add_ref(&mut self, record: &RecordRef<'_>) {
        self.records += 1;
        let at = record.started_at;
        let inside = match self.options.window() {
            Some(window) => window.contains(at),
            None => {
                // Only the recorded days need the span.
                let span =
                    self.span.map_or((at, at), |(earliest, latest)| (earliest.min(at), latest.max(at)));
                self.span = Some(span);
                true
            }
        };
        let started_ms = at.timestamp_millis();
        let day = inside.then(|| self.calendar.day_of_second(started_ms.div_euclid(1000)));
        let left_out = record.emergency && !self.options.emergency_changes();
        if let Some(services) = &mut self.by_service {
            let accumulator = match services.get_mut(record.service) {
                Some(accumulator) => accumulator,
                None => services.entry(record.shared_service()).or_default(),
            };
            match day {
                _ if left_out => accumulator.explanation_mut().emergency_changes += 1,
                Some(day) => accumulator.add(record, day, started_ms),
                None => accumulator.explanation_mut().outside_window += 1,
            }
        }
        if self.options.service().is_some_and(|service| record.service != service) {
            self.report.explanation_mut().other_services += 1;
            return;
        }
        if left_out {
            self.report.explanation_mut().emergency_changes += 1;
            return;
        }
        let Some(day) = day else {
            self.report.explanation_mut().outside_window += 1;
            return;
        };
        if self.report_wanted {
            self.report.add(record, day, started_ms);
        }
        if let Some((period, periods)) = &mut self.trend {
            periods.entry(period_key(*period, day)).or_default().add(record, day, started_ms);
        }
    }

    /// Adds the totals of another part of the history, tallied over the
    /// same options.
    ///
    /// # Errors
    ///
    /// [`MetricsError::TotalsMismatch`] when `other` was made with other
    /// options, or asks for another trend or not the same per-service
    /// reports; these totals are then unchanged.
    pub fn merge(&mut self, other: Totals) -> Result<(), MetricsError> {
        let trend_period = |totals: &Totals| totals.trend.as_ref().map(|(period, _)| *period);
        if other.options != self.options
            || other.report_wanted != self.report_wanted
            || trend_period(&other) != trend_period(self)
            || other.by_service.is_some() != self.by_service.is_some()
        {
            return Err(MetricsError::TotalsMismatch);
        }
        self.records += other.records;
        self.span = match (self.span, other.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (span, None) | (None, span) => span,
        };
        self.report.merge(other.report);
        if let (Some((_, mine)), Some((_, theirs))) = (&mut self.trend, other.trend) {
            for (key, accumulator) in theirs {
                mine.entry(key).or_default().merge(accumulator);
            }
        }
        if let (Some(mine), Some(theirs)) = (&mut self.by_service, other.by_service) {
            for (service, accumulator) in theirs {
                mine.entry(service).or_default().merge(accumulator);
            }
        }
        Ok(())
    }

    #[cfg(feature = "store")]
    pub(crate) fn take_scratch(&mut self) -> Scratch {
        std::mem::take(&mut self.scratch)
    }

    #[cfg(feature = "store")]
    pub(crate) fn put_scratch(&mut self, scratch: Scratch) {
        self.scratch = scratch;
    }

    /// The report, and the trend and per-service reports asked for.
    ///
    /// # Errors
    ///
    /// [`MetricsError::NothingRecorded`] when the options ask for the
    /// recorded days and no record was added; [`MetricsError::TooManyPeriods`]
    /// when the trend would have more than
    /// [`MAX_TREND_PERIODS`](crate::metrics::MAX_TREND_PERIODS) periods.
    pub fn finish(mut self) -> Result<Reports, MetricsError> {
        let window = match self.options.window() {
            Some(window) => window,
            None => self.recorded_days()?,
        };
        let first = self.calendar.day(window.start());
        let last = self.calendar.last_day(window.end());
        let periods = match &self.trend {
            Some((period, _)) => Some(periods(&window, *period, &mut self.calendar)?),
            None => None,
        };
        let options = self.options.clone();
        let service = options.service().map(str::to_owned);
        let report_totals = std::mem::take(&mut self.report);
        // The report and the rest are independent: finish them side by side.
        let parallel = options.threads().is_none_or(|threads| threads.get() > 1)
            && (self.trend.is_some() || self.by_service.is_some());
        let ((trend, by_service), report) = side_by_side(
            parallel,
            || self.finish_rest(window, first, last, periods),
            || report(&options, window, service, report_totals, first, last),
        );
        Ok(Reports { report, trend, by_service })
    }

    /// The trend's rows and the per-service reports.
    fn finish_rest(
        &mut self,
        window: Window,
        first: i64,
        last: i64,
        periods: Option<Vec<(i64, Window)>>,
    ) -> (Option<Trend>, BTreeMap<String, DoraReport>) {
        let thresholds = self.options.benchmark().thresholds();
        let trend = match (self.trend.take(), periods) {
            (Some((period, mut accumulators)), Some(periods)) => {
                let rows = periods
                    .into_iter()
                    .map(|(key, window)| {
                        let mut accumulator = accumulators.remove(&key).unwrap_or_default();
                        let first = self.calendar.day(window.start());
                        let last = self.calendar.last_day(window.end());
                        let metrics = accumulator.metrics(first, last, &thresholds, false);
                        TrendRow { window, metrics, explanation: accumulator.into_explanation() }
                    })
                    .collect();
                Some(Trend {
                    period,
                    time_zone: self.options.time_zone(),
                    benchmark: self.options.benchmark(),
                    rows,
                })
            }
            _ => None,
        };
        let records = self.records;
        let by_service = self
            .by_service
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|(service, mut accumulator)| {
                // A count beyond usize::MAX cannot be held in memory's
                // explanation anyway; the difference saturates.
                let seen = u64::try_from(accumulator.records_seen()).unwrap_or(u64::MAX);
                let others = usize::try_from(records.saturating_sub(seen)).unwrap_or(usize::MAX);
                accumulator.explanation_mut().other_services = others;
                let report =
                    report(&self.options, window, Some(service.to_string()), accumulator, first, last);
                (service.to_string(), report)
            })
            .collect();
        (trend, by_service)
    }

    /// The whole local days from the first deployment to the last.
    fn recorded_days(&mut self) -> Result<Window, MetricsError> {
        let (earliest, latest) = self.span.ok_or(MetricsError::NothingRecorded)?;
        let (first, last) = (self.calendar.day(earliest), self.calendar.day(latest));
        let start = self.calendar.start_of_day(first).unwrap_or(earliest);
        let end = self.calendar.start_of_day(last + 1).unwrap_or(DateTime::<Utc>::MAX_UTC);
        Window::new(start.min(earliest), end.max(latest))
    }
}

fn report(
    options: &ReportOptions,
    window: Window,
    service: Option<String>,
    mut accumulator: Accumulator,
    first: i64,
    last: i64,
) -> DoraReport {
    let parallel = options.threads().is_none_or(|threads| threads.get() > 1);
    let metrics = accumulator.metrics(first, last, &options.benchmark().thresholds(), parallel);
    let explanation = accumulator.into_explanation();
    DoraReport {
        window,
        service,
        time_zone: options.time_zone(),
        benchmark: options.benchmark(),
        metrics,
        explanation,
    }
}

/// The most periods a trend has: a weekly trend of about 190 years.
pub const MAX_TREND_PERIODS: usize = 10_000;

/// The period a local day is in, numbered: weeks and months since 1970.
fn period_key(period: Period, day: i64) -> i64 {
    match period {
        Period::Week => Calendar::week(day),
        Period::Month => Calendar::month(day),
    }
}

/// The first local day of a numbered period.
fn period_first_day(period: Period, key: i64) -> i64 {
    match period {
        Period::Week => Calendar::monday(key),
        Period::Month => Calendar::first_of_month(key),
    }
}

/// The periods overlapping `window`, numbered, each cut to it.
fn periods(
    window: &Window,
    period: Period,
    calendar: &mut Calendar,
) -> Result<Vec<(i64, Window)>, MetricsError> {
    let first = period_key(period, calendar.day(window.start()));
    let last = period_key(period, calendar.last_day(window.end()));
    if usize::try_from(last - first).map_or(true, |count| count >= MAX_TREND_PERIODS) {
        return Err(MetricsError::TooManyPeriods { period: period.to_string(), max: MAX_TREND_PERIODS });
    }
    let mut windows = Vec::new();
    for key in first..=last {
        // Near the ends of time a period can start or end outside time.
        let start = calendar.start_of_day(period_first_day(period, key)).unwrap_or(window.start());
        let end = calendar.start_of_day(period_first_day(period, key + 1)).unwrap_or(window.end());
        if let Ok(cut) = Window::new(start.max(window.start()), end.min(window.end())) {
            windows.push((key, cut));
        }
    }
    Ok(windows)
}
