//! `bench ab` on a temporary git repository with two commits. Its "build" (the hidden
//! `--build-cmd`) is a script committed in each revision that writes a stand-in worker: a
//! shell script printing a real run record (`tests/data/run_record.json`) whose prove time
//! the test sets per commit. So the test exercises worktrees, the build cache, the A B B A
//! schedule, paired statistics and the rendering without proving anything.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::stderr;
use serde_json::Value;

const RECORD: &str = include_str!("data/run_record.json");

const BUILD_SH: &str = r#"#!/bin/sh
set -eu
echo "built $(git rev-parse HEAD)" >> "$BENCH_TEST_BUILD_LOG"
mkdir -p "$CARGO_TARGET_DIR/release"
w="$CARGO_TARGET_DIR/release/bench"
count=$(cat instructions 2>/dev/null || echo 0)
{
  echo '#!/bin/sh'
  echo "if [ \"\${1:-}\" = flags ]; then echo '${RUSTFLAGS:-native}'; exit 0; fi"
  echo "if [ \"\${1:-}\" = instructions ]; then echo $count; exit 0; fi"
  echo "cat <<'RECORD'"
  cat record.json
  echo
  echo 'RECORD'
} > "$w"
chmod +x "$w"
"#;

/// A stand-in valgrind: writes the count its worker's build left beside it as callgrind's
/// final dump (`summary:` line) and runs the worker.
const VALGRIND_SH: &str = r#"#!/bin/sh
set -eu
while [ "${1#--}" != "$1" ]; do
  case "$1" in --callgrind-out-file=*) out="${1#--callgrind-out-file=}" ;; esac
  shift
done
worker="$1"
echo "summary: $("$worker" instructions)" > "$out"
exec "$@"
"#;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn commit_record(dir: &Path, seconds: f64, heap: u64, message: &str) -> String {
    let mut r: Value = serde_json::from_str(RECORD).unwrap();
    r["prove_seconds"] = seconds.into();
    r["peak_heap_bytes"] = heap.into();
    std::fs::write(dir.join("record.json"), r.to_string()).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A repository with commit `base` (1.0 s) and `head` (1.5 s, same heap).
