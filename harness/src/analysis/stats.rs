//! Pure statistics over repeated measurements: the validated [`Sample`], its [`Summary`]
//! (median, spread, CV, MAD), a deterministic bootstrap confidence interval of a ratio of
//! medians, and two rank tests (Mann-Whitney U, Wilcoxon signed-rank) with normal-approximation
//! p-values.
//!
//! A leaf module: no I/O, nothing else from the crate. Every function is deterministic; the
//! bootstrap draws from a seeded [`SplitMix64`].

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Resamples drawn by [`Bootstrap::default`]. Efron & Tibshirani, *An Introduction to the
/// Bootstrap* (1993), ask for about 1000 resamples for percentile intervals; ten times that
/// costs little for samples of a few dozen values and shrinks the Monte-Carlo noise of the
/// interval's end points.
pub const BOOTSTRAP_RESAMPLES: usize = 10_000;

/// Seed of [`Bootstrap::default`]: fixed so that the same two samples always give the same
/// interval (the digits of pi's fractional part, `0x243F_6A88_85A3_08D3`, as in Blowfish's
/// P-array: a constant with nothing up its sleeve).
pub const BOOTSTRAP_SEED: u64 = 0x243F_6A88_85A3_08D3;

/// Confidence level of [`Bootstrap::default`]: the conventional 95%.
pub const BOOTSTRAP_CONFIDENCE: f64 = 0.95;

/// Why values or samples were refused.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum StatsError {
    /// A sample needs at least one value.
    #[error("a sample needs at least one value")]
    Empty,
    /// NaN or an infinity.
    #[error("value {index} is not finite: {value}")]
    NonFinite {
        /// Position in the input.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Paired samples of different lengths.
    #[error("paired samples differ in length: {left} and {right}")]
    LengthMismatch {
        /// Length of the first sample.
        left: usize,
        /// Length of the second sample.
        right: usize,
    },
    /// A ratio's denominator sample holds a value that is zero or negative.
    #[error("the baseline of a ratio must be strictly positive, found {value}")]
    NonPositiveBaseline {
        /// The offending value.
        value: f64,
    },
    /// Bootstrap settings out of range.
    #[error("bootstrap needs resamples > 0 and 0 < confidence < 1 (got {resamples}, {confidence})")]
    BadBootstrap {
        /// Requested resamples.
        resamples: usize,
        /// Requested confidence.
        confidence: f64,
    },
}

/// At least one finite value, in the order measured (order matters for paired tests), with a
/// sorted copy for order statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    values: Vec<f64>,
    sorted: Vec<f64>,
}

impl Sample {
    /// Checks and keeps `values`: refused when empty or when any value is NaN or infinite.
    pub fn new(values: Vec<f64>) -> Result<Self, StatsError> {
        if values.is_empty() {
            return Err(StatsError::Empty);
        }
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(StatsError::NonFinite { index, value });
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        Ok(Self { values, sorted })
    }

    /// The values in measurement order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The values in ascending order (the tests' view; callers use the order statistics).
    #[cfg(test)]
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// Number of values (at least 1).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether it has no value: never, [`Sample::new`] refuses an empty one.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The middle value of an ascending, non-empty slice; the mean of the two middle ones when the
/// length is even.
fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The median (mean of the two middle values for an even count).
pub fn median(s: &Sample) -> f64 {
    median_sorted(&s.sorted)
}

/// The smallest value.
pub fn min(s: &Sample) -> f64 {
    s.sorted[0]
}

/// The largest value.
pub fn max(s: &Sample) -> f64 {
    s.sorted[s.sorted.len() - 1]
}

/// The arithmetic mean.
pub fn mean(s: &Sample) -> f64 {
    s.values.iter().sum::<f64>() / s.len() as f64
}

/// The sample standard deviation (Bessel's `n - 1` denominator); 0 for a single value.
pub fn std_dev(s: &Sample) -> f64 {
    let n = s.len();
    if n < 2 {
        return 0.0;
    }
    let m = mean(s);
    let ss: f64 = s.values.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (n - 1) as f64).sqrt()
}

/// `num / den` where `0 / 0` is 0 (no variation at all) and `x / 0` is infinite.
fn ratio_or_zero(num: f64, den: f64) -> f64 {
    if num == 0.0 { 0.0 } else { num / den }
}

/// Coefficient of variation, `std_dev / |mean|`: 0 when every value is equal, infinite when
/// the values vary around a zero mean.
pub fn cv(s: &Sample) -> f64 {
    ratio_or_zero(std_dev(s), mean(s).abs())
}

