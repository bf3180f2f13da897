//! The line of `bench overhead` without `--json`: both medians, the overhead with its
//! interval, and the test's p value.

use crate::analysis::overhead::Overhead;

/// One line (no newline) for `runs` runs a side.
pub fn overhead_line(o: &Overhead, runs: u32) -> String {
    let spread = match (o.overhead_ci_pct, o.p_value) {
        (Some((lo, hi)), Some(p)) => {
            format!("95 % CI {lo:+.2} % .. {hi:+.2} %, Mann-Whitney p = {p:.3}")
        }
        _ => "one run a side: no interval and no test; --runs 5 gives both".into(),
    };
    format!(
        "{}: counting on {:.3} s, off {:.3} s (median of {runs} each): overhead {:+.2} % ({spread})",
        o.fixture, o.median_on, o.median_off, o.overhead_pct,
    )
}
