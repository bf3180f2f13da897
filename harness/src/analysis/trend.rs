//! Step detection over a nightly series: is tonight's value a step away from the previous
//! nights? Pure: no I/O, only [`crate::analysis::stats`].
//!
//! # The rule
//!
//! Let `window` be the values of the previous `K` nights (fewer when the history is shorter;
//! at least [`StepRule::min_history`] are needed, otherwise the answer is
//! [`StepCheck::NotEnoughHistory`]). With `m = median(window)` and
//! `MAD = median(|x - m|)`,
//!
//! ```text
//! change % = (tonight - m) / m x 100
//! limit  % = max(threshold_pct, z x 1.4826 x MAD / m x 100)
//! ```
//!
//! and tonight is a **regression** when `change > limit`, an **improvement** when
//! `change < -limit`, and unchanged otherwise (both measures are smaller-is-better).
//! `1.4826 x MAD` estimates the standard deviation of normal noise (the consistency constant
//! `1 / Phi^-1(3/4)`), so the second term is a `z`-sigma band around the window's median that
//! widens for noisy series; the first is a floor for quiet ones (MAD = 0 otherwise makes any
//! change a step). Defaults: `K = 7`, `threshold_pct = 5`, `z = 3`, at least 3 previous nights.
//!
//! # What it catches and what it does not
//!
//! * A clean step (a change that stays) fires on its first night.
//! * A single outlier night fires on that night only: the next nights are compared with the
//!   *median* of their window, which one bad value does not move.
//! * A slow drift does **not** fire: each night is compared with the median of the week
//!   before it, which follows the drift, so 0.5 % a night shows up as about 2 % against the
//!   window's median (its middle is about 4 nights back), under the 5 % floor. A drift is
//!   visible on the chart, not in the verdict.
//! * Noise under the floor never fires. Noise well past it widens the band, but the MAD of 7
//!   nights is itself a rough estimate, so such a series still fires now and then: with
//!   uniform +/- 10 % night-to-night noise, 17 of 197 judged nights (about 9 %), against 94
//!   under a bare 5 % rule (the `noise_past_the_floor_widens_the_band` test). Medians of
//!   several runs per night keep the nightly noise far below that; a larger `--window`
//!   steadies the band further, at the cost of a slower return to quiet after a step.
//!
//! A step stays flagged while the new level is a minority of the window: after a lasting
//! step the rule fires on its first `ceil(K / 2)` nights (4 with `K = 7`), until the
//! window's median moves to the new level. `bench nightly` keeps failing meanwhile (the
//! regression is still there); the chart marks only the first night of such a run.
//!
//! So the steps of a past series ([`steps`], the chart's markers) are the nights where the
//! same rule fires against their own previous window and did not fire the same way the
//! night before.

use thiserror::Error;

use crate::analysis::stats::{self, Sample};

/// Scales a MAD to a standard deviation under normal noise: `1 / Phi^-1(3/4)`
/// (Rousseeuw & Croux, "Alternatives to the Median Absolute Deviation", JASA 1993).
pub const MAD_TO_SIGMA: f64 = 1.4826;

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

/// The settings of the rule (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepRule {
    /// `K`: how many previous nights form the window.
    pub window: usize,
    /// Previous nights needed before anything is judged.
    pub min_history: usize,
    /// The smallest relative change that can be a step, percent.
    pub threshold_pct: f64,
    /// Width of the noise band in (MAD-estimated) standard deviations.
    pub z: f64,
}

impl Default for StepRule {
    fn default() -> Self {
        Self {
            window: 7,
            min_history: 3,
            threshold_pct: 5.0,
            z: 3.0,
        }
    }
}

impl StepRule {
    /// The rule for a deterministic measure (an instruction count): tonight against the
    /// night before alone, a step whenever the change passes `threshold_pct`, no noise band.
    pub fn deterministic(threshold_pct: f64) -> Self {
        Self {
            window: 1,
            min_history: 1,
            threshold_pct,
            z: 0.0,
        }
    }

    /// Checks the settings: `1 <= min_history <= window`, finite non-negative threshold and z.
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
        Ok(())
    }
}

/// Which way a step goes.
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
    /// Fewer previous nights than [`StepRule::min_history`].
    NotEnoughHistory {
        /// Previous nights available.
        have: usize,
        /// Previous nights needed.
        need: usize,
    },
    /// Judged against the window.
    Checked(Judgement),
}

