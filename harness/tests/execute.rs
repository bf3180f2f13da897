//! `bench execute` end to end, through the built binary.

mod common;

use common::{bench, stderr};

fn fib(n: u32) -> u32 {
    let (mut a, mut b) = (0u32, 1u32);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

#[test]
fn json_report_for_a_fixture() {
    let out = bench(&["execute", "--fixture", "fib_iterative_64k", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cycles"], 64_010);
    assert_eq!(report["public_output"], serde_json::json!([fib(12_800)]));
    assert_eq!(report["exit_code"], 0);
    assert!(report["seconds"].as_f64().is_some_and(|s| s >= 0.0));
    assert_eq!(report["matches_catalogue"], true);
    assert_eq!(report["log_bytes"], 64_010 * 28);
}

#[test]
fn input_overrides_the_fixture_and_elf_runs() {
    let out = bench(&[
        "execute",
        "--fixture",
        "fib_iterative_64k",
        "--input",
        "0xa",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cycles"], 60);
    assert_eq!(report["public_output"], serde_json::json!([55]));
    assert_eq!(report["matches_catalogue"], serde_json::Value::Null);

    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/collatz.elf");
    let out = bench(&["execute", "--elf", elf, "--input", "30", "--no-log"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("public output  [441, 111, 27]"), "{text}");
    assert!(text.contains("cycles/s"), "{text}");
}

#[test]
fn bad_input_word_is_named() {
    let out = bench(&[
        "execute",
        "--fixture",
        "fib_iterative_64k",
        "--input",
        "7,0xzz,1",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("input word 2 \"0xzz\""), "{err}");
}

#[test]
fn unknown_fixture_is_named() {
    let out = bench(&["execute", "--fixture", "fib_nonexistent"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("Error: "), "{err}");
    assert!(err.contains("fib_nonexistent"), "{err}");
}

#[test]
fn loader_errors_reach_the_user_with_context() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = bench(&["execute", "--elf", manifest]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("cannot load") && err.contains("not an ELF file"),
        "{err}"
    );

    let out = bench(&["execute", "--elf", "/nonexistent/program.elf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/program.elf"));
}

#[test]
fn execution_errors_reach_the_user() {
    let out = bench(&[
        "execute",
        "--fixture",
        "fib_iterative_64k",
        "--max-cycles",
        "100",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("executing fib_iterative_64k"), "{err}");
    assert!(err.contains("cycle limit of 100 exceeded"), "{err}");
}

#[test]
fn usage_errors_and_help() {
    let out = bench(&["execute", "--fixture", "a", "--elf", "b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    let out = bench(&[]);
    assert!(!out.status.success());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("Usage") && all.contains("execute"), "{all}");
}

#[test]
fn fixtures_lists_the_catalogue() {
    let out = bench(&["fixtures", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fib8m = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "fib_iterative_8M")
        .expect("fib_iterative_8M is listed");
    assert_eq!(fib8m["cycles"], 8_000_010);
    assert!(fib8m["description"].as_str().is_some_and(|d| !d.is_empty()));
    let text = bench(&["fixtures"]);
    let table = String::from_utf8_lossy(&text.stdout);
    assert!(
        table.contains("fib_iterative_8M") && table.contains("8,000,010"),
        "{table}"
    );
}

#[test]
fn instruction_mix_and_table_rows() {
    let out = bench(&["execute", "--fixture", "bytesort_small", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mix = report["mix"].as_array().unwrap();
    let classes: Vec<&str> = mix.iter().map(|c| c["class"].as_str().unwrap()).collect();
    assert_eq!(
        classes,
        [
            "alu",
            "shift",
            "mul",
            "div",
            "load_byte",
            "load_half",
            "load_word",
            "store_byte",
            "store_half",
            "store_word",
            "branch",
            "jump",
            "upper",
            "system"
        ]
    );
    // Every cycle is one instruction of one class; the shares make the whole.
    let total: u64 = mix.iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 2757);
    let shares: f64 = mix.iter().map(|c| c["share_pct"].as_f64().unwrap()).sum();
    assert!((shares - 100.0).abs() < 1e-9, "{shares}");
    let ops: u64 = report["ops"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(ops, 2757);
    // bytesort sorts bytes: byte loads and stores, and it halts and commits by ECALL.
    let count = |class: &str| {
        mix.iter().find(|c| c["class"] == class).unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert!(count("load_byte") > 0 && count("store_byte") > 0);
    assert_eq!(
        count("system"),
        report["public_output"].as_array().unwrap().len() as u64 + 1
    );

    let tables = report["tables"].as_array().unwrap();
    let table = |name: &str| tables.iter().find(|t| t["table"] == name).unwrap().clone();
    assert_eq!(tables.len(), 12);
    assert_eq!(table("cpu")["used"], 2757);
    assert_eq!(table("cpu")["rows"], 4096);
    assert_eq!(table("range")["used"], serde_json::Value::Null);
    // Each load and store is one ACCESS row.
    let accesses: u64 = [
        "load_byte",
        "load_half",
        "load_word",
        "store_byte",
        "store_half",
        "store_word",
    ]
    .iter()
    .map(|c| count(c))
    .sum();
    assert_eq!(table("access")["used"], accesses);
    assert_eq!(table("shift")["used"], count("shift"));

    // The text shows both; without the log, neither.
    let text = bench(&["execute", "--fixture", "bytesort_small"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("instruction mix (2,757 instructions)"),
        "{text}"
    );
    assert!(
        text.contains(
            "table rows (chunks of 2^19 rows, each padded; memory one chunk of at most 2^20)"
        ),
        "{text}"
    );
    let bare = bench(&[
        "execute",
        "--fixture",
        "bytesort_small",
        "--no-log",
        "--json",
    ]);
    let bare: serde_json::Value = serde_json::from_slice(&bare.stdout).unwrap();
    assert!(bare.get("mix").is_none() && bare.get("tables").is_none());
    // Smaller chunks pad per chunk: 2,757 CPU rows in chunks of 2^10 are 3 x 1,024.
    let small = bench(&[
        "execute",
        "--fixture",
        "bytesort_small",
        "--log-max-rows",
        "10",
        "--json",
    ]);
    let small: serde_json::Value = serde_json::from_slice(&small.stdout).unwrap();
    let cpu = small["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "cpu")
        .unwrap()
        .clone();
    assert_eq!(cpu["rows"], 3 * 1024);
    let bad = bench(&[
        "execute",
        "--fixture",
        "bytesort_small",
        "--log-max-rows",
        "99",
    ]);
    assert_eq!(bad.status.code(), Some(1));
}