fn repo(name: &str) -> (PathBuf, String, String) {
    let dir = std::env::temp_dir().join(format!("bench-ab-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    std::fs::write(dir.join(".gitignore"), "/target\n").unwrap();
    let build = dir.join("build.sh");
    std::fs::write(&build, BUILD_SH).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&build, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let base = commit_record(&dir, 1.0, 300 << 20, "base");
    let head = commit_record(&dir, 1.5, 300 << 20, "head: slower");
    (dir, base, head)
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn ab(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["ab", "--build-cmd", "build.sh"])
        .args(extra)
        .current_dir(dir)
        .env("BENCH_TEST_BUILD_LOG", dir.join("builds.log"))
        .output()
        .expect("bench runs")
}

#[test]
fn ab_between_two_commits() {
    let (dir, base, head) = repo("two");
    let out = ab(
        &dir,
        &[
            "--base",
            "HEAD~1",
            "--pairs",
            "6",
            "--format",
            "markdown",
            "--fail-on-regression",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("## Benchmark — fib_iterative_64k (median of 6 pairs)"),
        "{md}"
    );
    let b7 = &base[..7];
    let h7 = &head[..7];
    assert!(
        md.contains(&format!(
            "| Metric | HEAD~1 ({b7}) | HEAD ({h7}) | Δ | Δ % | |"
        )),
        "{md}"
    );
    assert!(
        md.contains(
            "| Prove time (geomean) | 1.00 s | 1.50 s | +0.500 s | +50.0% [+50.0%, +50.0%] | 🔴 |"
        ),
        "{md}"
    );
    assert!(
        md.contains("⚠️ **Regression detected**: Prove time +50.0%"),
        "{md}"
    );
    // Every pair is exactly 1.5x: the log ratios have no spread, the interval is a point.
    assert!(
        md.contains(
            "(t test on the log ratios of 6 pairs; p &lt; 0.001; noise sd 0.0%): a regression"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Peak heap | 300.0 MiB | 300.0 MiB | 0.0 MiB | 0.0% | ⚪ |"),
        "{md}"
    );

    // Both revisions were built once, in their own worktrees, through one shared cargo
    // folder, and each worker was copied out before the next build replaced it.
    let log = std::fs::read_to_string(dir.join("builds.log")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.contains(&base) && log.contains(&head), "{log}");
    assert!(
        dir.join("target/bench/ab")
            .join(&base)
            .join("src/build.sh")
            .is_file()
    );

    // The saved runs: A B B A order in the schedule.
    let runs = std::fs::read_dir(dir.join("target/bench/ab/runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let sequences = |name: &str| -> Vec<u64> {
        let f: Value =
            serde_json::from_str(&std::fs::read_to_string(runs.join(name)).unwrap()).unwrap();
        assert_eq!(f["schema_version"], 1);
        f["entries"][0]["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["sequence"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(sequences("base.json"), vec![0, 3, 4, 7, 8, 11]);
    assert_eq!(sequences("head.json"), vec![1, 2, 5, 6, 9, 10]);

    // Again, with 2 pairs: the build cache is used, and 2 pairs already give an interval;
    // --prepare runs before each of the four runs.
    let prep = format!("echo ready >> {}", dir.join("prepare.log").display());
    let two_pairs = |prepare: &str| {
        let args = [
            "--base",
            &base,
            "--head",
            &head,
            "--pairs",
            "2",
            "--prepare",
            prepare,
        ];
        ab(&dir, &args)
    };
    let again = two_pairs(&prep);
    assert!(again.status.success(), "{}", stderr(&again));
    let prepared = std::fs::read_to_string(dir.join("prepare.log")).unwrap();
    assert_eq!(prepared, "ready\n".repeat(4));
    assert!(
        stderr(&again).contains("build cache: reusing"),
        "{}",
        stderr(&again)
    );
    let log = std::fs::read_to_string(dir.join("builds.log")).unwrap();
    assert_eq!(log.lines().count(), 2, "no rebuild: {log}");
    let table = String::from_utf8(again.stdout).unwrap();
    assert!(table.contains("the log ratios of 2 pairs"), "{table}");
    // An odd number of pairs is refused: A-first and B-first pairs must be as many.
    let odd = ab(&dir, &["--base", &base, "--head", &head, "--pairs", "3"]);
    assert_eq!(odd.status.code(), Some(2), "{}", stderr(&odd));
    assert!(
        stderr(&odd).contains("need an even number"),
        "{}",
        stderr(&odd)
    );

    // A failing --prepare stops the comparison, naming the command.
    let unprepared = two_pairs("exit 4");
    assert_eq!(unprepared.status.code(), Some(1));
    assert!(
        stderr(&unprepared).contains("the --prepare command `exit 4` failed (exit status 4)"),
        "{}",
        stderr(&unprepared)
    );

    // A revision that does not exist is an error naming it.
    let bad = ab(&dir, &["--base", "no-such-branch", "--pairs", "2"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("`no-such-branch` is not a commit"),
        "{}",
        stderr(&bad)
    );
    // A revision that looks like an option is never taken as one by git.
    let bad = ab(&dir, &["--base=--output=x", "--pairs", "2"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("`--output=x` is not a commit"),
        "{}",
        stderr(&bad)
    );
    assert!(!dir.join("x").exists());

    git(&dir, &["worktree", "prune"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn instructions_give_an_ab_verdict_from_one_run_per_side() {
    // Same prove time, +1.5 % instructions: the instructions alone make the regression.
    let dir = std::env::temp_dir().join(format!("bench-ab-instructions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    std::fs::write(dir.join(".gitignore"), "/target\n/tools\n").unwrap();
    executable(&dir.join("build.sh"), BUILD_SH);
    std::fs::write(dir.join("instructions"), "1000000").unwrap();
    let base = commit_record(&dir, 1.0, 300 << 20, "base");
    std::fs::write(dir.join("instructions"), "1015000").unwrap();
    let head = commit_record(&dir, 1.0, 300 << 20, "head: more instructions");
    let tools = dir.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    executable(&tools.join("valgrind"), VALGRIND_SH);
    let path = format!("{}:{}", tools.display(), std::env::var("PATH").unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args([
            "ab",
            "--build-cmd",
            "build.sh",
            "--base",
            "HEAD~1",
            "--pairs",
            "2",
        ])
        .args(["--instructions", "--format", "markdown"])
        .current_dir(&dir)
        .env("BENCH_TEST_BUILD_LOG", dir.join("builds.log"))
        .env("PATH", path)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(out.status.success(), "{}\n{md}", stderr(&out));
    assert!(
        md.contains("| Instructions | 1,000,000 | 1,015,000 | +15,000 instructions | +1.5% | 🔴 |"),
        "{md}"
    );
    assert!(
        md.contains("**Regression detected**: Instructions +1.5%"),
        "{md}"
    );
    // Each revision was built twice: natively, and for valgrind with x86-64-v3.
    let log = std::fs::read_to_string(dir.join("builds.log")).unwrap();
    assert_eq!(log.lines().count(), 4, "{log}");
    // Each revision's workers were copied out of the shared cargo folders.
    for sha in [&base, &head] {
        let flags = |target: &str| {
            let worker = dir
                .join("target/bench/ab")
                .join(sha)
                .join(target)
                .join("release/bench");
            let out = Command::new(worker).arg("flags").output().unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        assert_eq!(flags("target").trim(), "native");
        assert_eq!(
            flags("target-x86-64-v3").trim(),
            "-C target-cpu=x86-64-v3 -C symbol-mangling-version=v0"
        );
    }
    for shared in ["target", "target-x86-64-v3"] {
        assert!(
            dir.join("target/bench/ab/shared")
                .join(shared)
                .join("release/bench")
                .is_file()
        );
    }
    git(&dir, &["worktree", "prune"]);
    std::fs::remove_dir_all(dir).unwrap();
}
