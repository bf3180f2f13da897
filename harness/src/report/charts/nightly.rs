//! The nightly chart: two panels, prove time (top) and peak heap (bottom) over the nights,
//! one line per mode through each night's median, each night's runs' min-max as a bar
//! (none when the runs agree, as exact heaps do), and every step of the rule in
//! [`crate::analysis::trend`] marked with a triangle (red up: regression, green down:
//! improvement), labelled with what the rule said (change against limit) over a shaded
//! band: the limit around the centre (geometric mean) of the nights it was judged against.
//!
//! The x axis is the night's position in the history, so a missed night leaves no gap. A
//! night is labelled with its date, plus its time where several nights share the date;
//! long histories label every k-th night (always the last) so labels never touch. One
//! legend strip above both panels.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{Placer, Rect, stride, text_box, text_width};
use super::legend::{self, Entry, Swatch};
use super::{ChartError, GRID, IMPROVEMENT, REGRESSION, colour, draw_err, mib, padded};
use crate::analysis::nightly::{NightRules, heap_night, time_night};
use crate::analysis::trend::{self, Direction, Night, StepCheck, StepRule};
use crate::model::history::HistoryRecord;

/// What the rule said on a step night: the only part of the rule's verdict
/// ([`trend::Judgement`]) the chart reads.
#[derive(Clone, Copy, Debug, PartialEq)]
struct RuleSaid {
    direction: Direction,
    /// The change the step was judged on and the limit it passed: tonight's and the
    /// one-night large limit, or the two nights' mean and the band's limit.
    change_pct: f64,
    limit_pct: f64,
    two_nights: bool,
    /// The centre of the nights it was judged against, how many there were, and how many
    /// nights between them and the step the rule skips (the previous night, for time).
    window_center: f64,
    window_len: usize,
    skipped: usize,
}

impl RuleSaid {
    /// `+23.0 % > limit +10.3 %` (one large night), `+8.0 % over 2 nights > limit +6.0 %`.
    fn label(&self) -> String {
        let (cmp, limit) = match self.direction {
            Direction::Improvement => ("<", -self.limit_pct),
            _ => (">", self.limit_pct),
        };
        let over = if self.two_nights {
            " over 2 nights"
        } else {
            ""
        };
        format!("{:+.1} %{over} {cmp} limit {limit:+.1} %", self.change_pct)
    }
}

/// The steps of `values` (oldest first) with what the rule said at each: position, verdict.
fn steps(values: &[Night], rule: &StepRule) -> Result<Vec<(usize, RuleSaid)>, ChartError> {
    let err = |e: trend::TrendError| ChartError::Draw(e.to_string());
    let mut out = Vec::new();
    for step in trend::steps(values, rule).map_err(err)? {
        let i = step.index;
        if let StepCheck::Checked(j) = trend::check(&values[..i], &values[i], rule).map_err(err)? {
            let large = j.change_pct.abs() > j.large_limit_pct;
            let (change_pct, limit_pct, two_nights) = match j.two_night_change_pct {
                Some(two) if !large => (two, j.limit_pct, true),
                _ if rule.persist == 1 => (j.change_pct, j.limit_pct, false),
                _ => (j.change_pct, j.large_limit_pct, false),
            };
            out.push((
                i,
                RuleSaid {
                    direction: j.direction,
                    change_pct,
                    limit_pct,
                    two_nights,
                    window_center: j.window_center,
                    window_len: j.window_len,
                    skipped: rule.persist - 1,
                },
            ));
        }
    }
    Ok(out)
}

/// One night of one mode: x (the night, nudged per mode), the median, and the runs' least
/// and largest values (equal to the median when the record has none).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Point {
    x: f64,
    median: f64,
    lo: f64,
    hi: f64,
}

/// One metric of one mode.
struct Series {
    points: Vec<Point>,
    steps: Vec<(usize, RuleSaid)>,
}

/// A metric of a record: (median, min, max).
type Metric = fn(&HistoryRecord) -> Option<(f64, Option<f64>, Option<f64>)>;

