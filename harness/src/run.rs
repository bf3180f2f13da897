//! `bench run`: measures fixtures in memory modes over fresh worker processes, saving every
//! finished run at once, and closes with the mode table.
//!
//! Plan: each (program, mode) pair is a job with `--runs` runs; [`runner::schedule`]
//! interleaves them. With `--resume` the results file's runs (failed ones included) count
//! towards `--runs`, so only the missing ones are made; the file's settings and machine
//! must match.
//!
//! Modes: without `--modes`, every mode the prover implements. `all` stands for every mode
//! and the full streaming combination; the ones the prover does not implement yet are
//! skipped with a notice on stderr. A mode named explicitly that the prover lacks is an
//! error before anything runs.
//!
//! Baselines: `--baseline NAME` compares the results with a saved baseline after the table,
//! `--save-baseline NAME` saves them (see [`crate::baseline`]).
//!
//! Exit: an error (status 1) after the table when a run failed or proof digests differ.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use prover::fixtures::Catalogue;
use prover::modes::MemoryMode;

use crate::cli::{Format, RunArgs};
use crate::machine::Machine;
use crate::render::{self, mode_rows};
use crate::results::{ResultsFile, RunConfig};
use crate::runner::{self, Job, Outcome};

/// The fixture `bench run` measures when none is named: small enough for about a minute in
/// every mode on 2 cores.
pub const DEFAULT_FIXTURE: &str = "fib_iterative_64k";

/// A program to measure: a fixture name or an ELF path.
#[derive(Clone, Debug)]
pub enum Program {
    /// A fixture of the catalogue, by name.
    Fixture(String),
    /// An ELF file, run on empty input.
    Elf(PathBuf),
}

impl Program {
    /// The name its results are filed under.
    pub fn name(&self) -> String {
        match self {
            Program::Fixture(n) => n.clone(),
            Program::Elf(p) => p.display().to_string(),
        }
    }

    fn args(&self) -> [OsString; 2] {
        match self {
            Program::Fixture(n) => ["--fixture".into(), n.into()],
            Program::Elf(p) => ["--elf".into(), p.into()],
        }
    }
}

/// The modes `list` asks for (see the module docs), with the names of those skipped.
pub fn resolve_modes(list: Option<&str>) -> Result<(Vec<MemoryMode>, Vec<MemoryMode>)> {
    let explicit_all = list.is_some_and(|l| l.split(',').any(|m| m.trim() == "all"));
    let modes = match list {
        None => MemoryMode::all(),
        Some(l) => MemoryMode::parse_list(l)?,
    };
    if list.is_some() && !explicit_all {
        for m in &modes {
            m.check_available()?;
        }
        return Ok((modes, Vec::new()));
    }
    let (ok, skipped): (Vec<_>, Vec<_>) =
        modes.into_iter().partition(|m| m.check_available().is_ok());
    // Explicitly named modes next to `all` must still exist.
    if let Some(l) = list {
        for item in l.split(',').map(str::trim).filter(|&i| i != "all") {
            item.parse::<MemoryMode>()?.check_available()?;
        }
    }
    Ok((ok, skipped))
}

/// Runs `bench run`.
pub fn run(args: &RunArgs) -> Result<()> {
    for name in args.baseline.iter().chain(&args.save_baseline) {
        crate::baseline::check_name(name)?;
    }
    let programs = programs(args)?;
    let (modes, skipped) = resolve_modes(args.modes.as_deref())?;
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        eprintln!(
            "note: skipping modes the prover does not implement yet: {}",
            names.join(", ")
        );
    }
    if modes.is_empty() {
        bail!("no mode left to run");
    }
    let timeout = args.worker.timeout;
    let config = RunConfig {
        log_blowup: args.log_blowup,
        log_max_rows: args.log_max_rows,
        table_parallelism: args.table_parallelism.map(usize::from),
        count_alloc: !args.no_count_alloc,
        epoch_log2: args.epoch_log2,
    };
    prover::stark::StarkParams {
        log_blowup: args.log_blowup,
        log_max_rows: args.log_max_rows,
        ..Default::default()
    }
    .validate()
    .context("invalid proof parameters")?;
    let path = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "target/bench/run-{}.json",
            crate::clock::now_compact()
        ))
    });
    let mut file = open_results(&path, args.resume, &config)?;
    eprintln!("results: {}", path.display());
    let plan = Plan {
        programs,
        modes,
        runs: args.runs,
        config,
        timeout,
        max_memory: args.worker.max_memory,
    };
    fill(&mut file, &path, &plan)?;

    print_report(&file, &path, args.format)?;
    crate::baseline::after_run(args, &file)?;
    let failed: usize = file.entries.iter().map(|e| e.failures.len()).sum();
    let mismatches = file.digest_mismatches();
    if !mismatches.is_empty() {
        bail!("proof digests differ: {}", mismatches.join("; "));
    }
    if failed > 0 {
        bail!(
            "{failed} run(s) failed; their exit status and stderr are in {}",
            path.display()
        );
    }
    Ok(())
}

