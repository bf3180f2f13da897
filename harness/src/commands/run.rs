//! `bench run`: measures fixtures in memory modes over fresh worker processes
//! (`measure::plan`), saving every finished run at once, and closes with the mode table.
//!
//! Plan: each (program, mode) pair is a job with `--runs` runs, interleaved. With
//! `--resume` the results file's runs (failed ones included) count towards `--runs`, so
//! only the missing ones are made; the file's settings and machine must match.
//!
//! Programs (`measure::program::select`): the `--fixture` names (comma-separated or
//! repeated), then the entries of `--suite` (catalogue group `suite` at `--size`, 64k unless
//! given) and `--group NAME` (at `--size` when given), then the `--elf` files (on `--input`
//! when given), each once. `--catalogue FILE` reads every fixture from FILE instead of
//! `fixtures/catalogue.json` (the workers get `--catalogue FILE --fixture NAME`); with
//! nothing named, every entry of FILE. With no catalogue and nothing named:
//! `fib_iterative_64k`.
//!
//! Modes: without `--modes`, every mode the prover implements; `all` also names the ones
//! it does not implement yet, which are skipped with a notice on stderr (see
//! `measure::plan::resolve_modes`).
//!
//! Baselines: `--baseline NAME` compares the results with a saved baseline after the table,
//! `--save-baseline NAME` saves them (`store::baselines`). `--baseline` runs before
//! `--save-baseline`, so one name can be compared and then refreshed in one run. A baseline
//! name that was never saved is an error before the first prove (a typo must not skip the
//! comparison), unless the same name is also `--save-baseline` (compare, then refresh: the
//! first run of such a series has nothing to compare with); a saved one that lacks some of these runs (another machine or settings)
//! is not: the comparison says so and withholds its verdict.
//!
//! Checked before the first prove: the baseline names, every `--elf` loads, the results
//! file is writable and is no input, and a `--resume` file is this plan's (same programs,
//! modes and settings; `measure::plan::check_resume`). With
//! `--format json` the comparison follows the results file as a second JSON document.
//!
//! The progress bar and the per-run lines of every measuring command (`run`, `nightly`,
//! `growth`) are this file's [`BarProgress`].
//!
//! Exit: an error (status 1) after the table when a run failed or proof digests differ.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use prover::fixtures::Catalogue;
use prover::modes::MemoryMode;
use prover::stark::Regime;

use crate::analysis::comparison::{self, Comparison, Footer, Pair, Setup};
use crate::analysis::verdict::{Design, Rules};
use crate::commands::compare::print_comparison;
use crate::commands::format::Format;
use crate::commands::outcome::Outcome;
use crate::commands::predict;
use crate::measure::clock::now_compact;
use crate::measure::plan::{self, InstructionRuns, Plan, Progress, RevisionChange};
pub use crate::measure::program::Selection;
use crate::measure::program::{self, load};
use crate::measure::runner::WorkerResult;
use crate::measure::{cachegrind, revisions};
use crate::model::config::{DEFAULT_FIXTURE, ProveConfig};
use crate::model::program::ProgramSpec;
use crate::model::results::ResultsFile;
use crate::report::breakdown;
use crate::report::mode_table::{self, mode_rows};
use crate::report::units::{group_digits, mib};
use crate::store::outputs::{Input, check_output};
use crate::store::{baselines, names, paths, results};