fn time_of(r: &HistoryRecord) -> Option<(f64, Option<f64>, Option<f64>)> {
    Some((
        r.median_prove_seconds?,
        r.min_prove_seconds,
        r.max_prove_seconds,
    ))
}

fn heap_of(r: &HistoryRecord) -> Option<(f64, Option<f64>, Option<f64>)> {
    let m = |b: Option<u64>| b.map(|b| mib(b as f64));
    Some((
        m(r.median_peak_heap_bytes)?,
        m(r.min_peak_heap_bytes),
        m(r.max_peak_heap_bytes),
    ))
}

/// The nights of `records` (the first record of each, in order of appearance) and each
/// record's night.
fn nights<'a>(records: &[&'a HistoryRecord]) -> (Vec<&'a HistoryRecord>, Vec<usize>) {
    let mut nights: Vec<&HistoryRecord> = Vec::new();
    let mut of = Vec::with_capacity(records.len());
    for r in records {
        if nights.last().map(|n| &n.date) != Some(&r.date) {
            nights.push(r);
        }
        of.push(nights.len() - 1);
    }
    (nights, of)
}

/// One label per night, all distinct: the date while dates are distinct; where several
/// nights share a date, the date and the time (to the minute, to the second if minutes
/// repeat, and the short commit if even seconds do).
fn night_labels(nights: &[&HistoryRecord]) -> Vec<String> {
    let day = |n: &HistoryRecord| n.date.get(..10).unwrap_or(&n.date).to_string();
    let time = |n: &HistoryRecord, len: usize| n.date.get(11..11 + len).unwrap_or("").to_string();
    let shared = |key: &dyn Fn(&HistoryRecord) -> String, n: &HistoryRecord| {
        let k = key(n);
        nights.iter().filter(|m| key(m) == k).count() > 1
    };
    nights
        .iter()
        .map(|n| {
            if !shared(&day, n) {
                return day(n);
            }
            let minute = |m: &HistoryRecord| format!("{} {}", day(m), time(m, 5));
            if !shared(&minute, n) {
                return minute(n);
            }
            let second = |m: &HistoryRecord| format!("{} {}", day(m), time(m, 8));
            if !shared(&second, n) {
                return second(n);
            }
            format!("{} {}", second(n), n.commit.get(..7).unwrap_or(&n.commit))
        })
        .collect()
}

/// The series of `metric` per mode (in order of first appearance), each mode's points
/// nudged sideways so that bars of one night stay apart.
fn series(
    records: &[&HistoryRecord],
    night_of: &[usize],
    modes: &[String],
    metric: Metric,
    night: fn(&HistoryRecord) -> Option<Night>,
    rule: &StepRule,
) -> Result<Vec<Series>, ChartError> {
    let m = modes.len() as f64;
    let nudge = (0.5 / m).min(0.08);
    let mut out: Vec<Series> = modes
        .iter()
        .map(|_| Series {
            points: Vec::new(),
            steps: Vec::new(),
        })
        .collect();
    let mut judged: Vec<Vec<Night>> = vec![Vec::new(); modes.len()];
    for (r, &night_at) in records.iter().zip(night_of) {
        let i = modes
            .iter()
            .position(|m| *m == r.mode.to_string())
            .unwrap_or(0);
        let Some((median, lo, hi)) = metric(r).filter(|v| v.0.is_finite() && v.0 > 0.0) else {
            continue;
        };
        let Some(judged_night) = night(r) else {
            continue;
        };
        // Judged in the chart's unit (the rule works on ratios), so that the band it draws
        // is on the points' scale.
        judged[i].push(Night {
            value: median,
            ..judged_night
        });
        let x = night_x(night_at, i, m, nudge);
        out[i].points.push(Point {
            x,
            median,
            lo: lo.unwrap_or(median).min(median),
            hi: hi.unwrap_or(median).max(median),
        });
    }
    for (s, nights) in out.iter_mut().zip(&judged) {
        s.steps = steps(nights, rule)?;
    }
    Ok(out)
}

