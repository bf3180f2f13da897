//! The ELF loader: parses ELF32 little-endian RISC-V static executables into
//! their `PT_LOAD` segments and entry point, with a typed [`ElfError`] for
//! every way a file can be malformed.
//!
//! Only the ELF header and the program header table are read; section headers
//! are ignored. Segments with a zero memory size are skipped. Segment checks
//! (sizes, overlap, entry point) are shared with
//! [`Program::from_segments`](super::Program::from_segments), which this
//! module's [`parse`] feeds.

use thiserror::Error;

use super::segment::Segment;

/// `e_machine` for RISC-V.
pub const EM_RISCV: u16 = 243;
const ELFCLASS32: u8 = 1;
const ELFDATA2LSB: u8 = 1;
const ET_EXEC: u16 = 2;
const PT_LOAD: u32 = 1;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const EHDR_SIZE: usize = 52;
const PHDR_SIZE: usize = 32;

/// Why an ELF file (or a list of segments) cannot be loaded.
///
/// Segment indices count loadable (`PT_LOAD`, non-empty) segments in file
/// order, starting at 0.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ElfError {
    /// The file ends before a header it must contain.
    #[error("truncated ELF file: the {what} needs {needed} bytes but the file has {len}")]
    Truncated {
        /// Which structure is cut off.
        what: &'static str,
        /// Bytes the structure needs from the start of the file.
        needed: u64,
        /// The file's length.
        len: usize,
    },
    /// The first four bytes are not `\x7fELF`.
    #[error("not an ELF file: magic bytes {found:02x?}")]
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// Not a 32-bit ELF file.
    #[error("wrong ELF class {found}: expected 1 (ELFCLASS32)")]
    WrongClass {
        /// `e_ident[EI_CLASS]`.
        found: u8,
    },
    /// Not a little-endian ELF file.
    #[error("wrong ELF data encoding {found}: expected 1 (little-endian)")]
    WrongEndianness {
        /// `e_ident[EI_DATA]`.
        found: u8,
    },
    /// Not a RISC-V ELF file.
    #[error("wrong machine {found}: expected 243 (RISC-V)")]
    WrongMachine {
        /// `e_machine`.
        found: u16,
    },
    /// Not a static executable (`ET_EXEC`).
    #[error("not a static executable: ELF type {found}, expected 2 (ET_EXEC)")]
    NotExecutable {
        /// `e_type`.
        found: u16,
    },
    /// `e_phentsize` is not the ELF32 program header size.
    #[error("unsupported program header size {found}: expected 32")]
    BadProgramHeaderSize {
        /// `e_phentsize`.
        found: u16,
    },
    /// A segment's file bytes lie (partly) past the end of the file.
    #[error(
        "segment {index}: file bytes at offset {offset:#x} (size {filesz:#x}) lie past the end of the {len}-byte file"
    )]
    SegmentOutOfFile {
        /// The segment.
        index: usize,
        /// `p_offset`.
        offset: u32,
        /// `p_filesz`.
        filesz: u32,
        /// The file's length.
        len: usize,
    },
    /// A segment has more file bytes than memory bytes.
    #[error("segment {index}: file size {filesz:#x} exceeds memory size {memsz:#x}")]
    FileSizeExceedsMemSize {
        /// The segment.
        index: usize,
        /// Bytes taken from the file.
        filesz: u32,
        /// Bytes occupied in memory.
        memsz: u32,
    },
    /// A segment runs past the end of the 32-bit address space.
    #[error("segment {index}: {vaddr:#010x} + size {memsz:#x} overflows the 32-bit address space")]
    AddressOverflow {
        /// The segment.
        index: usize,
        /// Start address.
        vaddr: u32,
        /// Size in memory.
        memsz: u32,
    },
    /// Two segments share memory.
    #[error(
        "segments {first} ({first_start:#010x}..{first_end:#x}) and {second} (from {second_start:#010x}) overlap"
    )]
    OverlappingSegments {
        /// The segment with the lower start address.
        first: usize,
        /// Its start address.
        first_start: u32,
        /// Its end address (exclusive).
        first_end: u64,
        /// The segment starting inside `first`.
        second: usize,
        /// Its start address.
        second_start: u32,
    },
    /// An executable segment does not start on an instruction boundary.
    #[error("executable segment {index} starts at {vaddr:#010x}, which is not 4-byte aligned")]
    MisalignedCode {
        /// The segment.
        index: usize,
        /// Its start address.
        vaddr: u32,
    },
    /// An executable segment reaches the last word of the address space, where
    /// `JAL`/`JALR` would link `pc + 4 = 2^32` (the machine wraps it to 0; the CPU
    /// table's link is `pc + 4` in the field). See [`CODE_END_MAX`](super::program::CODE_END_MAX).
    #[error(
        "executable segment {index} ends at {end:#x}, past {max:#x}: the last word of the address space cannot hold code"
    )]
    CodeAtTopOfMemory {
        /// The segment.
        index: usize,
        /// Its end address (exclusive).
        end: u64,
        /// The highest end an executable segment may have.
        max: u64,
    },
    /// The executable segments span more address space than the pre-decoder
    /// supports.
    #[error("executable segments span {span:#x} bytes, more than the {max:#x} supported")]
    CodeTooLarge {
        /// Bytes from the first to the end of the last executable segment.
        span: u64,
        /// The limit.
        max: u64,
    },
    /// The entry point is not inside an executable segment's file bytes.
    #[error("entry point {entry:#010x} is not inside loaded executable code")]
    EntryNotInCode {
        /// `e_entry`.
        entry: u32,
    },
    /// The entry point is not 4-byte aligned.
    #[error("entry point {entry:#010x} is not 4-byte aligned")]
    MisalignedEntry {
        /// `e_entry`.
        entry: u32,
    },
}

