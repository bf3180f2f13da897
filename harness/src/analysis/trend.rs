//! Step detection over a nightly series: is tonight a step away from the previous nights?
//! Pure: no I/O, only [`crate::analysis::stats`] and the normal quantile.
//!
//! Each night is a [`Night`]: the median of its runs, how many runs, and their spread
//! `(max - min) / median`. Two rules share one mechanism:
//!
//! * **Time** ([`StepRule::default`]) is noisy, so tonight is judged against a band whose
//!   width comes from the noise measured, and a step must persist.
//! * **Heap and instruction counts** ([`StepRule::deterministic`]) repeat, so tonight is
//!   judged against the night before alone, and any change past the threshold is a step.
//!
//! # The time rule
//!
//! The **window** is the `K` nights (default 10) before the previous night: the previous
//! night is left out, so that a step that began last night is not part of its own
//! baseline. At least [`StepRule::min_history`] (5) nights are needed in it, otherwise the
//! answer is [`StepCheck::NotEnoughHistory`]; so the first time verdict comes with 6
//! previous nights. On the logs of the nights' values:
//!
//! ```text
//! centre   = mean(ln x_i over the window)
//! s_b      = sd(ln x_i over the window)                       (between nights)
//! s_w      = sqrt(mean of (spread_i / d2(runs_i) × 1.2533 / sqrt(runs_i))²)   (within)
//! σ        = max(s_b, s_w)
//! limit    = max(ln(1 + threshold), z_S × σ × sqrt(1 + 1 / K'))   (K' nights in the window)
//! ```
//!
//! `s_w` is the noise of a night's median that the nights' own runs imply: the range of `n`
//! normal values divided by its expectation `d2(n)` estimates their sd (the statistical
//! process-control estimator), and the median of `n` runs has about `1.2533 / sqrt(n)` of
//! it. Pooling the recorded spreads with the window gives the noise many more degrees of
//! freedom than the window's own sd has with 5 nights, and the maximum of the two keeps the
//! band honest when the nights differ more than their runs (another runner VM each night).
//! The MAD of 3 nights, which this replaces, was one of the noisiest scales there is.
//!
//! Tonight's deviation is `d_t = ln(tonight) - centre`, last night's `d_p`, and with `K'`
//! nights in the window two limits follow:
//!
//! ```text
//! one night:        limit_1 = max(ln(1 + threshold), z_S × σ × sqrt(1 + 1 / K'))
//! two nights' mean: limit_2 = max(ln(1 + threshold), z_S × σ × sqrt(1/2 + 1 / K'))
//! ```
//!
//! A **step** (regression upwards, improvement downwards) fires when
//!
//! * it persisted: `d_t` and `d_p` lie on the same side and their mean is beyond `limit_2`
//!   (averaging two nights halves the nightly noise, so a real step is seen sooner than by
//!   asking each night to pass alone, and one bad night cannot fire it), or
//! * it is large: `d_t` alone is beyond `large_multiple × limit_1` (default 2), reported on
//!   its first night.
//!
//! A night beyond `limit_2` that is not (yet) a step is **pending**: reported, not failed.
//! Both conditions need the change itself past the threshold, so the floor keeps the
//! meaning "a step of at least 5 %".

//! # Several series at once
//!
//! A night judges every mode's time. With `S` time series ([`StepRule::series`]) the band
//! uses `z_S`, the normal quantile of the single-series tail divided by `S` (Bonferroni on
//! the tail of one night), so that the chance that *any* series raises a false alarm stays
//! about that of one series. Heap and instruction counts are deterministic and need no such
//! correction.
//!
//! # Calibration
//!
//! `harness/tests/calibration.rs` simulates the rule on lognormal runs at CV 5 % (the
//! nightly's default runs per night), and checks a false alarm per night per series of at
//! most 1 % and a +10 % step caught within 2 nights at least 90 % of the time.

use statrs::distribution::{ContinuousCDF, Normal};
use thiserror::Error;

/// The median's efficiency factor: the sd of the median of `n` normal values is about
/// `sqrt(π / 2) / sqrt(n)` of theirs (exactly so for large `n`; a little less for small
/// `n`, so the estimate errs wide).
const MEDIAN_SD_FACTOR: f64 = 1.253_314_137;

