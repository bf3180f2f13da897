//! A run's instruction mix and table rows as reports carry them: shares of the whole
//! (percent of the instructions, rows per cycle), from counts.

use crate::model::execution::{ClassShare, TableShare};

/// Each `(class, count)` with its share of the counts' sum, percent (0 when the sum is 0).
pub fn class_shares(counts: &[(&str, u64)]) -> Vec<ClassShare> {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    counts
        .iter()
        .map(|&(class, count)| ClassShare {
            class: class.to_string(),
            count,
            share_pct: if total == 0 {
                0.0
            } else {
                count as f64 * 100.0 / total as f64
            },
        })
        .collect()
}

/// Each `(table, rows, used)` with its rows per cycle of a run of `cycles` (at least 1).
pub fn table_shares(tables: &[(&str, u64, Option<u64>)], cycles: u64) -> Vec<TableShare> {
    tables
        .iter()
        .map(|&(table, rows, used)| TableShare {
            table: table.to_string(),
            rows,
            used,
            rows_per_cycle: rows as f64 / cycles.max(1) as f64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_a_hundred() {
        let s = class_shares(&[("alu", 3), ("branch", 1), ("div", 0)]);
        assert_eq!(s[0].share_pct, 75.0);
        assert_eq!(s[1].share_pct, 25.0);
        assert_eq!(s[2].share_pct, 0.0);
        assert_eq!(s.iter().map(|c| c.share_pct).sum::<f64>(), 100.0);
        assert!(class_shares(&[("alu", 0)])[0].share_pct == 0.0);
    }

    #[test]
    fn rows_per_cycle() {
        let t = table_shares(
            &[("CPU", 1 << 16, Some(64_010)), ("RANGE", 1 << 16, None)],
            64_010,
        );
        assert!((t[0].rows_per_cycle - 65_536.0 / 64_010.0).abs() < 1e-12);
        assert_eq!(t[1].used, None);
        assert_eq!(
            table_shares(&[("CPU", 4, Some(0))], 0)[0].rows_per_cycle,
            4.0
        );
    }
}
