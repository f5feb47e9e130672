//! DORA performance tiers and the published tables they come from.

use serde::{Deserialize, Serialize};

use super::Elapsed;
use crate::text::named_enum;

/// A DORA performance tier, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// The best cluster.
    Elite,
    /// The second cluster.
    High,
    /// The third cluster.
    Medium,
    /// The last cluster.
    Low,
}

named_enum!(Tier, "tier", {
    Elite => "elite",
    High => "high",
    Medium => "medium",
    Low => "low",
});

/// The published table a report grades against.
///
/// Each is a DORA "Accelerate State of DevOps" report's table of
/// performance clusters. The reports give bands in words ("between once per
/// day and once per week"); [`Benchmark::thresholds`] turns them into
/// cut-offs.
///
/// **The grading rule**, the same for every table: each metric is graded
/// on its own, and gets the best tier whose published value it reaches
/// (at least the tier's deployment frequency; at most its lead time,
/// failure rate or recovery time). A value between two published bands
/// gets the lower tier. So a better value never gets a worse tier: where a
/// table is not a ladder — DORA 2024 gives medium a 10% failure rate,
/// better than high's 20%, and high and medium the same recovery time —
/// a value that reaches medium's also reaches high's, and is graded high.
/// No failure rate or recovery time grades medium under DORA 2024 (nor a
/// failure rate under DORA 2021, whose high, medium and low share one
/// band).
///
/// DORA 2023 stays the default: it is the latest table that is a ladder on
/// all four metrics, so every tier means "better than the next".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Benchmark {
    /// Accelerate State of DevOps Report 2023, "How do you compare?":
    ///
    /// | tier | deployment frequency | lead time | change failure rate | recovery time |
    /// |---|---|---|---|---|
    /// | elite | on demand | less than one day | 5% | less than one hour |
    /// | high | once per day to once per week | one day to one week | 10% | less than one day |
    /// | medium | once per week to once per month | one week to one month | 15% | one day to one week |
    /// | low | once per week to once per month | one week to one month | 64% | one month to six months |
    #[default]
    Dora2023,
    /// Accelerate State of DevOps Report 2024, its four performance
    /// clusters:
    ///
    /// | tier | deployment frequency | change lead time | change failure rate | failed deployment recovery time |
    /// |---|---|---|---|---|
    /// | elite | on demand (multiple deploys per day) | less than one day | 5% | less than one hour |
    /// | high | between once per day and once per week | between one day and one week | 20% | less than one day |
    /// | medium | between once per week and once per month | between one week and one month | 10% | less than one day |
    /// | low | between once per month and once every six months | between one month and six months | 40% | between one week and one month |
    Dora2024,
    /// Accelerate State of DevOps Report 2021:
    ///
    /// | tier | deployment frequency | lead time | change failure rate | time to restore |
    /// |---|---|---|---|---|
    /// | elite | on demand (multiple per day) | less than one hour | 0–15% | less than one hour |
    /// | high | once per week to once per month | one day to one week | 16–30% | less than one day |
    /// | medium | once per month to once every six months | one month to six months | 16–30% | one day to one week |
    /// | low | fewer than once per six months | more than six months | 16–30% | more than six months |
    Dora2021,
}

named_enum!(Benchmark, "benchmark", {
    Dora2023 => "dora2023",
    Dora2024 => "dora2024",
    Dora2021 => "dora2021",
});

/// The cut-offs of a benchmark: for each key metric, the limits of the
/// elite, high and medium tiers; anything beyond the medium limit is low.
///
/// Deployment frequency is in deployments per day and a tier needs at least
/// its limit; the others need at most theirs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Least deployments per day for elite, high, medium.
    pub deployments_per_day: [f64; 3],
    /// Longest median lead time for elite, high, medium.
    pub lead_time: [Elapsed; 3],
    /// Highest change failure rate for elite, high, medium.
    pub change_failure_rate: [f64; 3],
    /// Longest median recovery time for elite, high, medium.
    pub recovery_time: [Elapsed; 3],
}

/// One hour less a millisecond: "less than one hour" as an inclusive limit.
const UNDER_AN_HOUR: Elapsed = Elapsed::from_millis(3_600_000 - 1);
const UNDER_A_DAY: Elapsed = Elapsed::from_millis(86_400_000 - 1);

