//! Speed of the DORA report on large histories.
//!
//! Target on the reference machine (2 cores): the report over 1,000,000
//! in-memory records in under 100 ms.

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use release_workflow::{
    DeploymentRecord, History, IncidentSpan, Period, ReportOptions, RollbackSpan, Window,
};

/// A deterministic history: 20 services deploying around the clock for a
/// year, 1–4 changes each, about 12% failing.
fn history(count: usize) -> History {
    let start = DateTime::<Utc>::from_timestamp(1_735_689_600, 0).unwrap_or_default(); // 2025-01-01
    let span_seconds = 365 * 86_400;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|i| {
            let started = start + TimeDelta::seconds((next() % span_seconds) as i64);
            let service = format!("service-{:02}", i % 20);
            let mut record = DeploymentRecord::new(&service, &format!("1.{}.0", i / 20), started)
                .unwrap()
                .reached_production(started + TimeDelta::seconds(300 + (next() % 1800) as i64))
                .unwrap()
                .with_commits(
                    (0..1 + next() % 4).map(|_| started - TimeDelta::seconds((next() % 604_800) as i64)),
                );
            match next() % 100 {
                0..=5 => {
                    let decided_at = started + TimeDelta::seconds(900);
                    let restored_at = Some(decided_at + TimeDelta::seconds((next() % 3600) as i64));
                    record = record.rolled_back(RollbackSpan { decided_at, restored_at }).unwrap();
                }
                6..=11 => {
                    let opened_at = started + TimeDelta::seconds(1200);
                    let resolved_at = Some(opened_at + TimeDelta::seconds((next() % 14_400) as i64));
                    record = record
                        .with_incident(IncidentSpan { id: format!("INC-{i}").into(), opened_at, resolved_at })
                        .unwrap();
                }
                _ => {}
            }
            record
        })
        .collect()
}

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
            b.iter(|| black_box(history.report(black_box(&options))))
        });
        if count == 1_000_000 {
            group.bench_with_input(BenchmarkId::new("weekly trend", count), &history, |b, history| {
                b.iter(|| black_box(history.trend(black_box(&options), Period::Week).unwrap()))
            });
            group.bench_with_input(BenchmarkId::new("by service", count), &history, |b, history| {
                b.iter(|| black_box(history.report_by_service(black_box(&options))))
            });
        }
    }
    group.finish();
}

criterion_group!(dora, benches);
criterion_main!(dora);
