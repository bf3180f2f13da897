//! The prove-time rule, pure: an interval of the change from the logs of the runs, one of
//! three outcomes (regression or improvement, no change, inconclusive), and the runs the
//! rule needs, computed for the rule as implemented. Heap and instruction counts are judged
//! elsewhere (`analysis::verdict`, which uses this module): they repeat, time does not.
//!
//! # Why logs
//!
//! Prove times are positive and their noise is multiplicative (a busy neighbour slows a run
//! by a fraction, not by a fixed number of seconds). So the rule works on `ln t`:
//!
//! * **independent runs** (two results files): the change is `d = mean(ln head) - mean(ln
//!   base)`, the log of the ratio of the geometric means, with Welch's standard error
//!   `sqrt(s_b² / n_b + s_h² / n_h)` and the Welch–Satterthwaite degrees of freedom;
//! * **pairs** (`bench ab`, A B B A): the change is the mean of the paired log ratios
//!   `ln(h_i / b_i)`, with standard error `sd / sqrt(n)` and `n - 1` degrees of freedom. The
//!   drift between pairs cancels in each ratio, so it is not noise here.
//!
//! The interval is the Student-t interval `d ± t · se` at confidence `1 - ALPHA / m`, where
//! `m` is the number of time comparisons judged together (Bonferroni: with `m` entries, the
//! chance that *any* of them shows a false 🔴 stays below `ALPHA / 2`). It is reported as a
//! ratio, `exp(d ± t · se)`.
//!
//! # The outcomes
//!
//! With threshold `T` (5 % by default), so that a change is "beyond" when the ratio is above
//! `1 + T` or below `1 - T`:
//!
//! | outcome | condition |
//! |---|---|
//! | regression 🔴 | the interval lies above 1 (significant) and the estimate above `1 + T` |
//! | improvement 🟢 | the interval lies below 1 and the estimate below `1 - T` |
//! | no change ⚪ | the whole interval lies within `(1 - T, 1 + T)`: "not worse than T" |
//! | inconclusive ❔ | anything else, with the runs that would settle it at the noise seen |
//!
//! A side with a single run (or a single pair) has no noise estimate: its change is
//! **indicative**, shown and never judged.
//!
//! # Drift
//!
//! Independent runs are two blocks measured at different times, and the interval assumes
//! the machine stayed the same between and within them. When it did not, a drift reads as a
//! change: two 10-run files of one commit, made a few seconds apart on this 2-core VM, gave
//! +10.4 % [+3.5 %, +17.8 %], the second file's runs climbing from 0.83 s to 1.04 s. A drift
//! between the blocks cannot be seen in them; one within a block can: each side with at
//! least [`MIN_DRIFT_RUNS`] runs gets Mann-Kendall's trend test on its times in measurement
//! order, and a trend at p < [`DRIFT_ALPHA`] makes the outcome inconclusive, with the advice
//! to interleave (`bench ab`). Pairs need no such check: drift cancels in each ratio. Under
//! no drift the check trips on about 10 % of comparisons (5 % per side); [`power`] counts
//! that cost, so the runs it plans still give the promised power.
//!
//! The noise scale is the standard deviation of the logs, which estimates the run-to-run
//! noise whatever the number of runs: more runs only narrow the interval (as `1 / sqrt(n)`).
//! The old gate on the range `(max - min) / median` grew with the number of runs instead.
//! criterion's practice (the whole interval beyond a noise threshold) asks more: a true +10 %
//! change would need the interval's lower end above +5 %, several times the runs. Here
//! significance guards against noise, and the threshold against changes too small to matter;
//! a change known to be small (a significant +2 %, interval +1 % to +3 %) is "no change".
//!
//! # Error rates
//!
//! Under no change the lower end exceeds 1 with probability `ALPHA / (2 m)` (exactly, for
//! lognormal noise and equal variances; Welch's interval is close to exact otherwise), so a
//! false 🔴 is at most 2.5 %, and less with the threshold. The calibration test of this
//! module simulates every design and prints the shares of each outcome.
//!
//! # Runs needed
//!
//! [`runs_needed`] is the smallest `n` (runs per side, or pairs) whose power under *this*
//! rule reaches [`POWER`] at a given true change and noise `σ` (sd of the logs). With
//! `se = σ sqrt(2 / n)` (independent) or `σ / sqrt(n)` (pairs), `t` the interval's quantile
//! at the planning degrees of freedom `2n - 2` or `n - 1`, `δ = ln(1 + effect)` and
//! `c = sqrt(1 + t² / (2 df))` (the normal approximation of the noncentral t, Johnson &
//! Welch 1940):
//!
//! ```text
//! P(significant)      ≈ Φ((|δ| / se - t) / c)
//! P(estimate beyond)  ≈ Φ((|δ| - |ln(1 ± T)|) / se)
//! P(regression)       ≥ P(significant) + P(estimate beyond) - 1
//! P(no change)        ≥ Φ(((ln(1 + T) - δ) / se - t) / c) + Φ(((δ - ln(1 - T)) / se - t) / c) - 1
//! ```
//!
//! The lower bounds (Bonferroni's inequality on the two events) keep the promise
//! conservative. A true change equal to the threshold is detected about half of the time at
//! any `n` (the estimate falls on either side of it), so the reports quote the runs needed
//! for a change of **twice** the threshold. [`runs_to_settle`] applies the same formulas to
//! an inconclusive result at its own estimate: the runs at which, if the estimate and the
//! noise stay as observed, the result becomes a verdict or a "no change".

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use thiserror::Error;

