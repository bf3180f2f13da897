//! Callgrind's client requests, from Rust: the one place with the magic instruction sequence.
//!
//! Valgrind recognises a "special instruction preamble" (four rotations of `rdi` that add up
//! to 128 bits, so `rdi` is unchanged, then `xchg rbx, rbx`) and reads a request from the
//! array `rax` points to; natively the sequence is a few no-op instructions and `rdx` keeps
//! the default value. This is `VALGRIND_DO_CLIENT_REQUEST_EXPR` of `valgrind.h` for amd64,
//! written out rather than taken from a crate: it is ten lines, and the bindings crates
//! either build `valgrind.h` with a C compiler or track newer valgrind versions than Debian's
//! 3.19. Only callgrind's `DUMP_STATS_AT` is used (`callgrind.h`: it writes the costs since
//! the last dump to a new file named by the string, then zeroes them).
//!
//! Cost with nobody listening: about ten instructions per request (the array, the rotations,
//! the exchange), no system call. On other architectures the requests do nothing.

/// `VG_USERREQ_TOOL_BASE('C','T')`: the first of callgrind's requests.
const CALLGRIND_BASE: usize = ((b'C' as usize) << 24) | ((b'T' as usize) << 16);

/// `VG_USERREQ__DUMP_STATS_AT` (`callgrind.h`: DUMP_STATS, ZERO_STATS, TOGGLE_COLLECT,
/// DUMP_STATS_AT, ...).
const DUMP_STATS_AT: usize = CALLGRIND_BASE + 3;

/// Sends one client request with one argument; returns `default` when not under valgrind.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn request(default: usize, code: usize, arg1: usize) -> usize {
    let args: [usize; 6] = [code, arg1, 0, 0, 0, 0];
    let mut result = default;
    // SAFETY: natively the sequence rotates rdi by 3 + 13 + 61 + 51 = 128 bits (unchanged)
    // and exchanges rbx with itself; under valgrind it reads the six words at `rax` and
    // writes the result to rdx. It touches no other state besides the flags.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") result,
            in("rax") args.as_ptr(),
            out("rdi") _,
            options(nostack),
        );
    }
    std::hint::black_box(&args);
    result
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn request(default: usize, _code: usize, _arg1: usize) -> usize {
    default
}

/// Asks callgrind to dump the costs since the last dump under `label` (a NUL-terminated
/// string, e.g. `c"main_commit"`) and zero them. Nothing happens when not under callgrind.
#[inline]
pub fn dump_stats_at(label: &std::ffi::CStr) {
    request(0, DUMP_STATS_AT, label.as_ptr() as usize);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natively_a_request_returns_its_default_and_changes_nothing() {
        // The test binary does not run under valgrind: the sequence must be a no-op.
        let x = std::hint::black_box(41usize);
        assert_eq!(request(7, DUMP_STATS_AT, x), 7);
        dump_stats_at(c"nobody listens");
        assert_eq!(x + 1, 42);
        assert_eq!(DUMP_STATS_AT, 0x4354_0003);
    }
}
