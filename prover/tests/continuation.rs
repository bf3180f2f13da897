//! Continuations: bundles over 1, 2 and many epochs (one ending exactly on an epoch
//! boundary) verify with the whole run's output; tampered, dropped, reordered and spliced
//! epochs are rejected; verify-and-drop agrees with prove-then-verify; the memory model's
//! epoch heights (`zkvm::footprint`) are the epoch proofs'.

mod common;

use common::options;
use prover::continuation::{
    Bundle, ChainError, prove_and_verify_continuation, prove_continuation, verify_continuation,
};
use prover::fixtures::Catalogue;
use prover::stark::NoObserver;
use prover::vm::{ExecOptions, Program, execute};

fn fixture(name: &str) -> Program {
    let cat = Catalogue::load_default().unwrap();
    cat.program(cat.get(name).unwrap()).unwrap()
}

fn fib() -> Program {
    fixture("fib_iterative_64k")
}

fn bundle(program: &Program, input: &[u32], epoch_log2: u32) -> Bundle {
    prove_continuation(program, input, epoch_log2, &options(), &NoObserver).unwrap()
}

fn verify(program: &Program, input: &[u32], bundle: &Bundle) -> Result<(), ChainError> {
    verify_continuation(program, input, bundle, &options().params).map(|_| ())
}

/// Proves, verifies, and checks the output against the executor's whole run.
fn round_trip(program: &Program, input: &[u32], epoch_log2: u32, epochs: usize) -> Bundle {
    let b = bundle(program, input, epoch_log2);
    assert_eq!(b.epochs.len(), epochs);
    let out = verify_continuation(program, input, &b, &options().params).unwrap();
    let exec = execute(program, input, &ExecOptions::default()).unwrap();
    assert_eq!(out.words, exec.public_output);
    assert_eq!(out.exit_code, exec.exit_code);
    assert_eq!(out.cycles, exec.cycles);
    b
}

#[test]
fn one_two_and_many_epochs_verify() {
    // fib(300): 1510 cycles.
    let p = fib();
    round_trip(&p, &[300], 11, 1);
    round_trip(&p, &[300], 10, 2);
    round_trip(&p, &[300], 8, 6);
}

#[test]
fn a_run_ending_exactly_on_an_epoch_boundary_verifies() {
    // fib(254) runs 5 * 254 + 10 = 1280 = 5 * 2^8 cycles: the halt is the last cycle of
    // epoch 4, and no empty epoch follows.
    let b = round_trip(&fib(), &[254], 8, 5);
    let last = &b.epochs[4].boundary;
    assert!(last.is_final());
    assert_eq!(last.cycles, 256);
}

#[test]
fn memory_heavy_epochs_verify() {
    // bytesort_small: 2757 cycles of byte loads and stores over a buffer, 6 epochs whose
    // boundaries carry RAM words.
    let cat = Catalogue::load_default().unwrap();
    let fx = cat.get("bytesort_small").unwrap();
    let p = cat.program(fx).unwrap();
    let b = round_trip(&p, &fx.input, 9, 6);
    assert!(b.epochs.iter().skip(1).all(|e| !e.boundary.ram.is_empty()));
}

/// `verify-and-drop`'s prediction routes every epoch for its table heights: they must be the
/// heights each epoch's proof commits to (the 7.9 % miss at `hashmap_1M` came from scaling the
/// run's heights instead).
#[test]
fn the_memory_models_epoch_heights_are_the_epoch_proofs() {
    let cat = Catalogue::load_default().unwrap();
    let fx = cat.get("bytesort_small").unwrap();
    let p = cat.program(fx).unwrap();
    let b = bundle(&p, &fx.input, 9);
    let run = prover::zkvm::footprint::run_shape(&p, &fx.input, &options(), 9).unwrap();
    let proved: Vec<Vec<usize>> = b
        .epochs
        .iter()
        .map(|e| e.stark.heights.iter().map(|&h| h as usize).collect())
        .collect();
    assert_eq!(run.epochs, proved);
    assert!(
        run.epochs.windows(2).any(|w| w[0] != w[1]),
        "the epochs differ in shape (else scaling would have done)"
    );
}

#[test]
fn tampered_boundaries_are_rejected() {
    let cat = Catalogue::load_default().unwrap();
    let fx = cat.get("bytesort_small").unwrap();
    let p = cat.program(fx).unwrap();
    let input = fx.input.clone();
    let honest = bundle(&p, &input, 9);
    verify(&p, &input, &honest).unwrap();

    // A first read that disagrees with what the earlier epochs left: the chain catches it.
    let mut b = honest.clone();
    b.epochs[2].boundary.ram[0].first ^= 1;
    assert!(matches!(
        verify(&p, &input, &b),
        Err(ChainError::FirstRead { epoch: 2, .. })
    ));

    // A value left behind that the epoch did not leave: consistent for the chain, but the
    // epoch's proof does not match it.
    let mut b = honest.clone();
    b.epochs[2].boundary.ram[0].last ^= 1;
    assert!(matches!(
        verify(&p, &input, &b),
        Err(ChainError::Proof { epoch: 2, .. })
    ));

    // An end register changed together with the next epoch's start register.
    let mut b = honest.clone();
    b.epochs[1].boundary.end_regs[10] ^= 4;
    b.epochs[2].boundary.start_regs[10] ^= 4;
    assert!(matches!(
        verify(&p, &input, &b),
        Err(ChainError::Proof { epoch: 1, .. })
    ));

    // A middle epoch that claims to halt, and one that claims more cycles than an epoch has.
    let mut b = honest.clone();
    b.epochs[1].boundary.exit_code = Some(0);
    assert!(matches!(
        verify(&p, &input, &b),
        Err(ChainError::Final { epoch: 1, .. })
    ));
    let mut b = honest.clone();
    b.epochs[1].boundary.cycles += 1;
    assert!(matches!(
        verify(&p, &input, &b),
        Err(ChainError::Cycles { epoch: 1, .. })
    ));

    // A committed word of the last epoch.
    let mut b = honest.clone();
    let last = b.epochs.last_mut().unwrap();
    assert!(!last.boundary.words.is_empty());
    last.boundary.words[0] ^= 1;
    assert!(matches!(
        verify(&p, &input, &b),
        Err(ChainError::Proof { .. })
    ));
}