/// `(max - min) / |median| * 100`: 0 when every value is equal, infinite when the values vary
/// around a zero median.
pub fn spread_pct(s: &Sample) -> f64 {
    ratio_or_zero(max(s) - min(s), median(s).abs()) * 100.0
}

/// Median absolute deviation from the median, unscaled (multiply by 1.4826 to estimate a
/// normal standard deviation).
pub fn mad(s: &Sample) -> f64 {
    let m = median(s);
    let mut dev: Vec<f64> = s.values.iter().map(|v| (v - m).abs()).collect();
    dev.sort_by(f64::total_cmp);
    median_sorted(&dev)
}

/// The summary statistics of one sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Median.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Coefficient of variation (sample std / |mean|).
    pub cv: f64,
    /// (max - min) / median, in percent.
    pub spread_pct: f64,
    /// Median absolute deviation (unscaled).
    pub mad: f64,
    /// Number of values.
    pub n: usize,
}

/// Every statistic of [`Summary`] for `s`.
pub fn summary(s: &Sample) -> Summary {
    Summary {
        median: median(s),
        min: min(s),
        max: max(s),
        mean: mean(s),
        cv: cv(s),
        spread_pct: spread_pct(s),
        mad: mad(s),
        n: s.len(),
    }
}

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; constants from Vigna's reference `splitmix64.c`). Not cryptographic; here so
/// that resampling is reproducible without a `rand` dependency.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`) by Lemire's multiply-shift ("Fast random integer
    /// generation in an interval", 2019) without the rejection step: the bias is below
    /// `n / 2^64`, far under the bootstrap's own Monte-Carlo error.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A uniform value in `(0, 1)`: the top 53 bits, offset by half a step so that neither
    /// end is reached (a logarithm of it is always finite).
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal value (Box-Muller, the cosine branch; simulations only).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A point estimate with a confidence interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatioCi {
    /// `median(candidate) / median(baseline)`.
    pub estimate: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
}

/// Settings of the percentile bootstrap.
#[derive(Clone, Debug, PartialEq)]
pub struct Bootstrap {
    /// Number of resamples (> 0).
    pub resamples: usize,
    /// PRNG seed.
    pub seed: u64,
    /// Confidence level in (0, 1).
    pub confidence: f64,
}

impl Default for Bootstrap {
    /// [`BOOTSTRAP_RESAMPLES`], [`BOOTSTRAP_SEED`], [`BOOTSTRAP_CONFIDENCE`].
    fn default() -> Self {
        Self {
            resamples: BOOTSTRAP_RESAMPLES,
            seed: BOOTSTRAP_SEED,
            confidence: BOOTSTRAP_CONFIDENCE,
        }
    }
}

impl Bootstrap {
    /// Percentile-bootstrap interval of `median(candidate) / median(baseline)`: each resample
    /// draws both samples independently with replacement (the samples are not paired) and
    /// takes the ratio of their medians; the interval is the `(1 - confidence) / 2` and
    /// `(1 + confidence) / 2` order statistics of those ratios. The baseline must be strictly
    /// positive so that every resampled ratio is finite.
    pub fn ratio_of_medians(
        &self,
        baseline: &Sample,
        candidate: &Sample,
    ) -> Result<RatioCi, StatsError> {
        self.check()?;
        if let Some(&value) = baseline.sorted.first().filter(|v| **v <= 0.0) {
            return Err(StatsError::NonPositiveBaseline { value });
        }
        let mut rng = SplitMix64::new(self.seed);
        let mut buf_b = vec![0.0; baseline.len()];
        let mut buf_c = vec![0.0; candidate.len()];
        let mut resample_median = |src: &[f64], buf: &mut [f64]| {
            for slot in buf.iter_mut() {
                *slot = src[rng.below(src.len())];
            }
            buf.sort_unstable_by(f64::total_cmp);
            median_sorted(buf)
        };
        let ratios: Vec<f64> = (0..self.resamples)
            .map(|_| {
                let b = resample_median(&baseline.values, &mut buf_b);
                let c = resample_median(&candidate.values, &mut buf_c);
                c / b
            })
            .collect();
        Ok(self.interval(median(candidate) / median(baseline), ratios))
    }

