//! Criterion micro-benchmark of moving an LDE block from one coset to another (what Round 2
//! and the block-wise commitment do per block with recomputed LDEs): our own transforms
//! (`ntt::recoset`: interpolation from storage order, one scaling pass, evaluation into
//! storage order, no bit-reversal) against the same values through `p3-dft` (a bit-reversal
//! to natural order, its coset interpolation, its coset evaluation, whose result is read in
//! storage order), at 2^20 rows and 8 (an openings slab), 26 (the CPU aux trace) and 55 (the
//! CPU main trace) columns.
//!
//! `coeffs_lde_2^20` is the whole LDE (blowup 2) of polynomials given by their coefficients,
//! as Round 2 makes the quotient's and Phase C a kept aux trace's: ours by blocks
//! (`Lde::extend_coeffs`) against `p3-dft`'s coset DFT of the zero-padded matrix.
//!
//! Run with `cargo bench -p prover --bench ntt`. Throughput is in cells.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::bitrev::BitReversibleMatrix;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::util::reverse_matrix_index_bits;
use prover::stark::Felt;
use prover::stark::domain::Lde;
use prover::stark::ntt::{Roots, evaluate_scaled, evaluate_wanted, recoset};

const LOG_N: usize = 20;

/// `2^LOG_N` rows of `width` columns of spread-out values.
fn cells(width: usize) -> Vec<Felt> {
    (0..(width << LOG_N) as u64)
        .map(|i| Felt::from_u64(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
        .collect()
}

/// Ten samples, flat, over `secs` seconds: each iteration is tens to hundreds of
/// milliseconds.
fn large_inputs(group: &mut BenchmarkGroup<'_, WallTime>, secs: u64) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(secs));
}

fn block_to_block(c: &mut Criterion) {
    let mut group = c.benchmark_group("recoset_2^20");
    large_inputs(&mut group, 8);
    let from = Felt::GENERATOR;
    let to = Felt::GENERATOR * Felt::two_adic_generator(LOG_N + 1);
    let (fwd, inv) = (Roots::new(LOG_N, false), Roots::new(LOG_N, true));
    let dft = Radix2DitParallel::<Felt>::default();
    for width in [8usize, 26, 55] {
        let values = cells(width);
        group.throughput(Throughput::Elements(values.len() as u64));
        group.bench_function(format!("own/{width}"), |b| {
            b.iter_batched_ref(
                || values.clone(),
                |v| recoset(v, width, (&fwd, &inv), from, to),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(format!("p3/{width}"), |b| {
            b.iter_batched(
                || RowMajorMatrix::new(values.clone(), width),
                |mut m| {
                    reverse_matrix_index_bits(&mut m);
                    let coeffs = dft.coset_idft_batch(m, from);
                    dft.coset_dft_batch(coeffs, to).bit_reverse_rows()
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// One coset block of an openings slab (8 columns, 2^20 rows): every row, against only the
/// 64-row leaf subtrees of 45 queries (89 queries over the two blocks of blowup 2, with
/// leaf-drop's 6 dropped levels).
fn wanted_rows(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate_2^20x8");
    large_inputs(&mut group, 6);
    let width = 8;
    let fwd = Roots::new(LOG_N, false);
    let values = cells(width);
    let leaves = 64usize;
    let mut bases: Vec<usize> = (0..45u64)
        .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 44) as usize & !(leaves - 1))
        .collect();
    bases.sort_unstable();
    let wanted = |first: usize, len: usize| {
        let i = bases.partition_point(|&b| b + leaves <= first);
        i < bases.len() && bases[i] < first + len
    };
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("all", |b| {
        b.iter_batched_ref(
            || values.clone(),
            |v| evaluate_scaled(v, width, &fwd),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("45_subtrees", |b| {
        b.iter_batched_ref(
            || values.clone(),
            |v| evaluate_wanted(v, width, &fwd, Felt::ONE, &wanted),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn coeffs_lde(c: &mut Criterion) {
    let mut group = c.benchmark_group("coeffs_lde_2^20");
    large_inputs(&mut group, 6);
    let lde = Lde::new();
    let dft = Radix2DitParallel::<Felt>::default();
    // The quotient parts' limbs, the CPU aux trace.
    for width in [4usize, 26] {
        let coeffs = RowMajorMatrix::new(cells(width), width);
        group.throughput(Throughput::Elements(2 * coeffs.values.len() as u64));
        group.bench_function(format!("own/{width}"), |b| {
            b.iter(|| lde.extend_coeffs(&coeffs, 1))
        });
        group.bench_function(format!("p3/{width}"), |b| {
            b.iter(|| {
                let mut padded = Vec::with_capacity(2 * coeffs.values.len());
                padded.extend_from_slice(&coeffs.values);
                padded.resize(2 * coeffs.values.len(), Felt::ZERO);
                dft.coset_dft_batch(RowMajorMatrix::new(padded, width), Felt::GENERATOR)
                    .bit_reverse_rows()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, block_to_block, wanted_rows, coeffs_lde);
criterion_main!(benches);
