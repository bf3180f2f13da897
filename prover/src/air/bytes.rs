//! The BYTES table: every pair of bytes with its AND, OR and XOR, and how often each pair is
//! looked up, as a logic tuple and as a plain pair of bytes.
//!
//! ## Columns
//! | kind | name | meaning |
//! |---|---|---|
//! | preprocessed | `x` | first byte: `row >> 8` |
//! | preprocessed | `y` | second byte: `row & 0xff` |
//! | preprocessed | `and` | `x & y` |
//! | preprocessed | `or` | `x \| y` |
//! | preprocessed | `xor` | `x ^ y` |
//! | main | `mult` | how many times the logic tuple is looked up on [`BYTES`] |
//! | main | `pair_mult` | how many times the pair is looked up on [`BYTE_PAIRS`] |
//!
//! Row `x * 256 + y` holds the pair `(x, y)`; the height is fixed at `2^16`
//! ([`BYTES_LOG_HEIGHT`]). A statement that gives the table any other height is rejected by the
//! setup (a preprocessed-shape error, never a panic).
//!
//! ## Constraints
//! None: the tuples are fixed by the preprocessed commitment and the multiplicities are free.
//!
//! ## Bus interactions
//! * receives `(x, y, and, or, xor)` on [`BYTES`] with multiplicity `mult` (degree 1);
//! * receives `(x, y)` on [`BYTE_PAIRS`] with multiplicity `pair_mult` (degree 1).
//!
//! A balanced [`BYTES`] bus therefore proves that every tuple sent is `(x, y, x & y, x | y,
//! x ^ y)` for bytes `x`, `y`: the lookup is a byte range check and a logic table in one. A
//! balanced [`BYTE_PAIRS`] bus proves that both elements of every pair sent are bytes.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::bus::{BYTE_PAIRS, BYTES, ByteCounts};
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
    /// How many times the row's logic tuple is looked up.
    pub const MULT: usize = 0;
    /// How many times the row's pair is looked up as two bytes.
    pub const PAIR_MULT: usize = 1;
}

/// Number of preprocessed columns.
pub const PRE_WIDTH: usize = 5;
/// Number of main columns.
pub const WIDTH: usize = 2;

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

    fn fixed_log_height(&self) -> Option<usize> {
        Some(BYTES_LOG_HEIGHT)
    }

    /// Always `2^16` rows: the setup refuses any other height before asking.
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
        out.receive(
            BYTE_PAIRS,
            &[p[pre::X], p[pre::Y]],
            vars.local[col::PAIR_MULT],
        );
    }
}

/// The BYTES table's main trace: row `x * 256 + y` holds `logic[x * 256 + y]` and
/// `pairs[x * 256 + y]`.
///
/// Both counts must have [`BYTES_HEIGHT`] entries, as [`ByteCounts::default`] makes them.
pub fn bytes_trace(logic: &ByteCounts, pairs: &ByteCounts) -> RowMajorMatrix<Felt> {
    debug_assert_eq!(
        logic.0.len(),
        BYTES_HEIGHT,
        "ByteCounts has the wrong length"
    );
    debug_assert_eq!(
        pairs.0.len(),
        BYTES_HEIGHT,
        "ByteCounts has the wrong length"
    );
    let values = logic
        .0
        .iter()
        .zip(&pairs.0)
        .flat_map(|(&m, &p)| [Felt::from_u32(m), Felt::from_u32(p)])
        .collect();
    RowMajorMatrix::new(values, WIDTH)
}
