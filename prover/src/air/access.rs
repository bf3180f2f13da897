//! The ACCESS table: proves what a load or store does with the aligned RAM word it touches
//! (byte selection, sign or zero extension, merging stored bytes, alignment rules).
//!
//! Memory is word-addressed: the CPU's RAM slot reads the word `old` at key `word` and
//! writes `new` there (offline memory checking, see [`cpu`](super::cpu)). For every load and
//! store the CPU sends `(mem_op, addr, word, old, new, rs2, load)` on [`ACCESS`]; this table
//! receives it and proves that `addr = 4 word + off` with the alignment `mem_op` requires,
//! that `new` is `old` with the stored bytes of `rs2` merged in (or `old` for a load), and
//! that `load` is the loaded, extended value (0 for a store). One row per access.
//!
//! ## Columns
//! | # | name | meaning |
//! |---|---|---|
//! | 0..8 | `f_lb, f_lh, f_lw, f_lbu, f_lhu, f_sb, f_sh, f_sw` | opcode selectors ([`mem_op`] order) |
//! | 8 | `word` | the word address `addr >> 2` |
//! | 9..13 | `s_0..s_3` | the byte offset `addr & 3`, one-hot |
//! | 13..17 | `w_0..w_3` | bytes of `old`, least significant first |
//! | 17..21 | `v_0..v_3` | bytes of `rs2` |
//! | 21 | `byte` | `sum s_i w_i`: the byte at the offset |
//! | 22 | `hi8` | `s_0 w_1 + s_2 w_3`: the byte above it, for halfword accesses |
//! | 23 | `bsign` | bit 7 of `byte` |
//! | 24 | `hsign` | bit 7 of `hi8` (bit 15 of the halfword) |
//! | 25 | `new` | the word after the access |
//! | 26 | `load` | the value loaded (0 for a store) |
//!
//! `old = sum 2^(8i) w_i`, `rs2 = sum 2^(8i) v_i`, `off = s_1 + 2 s_2 + 3 s_3`,
//! `pos = sum 2^(8i) s_i` (that is `2^(8 off)`), `half = byte + 2^8 hi8` and the opcode
//! `sum code_k f_k` are linear expressions, not columns. Padding rows are all zero.
//!
//! ## Constraints (every row; `active = sum f_k`)
//! | constraint | degree |
//! |---|---|
//! | every `f_k`, `active`, `s_i`, `bsign`, `hsign` boolean | 2 |
//! | `s_0 + s_1 + s_2 + s_3 = active` | 1 |
//! | `(f_lw + f_sw)(s_1 + s_2 + s_3) = 0` (word accesses are aligned) | 2 |
//! | `(f_lh + f_lhu + f_sh)(s_1 + s_3) = 0` (halfword accesses are aligned) | 2 |
//! | `byte = sum s_i w_i`, `hi8 = s_0 w_1 + s_2 w_3` | 2 |
//! | `load = f_lw old + (f_lb + f_lbu) byte + f_lb (2^32 - 2^8) bsign + (f_lh + f_lhu) half + f_lh (2^32 - 2^16) hsign` | 2 |
//! | `new = old + f_sw (rs2 - old) + (f_sb (v_0 - byte) + f_sh (v_0 + 2^8 v_1 - half)) pos` | 3 |
//!
//! ## Bus interactions (multiplicity `active`, degree 1)
//! * receives `(sum code_k f_k, 4 word + off, word, old, new, rs2, load)` on [`ACCESS`];
//! * sends `(w_0, w_1)`, `(w_2, w_3)`, `(v_0, v_1)`, `(v_2, v_3)` on [`BYTE_PAIRS`];
//! * sends `(byte, 2^7, 2^7 bsign, byte + 2^7 - 2^7 bsign, byte + 2^7 - 2^8 bsign)` and the
//!   same for `(hi8, hsign)` on [`BYTES`]: the AND with `0x80` is `2^7` times the sign bit.
//!
//! ## Soundness
//! Take a row with `active = 1`: exactly one selector is set, so the received opcode is
//! that access's, and exactly one `s_i` is set. The pair lookups make every `w_i`, `v_i` a
//! byte, so `old` and `rs2` as received are decomposed uniquely into their bytes. `byte` is
//! then the byte of `old` at the offset, and for the even offsets halfword accesses are
//! confined to, `hi8` is the byte above it and `half` the halfword. The BYTES lookups prove
//! `2^7 bsign = byte & 0x80`, so `bsign` is the byte's sign bit (likewise `hsign`), and the
//! `load` and `new` constraints state the RISC-V semantics of each opcode exactly. Every
//! value is below `2^42`, so nothing wraps mod `p`. Finally `addr` as received is the CPU's
//! `rs1 + imm mod 2^32`, proved by an `ADD` request; `addr = 4 word + off` with `off` in
//! `0..4` then makes `word` either `addr >> 2` with `off = addr & 3`, or (if the offset
//! disagrees) a field element above `p / 4`, which no MEMORY row (keys are range-checked
//! below `2^32`) can balance. A misaligned word or halfword access has no valid offset.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::alu::alu_table_height;
use super::bus::{ACCESS, AccessRequest, BYTE_PAIRS, BYTES, Lookups, mem_op};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Main column indices.
#[allow(missing_docs)]
pub mod col {
    /// The first selector; selector `k` is for `mem_op::ALL[k]`.
    pub const F: usize = 0;
    pub const F_LB: usize = 0;
    pub const F_LH: usize = 1;
    pub const F_LW: usize = 2;
    pub const F_LBU: usize = 3;
    pub const F_LHU: usize = 4;
    pub const F_SB: usize = 5;
    pub const F_SH: usize = 6;
    pub const F_SW: usize = 7;
    pub const WORD: usize = 8;
    /// Offset one-hot `s_0..s_3`.
    pub const S: usize = 9;
    /// Bytes of `old`.
    pub const W: usize = 13;
    /// Bytes of `rs2`.
    pub const V: usize = 17;
    pub const BYTE: usize = 21;
    pub const HI8: usize = 22;
    pub const BSIGN: usize = 23;
    pub const HSIGN: usize = 24;
    pub const NEW: usize = 25;
    pub const LOAD: usize = 26;
}

