//! The ELF loader on the committed fixtures and on malformed files made by
//! patching them: each defect gives its own error variant.

use prover::fixtures::Catalogue;
use prover::vm::{ElfError, Executor, Program};

const PT_LOAD: u32 = 1;

fn elf(name: &str) -> Vec<u8> {
    std::fs::read(Catalogue::default_dir().join(name)).unwrap()
}

fn get32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn put32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// File offsets of the `PT_LOAD` program headers, in order.
fn load_headers(bytes: &[u8]) -> Vec<usize> {
    let phoff = get32(bytes, 28) as usize;
    let phnum = u16::from_le_bytes([bytes[44], bytes[45]]) as usize;
    (0..phnum)
        .map(|i| phoff + 32 * i)
        .filter(|&at| get32(bytes, at) == PT_LOAD)
        .collect()
}

// Program header field offsets.
const P_OFFSET: usize = 4;
const P_VADDR: usize = 8;
const P_FILESZ: usize = 16;
const P_MEMSZ: usize = 20;

/// bytesort.elf: segment 0 is code at 0x10000, segment 1 is .bss at 0x11000.
fn patched(patch: impl FnOnce(&mut Vec<u8>, &[usize])) -> Result<Program, ElfError> {
    let mut bytes = elf("bytesort.elf");
    let headers = load_headers(&bytes);
    assert_eq!(headers.len(), 2);
    patch(&mut bytes, &headers);
    Program::from_elf(&bytes)
}

#[test]
fn loads_the_fixtures() {
    let program = Program::from_elf(&elf("bytesort.elf")).unwrap();
    assert_eq!(program.entry(), 0x10000);
    let segments = program.segments();
    assert_eq!(segments.len(), 2);
    assert!(segments[0].executable && !segments[0].writable);
    assert_eq!(segments[0].vaddr, 0x10000);
    // .bss: memory size without file bytes, and it reads as zero.
    assert!(segments[1].writable && !segments[1].executable);
    assert_eq!((segments[1].data.len(), segments[1].mem_size), (0, 0x10000));
    let ex = Executor::new(&program, &[]);
    assert_eq!(ex.memory().load_word(segments[1].vaddr + 0x100), 0);
    // Code bytes are loaded into memory too.
    let first = u32::from_le_bytes(segments[0].data[..4].try_into().unwrap());
    assert_eq!(ex.memory().load_word(0x10000), first);
    assert_eq!(program.instruction(0x10000).map(|(w, _)| w), Some(first));
}

#[test]
fn bss_tail_of_a_segment_reads_zero() {
    // Give the code segment a .bss tail: memsz > filesz.
    let program = patched(|b, h| {
        let memsz = get32(b, h[0] + P_MEMSZ);
        put32(b, h[0] + P_MEMSZ, memsz + 64);
    })
    .unwrap();
    let code = &program.segments()[0];
    assert_eq!(code.mem_size as usize, code.data.len() + 64);
    let ex = Executor::new(&program, &[]);
    let tail = code.vaddr + code.data.len() as u32;
    assert_eq!(ex.memory().load_word(tail.next_multiple_of(4)), 0);
}

#[test]
fn wrong_class() {
    let e = patched(|b, _| b[4] = 2).unwrap_err();
    assert_eq!(e, ElfError::WrongClass { found: 2 });
}

#[test]
fn wrong_endianness() {
    let e = patched(|b, _| b[5] = 2).unwrap_err();
    assert_eq!(e, ElfError::WrongEndianness { found: 2 });
}

#[test]
fn wrong_machine() {
    let e = patched(|b, _| b[18..20].copy_from_slice(&62u16.to_le_bytes())).unwrap_err();
    assert_eq!(e, ElfError::WrongMachine { found: 62 });
    assert!(e.to_string().contains("243"), "{e}");
}

#[test]
fn bad_magic_and_wrong_type() {
    let e = patched(|b, _| b[1] = b'X').unwrap_err();
    assert!(matches!(e, ElfError::BadMagic { .. }), "{e:?}");
    let e = patched(|b, _| b[16] = 3).unwrap_err();
    assert_eq!(e, ElfError::NotExecutable { found: 3 });
    let e = patched(|b, _| b[42] = 40).unwrap_err();
    assert_eq!(e, ElfError::BadProgramHeaderSize { found: 40 });
}

