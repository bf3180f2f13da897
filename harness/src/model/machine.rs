//! The machine fingerprint every run record carries: CPU model, cores, memory, OS, the
//! compiler that built `bench`, and the git revision of the source tree with its dirty flag
//! (`measure::machine` detects it).
//!
//! Two records are "the same machine" when [`Machine::key`] agrees: CPU model, cores,
//! memory (rounded to GiB) and OS, not the revision.

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
    /// The CPU features `bench` was compiled for (`avx2,bmi2,fma,...`): with `rustc`, what
    /// decides its instruction counts. Empty in records written before it existed.
    #[serde(default)]
    pub target_features: String,
    /// `git rev-parse HEAD` of the source tree, or `unknown`.
    pub git_sha: String,
    /// Whether tracked files differ from `HEAD`.
    pub git_dirty: bool,
}

impl Machine {
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

    /// The short commit: 7 hex digits, `-dirty` when the tree was.
    pub fn short_commit(&self) -> String {
        let sha = short_hash(&self.git_sha, 7);
        if self.git_dirty {
            format!("{sha}-dirty")
        } else {
            sha
        }
    }
}

/// The first `n` characters of a hash (a commit or a digest).
pub fn short_hash(hash: &str, n: usize) -> String {
    hash.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms() {
        let mut m = crate::testing::machine();
        m.git_sha = "0123456789abcdef".into();
        assert_eq!(m.short_commit(), "0123456");
        m.git_dirty = true;
        assert_eq!(m.short_commit(), "0123456-dirty");
        assert_eq!(short_hash("abc", 7), "abc");
        assert_eq!(m.key(), "Test CPU | 2 cores | 24 GiB | Linux 6");
    }
}
