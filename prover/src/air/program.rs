//! PROGRAM: the decoded program, preprocessed from the ELF, so that what executes is what
//! the ELF holds.
//!
//! One row per supported instruction of the executable segments, plus padding rows for CPU
//! rows that execute nothing. Columns (preprocessed, in this order; the CPU table repeats
//! them as its first [`INSN_WIDTH`] columns and looks the tuple up by pc):
//!
//! | col | meaning |
//! |---|---|
//! | `pc` | the instruction's address ([`PAD_PC`] on padding rows) |
//! | `rd`, `rs1`, `rs2` | register numbers; `rd = 0` when nothing is written back |
//! | `imm` | the immediate as a 32-bit value (sign-extended, two's complement) |
//! | `imm_s` | the immediate as a signed field element (branch and `JAL` offsets) |
//! | `alu_op` | the [`op`](super::bus::op) code of the instruction's ALU request, if any |
//! | `is_real` | 1 for instructions, 0 for padding |
//! | `f_alu` | ALU instruction (register or immediate form): `rd = alu result` |
//! | `f_auipc` | `AUIPC`: ALU request `pc + imm` |
//! | `c_imm` | the ALU's second operand is `imm` (else `rs2`) |
//! | `f_lui`, `f_jal`, `f_jalr` | `LUI`, `JAL`, `JALR` |
//! | `f_beq`, `f_bne` | equality branches (decided in the CPU) |
//! | `f_blt`, `f_bge` | `BLT`/`BLTU` and `BGE`/`BGEU` (decided by an `SLT`/`SLTU` request) |
//! | `f_load`, `f_store` | any load, any store (address by an `ADD` request, the rest by an [`ACCESS`](super::bus::ACCESS) request) |
//! | `f_ecall` | `ECALL` (halt or commit, decided by `a7` at run time) |
//! | `wb` | the instruction writes `rd` and `rd != 0` |
//! | `mem_op` | the [`mem_op`](super::bus::mem_op) code of a load or store, else 0 |
//!
//! Main column: `mult`, how many CPU rows executed this row. Bus: receives the whole row on
//! [`PROGRAM`](super::bus::PROGRAM) with multiplicity `mult`. No constraints.
//!
//! Every RV32IM instruction has a row. Words that do not decode get none, so no proof can
//! execute them (the executor refuses them first); the witness builder would report one as
//! `unsupported instruction`.

use std::collections::BTreeMap;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::bus::{self, mem_op, op};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};
use crate::vm::{Decoded, Op, Program};

/// Columns of a decoded instruction (preprocessed here, repeated by the CPU).
pub const INSN_WIDTH: usize = 23;
/// The pc of padding rows: not a 32-bit value, so no real instruction has it.
pub const PAD_PC: u64 = (1 << 32) + 1;

/// Column indices of a decoded-instruction row.
#[allow(missing_docs)]
pub mod col {
    pub const PC: usize = 0;
    pub const RD: usize = 1;
    pub const RS1: usize = 2;
    pub const RS2: usize = 3;
    pub const IMM: usize = 4;
    pub const IMM_S: usize = 5;
    pub const ALU_OP: usize = 6;
    pub const IS_REAL: usize = 7;
    pub const F_ALU: usize = 8;
    pub const F_AUIPC: usize = 9;
    pub const C_IMM: usize = 10;
    pub const F_LUI: usize = 11;
    pub const F_JAL: usize = 12;
    pub const F_JALR: usize = 13;
    pub const F_BEQ: usize = 14;
    pub const F_BNE: usize = 15;
    pub const F_BLT: usize = 16;
    pub const F_BGE: usize = 17;
    pub const F_LOAD: usize = 18;
    pub const F_STORE: usize = 19;
    pub const F_ECALL: usize = 20;
    pub const WB: usize = 21;
    pub const MEM_OP: usize = 22;
}

/// A decoded instruction as the tables see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsnRow {
    /// The row's values, in column order.
    pub values: [Felt; INSN_WIDTH],
}

fn signed(v: u32) -> Felt {
    let s = v as i32;
    if s >= 0 {
        Felt::from_u32(s as u32)
    } else {
        -Felt::from_u32(s.unsigned_abs())
    }
}

