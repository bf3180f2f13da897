//! What holds the peak: one line per (fixture, mode) naming the buffer kinds with the most
//! live bytes at the peak heap (`RunRecord::peak_breakdown`), in MiB and as a share of it;
//! and, for a comparison, which kinds grew or shrank at the peak (terminal lines and the
//! `/bench` comment's table).

use crate::analysis::breakdown::KindDelta;
use crate::analysis::comparison::{Comparison, EntryComparison};
use crate::model::record::{Breakdown, largest_kinds};
use crate::model::results::ResultsFile;
use crate::report::units::{group_digits, mib_of, with_sign};

/// Kinds named on a line; the rest are added up as "n more".
pub const TOP_KINDS: usize = 4;

/// `main_lde 66.0 MiB (20 %), merkle_leaves ...`: the `top` largest kinds of `b`, and the
/// number and bytes of the others.
pub fn kinds_text(b: &Breakdown, top: usize) -> String {
    let total: u64 = b.values().sum();
    let share = |n: u64| {
        if total == 0 {
            0.0
        } else {
            100.0 * n as f64 / total as f64
        }
    };
    let kinds = largest_kinds(b);
    let mut parts: Vec<String> = kinds
        .iter()
        .take(top)
        .map(|&(k, n)| format!("{k} {} ({:.0} %)", mib_of(n as f64), share(n)))
        .collect();
    let rest = &kinds[kinds.len().min(top)..];
    if !rest.is_empty() {
        let n: u64 = rest.iter().map(|&(_, n)| n).sum();
        parts.push(format!(
            "{} more {} ({:.0} %)",
            rest.len(),
            mib_of(n as f64),
            share(n)
        ));
    }
    parts.join(", ")
}

/// One line per entry with a breakdown: the first run that has one (the peak and its
/// breakdown repeat exactly from run to run).
pub fn peak_lines(file: &ResultsFile) -> Vec<String> {
    file.entries
        .iter()
        .filter_map(|e| {
            let r = e.runs.iter().find(|r| !r.peak_breakdown.is_empty())?;
            let peak: u64 = r.peak_breakdown.values().sum();
            Some(format!(
                "at the peak   {} {} ({}): {}",
                e.fixture,
                e.mode,
                mib_of(peak as f64),
                kinds_text(&r.peak_breakdown, TOP_KINDS)
            ))
        })
        .collect()
}

/// A signed byte change in MiB with the exact bytes: `-40.0 MiB (-41,943,040 B)`.
pub fn signed_bytes(delta: i128) -> String {
    let mib = with_sign(delta as f64, mib_of(delta.unsigned_abs() as f64));
    let bytes = with_sign(
        delta as f64,
        format!("{} B", group_digits(delta.unsigned_abs() as u64)),
    );
    format!("{mib} ({bytes})")
}

/// The kinds that changed, the largest first, at most `top`: `main_lde -40.0 MiB, ...`;
/// `no kind changed` when none did.
pub fn delta_summary(kinds: &[KindDelta], top: usize) -> String {
    let changed: Vec<String> = kinds
        .iter()
        .filter(|k| k.delta() != 0)
        .take(top)
        .map(|k| {
            let d = k.delta();
            format!(
                "{} {}",
                k.kind,
                with_sign(d as f64, mib_of(d.unsigned_abs() as f64))
            )
        })
        .collect();
    if changed.is_empty() {
        "no kind changed".into()
    } else {
        changed.join(", ")
    }
}

/// The rows of a per-kind table: kind, base, head, change (MiB with exact bytes).
pub fn delta_rows(kinds: &[KindDelta]) -> Vec<[String; 4]> {
    kinds
        .iter()
        .map(|k| {
            [
                k.kind.clone(),
                mib_of(k.base as f64),
                mib_of(k.head as f64),
                if k.delta() == 0 {
                    "0".into()
                } else {
                    signed_bytes(k.delta())
                },
            ]
        })
        .collect()
}

/// `at the peak  FIXTURE MODE: main_lde -40.0 MiB, ...`, one line per entry with kinds on
/// both sides.
pub fn comparison_lines(c: &Comparison) -> Vec<String> {
    c.sections
        .iter()
        .flat_map(|s| &s.entries)
        .filter(|e| !e.peak_kinds.is_empty())
        .map(|e| {
            format!(
                "at the peak   {} {}: {}",
                e.fixture,
                e.mode,
                delta_summary(&e.peak_kinds, TOP_KINDS)
            )
        })
        .collect()
}

/// The collapsible per-kind table of one entry for the `/bench` comment (empty when the
/// entry has no kinds on both sides); `base` and `head` are the column titles, already
/// escaped.
pub fn markdown_details(e: &EntryComparison, mode: &str, base: &str, head: &str) -> String {
    if e.peak_kinds.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<details>\n<summary>What holds the peak{mode}: {}</summary>\n\n",
        delta_summary(&e.peak_kinds, TOP_KINDS)
    );
    out.push_str(&format!(
        "| Buffer kind | {base} at peak | {head} at peak | Δ |\n|---|--:|--:|--:|\n"
    ));
    for row in delta_rows(&e.peak_kinds) {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out.push_str("\n</details>\n\n");
    out
}

