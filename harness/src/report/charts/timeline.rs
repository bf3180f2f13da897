//! The profile chart of one prove: live heap over time (top) as stacked areas by buffer kind
//! (from the exact per-kind snapshots at every phase event and at the peak, largest kind at
//! the bottom) under the total line (every sample, the allocator's in-between peaks too),
//! one coloured band per phase span in its own lane (bottom, same time axis, the phase named
//! on its band), and the global peak marked and annotated with its value and phase. The
//! legend sits in a strip above the heap panel; the peak's label and the lane names are kept
//! inside their panels.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{Placer, Rect, text_width};
use super::legend::{self, Entry, Swatch};
use super::{ChartError, GRID, PALETTE, REGRESSION, colour, draw_err, mib, padded};
use crate::analysis::timeline::{Timeline, TimelineSample};
use crate::report::units::mib_of;

/// Canvas width, pixels; plotters font sizes of the peak's label and the lane names.
const WIDTH: u32 = 1000;
const PEAK: f64 = 15.0;
const LANE: f64 = 13.0;

/// The samples the areas are drawn through: those whose breakdown is exact (sums to the
/// line's bytes; every sample of a timeline taken since the allocator snapshots its books at
/// each one), so that the stacked areas meet the line at every one of them.
pub fn stacked_samples(t: &Timeline) -> Vec<&TimelineSample> {
    t.samples
        .iter()
        .filter(|s| s.by_kind.values().sum::<u64>() == s.live_bytes)
        .collect()
}

/// The kinds in the samples' breakdowns and every kind ever live, largest at the peak
/// first (the bottom of the stack), then by name.
fn kinds(t: &Timeline) -> Vec<String> {
    let at_peak = t
        .samples
        .iter()
        .filter(|s| !s.by_kind.is_empty())
        .max_by_key(|s| s.live_bytes);
    let mut kinds: Vec<String> = Vec::new();
    for k in t
        .samples
        .iter()
        .flat_map(|s| s.by_kind.keys())
        .chain(&t.kinds_ever_live)
    {
        if !kinds.contains(k) {
            kinds.push(k.clone());
        }
    }
    let size = |k: &String| at_peak.and_then(|s| s.by_kind.get(k)).copied().unwrap_or(0);
    kinds.sort_by(|a, b| size(b).cmp(&size(a)).then(a.cmp(b)));
    kinds
}

