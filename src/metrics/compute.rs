//! One pass over the records, then selection for the medians.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::stats::Spread;
use super::{
    ChangeFailureRate, DeploymentFrequency, DeploymentRecord, DoraMetrics, Exclusion, ExclusionReason,
    Explanation, Failure, LeadTime, RecoveryTime, Share, Thresholds, Window,
};

const DAY_SECONDS: i64 = 86_400;

/// Calendar days at a UTC offset, numbered from 1970-01-01.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Calendar {
    pub(crate) offset_seconds: i64,
}

impl Calendar {
    pub(crate) fn day(self, at: DateTime<Utc>) -> i64 {
        (at.timestamp() + self.offset_seconds).div_euclid(DAY_SECONDS)
    }

    /// The last day `window` touches: the day of its last instant.
    pub(crate) fn last_day(self, window: &Window) -> i64 {
        self.day(window.end() - TimeDelta::nanoseconds(1))
    }

    /// Monday-based week number of a day (1970-01-01 was a Thursday).
    pub(crate) fn week(day: i64) -> i64 {
        (day + 3).div_euclid(7)
    }

    /// The instant a day starts, unless it is before time starts.
    pub(crate) fn start_of_day(self, day: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(day.checked_mul(DAY_SECONDS)?.checked_sub(self.offset_seconds)?, 0)
    }
}

/// The running totals of one report (or one period of a trend): records are
/// added one at a time, in any order, and [`finish`](Accumulator::finish)
/// computes the metrics.
pub(crate) struct Accumulator {
    window: Window,
    calendar: Calendar,
    first_day: i64,
    last_day: i64,
    deploy_days: DeployDays,
    explain: bool,
    explanation: Explanation,
    lead_times: Vec<i64>,
    durations: Vec<i64>,
    recoveries: Vec<i64>,
    deployments: usize,
    failed: usize,
    rolled_back: usize,
    remediations: usize,
    commits_after_production: usize,
    unresolved: usize,
}

impl Accumulator {
    pub(crate) fn new(window: Window, calendar: Calendar, explain: bool) -> Accumulator {
        let first_day = calendar.day(window.start());
        let last_day = calendar.last_day(&window).max(first_day);
        Accumulator {
            window,
            calendar,
            first_day,
            last_day,
            deploy_days: DeployDays::new(first_day, last_day),
            explain,
            explanation: Explanation::default(),
            lead_times: Vec::new(),
            durations: Vec::new(),
            recoveries: Vec::new(),
            deployments: 0,
            failed: 0,
            rolled_back: 0,
            remediations: 0,
            commits_after_production: 0,
            unresolved: 0,
        }
    }

    pub(crate) fn reserve(&mut self, records: usize) {
        self.lead_times.reserve(records * 2);
        self.durations.reserve(records);
    }

    /// How many records were offered: inside the window or not.
    pub(crate) fn records_seen(&self) -> usize {
        self.deployments + self.explanation.outside_window + self.explanation.other_services
    }

    pub(crate) fn skip_other_services(&mut self, count: usize) {
        self.explanation.other_services += count;
    }

    pub(crate) fn skip_outside_window(&mut self) {
        self.explanation.outside_window += 1;
    }

    fn exclude(&mut self, record: &DeploymentRecord, reason: ExclusionReason) {
        if self.explain {
            let release = Arc::clone(record.release_id());
            self.explanation.exclusions.push(Exclusion { started_at: record.started_at(), release, reason });
        }
    }

    /// Adds a deployment that started inside the window.
    pub(crate) fn add(&mut self, record: &DeploymentRecord) {
        self.deployments += 1;
        self.deploy_days.insert(self.calendar.day(record.started_at()));
        let started = record.started_at().timestamp_millis();
        match record.production_at() {
            Some(production) => {
                let production = production.timestamp_millis();
                let mut late = 0;
                for commit in record.commits() {
                    let lead = production - commit.timestamp_millis();
                    if lead < 0 {
                        late += 1;
                    } else {
                        self.lead_times.push(lead);
                    }
                }
                if late > 0 {
                    self.commits_after_production += late;
                    self.exclude(record, ExclusionReason::CommitsAfterProduction { commits: late });
                }
                self.durations.push(production - started);
            }
            None => self.exclude(record, ExclusionReason::NotInProduction),
        }
        self.rolled_back += usize::from(record.rollback().is_some());
        self.remediations += usize::from(record.is_remediation());
        if !record.is_failure() {
            return;
        }
        self.failed += 1;
        match recovery(record) {
            Some(millis) => self.recoveries.push(millis),
            None => {
                self.unresolved += 1;
                self.exclude(record, ExclusionReason::Unresolved);
            }
        }
        if self.explain {
            self.explanation.failures.push(Failure {
                started_at: record.started_at(),
                release: Arc::clone(record.release_id()),
                rolled_back: record.rollback().is_some(),
                incidents: record.incidents().iter().map(|incident| Arc::clone(&incident.id)).collect(),
            });
        }
    }

