//! Saved baselines, criterion-style: `bench run --save-baseline NAME` stores each measured
//! (fixture, mode) under `target/bench/baselines/NAME/`, and `bench run --baseline NAME`
//! loads them to compare a fresh run against (the comparison is `commands::run`'s).
//!
//! Key: fixture, mode, table parallelism, epoch size, the metric set (`.ir` when the entry
//! has instruction counts: a run with `--instructions` is compared with a baseline that has
//! them) and the machine fingerprint
//! (`Machine::key`), so a baseline is only ever compared with runs of the same program,
//! settings and hardware: a laptop's baseline is simply not found on a CI runner (no stale
//! cross-machine comparison). The file name is readable (fixture, mode, parallelism, and the
//! epoch size when it is not the default) and ends in a hash of the whole key; each file is
//! a one-entry results file (schema v1), so `bench compare` reads it too. The default epoch
//! size adds nothing to the key, so baselines saved before it joined keep their names. The
//! other settings (blowup, chunk size, heap counting), the epoch size again and the cycle
//! count go through the same guards as `bench compare`. A missing baseline is not
//! an error: [`load`] finds none.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::model::config::{default_epoch_log2, parallelism_label};
use crate::model::results::{Entry, ResultsError, ResultsFile};
use crate::store::files::WriteError;
use crate::store::names::{BadName, check_name};
use crate::store::results;

/// Why a baseline could not be saved or read.
#[derive(Debug, Error)]
pub enum BaselineError {
    /// A name that would not be a plain directory name.
    #[error(transparent)]
    Name(#[from] BadName),
    /// A baseline file could not be written or read.
    #[error(transparent)]
    File(#[from] ResultsError),
    /// A baseline file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// FNV-1a, 64 bits: a stable hash for file names (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The file name of an entry's baseline: `FIXTURE.MODE.tp-K.HASH.json`, with `.ep-E` after
/// the parallelism for an epoch size other than the default and `.ir` when the entry has
/// instruction counts.
pub fn file_name(file: &ResultsFile, entry: &Entry) -> String {
    let tp = parallelism_label(file.config.table_parallelism);
    let epoch = file.config.epoch_log2;
    let ep = if epoch == default_epoch_log2() {
        String::new()
    } else {
        format!("ep-{epoch}")
    };
    let ir = entry.instruction_attempts() > 0;
    let key = format!(
        "{}\0{}\0{tp}\0{}{}{}",
        entry.fixture,
        entry.mode,
        file.machine.key(),
        if ep.is_empty() {
            String::new()
        } else {
            format!("\0{ep}")
        },
        if ir { "\0ir" } else { "" }
    );
    let readable: String = entry
        .fixture
        .chars()
        .rev()
        .take(48)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ep = if ep.is_empty() { ep } else { format!(".{ep}") };
    let ir = if ir { ".ir" } else { "" };
    format!(
        "{readable}.{}.tp-{tp}{ep}{ir}.{:016x}.json",
        entry.mode,
        fnv1a(key.as_bytes())
    )
}

/// Saves every entry of `file` that has runs under `root/name/`; returns the paths.
pub fn save(root: &Path, name: &str, file: &ResultsFile) -> Result<Vec<PathBuf>, BaselineError> {
    check_name(name)?;
    let dir = root.join(name);
    let mut out = Vec::new();
    for entry in file.entries.iter().filter(|e| !e.runs.is_empty()) {
        let one = ResultsFile {
            entries: vec![entry.clone()],
            ..file.clone()
        };
        let path = dir.join(file_name(file, entry));
        results::save(&path, &one)?;
        out.push(path);
    }
    Ok(out)
}

/// The saved baseline of `entry` (measured as part of `file`), if any.
pub fn load(
    root: &Path,
    name: &str,
    file: &ResultsFile,
    entry: &Entry,
) -> Result<Option<ResultsFile>, BaselineError> {
    check_name(name)?;
    let path = root.join(name).join(file_name(file, entry));
    if !path.exists() {
        return Ok(None);
    }
    let saved = ResultsFile::load(&path)?;
    Ok(Some(saved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::file;

    #[test]
    fn key_is_fixture_mode_parallelism_epoch_and_machine() {
        let f = file(&[1.0], 100);
        let name = file_name(&f, &f.entries[0]);
        assert!(name.starts_with("fib.default.tp-auto."), "{name}");
        assert!(name.ends_with(".json"));
        let mut g = f.clone();
        g.config.table_parallelism = Some(2);
        assert!(file_name(&g, &g.entries[0]).starts_with("fib.default.tp-2."));
        let mut h = f.clone();
        h.machine.cores = 64;
        assert_ne!(file_name(&h, &h.entries[0]), name);
        // The revision is not part of the key: that is what a baseline compares across.
        let mut r = f.clone();
        r.machine.git_sha = "def".into();
        assert_eq!(file_name(&r, &r.entries[0]), name);
        // The epoch size is in the key; the default one leaves the name as it always was.
        let mut ep = f.clone();
        ep.config.epoch_log2 = 14;
        let n = file_name(&ep, &ep.entries[0]);
        assert!(n.starts_with("fib.default.tp-auto.ep-14."), "{n}");
        assert_ne!(n[n.len() - 21..], name[name.len() - 21..]);
        // The metric set is in the key: instruction counts make an `.ir` baseline.
        let mut ir = f.clone();
        crate::testing::with_instructions(&mut ir, "default", &[1_000]);
        let n = file_name(&ir, &ir.entries[0]);
        assert!(n.starts_with("fib.default.tp-auto.ir."), "{n}");
        assert_ne!(n[n.len() - 21..], name[name.len() - 21..]);
        let mut e = f.clone();
        e.entries[0].fixture = "../../etc/passwd".into();
        let n = file_name(&e, &e.entries[0]);
        assert!(!n.contains('/'), "{n}");
    }

    #[test]
    fn save_then_load_and_a_missing_baseline() {
        let root = std::env::temp_dir().join(format!("bench-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let base = file(&[10.0, 10.0, 10.1], 100 << 20);
        let paths = save(&root, "main", &base).unwrap();
        assert_eq!(paths.len(), 1);
        let loaded = load(&root, "main", &base, &base.entries[0])
            .unwrap()
            .unwrap();
        assert_eq!(loaded.entries[0].runs, base.entries[0].runs);
        let mut elsewhere = base.clone();
        elsewhere.machine.cores = 64;
        assert!(
            load(&root, "main", &elsewhere, &elsewhere.entries[0])
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            save(&root, "../x", &base),
            Err(BaselineError::Name(_))
        ));
        std::fs::remove_dir_all(root).unwrap();
    }
}
