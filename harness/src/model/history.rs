//! One line of the nightly history: a [`HistoryRecord`] per (night, mode), holding the
//! night's medians and spreads, not its runs (those stay in the night's results file). The
//! file itself (JSON Lines, append-only) is `store::history`'s.

use prover::modes::MemoryMode;
use serde::{Deserialize, Serialize};

use crate::model::record::Breakdown;
use crate::model::results::ResultsFile;

/// Version of the record layout; readers refuse other versions.
pub const HISTORY_SCHEMA_VERSION: u32 = 1;

/// One mode on one night.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRecord {
    /// [`HISTORY_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When the night's record was made, UTC, RFC 3339.
    pub date: String,
    /// The git revision measured.
    pub commit: String,
    /// Whether the tree had uncommitted changes.
    pub dirty: bool,
    /// `Machine::key` of the machine that measured this mode: time is compared only on the
    /// same machine (heap and instruction counts across machines).
    pub machine: String,
    /// Fixture name.
    pub fixture: String,
    /// The memory mode.
    pub mode: MemoryMode,
    /// Successful runs behind the medians.
    pub runs: usize,
    /// Median prove seconds (`null` without a successful run).
    pub median_prove_seconds: Option<f64>,
    /// Median exact peak heap (`null` without a run or without heap counting).
    pub median_peak_heap_bytes: Option<u64>,
    /// (max - min) / median of the prove time, percent.
    pub time_spread_pct: Option<f64>,
    /// (max - min) / median of the peak heap, percent.
    pub heap_spread_pct: Option<f64>,
    /// Runs that failed.
    pub failed_runs: usize,
    /// Fastest and slowest prove of the night (the chart's spread; absent from records
    /// written before they were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_prove_seconds: Option<f64>,
    /// See `min_prove_seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_prove_seconds: Option<f64>,
    /// Smallest and largest exact peak heap of the night (equal when the heap repeats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_peak_heap_bytes: Option<u64>,
    /// See `min_peak_heap_bytes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_peak_heap_bytes: Option<u64>,
    /// Median instruction count of the night's runs under cachegrind, when counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_instructions: Option<u64>,
    /// The build that counted them (`rustc -V` and CPU features): nights counted by
    /// different builds are not compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction_build: Option<String>,
    /// Live heap bytes per buffer kind at the peak (the first run's; the heap repeats
    /// exactly), so a heap step can be traced to the kinds that moved. Absent from records
    /// written before the heap tags.
    #[serde(default, skip_serializing_if = "Breakdown::is_empty")]
    pub peak_breakdown: Breakdown,
}

/// The records of `fixture` in `results`, one per mode in the file's order, dated `date`.
pub fn records_from(results: &ResultsFile, fixture: &str, date: &str) -> Vec<HistoryRecord> {
    results
        .entries
        .iter()
        .filter(|e| e.fixture == fixture)
        .map(|e| {
            let s = &e.summary;
            // A merged file's entries each carry their shard's machine.
            let machine = results.entry_machine(e);
            HistoryRecord {
                schema_version: HISTORY_SCHEMA_VERSION,
                date: date.to_string(),
                commit: machine.git_sha.clone(),
                dirty: machine.git_dirty,
                machine: machine.key(),
                fixture: e.fixture.clone(),
                mode: e.mode,
                runs: s.runs,
                median_prove_seconds: s.median_prove_seconds,
                median_peak_heap_bytes: s.median_peak_heap_bytes,
                time_spread_pct: s.time_spread_pct,
                heap_spread_pct: s.heap_spread_pct,
                failed_runs: s.failed_runs,
                min_prove_seconds: s.min_prove_seconds,
                max_prove_seconds: s.max_prove_seconds,
                min_peak_heap_bytes: s.min_peak_heap_bytes,
                max_peak_heap_bytes: s.max_peak_heap_bytes,
                median_instructions: s.median_instructions,
                instruction_build: e
                    .instruction_runs
                    .first()
                    .map(|r| format!("{} · {}", r.machine.rustc, r.machine.target_features)),
                peak_breakdown: e
                    .runs
                    .iter()
                    .find(|r| !r.peak_breakdown.is_empty())
                    .map(|r| r.peak_breakdown.clone())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_from_the_results_summaries() {
        let file = crate::testing::sample_file();
        let r = records_from(&file, "fib", "2026-01-01T00:00:00Z");
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].mode.to_string(), "stream-lde");
        assert_eq!(r[1].median_prove_seconds, Some(2.5));
        assert_eq!(r[1].median_peak_heap_bytes, Some(400 << 20));
        assert_eq!(r[0].commit, "abc");
        assert_eq!(r[0].machine, file.machine.key());
        assert_eq!(r[1].min_prove_seconds, Some(2.5));
        assert_eq!(r[1].max_peak_heap_bytes, Some(400 << 20));
        assert!(records_from(&file, "other", "d").is_empty());
    }

    #[test]
    fn the_history_keeps_the_peak_breakdown_and_reads_lines_without_one() {
        let mut file = crate::testing::sample_file();
        let kinds: Breakdown = [("main_lde".to_string(), 7u64), ("other".to_string(), 3)].into();
        file.entries[1].runs[0].peak_breakdown = kinds.clone();
        let r = records_from(&file, "fib", "d");
        assert!(r[0].peak_breakdown.is_empty());
        assert_eq!(r[1].peak_breakdown, kinds);
        let line = serde_json::to_string(&r[1]).unwrap();
        assert!(
            line.contains("\"peak_breakdown\":{\"main_lde\":7,\"other\":3}"),
            "{line}"
        );
        let back: HistoryRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(back, r[1]);
        let old = serde_json::to_string(&r[0]).unwrap();
        assert!(!old.contains("peak_breakdown"));
        assert!(
            serde_json::from_str::<HistoryRecord>(&old)
                .unwrap()
                .peak_breakdown
                .is_empty()
        );
    }

    #[test]
    fn a_record_without_run_extremes_still_reads() {
        // A line written before the extremes were kept.
        let mut r = records_from(&crate::testing::sample_file(), "fib", "d").remove(0);
        let mut v = serde_json::to_value(&r).unwrap();
        for k in [
            "min_prove_seconds",
            "max_prove_seconds",
            "min_peak_heap_bytes",
            "max_peak_heap_bytes",
        ] {
            assert!(v.as_object_mut().unwrap().remove(k).is_some(), "{k}");
        }
        let back: HistoryRecord = serde_json::from_value(v).unwrap();
        (r.min_prove_seconds, r.max_prove_seconds) = (None, None);
        (r.min_peak_heap_bytes, r.max_peak_heap_bytes) = (None, None);
        assert_eq!(back, r);
    }
}