/// Number of main columns.
pub const WIDTH: usize = 27;

/// The ACCESS table. See the module doc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccessAir;

impl Air for AccessAir {
    fn name(&self) -> &str {
        "access"
    }

    fn main_width(&self) -> usize {
        WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C) {
        let r = vars.local;
        let k = |x: u64| E::constant(x);
        let f = |c: usize| r[c];
        let bytes =
            |base: usize| (0..4).fold(E::zero(), |acc, i| acc + k(1 << (8 * i)) * r[base + i]);
        let s = |i: usize| r[col::S + i];
        let w = |i: usize| r[col::W + i];
        let v = |i: usize| r[col::V + i];

        let (active, opcode) =
            super::selectors(out, &r[col::F..col::F + mem_op::ALL.len()], &mem_op::ALL);
        for i in 0..4 {
            out.assert_bool(s(i));
        }
        out.assert_eq(s(0) + s(1) + s(2) + s(3), active);
        out.assert_zero((f(col::F_LW) + f(col::F_SW)) * (s(1) + s(2) + s(3)));
        out.assert_zero((f(col::F_LH) + f(col::F_LHU) + f(col::F_SH)) * (s(1) + s(3)));

        let (byte, hi8) = (f(col::BYTE), f(col::HI8));
        let (bsign, hsign) = (f(col::BSIGN), f(col::HSIGN));
        out.assert_bool(bsign);
        out.assert_bool(hsign);
        out.assert_eq(byte, s(0) * w(0) + s(1) * w(1) + s(2) * w(2) + s(3) * w(3));
        out.assert_eq(hi8, s(0) * w(1) + s(2) * w(3));

        let (old, rs2) = (bytes(col::W), bytes(col::V));
        let half = byte + k(1 << 8) * hi8;
        let pos = bytes(col::S);
        out.assert_eq(
            f(col::LOAD),
            f(col::F_LW) * old
                + (f(col::F_LB) + f(col::F_LBU)) * byte
                + f(col::F_LB) * k((1 << 32) - (1 << 8)) * bsign
                + (f(col::F_LH) + f(col::F_LHU)) * half
                + f(col::F_LH) * k((1 << 32) - (1 << 16)) * hsign,
        );
        out.assert_eq(
            f(col::NEW),
            old + f(col::F_SW) * (rs2 - old)
                + (f(col::F_SB) * (v(0) - byte) + f(col::F_SH) * (v(0) + k(1 << 8) * v(1) - half))
                    * pos,
        );

        let word = f(col::WORD);
        let addr = k(4) * word + s(1) + k(2) * s(2) + k(3) * s(3);
        out.receive(
            ACCESS,
            &[opcode, addr, word, old, f(col::NEW), rs2, f(col::LOAD)],
            active,
        );
        for base in [col::W, col::V] {
            out.send(BYTE_PAIRS, &[r[base], r[base + 1]], active);
            out.send(BYTE_PAIRS, &[r[base + 2], r[base + 3]], active);
        }
        let x80 = k(0x80);
        for (x, sign) in [(byte, bsign), (hi8, hsign)] {
            let and = x80 * sign;
            out.send(
                BYTES,
                &[x, x80, and, x + x80 - and, x + x80 - and - and],
                active,
            );
        }
    }
}

