//! The line of `bench overhead` without `--json`: both medians, the overhead with its
//! interval, and the test's p value.

use crate::analysis::overhead::Overhead;

/// One line (no newline) for `runs` runs a side.
pub fn overhead_line(o: &Overhead, runs: u32) -> String {
    format!(
        "{}: counting on {:.3} s, off {:.3} s (median of {runs} each): overhead {:+.2} % \
         (95 % CI {:+.2} % .. {:+.2} %, Mann-Whitney p = {:.3})",
        o.fixture,
        o.median_on,
        o.median_off,
        o.overhead_pct,
        o.overhead_ci_pct.0,
        o.overhead_ci_pct.1,
        o.p_value
    )
}
