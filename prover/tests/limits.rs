//! Limits the protocol relies on, enforced where a proof or a run could pass them: MEMORY
//! stays one chunk (its keys-strictly-increasing argument is a transition constraint, which
//! does not cross chunk boundaries), refused by the generic verifier's rule for split tables
//! and again by the zkVM and continuation verifiers; and a whole-run proof's cycle limit
//! stays within what the memory argument's 32-bit timestamp gaps cover.

mod common;

use common::forged::shaped;
use common::*;
use prover::air::cycle::MAX_ROUTED_CYCLES;
use prover::air::memory::MemoryAir;
use prover::continuation::{ChainError, prove_continuation, verify_continuation};
use prover::stark::setup::HeightError;
use prover::stark::symbolic::AirInfo;
use prover::stark::{NoObserver, StarkParams, Statement, VerifyError, verify};
use prover::zkvm::{self, ProveOptions, PublicOutput, VmProof, VmProveError, VmVerifyError, table};

/// Chunks as tall as RANGE and BYTES, so that every fixed table is one chunk and the
/// shaped proof stays small.
const LOG_MAX_ROWS: usize = 16;

fn params() -> StarkParams {
    StarkParams {
        log_max_rows: LOG_MAX_ROWS,
        grinding_bits: 4,
        ..StarkParams::default()
    }
}

/// A proof of zeros with every length consistent with MEMORY at two chunks (and every
/// other table at one small chunk, the fixed ones at their height).
fn two_chunk_memory(airs: &[zkvm::VmAir]) -> prover::stark::Proof {
    use prover::stark::Air;
    let heights = airs
        .iter()
        .enumerate()
        .map(|(t, a)| match a.fixed_log_height() {
            Some(l) => 1 << l,
            None if t == table::MEMORY => 2 << LOG_MAX_ROWS,
            None => 16,
        })
        .collect();
    shaped(airs, &params(), heights, 0)
}

#[test]
fn memory_has_transitions_in_both_forms() {
    for form in [MemoryAir::RUN, MemoryAir::BOUNDARY] {
        assert!(AirInfo::of(&form, 0).unwrap().has_transitions(), "{form:?}");
    }
}

#[test]
fn a_two_chunk_memory_is_refused_by_the_generic_verifier() {
    let program = program(&[addi(5, 0, 3)]);
    let airs = zkvm::airs(&program);
    let forged = two_chunk_memory(&airs);
    // Every length fits the claim: only the rule for split tables stands in the way.
    let answer = verify(&airs, &Statement::default(), &params(), &forged);
    assert!(
        matches!(
            &answer,
            Err(VerifyError::Height(HeightError::Split { table, height, log_max_rows }))
                if table == "memory" && *height == 2 << LOG_MAX_ROWS && *log_max_rows == LOG_MAX_ROWS
        ),
        "{answer:?}"
    );
}

#[test]
fn a_two_chunk_memory_is_refused_by_the_zkvm_verifier() {
    let program = program(&[addi(5, 0, 3)]);
    let proof = VmProof {
        output: PublicOutput {
            words: vec![],
            exit_code: 0,
            cycles: 4,
        },
        stark: two_chunk_memory(&zkvm::airs(&program)),
    };
    let answer = zkvm::verify(&program, &[], &proof, &params());
    assert!(
        matches!(
            answer,
            Err(VmVerifyError::MemoryChunked { height, max: LOG_MAX_ROWS }) if height == 2 << LOG_MAX_ROWS
        ),
        "{answer:?}"
    );
}

#[test]
fn a_two_chunk_memory_is_refused_by_the_continuation_verifier() {
    let cat = prover::fixtures::Catalogue::load_default().unwrap();
    let program = cat.program(cat.get("fib_iterative_64k").unwrap()).unwrap();
    let opts = ProveOptions {
        params: StarkParams {
            grinding_bits: 4,
            ..StarkParams::default()
        },
        ..ProveOptions::default()
    };
    // fib(20): about a hundred cycles, one epoch.
    let honest = prove_continuation(&program, &[20], 8, &opts, &NoObserver).unwrap();
    assert_eq!(honest.epochs.len(), 1);
    verify_continuation(&program, &[20], &honest, &opts.params).unwrap();
    let mut forged = honest.clone();
    forged.epochs[0].stark.heights[table::MEMORY] = 2 << opts.params.log_max_rows;
    let answer = verify_continuation(&program, &[20], &forged, &opts.params);
    assert!(
        matches!(answer, Err(ChainError::MemoryChunked { epoch: 0, height }) if height == 2 << 20),
        "{answer:?}"
    );
}

#[test]
fn a_whole_run_cycle_limit_past_the_memory_argument_is_a_typed_error() {
    let program = program(&[addi(5, 0, 3)]);
    let mut opts = options();
    opts.max_cycles = MAX_ROUTED_CYCLES + 1;
    let answer = zkvm::prove(&program, &[], &opts, &NoObserver);
    assert!(
        matches!(
            answer,
            Err(VmProveError::CycleLimit { max_cycles, supported })
                if max_cycles == MAX_ROUTED_CYCLES + 1 && supported == MAX_ROUTED_CYCLES
        ),
        "{answer:?}"
    );
    // At the limit (the default), the same run proves.
    opts.max_cycles = MAX_ROUTED_CYCLES;
    let proof = zkvm::prove(&program, &[], &opts, &NoObserver).unwrap();
    zkvm::verify(&program, &[], &proof, &opts.params).unwrap();
}
