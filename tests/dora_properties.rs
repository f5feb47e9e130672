//! Properties of the DORA metrics over random histories.

mod common;

use common::{deployment_record as record, record_time as at};
use proptest::prelude::*;
use release_workflow::metrics::{DeploymentRecord, History, ReportOptions, RollbackSpan, Window};

fn options() -> ReportOptions {
    ReportOptions::new(Window::new(at(0), at(14 * 24 * 60)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn input_order_never_changes_the_report(records in prop::collection::vec(record(), 0..40), seed in any::<u64>()) {
        let report = History::from_records(records.clone()).report(&options()).unwrap();
        let mut shuffled = records;
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(History::from_records(shuffled).report(&options()).unwrap(), report);
    }

    #[test]
    fn change_failure_rate_stays_between_zero_and_one(records in prop::collection::vec(record(), 0..40)) {
        let metrics = History::from_records(records).report(&options()).unwrap().metrics;
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
        let before = History::from_records(records.clone()).report(&options()).unwrap().metrics.change_failure_rate.rate;
        let failed = DeploymentRecord::new("web", "9.9.9", at(minute))
            .unwrap()
            .with_rollback(RollbackSpan { decided_at: at(minute + 5), restored_at: None })
            .unwrap();
        let mut more = records;
        more.push(failed);
        let after = History::from_records(more).report(&options()).unwrap().metrics.change_failure_rate.rate;
        prop_assert!(after.unwrap_or(0.0) >= before.unwrap_or(0.0), "{:?} -> {:?}", before, after);
    }

    #[test]
    fn every_median_lies_between_its_minimum_and_maximum(records in prop::collection::vec(record(), 1..40)) {
        let window = options().window().unwrap();
        let in_window: Vec<&DeploymentRecord> = records.iter().filter(|r| window.contains(r.started_at())).collect();
        let leads: Vec<i64> = in_window
            .iter()
            .filter_map(|r| r.production_at().map(|p| (r, p)))
            .flat_map(|(r, p)| r.commits().iter().map(move |c| (p - *c).num_milliseconds()))
            .filter(|lead| *lead >= 0)
            .collect();
        let durations: Vec<i64> =
            in_window.iter().filter_map(|r| r.production_at().map(|p| (p - r.started_at()).num_milliseconds())).collect();
        let metrics = History::from_records(records.clone()).report(&options()).unwrap().metrics;
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
