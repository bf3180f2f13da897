//! The buses the zkVM tables talk on: ids, tuple layouts, ALU opcodes, and the reference
//! semantics every ALU table must prove. This file is the contract between the tables.
//!
//! Sign convention (see [`Constraints::interact`](crate::stark::Constraints::interact)):
//! a *request* is sent (positive multiplicity), the table that proves it *receives*.
//!
//! | bus | tuple | sent by | received by |
//! |---|---|---|---|
//! | [`PROGRAM`] | `(pc, decoded fields and flags...)` | CPU, every row | PROGRAM (preprocessed) |
//! | [`STATE`] | `(clk, pc, out_idx)` | CPU (next state), verifier (initial state) | CPU (current state) |
//! | [`MEMORY`] | `(key, value, ts)` | CPU (new access), MEMORY (initial) | CPU (previous access), MEMORY (final) |
//! | [`IMAGE`] | `(key, value)` | verifier (ELF image, input, initial `sp`; an epoch's first values) | MEMORY |
//! | [`OUTPUT`] | `(index, word)`, `(EXIT_TAG, code)`, `(CYCLES_TAG, cycles)` | CPU | verifier |
//! | [`RANGE16`] | `(v)` with `0 <= v < 2^16` | any table | RANGE (preprocessed) |
//! | [`ALU`] | `(op, b, c, a)` with `a = op(b, c)` | CPU | ADD, LT, BITWISE |
//! | [`BYTES`] | `(x, y, x & y, x \| y, x ^ y)` for bytes `x, y` | BITWISE, ACCESS | BYTES (preprocessed) |
//! | [`ACCESS`] | `(mem_op, addr, word, old, new, rs2, load)` | CPU (loads and stores) | ACCESS |
//! | [`BYTE_PAIRS`] | `(x, y)` for bytes `x, y` | ACCESS | BYTES (preprocessed) |
//! | [`FINAL`] | `(key, value)` | MEMORY (boundary form, epochs) | verifier |
//!
//! An ALU request's `b` and `c` are always below `2^32` (the sender guarantees it: they are
//! register values or immediates); the receiving table must guarantee that `a` is the exact
//! result in `[0, 2^32)`.

use crate::stark::BusId;

/// Instruction fetch: CPU rows look their decoded instruction up by pc.
pub const PROGRAM: BusId = 1;
/// The machine state chain between consecutive cycles.
pub const STATE: BusId = 2;
/// Offline memory checking of registers and RAM words.
pub const MEMORY: BusId = 3;
/// The initial memory image, supplied by the verifier.
pub const IMAGE: BusId = 4;
/// Committed output words and the exit code, consumed by the verifier.
pub const OUTPUT: BusId = 5;
/// 16-bit range checks.
pub const RANGE16: BusId = 6;
/// ALU requests.
pub const ALU: BusId = 7;
/// Byte-wise logic lookups.
pub const BYTES: BusId = 8;
/// RAM loads and stores: the CPU's word access, and what the instruction makes of it.
pub const ACCESS: BusId = 9;
/// Byte range checks, two bytes per lookup.
pub const BYTE_PAIRS: BusId = 10;
/// The values an epoch leaves in memory and registers, consumed by the verifier.
pub const FINAL: BusId = 11;

/// The `OUTPUT` index under which the exit code travels (no output index reaches it).
pub const EXIT_TAG: u64 = 1 << 32;
/// The `OUTPUT` index under which the cycle count travels.
pub const CYCLES_TAG: u64 = (1 << 32) + 1;

