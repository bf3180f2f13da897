//! The DIV table: proves `DIV`, `DIVU`, `REM` and `REMU` requests through the identity
//! `b = c q + r` with the remainder bounded, on 64-bit limbs ([`limbs`](super::limbs)),
//! including division by zero and the signed overflow `INT_MIN / -1`.
//!
//! ## Columns
//! | # | name | meaning |
//! |---|---|---|
//! | 0..4 | `f_div, f_divu, f_rem, f_remu` | opcode selectors |
//! | 4..12 | `b_0, b_1, c_0, c_1, q_0, q_1, r_0, r_1` | 16-bit limbs of dividend, divisor, quotient, remainder |
//! | 12, 13, 14 | `b_top`, `c_top`, `r_top` | bit 31 of `b`, `c`, `r` |
//! | 15, 16, 17 | `sb`, `sc`, `sr` | those bits on signed rows (`signed = f_div + f_rem`), else 0 |
//! | 18 | `sq` | the quotient's sign extension (a free bit on signed rows, 0 otherwise) |
//! | 19, 20 | `c_inv`, `cz` | `cz = [c = 0]` and the inverse witness |
//! | 21, 22 | `d_lo`, `d_hi` | limbs of `d = |c| - |r| - 1` (0 when `c = 0`) |
//! | 23..31 | carries | `lo, hi` per limb position |
//! | 31 | `a` | the result: `q` (`DIV`, `DIVU`) or `r` (`REM`, `REMU`) |
//!
//! `b`, `c`, `q`, `r` are their limbs' linear combinations. Padding rows are all zero.
//!
//! ## Constraints (every row; `active` = the selectors' sum, `nz = active - cz`)
//! | constraint | degree |
//! |---|---|
//! | selectors, `active`, `*_top`, `sq`, `cz` boolean | 2 |
//! | `sb = signed b_top`, `sc = signed c_top`, `sr = signed r_top`, `(1 - signed) sq = 0` | 2 |
//! | `active (c c_inv - 1 + cz) = 0`, `cz c = 0` | 3 |
//! | `cz (q - (2^32 - 1)) = 0`, `cz (r - b) = 0` | 2 |
//! | `ext(c, sc) ext(q, sq) + ext(r, sr) = ext(b, sb) (mod 2^64)`, limb-wise with carries | 2 |
//! | `nz (|c| - |r| - 1 - d) = 0` with `|x| = (1 - 2 sx)(x - 2^32 sx)` | 3 |
//! | `sr (1 - sb) = 0`, `sb (1 - sr) r = 0` | 3 |
//! | `a = (f_div + f_divu) q + (f_rem + f_remu) r` | 2 |
//!
//! ## Bus interactions (multiplicity `active`, degree 1)
//! * receives `(opcode, b, c, a)` on [`ALU`](super::bus::ALU);
//! * sends on [`RANGE16`](super::bus::RANGE16): `b_0`, `c_0`, `q_0`, `q_1`, `r_0`, the
//!   top-bit pairs of `b_1`, `c_1`, `r_1` (as in [`mul`](super::mul)), `d_lo`, `d_hi`, and
//!   the carries' checks.
//!
//! ## Soundness
//! On an active row exactly one selector is set; the limbs decompose `b`, `c` (as received,
//! below `2^32`), `q` and `r` uniquely, and the top bits are their sign bits. With
//! `b_s = b - 2^32 sb` (the dividend as the opcode reads it; likewise `c_s`, `r_s`) and
//! `Q = q - 2^32 sq`, the limb chain states `c_s Q + r_s = b_s (mod 2^64)`. Since
//! `|c_s| <= 2^32`, `|Q| <= 2^32` (`2^31` and `2^32` on signed rows) and `|r_s|, |b_s| < 2^32`,
//! both sides differ by less than `2^64`, so the identity holds over the integers.
//! * `c != 0` (`cz = 0` by the inverse witness): `|r_s| < |c_s|` (`d >= 0`), and `r_s` is 0 or
//!   has the sign of `b_s`. Truncated division has exactly one such `(Q, r_s)`, so `r` is the
//!   specified remainder and `Q` the quotient rounded towards zero. `Q` lies in
//!   `[-2^31, 2^31]` on signed rows and `[0, 2^32)` on unsigned ones, and `q = Q mod 2^32` with
//!   `sq` the borrow: `INT_MIN / -1` has `Q = 2^31`, so `q = 2^31 = INT_MIN` with `sq = 0`, as
//!   the specification says. This is why `sq` is a free bit, not `q`'s top bit.
//! * `c = 0` (`cz = 1`, since `c c_inv = 1` is impossible): `q = 2^32 - 1` and `r = b`,
//!   the specified results; the identity holds (`r_s = b_s` because `r_top = b_top`) and the
//!   remainder bound is off (`nz = 0`).