/// What `bench run` is asked.
#[derive(Clone, Debug)]
pub struct RunRequest {
    /// Fixtures to measure.
    pub fixtures: Vec<String>,
    /// ELF files to measure (on `selection.input`, or on empty input).
    pub elfs: Vec<PathBuf>,
    /// The suite, a group, another catalogue, the ELFs' input.
    pub selection: Selection,
    /// Modes, comma-separated (`None`: every available mode).
    pub modes: Option<String>,
    /// Runs per fixture and mode.
    pub runs: u32,
    /// Table instances in flight at once (`None`: automatic).
    pub table_parallelism: Option<NonZeroUsize>,
    /// The results file (`None`: `target/bench/run-<UTC time>.json`).
    pub out: Option<PathBuf>,
    /// Continue the interrupted run saved in `out`.
    pub resume: bool,
    /// How to print the closing summary.
    pub format: Format,
    /// The soundness regime of the proof parameters.
    pub security: Regime,
    /// Runs under cachegrind per (fixture, mode) for instruction counts (0: none).
    pub instruction_runs: u32,
    /// The `bench` run under cachegrind (`None`: this binary, if valgrind can run it).
    pub instructions_worker: Option<PathBuf>,
    /// log2 of the LDE blowup.
    pub log_blowup: usize,
    /// log2 of the largest table chunk.
    pub log_max_rows: usize,
    /// Whether the workers count heap bytes.
    pub count_alloc: bool,
    /// log2 of the epoch size of `verify-and-drop`.
    pub epoch_log2: u32,
    /// Save the results as this baseline.
    pub save_baseline: Option<String>,
    /// Compare the results with this baseline.
    pub baseline: Option<String>,
    /// The verdict rules of `baseline`.
    pub rules: Rules,
    /// Kill a worker after this long.
    pub timeout: Option<Duration>,
    /// Cap each worker's address space at this many bytes.
    pub max_memory: Option<u64>,
    /// The prove's heap budget in bytes (`--memory-budget`): every mode must take one.
    pub memory_budget: Option<u64>,
    /// A shell command run before each timed run, untimed (`--prepare`).
    pub prepare: Option<String>,
    /// Choose the mode and parallelism by memory budget (`--fit`; one program).
    pub fit: Option<predict::FitRequest>,
}

/// The instruction counts a command asks for: `runs` under cachegrind per (program, mode),
/// by `worker` or this binary (`None` when `runs` is 0). Fails before anything runs when
/// valgrind is missing or cannot run the worker.
pub fn instruction_plan(runs: u32, worker: Option<&Path>) -> Result<Option<InstructionRuns>> {
    if runs == 0 {
        return Ok(None);
    }
    let me = std::env::current_exe().context("cannot find the bench executable")?;
    let worker = match cachegrind::choose_worker(
        cachegrind::find_valgrind(),
        worker,
        &me,
        cachegrind::needs_portable_worker(),
    )? {
        cachegrind::WorkerChoice::Ready(w) => w,
        cachegrind::WorkerChoice::Build(valgrind) => {
            let cwd = std::env::current_dir().context("no working directory")?;
            let root = revisions::toplevel(&cwd).context(
                "the instruction worker is built from the git tree of the working directory",
            )?;
            let places = cachegrind::BuildPlaces {
                root: &root,
                commit_dir: paths::ab_build,
                shared: &paths::ab_shared(&root),
                working_tree_dir: &paths::ab_build(&root, "working-tree"),
            };
            cachegrind::auto_worker(valgrind, places, &mut |l| eprintln!("{l}"))?
        }
    };
    Ok(Some(InstructionRuns { runs, worker }))
}

/// What the runs under valgrind will cost: the fixtures' cycles (from the catalogue) times
/// the measured slowdown (`cachegrind::estimate_seconds`); an ELF's cycles are unknown
/// before it runs. `work` is each program with its number of modes (a shard of `bench run
/// --plan` gives each fixture its own modes).
pub fn estimate_line(work: &[(ProgramSpec, usize)], runs: u32) -> String {
    let catalogue = Catalogue::load_default().ok();
    let mut seconds = 0.0;
    let mut unknown = 0;
    for (p, modes) in work {
        let modes = *modes;
        match (p, &catalogue) {
            (ProgramSpec::Fixture(name), Some(c)) => match c.get(name) {
                Ok(f) => {
                    seconds += modes as f64 * cachegrind::estimate_seconds(f.cycles, runs);
                }
                Err(_) => unknown += 1,
            },
            (ProgramSpec::CatalogueFixture { catalogue, name }, _) => {
                match Catalogue::load(catalogue)
                    .ok()
                    .and_then(|c| c.get(name).ok().cloned())
                {
                    Some(f) => {
                        seconds += modes as f64 * cachegrind::estimate_seconds(f.cycles, runs);
                    }
                    None => unknown += 1,
                }
            }
            _ => unknown += 1,
        }
    }
    let total = runs as usize * work.iter().map(|(_, m)| m).sum::<usize>();
    let mut line = format!(
        "instructions: {total} run(s) under valgrind (callgrind, one thread, ~20-40x a prove): about {} (estimated from the cycles and the slowdown measured on the development machine)",
        duration(seconds)
    );
    if unknown > 0 {
        line.push_str(&format!(", plus {unknown} program(s) of unknown length"));
    }
    line
}

