//! One pass over the records, then selection for the medians.

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

/// Computes the metrics of the `records` of `window`; `service` filters,
/// `explain` collects the explanation.
pub(crate) fn compute<'a>(
    records: impl IntoIterator<Item = &'a DeploymentRecord>,
    window: &Window,
    service: Option<&str>,
    calendar: Calendar,
    thresholds: &Thresholds,
    explain: bool,
) -> (DoraMetrics, Explanation) {
    let first_day = calendar.day(window.from());
    let last_day = calendar.last_day(window);
    let day_count = usize::try_from(last_day - first_day + 1).unwrap_or(1).max(1);
    let mut deploy_days = vec![false; day_count];
    let mut explanation = Explanation::default();
    let mut lead_times: Vec<i64> = Vec::new();
    let mut durations: Vec<i64> = Vec::new();
    let mut recoveries: Vec<i64> = Vec::new();
    let (mut deployments, mut failed, mut rolled_back, mut remediations) = (0usize, 0usize, 0usize, 0usize);
    let (mut commits_after_production, mut unresolved) = (0usize, 0usize);
    let (from_ms, to_ms) = (window.from().timestamp_millis(), window.to().timestamp_millis());

    for record in records {
        if service.is_some_and(|service| record.service() != service) {
            explanation.other_services += 1;
            continue;
        }
        let started = record.started_at().timestamp_millis();
        if started < from_ms || started >= to_ms {
            explanation.outside_window += 1;
            continue;
        }
        deployments += 1;
        if let Some(seen) = usize::try_from(calendar.day(record.started_at()) - first_day)
            .ok()
            .and_then(|i| deploy_days.get_mut(i))
        {
            *seen = true;
        }
        match record.production_at() {
            Some(production) => {
                let production = production.timestamp_millis();
                let mut late = 0;
                for commit in record.commits() {
                    let lead = production - commit.timestamp_millis();
                    if lead < 0 {
                        late += 1;
                    } else {
                        lead_times.push(lead);
                    }
                }
                if late > 0 {
                    commits_after_production += late;
                    if explain {
                        explanation.exclusions.push(Exclusion {
                            release: record.release().to_owned(),
                            reason: ExclusionReason::CommitsAfterProduction { commits: late },
                        });
                    }
                }
                durations.push(production - started);
            }
            None if explain => explanation.exclusions.push(Exclusion {
                release: record.release().to_owned(),
                reason: ExclusionReason::NotInProduction,
            }),
            None => {}
        }
        if record.rollback().is_some() {
            rolled_back += 1;
        }
        if record.is_remediation() {
            remediations += 1;
        }
        if !record.is_failure() {
            continue;
        }
        failed += 1;
        match recovery(record) {
            Some(millis) => recoveries.push(millis),
            None => {
                unresolved += 1;
                if explain {
                    explanation.exclusions.push(Exclusion {
                        release: record.release().to_owned(),
                        reason: ExclusionReason::Unresolved,
                    });
                }
            }
        }
        if explain {
            explanation.failures.push(Failure {
                release: record.release().to_owned(),
                service: record.service().to_owned(),
                rolled_back: record.rollback().is_some(),
                incidents: record.incidents().iter().map(|incident| incident.id.clone()).collect(),
            });
        }
    }

    explanation.failures.sort_unstable();
    explanation.exclusions.sort_unstable();
    let per_day = deployments as f64 / day_count as f64;
    let share =
        |count: usize| Share { count, rate: (deployments > 0).then(|| count as f64 / deployments as f64) };
    let lead_spread = Spread::of(&mut lead_times);
    let recovery_spread = Spread::of(&mut recoveries);
    let failure_rate = (deployments > 0).then(|| failed as f64 / deployments as f64);
    let metrics = DoraMetrics {
        deployments,
        deployment_frequency: DeploymentFrequency {
            count: deployments,
            per_day,
            per_week: per_day * 7.0,
            deploy_days_per_week: deploy_days_per_week(&deploy_days, first_day),
            tier: thresholds.deployment_frequency(per_day),
        },
        lead_time: LeadTime {
            spread: lead_spread,
            commits_after_production,
            tier: lead_spread.map(|spread| thresholds.lead_time(spread.median)),
        },
        change_failure_rate: ChangeFailureRate {
            failed,
            rate: failure_rate,
            tier: failure_rate.map(|rate| thresholds.change_failure_rate(rate)),
        },
        recovery_time: RecoveryTime {
            spread: recovery_spread,
            unresolved,
            tier: recovery_spread.map(|spread| thresholds.recovery_time(spread.median)),
        },
        rollbacks: share(rolled_back),
        deployment_duration: Spread::of(&mut durations),
        rework: share(remediations),
    };
    (metrics, explanation)
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
