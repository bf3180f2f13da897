//! The LT table: proves `SLT` and `SLTU` requests, `a = [b < c]` (signed or unsigned).
//!
//! ## Columns
//! | # | name | meaning |
//! |---|---|---|
//! | 0 | `b` | first operand |
//! | 1 | `c` | second operand |
//! | 2 | `a` | result, 0 or 1 |
//! | 3 | `is_slt` | 1 on an `SLT` row |
//! | 4 | `is_sltu` | 1 on an `SLTU` row |
//! | 5 | `b_msb` | bit 31 of `b` |
//! | 6 | `c_msb` | bit 31 of `c` |
//! | 7, 8 | `yb_lo`, `yb_hi` | 16-bit limbs of `yb = 2b - 2^32 b_msb` (that is `2 (b mod 2^31)`) |
//! | 9, 10 | `yc_lo`, `yc_hi` | 16-bit limbs of `yc = 2c - 2^32 c_msb` |
//! | 11, 12 | `d_lo`, `d_hi` | 16-bit limbs of the difference `d` below |
//!
//! Padding rows are all zero (`is_slt = is_sltu = 0`: they receive and send nothing).
//!
//! ## Constraints (every row)
//! | constraint | degree |
//! |---|---|
//! | `is_slt`, `is_sltu`, `a`, `b_msb`, `c_msb` boolean | 2 |
//! | `is_slt * is_sltu = 0` | 2 |
//! | `yb_lo + 2^16 yb_hi = 2b - 2^32 b_msb` | 1 |
//! | `yc_lo + 2^16 yc_hi = 2c - 2^32 c_msb` | 1 |
//! | `d_lo + 2^16 d_hi = b - c + 2^32 a - 2^32 is_slt (b_msb - c_msb)` | 2 |
//!
//! ## Bus interactions (multiplicity `active = is_slt + is_sltu`, degree 1)
//! * receives `(SLT is_slt + SLTU is_sltu, b, c, a)` on [`ALU`];
//! * sends `(yb_lo)`, `(yb_hi)`, `(yc_lo)`, `(yc_hi)`, `(d_lo)`, `(d_hi)` on [`RANGE16`].
//!
//! ## Soundness
//! Take a row with `active = 1`: exactly one selector is set, the received opcode is `SLT` or
//! `SLTU`, the sender guarantees `b, c < 2^32`, and the range checks put every limb in
//! `[0, 2^16)`. Every quantity below has absolute value under `2^35`, far below `p`, so each
//! field equation holds over the integers.
//!
//! * **Sign bits.** `yb = yb_lo + 2^16 yb_hi` lies in `[0, 2^32)`. With `b_msb = 0` that says
//!   `2b < 2^32`, i.e. `b < 2^31`; with `b_msb = 1` it says `2b >= 2^32`, i.e. `b >= 2^31`. So
//!   `b_msb` is bit 31 of `b` (likewise `c_msb`). Each bit costs two lookups; the limbs are
//!   witness columns combined linearly, never a range check of `k * x` for a constant `k`
//!   (which would not bound `x` in a prime field).
//! * **Unsigned** (`is_slt = 0`): `d = b - c + 2^32 a` must lie in `[0, 2^32)`. If `b < c`,
//!   `b - c ∈ [-2^32 + 1, -1]` and only `a = 1` works; if `b >= c`, `b - c ∈ [0, 2^32)` and only
//!   `a = 0` works. So `a = [b < c]`.
//! * **Signed** (`is_slt = 1`): flipping bit 31 maps signed order onto unsigned order, and
//!   `b ^ 2^31 = b + 2^31 - 2^32 b_msb`, so `(b ^ 2^31) - (c ^ 2^31) = b - c - 2^32 (b_msb -
//!   c_msb)`. The constraint is the unsigned argument applied to the flipped operands, hence
//!   `a = [b <_s c]`.

use p3_field::PrimeCharacteristicRing;

