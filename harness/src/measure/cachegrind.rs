//! Instruction counts: a worker run under Valgrind (callgrind since the phase marks, one rayon
//! thread), the checks that make its failures clear before anything runs, and the count
//! read back: the total, per span of the prove and per function (`measure::callgrind`).
//! The module keeps its name (cachegrind counted until then, and reads its files still:
//! [`parse_total`]); callgrind counts the same `Ir`.
//!
//! Decisions:
//! * The count is the whole worker process's `Ir` (loading the program, proving, verifying,
//!   printing the record): the prove dominates it, and everything else is the same code on
//!   both sides of a comparison.
//! * One rayon thread (`RAYON_NUM_THREADS=1`): the count then repeats to about 0.001 %
//!   (hash maps' random seeds are what is left).
//! * Valgrind (up to at least 3.22) cannot run AVX-512 code, which `-C target-cpu=native`
//!   emits on AVX-512 hosts. A `bench` built that way is not its own instruction worker: it
//!   builds one with `-C target-cpu=x86-64-v3` ([`auto_worker`]), once per commit, in `bench
//!   ab`'s build cache (`target/bench/ab/SHA/`, through the shared cargo folder), and says so
//!   on stderr. A tree with tracked changes is built as it is (never cached by commit;
//!   cargo rebuilds what changed) and every record it counts says `working tree (dirty)` in
//!   `instruction_worker`. A worker given with `--instructions-worker` is trusted, and if
//!   valgrind stops on an instruction it does not know, the failed run says so
//!   ([`explain_failure`]).
//! * The detection seam: `BENCH_ASSUME_AVX512=1` makes any `bench` take the AVX-512 path
//!   ([`needs_portable_worker`]), so that the build is tested on every host; the test hook
//!   `BENCH_TEST_BUILD_CMD` replaces `cargo build` with a script of the tree (as `bench ab
//!   --build-cmd` does).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use crate::measure::runner::{self, Job, WorkerResult};
use crate::measure::{callgrind, revisions};
use crate::model::results::FailedRun;

/// The environment variable that sets rayon's thread count in the worker.
pub const RAYON_THREADS_ENV: &str = "RAYON_NUM_THREADS";

/// Whether this binary was compiled with AVX-512 instructions.
pub const BUILT_WITH_AVX512: bool = cfg!(target_feature = "avx512f");

/// The detection seam: set to `1`, `bench` acts as if built with AVX-512.
pub const ASSUME_AVX512_ENV: &str = "BENCH_ASSUME_AVX512";

/// Test hook: a script of the tree that replaces `cargo build` for the auto-built worker.
pub const BUILD_CMD_ENV: &str = "BENCH_TEST_BUILD_CMD";

/// Whether this `bench` must not be its own worker under valgrind: built with AVX-512, or
/// told so through [`ASSUME_AVX512_ENV`].
pub fn needs_portable_worker() -> bool {
    BUILT_WITH_AVX512 || std::env::var_os(ASSUME_AVX512_ENV).is_some_and(|v| v == "1")
}

/// The command that builds a worker valgrind can run.
pub const WORKER_BUILD: &str = "RUSTFLAGS=\"-C target-cpu=x86-64-v3 -C symbol-mangling-version=v0\" cargo build --release -p harness --target-dir target/x86-64-v3";

/// Where that build puts the worker.
pub const WORKER_PATH: &str = "target/x86-64-v3/release/bench";

/// Why instructions cannot be counted.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum InstructionsError {
    /// Valgrind is not installed.
    #[error(
        "valgrind was not found on PATH: instruction counts run the worker under cachegrind; install it with `apt-get install valgrind`"
    )]
    NoValgrind,
    /// The worker given does not exist.
    #[error("the instruction worker {0} does not exist (build it with `{WORKER_BUILD}`)")]
    NoWorker(PathBuf),
}

/// What runs the instruction counts: valgrind, and the `bench` it runs as the worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstructionWorker {
    /// The valgrind executable.
    pub valgrind: PathBuf,
    /// The `bench` executable run under it.
    pub worker: PathBuf,
    /// How the worker was built when `bench` built it (`x86-64-v3 build of SHA`, or of the
    /// working tree with changes); `None` for this binary or a given one.
    pub build: Option<String>,
}

/// What [`choose_worker`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerChoice {
    /// A worker ready to run.
    Ready(InstructionWorker),
    /// This binary cannot run under valgrind: build one ([`auto_worker`]) for `valgrind`.
    Build(PathBuf),
}

/// Where the auto-built workers go (`store::paths` knows; `measure` may not import it).
#[derive(Clone, Copy, Debug)]
pub struct BuildPlaces<'a> {
    /// The repository.
    pub root: &'a Path,
    /// The build folder of a commit of the repository.
    pub commit_dir: fn(&Path, &str) -> PathBuf,
    /// The shared cargo folder.
    pub shared: &'a Path,
    /// The build folder of the working tree.
    pub working_tree_dir: &'a Path,
}

