//! Heap measurement: [`CountingAlloc`], a global allocator wrapper that counts live heap bytes
//! with atomics and keeps their exact peak plus a resettable per-phase peak (the process's
//! resident set and the allocator's own counters are `measure::probes`').
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

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::OsStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::measure::clock::monotonic_nanos;

/// The environment variable that turns counting off when it is `0`.
pub const COUNT_ALLOC_ENV: &str = "BENCH_COUNT_ALLOC";

/// Slots of the peak timeline: with 1 % steps, 2048 samples span a growth of
/// `1.01^2048`, far past any heap, so only a run of tiny steps near the 64 KiB floor fills it.
pub const TIMELINE_CAPACITY: usize = 2048;

/// A new peak is recorded when it is this many percent above the last recorded one ...
pub const TIMELINE_STEP_PCT: u64 = 1;

/// ... and at least this many bytes above it (so the first megabytes do not fill the array).
pub const TIMELINE_MIN_STEP_BYTES: u64 = 64 << 10;

/// One recorded new peak.
#[derive(Debug)]
struct TimelineSlot {
    nanos: AtomicU64,
    bytes: AtomicU64,
}

impl TimelineSlot {
    const fn new() -> Self {
        Self {
            nanos: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        }
    }
}

/// Wraps an allocator `A` (jemalloc in `bench`) and counts its live bytes.
///
/// Every counter is a relaxed atomic: the counts are exact (each block is added once and
/// subtracted once, and the peak is raised with `fetch_max` by the allocation that reaches
/// it), but a reader racing with other threads sees some recent value.
#[derive(Debug)]
pub struct CountingAlloc<A> {
    inner: A,
    counting: AtomicBool,
    live: AtomicU64,
    peak: AtomicU64,
    phase_peak: AtomicU64,
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
            live: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            phase_peak: AtomicU64::new(0),
            timeline_on: AtomicBool::new(false),
            timeline_next: AtomicU64::new(0),
            timeline_len: AtomicUsize::new(0),
            peak_nanos: AtomicU64::new(0),
            timeline: [const { TimelineSlot::new() }; TIMELINE_CAPACITY],
        }
    }

    /// Starts (or restarts, emptied) the peak timeline; see the module docs.
    pub fn start_timeline(&self) {
        self.timeline_len.store(0, Ordering::Relaxed);
        self.timeline_next.store(0, Ordering::Relaxed);
        self.peak_nanos.store(0, Ordering::Relaxed);
        self.timeline_on.store(true, Ordering::Release);
    }

    /// Stops the timeline and returns its samples as (monotonic nanoseconds, bytes), oldest
    /// first, with the number of peaks dropped for want of slots.
    pub fn stop_timeline(&self) -> (Vec<(u64, u64)>, usize) {
        self.timeline_on.store(false, Ordering::Release);
        let len = self.timeline_len.load(Ordering::Acquire);
        let kept = len.min(TIMELINE_CAPACITY);
        let mut out: Vec<(u64, u64)> = self.timeline[..kept]
            .iter()
            .map(|s| {
                (
                    s.nanos.load(Ordering::Relaxed),
                    s.bytes.load(Ordering::Relaxed),
                )
            })
            .filter(|&(t, b)| t != 0 && b != 0)
            .collect();
        out.sort_unstable();
        (out, len - kept)
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
    fn new_peak(&self, now: u64) {
        if !self.timeline_on.load(Ordering::Relaxed) {
            return;
        }
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

    /// Bytes allocated and not yet freed.
    pub fn live_bytes(&self) -> u64 {
        self.live.load(Ordering::Relaxed)
    }

    /// The largest [`live_bytes`](Self::live_bytes) ever reached.
    pub fn peak_bytes(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    /// The largest live value since the last [`reset_phase_peak`](Self::reset_phase_peak).
    #[allow(dead_code, reason = "used by the tests; `bench run` will use it")]
    pub fn phase_peak_bytes(&self) -> u64 {
        self.phase_peak.load(Ordering::Relaxed)
    }

    /// Ends the current phase: returns its peak and starts a new phase whose peak is the
    /// current live value. An allocation racing with the reset may land in either phase.
    pub fn reset_phase_peak(&self) -> u64 {
        self.phase_peak.swap(self.live_bytes(), Ordering::Relaxed)
    }

    fn added(&self, bytes: usize) {
        let now = self.live.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
        if self.peak.fetch_max(now, Ordering::Relaxed) < now {
            self.new_peak(now);
        }
        self.phase_peak.fetch_max(now, Ordering::Relaxed);
    }

    fn removed(&self, bytes: usize) {
        self.live.fetch_sub(bytes as u64, Ordering::Relaxed);
    }
}

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

// SAFETY: every call is forwarded unchanged to `inner`, which upholds the `GlobalAlloc`
// contract; the wrapper only updates atomics (no allocation, no panics) around the calls.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (ptr, outer) = outermost(|| unsafe { self.inner.alloc(layout) });
        if outer && !ptr.is_null() && self.is_counting() {
            self.added(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (ptr, outer) = outermost(|| unsafe { self.inner.alloc_zeroed(layout) });
        if outer && !ptr.is_null() && self.is_counting() {
            self.added(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        let ((), outer) = outermost(|| unsafe { self.inner.dealloc(ptr, layout) });
        if outer && self.is_counting() {
            self.removed(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (new, outer) = outermost(|| unsafe { self.inner.realloc(ptr, layout, new_size) });
        // On failure the old block stays allocated and nothing changes.
        if outer && !new.is_null() && self.is_counting() {
            let old = layout.size();
            if new_size >= old {
                self.added(new_size - old);
            } else {
                self.removed(old - new_size);
            }
        }
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
            let bytes: Vec<u64> = samples.iter().map(|s| s.1).collect();
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

    #[test]
    fn the_switch_reads_only_zero_as_off() {
        assert!(counting_enabled(None));
        assert!(counting_enabled(Some(OsStr::new("1"))));
        assert!(counting_enabled(Some(OsStr::new(""))));
        assert!(!counting_enabled(Some(OsStr::new("0"))));
        assert!(!counting_enabled(Some(OsStr::new(" 0\n"))));
    }
}
