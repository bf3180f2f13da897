//! The hostile proof of issue 36: a few dozen bytes that claim `2^32` rows for every table
//! whose height the statement does not fix, with every vector empty.

use prover::stark::{Air, Proof};

/// The claimed height of every table without a fixed height.
pub const CLAIMED: u64 = 1 << 32;

/// A proof for `airs` that claims [`CLAIMED`] rows for every table without a fixed height
/// (the fixed ones claim their true height, so that the fixed-height check passes), and
/// `overrides` (`(table, height)`) on top. Every other vector is empty.
pub fn hostile_proof<A: Air>(airs: &[A], overrides: &[(usize, u64)]) -> Proof {
    let mut heights: Vec<u64> = airs
        .iter()
        .map(|a| a.fixed_log_height().map_or(CLAIMED, |l| 1 << l))
        .collect();
    for &(t, h) in overrides {
        heights[t] = h;
    }
    Proof {
        heights,
        main_roots: vec![],
        aux_roots: vec![],
        logup_sums: vec![],
        quotient_roots: vec![],
        ood: vec![],
        fri: vec![],
        pow_nonce: 0,
    }
}