    /// Adds `record` if it started inside the window.
    pub(crate) fn offer(&mut self, record: &DeploymentRecord) {
        if self.window.contains(record.started_at()) {
            self.add(record);
        } else {
            self.skip_outside_window();
        }
    }

    pub(crate) fn finish(mut self, thresholds: &Thresholds) -> (DoraMetrics, Explanation) {
        let deployments = self.deployments;
        self.explanation.failures.sort_unstable();
        self.explanation.exclusions.sort_unstable();
        let day_count = (self.last_day - self.first_day + 1) as f64;
        let per_day = deployments as f64 / day_count;
        let deploy_days = self.deploy_days.into_sorted();
        let share = |count: usize| Share {
            count,
            rate: (deployments > 0).then(|| count as f64 / deployments as f64),
        };
        let lead_spread = Spread::of(&mut self.lead_times);
        let recovery_spread = Spread::of(&mut self.recoveries);
        let failure_rate = (deployments > 0).then(|| self.failed as f64 / deployments as f64);
        let metrics = DoraMetrics {
            deployments,
            deployment_frequency: DeploymentFrequency {
                count: deployments,
                per_day,
                per_week: per_day * 7.0,
                deploy_days_per_week: deploy_days_per_week(&deploy_days, self.first_day, self.last_day),
                tier: thresholds.deployment_frequency(per_day),
            },
            lead_time: LeadTime {
                spread: lead_spread,
                commits_after_production: self.commits_after_production,
                tier: lead_spread.map(|spread| thresholds.lead_time(spread.median)),
            },
            change_failure_rate: ChangeFailureRate {
                failed: self.failed,
                rate: failure_rate,
                tier: failure_rate.map(|rate| thresholds.change_failure_rate(rate)),
            },
            recovery_time: RecoveryTime {
                spread: recovery_spread,
                unresolved: self.unresolved,
                tier: recovery_spread.map(|spread| thresholds.recovery_time(spread.median)),
            },
            rollbacks: share(self.rolled_back),
            deployment_duration: Spread::of(&mut self.durations),
            rework: share(self.remediations),
        };
        (metrics, self.explanation)
    }
}

/// The days with a deployment: a flag per day for windows up to
/// [`DENSE_DAYS`] days long, a list of days beyond, so that a window of any
/// length costs memory only for its deployments.
enum DeployDays {
    Dense { first: i64, seen: Vec<bool> },
    Sparse(Vec<i64>),
}

/// The longest window, in days, whose deploy days are kept as flags.
const DENSE_DAYS: i64 = 100_000;

impl DeployDays {
    fn new(first: i64, last: i64) -> DeployDays {
        match usize::try_from(last - first + 1) {
            Ok(days) if (last - first) < DENSE_DAYS => DeployDays::Dense { first, seen: vec![false; days] },
            _ => DeployDays::Sparse(Vec::new()),
        }
    }

    fn insert(&mut self, day: i64) {
        match self {
            DeployDays::Dense { first, seen } => {
                if let Some(flag) = usize::try_from(day - *first).ok().and_then(|index| seen.get_mut(index)) {
                    *flag = true;
                }
            }
            DeployDays::Sparse(days) => days.push(day),
        }
    }

    fn into_sorted(self) -> Vec<i64> {
        match self {
            DeployDays::Dense { first, seen } => {
                (first..).zip(seen).filter(|(_, seen)| *seen).map(|(day, _)| day).collect()
            }
            DeployDays::Sparse(mut days) => {
                days.sort_unstable();
                days.dedup();
                days
            }
        }
    }
}

