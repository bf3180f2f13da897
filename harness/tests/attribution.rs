//! Instruction attribution under the real callgrind: one run of `bench prove` of the
//! smallest fixture (2.7k cycles, ~11 G instructions, the prover's fixed costs) with the
//! test seam `BENCH_TEST_INJECT=composition:N`, read back by `measure::callgrind`.
//!
//! It checks that the spans partition the count exactly, and that the injected loop is
//! counted in the composition span alone, where its function tops that span's functions.
//!
//! The worker must be one valgrind can run: this test binary's `bench` when it was built
//! without AVX-512; on an AVX-512 host the x86-64-v3 build named by
//! `BENCH_PORTABLE_WORKER` (build it with `cachegrind::WORKER_BUILD`). Without valgrind, or
//! on an AVX-512 host without that worker, the test says so and passes without running.

use std::path::PathBuf;
use std::process::Command;

use harness::analysis::symbols::group_name;
use harness::measure::cachegrind::{BUILT_WITH_AVX512, WORKER_BUILD, find_valgrind};
use harness::measure::callgrind::{self, parse_dump};
use harness::measure::phase_marks::{INJECT_ENV, OUTSIDE};

/// Iterations of the injected loop: about 1.2 G instructions, more than any other function
/// of the composition span of this fixture.
const LOOP: u64 = 200_000_000;

const INJECTED: &str = "harness::measure::phase_marks::injected_test_loop";

fn worker() -> Option<PathBuf> {
    if !BUILT_WITH_AVX512 {
        return Some(PathBuf::from(env!("CARGO_BIN_EXE_bench")));
    }
    std::env::var_os("BENCH_PORTABLE_WORKER").map(PathBuf::from)
}

#[test]
fn spans_sum_to_the_count_and_an_injected_loop_lands_in_its_phase() {
    let Some(valgrind) = find_valgrind() else {
        eprintln!("SKIPPED: valgrind is not installed (apt-get install valgrind)");
        return;
    };
    let Some(worker) = worker() else {
        eprintln!(
            "SKIPPED: this bench uses AVX-512, which valgrind cannot run; build a worker with \
             `{WORKER_BUILD}` and set BENCH_PORTABLE_WORKER to it"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("bench-attribution-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("callgrind.out");
    let o = Command::new(valgrind)
        .args(callgrind::options(&out))
        .arg(&worker)
        .args(["prove", "--json", "--fixture", "bytesort_small"])
        .env("RAYON_NUM_THREADS", "1")
        .env(INJECT_ENV, format!("composition:{LOOP}"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dumps: Vec<_> = callgrind::dump_files(&out)
        .iter()
        .map(|f| parse_dump(&std::fs::read_to_string(f).unwrap()))
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();

    // The spans partition the count: every phase once, in order, and `outside`.
    let a = callgrind::attribute(&dumps);
    let names: Vec<&str> = a.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "execute+trace",
            "main_commit",
            "aux_commit",
            "composition",
            "out_of_domain",
            "fri",
            "queries",
            OUTSIDE
        ]
    );
    assert_eq!(
        a.phases.iter().map(|p| p.instructions).sum::<u64>(),
        a.total
    );
    assert_eq!(dumps.iter().map(|d| d.total).sum::<u64>(), a.total);
    for d in &dumps {
        assert_eq!(d.functions.values().sum::<u64>(), d.total, "{}", d.label);
    }
    assert!(a.total > 1_000_000_000, "{}", a.total);

    // The loop is counted in the composition span alone, and tops its functions.
    let injected = |d: &callgrind::Dump| -> u64 {
        d.functions
            .iter()
            .filter(|(k, _)| group_name(k) == INJECTED)
            .map(|(_, n)| n)
            .sum()
    };
    for d in dumps.iter().filter(|d| d.label != "composition") {
        assert_eq!(injected(d), 0, "the loop leaked into {}", d.label);
    }
    let composition = dumps.iter().find(|d| d.label == "composition").unwrap();
    let n = injected(composition);
    assert!(n >= 4 * LOOP, "{n}");
    assert!(composition.total > n);
    let grouped = harness::analysis::symbols::group_counts(
        composition.functions.iter().map(|(k, &v)| (k.as_str(), v)),
    );
    let top = grouped.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(top.0, INJECTED, "{grouped:?}");
    assert_eq!(a.functions[INJECTED], n);
}

#[test]
fn a_recorded_dump_demangles_and_groups_into_a_profile() {
    // A real callgrind dump of `bench execute --fixture bytesort_small` by the x86-64-v3
    // worker (v0 symbol names), trimmed to 150 of its functions (the prover's, the
    // harness's, closures and Fn shims, memcpy) with the callee names dropped and its
    // summary recomputed: `tests/data/callgrind_execute.out`.
    let text = include_str!("data/callgrind_execute.out");
    let d = parse_dump(text);
    assert_eq!(d.label, OUTSIDE, "the final dump is outside any phase");
    assert_eq!(d.total, 355_608);
    assert_eq!(
        d.functions.values().sum::<u64>(),
        d.total,
        "call costs are not self costs"
    );
    let grouped =
        harness::analysis::symbols::group_counts(d.functions.iter().map(|(k, &v)| (k.as_str(), v)));
    assert_eq!(grouped.values().sum::<u64>(), d.total);
    assert!(
        grouped.len() < d.functions.len(),
        "{} groups",
        grouped.len()
    );
    for name in grouped.keys() {
        assert!(
            !name.starts_with("_R") && !name.starts_with("_ZN"),
            "{name}"
        );
        assert!(
            !name.contains("{closure") && !name.contains("{{closure"),
            "{name}"
        );
        assert!(!name.contains("::<"), "{name}");
    }
    assert!(
        grouped.keys().any(|k| k.starts_with("prover::vm::")),
        "{grouped:?}"
    );
    // Every closure of the dump went to a named function, none to a shim.
    for (raw, _) in d
        .functions
        .iter()
        .filter(|(k, _)| k.starts_with("_R") && k.contains("NC"))
    {
        let g = group_name(raw);
        assert!(
            !g.ends_with("::call_mut") || !g.contains("FnMut"),
            "{raw} -> {g}"
        );
    }
}
