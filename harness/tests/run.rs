//! `bench run` through the built binary: the results file, resuming, failed workers, and
//! argument errors.

mod common;

use std::path::PathBuf;

use common::{bench, stderr};
use serde_json::Value;

/// A fresh temporary directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bench-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read_json(path: &PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn two_runs_on_the_smallest_fixture_then_resume() {
    let dir = temp_dir("resume");
    let out = dir.join("r.json");
    let out_s = out.to_str().unwrap();
    let base = [
        "run",
        "--fixture",
        "fib_iterative_64k",
        "--modes",
        "default",
        "--out",
        out_s,
    ];
    // One run, then resumed to two: only the missing run is made.
    let first = bench(&[&base[..], &["--runs", "1"]].concat());
    assert!(first.status.success(), "{}", stderr(&first));
    let again = bench(&[&base[..], &["--runs", "2"]].concat());
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));
    let second = bench(&[&base[..], &["--runs", "2", "--resume", "--format", "json"]].concat());
    assert!(second.status.success(), "{}", stderr(&second));

    let file = read_json(&out);
    // stdout with --format json is the results file itself.
    let printed: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(printed, file);
    assert_eq!(file["schema_version"], 1);
    assert!(file["machine"]["cores"].as_u64().unwrap() >= 1);
    assert!(
        file["machine"]["rustc"]
            .as_str()
            .unwrap()
            .starts_with("rustc")
    );
    assert_eq!(file["config"]["log_blowup"], 1);
    let entries = file["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        (e["fixture"].as_str(), e["mode"].as_str()),
        (Some("fib_iterative_64k"), Some("default"))
    );
    let runs = e["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    let seq: Vec<u64> = runs
        .iter()
        .map(|r| r["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seq, vec![0, 1]);
    for r in runs {
        assert_eq!(r["cycles"], 64_010);
        assert_eq!(r["verified"], true);
        assert_eq!(r["mode"], "default");
        assert!(r["peak_heap_bytes"].as_u64().unwrap() > 1 << 20);
        assert!(
            r["peak_rss_bytes"].as_u64().unwrap() >= r["peak_heap_bytes"].as_u64().unwrap() / 2
        );
        assert_eq!(r["proof_sha3"].as_str().unwrap().len(), 64);
        let phases = r["phases"].as_array().unwrap();
        assert!(phases.iter().any(|p| p["name"] == "main_commit"));
        assert!(
            phases
                .iter()
                .all(|p| p["allocated_bytes"].as_u64().is_some())
        );
    }
    // Same statement, same proof, every time.
    assert_eq!(runs[0]["proof_sha3"], runs[1]["proof_sha3"]);
    let s = &e["summary"];
    assert_eq!(s["runs"], 2);
    assert_eq!(s["failed_runs"], 0);
    assert_eq!(s["digests_agree"], true);
    let times: Vec<f64> = runs
        .iter()
        .map(|r| r["prove_seconds"].as_f64().unwrap())
        .collect();
    let median = (times[0] + times[1]) / 2.0;
    assert!((s["median_prove_seconds"].as_f64().unwrap() - median).abs() < 1e-9);
    for key in [
        "time_spread_pct",
        "heap_spread_pct",
        "time_cv",
        "heap_cv",
        "median_peak_heap_bytes",
    ] {
        assert!(s[key].is_number(), "{key} missing");
    }
    // A resumed run must match the file's settings.
    let other = bench(
        &[
            &base[..],
            &["--runs", "3", "--resume", "--log-max-rows", "18"],
        ]
        .concat(),
    );
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains("cannot resume"),
        "{}",
        stderr(&other)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn verify_and_drop_runs_in_epochs_next_to_whole_run_modes() {
    // Continuation bundles are compared with each other, whole-run proofs likewise: both
    // verify-and-drop modes must agree, and differing from default is no mismatch.
    let dir = temp_dir("epochs");
    let out = dir.join("r.json");
    let run = bench(&[
        "run",
        "--fixture",
        "fib_iterative_64k",
        "--modes",
        "default,verify-and-drop,verify-and-drop+leaf-drop",
        "--epoch-log2",
        "14",
        "--runs",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let file = read_json(&out);
    assert_eq!(file["config"]["epoch_log2"], 14);
    let entries = file["entries"].as_array().unwrap();
    let record = |i: usize| &entries[i]["runs"][0];
    assert!(record(0)["epochs"].is_null());
    assert_eq!(record(1)["epochs"], 4); // 64010 cycles in epochs of 16384
    assert_eq!(record(1)["public_output"], record(0)["public_output"]);
    assert_eq!(record(1)["proof_sha3"], record(2)["proof_sha3"]);
    assert_ne!(record(1)["proof_sha3"], record(0)["proof_sha3"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_memory_budget_reaches_the_workers_and_is_recorded() {
    // In chunks of 2^12 rows the aux traces do not fit in the largest main trace, so the
    // combination rebuilds them; a budget lets it keep them: more heap, the same proof.
    let dir = temp_dir("budget");
    let measure = |name: &str, budget: &[&str]| {
        let out = dir.join(name);
        let args = [
            &[
                "run",
                "--fixture",
                "fib_iterative_64k",
                "--modes",
                "stream-lde+leaf-drop+trace-retire",
                "--log-max-rows",
                "12",
                "--runs",
                "1",
                "--out",
                out.to_str().unwrap(),
            ][..],
            budget,
        ]
        .concat();
        let run = bench(&args);
        assert!(run.status.success(), "{}", stderr(&run));
        read_json(&out)
    };
    let lean = measure("lean.json", &[]);
    let roomy = measure("roomy.json", &["--memory-budget", "1GiB"]);
    assert!(lean["config"].get("memory_budget").is_none());
    assert_eq!(roomy["config"]["memory_budget"], 1u64 << 30);
    let record = |file: &Value| file["entries"][0]["runs"][0].clone();
    let (lean, roomy) = (record(&lean), record(&roomy));
    // The worker was given it: its own record says so, and it kept more.
    assert_eq!(roomy["config"]["memory_budget"], 1u64 << 30);
    assert_eq!(roomy["proof_sha3"], lean["proof_sha3"]);
    let heap = |r: &Value| r["peak_heap_bytes"].as_u64().unwrap();
    assert!(
        heap(&roomy) > heap(&lean),
        "{} vs {}",
        heap(&roomy),
        heap(&lean)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_trapping_program_is_a_recorded_failure() {
    let dir = temp_dir("trap");
    let out = dir.join("r.json");
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/trap.elf");
    let run = bench(&[
        "run",
        "--elf",
        elf,
        "--modes",
        "default",
        "--runs",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1), "a failed run fails the command");
    assert!(stderr(&run).contains("1 run(s) failed"), "{}", stderr(&run));
    let file = read_json(&out);
    let e = &file["entries"][0];
    assert_eq!(e["runs"].as_array().unwrap().len(), 0);
    let f = &e["failures"][0];
    assert_eq!(f["exit_code"], 1);
    assert_eq!(f["timed_out"], false);
    assert_eq!(f["reason"], "exit status 1");
    let tail = f["stderr_tail"].as_str().unwrap();
    assert!(tail.contains("illegal instruction"), "{tail}");
    assert_eq!(e["summary"]["failed_runs"], 1);
    // The table still closes the output, with the failure counted.
    let table = String::from_utf8_lossy(&run.stdout);
    assert!(table.contains("0 + 1 failed"), "{table}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_prepare_command_runs_before_each_timed_run_and_its_failure_stops_the_measurement() {
    let dir = temp_dir("prepare");
    let (out, log) = (dir.join("r.json"), dir.join("log"));
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/trap.elf");
    let prepare = format!("echo ready >> {}", log.display());
    let args = |prepare: &str, runs: &str, resume: bool| {
        let mut a = vec![
            "run",
            "--elf",
            elf,
            "--modes",
            "default,leaf-drop",
            "--runs",
            runs,
        ];
        a.extend(["--out", out.to_str().unwrap(), "--prepare", prepare]);
        if resume {
            a.push("--resume");
        }
        bench(&a)
    };
    // Two modes, two runs each (the trapping program fails fast, a recorded failure).
    let first = args(&prepare, "2", false);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ready\n".repeat(4));
    // A failing prepare stops before the next run: nothing is made, the file is kept.
    let failed = args("echo no room >&2; exit 7", "3", true);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let err = stderr(&failed);
    assert!(
        err.contains(
            "the --prepare command `echo no room >&2; exit 7` failed (exit status 7): no room"
        ),
        "{err}"
    );
    let file = read_json(&out);
    for e in file["entries"].as_array().unwrap() {
        assert_eq!(e["failures"].as_array().unwrap().len(), 2, "{e}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_worker_past_the_timeout_is_a_recorded_failure() {
    let dir = temp_dir("timeout");
    let out = dir.join("r.json");
    let run = bench(&[
        "run",
        "--fixture",
        "fib_iterative_1200k",
        "--modes",
        "default",
        "--runs",
        "1",
        "--timeout",
        "0.5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let f = &read_json(&out)["entries"][0]["failures"][0];
    assert_eq!(f["timed_out"], true);
    assert_eq!(f["signal"], 9);
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .starts_with("timed out after 0.5 s")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_worker_past_its_memory_cap_is_an_out_of_memory_failure() {
    let dir = temp_dir("oom");
    let out = dir.join("r.json");
    let run = bench(&[
        "run",
        "--fixture",
        "fib_iterative_64k",
        "--modes",
        "default",
        "--runs",
        "1",
        "--max-memory",
        "0.2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let f = &read_json(&out)["entries"][0]["failures"][0];
    // The worker says it and exits with status 1 (`commands::oom`), no abort, no backtrace.
    assert_eq!(f["exit_code"], 1);
    let reason = f["reason"].as_str().unwrap();
    assert!(reason.starts_with("out of memory"), "{reason}");
    let tail = f["stderr_tail"].as_str().unwrap();
    assert!(
        tail.contains("Error: out of memory: memory allocation of"),
        "{tail}"
    );
    assert!(!tail.contains("stack backtrace"), "{tail}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn instruction_runs_are_kept_apart_from_the_timed_runs() {
    // A stand-in valgrind writes a fixed Ir total and runs the real worker (this binary,
    // given explicitly so that an AVX-512 build is accepted), so the whole path of
    // `bench run --instructions` runs: jobs, files, summary, the printed line.
    let dir = temp_dir("instruction-runs");
    let tools = dir.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let valgrind = tools.join("valgrind");
    std::fs::write(
        &valgrind,
        "#!/bin/sh\nset -eu\nwhile [ \"${1#--}\" != \"$1\" ]; do case \"$1\" in --callgrind-out-file=*) out=\"${1#--callgrind-out-file=}\" ;; esac; shift; done\necho \"summary: 12345678\" > \"$out\"\nexec \"$@\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&valgrind, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = dir.join("r.json");
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/fib_iterative.elf");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["run", "--elf", elf, "--modes", "default", "--runs", "1"])
        .args(["--instructions", "--instruction-runs", "2"])
        .args(["--instructions-worker", env!("CARGO_BIN_EXE_bench")])
        .args(["--out", out.to_str().unwrap()])
        .env(
            "PATH",
            format!("{}:{}", tools.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.contains("12,345,678 (2 run(s) under cachegrind, spread 0.0000%, same proof ✓)"),
        "{stdout}"
    );
    let file = read_json(&out);
    let e = &file["entries"][0];
    assert_eq!(e["runs"].as_array().unwrap().len(), 1);
    let counted = e["instruction_runs"].as_array().unwrap();
    assert_eq!(counted.len(), 2);
    assert!(counted.iter().all(|r| r["instructions"] == 12_345_678));
    assert!(e["runs"][0].get("instructions").is_none());
    assert_eq!(e["summary"]["runs"], 1);
    assert_eq!(e["summary"]["median_instructions"], 12_345_678);
    // Timed runs first, then the counted ones.
    assert_eq!(e["runs"][0]["sequence"], 0);
    assert_eq!(counted[1]["sequence"], 2);
}

#[test]
fn instruction_counts_fail_clearly_before_anything_runs() {
    let dir = temp_dir("instructions");
    let out_file = dir.join("r.json");
    let out = out_file.to_str().unwrap();
    let run = |extra: &[&str], path: Option<&str>| {
        let mut args = vec![
            "run",
            "--fixture",
            "fib_iterative_64k",
            "--modes",
            "default",
            "--runs",
            "1",
            "--instructions",
            "--out",
            out,
        ];
        args.extend(extra);
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_bench"));
        c.args(&args);
        if let Some(p) = path {
            c.env("PATH", p);
        }
        c.output().unwrap()
    };
    // No valgrind on PATH: the error names the package.
    let empty = dir.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let o = run(&[], Some(empty.to_str().unwrap()));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("apt-get install valgrind"),
        "{}",
        stderr(&o)
    );
    // With valgrind found (a stand-in on PATH): an AVX-512 build of this binary is not its
    // own worker and builds one from the git tree (here git is not on PATH, so that fails
    // before anything runs; `tests/instruction_worker.rs` covers the build); a given worker
    // must exist.
    let fake = dir.join("fake-valgrind");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::write(fake.join("valgrind"), "#!/bin/sh\nexit 1\n").unwrap();
    let fake = fake.to_str().unwrap();
    if cfg!(target_feature = "avx512f") {
        let o = run(&[], Some(fake));
        assert_eq!(o.status.code(), Some(1));
        let e = stderr(&o);
        assert!(
            e.contains("the instruction worker is built from the git tree"),
            "{e}"
        );
    }
    let o = run(&["--instructions-worker", "/no/such/bench"], Some(fake));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/bench"), "{}", stderr(&o));
    assert!(!out_file.exists(), "nothing ran, nothing was written");
}

#[test]
fn bad_arguments_are_named() {
    let out = bench(&["run", "--fixture", "no_such_fixture"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no_such_fixture"), "{}", stderr(&out));

    let out = bench(&["run", "--modes", "default,warp-speed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`warp-speed`"), "{}", stderr(&out));

    let out = bench(&["run", "--modes", "verify-and-drop+verify-and-drop"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("twice"), "{}", stderr(&out));

    // clap's own errors: exit 2.
    for args in [
        &["run", "--runs", "0"][..],
        &["run", "--format", "html"],
        &["run", "--resume"],
        &["run", "--table-parallelism", "0"],
        &["run", "--timeout=-3"],
        &["run", "--timeout", "0"],
        &["run", "--timeout", "soon"],
        &["run", "--max-memory", "0"],
        &["run", "--epoch-log2", "3"],
        &["run", "--epoch-log2", "25"],
        &[
            "prove",
            "--fixture",
            "fib_iterative_64k",
            "--max-memory",
            "lots",
        ],
    ] {
        let out = bench(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}
