//! Which buffer kinds moved the peak: the per-kind change between two peaks' breakdowns
//! (`RunRecord::peak_breakdown`), in bytes. Exact, like the peak: no interval, no test.

use serde::Serialize;

use crate::model::record::{Breakdown, RunRecord};

/// One buffer kind at the peak on both sides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindDelta {
    /// The kind (`prover::memtag::Tag::name`).
    pub kind: String,
    /// Its bytes at the base's peak.
    pub base: u64,
    /// Its bytes at the head's peak.
    pub head: u64,
}

impl KindDelta {
    /// Head minus base, in bytes.
    pub fn delta(&self) -> i128 {
        i128::from(self.head) - i128::from(self.base)
    }
}

/// The breakdown of a side's peak: the first run that has one (the peak and its breakdown
/// repeat exactly from run to run).
pub fn of_runs(runs: &[RunRecord]) -> Option<&Breakdown> {
    runs.iter()
        .map(|r| &r.peak_breakdown)
        .find(|b| !b.is_empty())
}

/// Every kind present on either side, the largest change first (ties by name); kinds that
/// did not change are kept, after the ones that did. Empty when a side has no breakdown.
pub fn kind_deltas(base: &Breakdown, head: &Breakdown) -> Vec<KindDelta> {
    if base.is_empty() || head.is_empty() {
        return Vec::new();
    }
    let mut kinds: Vec<&String> = base.keys().chain(head.keys()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut out: Vec<KindDelta> = kinds
        .into_iter()
        .map(|k| KindDelta {
            kind: k.clone(),
            base: base.get(k).copied().unwrap_or(0),
            head: head.get(k).copied().unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| {
        b.delta()
            .unsigned_abs()
            .cmp(&a.delta().unsigned_abs())
            .then_with(|| a.kind.cmp(&b.kind))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(kinds: &[(&str, u64)]) -> Breakdown {
        kinds.iter().map(|&(k, n)| (k.to_string(), n)).collect()
    }

    #[test]
    fn the_largest_change_comes_first_and_the_deltas_add_up_to_the_peak_change() {
        let base = b(&[("main_lde", 100), ("merkle_leaves", 50), ("other", 10)]);
        let head = b(&[("main_lde", 40), ("other", 10), ("fri_layers", 5)]);
        let d = kind_deltas(&base, &head);
        let names: Vec<&str> = d.iter().map(|k| k.kind.as_str()).collect();
        assert_eq!(names, ["main_lde", "merkle_leaves", "fri_layers", "other"]);
        assert_eq!(d[0].delta(), -60);
        assert_eq!(d[1].delta(), -50);
        assert_eq!(d[2].delta(), 5);
        assert_eq!(d[3].delta(), 0);
        let total: i128 = d.iter().map(KindDelta::delta).sum();
        assert_eq!(total, 55 - 160);
    }

    #[test]
    fn no_deltas_without_a_breakdown_on_both_sides() {
        assert!(kind_deltas(&Breakdown::new(), &b(&[("other", 1)])).is_empty());
        assert!(kind_deltas(&b(&[("other", 1)]), &Breakdown::new()).is_empty());
    }
}
