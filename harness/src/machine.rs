//! The machine fingerprint every run record carries: CPU model, cores, memory, OS, the
//! compiler that built `bench`, and the git revision of the source tree with its dirty flag.
//!
//! The git fields describe the tree `bench` was built from (`git` is asked about the
//! workspace this crate lives in, at run time); `unknown` when git or the tree is missing.
//! Two records are "the same machine" when [`Machine::key`] agrees: CPU model, cores,
//! memory (rounded to GiB) and OS, not the revision.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// Where a measurement was taken, and of what code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// `model name` of the first CPU in `/proc/cpuinfo`.
    pub cpu_model: String,
    /// Logical CPUs available to this process.
    pub cores: usize,
    /// `MemTotal`, in bytes.
    pub memory_bytes: u64,
    /// Kernel name and release, e.g. `Linux 6.1.0`.
    pub os: String,
    /// `rustc -V` of the compiler that built `bench`.
    pub rustc: String,
    /// `git rev-parse HEAD` of the source tree, or `unknown`.
    pub git_sha: String,
    /// Whether tracked files differ from `HEAD`.
    pub git_dirty: bool,
}

impl Machine {
    /// The fingerprint of this machine and source tree.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new("."));
        let (git_sha, git_dirty) = git_state(workspace);
        Self {
            cpu_model: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".to_string()),
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_bytes: mem_total(&meminfo).unwrap_or(0),
            os: os_name(),
            rustc: env!("BENCH_RUSTC_VERSION").to_string(),
            git_sha,
            git_dirty,
        }
    }

    /// What must agree for two measurements to come from the same machine.
    pub fn key(&self) -> String {
        format!(
            "{} | {} cores | {} GiB | {}",
            self.cpu_model,
            self.cores,
            (self.memory_bytes as f64 / (1u64 << 30) as f64).round(),
            self.os
        )
    }

    /// The short form shown in reports: `cpu, N cores, M GiB`.
    pub fn describe(&self) -> String {
        format!(
            "{}, {} cores, {:.0} GiB, {}",
            self.cpu_model,
            self.cores,
            self.memory_bytes as f64 / (1u64 << 30) as f64,
            self.os
        )
    }
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

fn git_state(dir: &Path) -> (String, bool) {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let sha = git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_string());
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    (sha, dirty)
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
        let m = Machine::detect();
        assert!(m.cores >= 1);
        assert!(m.rustc.starts_with("rustc "), "{}", m.rustc);
        assert!(m.key().contains("cores"));
    }
}
