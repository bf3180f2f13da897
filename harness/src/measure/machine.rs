//! Detecting the machine fingerprint (`model::machine::Machine`): CPU model and memory from
//! `/proc`, logical cores, the OS, the compiler that built `bench`, and the git revision of
//! the source tree with its dirty flag.
//!
//! The git fields describe the tree `bench` was built from (`git` is asked about the
//! workspace this crate lives in, at run time); `unknown` when git or the tree is missing.
//!
//! [`OVERRIDE_ENV`] replaces the CPU model (and so the machine key) of this process and of
//! the workers it starts: the test of sharding on one machine uses it to make its shards
//! look like different machines. It is a test hook, not a way to relabel real results.

use std::path::Path;

use crate::measure::revisions;
use crate::model::machine::Machine;

/// When set and not empty, the CPU model reported instead of `/proc/cpuinfo`'s.
pub const OVERRIDE_ENV: &str = "BENCH_MACHINE_OVERRIDE";

/// The fingerprint of this machine and source tree.
pub fn detect() -> Machine {
    let mut m = detect_real();
    if let Some(cpu) = std::env::var_os(OVERRIDE_ENV).filter(|v| !v.is_empty()) {
        m.cpu_model = cpu.to_string_lossy().into_owned();
    }
    m
}

fn detect_real() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."));
    let (git_sha, git_dirty) = revisions::state(workspace);
    Machine {
        cpu_model: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".to_string()),
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        memory_bytes: mem_total(&meminfo).unwrap_or(0),
        os: os_name(),
        rustc: env!("BENCH_RUSTC_VERSION").to_string(),
        target_features: target_features(),
        git_sha,
        git_dirty,
    }
}

/// The x86-64 features this binary was compiled for, comma-separated, in a fixed order.
pub fn target_features() -> String {
    let compiled = [
        ("sse4.2", cfg!(target_feature = "sse4.2")),
        ("avx", cfg!(target_feature = "avx")),
        ("avx2", cfg!(target_feature = "avx2")),
        ("bmi2", cfg!(target_feature = "bmi2")),
        ("fma", cfg!(target_feature = "fma")),
        ("avx512f", cfg!(target_feature = "avx512f")),
        ("avx512bw", cfg!(target_feature = "avx512bw")),
        ("avx512dq", cfg!(target_feature = "avx512dq")),
        ("avx512vl", cfg!(target_feature = "avx512vl")),
        ("avx512ifma", cfg!(target_feature = "avx512ifma")),
    ];
    let names: Vec<&str> = compiled
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
    names.join(",")
}

/// The `model name` field of `/proc/cpuinfo` text.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_string())
    })
}

/// `MemTotal` of `/proc/meminfo` text, in bytes.
pub fn mem_total(meminfo: &str) -> Option<u64> {
    let rest = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))?;
    let mut fields = rest.split_whitespace();
    let kib: u64 = fields.next()?.parse().ok()?;
    (fields.next() == Some("kB")).then_some(kib * 1024)
}

fn os_name() -> String {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    match (
        read("/proc/sys/kernel/ostype"),
        read("/proc/sys/kernel/osrelease"),
    ) {
        (Some(t), Some(r)) => format!("{t} {r}"),
        _ => std::env::consts::OS.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_files() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model("processor : 0\n"), None);
        let meminfo = "MemTotal:       24579636 kB\nMemFree:  1 kB\n";
        assert_eq!(mem_total(meminfo), Some(24_579_636 * 1024));
        assert_eq!(mem_total("MemTotal: 12\n"), None);
    }

    #[test]
    fn detects_this_machine() {
        let m = detect();
        assert!(m.cores >= 1);
        assert!(m.rustc.starts_with("rustc "), "{}", m.rustc);
        assert!(m.key().contains("cores"));
    }
}
