//! The MUL table: proves `MUL`, `MULH`, `MULHSU` and `MULHU` requests as the low or high word
//! of one 64-bit product of sign- or zero-extended operands ([`limbs`](super::limbs)).
//!
//! ## Columns
//! | # | name | meaning |
//! |---|---|---|
//! | 0..4 | `f_mul, f_mulh, f_mulhsu, f_mulhu` | opcode selectors |
//! | 4, 5 | `b_0`, `b_1` | 16-bit limbs of `b` |
//! | 6, 7 | `c_0`, `c_1` | 16-bit limbs of `c` |
//! | 8, 9 | `b_top`, `c_top` | bit 31 of `b`, of `c` |
//! | 10, 11 | `sb`, `sc` | the sign extension used: `b_top` for `MULH`/`MULHSU`, `c_top` for `MULH`, else 0 |
//! | 12..16 | `r_0..r_3` | 16-bit limbs of the 64-bit product |
//! | 16..24 | carries | `lo, hi` per limb position (see [`limbs`](super::limbs)) |
//! | 24 | `a` | the result |
//!
//! Padding rows are all zero (no selector set: they receive and send nothing).
//!
//! ## Constraints (every row; `active` = the selectors' sum)
//! | constraint | degree |
//! |---|---|
//! | selectors, `active`, `b_top`, `c_top` boolean | 2 |
//! | `sb = (f_mulh + f_mulhsu) b_top`, `sc = f_mulh c_top` | 2 |
//! | `ext(b, sb) ext(c, sc) = r (mod 2^64)`, limb-wise with carries | 2 |
//! | `a = f_mul (r_0 + 2^16 r_1) + (f_mulh + f_mulhsu + f_mulhu)(r_2 + 2^16 r_3)` | 2 |
//!
//! ## Bus interactions (multiplicity `active`, degree 1)
//! * receives `(opcode, b_0 + 2^16 b_1, c_0 + 2^16 c_1, a)` on [`ALU`];
//! * sends on [`RANGE16`]: `b_0`, `c_0`, `v_b = b_1 - 2^15 b_top` and `2 v_b`, `v_c` and
//!   `2 v_c` likewise, `r_0..r_3`, and the carries' checks.
//!
//! ## Soundness
//! On an active row exactly one selector is set. `v_b` and `2 v_b` in `[0, 2^16)` put `v_b`
//! in `[0, 2^15)`, so `b_1 = v_b + 2^15 b_top` is a 16-bit limb whose top bit is `b_top`:
//! the limbs decompose the received `b < 2^32` uniquely and `b_top` is its sign bit (likewise
//! `c`). So `ext(b, sb)` is `b` sign-extended for `MULH`/`MULHSU` and zero-extended
//! otherwise, `ext(c, sc)` sign-extended for `MULH` only, and the limb chain makes `r` the
//! low 64 bits of their product: the two's-complement 64-bit product of the operands as the
//! opcode reads them. `MUL` takes its low word (the same for every signedness), the others
//! its high word. All values are far below `p`.

use p3_field::PrimeCharacteristicRing;

use super::bus::{ALU, AluRequest, Lookups, RANGE16, op};
use super::limbs::{self, CARRY_COLUMNS};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Main column indices.
#[allow(missing_docs)]
pub mod col {
    /// Selectors, in [`OPS`](super::OPS) order.
    pub const F: usize = 0;
    pub const F_MUL: usize = 0;
    pub const F_MULH: usize = 1;
    pub const F_MULHSU: usize = 2;
    pub const F_MULHU: usize = 3;
    pub const B: usize = 4;
    pub const C: usize = 6;
    pub const B_TOP: usize = 8;
    pub const C_TOP: usize = 9;
    pub const SB: usize = 10;
    pub const SC: usize = 11;
    /// Product limbs `r_0..r_3`.
    pub const R: usize = 12;
    /// Carries, `lo, hi` per limb position.
    pub const CARRY: usize = 16;
    pub const A: usize = 24;
}

/// Number of main columns.
pub const WIDTH: usize = col::CARRY + CARRY_COLUMNS + 1;

/// The opcodes, in selector order.
pub const OPS: [u32; 4] = [op::MUL, op::MULH, op::MULHSU, op::MULHU];

/// Sends `v = hi - 2^15 top` and `2 v` on RANGE16: `hi` is a 16-bit limb with top bit `top`.
pub(crate) fn send_top_bit<E: Expr, C: Constraints<E>>(out: &mut C, hi: E, top: E, active: E) {
    let v = hi - E::constant(1 << 15) * top;
    out.send(RANGE16, &[v], active);
    out.send(RANGE16, &[v + v], active);
}

