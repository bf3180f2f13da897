//! Criterion micro-benchmark of the LogUp aux build ([`build_aux_trace`]) on real zkVM
//! traces: the CPU table (24 interactions, 13 extension columns) and the ADD table of
//! `fib_iterative_1M`, one 2^20-row chunk each. The aux build runs once per instance in
//! default mode and up to five times in the modes that retire traces, so it is a large
//! share of their time.
//!
//! Run with `cargo bench -p prover --bench logup`. Throughput is in trace rows.

use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use p3_field::PrimeCharacteristicRing;
use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;
use prover::fixtures::Catalogue;
use prover::stark::Air;
use prover::stark::Felt;
use prover::stark::field::ext_from_limbs;
use prover::stark::logup::{LogupChallenges, build_aux_trace};
use prover::stark::symbolic::AirInfo;
use prover::zkvm::{ProveOptions, build_witness, table};

const FIXTURE: &str = "fib_iterative_1M";

fn aux_build(c: &mut Criterion) {
    let catalogue = Catalogue::load_default().expect("the fixture catalogue");
    let fixture = catalogue.get(FIXTURE).expect("the fixture");
    let program = catalogue.program(fixture).expect("its ELF");
    let witness =
        build_witness(&program, &fixture.input, &ProveOptions::default()).expect("an honest run");
    let ch = LogupChallenges::new(
        ext_from_limbs(Felt::from_u64(0x1234_5678_9abc), Felt::from_u64(77)),
        ext_from_limbs(Felt::from_u64(0xfeed_beef), Felt::from_u64(5)),
    );
    let mut group = c.benchmark_group("aux_build");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    for (name, t) in [("cpu", table::CPU), ("add", table::ADD)] {
        let air = &witness.airs[t];
        let info = AirInfo::of(air, 0).expect("a valid AIR");
        // One chunk: the first 2^20 rows (the prover's chunk height).
        let full = &witness.traces[t];
        let rows = full.height().min(1 << 20);
        let main = RowMajorMatrix::new(full.values[..rows * full.width()].to_vec(), full.width());
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_function(
            format!("{name}_{rows}_rows_{}_cols", air.main_width()),
            |b| {
                b.iter(|| {
                    build_aux_trace(air, &info, &main, None, &[], &ch, Vec::new()).expect("nonzero")
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, aux_build);
criterion_main!(benches);