/// Builds (or reuses) the x86-64-v3 worker of the tree at `places.root`: by commit when
/// the tree is clean, from the working tree when it has tracked changes. `note` hears the
/// progress lines.
pub fn auto_worker(
    valgrind: PathBuf,
    places: BuildPlaces<'_>,
    note: &mut dyn FnMut(String),
) -> Result<InstructionWorker, revisions::RevisionError> {
    let (sha, dirty) = revisions::state(places.root);
    let spec = revisions::BuildSpec {
        command: std::env::var_os(BUILD_CMD_ENV).map(PathBuf::from),
        worker: PathBuf::from("release/bench"),
    };
    let short = crate::model::machine::short_hash(&sha, 12);
    let variant = revisions::Variant::X86_64_V3;
    let (worker, build) = if dirty {
        note(format!(
            "instructions: this bench runs AVX-512 code, which valgrind cannot run: building an \
             x86-64-v3 worker from the working tree ({short} with changes; not cached by commit)"
        ));
        let exe = revisions::build_working_tree(
            places.root,
            places.working_tree_dir,
            places.shared,
            &spec,
            variant,
            note,
        )?;
        (
            exe,
            format!("x86-64-v3 build of the working tree at {short} (dirty)"),
        )
    } else {
        note(format!(
            "instructions: this bench runs AVX-512 code, which valgrind cannot run: using an \
             x86-64-v3 worker of {short} (built once per commit, cached)"
        ));
        let exe = revisions::ensure_build(
            places.root,
            &(places.commit_dir)(places.root, &sha),
            places.shared,
            &sha,
            &spec,
            variant,
            note,
        )?;
        (exe, format!("x86-64-v3 build of {short}"))
    };
    Ok(InstructionWorker {
        valgrind,
        worker,
        build: Some(build),
    })
}

/// Chooses the instruction worker: `given`, or `current` (this binary) when it was built
/// without AVX-512, or a build to make ([`WorkerChoice::Build`]); `valgrind` is where
/// valgrind was found, if anywhere.
pub fn choose_worker(
    valgrind: Option<PathBuf>,
    given: Option<&Path>,
    current: &Path,
    built_with_avx512: bool,
) -> Result<WorkerChoice, InstructionsError> {
    let valgrind = valgrind.ok_or(InstructionsError::NoValgrind)?;
    let worker = match given {
        Some(p) if !p.is_file() => return Err(InstructionsError::NoWorker(p.to_path_buf())),
        Some(p) => p.to_path_buf(),
        None if built_with_avx512 => return Ok(WorkerChoice::Build(valgrind)),
        None => current.to_path_buf(),
    };
    Ok(WorkerChoice::Ready(InstructionWorker {
        valgrind,
        worker,
        build: None,
    }))
}

/// Seconds of one run under callgrind per executed cycle of the program: counts grow
/// faster than linearly at small sizes (power-of-two tables): fib_iterative_64k counts
/// 21.76 G (10.5 G more than bytesort_small, ~170 k per cycle), the 1200k runs of
/// `reports/speed/session11` ~400 G (~320 k per cycle); at ~540 M instructions per CPU
/// second under callgrind on the development machine, ~250-300 k per cycle is ~0.5 ms.
pub const SECONDS_PER_CYCLE: f64 = 5.0e-4;

/// Seconds of one run under callgrind besides the cycles: valgrind's start, translating
/// the binary, the prover's fixed part (the preprocessed tables), verifying; measured with
/// bytesort_small (2,757 cycles).
pub const SECONDS_PER_RUN: f64 = 21.0;

/// The estimated wall time of `runs` runs under callgrind of a program of `cycles` cycles.
pub fn estimate_seconds(cycles: u64, runs: u32) -> f64 {
    f64::from(runs) * (SECONDS_PER_RUN + SECONDS_PER_CYCLE * cycles as f64)
}

/// `valgrind` on `PATH`, if it is there.
pub fn find_valgrind() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("valgrind"))
        .find(|p| p.is_file())
}

/// `job` (a worker command line) run under callgrind by `w`, its output files at `out`
/// (`out.1`, `out.2`, ... for the phase marks' dumps).
pub fn under_valgrind(job: &Job, w: &InstructionWorker, out: &Path) -> Job {
    let mut args: Vec<OsString> = callgrind::options(out)
        .into_iter()
        .map(OsString::from)
        .collect();
    args.push(w.worker.clone().into());
    args.extend(job.args.iter().cloned());
    let mut env = job.env.clone();
    env.push((RAYON_THREADS_ENV.into(), "1".into()));
    Job {
        exe: w.valgrind.clone(),
        args,
        env,
    }
}

