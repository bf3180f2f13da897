//! The rows of a dropped LDE that the openings read, recomputed from the matrix's
//! coefficients without making the LDE, or even one block of it, whole.
//!
//! An opening of storage row `q` needs the row and, for the Merkle levels its tree does not
//! hold, every row of `q`'s leaf subtree (`2^log_leaves` consecutive storage rows). So
//! [`gather`] computes each coset block ([`Block::cosets`]) of the LDE a slab of
//! [`SLAB_COLUMNS`] columns at a time (one coset NTT of `n` rows in a slab-sized scratch
//! buffer) and copies out only the rows of the queried subtrees. Held at once: the
//! coefficients (the caller's), one scratch slab and the gathered rows; each column costs one
//! coset NTT per block, with no interpolation (the caller interpolates once).

use p3_field::PrimeCharacteristicRing;
use p3_matrix::Matrix as _;
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::domain::{Block, Lde};
use super::field::Felt;

type Mat = RowMajorMatrix<Felt>;

/// Columns per coset NTT in [`gather`]: a multiple of the widest packed Goldilocks vector
/// (8 lanes with AVX-512), so the butterflies run on whole vectors; at 2^20 rows the scratch
/// slab is 128 MiB.
pub const SLAB_COLUMNS: usize = 16;

/// Gathered rows of one LDE: the leaf subtrees holding the queried rows, in storage order.
#[derive(Debug)]
pub struct OpenedRows {
    width: usize,
    log_leaves: usize,
    /// First storage row of each gathered subtree, ascending.
    bases: Vec<usize>,
    values: Vec<Felt>,
}

impl OpenedRows {
    /// Storage row `i`, which must lie in a gathered subtree.
    pub fn row(&self, i: usize) -> &[Felt] {
        let base = i >> self.log_leaves << self.log_leaves;
        let slot = self
            .bases
            .binary_search(&base)
            .unwrap_or_else(|_| panic!("row {i} was not gathered"));
        let at = ((slot << self.log_leaves) + i - base) * self.width;
        &self.values[at..at + self.width]
    }
}

/// The rows of the LDE of `coeffs` (natural-order coefficients of `n` rows, degree below
/// `n`) that open `queries` (storage rows of the `n * 2^log_blowup`-row LDE) in a tree
/// that holds no level below `log_leaves`: every row of each queried row's `2^log_leaves`-row
/// subtree. Needs `log_leaves <= log2(n)`, so that a subtree lies in one block. The values
/// are those of [`Lde::evaluate_coeffs_block`] on the whole matrix, row for row.
pub fn gather(
    lde: &Lde,
    coeffs: &Mat,
    log_blowup: usize,
    log_leaves: usize,
    queries: &[usize],
) -> OpenedRows {
    let (n, width) = (coeffs.height(), coeffs.width());
    assert!(
        n.is_power_of_two() && 1 << log_leaves <= n,
        "a {}-row subtree must lie in one {n}-row block",
        1usize << log_leaves
    );
    let leaves = 1usize << log_leaves;
    let mut bases: Vec<usize> = queries.iter().map(|&q| q & !(leaves - 1)).collect();
    bases.sort_unstable();
    bases.dedup();
    assert!(
        bases.last().is_none_or(|&b| b < n << log_blowup),
        "query beyond the LDE"
    );
    let mut values = vec![Felt::ZERO; bases.len() * leaves * width];
    let mut scratch: Vec<Felt> = Vec::new();
    for blk in Block::cosets(log_blowup) {
        let first = blk.index * n;
        // The gathered subtrees in this block, and where each goes in `values`.
        let lo = bases.partition_point(|&b| b < first);
        let hi = bases.partition_point(|&b| b < first + n);
        if lo == hi {
            continue;
        }
        for c0 in (0..width).step_by(SLAB_COLUMNS) {
            let s = SLAB_COLUMNS.min(width - c0);
            scratch.clear();
            scratch.resize(n * s, Felt::ZERO);
            scratch
                .par_chunks_exact_mut(s)
                .zip(coeffs.values.par_chunks_exact(width))
                .for_each(|(dst, src)| dst.copy_from_slice(&src[c0..c0 + s]));
            let evals = lde.evaluate_coeffs_block(
                RowMajorMatrix::new(std::mem::take(&mut scratch), s),
                log_blowup,
                blk.index,
            );
            for (slot, &base) in (lo..hi).zip(&bases[lo..hi]) {
                for r in 0..leaves {
                    let src = (base - first + r) * s;
                    let dst = ((slot << log_leaves) + r) * width + c0;
                    values[dst..dst + s].copy_from_slice(&evals.values[src..src + s]);
                }
            }
            scratch = evals.values;
        }
    }
    OpenedRows {
        width,
        log_leaves,
        bases,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coeffs(n: usize, width: usize) -> Mat {
        let values = (0..n * width)
            .map(|i| Felt::from_u64((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 3))
            .collect();
        RowMajorMatrix::new(values, width)
    }

    /// The whole LDE (storage order) of `c`, made in one piece.
    fn whole(lde: &Lde, c: &Mat, log_blowup: usize) -> Vec<Vec<Felt>> {
        let mut padded = c.values.clone();
        padded.resize(c.values.len() << log_blowup, Felt::ZERO);
        let all = lde.evaluate_coeffs(RowMajorMatrix::new(padded, c.width()));
        all.values
            .chunks_exact(c.width())
            .map(<[Felt]>::to_vec)
            .collect()
    }

    #[test]
    fn gathered_rows_are_the_lde_rows_of_every_queried_subtree() {
        let lde = Lde::new();
        // 37 columns: two full slabs and a narrow one.
        for (log_n, log_blowup, log_leaves, width) in [(6, 1, 4, 37), (5, 2, 3, 5), (4, 1, 4, 16)] {
            let c = coeffs(1 << log_n, width);
            let full = whole(&lde, &c, log_blowup);
            let big = full.len();
            let queries = [0, 3, big - 1, 17 % big, 3, big / 2 + 1];
            let got = gather(&lde, &c, log_blowup, log_leaves, &queries);
            for &q in &queries {
                let base = q >> log_leaves << log_leaves;
                let subtree = &full[base..base + (1 << log_leaves)];
                for (i, row) in (base..).zip(subtree) {
                    assert_eq!(got.row(i), &row[..], "row {i} (n 2^{log_n})");
                }
            }
            // Only the queried subtrees were gathered.
            let mut want: Vec<usize> = queries
                .iter()
                .map(|q| q >> log_leaves << log_leaves)
                .collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(got.bases, want);
            assert_eq!(got.values.len(), (want.len() * width) << log_leaves);
        }
    }

    #[test]
    #[should_panic(expected = "was not gathered")]
    fn a_row_outside_the_gathered_subtrees_is_a_bug() {
        let lde = Lde::new();
        let got = gather(&lde, &coeffs(64, 3), 1, 2, &[5]);
        got.row(64);
    }
}
