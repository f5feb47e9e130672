//! Properties of the DORA metrics over random histories.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use release_workflow::{DeploymentRecord, History, IncidentSpan, ReportOptions, RollbackSpan, Window};

fn at(minutes: i64) -> DateTime<Utc> {
    "2026-11-02T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(minutes)
}

/// A record started at a random minute of roughly three weeks (some outside
/// the two-week window), with random commits, failures and remediation.
fn record() -> impl Strategy<Value = DeploymentRecord> {
    (
        -2_000i64..22_000,
        proptest::option::of(0i64..600),
        prop::collection::vec(-20_000i64..800, 0..5),
        proptest::option::of((0i64..300, proptest::option::of(0i64..600))),
        prop::collection::vec((0i64..900, proptest::option::of(0i64..900)), 0..3),
        any::<bool>(),
        proptest::sample::select(vec!["web", "api"]),
        0u32..1000,
    )
        .prop_map(|(start, production, commits, rollback, incidents, remediation, service, version)| {
            let mut record = DeploymentRecord::new(service, &format!("1.0.{version}"), at(start)).unwrap();
            if let Some(delay) = production {
                record = record.reached_production(at(start + delay)).unwrap();
            }
            record = record.with_commits(commits.into_iter().map(|offset| at(start + offset)));
            if let Some((decided, restored)) = rollback {
                let decided_at = at(start + decided);
                let span = RollbackSpan {
                    decided_at,
                    restored_at: restored.map(|r| decided_at + TimeDelta::minutes(r)),
                };
                record = record.rolled_back(span).unwrap();
            }
            for (index, (opened, resolved)) in incidents.into_iter().enumerate() {
                let opened_at = at(start + opened);
                let span = IncidentSpan {
                    id: format!("INC-{index}").into(),
                    opened_at,
                    resolved_at: resolved.map(|r| opened_at + TimeDelta::minutes(r)),
                };
                record = record.with_incident(span).unwrap();
            }
            if remediation { record.as_remediation() } else { record }
        })
}

fn options() -> ReportOptions {
    ReportOptions::new(Window::new(at(0), at(14 * 24 * 60)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn input_order_never_changes_the_report(records in prop::collection::vec(record(), 0..40), seed in any::<u64>()) {
        let report = History::from_records(records.clone()).report(&options());
        let mut shuffled = records;
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(History::from_records(shuffled).report(&options()), report);
    }

    #[test]
    fn change_failure_rate_stays_between_zero_and_one(records in prop::collection::vec(record(), 0..40)) {
        let metrics = History::from_records(records).report(&options()).metrics;
        if let Some(rate) = metrics.change_failure_rate.rate {
            prop_assert!((0.0..=1.0).contains(&rate));
            prop_assert_eq!(metrics.change_failure_rate.failed as f64 / metrics.deployments as f64, rate);
        } else {
            prop_assert_eq!(metrics.deployments, 0);
        }
    }

    #[test]
    fn adding_a_failed_deployment_never_lowers_the_failure_rate(
        records in prop::collection::vec(record(), 0..40),
        minute in 0i64..20_000,
    ) {
        let before = History::from_records(records.clone()).report(&options()).metrics.change_failure_rate.rate;
        let failed = DeploymentRecord::new("web", "9.9.9", at(minute))
            .unwrap()
            .rolled_back(RollbackSpan { decided_at: at(minute + 5), restored_at: None })
            .unwrap();
        let mut more = records;
        more.push(failed);
        let after = History::from_records(more).report(&options()).metrics.change_failure_rate.rate;
        prop_assert!(after.unwrap_or(0.0) >= before.unwrap_or(0.0), "{:?} -> {:?}", before, after);
    }

    #[test]
    fn every_median_lies_between_its_minimum_and_maximum(records in prop::collection::vec(record(), 1..40)) {
        let window = options().window();
        let in_window: Vec<&DeploymentRecord> = records.iter().filter(|r| window.contains(r.started_at())).collect();
        let leads: Vec<i64> = in_window
            .iter()
            .filter_map(|r| r.production_at().map(|p| (r, p)))
            .flat_map(|(r, p)| r.commits().iter().map(move |c| (p - *c).num_milliseconds()))
            .filter(|lead| *lead >= 0)
            .collect();
        let durations: Vec<i64> =
            in_window.iter().filter_map(|r| r.production_at().map(|p| (p - r.started_at()).num_milliseconds())).collect();
        let metrics = History::from_records(records.clone()).report(&options()).metrics;
        for (spread, values) in [(metrics.lead_time.spread, &leads), (metrics.deployment_duration, &durations)] {
            match spread {
                Some(spread) => {
                    let (min, max) = (*values.iter().min().unwrap(), *values.iter().max().unwrap());
                    prop_assert!(min <= spread.median.as_millis() && spread.median.as_millis() <= max);
                    prop_assert!(spread.median <= spread.p90 && spread.p90.as_millis() <= max);
                    prop_assert_eq!(spread.count, values.len());
                }
                None => prop_assert!(values.is_empty()),
            }
        }
        if let Some(recovery) = metrics.recovery_time.spread {
            prop_assert!(recovery.median.as_millis() >= 0 && recovery.median <= recovery.p90);
        }
    }
}
