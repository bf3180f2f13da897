//! Turning a results file into the mode table: one [`ModeRow`] per (fixture, mode) with its
//! medians, its ratios to the same fixture's `default`, its spreads and whether its proof
//! digest matches. Each output format lives in its own file: [`table`] (comfy-table for a
//! terminal) and [`markdown`] (GitHub); JSON is the results file itself. [`nightly`] is the
//! markdown summary of `bench nightly`.
//!
//! The comparison of `bench compare`, `bench run --baseline` and `bench ab` (the model is
//! `crate::compare::Comparison`) renders through [`compare_table`] and [`compare_markdown`],
//! which share their sentences and units in [`compare_text`]; its JSON is the model.

pub mod compare_markdown;
pub mod compare_table;
pub mod compare_text;
pub mod markdown;
pub mod nightly;
pub mod table;

use anyhow::Context;

use crate::results::ResultsFile;

/// One line of the mode table.
#[derive(Clone, Debug, PartialEq)]
pub struct ModeRow {
    /// Fixture name.
    pub fixture: String,
    /// Mode name.
    pub mode: String,
    /// Median exact peak heap.
    pub heap: Option<u64>,
    /// `heap / default's heap`.
    pub heap_ratio: Option<f64>,
    /// Median prove seconds.
    pub time: Option<f64>,
    /// `time / default's time`.
    pub time_ratio: Option<f64>,
    /// Heap spread, percent.
    pub heap_spread: Option<f64>,
    /// Time spread, percent.
    pub time_spread: Option<f64>,
    /// Successful runs.
    pub runs: usize,
    /// Failed runs.
    pub failed: usize,
    /// Proof digest against the fixture's other runs.
    pub digest: DigestCheck,
    /// The phase holding the peak.
    pub peak_phase: Option<String>,
}

/// How a row's proof digest compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestCheck {
    /// No successful run.
    NoRuns,
    /// Every run of this row, and the fixture's reference row, gave this digest.
    Same(String),
    /// Some run gave another digest.
    Differs,
}

/// The mode table of `file`, fixtures in order, modes in the order run.
pub fn mode_rows(file: &ResultsFile) -> Vec<ModeRow> {
    let mismatches = file.digest_mismatches();
    file.entries
        .iter()
        .map(|e| {
            let s = &e.summary;
            let default = file
                .entry(&e.fixture, prover::modes::MemoryMode::DEFAULT)
                .map(|d| &d.summary);
            let ratio = |x: Option<f64>, base: Option<f64>| match (x, base) {
                (Some(x), Some(b)) if b > 0.0 => Some(x / b),
                _ => None,
            };
            let differs = !s.digests_agree
                || mismatches
                    .iter()
                    .any(|m| m.starts_with(&format!("{} / {}:", e.fixture, e.mode)));
            ModeRow {
                fixture: e.fixture.clone(),
                mode: e.mode.to_string(),
                heap: s.median_peak_heap_bytes,
                heap_ratio: ratio(
                    s.median_peak_heap_bytes.map(|b| b as f64),
                    default.and_then(|d| d.median_peak_heap_bytes.map(|b| b as f64)),
                ),
                time: s.median_prove_seconds,
                time_ratio: ratio(
                    s.median_prove_seconds,
                    default.and_then(|d| d.median_prove_seconds),
                ),
                heap_spread: s.heap_spread_pct,
                time_spread: s.time_spread_pct,
                runs: s.runs,
                failed: s.failed_runs,
                digest: match (&s.proof_sha3, differs) {
                    _ if s.runs == 0 => DigestCheck::NoRuns,
                    (_, true) => DigestCheck::Differs,
                    (Some(d), false) => DigestCheck::Same(d.clone()),
                    (None, false) => DigestCheck::NoRuns,
                },
                peak_phase: s.peak_phase.clone(),
            }
        })
        .collect()
}

/// Whether every row with runs has the same digest as the rest of its fixture.
pub fn all_digests_match(rows: &[ModeRow]) -> bool {
    !rows.iter().any(|r| r.digest == DigestCheck::Differs)
}

/// Writes `text` to `path`, creating its folder.
pub fn write_file(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Bytes in MiB with one decimal.
pub fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("-".into(), |b| {
        format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64)
    })
}

/// Seconds with three significant figures (at least millisecond precision).
pub fn seconds(s: Option<f64>) -> String {
    match s {
        None => "-".into(),
        Some(s) if s >= 100.0 => format!("{s:.0} s"),
        Some(s) if s >= 10.0 => format!("{s:.1} s"),
        Some(s) if s >= 1.0 => format!("{s:.2} s"),
        Some(s) => format!("{s:.3} s"),
    }
}

