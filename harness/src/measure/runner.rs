//! Running measured proves in fresh worker processes: the one builder of worker command
//! lines ([`WorkerCommand`]), the interleaved schedule, one worker per run with a timeout,
//! and what a worker that fails leaves behind.
//!
//! A `--prepare` command ([`prepare`]) runs before each timed worker, untimed: it puts every
//! run in the same starting state (a pause, a dropped page cache), whatever ran before.
//!
//! A worker is `bench prove --json ...` (this same binary, or another build of it for A/B
//! runs): it proves once, prints one [`RunRecord`] as JSON on its last stdout line, and
//! exits. Anything else (a non-zero exit, a signal, a timeout, no record) is a
//! [`FailedRun`].

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use prover::modes::MemoryMode;
use thiserror::Error;

use crate::measure::alloc::COUNT_ALLOC_ENV;
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use crate::model::record::RunRecord;
use crate::model::results::FailedRun;

/// Bytes of a worker's stderr kept for a failure report.
const STDERR_TAIL_BYTES: usize = 4096;

/// One kind of measured run: which binary, with which arguments and environment.
#[derive(Clone, Debug)]
pub struct Job {
    /// The `bench` executable to run as the worker.
    pub exe: PathBuf,
    /// Its arguments (`prove --json ...`).
    pub args: Vec<OsString>,
    /// Extra environment variables.
    pub env: Vec<(OsString, OsString)>,
}

/// The command line of one worker: `bench prove --json` with the program, and only the
/// settings given (a worker built from another revision may lack the newer flags, so
/// `bench ab` and `bench overhead` pass the fewest).
#[derive(Clone, Debug)]
pub struct WorkerCommand<'a> {
    /// The program.
    pub program: &'a ProgramSpec,
    /// `--mode`, when not the worker's default.
    pub mode: Option<MemoryMode>,
    /// `--log-blowup`, `--log-max-rows`, `--epoch-log2`, `--security` and, when set,
    /// `--memory-budget` of these settings, when given
    /// (their table parallelism and heap counting are not read: see the fields below).
    pub settings: Option<&'a ProveConfig>,
    /// `--table-parallelism`.
    pub table_parallelism: Option<usize>,
    /// `--max-memory`, in bytes.
    pub max_memory: Option<u64>,
    /// Whether the worker counts heap bytes (`BENCH_COUNT_ALLOC=0` when not).
    pub count_alloc: bool,
}

impl WorkerCommand<'_> {
    /// The job that runs this command with the worker `exe`.
    pub fn job(&self, exe: &Path) -> Job {
        let mut a: Vec<OsString> = vec!["prove".into(), "--json".into()];
        match self.program {
            ProgramSpec::Fixture(n) => a.extend(["--fixture".into(), n.into()]),
            ProgramSpec::Elf(p) => a.extend(["--elf".into(), p.into()]),
            ProgramSpec::CatalogueFixture { catalogue, name } => a.extend([
                "--catalogue".into(),
                catalogue.into(),
                "--fixture".into(),
                name.into(),
            ]),
            ProgramSpec::ElfWithInput { path, input } => a.extend([
                "--elf".into(),
                path.into(),
                "--input".into(),
                words(input).into(),
            ]),
        }
        if let Some(mode) = self.mode {
            a.extend(["--mode".into(), mode.to_string().into()]);
        }
        if let Some(c) = self.settings {
            a.extend([
                "--log-blowup".into(),
                c.log_blowup.to_string().into(),
                "--log-max-rows".into(),
                c.log_max_rows.to_string().into(),
                "--epoch-log2".into(),
                c.epoch_log2.to_string().into(),
                "--security".into(),
                c.security.name().into(),
            ]);
            if let Some(bytes) = c.memory_budget {
                a.extend(["--memory-budget".into(), format!("{bytes}B").into()]);
            }
        }
        if let Some(k) = self.table_parallelism {
            a.extend(["--table-parallelism".into(), k.to_string().into()]);
        }
        if let Some(bytes) = self.max_memory {
            let gib = bytes as f64 / (1u64 << 30) as f64;
            a.extend(["--max-memory".into(), gib.to_string().into()]);
        }
        let env = if self.count_alloc {
            Vec::new()
        } else {
            vec![(COUNT_ALLOC_ENV.into(), "0".into())]
        };
        Job {
            exe: exe.to_path_buf(),
            args: a,
            env,
        }
    }
}