/// What to measure: every program in every mode, `runs` times each, with shared settings.
/// `bench run` builds one from its arguments; `bench nightly` and `bench growth` build their
/// own and call [`measure`].
#[derive(Clone, Debug)]
pub struct Plan {
    /// The programs, in order.
    pub programs: Vec<Program>,
    /// The modes, in order.
    pub modes: Vec<MemoryMode>,
    /// Runs per (program, mode), failed ones included.
    pub runs: u32,
    /// Proof and measurement settings of every run.
    pub config: RunConfig,
    /// Kill a worker after this long.
    pub timeout: Option<Duration>,
    /// Cap each worker's address space at this many bytes (`bench prove --max-memory`).
    pub max_memory: Option<u64>,
}

/// Measures `plan` into a new results file at `path` (saved after every run, as `bench run`
/// does) and returns it. Failed runs are in the file, not an error; the caller decides.
pub fn measure(plan: &Plan, path: &Path) -> Result<ResultsFile> {
    let mut file = open_results(path, false, &plan.config)?;
    eprintln!("results: {}", path.display());
    fill(&mut file, path, plan)?;
    Ok(file)
}

/// [`measure`] into a new file `target/bench/{stem}-{UTC time}.json`.
pub fn measure_new(plan: &Plan, stem: &str) -> Result<ResultsFile> {
    let path = PathBuf::from(format!(
        "target/bench/{stem}-{}.json",
        crate::clock::now_compact()
    ));
    measure(plan, &path)
}

