//! [`ModePrediction`]: what the memory model predicts for one mode (`bench predict`, the
//! prediction beside a measurement in `bench run`, `--fit`'s choice).

use prover::modes::MemoryMode;
use serde::{Deserialize, Serialize};

use crate::model::record::Breakdown;

/// One mode's predicted peak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModePrediction {
    /// The mode.
    pub mode: MemoryMode,
    /// The predicted peak heap.
    pub predicted_peak_bytes: u64,
    /// The phase predicted to hold it (`setup`, `main_commit`, ..., `queries`).
    pub phase: String,
    /// The predicted peak's bytes per buffer kind (sum to the peak).
    pub breakdown: Breakdown,
    /// Each phase's predicted peak, in order.
    pub phases: Vec<PhasePeak>,
}

/// One phase's predicted peak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhasePeak {
    /// The phase.
    pub phase: String,
    /// Its predicted peak heap.
    pub peak_bytes: u64,
    /// Those bytes per kind.
    pub breakdown: Breakdown,
}

/// The signed error of a prediction against a measurement, in percent of the measurement.
pub fn error_pct(predicted: u64, measured: u64) -> f64 {
    if measured == 0 {
        return 0.0;
    }
    (predicted as f64 - measured as f64) / measured as f64 * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_signed_and_relative_to_the_measurement() {
        assert_eq!(error_pct(105, 100), 5.0);
        assert_eq!(error_pct(95, 100), -5.0);
        assert_eq!(error_pct(7, 0), 0.0);
    }
}