#[test]
fn dropped_reordered_and_truncated_bundles_are_rejected() {
    let p = fib();
    let honest = bundle(&p, &[300], 8);
    assert_eq!(honest.epochs.len(), 6);

    let mut b = honest.clone();
    b.epochs.remove(2);
    assert!(matches!(
        verify(&p, &[300], &b),
        Err(ChainError::Index {
            position: 2,
            index: 3
        })
    ));

    let mut b = honest.clone();
    b.epochs.swap(1, 2);
    assert!(matches!(
        verify(&p, &[300], &b),
        Err(ChainError::Index { position: 1, .. })
    ));

    // Swapped and relabelled, so that indices read 0, 1, 2, ...: the starts no longer chain.
    let mut b = honest.clone();
    b.epochs.swap(1, 2);
    b.epochs[1].boundary.index = 1;
    b.epochs[2].boundary.index = 2;
    assert!(verify(&p, &[300], &b).is_err());

    // Without its final epoch the run does not halt.
    let mut b = honest.clone();
    b.epochs.pop();
    assert!(matches!(
        verify(&p, &[300], &b),
        Err(ChainError::Final { .. })
    ));

    let b = Bundle {
        epoch_log2: 8,
        epochs: Vec::new(),
    };
    assert!(matches!(verify(&p, &[300], &b), Err(ChainError::Empty)));
}

#[test]
fn an_epoch_spliced_from_another_run_is_rejected() {
    // fib(300) and fib(301) agree on their first epochs' control flow but not on values.
    let p = fib();
    let honest = bundle(&p, &[300], 8);
    let other = bundle(&p, &[301], 8);
    let mut b = honest.clone();
    b.epochs[3] = other.epochs[3].clone();
    assert!(verify(&p, &[300], &b).is_err());
    // An epoch re-proved for a different position with the same boundary data.
    let mut b = honest.clone();
    b.epochs[3].stark = honest.epochs[4].stark.clone();
    assert!(matches!(
        verify(&p, &[300], &b),
        Err(ChainError::Proof { epoch: 3, .. })
    ));
}

#[test]
fn verify_and_drop_agrees_with_prove_then_verify() {
    let cat = Catalogue::load_default().unwrap();
    let fx = cat.get("bytesort_small").unwrap();
    let p = cat.program(fx).unwrap();
    let b = bundle(&p, &fx.input, 9);
    let out = verify_continuation(&p, &fx.input, &b, &options().params).unwrap();
    let s = prove_and_verify_continuation(&p, &fx.input, 9, &options(), &NoObserver).unwrap();
    assert_eq!(s.output, out);
    assert_eq!(
        s.boundaries,
        b.epochs
            .iter()
            .map(|e| e.boundary.clone())
            .collect::<Vec<_>>()
    );
    let sizes: Vec<usize> = b.epochs.iter().map(|e| e.stark.to_bytes().len()).collect();
    assert_eq!(s.proof_bytes, sizes);
    assert_eq!(s.digest, b.digest_hex());
    // Other flags and table parallelism change nothing in the proofs.
    let mut opts = options();
    opts.mode = prover::modes::MemoryMode::of(&[
        prover::modes::Flag::VerifyAndDrop,
        prover::modes::Flag::StreamLde,
        prover::modes::Flag::LeafDrop,
    ]);
    opts.table_parallelism = std::num::NonZeroUsize::new(2);
    let s2 = prove_and_verify_continuation(&p, &fx.input, 9, &opts, &NoObserver).unwrap();
    assert_eq!(s2.digest, s.digest);
}

#[test]
fn bad_epoch_sizes_and_modes_are_errors() {
    let p = fib();
    assert!(prove_continuation(&p, &[3], 2, &options(), &NoObserver).is_err());
    let mut opts = options();
    opts.mode = prover::modes::MemoryMode::of(&[prover::modes::Flag::TraceRetire]);
    assert!(matches!(
        prove_continuation(&p, &[3], 8, &opts, &NoObserver),
        Err(prover::continuation::ContinuationError::TraceRetire)
    ));
    // The whole-run prover refuses a continuation mode instead of ignoring it.
    opts.mode = prover::modes::MemoryMode::of(&[prover::modes::Flag::VerifyAndDrop]);
    assert!(matches!(
        prover::zkvm::prove(&p, &[3], &opts, &NoObserver),
        Err(prover::zkvm::VmProveError::NeedsEpochs(_))
    ));
    assert!(matches!(
        prove_continuation(&p, &[3], 8, &opts, &NoObserver),
        Err(prover::continuation::ContinuationError::BundleDrop)
    ));
}
