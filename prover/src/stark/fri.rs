//! FRI over the extension field, folding by 2, with Keccak Merkle layers.
//!
//! Layer `j` holds evaluations on the coset `g^(2^j) * K_j` in storage (bit-reversed) order,
//! so `x` and `-x` are the adjacent rows `2p`, `2p+1`. A layer is committed as a tree of those
//! pairs; the fold with challenge `beta` is
//!
//! ```text
//! f'(x^2) = (f(x) + f(-x))/2 + beta * (f(x) - f(-x)) / (2x)
//! ```
//!
//! and lands in storage row `p` of the next layer. After `num_folds` layers the prover sends
//! the remaining polynomial's coefficients (degree bound `2^log_final_poly_len`, or the
//! table height if smaller); the verifier evaluates it at the last folded point.

use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::domain::{Lde, bitrev, coset_shift};
use super::field::{Ext, Felt, ext_from_limbs, ext_limbs};
use super::merkle::{Digest, MerkleTree, hash_leaf};
use super::transcript::Transcript;

/// The prover's FRI state for one bucket: committed layers and the final polynomial.
#[derive(Debug)]
pub struct FriCommitment {
    layers: Vec<Vec<Ext>>,
    trees: Vec<MerkleTree>,
    /// Coefficients of the final polynomial.
    pub final_poly: Vec<Ext>,
}

/// Hash of a committed pair.
pub fn pair_leaf(pair: &[Ext; 2]) -> Digest {
    let [a0, a1] = ext_limbs(&pair[0]);
    let [b0, b1] = ext_limbs(&pair[1]);
    hash_leaf(&[a0, a1, b0, b1])
}

/// Folds one pair: `x` is the point of the pair's first element.
#[inline]
pub fn fold_pair(a: Ext, b: Ext, beta: Ext, inv_x: Felt) -> Ext {
    let sum = a + b;
    let diff = (a - b) * inv_x;
    (sum + beta * diff).halve()
}

/// The shift of layer `j`'s coset.
fn layer_shift(j: usize) -> Felt {
    coset_shift().exp_power_of_2(j)
}

/// `1/x` for the first element of each pair of a layer of size `2^log_n` with `shift`.
fn pair_inverse_points(shift: Felt, log_n: usize) -> Vec<Felt> {
    let half = 1usize << (log_n - 1);
    let w_inv = Felt::two_adic_generator(log_n).inverse();
    let natural = super::field::powers(w_inv, half);
    let s_inv = shift.inverse();
    // Pair p's first element is storage row 2p, natural index bitrev_{n}(2p) = bitrev_{n-1}(p).
    (0..half)
        .into_par_iter()
        .map(|p| s_inv * natural[bitrev(p, log_n - 1)])
        .collect()
}

/// Folds layer `j` (size `2^log_size`, storage order) with challenge `beta` into layer `j+1`.
pub fn fold_layer(evals: &[Ext], beta: Ext, j: usize, log_size: usize) -> Vec<Ext> {
    let inv_x = pair_inverse_points(layer_shift(j), log_size);
    evals
        .par_chunks_exact(2)
        .zip(inv_x.par_iter())
        .map(|(p, &ix)| fold_pair(p[0], p[1], beta, ix))
        .collect()
}

/// Commit phase: absorbs each layer root and draws its folding challenge, then absorbs the
/// final polynomial. `evals` is layer 0 on a domain of size `2^log_n`.
pub fn commit(
    lde: &Lde,
    evals: Vec<Ext>,
    log_n: usize,
    num_folds: usize,
    log_blowup: usize,
    transcript: &mut Transcript,
) -> FriCommitment {
    commit_with(lde, evals, log_n, num_folds, log_blowup, transcript, 0)
}

/// As [`commit`]; each layer tree holds its layers from `dropped_levels` up only (never
/// building the lower ones in full): an opening re-hashes its subtree's pairs from the
/// layer, which is kept. The same commitment for any `dropped_levels`.
pub fn commit_with(
    lde: &Lde,
    mut evals: Vec<Ext>,
    log_n: usize,
    num_folds: usize,
    log_blowup: usize,
    transcript: &mut Transcript,
    dropped_levels: usize,
) -> FriCommitment {
    let mut layers = Vec::with_capacity(num_folds);
    let mut trees = Vec::with_capacity(num_folds);
    for j in 0..num_folds {
        let log_size = log_n - j;
        // The same digests as `pair_leaf` of each pair.
        let tree = MerkleTree::build_above(evals.len() / 2, dropped_levels, |p| {
            let [a0, a1] = ext_limbs(&evals[2 * p]);
            let [b0, b1] = ext_limbs(&evals[2 * p + 1]);
            [a0, a1, b0, b1]
        });
        transcript.absorb_digest(&tree.root());
        let beta = transcript.challenge_ext();
        let next = fold_layer(&evals, beta, j, log_size);
        layers.push(std::mem::replace(&mut evals, next));
        trees.push(tree);
    }
    let final_poly = interpolate_final(lde, &evals, log_n - num_folds, num_folds, log_blowup);
    transcript.absorb_exts(&final_poly);
    FriCommitment {
        layers,
        trees,
        final_poly,
    }
}

