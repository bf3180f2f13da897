//! The rows of a dropped LDE that the openings read, recomputed from the matrix's trace
//! (or coefficients) without making the LDE, or even one block of it, whole.
//!
//! An opening of storage row `q` needs the row and, for the Merkle levels its tree does not
//! hold, every row of `q`'s leaf subtree (`2^log_leaves` consecutive storage rows). So
//! [`gather`] works through the matrix a slab of [`SLAB_COLUMNS`] columns at a time: it
//! copies the slab out, interpolates it (unless it is already coefficients), and for each
//! coset block ([`Block::cosets`]) runs one coset NTT of `n` rows on a copy and keeps only
//! the rows of the queried subtrees. Held at once beside the caller's matrix: two slabs and
//! the gathered rows; each column costs one interpolation and one coset NTT per block.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::Matrix as _;
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::domain::{Block, Lde};
use super::field::Felt;

type Mat = RowMajorMatrix<Felt>;

/// Columns per slab in [`gather`]: the widest packed Goldilocks vector (8 lanes with
/// AVX-512), so the butterflies run on whole vectors. At 2^20 rows a slab is 64 MiB; 16
/// columns would run the NTTs about 20 % faster (measured with p3's `Radix2DitParallel` at
/// 2^20 rows: 127 against 157 M elements/s) for twice the scratch, and the modes that
/// recompute are there to save memory.
pub const SLAB_COLUMNS: usize = 8;

/// What [`gather`]'s matrix holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// Values on the trace domain `H`, natural order (a trace).
    OnTraceDomain,
    /// Coefficients, natural order, degree below the height.
    Coefficients,
}

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

/// The rows of the LDE of `mat` (`n` rows, [`Columns`] says of what) that open `queries`
/// (storage rows of the `n * 2^log_blowup`-row LDE) in a tree that holds no level below
/// `log_leaves`: every row of each queried row's `2^log_leaves`-row subtree. Needs
/// `log_leaves <= log2(n)`, so that a subtree lies in one block. The values are those of
/// [`Lde::extend`] (or, for coefficients, [`Lde::evaluate_coeffs`]) row for row.
pub fn gather(
    lde: &Lde,
    mat: &Mat,
    columns: Columns,
    log_blowup: usize,
    log_leaves: usize,
    queries: &[usize],
) -> OpenedRows {
    let (n, width) = (mat.height(), mat.width());
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
    // Each block's gathered subtrees: `bases[lo..hi]`.
    let spans: Vec<(Block, usize, usize)> = Block::cosets(log_blowup)
        .map(|blk| {
            let first = blk.index * n;
            let lo = bases.partition_point(|&b| b < first);
            let hi = bases.partition_point(|&b| b < first + n);
            (blk, lo, hi)
        })
        .filter(|&(_, lo, hi)| lo < hi)
        .collect();
    let mut values = vec![Felt::ZERO; bases.len() * leaves * width];
    let (mut coeffs, mut evals): (Vec<Felt>, Vec<Felt>) = (Vec::new(), Vec::new());
    for c0 in (0..width).step_by(SLAB_COLUMNS) {
        let s = SLAB_COLUMNS.min(width - c0);
        coeffs.clear();
        coeffs.resize(n * s, Felt::ZERO);
        coeffs
            .par_chunks_exact_mut(s)
            .zip(mat.values.par_chunks_exact(width))
            .for_each(|(dst, src)| dst.copy_from_slice(&src[c0..c0 + s]));
        let mut slab = RowMajorMatrix::new(std::mem::take(&mut coeffs), s);
        if columns == Columns::OnTraceDomain {
            slab = lde.interpolate(slab);
        }
        coeffs = slab.values;
        for &(blk, lo, hi) in &spans {
            evals.clear();
            evals.extend_from_slice(&coeffs);
            let block = lde.evaluate_coeffs_block(
                RowMajorMatrix::new(std::mem::take(&mut evals), s),
                log_blowup,
                blk.index,
            );
            let first = blk.index * n;
            for (slot, &base) in (lo..hi).zip(&bases[lo..hi]) {
                for r in 0..leaves {
                    let src = (base - first + r) * s;
                    let dst = ((slot << log_leaves) + r) * width + c0;
                    values[dst..dst + s].copy_from_slice(&block.values[src..src + s]);
                }
            }
            evals = block.values;
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
        // 37 columns: four full slabs and a narrow one.
        for (log_n, log_blowup, log_leaves, width) in [(6, 1, 4, 37), (5, 2, 3, 5), (4, 1, 4, 16)] {
            let c = coeffs(1 << log_n, width);
            let full = whole(&lde, &c, log_blowup);
            let big = full.len();
            let queries = [0, 3, big - 1, 17 % big, 3, big / 2 + 1];
            let got = gather(
                &lde,
                &c,
                Columns::Coefficients,
                log_blowup,
                log_leaves,
                &queries,
            );
            // The same rows from the values on H.
            let on_h = lde.evaluate_on_subgroup(c.clone());
            let from_h = gather(
                &lde,
                &on_h,
                Columns::OnTraceDomain,
                log_blowup,
                log_leaves,
                &queries,
            );
            assert_eq!(from_h.values, got.values);
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
        let got = gather(&lde, &coeffs(64, 3), Columns::Coefficients, 1, 2, &[5]);
        got.row(64);
    }
}