/// Makes the runs `plan` asks for that `file` lacks, interleaved, saving after each.
fn fill(file: &mut ResultsFile, path: &Path, plan: &Plan) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the bench executable")?;
    let mut jobs = Vec::new();
    let mut keys = Vec::new();
    let mut counts = Vec::new();
    for p in &plan.programs {
        for &mode in &plan.modes {
            let done = file.entry_mut(&p.name(), mode).attempts();
            counts.push((plan.runs as usize).saturating_sub(done));
            jobs.push(worker_job(&exe, p, mode, &plan.config, plan.max_memory));
            keys.push((p.name(), mode));
        }
    }
    let order = runner::schedule(&counts);
    let first = next_sequence(file);
    let bar = progress(order.len() as u64);
    for (sequence, &j) in (first..).zip(&order) {
        let (name, mode) = &keys[j];
        let already = file.entry_mut(name, *mode).attempts();
        bar.set_message(format!(
            "{name} · {mode} (run {} of {})",
            already + 1,
            plan.runs
        ));
        let outcome = runner::run_worker(&jobs[j], sequence, plan.timeout);
        let line = match &outcome {
            Outcome::Ok(r) => format!(
                "✓ {name} {mode}: {} s, peak heap {}",
                format_args!("{:.3}", r.prove_seconds),
                render::mib(r.peak_heap_bytes)
            ),
            Outcome::Failed(f) => format!("✗ {name} {mode}: {}", f.reason),
        };
        let entry = file.entry_mut(name, *mode);
        match outcome {
            Outcome::Ok(r) => entry.runs.push(*r),
            Outcome::Failed(f) => entry.failures.push(f),
        }
        entry.resummarize();
        file.save(path)?;
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

fn programs(args: &RunArgs) -> Result<Vec<Program>> {
    let mut out: Vec<Program> = Vec::new();
    let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
    for name in &args.fixture {
        catalogue.get(name)?;
        out.push(Program::Fixture(name.clone()));
    }
    for elf in &args.elf {
        if !elf.is_file() {
            bail!("no ELF file at {}", elf.display());
        }
        out.push(Program::Elf(elf.clone()));
    }
    if out.is_empty() {
        out.push(Program::Fixture(DEFAULT_FIXTURE.to_string()));
    }
    Ok(out)
}

fn worker_job(
    exe: &Path,
    program: &Program,
    mode: MemoryMode,
    config: &RunConfig,
    max_memory: Option<u64>,
) -> Job {
    let mut a: Vec<OsString> = vec!["prove".into(), "--json".into()];
    a.extend(program.args());
    a.extend([
        "--mode".into(),
        mode.to_string().into(),
        "--log-blowup".into(),
        config.log_blowup.to_string().into(),
        "--log-max-rows".into(),
        config.log_max_rows.to_string().into(),
        "--epoch-log2".into(),
        config.epoch_log2.to_string().into(),
    ]);
    if let Some(k) = config.table_parallelism {
        a.extend(["--table-parallelism".into(), k.to_string().into()]);
    }
    if let Some(bytes) = max_memory {
        let gib = bytes as f64 / (1u64 << 30) as f64;
        a.extend(["--max-memory".into(), gib.to_string().into()]);
    }
    let env = if config.count_alloc {
        Vec::new()
    } else {
        vec![(crate::alloc::COUNT_ALLOC_ENV.into(), "0".into())]
    };
    Job {
        exe: exe.to_path_buf(),
        args: a,
        env,
    }
}

/// A new results file, or the one to resume (checked against `config` and this machine).
fn open_results(path: &Path, resume: bool, config: &RunConfig) -> Result<ResultsFile> {
    let machine = Machine::detect();
    if !resume {
        if path.exists() {
            bail!(
                "{} already exists: pass --resume to continue it, or choose another --out",
                path.display()
            );
        }
        return Ok(ResultsFile::new(machine, config.clone()));
    }
    let file = ResultsFile::load(path)?;
    if &file.config != config {
        bail!(
            "cannot resume {}: it was run with {:?}, this run asks for {:?}",
            path.display(),
            file.config,
            config
        );
    }
    if file.machine.key() != machine.key() {
        bail!(
            "cannot resume {}: it was measured on {}, this is {}",
            path.display(),
            file.machine.key(),
            machine.key()
        );
    }
    if file.machine.git_sha != machine.git_sha || file.machine.git_dirty != machine.git_dirty {
        eprintln!(
            "warning: {} was started at revision {}{}; the tree is now at {}{}",
            path.display(),
            file.machine.git_sha,
            if file.machine.git_dirty {
                " (dirty)"
            } else {
                ""
            },
            machine.git_sha,
            if machine.git_dirty { " (dirty)" } else { "" },
        );
    }
    Ok(file)
}

fn next_sequence(file: &ResultsFile) -> usize {
    file.entries
        .iter()
        .flat_map(|e| {
            e.runs
                .iter()
                .filter_map(|r| r.sequence)
                .chain(e.failures.iter().map(|f| f.sequence))
        })
        .max()
        .map_or(0, |m| m + 1)
}

fn progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:28} {pos}/{len} {msg}  ETA {eta}",
        )
        .expect("a valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

fn print_report(file: &ResultsFile, path: &Path, format: Format) -> Result<()> {
    let rows = mode_rows(file);
    let title = format!(
        "Median of {} run(s) per mode · {} · {}",
        file.entries.iter().map(|e| e.attempts()).max().unwrap_or(0),
        file.machine.describe(),
        path.display()
    );
    match format {
        Format::Table => print!("{}", render::table::render(&rows, &title)),
        Format::Markdown => print!("{}", render::markdown::render(&rows, &title)),
        Format::Json => println!("{}", serde_json::to_string_pretty(file)?),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_default_to_the_available_ones() {
        let (modes, skipped) = resolve_modes(None).unwrap();
        assert!(modes.contains(&MemoryMode::DEFAULT));
        assert!(modes.iter().all(|m| m.check_available().is_ok()));
        assert_eq!(modes.len() + skipped.len(), MemoryMode::all().len());
        assert_eq!(resolve_modes(Some("all")).unwrap().0, modes);
    }

    #[test]
    fn unknown_modes_are_errors_and_every_mode_is_available() {
        let e = resolve_modes(Some("default,warp")).unwrap_err();
        assert!(e.to_string().contains("`warp`"), "{e}");
        let (modes, skipped) = resolve_modes(Some("verify-and-drop+stream-lde")).unwrap();
        assert_eq!(modes.len(), 1);
        assert!(skipped.is_empty());
        assert!(resolve_modes(Some("all")).unwrap().1.is_empty());
    }
}
