//! The nightly chart: two panels, prove time (top) and peak heap (bottom) over the nights,
//! one line per mode, and every step of the rule in [`crate::analysis::trend`] marked with a
//! triangle (red up: regression, green down: improvement) and its change in percent.
//!
//! The x axis is the night's position in the history (labelled with its date), so a missed
//! night does not leave a gap, and two records of one date stay apart.

use plotters::prelude::*;

use super::{ChartError, IMPROVEMENT, REGRESSION, colour, draw_err, mib, padded};
use crate::analysis::trend::{self, Direction, StepRule};
use crate::model::history::HistoryRecord;

/// One metric of one mode: (night index, value) points and their steps.
struct Series {
    mode: String,
    points: Vec<(f64, f64)>,
    steps: Vec<(f64, f64, Direction, f64)>,
}

/// The nights of `records` (their dates in order of appearance) and, per mode in order of
/// appearance, the series of `value`.
fn series(
    records: &[&HistoryRecord],
    value: impl Fn(&HistoryRecord) -> Option<f64>,
    rule: &StepRule,
) -> Result<(Vec<String>, Vec<Series>), ChartError> {
    let mut nights: Vec<String> = Vec::new();
    let mut out: Vec<Series> = Vec::new();
    for r in records {
        if nights.last() != Some(&r.date) {
            nights.push(r.date.clone());
        }
        let x = (nights.len() - 1) as f64;
        let mode = r.mode.to_string();
        let i = match out.iter().position(|s| s.mode == mode) {
            Some(i) => i,
            None => {
                out.push(Series {
                    mode,
                    points: Vec::new(),
                    steps: Vec::new(),
                });
                out.len() - 1
            }
        };
        if let Some(v) = value(r).filter(|v| v.is_finite() && *v > 0.0) {
            out[i].points.push((x, v));
        }
    }
    for s in &mut out {
        let ys: Vec<f64> = s.points.iter().map(|p| p.1).collect();
        let found = trend::steps(&ys, rule).map_err(|e| ChartError::Draw(e.to_string()))?;
        s.steps = found
            .iter()
            .map(|st| {
                let (x, y) = s.points[st.index];
                (x, y, st.direction, st.change_pct)
            })
            .collect();
    }
    Ok((nights, out))
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    unit: &str,
    nights: &[String],
    all: &[Series],
    modes: &[String],
) -> Result<(), ChartError> {
    let (lo, hi) = padded(all.iter().flat_map(|s| s.points.iter().map(|p| p.1)), false);
    let last = nights.len().saturating_sub(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5..last + 0.5, lo..hi)
        .map_err(draw_err)?;
    let date = |x: &f64| -> String {
        let i = x.round();
        if (x - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        nights
            .get(i as usize)
            .map(|d| d.get(..10).unwrap_or(d).to_string())
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .x_labels(nights.len().clamp(2, 8))
        .x_label_formatter(&date)
        .y_desc(unit)
        .draw()
        .map_err(draw_err)?;
    for s in all {
        let c = colour(modes.iter().position(|m| *m == s.mode).unwrap_or(0));
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))
            .map_err(draw_err)?
            .label(s.mode.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, c.filled())))
            .map_err(draw_err)?;
    }
    for (direction, c, label) in [
        (Direction::Regression, REGRESSION, "step: regression"),
        (Direction::Improvement, IMPROVEMENT, "step: improvement"),
    ] {
        let marks: Vec<(f64, f64, f64)> = all
            .iter()
            .flat_map(|s| s.steps.iter())
            .filter(|st| st.2 == direction)
            .map(|st| (st.0, st.1, st.3))
            .collect();
        if marks.is_empty() {
            continue;
        }
        chart
            .draw_series(
                marks
                    .iter()
                    .map(|&(x, y, _)| TriangleMarker::new((x, y), 9, c.filled())),
            )
            .map_err(draw_err)?
            .label(label)
            .legend(move |(x, y)| TriangleMarker::new((x + 9, y), 6, c.filled()));
        chart
            .draw_series(marks.iter().map(|&(x, y, pct)| {
                EmptyElement::at((x, y))
                    + Text::new(
                        format!("{pct:+.1}%"),
                        (8, -18),
                        ("sans-serif", 13).into_font().color(&c),
                    )
            }))
            .map_err(draw_err)?;
    }
    super::draw_legend(&mut chart)
}

/// The chart of `records` (one fixture, oldest first), with steps by `rule`.
pub fn nightly_svg(
    records: &[HistoryRecord],
    fixture: &str,
    rule: &StepRule,
) -> Result<String, ChartError> {
    let records: Vec<&HistoryRecord> = records.iter().filter(|r| r.fixture == fixture).collect();
    if records.is_empty() {
        return Err(ChartError::Empty(format!("no night of {fixture}")));
    }
    let (nights, time) = series(&records, |r| r.median_prove_seconds, rule)?;
    let (_, heap) = series(
        &records,
        |r| r.median_peak_heap_bytes.map(|b| mib(b as f64)),
        rule,
    )?;
    let modes: Vec<String> = time.iter().map(|s| s.mode.clone()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 720)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (top, bottom) = root.split_vertically(360);
        panel(
            &top,
            &format!("{fixture}: median prove time per night"),
            "seconds",
            &nights,
            &time,
            &modes,
        )?;
        panel(
            &bottom,
            &format!("{fixture}: median peak heap per night"),
            "MiB",
            &nights,
            &heap,
            &modes,
        )?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{count, night, texts};

    fn date(i: usize) -> String {
        format!("2026-01-{:02}T03:00:00Z", i + 1)
    }

    #[test]
    fn two_modes_with_a_time_step() {
        let mut h = Vec::new();
        for i in 0..10 {
            let t = if i < 7 { 2.0 } else { 2.4 };
            h.push(night(&date(i), "default", t, 1000 << 20));
            h.push(night(&date(i), "stream-lde", 2.6, 400 << 20));
        }
        let svg = nightly_svg(&h, "fib", &StepRule::default()).unwrap();
        let t = texts(&svg);
        for want in [
            "fib: median prove time per night",
            "fib: median peak heap per night",
            "default",
            "stream-lde",
            "step: regression",
            "+20.0%",
            "2026-01-01",
        ] {
            assert!(t.iter().any(|s| s == want), "{want:?} missing from {t:?}");
        }
        // No heap step and no improvement: neither is labelled.
        assert!(!t.iter().any(|s| s == "step: improvement"), "{t:?}");
        assert_eq!(t.iter().filter(|s| *s == "step: regression").count(), 1);
        // One marker: the step's first night.
        assert_eq!(t.iter().filter(|s| *s == "+20.0%").count(), 1, "{t:?}");
        // One polyline per mode and panel (the legend's samples are polylines too).
        assert!(count(&svg, "polyline") >= 4, "{svg}");
    }

    #[test]
    fn no_nights_is_an_error() {
        let h = vec![night(&date(0), "default", 1.0, 1)];
        assert!(matches!(
            nightly_svg(&h, "other", &StepRule::default()),
            Err(ChartError::Empty(_))
        ));
        // A single night draws (no steps).
        let svg = nightly_svg(&h, "fib", &StepRule::default()).unwrap();
        assert!(!texts(&svg).iter().any(|s| s.starts_with("step")));
    }
}
