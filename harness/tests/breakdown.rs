//! What holds the peak, through the built binary: in every memory mode of a small program
//! (`fib_iterative_64k` in chunks of 2^14 rows, so the CPU table is four instances) the
//! peak's breakdown by buffer kind sums to the peak exactly, as does every phase's, and the
//! buffers each mode drops are not there at its peak.

mod common;

use std::collections::BTreeMap;

use common::{bench, stderr};
use prover::memtag::Tag;
use prover::modes::MemoryMode;
use serde_json::Value;

const LOG_MAX_ROWS: u32 = 14;

fn prove(mode: &str, extra: &[&str]) -> Value {
    let rows = LOG_MAX_ROWS.to_string();
    let mut args = vec![
        "prove",
        "--fixture",
        "fib_iterative_64k",
        "--log-max-rows",
        &rows,
        "--mode",
        mode,
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = bench(&args);
    assert!(out.status.success(), "{mode}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn breakdown(v: &Value) -> BTreeMap<String, u64> {
    serde_json::from_value(v["peak_breakdown"].clone()).unwrap()
}

fn kind(b: &BTreeMap<String, u64>, tag: Tag) -> u64 {
    b.get(tag.name()).copied().unwrap_or(0)
}

fn lde_bytes(b: &BTreeMap<String, u64>) -> u64 {
    [Tag::MainLde, Tag::AuxLde, Tag::PreLde, Tag::QuotientLde]
        .iter()
        .map(|&t| kind(b, t))
        .sum()
}

/// Rows of one instance of a table of `rows` rows.
fn chunk_rows(rows: u64) -> u64 {
    rows.min(1 << LOG_MAX_ROWS)
}

/// Checks the exactness of one record: the peak's and every phase's kinds sum to them.
fn check_sums(mode: &str, r: &Value) -> BTreeMap<String, u64> {
    let peak = r["peak_heap_bytes"].as_u64().unwrap();
    let b = breakdown(r);
    assert!(!b.is_empty(), "{mode}: no breakdown");
    assert_eq!(b.values().sum::<u64>(), peak, "{mode}: {b:?}");
    assert!(
        b.keys().all(|k| Tag::from_name(k).is_some()),
        "{mode}: {b:?}"
    );
    // Untagged: preprocessed traces, twiddles, executor memory, hashing scratch, small
    // blocks: about 8 to 10 MB whatever the mode, so at most a fifth of the peak, or 16 MiB
    // where the whole peak is small (the combination's is about 37 MB here).
    assert!(
        kind(&b, Tag::Other) < (peak / 5).max(16 << 20),
        "{mode}: most of the peak is tagged: {b:?}"
    );
    for p in r["phases"].as_array().unwrap() {
        let pb = breakdown(p);
        let phase_peak = p["peak_heap_bytes"].as_u64().unwrap();
        assert_eq!(pb.values().sum::<u64>(), phase_peak, "{mode} {p}");
    }
    b
}

#[test]
fn every_mode_breaks_its_peak_down_exactly_and_the_dropped_buffers_are_gone() {
    let mut by_mode = BTreeMap::new();
    let mut default_record = None;
    for mode in MemoryMode::all() {
        let name = mode.to_string();
        let r = prove(&name, &[]);
        by_mode.insert(name.clone(), check_sums(&name, &r));
        if mode.is_default() {
            default_record = Some(r);
        }
    }
    // Blocks freed on another thread than the one that made them: two instances at once.
    check_sums(
        "default, 2 in flight",
        &prove("default", &["--table-parallelism", "2"]),
    );

    let default = &by_mode["default"];
    let tables = default_record.unwrap()["tables"]
        .as_array()
        .unwrap()
        .clone();
    let table = |name: &str| tables.iter().find(|t| t["name"] == name).unwrap().clone();
    let n = |t: &Value, k: &str| t[k].as_u64().unwrap();

    // stream-lde: one instance's LDEs at a time, far below default's.
    let stream = lde_bytes(&by_mode["stream-lde"]);
    let one_instance = tables
        .iter()
        .map(|t| {
            let cols = n(t, "main_columns") + 2 * n(t, "aux_columns");
            (chunk_rows(n(t, "rows")) << 1) * cols * 8
        })
        .max()
        .unwrap();
    assert!(lde_bytes(default) > 0);
    assert!(
        stream * 4 < lde_bytes(default) && stream <= one_instance,
        "stream-lde LDEs {stream} B against default's {} B, one instance {one_instance} B",
        lde_bytes(default)
    );

    // No mode holds a Merkle tree's lowest levels: no leaf layer at any peak, and default's
    // held nodes (levels 4 and up: about 4 B per LDE row) are a sliver of its LDEs (8 B per
    // cell, at least 4 cells a row); leaf-drop holds fewer still.
    for (mode, b) in &by_mode {
        assert_eq!(kind(b, Tag::MerkleLeaves), 0, "{mode}: {b:?}");
    }
    let nodes = kind(default, Tag::MerkleNodes);
    assert!(nodes > 0 && nodes * 8 < lde_bytes(default), "{default:?}");
    assert!(kind(&by_mode["leaf-drop"], Tag::MerkleNodes) < nodes);

    // trace-retire: one instance's main trace at most, besides the tables the retired
    // witness keeps whole (PROGRAM, RANGE, BYTES).
    let retired = kind(&by_mode["trace-retire"], Tag::MainTrace);
    let largest = tables
        .iter()
        .map(|t| chunk_rows(n(t, "rows")) * n(t, "main_columns") * 8)
        .max()
        .unwrap();
    let resident: u64 = ["program", "range", "bytes"]
        .iter()
        .map(|name| {
            let t = table(name);
            n(&t, "rows") * n(&t, "main_columns") * 8
        })
        .sum();
    assert!(
        retired <= largest + resident,
        "trace-retire main traces {retired} B, one instance {largest} B + resident {resident} B"
    );
    // stream-lde keeps every main trace to the end (its rounds 3 and 4 read them): more than
    // trace-retire's one instance. (Default no longer does: with its LDEs resident it frees
    // the traces after Phase C.)
    assert!(kind(&by_mode["stream-lde"], Tag::MainTrace) > largest + resident);
}
