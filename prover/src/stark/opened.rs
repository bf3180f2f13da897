//! The rows of a dropped LDE that the openings read, recomputed from the matrix's trace
//! (or coefficients) without making the whole LDE at once.
//!
//! An opening of storage row `q` needs the row and, for the Merkle levels its tree does not
//! hold, every row of `q`'s leaf subtree (`2^log_leaves` consecutive storage rows). So
//! [`gather`] works through the matrix a slab of [`slab_columns`] columns at a time: it
//! copies the slab into a buffer with room for the slab's LDE, extends it there
//! ([`Lde::extend_wanted`]: one interpolation, then per coset a copy of the coefficients
//! evaluated only where a queried subtree lies, skipping every sub-transform of the
//! evaluation whose output rows hold none), and keeps only the rows of the queried
//! subtrees. Held at once beside the caller's matrix: one slab
//! LDE ([`SLAB_CELLS`] cells per trace row up to blowup 16) and the gathered rows.

use p3_field::{PackedValue, PrimeCharacteristicRing};
use p3_matrix::Matrix as _;
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::domain::{Lde, extend_zeroed, lde_buffer};
use super::field::Felt;

type Mat = RowMajorMatrix<Felt>;

/// LDE cells per trace row in one slab: 8 columns at blowup 2 (4 at blowup 4, 2 at 8), so
/// that a slab's LDE holds as much whatever the blowup up to 16 (128 MiB at 2^20 trace
/// rows; above, a slab is one column). Every coset of a slab is made, queried or not. Eight
/// columns is the widest packed Goldilocks vector (8 lanes with AVX-512), so the butterflies
/// run on whole vectors at the default blowup; 16 columns would run the NTTs about 20 %
/// faster (measured with p3's `Radix2DitParallel` at 2^20 rows: 127 against 157 M
/// elements/s) for twice the scratch, and the modes that recompute are there to save
/// memory.
pub const SLAB_CELLS: usize = 16;

/// Columns per slab at `log_blowup`: [`SLAB_CELLS`] over the blowup, at least one.
pub fn slab_columns(log_blowup: usize) -> usize {
    (SLAB_CELLS >> log_blowup).max(1)
}

pub use super::domain::Columns;

/// The width a slab of `s` columns is transformed at: rounded up to whole packed vectors
/// when it has more than half a vector's columns (`cargo bench -p prover --bench ntt`, 2^20
/// rows, one block to the next: 7 columns 153 ms, 8 columns 97 ms; 2 columns 61 ms).
fn padded_width(s: usize) -> usize {
    let lanes = <Felt as p3_field::Field>::Packing::WIDTH;
    if s % lanes > lanes / 2 {
        s.next_multiple_of(lanes)
    } else {
        s
    }
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
/// `log_leaves`: every row of each queried row's `2^log_leaves`-row subtree. The values are
/// those of [`Lde::extend`] (or, for coefficients, [`Lde::extend_coeffs`]) row for row.
///
/// [`Lde::extend_wanted`]: super::domain::Lde::extend_wanted
pub fn gather(
    lde: &Lde,
    mat: &Mat,
    columns: Columns,
    log_blowup: usize,
    log_leaves: usize,
    queries: &[usize],
) -> OpenedRows {
    let (n, width) = (mat.height(), mat.width());
    let big = n << log_blowup;
    assert!(
        n.is_power_of_two() && 1 << log_leaves <= big,
        "a {}-row subtree must lie in the {big}-row LDE",
        1usize << log_leaves
    );
    let leaves = 1usize << log_leaves;
    let mut bases: Vec<usize> = queries.iter().map(|&q| q & !(leaves - 1)).collect();
    bases.sort_unstable();
    bases.dedup();
    assert!(
        bases.last().is_none_or(|&b| b < big),
        "query beyond the LDE"
    );
    // Whether any queried subtree meets storage rows `first .. first + len`.
    let wanted = |first: usize, len: usize| {
        let i = bases.partition_point(|&b| b + leaves <= first);
        i < bases.len() && bases[i] < first + len
    };
    let mut values = vec![Felt::ZERO; bases.len() * leaves * width];
    let slab_width = slab_columns(log_blowup);
    let mut buffer: Vec<Felt> = Vec::new();
    for c0 in (0..width).step_by(slab_width) {
        let s = slab_width.min(width - c0);
        // A narrow last slab is widened with zero columns to whole packed vectors when that
        // is cheaper (`padded_width`).
        let sw = padded_width(s).min(slab_width.max(s));
        // The slab's columns, in a buffer with room for their LDE (reused slab to slab).
        if buffer.capacity() < big * sw {
            buffer = lde_buffer(big * sw);
        }
        buffer.clear();
        extend_zeroed(&mut buffer, n * sw);
        buffer
            .par_chunks_exact_mut(sw)
            .zip(mat.values.par_chunks_exact(width))
            .for_each(|(dst, src)| dst[..s].copy_from_slice(&src[c0..c0 + s]));
        let slab = RowMajorMatrix::new(std::mem::take(&mut buffer), sw);
        let slab_lde = lde.extend_wanted(slab, columns, log_blowup, &wanted);
        for (slot, &base) in bases.iter().enumerate() {
            for r in 0..leaves {
                let src = (base + r) * sw;
                let dst = ((slot << log_leaves) + r) * width + c0;
                values[dst..dst + s].copy_from_slice(&slab_lde.values[src..src + s]);
            }
        }
        buffer = slab_lde.values;
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
    use crate::stark::domain::coset_shift;
    use p3_matrix::Matrix;

    fn coeffs(n: usize, width: usize) -> Mat {
        let values = (0..n * width)
            .map(|i| Felt::from_u64((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 3))
            .collect();
        RowMajorMatrix::new(values, width)
    }

    /// The whole LDE (storage order) of `c`, made in one piece by `p3-dft` (a reference
    /// independent of our transforms).
    fn whole(c: &Mat, log_blowup: usize) -> Vec<Vec<Felt>> {
        use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
        use p3_matrix::bitrev::BitReversibleMatrix;
        let mut padded = c.values.clone();
        padded.resize(c.values.len() << log_blowup, Felt::ZERO);
        let all = Radix2DitParallel::default()
            .coset_dft_batch(RowMajorMatrix::new(padded, c.width()), coset_shift())
            .bit_reverse_rows()
            .to_row_major_matrix();
        all.values
            .chunks_exact(c.width())
            .map(<[Felt]>::to_vec)
            .collect()
    }

    #[test]
    fn gathered_rows_are_the_lde_rows_of_every_queried_subtree() {
        let lde = Lde::new();
        // 37 columns: four full slabs and a narrow one.
        // Slabs of 8, 4 and 2 columns; a subtree as large as a block, and one larger.
        for (log_n, log_blowup, log_leaves, width) in [
            (6, 1, 4, 37),
            (5, 2, 3, 5),
            (4, 1, 4, 16),
            (5, 3, 4, 7),
            (3, 1, 4, 3),
            // Evaluations large enough to recurse, most sub-transforms skipped.
            (14, 1, 4, 8),
            // A last slab of 7 columns, widened to 8.
            (6, 1, 4, 15),
        ] {
            let c = coeffs(1 << log_n, width);
            let full = whole(&c, log_blowup);
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