/// Why a series cannot be checked.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum TrendError {
    /// A value is NaN, infinite, zero or negative (times and heaps are positive).
    #[error("night {index}: {value} is not a positive finite measurement")]
    BadValue {
        /// Position in the series.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Rule settings out of range.
    #[error("bad step rule: {0}")]
    BadRule(String),
}

/// One night of a series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Night {
    /// The night's value: the median of its runs.
    pub value: f64,
    /// Successful runs behind it.
    pub runs: usize,
    /// `(max - min) / median` of its runs, percent, when recorded.
    pub spread_pct: Option<f64>,
}

impl Night {
    /// A night of one exact value (heap, instructions, or a test).
    pub fn exact(value: f64) -> Self {
        Self {
            value,
            runs: 1,
            spread_pct: None,
        }
    }

    /// The sd of the log of this night's median that its runs imply, when it has at least 2
    /// runs and a recorded spread.
    fn median_sd(&self) -> Option<f64> {
        let spread = self.spread_pct? / 100.0;
        let d2 = d2(self.runs)?;
        Some(spread / d2 * MEDIAN_SD_FACTOR / (self.runs as f64).sqrt())
    }
}

/// `d2(n)`: the expected range of `n` standard normal values (Harter 1960; the control-chart
/// constant), for `n >= 2`; about `2 sqrt(ln n)`-like growth beyond the table.
fn d2(n: usize) -> Option<f64> {
    const TABLE: [f64; 9] = [
        1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.970, 3.078,
    ];
    match n {
        0 | 1 => None,
        2..=10 => Some(TABLE[n - 2]),
        // Tippett's asymptote, within 1 % of the tables from 11 runs on.
        _ => Some(3.078 + 0.6 * ((n as f64) / 10.0).ln()),
    }
}

/// The settings of the rule (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepRule {
    /// `K`: how many nights form the window.
    pub window: usize,
    /// Nights needed in the window before anything is judged.
    pub min_history: usize,
    /// The smallest relative change that can be a step, percent.
    pub threshold_pct: f64,
    /// Width of the noise band of one series, in standard deviations.
    pub z: f64,
    /// Nights a step must persist (1 or 2); with 2 the window skips the previous night.
    pub persist: usize,
    /// A deviation beyond this many limits is a step on its first night.
    pub large_multiple: f64,
    /// Series judged together (the Bonferroni divisor of the band's tail), at least 1.
    pub series: usize,
}

impl Default for StepRule {
    fn default() -> Self {
        Self {
            window: 10,
            min_history: 5,
            threshold_pct: 5.0,
            z: 2.5,
            persist: 2,
            large_multiple: 2.0,
            series: 1,
        }
    }
}

impl StepRule {
    /// The rule for a deterministic measure (peak heap, an instruction count): tonight
    /// against the night before alone, a step whenever the change passes `threshold_pct`,
    /// no noise band, no persistence.
    pub fn deterministic(threshold_pct: f64) -> Self {
        Self {
            window: 1,
            min_history: 1,
            threshold_pct,
            z: 0.0,
            persist: 1,
            large_multiple: 1.0,
            series: 1,
        }
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<(), TrendError> {
        if self.min_history == 0 || self.min_history > self.window {
            return Err(TrendError::BadRule(format!(
                "need 1 <= min_history ({}) <= window ({})",
                self.min_history, self.window
            )));
        }
        if !(self.threshold_pct.is_finite() && self.threshold_pct >= 0.0) {
            return Err(TrendError::BadRule(format!(
                "threshold {} % is not a non-negative number",
                self.threshold_pct
            )));
        }
        if !(self.z.is_finite() && self.z >= 0.0) {
            return Err(TrendError::BadRule(format!(
                "z = {} is not a non-negative number",
                self.z
            )));
        }
        if !(1..=2).contains(&self.persist) {
            return Err(TrendError::BadRule(format!(
                "a step persists 1 or 2 nights, not {}",
                self.persist
            )));
        }
        if !(self.large_multiple.is_finite() && self.large_multiple >= 1.0) || self.series == 0 {
            return Err(TrendError::BadRule(format!(
                "need large_multiple >= 1 (got {}) and at least one series",
                self.large_multiple
            )));
        }
        Ok(())
    }

    /// `z_S`: the band's width in standard deviations with [`StepRule::series`] series.
    pub fn z_for_series(&self) -> f64 {
        if self.series <= 1 || self.z == 0.0 {
            return self.z;
        }
        let normal = Normal::standard();
        let tail = (1.0 - normal.cdf(self.z)) / self.series as f64;
        normal.inverse_cdf(1.0 - tail)
    }
}

/// Which way a night moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Up: slower or larger (worse).
    Regression,
    /// Down: faster or smaller (better).
    Improvement,
    /// Within the band.
    Unchanged,
}

