//! The growth chart: peak heap (left) and prove time (right) against millions of cycles,
//! one colour per mode: the measured points and the fitted least-squares line, whose legend
//! entry carries the slope and R².

use plotters::prelude::*;

use super::{ChartError, colour, draw_err, mib, padded};
use crate::analysis::fit::LinearFit;
use crate::analysis::growth::GrowthReport;

/// One panel's series: mode, points, fit, legend text.
type PanelSeries = (String, Vec<(f64, f64)>, LinearFit, String);

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    unit: &str,
    series: &[PanelSeries],
) -> Result<(), ChartError> {
    let (x0, x1) = padded(series.iter().flat_map(|s| s.1.iter().map(|p| p.0)), true);
    let (y0, y1) = padded(
        series
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.1).chain([s.2.at(0.0), s.2.at(x1)])),
        true,
    );
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("million cycles")
        .y_desc(unit)
        .draw()
        .map_err(draw_err)?;
    for (i, (_, points, fit, label)) in series.iter().enumerate() {
        let c = colour(i);
        chart
            .draw_series(LineSeries::new(
                [(x0, fit.at(x0)), (x1, fit.at(x1))],
                c.stroke_width(2),
            ))
            .map_err(draw_err)?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, c.filled())))
            .map_err(draw_err)?;
    }
    super::draw_legend(&mut chart)
}

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
                .filter_map(|p| Some((p.mcycles, mib(p.heap_bytes?))))
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
            let points = m.points.iter().map(|p| (p.mcycles, p.seconds)).collect();
            let label = format!(
                "{}: {:.3} s/Mcycle, R² {:.3}",
                m.mode, m.time.slope, m.time.r_squared
            );
            (m.mode.clone(), points, m.time, label)
        })
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1200, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (left, right) = root.split_horizontally(600);
        if !heap.is_empty() {
            panel(
                &left,
                &format!("{}: peak heap against cycles", report.family),
                "MiB",
                &heap,
            )?;
        }
        panel(
            &right,
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
    use crate::testing::{family_file, texts};

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
        let empty = GrowthReport {
            family: "x".into(),
            modes: vec![],
        };
        assert!(growth_svg(&empty).is_err());
    }
}