use crate::analysis::stats::normal_cdf;

/// Two-sided significance level of one comparison (before the Bonferroni division).
pub const ALPHA: f64 = 0.05;
/// Power [`runs_needed`] plans for.
pub const POWER: f64 = 0.8;
/// Runs per side (or pairs) from which time is judged at all.
pub const MIN_RUNS: usize = 2;
/// The most runs [`runs_needed`] plans; beyond, it says "more than" this.
pub const MAX_PLANNED: usize = 10_000;
/// Two-sided level of the drift check on each side of an independent comparison.
pub const DRIFT_ALPHA: f64 = 0.05;
/// Runs from which the drift check is made (with 4, Mann-Kendall cannot reach p < 0.05).
pub const MIN_DRIFT_RUNS: usize = 5;

/// How the two samples relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Separate runs (two results files).
    Independent,
    /// `base[i]` and `head[i]` ran side by side (A B B A).
    Paired,
}

/// Why no interval can be computed.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum TimeRuleError {
    /// A time that is zero, negative or not finite.
    #[error("{side} time {value} is not a positive, finite number of seconds")]
    NotPositive {
        /// `base` or `head`.
        side: &'static str,
        /// The value.
        value: f64,
    },
    /// Paired samples of different lengths.
    #[error("paired samples differ in length: {base} and {head}")]
    Unpaired {
        /// Base length.
        base: usize,
        /// Head length.
        head: usize,
    },
}

/// The interval of a change of prove time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// The estimated ratio head / base (of geometric means, or the geometric mean of the
    /// paired ratios).
    pub estimate: f64,
    /// Lower end, as a ratio.
    pub low: f64,
    /// Upper end, as a ratio.
    pub high: f64,
    /// Confidence level, `1 - ALPHA / family`.
    pub confidence: f64,
    /// Time comparisons judged together (the Bonferroni divisor).
    pub family: usize,
    /// Two-sided p-value of the t test on the logs.
    pub p_value: f64,
    /// The noise: sd of the logs times 100 (pooled over both sides, or of the paired log
    /// ratios), about a percentage.
    pub noise_pct: f64,
    /// Degrees of freedom of the t quantile.
    pub df: f64,
    /// Runs of the smaller side, or pairs.
    pub n: usize,
    /// Independent runs only: the sides whose times trend with their order (Mann-Kendall
    /// at [`DRIFT_ALPHA`]), which makes the comparison inconclusive.
    pub drift: Vec<Drift>,
}

