//! The mode frontier: median peak heap against median prove time, one labelled point per
//! mode of one fixture, `default` drawn larger in red. Down and to the left is better; a
//! mode above and to the right of another is dominated by it.

use plotters::prelude::*;

use super::{ChartError, REGRESSION, colour, draw_err, mib, padded};
use crate::model::results::ResultsFile;

/// The frontier of `fixture` in `file` (entries without a measured time and heap are left
/// out).
pub fn frontier_svg(file: &ResultsFile, fixture: &str) -> Result<String, ChartError> {
    let points: Vec<(String, f64, f64)> = file
        .entries
        .iter()
        .filter(|e| e.fixture == fixture)
        .filter_map(|e| {
            let t = e.summary.median_prove_seconds?;
            let h = e.summary.median_peak_heap_bytes?;
            Some((e.mode.to_string(), t, mib(h as f64)))
        })
        .collect();
    if points.is_empty() {
        return Err(ChartError::Empty(format!(
            "no mode of {fixture} has a measured time and heap"
        )));
    }
    let (x0, x1) = padded(points.iter().map(|p| p.1), true);
    let (y0, y1) = padded(points.iter().map(|p| p.2), true);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{fixture}: peak heap against prove time, per mode"),
                ("sans-serif", 18),
            )
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1 * 1.15, y0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("median prove time (s)")
            .y_desc("median peak heap (MiB)")
            .draw()
            .map_err(draw_err)?;
        for (i, (mode, t, h)) in points.iter().enumerate() {
            let is_default = mode == "default";
            let c = if is_default { REGRESSION } else { colour(i) };
            let size = if is_default { 8 } else { 5 };
            chart
                .draw_series(std::iter::once(Circle::new((*t, *h), size, c.filled())))
                .map_err(draw_err)?;
            let label = if is_default {
                format!("{mode} (reference)")
            } else {
                mode.clone()
            };
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*t, *h))
                        + Text::new(
                            label,
                            (size + 4, -(size + 4)),
                            ("sans-serif", if is_default { 15 } else { 13 })
                                .into_font()
                                .color(&c),
                        ),
                ))
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{count, sample_file, texts};

    #[test]
    fn one_labelled_point_per_mode_default_highlighted() {
        let file = sample_file();
        let svg = frontier_svg(&file, "fib").unwrap();
        let t = texts(&svg);
        assert!(t.iter().any(|s| s == "default (reference)"), "{t:?}");
        assert!(t.iter().any(|s| s == "stream-lde"), "{t:?}");
        assert!(t.iter().any(|s| s == "median peak heap (MiB)"), "{t:?}");
        assert_eq!(count(&svg, "circle"), 2, "{svg}");
        // The default point is the larger one.
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let radii: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .filter_map(|n| n.attribute("r"))
            .collect();
        assert_eq!(radii, ["8", "5"]);
        assert!(matches!(
            frontier_svg(&file, "nope"),
            Err(ChartError::Empty(_))
        ));
    }
}
