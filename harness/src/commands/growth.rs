//! `bench growth`: how heap and time scale with the number of cycles over one fixture family
//! (`analysis::growth`). The sizes are measured as `bench run` measures, or read from
//! results files (`--results`). A family is a fixture name minus its size suffix
//! (`sha256_chain` of `sha256_chain_1M`); without `--sizes`, fib's 1M, 2M, 4M and 8M, and
//! for a family that lacks one of them (a suite program), every size it has
//! ([`default_sizes`]).
//!
//! Baselines: `--save-baseline NAME` writes the slopes to
//! `target/bench/growth-baselines/NAME.json`; `--baseline NAME` compares: a mode whose heap
//! slope grew by more than `--threshold` percent (default 10) is a memory-scaling
//! regression, printed as a `⚠️` line, and the command exits with status 3.
//!
//! Everything that can be checked is checked before the first prove (`check_first`): the
//! baseline names, that `--baseline` exists, at least two distinct `--sizes`, and the
//! `--svg` path (`store::outputs`: never an input, `--force` to overwrite).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use prover::fixtures::Catalogue;

use crate::analysis::growth::{compare, fixture_name, report_from};
use crate::commands::outcome::Outcome;
use crate::commands::run::{instruction_plan, measure_into};
use crate::measure::clock::{now_compact, now_rfc3339};
use crate::measure::plan::{self, Plan};
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use crate::model::results::ResultsFile;
use crate::report::charts::growth::growth_svg;
use crate::report::growth::{render_text, verdict_line};
use crate::store::files::write_text;
use crate::store::growth_baselines::{self, GrowthBaseline, SCHEMA_VERSION};
use crate::store::names::check_name;
use crate::store::outputs::{Input, check_output};
use crate::store::paths;

/// Sizes measured when `--sizes` is not given, for a family that has them all.
pub const DEFAULT_SIZES: [&str; 4] = ["1M", "2M", "4M", "8M"];

/// What `bench growth` is asked.
#[derive(Clone, Debug)]
pub struct GrowthRequest {
    /// The fixture family: fixtures are named FAMILY_SIZE.
    pub family: String,
    /// Sizes (empty: [`DEFAULT_SIZES`] when running, every size in the files otherwise).
    pub sizes: Vec<String>,
    /// Modes, comma-separated (`None`: every available mode).
    pub modes: Option<String>,
    /// Runs per fixture and mode.
    pub runs: u32,
    /// Fit these results files instead of running.
    pub results: Vec<PathBuf>,
    /// Draw heap and time against cycles into this SVG.
    pub svg: Option<PathBuf>,
    /// Overwrite `svg` when it exists.
    pub force: bool,
    /// Save the slopes as this baseline.
    pub save_baseline: Option<String>,
    /// Compare the heap slopes with this baseline.
    pub baseline: Option<String>,
    /// A heap slope larger than the baseline's by more than this is a regression, percent.
    pub threshold: f64,
    /// Print JSON instead of text.
    pub json: bool,
    /// Count each size's instructions under cachegrind (one run each).
    pub instructions: bool,
    /// The bench binary run under cachegrind (`None`: this one, if valgrind can run it).
    pub instructions_worker: Option<PathBuf>,
    /// Kill a worker after this long.
    pub timeout: Option<Duration>,
    /// Cap each worker's address space at this many bytes.
    pub max_memory: Option<u64>,
    /// A shell command run before each timed run, untimed (`--prepare`).
    pub prepare: Option<String>,
}

/// The sizes measured when `--sizes` is not given, of a family whose catalogue sizes are
/// `known`: [`DEFAULT_SIZES`] when the family has them all (fib's 1M to 8M, leaving out
/// its 64k and its padding probes), otherwise every size it has (a suite program's 64k, 1M
/// and 8M).
pub fn default_sizes(known: &[&str]) -> Vec<String> {
    let sizes: &[&str] = if DEFAULT_SIZES.iter().all(|s| known.contains(s)) {
        &DEFAULT_SIZES
    } else {
        known
    };
    sizes.iter().map(ToString::to_string).collect()
}

fn measure(request: &GrowthRequest) -> Result<ResultsFile> {
    let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
    let sizes: Vec<String> = if request.sizes.is_empty() {
        default_sizes(&catalogue.family_sizes(&request.family))
    } else {
        request.sizes.clone()
    };
    if sizes.len() < 2 {
        bail!(
            "the family `{}` has {} size(s) in the catalogue (fixtures named {}_SIZE): a fit needs two",
            request.family,
            sizes.len(),
            request.family
        );
    }
    let mut programs = Vec::new();
    for size in &sizes {
        let name = fixture_name(&request.family, size.trim());
        catalogue
            .get(&name)
            .with_context(|| format!("--sizes {size}: no fixture {name}"))?;
        programs.push(ProgramSpec::Fixture(name));
    }
    let (modes, _) = plan::resolve_modes(request.modes.as_deref())?;
    let plan = Plan {
        programs,
        modes,
        runs: request.runs,
        config: ProveConfig::STANDARD,
        timeout: request.timeout,
        max_memory: request.max_memory,
        prepare: request.prepare.clone(),
        instructions: instruction_plan(
            u32::from(request.instructions),
            request.instructions_worker.as_deref(),
        )?,
    };
    let stem = format!("growth-{}", request.family);
    measure_into(&plan, &paths::results(&stem, &now_compact()))
}

