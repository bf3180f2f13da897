//! What the heap counting costs, from two timing samples: the median prove time with the
//! counting on and off, their ratio with a bootstrap interval, and a Mann-Whitney p value.
//! The ratio is the overhead; the target is < 1 %.

use serde::Serialize;

use crate::analysis::stats::{self, Bootstrap, Sample, StatsError};

/// The measurement.
#[derive(Debug, Serialize)]
pub struct Overhead {
    /// Fixture proved.
    pub fixture: String,
    /// Prove seconds with counting on, in run order.
    pub counting_on: Vec<f64>,
    /// Prove seconds with counting off, in run order.
    pub counting_off: Vec<f64>,
    /// Median with counting on.
    pub median_on: f64,
    /// Median with counting off.
    pub median_off: f64,
    /// `median_on / median_off - 1`, in percent.
    pub overhead_pct: f64,
    /// 95 % bootstrap interval of the overhead, in percent (`None` with one run a side:
    /// one sample has no interval).
    pub overhead_ci_pct: Option<(f64, f64)>,
    /// Two-sided Mann-Whitney p value of on against off (`None` with one run a side).
    pub p_value: Option<f64>,
}

/// The statistics of two timing samples (pure).
pub fn overhead(fixture: &str, on: Vec<f64>, off: Vec<f64>) -> Result<Overhead, StatsError> {
    let a = Sample::new(on.clone())?;
    let b = Sample::new(off.clone())?;
    let spread = on.len() >= 2 && off.len() >= 2;
    let ci = if spread {
        let ci = Bootstrap::default().ratio_of_medians(&b, &a)?;
        Some(((ci.low - 1.0) * 100.0, (ci.high - 1.0) * 100.0))
    } else {
        None
    };
    let (median_on, median_off) = (stats::median(&a), stats::median(&b));
    Ok(Overhead {
        fixture: fixture.to_string(),
        counting_on: on,
        counting_off: off,
        median_on,
        median_off,
        overhead_pct: (median_on / median_off - 1.0) * 100.0,
        overhead_ci_pct: ci,
        p_value: spread.then(|| stats::mann_whitney(&a, &b).p_value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overhead_of_known_samples() {
        let o = overhead("f", vec![1.01, 1.02, 1.03], vec![1.0, 1.0, 1.0]).unwrap();
        assert!((o.overhead_pct - 2.0).abs() < 1e-9);
        assert_eq!(o.median_off, 1.0);
        let (lo, hi) = o.overhead_ci_pct.unwrap();
        assert!(lo >= 0.99 && hi <= 3.0 + 1e-9);
        let one = overhead("f", vec![1.1], vec![1.0]).unwrap();
        assert!((one.overhead_pct - 10.0).abs() < 1e-9);
        assert_eq!((one.overhead_ci_pct, one.p_value), (None, None));
        let same = overhead("f", vec![2.0, 2.0], vec![2.0, 2.0]).unwrap();
        assert_eq!(same.overhead_pct, 0.0);
        assert!(overhead("f", vec![], vec![1.0]).is_err());
    }
}