#[cfg(test)]
mod tests {
    use prover::modes::MemoryMode;

    use super::*;
    use crate::testing::{file, record};

    const MIB: u64 = 1 << 20;

    fn breakdown(kinds: &[(&str, u64)]) -> Breakdown {
        kinds.iter().map(|&(k, n)| (k.to_string(), n)).collect()
    }

    #[test]
    fn the_largest_kinds_come_first_and_the_rest_is_summed() {
        let b = breakdown(&[
            ("other", MIB),
            ("main_lde", 50 * MIB),
            ("merkle_leaves", 30 * MIB),
            ("aux_lde", 10 * MIB),
            ("fri_layers", 5 * MIB),
            ("proof", 4 * MIB),
        ]);
        let text = kinds_text(&b, 3);
        assert!(
            text.starts_with("main_lde 50.0 MiB (50 %), merkle_leaves 30.0 MiB (30 %), aux_lde"),
            "{text}"
        );
        assert!(text.ends_with("3 more 10.0 MiB (10 %)"), "{text}");
        assert_eq!(kinds_text(&b, 10).matches(" MiB").count(), 6);
    }

    #[test]
    fn one_line_per_entry_with_a_breakdown() {
        let mut f = file(&[1.0], 100 * MIB);
        assert!(peak_lines(&f).is_empty(), "old records have none");
        let mut r = record("stream-lde", 1.0, 100 * MIB, "d");
        r.peak_breakdown = breakdown(&[("main_lde", 60 * MIB), ("other", 40 * MIB)]);
        f.entry_mut("fib", "stream-lde".parse::<MemoryMode>().unwrap())
            .runs
            .push(r);
        let lines = peak_lines(&f);
        assert_eq!(lines.len(), 1);
        assert_eq!(
            lines[0],
            "at the peak   fib stream-lde (100.0 MiB): main_lde 60.0 MiB (60 %), other 40.0 MiB (40 %)"
        );
    }

    #[test]
    fn comparison_deltas_name_the_kinds_that_moved() {
        let base = breakdown(&[("main_lde", 100 * MIB), ("merkle_leaves", 50 * MIB)]);
        let head = breakdown(&[("main_lde", 60 * MIB), ("fri_layers", MIB)]);
        let kinds = crate::analysis::breakdown::kind_deltas(&base, &head);
        assert_eq!(
            delta_summary(&kinds, 2),
            "merkle_leaves -50.0 MiB, main_lde -40.0 MiB"
        );
        let rows = delta_rows(&kinds);
        assert_eq!(
            rows[1],
            [
                "main_lde".to_string(),
                "100.0 MiB".into(),
                "60.0 MiB".into(),
                "-40.0 MiB (-41,943,040 B)".into()
            ]
        );
        assert_eq!(rows[2][3], "+1.0 MiB (+1,048,576 B)");
        let same = crate::analysis::breakdown::kind_deltas(&base, &base);
        assert_eq!(delta_summary(&same, 3), "no kind changed");
        assert_eq!(delta_rows(&same)[0][3], "0");
    }

    #[test]
    fn the_bench_comment_shows_the_kinds_that_moved_at_the_peak() {
        use crate::analysis::comparison::{Pair, build};
        let with = |kinds: &[(&str, u64)]| {
            let mut f = file(&[1.0, 1.1], 150 * MIB);
            f.entries[0].runs[0].peak_breakdown = breakdown(kinds);
            f
        };
        let base = with(&[("main_lde", 100 * MIB), ("merkle_leaves", 50 * MIB)]);
        let head = with(&[("main_lde", 100 * MIB), ("other", 50 * MIB)]);
        let pairs = [Pair {
            base: Some(&base.entries[0]),
            head: &head.entries[0],
        }];
        let c = build(&pairs, crate::testing::cx()).unwrap();
        let md = crate::report::compare_markdown::render(&c);
        assert!(
            md.contains(
                "<summary>What holds the peak: merkle_leaves -50.0 MiB, other +50.0 MiB</summary>"
            ),
            "{md}"
        );
        assert!(
            md.contains("| merkle_leaves | 50.0 MiB | 0.0 MiB | -50.0 MiB (-52,428,800 B) |"),
            "{md}"
        );
        assert_eq!(
            comparison_lines(&c),
            ["at the peak   fib default: merkle_leaves -50.0 MiB, other +50.0 MiB"]
        );
        // Without a breakdown on one side there is nothing to show.
        let old = file(&[1.0, 1.1], 150 * MIB);
        let pairs = [Pair {
            base: Some(&old.entries[0]),
            head: &head.entries[0],
        }];
        let c = build(&pairs, crate::testing::cx()).unwrap();
        assert!(!crate::report::compare_markdown::render(&c).contains("What holds the peak"));
        assert!(comparison_lines(&c).is_empty());
    }
}
