//! The weekly trend as an SVG picture (feature `svg`): parsed back, it
//! shows each series where the data has it, over its tier bands.
#![cfg(feature = "svg")]

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::metrics::{
    Benchmark, DeploymentRecord, History, IncidentSpan, Period, ReportOptions, RollbackSpan, Tier, Trend,
    TrendRow, Window,
};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Four weeks from Monday 2026-11-02; the third has no deployment; the first
/// has a failure in 3 deployments and the fourth one in 7.
fn history() -> History {
    let mut records = Vec::new();
    for (week, days) in [(0, 3), (1, 2), (3, 7)] {
        for day in 0..days {
            let started = at("2026-11-02T10:00:00Z") + TimeDelta::days(7 * week + day);
            let mut record = DeploymentRecord::new("web", &format!("1.{week}.{day}"), started)
                .unwrap()
                .with_production_at(started + TimeDelta::minutes(20))
                .unwrap()
                .with_commits([started - TimeDelta::hours(5 + day)]);
            if (week == 0 && day == 0) || (week == 3 && day == 6) {
                let decided_at = started + TimeDelta::minutes(40);
                let restored_at = Some(decided_at + TimeDelta::minutes(30));
                record = record.with_rollback(RollbackSpan { decided_at, restored_at }).unwrap();
                let opened_at = decided_at;
                let incident = IncidentSpan { id: "INC-1".into(), opened_at, resolved_at: restored_at };
                record = record.with_incident(incident).unwrap();
            }
            records.push(record);
        }
    }
    History::from_records(records)
}

/// The four weeks of [`history`].
fn november() -> Window {
    Window::new(at("2026-11-02T00:00:00Z"), at("2026-11-30T00:00:00Z")).unwrap()
}

/// The weekly trend of [`history`] over [`november`].
fn weekly(options: &ReportOptions) -> Trend {
    history().trend(options, Period::Week).unwrap()
}

/// The points of every polyline stroked in `color`, line by line.
fn lines_of(svg: &roxmltree::Document<'_>, color: &str) -> Vec<usize> {
    svg.descendants()
        .filter(|node| node.has_tag_name("polyline"))
        .filter(|node| node.attribute("stroke").is_some_and(|stroke| stroke.eq_ignore_ascii_case(color)))
        .map(|node| node.attribute("points").unwrap_or_default().split_whitespace().count())
        .collect()
}

/// The `tag` elements filled with `color`, in document order.
fn filled<'a, 'input>(
    svg: &'a roxmltree::Document<'input>,
    tag: &'a str,
    color: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> + 'a {
    svg.descendants()
        .filter(move |node| node.has_tag_name(tag))
        .filter(move |node| node.attribute("fill").is_some_and(|fill| fill.eq_ignore_ascii_case(color)))
}

fn dots_of(svg: &roxmltree::Document<'_>, color: &str) -> usize {
    filled(svg, "circle", color).count()
}

fn texts(svg: &roxmltree::Document<'_>) -> Vec<String> {
    svg.descendants()
        .filter(|node| node.has_tag_name("text"))
        .filter_map(|node| node.text())
        .map(|text| text.trim().to_owned())
        .collect()
}

#[test]
fn each_series_is_drawn_where_its_weeks_have_data() {
    let trend = weekly(&ReportOptions::new(november()));
    let text = trend.to_svg().unwrap();
    let svg = roxmltree::Document::parse(&text).unwrap();
    let texts = texts(&svg);
    for title in ["deployments per day", "lead time p50", "change failure rate", "recovery time p50"] {
        assert!(texts.iter().any(|text| text == title), "{title} in {texts:?}");
    }
    assert!(texts.iter().any(|text| text == "DORA trend per week (UTC, graded against dora2023)"));
    for week in ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"] {
        assert!(texts.iter().any(|text| text == week), "{week} in {texts:?}");
    }
    // Deployments per day is a measurement every week, zero included: but a
    // log scale has no zero, so the empty third week is a gap.
    assert_eq!(lines_of(&svg, "#1F5FBF"), [2]);
    assert_eq!(dots_of(&svg, "#1F5FBF"), 3);
    // Lead time and failure rate: weeks 1, 2 and 4; the gap splits the line.
    assert_eq!(lines_of(&svg, "#7B3FB0"), [2]);
    assert_eq!(dots_of(&svg, "#7B3FB0"), 3);
    assert_eq!(lines_of(&svg, "#C03030"), [2]);
    assert_eq!(dots_of(&svg, "#C03030"), 3);
    // Recovery: the first and fourth weeks have a restored failure — two
    // dots, and the weeks without one between them leave no line.
    assert_eq!(lines_of(&svg, "#D08010"), Vec::<usize>::new());
    assert_eq!(dots_of(&svg, "#D08010"), 2);
    // Every panel has its four tier bands, each named.
    let bands = |color: &str| filled(&svg, "rect", color).count();
    assert_eq!(bands("#2E9E4F"), 4, "elite");
    assert_eq!(bands("#E06C5A"), 4, "low");
    for tier in ["elite", "high", "medium", "low"] {
        assert_eq!(texts.iter().filter(|text| *text == tier).count(), 4, "{tier}");
    }
}