/// A side whose runs trend with their order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Drift {
    /// `base` or `head`.
    pub side: &'static str,
    /// Upwards (slower with time) or not.
    pub upward: bool,
    /// Mann-Kendall's two-sided p-value.
    pub p_value: f64,
}

/// Mann-Kendall's test of a monotonic trend in `v` (in measurement order): the statistic
/// `S = Σ_{i<j} sign(v_j - v_i)` and its two-sided p-value by the normal approximation with
/// continuity correction (`var S = n (n - 1) (2n + 5) / 18`; ties, rare in times, are
/// counted as 0 without the tie correction, which errs towards larger p). `None` below
/// [`MIN_DRIFT_RUNS`] values.
pub fn mann_kendall(v: &[f64]) -> Option<(i64, f64)> {
    let n = v.len();
    if n < MIN_DRIFT_RUNS {
        return None;
    }
    let mut s: i64 = 0;
    for i in 0..n {
        for j in i + 1..n {
            s += match v[j].partial_cmp(&v[i]) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    let nf = n as f64;
    let sd = (nf * (nf - 1.0) * (2.0 * nf + 5.0) / 18.0).sqrt();
    let z = match s.signum() {
        1 => (s as f64 - 1.0) / sd,
        -1 => (s as f64 + 1.0) / sd,
        _ => 0.0,
    };
    Some((s, crate::analysis::stats::two_sided_p(z)))
}

/// What the rule says about prove time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Significantly slower, and beyond the threshold.
    Regression,
    /// Significantly faster, and beyond the threshold.
    Improvement,
    /// The whole interval lies within the threshold.
    NoChange,
    /// Anything else.
    Inconclusive,
}

/// A number of runs from planning: a count, or more than [`MAX_PLANNED`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Planned {
    /// This many runs per side (or pairs).
    Runs(usize),
    /// More than [`MAX_PLANNED`]: at this noise, practically never.
    MoreThan(usize),
}

