//! A trend as a picture: four small panels drawn with `plotters` into SVG.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::elapsed::Elapsed;
use crate::metrics::error::MetricsError;
use crate::metrics::report::{DoraMetrics, Trend};
use crate::metrics::tier::Tier;

/// One panel: a metric per period, on a scale, with its tier bands.
struct Panel {
    title: &'static str,
    unit: &'static str,
    color: RGBColor,
    /// `(tier, low, high)` on the panel's scale, best tier first.
    bands: Vec<(Tier, f64, f64)>,
    values: Vec<Option<f64>>,
    logarithmic: bool,
}

/// The color of each panel's series, for a reader (or a test) to find it.
pub(crate) const SERIES_COLORS: [(&str, RGBColor); 4] = [
    ("deployments per day", RGBColor(0x1f, 0x5f, 0xbf)),
    ("lead time p50", RGBColor(0x7b, 0x3f, 0xb0)),
    ("change failure rate", RGBColor(0xc0, 0x30, 0x30)),
    ("recovery time p50", RGBColor(0xd0, 0x80, 0x10)),
];

fn band_color(tier: Tier) -> RGBColor {
    match tier {
        Tier::Elite => RGBColor(0x2e, 0x9e, 0x4f),
        Tier::High => RGBColor(0x8c, 0xc8, 0x4b),
        Tier::Medium => RGBColor(0xf2, 0xc1, 0x3d),
        Tier::Low => RGBColor(0xe0, 0x6c, 0x5a),
    }
}

/// A duration in hours, the unit of the time panels.
fn hours(elapsed: Elapsed) -> f64 {
    elapsed.as_millis() as f64 / 3_600_000.0
}

impl Trend {
    /// The trend as an SVG picture: four panels — deployments per day, lead
    /// time p50 (hours), change failure rate (%), recovery time p50 (hours)
    /// — one point per period, each over its benchmark's tier bands (elite
    /// green to low red). Periods without data leave a gap. Frequency and
    /// times are on logarithmic scales, as they span orders of magnitude.
    ///
    /// Feature `svg`.
    ///
    /// ```
    /// use release_workflow::metrics::{DeploymentRecord, History, Period, ReportOptions, Window};
    ///
    /// let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>();
    /// let history = History::from_records([
    ///     DeploymentRecord::new("web", "1.0.0", at("2026-11-03T10:00:00Z")?)?
    ///         .with_production_at(at("2026-11-03T10:20:00Z")?)?
    ///         .with_commits([at("2026-11-02T16:00:00Z")?]),
    /// ]);
    /// let window = Window::new(at("2026-11-02T00:00:00Z")?, at("2026-11-30T00:00:00Z")?)?;
    /// let svg = history.trend(&ReportOptions::new(window), Period::Week)?.to_svg()?;
    /// assert!(svg.starts_with("<svg") && svg.contains("lead time p50"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MetricsError::Drawing`] if the drawing library fails.
    pub fn to_svg(&self) -> Result<String, MetricsError> {
        let thresholds = self.benchmark.thresholds();
        let column = |value: fn(&DoraMetrics) -> Option<f64>| -> Vec<Option<f64>> {
            self.rows.iter().map(|row| value(&row.metrics)).collect()
        };
        let [frequency, lead, failure, recovery] = SERIES_COLORS;
        let panels = [
            Panel {
                title: frequency.0,
                unit: "deployments/day",
                color: frequency.1,
                bands: bands_at_least(thresholds.deployments_per_day),
                values: column(|m| Some(m.deployment_frequency.per_day)),
                logarithmic: true,
            },
            Panel {
                title: lead.0,
                unit: "hours",
                color: lead.1,
                bands: bands_at_most(thresholds.lead_time.map(hours)),
                values: column(|m| m.lead_time.spread.map(|s| hours(s.median))),
                logarithmic: true,
            },
            Panel {
                title: failure.0,
                unit: "%",
                color: failure.1,
                bands: bands_at_most(thresholds.change_failure_rate.map(|rate| rate * 100.0)),
                values: column(|m| m.change_failure_rate.rate.map(|rate| rate * 100.0)),
                logarithmic: false,
            },
            Panel {
                title: recovery.0,
                unit: "hours",
                color: recovery.1,
                bands: bands_at_most(thresholds.recovery_time.map(hours)),
                values: column(|m| m.recovery_time.spread.map(|s| hours(s.median))),
                logarithmic: true,
            },
        ];
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|row| self.time_zone.local(row.window.start()).format("%Y-%m-%d").to_string())
            .collect();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (1200, 760)).into_drawing_area();
            root.fill(&WHITE).map_err(drawing)?;
            let title = format!(
                "DORA trend per {} ({}, graded against {})",
                self.period, self.time_zone, self.benchmark
            );
            let root = root.titled(&title, ("sans-serif", 22)).map_err(drawing)?;
            for (area, panel) in root.split_evenly((2, 2)).iter().zip(&panels) {
                draw(area, panel, &labels)?;
            }
            root.present().map_err(drawing)?;
        }
        Ok(svg)
    }
}

