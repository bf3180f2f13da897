//! Forged proofs for the verifier's bounds: the hostile proof of issue 36 (a few dozen bytes
//! that claim `2^32` rows for every table whose height the statement does not fix, every
//! vector empty), and proofs of zeros shaped to whatever heights they claim.

use p3_field::PrimeCharacteristicRing;
use prover::stark::composition::QUOTIENT_PARTS;
use prover::stark::proof::{FriProof, OodValues, QueryProof, RowOpening};
use prover::stark::setup::Layout;
use prover::stark::{Air, Ext, Felt, Proof, StarkParams};

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

/// A proof of zeros whose every length fits `heights`, as the verifier's shape check
/// derives them for a statement with `num_public` public values (the heights must be chunk
/// shapes, but need not pass `check_heights`: this builds what they imply).
pub fn shaped<A: Air>(
    airs: &[A],
    params: &StarkParams,
    heights: Vec<u64>,
    num_public: usize,
) -> Proof {
    let rows: Vec<usize> = heights.iter().map(|&h| h as usize).collect();
    let layout = Layout::new(airs, &rows, params, num_public).unwrap();
    let n_inst = layout.instances.len();
    let n_aux = layout.aux_instances().len();
    let ext = |n: usize| vec![Ext::ZERO; n];
    let fri = layout
        .buckets
        .iter()
        .map(|(log_n, members)| {
            let log_big = log_n + params.log_blowup;
            let folds = params.num_fri_folds(*log_n);
            let query = QueryProof {
                instances: members
                    .iter()
                    .map(|&k| {
                        layout.widths[k]
                            .limb_widths()
                            .into_iter()
                            .map(|w| RowOpening {
                                values: vec![Felt::ZERO; w],
                                path: vec![[0; 32]; log_big],
                            })
                            .collect()
                    })
                    .collect(),
                layers: (0..folds)
                    .map(|j| ([Ext::ZERO; 2], vec![[0; 32]; log_big - 1 - j]))
                    .collect(),
            };
            FriProof {
                layer_roots: vec![[0; 32]; folds],
                final_poly: ext(1 << (log_n - folds)),
                queries: vec![query; params.num_queries()],
            }
        })
        .collect();
    Proof {
        heights,
        main_roots: vec![[0; 32]; n_inst],
        aux_roots: vec![[0; 32]; n_aux],
        logup_sums: ext(n_aux),
        quotient_roots: vec![[0; 32]; n_inst],
        ood: layout
            .widths
            .iter()
            .map(|w| OodValues {
                pre_local: ext(w.pre),
                pre_next: ext(w.pre),
                main_local: ext(w.main),
                main_next: ext(w.main),
                aux_local: ext(w.aux),
                aux_next: ext(w.aux),
                quotient: ext(QUOTIENT_PARTS),
            })
            .collect(),
        fri,
        pow_nonce: 0,
    }
}