/// Coefficients of the polynomial whose evaluations (storage order, on layer `j`'s coset)
/// are `evals`, truncated to the degree bound `len / blowup`.
fn interpolate_final(
    lde: &Lde,
    evals: &[Ext],
    log_len: usize,
    j: usize,
    log_blowup: usize,
) -> Vec<Ext> {
    let len = 1usize << log_len;
    let mut natural = vec![Felt::ZERO; 2 * len];
    for (s, e) in evals.iter().enumerate() {
        let t = bitrev(s, log_len);
        natural[2 * t..2 * t + 2].copy_from_slice(&ext_limbs(e));
    }
    let coeffs = lde.coset_interpolate(RowMajorMatrix::new(natural, 2), layer_shift(j));
    coeffs
        .values
        .chunks_exact(2)
        .take(len >> log_blowup)
        .map(|c| ext_from_limbs(c[0], c[1]))
        .collect()
}

impl FriCommitment {
    /// Layer roots, first layer first.
    pub fn roots(&self) -> Vec<Digest> {
        self.trees.iter().map(MerkleTree::root).collect()
    }

    /// The openings of every layer for a query at storage row `index` of layer 0.
    pub fn open(&self, mut index: usize) -> Vec<([Ext; 2], Vec<Digest>)> {
        self.layers
            .iter()
            .zip(&self.trees)
            .map(|(layer, tree)| {
                let p = index >> 1;
                index = p;
                let leaf = |s: usize| pair_leaf(&[layer[2 * s], layer[2 * s + 1]]);
                (
                    [layer[2 * p], layer[2 * p + 1]],
                    tree.path_with_leaves(p, leaf),
                )
            })
            .collect()
    }

    /// [`FriCommitment::open`] of every query in `indices`, in that order: each layer's
    /// paths made together ([`MerkleTree::paths_with_rows`]), so that a subtree shared by
    /// several queries (they converge as the layers fold) is re-hashed once.
    pub fn open_all(&self, indices: &[usize]) -> Vec<Vec<([Ext; 2], Vec<Digest>)>> {
        let mut out: Vec<Vec<_>> = indices
            .iter()
            .map(|_| Vec::with_capacity(self.layers.len()))
            .collect();
        let mut at: Vec<usize> = indices.to_vec();
        for (layer, tree) in self.layers.iter().zip(&self.trees) {
            for p in &mut at {
                *p >>= 1;
            }
            let paths = tree.paths_with_rows(&at, |s| {
                let [a0, a1] = ext_limbs(&layer[2 * s]);
                let [b0, b1] = ext_limbs(&layer[2 * s + 1]);
                [a0, a1, b0, b1]
            });
            for ((o, &p), path) in out.iter_mut().zip(&at).zip(paths) {
                o.push(([layer[2 * p], layer[2 * p + 1]], path));
            }
        }
        out
    }
}

/// Evaluates a polynomial (coefficients, constant first) at `x`.
pub fn eval_poly(coeffs: &[Ext], x: Ext) -> Ext {
    coeffs.iter().rev().fold(Ext::ZERO, |acc, &c| acc * x + c)
}

/// Where a query check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFailure {
    /// Layer `j`'s Merkle path is wrong.
    Path(usize),
    /// Layer `j`'s opened value is not what the previous layer folds to.
    Fold(usize),
    /// The final polynomial disagrees with the last fold.
    Final,
}

