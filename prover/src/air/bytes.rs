//! The BYTES table: every pair of bytes with its AND, OR and XOR, and how often each pair is
//! looked up.
//!
//! ## Columns
//! | kind | name | meaning |
//! |---|---|---|
//! | preprocessed | `x` | first byte: `row >> 8` |
//! | preprocessed | `y` | second byte: `row & 0xff` |
//! | preprocessed | `and` | `x & y` |
//! | preprocessed | `or` | `x \| y` |
//! | preprocessed | `xor` | `x ^ y` |
//! | main | `mult` | how many times the tuple is looked up |
//!
//! Row `x * 256 + y` holds the pair `(x, y)`; the height is fixed at `2^16`
//! ([`BYTES_LOG_HEIGHT`]). A statement that gives the table any other height is rejected by the
//! setup (a preprocessed-shape error, never a panic).
//!
//! ## Constraints
//! None: the tuple is fixed by the preprocessed commitment and `mult` is free.
//!
//! ## Bus interactions
//! * receives `(x, y, and, or, xor)` on [`BYTES`] with multiplicity `mult` (degree 1).
//!
//! A balanced [`BYTES`] bus therefore proves that every tuple sent is `(x, y, x & y, x | y,
//! x ^ y)` for bytes `x`, `y`: the lookup is a byte range check and a logic table in one.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::bus::{BYTES, ByteCounts};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// log2 of the BYTES table's height.
pub const BYTES_LOG_HEIGHT: usize = 16;
/// The BYTES table's height: one row per byte pair.
pub const BYTES_HEIGHT: usize = 1 << BYTES_LOG_HEIGHT;

/// Preprocessed column indices.
pub mod pre {
    /// First byte.
    pub const X: usize = 0;
    /// Second byte.
    pub const Y: usize = 1;
    /// `x & y`.
    pub const AND: usize = 2;
    /// `x | y`.
    pub const OR: usize = 3;
    /// `x ^ y`.
    pub const XOR: usize = 4;
}

/// Main column indices.
pub mod col {
    /// How many times the row's tuple is looked up.
    pub const MULT: usize = 0;
}

/// Number of preprocessed columns.
pub const PRE_WIDTH: usize = 5;
/// Number of main columns.
pub const WIDTH: usize = 1;

/// The byte-pair logic table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BytesAir;

impl Air for BytesAir {
    fn name(&self) -> &str {
        "bytes"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn preprocessed_width(&self) -> usize {
        PRE_WIDTH
    }

    /// Always `2^16` rows, whatever `height` is asked for: a mismatch is reported by the setup.
    fn preprocessed_trace(&self, _height: usize) -> Option<RowMajorMatrix<Felt>> {
        let mut values = Felt::zero_vec(BYTES_HEIGHT * PRE_WIDTH);
        for (i, row) in values.chunks_exact_mut(PRE_WIDTH).enumerate() {
            let (x, y) = ((i >> 8) as u32, (i & 0xff) as u32);
            row[pre::X] = Felt::from_u32(x);
            row[pre::Y] = Felt::from_u32(y);
            row[pre::AND] = Felt::from_u32(x & y);
            row[pre::OR] = Felt::from_u32(x | y);
            row[pre::XOR] = Felt::from_u32(x ^ y);
        }
        Some(RowMajorMatrix::new(values, PRE_WIDTH))
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let p = vars.pre_local;
        out.receive(
            BYTES,
            &[p[pre::X], p[pre::Y], p[pre::AND], p[pre::OR], p[pre::XOR]],
            vars.local[col::MULT],
        );
    }
}

/// The BYTES table's main trace: row `x * 256 + y` holds `counts[x * 256 + y]`.
///
/// `counts` must have [`BYTES_HEIGHT`] entries, as [`ByteCounts::default`] makes it.
pub fn bytes_trace(counts: &ByteCounts) -> RowMajorMatrix<Felt> {
    debug_assert_eq!(
        counts.0.len(),
        BYTES_HEIGHT,
        "ByteCounts has the wrong length"
    );
    RowMajorMatrix::new_col(counts.0.iter().map(|&m| Felt::from_u32(m)).collect())
}
