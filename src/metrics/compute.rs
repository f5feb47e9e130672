//! One pass over the records, then selection for the medians.

use std::sync::Arc;

use super::stats::Spread;
use super::{
    ChangeFailureRate, DeploymentFrequency, DoraMetrics, Exclusion, ExclusionReason, Explanation, Failure,
    LeadTime, RecoveryTime, Share, Thresholds,
};
use crate::metrics::parallel::side_by_side;
use crate::metrics::record::RecordRef;
use crate::metrics::zone::Calendar;

/// The running totals of one report (or one period of a trend, or one
/// service): records are added one at a time, in any order, totals of
/// separate parts of a history merge, and [`finish`](Accumulator::finish)
/// computes the metrics over the days of a window.
#[derive(Debug, Clone, Default)]
pub(crate) struct Accumulator {
    deploy_days: DaySet,
    explanation: Explanation,
    lead_times: Vec<i64>,
    durations: Vec<i64>,
    recoveries: Vec<i64>,
    deployments: usize,
    failed: usize,
    rolled_back: usize,
    remediations: usize,
    emergencies: usize,
    commits_after_production: usize,
    unresolved: usize,
}

impl Accumulator {
    /// Makes room for the durations of about `records` records.
    pub(crate) fn reserve(&mut self, records: usize) {
        self.lead_times.reserve(records * 3);
        self.durations.reserve(records);
    }

    /// How many records were offered: counted or left out.
    pub(crate) fn records_seen(&self) -> usize {
        self.deployments
            + self.explanation.outside_window
            + self.explanation.other_services
            + self.explanation.emergency_changes
    }

    pub(crate) fn explanation_mut(&mut self) -> &mut Explanation {
        &mut self.explanation
    }

    fn exclude(&mut self, record: &RecordRef<'_>, reason: ExclusionReason) {
        let release = record.shared_release();
        self.explanation.exclusions.push(Exclusion { started_at: record.started_at, release, reason });
    }