/// ALU opcodes (the `op` element of an [`ALU`] tuple).
pub mod op {
    /// `a = b + c mod 2^32`.
    pub const ADD: u32 = 1;
    /// `a = b - c mod 2^32`.
    pub const SUB: u32 = 2;
    /// `a = b ^ c`.
    pub const XOR: u32 = 3;
    /// `a = b | c`.
    pub const OR: u32 = 4;
    /// `a = b & c`.
    pub const AND: u32 = 5;
    /// `a = 1` if `b < c` as signed 32-bit integers, else `0`.
    pub const SLT: u32 = 6;
    /// `a = 1` if `b < c` as unsigned integers, else `0`.
    pub const SLTU: u32 = 7;
    /// `a = b << (c & 31)`.
    pub const SLL: u32 = 8;
    /// `a = b >> (c & 31)`, logical.
    pub const SRL: u32 = 9;
    /// `a = b >> (c & 31)`, arithmetic (the sign bit is copied in).
    pub const SRA: u32 = 10;
    /// `a = b * c mod 2^32`.
    pub const MUL: u32 = 11;
    /// The high word of the signed x signed 64-bit product.
    pub const MULH: u32 = 12;
    /// The high word of the signed `b` x unsigned `c` 64-bit product.
    pub const MULHSU: u32 = 13;
    /// The high word of the unsigned x unsigned 64-bit product.
    pub const MULHU: u32 = 14;
    /// Signed quotient rounded towards zero; `-1` for `c = 0`, `b` for `INT_MIN / -1`.
    pub const DIV: u32 = 15;
    /// Unsigned quotient; `2^32 - 1` for `c = 0`.
    pub const DIVU: u32 = 16;
    /// Signed remainder (sign of `b`); `b` for `c = 0`, `0` for `INT_MIN % -1`.
    pub const REM: u32 = 17;
    /// Unsigned remainder; `b` for `c = 0`.
    pub const REMU: u32 = 18;
}

/// Load and store opcodes (the `mem_op` element of an [`ACCESS`] tuple).
pub mod mem_op {
    /// Load a byte, sign-extended.
    pub const LB: u32 = 1;
    /// Load a halfword (2-byte aligned), sign-extended.
    pub const LH: u32 = 2;
    /// Load a word (4-byte aligned).
    pub const LW: u32 = 3;
    /// Load a byte, zero-extended.
    pub const LBU: u32 = 4;
    /// Load a halfword (2-byte aligned), zero-extended.
    pub const LHU: u32 = 5;
    /// Store the low byte of `rs2`.
    pub const SB: u32 = 6;
    /// Store the low halfword of `rs2` (2-byte aligned).
    pub const SH: u32 = 7;
    /// Store `rs2` (4-byte aligned).
    pub const SW: u32 = 8;
    /// Every opcode, in code order.
    pub const ALL: [u32; 8] = [LB, LH, LW, LBU, LHU, SB, SH, SW];
    /// Whether `op` is a store.
    pub fn is_store(op: u32) -> bool {
        matches!(op, SB | SH | SW)
    }
}

/// One RAM load or store, as routed from the execution log to the ACCESS table.
///
/// `addr` is the byte address (`rs1 + imm`, aligned for its width), `old` the aligned word at
/// `addr & !3` before the access, `rs2` the value a store stores from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessRequest {
    /// A [`mem_op`] code.
    pub op: u32,
    /// Byte address.
    pub addr: u32,
    /// The word before the access.
    pub old: u32,
    /// The stored register (ignored by loads).
    pub rs2: u32,
}

impl AccessRequest {
    /// `(new, load)`: the word after the access (`old` for loads), and the value a load writes
    /// to `rd` (0 for stores). The RISC-V semantics; panics on an unknown opcode.
    pub fn result(&self) -> (u32, u32) {
        let shift = 8 * (self.addr & 3);
        let (old, rs2) = (self.old, self.rs2);
        let merge = |mask: u32| (old & !(mask << shift)) | ((rs2 & mask) << shift);
        match self.op {
            mem_op::LB => (old, (old >> shift) as u8 as i8 as i32 as u32),
            mem_op::LBU => (old, (old >> shift) as u8 as u32),
            mem_op::LH => (old, (old >> shift) as u16 as i16 as i32 as u32),
            mem_op::LHU => (old, (old >> shift) as u16 as u32),
            mem_op::LW => (old, old),
            mem_op::SB => (merge(0xff), 0),
            mem_op::SH => (merge(0xffff), 0),
            mem_op::SW => (rs2, 0),
            other => panic!("unknown memory opcode {other}"),
        }
    }
}

/// The reference semantics of an ALU opcode. Panics on an unknown opcode (a caller bug).
pub fn alu_result(op: u32, b: u32, c: u32) -> u32 {
    match op {
        op::ADD => b.wrapping_add(c),
        op::SUB => b.wrapping_sub(c),
        op::XOR => b ^ c,
        op::OR => b | c,
        op::AND => b & c,
        op::SLT => u32::from((b as i32) < (c as i32)),
        op::SLTU => u32::from(b < c),
        op::SLL => b.wrapping_shl(c),
        op::SRL => b.wrapping_shr(c),
        op::SRA => (b as i32).wrapping_shr(c) as u32,
        op::MUL => b.wrapping_mul(c),
        op::MULH => ((i64::from(b as i32) * i64::from(c as i32)) >> 32) as u32,
        op::MULHSU => ((i64::from(b as i32) * i64::from(c)) >> 32) as u32,
        op::MULHU => ((u64::from(b) * u64::from(c)) >> 32) as u32,
        op::DIV if c == 0 => u32::MAX,
        op::DIV => (b as i32).wrapping_div(c as i32) as u32,
        op::DIVU => b.checked_div(c).unwrap_or(u32::MAX),
        op::REM if c == 0 => b,
        op::REM => (b as i32).wrapping_rem(c as i32) as u32,
        op::REMU => b.checked_rem(c).unwrap_or(b),
        _ => panic!("unknown ALU opcode {op}"),
    }
}

