//! Speed of checklists in Markdown: reading the source OctoAcme document,
//! writing a template and a release's checklist, and reading the boxes
//! ticked in an export back.
//!
//! Targets on the reference machine (2 cores), each for the 66-item
//! OctoAcme checklist: import under 1 ms, each export under 250 µs, ticks
//! read back under 1 ms — a bot that mirrors an issue on every edit never
//! waits on the library.

mod common;

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{Criterion, criterion_group, criterion_main};
use release_workflow::{Actor, Gate, Role, Stage, Template, checklist::MarkdownImport};

const SOURCE: &str = include_str!("../tests/fixtures/release-management-checklist.md");

fn benches(c: &mut Criterion) {
    let map = MarkdownImport::octoacme();
    c.bench_function("markdown: import the OctoAcme source document", |b| {
        b.iter(|| Template::from_markdown(black_box(SOURCE), &map).unwrap())
    });
    let octoacme = Template::octoacme();
    c.bench_function("markdown: export the OctoAcme template", |b| {
        b.iter(|| black_box(&octoacme).to_markdown())
    });

    let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER).unwrap();
    let mut release = common::planned(&ada, "1.0.0");
    common::settle(&mut release, Gate::Freeze, &ada, common::start());
    release.advance_to(Stage::Frozen, &ada, common::start()).unwrap();
    c.bench_function("markdown: export a frozen release's checklist", |b| {
        b.iter(|| black_box(&release).to_markdown())
    });
    let edited = release
        .to_markdown()
        .replace("- [ ] Unit tests passing", "- [x] Unit tests passing")
        .replace("- [ ] Integration tests passing", "- [x] Integration tests passing");
    let later = common::start() + TimeDelta::minutes(5);
    c.bench_function("markdown: read two ticked boxes back from an export", |b| {
        b.iter(|| release.markdown_updates(black_box(&edited), &ada, later).unwrap())
    });
}

criterion_group!(markdown, benches);
criterion_main!(markdown);
