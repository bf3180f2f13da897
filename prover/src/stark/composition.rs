//! Round 2: the composition (quotient) polynomial of one instance.
//!
//! Every constraint is folded at every LDE point by [`Folder`] and divided by its scope's
//! vanishing polynomial ([`fold::combine`]). The result has degree below `2n`, so it is
//! interpolated and split into [`QUOTIENT_PARTS`] polynomials of degree below `n`,
//! `Q(x) = Q_0(x) + x^n Q_1(x)`, which are extended and committed like any other columns.

use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::air::{Air, Vars};
use super::domain::{Block, Lde, bitrev, coset_shift};
use super::field::{Ext, Felt, ext_from_limbs, ext_limbs};
use super::fold::{Divisors, Folder, combine, last_point};
use super::logup::{LogupChallenges, aux_row_to_ext};
use super::symbolic::AirInfo;
use crate::memtag::{self, Tag};

/// Number of quotient parts (constraint degree 3, minus the vanishing polynomial).
pub const QUOTIENT_PARTS: usize = 2;

/// Points per parallel work unit.
const POINTS_PER_TASK: usize = 1 << 11;

/// The aux LDE of an instance with what its constraints need.
#[derive(Clone, Copy, Debug)]
pub struct AuxLde<'a> {
    /// Aux LDE limbs, storage order.
    pub lde: &'a RowMajorMatrix<Felt>,
    /// LogUp challenges.
    pub challenges: &'a LogupChallenges,
    /// The instance's claimed contribution.
    pub sum: Ext,
}

/// One instance's committed LDEs, or one block of them, as the composition round reads
/// them.
#[derive(Clone, Copy, Debug)]
pub struct InstanceLdes<'a> {
    /// log2 of the trace height.
    pub log_n: usize,
    /// log2 of the blowup.
    pub log_blowup: usize,
    /// Which storage rows the matrices hold: [`Block::WHOLE`], or one of
    /// [`Block::cosets`]`(log_blowup)`.
    pub block: Block,
    /// Main LDE, storage order.
    pub main: &'a RowMajorMatrix<Felt>,
    /// Preprocessed LDE, storage order.
    pub pre: Option<&'a RowMajorMatrix<Felt>>,
    /// Aux LDE.
    pub aux: Option<AuxLde<'a>>,
}

#[inline]
fn row(m: &RowMajorMatrix<Felt>, r: usize) -> &[Felt] {
    let w = m.width();
    &m.values[r * w..(r + 1) * w]
}

/// Composition values at the block's points of the LDE coset, in natural order: every point
/// for [`Block::WHOLE`]; for block `j` of `c` blocks, the points of natural index
/// `u * c + bitrev_c(j)` for `u = 0, 1, ...` ([`scatter`] puts them in place).
pub fn evaluate<A: Air>(
    air: &A,
    info: &AirInfo,
    ldes: &InstanceLdes<'_>,
    public: &[Felt],
    alpha_powers: &[Ext],
) -> Vec<Ext> {
    let log_big = ldes.log_n + ldes.log_blowup;
    let blowup = 1usize << ldes.log_blowup;
    let w_big = Felt::two_adic_generator(log_big);
    // The block's rows: natural index t = u * count + first, storage row bitrev(u) within
    // the block; the next row is the point times w_n, natural t + blowup, so u + step.
    debug_assert!(ldes.block.log_count <= ldes.log_blowup);
    let log_m = log_big - ldes.block.log_count;
    let m = 1usize << log_m;
    let count = 1usize << ldes.block.log_count;
    let first = bitrev(ldes.block.index, ldes.block.log_count);
    let step = blowup / count;
    let w_step = w_big.exp_u64(count as u64);
    let g = coset_shift();
    let last = last_point(ldes.log_n);
    // x^n takes only `blowup` values on the coset: g^n * w_B^(t mod B).
    let g_n = g.exp_power_of_2(ldes.log_n);
    let w_b = Felt::two_adic_generator(ldes.log_blowup);
    let inv_vanishing: Vec<Felt> = (0..blowup)
        .map(|k| (g_n * w_b.exp_u64(k as u64) - Felt::ONE).inverse())
        .collect();
    let empty: &[Felt] = &[];
    let mut out = memtag::tagged(Tag::QuotientLde, || vec![Ext::ZERO; m]);
    out.par_chunks_mut(POINTS_PER_TASK)
        .enumerate()
        .for_each(|(task, out)| {
            let u0 = task * POINTS_PER_TASK;
            let mut xs = Vec::with_capacity(out.len());
            let mut x = g * w_big.exp_u64((u0 * count + first) as u64);
            for _ in 0..out.len() {
                xs.push(x);
                x *= w_step;
            }
            let mut diffs: Vec<Felt> = Vec::with_capacity(2 * out.len());
            diffs.extend(xs.iter().map(|&x| x - Felt::ONE));
            diffs.extend(xs.iter().map(|&x| x - last));
            let inv = p3_field::batch_multiplicative_inverse(&diffs);
            let (inv_first, inv_last) = inv.split_at(out.len());
            let mut folder: Folder<'_, Felt> = Folder::new(alpha_powers);
            for (k, o) in out.iter_mut().enumerate() {
                let u = u0 + k;
                let t = u * count + first;
                let s = bitrev(u, log_m);
                let s_next = bitrev((u + step) & (m - 1), log_m);
                let (pre_local, pre_next) = match ldes.pre {
                    Some(p) => (row(p, s), row(p, s_next)),
                    None => (empty, empty),
                };
                let vars = Vars {
                    local: row(ldes.main, s),
                    next: row(ldes.main, s_next),
                    pre_local,
                    pre_next,
                    public,
                };
                let sums = match &ldes.aux {
                    Some(aux) => {
                        let (l, n) = folder.aux_buffers();
                        aux_row_to_ext(row(aux.lde, s), l);
                        aux_row_to_ext(row(aux.lde, s_next), n);
                        folder.fold_with_buffered_aux(air, info, &vars, aux.challenges, aux.sum)
                    }
                    None => folder.fold(air, info, &vars, None),
                };
                let d = Divisors {
                    inv_vanishing: inv_vanishing[t & (blowup - 1)],
                    x_minus_last: xs[k] - last,
                    inv_x_minus_first: inv_first[k],
                    inv_x_minus_last: inv_last[k],
                };
                *o = combine(&sums, &d);
            }
        });
    out
}

