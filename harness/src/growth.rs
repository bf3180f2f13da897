//! `bench growth`: how heap and time scale with the number of cycles, over one fixture family
//! (`FAMILY_SIZE`, e.g. `fib_iterative_1M` ... `_8M`).
//!
//! Per mode, the least-squares line ([`crate::regression`]) of the median peak heap (bytes)
//! and of the median prove time (seconds) against the fixture's measured cycles in millions
//! gives the slopes "MB per million cycles" (MB = 10^6 bytes) and "seconds per million
//! cycles", each with its R². The sizes are measured through the same runner as `bench run`
//! ([`crate::run::measure`]), or read from results files (`--results`).
//!
//! Baselines: `--save-baseline NAME` writes the slopes to
//! `target/bench/growth-baselines/NAME.json`; `--baseline NAME` compares: a mode whose heap
//! slope grew by more than `--threshold` percent (default 10) is a memory-scaling
//! regression, printed as a `⚠️` line, and the command exits with status 3. The time slope
//! is reported, not judged (it is far noisier on shared machines).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use prover::fixtures::Catalogue;
use serde::{Deserialize, Serialize};

use crate::RegressionFound;
use crate::cli::GrowthArgs;
use crate::regression::{self, LinearFit};
use crate::results::{ResultsFile, RunConfig};
use crate::run::{self, Plan, Program};

/// Sizes measured when `--sizes` is not given.
pub const DEFAULT_SIZES: [&str; 4] = ["1M", "2M", "4M", "8M"];

/// Where baselines live.
pub const BASELINE_DIR: &str = "target/bench/growth-baselines";

/// Version of the baseline file layout.
pub const BASELINE_SCHEMA_VERSION: u32 = 1;

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
}

/// The slopes of a family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthReport {
    /// The family.
    pub family: String,
    /// Per mode.
    pub modes: Vec<ModeGrowth>,
}

/// A saved baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthBaseline {
    /// [`BASELINE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When it was saved.
    pub created: String,
    /// The machine the slopes came from ([`crate::machine::Machine::key`]), when known.
    pub machine: Option<String>,
    /// The report.
    pub report: GrowthReport,
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
) -> Result<GrowthReport> {
    let prefix = format!("{family}_");
    let wanted = |fixture: &str| {
        fixture.strip_prefix(&prefix).is_some_and(|size| {
            !size.is_empty() && (sizes.is_empty() || sizes.iter().any(|s| s == size))
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
            };
            let mode = e.mode.to_string();
            match modes.iter_mut().find(|(m, _)| *m == mode) {
                Some((_, points)) => points.push(point),
                None => modes.push((mode, vec![point])),
            }
        }
    }
    if modes.is_empty() {
        bail!("no measured fixture of the family `{family}` (fixtures named {prefix}SIZE)");
    }
    let mut out = Vec::new();
    for (mode, mut points) in modes {
        points.sort_by(|a, b| a.mcycles.total_cmp(&b.mcycles));
        let xs: Vec<f64> = points.iter().map(|p| p.mcycles).collect();
        let times: Vec<f64> = points.iter().map(|p| p.seconds).collect();
        let time = match regression::fit(&xs, &times) {
            Ok(f) => f,
            Err(e) => {
                notes.push(format!("{mode}: no fit ({e})"));
                continue;
            }
        };
        let heaps: Option<Vec<f64>> = points.iter().map(|p| p.heap_bytes).collect();
        let heap = heaps
            .map(|h| regression::fit(&xs, &h))
            .transpose()
            .with_context(|| format!("fitting the heap of {mode}"))?;
        out.push(ModeGrowth {
            mode,
            points,
            heap,
            time,
        });
    }
    if out.is_empty() {
        bail!("no mode of `{family}` has two sizes to fit a line through");
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

/// Bytes per million cycles as `MB/Mcycle` (10^6 bytes).
fn mb(bytes_per_mcycle: f64) -> String {
    format!("{:.2} MB/Mcycle", bytes_per_mcycle / 1e6)
}

/// The verdict line of one mode.
pub fn verdict_line(v: &SlopeVerdict, threshold_pct: f64) -> String {
    if v.regression {
        format!(
            "⚠️ Memory-scaling regression ({}): heap slope {} → {} ({:+.1} %, threshold {threshold_pct} %)",
            v.mode,
            mb(v.before),
            mb(v.after),
            v.change_pct
        )
    } else {
        format!(
            "✅ Heap scaling within {threshold_pct} % ({}): heap slope {} → {} ({:+.1} %)",
            v.mode,
            mb(v.before),
            mb(v.after),
            v.change_pct
        )
    }
}

/// The report as text: one line per mode.
pub fn render_text(report: &GrowthReport) -> String {
    let mut out = String::new();
    let (lo, hi) = report
        .modes
        .iter()
        .flat_map(|m| m.points.iter().map(|p| p.mcycles))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
            (l.min(x), h.max(x))
        });
    out.push_str(&format!(
        "Growth of {} from {lo:.2} to {hi:.2} Mcycles (least squares against cycles)\n",
        report.family
    ));
    let w = report
        .modes
        .iter()
        .map(|m| m.mode.to_string().len())
        .max()
        .unwrap_or(0)
        .max(4);
    out.push_str(&format!(
        "{:<w$} {:>18} {:>7} {:>15} {:>7} {:>6}\n",
        "mode", "heap slope", "R²", "time slope", "R²", "sizes"
    ));
    for m in &report.modes {
        let (hs, hr) = m.heap.map_or(("-".into(), "-".into()), |f| {
            (mb(f.slope), format!("{:.4}", f.r_squared))
        });
        out.push_str(&format!(
            "{:<w$} {:>18} {:>7} {:>15} {:>7} {:>6}\n",
            m.mode.to_string(),
            hs,
            hr,
            format!("{:.3} s/Mcycle", m.time.slope),
            format!("{:.4}", m.time.r_squared),
            m.points.len()
        ));
    }
    out
}

