//! The auto-built instruction worker of `bench run --instructions`, on any host: the
//! detection seam `BENCH_ASSUME_AVX512=1` makes `bench` take the AVX-512 path, and the test
//! hook `BENCH_TEST_BUILD_CMD` replaces `cargo build` with a script of a temporary
//! repository that writes a stand-in worker (a shell script printing a real run record). A
//! stand-in valgrind writes callgrind dumps. So the test exercises the choice, the build per
//! commit, its cache, the progress lines and the dirty tree without compiling anything.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{stderr, temp_dir};
use serde_json::Value;

const RECORD: &str = include_str!("data/run_record.json");

const BUILD_SH: &str = r#"#!/bin/sh
set -eu
echo "built $(git rev-parse HEAD) flags=${RUSTFLAGS:-native}" >> "$BENCH_TEST_BUILD_LOG"
mkdir -p "$CARGO_TARGET_DIR/release"
w="$CARGO_TARGET_DIR/release/bench"
{
  echo '#!/bin/sh'
  echo "cat <<'RECORD'"
  cat record.json
  echo
  echo 'RECORD'
} > "$w"
chmod +x "$w"
"#;

/// Writes two dumps (a phase and the final one) and runs the worker.
const VALGRIND_SH: &str = r#"#!/bin/sh
set -eu
while [ "${1#--}" != "$1" ]; do
  case "$1" in --callgrind-out-file=*) out="${1#--callgrind-out-file=}" ;; esac
  shift
done
printf 'desc: Trigger: Client Request: main_commit\nsummary: 700\nfn=_ZN6prover5stark3ntt3dif17h0123456789abcdefE\n0 700\n' > "$out.1"
printf 'desc: Trigger: Program termination\nsummary: 300\nfn=main\n0 300\n' > "$out"
exec "$@"
"#;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn run(repo: &Path, tools: &Path, log: &Path, out: &Path) -> Output {
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/fib_iterative.elf");
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["run", "--elf", elf, "--modes", "default", "--runs", "1"])
        .args(["--instructions", "--out", out.to_str().unwrap()])
        .current_dir(repo)
        .env("BENCH_ASSUME_AVX512", "1")
        .env("BENCH_TEST_BUILD_CMD", "build.sh")
        .env("BENCH_TEST_BUILD_LOG", log)
        .env(
            "PATH",
            format!("{}:{}", tools.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .expect("bench runs")
}

#[test]
fn an_avx512_bench_builds_its_worker_once_per_commit_and_from_a_dirty_tree() {
    let dir = temp_dir("instruction-worker");
    let repo = dir.join("repo");
    let tools = dir.join("tools");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(&tools).unwrap();
    executable(&tools.join("valgrind"), VALGRIND_SH);
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join(".gitignore"), "/target\n").unwrap();
    executable(&repo.join("build.sh"), BUILD_SH);
    std::fs::write(repo.join("record.json"), RECORD.trim()).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    let log = dir.join("builds.log");
    let builds = || std::fs::read_to_string(&log).unwrap_or_default();

    // First run: the worker is built, with the portable flags, and says so.
    let o = run(&repo, &tools, &log, &dir.join("a.json"));
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("valgrind cannot run: using an x86-64-v3 worker"),
        "{err}"
    );
    assert!(
        err.contains("with RUSTFLAGS=\"-C target-cpu=x86-64-v3 -C symbol-mangling-version=v0\""),
        "{err}"
    );
    assert!(
        err.contains("instructions: 1 run(s) under valgrind"),
        "{err}"
    );
    assert_eq!(builds().lines().count(), 1, "{}", builds());
    assert!(builds().contains("flags=-C target-cpu=x86-64-v3 -C symbol-mangling-version=v0"));
    let file: Value = serde_json::from_slice(&std::fs::read(dir.join("a.json")).unwrap()).unwrap();
    let counted = &file["entries"][0]["instruction_runs"][0];
    assert_eq!(counted["instructions"], 1000);
    assert_eq!(counted["instruction_phases"][0]["name"], "main_commit");
    assert_eq!(counted["instruction_phases"][1]["name"], "outside");
    assert_eq!(counted["functions"]["prover::stark::ntt::dif"], 700);
    let how = counted["instruction_worker"].as_str().unwrap();
    assert!(
        how.starts_with("x86-64-v3 build of ") && !how.contains("dirty"),
        "{how}"
    );

    // Same commit: the cached worker, no build.
    let o = run(&repo, &tools, &log, &dir.join("b.json"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("build cache: reusing the build of"),
        "{}",
        stderr(&o)
    );
    assert_eq!(builds().lines().count(), 1);

    // A tracked change: built from the working tree, and the record says so.
    std::fs::write(repo.join("build.sh"), format!("{BUILD_SH}\n# changed\n")).unwrap();
    let o = run(&repo, &tools, &log, &dir.join("c.json"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("from the working tree"),
        "{}",
        stderr(&o)
    );
    assert_eq!(builds().lines().count(), 2);
    let file: Value = serde_json::from_slice(&std::fs::read(dir.join("c.json")).unwrap()).unwrap();
    let how = file["entries"][0]["instruction_runs"][0]["instruction_worker"]
        .as_str()
        .unwrap();
    assert!(
        how.contains("working tree") && how.contains("(dirty)"),
        "{how}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