/// The loadable parts of an ELF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfImage {
    /// `e_entry`.
    pub entry: u32,
    /// Non-empty `PT_LOAD` segments in file order.
    pub segments: Vec<Segment>,
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn need(bytes: &[u8], what: &'static str, needed: u64) -> Result<(), ElfError> {
    if (bytes.len() as u64) < needed {
        return Err(ElfError::Truncated {
            what,
            needed,
            len: bytes.len(),
        });
    }
    Ok(())
}

/// Parses the ELF header and `PT_LOAD` segments. Does not validate segment
/// placement or the entry point; [`Program::from_elf`](super::Program::from_elf)
/// does that.
pub fn parse(bytes: &[u8]) -> Result<ElfImage, ElfError> {
    need(bytes, "ELF identification", 16)?;
    if bytes[..4] != *b"\x7fELF" {
        return Err(ElfError::BadMagic {
            found: [bytes[0], bytes[1], bytes[2], bytes[3]],
        });
    }
    if bytes[4] != ELFCLASS32 {
        return Err(ElfError::WrongClass { found: bytes[4] });
    }
    if bytes[5] != ELFDATA2LSB {
        return Err(ElfError::WrongEndianness { found: bytes[5] });
    }
    need(bytes, "ELF header", EHDR_SIZE as u64)?;
    let e_type = u16_at(bytes, 16);
    let e_machine = u16_at(bytes, 18);
    if e_machine != EM_RISCV {
        return Err(ElfError::WrongMachine { found: e_machine });
    }
    if e_type != ET_EXEC {
        return Err(ElfError::NotExecutable { found: e_type });
    }
    let entry = u32_at(bytes, 24);
    let phoff = u32_at(bytes, 28);
    let phentsize = u16_at(bytes, 42);
    let phnum = u16_at(bytes, 44);
    if phnum > 0 && usize::from(phentsize) != PHDR_SIZE {
        return Err(ElfError::BadProgramHeaderSize { found: phentsize });
    }
    need(
        bytes,
        "program header table",
        u64::from(phoff) + u64::from(phnum) * PHDR_SIZE as u64,
    )?;

    let mut segments = Vec::new();
    for i in 0..usize::from(phnum) {
        let at = phoff as usize + i * PHDR_SIZE;
        if u32_at(bytes, at) != PT_LOAD {
            continue;
        }
        let offset = u32_at(bytes, at + 4);
        let vaddr = u32_at(bytes, at + 8);
        let filesz = u32_at(bytes, at + 16);
        let memsz = u32_at(bytes, at + 20);
        let flags = u32_at(bytes, at + 24);
        if memsz == 0 && filesz == 0 {
            continue;
        }
        let index = segments.len();
        let end = u64::from(offset) + u64::from(filesz);
        if end > bytes.len() as u64 {
            return Err(ElfError::SegmentOutOfFile {
                index,
                offset,
                filesz,
                len: bytes.len(),
            });
        }
        if filesz > memsz {
            return Err(ElfError::FileSizeExceedsMemSize {
                index,
                filesz,
                memsz,
            });
        }
        segments.push(Segment {
            vaddr,
            data: bytes[offset as usize..end as usize].to_vec(),
            mem_size: memsz,
            executable: flags & PF_X != 0,
            writable: flags & PF_W != 0,
        });
    }
    Ok(ElfImage { entry, segments })
}
