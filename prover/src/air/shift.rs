//! The SHIFT table: proves `SLL`, `SRL` and `SRA` requests (and so the immediate forms),
//! `a = b << s`, `b >> s` or `b >>_s s` with `s = c & 31`, by a multiplication with
//! `pow = 2^s`.
//!
//! ## Columns
//! | # | name | meaning |
//! |---|---|---|
//! | 0, 1, 2 | `f_sll`, `f_srl`, `f_sra` | opcode selectors |
//! | 3..8 | `s_0..s_4` | bits of the shift amount `s = c & 31` |
//! | 8, 9 | `h_lo`, `h_hi` | 16-bit limbs of `c >> 5` (`h_hi < 2^11`) |
//! | 10, 11, 12 | `p_1`, `p_2`, `p_3` | partial products of `pow` |
//! | 13 | `pow` | `2^s` |
//! | 14, 15 | `a_lo`, `a_hi` | 16-bit limbs of the result `a` |
//! | 16, 17 | `x_lo`, `x_hi` | limbs of `x`: the bits shifted out (`x_hi < 2^15`) |
//! | 18, 19 | `d_lo`, `d_hi` | limbs of `d = pow - 1 - x` for right shifts (`d_hi < 2^15`) |
//! | 20 | `sign` | bit 31 of `b` |
//! | 21, 22 | `t_lo`, `t_hi` | limbs of `t = b - 2^31 sign` (`t_hi < 2^15`) |
//!
//! `b = 2^31 sign + t_lo + 2^16 t_hi`, `c = sum 2^i s_i + 32 (h_lo + 2^16 h_hi)`,
//! `a = a_lo + 2^16 a_hi` and `x = x_lo + 2^16 x_hi` are linear expressions, not columns.
//! Padding rows are all zero (no selector set: they receive and send nothing).
//!
//! ## Constraints (every row; `active = f_sll + f_srl + f_sra`)
//! | constraint | degree |
//! |---|---|
//! | `f_sll`, `f_srl`, `f_sra`, `active`, `s_i`, `sign` boolean | 2 |
//! | `active (p_1 - (1 + s_0)(1 + 3 s_1)) = 0` | 3 |
//! | `active (p_2 - p_1 (1 + 15 s_2)) = 0`, `active (p_3 - p_2 (1 + 255 s_3)) = 0` | 3 |
//! | `active (pow - p_3 (1 + 65535 s_4)) = 0` | 3 |
//! | `f_sll (b pow - a - 2^32 x) = 0` | 3 |
//! | `f_srl (a pow + x - b) = 0` | 3 |
//! | `f_sra (a pow + x - b - 2^32 sign (pow - 1)) = 0` | 3 |
//! | `(f_srl + f_sra)(pow - 1 - x - d) = 0` | 2 |
//!
//! ## Bus interactions (multiplicity `active`, degree 1)
//! * receives `(SLL f_sll + SRL f_srl + SRA f_sra, b, c, a)` on [`ALU`];
//! * sends on [`RANGE16`]: `h_lo`, `h_hi`, `2^5 h_hi`, `a_lo`, `a_hi`, `x_lo`, `x_hi`,
//!   `2 x_hi`, `d_lo`, `d_hi`, `2 d_hi`, `t_lo`, `t_hi`, `2 t_hi`. A limb bounded below
//!   `2^16` is looked up twice, as itself and scaled up to 16 bits: the scaled lookup alone
//!   would not bound it in a prime field, the pair does.
//!
//! ## Soundness
//! Take a row with `active = 1`: exactly one selector is set, so the received opcode is that
//! row's. The sender guarantees `b, c < 2^32`; the lookups give `a < 2^32`, `x, d, t < 2^31`
//! and `c >> 5 < 2^27`.
//! * `t = b - 2^31 sign` in `[0, 2^31)` with `sign` boolean makes `sign` bit 31 of `b`.
//! * `c = s + 32 h` with `s` in `[0, 32)` (five bits) and `h < 2^27` is the unique split,
//!   so `s = c & 31`, and the product chain gives `pow = 2^s <= 2^31`.
//! * Every side of the three shift equations is below `2^63 + 2^32 < p`, so each holds over
//!   the integers. **SLL**: `b pow = a + 2^32 x` with `a < 2^32` makes `a = (b << s) mod
//!   2^32`. The bound on `x` matters: with `x = 2^32 - 1`, `2^32 x = p - 1` and
//!   `a = b pow + 1` would balance mod `p`. **SRL**: `b = a pow + x` with `0 <= x < pow`
//!   (`d >= 0`) is floor division, `a = b >> s`. **SRA**: with `b_s = b - 2^32 sign` (the
//!   signed value), the equation reads `(a - 2^32 sign) pow + x = b_s`, so
//!   `a - 2^32 sign = floor(b_s / pow)`, the arithmetic shift, and `a` is its 32-bit two's
//!   complement (in `[2^31, 2^32)` when `sign = 1`).

use p3_field::PrimeCharacteristicRing;

use super::bus::{ALU, AluRequest, Lookups, RANGE16, op};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Main column indices.
#[allow(missing_docs)]
pub mod col {
    pub const F_SLL: usize = 0;
    pub const F_SRL: usize = 1;
    pub const F_SRA: usize = 2;
    /// Bits `s_0..s_4` of the shift amount.
    pub const S: usize = 3;
    pub const H_LO: usize = 8;
    pub const H_HI: usize = 9;
    pub const P1: usize = 10;
    pub const P2: usize = 11;
    pub const P3: usize = 12;
    pub const POW: usize = 13;
    pub const A_LO: usize = 14;
    pub const A_HI: usize = 15;
    pub const X_LO: usize = 16;
    pub const X_HI: usize = 17;
    pub const D_LO: usize = 18;
    pub const D_HI: usize = 19;
    pub const SIGN: usize = 20;
    pub const T_LO: usize = 21;
    pub const T_HI: usize = 22;
}

