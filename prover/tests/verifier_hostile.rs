//! Issue 36's hostile proof: a few dozen bytes claiming `2^32` rows for every zkVM table
//! without a fixed height. Whatever `log_max_rows` is, the verifier rejects it from the
//! heights alone (the instance count, the rule for split tables, or the proof's own vector
//! lengths against the counts), with typed errors and less than 1 MiB allocated: nothing it
//! builds grows with a claimed height. (Before the fix: 1 GiB at `log_max_rows = 12`, and
//! more than 4 GiB at 4; `cargo run --release -p prover --example hostile_proof` measures.)
//!
//! This file is its own test binary with one test, so the counting allocator sees the
//! verifier's allocations alone.

mod common;

use common::counting::{Counting, peak_of};
use common::forged::hostile_proof;
use common::*;
use prover::stark::setup::HeightError;
use prover::stark::{StarkParams, Statement, VerifyError, verify_bytes};
use prover::zkvm::{self, table};

#[global_allocator]
static ALLOC: Counting = Counting;

/// The bound the issue asks for.
const MAX_PEAK: usize = 1 << 20;

#[test]
fn the_hostile_proof_is_rejected_from_its_heights_alone() {
    let program = program(&[addi(5, 0, 3)]);
    let airs = zkvm::airs(&program);
    // MEMORY at one small chunk (the 56-byte proof), or at 2^32 rows as well.
    let whole = hostile_proof(&airs, &[(table::MEMORY, 16)]).to_bytes();
    let all = hostile_proof(&airs, &[]).to_bytes();
    assert_eq!(whole.len(), 56);
    for log_max_rows in [20, 16, 12, 4, 2] {
        let params = StarkParams {
            log_max_rows,
            ..StarkParams::default()
        };
        // Each of the 8 tables without a fixed height (MEMORY apart) claims 2^32 rows, in
        // chunks of 2^log_split_rows; PROGRAM, RANGE and BYTES are one chunk each. Past
        // 2^16 instances the count alone refuses a proof; below, the 56-byte proof's empty
        // vectors do, and the all-tables proof's MEMORY (after PROGRAM and CPU) is split.
        let per_table = 1usize << (32 - params.log_split_rows());
        let total = 8 * per_table + 4;
        let before_memory = 1 + per_table;
        for (name, bytes) in [("56-byte", &whole), ("all-tables", &all)] {
            let (answer, peak) =
                peak_of(|| verify_bytes(&airs, &Statement::default(), &params, bytes));
            eprintln!("{name} proof at log_max_rows {log_max_rows}: peak {peak} B, {answer:?}");
            assert!(
                peak < MAX_PEAK,
                "{name} proof at log_max_rows {log_max_rows}: {peak} B at peak"
            );
            match (name, answer) {
                // CPU comes before MEMORY: only a count past the cap stops it first.
                ("all-tables", Err(VerifyError::Height(HeightError::Split { table, .. })))
                    if before_memory <= params.max_instances() =>
                {
                    assert_eq!(table, "memory")
                }
                ("all-tables", Err(VerifyError::Height(HeightError::Instances { max, .. })))
                    if before_memory > params.max_instances() =>
                {
                    assert_eq!(max, params.max_instances())
                }
                ("56-byte", Err(VerifyError::Height(HeightError::Instances { max, .. })))
                    if total > params.max_instances() =>
                {
                    assert_eq!(max, params.max_instances())
                }
                ("56-byte", Err(VerifyError::Shape { what, got: 0, .. }))
                    if total <= params.max_instances() =>
                {
                    assert_eq!(what, "main_roots")
                }
                (name, answer) => {
                    panic!("{name} proof at log_max_rows {log_max_rows}: {answer:?}")
                }
            }
        }
    }
}
