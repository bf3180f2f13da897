//! `bench ab --base REV --head REV`: builds both revisions in git worktrees, runs their
//! workers in A B B A pairs on this machine, and compares them with paired statistics.
//!
//! * **Worktrees and the build cache.** Each revision resolves to a commit `SHA`; its tree is
//!   `git worktree add --detach target/bench/ab/SHA/src SHA` (under the repository root), built
//!   with `cargo build --release -p harness` and `CARGO_TARGET_DIR=target/bench/ab/SHA/target`.
//!   A commit never changes, so a finished build (marked by `target/bench/ab/SHA/built`) is
//!   reused by every later `bench ab` naming the same commit. `HEAD` means the committed
//!   `HEAD`, not uncommitted changes. Base and head at the same commit is an A/A run: a
//!   measurement of the noise.
//! * **Pairs.** Pair `i` runs both sides once, A then B for even `i`, B then A for odd `i`
//!   (A B B A A B ...), so a slow drift of the machine hits both sides alike. Each run is a
//!   fresh worker, `<that build>/bench prove --json ...`, through [`runner::run_worker`].
//!   A pair with a failed run is left out of the statistics (the failure is reported).
//! * **Statistics** ([`Design::Paired`]): per metric, the median of the paired ratios
//!   head/base, a Wilcoxon signed-rank p-value, and a bootstrap interval of that median
//!   (resampling pairs); a time verdict from [`verdict::MIN_PAIRS`] pairs on needs both. The
//!   output says how many pairs a change of the threshold's size (and of the size observed)
//!   needs at the noise observed.
//! * **Files.** Both sides' runs are saved as results files (`base.json`, `head.json`, schema
//!   v1) under `target/bench/ab/runs/BASE8-HEAD8-TIME/`, so `bench compare` can read them.
//! * **Test hooks** (hidden flags): `--build-cmd PROGRAM` replaces the cargo build (run in
//!   the worktree, relative paths taken from there, with `CARGO_TARGET_DIR` set), and
//!   `--worker PATH` names the worker inside `CARGO_TARGET_DIR` (default `release/bench`).
//!
//! Exit: 0, or 3 with `--fail-on-regression` when the verdict is a regression.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};
use prover::modes::MemoryMode;

use crate::cli::AbArgs;
use crate::compare::{self, Footer, Pair, Setup};
use crate::machine::Machine;
use crate::results::{Entry, ResultsFile, RunConfig};
use crate::runner::{self, Job, Outcome};
use crate::verdict::Design;

/// Which side a run belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The base revision (A).
    Base,
    /// The head revision (B).
    Head,
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

