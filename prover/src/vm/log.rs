//! The execution log: one compact [`Step`] record per executed instruction,
//! what a STARK trace builder needs to rebuild every cycle.
//!
//! A step is `#[repr(C)]`, seven `u32`s, [`BYTES_PER_CYCLE`] = 28 bytes. The
//! cycle (timestamp) of a step is its index in the log plus the cycle the log
//! started at, so it is not stored.

/// One executed instruction.
///
/// * `rs1_val`, `rs2_val`: the values of the source registers the instruction
///   reads; 0 for operands its format does not have (U/J formats have
///   neither, I format has no `rs2`). For `ECALL`, `rs1_val` is `a7` (the
///   syscall number) and `rs2_val` is `a0` (its argument).
/// * `rd_val`: the value written to `rd`; 0 when the instruction writes no
///   register or `rd` is x0.
/// * `mem_addr`: the effective byte address of a load or store (not
///   rounded down); 0 for other instructions.
/// * `mem_val`: for every load and store, the whole aligned word at
///   `mem_addr & !3` *after* the access. For `LW` that is the word loaded,
///   for `SW` the word stored. For `LB`/`LBU`/`LH`/`LHU` it is the word
///   containing the loaded bytes (the extended value is `rd_val`); for
///   `SB`/`SH` it is the word with the stored bytes merged in (the word
///   before is the previous access's `mem_val` for that word, or the initial
///   memory). 0 for other instructions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct Step {
    /// The instruction's address.
    pub pc: u32,
    /// The raw instruction word.
    pub insn: u32,
    /// Value of `rs1` (see the type doc).
    pub rs1_val: u32,
    /// Value of `rs2` (see the type doc).
    pub rs2_val: u32,
    /// Value written to `rd`, or 0.
    pub rd_val: u32,
    /// Effective address of a load or store, or 0.
    pub mem_addr: u32,
    /// Aligned word after a load or store, or 0.
    pub mem_val: u32,
}

/// Bytes one [`Step`] occupies in the log.
pub const BYTES_PER_CYCLE: usize = std::mem::size_of::<Step>();

const _: () = assert!(BYTES_PER_CYCLE == 28);