/// Everything `bench growth` can check before it measures (a long run never ends in an
/// error that could have been raised at second zero): the threshold, the baseline names,
/// the sizes (at least two distinct ones), the SVG path, and the baseline to compare with,
/// which is loaded here and returned.
fn check_first(request: &GrowthRequest) -> Result<Option<GrowthBaseline>> {
    if !(request.threshold.is_finite() && request.threshold >= 0.0) {
        bail!(
            "--threshold {}: must be a non-negative percentage",
            request.threshold
        );
    }
    if let Some(name) = &request.save_baseline {
        check_name(name).context("--save-baseline")?;
    }
    let mut seen: Vec<&str> = Vec::new();
    for size in &request.sizes {
        let size = size.trim();
        if size.is_empty() {
            bail!("--sizes {}: an empty size", request.sizes.join(","));
        }
        if seen.contains(&size) {
            bail!(
                "--sizes {}: {size} is given twice; a slope needs at least two distinct sizes",
                request.sizes.join(",")
            );
        }
        seen.push(size);
    }
    if seen.len() == 1 {
        bail!(
            "--sizes {}: a slope needs at least two distinct sizes",
            seen[0]
        );
    }
    if let Some(svg) = &request.svg {
        let inputs: Vec<Input> = request
            .results
            .iter()
            .map(|p| Input {
                flag: "--results",
                path: p,
            })
            .collect();
        check_output("--svg", svg, &inputs, request.force)?;
    }
    match &request.baseline {
        None => Ok(None),
        Some(name) => {
            check_name(name).context("--baseline")?;
            let saved = growth_baselines::load(name).with_context(|| {
                format!(
                    "--baseline {name}: save one first with `bench growth --save-baseline {name}`"
                )
            })?;
            Ok(Some(saved))
        }
    }
}

/// Runs `bench growth`.
pub fn fit_growth(request: &GrowthRequest) -> Result<Outcome> {
    let saved = check_first(request)?;
    let files: Vec<ResultsFile> = if request.results.is_empty() {
        vec![measure(request)?]
    } else {
        request
            .results
            .iter()
            .map(|p| ResultsFile::load(p))
            .collect::<Result<_, _>>()?
    };
    let mut notes = Vec::new();
    let sizes: Vec<String> = request.sizes.iter().map(|s| s.trim().to_string()).collect();
    let mut report = report_from(&files, &request.family, &sizes, &mut notes)?;
    if let Some(list) = &request.modes {
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
    let verdicts = match (&request.baseline, saved) {
        (None, _) | (_, None) => Vec::new(),
        (Some(name), Some(saved)) => {
            // Only heap slopes are judged, and heap is exact; but under the automatic
            // table parallelism it follows the core count, so another machine is said.
            let here = files.first().map(|f| f.machine.key());
            if let (Some(then), Some(now)) = (&saved.machine, &here)
                && then != now
            {
                eprintln!(
                    "warning: baseline {name} was measured on another machine ({then}; this is {now}): heap slopes are still compared (heap is exact), but under the automatic table parallelism they depend on the core count"
                );
            }
            let v = compare(&report, &saved.report, request.threshold);
            if v.is_empty() {
                bail!("baseline {name} shares no mode with a heap slope with these results");
            }
            v
        }
    };
    if request.json {
        let value = serde_json::json!({ "report": report, "verdicts": verdicts });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{}", render_text(&report));
        for v in &verdicts {
            println!("{}", verdict_line(v, request.threshold));
        }
    }
    if let Some(svg) = &request.svg {
        write_text(svg, &growth_svg(&report)?)?;
        eprintln!("chart: {}", svg.display());
    }
    if let Some(name) = &request.save_baseline {
        let saved = GrowthBaseline {
            schema_version: SCHEMA_VERSION,
            created: now_rfc3339(),
            machine: files.first().map(|f| f.machine.key()),
            report: report.clone(),
        };
        let path = growth_baselines::save(name, &saved)?;
        eprintln!("baseline: {}", path.display());
    }
    let regressed: Vec<&str> = verdicts
        .iter()
        .filter(|v| v.regression)
        .map(|v| v.mode.as_str())
        .collect();
    if !regressed.is_empty() {
        return Ok(Outcome::Regression {
            summary: Some(format!(
                "heap slope grew past {} % in {}",
                request.threshold,
                regressed.join(", ")
            )),
        });
    }
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sizes_are_fibs_or_every_size_of_the_family() {
        let fib = ["64k", "1M", "1200k", "2M", "4M", "8M"];
        assert_eq!(default_sizes(&fib), ["1M", "2M", "4M", "8M"]);
        assert_eq!(default_sizes(&["64k", "1M", "8M"]), ["64k", "1M", "8M"]);
        assert!(default_sizes(&[]).is_empty());
    }
}
