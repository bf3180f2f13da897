//! End-to-end tests of the STARK core on the example AIRs: honest proofs verify, every kind
//! of tampering is rejected with a fitting error, and proofs are deterministic.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use prover::stark::check::check_constraints;
use prover::stark::examples::{
    CubesAir, ExampleAir, FibAir, RANGE_BUS, RangeAir, cubes_trace, fib_trace, range_trace,
};
use prover::stark::setup::{self, HeightError};
use prover::stark::{
    Ext, Felt, MaterializedTraces, MemoryPlan, NoObserver, Proof, PublicInteraction, StarkParams,
    Statement, VerifyError, prove, verify, verify_bytes,
};
use prover::stark::{TraceSource, memory_model};

/// A statement: tables, traces, public values and public interactions.
struct Case {
    airs: Vec<ExampleAir>,
    traces: MaterializedTraces,
    public: Vec<Felt>,
    public_interactions: Vec<PublicInteraction>,
    params: StarkParams,
}

impl Case {
    fn statement(&self) -> Statement<'_> {
        Statement {
            context: b"stark tests",
            public_values: &self.public,
            public_interactions: &self.public_interactions,
        }
    }

    fn prove(&self) -> Proof {
        prove(
            &self.airs,
            &self.traces,
            &self.statement(),
            &self.params,
            &MemoryPlan::KEEP_ALL,
            &NoObserver,
        )
        .expect("honest statement proves")
    }

    fn verify(&self, proof: &Proof) -> Result<(), VerifyError> {
        verify(&self.airs, &self.statement(), &self.params, proof)
    }
}

fn params() -> StarkParams {
    StarkParams {
        grinding_bits: 8,
        ..StarkParams::default()
    }
}

fn fib_case(log_n: usize) -> Case {
    let (trace, public) = fib_trace(log_n, 1, 1);
    Case {
        airs: vec![ExampleAir::Fib(FibAir)],
        traces: MaterializedTraces(vec![trace]),
        public,
        public_interactions: vec![],
        params: params(),
    }
}

/// Cubes (height 2^cubes_log) range-checked against a range table of height 2^range_log.
fn bus_case(cubes_log: usize, range_log: usize) -> Case {
    let cubes = cubes_trace(cubes_log, 1 << range_log);
    let range = range_trace(range_log, &cubes);
    Case {
        airs: vec![
            ExampleAir::Cubes(CubesAir),
            ExampleAir::Range(RangeAir { log_n: range_log }),
        ],
        traces: MaterializedTraces(vec![cubes, range]),
        public: vec![],
        public_interactions: vec![],
        params: params(),
    }
}

/// All three tables in one proof; Fib and Cubes share a height, Range is shorter.
fn mixed_case() -> Case {
    mixed_case_with(6, params())
}

/// Fib of `2^log_fib` rows, Cubes of 64 rows sending to Range of 16, under `params`.
fn mixed_case_with(log_fib: usize, params: StarkParams) -> Case {
    let (fib, public) = fib_trace(log_fib, 2, 3);
    let cubes = cubes_trace(6, 16);
    let range = range_trace(4, &cubes);
    Case {
        airs: vec![
            ExampleAir::Fib(FibAir),
            ExampleAir::Cubes(CubesAir),
            ExampleAir::Range(RangeAir { log_n: 4 }),
        ],
        traces: MaterializedTraces(vec![fib, cubes, range]),
        public,
        public_interactions: vec![],
        params,
    }
}

fn set(m: &mut RowMajorMatrix<Felt>, row: usize, col: usize, v: Felt) {
    let w = m.width;
    m.values[row * w + col] = v;
}

// ---------------------------------------------------------------- honest proofs ---------

#[test]
fn fibonacci_proves_and_verifies() {
    let case = fib_case(8);
    assert!(
        check_constraints(
            &case.airs,
            &case.traces,
            &case.statement(),
            &StarkParams::default()
        )
        .is_ok()
    );
    let proof = case.prove();
    case.verify(&proof).unwrap();
    verify_bytes(
        &case.airs,
        &case.statement(),
        &case.params,
        &proof.to_bytes(),
    )
    .unwrap();
}