/// One ALU request, as routed from the execution log to the ALU tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AluRequest {
    /// The opcode.
    pub op: u32,
    /// First operand.
    pub b: u32,
    /// Second operand.
    pub c: u32,
}

impl AluRequest {
    /// The result `a`.
    pub fn result(&self) -> u32 {
        alu_result(self.op, self.b, self.c)
    }
}

/// How often each 16-bit value is range-checked, filled by every table's trace builder and
/// turned into the RANGE table's multiplicities last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeCounts(pub Vec<u32>);

impl Default for RangeCounts {
    fn default() -> Self {
        Self(vec![0; 1 << 16])
    }
}

impl RangeCounts {
    /// Records one lookup of `v`.
    #[inline]
    pub fn add(&mut self, v: u16) {
        self.0[v as usize] += 1;
    }
    /// Records lookups of both 16-bit halves of `v`.
    #[inline]
    pub fn add_u32(&mut self, v: u32) {
        self.add(v as u16);
        self.add((v >> 16) as u16);
    }
}

/// Every lookup the trace builders record, turned into the RANGE and BYTES multiplicities
/// once all other tables are built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookups {
    /// 16-bit range checks.
    pub range: RangeCounts,
    /// Byte-pair logic lookups (bus [`BYTES`]).
    pub bytes: ByteCounts,
    /// Byte-pair range checks (bus [`BYTE_PAIRS`]).
    pub pairs: ByteCounts,
}

/// How often each byte pair `(x, y)` is looked up on [`BYTES`], indexed `x * 256 + y`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByteCounts(pub Vec<u32>);

impl Default for ByteCounts {
    fn default() -> Self {
        Self(vec![0; 1 << 16])
    }
}

impl ByteCounts {
    /// Records one lookup of `(x, y)`.
    #[inline]
    pub fn add(&mut self, x: u8, y: u8) {
        self.0[(x as usize) << 8 | y as usize] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m_extension_and_shift_semantics_follow_the_specification() {
        const MIN: u32 = 0x8000_0000;
        const NEG1: u32 = u32::MAX;
        // Shifts use the low five bits of c.
        assert_eq!(alu_result(op::SLL, 1, 31), MIN);
        assert_eq!(alu_result(op::SLL, 1, 32), 1);
        assert_eq!(alu_result(op::SRL, MIN, 31), 1);
        assert_eq!(alu_result(op::SRA, MIN, 31), NEG1);
        assert_eq!(alu_result(op::SRA, MIN, 0), MIN);
        // High words of signed, mixed and unsigned products.
        assert_eq!(alu_result(op::MULH, NEG1, NEG1), 0);
        assert_eq!(alu_result(op::MULHSU, NEG1, NEG1), NEG1);
        assert_eq!(alu_result(op::MULHU, NEG1, NEG1), 0xFFFF_FFFE);
        assert_eq!(alu_result(op::MUL, NEG1, NEG1), 1);
        // Division by zero and the one signed overflow.
        assert_eq!(alu_result(op::DIV, 7, 0), NEG1);
        assert_eq!(alu_result(op::DIVU, 7, 0), NEG1);
        assert_eq!(alu_result(op::REM, 7, 0), 7);
        assert_eq!(alu_result(op::REMU, 7, 0), 7);
        assert_eq!(alu_result(op::DIV, MIN, NEG1), MIN);
        assert_eq!(alu_result(op::REM, MIN, NEG1), 0);
        // Truncation towards zero; the remainder takes the dividend's sign.
        assert_eq!(alu_result(op::DIV, (-7i32) as u32, 2), (-3i32) as u32);
        assert_eq!(alu_result(op::REM, (-7i32) as u32, 2), NEG1);
    }
}
