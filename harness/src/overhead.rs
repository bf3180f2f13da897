//! `bench overhead`: what the heap counting costs. It proves one fixture in fresh workers
//! with the counting on and off (`BENCH_COUNT_ALLOC=0`), interleaved (on, off, off, on, ...),
//! and reports the median prove time of each, their ratio with a bootstrap interval, and a
//! Mann-Whitney p value. The ratio is the overhead; the target is < 1 %.

use std::ffi::OsString;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::alloc::COUNT_ALLOC_ENV;
use crate::cli::OverheadArgs;
use crate::runner::{self, Job, Outcome};
use crate::stats::{self, Bootstrap, Sample};

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
    /// 95 % bootstrap interval of the overhead, in percent.
    pub overhead_ci_pct: (f64, f64),
    /// Two-sided Mann-Whitney p value of on against off.
    pub p_value: f64,
}

/// Runs `bench overhead`.
pub fn run(args: &OverheadArgs) -> Result<()> {
    let catalogue = prover::fixtures::Catalogue::load_default()?;
    catalogue.get(&args.fixture)?;
    let exe = std::env::current_exe().context("cannot find the bench executable")?;
    let job = |env: Vec<(OsString, OsString)>| Job {
        exe: exe.clone(),
        args: ["prove", "--json", "--fixture", args.fixture.as_str()]
            .map(OsString::from)
            .to_vec(),
        env,
    };
    let jobs = [
        job(Vec::new()),
        job(vec![(COUNT_ALLOC_ENV.into(), "0".into())]),
    ];
    let n = args.runs as usize;
    let mut times = [Vec::new(), Vec::new()];
    for (sequence, j) in runner::schedule(&[n, n]).into_iter().enumerate() {
        let label = if j == 0 { "on" } else { "off" };
        match runner::run_worker(&jobs[j], sequence, None) {
            Outcome::Ok(r) => {
                eprintln!("counting {label:>3}: {:.3} s", r.prove_seconds);
                if (j == 0) != r.peak_heap_bytes.is_some() {
                    bail!("the worker's counting switch did not take effect");
                }
                times[j].push(r.prove_seconds);
            }
            Outcome::Failed(f) => bail!("a worker failed: {}\n{}", f.reason, f.stderr_tail),
        }
    }
    let [on, off] = times;
    let result = measure(&args.fixture, on, off)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!(
            "{}: counting on {:.3} s, off {:.3} s (median of {n} each): overhead {:+.2} % \
             (95 % CI {:+.2} % .. {:+.2} %, Mann-Whitney p = {:.3})",
            result.fixture,
            result.median_on,
            result.median_off,
            result.overhead_pct,
            result.overhead_ci_pct.0,
            result.overhead_ci_pct.1,
            result.p_value
        );
    }
    Ok(())
}

/// The statistics of two timing samples (pure).
pub fn measure(fixture: &str, on: Vec<f64>, off: Vec<f64>) -> Result<Overhead> {
    let a = Sample::new(on.clone())?;
    let b = Sample::new(off.clone())?;
    let ci = Bootstrap::default().ratio_of_medians(&b, &a)?;
    let (median_on, median_off) = (stats::median(&a), stats::median(&b));
    Ok(Overhead {
        fixture: fixture.to_string(),
        counting_on: on,
        counting_off: off,
        median_on,
        median_off,
        overhead_pct: (median_on / median_off - 1.0) * 100.0,
        overhead_ci_pct: ((ci.low - 1.0) * 100.0, (ci.high - 1.0) * 100.0),
        p_value: stats::mann_whitney(&a, &b).p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overhead_of_known_samples() {
        let o = measure("f", vec![1.01, 1.02, 1.03], vec![1.0, 1.0, 1.0]).unwrap();
        assert!((o.overhead_pct - 2.0).abs() < 1e-9);
        assert_eq!(o.median_off, 1.0);
        assert!(o.overhead_ci_pct.0 >= 0.99 && o.overhead_ci_pct.1 <= 3.0 + 1e-9);
        let same = measure("f", vec![2.0, 2.0], vec![2.0, 2.0]).unwrap();
        assert_eq!(same.overhead_pct, 0.0);
        assert!(measure("f", vec![], vec![1.0]).is_err());
    }
}