fn logs(side: &'static str, v: &[f64]) -> Result<Vec<f64>, TimeRuleError> {
    v.iter()
        .map(|&x| {
            if x.is_finite() && x > 0.0 {
                Ok(x.ln())
            } else {
                Err(TimeRuleError::NotPositive { side, value: x })
            }
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample variance (`n - 1` in the denominator); `v.len() >= 2`.
fn variance(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64
}

/// Degrees of freedom beyond which the t distribution is taken at this many: statrs' inverse
/// loses accuracy far out (1.83 instead of 1.96 at 10⁷), and at 1000 the quantile is within
/// 0.12 % of the normal one, on the conservative side.
const MAX_DF: f64 = 1000.0;

/// The two-sided Student-t quantile `t` with `P(|T| > t) = alpha` at `df` degrees of
/// freedom (`df > 0`).
pub fn t_quantile(alpha: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df.min(MAX_DF))
        .map(|t| t.inverse_cdf(1.0 - alpha / 2.0))
        .unwrap_or(f64::INFINITY)
}

fn t_two_sided_p(stat: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df.min(MAX_DF))
        .map(|t| (2.0 * t.sf(stat.abs())).min(1.0))
        .unwrap_or(1.0)
}

/// The interval of the change from `base` to `head` (seconds), judged in a family of
/// `family` time comparisons; `None` when a side has fewer than [`MIN_RUNS`] runs (pairs).
pub fn interval(
    base: &[f64],
    head: &[f64],
    design: Design,
    family: usize,
) -> Result<Option<Interval>, TimeRuleError> {
    let (lb, lh) = (logs("base", base)?, logs("head", head)?);
    if design == Design::Paired && lb.len() != lh.len() {
        return Err(TimeRuleError::Unpaired {
            base: lb.len(),
            head: lh.len(),
        });
    }
    let n = lb.len().min(lh.len());
    if n < MIN_RUNS {
        return Ok(None);
    }
    let (d, se, df, noise) = match design {
        Design::Paired => {
            let r: Vec<f64> = lb.iter().zip(&lh).map(|(b, h)| h - b).collect();
            let var = variance(&r);
            let n = r.len() as f64;
            (mean(&r), (var / n).sqrt(), n - 1.0, var.sqrt())
        }
        Design::Independent => {
            let (vb, vh) = (variance(&lb), variance(&lh));
            let (nb, nh) = (lb.len() as f64, lh.len() as f64);
            let (ab, ah) = (vb / nb, vh / nh);
            let se2 = ab + ah;
            let df = if se2 > 0.0 {
                se2 * se2 / (ab * ab / (nb - 1.0) + ah * ah / (nh - 1.0))
            } else {
                nb + nh - 2.0
            };
            let pooled = ((nb - 1.0) * vb + (nh - 1.0) * vh) / (nb + nh - 2.0);
            (mean(&lh) - mean(&lb), se2.sqrt(), df, pooled.sqrt())
        }
    };
    let drift: Vec<Drift> = match design {
        Design::Paired => Vec::new(),
        Design::Independent => [("base", base), ("head", head)]
            .into_iter()
            .filter_map(|(side, v)| {
                let (s, p_value) = mann_kendall(v)?;
                (p_value < DRIFT_ALPHA).then_some(Drift {
                    side,
                    upward: s > 0,
                    p_value,
                })
            })
            .collect(),
    };
    let family = family.max(1);
    let alpha = ALPHA / family as f64;
    let (half, p_value) = if se > 0.0 {
        (t_quantile(alpha, df) * se, t_two_sided_p(d / se, df))
    } else {
        // Identical logs on both sides of every pair: the change is known exactly.
        (0.0, if d == 0.0 { 1.0 } else { 0.0 })
    };
    Ok(Some(Interval {
        estimate: d.exp(),
        low: (d - half).exp(),
        high: (d + half).exp(),
        confidence: 1.0 - alpha,
        family,
        p_value,
        noise_pct: noise * 100.0,
        df,
        n,
        drift,
    }))
}

/// The outcome of `i` at threshold `threshold_pct` (see the module docs).
pub fn judge(i: &Interval, threshold_pct: f64) -> Outcome {
    let (up, down) = bounds(threshold_pct);
    if !i.drift.is_empty() {
        Outcome::Inconclusive
    } else if i.low > 1.0 && i.estimate > up {
        Outcome::Regression
    } else if i.high < 1.0 && i.estimate < down {
        Outcome::Improvement
    } else if i.low > down && i.high < up {
        Outcome::NoChange
    } else {
        Outcome::Inconclusive
    }
}

/// The ratios beyond which a change is beyond the threshold: `1 + T` and `1 - T`.
fn bounds(threshold_pct: f64) -> (f64, f64) {
    let t = threshold_pct / 100.0;
    (1.0 + t, (1.0 - t).max(f64::MIN_POSITIVE))
}

/// What a power calculation aims at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A regression (or improvement, for a negative change) called.
    Detect,
    /// A "no change" called.
    NoChange,
}

