//! Helpers shared by the `bench` integration tests: run the built binary, read its stderr.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `bench` with `args`.
pub fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .output()
        .expect("bench runs")
}

/// Runs `bench` with `args` and one extra environment variable.
pub fn bench_env(args: &[&str], key: &str, value: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .env(key, value)
        .output()
        .expect("bench runs")
}

/// The process's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `bench` with `args` in the folder `dir`.
pub fn bench_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("bench runs")
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The process's stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One synthetic entry of a results file: fixture, mode, cycles, and per run (seconds,
/// peak heap bytes).
pub struct SynthEntry<'a> {
    pub fixture: &'a str,
    pub mode: &'a str,
    pub cycles: u64,
    pub runs: Vec<(f64, u64)>,
}

/// A results file (schema v1) with the given entries, summaries filled in as `bench run`
/// would (medians of an odd number of runs, min, max, spreads).
pub fn synthetic_results(entries: &[SynthEntry]) -> serde_json::Value {
    use serde_json::json;
    let machine = json!({
        "cpu_model": "Synthetic CPU", "cores": 2, "memory_bytes": 25769803776u64,
        "os": "Linux 6", "rustc": "rustc 1.90.0", "git_sha": "feedface", "git_dirty": false
    });
    let entries: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let runs: Vec<serde_json::Value> = e
                .runs
                .iter()
                .enumerate()
                .map(|(i, &(s, h))| {
                    json!({
                        "fixture": e.fixture, "mode": e.mode, "cycles": e.cycles,
                        "prove_seconds": s, "verify_seconds": 0.1,
                        "peak_heap_bytes": h, "peak_rss_bytes": h + 1000,
                        "proof_bytes": 100, "proof_sha3": "abcd", "verified": true,
                        "input": [], "public_output": [1], "exit_code": 0,
                        "phases": [], "tables": [], "machine": machine.clone(),
                        "config": {"log_blowup": 1, "log_max_rows": 20,
                                   "table_parallelism": null, "count_alloc": true},
                        "sequence": i
                    })
                })
                .collect();
            let mut t: Vec<f64> = e.runs.iter().map(|r| r.0).collect();
            let mut h: Vec<u64> = e.runs.iter().map(|r| r.1).collect();
            t.sort_by(f64::total_cmp);
            h.sort_unstable();
            let (tm, hm) = (t[t.len() / 2], h[h.len() / 2]);
            let (t0, t1, h0, h1) = (t[0], t[t.len() - 1], h[0], h[h.len() - 1]);
            json!({
                "fixture": e.fixture, "mode": e.mode, "runs": runs, "failures": [],
                "summary": {
                    "runs": e.runs.len(), "failed_runs": 0,
                    "median_prove_seconds": tm, "min_prove_seconds": t0, "max_prove_seconds": t1,
                    "time_spread_pct": (t1 - t0) / tm * 100.0, "time_cv": 0.0,
                    "median_peak_heap_bytes": hm, "min_peak_heap_bytes": h0,
                    "max_peak_heap_bytes": h1,
                    "heap_spread_pct": (h1 - h0) as f64 / hm as f64 * 100.0, "heap_cv": 0.0,
                    "median_peak_rss_bytes": hm + 1000, "median_verify_seconds": 0.1,
                    "proof_sha3": "abcd", "digests_agree": true, "peak_phase": null
                }
            })
        })
        .collect();
    json!({
        "schema_version": 1, "created": "2026-01-01T00:00:00Z", "machine": machine,
        "config": {"log_blowup": 1, "log_max_rows": 20, "table_parallelism": null,
                   "count_alloc": true},
        "entries": entries
    })
}

/// Writes `value` as JSON to `path`.
pub fn write_json(path: &std::path::Path, value: &serde_json::Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// The text of every `<text>` element of the SVG at `path`, after parsing it as XML.
pub fn svg_texts(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// Runs `bench` with `args`, asserts that it succeeded, and parses its stdout as JSON.
pub fn bench_json(args: &[&str]) -> serde_json::Value {
    let out = bench(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// For each of `modes`, in order: `bench predict`'s prediction for `fixture` and the record
/// of one `bench prove --json` in that mode, both with `extra` arguments (proof parameters
/// such as `--log-max-rows`).
pub fn predicted_and_proved(
    fixture: &str,
    modes: &[&str],
    extra: &[&str],
) -> Vec<(serde_json::Value, serde_json::Value)> {
    let modes_list = modes.join(",");
    let mut args = vec![
        "predict",
        "--fixture",
        fixture,
        "--modes",
        &modes_list,
        "--json",
    ];
    args.extend_from_slice(extra);
    let predictions = bench_json(&args);
    let predictions = predictions.as_array().expect("an array").clone();
    assert_eq!(predictions.len(), modes.len());
    modes
        .iter()
        .zip(predictions)
        .map(|(mode, p)| {
            assert_eq!(p["mode"], *mode);
            let mut args = vec!["prove", "--fixture", fixture, "--mode", mode, "--json"];
            args.extend_from_slice(extra);
            let r = bench_json(&args);
            (p, r)
        })
        .collect()
}

/// (predicted, measured, signed error in percent of the measured) peak heap of a prediction
/// and a prove record.
pub fn peak_error(prediction: &serde_json::Value, record: &serde_json::Value) -> (f64, f64, f64) {
    let measured = record["peak_heap_bytes"].as_u64().unwrap() as f64;
    let predicted = prediction["predicted_peak_bytes"].as_u64().unwrap() as f64;
    (
        predicted,
        measured,
        (predicted - measured) / measured * 100.0,
    )
}
