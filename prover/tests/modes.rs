//! Memory modes end to end: every combination of stream-lde, leaf-drop and trace-retire, at
//! table parallelism 1 and 2, proves the same bytes as `default` and verifies; traces
//! rebuilt on demand (trace-retire) equal the materialised ones, chunk by chunk; and every
//! mode announces every phase.

mod common;

use std::num::NonZeroUsize;
use std::sync::Mutex;

use common::*;
use p3_matrix::Matrix;
use prover::modes::{Flag, MemoryMode};
use prover::stark::{
    NoObserver, Phase, ProveObserver, StarkParams, Target, TraceSource, memory_model,
};
use prover::vm::Program;
use prover::zkvm::{self, ProveOptions, build_retired_witness, build_witness, table};

/// Small chunks, so the CPU table of a few thousand cycles is cut into several instances.
fn options(log_max_rows: usize, mode: MemoryMode, k: usize) -> ProveOptions {
    ProveOptions {
        params: StarkParams {
            grinding_bits: 8,
            log_max_rows,
            ..StarkParams::default()
        },
        mode,
        table_parallelism: NonZeroUsize::new(k),
        ..ProveOptions::default()
    }
}

/// The eight combinations of the three streaming flags.
fn every_combination() -> Vec<MemoryMode> {
    let flags = [Flag::StreamLde, Flag::LeafDrop, Flag::TraceRetire];
    (0..8u32)
        .map(|bits| {
            let on: Vec<Flag> = (0..3)
                .filter(|i| bits >> i & 1 == 1)
                .map(|i| flags[i])
                .collect();
            MemoryMode::of(&on)
        })
        .collect()
}

/// Proves `program` in every combination at parallelism 1 and 2: the bytes equal
/// `default`'s, which verify (so every one of them verifies: verification is a function of
/// the bytes).
fn every_mode_proves_the_same_bytes(program: &Program, input: &[u32], log_max_rows: usize) {
    let reference_opts = options(log_max_rows, MemoryMode::DEFAULT, 1);
    let reference =
        zkvm::prove(program, input, &reference_opts, &NoObserver).expect("default proves");
    zkvm::verify(program, input, &reference, &reference_opts.params).expect("default verifies");
    let reference = reference.to_bytes();
    for mode in every_combination() {
        for k in [1, 2] {
            if mode.is_default() && k == 1 {
                continue;
            }
            // A mode that takes a memory budget proves the same bytes with all it can keep.
            let budgets = if mode.takes_budget() {
                vec![None, Some(u64::MAX)]
            } else {
                vec![None]
            };
            for memory_budget in budgets {
                let opts = ProveOptions {
                    memory_budget,
                    ..options(log_max_rows, mode, k)
                };
                let proof = zkvm::prove(program, input, &opts, &NoObserver)
                    .unwrap_or_else(|e| panic!("{mode}, k = {k}, {memory_budget:?}: {e}"));
                assert!(
                    proof.to_bytes() == reference,
                    "{mode}, k = {k}, budget {memory_budget:?}: proof bytes differ from default"
                );
            }
        }
    }
}

/// A budget goes only to the modes that can spend it; any other refuses it, naming the mode.
#[test]
fn a_memory_budget_is_refused_by_modes_that_cannot_spend_it() {
    let program = short_program();
    for mode in every_combination() {
        let opts = ProveOptions {
            memory_budget: Some(1 << 30),
            ..options(20, mode, 1)
        };
        let result = zkvm::prove(&program, &[], &opts, &NoObserver);
        if mode.takes_budget() {
            result.unwrap_or_else(|e| panic!("{mode}: {e}"));
        } else {
            let e = result
                .err()
                .unwrap_or_else(|| panic!("{mode} took a budget"));
            assert!(
                e.to_string()
                    .contains(&format!("`{mode}` takes no memory budget")),
                "{mode}: {e}"
            );
        }
    }
}

