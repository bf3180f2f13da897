//! The verifier's work is bounded by the statement, not by the proof: a proof that claims a
//! taller preprocessed table (PROGRAM, RANGE, BYTES), with every length consistent with that
//! claim, is rejected before anything the size of that table is built, and verifying it
//! allocates no more than verifying the honest proof.
//!
//! This file is its own test binary with one test, so the counting allocator below sees the
//! verifier's allocations alone.

mod common;

use common::counting::{Counting, peak_of};
use common::forged::shaped;
use common::*;
use prover::stark::setup::HeightError;
use prover::stark::{NoObserver, StarkParams, VerifyError};
use prover::zkvm::{self, ProveOptions, VmProof, VmVerifyError, table};

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn taller_preprocessed_tables_are_rejected_before_the_verifier_builds_them() {
    let program = program(&[addi(5, 0, 3), alu("add", 6, 5, 5)]);
    let opts = ProveOptions {
        params: StarkParams {
            grinding_bits: 4,
            ..StarkParams::default()
        },
        ..ProveOptions::default()
    };
    let params = opts.params;
    let honest = zkvm::prove(&program, &[], &opts, &NoObserver).unwrap();
    let (verified, honest_peak) = peak_of(|| zkvm::verify(&program, &[], &honest, &params));
    verified.unwrap();

    let airs = zkvm::airs(&program);
    for (t, log_height) in [(table::PROGRAM, 18), (table::RANGE, 19), (table::BYTES, 20)] {
        let mut heights = honest.stark.heights.clone();
        assert!(heights[t] < 1 << log_height);
        heights[t] = 1 << log_height;
        let forged = VmProof {
            output: honest.output.clone(),
            stark: shaped(&airs, &params, heights, 0),
        };
        let (answer, forged_peak) = peak_of(|| zkvm::verify(&program, &[], &forged, &params));
        eprintln!(
            "table {t} at 2^{log_height}: peak {forged_peak} B (honest proof: {honest_peak} B)"
        );
        assert!(
            forged_peak <= honest_peak,
            "table {t} at 2^{log_height}: verifying the shaped proof allocated {forged_peak} \
             bytes at peak, the honest proof {honest_peak}"
        );
        assert!(
            matches!(
                answer,
                Err(VmVerifyError::Stark(VerifyError::Height(
                    HeightError::Fixed { .. }
                )))
            ),
            "table {t}: {answer:?}"
        );
    }
}
