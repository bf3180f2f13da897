//! Criterion micro-benchmarks of the STARK core:
//!
//! * `lde`: blowup-2 LDE of a 2^20 x 16 Goldilocks trace, ours ([`Lde::extend`], which copies
//!   the borrowed trace into an LDE-sized buffer) against a bare `p3-dft`
//!   `coset_lde_batch` on an owned clone made outside the timing;
//! * `lde_copy`: that copy alone, into a fresh buffer and into one already touched (the
//!   difference is the page faults of the fresh buffer);
//! * `merkle`: [`MerkleTree::commit_rows`] over that LDE (2^21 x 16, 256 MiB);
//! * `fri_fold`: one [`fold_layer`] of a 2^21-element extension-field layer;
//! * `prove`: a whole small three-table proof with the example AIRs.
//!
//! Run with `cargo bench -p prover --bench stark` (release, `target-cpu=native`); one group
//! with e.g. `cargo bench -p prover --bench stark -- '^lde/'`. Byte throughputs are of the
//! trace (`lde`), the LDE (`merkle`) and the input layer (`fri_fold`).

use std::time::Duration;

use criterion::{
    BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_goldilocks::Goldilocks;
use p3_matrix::dense::RowMajorMatrix;
use prover::stark::domain::Lde;
use prover::stark::examples::{
    CubesAir, ExampleAir, FibAir, RangeAir, cubes_trace, fib_trace, range_trace,
};
use prover::stark::field::ext_from_limbs;
use prover::stark::fri::fold_layer;
use prover::stark::merkle::MerkleTree;
use prover::stark::{
    Ext, Felt, MaterializedTraces, MemoryPlan, NoObserver, StarkParams, Statement, prove,
};

const LOG_ROWS: usize = 20;
const WIDTH: usize = 16;
const LOG_BLOWUP: usize = 1;
const LOG_FOLD: usize = 21;

/// SplitMix64: deterministic pseudo-random words.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn random_felts(n: usize, seed: u64) -> Vec<Felt> {
    let mut s = seed;
    (0..n).map(|_| Felt::from_u64(splitmix(&mut s))).collect()
}

fn random_trace() -> RowMajorMatrix<Felt> {
    RowMajorMatrix::new(random_felts(WIDTH << LOG_ROWS, 1), WIDTH)
}

/// Ten flat samples: every routine here runs for tens of ms to a second, and the whole bench
/// has to finish in about a minute on two cores.
fn slow_group<'a>(
    c: &'a mut Criterion,
    name: &str,
    measurement_secs: u64,
) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(measurement_secs));
    group
}

fn lde(c: &mut Criterion) {
    let trace = random_trace();
    let bytes = (trace.values.len() * size_of::<Felt>()) as u64;
    // Both engines are made once: they cache twiddles.
    let ours = Lde::new();
    let p3 = Radix2DitParallel::<Goldilocks>::default();

    let mut group = slow_group(c, "lde", 10);
    group.throughput(Throughput::Bytes(bytes));
    // `iter_batched` for both, so that dropping the 256 MiB result is untimed for both.
    group.bench_function("ours", |b| {
        b.iter_batched(
            || (),
            |()| ours.extend(&trace, LOG_BLOWUP),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("p3_coset_lde_batch", |b| {
        b.iter_batched(
            || trace.clone(),
            |t| p3.coset_lde_batch(t, LOG_BLOWUP, Goldilocks::GENERATOR),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// What `ours` pays on top of a bare `coset_lde_batch`: copying the trace into a fresh
/// LDE-sized buffer, with the buffer's first touch (page faults) and without it.
fn lde_copy(c: &mut Criterion) {
    let trace = random_trace();
    let n = trace.values.len();
    let fresh = || Vec::<Felt>::with_capacity(n << LOG_BLOWUP);
    let prefaulted = || {
        let mut v = Vec::with_capacity(n << LOG_BLOWUP);
        v.resize(n << LOG_BLOWUP, Felt::ZERO);
        v.clear();
        v
    };

    let mut group = slow_group(c, "lde_copy", 3);
    group.throughput(Throughput::Bytes((n * size_of::<Felt>()) as u64));
    for (name, setup) in [
        ("fresh_buffer", &fresh as &dyn Fn() -> Vec<Felt>),
        ("prefaulted_buffer", &prefaulted),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                setup,
                |mut v| {
                    v.extend_from_slice(&trace.values);
                    v
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn merkle(c: &mut Criterion) {
    let lde = Lde::new().extend(&random_trace(), LOG_BLOWUP);
    let bytes = (lde.values.len() * size_of::<Felt>()) as u64;

    let mut group = slow_group(c, "merkle", 12);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("commit_rows_2^21x16", |b| {
        b.iter_batched(
            || (),
            |()| MerkleTree::commit_rows(&lde.values, WIDTH),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn fri_fold(c: &mut Criterion) {
    let limbs = random_felts(2 << LOG_FOLD, 2);
    let layer: Vec<Ext> = limbs
        .chunks_exact(2)
        .map(|l| ext_from_limbs(l[0], l[1]))
        .collect();
    let beta = ext_from_limbs(Felt::from_u64(0x1234_5678), Felt::from_u64(0x9abc_def0));
    let bytes = (layer.len() * size_of::<Ext>()) as u64;

    let mut group = slow_group(c, "fri_fold", 5);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("fold_layer_2^21", |b| {
        b.iter_batched(
            || (),
            |()| fold_layer(&layer, beta, 0, LOG_FOLD),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn prove_small(c: &mut Criterion) {
    let (fib, fib_public) = fib_trace(12, 1, 1);
    let cubes = cubes_trace(12, 256);
    let range = range_trace(8, &cubes);
    let airs = [
        ExampleAir::Fib(FibAir),
        ExampleAir::Cubes(CubesAir),
        ExampleAir::Range(RangeAir { log_n: 8 }),
    ];
    let traces = MaterializedTraces(vec![fib, cubes, range]);
    let statement = Statement {
        context: b"bench",
        public_values: &fib_public,
        public_interactions: &[],
    };
    let params = StarkParams::default();

    let mut group = slow_group(c, "prove", 5);
    group.bench_function("fib12_cubes12_range8", |b| {
        b.iter(|| {
            prove(
                &airs,
                &traces,
                &statement,
                &params,
                &MemoryPlan::KEEP_ALL,
                &NoObserver,
            )
            .expect("honest statement")
        })
    });
    group.finish();
}

criterion_group!(benches, lde, lde_copy, merkle, fri_fold, prove_small);
criterion_main!(benches);
