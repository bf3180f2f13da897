//! Probes of the process: its peak resident set size from `/proc/self/status`, jemalloc's
//! own `allocated` and `resident` counters, and the address-space limit (`RLIMIT_AS`) that
//! turns an oversized prove into an allocation failure.

/// The allocator's own counters at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocatorStats {
    /// Bytes the allocator has handed out.
    pub allocated: u64,
    /// Bytes in physically resident pages the allocator maps.
    pub resident: u64,
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
    use super::*;

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
