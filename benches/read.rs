//! Speed of reading deployment records from JSON Lines.
//!
//! - One line: the fast path for the shape this crate writes
//!   (`DeploymentRecord::from_json`) against serde alone, on the same
//!   lines; the difference is the fast path's gain.
//! - The dora bench's history of 100,000 lines read from memory by `JsonLines`, into
//!   totals (no records kept) and into a `History`, on one thread and on
//!   every core.
//!
//! Target on the reference machine (2 cores): 100,000 lines into totals on
//! every core in at most 60 ms (the 1M-line file end to end is measured
//! against DuckDB by `benches/duckdb/compare.sh`).

mod common;

use std::hint::black_box;
use std::num::NonZeroUsize;

use common::history;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use release_workflow::metrics::{DeploymentRecord, JsonLines, Period, ReportOptions, Totals};

/// The dora bench's history as JSON Lines.
fn lines(count: usize) -> String {
    history(count).records().iter().map(|record| serde_json::to_string(record).unwrap() + "\n").collect()
}

fn benches(c: &mut Criterion) {
    let text = lines(100_000);
    let sample: Vec<&str> = text.lines().take(10_000).collect();
    let mut group = c.benchmark_group("read");
    group.sample_size(20);
    group.throughput(Throughput::Elements(sample.len() as u64));
    group.bench_function("10k lines, fast path", |b| {
        b.iter(|| {
            for line in &sample {
                black_box(DeploymentRecord::from_json(black_box(line)).unwrap());
            }
        })
    });
    group.bench_function("10k lines, serde alone", |b| {
        b.iter(|| {
            for line in &sample {
                black_box(serde_json::from_str::<DeploymentRecord>(black_box(line)).unwrap());
            }
        })
    });
    group.throughput(Throughput::Bytes(text.len() as u64));
    let options = ReportOptions::recorded_days();
    for (name, threads) in [("one thread", Some(NonZeroUsize::MIN)), ("every core", None)] {
        let reader = threads.map_or(JsonLines::new(), |threads| JsonLines::new().with_threads(threads));
        group.bench_function(format!("100k lines into totals and report, {name}"), |b| {
            b.iter(|| {
                let totals = Totals::new(&options).with_trend(Period::Week);
                let reading = reader.totals(black_box(text.as_bytes()), totals).unwrap();
                black_box(reading.value.finish().unwrap())
            })
        });
        group.bench_function(format!("100k lines into a history, {name}"), |b| {
            b.iter(|| black_box(reader.history(black_box(text.as_bytes())).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(read, benches);
criterion_main!(read);
