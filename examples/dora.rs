//! DORA metrics from a JSON Lines file of deployment records.
//!
//! ```text
//! cargo run --release --example dora                          # a generated sample, reported in memory
//! cargo run --release --example dora -- history.jsonl         # report and weekly trend of a file
//! cargo run --release --example dora -- history.jsonl --json  # the report as JSON
//! cargo run --release --example dora -- --generate 100000 [--seed 7] > history.jsonl
//! ```
//!
//! Options for a report: `--from 2026-01-01`, `--to 2026-04-01` (default:
//! the days the records span), `--service NAME`, `--utc-offset +01:00`,
//! `--benchmark dora2021`, `--by-service`. Malformed lines are reported on
//! standard error with their line number and skipped.

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::thread;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
use release_workflow::{
    Benchmark, DeploymentRecord, History, IncidentSpan, Period, ReportOptions, RollbackSpan, Window,
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
    generate: Option<usize>,
    seed: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    service: Option<String>,
    offset: Option<FixedOffset>,
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
            "--generate" => parsed.generate = Some(value("--generate")?.parse()?),
            "--seed" => parsed.seed = value("--seed")?.parse()?,
            "--from" => parsed.from = Some(value("--from")?.parse()?),
            "--to" => parsed.to = Some(value("--to")?.parse()?),
            "--service" => parsed.service = Some(value("--service")?),
            "--utc-offset" => {
                let text = value("--utc-offset")?;
                let offset = format!("2000-01-01T00:00:00{text}")
                    .parse::<DateTime<FixedOffset>>()
                    .map_err(|_| format!("--utc-offset takes ±HH:MM, not {text}"))?;
                parsed.offset = Some(*offset.offset());
            }
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
    let history = match &arguments.path {
        Some(path) => read_history(path)?,
        None => History::from_records(generate(5_000, arguments.seed)?),
    };
    let options = report_options(&history, &arguments)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if arguments.by_service {
        let reports = history.report_by_service(&options);
        if arguments.json {
            serde_json::to_writer_pretty(&mut out, &reports)?;
            writeln!(out)?;
        } else {
            for report in reports.values() {
                writeln!(out, "{report}")?;
            }
        }
    } else if arguments.json {
        serde_json::to_writer_pretty(&mut out, &history.report(&options))?;
        writeln!(out)?;
    } else {
        // The report and the trend are independent passes: run them side by side.
        let (report, trend) = thread::scope(|scope| {
            let trend = scope.spawn(|| history.trend(&options, Period::Week));
            let report = history.report(&options);
            (report, trend.join())
        });
        writeln!(out, "{report}")?;
        write!(out, "{}", trend.map_err(|_| "the trend thread failed")??)?;
    }
    out.flush()?;
    // A million records take longer to free one by one than the operating
    // system takes to reclaim the whole process.
    std::mem::forget(history);
    Ok(())
}

/// The window asked for, or the whole days the records span.
fn report_options(history: &History, arguments: &Arguments) -> Result<ReportOptions, Failure> {
    let offset = arguments.offset.unwrap_or(FixedOffset::east_opt(0).ok_or("offset")?);
    let day_start = |date: NaiveDate| -> Result<DateTime<Utc>, Failure> {
        let local = date.and_hms_opt(0, 0, 0).ok_or("midnight")?;
        Ok(local.and_utc() - TimeDelta::seconds(i64::from(offset.local_minus_utc())))
    };
    let starts = history.records().iter().map(DeploymentRecord::started_at);
    let earliest = starts.clone().min();
    let latest = starts.max();
    let from = match (arguments.from, earliest) {
        (Some(date), _) => day_start(date)?,
        (None, Some(at)) => day_start(at.with_timezone(&offset).date_naive())?,
        (None, None) => return Err("the history is empty: give --from and --to, or records".into()),
    };
    let to = match (arguments.to, latest) {
        (Some(date), _) => day_start(date)?,
        (None, Some(at)) => day_start(at.with_timezone(&offset).date_naive())? + TimeDelta::days(1),
        (None, None) => from + TimeDelta::days(1),
    };
    let mut options = ReportOptions::new(Window::new(from, to)?)
        .with_utc_offset(offset)
        .with_benchmark(arguments.benchmark);
    if let Some(service) = &arguments.service {
        options = options.with_service(service.clone());
    }
    Ok(options)
}