/// `45 s`, `3.2 min`, `1.5 h`.
fn duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// Runs `bench run`.
pub fn measure_modes(request: &RunRequest) -> Result<Outcome> {
    if let Some(name) = &request.save_baseline {
        names::check_name(name).context("--save-baseline")?;
    }
    if let Some(name) = &request.baseline {
        names::check_name(name).context("--baseline")?;
        let dir = Path::new(paths::BASELINES).join(name);
        // `--baseline NAME --save-baseline NAME` compares, then refreshes: its first run
        // has nothing to compare with yet, and says so in the comparison.
        let refreshing = request.save_baseline.as_ref() == Some(name);
        if !dir.is_dir() && !refreshing {
            bail!(
                "--baseline {name}: no baseline of that name ({} does not exist); save one with `bench run --save-baseline {name}`",
                dir.display()
            );
        }
    }
    let programs = programs(request)?;
    let mut modes = modes(request.modes.as_deref())?;
    let mut table_parallelism = request.table_parallelism;
    if let Some(fit) = &request.fit {
        let [program] = &programs[..] else {
            bail!("--fit chooses a mode for one program; name exactly one");
        };
        let config = ProveConfig {
            log_blowup: request.log_blowup,
            log_max_rows: request.log_max_rows,
            table_parallelism: None,
            count_alloc: true,
            epoch_log2: request.epoch_log2,
            security: request.security,
            memory_budget: None,
        };
        let (mode, parallelism) = predict::choose_mode(program, None, &config, fit)?;
        (modes, table_parallelism) = (vec![mode], parallelism);
    }
    let config = ProveConfig {
        log_blowup: request.log_blowup,
        log_max_rows: request.log_max_rows,
        table_parallelism: table_parallelism.map(usize::from),
        count_alloc: request.count_alloc,
        epoch_log2: request.epoch_log2,
        security: request.security,
        memory_budget: request.memory_budget,
    };
    for &mode in &modes {
        mode.check_budget(config.memory_budget)?;
    }
    config
        .params()
        .validate()
        .context("invalid proof parameters")?;
    let instructions = instruction_plan(
        request.instruction_runs,
        request.instructions_worker.as_deref(),
    )?;
    if let Some(i) = &instructions {
        let work: Vec<_> = programs.iter().map(|p| (p.clone(), modes.len())).collect();
        eprintln!("{}", estimate_line(&work, i.runs));
    }
    let path = request
        .out
        .clone()
        .unwrap_or_else(|| paths::results("run", &now_compact()));
    check_outputs(request, &path)?;
    let plan = Plan {
        programs,
        modes,
        runs: request.runs,
        config,
        timeout: request.timeout,
        max_memory: request.max_memory,
        prepare: request.prepare.clone(),
        instructions,
    };
    let mut writer = results::Writer::lock(&path)?;
    let (mut file, change) = plan::open_results(&path, request.resume, &plan.config)?;
    if request.resume {
        plan::check_resume(&file, &path, &plan)?;
    }
    if let Some(change) = change {
        warn_revision(&path, &change);
    }
    eprintln!("results: {}", path.display());
    plan::fill(&mut file, &mut writer, &plan, &mut BarProgress::new())?;

    let rows = mode_rows(&file);
    let title = mode_table::title(&file, &path);
    match request.format {
        Format::Table => print!("{}", mode_table::terminal(&rows, &title)),
        Format::Markdown => print!("{}", mode_table::markdown(&rows, &title)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&file)?),
    }
    if request.format != Format::Json {
        for line in mode_table::instruction_lines(&file) {
            println!("{line}");
        }
        for line in breakdown::peak_lines(&file) {
            println!("{line}");
        }
        for line in predict::beside_measurements(&plan.programs, &plan.config, &file) {
            println!("{line}");
        }
    }
    after_run(request, &file)?;
    let failed: usize = file
        .entries
        .iter()
        .map(|e| e.failures.len() + e.instruction_failures.len())
        .sum();
    let mismatches = file.digest_mismatches();
    if !mismatches.is_empty() {
        let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        bail!("proof digests differ: {}", lines.join("; "));
    }
    if failed > 0 {
        bail!(
            "{failed} run(s) failed; their exit status and stderr are in {}",
            path.display()
        );
    }
    Ok(Outcome::Done)
}

