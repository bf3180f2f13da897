//! The verifier's work is bounded by the statement, not by the proof: a proof that claims a
//! taller preprocessed table (PROGRAM, RANGE, BYTES), with every length consistent with that
//! claim, is rejected before anything the size of that table is built, and verifying it
//! allocates no more than verifying the honest proof.
//!
//! This file is its own test binary with one test, so the counting allocator below sees the
//! verifier's allocations alone.

mod common;

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use p3_field::PrimeCharacteristicRing;
use prover::stark::composition::QUOTIENT_PARTS;
use prover::stark::proof::{FriProof, OodValues, QueryProof, RowOpening};
use prover::stark::setup::{HeightError, Layout};
use prover::stark::{Air, Ext, Felt, NoObserver, Proof, StarkParams, VerifyError};
use prover::zkvm::{self, ProveOptions, VmProof, VmVerifyError, table};

/// Live and peak heap bytes of this test binary.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::SeqCst) + by;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: AllocLayout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's arguments.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak heap above the starting level while `f` runs.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}

/// A proof of zeros whose every length fits `heights`, as the verifier's shape check
/// derives them.
fn shaped<A: Air>(airs: &[A], params: &StarkParams, heights: Vec<u64>) -> Proof {
    let rows: Vec<usize> = heights.iter().map(|&h| h as usize).collect();
    let layout = Layout::new(airs, &rows, params, 0).unwrap();
    let n_inst = layout.instances.len();
    let n_aux = layout.aux_instances().len();
    let ext = |n: usize| vec![Ext::ZERO; n];
    let fri = layout
        .buckets
        .iter()
        .map(|(log_n, members)| {
            let log_big = log_n + params.log_blowup;
            let folds = params.num_fri_folds(*log_n);
            let query = QueryProof {
                instances: members
                    .iter()
                    .map(|&k| {
                        layout.widths[k]
                            .limb_widths()
                            .into_iter()
                            .map(|w| RowOpening {
                                values: vec![Felt::ZERO; w],
                                path: vec![[0; 32]; log_big],
                            })
                            .collect()
                    })
                    .collect(),
                layers: (0..folds)
                    .map(|j| ([Ext::ZERO; 2], vec![[0; 32]; log_big - 1 - j]))
                    .collect(),
            };
            FriProof {
                layer_roots: vec![[0; 32]; folds],
                final_poly: ext(1 << (log_n - folds)),
                queries: vec![query; params.num_queries()],
            }
        })
        .collect();
    Proof {
        heights,
        main_roots: vec![[0; 32]; n_inst],
        aux_roots: vec![[0; 32]; n_aux],
        logup_sums: ext(n_aux),
        quotient_roots: vec![[0; 32]; n_inst],
        ood: layout
            .widths
            .iter()
            .map(|w| OodValues {
                pre_local: ext(w.pre),
                pre_next: ext(w.pre),
                main_local: ext(w.main),
                main_next: ext(w.main),
                aux_local: ext(w.aux),
                aux_next: ext(w.aux),
                quotient: ext(QUOTIENT_PARTS),
            })
            .collect(),
        fri,
        pow_nonce: 0,
    }
}

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
            stark: shaped(&airs, &params, heights),
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