/// Tonight against the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// Median of the window.
    pub window_median: f64,
    /// Unscaled MAD of the window.
    pub window_mad: f64,
    /// Nights in the window.
    pub window_len: usize,
    /// `(tonight - median) / median`, percent.
    pub change_pct: f64,
    /// The band's half-width, percent.
    pub limit_pct: f64,
    /// The verdict.
    pub direction: Direction,
}

impl StepCheck {
    /// Whether this is a regression.
    pub fn is_regression(&self) -> bool {
        matches!(self, StepCheck::Checked(j) if j.direction == Direction::Regression)
    }

    /// The direction, when judged.
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

/// Judges `tonight` against the last [`StepRule::window`] values of `previous` (oldest
/// first).
pub fn check(previous: &[f64], tonight: f64, rule: &StepRule) -> Result<StepCheck, TrendError> {
    rule.validate()?;
    for (i, &v) in previous.iter().enumerate() {
        positive(i, v)?;
    }
    positive(previous.len(), tonight)?;
    if previous.len() < rule.min_history {
        return Ok(StepCheck::NotEnoughHistory {
            have: previous.len(),
            need: rule.min_history,
        });
    }
    let window = &previous[previous.len().saturating_sub(rule.window)..];
    let sample = Sample::new(window.to_vec()).map_err(|_| TrendError::BadValue {
        index: 0,
        value: f64::NAN,
    })?;
    let median = stats::median(&sample);
    let mad = stats::mad(&sample);
    let change_pct = (tonight - median) / median * 100.0;
    let noise_pct = rule.z * MAD_TO_SIGMA * mad / median * 100.0;
    let limit_pct = rule.threshold_pct.max(noise_pct);
    let direction = if change_pct > limit_pct {
        Direction::Regression
    } else if change_pct < -limit_pct {
        Direction::Improvement
    } else {
        Direction::Unchanged
    };
    Ok(StepCheck::Checked(Judgement {
        window_median: median,
        window_mad: mad,
        window_len: window.len(),
        change_pct,
        limit_pct,
        direction,
    }))
}

/// A night of a series where the rule fires against its own previous window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Position in the series.
    pub index: usize,
    /// Regression or improvement.
    pub direction: Direction,
    /// The change against the window's median, percent.
    pub change_pct: f64,
}