/// Reads a JSON Lines file, parsing it on every core: each thread streams
/// its own byte range of the file, so the file is never held in memory
/// whole. Malformed lines are reported on standard error with their line
/// number, and skipped.
fn read_history(path: &str) -> Result<History, Failure> {
    let size = std::fs::metadata(path).map_err(|error| format!("cannot read {path}: {error}"))?.len();
    let threads = thread::available_parallelism().map_or(1, usize::from) as u64;
    let bounds: Vec<u64> = (0..=threads).map(|part| size * part / threads).collect();
    let parsed: Vec<Result<Chunk, String>> = thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|range| {
                let (start, end) = (range[0], range[1]);
                scope.spawn(move || parse_range(path, start, end).map_err(|error| error.to_string()))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|_| Err("a parser thread failed".into())))
            .collect()
    });
    let mut all: Vec<DeploymentRecord> = Vec::new();
    let (mut lines_before, mut malformed) = (0, 0);
    for chunk in parsed {
        let chunk = chunk.map_err(|error| format!("cannot read {path}: {error}"))?;
        for (line, error) in chunk.errors {
            malformed += 1;
            if malformed <= 20 {
                eprintln!("{path}:{}: skipped: {error}", lines_before + line);
            }
        }
        // Appending to the first chunk's vector grows it in place.
        all.extend(chunk.records);
        lines_before += chunk.lines;
    }
    if malformed > 20 {
        eprintln!("{path}: … {} more malformed lines skipped", malformed - 20);
    }
    if malformed > 0 {
        eprintln!("{path}: {malformed} malformed lines skipped, {} records read", all.len());
    }
    Ok(History::from_records(all))
}

/// What one thread parsed: its records, how many lines its range holds,
/// and its malformed lines, numbered from 1 within the range.
#[derive(Default)]
struct Chunk {
    records: Vec<DeploymentRecord>,
    lines: usize,
    errors: Vec<(usize, String)>,
}

/// Parses the lines that start in `[start, end)` of the file: a line that
/// starts before `start` belongs to the previous range.
fn parse_range(path: &str, start: u64, end: u64) -> std::io::Result<Chunk> {
    use std::io::{BufRead, BufReader, Seek, SeekFrom};

    let mut file = std::fs::File::open(path)?;
    let mut position = start.saturating_sub(1);
    file.seek(SeekFrom::Start(position))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(1024);
    if start > 0 {
        // The byte before `start` tells whether a line starts at `start`.
        position += reader.read_until(b'\n', &mut line)? as u64;
    }
    let mut chunk = Chunk { records: Vec::with_capacity(((end - start) / 230) as usize), ..Chunk::default() };
    while position < end {
        // Parse lines in place in the reader's buffer; only a line that
        // straddles two buffers is copied.
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            break;
        }
        let (text, used) = match memchr::memchr(b'\n', buffer) {
            Some(newline) => (buffer.get(..newline).unwrap_or_default(), newline + 1),
            None => {
                line.clear();
                line.extend_from_slice(buffer);
                let used = buffer.len();
                reader.consume(used);
                position += used as u64;
                let rest = reader.read_until(b'\n', &mut line)?;
                position += rest as u64;
                chunk.parse_line(line.strip_suffix(b"\n").unwrap_or(&line));
                continue;
            }
        };
        chunk.parse_line(text);
        reader.consume(used);
        position += used as u64;
    }
    Ok(chunk)
}

impl Chunk {
    fn parse_line(&mut self, bytes: &[u8]) {
        self.lines += 1;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        match DeploymentRecord::from_json_bytes(bytes) {
            Ok(record) => self.records.push(record),
            Err(error) => self.errors.push((self.lines, error.to_string())),
        }
    }
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
            .reached_production(production)?
            .with_commits(commits.collect::<Vec<_>>());
        let roll = random.below(1000);
        if roll < 60 {
            let decided_at = production + TimeDelta::minutes(2 + random.below(40) as i64);
            let restored_at =
                (roll >= 3).then(|| decided_at + TimeDelta::minutes(3 + random.below(50) as i64));
            record = record.rolled_back(RollbackSpan { decided_at, restored_at })?;
        }
        if (40..130).contains(&roll) {
            let opened_at = production + TimeDelta::minutes(5 + random.below(600) as i64);
            let resolved_at = (roll >= 45)
                .then(|| opened_at + TimeDelta::minutes(10 + (random.unit().powi(2) * 2000.0) as i64));
            let incident = IncidentSpan { id: format!("INC-{index}").into(), opened_at, resolved_at };
            record = record.with_incident(incident)?;
        }
        if random.below(1000) < 25 {
            record = record.as_remediation();
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
