//! How heap and time scale with the number of cycles, over one fixture family
//! (`FAMILY_SIZE`, e.g. `fib_iterative_1M` ... `_8M`). Pure.
//!
//! Per mode, the least-squares line ([`crate::analysis::fit`]) of the median peak heap
//! (bytes) and of the median prove time (seconds) against the fixture's measured cycles in
//! millions gives the slopes "MB per million cycles" (MB = 10^6 bytes) and "seconds per
//! million cycles", each with its R². Against a saved report, a mode whose heap slope grew
//! by more than the threshold is a memory-scaling regression; the time slope is reported,
//! not judged (it is far noisier on shared machines).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::analysis::fit::{self, FitError, LinearFit};
use crate::model::results::ResultsFile;

/// One fixture of the family in one mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthPoint {
    /// Fixture name.
    pub fixture: String,
    /// Measured cycles, in millions.
    pub mcycles: f64,
    /// Median peak heap, bytes (`null` without heap counting).
    pub heap_bytes: Option<f64>,
    /// Median prove seconds.
    pub seconds: f64,
    /// The fastest and slowest prove of the point's runs (the chart's bar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_range: Option<(f64, f64)>,
    /// The smallest and largest peak heap of its runs, bytes (equal when heap is exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_range: Option<(f64, f64)>,
    /// Median instruction count under cachegrind, when counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<f64>,
}

/// The fits of one mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModeGrowth {
    /// Mode name.
    pub mode: String,
    /// The points, smallest first.
    pub points: Vec<GrowthPoint>,
    /// Heap bytes per million cycles (`null` when a point has no heap).
    pub heap: Option<LinearFit>,
    /// Seconds per million cycles.
    pub time: LinearFit,
    /// Instructions per million cycles, when every point was counted (a deterministic
    /// slope: its R² shows how linear the prover's work is in the cycles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<LinearFit>,
}

/// The slopes of a family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthReport {
    /// The family.
    pub family: String,
    /// Per mode.
    pub modes: Vec<ModeGrowth>,
}

/// One mode's heap slope against the baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlopeVerdict {
    /// Mode name.
    pub mode: String,
    /// Baseline slope, bytes per million cycles.
    pub before: f64,
    /// This slope.
    pub after: f64,
    /// Relative change, percent.
    pub change_pct: f64,
    /// Whether it exceeds the threshold.
    pub regression: bool,
}

/// Why no growth could be fitted.
#[derive(Debug, Error)]
pub enum GrowthError {
    /// No entry of the family has a successful run.
    #[error("no measured fixture of the family `{family}` (fixtures named {family}_SIZE)")]
    NoFixture {
        /// The family.
        family: String,
    },
    /// Every mode has fewer than two sizes.
    #[error("no mode of `{family}` has two sizes to fit a line through")]
    NoFit {
        /// The family.
        family: String,
    },
    /// The heap points of a mode admit no line.
    #[error("fitting the heap of {mode}")]
    HeapFit {
        /// The mode.
        mode: String,
        /// The cause.
        #[source]
        source: FitError,
    },
}

/// The fixture name of `size` in `family`.
pub fn fixture_name(family: &str, size: &str) -> String {
    format!("{family}_{size}")
}