    /// Percentile-bootstrap interval of the median of the paired ratios
    /// `candidate[i] / baseline[i]` (runs made side by side, e.g. in A B B A order): each
    /// resample draws whole pairs with replacement, so whatever drifted during a pair cancels
    /// in its ratio. The baseline must be strictly positive, and the samples equally long.
    pub fn median_of_paired_ratios(
        &self,
        baseline: &Sample,
        candidate: &Sample,
    ) -> Result<RatioCi, StatsError> {
        self.check()?;
        if baseline.len() != candidate.len() {
            return Err(StatsError::LengthMismatch {
                left: baseline.len(),
                right: candidate.len(),
            });
        }
        if let Some(&value) = baseline.sorted.first().filter(|v| **v <= 0.0) {
            return Err(StatsError::NonPositiveBaseline { value });
        }
        let pairs: Vec<f64> = baseline
            .values
            .iter()
            .zip(&candidate.values)
            .map(|(b, c)| c / b)
            .collect();
        let mut rng = SplitMix64::new(self.seed);
        let mut buf = vec![0.0; pairs.len()];
        let medians: Vec<f64> = (0..self.resamples)
            .map(|_| {
                for slot in buf.iter_mut() {
                    *slot = pairs[rng.below(pairs.len())];
                }
                buf.sort_unstable_by(f64::total_cmp);
                median_sorted(&buf)
            })
            .collect();
        let mut sorted = pairs;
        sorted.sort_by(f64::total_cmp);
        Ok(self.interval(median_sorted(&sorted), medians))
    }

    fn check(&self) -> Result<(), StatsError> {
        if self.resamples == 0 || !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(StatsError::BadBootstrap {
                resamples: self.resamples,
                confidence: self.confidence,
            });
        }
        Ok(())
    }

    /// The percentile interval of `resampled` (non-empty) around `estimate`.
    fn interval(&self, estimate: f64, mut resampled: Vec<f64>) -> RatioCi {
        resampled.sort_unstable_by(f64::total_cmp);
        let tail = (1.0 - self.confidence) / 2.0;
        let n = resampled.len();
        let last = n - 1;
        let low_index = ((tail * n as f64).floor() as usize).min(last);
        let high_index = ((((1.0 - tail) * n as f64).ceil() as usize).saturating_sub(1)).min(last);
        RatioCi {
            estimate,
            low: resampled[low_index],
            high: resampled[high_index],
            confidence: self.confidence,
        }
    }
}

impl RatioCi {
    /// Whether the interval lies wholly above or wholly below 1 (no change).
    pub fn excludes_one(&self) -> bool {
        self.low > 1.0 || self.high < 1.0
    }
}

/// `erfc(x)`, the complementary error function, by the Chebyshev-fitted rational
/// approximation `erfcc` of Press et al., *Numerical Recipes in C* (2nd ed., 1992), §6.2:
/// fractional error below 1.2e-7 everywhere.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * (-z * z + poly).exp();
    if x >= 0.0 { ans } else { 2.0 - ans }
}

/// The standard normal CDF, `Φ(z) = erfc(-z / √2) / 2` (the time rule's power
/// approximation).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of a standard normal statistic, `2 (1 - Φ(|z|)) = erfc(|z| / √2)`.
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// 1-based ranks of `values`, ties sharing the mean of the ranks they span (midranks), and
/// `Σ (t³ - t)` over the tie groups (sizes `t`), the term both tests' variances subtract.
fn midranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && values[order[j]].total_cmp(&values[order[i]]) == Ordering::Equal {
            j += 1;
        }
        // Positions i..j (0-based) hold ranks i+1..=j; their mean is (i + 1 + j) / 2.
        let rank = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = rank;
        }
        let t = (j - i) as f64;
        ties += t * t * t - t;
        i = j;
    }
    (ranks, ties)
}

/// `z = (s - mu ∓ 1/2) / sigma` with the continuity correction moving `s` half a unit toward
/// the mean (but never past it); 0 when `sigma` is 0.
fn corrected_z(s: f64, mu: f64, sigma: f64) -> f64 {
    if sigma == 0.0 {
        return 0.0;
    }
    let d = s - mu;
    (d.signum() * (d.abs() - 0.5).max(0.0)) / sigma
}

/// The result of a Mann-Whitney U test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// U of the first sample: the number of pairs `(a, b)` with `a > b`, ties counting 1/2.
    pub u: f64,
    /// `min(U_a, U_b)`, the statistic printed tables use.
    pub u_min: f64,
    /// Standardised statistic (with continuity and tie corrections).
    pub z: f64,
    /// Two-sided p-value from the normal approximation.
    pub p_value: f64,
}

