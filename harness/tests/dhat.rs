//! Exactness of the heap counting against dhat (only with `--features dhat-heap`):
//! `cargo test --release -p harness --features dhat-heap --test dhat`.
#![cfg(feature = "dhat-heap")]

mod common;

use common::bench_env;
use serde_json::Value;

#[test]
fn counted_peak_equals_dhat_max_bytes_single_threaded() {
    let out = bench_env(
        &["prove", "--fixture", "fib_iterative_64k", "--json"],
        "RAYON_NUM_THREADS",
        "1",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &r["dhat"];
    assert!(d["dhat_max_bytes"].as_u64().unwrap() > 1 << 20);
    assert_eq!(d["counted_peak_since_start"], d["dhat_max_bytes"], "{d}");
    assert_eq!(d["equal"], true);
}

#[test]
fn profile_writes_a_dhat_heap_profile() {
    let dir = common::temp_dir("profile-dhat");
    let file = dir.join("dhat-heap.json");
    let out = common::bench(&[
        "profile",
        "--fixture",
        "fib_iterative_64k",
        "--dhat",
        "--dhat-file",
        file.to_str().unwrap(),
        "--svg",
        dir.join("p.svg").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["dhatFileVersion"], 2);
    assert_eq!(v["mode"], "rust-heap");
    assert!(!v["pps"].as_array().unwrap().is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}
