//! Where text goes: each label's extent estimated from its length and font size, and a
//! collision pass ([`Placer`]) that puts a label next to its point, inside the plotting
//! area and clear of every label placed before it. Pure pixel geometry; drawing is the
//! charts'.

use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Average glyph width over the font size. DejaVu Sans (a common default `sans-serif`, and
/// the widest of them) averages about 0.6 over lower-case letters, digits and `-+%`;
/// a little more keeps the estimate on the safe side.
pub(crate) const WIDTH_FACTOR: f64 = 0.62;

/// plotters writes a font of size `s` as `font-size = s / 1.24` in the SVG.
pub(crate) fn font_px(size: f64) -> f64 {
    size / 1.24
}

/// The estimated width of `text` drawn at plotters font size `size`, pixels.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * font_px(size) * WIDTH_FACTOR
}

/// An axis-aligned box in pixels, `x0 <= x1`, `y0 <= y1` (y grows downwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// The square of half-side `r` around `(x, y)`.
    pub(crate) fn around((x, y): (f64, f64), r: f64) -> Rect {
        Rect {
            x0: x - r,
            y0: y - r,
            x1: x + r,
            y1: y + r,
        }
    }

    /// Whether the interiors meet.
    pub(crate) fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Whether `self` lies inside `o`.
    pub(crate) fn within(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }
}

/// The box of `text` at plotters font size `size` anchored at `(x, y)` with `pos` (the
/// vertical extent is one em: plotters shifts a `Top` anchor down by 0.76 em, a `Center`
/// one by half an ex, a `Bottom` one up by half an ex).
pub(crate) fn text_box(text: &str, size: f64, (x, y): (f64, f64), pos: Pos) -> Rect {
    let (w, h) = (text_width(text, size), font_px(size));
    let x0 = match pos.h_pos {
        HPos::Left => x,
        HPos::Center => x - w / 2.0,
        HPos::Right => x - w,
    };
    let y0 = match pos.v_pos {
        VPos::Top => y,
        VPos::Center => y - h / 2.0,
        VPos::Bottom => y - h,
    };
    Rect {
        x0,
        y0,
        x1: x0 + w,
        y1: y0 + h,
    }
}

/// Where a label went: its pixel offset from its point, its anchor, its box, and whether it
/// ended [`FAR`] rings or more away (then the chart draws a thin leader line to the point).
#[derive(Clone, Copy)]
pub(crate) struct Placed {
    pub dx: i32,
    pub dy: i32,
    pub pos: Pos,
    pub rect: Rect,
    pub far: bool,
}

/// Rings of candidate positions tried around a point.
const RINGS: usize = 14;
/// From this ring on a label is far from its point (the chart draws a leader line).
const FAR: usize = 3;
/// Room kept between a label and anything else, pixels.
const PAD: f64 = 2.0;

/// Places labels one after another inside `bounds`, none over another.
pub(crate) struct Placer {
    bounds: Rect,
    labels: Vec<Rect>,
    marks: Vec<Rect>,
}

