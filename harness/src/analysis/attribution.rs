//! Where the instruction count changed (pure): per span of the prove, judged like the total,
//! and the functions whose counts changed most.
//!
//! Decisions:
//! * Each side's attribution is that of its run under valgrind whose total is the median
//!   (one run in practice: counts repeat to ~0.001 %).
//! * A span is judged like the whole count: deterministic, one run a side, the same
//!   instructions threshold (`Rules::instructions_threshold_pct`); a span on one side only
//!   is shown with its count, not judged. The spans' icons explain the total's verdict and
//!   do not add to it (the total decides, as before): a phase may grow past the threshold
//!   while the whole count stays within it.
//! * The function table lists the [`TOP_FUNCTIONS`] groups with the largest absolute
//!   change, with the head's share of its total and the change in percent of the base's
//!   count (none for a function new in the head).

use serde::Serialize;

use crate::analysis::verdict::{Icon, Metric, Rules};
use crate::model::attribution::{FunctionCounts, PhaseInstructions};
use crate::model::record::RunRecord;

/// Rows of the function table.
pub const TOP_FUNCTIONS: usize = 10;

/// One span's instructions on both sides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpanRow {
    /// The span (`main_commit`, ..., `outside`).
    pub name: String,
    /// Base instructions.
    pub base: Option<u64>,
    /// Head instructions.
    pub head: Option<u64>,
    /// `head - base`.
    pub delta: Option<i64>,
    /// Relative change, percent.
    pub delta_pct: Option<f64>,
    /// Judged like the total (see the module docs); `Info` when on one side only.
    pub icon: Icon,
}

/// One function group's instructions on both sides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionRow {
    /// The group's name (`analysis::symbols`).
    pub name: String,
    /// Base instructions (0 when absent).
    pub base: u64,
    /// Head instructions (0 when absent).
    pub head: u64,
    /// `head - base`.
    pub delta: i64,
    /// Relative change, percent of the base (`None` when the base has none).
    pub delta_pct: Option<f64>,
    /// The head's count as a percentage of the head's total.
    pub head_share_pct: f64,
}

/// The run whose count is the median of those with an attribution.
pub fn median_run(runs: &[RunRecord]) -> Option<&RunRecord> {
    let mut v: Vec<&RunRecord> = runs
        .iter()
        .filter(|r| r.instructions.is_some() && !r.instruction_phases.is_empty())
        .collect();
    v.sort_by_key(|r| r.instructions);
    v.get(v.len().saturating_sub(1) / 2).copied()
}

/// The icon of a deterministic change of `pct` percent against the threshold `t`.
pub fn judge(pct: f64, t: f64) -> Icon {
    if pct > t {
        Icon::Regression
    } else if pct < -t {
        Icon::Improvement
    } else {
        Icon::Unchanged
    }
}

fn pct(base: u64, head: u64) -> Option<f64> {
    (base > 0).then(|| (head as f64 / base as f64 - 1.0) * 100.0)
}

/// The spans of both sides, in the head's order (base-only ones after).
/// Each judged against `threshold_pct` (the instruction count's threshold).
pub fn span_rows(
    base: &[PhaseInstructions],
    head: &[PhaseInstructions],
    threshold_pct: f64,
) -> Vec<SpanRow> {
    let mut names: Vec<&str> = head.iter().map(|p| p.name.as_str()).collect();
    for p in base {
        if !names.contains(&p.name.as_str()) {
            names.push(&p.name);
        }
    }
    let find =
        |v: &[PhaseInstructions], n: &str| v.iter().find(|p| p.name == n).map(|p| p.instructions);
    names
        .into_iter()
        .map(|name| {
            let (b, h) = (find(base, name), find(head, name));
            let (delta, delta_pct, icon) = match (b, h) {
                (Some(b), Some(h)) => {
                    let p = pct(b, h);
                    let icon = match p {
                        Some(p) => judge(p, threshold_pct),
                        None if h == 0 => Icon::Unchanged,
                        None => Icon::Info,
                    };
                    (Some(h as i64 - b as i64), p, icon)
                }
                _ => (None, None, Icon::Info),
            };
            SpanRow {
                name: name.to_string(),
                base: b,
                head: h,
                delta,
                delta_pct,
                icon,
            }
        })
        .collect()
}

