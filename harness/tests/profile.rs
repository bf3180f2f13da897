//! `bench profile` through the built binary: one real prove of the smallest fixture.

mod common;

use common::{bench, stderr, svg_texts, temp_dir};
use serde_json::Value;

#[test]
fn a_timeline_of_the_smallest_fixture() {
    let dir = temp_dir("profile");
    let svg = dir.join("p.svg");
    let out = bench(&[
        "profile",
        "--fixture",
        "fib_iterative_64k",
        "--mode",
        "default",
        "--json",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let samples = t["samples"].as_array().unwrap();
    let kinds = |k: &str| samples.iter().filter(|s| s["kind"] == k).count();
    assert_eq!(kinds("start"), 1);
    assert_eq!(kinds("end"), 1);
    assert!(kinds("phase_start") >= 6 && kinds("phase_start") == kinds("phase_end"));
    assert!(kinds("peak") >= 10, "{}", kinds("peak"));
    let peak = t["peak_bytes"].as_u64().unwrap();
    assert!(peak > 100 << 20, "{peak}");
    let max = samples
        .iter()
        .map(|s| s["live_bytes"].as_u64().unwrap())
        .max();
    assert_eq!(max, Some(peak), "the global peak is a sample");
    let secs: Vec<f64> = samples
        .iter()
        .map(|s| s["seconds"].as_f64().unwrap())
        .collect();
    assert!(secs.windows(2).all(|w| w[0] <= w[1]));
    let phases: Vec<&str> = t["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "execute+trace",
        "main_commit",
        "aux_commit",
        "composition",
        "fri",
        "queries",
    ] {
        assert!(phases.contains(&p), "{p} not in {phases:?}");
    }
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|s| s == "live heap"), "{texts:?}");
    assert!(texts.iter().any(|s| s == "composition"), "{texts:?}");
    let label = format!("peak {:.1} MiB in", peak as f64 / (1u64 << 20) as f64);
    assert!(
        texts.iter().any(|s| s.starts_with(&label)),
        "{label} not in {texts:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn dhat_without_the_feature_says_how_to_rebuild() {
    if cfg!(feature = "dhat-heap") {
        return;
    }
    let out = bench(&["profile", "--fixture", "fib_iterative_64k", "--dhat"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--features dhat-heap"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_areas_sum_to_the_line_at_every_sample_in_every_mode() {
    // Every mode `bench profile` proves (verify-and-drop proves in epochs, which the
    // profile does not take): each sample carries the live bytes per buffer kind, summing
    // to its live bytes, so the stacked areas meet the line at every sample.
    for mode in [
        "default",
        "stream-lde",
        "leaf-drop",
        "trace-retire",
        "stream-lde+leaf-drop+trace-retire",
    ] {
        let dir = temp_dir(&format!("profile-areas-{}", mode.replace('+', "-")));
        let svg = dir.join("p.svg");
        let out = bench(&[
            "profile",
            "--fixture",
            "bytesort_small",
            "--mode",
            mode,
            "--json",
            "--svg",
            svg.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{mode}: {}", stderr(&out));
        let t: Value = serde_json::from_slice(&out.stdout).unwrap();
        let samples = t["samples"].as_array().unwrap();
        assert!(samples.len() > 10, "{mode}: {}", samples.len());
        for s in samples {
            let live = s["live_bytes"].as_u64().unwrap();
            let sum: u64 = s["by_kind"]
                .as_object()
                .map_or(0, |m| m.values().map(|v| v.as_u64().unwrap()).sum());
            assert_eq!(sum, live, "{mode}: the areas miss the line at {s}");
        }
        // Every kind ever live is in the legend, and every kind of a sample is one of them.
        let ever: Vec<&str> = t["kinds_ever_live"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        assert!(
            ever.contains(&"other") && ever.contains(&"fri_layers"),
            "{mode}: {ever:?}"
        );
        for s in samples {
            for k in s["by_kind"].as_object().into_iter().flat_map(|m| m.keys()) {
                assert!(ever.contains(&k.as_str()), "{mode}: {k} not in {ever:?}");
            }
        }
        let texts = svg_texts(&svg);
        for k in &ever {
            assert!(
                texts.iter().any(|t| t == k),
                "{mode}: {k} not in the legend"
            );
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
