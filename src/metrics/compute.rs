//! One pass over the records, then selection for the medians.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::stats::{Spread, quantile};
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
        self.day(window.to() - TimeDelta::nanoseconds(1))
    }

    /// Monday-based week number of a day (1970-01-01 was a Thursday).
    pub(crate) fn week(day: i64) -> i64 {
        (day + 3).div_euclid(7)
    }

    /// The instant a day starts.
    pub(crate) fn start_of_day(self, day: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(day * DAY_SECONDS - self.offset_seconds, 0).unwrap_or_default()
    }
}

/// The running totals of one report (or one period of a trend): records are
/// added one at a time, in any order, and [`finish`](Accumulator::finish)
/// computes the metrics.
pub(crate) struct Accumulator {
    window: Window,
    calendar: Calendar,
    first_day: i64,
    deploy_days: Vec<bool>,
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
        let first_day = calendar.day(window.from());
        let day_count = usize::try_from(calendar.last_day(&window) - first_day + 1).unwrap_or(1).max(1);
        Accumulator {
            window,
            calendar,
            first_day,
            deploy_days: vec![false; day_count],
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
        let day = usize::try_from(self.calendar.day(record.started_at()) - self.first_day).ok();
        if let Some(seen) = day.and_then(|day| self.deploy_days.get_mut(day)) {
            *seen = true;
        }
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
        let per_day = deployments as f64 / self.deploy_days.len() as f64;
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
                deploy_days_per_week: deploy_days_per_week(&self.deploy_days, self.first_day),
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
/// the window, or over its partial weeks when it holds no whole week.
fn deploy_days_per_week(deploy_days: &[bool], first_day: i64) -> f64 {
    let mut weeks: Vec<(i64, i64, usize)> = Vec::new(); // (week, days in window, deploy days)
    for (day, deployed) in (first_day..).zip(deploy_days) {
        let week = Calendar::week(day);
        match weeks.last_mut() {
            Some((current, days, deploys)) if *current == week => {
                *days += 1;
                *deploys += usize::from(*deployed);
            }
            _ => weeks.push((week, 1, usize::from(*deployed))),
        }
    }
    let whole: Vec<i64> =
        weeks.iter().filter(|(_, days, _)| *days == 7).map(|(_, _, deploys)| *deploys as i64).collect();
    let mut counts =
        if whole.is_empty() { weeks.iter().map(|(_, _, deploys)| *deploys as i64).collect() } else { whole };
    quantile(&mut counts, 0.5).unwrap_or(0.0)
}