/// Verifies one query: `value` is layer 0's value at storage row `index` of a domain of size
/// `2^log_n`, `betas[j]` the folding challenges.
pub fn verify_query(
    roots: &[Digest],
    betas: &[Ext],
    final_poly: &[Ext],
    openings: &[([Ext; 2], Vec<Digest>)],
    log_n: usize,
    mut index: usize,
    mut value: Ext,
) -> Result<(), QueryFailure> {
    for (j, ((pair, path), (root, &beta))) in
        openings.iter().zip(roots.iter().zip(betas)).enumerate()
    {
        let p = index >> 1;
        if pair[index & 1] != value {
            return Err(QueryFailure::Fold(j));
        }
        if !super::merkle::verify_path(root, p, pair_leaf(pair), path) {
            return Err(QueryFailure::Path(j));
        }
        let log_size = log_n - j;
        // x of the pair's first element: shift * w^bitrev_{size}(2p).
        let x = layer_shift(j)
            * Felt::two_adic_generator(log_size).exp_u64(bitrev(p, log_size - 1) as u64);
        value = fold_pair(pair[0], pair[1], beta, x.inverse());
        index = p;
    }
    let j = openings.len();
    let log_size = log_n - j;
    let x =
        layer_shift(j) * Felt::two_adic_generator(log_size).exp_u64(bitrev(index, log_size) as u64);
    if eval_poly(final_poly, Ext::from(x)) != value {
        return Err(QueryFailure::Final);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::domain::lde_points;

    /// Evaluations (storage order) of a random-ish polynomial of degree < `deg` on the LDE
    /// coset of size `2^log_n`.
    fn evals_of_degree(deg: usize, log_n: usize) -> Vec<Ext> {
        let coeffs: Vec<Ext> = (0..deg)
            .map(|i| {
                ext_from_limbs(
                    Felt::from_u64(i as u64 * 7 + 1),
                    Felt::from_u64(i as u64 + 3),
                )
            })
            .collect();
        lde_points(coset_shift(), log_n)
            .into_iter()
            .map(|x| eval_poly(&coeffs, Ext::from(x)))
            .collect()
    }

    /// The folding challenges a verifier draws from the commitment's roots.
    fn replay_betas(c: &FriCommitment) -> Vec<Ext> {
        let mut tv = Transcript::new(b"fri");
        c.roots()
            .iter()
            .map(|r| {
                tv.absorb_digest(r);
                tv.challenge_ext()
            })
            .collect()
    }

    #[test]
    fn openings_made_together_are_those_made_one_by_one() {
        let (log_n, folds) = (9, 4);
        let lde = Lde::new();
        for dropped in [0, 2, 6] {
            let mut t = Transcript::new(b"fri");
            let c = commit_with(
                &lde,
                evals_of_degree(128, log_n),
                log_n,
                folds,
                1,
                &mut t,
                dropped,
            );
            // Repeated queries and queries that meet after a few folds.
            let queries = [0, 511, 3, 2, 3, 256, 257, 40, 0];
            let together = c.open_all(&queries);
            assert_eq!(together.len(), queries.len());
            for (&q, open) in queries.iter().zip(&together) {
                assert_eq!(open, &c.open(q), "query {q}, {dropped} levels dropped");
            }
        }
    }

    #[test]
    fn low_degree_polynomial_passes_every_query() {
        let (log_n, folds) = (6, 2); // degree < 32 on 64 points: final poly has 8 coefficients
        let lde = Lde::new();
        let mut t = Transcript::new(b"fri");
        let c = commit(&lde, evals_of_degree(32, log_n), log_n, folds, 1, &mut t);
        assert_eq!(c.final_poly.len(), 8);
        let betas = replay_betas(&c);
        let layer0 = evals_of_degree(32, log_n);
        for (q, &v) in layer0.iter().enumerate() {
            let open = c.open(q);
            assert_eq!(
                verify_query(&c.roots(), &betas, &c.final_poly, &open, log_n, q, v),
                Ok(())
            );
        }
        // A wrong layer-0 value is caught at layer 0.
        let open = c.open(5);
        assert_eq!(
            verify_query(
                &c.roots(),
                &betas,
                &c.final_poly,
                &open,
                log_n,
                5,
                layer0[5] + Ext::ONE
            ),
            Err(QueryFailure::Fold(0))
        );
    }

    #[test]
    fn high_degree_polynomial_fails_some_query() {
        let (log_n, folds) = (6, 2);
        let lde = Lde::new();
        let mut t = Transcript::new(b"fri");
        let evals = evals_of_degree(40, log_n); // too high for blowup 2
        let c = commit(&lde, evals.clone(), log_n, folds, 1, &mut t);
        let betas = replay_betas(&c);
        let failures = (0..64)
            .filter(|&q| {
                verify_query(
                    &c.roots(),
                    &betas,
                    &c.final_poly,
                    &c.open(q),
                    log_n,
                    q,
                    evals[q],
                )
                .is_err()
            })
            .count();
        assert!(failures > 32, "only {failures} of 64 queries caught it");
    }
}