fn baseline_path(name: &str) -> Result<PathBuf> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || name.starts_with('.')
    {
        bail!("baseline name `{name}`: use letters, digits, `-`, `_` and `.` only");
    }
    Ok(Path::new(BASELINE_DIR).join(format!("{name}.json")))
}

fn measure(args: &GrowthArgs) -> Result<ResultsFile> {
    let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
    let sizes: Vec<String> = if args.sizes.is_empty() {
        DEFAULT_SIZES.iter().map(ToString::to_string).collect()
    } else {
        args.sizes.clone()
    };
    let mut programs = Vec::new();
    for size in &sizes {
        let name = fixture_name(&args.family, size.trim());
        catalogue
            .get(&name)
            .with_context(|| format!("--sizes {size}: no fixture {name}"))?;
        programs.push(Program::Fixture(name));
    }
    let (modes, _) = run::resolve_modes(args.modes.as_deref())?;
    let plan = Plan {
        programs,
        modes,
        runs: args.runs,
        config: RunConfig::STANDARD,
        timeout: args.worker.timeout,
        max_memory: args.worker.max_memory,
    };
    run::measure_new(&plan, &format!("growth-{}", args.family))
}

/// Runs `bench growth`.
pub fn run(args: &GrowthArgs) -> Result<()> {
    if !(args.threshold.is_finite() && args.threshold >= 0.0) {
        bail!(
            "--threshold {}: must be a non-negative percentage",
            args.threshold
        );
    }
    let files: Vec<ResultsFile> = if args.results.is_empty() {
        vec![measure(args)?]
    } else {
        args.results
            .iter()
            .map(|p| ResultsFile::load(p))
            .collect::<Result<_>>()?
    };
    let mut notes = Vec::new();
    let sizes: Vec<String> = args.sizes.iter().map(|s| s.trim().to_string()).collect();
    let mut report = report_from(&files, &args.family, &sizes, &mut notes)?;
    if let Some(list) = &args.modes {
        let wanted = prover::modes::MemoryMode::parse_list(list)?;
        report
            .modes
            .retain(|m| wanted.iter().any(|w| w.to_string() == m.mode));
        if report.modes.is_empty() {
            bail!("--modes {list}: none of these modes is in the results");
        }
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    let verdicts = match &args.baseline {
        None => Vec::new(),
        Some(name) => {
            let path = baseline_path(name)?;
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read growth baseline {}", path.display()))?;
            let saved: GrowthBaseline = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a growth baseline", path.display()))?;
            if saved.schema_version != BASELINE_SCHEMA_VERSION {
                bail!(
                    "{}: schema version {} (this bench reads {BASELINE_SCHEMA_VERSION})",
                    path.display(),
                    saved.schema_version
                );
            }
            let v = compare(&report, &saved.report, args.threshold);
            if v.is_empty() {
                bail!("baseline {name} shares no mode with a heap slope with these results");
            }
            v
        }
    };
    if args.json {
        let value = serde_json::json!({ "report": report, "verdicts": verdicts });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{}", render_text(&report));
        for v in &verdicts {
            println!("{}", verdict_line(v, args.threshold));
        }
    }
    if let Some(svg) = &args.svg {
        let chart = crate::charts::growth::growth_svg(&report)?;
        crate::render::write_file(svg, &chart)?;
        eprintln!("chart: {}", svg.display());
    }
    if let Some(name) = &args.save_baseline {
        let path = baseline_path(name)?;
        let machine = files.first().map(|f| f.machine.key());
        let saved = GrowthBaseline {
            schema_version: BASELINE_SCHEMA_VERSION,
            created: crate::clock::now_rfc3339(),
            machine,
            report: report.clone(),
        };
        crate::render::write_file(&path, &(serde_json::to_string_pretty(&saved)? + "\n"))?;
        eprintln!("baseline: {}", path.display());
    }
    let regressed: Vec<&str> = verdicts
        .iter()
        .filter(|v| v.regression)
        .map(|v| v.mode.as_str())
        .collect();
    if !regressed.is_empty() {
        return Err(RegressionFound(format!(
            "heap slope grew past {} % in {}",
            args.threshold,
            regressed.join(", ")
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::results::tests::{machine, record};

    /// A results file of `family` sizes with heap = a + b x Mcycles and time = c x Mcycles.
    pub(crate) fn family_file(heap_per_mcycle: f64) -> ResultsFile {
        let mut f = ResultsFile::new(
            machine(),
            RunConfig {
                log_blowup: 1,
                log_max_rows: 20,
                table_parallelism: None,
                count_alloc: true,
                epoch_log2: prover::continuation::DEFAULT_EPOCH_LOG2,
            },
        );
        for (size, cycles) in [("1M", 1_000_010u64), ("2M", 2_000_010), ("4M", 4_000_010)] {
            for (mode, scale) in [("default", 1.0), ("stream-lde", 0.5)] {
                let m = cycles as f64 / 1e6;
                let heap = (50e6 + scale * heap_per_mcycle * m) as u64;
                let mut r = record(mode, 1.5 * m, heap, "d");
                r.cycles = cycles;
                r.fixture = fixture_name("fib_iterative", size);
                let e = f.entry_mut(&r.fixture.clone(), mode.parse().unwrap());
                e.runs.push(r);
                e.resummarize();
            }
        }
        f
    }

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
        assert_eq!(
            verdict_line(&v[0], 10.0),
            "⚠️ Memory-scaling regression (default): heap slope 100.00 MB/Mcycle → 120.00 MB/Mcycle (+20.0 %, threshold 10 %)"
        );
        let v = compare(&after, &before, 25.0);
        assert!(v.iter().all(|v| !v.regression));
        assert!(verdict_line(&v[0], 25.0).starts_with("✅"));
    }

    #[test]
    fn baseline_names_are_plain() {
        assert!(baseline_path("main-2026.01").is_ok());
        assert!(baseline_path("../x").is_err());
        assert!(baseline_path("a/b").is_err());
        assert!(baseline_path("").is_err());
    }
}