/// Two-sided Mann-Whitney U test (Wilcoxon rank-sum) of two independent samples.
///
/// `U_a = R_a - n_a (n_a + 1) / 2` with `R_a` the sum of `a`'s midranks in the pooled sample.
/// Under the null, `U_a` has mean `n_a n_b / 2` and, with ties, variance
/// `n_a n_b / 12 · ((n + 1) - Σ(t³ - t) / (n (n - 1)))` (`n = n_a + n_b`, `t` the tie-group
/// sizes). `z` applies a continuity correction of 1/2.
///
/// Valid when: the normal approximation is good for `n_a, n_b ≥ 8` or so (Siegel &
/// Castellan, *Nonparametric Statistics for the Behavioral Sciences*, 2nd ed., 1988; Mann &
/// Whitney, 1947, tabulate the exact distribution up to 8); below that the p-value is only indicative and exact tables should be
/// used. When every pooled value is equal the variance is 0 and `p = 1`.
pub fn mann_whitney(a: &Sample, b: &Sample) -> MannWhitney {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let pooled: Vec<f64> = a.values.iter().chain(&b.values).copied().collect();
    let (ranks, ties) = midranks(&pooled);
    let ra: f64 = ranks[..a.len()].iter().sum();
    let u = ra - na * (na + 1.0) / 2.0;
    let n = na + nb;
    let mu = na * nb / 2.0;
    let var = na * nb / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    let z = corrected_z(u, mu, var.max(0.0).sqrt());
    MannWhitney {
        u,
        u_min: u.min(na * nb - u),
        z,
        p_value: two_sided_p(z),
    }
}

/// The result of a Wilcoxon signed-rank test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wilcoxon {
    /// Sum of the ranks of the positive differences `b - a`.
    pub w_plus: f64,
    /// Sum of the ranks of the negative differences.
    pub w_minus: f64,
    /// Pairs with a non-zero difference (the `n` the test uses).
    pub n_nonzero: usize,
    /// Standardised statistic (with continuity and tie corrections).
    pub z: f64,
    /// Two-sided p-value from the normal approximation.
    pub p_value: f64,
}