/// Records [`send_top_bit`]'s lookups for the 32-bit value `x`.
pub(crate) fn count_top_bit(range: &mut super::bus::RangeCounts, x: u32) {
    let v = ((x >> 16) & 0x7FFF) as u16;
    range.add(v);
    range.add(v << 1);
}

/// The MUL table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MulAir;

impl Air for MulAir {
    fn name(&self) -> &str {
        "mul"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let r = vars.local;
        let k = |x: u64| E::constant(x);
        let two16 = k(1 << 16);
        let (active, opcode) = super::selectors(out, &r[col::F..col::F + OPS.len()], &OPS);
        let (b_top, c_top, sb, sc) = (r[col::B_TOP], r[col::C_TOP], r[col::SB], r[col::SC]);
        out.assert_bool(b_top);
        out.assert_bool(c_top);
        out.assert_eq(sb, (r[col::F_MULH] + r[col::F_MULHSU]) * b_top);
        out.assert_eq(sc, r[col::F_MULH] * c_top);

        let x = limbs::extend(r[col::B], r[col::B + 1], sb);
        let y = limbs::extend(r[col::C], r[col::C + 1], sc);
        let w: [E; 4] = std::array::from_fn(|i| r[col::R + i]);
        let carries = limbs::carries(r, col::CARRY);
        limbs::assert_mul_add(out, &x, &y, &[E::zero(); 4], &w, &carries);
        let high = r[col::F_MULH] + r[col::F_MULHSU] + r[col::F_MULHU];
        out.assert_eq(
            r[col::A],
            r[col::F_MUL] * (w[0] + two16 * w[1]) + high * (w[2] + two16 * w[3]),
        );

        let b = r[col::B] + two16 * r[col::B + 1];
        let c = r[col::C] + two16 * r[col::C + 1];
        out.receive(ALU, &[opcode, b, c, r[col::A]], active);
        out.send(RANGE16, &[r[col::B]], active);
        out.send(RANGE16, &[r[col::C]], active);
        send_top_bit(out, r[col::B + 1], b_top, active);
        send_top_bit(out, r[col::C + 1], c_top, active);
        for wi in w {
            out.send(RANGE16, &[wi], active);
        }
        limbs::send_carry_checks(out, r, col::CARRY, active);
    }
}

/// Fills the rows of `requests` (only the four `MUL*` opcodes) into `rows` (zeroed, [`WIDTH`]
/// cells a row, at least one row per request), recording range checks in `lookups` if given.
/// Row `i` depends on request `i` alone.
pub fn mul_rows(requests: &[AluRequest], rows: &mut [Felt], mut lookups: Option<&mut Lookups>) {
    for (row, req) in rows.chunks_exact_mut(WIDTH).zip(requests) {
        let Some(sel) = OPS.iter().position(|&o| o == req.op) else {
            debug_assert!(false, "mul_rows got opcode {}", req.op);
            continue;
        };
        let (b, c) = (req.b, req.c);
        let b_signed = matches!(req.op, op::MULH | op::MULHSU);
        let c_signed = req.op == op::MULH;
        let (x, y) = (limbs::limbs(b, b_signed), limbs::limbs(c, c_signed));
        let (w, carries) = limbs::mul_add(&x, &y, &[0; 4]);
        let a = req.result();
        debug_assert_eq!(
            u64::from(a),
            if req.op == op::MUL {
                w[0] | w[1] << 16
            } else {
                w[2] | w[3] << 16
            }
        );
        row[col::F + sel] = Felt::ONE;
        row[col::B] = Felt::from_u32(b & 0xFFFF);
        row[col::B + 1] = Felt::from_u32(b >> 16);
        row[col::C] = Felt::from_u32(c & 0xFFFF);
        row[col::C + 1] = Felt::from_u32(c >> 16);
        row[col::B_TOP] = Felt::from_u32(b >> 31);
        row[col::C_TOP] = Felt::from_u32(c >> 31);
        row[col::SB] = Felt::from_bool(b_signed && b >> 31 == 1);
        row[col::SC] = Felt::from_bool(c_signed && c >> 31 == 1);
        for i in 0..4 {
            row[col::R + i] = Felt::from_u64(w[i]);
        }
        row[col::A] = Felt::from_u32(a);
        limbs::put_carries(row, col::CARRY, &carries);
        if let Some(l) = lookups.as_deref_mut() {
            let range = &mut l.range;
            range.add(b as u16);
            range.add(c as u16);
            count_top_bit(range, b);
            count_top_bit(range, c);
            for &wi in &w {
                range.add(wi as u16);
            }
            limbs::count_carries(range, &carries);
        }
    }
}