/// The approximate power of the rule (see the module docs) to reach `target` with `n` runs
/// per side (or pairs), when the true change is `effect_pct` and the noise (sd of the logs
/// times 100) is `noise_pct`.
pub fn power(
    target: Target,
    design: Design,
    n: usize,
    noise_pct: f64,
    effect_pct: f64,
    threshold_pct: f64,
    family: usize,
) -> f64 {
    if n < MIN_RUNS || effect_pct <= -100.0 {
        return 0.0;
    }
    let sigma = noise_pct / 100.0;
    let nf = n as f64;
    let (se, df) = match design {
        Design::Independent => (sigma * (2.0 / nf).sqrt(), 2.0 * nf - 2.0),
        Design::Paired => (sigma / nf.sqrt(), nf - 1.0),
    };
    let delta = (1.0 + effect_pct / 100.0).ln();
    let (up, down) = bounds(threshold_pct);
    let (up, down) = (up.ln(), down.ln());
    if se <= 0.0 {
        // No noise: the estimate is the truth and the interval a point.
        let hit = match target {
            Target::Detect => delta > up || delta < down,
            Target::NoChange => delta < up && delta > down,
        };
        return if hit { 1.0 } else { 0.0 };
    }
    let t = t_quantile(ALPHA / family.max(1) as f64, df);
    let c = (1.0 + t * t / (2.0 * df)).sqrt();
    let p = match target {
        Target::Detect => {
            let beyond = if delta >= 0.0 { up } else { -down };
            let sig = normal_cdf((delta.abs() / se - t) / c);
            let est = normal_cdf((delta.abs() - beyond) / se);
            sig.min(est)
        }
        Target::NoChange => {
            normal_cdf(((up - delta) / se - t) / c) + normal_cdf(((delta - down) / se - t) / c)
                - 1.0
        }
    };
    // Independent runs: the drift check makes a share of comparisons inconclusive
    // (under no drift, each side trips it with probability DRIFT_ALPHA).
    let kept = match design {
        Design::Independent if n >= MIN_DRIFT_RUNS => (1.0 - DRIFT_ALPHA).powi(2),
        _ => 1.0,
    };
    (p * kept).clamp(0.0, 1.0)
}

