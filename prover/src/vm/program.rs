//! A loaded program: its segments, entry point and the pre-decoded code the
//! executor fetches from.
//!
//! The executable segments are decoded once, into one table indexed by
//! `(pc - code_base) / 4` that spans from the lowest to the end of the highest
//! executable segment; gaps and `.bss` tails in between decode as illegal.
//! Code is fetched only from this table: stores into code do not change the
//! instructions executed.

use super::decode::{Decoded, Op, decode};
use super::elf::{self, ElfError};
pub use super::segment::Segment;

/// The largest span of executable segments the pre-decoder accepts (64 MiB).
pub const MAX_CODE_SPAN: u64 = 64 << 20;

/// The highest end (exclusive) an executable segment may have: `2^32 - 4`, so that no
/// instruction sits at `0xFFFF_FFFC`. There, `JAL`/`JALR` would link `pc + 4 = 2^32`, which
/// the machine wraps to 0 but the CPU table's constraint (`rd = pc + 4`, in the field) does
/// not; an unchecked `2^32` in a register could then flow into later instructions. Refusing
/// such code here binds prover and verifier alike, since both build the PROGRAM table from
/// the same [`Program`]. Every other instruction's successor pc is looked up in PROGRAM,
/// which holds only real code addresses, so the link is the one place `pc + 4` is used as a
/// value.
pub const CODE_END_MAX: u64 = (1 << 32) - 4;

/// A loaded RV32IM program with its pre-decoded code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    segments: Vec<Segment>,
    entry: u32,
    code_base: u32,
    code: Vec<Instr>,
}

/// One pre-decoded instruction slot: the decoded form and its raw word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instr {
    pub(crate) decoded: Decoded,
    pub(crate) word: u32,
}

impl Program {
    /// Loads an ELF32 little-endian RISC-V static executable.
    pub fn from_elf(bytes: &[u8]) -> Result<Program, ElfError> {
        let image = elf::parse(bytes)?;
        Program::from_segments(image.entry, image.segments)
    }

    /// Builds a program from segments (for example hand-assembled code),
    /// with the same checks as [`Program::from_elf`]: sizes, address
    /// overflow, overlap, code alignment and an entry point inside code.
    pub fn from_segments(entry: u32, segments: Vec<Segment>) -> Result<Program, ElfError> {
        for (index, s) in segments.iter().enumerate() {
            if s.data.len() as u64 > u64::from(s.mem_size) {
                return Err(ElfError::FileSizeExceedsMemSize {
                    index,
                    filesz: s.data.len() as u32,
                    memsz: s.mem_size,
                });
            }
            if s.end() > 1 << 32 {
                return Err(ElfError::AddressOverflow {
                    index,
                    vaddr: s.vaddr,
                    memsz: s.mem_size,
                });
            }
            if s.executable && !s.vaddr.is_multiple_of(4) {
                return Err(ElfError::MisalignedCode {
                    index,
                    vaddr: s.vaddr,
                });
            }
            if s.executable && s.end() > CODE_END_MAX {
                return Err(ElfError::CodeAtTopOfMemory {
                    index,
                    end: s.end(),
                    max: CODE_END_MAX,
                });
            }
        }
        check_overlap(&segments)?;

        let code: Vec<(usize, &Segment)> = segments
            .iter()
            .enumerate()
            .filter(|(_, s)| s.executable)
            .collect();
        let in_code = code.iter().any(|(_, s)| {
            entry >= s.vaddr && u64::from(entry) < u64::from(s.vaddr) + s.data.len() as u64
        });
        if !in_code {
            return Err(ElfError::EntryNotInCode { entry });
        }
        if !entry.is_multiple_of(4) {
            return Err(ElfError::MisalignedEntry { entry });
        }

        // `code` is non-empty: the entry point lies in one of its segments.
        let code_base = code.iter().map(|(_, s)| s.vaddr).min().unwrap_or(0);
        let code_end = code.iter().map(|(_, s)| s.end()).max().unwrap_or(0);
        let span = code_end - u64::from(code_base);
        if span > MAX_CODE_SPAN {
            return Err(ElfError::CodeTooLarge {
                span,
                max: MAX_CODE_SPAN,
            });
        }
        let mut words = vec![0u32; span.div_ceil(4) as usize];
        for (_, s) in &code {
            let first = ((s.vaddr - code_base) / 4) as usize;
            for (i, chunk) in s.data.chunks(4).enumerate() {
                let mut bytes = [0u8; 4];
                bytes[..chunk.len()].copy_from_slice(chunk);
                words[first + i] = u32::from_le_bytes(bytes);
            }
        }
        let code = words
            .iter()
            .map(|&word| Instr {
                decoded: decode(word),
                word,
            })
            .collect();
        Ok(Program {
            segments,
            entry,
            code_base,
            code,
        })
    }

    /// The entry point.
    pub fn entry(&self) -> u32 {
        self.entry
    }

    /// The loadable segments, in the order given (file order for ELF).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The address of the first pre-decoded instruction.
    pub fn code_base(&self) -> u32 {
        self.code_base
    }

    /// How many instruction slots the pre-decoded code has.
    pub fn code_len(&self) -> usize {
        self.code.len()
    }

    /// The raw word and decoded form at `pc`, if `pc` is an aligned address
    /// inside the pre-decoded code.
    pub fn instruction(&self, pc: u32) -> Option<(u32, Decoded)> {
        if !pc.is_multiple_of(4) {
            return None;
        }
        let index = (pc.wrapping_sub(self.code_base) / 4) as usize;
        let instr = self.code.get(index)?;
        Some((instr.word, instr.decoded))
    }

    /// Whether any instruction in the code uses `op`.
    pub fn uses(&self, op: Op) -> bool {
        self.code.iter().any(|i| i.decoded.op == op)
    }

    /// The pre-decoded code, indexed by `(pc - code_base) / 4`.
    pub(crate) fn code(&self) -> &[Instr] {
        &self.code
    }
}

fn check_overlap(segments: &[Segment]) -> Result<(), ElfError> {
    let mut order: Vec<usize> = (0..segments.len())
        .filter(|&i| segments[i].mem_size > 0)
        .collect();
    order.sort_by_key(|&i| segments[i].vaddr);
    for pair in order.windows(2) {
        let (a, b) = (&segments[pair[0]], &segments[pair[1]]);
        if u64::from(b.vaddr) < a.end() {
            return Err(ElfError::OverlappingSegments {
                first: pair[0],
                first_start: a.vaddr,
                first_end: a.end(),
                second: pair[1],
                second_start: b.vaddr,
            });
        }
    }
    Ok(())
}