fn git(dir: &Path, args: &[&std::ffi::OsStr]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The full commit sha of `rev` in the repository at `root`.
pub fn resolve(root: &Path, rev: &str) -> Result<String> {
    let spec = format!("{rev}^{{commit}}");
    git(
        root,
        &[
            "rev-parse".as_ref(),
            "--verify".as_ref(),
            "--end-of-options".as_ref(),
            spec.as_ref(),
        ],
    )
    .with_context(|| format!("`{rev}` is not a commit of {}", root.display()))
}

/// How to build one revision.
#[derive(Clone, Debug)]
pub struct BuildSpec {
    /// Replaces `cargo build --release -p harness` (run in the worktree).
    pub command: Option<PathBuf>,
    /// The worker, relative to `CARGO_TARGET_DIR`.
    pub worker: PathBuf,
}

/// The worker of commit `sha`: its worktree and build, made once and then reused.
pub fn ensure_build(root: &Path, sha: &str, spec: &BuildSpec) -> Result<PathBuf> {
    let dir = root.join("target/bench/ab").join(sha);
    let src = dir.join("src");
    let target = dir.join("target");
    let stamp = dir.join("built");
    let exe = target.join(&spec.worker);
    if !src.exists() {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        git(
            root,
            &[
                "worktree".as_ref(),
                "add".as_ref(),
                "--detach".as_ref(),
                src.as_os_str(),
                sha.as_ref(),
            ],
        )?;
    }
    let at = git(&src, &["rev-parse".as_ref(), "HEAD".as_ref()])?;
    if at != sha {
        bail!(
            "{} is at {at}, not {sha}: remove it (git worktree remove) and run again",
            src.display()
        );
    }
    if stamp.exists() && exe.exists() {
        eprintln!("build cache: reusing the build of {}", short(sha, 12));
        return Ok(exe);
    }
    eprintln!("building {} in {}", short(sha, 12), src.display());
    let mut cmd = match &spec.command {
        Some(program) => Command::new(src.join(program)),
        None => {
            let mut c = Command::new("cargo");
            c.args(["build", "--release", "-p", "harness"]);
            c
        }
    };
    let status = cmd
        .current_dir(&src)
        .env("CARGO_TARGET_DIR", &target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("cannot start the build of {sha}"))?;
    if !status.success() {
        bail!("the build of {sha} failed ({status})");
    }
    if !exe.is_file() {
        bail!("the build of {sha} left no worker at {}", exe.display());
    }
    std::fs::write(&stamp, b"").with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(exe)
}

fn job(exe: &Path, args: &AbArgs, mode: MemoryMode) -> Job {
    let mut a: Vec<OsString> = vec![
        "prove".into(),
        "--json".into(),
        "--fixture".into(),
        args.fixture.clone().into(),
        "--mode".into(),
        mode.to_string().into(),
    ];
    if let Some(k) = args.table_parallelism {
        a.extend(["--table-parallelism".into(), k.to_string().into()]);
    }
    Job {
        exe: exe.to_path_buf(),
        args: a,
        env: Vec::new(),
    }
}

fn short(sha: &str, n: usize) -> String {
    sha.chars().take(n).collect()
}

fn label(rev: &str, sha: &str) -> String {
    let rev: String = rev.chars().take(24).collect();
    format!("{rev} ({})", short(sha, 7))
}

/// Runs `bench ab`.
pub fn run(args: &AbArgs) -> Result<ExitCode> {
    let rules = args.rules.rules();
    rules.validate()?;
    let modes = MemoryMode::parse_list(args.modes.as_deref().unwrap_or("default"))?;
    let timeout = args.timeout;
    let cwd = std::env::current_dir().context("no working directory")?;
    let root = PathBuf::from(
        git(&cwd, &["rev-parse".as_ref(), "--show-toplevel".as_ref()])
            .context("bench ab runs inside a git repository")?,
    );
    let base_sha = resolve(&root, &args.base)?;
    let head_sha = resolve(&root, &args.head)?;
    if base_sha == head_sha {
        eprintln!("note: base and head are the same commit: an A/A run measures the noise");
    }
    let spec = BuildSpec {
        command: args.build_cmd.clone(),
        worker: args.worker.clone(),
    };
    let base_exe = ensure_build(&root, &base_sha, &spec)?;
    let head_exe = ensure_build(&root, &head_sha, &spec)?;

    let config = RunConfig {
        log_blowup: 1,
        log_max_rows: 20,
        table_parallelism: args.table_parallelism.map(usize::from),
        count_alloc: true,
        epoch_log2: prover::continuation::DEFAULT_EPOCH_LOG2,
    };
    let here = Machine::detect();
    let side_file = |sha: &str| {
        let mut m = here.clone();
        m.git_sha = sha.to_string();
        m.git_dirty = false;
        ResultsFile::new(m, config.clone())
    };
    let (mut base_file, mut head_file) = (side_file(&base_sha), side_file(&head_sha));
    let pairs = args.pairs as usize;
    // complete[mode][pair] = [index of the base run, index of the head run] when it succeeded.
    let mut complete: Vec<Vec<[Option<usize>; 2]>> = vec![vec![[None, None]; pairs]; modes.len()];
    let runs_dir = root.join("target/bench/ab/runs").join(format!(
        "{}-{}-{}",
        short(&base_sha, 8),
        short(&head_sha, 8),
        crate::clock::now_compact()
    ));
    let plan = order(pairs, modes.len());
    for (sequence, &(p, m, side)) in plan.iter().enumerate() {
        let mode = modes[m];
        let (exe, file, name) = match side {
            Side::Base => (&base_exe, &mut base_file, "base"),
            Side::Head => (&head_exe, &mut head_file, "head"),
        };
        let entry = file.entry_mut(&args.fixture, mode);
        match runner::run_worker(&job(exe, args, mode), sequence, timeout) {
            Outcome::Ok(r) => {
                eprintln!(
                    "pair {}/{pairs} · {mode} · {name}: {:.3} s",
                    p + 1,
                    r.prove_seconds
                );
                complete[m][p][side as usize] = Some(entry.runs.len());
                entry.runs.push(*r);
            }
            Outcome::Failed(f) => {
                eprintln!(
                    "pair {}/{pairs} · {mode} · {name}: failed: {}",
                    p + 1,
                    f.reason
                );
                entry.failures.push(f);
            }
        }
        entry.resummarize();
    }
    for (file, name) in [(&base_file, "base.json"), (&head_file, "head.json")] {
        file.save(&runs_dir.join(name))?;
    }
    eprintln!("runs: {}", runs_dir.display());

    // The paired entries: complete pairs only, in pair order.
    let paired = |file: &ResultsFile, side: usize| -> Vec<Entry> {
        modes
            .iter()
            .enumerate()
            .filter_map(|(m, &mode)| {
                let e = file.entry(&args.fixture, mode)?;
                let mut out = Entry::new(&e.fixture, mode);
                out.failures = e.failures.clone();
                for slot in &complete[m] {
                    if let [Some(b), Some(h)] = slot {
                        let i = if side == 0 { *b } else { *h };
                        out.runs.push(e.runs[i].clone());
                    }
                }
                out.resummarize();
                Some(out)
            })
            .collect()
    };
    let (base_entries, head_entries) = (paired(&base_file, 0), paired(&head_file, 1));
    for (b, h) in base_entries.iter().zip(&head_entries) {
        compare::check_cycles(b, h).context("cannot compare the two revisions")?;
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
        warnings: Vec::new(),
        footer: Footer {
            commit: head_sha.chars().take(7).collect(),
            baseline: format!(
                "revision {} built here, run in A B B A pairs",
                label(&args.base, &base_sha)
            ),
            runner: here.describe(),
        },
    };
    let c = compare::build(&pair_refs, setup)?;
    compare::print(&c, args.format)?;
    Ok(compare::exit_code(&c, args.fail_on_regression))
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
