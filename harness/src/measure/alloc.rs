//! Heap measurement: [`CountingAlloc`], a global allocator wrapper that counts live heap bytes,
//! in total and per heap tag, and keeps their exact peak plus a resettable per-phase peak,
//! each with its per-tag snapshot (the process's resident set and the allocator's own
//! counters are `measure::probes`').
//!
//! What is counted: the `size` of every [`Layout`] handed out and not yet freed, i.e. the
//! bytes the program asked for. Allocator overhead, fragmentation and memory the allocator
//! keeps cached are not counted; the peak RSS covers those.
//!
//! The switch: counting is on unless the environment variable [`COUNT_ALLOC_ENV`]
//! (`BENCH_COUNT_ALLOC`) is `0`, read once at start-up by
//! [`CountingAlloc::configure_from_env`]; `BENCH_COUNT_ALLOC=0` measures the prover with the
//! bare allocator, to bound the counting overhead. Once off, counting stays off (frees of
//! earlier counted blocks are no longer subtracted, so it cannot be turned back on).
//!
//! The peak timeline (for `bench profile`, off otherwise): while
//! [`CountingAlloc::start_timeline`] is in force, a new global peak that exceeds the last
//! recorded one by [`TIMELINE_STEP_PCT`] percent (and at least [`TIMELINE_MIN_STEP_BYTES`])
//! is recorded as (monotonic time, bytes) in a fixed array of [`TIMELINE_CAPACITY`] atomic
//! slots; peaks past the capacity are counted as dropped. Every new peak also stores its
//! time, so the global peak's moment is exact. The allocator stays allocation-free: the
//! clock is `clock_gettime(CLOCK_MONOTONIC)` and the rest is atomics. With the timeline off,
//! a new peak costs one extra relaxed load.
//!
//! Live bytes per heap tag (`prover::memtag`): every counted block is booked under one
//! [`Tag`], and the books keep live bytes per tag next to the total, with a snapshot of them
//! at the global peak and at the phase peak. Decisions:
//!
//! * **Tags follow the allocation, not the freeing thread.** A block of at least
//!   [`TAG_MIN_BYTES`] allocated while its thread's tag is not `Other` is entered in a fixed
//!   side table keyed by address ([`TAG_TABLE_SLOTS`] atomic slots, open addressing within a
//!   window of [`TAG_PROBE`] slots, freed slots left as tombstones and reused; no allocation).
//!   Its free, on whatever thread, takes the entry out (before the block goes back, so its
//!   address cannot be reused while still entered) and debits that tag. Smaller blocks are
//!   `Other` at allocation and at free without a lookup, so the books balance. A block the
//!   table has no room for stays `Other` (counted in [`CountingAlloc::tag_misses`]); its free
//!   finds no entry and debits `Other`.
//! * **realloc** keeps a tagged block's tag (the entry moves to the new address). A block
//!   that grows from below the cutoff to at least it takes the reallocating thread's tag (it
//!   was `Other` only for being small: this is how a growing `Vec`, the execution log, gets
//!   its tag); one that shrinks below the cutoff becomes `Other`. Either way its bytes move
//!   between tags in the same update that changes the total.
//! * **The snapshots are exact.** The total, the per-tag values, the peaks and their
//!   snapshots change together under one tiny spin lock (an uncontended lock is one
//!   compare-exchange and one store, against the three atomic read-modify-writes it
//!   replaces). So the per-tag bytes at the peak sum to the peak, and the phase's to the
//!   phase peak, whatever the threads do (`tag_snapshots_sum_to_their_peaks_across_threads`).
//!   The critical section is arithmetic on plain integers and cannot panic; a waiter spins
//!   briefly, then yields (`sched_yield`, no allocation).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ffi::OsStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use prover::memtag::{self, Tag};

use crate::measure::clock::monotonic_nanos;
use crate::model::record::Breakdown;

/// The environment variable that turns counting off when it is `0`.
pub const COUNT_ALLOC_ENV: &str = "BENCH_COUNT_ALLOC";

/// Slots of the peak timeline: with 1 % steps, 2048 samples span a growth of
/// `1.01^2048`, far past any heap, so only a run of tiny steps near the 64 KiB floor fills it.
pub const TIMELINE_CAPACITY: usize = 2048;

/// A new peak is recorded when it is this many percent above the last recorded one ...
pub const TIMELINE_STEP_PCT: u64 = 1;

/// ... and at least this many bytes above it (so the first megabytes do not fill the array).
pub const TIMELINE_MIN_STEP_BYTES: u64 = 64 << 10;

/// Blocks of at least this many bytes are booked under their thread's tag; smaller ones are
/// always `Other` (the buffers the tags name are far larger, and the side table stays small).
pub const TAG_MIN_BYTES: usize = 64 << 10;

