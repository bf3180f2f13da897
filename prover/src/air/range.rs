//! The RANGE table: every 16-bit value once, with how often the other tables look it up.
//!
//! ## Columns
//! | kind | name | meaning |
//! |---|---|---|
//! | preprocessed | `v` | the row index: `0, 1, ..., 2^16 - 1` |
//! | main | `mult` | how many times `v` is range-checked by the other tables |
//!
//! The height is fixed at `2^16` ([`RANGE_LOG_HEIGHT`]); a statement that gives the table any
//! other height is rejected by the setup (a preprocessed-shape error, never a panic).
//!
//! ## Constraints
//! None: `v` is fixed by the preprocessed commitment and `mult` is free.
//!
//! ## Bus interactions
//! * receives `(v)` on [`RANGE16`] with multiplicity `mult` (degree 1).
//!
//! Since `v` ranges over exactly `[0, 2^16)`, a balanced [`RANGE16`] bus means every value any
//! table sent lies in `[0, 2^16)`. The prover chooses `mult`, but a wrong `mult` only unbalances
//! the bus.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::bus::{RANGE16, RangeCounts};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// log2 of the RANGE table's height.
pub const RANGE_LOG_HEIGHT: usize = 16;
/// The RANGE table's height: one row per 16-bit value.
pub const RANGE_HEIGHT: usize = 1 << RANGE_LOG_HEIGHT;

/// Main column indices.
pub mod col {
    /// How many times the row's value is looked up.
    pub const MULT: usize = 0;
}

/// Number of main columns.
pub const WIDTH: usize = 1;

/// The 16-bit range-check table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RangeAir;

impl Air for RangeAir {
    fn name(&self) -> &str {
        "range"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn preprocessed_width(&self) -> usize {
        1
    }

    fn fixed_log_height(&self) -> Option<usize> {
        Some(RANGE_LOG_HEIGHT)
    }

    /// Always `2^16` rows: the setup refuses any other height before asking.
    fn preprocessed_trace(&self, _height: usize) -> Option<RowMajorMatrix<Felt>> {
        Some(RowMajorMatrix::new_col(
            (0..RANGE_HEIGHT as u64).map(Felt::from_u64).collect(),
        ))
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        out.receive(RANGE16, &[vars.pre_local[0]], vars.local[col::MULT]);
    }
}

/// The RANGE table's main trace: row `v` holds `counts[v]`.
///
/// `counts` must have [`RANGE_HEIGHT`] entries, as [`RangeCounts::default`] makes it.
pub fn range_trace(counts: &RangeCounts) -> RowMajorMatrix<Felt> {
    debug_assert_eq!(
        counts.0.len(),
        RANGE_HEIGHT,
        "RangeCounts has the wrong length"
    );
    RowMajorMatrix::new_col(counts.0.iter().map(|&m| Felt::from_u32(m)).collect())
}