/// Stores 150 derived words (each with a byte merged in), then reads them back (whole and a
/// halfword) through every ALU table: RAM words are written in the first CPU chunks and read
/// in later ones, and the 600 accesses span two ACCESS chunks of 512 rows.
fn memory_loop() -> Program {
    let mut w = Vec::new();
    w.extend(li(5, 0x2000));
    w.push(addi(11, 5, 0)); // pointer
    w.push(addi(6, 0, 150)); // count
    w.push(addi(9, 0, 7)); // accumulator
    // L1: 7 instructions.
    w.push(alu("add", 9, 9, 6));
    w.push(alu("xor", 10, 9, 11));
    w.push(store("sw", 10, 11, 0));
    w.push(store("sb", 9, 11, 1));
    w.push(addi(11, 11, 4));
    w.push(addi(6, 6, -1));
    w.push(b(-24, 0, 6, 1)); // bne x6, x0, L1
    w.push(addi(11, 5, 0));
    w.push(addi(6, 0, 150));
    w.push(addi(12, 0, 0)); // sum
    // L2: 12 instructions.
    w.push(load("lw", 13, 11, 0));
    w.push(load("lh", 18, 11, 2));
    w.push(alu("add", 12, 12, 18));
    w.push(alu("add", 12, 12, 13));
    w.push(alu("slt", 14, 13, 12));
    w.push(alu("sltu", 15, 12, 13));
    w.push(alu("or", 16, 14, 15));
    w.push(alu("and", 17, 13, 16));
    w.push(alu("sub", 12, 12, 17));
    w.push(addi(11, 11, 4));
    w.push(addi(6, 6, -1));
    w.push(b(-44, 0, 6, 1)); // bne x6, x0, L2
    w.extend([addi(10, 12, 0), addi(17, 0, 64), ECALL]);
    program(&w)
}

/// A few instructions of every kind, in one chunk.
fn short_program() -> Program {
    let mut w = Vec::new();
    w.extend(li(5, 0x2000));
    w.push(addi(6, 0, 21));
    w.push(alu("add", 7, 6, 6));
    w.push(store("sw", 7, 5, 0));
    w.push(load("lw", 8, 5, 0));
    w.push(b(8, 8, 7, 0)); // beq: taken
    w.push(addi(8, 0, 1));
    w.push(jal(1, 8));
    w.push(addi(8, 0, 2)); // skipped
    w.extend([addi(10, 8, 0), addi(17, 0, 64), ECALL]);
    program(&w)
}

fn fibonacci() -> (Program, Vec<u32>) {
    let cat = prover::fixtures::Catalogue::load_default().unwrap();
    let fx = cat.get("fib_iterative_64k").unwrap();
    (cat.program(fx).unwrap(), vec![300]) // about 1500 cycles
}

#[test]
fn every_mode_proves_the_same_bytes_for_a_chunked_fibonacci() {
    let (program, input) = fibonacci();
    every_mode_proves_the_same_bytes(&program, &input, 10);
}

#[test]
fn every_mode_proves_the_same_bytes_for_a_chunked_memory_loop() {
    every_mode_proves_the_same_bytes(&memory_loop(), &[], 10);
}

#[test]
fn every_mode_proves_the_same_bytes_for_a_short_program() {
    every_mode_proves_the_same_bytes(&short_program(), &[3, 4], 12);
}

/// `fib_iterative_64k` in one CPU chunk of 2^16 rows: its aux traces together (CPU, RANGE,
/// BYTES, ...) are smaller than that chunk's main trace, so with stream-lde and trace-retire
/// Phase C keeps them to the openings (Round 2 makes their LDE blocks in their buffers and
/// turns them back; Rounds 3 and 4 read the retired main trace in eighths). The chunked
/// programs above have more aux than any one main trace, so they take the rebuild path.
/// Phase A makes each block from the one before here: the memory model finds no room for
/// a copy of the coefficients (it would make Phase A the peak; `stark.rs`'s plans test has
/// a case that takes the copies). Same bytes as default.
#[test]
fn aux_traces_kept_from_phase_c_prove_the_same_bytes() {
    let catalogue = prover::fixtures::Catalogue::load_default().unwrap();
    let fixture = catalogue.get("fib_iterative_64k").unwrap();
    let program = catalogue.program(fixture).unwrap();
    let reference_opts = options(20, MemoryMode::DEFAULT, 1);
    // The rule the store keeps them by holds here, and not for the chunked fibonacci.
    let layout = |program: &Program, input: &[u32], log_max_rows: usize| {
        let opts = options(log_max_rows, MemoryMode::DEFAULT, 1);
        let witness = build_witness(program, input, &opts).unwrap();
        let heights: Vec<usize> = witness.traces.iter().map(|t| t.height()).collect();
        let airs = zkvm::airs(program);
        prover::stark::setup::Layout::new(&airs, &heights, &opts.params, 0).unwrap()
    };
    let fits = |program: &Program, input: &[u32], log_max_rows: usize| {
        layout(program, input, log_max_rows).aux_fits_in_largest_main()
    };
    assert!(fits(&program, &fixture.input, 20));
    let (fib, fib_input) = fibonacci();
    assert!(!fits(&fib, &fib_input, 9));
    let reference = zkvm::prove(&program, &fixture.input, &reference_opts, &NoObserver)
        .expect("default proves")
        .to_bytes();
    let both = [Flag::StreamLde, Flag::TraceRetire];
    for mode in [
        MemoryMode::of(&both),
        MemoryMode::of(&[Flag::StreamLde, Flag::LeafDrop, Flag::TraceRetire]),
    ] {
        for k in [1, 2] {
            let opts = options(20, mode, k);
            let proof = zkvm::prove(&program, &fixture.input, &opts, &NoObserver).unwrap();
            assert!(proof.to_bytes() == reference, "{mode}, k = {k}");
            // One instance in flight (the README's setting): no room for the copy (with two
            // in flight it may find room).
            let input = memory_model::stark_input(
                &layout(&program, &fixture.input, 20),
                &opts.params,
                &mode.plan(NonZeroUsize::new(k)),
            );
            let copies = memory_model::policy_for(&input).phase_a_copies;
            assert!(k != 1 || !copies, "{mode}, k = {k}");
        }
    }
}

