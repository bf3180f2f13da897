//! Sparse, byte-addressed, little-endian memory over the full 32-bit address
//! space, stored as 4 KiB pages of words.
//!
//! A flat page table (one `u32` per 4 KiB page, 4 MiB, allocated zeroed so
//! the OS maps it lazily) maps a page number to a slot in the page arena.
//! Slot 0 is a shared all-zero page that is never written: every page that
//! was never written reads through it as zero, so loads never branch on
//! presence. A store to such a page first gives it a fresh slot.

/// Bytes per page.
pub const PAGE_BYTES: u32 = 4096;
/// Words per page.
pub const PAGE_WORDS: usize = (PAGE_BYTES / 4) as usize;
const PAGES: usize = 1 << 20;

/// One page of memory: 1024 little-endian words.
pub type Page = [u32; PAGE_WORDS];

/// The machine's memory.
#[derive(Clone)]
pub struct Memory {
    /// Page number → arena slot; 0 is the shared zero page.
    table: Box<[u32; PAGES]>,
    /// Slot 0 is the zero page.
    arena: Vec<Page>,
    /// The page number of each arena slot (slot 0's entry is unused).
    owners: Vec<u32>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("pages", &(self.arena.len() - 1))
            .finish()
    }
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new()
    }
}

impl Memory {
    /// Empty memory: every address reads zero.
    pub fn new() -> Memory {
        let table: Box<[u32; PAGES]> = vec![0u32; PAGES]
            .into_boxed_slice()
            .try_into()
            .expect("table has PAGES entries");
        Memory {
            table,
            arena: vec![[0; PAGE_WORDS]],
            owners: vec![0],
        }
    }

    /// Reads the word at `addr & !3`.
    #[inline(always)]
    pub fn load_word(&self, addr: u32) -> u32 {
        let slot = self.table[(addr >> 12) as usize] as usize;
        self.arena[slot][((addr >> 2) as usize) & (PAGE_WORDS - 1)]
    }

    /// Writes the word at `addr & !3`.
    #[inline(always)]
    pub fn store_word(&mut self, addr: u32, value: u32) {
        let page = (addr >> 12) as usize;
        let mut slot = self.table[page] as usize;
        if slot == 0 {
            slot = self.new_page(page);
        }
        self.arena[slot][((addr >> 2) as usize) & (PAGE_WORDS - 1)] = value;
    }

    #[cold]
    #[inline(never)]
    fn new_page(&mut self, page: usize) -> usize {
        let slot = self.arena.len();
        self.arena.push([0; PAGE_WORDS]);
        self.owners.push(page as u32);
        self.table[page] = slot as u32;
        slot
    }

    /// Reads one byte.
    pub fn load_byte(&self, addr: u32) -> u8 {
        (self.load_word(addr) >> ((addr & 3) * 8)) as u8
    }

    /// Writes one byte.
    pub fn store_byte(&mut self, addr: u32, value: u8) {
        let shift = (addr & 3) * 8;
        let word = self.load_word(addr);
        self.store_word(
            addr,
            (word & !(0xff << shift)) | (u32::from(value) << shift),
        );
    }

    /// Writes `bytes` starting at `addr`, wrapping at the end of the address
    /// space.
    pub fn store_bytes(&mut self, addr: u32, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            self.store_byte(addr.wrapping_add(i as u32), b);
        }
    }

    /// The written pages as `(page number, contents)`, by page number.
    pub fn pages(&self) -> Vec<(u32, Box<Page>)> {
        let mut pages: Vec<(u32, Box<Page>)> = self
            .owners
            .iter()
            .zip(&self.arena)
            .skip(1)
            .map(|(&page, contents)| (page, Box::new(*contents)))
            .collect();
        pages.sort_by_key(|&(page, _)| page);
        pages
    }

    /// Memory holding exactly `pages` (as returned by [`Memory::pages`]).
    pub fn from_pages(pages: &[(u32, Box<Page>)]) -> Memory {
        let mut memory = Memory::new();
        for (page, contents) in pages {
            let page = (*page as usize) & (PAGES - 1);
            let slot = memory.new_page(page);
            memory.arena[slot] = **contents;
        }
        memory
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwritten_memory_reads_zero_and_bytes_are_little_endian() {
        let mut m = Memory::new();
        assert_eq!(m.load_word(0xdead_bee0), 0);
        m.store_word(0x1000, 0x1122_3344);
        assert_eq!(m.load_byte(0x1000), 0x44);
        assert_eq!(m.load_byte(0x1003), 0x11);
        m.store_byte(0x1001, 0xaa);
        assert_eq!(m.load_word(0x1000), 0x1122_aa44);
        m.store_bytes(0xffff_fffe, &[1, 2, 3]);
        assert_eq!(m.load_byte(0xffff_ffff), 2);
        assert_eq!(m.load_byte(0), 3);
        // The zero page stays zero after writes elsewhere.
        assert_eq!(m.load_word(0x5000), 0);
    }

    #[test]
    fn pages_round_trip() {
        let mut m = Memory::new();
        m.store_word(0x4000_0000, 7);
        m.store_word(0x10, 9);
        let pages = m.pages();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].0, 0);
        let back = Memory::from_pages(&pages);
        assert_eq!(back.load_word(0x4000_0000), 7);
        assert_eq!(back.load_word(0x10), 9);
        assert_eq!(back.pages(), pages);
    }
}
