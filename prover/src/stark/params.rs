//! Proof parameters: one struct with the derived values (queries, FRI depth, security).
//!
//! ## Regime and query count
//! `security_bits` is the target, all in: [`StarkParams::num_queries`] is the smallest query
//! count whose estimate under the chosen [`Regime`] reaches it, after the margin for
//! batching one FRI per LDE size. The estimates, and where their formulas come from, are in
//! [`super::security`]. In the conjectured regime (ethSTARK) that is
//!
//! ```text
//! num_queries = ceil((security_bits + log2(K_max) - grinding_bits) / log2(blowup))
//! ```
//!
//! with `K_max = log_max_rows - 1` batched FRIs at most (`log2 19 ≈ 4.25` bits at the default
//! `log_max_rows = 20`): 89 queries at blowup 2 for the default 100 bits and 16 grinding
//! bits. Those parameters *prove* only about 52 bits ([`StarkParams::security`]).
//!
//! [`StarkParams::provable`] is the preset whose target holds under proven bounds: blowup 8,
//! unique-decoding analysis, 107 queries for 100 bits. Both regimes hash their parameters
//! into the transcript, so a proof made under one never verifies under the other.

use serde::{Deserialize, Serialize};

use super::security::{self, Inputs};

/// The smallest table height, as a power of two. Below this the protocol's domains get silly.
pub const MIN_LOG_HEIGHT: usize = 2;
/// The largest table chunk height, as a power of two (Goldilocks has 2-adicity 32, and the LDE
/// adds up to three bits).
pub const MAX_LOG_HEIGHT: usize = 28;

/// The most queries a parameter set may ask for (a target that needs more is unreachable).
pub const MAX_QUERIES: usize = 1024;

/// The most instances (table chunks) a proof may have: see [`StarkParams::max_instances`].
pub const MAX_INSTANCES: usize = 1 << 16;

/// Which soundness analysis `security_bits` is a target of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// The ethSTARK conjecture: each query gives `log2(blowup)` bits.
    #[default]
    Conjectured,
    /// What is proven (unique decoding or the Johnson bound, whichever gives more).
    Provable,
}

impl Regime {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Regime::Conjectured => "conjectured",
            Regime::Provable => "provable",
        }
    }
}

