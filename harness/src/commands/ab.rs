//! `bench ab --base REV --head REV`: builds both revisions in git worktrees, runs their
//! workers in A B B A pairs on this machine, and compares them with paired statistics.
//!
//! * **Worktrees and the build cache.** Each revision resolves to a commit `SHA`; its tree is
//!   `git worktree add --detach target/bench/ab/SHA/src SHA` (under the repository root), built
//!   with `cargo build --release -p harness` into the cargo folder every revision shares,
//!   `CARGO_TARGET_DIR=target/bench/ab/shared/target` (so dependencies compile once), and its
//!   worker copied to `target/bench/ab/SHA/target/release/bench` (`measure::revisions`). A
//!   commit never changes, so a finished build (marked by `target/bench/ab/SHA/built`) is
//!   reused by every later `bench ab` naming the same commit. `HEAD` means the committed
//!   `HEAD`, not uncommitted changes. Base and head at the same commit is an A/A run: a
//!   measurement of the noise.
//! * **Pairs.** Each fixture (`--fixture`, comma-separated or repeated) in each mode is a
//!   job. Pair `i` runs both sides of every job once, A then B for even `i`, B then A for
//!   odd `i` (A B B A A B ...), so a slow drift of the machine hits both sides alike. Each run is a
//!   fresh worker, `<that build>/bench prove --json ...`, through `measure::runner`.
//!   A pair with a failed run is left out of the statistics (the failure is reported).
//! * **Statistics** (`Design::Paired`): prove time is judged from the paired log ratios
//!   (`analysis::time_rule`: a t interval of their mean, three outcomes), so the drift
//!   between pairs, which pairing cancels, is not counted as noise. Heap and instruction
//!   counts are judged like everywhere else. The output says how many pairs would settle an
//!   inconclusive time, and how many a change of twice the threshold needs.
//! * **Balance.** `--pairs` must be even, so that A-first and B-first pairs are as many and
//!   an order effect (the second run of a pair warmer, or colder) cancels. When failed runs
//!   drop pairs, the comparison warns with the two counts.
//! * **Instructions** (`--instructions`): each revision is built a second time with
//!   `RUSTFLAGS="-C target-cpu=x86-64-v3"` (in the shared `target-x86-64-v3/`, the worker
//!   copied and cached like the first), and after the pairs each side runs once per mode under cachegrind
//!   (`measure::cachegrind`); the counts are compared like heap, from one run per side.
//! * **Files.** Both sides' runs are saved as results files (`base.json`, `head.json`, schema
//!   v1) under `target/bench/ab/runs/BASE8-HEAD8-TIME/`, so `bench compare` can read them.
//! * **Test hooks** (hidden flags): `--build-cmd PROGRAM` replaces the cargo build (run in
//!   the worktree, relative paths taken from there, with `CARGO_TARGET_DIR` set), and
//!   `--worker PATH` names the worker inside `CARGO_TARGET_DIR` (default `release/bench`).
//!
//! Exit: 0; with `--fail-on-regression`, 3 when the verdict is a regression and 5 when no
//! verdict could be reached (`commands::outcome`).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use prover::modes::MemoryMode;

use crate::analysis::comparison::{self, Footer, Pair, Setup};
use crate::analysis::summary::resummarize;
use crate::analysis::verdict::{Design, Rules};
use crate::commands::compare::print_comparison;
use crate::commands::format::Format;
use crate::commands::outcome::Outcome;
use crate::measure::cachegrind::{self, InstructionWorker};
use crate::measure::clock::{now_compact, now_rfc3339};
use crate::measure::machine;
pub use crate::measure::revisions::BuildSpec;
use crate::measure::revisions::{self, Variant};
use crate::measure::runner::{self, WorkerCommand, WorkerResult};
use crate::model::config::ProveConfig;
use crate::model::machine::short_hash;
use crate::model::program::ProgramSpec;
use crate::model::results::{Entry, ResultsFile};
use crate::store::paths;