/// The x of mode `i` of `m` on night `at`, nudged by `nudge` per mode.
fn night_x(at: usize, i: usize, m: f64, nudge: f64) -> f64 {
    at as f64 + (i as f64 - (m - 1.0) / 2.0) * nudge
}

/// plotters font sizes.
const TITLE: f64 = 18.0;
const LABEL: f64 = 14.0;
const STEP: f64 = 14.0;

/// The shaded band of a step: from the first to the last night of its window, the limit
/// around the window's median.
fn band(s: &Series, at: usize, said: &RuleSaid) -> ((f64, f64), (f64, f64)) {
    let end = at.saturating_sub(said.skipped);
    let first = end.saturating_sub(said.window_len);
    let x0 = s.points[first].x - 0.2;
    let x1 = s.points[end.saturating_sub(1).max(first)].x + 0.2;
    let k = said.limit_pct / 100.0;
    (
        (x0, said.window_center * (1.0 + k)),
        (x1, said.window_center * (1.0 - k)),
    )
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    labels: &[String],
    all: &[Series],
    dense: bool,
) -> Result<(), ChartError> {
    let values = all.iter().flat_map(|s| {
        s.points.iter().flat_map(|p| [p.lo, p.hi]).chain(
            s.steps
                .iter()
                .flat_map(|(at, said)| {
                    let ((_, a), (_, b)) = band(s, *at, said);
                    [a, b]
                })
                .collect::<Vec<_>>(),
        )
    });
    let (lo, hi) = padded(values, false);
    // Room above the data for step labels.
    let hi = if all.iter().any(|s| !s.steps.is_empty()) {
        hi + (hi - lo) * 0.12
    } else {
        hi
    };
    let last = labels.len().saturating_sub(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", TITLE))
        .margin(12)
        .margin_right(24)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..last + 0.5, lo..hi)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .label_style(("sans-serif", LABEL))
        .y_desc(unit)
        .draw()
        .map_err(draw_err)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let bounds = Placer::bounds_of(px.clone(), py.clone());
    let mut placer = Placer::new(bounds);
    let pixel = |chart: &ChartContext<DB, _>, x: f64, y: f64| {
        let (a, b) = chart.backend_coord(&(x, y));
        (f64::from(a), f64::from(b))
    };

    // Step bands first, under everything.
    for s in all {
        for (at, said) in &s.steps {
            let c = marker_colour(said.direction);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    {
                        let (a, b) = band(s, *at, said);
                        [a, b]
                    },
                    c.mix(0.1).filled(),
                )))
                .map_err(draw_err)?;
        }
    }
    for (i, s) in all.iter().enumerate() {
        let c = colour(i);
        // The runs' min-max of each night, where the runs differ: a bar per night, or a
        // band along the series where bars would crowd.
        if dense && s.points.iter().any(|p| p.hi > p.lo) {
            let outline: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|p| (p.x, p.hi))
                .chain(s.points.iter().rev().map(|p| (p.x, p.lo)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.2).filled())))
                .map_err(draw_err)?;
        }
        for p in s.points.iter().filter(|p| !dense && p.hi > p.lo) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(p.x, p.lo), (p.x, p.hi)],
                    c.stroke_width(1),
                )))
                .map_err(draw_err)?;
            for y in [p.lo, p.hi] {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((p.x, y))
                            + PathElement::new(vec![(-4, 0), (4, 0)], c.stroke_width(1)),
                    ))
                    .map_err(draw_err)?;
            }
            placer.mark_path(&[pixel(&chart, p.x, p.lo), pixel(&chart, p.x, p.hi)]);
        }
        chart
            .draw_series(LineSeries::new(
                s.points.iter().map(|p| (p.x, p.median)),
                c.stroke_width(2),
            ))
            .map_err(draw_err)?;
        chart
            .draw_series(
                s.points
                    .iter()
                    .map(|p| Circle::new((p.x, p.median), if dense { 2 } else { 3 }, c.filled())),
            )
            .map_err(draw_err)?;
        let line: Vec<(f64, f64)> = s
            .points
            .iter()
            .map(|p| pixel(&chart, p.x, p.median))
            .collect();
        placer.mark_path(&line);
        for &at in &line {
            placer.mark(Rect::around(at, 4.0));
        }
    }
    // Step markers, then their labels, placed clear of each other.
    let marks: Vec<(Point, RuleSaid)> = all
        .iter()
        .flat_map(|s| s.steps.iter().map(|(at, said)| (s.points[*at], *said)))
        .collect();
    for (p, said) in &marks {
        let c = marker_colour(said.direction);
        chart
            .draw_series(std::iter::once(TriangleMarker::new(
                (p.x, p.median),
                9,
                c.filled(),
            )))
            .map_err(draw_err)?;
        placer.mark(Rect::around(pixel(&chart, p.x, p.median), 9.0));
    }
    for (p, said) in &marks {
        let c = marker_colour(said.direction);
        let text = said.label();
        let at = pixel(&chart, p.x, p.median);
        let placed = placer.place(at, &text, STEP, 12.0);
        if placed.far {
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((p.x, p.median))
                        + PathElement::new(vec![(0, 0), (placed.dx, placed.dy)], c.mix(0.6)),
                ))
                .map_err(draw_err)?;
        }
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((p.x, p.median))
                    + Text::new(
                        text,
                        (placed.dx, placed.dy),
                        ("sans-serif", STEP).into_font().color(&c).pos(placed.pos),
                    ),
            ))
            .map_err(draw_err)?;
    }
    // Night labels under the axis: every k-th night, the last one always.
    let n = labels.len().max(1);
    let width = f64::from(px.end - px.start);
    let widest = labels
        .iter()
        .map(|l| text_width(l, LABEL))
        .fold(0.0, f64::max);
    let k = stride(widest, width / n as f64, 14.0);
    let (left, right) = {
        let (x0, _) = area.get_base_pixel();
        let (w, _) = area.dim_in_pixel();
        (f64::from(x0) + 2.0, f64::from(x0) + f64::from(w) - 2.0)
    };
    for (night, label) in labels.iter().enumerate() {
        if !(n - 1 - night).is_multiple_of(k) {
            continue;
        }
        let at = pixel(&chart, night as f64, lo);
        let pos = Pos::new(HPos::Center, VPos::Top);
        let r = text_box(label, LABEL, (at.0, at.1 + 8.0), pos);
        // Kept inside the panel at its ends.
        let dx = if r.x1 > right {
            right - r.x1
        } else if r.x0 < left {
            left - r.x0
        } else {
            0.0
        };
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((night as f64, lo))
                    + PathElement::new(vec![(0, 0), (0, 4)], BLACK.stroke_width(1))
                    + Text::new(
                        label.clone(),
                        (dx.round() as i32, 8),
                        ("sans-serif", LABEL).into_font().color(&BLACK).pos(pos),
                    ),
            ))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// Whether `nights` nights across `width` pixels are too close for a bar each (then the
