//! Saved baselines, criterion-style: `bench run --save-baseline NAME` stores each measured
//! (fixture, mode) under `target/bench/baselines/NAME/`, and `bench run --baseline NAME`
//! compares a fresh run against them and prints the comparison after the mode table.
//!
//! Key: fixture, mode, table parallelism and the machine fingerprint ([`Machine::key`]), so
//! a baseline is only ever compared with runs of the same program, settings and hardware: a
//! laptop's baseline is simply not found on a CI runner (no stale cross-machine
//! comparison). The file name is readable (fixture, mode, parallelism) and ends in a hash of
//! the whole key; each file is a one-entry results file (schema v1), so
//! `bench compare` reads it too. The other settings (blowup, chunk size, heap counting) and
//! the cycle count go through the same guards as `bench compare`.
//!
//! `--baseline` runs before `--save-baseline`, so one name can be compared and then
//! refreshed in one run. A missing baseline is not an error: the comparison says so and
//! withholds its verdict. With `--format json` the comparison follows the results file as a
//! second JSON document.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use thiserror::Error;

use crate::cli::{Format, RunArgs};
use crate::compare::{self, Comparison, Footer, Pair, Setup, short_commit};
use crate::results::{Entry, ResultsFile};
use crate::verdict::{Design, Rules};

/// Where baselines live, relative to the working directory (like `bench run`'s results).
pub const ROOT: &str = "target/bench/baselines";

/// Why a baseline could not be used.
#[derive(Debug, Error)]
pub enum BaselineError {
    /// A name that would not be a plain directory name.
    #[error(
        "baseline name `{0}`: use 1 to 64 letters, digits, `_`, `-` or `.`, not starting with `.`"
    )]
    BadName(String),
}

/// Checks a baseline name.
pub fn check_name(name: &str) -> Result<(), BaselineError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(BaselineError::BadName(name.to_string()))
    }
}

