//! What holds the peak: one line per (fixture, mode) naming the buffer kinds with the most
//! live bytes at the peak heap (`RunRecord::peak_breakdown`), in MiB and as a share of it.

use crate::model::record::{Breakdown, largest_kinds};
use crate::model::results::ResultsFile;
use crate::report::units::mib_of;

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
}