impl InsnRow {
    /// The padding row.
    pub fn padding() -> Self {
        let mut values = [Felt::ZERO; INSN_WIDTH];
        values[col::PC] = Felt::from_u64(PAD_PC);
        Self { values }
    }

    /// The row of `d` at `pc`, or `None` if the prover does not constrain `d.op`.
    pub fn of(pc: u32, d: &Decoded) -> Option<Self> {
        let mut v = [Felt::ZERO; INSN_WIDTH];
        let mut set = |c: usize| v[c] = Felt::ONE;
        let (mut rd, mut rs1, mut rs2) = (d.rd, d.rs1, d.rs2);
        let mut writes = true;
        let mut alu_op = 0;
        let mut mem = 0;
        match d.op {
            Op::Add
            | Op::Sub
            | Op::Xor
            | Op::Or
            | Op::And
            | Op::Slt
            | Op::Sltu
            | Op::Sll
            | Op::Srl
            | Op::Sra
            | Op::Mul
            | Op::Mulh
            | Op::Mulhsu
            | Op::Mulhu
            | Op::Div
            | Op::Divu
            | Op::Rem
            | Op::Remu => {
                set(col::F_ALU);
                alu_op = alu_code(d.op);
            }
            Op::Addi
            | Op::Xori
            | Op::Ori
            | Op::Andi
            | Op::Slti
            | Op::Sltiu
            | Op::Slli
            | Op::Srli
            | Op::Srai => {
                set(col::F_ALU);
                set(col::C_IMM);
                alu_op = alu_code(d.op);
                rs2 = 0;
            }
            Op::Lui => {
                set(col::F_LUI);
                (rs1, rs2) = (0, 0);
            }
            Op::Auipc => {
                set(col::F_AUIPC);
                set(col::C_IMM);
                alu_op = op::ADD;
                (rs1, rs2) = (0, 0);
            }
            Op::Jal => {
                set(col::F_JAL);
                (rs1, rs2) = (0, 0);
            }
            Op::Jalr => {
                set(col::F_JALR);
                set(col::C_IMM);
                alu_op = op::ADD;
                rs2 = 0;
            }
            Op::Beq | Op::Bne => {
                set(if d.op == Op::Beq {
                    col::F_BEQ
                } else {
                    col::F_BNE
                });
                writes = false;
            }
            Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu => {
                set(if matches!(d.op, Op::Blt | Op::Bltu) {
                    col::F_BLT
                } else {
                    col::F_BGE
                });
                alu_op = if matches!(d.op, Op::Blt | Op::Bge) {
                    op::SLT
                } else {
                    op::SLTU
                };
                writes = false;
            }
            Op::Lb | Op::Lh | Op::Lw | Op::Lbu | Op::Lhu => {
                set(col::F_LOAD);
                set(col::C_IMM);
                alu_op = op::ADD;
                mem = mem_code(d.op);
                rs2 = 0;
            }
            Op::Sb | Op::Sh | Op::Sw => {
                set(col::F_STORE);
                set(col::C_IMM);
                alu_op = op::ADD;
                mem = mem_code(d.op);
                writes = false;
            }
            Op::Ecall => {
                set(col::F_ECALL);
                writes = false;
            }
            Op::Fence => {
                (rs1, rs2) = (0, 0);
                writes = false;
            }
            Op::Illegal => return None,
        }
        if !writes || rd == 0 {
            rd = 0;
        } else {
            v[col::WB] = Felt::ONE;
        }
        v[col::PC] = Felt::from_u32(pc);
        v[col::RD] = Felt::from_u8(rd);
        v[col::RS1] = Felt::from_u8(rs1);
        v[col::RS2] = Felt::from_u8(rs2);
        v[col::IMM] = Felt::from_u32(d.imm);
        v[col::IMM_S] = signed(d.imm);
        v[col::ALU_OP] = Felt::from_u32(alu_op);
        v[col::MEM_OP] = Felt::from_u32(mem);
        v[col::IS_REAL] = Felt::ONE;
        Some(Self { values: v })
    }
}

fn mem_code(o: Op) -> u32 {
    match o {
        Op::Lb => mem_op::LB,
        Op::Lh => mem_op::LH,
        Op::Lw => mem_op::LW,
        Op::Lbu => mem_op::LBU,
        Op::Lhu => mem_op::LHU,
        Op::Sb => mem_op::SB,
        Op::Sh => mem_op::SH,
        Op::Sw => mem_op::SW,
        _ => unreachable!("not a load or store: {o:?}"),
    }
}

