//! Why a run that executed cannot be proved: [`WitnessError`], what routing
//! ([`witness`](super::witness), [`cycle`](super::cycle)) reports when the tables cannot
//! express the run. Its own module, so that routing one cycle and routing a log both name it
//! without importing each other.

/// Why a run cannot be proved (it executed, but the tables cannot express it).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WitnessError {
    /// The run executed an instruction the prover does not constrain yet.
    #[error("unsupported instruction at pc {pc:#010x}: {insn}")]
    Unsupported {
        /// Where.
        pc: u32,
        /// The instruction, disassembled.
        insn: String,
    },
    /// A branch, `JAL` or `JALR` target wrapped around 2^32, which the CPU's field arithmetic
    /// does not model.
    #[error("jump target of the instruction at pc {pc:#010x} wraps around 2^32")]
    WrappingJump {
        /// Where.
        pc: u32,
    },
    /// More distinct memory keys than one chunk holds.
    #[error(
        "the run touches {keys} memory words and registers; the MEMORY table holds at most {max}"
    )]
    MemoryTooLarge {
        /// Keys touched.
        keys: usize,
        /// The limit (`max_rows`).
        max: usize,
    },
    /// The log does not end in a halt.
    #[error("the execution log does not end with a halt")]
    NoHalt,
    /// A memory key untouched for longer than the memory argument's 32-bit timestamp gaps
    /// can state (only a log of more than
    /// `cycle::MAX_ROUTED_CYCLES` cycles can have one).
    #[error(
        "memory key {key:#x} is accessed at timestamp {ts} after {prev_ts}: the gap passes the 32-bit range check (runs of at most 2^30 cycles always fit)"
    )]
    TimestampGap {
        /// The key (a RAM word address / 4, or a register key).
        key: u32,
        /// Its previous access.
        prev_ts: u64,
        /// This access.
        ts: u64,
    },
}
