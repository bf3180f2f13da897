//! Legends outside the data: entries (a swatch and its text) flowed left to right in rows
//! across a strip of their own, so no legend ever covers a line or a point. A chart asks
//! [`height`] first, splits that strip off, then [`draw`]s into it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::text_width;
use super::{ChartError, draw_err};

/// What an entry's swatch looks like.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Swatch {
    /// A line with a dot: a series.
    LineDot,
    /// A dot alone.
    Dot,
    /// A vertical bar with caps: the runs' min-max.
    Whisker,
    /// A triangle pointing up (regression) or down (improvement).
    Triangle { up: bool },
    /// A light filled box: a band.
    Band,
    /// A filled box at the opacity of a stacked area ([`AREA_OPACITY`]).
    Area,
}

/// The opacity of stacked areas, and of their legend swatches.
pub(crate) const AREA_OPACITY: f64 = 0.55;

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub swatch: Swatch,
    pub colour: RGBColor,
    pub text: String,
}

impl Entry {
    pub(crate) fn new(swatch: Swatch, colour: RGBColor, text: impl Into<String>) -> Self {
        Self {
            swatch,
            colour,
            text: text.into(),
        }
    }
}

/// plotters font size of legend text.
const SIZE: f64 = 14.0;
/// Row height, pixels.
const ROW: i32 = 20;
/// Swatch width and the room between a swatch and its text, pixels.
const SWATCH: i32 = 24;
/// Room between entries, and around the strip, pixels.
const GAP: i32 = 22;
const MARGIN: i32 = 12;

/// Each entry's (row, x) in a strip `width` pixels wide.
fn flow(entries: &[Entry], width: i32) -> Vec<(i32, i32)> {
    let mut out = Vec::with_capacity(entries.len());
    let (mut row, mut x) = (0, MARGIN);
    for e in entries {
        let w = SWATCH + text_width(&e.text, SIZE).ceil() as i32;
        if x > MARGIN && x + w > width - MARGIN {
            row += 1;
            x = MARGIN;
        }
        out.push((row, x));
        x += w + GAP;
    }
    out
}

/// The height of the strip the entries need at `width` pixels.
pub(crate) fn height(entries: &[Entry], width: u32) -> u32 {
    let rows = flow(entries, width as i32)
        .last()
        .map_or(0, |&(row, _)| row + 1);
    (rows * ROW + 8) as u32
}

/// Draws `entries` into `area` (a strip [`height`] tall).
pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
) -> Result<(), ChartError> {
    let (width, _) = area.dim_in_pixel();
    for (e, (row, x)) in entries.iter().zip(flow(entries, width as i32)) {
        let y = 4 + row * ROW + ROW / 2;
        let c = e.colour;
        let mid = x + SWATCH / 2 - 3;
        match e.swatch {
            Swatch::LineDot => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + SWATCH - 6, y)],
                    c.stroke_width(2),
                ))
                .map_err(draw_err)?;
                area.draw(&Circle::new((mid, y), 3, c.filled()))
                    .map_err(draw_err)?;
            }
            Swatch::Dot => area
                .draw(&Circle::new((mid, y), 5, c.filled()))
                .map_err(draw_err)?,
            Swatch::Whisker => {
                for path in [
                    vec![(mid, y - 7), (mid, y + 7)],
                    vec![(mid - 4, y - 7), (mid + 4, y - 7)],
                    vec![(mid - 4, y + 7), (mid + 4, y + 7)],
                ] {
                    area.draw(&PathElement::new(path, c.stroke_width(1)))
                        .map_err(draw_err)?;
                }
            }
            Swatch::Triangle { up } => {
                let (tip, base) = if up { (y - 6, y + 5) } else { (y + 6, y - 5) };
                area.draw(&Polygon::new(
                    vec![(mid, tip), (mid - 6, base), (mid + 6, base)],
                    c.filled(),
                ))
                .map_err(draw_err)?;
            }
            Swatch::Band => area
                .draw(&Rectangle::new(
                    [(x, y - 6), (x + SWATCH - 6, y + 6)],
                    c.mix(0.15).filled(),
                ))
                .map_err(draw_err)?,
            Swatch::Area => area
                .draw(&Rectangle::new(
                    [(x, y - 6), (x + SWATCH - 6, y + 6)],
                    c.mix(AREA_OPACITY).filled(),
                ))
                .map_err(draw_err)?,
        }
        area.draw(&Text::new(
            e.text.clone(),
            (x + SWATCH, y),
            ("sans-serif", SIZE)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_wrap_into_rows_that_fit() {
        let e = |t: &str| Entry::new(Swatch::LineDot, BLACK, t);
        let entries: Vec<Entry> = (0..6)
            .map(|i| e(&format!("stream-lde+leaf-drop+trace-retire {i}")))
            .collect();
        let placed = flow(&entries, 800);
        let rows = placed.last().unwrap().0 + 1;
        assert!(rows >= 3, "{placed:?}");
        for (e, (_, x)) in entries.iter().zip(&placed) {
            let right = x + SWATCH + text_width(&e.text, SIZE).ceil() as i32;
            assert!(right <= 800 - MARGIN, "{right}");
        }
        assert_eq!(height(&entries, 800), (rows * ROW + 8) as u32);
        assert_eq!(height(&[], 800), 8);
    }
}