impl std::fmt::Display for Regime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a parameter set is worth, in bits, under each analysis (see [`super::security`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Security {
    /// The regime `security_bits` targets.
    pub regime: Regime,
    /// Queries per FRI.
    pub num_queries: usize,
    /// Under the ethSTARK conjecture.
    pub conjectured_bits: f64,
    /// Proven: the better of unique decoding and list decoding.
    pub provable_bits: f64,
    /// Proven, unique-decoding analysis.
    pub unique_decoding_bits: f64,
    /// Proven, list-decoding (Johnson bound) analysis.
    pub list_decoding_bits: f64,
    /// Bits already taken off every figure for batching one FRI per LDE size.
    pub batching_margin_bits: f64,
    /// The most terms combined with powers of one challenge at these parameters, in the
    /// worst case (a table's constraints or opened values, or a bucket holding every
    /// instance the verifier accepts); the ALI round costs `log2` of it.
    pub batched_terms: usize,
}

/// The parameters that decide the proof bytes. Two proofs of the same statement with equal
/// parameters are byte-identical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarkParams {
    /// log2 of the LDE blowup: 1, 2 or 3 (blowup 2, 4 or 8).
    pub log_blowup: usize,
    /// Target security in bits, under `regime`.
    pub security_bits: usize,
    /// The analysis `security_bits` is a target of.
    #[serde(default)]
    pub regime: Regime,
    /// Proof-of-work bits demanded before the queries are drawn.
    pub grinding_bits: usize,
    /// log2 of the tallest instance. A table with transition constraints of its own is one
    /// instance, so this is its largest height (MEMORY's: the words a run may touch).
    pub log_max_rows: usize,
    /// log2 of the chunk height of every other table (one that may be split): such a table
    /// is cut into chunks of `2^min(log_chunk_rows, log_max_rows)` rows
    /// ([`StarkParams::log_split_rows`]). Below `log_max_rows` it bounds what a prover holds
    /// per instance without limiting MEMORY: at the defaults (19 and 20) a 1M-cycle CPU table
    /// is two chunks, and the combination mode's peak, one instance's main and aux blocks,
    /// halves (`reports/suite/README.md`).
    #[serde(default = "default_log_chunk_rows")]
    pub log_chunk_rows: usize,
    /// FRI stops folding when the degree bound reaches `2^log_final_poly_len`, and sends that
    /// polynomial's coefficients.
    pub log_final_poly_len: usize,
}

impl Default for StarkParams {
    fn default() -> Self {
        Self {
            log_blowup: 1,
            security_bits: 100,
            regime: Regime::Conjectured,
            grinding_bits: 16,
            log_max_rows: 20,
            log_chunk_rows: DEFAULT_LOG_CHUNK_ROWS,
            log_final_poly_len: 3,
        }
    }
}

/// The default [`StarkParams::log_chunk_rows`].
pub const DEFAULT_LOG_CHUNK_ROWS: usize = 19;

fn default_log_chunk_rows() -> usize {
    DEFAULT_LOG_CHUNK_ROWS
}

/// Why a parameter set is unusable.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamsError {
    /// Blowup outside {2, 4, 8}.
    #[error("log_blowup must be 1, 2 or 3 (blowup 2, 4 or 8), got {0}")]
    Blowup(usize),
    /// `log_max_rows` outside the supported range.
    #[error("log_max_rows must be in {MIN_LOG_HEIGHT}..={MAX_LOG_HEIGHT}, got {0}")]
    MaxRows(usize),
    /// `log_chunk_rows` outside the supported range.
    #[error("log_chunk_rows must be in {MIN_LOG_HEIGHT}..={MAX_LOG_HEIGHT}, got {0}")]
    ChunkRows(usize),
    /// Grinding alone would be asked to carry the security, or is absurdly large.
    #[error("grinding_bits ({grinding}) must be below security_bits ({security}) and at most 32")]
    Grinding {
        /// Requested grinding bits.
        grinding: usize,
        /// Requested security bits.
        security: usize,
    },
    /// No query count up to [`MAX_QUERIES`] reaches the target under the regime.
    #[error(
        "{target} {regime} bits are out of reach of these parameters (at most {max_bits:.1} with {MAX_QUERIES} queries)"
    )]
    Unreachable {
        /// The target.
        target: usize,
        /// The regime.
        regime: Regime,
        /// The best the parameters give.
        max_bits: f64,
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

    /// The tallest instance, in rows (`2^log_max_rows`).
    pub fn max_rows(&self) -> usize {
        1 << self.log_max_rows
    }

    /// log2 of the chunk height of a table that may be split:
    /// `min(log_chunk_rows, log_max_rows)`.
    pub fn log_split_rows(&self) -> usize {
        self.log_chunk_rows.min(self.log_max_rows)
    }

    /// log2 of the chunk height a table is cut at: `log_max_rows` for one with transition
    /// constraints of its own (it must be one chunk, `setup::check_heights`), else
    /// [`StarkParams::log_split_rows`].
    pub fn log_chunk_height(&self, has_transitions: bool) -> usize {
        if has_transitions {
            self.log_max_rows
        } else {
            self.log_split_rows()
        }
    }

    /// The preset whose target holds under proven bounds: blowup 8 and the provable regime
    /// (107 queries for 100 bits; see the module doc).
    pub fn provable() -> Self {
        Self {
            log_blowup: 3,
            regime: Regime::Provable,
            ..Self::default()
        }
    }

    /// The preset of a regime: [`StarkParams::default`] or [`StarkParams::provable`].
    pub fn preset(regime: Regime) -> Self {
        match regime {
            Regime::Conjectured => Self::default(),
            Regime::Provable => Self::provable(),
        }
    }

    /// The most instances (table chunks) a proof may have, summed over its tables:
    /// [`MAX_INSTANCES`] (`2^16`) at every parameter set. Prover and verifier refuse heights
    /// that make more (`setup::HeightError::Instances`),
    /// counted from the heights alone before anything per instance is built. It bounds
    ///
    /// * what the verifier builds per instance (its layout, a few MiB at most) before a
    ///   proof's own vectors are compared with the count;
    /// * the members of one bucket, which its FRI combines with powers of one challenge: the
    ///   security estimate's batching term assumes at most `2^16` terms
    ///   ([`StarkParams::batched_terms`]).
    ///
    /// At the default `log_max_rows = 20` it admits 16 tables of `2^32` rows; at smaller chunk
    /// heights it is what bounds the statement (`2^(16 + log_max_rows)` rows in all).
    pub fn max_instances(&self) -> usize {
        MAX_INSTANCES
    }

    /// The most terms combined with powers of one challenge at these parameters: a table's
    /// folded constraints or opened values ([`security::MAX_TABLE_TERMS`], enforced by
    /// `setup::air_infos`), or a bucket's members, at most [`StarkParams::max_instances`]. The
    /// security estimate's ALI round is computed with it.
    pub fn batched_terms(&self) -> usize {
        security::MAX_TABLE_TERMS.max(self.max_instances())
    }

    /// `K_max`: the most LDE sizes a proof can have, one batched FRI each (chunk heights
    /// `2^MIN_LOG_HEIGHT ..= 2^log_max_rows`).
    pub fn lde_sizes(&self) -> usize {
        self.log_max_rows.saturating_sub(MIN_LOG_HEIGHT) + 1
    }

    fn inputs(&self, num_queries: usize) -> Inputs {
        Inputs {
            log_blowup: self.log_blowup,
            log_max_rows: self.log_max_rows,
            lde_sizes: self.lde_sizes(),
            num_queries,
            grinding_bits: self.grinding_bits,
            batched_terms: self.batched_terms(),
        }
    }

    /// Bits under `self.regime` with `num_queries` queries.
    fn bits_with(&self, num_queries: usize) -> f64 {
        let i = self.inputs(num_queries);
        match self.regime {
            Regime::Conjectured => security::conjectured_bits(&i),
            Regime::Provable => security::provable_bits(&i),
        }
    }

    /// Number of FRI queries per batched FRI: the smallest count whose estimate under
    /// `regime` reaches `security_bits` (see the module doc). Parameters whose target is out
    /// of reach fail [`StarkParams::validate`]; for them this is [`MAX_QUERIES`].
    pub fn num_queries(&self) -> usize {
        let target = self.security_bits as f64;
        // Both estimates grow with the query count: binary search for the first that reaches.
        let (mut lo, mut hi) = (1, MAX_QUERIES);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.bits_with(mid) >= target {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }

    /// What these parameters are worth under every analysis.
    pub fn security(&self) -> Security {
        let i = self.inputs(self.num_queries());
        Security {
            regime: self.regime,
            num_queries: i.num_queries,
            conjectured_bits: security::conjectured_bits(&i),
            provable_bits: security::provable_bits(&i),
            unique_decoding_bits: security::unique_decoding_bits(&i),
            list_decoding_bits: security::list_decoding_bits(&i),
            batching_margin_bits: security::batching_margin(self.lde_sizes()),
            batched_terms: i.batched_terms,
        }
    }

    /// Checks the parameters; every prover and verifier entry point calls this first.
    pub fn validate(&self) -> Result<(), ParamsError> {
        if !(1..=3).contains(&self.log_blowup) {
            return Err(ParamsError::Blowup(self.log_blowup));
        }
        if !(MIN_LOG_HEIGHT..=MAX_LOG_HEIGHT).contains(&self.log_max_rows) {
            return Err(ParamsError::MaxRows(self.log_max_rows));
        }
        if !(MIN_LOG_HEIGHT..=MAX_LOG_HEIGHT).contains(&self.log_chunk_rows) {
            return Err(ParamsError::ChunkRows(self.log_chunk_rows));
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
        let max_bits = self.bits_with(MAX_QUERIES);
        if max_bits < self.security_bits as f64 {
            return Err(ParamsError::Unreachable {
                target: self.security_bits,
                regime: self.regime,
                max_bits,
            });
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
        // ceil((100 + log2 19 - 16) / log2(blowup)).
        let mut p = StarkParams::default();
        assert_eq!(p.num_queries(), 89);
        p.log_blowup = 2;
        assert_eq!(p.num_queries(), 45);
        p.log_blowup = 3;
        assert_eq!(p.num_queries(), 30);
        for b in 1..=3 {
            p.log_blowup = b;
            let s = p.security();
            assert!(s.conjectured_bits >= 100.0, "{s:?}");
            // The smallest such count: one fewer misses.
            assert!(security::conjectured_bits(&p.inputs(s.num_queries - 1)) < 100.0);
        }
    }

    #[test]
    fn the_provable_preset_reaches_its_target_under_proven_bounds() {
        let p = StarkParams::provable();
        assert_eq!(p.validate(), Ok(()));
        let s = p.security();
        assert_eq!(s.regime, Regime::Provable);
        assert_eq!(s.num_queries, 107);
        assert!(s.provable_bits >= 100.0, "{s:?}");
        // One query fewer would not do.
        let fewer = p.inputs(s.num_queries - 1);
        assert!(security::provable_bits(&fewer) < 100.0);
        // The default preset is 100 bits conjectured, far less proven.
        let d = StarkParams::default().security();
        assert!(
            d.conjectured_bits >= 100.0 && d.provable_bits < 60.0,
            "{d:?}"
        );
    }

    #[test]
    fn the_batching_term_covers_the_largest_bucket_the_verifier_accepts() {
        use crate::stark::examples::{CubesAir, ExampleAir};
        use crate::stark::setup::{HeightError, air_infos, check_heights};
        let airs = [ExampleAir::Cubes(CubesAir), ExampleAir::Cubes(CubesAir)];
        let infos = air_infos(&airs, 0).unwrap();
        for log_max_rows in MIN_LOG_HEIGHT..=MAX_LOG_HEIGHT {
            let p = StarkParams {
                log_max_rows,
                ..StarkParams::default()
            };
            let s = p.security();
            assert_eq!(s.batched_terms, p.batched_terms());
            assert!(s.batched_terms >= security::MAX_TABLE_TERMS);
            // The largest bucket the verifier accepts: every instance in it, up to the cap.
            let chunk = 1usize << log_max_rows;
            let rows = p.max_instances() * chunk;
            if rows / 2 <= 1 << 32 {
                let ok = check_heights(&airs, &infos, &[rows / 2, rows / 2], &p).unwrap();
                assert_eq!((ok.instances, ok.buckets), (p.max_instances(), 1));
                assert!(s.batched_terms >= ok.instances);
            }
            // One chunk more, or the worst claim (2^32 rows each), is refused when it passes
            // the cap: no accepted bucket outgrows the batching term.
            let worst = (1usize << 32) >> log_max_rows;
            for (a, b, count) in [
                (rows / 2, rows / 2 + chunk, p.max_instances() + 1),
                (1 << 32, 1 << 32, 2 * worst),
            ] {
                if a > 1 << 32 || b > 1 << 32 || count <= p.max_instances() {
                    continue;
                }
                let r = check_heights(&airs, &infos, &[a, b], &p);
                assert!(
                    matches!(r, Err(HeightError::Instances { max, .. }) if max == p.max_instances()),
                    "log_max_rows {log_max_rows}: {r:?}"
                );
            }
        }
    }

    #[test]
    fn an_unreachable_target_is_an_error() {
        // A 128-bit extension field caps the proven figure near 105 bits.
        let p = StarkParams {
            security_bits: 110,
            ..StarkParams::provable()
        };
        assert!(matches!(
            p.validate(),
            Err(ParamsError::Unreachable { target: 110, .. })
        ));
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