/// Fill colours of the kinds: the series palette, then lighter and darker variants, so
/// that the 14 kinds stay apart.
fn kind_colour(i: usize) -> RGBColor {
    let c = colour(i);
    match i / PALETTE.len() {
        0 => c,
        1 => RGBColor(c.0 / 2 + 100, c.1 / 2 + 100, c.2 / 2 + 100),
        _ => RGBColor(c.0 / 2, c.1 / 2, c.2 / 2),
    }
}

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
    let kinds = kinds(t);
    let mut entries = vec![
        Entry::new(Swatch::LineDot, colour(0), "live heap"),
        Entry::new(Swatch::Dot, REGRESSION, "the peak"),
    ];
    for (i, k) in kinds.iter().enumerate() {
        entries.push(Entry::new(Swatch::Area, kind_colour(i), k.as_str()));
    }
    let strip_h = legend::height(&entries, WIDTH);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, strip_h + 640)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (strip, rest) = root.split_vertically(strip_h);
        legend::draw(&strip, &entries)?;
        let (top, bottom) = rest.split_vertically(430);
        let mut chart = ChartBuilder::on(&top)
            .caption(
                format!("{} · {}: live heap during the prove", t.fixture, t.mode),
                ("sans-serif", 18),
            )
            .margin(12)
            .margin_right(24)
            .x_label_area_size(30)
            .y_label_area_size(84)
            .build_cartesian_2d(0.0..x1, 0.0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .bold_line_style(GRID)
            .label_style(("sans-serif", 14))
            .y_desc("live heap (MiB)")
            .draw()
            .map_err(draw_err)?;
        // Stacked areas by kind, through every sample with an exact breakdown.
        let stacked = stacked_samples(t);
        let mut below = vec![0.0f64; stacked.len()];
        for (i, k) in kinds.iter().enumerate() {
            let above: Vec<f64> = stacked
                .iter()
                .zip(&below)
                .map(|(s, b)| b + mib(s.by_kind.get(k).copied().unwrap_or(0) as f64))
                .collect();
            let mut outline: Vec<(f64, f64)> = stacked
                .iter()
                .zip(&above)
                .map(|(s, &y)| (s.seconds, y))
                .collect();
            outline.extend(
                stacked
                    .iter()
                    .zip(&below)
                    .rev()
                    .map(|(s, &y)| (s.seconds, y)),
            );
            chart
                .draw_series([Polygon::new(
                    outline,
                    kind_colour(i).mix(legend::AREA_OPACITY).filled(),
                )])
                .map_err(draw_err)?;
            below = above;
        }
        let c = colour(0);
        chart
            .draw_series(LineSeries::new(
                t.samples
                    .iter()
                    .map(|s| (s.seconds, mib(s.live_bytes as f64))),
                c.stroke_width(2),
            ))
            .map_err(draw_err)?;
        let line: Vec<(f64, f64)> = t
            .samples
            .iter()
            .map(|s| {
                let (x, y) = chart.backend_coord(&(s.seconds, mib(s.live_bytes as f64)));
                (f64::from(x), f64::from(y))
            })
            .collect();
        let peak = (t.peak_seconds, mib(t.peak_bytes as f64));
        let (px, py) = chart.plotting_area().get_pixel_range();
        let mut placer = Placer::new(Placer::bounds_of(px, py));
        placer.mark_path(&line);
        let at = chart.backend_coord(&peak);
        let at = (f64::from(at.0), f64::from(at.1));
        placer.mark(Rect::around(at, 7.0));
        let label = format!(
            "peak {} in {}",
            mib_of(t.peak_bytes as f64),
            t.peak_phase.as_deref().unwrap_or("-")
        );
        let placed = placer.place(at, &label, PEAK, 10.0);
        chart
            .draw_series([EmptyElement::at(peak)
                + Circle::new((0, 0), 6, REGRESSION.filled())
                + Text::new(
                    label,
                    (placed.dx, placed.dy),
                    ("sans-serif", PEAK)
                        .into_font()
                        .color(&REGRESSION)
                        .pos(placed.pos),
                )])
            .map_err(draw_err)?;

        let n = lanes.len().max(1) as f64;
        let mut bands = ChartBuilder::on(&bottom)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(34)
            .y_label_area_size(84)
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
            .label_style(("sans-serif", 14))
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
        let (pixels, _) = bands.plotting_area().get_pixel_range();
        let (left, right) = (pixels.start, pixels.end);
        // Each lane named once, at its first span.
        for (lane, name) in lanes.iter().enumerate() {
            let Some(first) = t.phases.iter().find(|p| p.name == *name) else {
                continue;
            };
            let y = n - lane as f64 - 0.5;
            // The name starts at its band, or ends at it where it would run off the right
            // edge, or starts at the left edge where it would run off both.
            // A few pixels in from the band's edge.
            let inset = 4;
            let width =
                (text_width(name, LANE) + f64::from(inset)) / (f64::from(right - left) / x1);
            let (x, h, dx) = if first.start_seconds + width <= x1 {
                (first.start_seconds, HPos::Left, inset)
            } else if first.end_seconds - width >= 0.0 {
                (first.end_seconds, HPos::Right, -inset)
            } else {
                (0.0, HPos::Left, inset)
            };
            bands
                .draw_series(std::iter::once(
                    EmptyElement::at((x, y))
                        + Text::new(
                            name.to_string(),
                            (dx, 0),
                            ("sans-serif", LANE)
                                .into_font()
                                .color(&BLACK)
                                .pos(Pos::new(h, VPos::Center)),
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
    use crate::analysis::timeline::{PRELUDE, build};
    use crate::report::charts::legibility::{assert_legible, keep};
    use crate::testing::{S, count, raw, texts};

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
        assert_legible(&svg);
    }

    #[test]
    fn the_heap_is_stacked_by_buffer_kind() {
        let t = build("fib", "default", &raw());
        // The exact peak carries its breakdown, and it sums to the peak.
        let at_peak = t.samples.iter().find(|s| s.by_kind.len() == 3).unwrap();
        assert_eq!(at_peak.by_kind.values().sum::<u64>(), t.peak_bytes);
        assert_eq!(kinds(&t), ["main_lde", "merkle_nodes", "other"]);
        let svg = timeline_svg(&t).unwrap();
        keep("profile-by-kind", &svg);
        let labels = texts(&svg);
        for kind in ["main_lde", "merkle_nodes", "other"] {
            assert!(labels.iter().any(|s| s == kind), "{kind}: {labels:?}");
        }
        // One filled area per kind.
        assert!(count(&svg, "polygon") >= 3, "{svg}");
        // Without breakdowns (an old timeline), no area and no kind in the legend.
        let mut bare = t.clone();
        for s in &mut bare.samples {
            s.by_kind.clear();
        }
        bare.kinds_ever_live.clear();
        let plain = timeline_svg(&bare).unwrap();
        assert!(!texts(&plain).iter().any(|s| s == "main_lde"));
        assert_eq!(count(&plain, "polygon") + 3, count(&svg, "polygon"));
        assert_legible(&svg);
    }

    #[test]
    fn a_long_mode_name_and_a_late_peak_stay_legible() {
        let mut r = raw();
        // The peak in the last tenth of the prove, at the top of the panel.
        r.peak_nanos = r.end - S / 10;
        let t = build("fib", "stream-lde+leaf-drop+trace-retire", &r);
        let svg = timeline_svg(&t).unwrap();
        keep("profile-late-peak", &svg);
        assert_legible(&svg);
        assert!(texts(&svg).iter().any(|s| s.starts_with("peak ")));
    }
}