impl Benchmark {
    /// The benchmark's cut-offs.
    ///
    /// - DORA 2023: at least daily is elite ("on demand"), weekly high,
    ///   monthly (30 days) medium; lead time under a day elite, up to a
    ///   week high, up to 30 days medium; failure rate up to 5%, 10%, 15%;
    ///   recovery under an hour, under a day, up to a week.
    /// - DORA 2024: deployment frequency and lead time as 2023; failure
    ///   rate up to 5% elite and up to 20% high, and above 20% low (medium's
    ///   10% is within high's band, so medium is never reached); recovery
    ///   under an hour elite, under a day high (medium shares the band), and
    ///   longer low.
    /// - DORA 2021: at least daily is elite, monthly (30 days) high, every
    ///   six months (182 days) medium; lead time under an hour, up to a
    ///   week, up to six months; failure rate up to 15% elite and up to 30%
    ///   high (the report gives 16–30% to high, medium and low alike, so
    ///   medium is never reached and anything above 30% is low); recovery
    ///   under an hour, under a day, up to a week.
    pub fn thresholds(self) -> Thresholds {
        match self {
            Benchmark::Dora2023 => Thresholds {
                deployments_per_day: [1.0, 1.0 / 7.0, 1.0 / 30.0],
                lead_time: [UNDER_A_DAY, Elapsed::from_days(7), Elapsed::from_days(30)],
                change_failure_rate: [0.05, 0.10, 0.15],
                recovery_time: [UNDER_AN_HOUR, UNDER_A_DAY, Elapsed::from_days(7)],
            },
            Benchmark::Dora2024 => Thresholds {
                deployments_per_day: [1.0, 1.0 / 7.0, 1.0 / 30.0],
                lead_time: [UNDER_A_DAY, Elapsed::from_days(7), Elapsed::from_days(30)],
                change_failure_rate: [0.05, 0.20, 0.20],
                recovery_time: [UNDER_AN_HOUR, UNDER_A_DAY, UNDER_A_DAY],
            },
            Benchmark::Dora2021 => Thresholds {
                deployments_per_day: [1.0, 1.0 / 30.0, 1.0 / 182.0],
                lead_time: [UNDER_AN_HOUR, Elapsed::from_days(7), Elapsed::from_days(182)],
                change_failure_rate: [0.15, 0.30, 0.30],
                recovery_time: [UNDER_AN_HOUR, UNDER_A_DAY, Elapsed::from_days(7)],
            },
        }
    }
}

impl Thresholds {
    /// The tier of a deployment frequency, in deployments per day.
    pub fn deployment_frequency(&self, per_day: f64) -> Tier {
        tier_at_least(per_day, self.deployments_per_day)
    }

    /// The tier of a median lead time.
    pub fn lead_time(&self, median: Elapsed) -> Tier {
        tier_at_most(median, self.lead_time)
    }

    /// The tier of a change failure rate, from 0 to 1.
    pub fn change_failure_rate(&self, rate: f64) -> Tier {
        tier_at_most(rate, self.change_failure_rate)
    }

    /// The tier of a median recovery time.
    pub fn recovery_time(&self, median: Elapsed) -> Tier {
        tier_at_most(median, self.recovery_time)
    }
}

fn tier_at_least(value: f64, limits: [f64; 3]) -> Tier {
    let tiers = [Tier::Elite, Tier::High, Tier::Medium];
    tiers.into_iter().zip(limits).find(|(_, limit)| value >= *limit).map_or(Tier::Low, |(tier, _)| tier)
}