use p3_field::PrimeCharacteristicRing;

use super::bus::{ALU, AluRequest, Lookups, RANGE16, op};
use super::limbs::{self, CARRY_COLUMNS};
use super::mul::{count_top_bit, send_top_bit};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Main column indices.
#[allow(missing_docs)]
pub mod col {
    /// Selectors, in [`OPS`](super::OPS) order.
    pub const F: usize = 0;
    pub const F_DIV: usize = 0;
    pub const F_DIVU: usize = 1;
    pub const F_REM: usize = 2;
    pub const F_REMU: usize = 3;
    pub const B: usize = 4;
    pub const C: usize = 6;
    pub const Q: usize = 8;
    pub const R: usize = 10;
    pub const B_TOP: usize = 12;
    pub const C_TOP: usize = 13;
    pub const R_TOP: usize = 14;
    pub const SB: usize = 15;
    pub const SC: usize = 16;
    pub const SR: usize = 17;
    pub const SQ: usize = 18;
    pub const C_INV: usize = 19;
    pub const CZ: usize = 20;
    pub const D: usize = 21;
    /// Carries, `lo, hi` per limb position.
    pub const CARRY: usize = 23;
    pub const A: usize = 31;
}

/// Number of main columns.
pub const WIDTH: usize = col::CARRY + CARRY_COLUMNS + 1;

/// The opcodes, in selector order.
pub const OPS: [u32; 4] = [op::DIV, op::DIVU, op::REM, op::REMU];

/// The DIV table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DivAir;

impl Air for DivAir {
    fn name(&self) -> &str {
        "div"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let r = vars.local;
        let k = |x: u64| E::constant(x);
        let one = E::one();
        let two16 = k(1 << 16);
        let two32 = k(1 << 32);
        let (active, opcode) = super::selectors(out, &r[col::F..col::F + OPS.len()], &OPS);
        let signed = r[col::F_DIV] + r[col::F_REM];
        for c in [col::B_TOP, col::C_TOP, col::R_TOP, col::SQ, col::CZ] {
            out.assert_bool(r[c]);
        }
        let (sb, sc, sr, sq) = (r[col::SB], r[col::SC], r[col::SR], r[col::SQ]);
        out.assert_eq(sb, signed * r[col::B_TOP]);
        out.assert_eq(sc, signed * r[col::C_TOP]);
        out.assert_eq(sr, signed * r[col::R_TOP]);
        out.assert_zero((one - signed) * sq);

        let value = |base: usize| r[base] + two16 * r[base + 1];
        let (b, c, q, rem) = (value(col::B), value(col::C), value(col::Q), value(col::R));
        let cz = r[col::CZ];
        out.assert_zero(active * (c * r[col::C_INV] - one + cz));
        out.assert_zero(cz * c);
        out.assert_zero(cz * (q - k(u32::MAX.into())));
        out.assert_zero(cz * (rem - b));

        let ext = |base: usize, sign: E| limbs::extend(r[base], r[base + 1], sign);
        let carries = limbs::carries(r, col::CARRY);
        limbs::assert_mul_add(
            out,
            &ext(col::C, sc),
            &ext(col::Q, sq),
            &ext(col::R, sr),
            &ext(col::B, sb),
            &carries,
        );

        let abs = |x: E, s: E| (one - s - s) * (x - two32 * s);
        let d = value(col::D);
        out.assert_zero((active - cz) * (abs(c, sc) - abs(rem, sr) - one - d));
        out.assert_zero(sr * (one - sb));
        out.assert_zero(sb * (one - sr) * rem);
        out.assert_eq(
            r[col::A],
            (r[col::F_DIV] + r[col::F_DIVU]) * q + (r[col::F_REM] + r[col::F_REMU]) * rem,
        );

        out.receive(ALU, &[opcode, b, c, r[col::A]], active);
        for c in [
            col::B,
            col::C,
            col::Q,
            col::Q + 1,
            col::R,
            col::D,
            col::D + 1,
        ] {
            out.send(RANGE16, &[r[c]], active);
        }
        send_top_bit(out, r[col::B + 1], r[col::B_TOP], active);
        send_top_bit(out, r[col::C + 1], r[col::C_TOP], active);
        send_top_bit(out, r[col::R + 1], r[col::R_TOP], active);
        limbs::send_carry_checks(out, r, col::CARRY, active);
    }
}