/// Two-sided Wilcoxon signed-rank test of paired samples (`a[i]` with `b[i]`), on the
/// differences `b[i] - a[i]`.
///
/// Zeros: differences exactly 0 are dropped before ranking (Wilcoxon's original method,
/// SciPy's `zero_method="wilcox"`); `n` counts the rest. Ties: equal `|d|` share midranks,
/// and the null variance `n (n + 1)(2n + 1) / 24` loses `Σ(t³ - t) / 48`. The mean is
/// `n (n + 1) / 4`; `z` is `W+` standardised with a continuity correction of 1/2. With no
/// non-zero difference, `z = 0` and `p = 1`.
///
/// Valid when: the normal approximation is adequate from `n ≈ 20` non-zero pairs (Siegel &
/// Castellan tabulate the exact distribution further); for fewer the p-value is only indicative.
pub fn wilcoxon(a: &Sample, b: &Sample) -> Result<Wilcoxon, StatsError> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch {
            left: a.len(),
            right: b.len(),
        });
    }
    let diffs: Vec<f64> = a
        .values
        .iter()
        .zip(&b.values)
        .map(|(x, y)| y - x)
        .filter(|d| *d != 0.0)
        .collect();
    let abs: Vec<f64> = diffs.iter().map(|d| d.abs()).collect();
    let (ranks, ties) = midranks(&abs);
    let w_plus: f64 = diffs
        .iter()
        .zip(&ranks)
        .filter(|(d, _)| **d > 0.0)
        .map(|(_, r)| r)
        .sum();
    let w_minus: f64 = diffs
        .iter()
        .zip(&ranks)
        .filter(|(d, _)| **d < 0.0)
        .map(|(_, r)| r)
        .sum();
    let n = diffs.len() as f64;
    let mu = n * (n + 1.0) / 4.0;
    let var = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - ties / 48.0;
    let z = corrected_z(w_plus, mu, var.max(0.0).sqrt());
    Ok(Wilcoxon {
        w_plus,
        w_minus,
        n_nonzero: diffs.len(),
        z,
        p_value: two_sided_p(z),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(values: &[f64]) -> Sample {
        Sample::new(values.to_vec()).unwrap()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Deterministic test inputs: `n` values in `[lo, lo + width)`, some repeated.
    fn generated(rng: &mut SplitMix64, n: usize, lo: f64, width: f64) -> Vec<f64> {
        (0..n)
            .map(|_| {
                // A coarse grid (1/16 steps) so that ties occur.
                let steps = (width * 16.0) as usize;
                lo + rng.below(steps.max(1)) as f64 / 16.0
            })
            .collect()
    }

    #[test]
    fn sample_refuses_empty_and_non_finite() {
        assert_eq!(Sample::new(vec![]), Err(StatsError::Empty));
        assert!(matches!(
            Sample::new(vec![1.0, f64::NAN]),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            Sample::new(vec![f64::NEG_INFINITY]),
            Err(StatsError::NonFinite { index: 0, .. })
        ));
        let s = sample(&[3.0, 1.0, 2.0]);
        assert_eq!(s.values(), &[3.0, 1.0, 2.0]);
        assert_eq!(s.sorted(), &[1.0, 2.0, 3.0]);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&sample(&[5.0, 1.0, 3.0])), 3.0);
        assert_eq!(median(&sample(&[4.0, 1.0, 3.0, 2.0])), 2.5);
        assert_eq!(median(&sample(&[7.0])), 7.0);
    }

    #[test]
    fn known_values_of_a_small_sample() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample variance 32/7.
        let s = sample(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(min(&s), 2.0);
        assert_eq!(max(&s), 9.0);
        assert_eq!(mean(&s), 5.0);
        assert_eq!(median(&s), 4.5);
        assert!(close(std_dev(&s), (32.0f64 / 7.0).sqrt(), 1e-12));
        assert!(close(cv(&s), (32.0f64 / 7.0).sqrt() / 5.0, 1e-12));
        assert!(close(spread_pct(&s), 7.0 / 4.5 * 100.0, 1e-12));
        // |x - 4.5|: 2.5, 0.5, 0.5, 0.5, 0.5, 0.5, 2.5, 4.5 -> median 0.5.
        assert_eq!(mad(&s), 0.5);
    }

    #[test]
    fn degenerate_samples_have_no_variation() {
        for s in [sample(&[3.5]), sample(&[2.0, 2.0, 2.0, 2.0])] {
            let sum = summary(&s);
            assert_eq!(sum.mad, 0.0);
            assert_eq!(sum.spread_pct, 0.0);
            assert_eq!(sum.cv, 0.0);
            assert_eq!(sum.min, sum.max);
            assert_eq!(sum.median, sum.mean);
        }
        // All zeros: 0/0 is defined as no variation, not NaN.
        let zeros = summary(&sample(&[0.0, 0.0]));
        assert_eq!((zeros.cv, zeros.spread_pct), (0.0, 0.0));
    }

    #[test]
    fn summary_round_trips_through_json() {
        let sum = summary(&sample(&[1.0, 2.0, 4.0]));
        assert_eq!(sum.n, 3);
        assert_eq!(sum.median, 2.0);
        let json = serde_json::to_string(&sum).unwrap();
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sum);
    }

    #[test]
    fn splitmix64_matches_the_reference_outputs() {
        // The widely reproduced test vector of Vigna's splitmix64.c for seed 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
        let mut rng = SplitMix64::new(7);
        assert!((0..1000).all(|_| rng.below(3) < 3));
    }

    #[test]
    fn erfc_matches_reference_values() {
        // erfc values to 16 digits (Abramowitz & Stegun table 7.1 / any libm), within the
        // approximation's documented 1.2e-7.
        let cases = [
            (0.0, 1.0),
            (0.5, 0.479_500_122_186_953_5),
            (1.0, 0.157_299_207_050_285_1),
            (2.0, 0.004_677_734_981_047_266),
            (-1.0, 1.842_700_792_949_715),
        ];
        for (x, want) in cases {
            assert!(
                close(erfc(x), want, 1.2e-7),
                "erfc({x}) = {} != {want}",
                erfc(x)
            );
        }
        assert!(close(normal_cdf(0.0), 0.5, 1e-7));
        assert!(close(normal_cdf(1.959_963_985), 0.975, 1e-7));
        assert!(close(two_sided_p(-1.959_963_985), 0.05, 1e-7));
    }

    #[test]
    fn mann_whitney_tortoise_and_hare() {
        // Wikipedia, "Mann-Whitney U test", illustration: finishing order THHHHHTTTTTH, six
        // of each. As finishing positions (lower is better): T = 1, 7..=11; H = 2..=6, 12.
        // The article's U_T = 11 counts the pairs the tortoise wins (T < H); ours counts
        // T > H, i.e. 36 - 11 = 25, and min(U) = 11.
        let t = sample(&[1.0, 7.0, 8.0, 9.0, 10.0, 11.0]);
        let h = sample(&[2.0, 3.0, 4.0, 5.0, 6.0, 12.0]);
        let r = mann_whitney(&t, &h);
        assert_eq!(r.u, 25.0);
        assert_eq!(r.u_min, 11.0);
        // By hand: mu = 36/2 = 18, var = 36/12 * 13 = 39 (no ties), sigma = 6.244998;
        // z = (25 - 18 - 0.5) / 6.244998 = 1.040833; p = erfc(1.040833 / sqrt 2) = 0.297953.
        assert!(close(r.z, 1.040_833, 1e-6));
        assert!(close(r.p_value, 0.297_953, 1e-3));
        // Swapping the samples mirrors U and keeps p.
        let s = mann_whitney(&h, &t);
        assert_eq!(s.u, 11.0);
        assert!(close(s.p_value, r.p_value, 1e-12));
    }

    #[test]
    fn mann_whitney_with_ties() {
        // Pooled: 1a 2a 2a 2b 3a 3b 4b 5b -> midranks 1, 3, 3, 3, 5.5, 5.5, 7, 8.
        // R_a = 1 + 3 + 3 + 5.5 = 12.5, U_a = 12.5 - 10 = 2.5.
        // Ties: groups of 3 and 2, sum(t^3 - t) = 24 + 6 = 30.
        // var = 16/12 * (9 - 30/56) = 11.285714, sigma = 3.359422, mu = 8;
        // z = (2.5 - 8 + 0.5) / 3.359422 = -1.488351; p = 0.136658.
        let r = mann_whitney(
            &sample(&[1.0, 2.0, 2.0, 3.0]),
            &sample(&[2.0, 3.0, 4.0, 5.0]),
        );
        assert_eq!(r.u, 2.5);
        assert!(close(r.z, -1.488_351, 1e-6));
        assert!(close(r.p_value, 0.136_658, 1e-3));
    }

    #[test]
    fn mann_whitney_of_identical_values_is_not_significant() {
        let r = mann_whitney(&sample(&[4.0; 5]), &sample(&[4.0; 3]));
        assert_eq!(r.u, 7.5);
        assert_eq!((r.z, r.p_value), (0.0, 1.0));
        let one = mann_whitney(&sample(&[1.0]), &sample(&[2.0]));
        assert_eq!(one.u, 0.0);
        assert!(one.p_value <= 1.0);
    }

    #[test]
    fn wilcoxon_wikipedia_example() {
        // Wikipedia, "Wilcoxon signed-rank test", example: ten pairs (x1, x2); one zero
        // difference is dropped, leaving n = 9. Published: W = sum of signed ranks = 9.
        let x1 = sample(&[
            110.0, 122.0, 125.0, 120.0, 140.0, 124.0, 123.0, 137.0, 135.0, 145.0,
        ]);
        let x2 = sample(&[
            125.0, 115.0, 130.0, 140.0, 140.0, 115.0, 140.0, 125.0, 140.0, 135.0,
        ]);
        let r = wilcoxon(&x1, &x2).unwrap();
        assert_eq!(r.n_nonzero, 9);
        // |d| = 5, 5, 7, 9, 10, 12, 15, 17, 20 -> ranks 1.5, 1.5, 3, ..., 9.
        // Positive: 15 (7), 5 (1.5), 20 (9), 17 (8), 5 (1.5) = 27; negative: 18.
        assert_eq!((r.w_plus, r.w_minus), (27.0, 18.0));
        assert_eq!(r.w_plus - r.w_minus, 9.0);
        // By hand: mu = 9*10/4 = 22.5; var = 9*10*19/24 - (2^3 - 2)/48 = 71.125,
        // sigma = 8.433564; z = (27 - 22.5 - 0.5) / 8.433564 = 0.474295; p = 0.635289.
        assert!(close(r.z, 0.474_295, 1e-6));
        assert!(close(r.p_value, 0.635_289, 1e-3));
    }

    #[test]
    fn wilcoxon_zeros_ties_and_degenerate_cases() {
        // d = 0, 1, 2, -1: the zero is dropped; |d| = 1, 2, 1 -> ranks 1.5, 3, 1.5.
        // W+ = 4.5, W- = 1.5, n = 3; mu = 3, var = 3*4*7/24 - 6/48 = 3.375;
        // z = (4.5 - 3 - 0.5) / 1.837117 = 0.544331; p = 0.586214.
        let r = wilcoxon(
            &sample(&[1.0, 2.0, 3.0, 4.0]),
            &sample(&[1.0, 3.0, 5.0, 3.0]),
        )
        .unwrap();
        assert_eq!((r.w_plus, r.w_minus, r.n_nonzero), (4.5, 1.5, 3));
        assert!(close(r.z, 0.544_331, 1e-6));
        assert!(close(r.p_value, 0.586_214, 1e-3));
        // Identical pairs: nothing to rank.
        let same = sample(&[1.0, 2.0, 3.0]);
        let r = wilcoxon(&same, &same).unwrap();
        assert_eq!((r.n_nonzero, r.z, r.p_value), (0, 0.0, 1.0));
        assert_eq!(
            wilcoxon(&same, &sample(&[1.0])),
            Err(StatsError::LengthMismatch { left: 3, right: 1 })
        );
    }

    #[test]
    fn bootstrap_is_deterministic_and_brackets_a_clear_ratio() {
        let base = sample(&[10.0, 10.2, 9.9, 10.1, 10.0, 9.8, 10.3, 10.1]);
        let cand = sample(&[12.0, 12.1, 11.9, 12.2, 12.0, 11.8, 12.1, 12.0]);
        let ci = Bootstrap::default().ratio_of_medians(&base, &cand).unwrap();
        assert_eq!(
            ci,
            Bootstrap::default().ratio_of_medians(&base, &cand).unwrap()
        );
        assert_eq!(ci.confidence, BOOTSTRAP_CONFIDENCE);
        assert!(close(ci.estimate, 12.0 / 10.05, 1e-12));
        assert!(ci.low <= ci.estimate && ci.estimate <= ci.high);
        // Medians move by at most a few tenths: the ratio stays well inside (1.1, 1.3).
        assert!(ci.low > 1.1 && ci.high < 1.3, "{ci:?}");
        // A different seed may move the ends, never the estimate.
        let other = Bootstrap {
            seed: 1,
            ..Bootstrap::default()
        };
        assert_eq!(
            other.ratio_of_medians(&base, &cand).unwrap().estimate,
            ci.estimate
        );
        // Identical constant samples: a degenerate interval at 1.
        let flat = sample(&[5.0; 4]);
        let ci = Bootstrap::default().ratio_of_medians(&flat, &flat).unwrap();
        assert_eq!((ci.low, ci.estimate, ci.high), (1.0, 1.0, 1.0));
    }

    #[test]
    fn mann_whitney_matches_scipys_published_example() {
        // SciPy's `mannwhitneyu` documentation (after Conover, *Practical Nonparametric
        // Statistics*): ages of male and female staff. Published: U1 = 17,
        // `method="asymptotic"` p = 0.11134688653314041 (continuity-corrected, no ties).
        let males = sample(&[19.0, 22.0, 16.0, 29.0, 24.0]);
        let females = sample(&[20.0, 11.0, 17.0, 12.0]);
        let r = mann_whitney(&males, &females);
        assert_eq!(r.u, 17.0);
        assert!(close(r.p_value, 0.111_346_886_533_140_41, 1e-6), "{r:?}");
    }

    #[test]
    fn wilcoxon_matches_darwins_maize_data() {
        // Fisher, *The Design of Experiments* (1935), Darwin's Zea mays: differences in
        // height (eighths of an inch) of 15 crossed/self-fertilised pairs; SciPy's `wilcoxon`
        // documentation publishes the statistic min(W+, W-) = 24 and the exact two-sided
        // p = 0.041259765625. Its normal approximation without continuity correction is
        // p = 0.040888; ours, with the correction, z = (96 - 60 - 0.5) / 17.606817 =
        // 2.016265, p = 0.043772: within 0.003 of the exact value.
        let d = [
            6.0, 8.0, 14.0, 16.0, 23.0, 24.0, 28.0, 29.0, 41.0, -48.0, 49.0, 56.0, 60.0, -67.0,
            75.0,
        ];
        let zeros = sample(&[0.0; 15]);
        let r = wilcoxon(&zeros, &sample(&d)).unwrap();
        assert_eq!((r.w_plus, r.w_minus, r.n_nonzero), (96.0, 24.0, 15));
        assert!(close(r.z, 2.016_265, 1e-6), "{r:?}");
        assert!(close(r.p_value, 0.043_772, 1e-5), "{r:?}");
        assert!((r.p_value - 0.041_259_765_625).abs() < 3e-3);
        let uncorrected = (r.w_plus - 60.0) / (15.0f64 * 16.0 * 31.0 / 24.0).sqrt();
        assert!(close(
            two_sided_p(uncorrected),
            0.040_888_132_911_855_9,
            1e-6
        ));
    }

    #[test]
    fn paired_bootstrap_of_the_median_ratio() {
        let base = sample(&[10.0, 20.0, 10.0, 20.0, 10.0, 20.0]);
        // Drift doubles the values every other pair; the paired ratios are all near 1.1.
        let cand = sample(&[11.0, 22.2, 10.9, 21.8, 11.1, 22.0]);
        let b = Bootstrap::default();
        let ci = b.median_of_paired_ratios(&base, &cand).unwrap();
        assert_eq!(ci, b.median_of_paired_ratios(&base, &cand).unwrap());
        // Ratios: 1.1, 1.11, 1.09, 1.09, 1.11, 1.1 -> median 1.1.
        assert!(close(ci.estimate, 1.1, 1e-12), "{ci:?}");
        assert!(ci.low >= 1.09 - 1e-12 && ci.high <= 1.11 + 1e-12, "{ci:?}");
        assert!(ci.excludes_one());
        // The unpaired interval of the same data is wide: drift swamps the effect.
        let unpaired = b.ratio_of_medians(&base, &cand).unwrap();
        assert!(!unpaired.excludes_one(), "{unpaired:?}");
        assert_eq!(
            b.median_of_paired_ratios(&base, &sample(&[1.0])),
            Err(StatsError::LengthMismatch { left: 6, right: 1 })
        );
        assert!(matches!(
            b.median_of_paired_ratios(&sample(&[-1.0]), &sample(&[1.0])),
            Err(StatsError::NonPositiveBaseline { .. })
        ));
        let same = b.median_of_paired_ratios(&base, &base).unwrap();
        assert_eq!((same.low, same.estimate, same.high), (1.0, 1.0, 1.0));
        assert!(!same.excludes_one());
    }

    #[test]
    fn bootstrap_refuses_bad_settings_and_baselines() {
        let s = sample(&[1.0, 2.0]);
        let zero = Bootstrap {
            resamples: 0,
            ..Bootstrap::default()
        };
        assert!(matches!(
            zero.ratio_of_medians(&s, &s),
            Err(StatsError::BadBootstrap { .. })
        ));
        let full = Bootstrap {
            confidence: 1.0,
            ..Bootstrap::default()
        };
        assert!(matches!(
            full.ratio_of_medians(&s, &s),
            Err(StatsError::BadBootstrap { .. })
        ));
        assert_eq!(
            Bootstrap::default().ratio_of_medians(&sample(&[0.0, 1.0]), &s),
            Err(StatsError::NonPositiveBaseline { value: 0.0 })
        );
    }

    #[test]
    fn properties_over_generated_samples() {
        let mut rng = SplitMix64::new(42);
        let quick = Bootstrap {
            resamples: 500,
            ..Bootstrap::default()
        };
        for case in 0..200 {
            let n = 1 + rng.below(15);
            let m = 1 + rng.below(15);
            let a = sample(&generated(&mut rng, n, 1.0, 4.0));
            let b = sample(&generated(&mut rng, m, 1.0, 4.0));
            let s = summary(&a);
            assert!(s.min <= s.median && s.median <= s.max, "case {case}: {s:?}");
            assert!(s.min <= s.mean && s.mean <= s.max, "case {case}: {s:?}");
            assert!(
                s.spread_pct >= 0.0 && s.cv >= 0.0 && s.mad >= 0.0,
                "case {case}"
            );
            assert!(s.mad <= s.max - s.min, "case {case}");

            let ci = quick.ratio_of_medians(&a, &b).unwrap();
            assert!(ci.low <= ci.high, "case {case}: {ci:?}");
            assert!(
                ci.low <= ci.estimate && ci.estimate <= ci.high,
                "case {case}: {ci:?}"
            );

            let mw = mann_whitney(&a, &b);
            assert!((0.0..=(n * m) as f64).contains(&mw.u), "case {case}");
            assert!((0.0..=1.0).contains(&mw.p_value), "case {case}");
            // Rank tests only see order: a common shift or positive scale changes nothing.
            let shift =
                |s: &Sample, k: f64| sample(&s.values().iter().map(|v| v + k).collect::<Vec<_>>());
            let moved = mann_whitney(&shift(&a, 100.0), &shift(&b, 100.0));
            assert_eq!(moved, mw, "case {case}");

            let paired = sample(&generated(&mut rng, n, 1.0, 4.0));
            let w = wilcoxon(&a, &paired).unwrap();
            assert_eq!(
                w.w_plus + w.w_minus,
                (w.n_nonzero * (w.n_nonzero + 1)) as f64 / 2.0
            );
            assert!((0.0..=1.0).contains(&w.p_value), "case {case}");
            assert_eq!(
                wilcoxon(&shift(&a, 8.0), &shift(&paired, 8.0)).unwrap(),
                w,
                "case {case}"
            );
        }
    }
}
