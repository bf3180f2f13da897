//! `bench nightly`: one night of a fixture's series.
//!
//! 1. Lock the history (`--history`, default `reports/nightly/FIXTURE.jsonl`; a second
//!    writer is refused) and read it first, so a corrupted file fails before an hour of
//!    proving. A torn last line (a kill or a full disk mid-append) is not fatal: it is named
//!    on stderr and set aside into `FILE.torn` when tonight is appended (`store::history`).
//! 2. Measure the fixture in the modes asked for, `--runs` fresh processes each, as `bench
//!    run` does (the results file goes to `target/bench/nightly-*.json`), or take an existing
//!    results file (`--results`).
//! 3. Judge each mode's median time against the previous nights of the same fixture, mode
//!    and machine (`analysis::nightly`; time on other machines is not comparable), its heap
//!    against the previous nights of the fixture and mode on any machine (exact), and with
//!    `--instructions` its instruction count against the previous night counted by the same
//!    build (a step past `--instructions-threshold`). A merged results file (`bench merge`)
//!    gives each mode its own shard's machine.
//! 4. Append one history record per mode, dated when the results file was started; draw
//!    the charts next to the history (`STEM-time-heap.svg`: the series with their steps;
//!    `STEM-frontier.svg`: tonight's modes, heap against time); print a markdown summary
//!    (`report::nightly`).
//!
//! Exit: status 3 when any mode regressed in time, heap or instructions; otherwise 5 (no
//! verdict, `commands::outcome`) when a run failed, so the night is not fully judged;
//! otherwise 0. The night is appended in every case. Status 1 is an error: nothing was
//! appended.
//!
//! A night is one results file: `--results` with a file whose night (its creation time) is
//! already in the history is refused before anything is written.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use prover::fixtures::Catalogue;

use crate::analysis::nightly::{NightReport, NightRules, judge};
use crate::analysis::trend::StepRule;
use crate::commands::outcome::Outcome;
use crate::commands::run::{instruction_plan, measure_into, note_skipped};
use crate::measure::clock::now_compact;
use crate::measure::plan::{self, Plan};
use crate::model::config::ProveConfig;
use crate::model::history::{HistoryRecord, records_from};
use crate::model::program::ProgramSpec;
use crate::model::results::ResultsFile;
use crate::report::charts::{frontier, nightly as nightly_chart};
use crate::report::nightly::{markdown, regressions};
use crate::store::files::write_text;
use crate::store::lock::WriteLock;
use crate::store::{history, paths};

/// What `bench nightly` is asked.
#[derive(Clone, Debug)]
pub struct NightlyRequest {
    /// The fixture of the series.
    pub fixture: String,
    /// Modes, comma-separated (`None`: every available mode).
    pub modes: Option<String>,
    /// Runs per mode.
    pub runs: u32,
    /// The history file (`None`: `reports/nightly/FIXTURE.jsonl`).
    pub history: Option<PathBuf>,
    /// Make tonight's records from this results file instead of running.
    pub results: Option<PathBuf>,
    /// The time rule's window, threshold and band (`min_history` is always 5).
    pub window: u32,
    /// Smallest relative change of time that counts as a step, percent.
    pub threshold: f64,
    /// Width of the time noise band of one series, in standard deviations.
    pub z: f64,
    /// A change of the peak heap past this, percent, is a step.
    pub heap_threshold: f64,
    /// Count each mode's instructions under cachegrind (one run).
    pub instructions: bool,
    /// The bench binary run under cachegrind (`None`: this one, if valgrind can run it).
    pub instructions_worker: Option<PathBuf>,
    /// A change of the instruction count past this, percent, is a step.
    pub instructions_threshold: f64,
    /// Kill a worker after this long.
    pub timeout: Option<Duration>,
    /// Cap each worker's address space at this many bytes.
    pub max_memory: Option<u64>,
    /// A shell command run before each timed run, untimed (`--prepare`).
    pub prepare: Option<String>,
}