/// Fills the rows of `requests` (only the four division opcodes) into `rows` (zeroed,
/// [`WIDTH`] cells a row, at least one row per request), recording range checks in `lookups`
/// if given. Row `i` depends on request `i` alone.
pub fn div_rows(requests: &[AluRequest], rows: &mut [Felt], mut lookups: Option<&mut Lookups>) {
    for (row, req) in rows.chunks_exact_mut(WIDTH).zip(requests) {
        let Some(sel) = OPS.iter().position(|&o| o == req.op) else {
            debug_assert!(false, "div_rows got opcode {}", req.op);
            continue;
        };
        let (b, c) = (req.b, req.c);
        let signed = matches!(req.op, op::DIV | op::REM);
        let (div_op, rem_op) = if signed {
            (op::DIV, op::REM)
        } else {
            (op::DIVU, op::REMU)
        };
        let q = super::bus::alu_result(div_op, b, c);
        let rem = super::bus::alu_result(rem_op, b, c);
        // The quotient as an integer: its sign extension is set when it is negative, which
        // excludes the overflow quotient +2^31 (and, for c = 0, either choice works).
        let q_true: i64 = if !signed {
            i64::from(q)
        } else if c == 0 {
            -1
        } else {
            i64::from(b as i32) / i64::from(c as i32)
        };
        let sq = q_true < 0;
        let cz = c == 0;
        let abs = |x: u32| {
            if signed { (x as i32).unsigned_abs() } else { x }
        };
        let d = if cz { 0 } else { abs(c) - abs(rem) - 1 };
        let x = limbs::limbs(c, signed);
        let mut y = limbs::limbs(q, false);
        if sq {
            y[2] = 0xFFFF;
            y[3] = 0xFFFF;
        }
        let z = limbs::limbs(rem, signed);
        let (w, carries) = limbs::mul_add(&x, &y, &z);
        debug_assert_eq!(w, limbs::limbs(b, signed), "{req:?}");

        row[col::F + sel] = Felt::ONE;
        for (base, v) in [
            (col::B, b),
            (col::C, c),
            (col::Q, q),
            (col::R, rem),
            (col::D, d),
        ] {
            row[base] = Felt::from_u32(v & 0xFFFF);
            row[base + 1] = Felt::from_u32(v >> 16);
        }
        row[col::B_TOP] = Felt::from_u32(b >> 31);
        row[col::C_TOP] = Felt::from_u32(c >> 31);
        row[col::R_TOP] = Felt::from_u32(rem >> 31);
        row[col::SB] = Felt::from_bool(signed && b >> 31 == 1);
        row[col::SC] = Felt::from_bool(signed && c >> 31 == 1);
        row[col::SR] = Felt::from_bool(signed && rem >> 31 == 1);
        row[col::SQ] = Felt::from_bool(sq);
        row[col::CZ] = Felt::from_bool(cz);
        row[col::C_INV] = if cz {
            Felt::ZERO
        } else {
            p3_field::Field::inverse(&Felt::from_u32(c))
        };
        row[col::A] = Felt::from_u32(req.result());
        limbs::put_carries(row, col::CARRY, &carries);
        if let Some(l) = lookups.as_deref_mut() {
            let range = &mut l.range;
            for v in [b as u16, c as u16, q as u16, (q >> 16) as u16, rem as u16] {
                range.add(v);
            }
            range.add_u32(d);
            for v in [b, c, rem] {
                count_top_bit(range, v);
            }
            limbs::count_carries(range, &carries);
        }
    }
}