/// Slots of the tag side table: live tagged blocks are a few thousand at most.
pub const TAG_TABLE_SLOTS: usize = 1 << 15;

/// Slots an entry may sit past its home slot; a block finding none free stays `Other`.
pub const TAG_PROBE: usize = 64;

/// Live bytes per tag at one moment, indexed by [`Tag::index`], with their total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagSnapshot {
    /// Live bytes of all tags together.
    pub bytes: u64,
    /// Live bytes per tag.
    pub by_tag: [u64; Tag::COUNT],
}

impl TagSnapshot {
    /// Nothing live.
    pub const ZERO: Self = Self {
        bytes: 0,
        by_tag: [0; Tag::COUNT],
    };

    /// The bytes booked under `tag`.
    pub fn get(&self, tag: Tag) -> u64 {
        self.by_tag[tag.index()]
    }

    /// The per-tag bytes added up (equal to `bytes` for every snapshot the allocator takes).
    pub fn sum(&self) -> u64 {
        self.by_tag.iter().fold(0u64, |a, &b| a.wrapping_add(b))
    }

    /// The record's form: bytes per tag name, tags without bytes left out.
    pub fn breakdown(&self) -> Breakdown {
        Tag::ALL
            .iter()
            .map(|&t| (t.name().to_string(), self.get(t)))
            .filter(|&(_, b)| b > 0)
            .collect()
    }
}

/// The counters that change together, under [`CountingAlloc`]'s spin lock.
#[derive(Debug)]
struct Books {
    live: TagSnapshot,
    peak: TagSnapshot,
    phase_peak: TagSnapshot,
    /// Bit `i` set: tag `i` had live bytes at some moment since the timeline started.
    ever_live: u64,
}

const EMPTY: u64 = 0;
const TOMBSTONE: u64 = 1;
const TAG_SHIFT: u32 = 56;
const ADDR_MASK: u64 = (1 << TAG_SHIFT) - 1;

/// The side table: address -> tag of live tagged blocks (see the module docs).
#[derive(Debug)]
struct TagTable {
    slots: [AtomicU64; TAG_TABLE_SLOTS],
}

impl TagTable {
    const fn new() -> Self {
        Self {
            slots: [const { AtomicU64::new(EMPTY) }; TAG_TABLE_SLOTS],
        }
    }

    fn home(addr: u64) -> usize {
        let h = (addr >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - TAG_TABLE_SLOTS.trailing_zeros())) as usize
    }

    fn window(addr: u64) -> impl Iterator<Item = usize> {
        let home = Self::home(addr);
        (0..TAG_PROBE).map(move |i| (home + i) & (TAG_TABLE_SLOTS - 1))
    }

    /// Enters a live block; false when the window is full (or the address too high).
    fn insert(&self, ptr: *mut u8, tag: Tag) -> bool {
        let addr = ptr as usize as u64;
        if addr > ADDR_MASK || addr <= TOMBSTONE {
            return false;
        }
        let entry = addr | ((tag as u64) << TAG_SHIFT);
        for i in Self::window(addr) {
            let slot = &self.slots[i];
            let v = slot.load(Ordering::Relaxed);
            if (v == EMPTY || v == TOMBSTONE)
                && slot
                    .compare_exchange(v, entry, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                return true;
            }
        }
        false
    }

    /// Takes a block's entry out, returning its tag; `None` when it was never entered.
    /// Slots never return to empty, so an entry lies before the first empty slot of its
    /// window.
    fn take(&self, ptr: *mut u8) -> Option<Tag> {
        let addr = ptr as usize as u64;
        if addr > ADDR_MASK || addr <= TOMBSTONE {
            return None;
        }
        for i in Self::window(addr) {
            let slot = &self.slots[i];
            let v = slot.load(Ordering::Relaxed);
            if v == EMPTY {
                return None;
            }
            if v != TOMBSTONE && v & ADDR_MASK == addr {
                slot.store(TOMBSTONE, Ordering::Relaxed);
                return Tag::ALL.get((v >> TAG_SHIFT) as usize).copied();
            }
        }
        None
    }
}

/// One recorded new peak, with its live bytes per tag.
#[derive(Debug)]
struct TimelineSlot {
    nanos: AtomicU64,
    bytes: AtomicU64,
    by_tag: [AtomicU64; Tag::COUNT],
}

impl TimelineSlot {
    const fn new() -> Self {
        Self {
            nanos: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            by_tag: [const { AtomicU64::new(0) }; Tag::COUNT],
        }
    }
}

/// Wraps an allocator `A` (jemalloc in `bench`) and counts its live bytes, per tag.
///
/// The counts are exact (each block is added once and subtracted once, under the books'
/// lock, with the peak raised by the allocation that reaches it); a reader racing with other
/// threads sees some recent value.
#[derive(Debug)]
pub struct CountingAlloc<A> {
    inner: A,
    counting: AtomicBool,
    locked: AtomicBool,
    books: UnsafeCell<Books>,
    tags: TagTable,
    tag_misses: AtomicU64,
    timeline_on: AtomicBool,
    timeline_next: AtomicU64,
    timeline_len: AtomicUsize,
    peak_nanos: AtomicU64,
    timeline: [TimelineSlot; TIMELINE_CAPACITY],
}