/// Milliseconds from a failure's start to its restoration, or `None` while
/// it is not restored.
fn recovery(record: &DeploymentRecord) -> Option<i64> {
    let rollback = record.rollback();
    let start = record
        .incidents()
        .iter()
        .map(|incident| incident.opened_at)
        .chain(rollback.map(|rollback| rollback.decided_at))
        .min()?;
    let mut end = start;
    for incident in record.incidents() {
        end = end.max(incident.resolved_at?);
    }
    if let Some(rollback) = rollback {
        end = end.max(rollback.restored_at?);
    }
    Some(end.timestamp_millis() - start.timestamp_millis())
}

/// The median number of deploy days per week, over the weeks wholly inside
/// the days `first..=last`, or over its partial weeks when it holds no whole
/// week. `deploy_days` is sorted and without repeats; weeks without one
/// count as zeros without being listed.
fn deploy_days_per_week(deploy_days: &[i64], first: i64, last: i64) -> f64 {
    let (first_week, last_week) = (Calendar::week(first), Calendar::week(last));
    let whole = |week: i64| week * 7 - 3 >= first && week * 7 + 3 <= last;
    let whole_weeks: Vec<i64> = [first_week, last_week].into_iter().filter(|week| whole(*week)).collect();
    // Every week strictly between the first and the last is whole.
    let inner = (last_week - first_week - 1).max(0);
    let whole_count =
        inner + whole_weeks.len() as i64 - i64::from(first_week == last_week && whole(first_week));
    let counted = |week: i64| if whole_count > 0 { whole(week) } else { true };
    let week_count = if whole_count > 0 { whole_count } else { last_week - first_week + 1 };
    let mut busy: Vec<i64> = Vec::new(); // deploy days of each counted week that has one
    let mut current: Option<(i64, i64)> = None;
    for week in deploy_days.iter().map(|day| Calendar::week(*day)).filter(|week| counted(*week)) {
        match &mut current {
            Some((seen, days)) if *seen == week => *days += 1,
            _ => {
                busy.extend(current.map(|(_, days)| days));
                current = Some((week, 1));
            }
        }
    }
    busy.extend(current.map(|(_, days)| days));
    median_with_zeros(&mut busy, week_count)
}

/// The interpolated median of `values` together with enough zeros to make
/// `total` values in all.
fn median_with_zeros(values: &mut [i64], total: i64) -> f64 {
    values.sort_unstable();
    let zeros = (total - values.len() as i64).max(0);
    let rank_value = |rank: i64| -> f64 {
        if rank < zeros { 0.0 } else { values.get((rank - zeros) as usize).copied().unwrap_or(0) as f64 }
    };
    let total = zeros + values.len() as i64;
    if total == 0 {
        return 0.0;
    }
    let position = 0.5 * (total - 1) as f64;
    let below = position.floor() as i64;
    let fraction = position - below as f64;
    let lower = rank_value(below);
    if fraction == 0.0 { lower } else { lower + (rank_value(below + 1) - lower) * fraction }
}

#[cfg(test)]
mod tests {
    use super::super::stats::quantile;
    use super::*;

    /// The dense computation the sparse one replaces: every day listed.
    fn dense(deploy_days: &[i64], first: i64, last: i64) -> f64 {
        let mut weeks: Vec<(i64, i64, i64)> = Vec::new();
        for day in first..=last {
            let week = Calendar::week(day);
            let deployed = i64::from(deploy_days.contains(&day));
            match weeks.last_mut() {
                Some((current, days, deploys)) if *current == week => {
                    *days += 1;
                    *deploys += deployed;
                }
                _ => weeks.push((week, 1, deployed)),
            }
        }
        let whole: Vec<i64> = weeks.iter().filter(|(_, days, _)| *days == 7).map(|(_, _, d)| *d).collect();
        let mut counts = if whole.is_empty() { weeks.iter().map(|(_, _, d)| *d).collect() } else { whole };
        quantile(&mut counts, 0.5).unwrap_or(0.0)
    }

    #[test]
    fn sparse_deploy_days_agree_with_the_dense_computation() {
        let mut state: u64 = 7;
        for _ in 0..2000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let first = (state >> 40) as i64 % 50 - 25;
            let len = (state >> 20) as i64 % 60;
            let last = first + len;
            let mut days: Vec<i64> =
                (first..=last).filter(|day| (state >> (day.rem_euclid(60))) & 3 == 0).collect();
            days.dedup();
            assert_eq!(
                deploy_days_per_week(&days, first, last),
                dense(&days, first, last),
                "{first}..={last} {days:?}"
            );
        }
    }
}