/// The ACCESS trace for `requests`: one row per request in order, zero-padded to
/// [`alu_table_height`] for chunks of `2^log_max_rows` rows. Records the rows' lookups in
/// `lookups`.
pub fn access_trace(
    requests: &[AccessRequest],
    lookups: &mut Lookups,
    log_max_rows: usize,
) -> RowMajorMatrix<Felt> {
    let mut values = Felt::zero_vec(alu_table_height(requests.len(), log_max_rows) * WIDTH);
    access_rows(requests, &mut values, Some(lookups));
    RowMajorMatrix::new(values, WIDTH)
}

/// Fills the rows of `requests` into `rows` (zeroed, [`WIDTH`] cells a row, at least one row
/// per request), recording lookups in `lookups` if given. Row `i` depends on request `i`
/// alone, so any slice of the requests gives the matching slice of [`access_trace`].
pub fn access_rows(
    requests: &[AccessRequest],
    rows: &mut [Felt],
    mut lookups: Option<&mut Lookups>,
) {
    for (row, req) in rows.chunks_exact_mut(WIDTH).zip(requests) {
        let Some(k) = mem_op::ALL.iter().position(|&o| o == req.op) else {
            debug_assert!(false, "access_rows got opcode {}", req.op);
            continue;
        };
        let (new, load) = req.result();
        let off = (req.addr & 3) as usize;
        let (w, v) = (req.old.to_le_bytes(), req.rs2.to_le_bytes());
        let byte = w[off];
        let hi8 = if off.is_multiple_of(2) { w[off + 1] } else { 0 };
        row[col::F + k] = Felt::ONE;
        row[col::WORD] = Felt::from_u32(req.addr >> 2);
        row[col::S + off] = Felt::ONE;
        for i in 0..4 {
            row[col::W + i] = Felt::from_u8(w[i]);
            row[col::V + i] = Felt::from_u8(v[i]);
        }
        row[col::BYTE] = Felt::from_u8(byte);
        row[col::HI8] = Felt::from_u8(hi8);
        row[col::BSIGN] = Felt::from_u8(byte >> 7);
        row[col::HSIGN] = Felt::from_u8(hi8 >> 7);
        row[col::NEW] = Felt::from_u32(new);
        row[col::LOAD] = Felt::from_u32(load);
        if let Some(l) = lookups.as_deref_mut() {
            l.pairs.add(w[0], w[1]);
            l.pairs.add(w[2], w[3]);
            l.pairs.add(v[0], v[1]);
            l.pairs.add(v[2], v[3]);
            l.bytes.add(byte, 0x80);
            l.bytes.add(hi8, 0x80);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::check::check_constraints;
    use crate::stark::{MaterializedTraces, StarkParams, Statement};

    /// Every opcode at every offset its alignment allows, on words with both sign bits set in
    /// some bytes: the rows satisfy every constraint.
    #[test]
    fn honest_rows_satisfy_the_constraints() {
        let mut requests = Vec::new();
        for &op in &mem_op::ALL {
            let step = match op {
                mem_op::LW | mem_op::SW => 4,
                mem_op::LH | mem_op::LHU | mem_op::SH => 2,
                _ => 1,
            };
            for off in (0..4).step_by(step) {
                for old in [0x8070_FF01, 0x7F80_0080, 0] {
                    requests.push(AccessRequest {
                        op,
                        addr: 0x2000 + off,
                        old,
                        rs2: 0xA1B2_C3D4,
                    });
                }
            }
        }
        let trace = access_trace(&requests, &mut Lookups::default(), 20);
        let statement = Statement {
            context: b"access rows",
            public_values: &[],
            public_interactions: &[],
        };
        let traces = MaterializedTraces(vec![trace]);
        let report = check_constraints(&[AccessAir], &traces, &statement, &StarkParams::default());
        // The buses are open (no CPU, no BYTES here); the constraints must all hold.
        assert!(report.failures.is_empty(), "{report:?}");
        assert!(!report.unbalanced_buses.is_empty());
    }
}
