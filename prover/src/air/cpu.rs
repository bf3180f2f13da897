//! CPU: one row per executed cycle, plus inert padding rows.
//!
//! The rows form a **set**, not a sequence: consecutive cycles are linked by the
//! [`STATE`](super::bus::STATE) bus, which carries `(clk, pc, out_idx)` from each cycle to
//! the next. The verifier sends the initial state `(0, entry, 0)`; every real row receives
//! its state and, unless it halts, sends the next one. `clk` grows by one per link, so the
//! real rows form a single chain from the entry point to a halt. There are no transition
//! constraints, so the table can be cut into chunks anywhere.
//!
//! ## Columns
//! * `0..23`: the decoded instruction, looked up on [`PROGRAM`](super::bus::PROGRAM) with
//!   multiplicity 1 on every row (padding rows look up the padding row, whose flags are 0);
//!   see [`program`](super::program) for their meaning.
//! * `clk, out_idx, next_pc`: the state; the output index counts commits.
//! * `rs1_val, rs2_val, rd_val`: register values read and written.
//! * `mem_val, mem_word`: the RAM word after a load or store (the loaded word, or the
//!   stored word with the new bytes merged in) and its word address (`addr >> 2`).
//! * `load_val`: the value a load writes back (extended), as the ACCESS table proves it.
//! * `alu_b, alu_c, alu_a`: the ALU request's operands and result.
//! * `taken, eq, inv, lowbit`: branch decision, `rs1 == rs2` with its inverse witness, the
//!   bit `JALR` clears.
//! * `is_halt, is_commit`: the `ECALL`'s meaning, decided by `a7` (`rs1_val`).
//! * Four memory slots, each `prev_ts` (+ `prev_val` for slots that may change the value)
//!   and the two 16-bit limbs of `ts - prev_ts - 1`: A reads `rs1`, B reads `rs2`, D loads or
//!   stores a RAM word, C writes `rd`. Their timestamps are `4 clk + 1, +2, +3, +4`.
//!
//! ## Constraints (all every-row; degree in brackets)
//! * `is_halt`, `is_commit`, `lowbit` boolean [2]; `is_halt + is_commit = f_ecall` [1];
//!   `f_ecall (rs1_val - 93 is_halt - 64 is_commit) = 0` [2].
//! * `eq (rs1_val - rs2_val) = 0`, `(rs1_val - rs2_val) inv = 1 - eq` [2].
//! * `taken = f_beq eq + f_bne (1 - eq) + f_blt alu_a + f_bge (1 - alu_a)` [2].
//! * `next_pc = pc + 4 + (taken + f_jal)(imm_s - 4) + f_jalr (alu_a - lowbit - pc - 4)` [2].
//! * `alu_b = rs1_val + f_auipc (pc - rs1_val)`, `alu_c = rs2_val + c_imm (imm - rs2_val)` [2].
//! * `rd_val = wb (f_alu alu_a + f_auipc alu_a + f_lui imm + (f_jal + f_jalr)(pc + 4) +
//!   f_load load_val)` [3].
//! * Per slot, `active (ts - prev_ts - 1 - lo - 2^16 hi) = 0` [2], where `active` is
//!   `is_real` (A, B, C) or `f_load + f_store` (D).
//!
//! ## Buses
//! * PROGRAM: sends the 22 instruction columns, multiplicity 1.
//! * STATE: receives `(clk, pc, out_idx)` (`is_real`); sends
//!   `(clk + 1, next_pc, out_idx + is_commit)` (`is_real - is_halt`).
//! * ALU: sends `(alu_op, alu_b, alu_c, alu_a)` with multiplicity
//!   `f_alu + f_auipc + f_jalr + f_blt + f_bge + f_load + f_store`.
//! * ACCESS: sends `(mem_op, alu_a, mem_word, prev_val_D, mem_val, rs2_val, load_val)` with
//!   multiplicity `f_load + f_store`: the address is `rs1 + imm` (the ALU's result), and the
//!   ACCESS table proves the word address, the alignment, the merged word and the loaded
//!   value.
//! * MEMORY, per slot: receives `(key, prev_value, prev_ts)`, sends `(key, value, ts)`;
//!   register keys are [`REG_BASE`]` + r`, RAM keys are word addresses.
//! * RANGE16: the two limbs of each active slot.
//! * OUTPUT: `(out_idx, rs2_val)` on commit; on halt `(EXIT_TAG, rs2_val)` (`a0` is `rs2`)
//!   and `(CYCLES_TAG, clk + 1)`, so the verifier learns the exit code and the cycle count.
//!
//! Soundness notes. `next_pc` and `JALR`'s `lowbit` need no range checks: the next cycle
//! looks its pc up in PROGRAM, which holds only real, aligned code addresses. RAM addresses
//! and alignment are the ACCESS table's to prove (see [`access`](super::access)).