fn tier_at_most<T: PartialOrd>(value: T, limits: [T; 3]) -> Tier {
    let tiers = [Tier::Elite, Tier::High, Tier::Medium];
    tiers.into_iter().zip(limits).find(|(_, limit)| value <= *limit).map_or(Tier::Low, |(tier, _)| tier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dora_2023_bands() {
        let table = Benchmark::Dora2023.thresholds();
        assert_eq!(table.deployment_frequency(3.0), Tier::Elite);
        assert_eq!(table.deployment_frequency(1.0), Tier::Elite);
        assert_eq!(table.deployment_frequency(0.5), Tier::High);
        assert_eq!(table.deployment_frequency(1.0 / 14.0), Tier::Medium);
        assert_eq!(table.deployment_frequency(0.0), Tier::Low);
        assert_eq!(table.lead_time(Elapsed::from_hours(23)), Tier::Elite);
        assert_eq!(table.lead_time(Elapsed::from_hours(24)), Tier::High);
        assert_eq!(table.lead_time(Elapsed::from_days(31)), Tier::Low);
        assert_eq!(table.change_failure_rate(0.05), Tier::Elite);
        assert_eq!(table.change_failure_rate(0.64), Tier::Low);
        assert_eq!(table.recovery_time(Elapsed::from_hours(1)), Tier::High);
        assert_eq!(table.recovery_time(Elapsed::from_days(8)), Tier::Low);
    }

    #[test]
    fn dora_2024_grades_by_the_best_tier_reached() {
        let table = Benchmark::Dora2024.thresholds();
        // Change failure rate: 5% elite, 20% high; medium's published 10%
        // is inside high's band, so 8% and 10% are high, not medium.
        assert_eq!(table.change_failure_rate(0.05), Tier::Elite);
        assert_eq!(table.change_failure_rate(0.051), Tier::High);
        assert_eq!(table.change_failure_rate(0.08), Tier::High);
        assert_eq!(table.change_failure_rate(0.10), Tier::High);
        assert_eq!(table.change_failure_rate(0.20), Tier::High);
        assert_eq!(table.change_failure_rate(0.21), Tier::Low);
        assert_eq!(table.change_failure_rate(0.40), Tier::Low);
        // Recovery: high and medium share "less than one day".
        assert_eq!(table.recovery_time(Elapsed::from_millis(3_600_000 - 1)), Tier::Elite);
        assert_eq!(table.recovery_time(Elapsed::from_hours(1)), Tier::High);
        assert_eq!(table.recovery_time(Elapsed::from_hours(23)), Tier::High);
        assert_eq!(table.recovery_time(Elapsed::from_hours(24)), Tier::Low);
        assert_eq!(table.recovery_time(Elapsed::from_days(2)), Tier::Low);
        // The ladders that are ladders: as 2023.
        assert_eq!(table.deployment_frequency(1.0), Tier::Elite);
        assert_eq!(table.deployment_frequency(0.5), Tier::High);
        assert_eq!(table.deployment_frequency(1.0 / 7.0), Tier::High);
        assert_eq!(table.deployment_frequency(1.0 / 14.0), Tier::Medium);
        assert_eq!(table.deployment_frequency(1.0 / 30.0), Tier::Medium);
        assert_eq!(table.deployment_frequency(1.0 / 60.0), Tier::Low);
        assert_eq!(table.lead_time(Elapsed::from_hours(23)), Tier::Elite);
        assert_eq!(table.lead_time(Elapsed::from_days(7)), Tier::High);
        assert_eq!(table.lead_time(Elapsed::from_days(30)), Tier::Medium);
        assert_eq!(table.lead_time(Elapsed::from_days(60)), Tier::Low);
    }

    #[test]
    fn a_better_value_never_gets_a_worse_tier() {
        for benchmark in [Benchmark::Dora2021, Benchmark::Dora2023, Benchmark::Dora2024] {
            let table = benchmark.thresholds();
            let mut previous = (Tier::Low, Tier::Elite, Tier::Elite, Tier::Elite);
            for step in 0..=2_000_u32 {
                let rate = f64::from(step) / 2_000.0;
                let millis = i64::from(step) * 3 * 86_400_000 / 2_000 * 20;
                let grades = (
                    table.deployment_frequency(rate * 3.0),
                    table.change_failure_rate(rate),
                    table.lead_time(Elapsed::from_millis(millis)),
                    table.recovery_time(Elapsed::from_millis(millis)),
                );
                // More deployments: a tier at least as good; more failures
                // or longer times: a tier at least as bad.
                assert!(grades.0 <= previous.0, "{benchmark} deployment frequency at {rate}");
                assert!(grades.1 >= previous.1, "{benchmark} failure rate at {rate}");
                assert!(grades.2 >= previous.2, "{benchmark} lead time at {millis}");
                assert!(grades.3 >= previous.3, "{benchmark} recovery time at {millis}");
                previous = grades;
            }
        }
    }

    #[test]
    fn benchmarks_read_and_write_their_names() {
        for benchmark in [Benchmark::Dora2021, Benchmark::Dora2023, Benchmark::Dora2024] {
            assert_eq!(benchmark.to_string().parse::<Benchmark>(), Ok(benchmark));
        }
        assert_eq!(Benchmark::Dora2024.to_string(), "dora2024");
        assert_eq!(Benchmark::default(), Benchmark::Dora2023);
    }

    #[test]
    fn dora_2021_bands() {
        let table = Benchmark::Dora2021.thresholds();
        assert_eq!(table.lead_time(Elapsed::from_hours(2)), Tier::High);
        assert_eq!(table.lead_time(Elapsed::from_days(60)), Tier::Medium);
        assert_eq!(table.change_failure_rate(0.15), Tier::Elite);
        assert_eq!(table.change_failure_rate(0.2), Tier::High);
        assert_eq!(table.change_failure_rate(0.31), Tier::Low);
        assert_eq!(table.deployment_frequency(0.1), Tier::High);
        // Medium down to once every six months (182 days), low below.
        assert_eq!(table.deployment_frequency(1.0 / 100.0), Tier::Medium);
        assert_eq!(table.deployment_frequency(1.0 / 182.0), Tier::Medium);
        assert_eq!(table.deployment_frequency(1.0 / 200.0), Tier::Low);
    }
}
