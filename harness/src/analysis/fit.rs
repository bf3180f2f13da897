//! Ordinary least squares of `y` on `x` (a line fit, not a slowdown): slope, intercept and
//! R². Pure; used by `bench growth` for heap and time per million cycles.
//!
//! `slope = Sxy / Sxx`, `intercept = mean(y) - slope x mean(x)`,
//! `R² = 1 - SS_res / SS_tot`. When every `y` is equal (`SS_tot = 0`) the fitted line is
//! exact and R² is defined as 1.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a line cannot be fitted.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum FitError {
    /// Fewer than two points.
    #[error("a line needs at least two points, got {0}")]
    TooFewPoints(usize),
    /// `xs` and `ys` differ in length.
    #[error("{xs} x values but {ys} y values")]
    LengthMismatch {
        /// Number of x values.
        xs: usize,
        /// Number of y values.
        ys: usize,
    },
    /// NaN or an infinity.
    #[error("point {index} is not finite: ({x}, {y})")]
    NonFinite {
        /// Position.
        index: usize,
        /// Its x.
        x: f64,
        /// Its y.
        y: f64,
    },
    /// Every x is the same: the slope is undefined.
    #[error("every x is {0}: the slope is undefined")]
    ConstantX(f64),
}

/// A fitted line `y = intercept + slope x`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// dy / dx.
    pub slope: f64,
    /// y at x = 0.
    pub intercept: f64,
    /// Coefficient of determination, in [0, 1].
    pub r_squared: f64,
    /// Number of points.
    pub n: usize,
}

impl LinearFit {
    /// The line's value at `x`.
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// The least-squares line through `(xs[i], ys[i])`.
pub fn fit(xs: &[f64], ys: &[f64]) -> Result<LinearFit, FitError> {
    if xs.len() != ys.len() {
        return Err(FitError::LengthMismatch {
            xs: xs.len(),
            ys: ys.len(),
        });
    }
    let n = xs.len();
    if n < 2 {
        return Err(FitError::TooFewPoints(n));
    }
    for (index, (&x, &y)) in xs.iter().zip(ys).enumerate() {
        if !(x.is_finite() && y.is_finite()) {
            return Err(FitError::NonFinite { index, x, y });
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(xs), mean(ys));
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    if sxx == 0.0 {
        return Err(FitError::ConstantX(xs[0]));
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let ss_tot: f64 = ys.iter().map(|y| (y - my) * (y - my)).sum();
    let ss_res: f64 = xs
        .iter()
        .zip(ys)
        .map(|(x, y)| {
            let r = y - (intercept + slope * x);
            r * r
        })
        .sum();
    let r_squared = if ss_tot == 0.0 {
        1.0
    } else {
        (1.0 - ss_res / ss_tot).clamp(0.0, 1.0)
    };
    Ok(LinearFit {
        slope,
        intercept,
        r_squared,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn an_exact_line_has_r_squared_one() {
        let xs = [1.0, 2.0, 4.0, 8.0];
        let ys: Vec<f64> = xs.iter().map(|x| 300.0 + 125.5 * x).collect();
        let f = fit(&xs, &ys).unwrap();
        assert!(close(f.slope, 125.5, 1e-9), "{f:?}");
        assert!(close(f.intercept, 300.0, 1e-9), "{f:?}");
        assert!(close(f.r_squared, 1.0, 1e-12), "{f:?}");
        assert_eq!(f.n, 4);
        assert!(close(f.at(16.0), 300.0 + 125.5 * 16.0, 1e-9));
    }

    /// Anscombe's quartet, set I (F. J. Anscombe, "Graphs in Statistical Analysis", The
    /// American Statistician 27(1), 1973): the published fit is y = 3.00 + 0.500 x with
    /// r² = 0.67 (to more digits: 3.0001, 0.5001, 0.6665).
    #[test]
    fn anscombe_set_one() {
        let xs = [10.0, 8.0, 13.0, 9.0, 11.0, 14.0, 6.0, 4.0, 12.0, 7.0, 5.0];
        let ys = [
            8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68,
        ];
        let f = fit(&xs, &ys).unwrap();
        assert!(close(f.slope, 0.5001, 1e-4), "{f:?}");
        assert!(close(f.intercept, 3.0001, 1e-4), "{f:?}");
        assert!(close(f.r_squared, 0.6665, 1e-4), "{f:?}");
    }

    #[test]
    fn no_relation_has_r_squared_zero_and_flat_y_has_one() {
        // Symmetric about x = 2: the best line is flat and explains nothing.
        let f = fit(&[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0]).unwrap();
        assert!(close(f.slope, 0.0, 1e-12));
        assert!(close(f.r_squared, 0.0, 1e-12));
        let f = fit(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]).unwrap();
        assert_eq!((f.slope, f.r_squared), (0.0, 1.0));
    }

    #[test]
    fn degenerate_inputs_are_errors() {
        assert_eq!(fit(&[1.0], &[1.0]), Err(FitError::TooFewPoints(1)));
        assert_eq!(
            fit(&[1.0, 2.0], &[1.0]),
            Err(FitError::LengthMismatch { xs: 2, ys: 1 })
        );
        assert_eq!(fit(&[3.0, 3.0], &[1.0, 2.0]), Err(FitError::ConstantX(3.0)));
        assert!(matches!(
            fit(&[1.0, f64::INFINITY], &[1.0, 2.0]),
            Err(FitError::NonFinite { index: 1, .. })
        ));
    }
}
