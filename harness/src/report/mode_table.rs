//! The mode table of a results file: one [`ModeRow`] per (fixture, mode) with its medians,
//! its ratios to the same fixture's `default`, its rates per cycle (heap bytes per cycle and
//! cycles per second, in kHz: what carries from one program size to another), its spreads
//! and whether its proof digest matches; its columns, defined once, rendered for a terminal (comfy-table) and as
//! GitHub-flavoured markdown, each followed by the digest line. JSON is the results file
//! itself.
//!
//! A mode's time against default carries its interval when the two were measured in
//! interleaved rounds (one `bench run`, not merged shards: run `k` of each entry is round
//! `k`), at least two rounds each and no failed run: the paired design of `bench ab`
//! ([`time_rule::interval`], 95 %, each row on its own), so that drift between rounds
//! cancels in each ratio.

use std::path::Path;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use crate::analysis::time_rule::{self, Design, Interval};
use crate::model::machine::short_hash;
use crate::model::results::{Entry, ResultsFile};
use crate::report::units::{group_digits, mib, pct, ratio, seconds};

/// The column headers, in order.
pub const COLUMNS: [&str; 13] = [
    "fixture",
    "mode",
    "peak heap",
    "heap vs default",
    "B/cycle",
    "prove time",
    "time vs default",
    "kHz",
    "heap spread",
    "time spread",
    "runs",
    "peak phase",
    "proof",
];

/// The columns of numbers, right-aligned in both renderings.
const RIGHT: std::ops::Range<usize> = 2..11;

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
    /// The interval of that ratio from rounds paired with default's ([`paired_interval`]).
    pub time_interval: Option<Interval>,
    /// Cycles of the program's run (from its first record).
    pub cycles: Option<u64>,
    /// Median peak heap over cycles.
    pub bytes_per_cycle: Option<f64>,
    /// Cycles over the median prove time, in thousands per second.
    pub khz: Option<f64>,
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
            let differs =
                !s.digests_agree || mismatches.iter().any(|m| m.is_of(&e.fixture, e.mode));
            let cycles = e.runs.first().map(|r| r.cycles).filter(|&c| c > 0);
            let default_entry = file.entry(&e.fixture, prover::modes::MemoryMode::DEFAULT);
            let time_interval = match default_entry {
                Some(d) if file.sharding.is_none() && d.mode != e.mode => paired_interval(d, e),
                _ => None,
            };
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
                time_interval,
                cycles,
                bytes_per_cycle: ratio(
                    s.median_peak_heap_bytes.map(|b| b as f64),
                    cycles.map(|c| c as f64),
                ),
                khz: ratio(cycles.map(|c| c as f64 / 1e3), s.median_prove_seconds),
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

/// The paired interval of `mode`'s prove time over `default`'s: run `k` of each (in
/// measurement order) is one pair, as `bench run` measures round `k` of every entry before
/// round `k + 1`. `None` with fewer than two pairs, unequal run counts or a failed run (the
/// rounds no longer line up).
pub fn paired_interval(default: &Entry, mode: &Entry) -> Option<Interval> {
    if default.runs.len() != mode.runs.len()
        || !default.failures.is_empty()
        || !mode.failures.is_empty()
    {
        return None;
    }
    let times = |e: &Entry| {
        let mut runs: Vec<_> = e.runs.iter().collect();
        runs.sort_by_key(|r| r.sequence);
        runs.iter().map(|r| r.prove_seconds).collect::<Vec<f64>>()
    };
    time_rule::interval(&times(default), &times(mode), Design::Paired, 1)
        .ok()
        .flatten()
}

/// The instruction counts of the entries that have runs under cachegrind, one line each:
/// median, runs, their spread (above 0.01 % they did not repeat, which is a finding), and
/// whether those runs proved the same bytes as the timed runs.
pub fn instruction_lines(file: &ResultsFile) -> Vec<String> {
    file.entries
        .iter()
        .filter_map(|e| {
            let median = e.summary.median_instructions?;
            let spread = e.summary.instructions_spread_pct.unwrap_or(0.0);
            let n = e.instruction_runs.len();
            let repeat = if spread > crate::analysis::verdict::UNREPEATED_PCT {
                format!("spread {spread:.4}%: ⚠️ did not repeat")
            } else {
                format!("spread {spread:.4}%")
            };
            let same = e.runs.first().is_none_or(|t| {
                e.instruction_runs
                    .iter()
                    .all(|r| r.proof_sha3 == t.proof_sha3)
            });
            let proof = if same {
                "same proof ✓"
            } else {
                "✗ another proof than the timed runs"
            };
            Some(format!(
                "instructions  {} {}: {} ({n} run(s) under cachegrind, {repeat}, {proof})",
                e.fixture,
                e.mode,
                group_digits(median)
            ))
        })
        .collect()
}

