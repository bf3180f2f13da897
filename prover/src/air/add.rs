//! The ADD table: proves `ADD` and `SUB` requests, `a = b ± c mod 2^32`.
//!
//! ## Columns
//! | # | name | meaning |
//! |---|---|---|
//! | 0 | `b` | first operand |
//! | 1 | `c` | second operand |
//! | 2 | `a` | result |
//! | 3 | `is_add` | 1 on an `ADD` row |
//! | 4 | `is_sub` | 1 on a `SUB` row |
//! | 5 | `carry` | `ADD`: the carry out of bit 31; `SUB`: the borrow |
//! | 6 | `a_lo` | `a mod 2^16` |
//! | 7 | `a_hi` | `a >> 16` |
//!
//! Padding rows are all zero (`is_add = is_sub = 0`: they receive and send nothing).
//!
//! ## Constraints (every row)
//! | constraint | degree |
//! |---|---|
//! | `is_add`, `is_sub`, `carry` boolean | 2 |
//! | `is_add * is_sub = 0` | 2 |
//! | `a = a_lo + 2^16 a_hi` | 1 |
//! | `is_add * (b + c - a - 2^32 carry) = 0` | 2 |
//! | `is_sub * (a + c - b - 2^32 carry) = 0` | 2 |
//!
//! ## Bus interactions (multiplicity `active = is_add + is_sub`, degree 1)
//! * receives `(ADD is_add + SUB is_sub, b, c, a)` on [`ALU`];
//! * sends `(a_lo)` and `(a_hi)` on [`RANGE16`].
//!
//! ## Soundness
//! On a row with `active = 1` exactly one of `is_add`, `is_sub` is 1, so the received opcode
//! is `ADD` or `SUB` and the matching equation holds. The sender guarantees `b, c < 2^32`, and
//! the range checks give `a_lo, a_hi < 2^16`, hence `a < 2^32`. For `ADD`, `b + c - a - 2^32
//! carry` lies in `(-2^33, 2^33)`, far below `p`, so it vanishes as an integer: `a + 2^32 carry
//! = b + c` with `carry ∈ {0, 1}` and `0 <= a < 2^32` is the unique `a = b + c mod 2^32`. `SUB`
//! is the same with `a + c = b + 2^32 borrow`.

use p3_field::PrimeCharacteristicRing;

use super::bus::{ALU, AluRequest, Lookups, RANGE16, op};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Main column indices.
pub mod col {
    /// First operand.
    pub const B: usize = 0;
    /// Second operand.
    pub const C: usize = 1;
    /// Result.
    pub const A: usize = 2;
    /// 1 on an `ADD` row.
    pub const IS_ADD: usize = 3;
    /// 1 on a `SUB` row.
    pub const IS_SUB: usize = 4;
    /// Carry (`ADD`) or borrow (`SUB`).
    pub const CARRY: usize = 5;
    /// Low 16 bits of the result.
    pub const A_LO: usize = 6;
    /// High 16 bits of the result.
    pub const A_HI: usize = 7;
}

/// Number of main columns.
pub const WIDTH: usize = 8;

/// The ADD/SUB table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddAir;

impl Air for AddAir {
    fn name(&self) -> &str {
        "add"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let r = vars.local;
        let (b, c, a) = (r[col::B], r[col::C], r[col::A]);
        let (is_add, is_sub, carry) = (r[col::IS_ADD], r[col::IS_SUB], r[col::CARRY]);
        let (a_lo, a_hi) = (r[col::A_LO], r[col::A_HI]);
        let two16 = E::constant(1 << 16);
        let two32 = E::constant(1 << 32);

        out.assert_bool(is_add);
        out.assert_bool(is_sub);
        out.assert_bool(carry);
        out.assert_zero(is_add * is_sub);
        out.assert_eq(a, a_lo + two16 * a_hi);
        out.assert_zero(is_add * (b + c - a - two32 * carry));
        out.assert_zero(is_sub * (a + c - b - two32 * carry));

        let active = is_add + is_sub;
        let opcode = is_add * E::constant(op::ADD.into()) + is_sub * E::constant(op::SUB.into());
        out.receive(ALU, &[opcode, b, c, a], active);
        out.send(RANGE16, &[a_lo], active);
        out.send(RANGE16, &[a_hi], active);
    }
}

/// Fills the rows of `requests` into `rows` (zeroed, [`WIDTH`] cells a row, at least one row
/// per request), recording range checks in `lookups` if given. Row `i` depends on request `i`
/// alone, so any slice of the requests gives the matching slice of the table's trace.
pub fn add_rows(requests: &[AluRequest], rows: &mut [Felt], mut lookups: Option<&mut Lookups>) {
    for (row, req) in rows.chunks_exact_mut(WIDTH).zip(requests) {
        debug_assert!(
            req.op == op::ADD || req.op == op::SUB,
            "add_rows got opcode {}",
            req.op
        );
        let is_add = req.op == op::ADD;
        let (a, carry) = if is_add {
            req.b.overflowing_add(req.c)
        } else {
            req.b.overflowing_sub(req.c)
        };
        row[col::B] = Felt::from_u32(req.b);
        row[col::C] = Felt::from_u32(req.c);
        row[col::A] = Felt::from_u32(a);
        row[col::IS_ADD] = Felt::from_bool(is_add);
        row[col::IS_SUB] = Felt::from_bool(!is_add);
        row[col::CARRY] = Felt::from_bool(carry);
        row[col::A_LO] = Felt::from_u32(a & 0xffff);
        row[col::A_HI] = Felt::from_u32(a >> 16);
        if let Some(l) = lookups.as_deref_mut() {
            l.range.add_u32(a);
        }
    }
}