/// The verdict on one night.
#[derive(Clone, Debug, PartialEq)]
pub enum StepCheck {
    /// Fewer nights in the window than [`StepRule::min_history`].
    NotEnoughHistory {
        /// Nights available to the window.
        have: usize,
        /// Nights needed.
        need: usize,
    },
    /// Judged against the window.
    Checked(Judgement),
}

/// Tonight against the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// The window's centre: the geometric mean of its nights.
    pub window_center: f64,
    /// Nights in the window.
    pub window_len: usize,
    /// The noise σ (sd of the logs) times 100, about a percentage.
    pub noise_pct: f64,
    /// Tonight against the centre, percent.
    pub change_pct: f64,
    /// The mean of tonight and last night against the centre (as a ratio), percent; time
    /// only.
    pub two_night_change_pct: Option<f64>,
    /// The band's half-width, percent: for time, the limit of the two nights' mean; for a
    /// deterministic measure, the threshold.
    pub limit_pct: f64,
    /// The limit past which one night alone is a step, percent.
    pub large_limit_pct: f64,
    /// Which side of the band tonight alone lies on (pending when not yet a step).
    pub tonight: Direction,
    /// The step: tonight beyond the band and confirmed (persisted, or large); `Unchanged`
    /// otherwise.
    pub direction: Direction,
}

impl Judgement {
    /// Tonight is beyond the band, but not (yet) a step.
    pub fn is_pending(&self) -> bool {
        self.tonight != Direction::Unchanged && self.direction == Direction::Unchanged
    }
}

impl StepCheck {
    /// Whether this is a regression (a step upwards).
    pub fn is_regression(&self) -> bool {
        matches!(self, StepCheck::Checked(j) if j.direction == Direction::Regression)
    }

    /// The step's direction, `None` when not judged.
    pub fn direction(&self) -> Option<Direction> {
        match self {
            StepCheck::Checked(j) => Some(j.direction),
            StepCheck::NotEnoughHistory { .. } => None,
        }
    }
}

fn positive(index: usize, value: f64) -> Result<f64, TrendError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(TrendError::BadValue { index, value })
    }
}

fn side(deviation: f64, limit: f64) -> Direction {
    if deviation > limit {
        Direction::Regression
    } else if deviation < -limit {
        Direction::Improvement
    } else {
        Direction::Unchanged
    }
}