/// The growth of `family` in `files`: entries named `FAMILY_SIZE` for a size in `sizes`
/// (every size when empty), one point each. Modes with fewer than two points are left out
/// with a note in `notes`.
pub fn report_from(
    files: &[ResultsFile],
    family: &str,
    sizes: &[String],
    notes: &mut Vec<String>,
) -> Result<GrowthReport, GrowthError> {
    // The family is the name minus its size suffix (`prover::fixtures::split_size`), so
    // `sha256` is not a family of `sha256_chain_1M`.
    let wanted = |fixture: &str| {
        prover::fixtures::split_size(fixture).is_some_and(|(f, size)| {
            f == family && (sizes.is_empty() || sizes.iter().any(|s| s == size))
        })
    };
    let mut modes: Vec<(String, Vec<GrowthPoint>)> = Vec::new();
    for file in files {
        for e in file.entries.iter().filter(|e| wanted(&e.fixture)) {
            let (Some(first), Some(seconds)) = (e.runs.first(), e.summary.median_prove_seconds)
            else {
                notes.push(format!("{} / {}: no successful run", e.fixture, e.mode));
                continue;
            };
            let point = GrowthPoint {
                fixture: e.fixture.clone(),
                mcycles: first.cycles as f64 / 1e6,
                heap_bytes: e.summary.median_peak_heap_bytes.map(|b| b as f64),
                seconds,
                seconds_range: e.summary.min_prove_seconds.zip(e.summary.max_prove_seconds),
                heap_range: e
                    .summary
                    .min_peak_heap_bytes
                    .zip(e.summary.max_peak_heap_bytes)
                    .map(|(lo, hi)| (lo as f64, hi as f64)),
                instructions: e.summary.median_instructions.map(|n| n as f64),
            };
            let mode = e.mode.to_string();
            match modes.iter_mut().find(|(m, _)| *m == mode) {
                Some((_, points)) => points.push(point),
                None => modes.push((mode, vec![point])),
            }
        }
    }
    if modes.is_empty() {
        return Err(GrowthError::NoFixture {
            family: family.to_string(),
        });
    }
    let mut out = Vec::new();
    for (mode, mut points) in modes {
        points.sort_by(|a, b| a.mcycles.total_cmp(&b.mcycles));
        let xs: Vec<f64> = points.iter().map(|p| p.mcycles).collect();
        let times: Vec<f64> = points.iter().map(|p| p.seconds).collect();
        let time = match fit::fit(&xs, &times) {
            Ok(f) => f,
            Err(e) => {
                notes.push(format!("{mode}: no fit ({e})"));
                continue;
            }
        };
        let heaps: Option<Vec<f64>> = points.iter().map(|p| p.heap_bytes).collect();
        let heap = heaps
            .map(|h| fit::fit(&xs, &h))
            .transpose()
            .map_err(|source| GrowthError::HeapFit {
                mode: mode.clone(),
                source,
            })?;
        let counts: Option<Vec<f64>> = points.iter().map(|p| p.instructions).collect();
        let instructions = counts.and_then(|c| fit::fit(&xs, &c).ok());
        out.push(ModeGrowth {
            mode,
            points,
            heap,
            time,
            instructions,
        });
    }
    if out.is_empty() {
        return Err(GrowthError::NoFit {
            family: family.to_string(),
        });
    }
    Ok(GrowthReport {
        family: family.to_string(),
        modes: out,
    })
}

/// Each mode's heap slope against `baseline`'s (modes in both, with a positive baseline
/// slope).
pub fn compare(
    report: &GrowthReport,
    baseline: &GrowthReport,
    threshold_pct: f64,
) -> Vec<SlopeVerdict> {
    report
        .modes
        .iter()
        .filter_map(|m| {
            let after = m.heap?.slope;
            let before = baseline
                .modes
                .iter()
                .find(|b| b.mode == m.mode)?
                .heap?
                .slope;
            (before > 0.0).then(|| {
                let change_pct = (after - before) / before * 100.0;
                SlopeVerdict {
                    mode: m.mode.clone(),
                    before,
                    after,
                    change_pct,
                    regression: change_pct > threshold_pct,
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::family_file;

    #[test]
    fn slopes_from_a_synthetic_family() {
        let mut notes = Vec::new();
        let r = report_from(&[family_file(100e6)], "fib_iterative", &[], &mut notes).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(r.modes.len(), 2);
        let d = &r.modes[0];
        assert_eq!(d.mode, "default");
        assert_eq!(d.points.len(), 3);
        let heap = d.heap.unwrap();
        assert!((heap.slope - 100e6).abs() < 1.0, "{heap:?}");
        assert!((heap.r_squared - 1.0).abs() < 1e-9);
        assert!((d.time.slope - 1.5).abs() < 1e-9);
        assert!((r.modes[1].heap.unwrap().slope - 50e6).abs() < 1.0);
        // Sizes filter the points.
        let two: Vec<String> = vec!["1M".into(), "4M".into()];
        let r = report_from(&[family_file(100e6)], "fib_iterative", &two, &mut notes).unwrap();
        assert_eq!(r.modes[0].points.len(), 2);
        assert!(report_from(&[family_file(1.0)], "collatz", &[], &mut notes).is_err());
        // A family is the whole name before the size: `fib` is not `fib_iterative`'s.
        assert!(report_from(&[family_file(1.0)], "fib", &[], &mut notes).is_err());
    }

    #[test]
    fn verdicts_against_a_baseline() {
        let mut notes = Vec::new();
        let before = report_from(&[family_file(100e6)], "fib_iterative", &[], &mut notes).unwrap();
        let after = report_from(&[family_file(120e6)], "fib_iterative", &[], &mut notes).unwrap();
        let v = compare(&after, &before, 10.0);
        assert_eq!(v.len(), 2);
        assert!(v.iter().all(|v| v.regression));
        assert!((v[0].change_pct - 20.0).abs() < 1e-6, "{v:?}");
        let v = compare(&after, &before, 25.0);
        assert!(v.iter().all(|v| !v.regression));
    }
}
