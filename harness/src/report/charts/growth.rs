//! The growth chart: peak heap (left) and prove time (right) against millions of cycles,
//! one colour per mode: the measured points (median, with the runs' min-max as a bar where
//! they differ) and the fitted least-squares line, whose legend entry (in a strip under its
//! panel, off the data) carries the slope and R².

use plotters::coord::Shift;
use plotters::prelude::*;

use super::legend::{self, Entry, Swatch};
use super::{ChartError, GRID, colour, draw_err, mib, padded};
use crate::analysis::fit::LinearFit;
use crate::analysis::growth::GrowthReport;

/// One point: x, median, and the runs' least and largest values.
type Point = (f64, f64, f64, f64);

/// One panel's series: mode, points, fit, legend text.
type PanelSeries = (String, Vec<Point>, LinearFit, String);

/// The legend of a panel: each mode's fit.
fn entries(series: &[PanelSeries]) -> Vec<Entry> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| Entry::new(Swatch::LineDot, colour(i), s.3.clone()))
        .collect()
}

/// Draws the panel into `area` and its legend into the strip under it.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    strip: &DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    series: &[PanelSeries],
) -> Result<(), ChartError> {
    let (x0, x1) = padded(series.iter().flat_map(|s| s.1.iter().map(|p| p.0)), true);
    let (y0, y1) = padded(
        series.iter().flat_map(|s| {
            s.1.iter()
                .flat_map(|p| [p.2, p.3])
                .chain([s.2.at(0.0), s.2.at(x1)])
        }),
        true,
    );
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .label_style(("sans-serif", 14))
        .x_desc("million cycles")
        .y_desc(unit)
        .draw()
        .map_err(draw_err)?;
    for (i, (_, points, fit, _)) in series.iter().enumerate() {
        let c = colour(i);
        chart
            .draw_series(LineSeries::new(
                [(x0, fit.at(x0)), (x1, fit.at(x1))],
                c.stroke_width(2),
            ))
            .map_err(draw_err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.3 > p.2)
                    .map(|&(x, _, lo, hi)| PathElement::new(vec![(x, lo), (x, hi)], c)),
            )
            .map_err(draw_err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(x, y, _, _)| Circle::new((x, y), 4, c.filled())),
            )
            .map_err(draw_err)?;
    }
    legend::draw(strip, &entries(series))
}

/// Each panel's width and height (its legend strip comes on top of that), pixels.
const HALF: u32 = 640;
const PANEL: u32 = 500;