#[test]
fn a_released_retired_witness_keeps_what_a_proof_needs_and_rebuilds_nothing() {
    let (fib, input) = fibonacci();
    let opts = options(9, MemoryMode::of(&[Flag::TraceRetire]), 1);
    let retired = build_retired_witness(&fib, &input, &opts).unwrap();
    let heights = retired.heights();
    retired.release();
    // Heights, output and tables kept whole stay; the resident-LDE prover asks no more rows.
    assert_eq!(retired.heights(), heights);
    assert!(
        retired
            .rows(table::RANGE, 0, heights[table::RANGE])
            .height()
            > 0
    );
    let cpu = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        retired.rows(table::CPU, 0, 16)
    }));
    assert!(cpu.is_err(), "CPU rows rebuilt after release");
}

#[test]
fn retired_traces_equal_materialised_traces_chunk_by_chunk() {
    let (fib, fib_input) = fibonacci();
    for (program, input, log_max_rows) in [
        (fib, fib_input, 9),
        (memory_loop(), vec![], 9),
        (short_program(), vec![1], 9),
    ] {
        let opts = options(log_max_rows, MemoryMode::of(&[Flag::TraceRetire]), 1);
        let materialised = build_witness(&program, &input, &opts).unwrap();
        let retired = build_retired_witness(&program, &input, &opts).unwrap();
        assert_eq!(retired.output(), &materialised.output);
        let heights: Vec<usize> = materialised.traces.iter().map(|t| t.height()).collect();
        assert_eq!(retired.heights(), heights);
        let chunk = 1 << log_max_rows;
        for (t, trace) in materialised.traces.iter().enumerate() {
            let w = trace.width();
            // Full chunks, then the tail chunk (padded per chunk).
            let len = chunk.min(trace.height());
            for start in (0..trace.height()).step_by(len) {
                let len = len.min(trace.height() - start);
                let rows = retired.rows(t, start, len);
                assert_eq!(rows.width(), w, "table {t}");
                assert!(
                    rows.values == trace.values[start * w..(start + len) * w],
                    "table {t}, rows {start}..{}",
                    start + len
                );
            }
        }
        // A range that is not chunk-aligned and crosses a chunk boundary.
        let cpu = &materialised.traces[table::CPU];
        if cpu.height() > chunk {
            let (start, len) = (chunk / 2 + 3, chunk);
            let w = cpu.width();
            assert!(
                retired.rows(table::CPU, start, len).values
                    == cpu.values[start * w..(start + len) * w]
            );
        }
    }
}

/// Counts phase starts and ends per phase.
#[derive(Default)]
struct Events(Mutex<Vec<(Phase, bool)>>);

impl ProveObserver for Events {
    fn phase_start(&self, phase: Phase, _: Target) {
        self.0.lock().unwrap().push((phase, true));
    }
    fn phase_end(&self, phase: Phase, _: Target) {
        self.0.lock().unwrap().push((phase, false));
    }
}

#[test]
fn every_mode_announces_every_phase() {
    let program = short_program();
    for mode in every_combination() {
        let events = Events::default();
        let opts = options(12, mode, 2);
        zkvm::prove(&program, &[], &opts, &events).unwrap();
        let events = events.0.into_inner().unwrap();
        for phase in Phase::ALL {
            let starts = events.iter().filter(|e| **e == (phase, true)).count();
            let ends = events.iter().filter(|e| **e == (phase, false)).count();
            assert!(starts > 0 && starts == ends, "{mode}: {phase}");
        }
    }
}