/// What `bench ab` is asked.
#[derive(Clone, Debug)]
pub struct AbRequest {
    /// The base revision.
    pub base: String,
    /// The head revision.
    pub head: String,
    /// The fixtures to prove (each in every mode).
    pub fixtures: Vec<String>,
    /// Modes, comma-separated (`None`: default).
    pub modes: Option<String>,
    /// Pairs of runs per mode.
    pub pairs: u32,
    /// Table instances in flight at once (`None`: automatic).
    pub table_parallelism: Option<std::num::NonZeroUsize>,
    /// Kill a worker after this long.
    pub timeout: Option<Duration>,
    /// A shell command run before each timed run, untimed (`--prepare`).
    pub prepare: Option<String>,
    /// The verdict rules.
    pub rules: Rules,
    /// How to print the comparison.
    pub format: Format,
    /// Exit with status 3 when the verdict is a regression.
    pub fail_on_regression: bool,
    /// Also count each side's instructions per mode under cachegrind.
    pub instructions: bool,
    /// How each revision is built (test hooks: the build command and the worker's path).
    pub build: BuildSpec,
}

/// Which side a run belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The base revision (A).
    Base,
    /// The head revision (B).
    Head,
}

/// A warning when the complete pairs of `mode` (a job: `mode`, or `fixture mode`) are not as many A-first (even pair index) as
/// B-first: a failed run dropped its pair, and an order effect no longer cancels exactly.
fn imbalance(mode: &str, slots: &[[Option<usize>; 2]]) -> Option<String> {
    let complete = |parity: usize| {
        slots
            .iter()
            .enumerate()
            .filter(|(p, s)| p % 2 == parity && matches!(s, [Some(_), Some(_)]))
            .count()
    };
    let (a_first, b_first) = (complete(0), complete(1));
    (a_first != b_first).then(|| {
        format!(
            "unbalanced pairs in {mode}: {a_first} ran A first and {b_first} B first (failed runs dropped the rest), so an order effect does not cancel exactly"
        )
    })
}

/// The run order of `pairs` pairs over `modes` modes: `(pair, mode index, side)`, A B for
/// even pairs and B A for odd ones.
pub fn order(pairs: usize, modes: usize) -> Vec<(usize, usize, Side)> {
    let mut out = Vec::with_capacity(pairs * modes * 2);
    for p in 0..pairs {
        for m in 0..modes {
            let (first, second) = if p % 2 == 0 {
                (Side::Base, Side::Head)
            } else {
                (Side::Head, Side::Base)
            };
            out.push((p, m, first));
            out.push((p, m, second));
        }
    }
    out
}

fn label(rev: &str, sha: &str) -> String {
    let rev: String = rev.chars().take(24).collect();
    format!("{rev} ({})", short_hash(sha, 7))
}

