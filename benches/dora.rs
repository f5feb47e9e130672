//! Speed of the DORA report on large histories.
//!
//! Target on the reference machine (2 cores): the report over 1,000,000
//! in-memory records in at most 60 ms. The same on one thread shows what
//! splitting the records between cores gains; the report in Europe/Berlin
//! shows what an IANA time zone costs beside UTC (the calendar's cache of
//! offsets per day is what keeps it close).

mod common;

use std::hint::black_box;
use std::num::NonZeroUsize;

use chrono::{DateTime, Utc};
use common::history;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use release_workflow::metrics::{Period, ReportOptions, Window};

fn benches(c: &mut Criterion) {
    let year = Window::new(
        DateTime::<Utc>::from_timestamp(1_735_689_600, 0).unwrap_or_default(),
        DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default(),
    )
    .unwrap();
    let options = ReportOptions::new(year);
    let mut group = c.benchmark_group("dora report");
    group.sample_size(10);
    for count in [10_000, 100_000, 1_000_000] {
        let history = history(count);
        group.bench_with_input(BenchmarkId::new("overall", count), &history, |b, history| {
            b.iter(|| black_box(history.report(black_box(&options)).unwrap()))
        });
        if count == 1_000_000 {
            let one_thread = options.clone().with_threads(NonZeroUsize::MIN);
            group.bench_with_input(BenchmarkId::new("overall, one thread", count), &history, |b, history| {
                b.iter(|| black_box(history.report(black_box(&one_thread)).unwrap()))
            });
            let berlin = options.clone().with_time_zone(chrono_tz::Europe::Berlin);
            group.bench_with_input(
                BenchmarkId::new("overall, Europe/Berlin", count),
                &history,
                |b, history| b.iter(|| black_box(history.report(black_box(&berlin)).unwrap())),
            );
            group.bench_with_input(BenchmarkId::new("weekly trend", count), &history, |b, history| {
                b.iter(|| black_box(history.trend(black_box(&options), Period::Week).unwrap()))
            });
            group.bench_with_input(BenchmarkId::new("by service", count), &history, |b, history| {
                b.iter(|| black_box(history.report_by_service(black_box(&options)).unwrap()))
            });
        }
    }
    group.finish();
}

criterion_group!(dora, benches);
criterion_main!(dora);