/// The total `Ir` of a cachegrind output file's text (`summary:` up to valgrind 3.21,
/// `totals:` in some later versions; `Ir` is the only event with `--cache-sim=no`).
pub fn parse_total(text: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let rest = l
            .strip_prefix("summary:")
            .or_else(|| l.strip_prefix("totals:"))?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Runs the worker command `job` under callgrind by `worker` and puts the process's
/// instruction count in its record, with its counts per span and per function; a run
/// without a count is a failed run.
pub fn run_counted(
    job: &Job,
    worker: &InstructionWorker,
    sequence: usize,
    timeout: Option<Duration>,
) -> WorkerResult {
    let dir =
        std::env::temp_dir().join(format!("bench-callgrind-{}-{sequence}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let out = dir.join("callgrind.out");
    let result = runner::run_worker(&under_valgrind(job, worker, &out), sequence, timeout);
    let dumps = callgrind::read_run(&out).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        WorkerResult::Ok(_) if dumps.is_empty() => WorkerResult::Failed(FailedRun {
            sequence,
            reason: format!("callgrind wrote no count to {}", out.display()),
            exit_code: Some(0),
            signal: None,
            timed_out: false,
            seconds: 0.0,
            stderr_tail: String::new(),
        }),
        WorkerResult::Ok(mut record) => {
            let a = callgrind::attribute(&dumps);
            record.instructions = Some(a.total);
            record.instruction_phases = a.phases;
            record.instruction_epochs = a.epochs;
            record.functions = a.functions;
            record.instruction_worker = worker.build.clone();
            WorkerResult::Ok(record)
        }
        WorkerResult::Failed(mut f) => {
            if let Some(why) = explain_failure(&f.stderr_tail) {
                f.reason = format!("{why} ({})", f.reason);
            }
            WorkerResult::Failed(f)
        }
    }
}

/// A clearer reason for a failed run under valgrind, when its stderr shows why.
pub fn explain_failure(stderr_tail: &str) -> Option<String> {
    stderr_tail
        .contains("unhandled instruction bytes")
        .then(|| {
            format!(
                "valgrind met an instruction it cannot run (AVX-512?): build the worker with `{WORKER_BUILD}`"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_valgrind_names_the_package() {
        let e = choose_worker(None, None, Path::new("/bin/bench"), false).unwrap_err();
        assert_eq!(e, InstructionsError::NoValgrind);
        assert!(e.to_string().contains("apt-get install valgrind"), "{e}");
    }

    #[test]
    fn an_avx512_build_asks_for_a_portable_worker() {
        let vg = Some(PathBuf::from("/usr/bin/valgrind"));
        assert_eq!(
            choose_worker(vg.clone(), None, Path::new("/bin/bench"), true),
            Ok(WorkerChoice::Build(PathBuf::from("/usr/bin/valgrind")))
        );
        // Without AVX-512 this binary is its own worker; a given worker must exist.
        let me = std::env::current_exe().unwrap();
        let ready = |c| match c {
            Ok(WorkerChoice::Ready(w)) => w,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            ready(choose_worker(vg.clone(), None, &me, false)).worker,
            me
        );
        assert_eq!(
            ready(choose_worker(vg.clone(), Some(&me), Path::new("/x"), true)).worker,
            me
        );
        assert!(matches!(
            choose_worker(vg, Some(Path::new("/no/such/bench")), &me, false),
            Err(InstructionsError::NoWorker(_))
        ));
    }

    #[test]
    fn the_job_runs_the_worker_under_callgrind_on_one_thread() {
        let job = Job {
            exe: "/bin/bench".into(),
            args: vec!["prove".into(), "--json".into()],
            env: vec![],
        };
        let w = InstructionWorker {
            valgrind: "/usr/bin/valgrind".into(),
            worker: "/w/bench".into(),
            build: None,
        };
        let j = under_valgrind(&job, &w, Path::new("/tmp/cg.out"));
        assert_eq!(j.exe, Path::new("/usr/bin/valgrind"));
        let args: Vec<String> = j
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--tool=callgrind",
                "--dump-instr=no",
                "--dump-line=no",
                "--collect-jumps=no",
                "--compress-strings=no",
                "--compress-pos=no",
                "--demangle=no",
                "--callgrind-out-file=/tmp/cg.out",
                "/w/bench",
                "prove",
                "--json"
            ]
        );
        assert_eq!(j.env, [("RAYON_NUM_THREADS".into(), "1".into())]);
    }

    #[test]
    fn totals_are_read_from_either_keyword() {
        let out =
            "desc: I1 cache: 32768 B\ncmd: /bin/true\nevents: Ir\nfl=x.c\n128 2\nsummary: 127679\n";
        assert_eq!(parse_total(out), Some(127_679));
        assert_eq!(
            parse_total("events: Ir\ntotals: 36070123456\n"),
            Some(36_070_123_456)
        );
        assert_eq!(parse_total("events: Ir\n"), None);
        assert!(explain_failure("vex amd64->IR: unhandled instruction bytes: 0x62").is_some());
        assert!(explain_failure("out of memory").is_none());
    }
}
