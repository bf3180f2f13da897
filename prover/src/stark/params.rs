//! Proof parameters: one struct with the derived values (queries, FRI depth, security).
//!
//! ## Query count
//! We follow the ethSTARK conjecture for FRI over a Reed-Solomon code of rate `1/blowup`:
//! each query contributes `log2(blowup)` bits and grinding contributes `grinding_bits`, so
//!
//! ```text
//! num_queries = ceil((security_bits - grinding_bits) / log2(blowup))
//! conjectured_security_bits = num_queries * log2(blowup) + grinding_bits
//! ```
//!
//! With the defaults (100 bits, 16 grinding bits) that is 84 queries at blowup 2, 42 at
//! blowup 4 and 28 at blowup 8. Challenges come from the degree-2 extension (about 128
//! bits), so the field never caps these targets.

use serde::{Deserialize, Serialize};

/// The smallest table height, as a power of two. Below this the protocol's domains get silly.
pub const MIN_LOG_HEIGHT: usize = 2;
/// The largest table chunk height, as a power of two (Goldilocks has 2-adicity 32, and the LDE
/// adds up to three bits).
pub const MAX_LOG_HEIGHT: usize = 28;

/// The parameters that decide the proof bytes. Two proofs of the same statement with equal
/// parameters are byte-identical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarkParams {
    /// log2 of the LDE blowup: 1, 2 or 3 (blowup 2, 4 or 8).
    pub log_blowup: usize,
    /// Target conjectured security in bits.
    pub security_bits: usize,
    /// Proof-of-work bits demanded before the queries are drawn.
    pub grinding_bits: usize,
    /// log2 of the tallest instance: taller tables are split into chunks of this height.
    pub log_max_rows: usize,
    /// FRI stops folding when the degree bound reaches `2^log_final_poly_len`, and sends that
    /// polynomial's coefficients.
    pub log_final_poly_len: usize,
}

impl Default for StarkParams {
    fn default() -> Self {
        Self {
            log_blowup: 1,
            security_bits: 100,
            grinding_bits: 16,
            log_max_rows: 20,
            log_final_poly_len: 3,
        }
    }
}

/// Why a parameter set is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// Blowup outside {2, 4, 8}.
    #[error("log_blowup must be 1, 2 or 3 (blowup 2, 4 or 8), got {0}")]
    Blowup(usize),
    /// `log_max_rows` outside the supported range.
    #[error("log_max_rows must be in {MIN_LOG_HEIGHT}..={MAX_LOG_HEIGHT}, got {0}")]
    MaxRows(usize),
    /// Grinding alone would be asked to carry the security, or is absurdly large.
    #[error("grinding_bits ({grinding}) must be below security_bits ({security}) and at most 32")]
    Grinding {
        /// Requested grinding bits.
        grinding: usize,
        /// Requested security bits.
        security: usize,
    },
    /// The final polynomial is longer than a chunk could ever be.
    #[error("log_final_poly_len must be at most 10, got {0}")]
    FinalPoly(usize),
}

impl StarkParams {
    /// Cheap parameters for tests: the protocol is unchanged, only the security target drops.
    pub fn new_testing() -> Self {
        Self {
            security_bits: 40,
            grinding_bits: 4,
            ..Self::default()
        }
    }

    /// The LDE blowup factor.
    pub fn blowup(&self) -> usize {
        1 << self.log_blowup
    }

    /// Chunk height limit.
    pub fn max_rows(&self) -> usize {
        1 << self.log_max_rows
    }

    /// Number of FRI queries per batched FRI (see the module doc for the formula).
    pub fn num_queries(&self) -> usize {
        (self.security_bits - self.grinding_bits).div_ceil(self.log_blowup)
    }

    /// Conjectured security of these parameters, in bits.
    pub fn conjectured_security_bits(&self) -> usize {
        self.num_queries() * self.log_blowup + self.grinding_bits
    }

    /// Checks the parameters; every prover and verifier entry point calls this first.
    pub fn validate(&self) -> Result<(), ParamsError> {
        if !(1..=3).contains(&self.log_blowup) {
            return Err(ParamsError::Blowup(self.log_blowup));
        }
        if !(MIN_LOG_HEIGHT..=MAX_LOG_HEIGHT).contains(&self.log_max_rows) {
            return Err(ParamsError::MaxRows(self.log_max_rows));
        }
        if self.grinding_bits >= self.security_bits || self.grinding_bits > 32 {
            return Err(ParamsError::Grinding {
                grinding: self.grinding_bits,
                security: self.security_bits,
            });
        }
        if self.log_final_poly_len > 10 {
            return Err(ParamsError::FinalPoly(self.log_final_poly_len));
        }
        Ok(())
    }

    /// Number of FRI folds for an instance of height `2^log_height`.
    pub fn num_fri_folds(&self, log_height: usize) -> usize {
        log_height.saturating_sub(self.log_final_poly_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_counts_follow_the_documented_formula() {
        let mut p = StarkParams::default();
        assert_eq!(p.num_queries(), 84);
        assert_eq!(p.conjectured_security_bits(), 100);
        p.log_blowup = 2;
        assert_eq!(p.num_queries(), 42);
        p.log_blowup = 3;
        assert_eq!(p.num_queries(), 28);
        assert_eq!(p.conjectured_security_bits(), 100);
    }

    #[test]
    fn validation_names_the_bad_parameter() {
        let p = StarkParams {
            log_blowup: 4,
            ..StarkParams::default()
        };
        assert_eq!(p.validate(), Err(ParamsError::Blowup(4)));
        let p = StarkParams {
            grinding_bits: 100,
            ..StarkParams::default()
        };
        assert!(matches!(p.validate(), Err(ParamsError::Grinding { .. })));
        assert_eq!(StarkParams::default().validate(), Ok(()));
    }
}
