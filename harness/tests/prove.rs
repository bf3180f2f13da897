//! `bench prove` end to end, through the built binary.

mod common;

use common::{bench, bench_env, stderr};

#[test]
fn json_report_of_a_proved_and_verified_run() {
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/fib_iterative.elf");
    let out = bench(&["prove", "--elf", elf, "--input", "20", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["cycles"], 5 * 20 + 10);
    assert_eq!(r["public_output"], serde_json::json!([6765]));
    assert_eq!(r["verified"], true);
    assert!(r["prove_seconds"].as_f64().is_some_and(|s| s > 0.0));
    assert!(r["verify_seconds"].as_f64().is_some_and(|s| s > 0.0));
    assert!(r["proof_bytes"].as_u64().is_some_and(|b| b > 1000));
    let sha = r["proof_sha3"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(sha.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        r["fixture"]
            .as_str()
            .unwrap()
            .ends_with("fib_iterative.elf")
    );

    // Heap: exact peak, and per phase in protocol order, each within the overall peak.
    let peak = r["peak_heap_bytes"]
        .as_u64()
        .expect("counting is on by default");
    assert!(
        peak > 1 << 20,
        "a prove allocates at least the 2^16-row tables: {peak}"
    );
    assert!(r["peak_rss_bytes"].as_u64().is_some_and(|b| b > 0));
    let phases: Vec<&str> = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        phases,
        [
            "main_commit",
            "aux_commit",
            "composition",
            "out_of_domain",
            "fri",
            "queries"
        ]
    );
    for p in r["phases"].as_array().unwrap() {
        let ph = p["peak_heap_bytes"].as_u64().unwrap();
        assert!(ph > 0 && ph <= peak, "{p}");
        assert!(p["seconds"].as_f64().unwrap() >= 0.0);
    }

    // Proofs are deterministic: the same run proves to the same digest.
    let again = bench(&["prove", "--elf", elf, "--input", "20", "--json"]);
    let r2: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(r2["proof_sha3"], r["proof_sha3"]);
}

#[test]
fn the_provable_preset_proves_and_says_what_it_is_worth() {
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/fib_iterative.elf");
    let run = |security: &str, extra: &[&str]| {
        let mut args = vec![
            "prove",
            "--elf",
            elf,
            "--input",
            "20",
            "--security",
            security,
        ];
        args.extend(extra);
        let out = bench(&args);
        assert!(out.status.success(), "{security}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("security "))
            .expect("a security line")
            .to_string()
    };
    assert_eq!(
        line(&run("conjectured", &[])),
        "security       100.8 bits conjectured, 52.3 proven (target 100 conjectured, blowup 2, \
         89 queries)"
    );
    let provable = run("provable", &[]);
    assert!(provable.contains("verified       true"), "{provable}");
    assert_eq!(
        line(&provable),
        "security       100.8 bits conjectured, 100.6 proven (target 100 provable, blowup 8, \
         107 queries)"
    );
    let r: serde_json::Value = serde_json::from_str(&run("provable", &["--json"])).unwrap();
    assert_eq!(r["config"]["security"], "provable");
    assert_eq!(r["config"]["log_blowup"], 3);
}

#[test]
fn heap_is_not_reported_when_counting_is_off() {
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/fib_iterative.elf");
    let out = bench_env(
        &["prove", "--elf", elf, "--input", "5", "--json"],
        "BENCH_COUNT_ALLOC",
        "0",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["peak_heap_bytes"].is_null());
    assert_eq!(r["verified"], true);
}

#[test]
fn a_run_that_traps_is_a_clear_error() {
    // fixtures/trap.elf executes an illegal instruction: nothing to prove.
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/trap.elf");
    let out = bench(&["prove", "--elf", elf]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("illegal instruction"), "{err}");
    assert!(err.contains("proving") && err.contains("trap.elf"), "{err}");
}

#[test]
fn every_instruction_family_proves() {
    // collatz uses shifts, bytesort sub-word accesses, modexp the M extension.
    for name in ["collatz_small", "bytesort_small", "modexp_small"] {
        let out = bench(&["prove", "--fixture", name, "--json"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["verified"], true, "{name}");
    }
}

#[test]
fn bad_parameters_are_named() {
    let out = bench(&[
        "prove",
        "--fixture",
        "fib_iterative_64k",
        "--log-blowup",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("log_blowup"), "{}", stderr(&out));
}