#[test]
fn two_tables_on_a_bus_with_different_heights_prove_and_verify() {
    let case = bus_case(6, 4);
    let proof = case.prove();
    // Heights 64 and 16 give two batched FRIs.
    assert_eq!(proof.fri.len(), 2);
    assert_eq!(proof.aux_roots.len(), 2);
    case.verify(&proof).unwrap();
}

#[test]
fn chunked_table_proves_and_its_chunks_balance_globally() {
    let mut case = bus_case(7, 4);
    case.params.log_max_rows = 4;
    let proof = case.prove();
    // 128 rows of cubes in chunks of 16, plus one range chunk.
    assert_eq!(proof.main_roots.len(), 9);
    assert_eq!(proof.fri.len(), 1);
    case.verify(&proof).unwrap();
    // Each chunk's contribution is non-zero; only their sum cancels.
    assert!(proof.logup_sums.iter().all(|s| *s != Ext::ZERO));
}

#[test]
fn mixed_tables_prove_and_verify_at_every_blowup() {
    for log_blowup in 1..=3 {
        let mut case = mixed_case();
        case.params.log_blowup = log_blowup;
        let proof = case.prove();
        assert_eq!(
            proof.fri[0].queries.len(),
            case.params.num_queries(),
            "blowup 2^{log_blowup}"
        );
        case.verify(&proof).unwrap();
    }
}

#[test]
fn public_interactions_take_part_in_the_balance() {
    // The range table receives one extra copy of 5 that no table sends: a public send of 5
    // balances it, and without it the proof is rejected.
    let mut case = bus_case(5, 4);
    let w = case.traces.0[1].width;
    case.traces.0[1].values[5 * w] += Felt::ONE;
    case.public_interactions = vec![PublicInteraction {
        bus: RANGE_BUS,
        values: vec![Felt::from_u64(5)],
        multiplicity: Felt::ONE,
    }];
    let proof = case.prove();
    case.verify(&proof).unwrap();
    case.public_interactions.clear();
    assert!(matches!(
        case.verify(&proof),
        Err(VerifyError::LogupImbalance)
    ));
}

// ---------------------------------------------------------------- corrupted witnesses ---

#[test]
fn wrong_fibonacci_cell_does_not_verify() {
    let mut case = fib_case(6);
    set(&mut case.traces.0[0], 17, 1, Felt::from_u64(12345));
    let report = check_constraints(
        &case.airs,
        &case.traces,
        &case.statement(),
        &StarkParams::default(),
    );
    assert!(report.failures.iter().any(|f| f.row == 16 || f.row == 17));
    let proof = case.prove();
    assert!(matches!(
        case.verify(&proof),
        Err(VerifyError::OodMismatch { .. })
    ));
}

#[test]
fn wrong_cube_does_not_verify() {
    let mut case = bus_case(6, 4);
    let x = case.traces.0[0].values[3 * 9];
    set(&mut case.traces.0[0], 9, 1, x.cube() + Felt::ONE);
    let report = check_constraints(
        &case.airs,
        &case.traces,
        &case.statement(),
        &StarkParams::default(),
    );
    assert_eq!(report.failures.len(), 1);
    assert_eq!(
        (report.failures[0].row, report.failures[0].constraint),
        (9, 0)
    );
    let proof = case.prove();
    assert!(matches!(
        case.verify(&proof),
        Err(VerifyError::OodMismatch { .. })
    ));
}

#[test]
fn out_of_range_value_does_not_verify() {
    // Row 0 is selected; give it an x the range table does not hold (with a matching cube so
    // only the bus can catch it).
    let mut case = bus_case(6, 4);
    let x = Felt::from_u64(99);
    set(&mut case.traces.0[0], 0, 0, x);
    set(&mut case.traces.0[0], 0, 1, x.cube());
    let report = check_constraints(
        &case.airs,
        &case.traces,
        &case.statement(),
        &StarkParams::default(),
    );
    assert!(report.failures.is_empty());
    assert_eq!(report.unbalanced_buses, vec![RANGE_BUS]);
    let proof = case.prove();
    assert!(matches!(
        case.verify(&proof),
        Err(VerifyError::LogupImbalance)
    ));
}