fn measure(request: &NightlyRequest) -> Result<ResultsFile> {
    Catalogue::load_default()
        .context("loading the fixture catalogue")?
        .get(&request.fixture)?;
    let (modes, skipped) = plan::resolve_modes(request.modes.as_deref())?;
    note_skipped(&skipped);
    let plan = Plan {
        programs: vec![ProgramSpec::Fixture(request.fixture.clone())],
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
    let stem = format!("nightly-{}", request.fixture);
    measure_into(&plan, &paths::results(&stem, &now_compact()))
}

/// Runs `bench nightly`.
pub fn record_night(request: &NightlyRequest) -> Result<Outcome> {
    let rules = NightRules {
        time: StepRule {
            window: request.window as usize,
            threshold_pct: request.threshold,
            z: request.z,
            ..StepRule::default()
        },
        heap: StepRule::deterministic(request.heap_threshold),
        instructions: StepRule::deterministic(request.instructions_threshold),
    };
    rules
        .time
        .validate()
        .context("check --window, --threshold and --z")?;
    rules.heap.validate().context("check --heap-threshold")?;
    rules
        .instructions
        .validate()
        .context("check --instructions-threshold")?;
    let history_path = request
        .history
        .clone()
        .unwrap_or_else(|| paths::nightly_history(&request.fixture));
    let _lock = WriteLock::acquire(&history_path)?;
    let read = history::load(&history_path)?;
    if let Some(t) = &read.torn {
        eprintln!(
            "warning: {}:{}: torn last line ({}), left out; it is set aside into {} when tonight is appended",
            history_path.display(),
            t.line,
            t.error,
            history::torn_path(&history_path).display()
        );
    }
    let past = read.records;
    let results = match &request.results {
        Some(p) => ResultsFile::load(p)?,
        None => measure(request)?,
    };
    // The night is when its runs started (the results file's creation time).
    let date = results.created.clone();
    let tonight = records_from(&results, &request.fixture, &date);
    if tonight.is_empty() {
        bail!("the results have no entry for fixture {}", request.fixture);
    }
    if let Some(dup) = past.iter().find(|r| {
        tonight
            .iter()
            .any(|t| t.date == r.date && t.fixture == r.fixture && t.machine == r.machine)
    }) {
        let source = request
            .results
            .as_ref()
            .map_or_else(String::new, |p| format!(" (--results {})", p.display()));
        bail!(
            "the night of {} for {} is already in {}{source}: refusing to append it twice",
            dup.date,
            dup.fixture,
            history_path.display()
        );
    }
    let modes = judge(&past, &tonight, &rules)?;
    if let Some(t) = history::append(&history_path, &tonight)? {
        eprintln!(
            "set aside {}:{} (torn) into {}",
            history_path.display(),
            t.line,
            history::torn_path(&history_path).display()
        );
    }

    let (series_svg, frontier_svg) = paths::nightly_charts(&history_path);
    // Each mode's series on its machine tonight (a merged file may hold several machines).
    let mut all: Vec<HistoryRecord> = past
        .into_iter()
        .filter(|r| {
            r.fixture == request.fixture
                && tonight
                    .iter()
                    .any(|t| t.mode == r.mode && t.machine == r.machine)
        })
        .collect();
    let nights = {
        let mut dates: Vec<&str> = all.iter().map(|r| r.date.as_str()).collect();
        dates.dedup();
        dates.len() + 1
    };
    all.extend(tonight.iter().cloned());
    let mut charts = Vec::new();
    let chart = nightly_chart::nightly_svg(&all, &request.fixture, &rules)?;
    write_text(&series_svg, &chart)?;
    charts.push(series_svg);
    match frontier::frontier_svg(&results, &request.fixture) {
        Ok(svg) => {
            write_text(&frontier_svg, &svg)?;
            charts.push(frontier_svg);
        }
        Err(e) => eprintln!("note: no frontier chart: {e}"),
    }
    let report = NightReport {
        fixture: request.fixture.clone(),
        date,
        commit: results.machine.git_sha.clone(),
        dirty: results.machine.git_dirty,
        machine: machines(&results),
        rules,
        modes,
        history: history_path,
        nights,
        charts,
    };
    print!("{}", markdown(&report));

    let regressed = regressions(&report);
    if !regressed.is_empty() {
        return Ok(Outcome::Regression {
            summary: Some(regressed.join("; ")),
        });
    }
    let failed: usize = tonight.iter().map(|r| r.failed_runs).sum();
    if failed > 0 {
        return Ok(Outcome::NoVerdict {
            summary: format!(
                "{failed} run(s) failed tonight, so the night is not fully judged (the history has their count)"
            ),
        });
    }
    Ok(Outcome::Done)
}

/// The machine of the night in words, or each shard's of a merged file.
fn machines(results: &ResultsFile) -> String {
    match &results.sharding {
        Some(s) if s.parts.len() > 1 => {
            let mut seen: Vec<String> = Vec::new();
            for p in &s.parts {
                let d = format!("shard {}: {}", p.shard, p.machine.describe());
                seen.push(d);
            }
            seen.join("; ")
        }
        _ => results.machine.describe(),
    }
}
