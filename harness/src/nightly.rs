//! `bench nightly`: one night of a fixture's series.
//!
//! 1. Read the history (`--history`, default `reports/nightly/FIXTURE.jsonl`) first, so a
//!    corrupted file fails before an hour of proving.
//! 2. Measure the fixture in the modes asked for, `--runs` fresh processes each, through
//!    [`crate::run::measure`] (the results file goes to `target/bench/nightly-*.json`), or
//!    take an existing results file (`--results`).
//! 3. Judge each mode's median time and heap against the previous nights of the same
//!    fixture, mode and machine ([`crate::machine::Machine::key`]; nights on other machines
//!    are not comparable) with the rule of [`crate::trend`].
//! 4. Append one [`HistoryRecord`] per mode, dated when the results file was started; draw
//!    the charts next to the history (`STEM-time-heap.svg`: the series with their steps;
//!    `STEM-frontier.svg`: tonight's modes, heap against time); print a markdown summary
//!    ([`crate::render::nightly`]).
//!
//! Exit: status 3 when any mode regressed in time or heap; otherwise 1 when a run failed;
//! otherwise 0. The night is appended in every case.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use prover::fixtures::Catalogue;

use crate::RegressionFound;
use crate::cli::NightlyArgs;
use crate::history::{self, HistoryRecord};
use crate::render::nightly::{ModeNight, NightReport};
use crate::results::{ResultsFile, RunConfig};
use crate::run::{self, Plan, Program};
use crate::trend::{self, StepRule};

/// The default history of `fixture`.
pub fn default_history(fixture: &str) -> PathBuf {
    Path::new("reports/nightly").join(format!("{fixture}.jsonl"))
}

/// The two chart paths next to `history`.
pub fn chart_paths(history: &Path) -> (PathBuf, PathBuf) {
    let stem = history
        .file_stem()
        .map_or_else(|| "nightly".into(), |s| s.to_string_lossy().into_owned());
    let dir = history.parent().unwrap_or(Path::new(""));
    (
        dir.join(format!("{stem}-time-heap.svg")),
        dir.join(format!("{stem}-frontier.svg")),
    )
}

/// Tonight's verdicts: each of `tonight` against the earlier nights of its mode and machine
/// in `past`.
pub fn judge(
    past: &[HistoryRecord],
    tonight: &[HistoryRecord],
    rule: &StepRule,
) -> Result<Vec<ModeNight>, trend::TrendError> {
    tonight
        .iter()
        .map(|r| {
            let same: Vec<&HistoryRecord> = past
                .iter()
                .filter(|p| p.fixture == r.fixture && p.mode == r.mode && p.machine == r.machine)
                .collect();
            let series = |f: &dyn Fn(&HistoryRecord) -> Option<f64>| -> Vec<f64> {
                same.iter().filter_map(|p| f(p)).collect()
            };
            let time_of = |p: &HistoryRecord| p.median_prove_seconds;
            let heap_of = |p: &HistoryRecord| p.median_peak_heap_bytes.map(|b| b as f64);
            let time = time_of(r)
                .map(|t| trend::check(&series(&time_of), t, rule))
                .transpose()?;
            let heap = heap_of(r)
                .map(|h| trend::check(&series(&heap_of), h, rule))
                .transpose()?;
            Ok(ModeNight {
                record: r.clone(),
                previous_nights: same.len(),
                time,
                heap,
            })
        })
        .collect()
}

fn measure(args: &NightlyArgs) -> Result<ResultsFile> {
    Catalogue::load_default()
        .context("loading the fixture catalogue")?
        .get(&args.fixture)?;
    let (modes, skipped) = run::resolve_modes(args.modes.as_deref())?;
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        eprintln!(
            "note: skipping modes the prover does not implement yet: {}",
            names.join(", ")
        );
    }
    let plan = Plan {
        programs: vec![Program::Fixture(args.fixture.clone())],
        modes,
        runs: args.runs,
        config: RunConfig::STANDARD,
        timeout: args.worker.timeout,
        max_memory: args.worker.max_memory,
    };
    run::measure_new(&plan, &format!("nightly-{}", args.fixture))
}