fn drawing(error: impl std::fmt::Display) -> MetricsError {
    MetricsError::Drawing { problem: error.to_string() }
}

/// Bands for a metric whose tier needs at least its limit (elite at the top).
fn bands_at_least(limits: [f64; 3]) -> Vec<(Tier, f64, f64)> {
    let [elite, high, medium] = limits;
    vec![
        (Tier::Elite, elite, f64::INFINITY),
        (Tier::High, high, elite),
        (Tier::Medium, medium, high),
        (Tier::Low, 0.0, medium),
    ]
}

/// Bands for a metric whose tier needs at most its limit (elite at the bottom).
fn bands_at_most(limits: [f64; 3]) -> Vec<(Tier, f64, f64)> {
    let [elite, high, medium] = limits;
    vec![
        (Tier::Elite, 0.0, elite),
        (Tier::High, elite, high),
        (Tier::Medium, high, medium),
        (Tier::Low, medium, f64::INFINITY),
    ]
}

fn draw(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panel: &Panel,
    labels: &[String],
) -> Result<(), MetricsError> {
    let known: Vec<f64> = panel.values.iter().flatten().copied().filter(|value| value.is_finite()).collect();
    let limits =
        panel.bands.iter().flat_map(|(_, low, high)| [*low, *high]).filter(|value| value.is_finite());
    let (lowest, highest) = known
        .iter()
        .copied()
        .chain(limits)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| (low.min(value), high.max(value)));
    let periods = labels.len().max(1) as f64;
    let x_range = -0.5..periods - 0.5;
    let label = |x: &f64| {
        let index = x.round();
        if index < 0.0 { String::new() } else { labels.get(index as usize).cloned().unwrap_or_default() }
    };
    let caption = (panel.title, ("sans-serif", 17));
    let mut builder = ChartBuilder::on(area);
    builder.caption(caption.0, caption.1).margin(12).x_label_area_size(32).y_label_area_size(64);
    if panel.logarithmic {
        // A log scale needs positive ends: from a tenth of the smallest positive value.
        let floor = known
            .iter()
            .chain([lowest].iter())
            .copied()
            .filter(|value| *value > 0.0)
            .fold(f64::INFINITY, f64::min);
        let floor = if floor.is_finite() { floor / 10.0 } else { 0.01 };
        let top = (highest * 3.0).max(floor * 100.0);
        let mut chart = builder.build_cartesian_2d(x_range, (floor..top).log_scale()).map_err(drawing)?;
        chart
            .configure_mesh()
            .x_labels(8)
            .x_label_formatter(&label)
            .y_desc(panel.unit)
            .draw()
            .map_err(drawing)?;
        let clamp = |value: f64| value.clamp(floor, top);
        draw_bands(&mut chart, panel, periods, clamp)?;
        draw_series(&mut chart, panel, |value| (value > 0.0).then_some(value))?;
    } else {
        let top = (highest * 1.2).max(1.0);
        let mut chart = builder.build_cartesian_2d(x_range, 0.0..top).map_err(drawing)?;
        chart
            .configure_mesh()
            .x_labels(8)
            .x_label_formatter(&label)
            .y_desc(panel.unit)
            .draw()
            .map_err(drawing)?;
        draw_bands(&mut chart, panel, periods, |value| value.clamp(0.0, top))?;
        draw_series(&mut chart, panel, Some)?;
    }
    Ok(())
}

fn draw_bands<X, Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    panel: &Panel,
    periods: f64,
    clamp: impl Fn(f64) -> f64,
) -> Result<(), MetricsError>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (tier, low, high) in &panel.bands {
        let (low, high) = (clamp(*low), clamp(*high));
        // A tier no value can reach (DORA 2024's medium failure rate) has no band.
        if high <= low {
            continue;
        }
        let color = band_color(*tier);
        let band = Rectangle::new([(-0.5, low), (periods - 0.5, high)], color.mix(0.18).filled());
        chart.draw_series(std::iter::once(band)).map_err(drawing)?;
        let name = Text::new(tier.to_string(), (-0.45, high), ("sans-serif", 12).into_font().color(&color));
        chart.draw_series(std::iter::once(name)).map_err(drawing)?;
    }
    Ok(())
}

fn draw_series<X, Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    panel: &Panel,
    shown: impl Fn(f64) -> Option<f64>,
) -> Result<(), MetricsError>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let style = ShapeStyle::from(&panel.color).stroke_width(2);
    // One line per run of periods with data: a period without data is a gap.
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (index, value) in panel.values.iter().enumerate() {
        match (value.and_then(&shown), runs.last_mut()) {
            (Some(value), Some(run)) => run.push((index as f64, value)),
            _ => runs.push(Vec::new()),
        }
    }
    for run in runs.into_iter().filter(|run| !run.is_empty()) {
        let points: Vec<Circle<(f64, f64), u32>> =
            run.iter().map(|point| Circle::new(*point, 3, panel.color.filled())).collect();
        if run.len() > 1 {
            chart.draw_series(LineSeries::new(run, style)).map_err(drawing)?;
        }
        chart.draw_series(points).map_err(drawing)?;
    }
    Ok(())
}
