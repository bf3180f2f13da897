//! The memory model against the counting allocator, through the built binary: for every
//! mode (each flag, their combinations, `verify-and-drop`) of the small fixtures, `bench
//! predict`'s peak lies within 5 % of `bench prove`'s exact peak, and each phase's predicted
//! peak within 5 % of the measured peak of the same phase (as a share of the prove's peak:
//! the schedule's rows for each flag, phase by phase). One test per fixture, so that they
//! run side by side.

mod common;

use common::{bench, stderr};
use serde_json::Value;

/// The modes checked: every combination of the STARK's flags, and `verify-and-drop`.
const MODES: [&str; 9] = [
    "default",
    "stream-lde",
    "leaf-drop",
    "trace-retire",
    "stream-lde+leaf-drop",
    "stream-lde+trace-retire",
    "leaf-drop+trace-retire",
    "stream-lde+leaf-drop+trace-retire",
    "verify-and-drop",
];

/// The largest error allowed, percent of the measured peak.
const TOLERANCE_PCT: f64 = 5.0;

fn json(args: &[&str]) -> Value {
    let out = bench(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check(fixture: &str) {
    let predictions = json(&[
        "predict",
        "--fixture",
        fixture,
        "--modes",
        &MODES.join(","),
        "--json",
    ]);
    let predictions = predictions.as_array().expect("an array");
    assert_eq!(predictions.len(), MODES.len());
    let mut failures = Vec::new();
    for (mode, p) in MODES.iter().zip(predictions) {
        assert_eq!(p["mode"], *mode);
        let r = json(&["prove", "--fixture", fixture, "--mode", mode, "--json"]);
        let measured = r["peak_heap_bytes"].as_u64().unwrap() as f64;
        let predicted = p["predicted_peak_bytes"].as_u64().unwrap() as f64;
        let err = (predicted - measured) / measured * 100.0;
        if err.abs() > TOLERANCE_PCT {
            failures.push(format!(
                "{mode}: peak {predicted} vs {measured} ({err:+.1} %)"
            ));
        }
        let kinds: u64 = p["breakdown"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            kinds as f64, predicted,
            "{mode}: the breakdown sums to the peak"
        );
        for phase in r["phases"].as_array().unwrap() {
            let name = phase["name"].as_str().unwrap();
            let at = p["phases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|q| q["phase"] == name)
                .unwrap_or_else(|| panic!("{mode}: no predicted phase {name}"));
            let m = phase["peak_heap_bytes"].as_u64().unwrap() as f64;
            let q = at["peak_bytes"].as_u64().unwrap() as f64;
            let err = (q - m) / measured * 100.0;
            if err.abs() > TOLERANCE_PCT {
                failures.push(format!(
                    "{mode} {name}: {q} vs {m} ({err:+.1} % of the peak)"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{fixture}:\n{}", failures.join("\n"));
}

#[test]
fn fib_iterative_64k_every_mode_within_five_percent() {
    check("fib_iterative_64k");
}

#[test]
fn bytesort_small_every_mode_within_five_percent() {
    check("bytesort_small");
}

#[test]
fn modexp_small_every_mode_within_five_percent() {
    check("modexp_small");
}

#[test]
fn collatz_small_every_mode_within_five_percent() {
    check("collatz_small");
}

/// `--fit` picks the fastest mode predicted to fit (the committed mode table ranks default
/// first, then leaf-drop, stream-lde...), proves in it, and refuses a budget nothing fits.
#[test]
fn fit_picks_the_fastest_mode_that_fits_and_refuses_an_impossible_budget() {
    let predictions = json(&[
        "predict",
        "--fixture",
        "bytesort_small",
        "--modes",
        "all",
        "--json",
    ]);
    let peak = |mode: &str| {
        predictions
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["mode"] == mode)
            .unwrap()["predicted_peak_bytes"]
            .as_u64()
            .unwrap()
    };
    // Between stream-lde's peak and leaf-drop's, with the 10 % margin: stream-lde.
    let budget = (peak("stream-lde") as f64 * 1.1) as u64 + 1;
    assert!(
        budget < peak("leaf-drop"),
        "the budget must rule leaf-drop out"
    );
    let size = format!("{budget}B");
    let r = json(&[
        "prove",
        "--fixture",
        "bytesort_small",
        "--fit",
        &size,
        "--json",
    ]);
    assert_eq!(r["mode"], "stream-lde");
    assert!(r["peak_heap_bytes"].as_u64().unwrap() <= budget);
    // Plenty: default, the fastest.
    let r = json(&[
        "prove",
        "--fixture",
        "bytesort_small",
        "--fit",
        "16GiB",
        "--json",
    ]);
    assert_eq!(r["mode"], "default");
    // Nothing fits 1 MiB: refused, naming the leanest mode's predicted peak.
    let out = bench(&["prove", "--fixture", "bytesort_small", "--fit", "1MiB"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("nothing fits in 1.0 MiB")
            && err.contains("stream-lde+leaf-drop+trace-retire"),
        "{err}"
    );
}
