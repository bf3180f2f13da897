//! [`ExecError`]: why execution stopped without a halt. Every variant names
//! the pc and, where there is one, the instruction (hex word and mnemonic).

use thiserror::Error;

use super::decode::describe;

/// An execution failure. The failing instruction has not been executed:
/// the executor's pc and cycle count still point at it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The word at `pc` is not an RV32IM instruction this machine executes.
    #[error("illegal instruction {} at pc {pc:#010x}", describe_ref(.insn))]
    IllegalInstruction {
        /// Address of the instruction.
        pc: u32,
        /// The raw word.
        insn: u32,
    },
    /// A load or store whose address is not a multiple of its width.
    #[error(
        "misaligned {width}-byte access to {addr:#010x} by {} at pc {pc:#010x}",
        describe_ref(.insn)
    )]
    MisalignedAccess {
        /// Address of the instruction.
        pc: u32,
        /// The raw word.
        insn: u32,
        /// The effective address.
        addr: u32,
        /// Access width in bytes (2 or 4).
        width: u8,
    },
    /// A jump or taken branch to an address that is not 4-byte aligned.
    #[error(
        "misaligned jump target {target:#010x} from {} at pc {pc:#010x}",
        describe_ref(.insn)
    )]
    MisalignedJump {
        /// Address of the instruction.
        pc: u32,
        /// The raw word.
        insn: u32,
        /// The target address.
        target: u32,
    },
    /// `ECALL` with a syscall number (`a7`) other than 64 or 93.
    #[error("unknown syscall {number} (a7) from {} at pc {pc:#010x}", describe_ref(.insn))]
    UnknownSyscall {
        /// Address of the instruction.
        pc: u32,
        /// The raw word.
        insn: u32,
        /// The value of `a7`.
        number: u32,
    },
    /// The program ran `limit` cycles without halting.
    #[error(
        "cycle limit of {limit} exceeded before {} at pc {pc:#010x}",
        describe_opt(.insn)
    )]
    CycleLimitExceeded {
        /// Address of the next instruction.
        pc: u32,
        /// Its raw word, if `pc` is inside the code.
        insn: Option<u32>,
        /// The limit.
        limit: u64,
    },
    /// The pc left the program's code (no instruction to fetch).
    #[error("pc {pc:#010x} is outside the program's code")]
    PcOutsideCode {
        /// The pc.
        pc: u32,
    },
}

fn describe_ref(word: &u32) -> String {
    describe(*word)
}

fn describe_opt(word: &Option<u32>) -> String {
    match word {
        Some(w) => describe(*w),
        None => "no instruction".to_owned(),
    }
}

impl ExecError {
    /// The pc the error happened at.
    pub fn pc(&self) -> u32 {
        match *self {
            ExecError::IllegalInstruction { pc, .. }
            | ExecError::MisalignedAccess { pc, .. }
            | ExecError::MisalignedJump { pc, .. }
            | ExecError::UnknownSyscall { pc, .. }
            | ExecError::CycleLimitExceeded { pc, .. }
            | ExecError::PcOutsideCode { pc } => pc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_pc_and_instruction() {
        let e = ExecError::MisalignedAccess {
            pc: 0x1_0004,
            insn: 0x0020_a183, // lw x3, 2(x1)
            addr: 0x102,
            width: 4,
        };
        assert_eq!(
            e.to_string(),
            "misaligned 4-byte access to 0x00000102 by 0x0020a183 (lw) at pc 0x00010004"
        );
        let e = ExecError::IllegalInstruction {
            pc: 0x10,
            insn: 0xffff_ffff,
        };
        assert_eq!(
            e.to_string(),
            "illegal instruction 0xffffffff (illegal) at pc 0x00000010"
        );
    }
}
