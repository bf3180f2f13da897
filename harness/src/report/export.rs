//! A results file in the formats of two benchmark trackers (`bench export`).
//!
//! * **BMF**, Bencher Metric Format: `{ "<benchmark>": { "<measure>": { "value",
//!   "lower_value", "upper_value" } } }`. The benchmark is `FIXTURE/MODE`; the measures are
//!   Bencher's built-in `latency` (nanoseconds: the median prove time, with the fastest and
//!   slowest run as bounds), a custom `peak-heap` (bytes: median, smallest, largest) and,
//!   for entries with runs under cachegrind, a custom `instructions` (median, fewest, most).
//! * **gab**, github-action-benchmark's `customSmallerIsBetter` tool: a JSON array of
//!   `{ "name", "unit", "value", "range", "extra" }`, two per (fixture, mode):
//!   `FIXTURE/MODE prove time` in seconds and `FIXTURE/MODE peak heap` in bytes (and
//!   `FIXTURE/MODE instructions` where counted); `range` is `± half the min-max spread`,
//!   `extra` the run count and the machine (each entry's own in a merged shard file).
//!
//! Entries without a successful run are left out ([`measured`] names them); a metric without
//! a value (heap counting off) is left out of its entry.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::model::results::{Entry, ResultsFile};

/// The BMF measure name of prove time (Bencher's built-in, in nanoseconds).
pub const BMF_LATENCY: &str = "latency";
/// The BMF measure name of peak heap (a custom measure, in bytes).
pub const BMF_PEAK_HEAP: &str = "peak-heap";
/// The BMF measure name of the instruction count (a custom measure).
pub const BMF_INSTRUCTIONS: &str = "instructions";

/// Median, fewest and most instructions of an entry's runs under cachegrind.
fn instructions(e: &Entry) -> Option<(u64, u64, u64)> {
    let counts: Vec<u64> = e
        .instruction_runs
        .iter()
        .filter_map(|r| r.instructions)
        .collect();
    let median = e.summary.median_instructions?;
    Some((median, *counts.iter().min()?, *counts.iter().max()?))
}

/// One entry of github-action-benchmark's `customSmallerIsBetter` array.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GabEntry {
    /// Benchmark name.
    pub name: String,
    /// Unit of `value`.
    pub unit: String,
    /// The value; smaller is better.
    pub value: f64,
    /// Spread, as text.
    pub range: String,
    /// Free text shown in the tooltip.
    pub extra: String,
}

fn name(e: &Entry) -> String {
    format!("{}/{}", e.fixture, e.mode)
}

/// The entries with a successful run; the names of the others.
pub fn measured(file: &ResultsFile) -> (Vec<&Entry>, Vec<String>) {
    let (ok, empty): (Vec<&Entry>, Vec<&Entry>) = file
        .entries
        .iter()
        .partition(|e| e.summary.median_prove_seconds.is_some());
    (ok, empty.into_iter().map(name).collect())
}

/// `file` as Bencher Metric Format.
pub fn bmf(file: &ResultsFile) -> Value {
    let mut out = Map::new();
    for e in measured(file).0 {
        let s = &e.summary;
        let mut measures = Map::new();
        if let (Some(m), Some(lo), Some(hi)) = (
            s.median_prove_seconds,
            s.min_prove_seconds,
            s.max_prove_seconds,
        ) {
            measures.insert(
                BMF_LATENCY.into(),
                json!({ "value": m * 1e9, "lower_value": lo * 1e9, "upper_value": hi * 1e9 }),
            );
        }
        if let (Some(m), Some(lo), Some(hi)) = (
            s.median_peak_heap_bytes,
            s.min_peak_heap_bytes,
            s.max_peak_heap_bytes,
        ) {
            measures.insert(
                BMF_PEAK_HEAP.into(),
                json!({ "value": m as f64, "lower_value": lo as f64, "upper_value": hi as f64 }),
            );
        }
        if let Some((m, lo, hi)) = instructions(e) {
            measures.insert(
                BMF_INSTRUCTIONS.into(),
                json!({ "value": m as f64, "lower_value": lo as f64, "upper_value": hi as f64 }),
            );
        }
        out.insert(name(e), Value::Object(measures));
    }
    Value::Object(out)
}

