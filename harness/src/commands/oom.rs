//! Out of memory under `--max-memory`, said the way `bench run` says it: one `Error: out of
//! memory: ...` line and exit status 1, instead of the standard library's abort (status
//! 134, with a stack backtrace when `RUST_BACKTRACE` is set).
//!
//! [`ExitOnOom`] wraps the process's allocator (`main.rs`: the counting allocator's inner
//! one). While [`arm`]ed, an allocation the inner allocator refuses (under an address-space
//! cap, `mmap` fails and jemalloc returns null) writes the line to stderr and ends the
//! process with [`libc::_exit`]; it allocates nothing on that path. Unarmed, a refusal is
//! passed on unchanged. `bench prove --max-memory` arms it before the prove, so `bench
//! run`'s workers (which are `bench prove --json` processes) end the same way, and their
//! runner reads the line (it looks for "memory allocation of") as out of memory.
//!
//! The cost of the decision: under `--max-memory` a fallible allocation (`try_reserve`)
//! that fails also ends the process. Nothing in the prover or the harness relies on one.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a refused allocation ends the process.
static ARMED: AtomicBool = AtomicBool::new(false);

/// What follows the size in the line: the limit, as the user gave it.
static LIMIT: OnceLock<String> = OnceLock::new();

/// From now on, an allocation that fails ends the process with `Error: out of memory:
/// memory allocation of N bytes failed under --max-memory X GiB` (see the module docs).
pub fn arm(max_memory_bytes: u64) {
    let gib = format!("{:.3}", max_memory_bytes as f64 / (1u64 << 30) as f64);
    let gib = gib.trim_end_matches('0').trim_end_matches('.');
    let _ = LIMIT.set(format!(" bytes failed under --max-memory {gib} GiB\n"));
    ARMED.store(true, Ordering::SeqCst);
}

/// A global allocator that forwards to `A` and, while armed, reports a refused allocation.
#[derive(Debug)]
pub struct ExitOnOom<A>(pub A);

/// Writes the out-of-memory line for an allocation of `size` bytes and ends the process.
#[cold]
fn report(size: usize) -> ! {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = size;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let tail = LIMIT.get().map_or(" bytes failed\n", String::as_str);
    for part in [
        b"Error: out of memory: memory allocation of ".as_slice(),
        &digits[i..],
        tail.as_bytes(),
    ] {
        // SAFETY: writes initialised bytes from a live slice to stderr; no memory is
        // allocated or freed.
        unsafe { libc::write(2, part.as_ptr().cast(), part.len()) };
    }
    // SAFETY: ends the process at once, without running destructors or atexit handlers
    // (which might allocate).
    unsafe { libc::_exit(1) }
}

/// `ptr` unless it is null while armed.
#[inline(always)]
fn checked(ptr: *mut u8, size: usize) -> *mut u8 {
    if ptr.is_null() && ARMED.load(Ordering::Relaxed) {
        report(size);
    }
    ptr
}

// SAFETY: every call is forwarded unchanged to the inner allocator, which upholds the
// `GlobalAlloc` contract; a null result is either returned unchanged or ends the process.
unsafe impl<A: GlobalAlloc> GlobalAlloc for ExitOnOom<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        checked(unsafe { self.0.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        checked(unsafe { self.0.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        checked(unsafe { self.0.realloc(ptr, layout, new_size) }, new_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An allocator that refuses everything.
    struct Refuses;

    // SAFETY: never hands out memory.
    unsafe impl GlobalAlloc for Refuses {
        unsafe fn alloc(&self, _: Layout) -> *mut u8 {
            std::ptr::null_mut()
        }
        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }

    #[test]
    fn unarmed_a_refusal_is_passed_on() {
        // The process-wide switch is never armed in unit tests (that would end the test
        // binary); the armed path is tested through `bench prove --max-memory`
        // (`tests/gate.rs`).
        let a = ExitOnOom(Refuses);
        // SAFETY: a valid layout; the null result is not used.
        let p = unsafe { a.alloc(Layout::new::<u64>()) };
        assert!(p.is_null());
    }
}