/// runs' min-max is a band along each series).
fn banded(nights: usize, width: f64) -> bool {
    width / (nights.max(1) as f64) < 18.0
}

fn marker_colour(direction: Direction) -> RGBColor {
    match direction {
        Direction::Improvement => IMPROVEMENT,
        _ => REGRESSION,
    }
}

/// The legend: modes, the bars (or bands, when `dense`), the steps and their bands.
fn entries(modes: &[String], time: &[Series], heap: &[Series], dense: bool) -> Vec<Entry> {
    let mut out: Vec<Entry> = modes
        .iter()
        .enumerate()
        .map(|(i, m)| Entry::new(Swatch::LineDot, colour(i), m.clone()))
        .collect();
    let all = || time.iter().chain(heap);
    if all().any(|s| s.points.iter().any(|p| p.hi > p.lo)) {
        out.push(if dense {
            Entry::new(Swatch::Band, colour(0), "runs' min-max (shaded)")
        } else {
            Entry::new(
                Swatch::Whisker,
                RGBColor(90, 90, 90),
                "runs' min-max (no bar where the runs agree)",
            )
        });
    }
    let said = |d: Direction| all().any(|s| s.steps.iter().any(|(_, r)| r.direction == d));
    if said(Direction::Regression) {
        out.push(Entry::new(
            Swatch::Triangle { up: true },
            REGRESSION,
            "step: regression",
        ));
    }
    if said(Direction::Improvement) {
        out.push(Entry::new(
            Swatch::Triangle { up: false },
            IMPROVEMENT,
            "step: improvement",
        ));
    }
    if said(Direction::Regression) || said(Direction::Improvement) {
        let c = if said(Direction::Regression) {
            REGRESSION
        } else {
            IMPROVEMENT
        };
        out.push(Entry::new(
            Swatch::Band,
            c,
            "step's limit around the centre of the nights it was judged against",
        ));
    }
    out
}

