//! `bench compare` and `bench comment` through the built binary: results files written from
//! a real `bench run` file (`tests/data/`), the mismatch guards, the exit codes, and the
//! comment parser against hostile input.

mod common;

use std::path::{Path, PathBuf};

use common::{bench, stderr};
use serde_json::Value;

const TEMPLATE: &str = include_str!("data/results_fib_iterative_64k.json");

/// A results file from the template whose single entry has one run per value of `seconds`.
fn results(seconds: &[f64]) -> Value {
    let mut file: Value = serde_json::from_str(TEMPLATE).unwrap();
    let run = file["entries"][0]["runs"][0].clone();
    let runs: Vec<Value> = seconds
        .iter()
        .map(|&s| {
            let mut r = run.clone();
            r["prove_seconds"] = s.into();
            r
        })
        .collect();
    file["entries"][0]["runs"] = Value::Array(runs);
    file
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bench-compare-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const BASE: [f64; 5] = [2.0, 2.01, 1.99, 2.02, 2.0];

fn slower() -> Vec<f64> {
    BASE.iter().map(|s| s * 1.2).collect()
}

#[test]
fn a_regression_as_markdown_and_exit_code() {
    let dir = temp_dir("regression");
    let base = write(&dir, "base.json", &results(&BASE));
    let head = write(&dir, "head.json", &results(&slower()));
    let (b, h) = (base.to_str().unwrap(), head.to_str().unwrap());
    let out = bench(&["compare", b, h, "--format", "markdown"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with(
            "<!-- bench:fib_iterative_64k -->\n## Benchmark — fib_iterative_64k (median of 5)\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| Prove time (geomean) | 2.00 s | 2.40 s | +0.401 s | +20.0% [+19.0%, +21.0%] | 🔴 |"
        ),
        "{md}"
    );
    assert!(
        md.contains("⚠️ **Regression detected**: Prove time +20.0%"),
        "{md}"
    );
    assert!(md.contains("<details>"), "{md}");

    let fail = bench(&["compare", b, h, "--fail-on-regression"]);
    assert_eq!(fail.status.code(), Some(3), "{}", stderr(&fail));
    // The other direction is an improvement: no failure.
    let better = bench(&["compare", h, b, "--fail-on-regression", "--format", "json"]);
    assert!(better.status.success(), "{}", stderr(&better));
    let json: Value = serde_json::from_slice(&better.stdout).unwrap();
    assert_eq!(json["verdict"]["kind"], "improvement");
    // A threshold above the change: no change.
    let loose = bench(&["compare", b, h, "--threshold", "25", "--format", "json"]);
    let json: Value = serde_json::from_slice(&loose.stdout).unwrap();
    assert_eq!(json["verdict"]["kind"], "no_change");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn mismatches_are_refused_by_name() {
    let dir = temp_dir("mismatch");
    let base = write(&dir, "base.json", &results(&BASE));
    let b = base.to_str().unwrap();
    let refused = |edit: &dyn Fn(&mut Value), want: &str| {
        let mut v = results(&BASE);
        edit(&mut v);
        let head = write(&dir, "head.json", &v);
        let out = bench(&["compare", b, head.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{want}");
        let err = stderr(&out);
        assert!(err.contains(want), "wanted {want:?} in {err}");
    };
    refused(
        &|v| v["entries"][0]["fixture"] = "fib_iterative_1M".into(),
        "fixtures differ: base has fib_iterative_64k, head has fib_iterative_1M",
    );
    refused(
        &|v| v["entries"][0]["mode"] = "leaf-drop".into(),
        "modes of fib_iterative_64k differ: base has default, head has leaf-drop",
    );
    refused(
        &|v| v["config"]["table_parallelism"] = 3.into(),
        "table parallelism differs: base auto, head 3",
    );
    refused(
        &|v| v["entries"][0]["runs"][0]["cycles"] = 5.into(),
        "cycle counts of fib_iterative_64k · default differ: base 64010, head 5",
    );
    refused(
        &|v| v["schema_version"] = 2.into(),
        "schema versions differ: base 1, head 2",
    );
    // Another machine: a warning, not a refusal.
    let mut other = results(&BASE);
    other["machine"]["cores"] = 96.into();
    let head = write(&dir, "head.json", &other);
    let out = bench(&["compare", b, head.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: different machines"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn comment_plans_and_rejections() {
    let out = bench(&["comment", "/bench 5 mode=default"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["runs"], 5);
    assert_eq!(plan["fixture"], "fib_iterative_64k");
    assert_eq!(plan["mode"], "default");
    assert!(plan["k"].is_null());

    let huge = bench(&["comment", "/bench 123456789012345678901234567890"]);
    let plan: Value = serde_json::from_slice(&huge.stdout).unwrap();
    assert_eq!(plan["runs"], 10);

    for hostile in [
        "/bench 5; rm -rf /",
        "/bench $(touch /tmp/pwned)",
        "/bench `touch /tmp/pwned`",
        "/bench fixture=x'; rm -rf / #",
        "/bench n=3",
        "/bench fixture=fib_iterative_64k\u{202E}",
        "--help",
        "/bench 5 --help",
    ] {
        let out = bench(&["comment", hostile]);
        assert_eq!(out.status.code(), Some(4), "{hostile:?}: {}", stderr(&out));
        let msg = String::from_utf8(out.stdout).unwrap();
        assert!(msg.starts_with("❌ `/bench` rejected: "), "{msg}");
        assert!(
            !msg.contains('$') && !msg.contains(';') && !msg.contains('\''),
            "{msg}"
        );
    }
}