#[test]
fn a_tier_no_value_reaches_has_no_band() {
    let text = weekly(&ReportOptions::new(november()).with_benchmark(Benchmark::Dora2024)).to_svg().unwrap();
    let svg = roxmltree::Document::parse(&text).unwrap();
    // DORA 2024: no failure rate nor recovery time grades medium.
    let mediums = texts(&svg).iter().filter(|text| *text == "medium").count();
    assert_eq!(mediums, 2);
}

#[test]
fn an_empty_trend_still_draws_its_panels() {
    let window = Window::new(at("2026-11-02T00:00:00Z"), at("2026-11-16T00:00:00Z")).unwrap();
    let text = History::new().trend(&ReportOptions::new(window), Period::Week).unwrap().to_svg().unwrap();
    let svg = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(dots_of(&svg, "#7B3FB0"), 0);
    assert!(texts(&svg).iter().any(|text| text == "recovery time p50"));
}

/// A number attribute of an SVG element.
fn number(node: &roxmltree::Node<'_, '_>, name: &str) -> f64 {
    node.attribute(name).and_then(|value| value.parse().ok()).unwrap_or(f64::NAN)
}

#[test]
fn each_point_sits_in_its_week_over_the_band_of_its_tier() {
    let trend = weekly(&ReportOptions::new(november()));
    let text = trend.to_svg().unwrap();
    let svg = roxmltree::Document::parse(&text).unwrap();
    let band_color = |tier: Tier| match tier {
        Tier::Elite => "#2E9E4F",
        Tier::High => "#8CC84B",
        Tier::Medium => "#F2C13D",
        Tier::Low => "#E06C5A",
    };
    // Numbers on the axes are in the panels' units: deployments per day,
    // hours and percent stay well below ten thousand.
    let numbers: Vec<f64> = texts(&svg).iter().filter_map(|text| text.parse().ok()).collect();
    assert!(!numbers.is_empty());
    assert!(numbers.iter().all(|number| number.abs() < 10_000.0), "{numbers:?}");
    // The tier of each week's value, per series, weeks without one skipped.
    let graded = |tier_of: fn(&TrendRow) -> Option<Tier>| -> Vec<(usize, Tier)> {
        trend.rows.iter().enumerate().filter_map(|(week, row)| Some((week, tier_of(row)?))).collect()
    };
    let tiers = [
        ("#1F5FBF", graded(|row| Some(row.metrics.deployment_frequency.tier))),
        ("#7B3FB0", graded(|row| row.metrics.lead_time.tier)),
        ("#C03030", graded(|row| row.metrics.change_failure_rate.tier)),
        ("#D08010", graded(|row| row.metrics.recovery_time.tier)),
    ];
    for (color, mut expected) in tiers {
        if color == "#1F5FBF" {
            expected.retain(|(week, _)| *week != 2); // no deployment: a gap on a log scale
        }
        let dots: Vec<(f64, f64)> =
            filled(&svg, "circle", color).map(|node| (number(&node, "cx"), number(&node, "cy"))).collect();
        assert_eq!(dots.len(), expected.len(), "{color}");
        for ((x, y), (week, tier)) in dots.iter().zip(&expected) {
            // The band of its tier, in its panel, holds the point.
            let band = filled(&svg, "rect", band_color(*tier))
                .map(|node| {
                    (number(&node, "x"), number(&node, "y"), number(&node, "width"), number(&node, "height"))
                })
                .find(|(left, top, width, height)| {
                    (*left..=left + width).contains(x) && (*top..=top + height).contains(y)
                });
            let Some((left, _, width, _)) = band else {
                panic!("{color}: week {week}'s point ({x}, {y}) is not over a {tier} band:\n{text}");
            };
            // Bands span the four weeks; a week's point is at its middle.
            let middle = left + width * (*week as f64 + 0.5) / 4.0;
            assert!((x - middle).abs() < 1.5, "{color}: week {week} at {x}, not {middle}");
            // The tier's name is written at the band's left edge.
            let name = svg
                .descendants()
                .filter(|node| {
                    node.has_tag_name("text")
                        && node.text().is_some_and(|text| text.trim() == tier.to_string())
                })
                .any(|node| (number(&node, "x") - left).abs() < 0.05 * width + 1.0);
            assert!(name, "{color}: no {tier} name at {left}");
        }
    }
}