#[test]
fn wrong_multiplicity_does_not_verify() {
    let mut case = bus_case(6, 4);
    let w = case.traces.0[1].width;
    case.traces.0[1].values[3 * w] += Felt::ONE;
    let proof = case.prove();
    assert!(matches!(
        case.verify(&proof),
        Err(VerifyError::LogupImbalance)
    ));
}

#[test]
fn non_boolean_selector_does_not_verify() {
    let mut case = bus_case(6, 4);
    set(&mut case.traces.0[0], 2, 2, Felt::TWO);
    let proof = case.prove();
    assert!(case.verify(&proof).is_err());
}

#[test]
fn wrong_public_value_does_not_verify() {
    let case = fib_case(6);
    let proof = case.prove();
    let mut other = fib_case(6);
    other.public[2] += Felt::ONE;
    assert!(matches!(
        other.verify(&proof),
        Err(VerifyError::OodMismatch { .. })
    ));
}

// ---------------------------------------------------------------- tampered proofs -------

fn tampered(case: &Case, proof: &Proof, f: impl FnOnce(&mut Proof)) -> VerifyError {
    let mut p = proof.clone();
    f(&mut p);
    case.verify(&p).expect_err("tampered proof must not verify")
}

/// Errors a change to any transcript message can surface as: the challenges after it change,
/// so the out-of-domain identity, the proof of work or the query openings break.
fn transcript_broken(e: &VerifyError) -> bool {
    matches!(
        e,
        VerifyError::OodMismatch { .. }
            | VerifyError::Grinding { .. }
            | VerifyError::MerklePath { .. }
            | VerifyError::LogupImbalance
    )
}