/// Whether every row with runs has the same digest as the rest of its fixture.
pub fn all_digests_match(rows: &[ModeRow]) -> bool {
    !rows.iter().any(|r| r.digest == DigestCheck::Differs)
}

/// The cells of one row, in [`COLUMNS`] order.
pub fn cells(r: &ModeRow) -> [String; 13] {
    [
        r.fixture.clone(),
        r.mode.clone(),
        mib(r.heap),
        ratio(r.heap_ratio),
        per_cycle(r.bytes_per_cycle),
        seconds(r.time),
        time_ratio_cell(r),
        khz(r.khz),
        pct(r.heap_spread),
        pct(r.time_spread),
        runs_cell(r),
        r.peak_phase.clone().unwrap_or_else(|| "-".into()),
        digest_cell(&r.digest),
    ]
}

/// The ratio of medians `1.34x`, or with paired rounds their estimate (the geometric mean
/// of the paired ratios) and interval, `1.34x (1.30-1.38)`.
pub fn time_ratio_cell(r: &ModeRow) -> String {
    match &r.time_interval {
        Some(i) => format!("{} ({:.2}-{:.2})", ratio(Some(i.estimate)), i.low, i.high),
        None => ratio(r.time_ratio),
    }
}

/// Bytes per cycle, whole (`1,770`), or `-`.
pub fn per_cycle(b: Option<f64>) -> String {
    b.map_or_else(|| "-".into(), |b| group_digits(b.round() as u64))
}

/// Thousands of cycles per second, one decimal (`93.4`), or `-`.
pub fn khz(k: Option<f64>) -> String {
    k.map_or_else(|| "-".into(), |k| format!("{k:.1}"))
}

