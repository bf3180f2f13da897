//! The summary of one entry's runs (`EntrySummary`): medians, extremes, spreads and
//! coefficients of variation of prove time and peak heap, the median RSS and verify time,
//! whether the proof digests agree, and the phase where the peak heap is held.

use crate::analysis::stats::{self, Sample};
use crate::model::record::RunRecord;
use crate::model::results::{Entry, EntrySummary};

/// The statistics of `runs` with `failed_runs` failures (the instruction fields are left
/// empty: see [`resummarize`]).
pub fn summarize(runs: &[RunRecord], failed_runs: usize) -> EntrySummary {
    let sample = |f: &dyn Fn(&RunRecord) -> Option<f64>| -> Option<stats::Summary> {
        let values: Option<Vec<f64>> = runs.iter().map(f).collect();
        Sample::new(values?).ok().map(|s| stats::summary(&s))
    };
    let time = sample(&|r| Some(r.prove_seconds));
    let heap = sample(&|r| r.peak_heap_bytes.map(|b| b as f64));
    let rss = sample(&|r| r.peak_rss_bytes.map(|b| b as f64));
    let verify = sample(&|r| Some(r.verify_seconds));
    let digests_agree = runs.windows(2).all(|w| w[0].proof_sha3 == w[1].proof_sha3);
    let bytes = |v: f64| v.round() as u64;
    EntrySummary {
        runs: runs.len(),
        failed_runs,
        median_prove_seconds: time.as_ref().map(|s| s.median),
        min_prove_seconds: time.as_ref().map(|s| s.min),
        max_prove_seconds: time.as_ref().map(|s| s.max),
        time_spread_pct: time.as_ref().map(|s| s.spread_pct),
        time_cv: time.as_ref().map(|s| s.cv),
        median_peak_heap_bytes: heap.as_ref().map(|s| bytes(s.median)),
        min_peak_heap_bytes: heap.as_ref().map(|s| bytes(s.min)),
        max_peak_heap_bytes: heap.as_ref().map(|s| bytes(s.max)),
        heap_spread_pct: heap.as_ref().map(|s| s.spread_pct),
        heap_cv: heap.as_ref().map(|s| s.cv),
        median_peak_rss_bytes: rss.map(|s| bytes(s.median)),
        median_verify_seconds: verify.map(|s| s.median),
        proof_sha3: (digests_agree && !runs.is_empty()).then(|| runs[0].proof_sha3.clone()),
        digests_agree,
        peak_phase: peak_phase(runs),
        median_instructions: None,
        instructions_spread_pct: None,
    }
}

/// Recomputes `entry`'s summary from its runs and failures, and the instruction counts of
/// its runs under cachegrind.
pub fn resummarize(entry: &mut Entry) {
    let mut summary = summarize(&entry.runs, entry.failures.len());
    let counts: Option<Vec<f64>> = entry
        .instruction_runs
        .iter()
        .map(|r| r.instructions.map(|i| i as f64))
        .collect();
    if let Some(s) = counts
        .and_then(|c| Sample::new(c).ok())
        .map(|s| stats::summary(&s))
    {
        summary.median_instructions = Some(s.median.round() as u64);
        summary.instructions_spread_pct = Some(s.spread_pct);
    }
    entry.summary = summary;
}

/// The phase whose median peak heap is largest over `runs` (the first such in protocol
/// order on ties); `None` without runs or phases.
pub fn peak_phase(runs: &[RunRecord]) -> Option<String> {
    let first = runs.first()?;
    let mut best: Option<(&str, f64)> = None;
    for phase in &first.phases {
        let values: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.phases.iter().find(|p| p.name == phase.name))
            .map(|p| p.peak_heap_bytes as f64)
            .collect();
        let Ok(sample) = Sample::new(values) else {
            continue;
        };
        let m = stats::median(&sample);
        if best.is_none_or(|(_, b)| m > b) {
            best = Some((&phase.name, m));
        }
    }
    best.map(|(name, _)| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::record;

    #[test]
    fn summary_of_runs() {
        let runs = vec![
            record("default", 2.0, 1000, "d"),
            record("default", 1.0, 1010, "d"),
            record("default", 3.0, 990, "d"),
        ];
        let s = summarize(&runs, 1);
        assert_eq!((s.runs, s.failed_runs), (3, 1));
        assert_eq!(s.median_prove_seconds, Some(2.0));
        assert_eq!(
            (s.min_prove_seconds, s.max_prove_seconds),
            (Some(1.0), Some(3.0))
        );
        assert_eq!(s.time_spread_pct, Some(100.0));
        assert_eq!(s.median_peak_heap_bytes, Some(1000));
        assert_eq!(s.heap_spread_pct, Some(2.0));
        assert_eq!(s.proof_sha3.as_deref(), Some("d"));
        assert!(s.digests_agree);
        assert_eq!(s.peak_phase.as_deref(), Some("composition"));
        let empty = summarize(&[], 2);
        assert_eq!(empty.median_prove_seconds, None);
        assert_eq!(empty.failed_runs, 2);
        assert!(empty.proof_sha3.is_none());
        assert_eq!(summarize(&[], 0), EntrySummary::empty());
    }

    #[test]
    fn disagreeing_digests_have_no_summary_digest() {
        let runs = vec![
            record("default", 1.0, 5, "a"),
            record("default", 1.0, 5, "b"),
        ];
        let s = summarize(&runs, 0);
        assert!(!s.digests_agree);
        assert_eq!(s.proof_sha3, None);
    }
}
