//! SVG charts, drawn with `plotters`' SVG backend into a `String`: one file per chart.
//!
//! * [`nightly`]: time and heap over the nights, one series per mode, steps marked;
//! * [`frontier`]: heap against time, one point per mode, `default` highlighted;
//! * [`growth`]: heap and time against cycles with the fitted lines;
//! * [`timeline`]: heap over the time of one prove, with phase bands and the peak.
//!
//! Text is written as SVG `<text>` elements (plotters without its `ttf` feature sizes text
//! with a built-in estimate), so drawing needs no font files; the viewer picks the font.
//! Every series has a legend entry, so a chart names what it shows in its own text.
//! Legends sit in strips of their own ([`legend`]), labels the charts compute are placed by
//! [`layout`]'s collision pass, and grids have major lines only ([`GRID`]).

pub mod frontier;
pub mod growth;
mod layout;
mod legend;
#[cfg(test)]
mod legibility;
pub mod nightly;
pub mod timeline;

use plotters::style::RGBColor;
use thiserror::Error;

/// Why a chart could not be drawn.
#[derive(Debug, Error)]
pub enum ChartError {
    /// Nothing to draw.
    #[error("nothing to chart: {0}")]
    Empty(String),
    /// plotters failed.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
}

/// Maps a plotters error.
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Series colours (a colour-blind-safe set, Okabe & Ito, 2008), by series index.
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
];

/// The grid's lines (major ones only: minor lines turned the panels grey).
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);

/// Marker colour of regressions.
pub(crate) const REGRESSION: RGBColor = RGBColor(200, 0, 0);
/// Marker colour of improvements.
pub(crate) const IMPROVEMENT: RGBColor = RGBColor(0, 140, 0);

/// The colour of series `i`.
pub(crate) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Bytes as MiB.
pub(crate) fn mib(bytes: f64) -> f64 {
    bytes / (1u64 << 20) as f64
}

/// An axis range `lo..hi` padded by 5 % on each side (and made non-empty).
pub(crate) fn padded(values: impl IntoIterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * 0.05
    } else {
        hi.abs().max(1.0) * 0.05
    };
    (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

#[cfg(test)]
mod tests {
    #[test]
    fn padding() {
        assert_eq!(super::padded([1.0, 3.0], false), (0.9, 3.1));
        assert_eq!(super::padded([2.0, 2.0], false), (1.9, 2.1));
        assert_eq!(super::padded(std::iter::empty(), false), (0.0, 1.0));
        let (lo, hi) = super::padded([1.0, 11.0], true);
        assert_eq!((lo, hi), (0.0, 11.55));
    }
}