/// The chart of `report`.
pub fn growth_svg(report: &GrowthReport) -> Result<String, ChartError> {
    if report.modes.is_empty() {
        return Err(ChartError::Empty(format!("no mode of {}", report.family)));
    }
    let heap: Vec<PanelSeries> = report
        .modes
        .iter()
        .filter_map(|m| {
            let f = m.heap?;
            let points = m
                .points
                .iter()
                .filter_map(|p| {
                    let y = mib(p.heap_bytes?);
                    let (lo, hi) = p.heap_range.map_or((y, y), |(lo, hi)| (mib(lo), mib(hi)));
                    Some((p.mcycles, y, lo.min(y), hi.max(y)))
                })
                .collect();
            let fit = LinearFit {
                slope: mib(f.slope),
                intercept: mib(f.intercept),
                ..f
            };
            let label = format!(
                "{}: {:.2} MB/Mcycle, R² {:.3}",
                m.mode,
                f.slope / 1e6,
                f.r_squared
            );
            Some((m.mode.clone(), points, fit, label))
        })
        .collect();
    let time: Vec<PanelSeries> = report
        .modes
        .iter()
        .map(|m| {
            let points = m
                .points
                .iter()
                .map(|p| {
                    let (lo, hi) = p.seconds_range.unwrap_or((p.seconds, p.seconds));
                    (p.mcycles, p.seconds, lo.min(p.seconds), hi.max(p.seconds))
                })
                .collect();
            let label = format!(
                "{}: {:.3} s/Mcycle, R² {:.3}",
                m.mode, m.time.slope, m.time.r_squared
            );
            (m.mode.clone(), points, m.time, label)
        })
        .collect();
    let below = legend::height(&entries(&heap), HALF).max(legend::height(&entries(&time), HALF));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (2 * HALF, PANEL + below)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (left, right) = root.split_horizontally(HALF);
        let (left, left_strip) = left.split_vertically(PANEL);
        let (right, right_strip) = right.split_vertically(PANEL);
        if !heap.is_empty() {
            panel(
                &left,
                &left_strip,
                &format!("{}: peak heap against cycles", report.family),
                "MiB",
                &heap,
            )?;
        }
        panel(
            &right,
            &right_strip,
            &format!("{}: prove time against cycles", report.family),
            "seconds",
            &time,
        )?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::growth::report_from;
    use crate::report::charts::legibility::{assert_legible, keep};
    use crate::testing::{family_file, texts, vertical_bars};

    #[test]
    fn fitted_lines_with_slopes_in_the_legend() {
        let mut notes = Vec::new();
        let report = report_from(&[family_file(100e6)], "fib_iterative", &[], &mut notes).unwrap();
        let svg = growth_svg(&report).unwrap();
        let t = texts(&svg);
        for want in [
            "fib_iterative: peak heap against cycles",
            "fib_iterative: prove time against cycles",
            "default: 100.00 MB/Mcycle, R² 1.000",
            "stream-lde: 50.00 MB/Mcycle, R² 1.000",
            "default: 1.500 s/Mcycle, R² 1.000",
            "million cycles",
        ] {
            assert!(t.iter().any(|s| s == want), "{want:?} missing from {t:?}");
        }
        assert_legible(&svg);
        let empty = GrowthReport {
            family: "x".into(),
            modes: vec![],
        };
        assert!(growth_svg(&empty).is_err());
    }

    #[test]
    fn points_with_several_runs_carry_their_time_spread() {
        let mut notes = Vec::new();
        let single = report_from(&[family_file(100e6)], "fib_iterative", &[], &mut notes).unwrap();
        // A second, 20 % slower run at every point: six time bars (3 sizes x 2 modes), no
        // heap bar (the heap repeats exactly).
        let mut file = family_file(100e6);
        for e in &mut file.entries {
            let mut slow = e.runs[0].clone();
            slow.prove_seconds *= 1.2;
            e.runs.push(slow);
            crate::analysis::summary::resummarize(e);
        }
        let double = report_from(&[file], "fib_iterative", &[], &mut notes).unwrap();
        let (lo, hi) = double.modes[0].points[0].seconds_range.unwrap();
        assert!(
            (lo - 1.500015).abs() < 1e-9 && (hi - 1.800018).abs() < 1e-9,
            "{lo} {hi}"
        );
        let (a, b) = (growth_svg(&single).unwrap(), growth_svg(&double).unwrap());
        assert_eq!(vertical_bars(&b), vertical_bars(&a) + 6);
        keep("growth-spread", &b);
        assert_legible(&b);
    }

    #[test]
    fn long_mode_names_keep_their_legend_off_the_data() {
        let mut file = family_file(100e6);
        for e in &mut file.entries {
            if e.mode.to_string() == "stream-lde" {
                e.mode = "stream-lde+leaf-drop+trace-retire".parse().unwrap();
            }
        }
        let mut notes = Vec::new();
        let report = report_from(&[file], "fib_iterative", &[], &mut notes).unwrap();
        let svg = growth_svg(&report).unwrap();
        keep("growth-long-names", &svg);
        assert_legible(&svg);
        let t = texts(&svg);
        assert!(
            t.iter()
                .any(|s| s == "stream-lde+leaf-drop+trace-retire: 50.00 MB/Mcycle, R² 1.000"),
            "{t:?}"
        );
    }
}