impl<A> CountingAlloc<A> {
    /// Wraps `inner`, counting on, every counter at 0.
    pub const fn new(inner: A) -> Self {
        Self {
            inner,
            counting: AtomicBool::new(true),
            locked: AtomicBool::new(false),
            books: UnsafeCell::new(Books {
                live: TagSnapshot::ZERO,
                peak: TagSnapshot::ZERO,
                phase_peak: TagSnapshot::ZERO,
                ever_live: 0,
            }),
            tags: TagTable::new(),
            tag_misses: AtomicU64::new(0),
            timeline_on: AtomicBool::new(false),
            timeline_next: AtomicU64::new(0),
            timeline_len: AtomicUsize::new(0),
            peak_nanos: AtomicU64::new(0),
            timeline: [const { TimelineSlot::new() }; TIMELINE_CAPACITY],
        }
    }

    /// Starts (or restarts, emptied) the peak timeline; see the module docs.
    pub fn start_timeline(&self) {
        self.with_books(|b| {
            b.ever_live = b
                .live
                .by_tag
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .fold(0, |m, (i, _)| m | 1 << i);
        });
        self.timeline_len.store(0, Ordering::Relaxed);
        self.timeline_next.store(0, Ordering::Relaxed);
        self.peak_nanos.store(0, Ordering::Relaxed);
        self.timeline_on.store(true, Ordering::Release);
    }

    /// Stops the timeline and returns its samples as (monotonic nanoseconds, live bytes per
    /// tag, summing to its bytes), oldest first, with the number of peaks dropped for want
    /// of slots.
    pub fn stop_timeline(&self) -> (Vec<(u64, TagSnapshot)>, usize) {
        self.timeline_on.store(false, Ordering::Release);
        let len = self.timeline_len.load(Ordering::Acquire);
        let kept = len.min(TIMELINE_CAPACITY);
        let mut out: Vec<(u64, TagSnapshot)> = self.timeline[..kept]
            .iter()
            .map(|s| {
                let mut snap = TagSnapshot {
                    bytes: s.bytes.load(Ordering::Relaxed),
                    by_tag: [0; Tag::COUNT],
                };
                for (d, a) in snap.by_tag.iter_mut().zip(&s.by_tag) {
                    *d = a.load(Ordering::Relaxed);
                }
                (s.nanos.load(Ordering::Relaxed), snap)
            })
            .filter(|(t, s)| *t != 0 && s.bytes != 0)
            .collect();
        out.sort_unstable_by_key(|(t, _)| *t);
        (out, len - kept)
    }

    /// The tags that had live bytes at some moment since the timeline last started (a kind
    /// live only between two samples included), in [`Tag::ALL`] order.
    pub fn ever_live(&self) -> Vec<Tag> {
        let mask = self.with_books(|b| b.ever_live);
        Tag::ALL
            .iter()
            .copied()
            .filter(|t| mask & (1 << t.index()) != 0)
            .collect()
    }

    /// When the global peak was last raised while the timeline ran (monotonic nanoseconds;
    /// 0 when it was not).
    pub fn peak_nanos(&self) -> u64 {
        self.peak_nanos.load(Ordering::Relaxed)
    }

    /// A new global peak `now`: time-stamps it, and records it when it is a step above the
    /// last recorded one.
    #[cold]
    #[inline(never)]
    fn new_peak(&self, snap: TagSnapshot) {
        if !self.timeline_on.load(Ordering::Relaxed) {
            return;
        }
        let now = snap.bytes;
        let t = monotonic_nanos();
        self.peak_nanos.store(t, Ordering::Relaxed);
        let next = self.timeline_next.load(Ordering::Relaxed);
        if now < next {
            return;
        }
        let step = (now / 100 * TIMELINE_STEP_PCT).max(TIMELINE_MIN_STEP_BYTES);
        // One thread claims each step; a racing one skips (its peak is within the step).
        if self
            .timeline_next
            .compare_exchange(next, now + step, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        let i = self.timeline_len.fetch_add(1, Ordering::AcqRel);
        if let Some(slot) = self.timeline.get(i) {
            slot.nanos.store(t, Ordering::Relaxed);
            slot.bytes.store(now, Ordering::Relaxed);
            for (a, &n) in slot.by_tag.iter().zip(&snap.by_tag) {
                a.store(n, Ordering::Relaxed);
            }
        }
    }

    /// Reads [`COUNT_ALLOC_ENV`] once and turns counting off when it is `0`. Call it first
    /// thing in `main`, before the measured work.
    pub fn configure_from_env(&self) {
        if !counting_enabled(std::env::var_os(COUNT_ALLOC_ENV).as_deref()) {
            self.counting.store(false, Ordering::Relaxed);
        }
    }

    /// Turns counting off for good (see the module docs).
    #[allow(dead_code, reason = "used by the tests; `bench run` will use it")]
    pub fn disable_counting(&self) {
        self.counting.store(false, Ordering::Relaxed);
    }

    /// Whether allocations are being counted.
    pub fn is_counting(&self) -> bool {
        self.counting.load(Ordering::Relaxed)
    }

    /// Runs `f` on the books under the spin lock. `f` must not panic or allocate.
    #[inline]
    fn with_books<R>(&self, f: impl FnOnce(&mut Books) -> R) -> R {
        let mut spins = 0u32;
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            while self.locked.load(Ordering::Relaxed) {
                spins = spins.wrapping_add(1);
                if spins.is_multiple_of(128) {
                    std::thread::yield_now();
                } else {
                    std::hint::spin_loop();
                }
            }
        }
        // SAFETY: the lock is held, so this is the only reference to the books.
        let out = f(unsafe { &mut *self.books.get() });
        self.locked.store(false, Ordering::Release);
        out
    }

