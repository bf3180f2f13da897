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