/// The modes `list` asks for, naming on stderr those skipped; an error when none is left.
fn modes(list: Option<&str>) -> Result<Vec<MemoryMode>> {
    let (modes, skipped) = plan::resolve_modes(list)?;
    note_skipped(&skipped);
    if modes.is_empty() {
        bail!("no mode left to run");
    }
    Ok(modes)
}

/// Names on stderr the modes skipped because the prover does not implement them yet.
pub fn note_skipped(skipped: &[MemoryMode]) {
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        eprintln!(
            "note: skipping modes the prover does not implement yet: {}",
            names.join(", ")
        );
    }
}

/// Measures `plan` into a new results file at `path` (saved after every run, as `bench run`
/// does) and returns it. Failed runs are in the file, not an error; the caller decides.
pub fn measure_into(plan: &Plan, path: &Path) -> Result<ResultsFile> {
    let mut writer = results::Writer::lock(path)?;
    let (mut file, _) = plan::open_results(path, false, &plan.config)?;
    eprintln!("results: {}", path.display());
    plan::fill(&mut file, &mut writer, plan, &mut BarProgress::new())?;
    Ok(file)
}

fn warn_revision(path: &Path, c: &RevisionChange) {
    let dirty = |d: bool| if d { " (dirty)" } else { "" };
    eprintln!(
        "warning: {} was started at revision {}{}; the tree is now at {}{}",
        path.display(),
        c.was,
        dirty(c.was_dirty),
        c.now,
        dirty(c.now_dirty),
    );
}

fn programs(request: &RunRequest) -> Result<Vec<ProgramSpec>> {
    let specs = program::select(
        &request.fixtures,
        &request.elfs,
        &request.selection,
        DEFAULT_FIXTURE,
    )?;
    for spec in &specs {
        // Loaded now, so that a file that is no program fails before the first prove.
        if let ProgramSpec::Elf(elf) | ProgramSpec::ElfWithInput { path: elf, .. } = spec {
            load(spec, None).with_context(|| format!("--elf {}", elf.display()))?;
        }
    }
    Ok(specs)
}

/// Checks the results file `path` before the first prove: never one of the inputs (an
/// `--elf`, the `--instructions-worker`), never a folder, and writable now
/// (`store::outputs`). Whether it may exist is `--resume`'s question (`plan::open_results`).
fn check_outputs(request: &RunRequest, path: &Path) -> Result<()> {
    let mut inputs: Vec<Input> = request
        .elfs
        .iter()
        .map(|p| Input {
            flag: "--elf",
            path: p,
        })
        .collect();
    if let Some(w) = &request.instructions_worker {
        inputs.push(Input {
            flag: "--instructions-worker",
            path: w,
        });
    }
    check_output("--out", path, &inputs, true)?;
    Ok(())
}

/// The progress of a measurement on stderr: a bar with the run in progress, and one line
/// per finished run (plain lines when stderr is not a terminal).
#[derive(Debug)]
pub struct BarProgress {
    bar: ProgressBar,
}

