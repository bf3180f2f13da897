//! The mode frontier: median peak heap against median prove time, one labelled point per
//! mode of one fixture with its runs' min-max in both (a cross of bars), `default` drawn
//! larger in red. Down and to the left is better; a mode above and to the right of another
//! is dominated by it. The axes span the data (not from 0); labels are placed clear of one
//! another inside the plot, with a leader line where one had to move away from its point.

use plotters::prelude::*;

use super::layout::{Placer, Rect};
use super::legend::{self, Entry, Swatch};
use super::{ChartError, GRID, REGRESSION, colour, draw_err, mib, padded};
use crate::model::results::ResultsFile;

/// One mode: its name and (median, min, max) of time and heap (MiB).
struct Point {
    mode: String,
    t: (f64, f64, f64),
    h: (f64, f64, f64),
}

const WIDTH: u32 = 900;
const HEIGHT: u32 = 580;
/// plotters font sizes.
const DEFAULT_LABEL: f64 = 16.0;
const LABEL: f64 = 14.0;

/// The frontier of `fixture` in `file` (entries without a measured time and heap are left
/// out).
pub fn frontier_svg(file: &ResultsFile, fixture: &str) -> Result<String, ChartError> {
    let mut points: Vec<Point> = file
        .entries
        .iter()
        .filter(|e| e.fixture == fixture)
        .filter_map(|e| {
            let s = &e.summary;
            let t = s.median_prove_seconds?;
            let h = mib(s.median_peak_heap_bytes? as f64);
            let heap = |b: Option<u64>| b.map_or(h, |b| mib(b as f64));
            Some(Point {
                mode: e.mode.to_string(),
                t: (
                    t,
                    s.min_prove_seconds.unwrap_or(t).min(t),
                    s.max_prove_seconds.unwrap_or(t).max(t),
                ),
                h: (
                    h,
                    heap(s.min_peak_heap_bytes).min(h),
                    heap(s.max_peak_heap_bytes).max(h),
                ),
            })
        })
        .collect();
    if points.is_empty() {
        return Err(ChartError::Empty(format!(
            "no mode of {fixture} has a measured time and heap"
        )));
    }
    // The reference first: its label gets the first choice of place.
    points.sort_by_key(|p| p.mode != "default");
    let (x0, x1) = padded(points.iter().flat_map(|p| [p.t.1, p.t.2]), false);
    let (y0, y1) = padded(points.iter().flat_map(|p| [p.h.1, p.h.2]), false);
    // Room for labels at the edges.
    let (dx, dy) = ((x1 - x0) * 0.1, (y1 - y0) * 0.1);
    let spread = points.iter().any(|p| p.t.2 > p.t.1 || p.h.2 > p.h.1);
    let entries: Vec<Entry> = if spread {
        vec![Entry::new(
            Swatch::Whisker,
            RGBColor(90, 90, 90),
            "runs' min-max of time (across) and heap (up)",
        )]
    } else {
        Vec::new()
    };
    let top = legend::height(&entries, WIDTH);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT + top)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        // The title, the legend under it, then the plot.
        let below = root
            .titled(
                &format!("{fixture}: peak heap against prove time, per mode"),
                ("sans-serif", 18),
            )
            .map_err(draw_err)?;
        let (strip, area) = below.split_vertically(top);
        legend::draw(&strip, &entries)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(x0 - dx..x1 + dx, y0 - dy..y1 + dy)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .bold_line_style(GRID)
            .label_style(("sans-serif", 14))
            .x_desc("median prove time (s)")
            .y_desc("median peak heap (MiB)")
            .draw()
            .map_err(draw_err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let mut placer = Placer::new(Placer::bounds_of(px, py));
        let style = |i: usize, p: &Point| {
            if p.mode == "default" {
                (
                    REGRESSION,
                    8,
                    DEFAULT_LABEL,
                    format!("{} (reference)", p.mode),
                )
            } else {
                (colour(i), 5, LABEL, p.mode.clone())
            }
        };
        for (i, p) in points.iter().enumerate() {
            let (c, size, _, _) = style(i, p);
            let bar = c.mix(0.8).stroke_width(1);
            for (a, b) in [
                ((p.t.1, p.h.0), (p.t.2, p.h.0)),
                ((p.t.0, p.h.1), (p.t.0, p.h.2)),
            ] {
                if a != b {
                    chart
                        .draw_series(std::iter::once(PathElement::new(vec![a, b], bar)))
                        .map_err(draw_err)?;
                    let pixel = |p| {
                        let (x, y) = chart.backend_coord(&p);
                        (f64::from(x), f64::from(y))
                    };
                    placer.mark_path(&[pixel(a), pixel(b)]);
                }
            }
            chart
                .draw_series(std::iter::once(Circle::new(
                    (p.t.0, p.h.0),
                    size,
                    c.filled(),
                )))
                .map_err(draw_err)?;
            let (x, y) = chart.backend_coord(&(p.t.0, p.h.0));
            placer.mark(Rect::around(
                (f64::from(x), f64::from(y)),
                f64::from(size) + 2.0,
            ));
        }
        for (i, p) in points.iter().enumerate() {
            let (c, size, font, label) = style(i, p);
            let (x, y) = chart.backend_coord(&(p.t.0, p.h.0));
            let placed = placer.place(
                (f64::from(x), f64::from(y)),
                &label,
                font,
                f64::from(size) + 4.0,
            );
            if placed.far {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((p.t.0, p.h.0))
                            + PathElement::new(vec![(0, 0), (placed.dx, placed.dy)], c.mix(0.6)),
                    ))
                    .map_err(draw_err)?;
            }
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((p.t.0, p.h.0))
                        + Text::new(
                            label,
                            (placed.dx, placed.dy),
                            ("sans-serif", font).into_font().color(&c).pos(placed.pos),
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
    use crate::analysis::summary::resummarize;
    use crate::report::charts::legibility::{assert_legible, keep};
    use crate::testing::{count, machine, record, sample_file, texts};

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
        // The runs agree: no bars, no bar legend.
        assert!(!t.iter().any(|s| s.starts_with("runs'")), "{t:?}");
        assert!(matches!(
            frontier_svg(&file, "nope"),
            Err(ChartError::Empty(_))
        ));
        assert_legible(&svg);
    }

    /// Eight modes close together, as on a 2-core night, with spread runs.
    fn crowded() -> ResultsFile {
        let mut f = ResultsFile::new(machine(), crate::testing::config(), "d".into());
        for (k, mode) in [
            "default",
            "verify-and-drop",
            "stream-lde",
            "leaf-drop",
            "trace-retire",
            "stream-lde+leaf-drop",
            "leaf-drop+trace-retire",
            "stream-lde+leaf-drop+trace-retire",
        ]
        .iter()
        .enumerate()
        {
            let e = f.entry_mut("fib", mode.parse().unwrap());
            let t = 2.0 + 0.05 * k as f64;
            let heap = if k < 2 {
                1000 - 10 * k as u64
            } else {
                900 - 80 * k as u64
            };
            for (dt, dh) in [(0.0, 0), (0.3, 0), (-0.1, 0)] {
                e.runs.push(record(mode, t + dt, (heap + dh) << 20, "d"));
            }
            resummarize(e);
        }
        f
    }

    #[test]
    fn crowded_long_labels_stay_inside_and_apart() {
        let svg = frontier_svg(&crowded(), "fib").unwrap();
        keep("frontier-8-modes", &svg);
        assert_legible(&svg);
        let t = texts(&svg);
        assert!(
            t.iter().any(|s| s == "stream-lde+leaf-drop+trace-retire"),
            "{t:?}"
        );
        assert!(t.iter().any(|s| s.starts_with("runs' min-max")), "{t:?}");
    }

    #[test]
    fn three_modes_of_a_night_as_in_issue_23() {
        // default and verify-and-drop close together near the top, the long mode far
        // right: where the labels used to cover each other and run off the canvas.
        let mut f = ResultsFile::new(machine(), crate::testing::config(), "d".into());
        for (mode, t, heap) in [
            ("default", 1.1, 1000u64),
            ("verify-and-drop", 1.25, 990),
            ("stream-lde+leaf-drop+trace-retire", 2.9, 300),
        ] {
            let e = f.entry_mut("fib", mode.parse().unwrap());
            for dt in [0.0, 0.25, -0.05] {
                e.runs.push(record(mode, t * (1.0 + dt), heap << 20, "d"));
            }
            resummarize(e);
        }
        let svg = frontier_svg(&f, "fib").unwrap();
        keep("frontier-3-modes", &svg);
        assert_legible(&svg);
        assert_eq!(count(&svg, "circle"), 3);
    }

    #[test]
    fn the_axes_start_where_the_data_does() {
        let svg = frontier_svg(&crowded(), "fib").unwrap();
        // Times lie in 1.9 .. 2.65 s: no tick at 0 on either axis.
        let t = texts(&svg);
        assert!(!t.iter().any(|s| s == "0" || s == "0.0"), "{t:?}");
    }
}