/// Every step of `series` (oldest first), for the chart's markers: the first night of each
/// run of nights where the rule fires the same way.
pub fn steps(series: &[f64], rule: &StepRule) -> Result<Vec<Step>, TrendError> {
    let mut out = Vec::new();
    let mut before = Direction::Unchanged;
    for i in 0..series.len() {
        let now = check(&series[..i], series[i], rule)?;
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

    /// Deterministic "noise": a fixed pseudo-random sequence in [-amp, amp].
    fn noisy(base: f64, amp_pct: f64, n: usize) -> Vec<f64> {
        let mut rng = stats::SplitMix64::new(7);
        (0..n)
            .map(|_| {
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
                base * (1.0 + amp_pct / 100.0 * (2.0 * u - 1.0))
            })
            .collect()
    }

    fn indices(s: &[Step]) -> Vec<usize> {
        s.iter().map(|s| s.index).collect()
    }

    #[test]
    fn a_clean_step_fires_on_its_first_night() {
        let mut series = vec![10.0; 10];
        series.extend([11.0; 5]); // +10 %
        let rule = StepRule::default();
        let s = steps(&series, &rule).unwrap();
        assert_eq!(indices(&s), vec![10]);
        assert_eq!(s[0].direction, Direction::Regression);
        assert!((s[0].change_pct - 10.0).abs() < 1e-9);
        // Tonight's check on the same data.
        let c = check(&series[..10], 11.0, &rule).unwrap();
        assert!(c.is_regression());
        // The verdict holds until the new level is the window's majority (4 of 7 nights);
        // only the first night is a marker.
        let firing: Vec<bool> = (10..15)
            .map(|i| {
                check(&series[..i], series[i], &rule)
                    .unwrap()
                    .is_regression()
            })
            .collect();
        assert_eq!(firing, [true, true, true, true, false]);
        // A step down is an improvement, not a regression.
        let c = check(&series[..10], 9.0, &rule).unwrap();
        assert_eq!(c.direction(), Some(Direction::Improvement));
        assert!(!c.is_regression());
    }

    #[test]
    fn noise_under_the_floor_never_fires() {
        // +/- 2 % noise: no two nights differ by 5 %, so no night can fire.
        let series = noisy(100.0, 2.0, 200);
        assert!(steps(&series, &StepRule::default()).unwrap().is_empty());
        let fired = (3..series.len())
            .filter(|&i| {
                check(&series[..i], series[i], &StepRule::default())
                    .unwrap()
                    .direction()
                    != Some(Direction::Unchanged)
            })
            .count();
        assert_eq!(fired, 0);
    }

    #[test]
    fn noise_past_the_floor_widens_the_band() {
        // +/- 10 % noise: the MAD term lifts the limit above the 5 % floor on most nights,
        // so far fewer nights fire than under a bare 5 % rule. Not none: the MAD of 7 nights
        // is itself noisy (see the module docs).
        let series = noisy(100.0, 10.0, 200);
        let rule = StepRule::default();
        let bare = StepRule { z: 0.0, ..rule };
        let fires = |r: &StepRule| {
            (3..series.len())
                .filter(|&i| {
                    check(&series[..i], series[i], r).unwrap().direction()
                        != Some(Direction::Unchanged)
                })
                .count()
        };
        let widened = (3..series.len())
            .filter(|&i| match check(&series[..i], series[i], &rule).unwrap() {
                StepCheck::Checked(j) => j.limit_pct > rule.threshold_pct,
                StepCheck::NotEnoughHistory { .. } => false,
            })
            .count();
        assert!(widened * 10 >= (series.len() - 3) * 9, "{widened}");
        let (with_mad, without) = (fires(&rule), fires(&bare));
        assert!(with_mad * 5 < without, "{with_mad} vs {without}");
        assert!(
            with_mad * 10 < series.len(),
            "{with_mad} of {}",
            series.len()
        );
    }

    #[test]
    fn a_single_outlier_fires_once_and_does_not_shift_the_window() {
        let mut series = vec![10.0; 8];
        series.push(15.0); // one bad night
        series.extend([10.0; 8]);
        let s = steps(&series, &StepRule::default()).unwrap();
        assert_eq!(indices(&s), vec![8]);
        // The night after, the window holds the outlier but its median is still 10.
        let StepCheck::Checked(j) = check(&series[..9], 10.0, &StepRule::default()).unwrap() else {
            panic!("judged");
        };
        assert_eq!(j.window_median, 10.0);
        assert_eq!(j.direction, Direction::Unchanged);
    }

    #[test]
    fn a_slow_drift_does_not_fire() {
        // +0.5 % a night for 60 nights: +35 % in all, but no single step.
        let series: Vec<f64> = (0..60).map(|i| 100.0 * 1.005f64.powi(i)).collect();
        assert!(steps(&series, &StepRule::default()).unwrap().is_empty());
        // What each night sees: about 2 % against the window's median.
        let StepCheck::Checked(j) = check(&series[..59], series[59], &StepRule::default()).unwrap()
        else {
            panic!("judged");
        };
        assert!((1.9..2.1).contains(&j.change_pct), "{}", j.change_pct);
    }

    #[test]
    fn short_histories_are_not_judged() {
        let c = check(&[1.0, 1.0], 5.0, &StepRule::default()).unwrap();
        assert_eq!(c, StepCheck::NotEnoughHistory { have: 2, need: 3 });
        assert!(!c.is_regression());
        assert!(
            steps(&[1.0, 1.0, 9.0], &StepRule::default())
                .unwrap()
                .is_empty()
        );
        // Only the last K nights count: an old level outside the window is forgotten.
        let mut series = vec![20.0; 5];
        series.extend([10.0; 7]);
        let c = check(&series, 10.4, &StepRule::default()).unwrap();
        assert_eq!(c.direction(), Some(Direction::Unchanged));
    }

    #[test]
    fn bad_values_and_rules_are_errors() {
        let e = check(&[1.0, f64::NAN, 1.0], 1.0, &StepRule::default()).unwrap_err();
        assert!(matches!(e, TrendError::BadValue { index: 1, .. }), "{e}");
        assert!(check(&[1.0; 3], 0.0, &StepRule::default()).is_err());
        let rule = StepRule {
            window: 2,
            ..StepRule::default()
        };
        assert!(matches!(
            check(&[1.0; 3], 1.0, &rule),
            Err(TrendError::BadRule(_))
        ));
        let rule = StepRule {
            threshold_pct: -1.0,
            ..StepRule::default()
        };
        assert!(rule.validate().is_err());
    }
}