/// Input words as `--input` reads them: decimal, comma-separated (`""` for none).
fn words(input: &[u32]) -> String {
    input
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// What one worker gave.
#[derive(Debug)]
pub enum WorkerResult {
    /// A record.
    Ok(Box<RunRecord>),
    /// No record, and why.
    Failed(FailedRun),
}

/// The order of runs: `counts[j]` runs of job `j`, in rounds; each round visits every job
/// that still has runs left, forwards in even rounds and backwards in odd ones (A B, B A,
/// A B, ...), so no job's runs bunch together and drift hits every job alike.
pub fn schedule(counts: &[usize]) -> Vec<usize> {
    let rounds = counts.iter().copied().max().unwrap_or(0);
    let mut order = Vec::with_capacity(counts.iter().sum());
    for round in 0..rounds {
        let jobs: Vec<usize> = (0..counts.len()).filter(|&j| counts[j] > round).collect();
        if round % 2 == 0 {
            order.extend(jobs);
        } else {
            order.extend(jobs.into_iter().rev());
        }
    }
    order
}

/// A `--prepare` command that did not succeed: the measurement stops before its next run.
#[derive(Debug, Error)]
pub enum PrepareError {
    /// `sh` could not run it.
    #[error("cannot run the --prepare command `{command}`")]
    Spawn {
        /// The command.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It exited unsuccessfully.
    #[error(
        "the --prepare command `{command}` failed ({status}){}",
        stderr_line(stderr)
    )]
    Failed {
        /// The command.
        command: String,
        /// How it ended.
        status: String,
        /// The tail of what it wrote to stderr.
        stderr: String,
    },
}

/// `: <stderr>` when there is any.
fn stderr_line(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Runs `command` with `sh -c`, untimed, before a timed worker (`--prepare`): its stdout
/// is discarded, its stderr kept for the error. Used to start every run from the same
/// state, e.g. `sleep 30` on a VM that hands memory freed by the last run back to its host
/// (whose next first touch is then slower: see ARCHITECTURE.md, "Measuring on a VM").
pub fn prepare(command: &str) -> Result<(), PrepareError> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| PrepareError::Spawn {
            command: command.to_string(),
            source,
        })?;
    if out.status.success() {
        return Ok(());
    }
    Err(PrepareError::Failed {
        command: command.to_string(),
        status: describe(out.status),
        stderr: tail(&out.stderr).trim().to_string(),
    })
}

/// Runs `job` once as a fresh process, killing it after `timeout`.
pub fn run_worker(job: &Job, sequence: usize, timeout: Option<Duration>) -> WorkerResult {
    let start = Instant::now();
    let failed = |reason: String, status: Option<ExitStatus>, stderr: &[u8], timed_out| {
        WorkerResult::Failed(FailedRun {
            sequence,
            reason,
            exit_code: status.and_then(|s| s.code()),
            signal: status.and_then(signal_of),
            timed_out,
            seconds: start.elapsed().as_secs_f64(),
            stderr_tail: tail(stderr),
        })
    };
    let mut command = Command::new(&job.exe);
    // Its own process group, so that a timeout kills whatever the worker started too (and
    // no orphan keeps its pipes open).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = match command
        .args(&job.args)
        .envs(job.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            return failed(
                format!("cannot start {}: {e}", job.exe.display()),
                None,
                b"",
                false,
            );
        }
    };
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(_) => break None,
        }
        if timeout.is_some_and(|t| start.elapsed() >= t) {
            timed_out = true;
            kill_group(&mut child);
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if timed_out {
        let secs = timeout.map_or(0.0, |t| t.as_secs_f64());
        return failed(format!("timed out after {secs} s"), status, &stderr, true);
    }
    let Some(status) = status else {
        return failed("lost track of the worker".into(), None, &stderr, false);
    };
    if !status.success() {
        let mut reason = describe(status);
        if String::from_utf8_lossy(&stderr).contains("memory allocation of") {
            reason = format!("out of memory: an allocation failed ({reason})");
        }
        return failed(reason, Some(status), &stderr, false);
    }
    let text = String::from_utf8_lossy(&stdout);
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    match serde_json::from_str::<RunRecord>(last) {
        Ok(mut record) => {
            record.sequence = Some(sequence);
            WorkerResult::Ok(Box::new(record))
        }
        Err(e) => failed(
            format!("the worker printed no run record ({e})"),
            Some(status),
            &stderr,
            false,
        ),
    }
}