    /// Bytes allocated and not yet freed.
    pub fn live_bytes(&self) -> u64 {
        self.with_books(|b| b.live.bytes)
    }

    /// Live bytes, per tag.
    pub fn live_snapshot(&self) -> TagSnapshot {
        self.with_books(|b| b.live)
    }

    /// The largest [`live_bytes`](Self::live_bytes) ever reached.
    pub fn peak_bytes(&self) -> u64 {
        self.with_books(|b| b.peak.bytes)
    }

    /// The live bytes per tag when the global peak was reached (they sum to it).
    pub fn peak_snapshot(&self) -> TagSnapshot {
        self.with_books(|b| b.peak)
    }

    /// The largest live value since the last [`reset_phase_peak`](Self::reset_phase_peak).
    #[allow(dead_code, reason = "used by the tests; `bench run` will use it")]
    pub fn phase_peak_bytes(&self) -> u64 {
        self.with_books(|b| b.phase_peak.bytes)
    }

    /// Ends the current phase: returns its peak and starts a new phase whose peak is the
    /// current live value. An allocation racing with the reset may land in either phase.
    pub fn reset_phase_peak(&self) -> u64 {
        self.reset_phase_snapshot().bytes
    }

    /// As [`reset_phase_peak`](Self::reset_phase_peak), returning the ended phase's peak
    /// with its live bytes per tag at that moment.
    pub fn reset_phase_snapshot(&self) -> TagSnapshot {
        self.with_books(|b| std::mem::replace(&mut b.phase_peak, b.live))
    }

    /// Tagged blocks the side table had no room for (booked as `Other`).
    pub fn tag_misses(&self) -> u64 {
        self.tag_misses.load(Ordering::Relaxed)
    }

    /// Moves `sub` bytes out of one tag and `add` bytes into another (possibly the same) in
    /// one update of the books, raising the peaks; a new global peak is stamped on the
    /// timeline after the lock is released.
    #[inline]
    fn change(&self, sub: (Tag, usize), add: (Tag, usize)) {
        let (sub_tag, sub_bytes) = (sub.0.index(), sub.1 as u64);
        let (add_tag, add_bytes) = (add.0.index(), add.1 as u64);
        let new_peak = self.with_books(|b| {
            let live = &mut b.live;
            live.bytes = live.bytes.wrapping_sub(sub_bytes).wrapping_add(add_bytes);
            live.by_tag[sub_tag] = live.by_tag[sub_tag].wrapping_sub(sub_bytes);
            live.by_tag[add_tag] = live.by_tag[add_tag].wrapping_add(add_bytes);
            if add_bytes > 0 {
                b.ever_live |= 1 << add_tag;
            }
            if add_bytes <= sub_bytes {
                return None;
            }
            if live.bytes > b.phase_peak.bytes {
                b.phase_peak = *live;
            }
            if live.bytes > b.peak.bytes {
                b.peak = *live;
                return Some(*live);
            }
            None
        });
        if let Some(now) = new_peak {
            self.new_peak(now);
        }
    }

    /// The tag a new block of `size` bytes at `ptr` is booked under (entered in the side
    /// table when it is not `Other`).
    #[inline]
    fn tag_new_block(&self, ptr: *mut u8, size: usize, tag: Tag) -> Tag {
        if size < TAG_MIN_BYTES || tag == Tag::Other {
            return Tag::Other;
        }
        if self.tags.insert(ptr, tag) {
            tag
        } else {
            self.tag_misses.fetch_add(1, Ordering::Relaxed);
            Tag::Other
        }
    }