/// Puts block `block`'s values from [`evaluate`] in their natural places in `all`.
pub fn scatter(all: &mut [Ext], block: Block, values: &[Ext]) {
    let count = 1usize << block.log_count;
    let first = bitrev(block.index, block.log_count);
    for (u, &v) in values.iter().enumerate() {
        all[u * count + first] = v;
    }
}

/// The quotient parts of one instance: their coefficients (`n x 2*QUOTIENT_PARTS` limbs,
/// for the out-of-domain evaluation) and their LDE (storage order, for the commitment).
#[derive(Debug)]
pub struct QuotientParts {
    /// Coefficients, row `j` = the `x^j` coefficient of each part's limbs.
    pub coeffs: RowMajorMatrix<Felt>,
    /// Evaluations on the LDE coset, storage order.
    pub lde: RowMajorMatrix<Felt>,
}

/// Interpolates the composition values (natural order on the LDE coset) and splits them.
pub fn split(lde: &Lde, evals: Vec<Ext>, log_n: usize, log_blowup: usize) -> QuotientParts {
    let n = 1usize << log_n;
    let big = n << log_blowup;
    let width = 2 * QUOTIENT_PARTS;
    let mut limbs = memtag::tagged(Tag::QuotientLde, || Vec::with_capacity(2 * big));
    limbs.extend(evals.iter().flat_map(ext_limbs));
    drop(evals);
    let all = lde.coset_interpolate(RowMajorMatrix::new(limbs, 2), coset_shift());
    let mut coeffs = memtag::tagged(Tag::QuotientCoeffs, || vec![Felt::ZERO; n * width]);
    for (j, row) in coeffs.chunks_exact_mut(width).enumerate() {
        for k in 0..QUOTIENT_PARTS {
            let src = &all.values[2 * (k * n + j)..2 * (k * n + j) + 2];
            row[2 * k..2 * k + 2].copy_from_slice(src);
        }
    }
    drop(all);
    let coeffs = RowMajorMatrix::new(coeffs, width);
    QuotientParts {
        lde: quotient_lde(lde, &coeffs, log_blowup),
        coeffs,
    }
}

/// The quotient parts' LDE (storage order) from their coefficients: what [`split`] commits,
/// and what a prover that dropped it recomputes.
pub fn quotient_lde(
    lde: &Lde,
    coeffs: &RowMajorMatrix<Felt>,
    log_blowup: usize,
) -> RowMajorMatrix<Felt> {
    memtag::tagged(Tag::QuotientLde, || lde.extend_coeffs(coeffs, log_blowup))
}

/// Each quotient part's value at `z`, from the coefficients
/// ([`evaluate_coefficients`](super::domain::evaluate_coefficients) of its two limbs).
pub fn parts_at(coeffs: &RowMajorMatrix<Felt>, z: Ext) -> Vec<Ext> {
    let limbs = super::domain::evaluate_coefficients(coeffs, &[z]).remove(0);
    let u = ext_from_limbs(Felt::ZERO, Felt::ONE);
    limbs.chunks_exact(2).map(|l| l[0] + u * l[1]).collect()
}

/// `Q(z) = sum_k z^(k n) Q_k(z)`: what the folded constraints must equal at `z`.
pub fn recombine(parts: &[Ext], z: Ext, log_n: usize) -> Ext {
    let zn = z.exp_power_of_2(log_n);
    parts.iter().rev().fold(Ext::ZERO, |acc, &p| acc * zn + p)
}