/// Tonight against the `previous` nights (oldest first) under `rule`.
pub fn check(
    previous: &[Night],
    tonight: &Night,
    rule: &StepRule,
) -> Result<StepCheck, TrendError> {
    rule.validate()?;
    for (i, n) in previous.iter().enumerate() {
        positive(i, n.value)?;
    }
    positive(previous.len(), tonight.value)?;
    let (base, last) = if rule.persist == 2 {
        match previous.split_last() {
            Some((last, base)) => (base, Some(last)),
            None => (previous, None),
        }
    } else {
        (previous, None)
    };
    let window = &base[base.len().saturating_sub(rule.window)..];
    if window.len() < rule.min_history {
        return Ok(StepCheck::NotEnoughHistory {
            have: window.len(),
            need: rule.min_history,
        });
    }
    let logs: Vec<f64> = window.iter().map(|n| n.value.ln()).collect();
    let k = logs.len() as f64;
    let centre = logs.iter().sum::<f64>() / k;
    let between = if logs.len() >= 2 {
        (logs.iter().map(|l| (l - centre).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
    } else {
        0.0
    };
    let within: Vec<f64> = window
        .iter()
        .chain(last)
        .chain(std::iter::once(tonight))
        .filter_map(Night::median_sd)
        .collect();
    let within = if within.is_empty() {
        0.0
    } else {
        (within.iter().map(|s| s * s).sum::<f64>() / within.len() as f64).sqrt()
    };
    let sigma = between.max(within);
    let floor = (1.0 + rule.threshold_pct / 100.0).ln();
    let z = rule.z_for_series();
    // One night against the window, and the mean of two nights against it.
    let one = floor.max(z * sigma * (1.0 + 1.0 / k).sqrt());
    let two = floor.max(z * sigma * (0.5 + 1.0 / k).sqrt());
    let large = rule.large_multiple * one;
    let d_t = tonight.value.ln() - centre;
    let (limit, tonight_side, direction, two_night) = if rule.persist == 1 {
        let s = side(d_t, one);
        (one, s, s, None)
    } else {
        let d_p = last.map(|p| p.value.ln() - centre);
        let mean = d_p.map(|d_p| (d_t + d_p) / 2.0);
        let persisted = d_p.is_some_and(|d_p| d_p.signum() == d_t.signum())
            && mean.is_some_and(|m| side(m, two) == side(d_t, 0.0));
        let s = side(d_t, two);
        let fired = if persisted {
            side(mean.unwrap_or(0.0), two)
        } else {
            side(d_t, large)
        };
        (two, s, fired, mean)
    };
    let pct = |l: f64| (l.exp() - 1.0) * 100.0;
    Ok(StepCheck::Checked(Judgement {
        window_center: centre.exp(),
        window_len: window.len(),
        noise_pct: sigma * 100.0,
        change_pct: pct(d_t),
        two_night_change_pct: two_night.map(pct),
        limit_pct: pct(limit),
        large_limit_pct: pct(large),
        tonight: tonight_side,
        direction,
    }))
}

/// A step in a past series: where the rule fired without having fired the same way the
/// night before.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Position in the series.
    pub index: usize,
    /// Which way.
    pub direction: Direction,
    /// Change against the window's centre, percent.
    pub change_pct: f64,
}

/// The steps of a whole series (the chart's markers).
pub fn steps(series: &[Night], rule: &StepRule) -> Result<Vec<Step>, TrendError> {
    let mut out = Vec::new();
    let mut before = Direction::Unchanged;
    for i in 0..series.len() {
        let now = check(&series[..i], &series[i], rule)?;
        let direction = now.direction().unwrap_or(Direction::Unchanged);
        if let StepCheck::Checked(j) = now
            && direction != Direction::Unchanged
            && direction != before
        {
            out.push(Step {
                index: i,
                direction,
                change_pct: j.change_pct,
            });
        }
        before = direction;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(values: &[f64]) -> Vec<Night> {
        values.iter().map(|&v| Night::exact(v)).collect()
    }

    fn at(series: &[Night], i: usize, rule: &StepRule) -> StepCheck {
        check(&series[..i], &series[i], rule).unwrap()
    }

    #[test]
    fn a_clean_step_fires_on_its_second_night_or_its_first_when_large() {
        // +10 %: past the 5 % floor, under twice it: pending, then a step.
        let mut series = exact(&[10.0; 10]);
        series.extend(exact(&[11.0; 5]));
        let rule = StepRule::default();
        let first = at(&series, 10, &rule);
        let StepCheck::Checked(j) = &first else {
            panic!("{first:?}");
        };
        assert!(j.is_pending() && j.tonight == Direction::Regression);
        assert!(at(&series, 11, &rule).is_regression());
        assert_eq!(
            steps(&series, &rule)
                .unwrap()
                .iter()
                .map(|s| s.index)
                .collect::<Vec<_>>(),
            vec![11]
        );
        // +25 %: beyond twice the limit, a step on its first night.
        let mut big = exact(&[10.0; 10]);
        big.push(Night::exact(12.5));
        assert!(at(&big, 10, &rule).is_regression());
    }

    #[test]
    fn a_single_outlier_night_is_pending_only() {
        let mut series = exact(&[10.0; 10]);
        series.push(Night::exact(10.8));
        series.extend(exact(&[10.0; 4]));
        let rule = StepRule::default();
        assert!(steps(&series, &rule).unwrap().is_empty());
    }

    #[test]
    fn the_noise_comes_from_the_recorded_spreads_as_well_as_the_window() {
        // Five identical nights, but each night's 5 runs spread 20 %: the band is set by
        // that spread, not by the window's zero spread.
        let noisy = Night {
            value: 10.0,
            runs: 5,
            spread_pct: Some(20.0),
        };
        let mut series = vec![noisy; 6];
        series.push(Night {
            value: 11.0,
            ..noisy
        });
        let StepCheck::Checked(j) = at(&series, 6, &StepRule::default()) else {
            panic!();
        };
        // sd of one run 20 % / d2(5) = 8.6 %, of the median 4.8 %.
        assert!((j.noise_pct - 4.82).abs() < 0.05, "{}", j.noise_pct);
        // Two nights' mean: z 2.5 x 4.82 % x sqrt(1/2 + 1/6) = 9.8 %, as a ratio +10.3 %.
        assert!(j.limit_pct > 10.0, "{}", j.limit_pct);
        assert_eq!(j.tonight, Direction::Unchanged);
        // The same nights recorded without spreads: the floor.
        let quiet = exact(&[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.6]);
        let StepCheck::Checked(q) = at(&quiet, 6, &StepRule::default()) else {
            panic!();
        };
        assert!((q.limit_pct - 5.0).abs() < 1e-9 && q.tonight == Direction::Regression);
    }

    #[test]
    fn more_series_widen_the_band() {
        let one = StepRule::default();
        let six = StepRule { series: 6, ..one };
        assert!(six.z_for_series() > one.z_for_series() + 0.4);
        assert_eq!(one.z_for_series(), one.z);
    }

    #[test]
    fn short_histories_are_not_judged() {
        // The window skips the previous night: 5 nights in it need 6 before tonight.
        let series = exact(&[10.0; 7]);
        assert_eq!(
            at(&series, 5, &StepRule::default()),
            StepCheck::NotEnoughHistory { have: 4, need: 5 }
        );
        assert!(matches!(
            at(&series, 6, &StepRule::default()),
            StepCheck::Checked(_)
        ));
    }

    #[test]
    fn the_deterministic_rule_judges_against_the_night_before() {
        let rule = StepRule::deterministic(0.5);
        let series = exact(&[1000.0, 1010.0, 1016.0, 1019.0]);
        assert_eq!(
            at(&series, 1, &rule).direction(),
            Some(Direction::Regression)
        );
        assert!(at(&series, 2, &rule).is_regression()); // +0.59 %
        assert_eq!(
            at(&series, 3, &rule).direction(),
            Some(Direction::Unchanged)
        ); // +0.30 %
        assert_eq!(
            at(&series, 0, &rule),
            StepCheck::NotEnoughHistory { have: 0, need: 1 }
        );
    }

    #[test]
    fn bad_values_and_rules_are_errors() {
        let rule = StepRule::default();
        assert!(matches!(
            check(&exact(&[1.0, 0.0]), &Night::exact(1.0), &rule),
            Err(TrendError::BadValue { index: 1, .. })
        ));
        assert!(matches!(
            check(&exact(&[1.0]), &Night::exact(f64::NAN), &rule),
            Err(TrendError::BadValue { index: 1, .. })
        ));
        for bad in [
            StepRule {
                min_history: 0,
                ..rule
            },
            StepRule {
                min_history: 11,
                ..rule
            },
            StepRule {
                threshold_pct: -1.0,
                ..rule
            },
            StepRule {
                z: f64::NAN,
                ..rule
            },
            StepRule { persist: 3, ..rule },
            StepRule {
                large_multiple: 0.5,
                ..rule
            },
            StepRule { series: 0, ..rule },
        ] {
            assert!(
                matches!(bad.validate(), Err(TrendError::BadRule(_))),
                "{bad:?}"
            );
        }
    }
}
