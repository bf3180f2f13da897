//! The default cycle limit of `bench execute` and `bench prove`, scaled to the memory
//! available, so that a large input ends in the cycle-limit error instead of the kernel's
//! OOM killer (a `fib_iterative_64k` run on input 4294967295 used to be killed at status
//! 137: 2^30 cycles of execution log are 28 GiB).
//!
//! The decision: one mechanism, the limit. An execution records one
//! [`BYTES_PER_CYCLE`]-byte step per cycle (28 B), in a vector that grows by doubling, so
//! while it grows the old and the new buffer live together: up to [`LOG_HEADROOM`] = 3
//! times the log's length. The default limit is therefore `MemAvailable / (28 * 3)` cycles
//! (`/proc/meminfo`), at most the prover's [`DEFAULT_MAX_CYCLES`] (2^30); about 255
//! million cycles with 20 GiB available. `bench execute --no-log` records nothing per
//! cycle and keeps 2^30. An explicit `--max-cycles` is always taken as given.
//!
//! What it does not bound: the prove's own tables, which need more per cycle than the log
//! and depend on the mode; `measure::memory_check` refuses a prove whose predicted peak does
//! not fit, and `--max-memory` turns running out of memory into an `out of memory` error
//! (`commands::oom`).
//!
//! Test seam: `BENCH_MEM_AVAILABLE` (bytes) replaces `MemAvailable`, so a test can check
//! the default without allocating gigabytes.

use prover::vm::{BYTES_PER_CYCLE, DEFAULT_MAX_CYCLES};

/// How many times the log's length may be live while it grows (old and new buffers).
pub const LOG_HEADROOM: u64 = 3;

/// The environment variable that replaces `MemAvailable` (bytes), for tests.
pub const MEM_AVAILABLE_ENV: &str = "BENCH_MEM_AVAILABLE";

/// A cycle limit and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleLimit {
    /// The limit.
    pub cycles: u64,
    /// The memory it was scaled to (`None`: given, or the fixed default).
    pub scaled_to: Option<u64>,
}

impl CycleLimit {
    /// How the limit was chosen, for an error message: empty when it was given.
    pub fn note(&self) -> String {
        match self.scaled_to {
            Some(bytes) => {
                format!(
                    " (the default --max-cycles {} fits the execution log in the {} available; pass --max-cycles to change it)",
                    self.cycles,
                    human_bytes(bytes)
                )
            }
            None => String::new(),
        }
    }
}

/// The cycle limit: `given`, or the default scaled to the memory available when the run
/// records the execution log (`log`), or [`DEFAULT_MAX_CYCLES`].
pub fn cycle_limit(given: Option<u64>, log: bool) -> CycleLimit {
    match given {
        Some(cycles) => CycleLimit {
            cycles,
            scaled_to: None,
        },
        None if log => match mem_available() {
            Some(bytes) => CycleLimit {
                cycles: scaled(bytes),
                scaled_to: Some(bytes),
            },
            None => CycleLimit {
                cycles: DEFAULT_MAX_CYCLES,
                scaled_to: None,
            },
        },
        None => CycleLimit {
            cycles: DEFAULT_MAX_CYCLES,
            scaled_to: None,
        },
    }
}

/// The default limit with `bytes` available (at least one cycle).
pub fn scaled(bytes: u64) -> u64 {
    (bytes / (BYTES_PER_CYCLE as u64 * LOG_HEADROOM)).clamp(1, DEFAULT_MAX_CYCLES)
}

/// `bytes` in GiB (from 1 GiB) or MiB, one decimal, for messages.
pub fn human_bytes(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

/// The memory available: [`MEM_AVAILABLE_ENV`], or `MemAvailable` of `/proc/meminfo`.
pub fn mem_available() -> Option<u64> {
    if let Some(v) = std::env::var(MEM_AVAILABLE_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        return Some(v);
    }
    mem_available_of(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// `MemAvailable` of `/proc/meminfo` text, in bytes.
fn mem_available_of(meminfo: &str) -> Option<u64> {
    let rest = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))?;
    let mut fields = rest.split_whitespace();
    let kib: u64 = fields.next()?.parse().ok()?;
    (fields.next() == Some("kB")).then_some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_fits_the_log_in_the_memory_available() {
        assert_eq!(scaled(20 << 30), (20u64 << 30) / 84);
        assert_eq!(scaled(0), 1);
        assert_eq!(scaled(u64::MAX), DEFAULT_MAX_CYCLES);
        assert_eq!(
            mem_available_of("MemTotal: 9 kB\nMemAvailable:  1000 kB\n"),
            Some(1_024_000)
        );
        assert_eq!(mem_available_of("MemTotal: 9 kB\n"), None);
        let given = cycle_limit(Some(7), true);
        assert_eq!((given.cycles, given.scaled_to), (7, None));
        assert_eq!(cycle_limit(None, false).cycles, DEFAULT_MAX_CYCLES);
    }
}
