//! Measuring a [`Plan`]: every program in every mode, `runs` times each, interleaved over
//! fresh workers ([`runner::schedule`]), the results file saved after every run; then, when
//! the plan asks for instruction counts, the runs under cachegrind, interleaved the same way
//! and kept apart in each entry; and resuming an interrupted results file, whose runs
//! (failed ones included) count towards `runs`, so only the missing ones are made.
//!
//! Modes: [`resolve_modes`] turns a `--modes` list into the modes to run. Without a list,
//! every mode the prover implements. `all` stands for every mode and the full streaming
//! combination; the ones the prover does not implement yet are skipped (and named). A mode
//! named explicitly that the prover lacks is an error before anything runs.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use prover::modes::{MemoryMode, ModeError};
use thiserror::Error;

use crate::analysis::summary::resummarize;
use crate::measure::cachegrind::{self, InstructionWorker};
use crate::measure::clock::now_rfc3339;
use crate::measure::machine;
use crate::measure::memory_check;
use crate::measure::runner::{self, WorkerCommand, WorkerResult};
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use crate::model::results::{ResultsError, ResultsFile, ResultsSink, SaveError};

/// What to measure: every program in every mode, `runs` times each, with shared settings.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The programs, in order.
    pub programs: Vec<ProgramSpec>,
    /// The modes, in order.
    pub modes: Vec<MemoryMode>,
    /// Runs per (program, mode), failed ones included.
    pub runs: u32,
    /// Proof and measurement settings of every run.
    pub config: ProveConfig,
    /// Kill a worker after this long.
    pub timeout: Option<Duration>,
    /// Cap each worker's address space at this many bytes (`bench prove --max-memory`).
    pub max_memory: Option<u64>,
    /// A shell command run before each timed run, untimed (`--prepare`,
    /// [`runner::prepare`]); its failure stops the measurement, the runs so far saved.
    pub prepare: Option<String>,
    /// Runs under cachegrind per (program, mode), and what runs them; `None`: no
    /// instruction counts.
    pub instructions: Option<InstructionRuns>,
}

/// The instruction counts a plan asks for.
#[derive(Clone, Debug)]
pub struct InstructionRuns {
    /// Runs per (program, mode), failed ones included.
    pub runs: u32,
    /// Valgrind and the worker it runs.
    pub worker: InstructionWorker,
}

/// What a measurement tells as it goes.
pub trait Progress {
    /// `total` runs are about to be made.
    fn start(&mut self, total: u64);
    /// A run of (`program`, `mode`) starts: attempt `attempt` (1-based) of `runs`.
    fn run_started(&mut self, program: &str, mode: MemoryMode, attempt: usize, runs: u32);
    /// That run ended with `result` (already saved).
    fn run_ended(&mut self, program: &str, mode: MemoryMode, result: &WorkerResult);
    /// Every run is made.
    fn finish(&mut self);
}

/// The results file to resume was started at another revision than the tree's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionChange {
    /// The revision the file was started at.
    pub was: String,
    /// Whether that tree was dirty.
    pub was_dirty: bool,
    /// The tree's revision now.
    pub now: String,
    /// Whether it is dirty now.
    pub now_dirty: bool,
}

