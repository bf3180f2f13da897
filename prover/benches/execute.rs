//! Criterion benchmark of the executor: `fib_iterative_1200k` with the log
//! off, on, and on into a recycled log buffer. Throughput is in cycles.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prover::fixtures::Catalogue;
use prover::vm::{ExecOptions, Executor, RunState, execute};

fn executor(c: &mut Criterion) {
    let catalogue = Catalogue::load_default().expect("catalogue");
    let fixture = catalogue.get("fib_iterative_1200k").expect("fixture");
    let program = catalogue.program(fixture).expect("program");
    let input = fixture.input.as_slice();

    let mut group = c.benchmark_group("execute");
    group.throughput(Throughput::Elements(fixture.cycles));
    group.sample_size(20);
    for log in [false, true] {
        let name = if log {
            "fib_1200k/log"
        } else {
            "fib_1200k/no_log"
        };
        let options = ExecOptions {
            log,
            ..ExecOptions::default()
        };
        group.bench_function(name, |b| {
            b.iter(|| execute(&program, input, &options).expect("runs"))
        });
    }
    let mut buffer = Vec::new();
    group.bench_function("fib_1200k/log_recycled", |b| {
        b.iter(|| {
            let mut ex =
                Executor::new(&program, input).with_log_buffer(std::mem::take(&mut buffer));
            let state = ex.run_for(u64::MAX).expect("runs");
            assert!(matches!(state, RunState::Halted { .. }));
            buffer = ex.take_log().expect("logging");
            buffer.len()
        })
    });
    group.finish();
}

criterion_group!(benches, executor);
criterion_main!(benches);