    /// The tag a live block of `size` bytes at `ptr` was booked under, its entry taken out.
    #[inline]
    fn untag_block(&self, ptr: *mut u8, size: usize) -> Tag {
        if size < TAG_MIN_BYTES {
            return Tag::Other;
        }
        self.tags.take(ptr).unwrap_or(Tag::Other)
    }

    fn allocated(&self, ptr: *mut u8, size: usize) {
        let tag = if size < TAG_MIN_BYTES {
            Tag::Other
        } else {
            self.tag_new_block(ptr, size, memtag::current())
        };
        self.change((Tag::Other, 0), (tag, size));
    }
}

// SAFETY: the only field that is not `Sync` by itself is `books`, and it is only reached
// through `with_books`, under the spin lock.
unsafe impl<A: Sync> Sync for CountingAlloc<A> {}

/// Whether the value of [`COUNT_ALLOC_ENV`] leaves counting on: anything but `0` (unset too).
pub fn counting_enabled(value: Option<&OsStr>) -> bool {
    value.is_none_or(|v| v.as_encoded_bytes().trim_ascii() != b"0")
}

/// With the `dhat-heap` feature the wrapped allocator is dhat's, whose bookkeeping allocates
/// from inside its own `alloc`/`dealloc` (through the global allocator, i.e. through this
/// wrapper again). Those nested calls are dhat's, not the program's, and are not counted; a
/// thread-local depth tells them apart. Without the feature nothing nests and the check is
/// compiled out.
const SKIP_NESTED: bool = cfg!(feature = "dhat-heap");

