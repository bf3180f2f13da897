//! The RV32IM decoder: turns a raw 32-bit instruction word into the compact
//! [`Decoded`] form the executor dispatches on, and names instructions for
//! error messages.
//!
//! Decoding is strict: reserved `funct3`/`funct7` patterns, compressed
//! encodings, CSR instructions, `EBREAK` and `FENCE.I` all decode to
//! [`Op::Illegal`]. Operand fields a format does not have are set to 0 (x0),
//! so the executor can read `rs1`/`rs2` and write `rd` uniformly: reading x0
//! yields 0 and writes to x0 are discarded. `ECALL` reads `a7` as `rs1` and
//! `a0` as `rs2`.

/// Every operation the executor implements, plus [`Op::Illegal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Op {
    Lui,
    Auipc,
    Jal,
    Jalr,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Lb,
    Lh,
    Lw,
    Lbu,
    Lhu,
    Sb,
    Sh,
    Sw,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Fence,
    Ecall,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    /// Not an RV32IM instruction this machine executes.
    Illegal,
}

impl Op {
    /// The assembler mnemonic, e.g. `"addi"`; `"illegal"` for [`Op::Illegal`].
    pub fn mnemonic(self) -> &'static str {
        match self {
            Op::Lui => "lui",
            Op::Auipc => "auipc",
            Op::Jal => "jal",
            Op::Jalr => "jalr",
            Op::Beq => "beq",
            Op::Bne => "bne",
            Op::Blt => "blt",
            Op::Bge => "bge",
            Op::Bltu => "bltu",
            Op::Bgeu => "bgeu",
            Op::Lb => "lb",
            Op::Lh => "lh",
            Op::Lw => "lw",
            Op::Lbu => "lbu",
            Op::Lhu => "lhu",
            Op::Sb => "sb",
            Op::Sh => "sh",
            Op::Sw => "sw",
            Op::Addi => "addi",
            Op::Slti => "slti",
            Op::Sltiu => "sltiu",
            Op::Xori => "xori",
            Op::Ori => "ori",
            Op::Andi => "andi",
            Op::Slli => "slli",
            Op::Srli => "srli",
            Op::Srai => "srai",
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Sll => "sll",
            Op::Slt => "slt",
            Op::Sltu => "sltu",
            Op::Xor => "xor",
            Op::Srl => "srl",
            Op::Sra => "sra",
            Op::Or => "or",
            Op::And => "and",
            Op::Fence => "fence",
            Op::Ecall => "ecall",
            Op::Mul => "mul",
            Op::Mulh => "mulh",
            Op::Mulhsu => "mulhsu",
            Op::Mulhu => "mulhu",
            Op::Div => "div",
            Op::Divu => "divu",
            Op::Rem => "rem",
            Op::Remu => "remu",
            Op::Illegal => "illegal",
        }
    }
}

/// A decoded instruction: 8 bytes, dispatched on by the executor.
///
/// `imm` is the sign-extended immediate as a `u32` (for `LUI`/`AUIPC` already
/// shifted into the upper 20 bits; for shifts by an immediate, the 5-bit
/// shift amount; for branches and `JAL`, the byte offset from the pc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// The operation.
    pub op: Op,
    /// Destination register, 0 when the instruction writes none.
    pub rd: u8,
    /// First source register, 0 when the format has none (`a7` for `ECALL`).
    pub rs1: u8,
    /// Second source register, 0 when the format has none (`a0` for `ECALL`).
    pub rs2: u8,
    /// The immediate (see the type doc).
    pub imm: u32,
}

impl Decoded {
    /// The decoded form of an illegal instruction.
    pub const ILLEGAL: Decoded = Decoded {
        op: Op::Illegal,
        rd: 0,
        rs1: 0,
        rs2: 0,
        imm: 0,
    };
}

/// The assembler mnemonic of a raw word, or `None` if it is not an RV32IM
/// instruction this machine executes.
pub fn mnemonic(word: u32) -> Option<&'static str> {
    match decode(word).op {
        Op::Illegal => None,
        op => Some(op.mnemonic()),
    }
}

/// A raw instruction word for messages: `0x00a50533 (add)` or
/// `0xffffffff (illegal)`.
pub fn describe(word: u32) -> String {
    match mnemonic(word) {
        Some(m) => format!("{word:#010x} ({m})"),
        None => format!("{word:#010x} (illegal)"),
    }
}