impl BarProgress {
    /// A bar not shown yet.
    pub fn new() -> Self {
        Self {
            bar: ProgressBar::hidden(),
        }
    }
}

impl Default for BarProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for BarProgress {
    fn start(&mut self, total: u64) {
        self.bar = ProgressBar::new(total);
        self.bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:28} {pos}/{len} {msg}  ETA {eta}",
            )
            .expect("a valid template"),
        );
        self.bar.enable_steady_tick(Duration::from_millis(250));
    }

    fn run_started(&mut self, program: &str, mode: MemoryMode, attempt: usize, runs: u32) {
        self.bar
            .set_message(format!("{program} · {mode} (run {attempt} of {runs})"));
    }

    fn run_ended(&mut self, program: &str, mode: MemoryMode, result: &WorkerResult) {
        let line = match result {
            WorkerResult::Ok(r) => match r.instructions {
                Some(n) => format!(
                    "✓ {program} {mode}: {} instructions (under cachegrind, {:.1} s)",
                    group_digits(n),
                    r.prove_seconds
                ),
                None => format!(
                    "✓ {program} {mode}: {} s, peak heap {}",
                    format_args!("{:.3}", r.prove_seconds),
                    mib(r.peak_heap_bytes)
                ),
            },
            WorkerResult::Failed(f) => match error_lines(&f.stderr_tail) {
                Some(why) => format!("✗ {program} {mode}: {}: {why}", f.reason),
                None => format!("✗ {program} {mode}: {}", f.reason),
            },
        };
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
        self.bar.inc(1);
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Lines of a failed worker's stderr to show on the terminal: from its `Error:` line (the
/// loader's or the prover's message and its causes), or else its last line, at most
/// [`ERROR_LINES`] lines; `None` when it wrote nothing.
fn error_lines(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    let from = lines
        .iter()
        .position(|l| l.starts_with("Error:"))
        .or_else(|| lines.len().checked_sub(1))?;
    Some(
        lines[from..]
            .iter()
            .take(ERROR_LINES)
            .copied()
            .collect::<Vec<_>>()
            .join(" / "),
    )
}

/// At most this many lines of a failed worker's error reach the terminal (all of its
/// stderr tail is in the results file).
const ERROR_LINES: usize = 3;

/// Compares `fresh` with the baseline `name` under `root`.
pub fn compare_with_baseline(
    root: &Path,
    name: &str,
    fresh: &ResultsFile,
    rules: Rules,
) -> Result<Comparison> {
    let mut saved: Vec<Option<ResultsFile>> = Vec::new();
    for e in &fresh.entries {
        let b = baselines::load(root, name, fresh, e)?;
        if let Some(b) = &b {
            let what = || format!("cannot compare with baseline `{name}`");
            comparison::check_config(&b.config, &fresh.config).with_context(what)?;
            if let Some(be) = b.entries.first() {
                comparison::check_cycles(be, e).with_context(what)?;
            }
        }
        saved.push(b);
    }
    let pairs: Vec<Pair> = fresh
        .entries
        .iter()
        .zip(&saved)
        .map(|(head, b)| Pair {
            base: b.as_ref().and_then(|b| b.entries.first()),
            head,
        })
        .collect();
    let source = match saved.iter().flatten().next() {
        Some(b) => format!(
            "saved baseline `{name}` ({}, {})",
            b.machine.short_commit(),
            b.created
        ),
        None => format!("saved baseline `{name}` (not found)"),
    };
    let setup = Setup {
        base_label: format!("baseline {name}"),
        head_label: "this run".into(),
        design: Design::Independent,
        rules,
        table_parallelism: fresh.config.table_parallelism,
        same_machine: true,
        warnings: Vec::new(),
        footer: Footer {
            commit: fresh.machine.short_commit(),
            baseline: source,
            runner: fresh.machine.describe(),
        },
    };
    Ok(comparison::build(&pairs, setup)?)
}

/// What `bench run` does at its end: compare with `--baseline`, then `--save-baseline`.
fn after_run(request: &RunRequest, file: &ResultsFile) -> Result<()> {
    let root = Path::new(paths::BASELINES);
    if let Some(name) = &request.baseline {
        request.rules.validate()?;
        let c = compare_with_baseline(root, name, file, request.rules)?;
        if c.sections
            .iter()
            .flat_map(|s| &s.entries)
            .any(|e| e.unavailable.is_some())
        {
            eprintln!(
                "note: baseline `{name}` lacks some of these runs on this machine and settings; save one with `bench run --save-baseline {name}`"
            );
        }
        if request.format != Format::Json {
            println!();
        }
        print_comparison(&c, request.format)?;
    }
    if let Some(name) = &request.save_baseline {
        let paths = baselines::save(root, name, file)?;
        eprintln!(
            "saved baseline `{name}`: {} entr{} under {}",
            paths.len(),
            if paths.len() == 1 { "y" } else { "ies" },
            root.join(name).display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::verdict::{Unavailable, Verdict, Withholding};
    use crate::testing::file;

    #[test]
    fn a_failed_runs_error_reaches_the_terminal() {
        let tail = "note: x\nError: cannot load a.elf: not an ELF file: magic bytes 68 69 0a 00\n";
        assert_eq!(
            error_lines(tail).unwrap(),
            "Error: cannot load a.elf: not an ELF file: magic bytes 68 69 0a 00"
        );
        assert_eq!(error_lines("a\nb\n\n").unwrap(), "b");
        assert_eq!(error_lines(""), None);
    }

    #[test]
    fn save_then_compare_and_missing_baselines() {
        let root = std::env::temp_dir().join(format!("bench-baseline-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let base = file(&[10.0, 10.0, 10.1], 100 << 20);
        baselines::save(&root, "main", &base).unwrap();

        let slower = file(&[12.0, 12.0, 12.1], 100 << 20);
        let c = compare_with_baseline(&root, "main", &slower, Rules::default()).unwrap();
        assert!(c.verdict.is_regression(), "{:?}", c.verdict);
        assert!(c.footer.baseline.starts_with("saved baseline `main` (abc,"));

        // Another machine finds no baseline: the verdict is withheld.
        let mut elsewhere = slower.clone();
        elsewhere.machine.cores = 64;
        let c = compare_with_baseline(&root, "main", &elsewhere, Rules::default()).unwrap();
        assert_eq!(
            c.verdict,
            Verdict::Withheld {
                why: vec![Withholding::Unavailable(Unavailable::NoBaseline(
                    "fib · default".into()
                ))]
            }
        );
        assert!(c.footer.baseline.ends_with("(not found)"));

        // Another epoch size finds no baseline either (it is part of the key) ...
        let mut epochs = slower.clone();
        epochs.config.epoch_log2 = 14;
        let c = compare_with_baseline(&root, "main", &epochs, Rules::default()).unwrap();
        assert!(c.footer.baseline.ends_with("(not found)"));
        // ... and one saved under a key without it is refused by the guards.
        let stale = root
            .join("main")
            .join(baselines::file_name(&base, &base.entries[0]));
        let mut old = ResultsFile::load(&stale).unwrap();
        old.config.epoch_log2 = 14;
        results::save(&stale, &old).unwrap();
        let e = compare_with_baseline(&root, "main", &slower, Rules::default()).unwrap_err();
        assert!(format!("{e:#}").contains("epoch log2 differs"), "{e:#}");
        old.config.epoch_log2 = base.config.epoch_log2;
        results::save(&stale, &old).unwrap();

        // Same key, other settings: refused by the guards.
        let mut blowup = slower.clone();
        blowup.config.log_blowup = 2;
        let e = compare_with_baseline(&root, "main", &blowup, Rules::default()).unwrap_err();
        assert!(format!("{e:#}").contains("log blowup differs"), "{e:#}");
        std::fs::remove_dir_all(root).unwrap();
    }
}