/// The smallest number of runs per side (or pairs), from [`MIN_RUNS`], whose [`power`] for
/// `target` reaches [`POWER`]; [`Planned::MoreThan`] when even [`MAX_PLANNED`] does not.
pub fn plan(
    target: Target,
    design: Design,
    noise_pct: f64,
    effect_pct: f64,
    threshold_pct: f64,
    family: usize,
) -> Planned {
    let enough = |n: usize| {
        power(
            target,
            design,
            n,
            noise_pct,
            effect_pct,
            threshold_pct,
            family,
        ) >= POWER
    };
    if !noise_pct.is_finite() || !enough(MAX_PLANNED) {
        return Planned::MoreThan(MAX_PLANNED);
    }
    // Power grows with n: the smallest n that is enough, by bisection.
    let (mut lo, mut hi) = (MIN_RUNS, MAX_PLANNED);
    if enough(lo) {
        return Planned::Runs(lo);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if enough(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Planned::Runs(hi)
}

/// Runs per side (or pairs) to detect a true change of `effect_pct` with [`POWER`] at noise
/// `noise_pct`, under threshold `threshold_pct`, in a family of `family` comparisons.
pub fn runs_needed(
    effect_pct: f64,
    noise_pct: f64,
    design: Design,
    threshold_pct: f64,
    family: usize,
) -> Planned {
    plan(
        Target::Detect,
        design,
        noise_pct,
        effect_pct,
        threshold_pct,
        family,
    )
}

/// Runs per side (or pairs) at which an inconclusive result would be settled, if its
/// estimate and noise stayed as observed: a verdict when the estimate is beyond the
/// threshold, a "no change" when it is within.
pub fn runs_to_settle(i: &Interval, design: Design, threshold_pct: f64) -> Planned {
    let (up, down) = bounds(threshold_pct);
    let target = if i.estimate > up || i.estimate < down {
        Target::Detect
    } else {
        Target::NoChange
    };
    plan(
        target,
        design,
        i.noise_pct,
        (i.estimate - 1.0) * 100.0,
        threshold_pct,
        i.family,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::SplitMix64;

    #[test]
    fn the_t_quantile_matches_tables() {
        // Two-sided 5 %: 12.706 (1 df), 2.776 (4), 2.228 (10), 1.962 (1000, the cap, also for
        // more: the normal's 1.960 plus a conservative 0.002).
        for (df, t) in [(1.0, 12.706), (4.0, 2.776), (10.0, 2.228), (1e7, 1.962)] {
            assert!((t_quantile(0.05, df) - t).abs() < 1e-3, "df {df}");
        }
        assert!((t_two_sided_p(2.776, 4.0) - 0.05).abs() < 1e-4);
    }

    #[test]
    fn an_interval_of_independent_runs_is_welch_on_the_logs() {
        let base = [10.0, 10.2, 9.8, 10.1, 9.9];
        let head: Vec<f64> = base.iter().map(|v| v * 1.1).collect();
        let i = interval(&base, &head, Design::Independent, 1)
            .unwrap()
            .unwrap();
        assert!((i.estimate - 1.1).abs() < 1e-12);
        // Equal variances: Welch's df is 2n - 2 = 8.
        assert!((i.df - 8.0).abs() < 1e-9, "{}", i.df);
        assert!(i.low > 1.07 && i.high < 1.13, "{i:?}");
        assert_eq!(judge(&i, 5.0), Outcome::Regression);
        assert!(i.p_value < 1e-4, "{}", i.p_value);
        // The noise is the sd of the logs, about the CV: 1.6 %.
        assert!((i.noise_pct - 1.58).abs() < 0.02, "{}", i.noise_pct);
    }

    #[test]
    fn the_noise_scale_does_not_grow_with_the_number_of_runs() {
        // Draws of the same noise: the range grows with n, the sd of the logs does not.
        let mut rng = SplitMix64::new(1);
        let mut draw =
            |n: usize| -> Vec<f64> { (0..n).map(|_| (0.05 * rng.normal()).exp()).collect() };
        let mean_noise = |n: usize, draw: &mut dyn FnMut(usize) -> Vec<f64>| {
            let k = 400;
            (0..k)
                .map(|_| {
                    let i = interval(&draw(n), &draw(n), Design::Independent, 1)
                        .unwrap()
                        .unwrap();
                    i.noise_pct
                })
                .sum::<f64>()
                / k as f64
        };
        let (small, large) = (mean_noise(3, &mut draw), mean_noise(30, &mut draw));
        assert!(
            (small - 5.0).abs() < 0.6 && (large - 5.0).abs() < 0.3,
            "{small} {large}"
        );
    }

    #[test]
    fn the_three_outcomes() {
        let i = |estimate: f64, low: f64, high: f64| Interval {
            estimate,
            low,
            high,
            confidence: 0.95,
            family: 1,
            p_value: 0.5,
            noise_pct: 5.0,
            df: 8.0,
            n: 5,
            drift: Vec::new(),
        };
        assert_eq!(judge(&i(1.10, 1.02, 1.18), 5.0), Outcome::Regression);
        assert_eq!(judge(&i(0.90, 0.85, 0.97), 5.0), Outcome::Improvement);
        // Significant but small: no change beyond the threshold.
        assert_eq!(judge(&i(1.02, 1.01, 1.03), 5.0), Outcome::NoChange);
        assert_eq!(judge(&i(1.00, 0.97, 1.04), 5.0), Outcome::NoChange);
        // Beyond the threshold but not significant; within it but not excluded.
        assert_eq!(judge(&i(1.08, 0.98, 1.18), 5.0), Outcome::Inconclusive);
        assert_eq!(judge(&i(1.02, 0.94, 1.10), 5.0), Outcome::Inconclusive);
        // Significant, estimate within the threshold, interval reaching past it.
        assert_eq!(judge(&i(1.04, 1.01, 1.07), 5.0), Outcome::Inconclusive);
    }

    #[test]
    fn a_drifting_side_makes_the_comparison_inconclusive() {
        // The real A/A of this issue: the second file's runs climb.
        let a = [
            0.818, 0.808, 0.84, 0.835, 0.787, 0.782, 0.867, 0.752, 0.797, 0.824,
        ];
        let b = [
            0.833, 0.769, 0.876, 0.846, 0.891, 1.039, 0.9, 0.978, 0.943, 0.902,
        ];
        let (s, p) = mann_kendall(&b).unwrap();
        assert_eq!(s, 27);
        assert!((p - 0.0200).abs() < 0.0005, "{p}");
        let i = interval(&a, &b, Design::Independent, 1).unwrap().unwrap();
        assert!(i.low > 1.0 && i.estimate > 1.05, "{i:?}");
        assert_eq!(
            i.drift,
            vec![Drift {
                side: "head",
                upward: true,
                p_value: p
            }]
        );
        assert_eq!(judge(&i, 5.0), Outcome::Inconclusive);
        // The same values as pairs: no drift check (it cancels in the ratios).
        let paired = interval(&a, &b, Design::Paired, 1).unwrap().unwrap();
        assert!(paired.drift.is_empty());
        // Too few runs for the test.
        assert_eq!(mann_kendall(&[1.0, 2.0, 3.0, 4.0]), None);
        // A shuffled side shows no trend.
        assert!(mann_kendall(&a).unwrap().1 > 0.5);
    }

    #[test]
    fn one_run_a_side_has_no_interval_and_bad_input_is_an_error() {
        assert_eq!(
            interval(&[1.0], &[2.0, 2.1], Design::Independent, 1),
            Ok(None)
        );
        assert_eq!(interval(&[1.0], &[2.0], Design::Paired, 1), Ok(None));
        assert!(matches!(
            interval(&[1.0, 0.0], &[2.0, 2.1], Design::Independent, 1),
            Err(TimeRuleError::NotPositive { side: "base", .. })
        ));
        assert!(matches!(
            interval(&[1.0, 1.0], &[2.0], Design::Paired, 1),
            Err(TimeRuleError::Unpaired { base: 2, head: 1 })
        ));
    }

    #[test]
    fn pairs_cancel_drift_and_a_family_widens_the_interval() {
        // Each pair at its own speed (drift of 30 %), the head always 8 % slower.
        let base: Vec<f64> = (0..6).map(|i| 10.0 + i as f64 * 0.6).collect();
        let head: Vec<f64> = base.iter().map(|b| b * 1.08).collect();
        let i = interval(&base, &head, Design::Paired, 1).unwrap().unwrap();
        assert!((i.estimate - 1.08).abs() < 1e-12 && i.noise_pct < 1e-9);
        assert_eq!(judge(&i, 5.0), Outcome::Regression);
        let wobble = [1.07, 1.09, 1.08, 1.075, 1.085, 1.08];
        let head: Vec<f64> = base.iter().zip(wobble).map(|(b, w)| b * w).collect();
        let one = interval(&base, &head, Design::Paired, 1).unwrap().unwrap();
        let six = interval(&base, &head, Design::Paired, 6).unwrap().unwrap();
        assert!(six.low < one.low && six.high > one.high);
        assert!((six.confidence - (1.0 - 0.05 / 6.0)).abs() < 1e-12);
    }

    #[test]
    fn runs_needed_grows_with_noise_and_never_promises_a_change_at_the_threshold() {
        let n = |noise: f64| match runs_needed(10.0, noise, Design::Independent, 5.0, 1) {
            Planned::Runs(n) => n,
            Planned::MoreThan(_) => usize::MAX,
        };
        assert!(n(2.0) < n(5.0) && n(5.0) < n(10.0) && n(10.0) < n(15.0));
        assert_eq!(n(0.01), MIN_RUNS);
        // A true change equal to the threshold is called about half of the time at any n.
        assert_eq!(
            runs_needed(5.0, 5.0, Design::Independent, 5.0, 1),
            Planned::MoreThan(MAX_PLANNED)
        );
        // Pairs with the same noise of their ratios need about half as many.
        let p = runs_needed(10.0, 5.0, Design::Paired, 5.0, 1);
        assert!(matches!(p, Planned::Runs(k) if k < n(5.0)), "{p:?}");
    }
}
