//! Heap measurement: [`CountingAlloc`], a global allocator wrapper that counts live heap bytes
//! with atomics and keeps their exact peak plus a resettable per-phase peak; and the
//! process's peak resident set size from `/proc/self/status` ([`peak_rss_bytes`]).
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

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::OsStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::observer::AllocatorStats;

/// The environment variable that turns counting off when it is `0`.
pub const COUNT_ALLOC_ENV: &str = "BENCH_COUNT_ALLOC";

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
        self.peak.fetch_max(now, Ordering::Relaxed);
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

/// jemalloc's `stats.allocated` and `stats.resident`, refreshed (`epoch` advanced) first;
/// `None` when they cannot be read (or `bench` was built around another allocator).
pub fn jemalloc_stats() -> Option<AllocatorStats> {
    if cfg!(feature = "dhat-heap") {
        return None;
    }
    use tikv_jemalloc_ctl::{epoch, stats};
    epoch::advance().ok()?;
    Some(AllocatorStats {
        allocated: stats::allocated::read().ok()? as u64,
        resident: stats::resident::read().ok()? as u64,
    })
}

/// Caps this process's address space (`RLIMIT_AS`) at `bytes`: past it, allocations fail
/// (and Rust aborts with "memory allocation of N bytes failed") instead of the kernel's OOM
/// killer picking a victim.
pub fn limit_address_space(bytes: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads one initialised struct; no other memory is involved.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The process's peak resident set size (`VmHWM`) in bytes; `None` where `/proc` is not
/// available (not Linux) or the line is missing.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

/// `VmHWM` from the text of `/proc/<pid>/status` (a line like `VmHWM:\t  123456 kB`), in
/// bytes. The kernel always reports it in kB (`proc(5)`), i.e. KiB.
pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    let rest = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?;
    let mut fields = rest.split_whitespace();
    let kib: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") => kib.checked_mul(1024),
        _ => None,
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
    fn the_switch_reads_only_zero_as_off() {
        assert!(counting_enabled(None));
        assert!(counting_enabled(Some(OsStr::new("1"))));
        assert!(counting_enabled(Some(OsStr::new(""))));
        assert!(!counting_enabled(Some(OsStr::new("0"))));
        assert!(!counting_enabled(Some(OsStr::new(" 0\n"))));
    }

    #[test]
    fn vm_hwm_parsing() {
        let status =
            "Name:\tbench\nVmPeak:\t  999999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t    2000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(12345 * 1024));
        assert_eq!(parse_vm_hwm("Name:\tbench\nVmRSS:\t 1 kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\t 12 MB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\t kB\n"), None);
        // This process exists, so on Linux its own figure is there and non-zero.
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|b| b > 0));
        }
    }
}