impl Placer {
    /// A placer for labels inside `bounds`.
    pub(crate) fn new(bounds: Rect) -> Self {
        Self {
            bounds,
            labels: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// Bounds from a plotting area's pixel ranges.
    pub(crate) fn bounds_of(x: std::ops::Range<i32>, y: std::ops::Range<i32>) -> Rect {
        Rect {
            x0: f64::from(x.start),
            y0: f64::from(y.start),
            x1: f64::from(x.end),
            y1: f64::from(y.end),
        }
    }

    /// A data mark (a point, a marker) that labels avoid where they can.
    pub(crate) fn mark(&mut self, r: Rect) {
        self.marks.push(r);
    }

    /// A drawn line through `points` (pixels), marked every few pixels along its length.
    pub(crate) fn mark_path(&mut self, points: &[(f64, f64)]) {
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let steps = ((x1 - x0).hypot(y1 - y0) / 4.0).ceil().max(1.0) as usize;
            for k in 0..=steps {
                let f = k as f64 / steps as f64;
                self.marks
                    .push(Rect::around((x0 + (x1 - x0) * f, y0 + (y1 - y0) * f), 1.5));
            }
        }
    }

    /// Places `text` (plotters font size `size`) near the pixel `at`, at least `gap` away:
    /// the first candidate, nearer rings first, that lies inside the bounds and clear of
    /// every placed label and every mark; failing that, one clear of the labels only;
    /// failing that, the candidate inside the bounds that covers the fewest labels.
    pub(crate) fn place(&mut self, at: (f64, f64), text: &str, size: f64, gap: f64) -> Placed {
        let step = font_px(size) + 2.0;
        let mut candidates = Vec::new();
        for ring in 0..RINGS {
            let d = gap + ring as f64 * step;
            let diag = d * 0.7;
            for (dx, dy, h, v) in [
                (diag, -diag, HPos::Left, VPos::Bottom),
                (diag, diag, HPos::Left, VPos::Top),
                (-diag, -diag, HPos::Right, VPos::Bottom),
                (-diag, diag, HPos::Right, VPos::Top),
                (0.0, -d, HPos::Center, VPos::Bottom),
                (0.0, d, HPos::Center, VPos::Top),
                (d, 0.0, HPos::Left, VPos::Center),
                (-d, 0.0, HPos::Right, VPos::Center),
            ] {
                let (dx, dy) = (dx.round() as i32, dy.round() as i32);
                let pos = Pos::new(h, v);
                let anchor = (at.0 + f64::from(dx), at.1 + f64::from(dy));
                let rect = text_box(text, size, anchor, pos);
                candidates.push(Placed {
                    dx,
                    dy,
                    pos,
                    rect,
                    far: ring >= FAR,
                });
            }
        }
        let padded = |r: &Rect| Rect {
            x0: r.x0 - PAD,
            y0: r.y0 - PAD,
            x1: r.x1 + PAD,
            y1: r.y1 + PAD,
        };
        let inside: Vec<&Placed> = candidates
            .iter()
            .filter(|c| c.rect.within(&self.bounds))
            .collect();
        let clear_of = |c: &Placed, of: &[Rect]| !of.iter().any(|o| padded(&c.rect).overlaps(o));
        let chosen = inside
            .iter()
            .find(|c| clear_of(c, &self.labels) && clear_of(c, &self.marks))
            .or_else(|| inside.iter().find(|c| clear_of(c, &self.labels)))
            .copied()
            .or_else(|| {
                inside.iter().copied().min_by_key(|c| {
                    self.labels
                        .iter()
                        .filter(|o| padded(&c.rect).overlaps(o))
                        .count()
                })
            })
            .unwrap_or(&candidates[0]);
        let placed = *chosen;
        self.labels.push(placed.rect);
        placed
    }
}

/// Every how many-th of `n` evenly spaced slots `px_per_slot` apart a label of width
/// `label_px` can be drawn without touching its neighbours (at least 1).
pub(crate) fn stride(label_px: f64, px_per_slot: f64, gap_px: f64) -> usize {
    if px_per_slot <= 0.0 {
        return 1;
    }
    ((label_px + gap_px) / px_per_slot).ceil().max(1.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> Rect {
        Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 400.0,
            y1: 300.0,
        }
    }

    #[test]
    fn boxes_follow_the_anchor() {
        let r = text_box(
            "abcd",
            12.4,
            (100.0, 50.0),
            Pos::new(HPos::Right, VPos::Top),
        );
        assert!((r.x1 - 100.0).abs() < 1e-9 && (r.y0 - 50.0).abs() < 1e-9);
        assert!((r.x1 - r.x0 - 4.0 * 10.0 * WIDTH_FACTOR).abs() < 1e-9);
        assert!((r.y1 - r.y0 - 10.0).abs() < 1e-9);
    }

    #[test]
    fn labels_of_one_point_do_not_overlap_and_stay_inside() {
        let mut p = Placer::new(bounds());
        // Twelve labels on one point near the right edge.
        let at = (390.0, 150.0);
        let placed: Vec<Placed> = (0..12)
            .map(|i| p.place(at, &format!("label number {i}"), 14.0, 6.0))
            .collect();
        for (i, a) in placed.iter().enumerate() {
            assert!(a.rect.within(&bounds()), "{:?}", a.rect);
            for b in &placed[i + 1..] {
                assert!(!a.rect.overlaps(&b.rect), "{:?} {:?}", a.rect, b.rect);
            }
        }
        assert!(!placed[0].far);
        assert!(placed.iter().any(|p| p.far));
    }

    #[test]
    fn marks_are_avoided_when_possible() {
        let mut p = Placer::new(bounds());
        let at = (200.0, 150.0);
        // A mark where the first candidate (up and right) would go.
        let mark = Rect {
            x0: 200.0,
            y0: 100.0,
            x1: 300.0,
            y1: 150.0,
        };
        // Unmarked, the first candidate (up and right) is taken.
        let free = Placer::new(bounds()).place(at, "x", 14.0, 6.0);
        assert!(free.rect.overlaps(&mark), "{:?}", free.rect);
        p.mark(mark);
        let placed = p.place(at, "x", 14.0, 6.0);
        assert!(!placed.rect.overlaps(&mark), "{:?}", placed.rect);
        assert!(!placed.far);
    }

    #[test]
    fn labels_keep_off_marked_lines() {
        let mut p = Placer::new(bounds());
        // A line running up and to the right through the point: the first candidate.
        p.mark_path(&[(100.0, 200.0), (300.0, 0.0)]);
        let placed = p.place((200.0, 100.0), "a label", 14.0, 6.0);
        let r = placed.rect;
        // No sample of the line lies in the label's box.
        assert!(
            (0..=100).all(|k| {
                let (x, y) = (100.0 + 2.0 * f64::from(k), 200.0 - 2.0 * f64::from(k));
                !(x > r.x0 && x < r.x1 && y > r.y0 && y < r.y1)
            }),
            "{r:?}"
        );
    }

    #[test]
    fn strides_leave_room_for_the_label() {
        assert_eq!(stride(90.0, 200.0, 10.0), 1);
        assert_eq!(stride(90.0, 50.0, 10.0), 2);
        assert_eq!(stride(90.0, 10.0, 10.0), 10);
        assert_eq!(stride(90.0, 0.0, 10.0), 1);
    }
}