/// `file` as github-action-benchmark `customSmallerIsBetter` entries.
pub fn gab(file: &ResultsFile) -> Vec<GabEntry> {
    let mut out = Vec::new();
    for e in measured(file).0 {
        // A merged shard file: each entry's own machine.
        let machine = file.entry_machine(e).describe();
        let s = &e.summary;
        let extra = format!(
            "median of {} run(s){}; {machine}; {}",
            s.runs,
            if s.failed_runs > 0 {
                format!(" ({} failed)", s.failed_runs)
            } else {
                String::new()
            },
            &file.machine.git_sha
        );
        if let (Some(m), Some(lo), Some(hi)) = (
            s.median_prove_seconds,
            s.min_prove_seconds,
            s.max_prove_seconds,
        ) {
            out.push(GabEntry {
                name: format!("{} prove time", name(e)),
                unit: "s".into(),
                value: m,
                range: format!("± {:.4}", (hi - lo) / 2.0),
                extra: extra.clone(),
            });
        }
        if let (Some(m), Some(lo), Some(hi)) = (
            s.median_peak_heap_bytes,
            s.min_peak_heap_bytes,
            s.max_peak_heap_bytes,
        ) {
            out.push(GabEntry {
                name: format!("{} peak heap", name(e)),
                unit: "bytes".into(),
                value: m as f64,
                range: format!("± {}", (hi - lo) / 2),
                extra: extra.clone(),
            });
        }
        if let Some((m, lo, hi)) = instructions(e) {
            out.push(GabEntry {
                name: format!("{} instructions", name(e)),
                unit: "instructions".into(),
                value: m as f64,
                range: format!("± {}", (hi - lo) / 2),
                extra: format!(
                    "{} run(s) under cachegrind; {machine}; {}",
                    e.instruction_runs.len(),
                    &file.machine.git_sha
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_file;

    #[test]
    fn bmf_shape() {
        let mut file = sample_file();
        file.entry_mut("fib", "leaf-drop".parse().unwrap()); // no runs: left out
        let v = bmf(&file);
        let obj = v.as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(keys, ["fib/default", "fib/stream-lde"]);
        let d = &obj["fib/default"];
        assert_eq!(
            d["latency"],
            json!({ "value": 2e9, "lower_value": 2e9, "upper_value": 2e9 })
        );
        let heap = (1000u64 << 20) as f64;
        assert_eq!(
            d["peak-heap"],
            json!({ "value": heap, "lower_value": heap, "upper_value": heap })
        );
        // Every measure has exactly the three documented keys, all numbers.
        for bench in obj.values() {
            for measure in bench.as_object().unwrap().values() {
                let m = measure.as_object().unwrap();
                let mut k: Vec<&str> = m.keys().map(String::as_str).collect();
                k.sort_unstable();
                assert_eq!(k, ["lower_value", "upper_value", "value"]);
                assert!(m.values().all(Value::is_f64));
            }
        }
    }

    #[test]
    fn instruction_counts_are_exported_where_measured() {
        let mut file = sample_file();
        crate::testing::with_instructions(&mut file, "default", &[1_000, 1_002, 1_001]);
        let v = bmf(&file);
        assert_eq!(
            v["fib/default"]["instructions"],
            json!({ "value": 1001.0, "lower_value": 1000.0, "upper_value": 1002.0 })
        );
        assert!(v["fib/stream-lde"].get("instructions").is_none());
        // Valgrind's distorted times never reach the latency measure.
        assert_eq!(v["fib/default"]["latency"]["value"], 2e9);
        let g = gab(&file);
        let i = g
            .iter()
            .find(|e| e.name == "fib/default instructions")
            .unwrap();
        assert_eq!((i.unit.as_str(), i.value), ("instructions", 1001.0));
        assert!(i.extra.contains("3 run(s) under cachegrind"), "{}", i.extra);
    }

    #[test]
    fn gab_shape() {
        let v = serde_json::to_value(gab(&sample_file())).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 4);
        for e in arr {
            let o = e.as_object().unwrap();
            let mut k: Vec<&str> = o.keys().map(String::as_str).collect();
            k.sort_unstable();
            assert_eq!(k, ["extra", "name", "range", "unit", "value"]);
            assert!(o["name"].is_string() && o["unit"].is_string());
            assert!(o["value"].is_number());
        }
        assert_eq!(arr[0]["name"], "fib/default prove time");
        assert_eq!(arr[0]["unit"], "s");
        assert_eq!(arr[0]["value"], 2.0);
        assert_eq!(arr[0]["range"], "± 0.0000");
        assert_eq!(arr[3]["name"], "fib/stream-lde peak heap");
        assert_eq!(arr[3]["unit"], "bytes");
        assert!(
            arr[3]["extra"]
                .as_str()
                .unwrap()
                .contains("median of 2 run(s)")
        );
    }
}
