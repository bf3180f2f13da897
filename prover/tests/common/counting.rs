//! A counting global allocator for tests that bound the verifier's heap: live and peak
//! bytes of the whole binary, and an optional ceiling past which an allocation fails (the
//! process then aborts with "memory allocation failed", so a runaway verifier cannot eat the
//! machine). A binary opts in with
//! `#[global_allocator] static ALLOC: counting::Counting = counting::Counting;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Forwards to [`System`] and counts.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CEILING: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Grows the live count by `by`, unless that passes the ceiling.
fn grow(by: usize) -> bool {
    let ceiling = CEILING.load(Ordering::SeqCst);
    let before = LIVE.fetch_add(by, Ordering::SeqCst);
    if before.saturating_add(by) > ceiling {
        LIVE.fetch_sub(by, Ordering::SeqCst);
        return false;
    }
    PEAK.fetch_max(before + by, Ordering::SeqCst);
    true
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated, and an
// allocation past the ceiling returns null, as an allocator that is out of memory does.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !grow(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && !grow(new_size - layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded with the caller's arguments.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            LIVE.fetch_sub(new_size.saturating_sub(layout.size()), Ordering::SeqCst);
        } else if new_size < layout.size() {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
        }
        p
    }
}

/// Fails every allocation that would take the live heap past `bytes`.
pub fn set_ceiling(bytes: usize) {
    CEILING.store(bytes, Ordering::SeqCst);
}

/// Peak heap above the starting level while `f` runs (the whole binary's: run it with one
/// test thread, or keep the binary to one test).
pub fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}
