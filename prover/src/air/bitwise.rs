//! The BITWISE table: proves `XOR`, `OR` and `AND` requests byte by byte through the BYTES
//! table.
//!
//! ## Columns
//! | # | name | meaning |
//! |---|---|---|
//! | 0..4 | `b_0..b_3` | bytes of `b`, least significant first |
//! | 4..8 | `c_0..c_3` | bytes of `c` |
//! | 8..12 | `n_0..n_3` | `b_i & c_i` |
//! | 12 | `a` | result |
//! | 13 | `is_xor` | 1 on an `XOR` row |
//! | 14 | `is_or` | 1 on an `OR` row |
//! | 15 | `is_and` | 1 on an `AND` row |
//!
//! `b = sum 2^(8i) b_i`, `c = sum 2^(8i) c_i` and `n = sum 2^(8i) n_i` are linear expressions,
//! not columns. OR and XOR bytes need no columns either: for bytes,
//! `x | y = x + y - (x & y)` and `x ^ y = x + y - 2 (x & y)`.
//! Padding rows are all zero (no selector set: they receive and send nothing).
//!
//! ## Constraints (every row)
//! | constraint | degree |
//! |---|---|
//! | `is_xor`, `is_or`, `is_and` boolean | 2 |
//! | `is_xor + is_or + is_and` boolean (at most one selector) | 2 |
//! | `a = (is_xor + is_or)(b + c) + (is_and - is_or - 2 is_xor) n` | 2 |
//!
//! The last one reads `a = b + c - 2n` on an XOR row, `a = b + c - n` on an OR row, `a = n` on
//! an AND row.
//!
//! ## Bus interactions (multiplicity `active = is_xor + is_or + is_and`, degree 1)
//! * receives `(XOR is_xor + OR is_or + AND is_and, b, c, a)` on [`ALU`];
//! * sends `(b_i, c_i, n_i, b_i + c_i - n_i, b_i + c_i - 2 n_i)` on [`BYTES`], for `i = 0..4`.
//!
//! ## Soundness
//! On a row with `active = 1` exactly one selector is set, so the received opcode is `XOR`,
//! `OR` or `AND`. The BYTES lookups prove each `b_i`, `c_i` is a byte and `n_i = b_i & c_i`.
//! Since `b` as received is the sender's `b < 2^32` and byte limbs decompose it uniquely, the
//! `b_i` are `b`'s bytes (likewise `c`), so `n = b & c`, and by the byte identities above the
//! selected combination is `b ^ c`, `b | c` or `b & c` exactly (all values are below `2^34`,
//! so nothing wraps mod `p`).

use p3_field::PrimeCharacteristicRing;

use super::bus::{ALU, AluRequest, BYTES, Lookups, op};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Main column indices.
pub mod col {
    /// First byte of `b`; byte `i` is at `B + i`.
    pub const B: usize = 0;
    /// First byte of `c`; byte `i` is at `C + i`.
    pub const C: usize = 4;
    /// First byte of `b & c`; byte `i` is at `AND + i`.
    pub const AND: usize = 8;
    /// Result.
    pub const A: usize = 12;
    /// 1 on an `XOR` row.
    pub const IS_XOR: usize = 13;
    /// 1 on an `OR` row.
    pub const IS_OR: usize = 14;
    /// 1 on an `AND` row.
    pub const IS_AND: usize = 15;
}

/// Number of main columns.
pub const WIDTH: usize = 16;

/// The XOR/OR/AND table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BitwiseAir;

impl Air for BitwiseAir {
    fn name(&self) -> &str {
        "bitwise"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let r = vars.local;
        let word = |start: usize| {
            (0..4).fold(E::zero(), |acc, i| {
                acc + E::constant(1 << (8 * i)) * r[start + i]
            })
        };
        let (b, c, n, a) = (word(col::B), word(col::C), word(col::AND), r[col::A]);
        let (is_xor, is_or, is_and) = (r[col::IS_XOR], r[col::IS_OR], r[col::IS_AND]);
        let active = is_xor + is_or + is_and;

        out.assert_bool(is_xor);
        out.assert_bool(is_or);
        out.assert_bool(is_and);
        out.assert_bool(active);
        out.assert_eq(
            a,
            (is_xor + is_or) * (b + c) + (is_and - is_or - is_xor - is_xor) * n,
        );

        let opcode = is_xor * E::constant(op::XOR.into())
            + is_or * E::constant(op::OR.into())
            + is_and * E::constant(op::AND.into());
        out.receive(ALU, &[opcode, b, c, a], active);
        for i in 0..4 {
            let (x, y, n) = (r[col::B + i], r[col::C + i], r[col::AND + i]);
            out.send(BYTES, &[x, y, n, x + y - n, x + y - n - n], active);
        }
    }
}

/// Fills the rows of `requests` into `rows` (zeroed, [`WIDTH`] cells a row, at least one row
/// per request), recording byte-pair lookups in `lookups` if given. Row `i` depends on request
/// `i` alone, so any slice of the requests gives the matching slice of the table's trace.
pub fn bitwise_rows(requests: &[AluRequest], rows: &mut [Felt], mut lookups: Option<&mut Lookups>) {
    for (row, req) in rows.chunks_exact_mut(WIDTH).zip(requests) {
        debug_assert!(
            matches!(req.op, op::XOR | op::OR | op::AND),
            "bitwise_rows got opcode {}",
            req.op
        );
        let (a, sel) = match req.op {
            op::XOR => (req.b ^ req.c, col::IS_XOR),
            op::OR => (req.b | req.c, col::IS_OR),
            op::AND => (req.b & req.c, col::IS_AND),
            // Not ours (a caller bug): leave the row as inactive padding.
            _ => continue,
        };
        let (bb, cb) = (req.b.to_le_bytes(), req.c.to_le_bytes());
        for i in 0..4 {
            row[col::B + i] = Felt::from_u8(bb[i]);
            row[col::C + i] = Felt::from_u8(cb[i]);
            row[col::AND + i] = Felt::from_u8(bb[i] & cb[i]);
            if let Some(l) = lookups.as_deref_mut() {
                l.bytes.add(bb[i], cb[i]);
            }
        }
        row[col::A] = Felt::from_u32(a);
        row[sel] = Felt::ONE;
    }
}
