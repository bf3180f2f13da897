//! `bench run --save-baseline` / `--baseline` through the built binary, on a tiny program
//! (the Fibonacci ELF on empty input: one short prove per run), in a temporary working
//! directory so that `target/bench/baselines/` is the test's own.

mod common;

use std::process::{Command, Output};

use common::stderr;

fn bench_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("bench runs")
}

#[test]
fn save_a_baseline_then_compare_with_it() {
    let dir = std::env::temp_dir().join(format!("bench-baseline-it-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/fib_iterative.elf");
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "run", "--elf", elf, "--modes", "default", "--runs", "1", "--out", out,
        ];
        args.extend_from_slice(extra);
        bench_in(&dir, &args)
    };

    // First run: nothing saved yet (the comparison says so), then saved.
    let first = run(
        "r1.json",
        &[
            "--baseline",
            "t",
            "--save-baseline",
            "t",
            "--format",
            "markdown",
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let md = String::from_utf8(first.stdout.clone()).unwrap();
    assert!(md.contains("❔ **No verdict**: no baseline for"), "{md}");
    assert!(stderr(&first).contains("saved baseline `t`: 1 entry"));
    let saved: Vec<_> = std::fs::read_dir(dir.join("target/bench/baselines/t"))
        .unwrap()
        .collect();
    assert_eq!(saved.len(), 1);

    // Second run: compared with it.
    let second = run("r2.json", &["--baseline", "t", "--format", "markdown"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let md = String::from_utf8(second.stdout).unwrap();
    assert!(
        md.contains("| Metric | baseline t | this run | Δ | Δ % | |"),
        "{md}"
    );
    assert!(md.contains("Baseline: saved baseline `t` ("), "{md}");
    assert!(!md.contains("no baseline for"), "{md}");

    // A name that is not a plain directory name is refused before anything runs.
    let bad = run("r3.json", &["--save-baseline", "../x"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("baseline name `../x`"),
        "{}",
        stderr(&bad)
    );
    assert!(!dir.join("r3.json").exists());
    std::fs::remove_dir_all(dir).unwrap();
}
