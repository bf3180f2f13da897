//! The realistic-workload suite (`fixtures/programs/`, catalogue entries with `"group":
//! "suite"`), checked three ways for every entry, driven by the catalogue alone (a program
//! added to it is covered without touching this file):
//!
//! * the program's C source, compiled for the host with `cc -O2 -DRT_HOST` against
//!   `rt/host.c` (once per program), prints the catalogue's output for every size;
//! * the executor's cycle count, output and exit code equal the catalogue's, every size;
//! * a proof of every entry of at most [`PROOF_MAX_CYCLES`] cycles (each program's 64k size)
//!   verifies with the catalogue's output. Bigger sizes are proved by `bench run --suite`,
//!   not here: a 1M-cycle proof takes gigabytes and minutes, too much for CI.
//!
//! The independent references (Rust crates and direct computations) are in
//! `suite_general.rs`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use prover::fixtures::{Catalogue, Fixture};
use prover::stark::NoObserver;
use prover::vm::{ExecOptions, execute};
use prover::zkvm;
use rayon::prelude::*;

/// The largest entry proved here: above every program's 64k size (at most 80,000 cycles, see
/// `every_suite_program_comes_in_three_sizes_from_its_source`), far below its 1M one.
const PROOF_MAX_CYCLES: u64 = 1 << 17;

/// The suite's entries, grouped by ELF (one program, several sizes).
fn suite() -> (Catalogue, BTreeMap<String, Vec<Fixture>>) {
    let catalogue = Catalogue::load_default().unwrap();
    let mut programs: BTreeMap<String, Vec<Fixture>> = BTreeMap::new();
    for f in catalogue.fixtures() {
        if f.group.as_deref() == Some("suite") {
            programs.entry(f.elf.clone()).or_default().push(f.clone());
        }
    }
    assert!(!programs.is_empty(), "the catalogue has no suite entries");
    (catalogue, programs)
}

/// `programs/NAME.elf` -> `fixtures/programs/NAME.c`.
fn source_of(elf: &str) -> PathBuf {
    let stem = elf
        .strip_suffix(".elf")
        .unwrap_or_else(|| panic!("{elf}: not an .elf path"));
    Catalogue::default_dir().join(format!("{stem}.c"))
}

/// A fresh, empty folder for this test process's host builds.
fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("suite-host-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles `source` with the host C compiler (`$CC`, else `cc`) into `out`.
fn host_build(source: &Path, out: &Path) {
    let rt = Catalogue::default_dir().join("programs").join("rt");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-O2", "-DRT_HOST", "-I"])
        .arg(&rt)
        .arg("-o")
        .arg(out)
        .arg(rt.join("host.c"))
        .arg(source)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the host C compiler {cc:?}: {e}"));
    assert!(status.success(), "{cc} failed on {}", source.display());
}

/// Runs a host build on `input`; its stdout is one committed word per line.
fn host_run(binary: &Path, input: &[u32]) -> Vec<u32> {
    let out = Command::new(binary)
        .args(input.iter().map(u32::to_string))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {input:?}: {out:?}",
        binary.display()
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

/// The cycles a size label names: `64k` is 64,000, `1M` 1,000,000, `2800k` 2,800,000.
fn nominal_cycles(label: &str) -> Option<u64> {
    let (digits, unit) = label.split_at(label.len().checked_sub(1)?);
    let n: u64 = digits.parse().ok()?;
    match unit {
        "k" => Some(n * 1_000),
        "M" => Some(n * 1_000_000),
        _ => None,
    }
}

#[test]
fn every_suite_program_comes_in_three_sizes_from_its_source() {
    let (_, programs) = suite();
    for (elf, entries) in &programs {
        assert!(source_of(elf).is_file(), "{elf}: no C source beside it");
        let stem = elf.trim_start_matches("programs/").trim_end_matches(".elf");
        // Three sizes, named by cycles: about 64k, 1M and 8M, except where one unit of the
        // program's work is larger (ecdsa_verify: one whole verification is 2.76M cycles, so
        // its sizes are 2800k, 5400k and 8M; fixtures/README.md). The largest is always 8M.
        let mut sizes: Vec<(u64, &str)> = entries
            .iter()
            .map(|f| {
                let label = f
                    .name
                    .strip_prefix(stem)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .unwrap_or_else(|| panic!("{}: not named {stem}_SIZE", f.name));
                let nominal = nominal_cycles(label)
                    .unwrap_or_else(|| panic!("{}: size {label:?} is not like 64k or 1M", f.name));
                // About the size its name says: from half to 1.25 times it (a program whose
                // cycles jump with its input may not land closer; the sizes differ only by
                // input words).
                let (lo, hi) = (nominal / 2, nominal / 4 * 5);
                assert!(
                    (lo..=hi).contains(&f.cycles),
                    "{}: {} cycles",
                    f.name,
                    f.cycles
                );
                (nominal, label)
            })
            .collect();
        sizes.sort_unstable();
        assert_eq!(sizes.len(), 3, "{elf}: sizes {sizes:?}");
        assert_eq!(sizes[2].1, "8M", "{elf}: the largest size is 8M");
        if sizes[0].1 != "64k" {
            assert_eq!(stem, "ecdsa_verify", "{elf}: the smallest size is 64k");
        }
    }
}

#[test]
fn host_builds_print_the_catalogue_outputs() {
    let (_, programs) = suite();
    let dir = scratch_dir();
    programs.par_iter().for_each(|(elf, entries)| {
        let binary = dir.join(elf.replace('/', "_"));
        host_build(&source_of(elf), &binary);
        for f in entries {
            assert_eq!(host_run(&binary, &f.input), f.public_output, "{}", f.name);
        }
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_executor_matches_the_catalogue_at_every_size() {
    let (catalogue, programs) = suite();
    let entries: Vec<&Fixture> = programs.values().flatten().collect();
    entries.par_iter().for_each(|f| {
        let program = catalogue.program(f).unwrap();
        let options = ExecOptions {
            log: false,
            ..ExecOptions::default()
        };
        let run = execute(&program, &f.input, &options).unwrap();
        assert_eq!(run.public_output, f.public_output, "{}", f.name);
        assert_eq!(run.cycles, f.cycles, "{}", f.name);
        assert_eq!(run.exit_code, 0, "{}", f.name);
    });
}

#[test]
fn the_small_sizes_prove_and_verify() {
    let (catalogue, programs) = suite();
    for (elf, entries) in &programs {
        let small: Vec<&Fixture> = entries
            .iter()
            .filter(|f| f.cycles <= PROOF_MAX_CYCLES)
            .collect();
        // ecdsa_verify's smallest size is one whole verification (2.8M cycles): its proof is
        // suite_crypto.rs's ignored test. Every other program has a 64k size.
        assert!(
            !small.is_empty() || elf == "programs/ecdsa_verify.elf",
            "{elf}: no size small enough to prove here"
        );
        for f in small {
            let program = catalogue.program(f).unwrap();
            let opts = common::options();
            let proof = zkvm::prove(&program, &f.input, &opts, &NoObserver)
                .unwrap_or_else(|e| panic!("{}: {e}", f.name));
            let out = zkvm::verify(&program, &f.input, &proof, &opts.params)
                .unwrap_or_else(|e| panic!("{}: {e}", f.name));
            assert_eq!(out.words, f.public_output, "{}", f.name);
            assert_eq!(out.cycles, f.cycles, "{}", f.name);
            assert_eq!(out.exit_code, 0, "{}", f.name);
        }
    }
}