use super::bus;
use super::program::{INSN_WIDTH, col as insn};
use crate::stark::{Air, Constraints, Expr, Vars};

/// Register `r` lives at memory key `REG_BASE + r`, above every RAM word address.
pub const REG_BASE: u32 = 1 << 30;

/// Column indices beyond the instruction columns.
#[allow(missing_docs)]
pub mod col {
    use super::INSN_WIDTH;
    pub const CLK: usize = INSN_WIDTH;
    pub const OUT_IDX: usize = INSN_WIDTH + 1;
    pub const NEXT_PC: usize = INSN_WIDTH + 2;
    pub const RS1_VAL: usize = INSN_WIDTH + 3;
    pub const RS2_VAL: usize = INSN_WIDTH + 4;
    pub const RD_VAL: usize = INSN_WIDTH + 5;
    pub const MEM_VAL: usize = INSN_WIDTH + 6;
    pub const MEM_WORD: usize = INSN_WIDTH + 7;
    pub const ALU_B: usize = INSN_WIDTH + 8;
    pub const ALU_C: usize = INSN_WIDTH + 9;
    pub const ALU_A: usize = INSN_WIDTH + 10;
    pub const TAKEN: usize = INSN_WIDTH + 11;
    pub const EQ: usize = INSN_WIDTH + 12;
    pub const INV: usize = INSN_WIDTH + 13;
    pub const LOWBIT: usize = INSN_WIDTH + 14;
    pub const IS_HALT: usize = INSN_WIDTH + 15;
    pub const IS_COMMIT: usize = INSN_WIDTH + 16;
    pub const LOAD_VAL: usize = INSN_WIDTH + 17;
    /// Slot A (read rs1): prev_ts, lo, hi.
    pub const A: usize = INSN_WIDTH + 18;
    /// Slot B (read rs2): prev_ts, lo, hi.
    pub const B: usize = A + 3;
    /// Slot D (RAM): prev_ts, prev_val, lo, hi.
    pub const D: usize = B + 3;
    /// Slot C (write rd): prev_ts, prev_val, lo, hi.
    pub const C: usize = D + 4;
    /// Total width.
    pub const WIDTH: usize = C + 4;
}

/// Timestamp offset of each slot within a cycle (`ts = 4 clk + offset`).
pub mod slot {
    /// Read `rs1`.
    pub const A: u64 = 1;
    /// Read `rs2`.
    pub const B: u64 = 2;
    /// RAM load or store.
    pub const D: u64 = 3;
    /// Write `rd`.
    pub const C: u64 = 4;
}

/// The CPU table.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuAir;

impl Air for CpuAir {
    fn name(&self) -> &str {
        "cpu"
    }

