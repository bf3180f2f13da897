//! The RV32IM machine: ELF loader, decoder, executor and execution log.
//!
//! * [`elf`] — the ELF32 little-endian RISC-V loader ([`ElfError`]).
//! * [`program`] — [`Program`], the loaded segments plus the pre-decoded code.
//! * [`segment`] — [`Segment`], one loadable segment (the loader's output).
//! * [`decode`] — raw word to [`Decoded`]; mnemonics for messages.
//! * [`memory`] — sparse paged little-endian memory.
//! * [`executor`] — the interpreter: [`Executor`], [`Snapshot`], [`RunState`].
//! * [`log`] — the per-cycle [`Step`] record.
//! * [`error`] — [`ExecError`].
//!
//! # Machine conventions
//!
//! * Full RV32IM; `FENCE` is a no-op. x0 is hard-wired to zero.
//! * Memory is byte-addressed, little-endian and sparse over all 2^32 bytes;
//!   never-written, never-loaded memory reads zero. `.bss` reads zero.
//! * `LW`/`SW` need 4-aligned, `LH`/`LHU`/`SH` 2-aligned addresses; a jump or
//!   taken branch must land on a 4-aligned pc. Anything else is an error.
//! * Code is fetched only from the executable segments, decoded once at load.
//! * `ECALL` with `a7` = [`SYSCALL_HALT`] (93) halts with exit code `a0`;
//!   `a7` = [`SYSCALL_COMMIT`] (64) appends `a0` to the public output; any
//!   other `a7` is [`ExecError::UnknownSyscall`]. Both count as one cycle.
//! * Input: at [`INPUT_ADDR`] (`0x4000_0000`) the word count n, then the n
//!   words. `sp` (x2) starts at [`STACK_TOP`] (`0x3FFF_FFF0`), every other
//!   register at zero, the pc at the ELF entry point.
//! * One instruction is one cycle. [`execute`] fails with
//!   [`ExecError::CycleLimitExceeded`] past [`ExecOptions::max_cycles`]
//!   (default [`DEFAULT_MAX_CYCLES`]). Nothing else is nondeterministic.
//!
//! # Execution log
//!
//! One [`Step`] per cycle, `#[repr(C)]`: `pc, insn, rs1_val, rs2_val, rd_val,
//! mem_addr, mem_val`, all `u32`: [`BYTES_PER_CYCLE`] = **28 bytes per
//! cycle**. The cycle number (timestamp) is the step's index, not stored.
//! See [`Step`] for exactly what each field holds, including sub-word memory
//! operations (`mem_val` is always the whole aligned word after the access).

pub mod decode;
pub mod elf;
pub mod error;
pub mod executor;
pub mod log;
pub mod memory;
pub mod program;
pub mod segment;

pub use decode::{Decoded, Op};
pub use elf::ElfError;
pub use error::ExecError;
pub use executor::{Executor, RunState, Snapshot};
pub use log::{BYTES_PER_CYCLE, Step};
pub use memory::Memory;
pub use program::Program;
pub use segment::Segment;

/// Where the input (count, then words) is pre-loaded.
pub const INPUT_ADDR: u32 = 0x4000_0000;
/// The initial stack pointer.
pub const STACK_TOP: u32 = 0x3FFF_FFF0;
/// `a7` for "halt with exit code `a0`".
pub const SYSCALL_HALT: u32 = 93;
/// `a7` for "append `a0` to the public output".
pub const SYSCALL_COMMIT: u32 = 64;
/// The default cycle limit of [`execute`] (2^30).
pub const DEFAULT_MAX_CYCLES: u64 = 1 << 30;

/// Options for [`execute`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecOptions {
    /// Fail with [`ExecError::CycleLimitExceeded`] after this many cycles
    /// without a halt.
    pub max_cycles: u64,
    /// Record the execution log.
    pub log: bool,
}

impl Default for ExecOptions {
    /// [`DEFAULT_MAX_CYCLES`], log off.
    fn default() -> Self {
        ExecOptions {
            max_cycles: DEFAULT_MAX_CYCLES,
            log: false,
        }
    }
}

/// The result of running a program to its halt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// Cycles executed, the halting `ECALL` included.
    pub cycles: u64,
    /// Words committed with the output syscall, in order.
    pub public_output: Vec<u32>,
    /// `a0` at the halt.
    pub exit_code: u32,
    /// One step per cycle, if [`ExecOptions::log`] was set.
    pub log: Option<Vec<Step>>,
}

/// Runs `program` on `input` from its entry point to its halt.
pub fn execute(
    program: &Program,
    input: &[u32],
    options: &ExecOptions,
) -> Result<Execution, ExecError> {
    let mut executor = Executor::new(program, input).with_logging(options.log);
    match executor.run_for(options.max_cycles)? {
        RunState::Halted { exit_code } => Ok(Execution {
            cycles: executor.cycles(),
            public_output: executor.public_output().to_vec(),
            exit_code,
            log: executor.take_log(),
        }),
        RunState::Running => {
            let pc = executor.pc();
            Err(ExecError::CycleLimitExceeded {
                pc,
                insn: program.instruction(pc).map(|(word, _)| word),
                limit: options.max_cycles,
            })
        }
    }
}