#[cfg(unix)]
fn kill_group(child: &mut std::process::Child) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is
        // touched.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    let _ = child.kill();
}

#[cfg(not(unix))]
fn kill_group(child: &mut std::process::Child) {
    let _ = child.kill();
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal_of(_: ExitStatus) -> Option<i32> {
    None
}

/// An exit status in words.
fn describe(status: ExitStatus) -> String {
    match (status.code(), signal_of(status)) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(9)) => "killed by signal 9 (SIGKILL: out of memory?)".into(),
        (None, Some(6)) => "killed by signal 6 (SIGABRT: a panic or abort)".into(),
        (None, Some(11)) => "killed by signal 11 (SIGSEGV)".into(),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => "ended without an exit code".into(),
    }
}

/// The last [`STDERR_TAIL_BYTES`] of `bytes`, starting at a line boundary when one is near.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end();
    if text.len() <= STDERR_TAIL_BYTES {
        return text.to_string();
    }
    let mut cut = text.len() - STDERR_TAIL_BYTES;
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let rest = &text[cut..];
    match rest.find('\n') {
        Some(nl) => rest[nl + 1..].to_string(),
        None => rest.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_alternates_direction_and_spreads_runs() {
        assert_eq!(schedule(&[2, 2]), vec![0, 1, 1, 0]);
        assert_eq!(schedule(&[3, 3, 3]), vec![0, 1, 2, 2, 1, 0, 0, 1, 2]);
        // Uneven counts (a resumed run): finished jobs drop out of later rounds.
        assert_eq!(schedule(&[1, 3, 0]), vec![0, 1, 1, 1]);
        assert!(schedule(&[]).is_empty());
        let s = schedule(&[5, 5]);
        assert_eq!(s.iter().filter(|&&j| j == 0).count(), 5);
    }

    fn sh(script: &str) -> Job {
        Job {
            exe: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            env: vec![("BENCH_TEST_VAR".into(), "42".into())],
        }
    }

    #[test]
    fn a_prepare_command_runs_and_its_failure_is_named() {
        let dir = std::env::temp_dir().join(format!("bench-prepare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log");
        let cmd = format!("echo ran >> {}", log.display());
        prepare(&cmd).unwrap();
        prepare(&cmd).unwrap();
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\nran\n");
        let e = prepare("echo no room >&2; exit 7").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the --prepare command `echo no room >&2; exit 7` failed (exit status 7): no room"
        );
        let e = prepare("kill -9 $$").unwrap_err().to_string();
        assert!(e.contains("signal 9"), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn failures_keep_status_signal_and_stderr() {
        let WorkerResult::Failed(f) = run_worker(&sh("echo boom >&2; exit 3"), 7, None) else {
            panic!("exit 3 is a failure");
        };
        assert_eq!((f.sequence, f.exit_code, f.signal), (7, Some(3), None));
        assert_eq!(f.reason, "exit status 3");
        assert_eq!(f.stderr_tail, "boom");
        let WorkerResult::Failed(f) = run_worker(&sh("kill -9 $$"), 0, None) else {
            panic!("a signal is a failure");
        };
        assert_eq!(f.signal, Some(9));
        assert!(f.reason.contains("SIGKILL"), "{}", f.reason);
        let WorkerResult::Failed(f) = run_worker(&sh("echo not json"), 0, None) else {
            panic!("no record is a failure");
        };
        assert!(f.reason.contains("no run record"), "{}", f.reason);
    }

    #[test]
    fn a_slow_worker_times_out() {
        let WorkerResult::Failed(f) =
            run_worker(&sh("sleep 30"), 0, Some(Duration::from_millis(200)))
        else {
            panic!("a timeout is a failure");
        };
        assert!(f.timed_out);
        assert!(f.reason.starts_with("timed out"), "{}", f.reason);
        // Killed, not waited for.
        assert_eq!(f.signal, Some(9));
    }

    #[test]
    fn environment_reaches_the_worker() {
        let WorkerResult::Failed(f) = run_worker(&sh("echo $BENCH_TEST_VAR >&2; exit 1"), 0, None)
        else {
            panic!("exit 1 is a failure");
        };
        assert_eq!(f.stderr_tail, "42");
    }

    #[test]
    fn worker_command_lines() {
        let fixture = ProgramSpec::Fixture("fib".into());
        let args = |c: &WorkerCommand| -> Vec<String> {
            let job = c.job(Path::new("/bin/bench"));
            assert_eq!(job.exe, Path::new("/bin/bench"));
            job.args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        };
        let bare = WorkerCommand {
            program: &fixture,
            mode: None,
            settings: None,
            table_parallelism: None,
            max_memory: None,
            count_alloc: false,
        };
        assert_eq!(args(&bare), ["prove", "--json", "--fixture", "fib"]);
        assert_eq!(
            bare.job(Path::new("b")).env,
            [(OsString::from(COUNT_ALLOC_ENV), OsString::from("0"))]
        );
        let elf = ProgramSpec::Elf("x.elf".into());
        let full = WorkerCommand {
            program: &elf,
            mode: Some(MemoryMode::DEFAULT),
            settings: Some(&ProveConfig::STANDARD),
            table_parallelism: Some(2),
            max_memory: Some(3 << 29),
            count_alloc: true,
        };
        assert_eq!(
            args(&full).join(" "),
            format!(
                "prove --json --elf x.elf --mode default --log-blowup 1 --log-max-rows 20 \
                 --epoch-log2 {} --security conjectured --table-parallelism 2 --max-memory 1.5",
                prover::continuation::DEFAULT_EPOCH_LOG2
            )
        );
        assert!(full.job(Path::new("b")).env.is_empty());
        // Another catalogue's fixture, and an ELF on given words.
        let listed = ProgramSpec::CatalogueFixture {
            catalogue: "my/catalogue.json".into(),
            name: "mine".into(),
        };
        let on_input = ProgramSpec::ElfWithInput {
            path: "x.elf".into(),
            input: vec![7, 0xffff_ffff],
        };
        let command = |program| WorkerCommand {
            program,
            ..bare.clone()
        };
        assert_eq!(
            args(&command(&listed)),
            [
                "prove",
                "--json",
                "--catalogue",
                "my/catalogue.json",
                "--fixture",
                "mine"
            ]
        );
        assert_eq!(
            args(&command(&on_input)),
            [
                "prove",
                "--json",
                "--elf",
                "x.elf",
                "--input",
                "7,4294967295"
            ]
        );
    }

    #[test]
    fn stderr_tail_is_bounded() {
        let long: String = (0..2000).map(|i| format!("line {i}\n")).collect();
        let t = tail(long.as_bytes());
        assert!(t.len() <= STDERR_TAIL_BYTES);
        assert!(t.ends_with("line 1999"));
        assert!(t.starts_with("line "));
    }
}