#[test]
fn every_proof_field_is_checked() {
    let case = mixed_case();
    let proof = case.prove();
    case.verify(&proof).unwrap();

    for k in 0..proof.main_roots.len() {
        let e = tampered(&case, &proof, |p| p.main_roots[k][0] ^= 1);
        assert!(transcript_broken(&e), "main root {k}: {e}");
    }
    let e = tampered(&case, &proof, |p| p.aux_roots[1][31] ^= 0x80);
    assert!(transcript_broken(&e), "aux root: {e}");
    let e = tampered(&case, &proof, |p| p.quotient_roots[0][5] ^= 1);
    assert!(transcript_broken(&e), "quotient root: {e}");
    let e = tampered(&case, &proof, |p| p.logup_sums[0] += Ext::ONE);
    assert!(matches!(e, VerifyError::LogupImbalance), "logup sum: {e}");

    // Out-of-domain values: every kind of column.
    let e = tampered(&case, &proof, |p| p.ood[0].main_local[1] += Ext::ONE);
    assert!(
        matches!(e, VerifyError::OodMismatch { .. }),
        "ood main: {e}"
    );
    let e = tampered(&case, &proof, |p| p.ood[1].main_next[0] += Ext::ONE);
    assert!(transcript_broken(&e), "ood main next: {e}");
    let e = tampered(&case, &proof, |p| p.ood[1].aux_local[0] += Ext::ONE);
    assert!(matches!(e, VerifyError::OodMismatch { .. }), "ood aux: {e}");
    let e = tampered(&case, &proof, |p| p.ood[2].pre_local[0] += Ext::ONE);
    assert!(matches!(e, VerifyError::OodMismatch { .. }), "ood pre: {e}");
    let e = tampered(&case, &proof, |p| p.ood[0].quotient[1] += Ext::ONE);
    assert!(
        matches!(e, VerifyError::OodMismatch { .. }),
        "ood quotient: {e}"
    );

    // FRI: a layer value, a layer path node, an instance opening, an opening path node.
    let e = tampered(&case, &proof, |p| {
        let (pair, _) = &mut p.fri[0].queries[3].layers[1];
        pair[0] += Ext::ONE;
        pair[1] += Ext::ONE;
    });
    assert!(
        matches!(e, VerifyError::FriFold { layer: 1, .. }),
        "fri layer value: {e}"
    );
    let e = tampered(&case, &proof, |p| {
        p.fri[0].queries[0].layers[0].1[2][0] ^= 1
    });
    assert!(
        matches!(e, VerifyError::MerklePath { ref tree, .. } if tree == "FRI layer 0"),
        "fri layer path: {e}"
    );
    let e = tampered(&case, &proof, |p| {
        p.fri[0].queries[7].instances[1][0].values[0] += Felt::ONE
    });
    assert!(
        matches!(e, VerifyError::MerklePath { ref tree, .. } if tree.contains("main")),
        "opened row: {e}"
    );
    let e = tampered(&case, &proof, |p| {
        p.fri[1].queries[2].instances[0][0].path[3][7] ^= 4
    });
    assert!(
        matches!(e, VerifyError::MerklePath { ref tree, .. } if tree.contains("preprocessed")),
        "opening path: {e}"
    );

    // The proof of work and the final polynomial.
    let e = tampered(&case, &proof, |p| p.pow_nonce = p.pow_nonce.wrapping_sub(1));
    assert!(matches!(e, VerifyError::Grinding { .. }), "nonce: {e}");
    let e = tampered(&case, &proof, |p| p.fri[0].final_poly[0] += Ext::ONE);
    assert!(transcript_broken(&e), "final poly: {e}");

    // Lengths.
    let e = tampered(&case, &proof, |p| {
        p.ood[0].main_local.pop();
    });
    assert!(matches!(e, VerifyError::Shape { .. }), "short ood: {e}");
    let e = tampered(&case, &proof, |p| {
        p.fri[0].queries.pop();
    });
    assert!(matches!(e, VerifyError::Shape { .. }), "missing query: {e}");
    let e = tampered(&case, &proof, |p| {
        p.fri[1].queries[0].layers[0].1.push([0; 32]);
    });
    assert!(matches!(e, VerifyError::Shape { .. }), "long path: {e}");
    let e = tampered(&case, &proof, |p| p.heights[0] = 1 << 40);
    assert!(
        matches!(e, VerifyError::Height(HeightError::Range { .. })),
        "height: {e}"
    );
    let e = tampered(&case, &proof, |p| p.heights[0] = u64::MAX);
    assert!(
        matches!(e, VerifyError::Height(HeightError::Range { .. })),
        "huge height: {e}"
    );
    // Not a power of two below one chunk, nor full chunks plus a power-of-two tail.
    for h in [0, 3, 48, (1 << 20) + 48] {
        let e = tampered(&case, &proof, |p| p.heights[0] = h);
        assert!(
            matches!(
                e,
                VerifyError::Height(HeightError::Shape { .. } | HeightError::Range { .. })
            ),
            "height {h}: {e}"
        );
    }
    let e = tampered(&case, &proof, |p| p.heights[1] = 1 << 5);
    assert!(matches!(e, VerifyError::Shape { .. }), "other height: {e}");
    // Range is preprocessed: the statement fixes its height, whatever the lengths say.
    let e = tampered(&case, &proof, |p| p.heights[2] = 1 << 5);
    assert!(
        matches!(e, VerifyError::Height(HeightError::Fixed { fixed: 4, .. })),
        "preprocessed height: {e}"
    );
}

#[test]
fn final_polynomial_is_checked_when_grinding_cannot_hide_it() {
    // Without grinding, a changed final polynomial reaches the query phase.
    let mut case = fib_case(6);
    case.params.grinding_bits = 0;
    let proof = case.prove();
    let e = tampered(&case, &proof, |p| p.fri[0].final_poly[2] += Ext::ONE);
    assert!(
        matches!(
            e,
            VerifyError::FinalPoly { .. } | VerifyError::MerklePath { .. }
        ),
        "{e}"
    );
}