use super::bus::{ALU, AluRequest, Lookups, RANGE16, op};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Main column indices.
pub mod col {
    /// First operand.
    pub const B: usize = 0;
    /// Second operand.
    pub const C: usize = 1;
    /// Result (0 or 1).
    pub const A: usize = 2;
    /// 1 on an `SLT` row.
    pub const IS_SLT: usize = 3;
    /// 1 on an `SLTU` row.
    pub const IS_SLTU: usize = 4;
    /// Bit 31 of `b`.
    pub const B_MSB: usize = 5;
    /// Bit 31 of `c`.
    pub const C_MSB: usize = 6;
    /// Low limb of `2b - 2^32 b_msb`.
    pub const YB_LO: usize = 7;
    /// High limb of `2b - 2^32 b_msb`.
    pub const YB_HI: usize = 8;
    /// Low limb of `2c - 2^32 c_msb`.
    pub const YC_LO: usize = 9;
    /// High limb of `2c - 2^32 c_msb`.
    pub const YC_HI: usize = 10;
    /// Low limb of the (sign-adjusted) difference.
    pub const D_LO: usize = 11;
    /// High limb of the (sign-adjusted) difference.
    pub const D_HI: usize = 12;
}

/// Number of main columns.
pub const WIDTH: usize = 13;

/// The SLT/SLTU table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LtAir;

impl Air for LtAir {
    fn name(&self) -> &str {
        "lt"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let r = vars.local;
        let (b, c, a) = (r[col::B], r[col::C], r[col::A]);
        let (is_slt, is_sltu) = (r[col::IS_SLT], r[col::IS_SLTU]);
        let (b_msb, c_msb) = (r[col::B_MSB], r[col::C_MSB]);
        let two16 = E::constant(1 << 16);
        let two32 = E::constant(1 << 32);
        let limbs = |lo: usize, hi: usize| r[lo] + two16 * r[hi];

        out.assert_bool(is_slt);
        out.assert_bool(is_sltu);
        out.assert_bool(a);
        out.assert_bool(b_msb);
        out.assert_bool(c_msb);
        out.assert_zero(is_slt * is_sltu);
        out.assert_eq(limbs(col::YB_LO, col::YB_HI), b + b - two32 * b_msb);
        out.assert_eq(limbs(col::YC_LO, col::YC_HI), c + c - two32 * c_msb);
        out.assert_eq(
            limbs(col::D_LO, col::D_HI),
            b - c + two32 * a - two32 * is_slt * (b_msb - c_msb),
        );

        let active = is_slt + is_sltu;
        let opcode = is_slt * E::constant(op::SLT.into()) + is_sltu * E::constant(op::SLTU.into());
        out.receive(ALU, &[opcode, b, c, a], active);
        for limb in [
            col::YB_LO,
            col::YB_HI,
            col::YC_LO,
            col::YC_HI,
            col::D_LO,
            col::D_HI,
        ] {
            out.send(RANGE16, &[r[limb]], active);
        }
    }
}

/// Fills the rows of `requests` into `rows` (zeroed, [`WIDTH`] cells a row, at least one row
/// per request), recording range checks in `lookups` if given. Row `i` depends on request `i`
/// alone, so any slice of the requests gives the matching slice of the table's trace.
pub fn lt_rows(requests: &[AluRequest], rows: &mut [Felt], mut lookups: Option<&mut Lookups>) {
    for (row, req) in rows.chunks_exact_mut(WIDTH).zip(requests) {
        debug_assert!(
            req.op == op::SLT || req.op == op::SLTU,
            "lt_rows got opcode {}",
            req.op
        );
        let signed = req.op == op::SLT;
        let (b, c) = (req.b, req.c);
        let (b_msb, c_msb) = (b >> 31, c >> 31);
        // 2b - 2^32 b_msb, i.e. b without its top bit, shifted left once.
        let (yb, yc) = (b << 1, c << 1);
        let a = if signed {
            u32::from((b as i32) < (c as i32))
        } else {
            u32::from(b < c)
        };
        // b - c + 2^32 a, on the flipped operands when signed; in [0, 2^32) by construction.
        let (bf, cf) = if signed {
            (b ^ (1 << 31), c ^ (1 << 31))
        } else {
            (b, c)
        };
        let d = bf.wrapping_sub(cf);

        row[col::B] = Felt::from_u32(b);
        row[col::C] = Felt::from_u32(c);
        row[col::A] = Felt::from_u32(a);
        row[col::IS_SLT] = Felt::from_bool(signed);
        row[col::IS_SLTU] = Felt::from_bool(!signed);
        row[col::B_MSB] = Felt::from_u32(b_msb);
        row[col::C_MSB] = Felt::from_u32(c_msb);
        for (lo, v) in [(col::YB_LO, yb), (col::YC_LO, yc), (col::D_LO, d)] {
            row[lo] = Felt::from_u32(v & 0xffff);
            row[lo + 1] = Felt::from_u32(v >> 16);
            if let Some(l) = lookups.as_deref_mut() {
                l.range.add_u32(v);
            }
        }
    }
}
