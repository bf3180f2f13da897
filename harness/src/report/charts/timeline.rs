//! The profile chart of one prove: live heap over time (top), one coloured band per phase
//! span in its own lane (bottom, same time axis, the phase named on its band), and the
//! global peak marked and annotated with its value and phase.

use plotters::prelude::*;

use super::{ChartError, REGRESSION, colour, draw_err, mib, padded};
use crate::analysis::timeline::Timeline;
use crate::report::units::mib_of;

/// The chart of `t`.
pub fn timeline_svg(t: &Timeline) -> Result<String, ChartError> {
    if t.samples.is_empty() {
        return Err(ChartError::Empty("no sample".into()));
    }
    let x1 = t
        .samples
        .iter()
        .map(|s| s.seconds)
        .fold(t.prove_seconds, f64::max)
        .max(1e-3);
    let (_, y1) = padded(t.samples.iter().map(|s| mib(s.live_bytes as f64)), true);
    // Lanes: phases in order of first appearance.
    let mut lanes: Vec<&str> = Vec::new();
    for p in &t.phases {
        if !lanes.contains(&p.name.as_str()) {
            lanes.push(&p.name);
        }
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (top, bottom) = root.split_vertically(430);
        let mut chart = ChartBuilder::on(&top)
            .caption(
                format!("{} · {}: live heap during the prove", t.fixture, t.mode),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(120)
            .build_cartesian_2d(0.0..x1, 0.0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .y_desc("live heap (MiB)")
            .draw()
            .map_err(draw_err)?;
        let c = colour(0);
        chart
            .draw_series(LineSeries::new(
                t.samples
                    .iter()
                    .map(|s| (s.seconds, mib(s.live_bytes as f64))),
                c.stroke_width(2),
            ))
            .map_err(draw_err)?
            .label("live heap")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
        let peak = (t.peak_seconds, mib(t.peak_bytes as f64));
        let anchor = if t.peak_seconds > x1 * 0.6 {
            plotters::style::text_anchor::HPos::Right
        } else {
            plotters::style::text_anchor::HPos::Left
        };
        chart
            .draw_series([EmptyElement::at(peak)
                + Circle::new((0, 0), 6, REGRESSION.filled())
                + Text::new(
                    format!(
                        "peak {} in {}",
                        mib_of(t.peak_bytes as f64),
                        t.peak_phase.as_deref().unwrap_or("-")
                    ),
                    (0, -10),
                    ("sans-serif", 14).into_font().color(&REGRESSION).pos(
                        plotters::style::text_anchor::Pos::new(
                            anchor,
                            plotters::style::text_anchor::VPos::Bottom,
                        ),
                    ),
                )])
            .map_err(draw_err)?;
        super::draw_legend(&mut chart)?;

        let n = lanes.len().max(1) as f64;
        let mut bands = ChartBuilder::on(&bottom)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(120)
            .build_cartesian_2d(0.0..x1, 0.0..n)
            .map_err(draw_err)?;
        let lane_name = |y: &f64| -> String {
            let i = (n - y - 0.5).round();
            if (n - y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                lanes
                    .get(i as usize)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            } else {
                String::new()
            }
        };
        bands
            .configure_mesh()
            .disable_mesh()
            .x_desc("seconds since the prove began")
            .y_labels(0)
            .y_label_formatter(&lane_name)
            .draw()
            .map_err(draw_err)?;
        for p in &t.phases {
            let lane = lanes.iter().position(|l| *l == p.name).unwrap_or(0);
            let y = n - lane as f64 - 1.0;
            let c = colour(lane + 1);
            bands
                .draw_series(std::iter::once(Rectangle::new(
                    [(p.start_seconds, y + 0.15), (p.end_seconds, y + 0.85)],
                    c.mix(0.75).filled(),
                )))
                .map_err(draw_err)?;
        }
        // Each lane named once, at its first span.
        for (lane, name) in lanes.iter().enumerate() {
            let Some(first) = t.phases.iter().find(|p| p.name == *name) else {
                continue;
            };
            let y = n - lane as f64 - 0.5;
            // Near the right edge the name ends at its band instead of starting there.
            let (x, h) = if first.start_seconds > x1 * 0.8 {
                (first.end_seconds, plotters::style::text_anchor::HPos::Right)
            } else {
                (
                    first.start_seconds,
                    plotters::style::text_anchor::HPos::Left,
                )
            };
            bands
                .draw_series(std::iter::once(Text::new(
                    name.to_string(),
                    (x, y),
                    ("sans-serif", 12).into_font().color(&BLACK).pos(
                        plotters::style::text_anchor::Pos::new(
                            h,
                            plotters::style::text_anchor::VPos::Center,
                        ),
                    ),
                )))
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::timeline::{PRELUDE, build};
    use crate::testing::{count, raw, texts};

    #[test]
    fn heap_line_phase_bands_and_the_peak() {
        let t = build("fib", "default", &raw());
        let svg = timeline_svg(&t).unwrap();
        let texts = texts(&svg);
        for want in [
            "fib · default: live heap during the prove",
            "live heap",
            PRELUDE,
            "main_commit",
            "composition",
            "queries",
            "fri",
            "seconds since the prove began",
        ] {
            assert!(
                texts.iter().any(|s| s == want),
                "{want:?} missing: {texts:?}"
            );
        }
        let peak = texts.iter().find(|s| s.starts_with("peak ")).unwrap();
        assert_eq!(peak, "peak 5050.0 MiB in composition");
        // One band per span (the frame and legend add rectangles of their own).
        assert!(count(&svg, "rect") >= t.phases.len(), "{svg}");
    }
}