/// Runs `bench ab`.
pub fn compare_revisions(args: &AbRequest) -> Result<Outcome> {
    let rules = args.rules;
    rules.validate()?;
    let modes = MemoryMode::parse_list(args.modes.as_deref().unwrap_or("default"))?;
    let timeout = args.timeout;
    let cwd = std::env::current_dir().context("no working directory")?;
    let root = revisions::toplevel(&cwd).context("bench ab runs inside a git repository")?;
    let base_sha = revisions::resolve(&root, &args.base)?;
    let head_sha = revisions::resolve(&root, &args.head)?;
    if base_sha == head_sha {
        eprintln!("note: base and head are the same commit: an A/A run measures the noise");
    }
    let mut note = |line: String| eprintln!("{line}");
    let valgrind = if args.instructions {
        Some(cachegrind::find_valgrind().ok_or(cachegrind::InstructionsError::NoValgrind)?)
    } else {
        None
    };
    let build = |sha: &str, variant, note: &mut dyn FnMut(String)| {
        let dir = paths::ab_build(&root, sha);
        let shared = paths::ab_shared(&root);
        revisions::ensure_build(&root, &dir, &shared, sha, &args.build, variant, note)
    };
    let base_exe = build(&base_sha, Variant::NATIVE, &mut note)?;
    let head_exe = build(&head_sha, Variant::NATIVE, &mut note)?;
    // The instruction workers: a second build of each revision that valgrind can run.
    let counters = match valgrind {
        Some(valgrind) => {
            let mut worker = |sha: &str| -> Result<InstructionWorker> {
                Ok(InstructionWorker {
                    valgrind: valgrind.clone(),
                    worker: build(sha, Variant::X86_64_V3, &mut note)?,
                    build: None,
                })
            };
            Some([worker(&base_sha)?, worker(&head_sha)?])
        }
        None => None,
    };

    let config = ProveConfig {
        table_parallelism: args.table_parallelism.map(usize::from),
        ..ProveConfig::STANDARD
    };
    // The jobs: every fixture in every mode, in that order.
    let jobs: Vec<(ProgramSpec, MemoryMode)> = args
        .fixtures
        .iter()
        .flat_map(|f| modes.iter().map(|&m| (ProgramSpec::Fixture(f.clone()), m)))
        .collect();
    let job = |exe: &Path, program: &ProgramSpec, mode: MemoryMode| {
        WorkerCommand {
            program,
            mode: Some(mode),
            settings: None,
            table_parallelism: config.table_parallelism,
            max_memory: None,
            count_alloc: true,
        }
        .job(exe)
    };
    let here = machine::detect();
    let side_file = |sha: &str| {
        let mut m = here.clone();
        m.git_sha = sha.to_string();
        m.git_dirty = false;
        ResultsFile::new(m, config.clone(), now_rfc3339())
    };
    let (mut base_file, mut head_file) = (side_file(&base_sha), side_file(&head_sha));
    let pairs = args.pairs as usize;
    // complete[mode][pair] = [index of the base run, index of the head run] when it succeeded.
    let mut complete: Vec<Vec<[Option<usize>; 2]>> = vec![vec![[None, None]; pairs]; jobs.len()];
    let runs_dir = paths::ab_runs(
        &root,
        &short_hash(&base_sha, 8),
        &short_hash(&head_sha, 8),
        &now_compact(),
    );
    let plan = order(pairs, jobs.len());
    for (sequence, &(p, m, side)) in plan.iter().enumerate() {
        let (program, mode) = (&jobs[m].0, jobs[m].1);
        let fixture = program.name();
        let (exe, file, name) = match side {
            Side::Base => (&base_exe, &mut base_file, "base"),
            Side::Head => (&head_exe, &mut head_file, "head"),
        };
        if let Some(command) = &args.prepare {
            runner::prepare(command)?;
        }
        let entry = file.entry_mut(&fixture, mode);
        match runner::run_worker(&job(exe, program, mode), sequence, timeout) {
            WorkerResult::Ok(r) => {
                eprintln!(
                    "pair {}/{pairs} · {fixture} · {mode} · {name}: {:.3} s",
                    p + 1,
                    r.prove_seconds
                );
                complete[m][p][side as usize] = Some(entry.runs.len());
                entry.runs.push(*r);
            }
            WorkerResult::Failed(f) => {
                eprintln!(
                    "pair {}/{pairs} · {fixture} · {mode} · {name}: failed: {}",
                    p + 1,
                    f.reason
                );
                entry.failures.push(f);
            }
        }
        resummarize(entry);
    }
    // Instruction counts are deterministic: one run per mode and side, after the pairs.
    if let Some(counters) = &counters {
        let mut sequence = plan.len();
        for (program, mode) in &jobs {
            let (mode, fixture) = (*mode, program.name());
            for (side, counter) in [Side::Base, Side::Head].into_iter().zip(counters) {
                let (file, name) = match side {
                    Side::Base => (&mut base_file, "base"),
                    Side::Head => (&mut head_file, "head"),
                };
                let entry = file.entry_mut(&fixture, mode);
                let job = job(&counter.worker, program, mode);
                match cachegrind::run_counted(&job, counter, sequence, timeout) {
                    WorkerResult::Ok(r) => {
                        eprintln!(
                            "instructions · {mode} · {name}: {}",
                            r.instructions.map_or(0, |n| n)
                        );
                        entry.instruction_runs.push(*r);
                    }
                    WorkerResult::Failed(f) => {
                        eprintln!("instructions · {mode} · {name}: failed: {}", f.reason);
                        entry.instruction_failures.push(f);
                    }
                }
                resummarize(entry);
                sequence += 1;
            }
        }
    }
    for (file, name) in [(&base_file, "base.json"), (&head_file, "head.json")] {
        crate::store::results::save(&runs_dir.join(name), file)?;
    }
    eprintln!("runs: {}", runs_dir.display());

    // The paired entries: complete pairs only, in pair order.
    let paired = |file: &ResultsFile, side: usize| -> Vec<Entry> {
        jobs.iter()
            .enumerate()
            .filter_map(|(m, (program, mode))| {
                let mode = *mode;
                let e = file.entry(&program.name(), mode)?;
                let mut out = Entry::new(&e.fixture, mode);
                out.failures = e.failures.clone();
                out.instruction_runs = e.instruction_runs.clone();
                out.instruction_failures = e.instruction_failures.clone();
                for slot in &complete[m] {
                    if let [Some(b), Some(h)] = slot {
                        let i = if side == 0 { *b } else { *h };
                        out.runs.push(e.runs[i].clone());
                    }
                }
                resummarize(&mut out);
                Some(out)
            })
            .collect()
    };
    let (base_entries, head_entries) = (paired(&base_file, 0), paired(&head_file, 1));
    let warnings: Vec<String> = jobs
        .iter()
        .zip(&complete)
        .filter_map(|((program, mode), slots)| {
            let what = if args.fixtures.len() > 1 {
                format!("{} {mode}", program.name())
            } else {
                mode.to_string()
            };
            imbalance(&what, slots)
        })
        .collect();
    for (b, h) in base_entries.iter().zip(&head_entries) {
        comparison::check_cycles(b, h).context("cannot compare the two revisions")?;
    }
    let pair_refs: Vec<Pair> = base_entries
        .iter()
        .zip(&head_entries)
        .map(|(b, h)| Pair {
            base: Some(b),
            head: h,
        })
        .collect();
    let setup = Setup {
        base_label: label(&args.base, &base_sha),
        head_label: label(&args.head, &head_sha),
        design: Design::Paired,
        rules,
        table_parallelism: config.table_parallelism,
        same_machine: true,
        warnings,
        footer: Footer {
            commit: short_hash(&head_sha, 7),
            baseline: format!(
                "revision {} built here, run in A B B A pairs",
                label(&args.base, &base_sha)
            ),
            runner: here.describe(),
        },
    };
    let c = comparison::build(&pair_refs, setup)?;
    print_comparison(&c, args.format)?;
    Ok(Outcome::of_verdict(args.fail_on_regression, &c.verdict))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_run_in_a_b_b_a_order() {
        let sides: Vec<Side> = order(4, 1).into_iter().map(|(_, _, s)| s).collect();
        use Side::{Base as A, Head as B};
        assert_eq!(sides, vec![A, B, B, A, A, B, B, A]);
        let two = order(2, 2);
        assert_eq!(
            two,
            vec![
                (0, 0, A),
                (0, 0, B),
                (0, 1, A),
                (0, 1, B),
                (1, 0, B),
                (1, 0, A),
                (1, 1, B),
                (1, 1, A)
            ]
        );
        assert!(order(0, 3).is_empty());
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(label("main", "0123456789abcdef"), "main (0123456)");
        assert_eq!(
            label(&"x".repeat(40), "abc"),
            format!("{} (abc)", "x".repeat(24))
        );
    }
}
