//! `bench export` through the built binary: the two formats' shapes on a synthetic results
//! file.

mod common;

use common::{SynthEntry, bench, stderr, synthetic_results, temp_dir, write_json};
use serde_json::Value;

#[test]
fn export_bmf_and_gab() {
    let dir = temp_dir("export");
    let path = dir.join("r.json");
    write_json(
        &path,
        &synthetic_results(&[SynthEntry {
            fixture: "fib_iterative_64k",
            mode: "default",
            cycles: 64_010,
            runs: vec![(2.0, 300), (1.0, 100), (3.0, 200)],
        }]),
    );
    let out = bench(&["export", "--format", "bmf", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "fib_iterative_64k/default": {
                "latency": {"value": 2e9, "lower_value": 1e9, "upper_value": 3e9},
                "peak-heap": {"value": 200.0, "lower_value": 100.0, "upper_value": 300.0}
            }
        })
    );
    let gab = dir.join("gab.json");
    let out = bench(&[
        "export",
        "--format",
        "gab",
        path.to_str().unwrap(),
        "--out",
        gab.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&gab).unwrap()).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["name"], "fib_iterative_64k/default prove time");
    assert_eq!(arr[0]["unit"], "s");
    assert_eq!(arr[0]["value"], 2.0);
    assert_eq!(arr[0]["range"], "± 1.0000");
    assert_eq!(arr[1]["name"], "fib_iterative_64k/default peak heap");
    assert_eq!(arr[1]["unit"], "bytes");
    assert_eq!(arr[1]["value"], 200.0);
    assert_eq!(arr[1]["range"], "± 100");
    let out = bench(&["export", "--format", "csv", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}
