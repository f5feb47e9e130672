//! DORA metrics from a JSON Lines file of deployment records.
//!
//! ```text
//! cargo run --release --example dora                          # a generated sample, reported in memory
//! cargo run --release --example dora -- history.jsonl         # report and weekly trend of a file
//! cargo run --release --example dora -- history.jsonl --json  # the report as JSON
//! cargo run --release --example dora -- --generate 100000 [--seed 7] > history.jsonl
//! cargo run --release --example dora --features svg -- history.jsonl --svg trend.svg
//! ```
//!
//! Options for a report: `--from 2026-01-01`, `--to 2026-04-01` (default:
//! the days the records span), `--service NAME`, `--time-zone
//! Europe/Berlin` (or an offset such as `+01:00`), `--benchmark dora2024`,
//! `--by-service`, `--explain` (each week's failures and exclusions),
//! `--svg FILE` (the weekly trend as a picture; feature `svg`). A file is
//! read by the library's streaming reader on every core, keeping only
//! what the metrics need; malformed lines are reported on standard error
//! with their line number and skipped.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone as _, Utc};
use release_workflow::metrics::{
    Benchmark, DeploymentRecord, History, IncidentSpan, JsonLines, Period, ReportOptions, Reports,
    RollbackSpan, Totals, Window, Zone,
};

type Failure = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Default)]
struct Arguments {
    path: Option<String>,
    json: bool,
    by_service: bool,
    explain: bool,
    svg: Option<String>,
    generate: Option<usize>,
    seed: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    service: Option<String>,
    zone: Zone,
    benchmark: Benchmark,
}

fn parse_arguments(args: Vec<String>) -> Result<Arguments, Failure> {
    let mut parsed = Arguments { seed: 42, ..Arguments::default() };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => parsed.json = true,
            "--by-service" => parsed.by_service = true,
            "--explain" => parsed.explain = true,
            "--svg" => parsed.svg = Some(value("--svg")?),
            "--generate" => parsed.generate = Some(value("--generate")?.parse()?),
            "--seed" => parsed.seed = value("--seed")?.parse()?,
            "--from" => parsed.from = Some(value("--from")?.parse()?),
            "--to" => parsed.to = Some(value("--to")?.parse()?),
            "--service" => parsed.service = Some(value("--service")?),
            "--time-zone" | "--utc-offset" => parsed.zone = value(&arg)?.parse()?,
            "--benchmark" => parsed.benchmark = value("--benchmark")?.parse::<Benchmark>()?,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}").into()),
            path => parsed.path = Some(path.to_owned()),
        }
    }
    Ok(parsed)
}