/// FNV-1a, 64 bits: a stable hash for file names (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The file name of an entry's baseline: `FIXTURE.MODE.tp-K.HASH.json`.
pub fn file_name(file: &ResultsFile, entry: &Entry) -> String {
    let tp = file
        .config
        .table_parallelism
        .map_or_else(|| "auto".to_string(), |k| k.to_string());
    let key = format!(
        "{}\0{}\0{tp}\0{}",
        entry.fixture,
        entry.mode,
        file.machine.key()
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
    format!(
        "{readable}.{}.tp-{tp}.{:016x}.json",
        entry.mode,
        fnv1a(key.as_bytes())
    )
}

/// Saves every entry of `file` that has runs under `root/name/`; returns the paths.
pub fn save(root: &Path, name: &str, file: &ResultsFile) -> Result<Vec<PathBuf>> {
    check_name(name)?;
    let dir = root.join(name);
    let mut out = Vec::new();
    for entry in file.entries.iter().filter(|e| !e.runs.is_empty()) {
        let one = ResultsFile {
            entries: vec![entry.clone()],
            ..file.clone()
        };
        let path = dir.join(file_name(file, entry));
        one.save(&path)?;
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
) -> Result<Option<ResultsFile>> {
    check_name(name)?;
    let path = root.join(name).join(file_name(file, entry));
    if !path.exists() {
        return Ok(None);
    }
    let saved = ResultsFile::load(&path)?;
    Ok(Some(saved))
}

/// Compares `fresh` with the baseline `name` under `root`.
pub fn compare(root: &Path, name: &str, fresh: &ResultsFile, rules: Rules) -> Result<Comparison> {
    let mut saved: Vec<Option<ResultsFile>> = Vec::new();
    for e in &fresh.entries {
        let b = load(root, name, fresh, e)?;
        if let Some(b) = &b {
            let what = || format!("cannot compare with baseline `{name}`");
            compare::check_config(&b.config, &fresh.config).with_context(what)?;
            if let Some(be) = b.entries.first() {
                compare::check_cycles(be, e).with_context(what)?;
            }
        }
        saved.push(b);
    }
    let pairs: Vec<Pair> = fresh
        .entries
        .iter()
        .zip(&saved)
        .map(|(head, b)| Pair {
            base: b.as_ref().and_then(|b| b.entries.first()),
            head,
        })
        .collect();
    let source = match saved.iter().flatten().next() {
        Some(b) => format!(
            "saved baseline `{name}` ({}, {})",
            short_commit(&b.machine),
            b.created
        ),
        None => format!("saved baseline `{name}` (not found)"),
    };
    let setup = Setup {
        base_label: format!("baseline {name}"),
        head_label: "this run".into(),
        design: Design::Independent,
        rules,
        table_parallelism: fresh.config.table_parallelism,
        warnings: Vec::new(),
        footer: Footer {
            commit: short_commit(&fresh.machine),
            baseline: source,
            runner: fresh.machine.describe(),
        },
    };
    Ok(compare::build(&pairs, setup)?)
}

/// What `bench run` does at its end: compare with `--baseline`, then `--save-baseline`.
pub fn after_run(args: &RunArgs, file: &ResultsFile) -> Result<()> {
    let root = Path::new(ROOT);
    if let Some(name) = &args.baseline {
        let rules = args.rules.rules();
        rules.validate()?;
        let c = compare(root, name, file, rules)?;
        if c.sections
            .iter()
            .flat_map(|s| &s.entries)
            .any(|e| e.unavailable.is_some())
        {
            eprintln!(
                "note: baseline `{name}` lacks some of these runs on this machine and settings; save one with `bench run --save-baseline {name}`"
            );
        }
        if args.format != Format::Json {
            println!();
        }
        compare::print(&c, args.format)?;
    }
    if let Some(name) = &args.save_baseline {
        let paths = save(root, name, file)?;
        eprintln!(
            "saved baseline `{name}`: {} entr{} under {}",
            paths.len(),
            if paths.len() == 1 { "y" } else { "ies" },
            root.join(name).display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::file;
    use crate::verdict::Verdict;

    fn root(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("bench-baseline-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn names_are_plain_directory_names() {
        for ok in ["main", "pr-12", "v1.2_rc"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../x", "a/b", ".hidden", "a b", "é", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_is_fixture_mode_parallelism_and_machine() {
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
        let mut e = f.clone();
        e.entries[0].fixture = "../../etc/passwd".into();
        let n = file_name(&e, &e.entries[0]);
        assert!(!n.contains('/'), "{n}");
    }

    #[test]
    fn save_then_compare_and_missing_baselines() {
        let root = root("roundtrip");
        let base = file(&[10.0, 10.0, 10.1], 100 << 20);
        let paths = save(&root, "main", &base).unwrap();
        assert_eq!(paths.len(), 1);
        assert_eq!(
            ResultsFile::load(&paths[0]).unwrap().entries[0].runs,
            base.entries[0].runs
        );

        let slower = file(&[12.0, 12.0, 12.1], 100 << 20);
        let c = compare(&root, "main", &slower, Rules::default()).unwrap();
        assert!(c.verdict.is_regression(), "{:?}", c.verdict);
        assert!(c.footer.baseline.starts_with("saved baseline `main` (abc,"));

        // Another machine finds no baseline: the verdict is withheld.
        let mut elsewhere = slower.clone();
        elsewhere.machine.cores = 64;
        let c = compare(&root, "main", &elsewhere, Rules::default()).unwrap();
        assert_eq!(
            c.verdict,
            Verdict::Withheld {
                why: vec!["no baseline for fib · default".into()]
            }
        );
        assert!(c.footer.baseline.ends_with("(not found)"));

        // Same key, other settings: refused by the guards.
        let mut blowup = slower.clone();
        blowup.config.log_blowup = 2;
        let e = compare(&root, "main", &blowup, Rules::default()).unwrap_err();
        assert!(format!("{e:#}").contains("log blowup differs"), "{e:#}");
        std::fs::remove_dir_all(root).unwrap();
    }
}