    /// Adds a deployment that started on local `day`, inside the window,
    /// at `started` (milliseconds since the epoch).
    pub(crate) fn add(&mut self, record: &RecordRef<'_>, day: i64, started: i64) {
        self.deployments += 1;
        self.deploy_days.insert(day);
        match record.production_at {
            Some(production) => {
                let production = production.timestamp_millis();
                let mut late = 0;
                for commit in record.commits {
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
        self.rolled_back += usize::from(record.rollback.is_some());
        self.remediations += usize::from(record.remediation);
        self.emergencies += usize::from(record.emergency);
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
        self.explanation.failures.push(Failure {
            started_at: record.started_at,
            release: record.shared_release(),
            rolled_back: record.rollback.is_some(),
            incidents: record.incidents.iter().map(|incident| Arc::clone(&incident.id)).collect(),
        });
    }

    /// Adds the totals of another part of the history.
    pub(crate) fn merge(&mut self, other: Accumulator) {
        self.deploy_days.merge(other.deploy_days);
        let explanation = other.explanation;
        append(&mut self.explanation.failures, explanation.failures);
        append(&mut self.explanation.exclusions, explanation.exclusions);
        self.explanation.outside_window += explanation.outside_window;
        self.explanation.other_services += explanation.other_services;
        self.explanation.emergency_changes += explanation.emergency_changes;
        append(&mut self.lead_times, other.lead_times);
        append(&mut self.durations, other.durations);
        append(&mut self.recoveries, other.recoveries);
        self.deployments += other.deployments;
        self.failed += other.failed;
        self.rolled_back += other.rolled_back;
        self.remediations += other.remediations;
        self.emergencies += other.emergencies;
        self.commits_after_production += other.commits_after_production;
        self.unresolved += other.unresolved;
    }

    /// The metrics over the local days `first..=last` of the window. The
    /// totals stay, reordered: the explanation sorted, durations selected.
    ///
    /// With `parallel`, the durations are selected on a thread of their own
    /// while the explanation is sorted: `cargo bench --bench dora`
    /// ("overall" against "overall, one thread").
    pub(crate) fn metrics(
        &mut self,
        first: i64,
        last: i64,
        thresholds: &Thresholds,
        parallel: bool,
    ) -> DoraMetrics {
        let split = parallel && self.lead_times.len() >= PARALLEL_VALUES;
        let (lead_times, durations, recoveries) =
            (&mut self.lead_times, &mut self.durations, &mut self.recoveries);
        let spreads = || (Spread::of(lead_times), Spread::of(durations), Spread::of(recoveries));
        let explanation = &mut self.explanation;
        let ((lead_spread, durations, recovery_spread), ()) =
            side_by_side(split, spreads, || explanation.sort());
        let deployments = self.deployments;
        let last = last.max(first);
        let day_count = (last - first + 1) as f64;
        let per_day = deployments as f64 / day_count;
        let deploy_days = self.deploy_days.sorted();
        let share = |count: usize| Share {
            count,
            rate: (deployments > 0).then(|| count as f64 / deployments as f64),
        };
        let failure_rate = (deployments > 0).then(|| self.failed as f64 / deployments as f64);
        DoraMetrics {
            deployments,
            deployment_frequency: DeploymentFrequency {
                count: deployments,
                per_day,
                per_week: per_day * 7.0,
                deploy_days_per_week: deploy_days_per_week(&deploy_days, first, last),
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
            deployment_duration: durations,
            rework: share(self.remediations),
            emergency_changes: (self.emergencies > 0).then(|| share(self.emergencies)),
        }
    }

    /// What the totals counted as failure and left out.
    pub(crate) fn into_explanation(self) -> Explanation {
        self.explanation
    }
}

/// The fewest lead times worth a thread of their own.
const PARALLEL_VALUES: usize = 100_000;

impl Explanation {
    /// In the order of deployments' starts, whatever order records came in.
    fn sort(&mut self) {
        self.failures.sort_unstable();
        self.exclusions.sort_unstable();
    }
}

/// Appends `more` to `values`, keeping whichever list is longer and
/// copying the shorter: merging a large part into an empty one copies
/// nothing. The order of values does not matter.
fn append<T>(values: &mut Vec<T>, mut more: Vec<T>) {
    if more.len() > values.len() {
        std::mem::swap(values, &mut more);
    }
    values.append(&mut more);
}

/// The days with a deployment: a flag per day while the days seen span up
/// to [`DENSE_DAYS`], a list beyond, so that any history costs memory only
/// for its deployments.
#[derive(Debug, Clone)]
enum DaySet {
    Dense { first: i64, seen: Vec<bool> },
    Sparse(Vec<i64>),
}

impl Default for DaySet {
    fn default() -> DaySet {
        DaySet::Dense { first: 0, seen: Vec::new() }
    }
}

/// The longest span of days kept as flags.
const DENSE_DAYS: usize = 100_000;

impl DaySet {
    #[inline]
    fn insert(&mut self, day: i64) {
        if let DaySet::Dense { first, seen } = self
            && let Some(flag) = usize::try_from(day - *first).ok().and_then(|index| seen.get_mut(index))
        {
            *flag = true;
        } else {
            self.insert_outside(day);
        }
    }

    /// Inserts a day the flags do not cover yet: the first, one before or
    /// after the span so far, or any day once the days are a list.
    #[cold]
    fn insert_outside(&mut self, day: i64) {
        match self {
            DaySet::Dense { first, seen } => {
                if seen.is_empty() {
                    *first = day;
                    seen.push(true);
                    return;
                }
                // Grow by at least the current span, towards the day.
                let len = seen.len() as i64;
                let (new_first, new_last) = if day < *first {
                    (day.min(*first - len), *first + len - 1)
                } else {
                    (*first, day.max(*first + 2 * len - 1))
                };
                match usize::try_from(new_last - new_first + 1) {
                    Ok(span) if span <= DENSE_DAYS => {
                        let mut grown = vec![false; span];
                        let offset = (*first - new_first) as usize;
                        if let Some(part) = grown.get_mut(offset..offset + seen.len()) {
                            part.copy_from_slice(seen);
                        }
                        *first = new_first;
                        *seen = grown;
                        self.insert(day);
                    }
                    _ => {
                        let mut days = self.days();
                        days.push(day);
                        *self = DaySet::Sparse(days);
                    }
                }
            }
            DaySet::Sparse(days) => days.push(day),
        }
    }

    /// The days, sorted without repeats when dense.
    fn days(&self) -> Vec<i64> {
        match self {
            DaySet::Dense { first, seen } => {
                (*first..).zip(seen).filter(|(_, seen)| **seen).map(|(day, _)| day).collect()
            }
            DaySet::Sparse(days) => days.clone(),
        }
    }

    fn merge(&mut self, other: DaySet) {
        for day in other.days() {
            self.insert(day);
        }
    }

    fn sorted(&mut self) -> Vec<i64> {
        if let DaySet::Sparse(days) = self {
            days.sort_unstable();
            days.dedup();
        }
        self.days()
    }
}

/// Milliseconds from a failure's start to its restoration, or `None` while
/// it is not restored.
fn recovery(record: &RecordRef<'_>) -> Option<i64> {
    let rollback = record.rollback;
    let start = record
        .incidents
        .iter()
        .map(|incident| incident.opened_at)
        .chain(rollback.map(|rollback| rollback.decided_at))
        .min()?;
    let mut end = start;
    for incident in record.incidents {
        end = end.max(incident.resolved_at?);
    }
    if let Some(rollback) = rollback {
        end = end.max(rollback.restored_at?);
    }
    Some(end.timestamp_millis() - start.timestamp_millis())
}

/// The median number of deploy days per week, over every week (Monday to
/// Sunday) the days `first..=last` touch, partial weeks included, as
/// Google's fourkeys and Apache DevLake count them. `deploy_days` is
/// sorted and without repeats; weeks without one count as zeros without
/// being listed.
fn deploy_days_per_week(deploy_days: &[i64], first: i64, last: i64) -> f64 {
    let week_count = Calendar::week(last) - Calendar::week(first) + 1;
    let mut busy: Vec<i64> = Vec::new(); // deploy days of each week that has one
    let mut current: Option<(i64, i64)> = None;
    for week in deploy_days.iter().map(|day| Calendar::week(*day)) {
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
        let mut counts: Vec<i64> = weeks.iter().map(|(_, _, deploys)| *deploys).collect();
        quantile(&mut counts, 0.5).unwrap_or(0.0)
    }

    /// The days inserted, as a sorted list without repeats.
    fn expected_days(days: &[i64]) -> Vec<i64> {
        let mut days = days.to_vec();
        days.sort_unstable();
        days.dedup();
        days
    }

    #[test]
    fn day_sets_hold_every_day_inserted_in_any_order() {
        let cases: [&[i64]; 6] = [
            &[],
            &[5],
            &[5, 5, 5],
            &[10, 3, 12, -40, 11, 3, 200, -41],
            &[0, 99_990, -5, 99_994],
            // Further apart than flags are kept for: a list from then on.
            &[7, 200_000, -300_000, 7, 42, 200_000],
        ];
        for days in cases {
            let mut set = DaySet::default();
            for day in days {
                set.insert(*day);
            }
            assert_eq!(set.sorted(), expected_days(days), "{days:?}");
            // Split in two and merged: the same days.
            let (left, right) = days.split_at(days.len() / 2);
            let (mut one, mut other) = (DaySet::default(), DaySet::default());
            left.iter().for_each(|day| one.insert(*day));
            right.iter().for_each(|day| other.insert(*day));
            one.merge(other);
            assert_eq!(one.sorted(), expected_days(days), "merged {days:?}");
        }
        let mut far = DaySet::default();
        far.insert(0);
        far.insert(DENSE_DAYS as i64 + 10);
        assert!(matches!(far, DaySet::Sparse(_)), "{far:?}");
        let mut near = DaySet::default();
        near.insert(0);
        near.insert(DENSE_DAYS as i64 - 1);
        assert!(matches!(near, DaySet::Dense { .. }), "{near:?}");
    }

    #[test]
    fn appending_keeps_every_value_whichever_list_is_longer() {
        for (mine, theirs) in
            [(vec![1, 2, 3], vec![4]), (vec![1], vec![2, 3, 4]), (vec![], vec![5]), (vec![6], vec![])]
        {
            let mut values = mine.clone();
            append(&mut values, theirs.clone());
            values.sort_unstable();
            let mut expected = [mine, theirs].concat();
            expected.sort_unstable();
            assert_eq!(values, expected);
        }
    }

    #[test]
    fn appending_keeps_the_longer_list_where_it_is() {
        // A large part merged into an empty one is moved, not copied.
        let long: Vec<i64> = (0..100).collect();
        let address = long.as_ptr();
        let mut empty = Vec::new();
        append(&mut empty, long);
        assert_eq!((empty.as_ptr(), empty.len()), (address, 100));
        // A short part merged into a long one is copied onto its end.
        let mut long: Vec<i64> = Vec::with_capacity(200);
        long.extend(0..100);
        let address = long.as_ptr();
        append(&mut long, vec![1, 2]);
        assert_eq!((long.as_ptr(), long.len()), (address, 102));
    }

    #[test]
    fn day_flags_grow_by_at_least_their_span_towards_the_day() {
        // Doubling keeps inserting days one by one outside the span linear
        // in time: each growth at least doubles the flags.
        let layout = |set: &DaySet| match set {
            DaySet::Dense { first, seen } => Some((*first, seen.len())),
            DaySet::Sparse(_) => None,
        };
        let mut set = DaySet::default();
        let mut layouts = Vec::new();
        for day in [0, -1, -2, 1, 5, 30] {
            set.insert(day);
            layouts.push(layout(&set));
        }
        let expected = [(0, 1), (-1, 2), (-3, 4), (-3, 8), (-3, 16), (-3, 34)];
        assert_eq!(layouts, expected.map(Some));
        assert_eq!(set.sorted(), vec![-2, -1, 0, 1, 5, 30]);
    }

    #[test]
    fn sparse_deploy_days_agree_with_the_dense_computation() {
        // Every week the days touch counts, partial ones included.
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