/// A ratio as `0.42x`.
pub fn ratio(r: Option<f64>) -> String {
    r.map_or("-".into(), |r| format!("{r:.2}x"))
}

/// A percentage with one decimal.
pub fn pct(p: Option<f64>) -> String {
    p.map_or("-".into(), |p| format!("{p:.1}%"))
}

/// The digest cell: the first 8 hex digits when it matches, a warning otherwise.
pub fn digest_cell(d: &DigestCheck) -> String {
    match d {
        DigestCheck::NoRuns => "-".into(),
        DigestCheck::Same(d) => format!("{} ✓", &d[..d.len().min(8)]),
        DigestCheck::Differs => "DIFFERS ✗".into(),
    }
}

/// The runs cell: `3` or `2 + 1 failed`.
pub fn runs_cell(r: &ModeRow) -> String {
    if r.failed == 0 {
        r.runs.to_string()
    } else {
        format!("{} + {} failed", r.runs, r.failed)
    }
}

/// The line under the table about proof digests.
pub fn digest_line(rows: &[ModeRow]) -> String {
    if !all_digests_match(rows) {
        return "✗ proof digests DIFFER between runs or modes: a mode changed the proof".into();
    }
    let fixtures: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| matches!(r.digest, DigestCheck::Same(_)))
        .map(|r| r.fixture.as_str())
        .collect();
    if fixtures.is_empty() {
        return "no successful run: no proof digest to compare".into();
    }
    let bundle = |r: &ModeRow| {
        r.mode
            .parse::<prover::modes::MemoryMode>()
            .is_ok_and(|m| m.has(prover::modes::Flag::VerifyAndDrop))
    };
    if rows.iter().any(bundle) {
        return "✓ every proof digest matched: each fixture's proof is byte-identical in every mode \
                (continuation bundles among the verify-and-drop modes)"
            .into();
    }
    "✓ every proof digest matched: each fixture's proof is byte-identical in every mode".into()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::results::tests::{machine, record};
    use crate::results::{ResultsFile, RunConfig};

    pub(crate) fn sample_file() -> ResultsFile {
        let mut f = ResultsFile::new(
            machine(),
            RunConfig {
                log_blowup: 1,
                log_max_rows: 20,
                table_parallelism: None,
                count_alloc: true,
                epoch_log2: prover::continuation::DEFAULT_EPOCH_LOG2,
            },
        );
        for (mode, secs, heap) in [("default", 2.0, 1000 << 20), ("stream-lde", 2.5, 400 << 20)] {
            let e = f.entry_mut("fib", mode.parse().unwrap());
            e.runs.push(record(mode, secs, heap, "abcdef0123"));
            e.runs.push(record(mode, secs, heap, "abcdef0123"));
            e.resummarize();
        }
        f
    }

    #[test]
    fn rows_have_ratios_to_default() {
        let rows = mode_rows(&sample_file());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].heap_ratio, Some(1.0));
        assert_eq!(rows[1].heap_ratio, Some(0.4));
        assert_eq!(rows[1].time_ratio, Some(1.25));
        assert_eq!(rows[1].digest, DigestCheck::Same("abcdef0123".into()));
        assert!(all_digests_match(&rows));
        assert!(digest_line(&rows).starts_with('✓'));
    }

    #[test]
    fn a_mode_without_runs_has_no_digest_to_compare() {
        let mut f = sample_file();
        f.entry_mut("fib", "leaf-drop".parse().unwrap());
        let mut stale = crate::results::Entry::new("fib", "trace-retire".parse().unwrap());
        stale.summary.digests_agree = false;
        f.entries.push(stale);
        let rows = mode_rows(&f);
        assert_eq!(rows[2].digest, DigestCheck::NoRuns);
        assert_eq!(rows[3].digest, DigestCheck::NoRuns);
        assert!(all_digests_match(&rows));
    }

    #[test]
    fn a_changed_proof_is_flagged() {
        let mut f = sample_file();
        let e = f.entry_mut("fib", "stream-lde".parse().unwrap());
        e.runs[1].proof_sha3 = "ffff".into();
        e.resummarize();
        let rows = mode_rows(&f);
        assert_eq!(rows[1].digest, DigestCheck::Differs);
        assert!(digest_line(&rows).contains("DIFFER"));
    }

    #[test]
    fn units() {
        assert_eq!(mib(Some(3 << 20)), "3.0 MiB");
        assert_eq!(seconds(Some(0.01234)), "0.012 s");
        assert_eq!(seconds(Some(46.62)), "46.6 s");
        assert_eq!(seconds(Some(225.4)), "225 s");
        assert_eq!(ratio(Some(0.4449)), "0.44x");
        assert_eq!(pct(None), "-");
    }
}