/// Canvas width and each panel's height, pixels.
const WIDTH: u32 = 1000;
const PANEL: u32 = 360;

/// The chart of `records` (one fixture, oldest first), with steps by `rules` (time's
/// judged as one of as many series as there are modes, as `bench nightly` does).
pub fn nightly_svg(
    records: &[HistoryRecord],
    fixture: &str,
    rules: &NightRules,
) -> Result<String, ChartError> {
    let records: Vec<&HistoryRecord> = records.iter().filter(|r| r.fixture == fixture).collect();
    if records.is_empty() {
        return Err(ChartError::Empty(format!("no night of {fixture}")));
    }
    let (nights, night_of) = nights(&records);
    let labels = night_labels(&nights);
    let mut modes: Vec<String> = Vec::new();
    for r in &records {
        let m = r.mode.to_string();
        if !modes.contains(&m) {
            modes.push(m);
        }
    }
    let time_rule = StepRule {
        series: modes.len().max(1),
        ..rules.time
    };
    let time = series(&records, &night_of, &modes, time_of, time_night, &time_rule)?;
    let heap = series(
        &records,
        &night_of,
        &modes,
        heap_of,
        heap_night,
        &rules.heap,
    )?;
    // The plot's width: the canvas less the panel's margins and its y labels.
    let dense = banded(labels.len(), f64::from(WIDTH) - 12.0 - 24.0 - 70.0);
    let entries = entries(&modes, &time, &heap, dense);
    let top = legend::height(&entries, WIDTH);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, top + 2 * PANEL)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (strip, rest) = root.split_vertically(top);
        legend::draw(&strip, &entries)?;
        let (upper, lower) = rest.split_vertically(PANEL);
        panel(
            &upper,
            &format!("{fixture}: median prove time per night"),
            "seconds",
            &labels,
            &time,
            dense,
        )?;
        panel(
            &lower,
            &format!("{fixture}: median peak heap per night"),
            "MiB",
            &labels,
            &heap,
            dense,
        )?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::legibility::{assert_legible, keep};
    use crate::testing::{night, texts, vertical_bars};

    fn rules() -> NightRules {
        NightRules {
            time: StepRule::default(),
            heap: StepRule::deterministic(0.5),
            instructions: StepRule::deterministic(0.5),
        }
    }

    fn date(i: usize) -> String {
        format!("2026-01-{:02}T03:00:00Z", i + 1)
    }

    /// A night whose runs spread `spread` (a fraction) around the median time; heap exact.
    fn spread_night(date: &str, mode: &str, t: f64, heap: u64, spread: f64) -> HistoryRecord {
        let mut r = night(date, mode, t, heap);
        r.min_prove_seconds = Some(t * (1.0 - spread / 2.0));
        r.max_prove_seconds = Some(t * (1.0 + spread));
        r.min_peak_heap_bytes = Some(heap);
        r.max_peak_heap_bytes = Some(heap);
        r
    }

    const LONG: &str = "stream-lde+leaf-drop+trace-retire";

    /// Five nights in three modes, the last three on one date (too few for a time verdict:
    /// the rule needs 6 nights before the one it judges).
    fn history() -> Vec<HistoryRecord> {
        let dates = [
            "2026-11-28T03:00:00Z",
            "2026-11-29T03:00:00Z",
            "2026-11-30T09:15:00Z",
            "2026-11-30T11:40:00Z",
            "2026-11-30T16:05:00Z",
        ];
        three_modes(&dates, None)
    }

    /// Eight nights in three modes; `default` steps up by 23 % on the last.
    fn stepped_history() -> Vec<HistoryRecord> {
        let dates: Vec<String> = (0..8).map(|i| date(i + 20)).collect();
        let dates: Vec<&str> = dates.iter().map(String::as_str).collect();
        three_modes(&dates, Some(7))
    }

    fn three_modes(dates: &[&str], step_at: Option<usize>) -> Vec<HistoryRecord> {
        let mut h = Vec::new();
        for (i, d) in dates.iter().enumerate() {
            let t = if Some(i) == step_at { 2.46 } else { 2.0 };
            h.push(spread_night(d, "default", t, 1000 << 20, 0.2));
            h.push(spread_night(d, "verify-and-drop", 2.9, 990 << 20, 0.3));
            h.push(spread_night(d, LONG, 3.8, 300 << 20, 0.1));
        }
        h
    }

    fn x_labels(svg: &str) -> Vec<String> {
        texts(svg)
            .into_iter()
            .filter(|t| t.starts_with("2026-"))
            .collect()
    }

    #[test]
    fn two_modes_with_a_time_step() {
        let mut h = Vec::new();
        for i in 0..10 {
            let t = if i < 7 { 2.0 } else { 2.4 };
            h.push(night(&date(i), "default", t, 1000 << 20));
            h.push(night(&date(i), "stream-lde", 2.6, 400 << 20));
        }
        let svg = nightly_svg(&h, "fib", &rules()).unwrap();
        let t = texts(&svg);
        for want in [
            "fib: median prove time per night",
            "fib: median peak heap per night",
            "default",
            "stream-lde",
            "step: regression",
            // The window is flat: the one-night limit is the 5 % floor, and +20 % is past
            // twice it, a step on its first night.
            "+20.0 % > limit +10.3 %",
            "2026-01-01",
        ] {
            assert!(t.iter().any(|s| s == want), "{want:?} missing from {t:?}");
        }
        // No heap step and no improvement: neither is labelled.
        assert!(!t.iter().any(|s| s == "step: improvement"), "{t:?}");
        assert_eq!(t.iter().filter(|s| *s == "step: regression").count(), 1);
        // One marker: the step's first night.
        assert_eq!(t.iter().filter(|s| s.starts_with("+20.0 %")).count(), 1);
        // No spread recorded: no bar and no bar legend.
        assert!(!t.iter().any(|s| s.starts_with("runs' min-max")), "{t:?}");
        assert_legible(&svg);
    }

    #[test]
    fn an_improvement_says_its_limit_below() {
        let mut h = Vec::new();
        for i in 0..8 {
            h.push(night(&date(i), "default", if i < 7 { 2.0 } else { 1.5 }, 1));
        }
        let t = texts(&nightly_svg(&h, "fib", &rules()).unwrap());
        // One night 25 % faster: past twice the one-night limit, a step on its first night.
        assert!(t.iter().any(|s| s == "-25.0 % < limit -10.3 %"), "{t:?}");
        assert!(t.iter().any(|s| s == "step: improvement"), "{t:?}");
    }

    #[test]
    fn long_mode_names_and_shared_dates_stay_legible() {
        let svg = nightly_svg(&history(), "fib", &rules()).unwrap();
        keep("nightly-5-nights", &svg);
        assert_legible(&svg);
        let t = texts(&svg);
        assert!(t.iter().any(|s| s == LONG), "{t:?}");
        // A step, labelled with the limit it passed: one night past twice the one-night
        // limit (the spreads recorded are small enough for the 5 % floor).
        let svg = nightly_svg(&stepped_history(), "fib", &rules()).unwrap();
        keep("nightly-8-nights-step", &svg);
        assert_legible(&svg);
        let t = texts(&svg);
        assert!(t.iter().any(|s| s == "+23.0 % > limit +10.3 %"), "{t:?}");
    }

    #[test]
    fn nights_on_one_date_get_distinct_labels() {
        let svg = nightly_svg(&history(), "fib", &rules()).unwrap();
        let x = x_labels(&svg);
        // Five nights, two panels, every night labelled.
        assert_eq!(x.len(), 10, "{x:?}");
        let mut distinct = x.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 5, "{x:?}");
        // Distinct dates stay bare; shared ones carry the time.
        assert!(x.iter().any(|s| s == "2026-11-28"), "{x:?}");
        assert!(x.iter().any(|s| s == "2026-11-30 11:40"), "{x:?}");
        // Same minute: seconds; same second: the commit.
        let mut a = night("2026-11-30T09:15:07Z", "default", 1.0, 1);
        let mut b = night("2026-11-30T09:15:07Z", "default", 1.0, 1);
        let c = night("2026-11-30T09:15:59Z", "default", 1.0, 1);
        (a.commit, b.commit) = ("1111111aaaa".into(), "2222222bbbb".into());
        let labels = night_labels(&[&a, &b, &c]);
        assert_eq!(
            labels,
            [
                "2026-11-30 09:15:07 1111111",
                "2026-11-30 09:15:07 2222222",
                "2026-11-30 09:15:59"
            ]
        );
    }

    #[test]
    fn a_long_history_thins_its_labels_without_overlap() {
        let mut h = Vec::new();
        for i in 0..90 {
            let d = format!("2026-{:02}-{:02}T03:00:00Z", 1 + i / 28, 1 + i % 28);
            h.push(spread_night(&d, "default", 2.0, 1 << 30, 0.1));
            h.push(spread_night(&d, LONG, 3.0, 1 << 28, 0.1));
        }
        let svg = nightly_svg(&h, "fib", &rules()).unwrap();
        keep("nightly-90-nights", &svg);
        assert_legible(&svg);
        let x = x_labels(&svg);
        assert!(x.len() > 4 && x.len() < 90, "{}", x.len());
        // Bars would crowd: the spread is a band, named so.
        assert!(texts(&svg).iter().any(|s| s == "runs' min-max (shaded)"));
        // The last night is always labelled.
        assert!(x.iter().any(|s| s == "2026-04-06"), "{x:?}");
    }

    #[test]
    fn each_night_with_several_runs_has_a_bar() {
        let spread: Vec<HistoryRecord> = (0..5)
            .map(|i| spread_night(&date(i), "default", 2.0, 1 << 30, 0.2))
            .collect();
        let agreeing: Vec<HistoryRecord> = (0..5)
            .map(|i| spread_night(&date(i), "default", 2.0, 1 << 30, 0.0))
            .collect();
        let with = nightly_svg(&spread, "fib", &rules()).unwrap();
        let without = nightly_svg(&agreeing, "fib", &rules()).unwrap();
        // One bar per night in the time panel, none in the heap panel (exact heap: the
        // bar collapses to the point), and the legend's bar swatch.
        assert_eq!(vertical_bars(&with), vertical_bars(&without) + 5 + 1);
        assert!(texts(&with).iter().any(|s| s.starts_with("runs' min-max")));
    }

    #[test]
    fn no_nights_is_an_error() {
        let h = vec![night(&date(0), "default", 1.0, 1)];
        assert!(matches!(
            nightly_svg(&h, "other", &rules()),
            Err(ChartError::Empty(_))
        ));
        // A single night draws (no steps).
        let svg = nightly_svg(&h, "fib", &rules()).unwrap();
        assert!(!texts(&svg).iter().any(|s| s.starts_with("step")));
        assert_legible(&svg);
    }
}