fn alu_code(o: Op) -> u32 {
    match o {
        Op::Add | Op::Addi => op::ADD,
        Op::Sub => op::SUB,
        Op::Xor | Op::Xori => op::XOR,
        Op::Or | Op::Ori => op::OR,
        Op::And | Op::Andi => op::AND,
        Op::Slt | Op::Slti => op::SLT,
        Op::Sltu | Op::Sltiu => op::SLTU,
        Op::Sll | Op::Slli => op::SLL,
        Op::Srl | Op::Srli => op::SRL,
        Op::Sra | Op::Srai => op::SRA,
        Op::Mul => op::MUL,
        Op::Mulh => op::MULH,
        Op::Mulhsu => op::MULHSU,
        Op::Mulhu => op::MULHU,
        Op::Div => op::DIV,
        Op::Divu => op::DIVU,
        Op::Rem => op::REM,
        Op::Remu => op::REMU,
        _ => unreachable!("not an ALU instruction: {o:?}"),
    }
}

/// The PROGRAM table of one program.
#[derive(Clone, Debug)]
pub struct ProgramAir {
    rows: Vec<InsnRow>,
    index: BTreeMap<u32, usize>,
    height: usize,
}

impl ProgramAir {
    /// Decodes every executable word of `program` into rows (unsupported ones are left out),
    /// then pads with padding rows to a power of two (at least one padding row).
    pub fn new(program: &Program) -> Self {
        let mut rows = Vec::new();
        let mut index = BTreeMap::new();
        let base = program.code_base();
        for k in 0..program.code_len() as u32 {
            let pc = base + 4 * k;
            if let Some((_, d)) = program.instruction(pc)
                && let Some(row) = InsnRow::of(pc, &d)
            {
                index.insert(pc, rows.len());
                rows.push(row);
            }
        }
        let height = (rows.len() + 1).next_power_of_two().max(4);
        Self {
            rows,
            index,
            height,
        }
    }

    /// Table height.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The row index of the instruction at `pc`, if it has one.
    pub fn row_of(&self, pc: u32) -> Option<usize> {
        self.index.get(&pc).copied()
    }

    /// The decoded row at `pc`, if the prover supports the instruction there.
    pub fn insn(&self, pc: u32) -> Option<&InsnRow> {
        self.row_of(pc).map(|i| &self.rows[i])
    }

    /// The row index and decoded row at `pc`, if the prover supports the instruction there.
    pub fn lookup(&self, pc: u32) -> Option<(usize, &InsnRow)> {
        self.row_of(pc).map(|i| (i, &self.rows[i]))
    }

    /// Index of the first padding row (where padding CPU rows are counted).
    pub fn padding_row(&self) -> usize {
        self.rows.len()
    }

    /// The main trace from per-row execution counts (`counts.len() == height`).
    pub fn trace(&self, counts: &[u32]) -> RowMajorMatrix<Felt> {
        debug_assert_eq!(counts.len(), self.height);
        RowMajorMatrix::new_col(counts.iter().map(|&c| Felt::from_u32(c)).collect())
    }
}

impl Air for ProgramAir {
    fn name(&self) -> &str {
        "program"
    }
    fn main_width(&self) -> usize {
        1
    }
    fn preprocessed_width(&self) -> usize {
        INSN_WIDTH
    }
    /// The height [`ProgramAir::new`] derives from the program alone.
    fn fixed_log_height(&self) -> Option<usize> {
        Some(self.height.trailing_zeros() as usize)
    }
    fn preprocessed_trace(&self, height: usize) -> Option<RowMajorMatrix<Felt>> {
        let pad = InsnRow::padding();
        let mut values = Vec::with_capacity(height * INSN_WIDTH);
        for r in 0..height {
            values.extend_from_slice(&self.rows.get(r).unwrap_or(&pad).values);
        }
        Some(RowMajorMatrix::new(values, INSN_WIDTH))
    }
    fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
        out.receive(bus::PROGRAM, v.pre_local, v.local[0]);
    }
}