/// The digest cell: the first 8 hex digits when it matches, a warning otherwise.
pub fn digest_cell(d: &DigestCheck) -> String {
    match d {
        DigestCheck::NoRuns => "-".into(),
        DigestCheck::Same(d) => format!("{} ✓", short_hash(d, 8)),
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

/// The title over the table of `file`, saved at `path`.
pub fn title(file: &ResultsFile, path: &Path) -> String {
    format!(
        "Median of {} run(s) per mode · {} · {}",
        file.entries.iter().map(|e| e.attempts()).max().unwrap_or(0),
        file.machine.describe(),
        path.display()
    )
}

/// The table for a terminal, then the digest line.
pub fn terminal(rows: &[ModeRow], title: &str) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(COLUMNS.to_vec());
    for r in rows {
        t.add_row(cells(r).to_vec());
    }
    for i in RIGHT {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    format!("{title}\n{t}\n{}\n", digest_line(rows))
}

/// A `###` title, the table as markdown, then the digest line.
pub fn markdown(rows: &[ModeRow], title: &str) -> String {
    let mut out = format!("### {title}\n\n");
    out.push_str(&format!("| {} |\n", COLUMNS.join(" | ")));
    let rule: Vec<&str> = (0..COLUMNS.len())
        .map(|i| if RIGHT.contains(&i) { "--:" } else { "---" })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for r in rows {
        let mut cells = cells(r);
        cells[0] = escape(&cells[0]);
        cells[1] = format!("`{}`", cells[1]);
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    out.push_str(&digest_line(rows));
    out.push('\n');
    out
}

/// Escapes the characters that would break a table cell.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::results::Entry;
    use crate::testing::sample_file;

    #[test]
    fn rows_have_ratios_to_default() {
        let rows = mode_rows(&sample_file());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].heap_ratio, Some(1.0));
        assert_eq!(rows[1].heap_ratio, Some(0.4));
        assert_eq!(rows[1].time_ratio, Some(1.25));
        let cycles = rows[0].cycles.expect("runs have cycles") as f64;
        let heap = rows[1].heap.unwrap() as f64;
        assert_eq!(rows[1].bytes_per_cycle, Some(heap / cycles));
        let secs = rows[1].time.unwrap();
        assert_eq!(rows[1].khz, Some(cycles / 1e3 / secs));
        assert_eq!(rows[1].digest, DigestCheck::Same("abcdef0123".into()));
        assert!(all_digests_match(&rows));
        assert!(digest_line(&rows).starts_with('✓'));
    }

    #[test]
    fn interleaved_rounds_give_the_time_ratio_an_interval() {
        let mut f = sample_file();
        // Identical pairs: the ratio is known exactly.
        let rows = mode_rows(&f);
        let i = rows[1].time_interval.as_ref().expect("two paired rounds");
        assert!((i.estimate - 1.25).abs() < 1e-12 && i.low == i.high);
        assert_eq!(time_ratio_cell(&rows[1]), "1.25x (1.25-1.25)");
        assert!(rows[0].time_interval.is_none());
        // Rounds that drift together: each pair's ratio is 1.25 or 1.3, whatever the round.
        for (e, times) in f.entries.iter_mut().zip([[2.0, 3.0], [2.5, 3.9]]) {
            for (k, (r, t)) in e.runs.iter_mut().zip(times).enumerate() {
                r.prove_seconds = t;
                r.sequence = Some(2 * k + usize::from(!e.mode.is_default()));
            }
        }
        let i = mode_rows(&f)[1].time_interval.clone().unwrap();
        assert!((i.estimate - (1.25f64 * 1.3).sqrt()).abs() < 1e-12);
        assert!(i.low < 1.25 && i.high > 1.3, "{i:?}");
        // A failed run, or a file merged from shards, has no rounds to pair.
        let mut failed = f.clone();
        failed.entries[1]
            .failures
            .push(crate::model::results::FailedRun {
                sequence: 4,
                reason: "killed".into(),
                exit_code: None,
                signal: Some(9),
                timed_out: false,
                seconds: 1.0,
                stderr_tail: String::new(),
            });
        assert!(mode_rows(&failed)[1].time_interval.is_none());
        let mut one = f.clone();
        one.entries.iter_mut().for_each(|e| e.runs.truncate(1));
        assert!(mode_rows(&one)[1].time_interval.is_none());
    }

    #[test]
    fn instruction_lines_show_counts_spread_and_the_proof() {
        let mut f = sample_file();
        assert!(instruction_lines(&f).is_empty());
        crate::testing::with_instructions(&mut f, "default", &[20_113_522_197, 20_114_234_037]);
        let lines = instruction_lines(&f);
        assert_eq!(lines.len(), 1);
        // The helper's instruction runs prove digest `d`, not the timed runs' `abcdef0123`.
        assert_eq!(
            lines[0],
            "instructions  fib default: 20,113,878,117 (2 run(s) under cachegrind, spread \
             0.0035%, ✗ another proof than the timed runs)"
        );
        crate::testing::with_instructions(&mut f, "stream-lde", &[100, 200]);
        assert!(instruction_lines(&f)[1].contains("did not repeat"));
    }

    #[test]
    fn a_mode_without_runs_has_no_digest_to_compare() {
        let mut f = sample_file();
        f.entry_mut("fib", "leaf-drop".parse().unwrap());
        let mut stale = Entry::new("fib", "trace-retire".parse().unwrap());
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
        crate::analysis::summary::resummarize(e);
        let rows = mode_rows(&f);
        assert_eq!(rows[1].digest, DigestCheck::Differs);
        assert!(digest_line(&rows).contains("DIFFER"));
    }

    #[test]
    fn table_has_every_mode_and_the_digest_line() {
        let out = terminal(&mode_rows(&sample_file()), "title");
        assert!(out.starts_with("title\n"));
        assert!(out.contains("stream-lde"));
        assert!(out.contains("0.40x"));
        assert!(out.contains("1000.0 MiB"));
        // 400 MiB over 1,000 cycles; 1,000 cycles in 2.5 s.
        assert!(out.contains("419,430"), "{out}");
        assert!(out.contains(" 0.4 "), "{out}");
        assert!(out.contains("abcdef01 ✓"));
        assert!(out.trim_end().ends_with("byte-identical in every mode"));
    }

    #[test]
    fn markdown_table_rows() {
        let out = markdown(&mode_rows(&sample_file()), "fib");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "### fib");
        assert_eq!(
            lines[2],
            "| fixture | mode | peak heap | heap vs default | B/cycle | prove time | time vs default | kHz | heap spread | time spread | runs | peak phase | proof |"
        );
        assert_eq!(
            lines[3],
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|"
        );
        assert_eq!(lines[3].matches('|').count(), 14);
        assert!(lines[5].starts_with("| fib | `stream-lde` | 400.0 MiB | 0.40x |"));
        assert_eq!(escape("a|b"), "a\\|b");
    }
}
