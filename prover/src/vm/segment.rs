//! One loadable segment of a program: what the ELF loader produces and a
//! [`Program`](super::Program) is made of. Its own module, so that the loader and the
//! program name it without importing each other.

/// One loadable segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Start address.
    pub vaddr: u32,
    /// Initialised bytes, loaded at `vaddr`.
    pub data: Vec<u8>,
    /// Bytes occupied in memory; those past `data` read as zero (`.bss`).
    pub mem_size: u32,
    /// Whether the segment holds code (`PF_X`).
    pub executable: bool,
    /// Whether the segment is writable (`PF_W`); informational only.
    pub writable: bool,
}

impl Segment {
    /// One past the last address, as a `u64` (may be exactly `2^32`).
    pub fn end(&self) -> u64 {
        u64::from(self.vaddr) + u64::from(self.mem_size)
    }
}