thread_local! {
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `f` one level deeper; returns its result and whether this call was nested.
#[inline(always)]
fn outermost<T>(f: impl FnOnce() -> T) -> (T, bool) {
    if !SKIP_NESTED {
        return (f(), true);
    }
    let depth = DEPTH.with(|d| {
        let v = d.get();
        d.set(v + 1);
        v
    });
    let out = f();
    DEPTH.with(|d| d.set(depth));
    (out, depth == 0)
}

/// Whether this call is the program's own (not nested inside dhat's bookkeeping).
#[inline(always)]
fn at_top_level() -> bool {
    !SKIP_NESTED || DEPTH.with(std::cell::Cell::get) == 0
}

// SAFETY: every call is forwarded unchanged to `inner`, which upholds the `GlobalAlloc`
// contract; the wrapper only updates atomics and the books (no allocation, no panics) around
// the calls.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (ptr, outer) = outermost(|| unsafe { self.inner.alloc(layout) });
        if outer && !ptr.is_null() && self.is_counting() {
            self.allocated(ptr, layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (ptr, outer) = outermost(|| unsafe { self.inner.alloc_zeroed(layout) });
        if outer && !ptr.is_null() && self.is_counting() {
            self.allocated(ptr, layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let size = layout.size();
        // The entry goes before the block does: its address may be handed out again at once.
        let counted = self.is_counting() && at_top_level();
        let tag = if counted {
            self.untag_block(ptr, size)
        } else {
            Tag::Other
        };
        // SAFETY: forwarded with the caller's guarantees.
        let ((), outer) = outermost(|| unsafe { self.inner.dealloc(ptr, layout) });
        if outer && counted {
            self.change((tag, size), (Tag::Other, 0));
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        let counted = self.is_counting() && at_top_level();
        // Taken out before the call, which may free the old address (see `dealloc`).
        let old_tag = if counted {
            self.untag_block(ptr, old)
        } else {
            Tag::Other
        };
        // SAFETY: forwarded with the caller's guarantees.
        let (new, outer) = outermost(|| unsafe { self.inner.realloc(ptr, layout, new_size) });
        if !(outer && counted) {
            return new;
        }
        if new.is_null() {
            // The old block stays allocated: enter it again (or move it to `Other`).
            let back = self.tag_new_block(ptr, old, old_tag);
            if back != old_tag {
                self.change((old_tag, old), (back, old));
            }
            return new;
        }
        // A tagged block keeps its tag; a block crossing the cutoff takes the thread's.
        let want = if new_size < TAG_MIN_BYTES {
            Tag::Other
        } else if old < TAG_MIN_BYTES {
            memtag::current()
        } else {
            old_tag
        };
        let new_tag = self.tag_new_block(new, new_size, want);
        self.change((old_tag, old), (new_tag, new_size));
        new
    }
}

#[cfg(test)]
mod tests {
    use tikv_jemallocator::Jemalloc;

    use super::*;

    const MIB: usize = 1 << 20;

    fn layout(size: usize) -> Layout {
        Layout::from_size_align(size, 16).unwrap()
    }

    #[test]
    fn counts_alloc_free_and_keeps_the_peak() {
        let a = CountingAlloc::new(Jemalloc);
        let big = layout(MIB);
        // SAFETY: non-zero layouts; each block is freed once with its own layout.
        unsafe {
            let p = a.alloc(big);
            assert!(!p.is_null());
            p.write_bytes(1, MIB);
            assert_eq!((a.live_bytes(), a.peak_bytes()), (MIB as u64, MIB as u64));
            let z = a.alloc_zeroed(layout(4096));
            assert!(std::slice::from_raw_parts(z, 4096).iter().all(|&b| b == 0));
            assert_eq!(a.live_bytes(), (MIB + 4096) as u64);
            a.dealloc(p, big);
            assert_eq!(a.live_bytes(), 4096);
            assert_eq!(a.peak_bytes(), (MIB + 4096) as u64);
            a.dealloc(z, layout(4096));
        }
        assert_eq!(a.live_bytes(), 0);
        assert_eq!(a.peak_bytes(), (MIB + 4096) as u64);
    }

    #[test]
    fn phase_peak_resets_to_the_live_value() {
        let a = CountingAlloc::new(Jemalloc);
        // SAFETY: as above.
        unsafe {
            let keep = a.alloc(layout(1000));
            let p = a.alloc(layout(MIB));
            a.dealloc(p, layout(MIB));
            assert_eq!(a.phase_peak_bytes(), (MIB + 1000) as u64);
            // The ended phase reports its peak; the new one starts at what is still live.
            assert_eq!(a.reset_phase_peak(), (MIB + 1000) as u64);
            assert_eq!(a.phase_peak_bytes(), 1000);
            let q = a.alloc(layout(500));
            assert_eq!(a.phase_peak_bytes(), 1500);
            a.dealloc(q, layout(500));
            a.dealloc(keep, layout(1000));
            assert_eq!(a.reset_phase_peak(), 1500);
            assert_eq!(a.phase_peak_bytes(), 0);
        }
        // The all-time peak is not reset.
        assert_eq!(a.peak_bytes(), (MIB + 1000) as u64);
    }

    #[test]
    fn realloc_growth_and_shrink() {
        let a = CountingAlloc::new(Jemalloc);
        // SAFETY: each realloc passes the block's current layout.
        unsafe {
            let p = a.alloc(layout(1024));
            p.write_bytes(7, 1024);
            let p = a.realloc(p, layout(1024), 3 * MIB);
            assert!(!p.is_null());
            assert_eq!(*p.add(1023), 7, "contents survive growth");
            assert_eq!(
                (a.live_bytes(), a.peak_bytes()),
                (3 * MIB as u64, 3 * MIB as u64)
            );
            let p = a.realloc(p, layout(3 * MIB), 100);
            assert_eq!(a.live_bytes(), 100);
            assert_eq!(a.peak_bytes(), 3 * MIB as u64);
            a.dealloc(p, layout(100));
        }
        assert_eq!(a.live_bytes(), 0);
    }

    #[test]
    fn disabled_counting_counts_nothing() {
        let a = CountingAlloc::new(Jemalloc);
        assert!(a.is_counting());
        a.disable_counting();
        // SAFETY: as above.
        unsafe {
            let p = a.alloc(layout(MIB));
            assert!(!p.is_null());
            a.dealloc(p, layout(MIB));
        }
        assert!(!a.is_counting());
        assert_eq!(
            (a.live_bytes(), a.peak_bytes(), a.phase_peak_bytes()),
            (0, 0, 0)
        );
    }

    #[test]
    fn counts_across_threads() {
        let a = CountingAlloc::new(Jemalloc);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        // SAFETY: as above.
                        unsafe {
                            let p = a.alloc(layout(64));
                            a.dealloc(p, layout(64));
                        }
                    }
                });
            }
        });
        assert_eq!(a.live_bytes(), 0);
        assert!(
            (64..=4 * 64).contains(&a.peak_bytes()),
            "{}",
            a.peak_bytes()
        );
    }

    #[test]
    fn the_timeline_records_new_peaks_in_steps() {
        let a = CountingAlloc::new(Jemalloc);
        // SAFETY: as above.
        unsafe {
            // Before the timeline starts, peaks are not recorded.
            let p = a.alloc(layout(MIB));
            a.dealloc(p, layout(MIB));
            a.start_timeline();
            // Below the old peak: nothing. Then 1.5, 2.5, 3.5 MiB: three new peaks.
            let small = a.alloc(layout(MIB / 2));
            let mut blocks = Vec::new();
            for _ in 0..3 {
                blocks.push(a.alloc(layout(MIB)));
            }
            // 1 KiB more is a new peak but under the step: time-stamped, not recorded.
            let tiny = a.alloc(layout(1024));
            let (samples, dropped) = a.stop_timeline();
            assert_eq!(dropped, 0);
            let bytes: Vec<u64> = samples.iter().map(|s| s.1.bytes).collect();
            // Each sample's bytes per tag sum to it.
            assert!(samples.iter().all(|s| s.1.sum() == s.1.bytes));
            let half = (MIB / 2) as u64;
            assert_eq!(
                bytes,
                [
                    MIB as u64 + half,
                    2 * MIB as u64 + half,
                    3 * MIB as u64 + half
                ]
            );
            assert!(samples.windows(2).all(|w| w[0].0 <= w[1].0));
            if cfg!(unix) {
                assert!(a.peak_nanos() >= samples[2].0);
            }
            // Stopped: nothing more is recorded.
            let more = a.alloc(layout(4 * MIB));
            assert_eq!(a.stop_timeline().0.len(), 3);
            a.dealloc(more, layout(4 * MIB));
            a.dealloc(tiny, layout(1024));
            for b in blocks {
                a.dealloc(b, layout(MIB));
            }
            a.dealloc(small, layout(MIB / 2));
        }
    }

    const KIB: usize = 1 << 10;

    #[test]
    fn tags_follow_the_block_to_another_thread() {
        let a = CountingAlloc::new(Jemalloc);
        let big = layout(MIB);
        let p = {
            let _t = memtag::scope(Tag::MainLde);
            // SAFETY: non-zero layout.
            unsafe { a.alloc(big) as usize }
        };
        assert_eq!(a.live_snapshot().get(Tag::MainLde), MIB as u64);
        std::thread::scope(|s| {
            s.spawn(|| {
                let _t = memtag::scope(Tag::FriLayers);
                // SAFETY: allocated above with `big`, freed once.
                unsafe { a.dealloc(p as *mut u8, big) };
            });
        });
        let live = a.live_snapshot();
        assert_eq!(live, TagSnapshot::ZERO, "{live:?}");
        let peak = a.peak_snapshot();
        assert_eq!(
            (peak.bytes, peak.get(Tag::MainLde)),
            (MIB as u64, MIB as u64)
        );
    }

    #[test]
    fn small_blocks_are_other_and_the_peak_keeps_its_breakdown() {
        let a = CountingAlloc::new(Jemalloc);
        // SAFETY: non-zero layouts; each block is freed once with its own layout.
        unsafe {
            let _t = memtag::scope(Tag::MerkleNodes);
            let small = a.alloc(layout(TAG_MIN_BYTES - 1));
            let lde = memtag::tagged(Tag::MainLde, || a.alloc(layout(2 * MIB)));
            let leaves = memtag::tagged(Tag::MerkleLeaves, || a.alloc(layout(MIB)));
            let peak = a.peak_snapshot();
            assert_eq!(peak.bytes, (3 * MIB + TAG_MIN_BYTES - 1) as u64);
            assert_eq!(peak.get(Tag::Other), (TAG_MIN_BYTES - 1) as u64);
            assert_eq!(peak.get(Tag::MainLde), 2 * MIB as u64);
            assert_eq!(peak.get(Tag::MerkleLeaves), MIB as u64);
            assert_eq!(
                peak.breakdown().len(),
                3,
                "kinds without bytes are left out"
            );
            a.dealloc(leaves, layout(MIB));
            // Below the peak: the peak's breakdown stays.
            let nodes = a.alloc(layout(MIB / 2));
            assert_eq!(a.peak_snapshot(), peak);
            assert_eq!(a.live_snapshot().get(Tag::MerkleNodes), (MIB / 2) as u64);
            a.dealloc(nodes, layout(MIB / 2));
            a.dealloc(lde, layout(2 * MIB));
            a.dealloc(small, layout(TAG_MIN_BYTES - 1));
        }
        assert_eq!(a.live_snapshot(), TagSnapshot::ZERO);
        assert_eq!(a.tag_misses(), 0);
    }

    #[test]
    fn realloc_keeps_a_tag_and_a_block_crossing_the_cutoff_takes_one() {
        let a = CountingAlloc::new(Jemalloc);
        // SAFETY: each realloc passes the block's current layout.
        unsafe {
            // A growing log: small (Other), then past the cutoff under the log's tag.
            let p = a.alloc(layout(KIB));
            assert_eq!(a.live_snapshot().get(Tag::Other), KIB as u64);
            let p = memtag::tagged(Tag::ExecutionLog, || a.realloc(p, layout(KIB), MIB));
            let live = a.live_snapshot();
            assert_eq!(
                (live.get(Tag::ExecutionLog), live.get(Tag::Other)),
                (MIB as u64, 0)
            );
            // Growing again under another tag keeps the block's own.
            let p = memtag::tagged(Tag::Proof, || a.realloc(p, layout(MIB), 4 * MIB));
            assert_eq!(a.live_snapshot().get(Tag::ExecutionLog), 4 * MIB as u64);
            assert_eq!(a.live_snapshot().get(Tag::Proof), 0);
            // Shrinking below the cutoff makes it Other.
            let p = a.realloc(p, layout(4 * MIB), KIB);
            let live = a.live_snapshot();
            assert_eq!(
                (live.get(Tag::ExecutionLog), live.get(Tag::Other)),
                (0, KIB as u64)
            );
            a.dealloc(p, layout(KIB));
        }
        assert_eq!(a.live_snapshot(), TagSnapshot::ZERO);
        assert_eq!(a.peak_snapshot().get(Tag::ExecutionLog), 4 * MIB as u64);
    }

    #[test]
    fn the_side_table_falls_back_to_other_when_a_window_is_full_and_reuses_tombstones() {
        let table = Box::new(TagTable::new());
        let home = TagTable::home(0x10_0000);
        let same: Vec<*mut u8> = (1..)
            .map(|i: u64| (i << 12) as usize as *mut u8)
            .filter(|&p| TagTable::home(p as usize as u64) == home)
            .take(TAG_PROBE + 1)
            .collect();
        for &p in &same[..TAG_PROBE] {
            assert!(table.insert(p, Tag::AuxLde));
        }
        let last = same[TAG_PROBE];
        assert!(!table.insert(last, Tag::AuxLde), "the window is full");
        assert_eq!(table.take(last), None);
        assert_eq!(table.take(same[3]), Some(Tag::AuxLde));
        assert_eq!(table.take(same[3]), None, "taken once");
        assert!(table.insert(last, Tag::PreLde), "a tombstone is reused");
        assert_eq!(table.take(last), Some(Tag::PreLde));
        for &p in same[..TAG_PROBE].iter().filter(|&&p| p != same[3]) {
            assert_eq!(table.take(p), Some(Tag::AuxLde));
        }
    }

    #[test]
    fn tag_snapshots_sum_to_their_peaks_across_threads() {
        use std::sync::Mutex;
        let a = CountingAlloc::new(Jemalloc);
        // Blocks handed between threads: allocated by one, freed by another.
        let shared: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
        let phases: Mutex<Vec<TagSnapshot>> = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for t in 0..4u64 {
                let (a, shared, phases) = (&a, &shared, &phases);
                s.spawn(move || {
                    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ t;
                    let mut next = || {
                        seed = seed
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        seed >> 33
                    };
                    let mut mine: Vec<(usize, usize)> = Vec::new();
                    for i in 0..4000 {
                        let tag = Tag::ALL[next() as usize % Tag::COUNT];
                        let _t = memtag::scope(tag);
                        let size = if next() % 3 == 0 {
                            TAG_MIN_BYTES + (next() as usize % (4 * TAG_MIN_BYTES))
                        } else {
                            16 + next() as usize % 4096
                        };
                        // SAFETY: every block is freed once with the layout it was made with.
                        unsafe {
                            let p = a.alloc(layout(size));
                            assert!(!p.is_null());
                            if next() % 2 == 0 {
                                shared.lock().unwrap().push((p as usize, size));
                            } else {
                                mine.push((p as usize, size));
                            }
                            if mine.len() > 40 {
                                let (p, size) = mine.swap_remove(next() as usize % mine.len());
                                a.dealloc(p as *mut u8, layout(size));
                            }
                            let other = {
                                let mut v = shared.lock().unwrap();
                                (v.len() > 40).then(|| v.swap_remove(0))
                            };
                            if let Some((p, size)) = other {
                                a.dealloc(p as *mut u8, layout(size));
                            }
                            if i % 500 == 0 {
                                let snap = a.reset_phase_snapshot();
                                phases.lock().unwrap().push(snap);
                            }
                        }
                    }
                    for (p, size) in mine {
                        // SAFETY: as above.
                        unsafe { a.dealloc(p as *mut u8, layout(size)) };
                    }
                });
            }
        });
        for (p, size) in shared.into_inner().unwrap() {
            // SAFETY: as above.
            unsafe { a.dealloc(p as *mut u8, layout(size)) };
        }
        let peak = a.peak_snapshot();
        assert!(peak.bytes > 0);
        assert_eq!(peak.sum(), peak.bytes, "{peak:?}");
        assert!(
            peak.by_tag.iter().filter(|&&b| b > 0).count() > 3,
            "{peak:?}"
        );
        for snap in phases.into_inner().unwrap() {
            assert_eq!(snap.sum(), snap.bytes, "{snap:?}");
        }
        assert_eq!(a.live_snapshot(), TagSnapshot::ZERO, "every tag back to 0");
        assert_eq!(a.tag_misses(), 0);
    }

    #[test]
    fn the_switch_reads_only_zero_as_off() {
        assert!(counting_enabled(None));
        assert!(counting_enabled(Some(OsStr::new("1"))));
        assert!(counting_enabled(Some(OsStr::new(""))));
        assert!(!counting_enabled(Some(OsStr::new("0"))));
        assert!(!counting_enabled(Some(OsStr::new(" 0\n"))));
    }
}