/// The `n` functions whose counts changed most (largest `|Δ|` first, ties by name).
pub fn top_functions(
    base: &FunctionCounts,
    head: &FunctionCounts,
    head_total: u64,
    n: usize,
) -> Vec<FunctionRow> {
    let mut rows: Vec<FunctionRow> = base
        .keys()
        .chain(head.keys().filter(|k| !base.contains_key(*k)))
        .map(|name| {
            let b = base.get(name).copied().unwrap_or(0);
            let h = head.get(name).copied().unwrap_or(0);
            FunctionRow {
                name: name.clone(),
                base: b,
                head: h,
                delta: h as i64 - b as i64,
                delta_pct: pct(b, h),
                head_share_pct: if head_total > 0 {
                    h as f64 / head_total as f64 * 100.0
                } else {
                    0.0
                },
            }
        })
        .filter(|r| r.delta != 0)
        .collect();
    rows.sort_by(|a, b| {
        b.delta
            .unsigned_abs()
            .cmp(&a.delta.unsigned_abs())
            .then_with(|| a.name.cmp(&b.name))
    });
    rows.truncate(n);
    rows
}

/// Both tables of two entries' runs under valgrind; `None` unless both sides have an
/// attribution.
pub fn compare_runs(
    base: &[RunRecord],
    head: &[RunRecord],
    rules: &Rules,
) -> Option<(Vec<SpanRow>, Vec<FunctionRow>)> {
    let (b, h) = (median_run(base)?, median_run(head)?);
    Some((
        span_rows(
            &b.instruction_phases,
            &h.instruction_phases,
            rules.threshold_of(Metric::Instructions),
        ),
        top_functions(
            &b.functions,
            &h.functions,
            h.instructions.unwrap_or(0),
            TOP_FUNCTIONS,
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(v: &[(&str, u64)]) -> Vec<PhaseInstructions> {
        v.iter()
            .map(|&(n, i)| PhaseInstructions {
                name: n.into(),
                instructions: i,
            })
            .collect()
    }

    #[test]
    fn spans_are_judged_like_the_total() {
        let rules = Rules::default();
        let t = rules.instructions_threshold_pct;
        let base = spans(&[("main_commit", 1_000_000), ("fri", 500), ("outside", 100)]);
        let grown = (1_000_000.0 * (1.0 + 2.0 * t / 100.0)) as u64;
        let head = spans(&[
            ("execute+trace", 7),
            ("main_commit", grown),
            ("fri", 500),
            ("outside", 100),
        ]);
        let rows = span_rows(&base, &head, t);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["execute+trace", "main_commit", "fri", "outside"]);
        assert_eq!(rows[0].icon, Icon::Info);
        assert_eq!(rows[1].icon, Icon::Regression);
        assert_eq!(rows[1].delta, Some(grown as i64 - 1_000_000));
        assert_eq!(rows[2].icon, Icon::Unchanged);
        assert_eq!(rows[2].delta_pct, Some(0.0));
    }

    #[test]
    fn the_largest_changes_top_the_function_table() {
        let base = FunctionCounts::from([
            ("a".into(), 100),
            ("b".into(), 1_000),
            ("same".into(), 50),
            ("gone".into(), 30),
        ]);
        let head = FunctionCounts::from([
            ("a".into(), 90),
            ("b".into(), 1_500),
            ("same".into(), 50),
            ("new".into(), 40),
        ]);
        let rows = top_functions(&base, &head, 2_000, 3);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["b", "new", "gone"]);
        assert_eq!(rows[0].delta, 500);
        assert_eq!(rows[0].delta_pct, Some(50.0));
        assert_eq!(rows[0].head_share_pct, 75.0);
        assert_eq!(rows[1].delta_pct, None);
        assert_eq!(rows[2].delta, -30);
    }
}