/// Why a plan could not be measured.
#[derive(Debug, Error)]
pub enum PlanError {
    /// This process's executable (the worker) cannot be found.
    #[error("cannot find the bench executable")]
    Exe(#[source] std::io::Error),
    /// The results file cannot be read or written.
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// The results file cannot be saved.
    #[error(transparent)]
    Save(#[from] SaveError),
    /// A new results file would overwrite one.
    #[error(
        "{} already exists: pass --resume to continue it, or choose another --out",
        path.display()
    )]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file to resume has other settings.
    #[error("cannot resume {}: it was run with {}", path.display(), differences.join(", "))]
    Settings {
        /// The file.
        path: PathBuf,
        /// Each differing setting, by its flag: `--security conjectured (this run asks for
        /// provable)`.
        differences: Vec<String>,
    },
    /// The file to resume holds another plan's programs or modes.
    #[error(
        "cannot resume {}: it is another plan's file ({}); resume with the same --fixture/--elf and --modes, or choose another --out",
        path.display(), differences.join("; ")
    )]
    OtherPlan {
        /// The file.
        path: PathBuf,
        /// What differs: the (program · mode) pairs only one side has.
        differences: Vec<String>,
    },
    /// The `--prepare` command failed.
    #[error(transparent)]
    Prepare(#[from] runner::PrepareError),
    /// Entries are predicted not to fit in the memory available (no `--max-memory`).
    #[error(transparent)]
    Memory(#[from] crate::measure::memory_check::MemoryCheckError),
    /// The file to resume was measured on another machine.
    #[error("cannot resume {}: it was measured on {was}, this is {is}", path.display())]
    Machine {
        /// The file.
        path: PathBuf,
        /// Its machine key.
        was: String,
        /// This machine's key.
        is: String,
    },
}

/// The modes `list` asks for (see the module docs), with those skipped.
pub fn resolve_modes(list: Option<&str>) -> Result<(Vec<MemoryMode>, Vec<MemoryMode>), ModeError> {
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

/// A new results file for `config` on this machine, or (`resume`) the one at `path`,
/// checked against `config` and this machine; with the revision change to warn about.
pub fn open_results(
    path: &Path,
    resume: bool,
    config: &ProveConfig,
) -> Result<(ResultsFile, Option<RevisionChange>), PlanError> {
    let machine = machine::detect();
    if !resume {
        if path.exists() {
            return Err(PlanError::Exists {
                path: path.to_path_buf(),
            });
        }
        return Ok((
            ResultsFile::new(machine, config.clone(), now_rfc3339()),
            None,
        ));
    }
    let file = ResultsFile::load(path)?;
    if &file.config != config {
        return Err(PlanError::Settings {
            path: path.to_path_buf(),
            differences: setting_differences(&file.config, config),
        });
    }
    if file.machine.key() != machine.key() {
        return Err(PlanError::Machine {
            path: path.to_path_buf(),
            was: file.machine.key(),
            is: machine.key(),
        });
    }
    let change = (file.machine.git_sha != machine.git_sha
        || file.machine.git_dirty != machine.git_dirty)
        .then(|| RevisionChange {
            was: file.machine.git_sha.clone(),
            was_dirty: file.machine.git_dirty,
            now: machine.git_sha.clone(),
            now_dirty: machine.git_dirty,
        });
    Ok((file, change))
}

/// The settings of `file` that differ from `asked`, each named by its flag.
fn setting_differences(file: &ProveConfig, asked: &ProveConfig) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |flag: &str, was: String, now: String| {
        if was != now {
            out.push(format!("{flag} {was} (this run asks for {now})"));
        }
    };
    differ(
        "--security",
        file.security.to_string(),
        asked.security.to_string(),
    );
    differ(
        "--log-blowup",
        file.log_blowup.to_string(),
        asked.log_blowup.to_string(),
    );
    differ(
        "--log-max-rows",
        file.log_max_rows.to_string(),
        asked.log_max_rows.to_string(),
    );
    let k = |c: &ProveConfig| crate::model::config::parallelism_label(c.table_parallelism);
    differ("--table-parallelism", k(file), k(asked));
    differ(
        "--epoch-log2",
        file.epoch_log2.to_string(),
        asked.epoch_log2.to_string(),
    );
    let counting = |c: &ProveConfig| if c.count_alloc { "off" } else { "on" }.to_string();
    differ("--no-count-alloc", counting(file), counting(asked));
    out
}

/// Checks that `file`, opened with `--resume` at `path`, is `plan`'s: it holds exactly the
/// (program, mode) pairs the plan asks for. (Every pair's entry is made before the first
/// run is saved, so an interrupted file of the same plan holds them all.)
pub fn check_resume(file: &ResultsFile, path: &Path, plan: &Plan) -> Result<(), PlanError> {
    let wanted: Vec<(String, MemoryMode)> = plan
        .programs
        .iter()
        .flat_map(|p| plan.modes.iter().map(move |&m| (p.name(), m)))
        .collect();
    let mut differences = Vec::new();
    for (name, mode) in &wanted {
        if file.entry(name, *mode).is_none() {
            differences.push(format!("this run asks for {name} · {mode}, which it lacks"));
        }
    }
    for e in &file.entries {
        if !wanted.iter().any(|(n, m)| *n == e.fixture && *m == e.mode) {
            differences.push(format!(
                "it holds {} · {}, which this run does not ask for",
                e.fixture, e.mode
            ));
        }
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(PlanError::OtherPlan {
            path: path.to_path_buf(),
            differences,
        })
    }
}

/// Makes the runs `plan` asks for that `file` lacks, interleaved, saving `file` through
/// `sink` after each. Failed runs are in the file, not an error; the caller decides.
pub fn fill(
    file: &mut ResultsFile,
    sink: &mut dyn ResultsSink,
    plan: &Plan,
    progress: &mut dyn Progress,
) -> Result<(), PlanError> {
    let exe = std::env::current_exe().map_err(PlanError::Exe)?;
    let mut jobs = Vec::new();
    let mut keys = Vec::new();
    let mut counts = Vec::new();
    let instruction_runs = plan.instructions.as_ref().map_or(0, |i| i.runs);
    for p in &plan.programs {
        for &mode in &plan.modes {
            let command = WorkerCommand {
                program: p,
                mode: Some(mode),
                settings: Some(&plan.config),
                table_parallelism: plan.config.table_parallelism,
                max_memory: plan.max_memory,
                count_alloc: plan.config.count_alloc,
            };
            let job = command.job(&exe);
            let entry = file.entry_mut(&p.name(), mode);
            let done = [entry.attempts(), entry.instruction_attempts()];
            let kinds = [
                (Kind::Timed, plan.runs),
                (Kind::Instructions, instruction_runs),
            ];
            for ((kind, runs), done) in kinds.into_iter().zip(done) {
                counts.push((runs as usize).saturating_sub(done));
                jobs.push((kind, job.clone()));
                keys.push((p.name(), mode, runs));
            }
        }
    }
    // Before the first prove: every entry with runs to make must fit (unless capped), and
    // then its workers need not check again.
    if plan.max_memory.is_none() {
        let per_program = plan.modes.len();
        let entries: Vec<(&ProgramSpec, Vec<MemoryMode>)> = plan
            .programs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let todo = plan.modes.iter().enumerate().filter(|&(m, _)| {
                    let at = 2 * (i * per_program + m);
                    counts[at] + counts[at + 1] > 0
                });
                (p, todo.map(|(_, &mode)| mode).collect())
            })
            .collect();
        let parallelism = plan.config.table_parallelism.and_then(NonZeroUsize::new);
        memory_check::check_plan(&entries, &plan.config, parallelism)?;
        for (_, job) in &mut jobs {
            job.env.push((memory_check::CHECKED_ENV.into(), "1".into()));
        }
    }
    // Timed runs first, interleaved; then the runs under cachegrind, interleaved.
    let of_kind = |kind: Kind| -> Vec<usize> {
        counts
            .iter()
            .zip(&jobs)
            .map(|(&n, (k, _))| if *k == kind { n } else { 0 })
            .collect()
    };
    let mut order = runner::schedule(&of_kind(Kind::Timed));
    order.extend(runner::schedule(&of_kind(Kind::Instructions)));
    let first = next_sequence(file);
    progress.start(order.len() as u64);
    for (sequence, &j) in (first..).zip(&order) {
        let (name, mode, runs) = &keys[j];
        let (kind, job) = &jobs[j];
        let entry = file.entry_mut(name, *mode);
        let already = match kind {
            Kind::Timed => entry.attempts(),
            Kind::Instructions => entry.instruction_attempts(),
        };
        if let (Kind::Timed, Some(command)) = (kind, &plan.prepare) {
            runner::prepare(command)?;
        }
        progress.run_started(name, *mode, already + 1, *runs);
        let result = match (kind, &plan.instructions) {
            (Kind::Instructions, Some(i)) => {
                cachegrind::run_counted(job, &i.worker, sequence, plan.timeout)
            }
            _ => runner::run_worker(job, sequence, plan.timeout),
        };
        let entry = file.entry_mut(name, *mode);
        let (runs, failures) = match kind {
            Kind::Timed => (&mut entry.runs, &mut entry.failures),
            Kind::Instructions => (&mut entry.instruction_runs, &mut entry.instruction_failures),
        };
        match &result {
            WorkerResult::Ok(r) => runs.push((**r).clone()),
            WorkerResult::Failed(f) => failures.push(f.clone()),
        }
        resummarize(entry);
        sink.save(file)?;
        progress.run_ended(name, *mode, &result);
    }
    progress.finish();
    Ok(())
}