fn run(args: Vec<String>) -> Result<(), Failure> {
    let arguments = parse_arguments(args)?;
    if let Some(count) = arguments.generate {
        let stdout = std::io::stdout();
        let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
        for record in generate(count, arguments.seed)? {
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        return Ok(());
    }
    let options = report_options(&arguments)?;
    let mut totals = Totals::new(&options).with_trend(Period::Week);
    if arguments.by_service {
        totals = totals.with_service_reports();
    }
    let reports = match &arguments.path {
        Some(path) => {
            let reading = JsonLines::new().with_kept_malformed(20).totals_from_path(path, totals)?;
            for malformed in &reading.malformed {
                eprintln!("{path}: skipped {malformed}");
            }
            if reading.malformed_count > reading.malformed.len() as u64 {
                eprintln!("{path}: … {} more malformed lines skipped", reading.malformed_count - 20);
            }
            if reading.malformed_count > 0 {
                eprintln!(
                    "{path}: {} malformed lines skipped, {} records read",
                    reading.malformed_count, reading.records
                );
            }
            reading.value.finish()?
        }
        None => History::from_records(generate(5_000, arguments.seed)?).totals(totals).finish()?,
    };
    write_reports(&reports, &arguments)?;
    // The reports hold many small allocations: the operating system
    // reclaims the process faster than freeing them one by one.
    std::mem::forget(reports);
    Ok(())
}

fn write_reports(reports: &Reports, arguments: &Arguments) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let trend = reports.trend.as_ref().ok_or("the weekly trend")?;
    if arguments.by_service {
        if arguments.json {
            serde_json::to_writer_pretty(&mut out, &reports.by_service)?;
            writeln!(out)?;
        } else {
            for report in reports.by_service.values() {
                writeln!(out, "{report}")?;
            }
        }
    } else if arguments.json {
        serde_json::to_writer_pretty(&mut out, &reports.report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", reports.report)?;
        write!(out, "{trend}")?;
        if arguments.explain {
            for row in &trend.rows {
                writeln!(out, "\nweek of {}:\n{}", row.window.start().format("%Y-%m-%d"), row.explanation)?;
            }
        }
    }
    if let Some(path) = &arguments.svg {
        write_svg(trend, path)?;
        writeln!(out, "the weekly trend is drawn in {path}")?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(feature = "svg")]
fn write_svg(trend: &release_workflow::metrics::Trend, path: &str) -> Result<(), Failure> {
    std::fs::write(path, trend.to_svg()?)?;
    Ok(())
}

#[cfg(not(feature = "svg"))]
fn write_svg(_: &release_workflow::metrics::Trend, _: &str) -> Result<(), Failure> {
    Err("--svg draws with the `svg` feature: cargo run --release --example dora --features svg -- …".into())
}

/// The window asked for, in the time zone's days, or the days the records span.
fn report_options(arguments: &Arguments) -> Result<ReportOptions, Failure> {
    let zone = arguments.zone;
    let midnight = |date: NaiveDate| -> Result<DateTime<Utc>, Failure> {
        let local = date.and_hms_opt(0, 0, 0).ok_or("midnight")?;
        let instant = match zone {
            Zone::Offset(offset) => offset.from_local_datetime(&local).earliest().map(|at| at.to_utc()),
            Zone::Named(tz) => (0..=24 * 60)
                .find_map(|minute| tz.from_local_datetime(&(local + TimeDelta::minutes(minute))).earliest())
                .map(|at| at.to_utc()),
        };
        Ok(instant.ok_or_else(|| format!("{date} has no midnight in {zone}"))?)
    };
    let mut options = match (arguments.from, arguments.to) {
        (Some(from), Some(to)) => ReportOptions::new(Window::new(midnight(from)?, midnight(to)?)?),
        (None, None) => ReportOptions::recorded_days(),
        _ => return Err("give both --from and --to, or neither for the days the records span".into()),
    };
    options = options.with_time_zone(zone).with_benchmark(arguments.benchmark);
    if let Some(service) = &arguments.service {
        options = options.with_service(service.clone());
    }
    Ok(options)
}

/// A realistic, deterministic history of `count` deployments: eight
/// services deploying through 2026 at their own cadence, each shipping a few
/// changes committed hours to days before; about one in eight fails, by a
/// rollback or an incident, and some incidents get a remediation release.
fn generate(count: usize, seed: u64) -> Result<Vec<DeploymentRecord>, release_workflow::Error> {
    const SERVICES: [&str; 8] =
        ["checkout", "payments", "search", "catalog", "accounts", "mobile-api", "pricing", "notifications"];
    let mut random = SplitMix(seed);
    let year_start = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default(); // 2026-01-01
    let year_seconds = 365 * 86_400;
    let mut records = Vec::with_capacity(count);
    let mut versions = [0u32; SERVICES.len()];
    for index in 0..count {
        let service_index =
            (random.below(100) as usize * random.below(100) as usize / 1250).min(SERVICES.len() - 1);
        let service = SERVICES[service_index];
        versions[service_index] += 1;
        let version = format!(
            "{}.{}.{}",
            1 + versions[service_index] / 400,
            versions[service_index] / 20 % 20,
            versions[service_index] % 20
        );
        // Working hours on weekdays are busier: draw a time, and redraw weekend nights once.
        let mut offset = random.below(year_seconds);
        let day_of_week = (offset / 86_400 + 3) % 7; // 2026-01-01 was a Thursday
        if day_of_week >= 5 && random.below(2) == 0 {
            offset = random.below(year_seconds);
        }
        let started = year_start + TimeDelta::seconds(offset as i64);
        let deploy_minutes =
            4 + random.below(25) as i64 + if random.below(20) == 0 { random.below(120) as i64 } else { 0 };
        let commits = (0..1 + random.below(5)).map(|_| {
            // Lead times from minutes to about two weeks, most within two days.
            let hours = (random.unit().powi(3) * 330.0) + random.unit() * 2.0;
            started - TimeDelta::seconds((hours * 3600.0) as i64)
        });
        let production = started + TimeDelta::minutes(deploy_minutes);
        let mut record = DeploymentRecord::new(service, &version, started)?
            .with_production_at(production)?
            .with_commits(commits.collect::<Vec<_>>());
        let roll = random.below(1000);
        if roll < 60 {
            let decided_at = production + TimeDelta::minutes(2 + random.below(40) as i64);
            let restored_at =
                (roll >= 3).then(|| decided_at + TimeDelta::minutes(3 + random.below(50) as i64));
            record = record.with_rollback(RollbackSpan { decided_at, restored_at })?;
        }
        if (40..130).contains(&roll) {
            let opened_at = production + TimeDelta::minutes(5 + random.below(600) as i64);
            let resolved_at = (roll >= 45)
                .then(|| opened_at + TimeDelta::minutes(10 + (random.unit().powi(2) * 2000.0) as i64));
            let incident = IncidentSpan { id: format!("INC-{index}").into(), opened_at, resolved_at };
            record = record.with_incident(incident)?;
        }
        if random.below(1000) < 25 {
            record = record.with_remediation();
        }
        records.push(record);
    }
    Ok(records)
}

/// SplitMix64: small, fast, and the same sequence for the same seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