/// Decodes one 32-bit instruction word; anything outside RV32IM is
/// [`Op::Illegal`].
pub fn decode(word: u32) -> Decoded {
    let rd = ((word >> 7) & 31) as u8;
    let rs1 = ((word >> 15) & 31) as u8;
    let rs2 = ((word >> 20) & 31) as u8;
    let funct3 = (word >> 12) & 7;
    let funct7 = word >> 25;
    let imm_i = ((word as i32) >> 20) as u32;
    let imm_s = ((((word as i32) >> 25) << 5) as u32) | ((word >> 7) & 31);
    let imm_b = ((((word as i32) >> 31) << 12) as u32)
        | ((word & 0x80) << 4)
        | ((word >> 20) & 0x7e0)
        | ((word >> 7) & 0x1e);
    let imm_u = word & 0xffff_f000;
    let imm_j = ((((word as i32) >> 31) << 20) as u32)
        | (word & 0x000f_f000)
        | ((word >> 9) & 0x800)
        | ((word >> 20) & 0x7fe);

    let full = |op, imm| Decoded {
        op,
        rd,
        rs1,
        rs2,
        imm,
    };
    let no_rs2 = |op, imm| Decoded {
        op,
        rd,
        rs1,
        rs2: 0,
        imm,
    };
    let no_rd = |op, imm| Decoded {
        op,
        rd: 0,
        rs1,
        rs2,
        imm,
    };
    let only_rd = |op, imm| Decoded {
        op,
        rd,
        rs1: 0,
        rs2: 0,
        imm,
    };

    match word & 0x7f {
        0x37 => only_rd(Op::Lui, imm_u),
        0x17 => only_rd(Op::Auipc, imm_u),
        0x6f => only_rd(Op::Jal, imm_j),
        0x67 if funct3 == 0 => no_rs2(Op::Jalr, imm_i),
        0x63 => {
            let op = match funct3 {
                0 => Op::Beq,
                1 => Op::Bne,
                4 => Op::Blt,
                5 => Op::Bge,
                6 => Op::Bltu,
                7 => Op::Bgeu,
                _ => return Decoded::ILLEGAL,
            };
            no_rd(op, imm_b)
        }
        0x03 => {
            let op = match funct3 {
                0 => Op::Lb,
                1 => Op::Lh,
                2 => Op::Lw,
                4 => Op::Lbu,
                5 => Op::Lhu,
                _ => return Decoded::ILLEGAL,
            };
            no_rs2(op, imm_i)
        }
        0x23 => {
            let op = match funct3 {
                0 => Op::Sb,
                1 => Op::Sh,
                2 => Op::Sw,
                _ => return Decoded::ILLEGAL,
            };
            no_rd(op, imm_s)
        }
        0x13 => {
            let op = match (funct3, funct7) {
                (0, _) => Op::Addi,
                (2, _) => Op::Slti,
                (3, _) => Op::Sltiu,
                (4, _) => Op::Xori,
                (6, _) => Op::Ori,
                (7, _) => Op::Andi,
                (1, 0x00) => return no_rs2(Op::Slli, u32::from(rs2)),
                (5, 0x00) => return no_rs2(Op::Srli, u32::from(rs2)),
                (5, 0x20) => return no_rs2(Op::Srai, u32::from(rs2)),
                _ => return Decoded::ILLEGAL,
            };
            no_rs2(op, imm_i)
        }
        0x33 => {
            let op = match (funct7, funct3) {
                (0x00, 0) => Op::Add,
                (0x20, 0) => Op::Sub,
                (0x00, 1) => Op::Sll,
                (0x00, 2) => Op::Slt,
                (0x00, 3) => Op::Sltu,
                (0x00, 4) => Op::Xor,
                (0x00, 5) => Op::Srl,
                (0x20, 5) => Op::Sra,
                (0x00, 6) => Op::Or,
                (0x00, 7) => Op::And,
                (0x01, 0) => Op::Mul,
                (0x01, 1) => Op::Mulh,
                (0x01, 2) => Op::Mulhsu,
                (0x01, 3) => Op::Mulhu,
                (0x01, 4) => Op::Div,
                (0x01, 5) => Op::Divu,
                (0x01, 6) => Op::Rem,
                (0x01, 7) => Op::Remu,
                _ => return Decoded::ILLEGAL,
            };
            full(op, 0)
        }
        // FENCE only (funct3 = 0); FENCE.I and others are illegal.
        0x0f if funct3 == 0 => Decoded {
            op: Op::Fence,
            rd: 0,
            rs1: 0,
            rs2: 0,
            imm: 0,
        },
        0x73 if word == 0x0000_0073 => Decoded {
            op: Op::Ecall,
            rd: 0,
            rs1: 17,
            rs2: 10,
            imm: 0,
        },
        _ => Decoded::ILLEGAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_immediates_with_sign_extension() {
        // addi x1, x2, -1
        let d = decode(0xfff1_0093);
        assert_eq!((d.op, d.rd, d.rs1, d.imm), (Op::Addi, 1, 2, u32::MAX));
        // sw x5, -4(x6): imm = -4
        let d = decode(0xfe53_2e23);
        assert_eq!((d.op, d.rs1, d.rs2, d.imm), (Op::Sw, 6, 5, (-4i32) as u32));
        // beq x0, x0, -8
        let d = decode(0xfe00_0ce3);
        assert_eq!((d.op, d.imm), (Op::Beq, (-8i32) as u32));
        // jal x1, -2048
        let d = decode(0x801f_f0ef);
        assert_eq!((d.op, d.rd, d.imm), (Op::Jal, 1, (-2048i32) as u32));
        // lui x3, 0x80000
        let d = decode(0x8000_01b7);
        assert_eq!((d.op, d.rd, d.imm), (Op::Lui, 3, 0x8000_0000));
    }

    #[test]
    fn rejects_non_rv32im_words() {
        for word in [
            0x0000_0000, // all-zero word
            0xffff_ffff,
            0x0010_0073, // ebreak
            0x0000_100f, // fence.i
            0x3000_2073, // csrrs
            0x0200_9093, // slli with shamt[5] set (RV64 only)
            0x4000_1033, // sll with a bad funct7
            0x0000_3003, // load with funct3 = 3 (ld, RV64 only)
        ] {
            assert_eq!(decode(word).op, Op::Illegal, "{word:#010x}");
        }
        assert_eq!(mnemonic(0x0000_4503), Some("lbu"));
        assert_eq!(describe(0x0010_0073), "0x00100073 (illegal)");
        assert_eq!(describe(0x0000_0073), "0x00000073 (ecall)");
    }

    #[test]
    fn ecall_reads_a7_and_a0() {
        let d = decode(0x0000_0073);
        assert_eq!((d.op, d.rd, d.rs1, d.rs2), (Op::Ecall, 0, 17, 10));
    }
}