/// A timed run, or a run under cachegrind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Timed,
    Instructions,
}

/// The schedule position after the last one in `file`.
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

    #[test]
    fn a_resumed_file_must_be_the_same_plan_and_settings() {
        let file = crate::testing::file(&[1.0, 2.0], 5);
        let entry = &file.entries[0];
        let plan = |programs: Vec<&str>, modes: Vec<MemoryMode>| Plan {
            programs: programs
                .into_iter()
                .map(|p| ProgramSpec::Fixture(p.into()))
                .collect(),
            modes,
            runs: 3,
            config: file.config.clone(),
            timeout: None,
            max_memory: None,
            prepare: None,
            instructions: None,
        };
        let same = plan(vec![&entry.fixture], vec![entry.mode]);
        check_resume(&file, Path::new("r.json"), &same).unwrap();
        let more = plan(vec![&entry.fixture, "other"], vec![entry.mode]);
        let e = check_resume(&file, Path::new("r.json"), &more).unwrap_err();
        assert!(
            e.to_string()
                .contains("asks for other · default, which it lacks"),
            "{e}"
        );
        let fewer = plan(vec!["other"], vec![entry.mode]);
        let e = check_resume(&file, Path::new("r.json"), &fewer).unwrap_err();
        assert!(
            e.to_string().contains("which this run does not ask for"),
            "{e}"
        );

        let mut asked = file.config.clone();
        asked.security = prover::stark::Regime::Provable;
        asked.log_blowup = 3;
        assert_eq!(
            setting_differences(&file.config, &asked),
            [
                "--security conjectured (this run asks for provable)",
                "--log-blowup 1 (this run asks for 3)"
            ]
        );
    }

    #[test]
    fn sequences_continue_after_the_saved_runs() {
        let mut f = crate::testing::file(&[1.0, 2.0], 5);
        assert_eq!(next_sequence(&f), 0);
        f.entries[0].runs[1].sequence = Some(4);
        assert_eq!(next_sequence(&f), 5);
    }
}