/// Runs `bench nightly`.
pub fn run(args: &NightlyArgs) -> Result<()> {
    let rule = StepRule {
        window: args.window as usize,
        min_history: 3,
        threshold_pct: args.threshold,
        z: args.z,
    };
    rule.validate()
        .context("check --window, --threshold and --z")?;
    let history_path = args
        .history
        .clone()
        .unwrap_or_else(|| default_history(&args.fixture));
    let past = history::load(&history_path)?;
    let results = match &args.results {
        Some(p) => ResultsFile::load(p)?,
        None => measure(args)?,
    };
    // The night is when its runs started (the results file's creation time).
    let date = results.created.clone();
    let tonight = history::records_from(&results, &args.fixture, &date);
    if tonight.is_empty() {
        bail!("the results have no entry for fixture {}", args.fixture);
    }
    let modes = judge(&past, &tonight, &rule)?;
    history::append(&history_path, &tonight)?;

    let (series_svg, frontier_svg) = chart_paths(&history_path);
    let machine = &tonight[0].machine;
    let mut all: Vec<HistoryRecord> = past
        .into_iter()
        .filter(|r| r.fixture == args.fixture && &r.machine == machine)
        .collect();
    let nights = {
        let mut dates: Vec<&str> = all.iter().map(|r| r.date.as_str()).collect();
        dates.dedup();
        dates.len() + 1
    };
    all.extend(tonight.iter().cloned());
    let mut charts = Vec::new();
    let chart = crate::charts::nightly::nightly_svg(&all, &args.fixture, &rule)?;
    crate::render::write_file(&series_svg, &chart)?;
    charts.push(series_svg);
    match crate::charts::frontier::frontier_svg(&results, &args.fixture) {
        Ok(svg) => {
            crate::render::write_file(&frontier_svg, &svg)?;
            charts.push(frontier_svg);
        }
        Err(e) => eprintln!("note: no frontier chart: {e}"),
    }
    let report = NightReport {
        fixture: args.fixture.clone(),
        date,
        commit: results.machine.git_sha.clone(),
        dirty: results.machine.git_dirty,
        machine: results.machine.describe(),
        rule,
        modes,
        history: history_path,
        nights,
        charts,
    };
    print!("{}", crate::render::nightly::markdown(&report));

    let regressed = report.regressions();
    if !regressed.is_empty() {
        return Err(RegressionFound(regressed.join("; ")).into());
    }
    let failed: usize = tonight.iter().map(|r| r.failed_runs).sum();
    if failed > 0 {
        bail!("{failed} run(s) failed tonight");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::tests::night;

    #[test]
    fn judged_against_the_same_mode_and_machine_only() {
        let mut past = Vec::new();
        for i in 0..5 {
            let d = format!("2026-01-0{}T03:00:00Z", i + 1);
            past.push(night(&d, "default", 2.0, 1000));
            past.push(night(&d, "stream-lde", 3.0, 500));
            let mut other = night(&d, "default", 9.0, 9000);
            other.machine = "Other".into();
            past.push(other);
        }
        let tonight = vec![
            night("2026-01-06T03:00:00Z", "default", 2.3, 1000),
            night("2026-01-06T03:00:00Z", "stream-lde", 3.0, 400),
        ];
        let m = judge(&past, &tonight, &StepRule::default()).unwrap();
        assert_eq!(m[0].previous_nights, 5);
        assert!(m[0].time.as_ref().unwrap().is_regression());
        assert!(!m[0].heap.as_ref().unwrap().is_regression());
        assert_eq!(
            m[1].heap.as_ref().unwrap().direction(),
            Some(trend::Direction::Improvement)
        );
    }

    #[test]
    fn charts_sit_next_to_the_history() {
        let (a, b) = chart_paths(Path::new("reports/nightly/fib_iterative_8M.jsonl"));
        assert_eq!(
            a,
            Path::new("reports/nightly/fib_iterative_8M-time-heap.svg")
        );
        assert_eq!(
            b,
            Path::new("reports/nightly/fib_iterative_8M-frontier.svg")
        );
        assert_eq!(
            chart_paths(Path::new("h.jsonl")).0,
            Path::new("h-time-heap.svg")
        );
    }
}
