//! `bench growth` through the built binary, on synthetic results files.

mod common;

use common::{
    SynthEntry, bench_in, stderr, stdout, svg_texts, synthetic_results, temp_dir, write_json,
};
use serde_json::Value;

/// A family file: heap = 50 MB + `per_mcycle` x Mcycles, time = 1.5 s x Mcycles.
fn family(per_mcycle: f64) -> Value {
    let sizes = [
        ("1M", 1_000_010u64),
        ("2M", 2_000_010),
        ("4M", 4_000_010),
        ("8M", 8_000_010),
    ];
    let names: Vec<String> = sizes
        .iter()
        .map(|(size, _)| format!("fib_iterative_{size}"))
        .collect();
    let entries: Vec<SynthEntry> = sizes
        .iter()
        .zip(&names)
        .map(|(&(_, cycles), name)| {
            let m = cycles as f64 / 1e6;
            let heap = (50e6 + per_mcycle * m) as u64;
            SynthEntry {
                fixture: name,
                mode: "default",
                cycles,
                runs: vec![(1.5 * m, heap), (1.5 * m, heap), (1.5 * m, heap)],
            }
        })
        .collect();
    synthetic_results(&entries)
}

#[test]
fn slopes_baseline_and_a_memory_scaling_regression() {
    let dir = temp_dir("growth");
    write_json(&dir.join("before.json"), &family(100e6));
    write_json(&dir.join("after.json"), &family(125e6));
    let out = bench_in(
        &dir,
        &[
            "growth",
            "--family",
            "fib_iterative",
            "--results",
            "before.json",
            "--save-baseline",
            "main",
            "--svg",
            "growth.svg",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Growth of fib_iterative from 1.00 to 8.00 Mcycles (least squares against cycles)"
    );
    assert!(lines[2].starts_with("default "), "{text}");
    assert!(lines[2].contains("100.00 MB/Mcycle  1.0000"), "{text}");
    assert!(lines[2].contains("1.500 s/Mcycle  1.0000"), "{text}");
    assert!(
        dir.join("target/bench/growth-baselines/main.json")
            .is_file()
    );
    let t = svg_texts(&dir.join("growth.svg"));
    assert!(
        t.iter().any(|s| s == "default: 100.00 MB/Mcycle, R² 1.000"),
        "{t:?}"
    );

    // +25 % heap slope against the baseline: a regression, exit 3.
    let out = bench_in(
        &dir,
        &["growth", "--results", "after.json", "--baseline", "main"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "⚠️ Memory-scaling regression (default): heap slope 100.00 MB/Mcycle → 125.00 MB/Mcycle (+25.0 %, threshold 10 %)"
        ),
        "{}",
        stdout(&out)
    );
    // Under a 30 % threshold it passes.
    let out = bench_in(
        &dir,
        &[
            "growth",
            "--results",
            "after.json",
            "--baseline",
            "main",
            "--threshold",
            "30",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdicts"][0]["regression"], false);
    assert!(
        !stderr(&out).contains("another machine"),
        "{}",
        stderr(&out)
    );
    // A baseline from another machine: said, and the heap slopes still compared.
    let saved = dir.join("target/bench/growth-baselines/main.json");
    let mut b: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    b["machine"] = "Other CPU | 64 cores | 512 GiB | Linux".into();
    std::fs::write(&saved, serde_json::to_string(&b).unwrap()).unwrap();
    let out = bench_in(
        &dir,
        &["growth", "--results", "after.json", "--baseline", "main"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was measured on another machine (Other CPU | 64 cores"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        v["report"]["modes"][0]["points"].as_array().unwrap().len(),
        4
    );
    // Two sizes only.
    let out = bench_in(
        &dir,
        &[
            "growth",
            "--results",
            "after.json",
            "--sizes",
            "1M,2M",
            "--json",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["report"]["modes"][0]["points"].as_array().unwrap().len(),
        2
    );
    // A missing baseline and an unknown family are errors.
    let out = bench_in(
        &dir,
        &["growth", "--results", "after.json", "--baseline", "nope"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("growth-baselines/nope.json"),
        "{}",
        stderr(&out)
    );
    let out = bench_in(
        &dir,
        &["growth", "--family", "collatz", "--results", "after.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A suite program's family (NAME_64k, NAME_1M, NAME_8M) fits as fib's does; a family is the
/// whole name before the size, so the decoy `sha_64k` is not in `sha_chain`, nor the other way.
#[test]
fn a_suite_programs_family_fits() {
    let dir = temp_dir("growth-suite");
    let sizes = [
        ("sha_chain_64k", 65_000u64),
        ("sha_chain_1M", 1_000_000),
        ("sha_chain_8M", 8_000_000),
        ("sha_64k", 64_000),
    ];
    let entries: Vec<SynthEntry> = sizes
        .iter()
        .map(|&(fixture, cycles)| {
            let m = cycles as f64 / 1e6;
            let heap = (40e6 + 2_000.0 * cycles as f64) as u64;
            SynthEntry {
                fixture,
                mode: "default",
                cycles,
                runs: vec![(0.1 + 9.0 * m, heap); 3],
            }
        })
        .collect();
    write_json(&dir.join("suite.json"), &synthetic_results(&entries));
    let out = bench_in(
        &dir,
        &[
            "growth",
            "--family",
            "sha_chain",
            "--results",
            "suite.json",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mode = &v["report"]["modes"][0];
    let points: Vec<&str> = mode["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["fixture"].as_str().unwrap())
        .collect();
    assert_eq!(points, ["sha_chain_64k", "sha_chain_1M", "sha_chain_8M"]);
    // 2,000 bytes per cycle is 2e9 bytes per Mcycle.
    let slope = mode["heap"]["slope"].as_f64().unwrap();
    assert!((slope - 2e9).abs() < 1e3, "{slope}");
    // `sha` has one size only: nothing to fit a line through.
    let out = bench_in(
        &dir,
        &["growth", "--family", "sha", "--results", "suite.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    std::fs::remove_dir_all(dir).unwrap();
}