#[test]
fn truncated_files() {
    let bytes = elf("bytesort.elf");
    for (len, what) in [
        (0, "ELF identification"),
        (10, "ELF identification"),
        (40, "ELF header"),
        (60, "program header table"),
    ] {
        let e = Program::from_elf(&bytes[..len]).unwrap_err();
        assert!(
            matches!(e, ElfError::Truncated { what: w, len: l, .. } if w == what && l == len),
            "{len}: {e:?}"
        );
    }
    // Cut inside the code: the segment's bytes run past the end.
    let code_offset = get32(&bytes, load_headers(&bytes)[0] + P_OFFSET) as usize;
    let e = Program::from_elf(&bytes[..code_offset + 8]).unwrap_err();
    assert!(
        matches!(e, ElfError::SegmentOutOfFile { index: 0, .. }),
        "{e:?}"
    );
}

#[test]
fn segment_file_bytes_out_of_range() {
    let e = patched(|b, h| {
        let len = b.len() as u32;
        put32(b, h[0] + P_OFFSET, len - 4);
    })
    .unwrap_err();
    assert!(
        matches!(e, ElfError::SegmentOutOfFile { index: 0, .. }),
        "{e:?}"
    );
    let e = patched(|b, h| put32(b, h[0] + P_OFFSET, u32::MAX)).unwrap_err();
    assert!(
        matches!(e, ElfError::SegmentOutOfFile { index: 0, .. }),
        "{e:?}"
    );
}

#[test]
fn file_size_larger_than_memory_size() {
    let e = patched(|b, h| put32(b, h[0] + P_MEMSZ, 4)).unwrap_err();
    assert!(
        matches!(
            e,
            ElfError::FileSizeExceedsMemSize {
                index: 0,
                memsz: 4,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn address_overflow() {
    let e = patched(|b, h| put32(b, h[1] + P_VADDR, 0xffff_8000)).unwrap_err();
    assert_eq!(
        e,
        ElfError::AddressOverflow {
            index: 1,
            vaddr: 0xffff_8000,
            memsz: 0x10000
        }
    );
    // Ending exactly at 2^32 is fine.
    patched(|b, h| put32(b, h[1] + P_VADDR, 0xffff_0000)).unwrap();
}

#[test]
fn overlapping_segments() {
    let e = patched(|b, h| put32(b, h[1] + P_VADDR, 0x10100)).unwrap_err();
    assert!(
        matches!(
            e,
            ElfError::OverlappingSegments {
                first: 0,
                second: 1,
                second_start: 0x10100,
                ..
            }
        ),
        "{e:?}"
    );
    // .bss placed below the code, overlapping its start.
    let e = patched(|b, h| put32(b, h[1] + P_VADDR, 0x8000)).unwrap_err();
    assert!(
        matches!(
            e,
            ElfError::OverlappingSegments {
                first: 1,
                second: 0,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn entry_point_outside_code() {
    // In the non-executable .bss.
    let e = patched(|b, _| put32(b, 24, 0x11000)).unwrap_err();
    assert_eq!(e, ElfError::EntryNotInCode { entry: 0x11000 });
    // Past the end of everything.
    let e = patched(|b, _| put32(b, 24, 0x9000_0000)).unwrap_err();
    assert_eq!(e, ElfError::EntryNotInCode { entry: 0x9000_0000 });
    // Just past the code's file bytes.
    let e = patched(|b, h| {
        let end = get32(b, h[0] + P_VADDR) + get32(b, h[0] + P_FILESZ);
        put32(b, 24, end);
    })
    .unwrap_err();
    assert!(matches!(e, ElfError::EntryNotInCode { .. }), "{e:?}");
    let e = patched(|b, _| put32(b, 24, 0x10002)).unwrap_err();
    assert_eq!(e, ElfError::MisalignedEntry { entry: 0x10002 });
}

#[test]
fn misaligned_code_segment() {
    let e = patched(|b, h| {
        put32(b, h[0] + P_VADDR, 0x10002);
        put32(b, 24, 0x10004);
    })
    .unwrap_err();
    assert_eq!(
        e,
        ElfError::MisalignedCode {
            index: 0,
            vaddr: 0x10002
        }
    );
}
