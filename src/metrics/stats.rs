//! Medians and percentiles by selection, interpolated.

use serde::{Deserialize, Serialize};

use super::Elapsed;

/// The linearly interpolated `q`-quantile of `values` (0 ≤ q ≤ 1), as
/// PostgreSQL's `percentile_cont`, numpy's default and fourkeys compute it:
/// rank `q × (n − 1)` between the two nearest order statistics.
///
/// Reorders `values` (selection, not a sort: linear time). `None` when
/// empty.
pub(crate) fn quantile(values: &mut [i64], q: f64) -> Option<f64> {
    let (below, fraction) = rank(values.len(), q)?;
    interpolate(values, below, fraction)
}

/// Where the `q`-quantile of `len` values falls: the position of the order
/// statistic at or below it, and the fraction of the way to the next one.
fn rank(len: usize, q: f64) -> Option<(usize, f64)> {
    let last = len.checked_sub(1)?;
    let rank = q.clamp(0.0, 1.0) * last as f64;
    let below = (rank.floor() as usize).min(last);
    Some((below, rank - below as f64))
}

/// Selects the order statistic at `below` and interpolates `fraction` of
/// the way to the next one (the smallest value after it).
fn interpolate(values: &mut [i64], below: usize, fraction: f64) -> Option<f64> {
    if below >= values.len() {
        return None;
    }
    let (_, lower, above) = values.select_nth_unstable(below);
    let lower = *lower as f64;
    if fraction == 0.0 {
        return Some(lower);
    }
    let upper = above.iter().copied().min().map_or(lower, |upper| upper as f64);
    Some(lower + (upper - lower) * fraction)
}

/// The median and 90th percentile of a set of durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Spread {
    /// How many durations.
    pub count: usize,
    /// The interpolated median (serialized as `median_ms`).
    #[serde(rename = "median_ms")]
    pub median: Elapsed,
    /// The interpolated 90th percentile (serialized as `p90_ms`).
    #[serde(rename = "p90_ms")]
    pub p90: Elapsed,
}

impl Spread {
    /// The spread of millisecond durations; `None` when there are none.
    pub(crate) fn of(values: &mut [i64]) -> Option<Spread> {
        // Two plain selections: reusing the first for the second measured
        // no faster at 100k and 2.5M values.
        let p90 = quantile(values, 0.9)?;
        let median = quantile(values, 0.5)?;
        Some(Spread {
            count: values.len(),
            median: Elapsed::from_millis(median.round() as i64),
            p90: Elapsed::from_millis(p90.round() as i64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        assert_eq!(quantile(&mut [], 0.5), None);
        assert_eq!(quantile(&mut [7], 0.5), Some(7.0));
        assert_eq!(quantile(&mut [4, 1, 3, 2], 0.5), Some(2.5));
        assert_eq!(quantile(&mut [5, 1, 3], 0.5), Some(3.0));
        // rank 0.9 × 9 = 8.1 over 1..=10: 9 + 0.1 × (10 − 9)
        let mut ten: Vec<i64> = (1..=10).rev().collect();
        assert!((quantile(&mut ten, 0.9).unwrap() - 9.1).abs() < 1e-9);
        assert_eq!(quantile(&mut [1, 1, 1, 100], 0.5), Some(1.0));
    }

    #[test]
    fn spreads_match_independent_quantiles() {
        for n in 1..60i64 {
            let values: Vec<i64> = (0..n).map(|i| (i * 7919) % 101 - 50).collect();
            let spread = Spread::of(&mut values.clone()).unwrap();
            let median = quantile(&mut values.clone(), 0.5).unwrap().round() as i64;
            let p90 = quantile(&mut values.clone(), 0.9).unwrap().round() as i64;
            assert_eq!((spread.median.as_millis(), spread.p90.as_millis()), (median, p90), "n = {n}");
        }
    }
}