/// Number of main columns.
pub const WIDTH: usize = 23;

/// The SLL/SRL/SRA table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShiftAir;

impl Air for ShiftAir {
    fn name(&self) -> &str {
        "shift"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let r = vars.local;
        let k = |x: u64| E::constant(x);
        let one = E::one();
        let limbs = |lo: usize| r[lo] + k(1 << 16) * r[lo + 1];
        let (f_sll, f_srl, f_sra) = (r[col::F_SLL], r[col::F_SRL], r[col::F_SRA]);
        let (active, opcode) =
            super::selectors(out, &[f_sll, f_srl, f_sra], &[op::SLL, op::SRL, op::SRA]);
        let s = |i: usize| r[col::S + i];
        let (sign, pow) = (r[col::SIGN], r[col::POW]);
        out.assert_bool(sign);
        for i in 0..5 {
            out.assert_bool(s(i));
        }
        let (p1, p2, p3) = (r[col::P1], r[col::P2], r[col::P3]);
        out.assert_zero(active * (p1 - (one + s(0)) * (one + k(3) * s(1))));
        out.assert_zero(active * (p2 - p1 * (one + k(15) * s(2))));
        out.assert_zero(active * (p3 - p2 * (one + k(255) * s(3))));
        out.assert_zero(active * (pow - p3 * (one + k(65535) * s(4))));

        let b = k(1 << 31) * sign + limbs(col::T_LO);
        let shamt = (0..5).fold(E::zero(), |acc, i| acc + k(1 << i) * s(i));
        let c = shamt + k(32) * limbs(col::H_LO);
        let (a, x, d) = (limbs(col::A_LO), limbs(col::X_LO), limbs(col::D_LO));
        let two32 = k(1 << 32);
        out.assert_zero(f_sll * (b * pow - a - two32 * x));
        out.assert_zero(f_srl * (a * pow + x - b));
        out.assert_zero(f_sra * (a * pow + x - b - two32 * sign * (pow - one)));
        out.assert_zero((f_srl + f_sra) * (pow - one - x - d));

        out.receive(ALU, &[opcode, b, c, a], active);
        out.send(RANGE16, &[r[col::H_LO]], active);
        out.send(RANGE16, &[r[col::H_HI]], active);
        out.send(RANGE16, &[k(1 << 5) * r[col::H_HI]], active);
        out.send(RANGE16, &[r[col::A_LO]], active);
        out.send(RANGE16, &[r[col::A_HI]], active);
        for lo in [col::X_LO, col::D_LO, col::T_LO] {
            out.send(RANGE16, &[r[lo]], active);
            out.send(RANGE16, &[r[lo + 1]], active);
            out.send(RANGE16, &[k(2) * r[lo + 1]], active);
        }
    }
}

/// Fills the rows of `requests` (only `SLL`, `SRL`, `SRA`) into `rows` (zeroed, [`WIDTH`]
/// cells a row, at least one row per request), recording range checks in `lookups` if given.
/// Row `i` depends on request `i` alone, so any slice of the requests gives the matching slice
/// of the table's trace.
pub fn shift_rows(requests: &[AluRequest], rows: &mut [Felt], mut lookups: Option<&mut Lookups>) {
    for (row, req) in rows.chunks_exact_mut(WIDTH).zip(requests) {
        let sel = match req.op {
            op::SLL => col::F_SLL,
            op::SRL => col::F_SRL,
            op::SRA => col::F_SRA,
            other => {
                debug_assert!(false, "shift_rows got opcode {other}");
                continue;
            }
        };
        let (b, c) = (req.b, req.c);
        let s = c & 31;
        let h = c >> 5;
        let pow = 1u64 << s;
        let a = req.result();
        let x: u64 = if req.op == op::SLL {
            (u64::from(b) << s) >> 32
        } else {
            u64::from(b) & (pow - 1)
        };
        let d: u64 = if req.op == op::SLL { 0 } else { pow - 1 - x };
        let sign = b >> 31;
        let t = b & 0x7FFF_FFFF;
        let p1 = 1u64 << (s & 3);
        let p2 = 1u64 << (s & 7);
        let p3 = 1u64 << (s & 15);

        row[sel] = Felt::ONE;
        for i in 0..5 {
            row[col::S + i] = Felt::from_u32((s >> i) & 1);
        }
        let mut put = |lo: usize, v: u64| {
            row[lo] = Felt::from_u64(v & 0xFFFF);
            row[lo + 1] = Felt::from_u64(v >> 16);
        };
        put(col::H_LO, h.into());
        put(col::A_LO, a.into());
        put(col::X_LO, x);
        put(col::D_LO, d);
        put(col::T_LO, t.into());
        row[col::P1] = Felt::from_u64(p1);
        row[col::P2] = Felt::from_u64(p2);
        row[col::P3] = Felt::from_u64(p3);
        row[col::POW] = Felt::from_u64(pow);
        row[col::SIGN] = Felt::from_u32(sign);
        if let Some(l) = lookups.as_deref_mut() {
            let r = &mut l.range;
            r.add(h as u16);
            r.add((h >> 16) as u16);
            r.add(((h >> 16) << 5) as u16);
            r.add_u32(a);
            for v in [x, d, u64::from(t)] {
                r.add(v as u16);
                r.add((v >> 16) as u16);
                r.add(((v >> 16) << 1) as u16);
            }
        }
    }
}