    fn main_width(&self) -> usize {
        col::WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
        let l = v.local;
        let k = |x: u64| E::constant(x);
        let one = E::one();
        let f = |c: usize| l[c];
        let (pc, imm, imm_s) = (f(insn::PC), f(insn::IMM), f(insn::IMM_S));
        let is_real = f(insn::IS_REAL);
        let (rs1_val, rs2_val, rd_val) = (f(col::RS1_VAL), f(col::RS2_VAL), f(col::RD_VAL));
        let (alu_b, alu_c, alu_a) = (f(col::ALU_B), f(col::ALU_C), f(col::ALU_A));
        let (eq, taken, lowbit) = (f(col::EQ), f(col::TAKEN), f(col::LOWBIT));
        let (is_halt, is_commit) = (f(col::IS_HALT), f(col::IS_COMMIT));
        let (mem_val, mem_word) = (f(col::MEM_VAL), f(col::MEM_WORD));
        let f_mem = f(insn::F_LOAD) + f(insn::F_STORE);

        // The instruction at this pc.
        out.send(bus::PROGRAM, &l[..INSN_WIDTH], one);

        // ECALL: halt or commit, by a7.
        out.assert_bool(is_halt);
        out.assert_bool(is_commit);
        out.assert_bool(lowbit);
        out.assert_eq(is_halt + is_commit, f(insn::F_ECALL));
        out.assert_zero(f(insn::F_ECALL) * (rs1_val - k(93) * is_halt - k(64) * is_commit));

        // Branch decision.
        let diff = rs1_val - rs2_val;
        out.assert_zero(eq * diff);
        out.assert_zero(diff * f(col::INV) - (one - eq));
        out.assert_eq(
            taken,
            f(insn::F_BEQ) * eq
                + f(insn::F_BNE) * (one - eq)
                + f(insn::F_BLT) * alu_a
                + f(insn::F_BGE) * (one - alu_a),
        );

        // Next pc.
        let four = k(4);
        out.assert_eq(
            f(col::NEXT_PC),
            pc + four
                + (taken + f(insn::F_JAL)) * (imm_s - four)
                + f(insn::F_JALR) * (alu_a - lowbit - pc - four),
        );

        // The ALU request.
        out.assert_eq(alu_b, rs1_val + f(insn::F_AUIPC) * (pc - rs1_val));
        out.assert_eq(alu_c, rs2_val + f(insn::C_IMM) * (imm - rs2_val));
        let alu_mult = f(insn::F_ALU)
            + f(insn::F_AUIPC)
            + f(insn::F_JALR)
            + f(insn::F_BLT)
            + f(insn::F_BGE)
            + f_mem;
        out.send(bus::ALU, &[f(insn::ALU_OP), alu_b, alu_c, alu_a], alu_mult);

        // RAM: what the access does to the word is the ACCESS table's to prove.
        out.send(
            bus::ACCESS,
            &[
                f(insn::MEM_OP),
                alu_a,
                mem_word,
                l[col::D + 1],
                mem_val,
                rs2_val,
                f(col::LOAD_VAL),
            ],
            f_mem,
        );

        // The value written back.
        let result = (f(insn::F_ALU) + f(insn::F_AUIPC)) * alu_a
            + f(insn::F_LUI) * imm
            + (f(insn::F_JAL) + f(insn::F_JALR)) * (pc + four)
            + f(insn::F_LOAD) * f(col::LOAD_VAL);
        out.assert_eq(rd_val, f(insn::WB) * result);

        // Memory slots.
        let clk4 = four * f(col::CLK);
        let reg = |c: usize| k(u64::from(REG_BASE)) + f(c);
        let mut slot =
            |base: usize, off: u64, key: E, prev: E, value: E, active: E, has_prev: bool| {
                let ts = clk4 + k(off);
                let prev_ts = l[base];
                let (lo, hi) = if has_prev {
                    (l[base + 2], l[base + 3])
                } else {
                    (l[base + 1], l[base + 2])
                };
                out.assert_zero(active * (ts - prev_ts - one - lo - k(1 << 16) * hi));
                out.receive(bus::MEMORY, &[key, prev, prev_ts], active);
                out.send(bus::MEMORY, &[key, value, ts], active);
                out.send(bus::RANGE16, &[lo], active);
                out.send(bus::RANGE16, &[hi], active);
            };
        slot(
            col::A,
            slot::A,
            reg(insn::RS1),
            rs1_val,
            rs1_val,
            is_real,
            false,
        );
        slot(
            col::B,
            slot::B,
            reg(insn::RS2),
            rs2_val,
            rs2_val,
            is_real,
            false,
        );
        slot(
            col::D,
            slot::D,
            mem_word,
            l[col::D + 1],
            mem_val,
            f_mem,
            true,
        );
        slot(
            col::C,
            slot::C,
            reg(insn::RD),
            l[col::C + 1],
            rd_val,
            is_real,
            true,
        );

        // State chain and outputs.
        let (clk, out_idx) = (f(col::CLK), f(col::OUT_IDX));
        out.receive(bus::STATE, &[clk, pc, out_idx], is_real);
        out.send(
            bus::STATE,
            &[clk + one, f(col::NEXT_PC), out_idx + is_commit],
            is_real - is_halt,
        );
        out.send(bus::OUTPUT, &[out_idx, rs2_val], is_commit);
        out.send(bus::OUTPUT, &[k(bus::EXIT_TAG), rs2_val], is_halt);
        out.send(bus::OUTPUT, &[k(bus::CYCLES_TAG), clk + one], is_halt);
    }
}