#[test]
fn truncated_or_garbled_bytes_are_errors_not_panics() {
    let case = bus_case(5, 4);
    let bytes = case.prove().to_bytes();
    let st = case.statement();
    for len in (0..bytes.len()).step_by(97) {
        assert!(verify_bytes(&case.airs, &st, &case.params, &bytes[..len]).is_err());
    }
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(matches!(
        verify_bytes(&case.airs, &st, &case.params, &extra),
        Err(VerifyError::Decode(_))
    ));
    // Flip one byte at a time across the whole proof.
    for pos in (0..bytes.len()).step_by(61) {
        let mut g = bytes.clone();
        g[pos] ^= 0x5a;
        assert!(
            verify_bytes(&case.airs, &st, &case.params, &g).is_err(),
            "flipped byte {pos} still verifies"
        );
    }
}

// ---------------------------------------------------------------- determinism -----------

#[test]
fn proofs_are_identical_across_runs_and_thread_counts() {
    let case = mixed_case();
    let reference = case.prove().to_bytes();
    assert_eq!(case.prove().to_bytes(), reference);
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let bytes = pool.install(|| case.prove().to_bytes());
        assert_eq!(bytes, reference, "{threads} threads");
    }
}

#[test]
fn memory_plans_and_parallelism_never_change_the_proof() {
    // Fib whole (its transitions cannot be cut), Cubes in four chunks, Range whole; at
    // blowup 2 and 8 (a block-wise commitment of two and of eight coset blocks). The plans
    // that commit by blocks take Phase A's coefficient copies here (the later phases hold
    // more), and Round 2's on every instance (`stream_lde` and `retire_traces` without
    // `leaf_drop`: Round 2 then owns the traces it makes blocks from);
    // `fib_iterative_64k` in `modes.rs` is a case that takes neither.
    for log_blowup in [1, 3] {
        let params = StarkParams {
            log_max_rows: 4,
            log_blowup,
            ..params()
        };
        let case = mixed_case_with(4, params);
        case.verify(&case.prove()).expect("the reference verifies");
        let reference = case.prove().to_bytes();
        let infos = setup::air_infos(&case.airs, case.public.len()).unwrap();
        let layout =
            setup::Layout::with_infos(&case.airs, infos, &case.traces.heights(), &case.params);
        // Each plan without a budget and with one that lets the store keep everything it
        // may (`MemoryPlan::stark_budget`).
        let plans = (0..8u32).flat_map(|bits| {
            [1, 2, 3].into_iter().flat_map(move |k| {
                [None, Some(u64::MAX)]
                    .into_iter()
                    .map(move |stark_budget| (bits, k, stark_budget))
            })
        });
        for (bits, k, stark_budget) in plans {
            let plan = MemoryPlan {
                stream_lde: bits & 1 != 0,
                leaf_drop: bits & 2 != 0,
                retire_traces: bits & 4 != 0,
                table_parallelism: std::num::NonZeroUsize::new(k),
                stark_budget,
            };
            let proof = prove(
                &case.airs,
                &case.traces,
                &case.statement(),
                &case.params,
                &plan,
                &NoObserver,
            )
            .expect("honest statement proves");
            assert!(
                proof.to_bytes() == reference,
                "blowup 2^{log_blowup}, {plan:?}"
            );
            case.verify(&proof).expect("the proof verifies");
            let input = memory_model::stark_input(&layout, &case.params, &plan);
            let policy = memory_model::policy_for(&input);
            assert_eq!(
                policy.phase_a_copies,
                plan.stream_lde && plan.retire_traces,
                "{plan:?}"
            );
            // Round 2's copies, on the instances it makes by blocks (none with
            // leaf_drop here: its dropped levels outnumber these instances' rows).
            let round2 = input
                .instances
                .iter()
                .enumerate()
                .filter(|(k, s)| {
                    policy.by_blocks(s.log_height)
                        && policy.round2_copies(*k, s.log_height, s.main, s.aux)
                })
                .count();
            if plan.stream_lde && plan.retire_traces && !plan.leaf_drop {
                assert_eq!(round2, input.instances.len(), "{plan:?}");
            }
        }
    }
}

#[test]
fn statement_context_is_bound() {
    let case = fib_case(5);
    let proof = case.prove();
    let st = Statement {
        context: b"another program",
        ..case.statement()
    };
    assert!(verify(&case.airs, &st, &case.params, &proof).is_err());
}
