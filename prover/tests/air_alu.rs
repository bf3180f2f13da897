//! End-to-end tests of the zkVM leaf tables (RANGE, BYTES, ADD, LT, BITWISE).
//!
//! Each statement stands in for the CPU with public interactions: every ALU request
//! `(op, b, c, a)` is sent once by the verifier, the ALU tables receive it, and RANGE / BYTES
//! receive the lookups the ALU tables send. Honest statements must verify; each corrupted one
//! must be rejected with the error that names the check that caught it.

use p3_field::{Field, PrimeCharacteristicRing, PrimeField64};
use p3_matrix::dense::RowMajorMatrix;
use prover::air::bus::{ALU, AluRequest, BYTES, Lookups, RANGE16, alu_result, op};
use prover::air::{
    AluAir, AluTable, BytesAir, RangeAir, add, bitwise, bytes_trace, div, lt, mul, range_trace,
    route_alu, shift,
};
use prover::stark::check::{CheckReport, check_constraints};
use prover::stark::{
    Felt, MaterializedTraces, MemoryPlan, NoObserver, PublicInteraction, StarkParams, Statement,
    VerifyError, prove, verify,
};

// ---------------------------------------------------------------- the statement ---------

/// The leaf tables and the ALU tables as one type, so a statement can mix them.
#[derive(Clone, Copy, Debug)]
enum Table {
    Range(RangeAir),
    Bytes(BytesAir),
    Alu(AluAir),
}

prover::delegate_air!(Table { Range, Bytes, Alu });

/// One public ALU send `(op, b, c, a)`; `a` is a `u64` so a test can claim `2^32`.
type Claim = (u32, u32, u32, u64);

/// A statement under construction: the ALU traces, the lookup counts they recorded, and the
/// requests the "CPU" claims. Tests corrupt any of these before [`Case::prove_verify`].
struct Case {
    /// One trace per ALU table (by [`AluTable::index`]), or `None` if left out.
    tables: Vec<Option<RowMajorMatrix<Felt>>>,
    lookups: Lookups,
    claims: Vec<Claim>,
}

impl Case {
    /// Routes `requests` and builds a table for every ALU group that is non-empty (or every
    /// group, with `all_tables`), plus RANGE and/or BYTES where they are needed. Claims every
    /// request with its reference result.
    fn build(requests: &[AluRequest], all_tables: bool) -> Self {
        let mut lookups = Lookups::default();
        let tables = AluTable::ALL
            .iter()
            .zip(route_alu(requests))
            .map(|(t, reqs)| {
                (all_tables || !reqs.is_empty()).then(|| t.trace(&reqs, &mut lookups, 20))
            })
            .collect();
        let claims = requests
            .iter()
            .map(|r| (r.op, r.b, r.c, u64::from(r.result())))
            .collect();
        Self {
            tables,
            lookups,
            claims,
        }
    }

    fn new(requests: &[AluRequest]) -> Self {
        Self::build(requests, false)
    }

    fn parts(&self) -> (Vec<Table>, MaterializedTraces, Vec<PublicInteraction>) {
        let mut airs = Vec::new();
        let mut traces = Vec::new();
        for (t, m) in AluTable::ALL.iter().zip(&self.tables) {
            if let Some(m) = m {
                airs.push(Table::Alu(t.air()));
                traces.push(m.clone());
            }
        }
        // RANGE and BYTES are always there: a table that looks nothing up leaves its
        // multiplicities at zero.
        airs.push(Table::Range(RangeAir));
        traces.push(range_trace(&self.lookups.range));
        airs.push(Table::Bytes(BytesAir));
        traces.push(bytes_trace(&self.lookups.bytes, &self.lookups.pairs));
        let public = self
            .claims
            .iter()
            .map(|&(op, b, c, a)| PublicInteraction {
                bus: ALU,
                values: vec![
                    Felt::from_u32(op),
                    Felt::from_u32(b),
                    Felt::from_u32(c),
                    Felt::from_u64(a),
                ],
                multiplicity: Felt::ONE,
            })
            .collect();
        (airs, MaterializedTraces(traces), public)
    }

    /// The debug checker's report on the statement.
    fn check(&self) -> CheckReport {
        let (airs, traces, public) = self.parts();
        check_constraints(&airs, &traces, &statement(&public), &StarkParams::default())
    }

    /// Proves the statement (whatever its witness) and verifies the proof.
    fn prove_verify(&self) -> Result<(), VerifyError> {
        let (airs, traces, public) = self.parts();
        let st = statement(&public);
        let proof = prove(
            &airs,
            &traces,
            &st,
            &params(),
            &MemoryPlan::KEEP_ALL,
            &NoObserver,
        )
        .expect("the prover runs");
        verify(&airs, &st, &params(), &proof)
    }
}

fn statement(public: &[PublicInteraction]) -> Statement<'_> {
    Statement {
        context: b"air alu tests",
        public_values: &[],
        public_interactions: public,
    }
}

fn params() -> StarkParams {
    StarkParams {
        grinding_bits: 8,
        ..StarkParams::default()
    }
}

fn req(op: u32, b: u32, c: u32) -> AluRequest {
    AluRequest { op, b, c }
}

fn get(m: &RowMajorMatrix<Felt>, row: usize, col: usize) -> u64 {
    m.values[row * m.width + col].as_canonical_u64()
}

fn set(m: &mut RowMajorMatrix<Felt>, row: usize, col: usize, v: Felt) {
    let w = m.width;
    m.values[row * w + col] = v;
}

fn setu(m: &mut RowMajorMatrix<Felt>, row: usize, col: usize, v: u64) {
    set(m, row, col, Felt::from_u64(v));
}

/// Values at the edges of 32-bit arithmetic, signed and unsigned.
const EDGES: [u32; 10] = [
    0,
    1,
    2,
    0xFFFF,
    0x1_0000,
    0x7FFF_FFFF,
    0x8000_0000,
    0x8000_0001,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
];

/// Every opcode in `ops` on every pair of edge values.
fn edge_requests(ops: &[u32]) -> Vec<AluRequest> {
    let mut out = Vec::new();
    for &op in ops {
        for &b in &EDGES {
            for &c in &EDGES {
                out.push(req(op, b, c));
            }
        }
    }
    out
}

/// The statement verifies, and the debug checker agrees.
fn assert_verifies(case: &Case) {
    let report = case.check();
    assert!(report.is_ok(), "{report:?}");
    case.prove_verify().expect("honest statement verifies");
}

/// The debug checker reports `(table, row)` failing and no bus imbalance, and the verifier
/// rejects with an out-of-domain mismatch in that table.
fn assert_constraint_rejects(case: &Case, table: &str, row: usize) {
    let report = case.check();
    assert!(!report.failures.is_empty(), "no failing constraint");
    assert!(
        report
            .failures
            .iter()
            .all(|f| f.table == table && f.row == row),
        "{report:?}"
    );
    assert!(report.unbalanced_buses.is_empty(), "{report:?}");
    match case.prove_verify() {
        Err(VerifyError::OodMismatch { table: t, .. }) => assert_eq!(t, table),
        other => panic!("expected OodMismatch in {table}, got {other:?}"),
    }
}

/// Every constraint holds, only `bus` is unbalanced, and the verifier rejects the LogUp sum.
fn assert_lookup_rejects(case: &Case, bus: u32) {
    let report = case.check();
    assert!(report.failures.is_empty(), "{report:?}");
    assert_eq!(report.unbalanced_buses, vec![bus]);
    assert!(matches!(
        case.prove_verify(),
        Err(VerifyError::LogupImbalance)
    ));
}

// ---------------------------------------------------------------- builders --------------

#[test]
fn route_alu_splits_by_table_and_keeps_order() {
    let reqs = [
        req(op::SLTU, 1, 2),
        req(op::ADD, 3, 4),
        req(op::XOR, 5, 6),
        req(op::SUB, 7, 8),
        req(op::SLT, 9, 10),
        req(op::AND, 11, 12),
        req(op::OR, 13, 14),
        req(op::ADD, 3, 4),
    ];
    let routed = route_alu(&reqs);
    assert_eq!(routed.len(), AluTable::ALL.len());
    assert_eq!(routed[AluTable::Add.index()], [reqs[1], reqs[3], reqs[7]]);
    assert_eq!(routed[AluTable::Lt.index()], [reqs[0], reqs[4]]);
    assert_eq!(
        routed[AluTable::Bitwise.index()],
        [reqs[2], reqs[5], reqs[6]]
    );
    assert!(route_alu(&[]).iter().all(Vec::is_empty));
}

#[test]
fn builders_pad_with_zero_rows_to_a_power_of_two() {
    for (n, height) in [(0, 4), (1, 4), (4, 4), (5, 8), (9, 16)] {
        let mut lookups = Lookups::default();
        let adds = vec![req(op::ADD, 0xFFFF_FFFF, 2); n];
        let lts = vec![req(op::SLT, 0x8000_0000, 7); n];
        let bits = vec![req(op::OR, 0x0102_0304, 0xF0F0_F0F0); n];
        let tables = [
            (AluTable::Add.trace(&adds, &mut lookups, 20), add::WIDTH),
            (AluTable::Lt.trace(&lts, &mut lookups, 20), lt::WIDTH),
            (
                AluTable::Bitwise.trace(&bits, &mut lookups, 20),
                bitwise::WIDTH,
            ),
        ];
        let (range, bytes) = (&lookups.range, &lookups.bytes);
        for (m, width) in &tables {
            assert_eq!((m.width, m.values.len()), (*width, height * width));
            assert!(m.values[n * width..].iter().all(|v| *v == Felt::ZERO));
        }
        // Two range checks per ADD row, six per LT row, four byte pairs per BITWISE row.
        assert_eq!(range.0.iter().map(|&c| c as usize).sum::<usize>(), 8 * n);
        assert_eq!(bytes.0.iter().map(|&c| c as usize).sum::<usize>(), 4 * n);
        assert_eq!(bytes.0[0x01 << 8 | 0xF0], n as u32);
        assert_eq!(range_trace(range).values.len(), 1 << 16);
        assert_eq!(bytes_trace(bytes, &lookups.pairs).values.len(), 2 << 16);
    }
}

#[test]
fn trace_results_match_the_reference_semantics() {
    let mut lookups = Lookups::default();
    let checks: [(&[u32], AluTable, usize); 3] = [
        (&[op::ADD, op::SUB], AluTable::Add, add::col::A),
        (&[op::SLT, op::SLTU], AluTable::Lt, lt::col::A),
        (
            &[op::XOR, op::OR, op::AND],
            AluTable::Bitwise,
            bitwise::col::A,
        ),
    ];
    for (ops, table, a_col) in checks {
        let reqs = edge_requests(ops);
        let m = table.trace(&reqs, &mut lookups, 20);
        for (row, r) in reqs.iter().enumerate() {
            assert_eq!(get(&m, row, a_col), u64::from(r.result()), "{r:?}");
        }
    }
    // Signed and unsigned comparisons disagree when exactly one sign bit is set.
    assert_eq!(alu_result(op::SLT, 0xFFFF_FFFF, 1), 1);
    assert_eq!(alu_result(op::SLTU, 0xFFFF_FFFF, 1), 0);
    assert_eq!(alu_result(op::SLT, 0x7FFF_FFFF, 0x8000_0000), 0);
    assert_eq!(alu_result(op::SLTU, 0x7FFF_FFFF, 0x8000_0000), 1);
    let m = AluTable::Lt.trace(
        &[req(op::SLT, 0xFFFF_FFFF, 1), req(op::SLTU, 0xFFFF_FFFF, 1)],
        &mut lookups,
        20,
    );
    assert_eq!((get(&m, 0, lt::col::A), get(&m, 1, lt::col::A)), (1, 0));
}

// ---------------------------------------------------------------- honest statements -----

#[test]
fn add_and_sub_edge_cases_verify() {
    // Includes wrap-around (0xFFFF_FFFF + 1, 0 - 1), equal operands and repeated requests.
    let mut reqs = edge_requests(&[op::ADD, op::SUB]);
    reqs.extend([req(op::ADD, 2, 3), req(op::ADD, 2, 3), req(op::SUB, 5, 5)]);
    let case = Case::new(&reqs);
    let m = case.tables[AluTable::Add.index()].as_ref().unwrap();
    assert_eq!(m.values.len(), 256 * add::WIDTH);
    assert_verifies(&case);
}

#[test]
fn slt_and_sltu_edge_cases_verify() {
    let case = Case::new(&edge_requests(&[op::SLT, op::SLTU]));
    assert_verifies(&case);
}

#[test]
fn bitwise_edge_cases_verify() {
    let mut reqs = edge_requests(&[op::XOR, op::OR, op::AND]);
    reqs.extend([
        req(op::XOR, 0x1234_5678, 0x0F0F_0F0F),
        req(op::OR, 0xDEAD_BEEF, 0x0BAD_F00D),
        req(op::AND, 0xDEAD_BEEF, 0xDEAD_BEEF),
    ]);
    let case = Case::new(&reqs);
    assert_verifies(&case);
}

#[test]
fn all_alu_tables_verify_in_one_statement() {
    // Interleaved opcodes, as a CPU would send them.
    let mut reqs = Vec::new();
    let mut x: u32 = 0x9E37_79B9;
    for i in 0..100u32 {
        x = x.rotate_left(5) ^ x.wrapping_mul(0x85EB_CA6B) ^ i;
        let ops = [
            op::ADD,
            op::SUB,
            op::XOR,
            op::OR,
            op::AND,
            op::SLT,
            op::SLTU,
            op::SLL,
            op::SRL,
            op::SRA,
        ];
        reqs.push(req(
            ops[i as usize % ops.len()],
            x,
            x.rotate_right(i % 32) ^ i,
        ));
    }
    let case = Case::build(&reqs, true);
    assert_verifies(&case);
}

#[test]
fn empty_alu_tables_verify() {
    // Only padding rows: nothing is received, nothing is looked up.
    let case = Case::build(&[], true);
    assert!(case.lookups.range.0.iter().all(|&c| c == 0));
    assert_verifies(&case);
}

// ---------------------------------------------------------------- ADD soundness ---------

/// `ADD(2, 3)` on row 1 of a small ADD/SUB statement.
fn add_case() -> Case {
    Case::new(&[
        req(op::SUB, 3, 5),
        req(op::ADD, 2, 3),
        req(op::ADD, 0xFFFF_FFFF, 1),
        req(op::SUB, 0x8000_0000, 0x7FFF_FFFF),
    ])
}

#[test]
fn add_wrong_result_is_rejected() {
    // Claim ADD(2, 3) = 6, with the limbs and their range checks consistent with 6.
    let mut case = add_case();
    let m = case.tables[AluTable::Add.index()].as_mut().unwrap();
    setu(m, 1, add::col::A, 6);
    setu(m, 1, add::col::A_LO, 6);
    case.lookups.range.0[5] -= 1;
    case.lookups.range.0[6] += 1;
    case.claims[1].3 = 6;
    assert_constraint_rejects(&case, "add", 1);
}

#[test]
fn add_wrong_carry_is_rejected() {
    // SUB(3, 5) = 0xFFFF_FFFE needs the borrow; drop it.
    let mut case = add_case();
    let m = case.tables[AluTable::Add.index()].as_mut().unwrap();
    assert_eq!(get(m, 0, add::col::CARRY), 1);
    setu(m, 0, add::col::CARRY, 0);
    assert_constraint_rejects(&case, "add", 0);
}

#[test]
fn add_non_boolean_selector_is_rejected() {
    // is_add = 2 turns the row into a double receive of opcode 2 = SUB with a = b + c: it
    // would prove SUB(2, 3) = 5. Only the booleanity of is_add stands in the way.
    let mut case = add_case();
    let m = case.tables[AluTable::Add.index()].as_mut().unwrap();
    setu(m, 1, add::col::IS_ADD, 2);
    // The range checks of a_lo = 5 and a_hi = 0 double too.
    case.lookups.range.add_u32(5);
    case.claims[1] = (op::SUB, 2, 3, 5);
    case.claims.push((op::SUB, 2, 3, 5));
    assert_constraint_rejects(&case, "add", 1);
}

#[test]
fn add_limb_out_of_range_is_rejected() {
    // ADD(0xFFFF_FFFF, 1) "= 2^32" with carry 0: a_lo = 2^16, a_hi = 0xFFFF recompose to
    // 2^32 and satisfy every constraint; only the range check of a_lo catches it.
    let mut case = add_case();
    let m = case.tables[AluTable::Add.index()].as_mut().unwrap();
    setu(m, 2, add::col::A, 1 << 32);
    setu(m, 2, add::col::CARRY, 0);
    setu(m, 2, add::col::A_LO, 1 << 16);
    setu(m, 2, add::col::A_HI, 0xFFFF);
    case.lookups.range.0[0] -= 2;
    case.lookups.range.0[0xFFFF] += 1;
    case.claims[2].3 = 1 << 32;
    assert_lookup_rejects(&case, RANGE16);
}

#[test]
fn range_multiplicity_off_by_one_is_rejected() {
    let mut case = add_case();
    case.lookups.range.0[5] += 1;
    assert_lookup_rejects(&case, RANGE16);
}

// ---------------------------------------------------------------- LT soundness ----------

/// `SLT(5, 3)` on row 1, `SLT(0x8000_0000, 0)` on row 2.
fn lt_case() -> Case {
    Case::new(&[
        req(op::SLTU, 0xFFFF_FFFF, 1),
        req(op::SLT, 5, 3),
        req(op::SLT, 0x8000_0000, 0),
        req(op::SLT, 0xFFFF_FFFF, 1),
    ])
}

#[test]
fn slt_wrong_result_is_rejected() {
    // Claim SLT(5, 3) = 1, leaving the difference limbs alone.
    let mut case = lt_case();
    let m = case.tables[AluTable::Lt.index()].as_mut().unwrap();
    setu(m, 1, lt::col::A, 1);
    case.claims[1].3 = 1;
    assert_constraint_rejects(&case, "lt", 1);
}

#[test]
fn slt_wrong_result_with_matching_difference_is_rejected() {
    // Claim SLT(5, 3) = 1 with d = 2 + 2^32 split as (2, 2^16): the constraints hold, the
    // range check of d_hi does not.
    let mut case = lt_case();
    let m = case.tables[AluTable::Lt.index()].as_mut().unwrap();
    assert_eq!(get(m, 1, lt::col::D_LO), 2);
    setu(m, 1, lt::col::A, 1);
    setu(m, 1, lt::col::D_HI, 1 << 16);
    case.lookups.range.0[0] -= 1;
    case.claims[1].3 = 1;
    assert_lookup_rejects(&case, RANGE16);
}

#[test]
fn slt_forged_sign_bit_is_rejected() {
    // Claim SLT(0x8000_0000, 0) = 0 by calling b non-negative: b_msb = 0 makes
    // 2b - 2^32 b_msb = 2^32, whose high limb 2^16 fails the range check.
    let mut case = lt_case();
    let m = case.tables[AluTable::Lt.index()].as_mut().unwrap();
    assert_eq!(get(m, 2, lt::col::B_MSB), 1);
    setu(m, 2, lt::col::A, 0);
    setu(m, 2, lt::col::B_MSB, 0);
    setu(m, 2, lt::col::YB_HI, 1 << 16);
    case.lookups.range.0[0] -= 1;
    case.claims[2].3 = 0;
    assert_lookup_rejects(&case, RANGE16);
}

#[test]
fn slt_non_boolean_sign_bit_is_rejected() {
    // Claim SLT(0x8000_0000, 0) = 0 with b_msb = 1/2: then 2b - 2^32 b_msb = 2^31 and the
    // difference is 0, all limbs in range. Only the booleanity of b_msb catches it.
    let mut case = lt_case();
    let m = case.tables[AluTable::Lt.index()].as_mut().unwrap();
    set(m, 2, lt::col::B_MSB, Felt::TWO.inverse());
    setu(m, 2, lt::col::A, 0);
    setu(m, 2, lt::col::YB_LO, 0);
    setu(m, 2, lt::col::YB_HI, 0x8000);
    assert_eq!(get(m, 2, lt::col::D_HI), 0x8000);
    setu(m, 2, lt::col::D_LO, 0);
    setu(m, 2, lt::col::D_HI, 0);
    // yb_hi 0 -> 0x8000 and d_hi 0x8000 -> 0: the range counts are unchanged.
    case.claims[2].3 = 0;
    assert_constraint_rejects(&case, "lt", 2);
    let report = case.check();
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].constraint, 3, "b_msb booleanity");
}

// ---------------------------------------------------------------- BITWISE soundness -----

/// `XOR(0x1234_5678, 0x0F0F_0F0F)` on row 0, `AND(0xF0, 0x3C)` on row 1, `XOR(1, 0)` on row 2.
fn bitwise_case() -> Case {
    Case::new(&[
        req(op::XOR, 0x1234_5678, 0x0F0F_0F0F),
        req(op::AND, 0xF0, 0x3C),
        req(op::XOR, 1, 0),
        req(op::OR, 0xFFFF_FFFF, 0x8000_0000),
    ])
}

#[test]
fn xor_wrong_result_is_rejected() {
    let mut case = bitwise_case();
    let wrong = u64::from(0x1234_5678u32 ^ 0x0F0F_0F0F) + 1;
    let m = case.tables[AluTable::Bitwise.index()].as_mut().unwrap();
    setu(m, 0, bitwise::col::A, wrong);
    case.claims[0].3 = wrong;
    assert_constraint_rejects(&case, "bitwise", 0);
}

#[test]
fn bitwise_wrong_and_byte_is_rejected() {
    // Claim AND(0xF0, 0x3C) = 0x31 with the low AND byte 0x31, so the recomposition holds;
    // the byte triple (0xF0, 0x3C, 0x31) is not in the BYTES table.
    let mut case = bitwise_case();
    let m = case.tables[AluTable::Bitwise.index()].as_mut().unwrap();
    assert_eq!(get(m, 1, bitwise::col::AND), 0x30);
    setu(m, 1, bitwise::col::AND, 0x31);
    setu(m, 1, bitwise::col::A, 0x31);
    case.claims[1].3 = 0x31;
    assert_lookup_rejects(&case, BYTES);
}

#[test]
fn bitwise_non_boolean_selector_is_rejected() {
    // is_xor = 2 turns XOR(1, 0) into a double receive of opcode 6 = SLT with a = 2 XOR(1, 0):
    // it would prove SLT(1, 0) = 2. The byte lookups double too; only booleanity catches it.
    let mut case = bitwise_case();
    let m = case.tables[AluTable::Bitwise.index()].as_mut().unwrap();
    setu(m, 2, bitwise::col::IS_XOR, 2);
    setu(m, 2, bitwise::col::A, 2);
    case.lookups.bytes.add(1, 0);
    for _ in 0..3 {
        case.lookups.bytes.add(0, 0);
    }
    case.claims[2] = (op::SLT, 1, 0, 2);
    case.claims.push((op::SLT, 1, 0, 2));
    assert_constraint_rejects(&case, "bitwise", 2);
}

#[test]
fn bytes_multiplicity_off_by_one_is_rejected() {
    let mut case = bitwise_case();
    case.lookups.bytes.0[0x12 << 8 | 0x0F] -= 1;
    assert_lookup_rejects(&case, BYTES);
}

// ---------------------------------------------------------------- SHIFT soundness -------

#[test]
fn shift_edge_cases_verify() {
    // Amounts 0, 1, 31, and register values whose low five bits are what counts.
    let mut reqs = edge_requests(&[op::SLL, op::SRL, op::SRA]);
    for &b in &[0, 1, 0x8000_0000, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1234_5678] {
        for &c in &[0, 1, 15, 16, 17, 31, 32, 33, 0xFFFF_FFE1, 0xFFFF_FFFF] {
            for o in [op::SLL, op::SRL, op::SRA] {
                reqs.push(req(o, b, c));
            }
        }
    }
    assert_eq!(alu_result(op::SRA, 0x8000_0000, 0xFFFF_FFE1), 0xC000_0000);
    let case = Case::new(&reqs);
    assert_verifies(&case);
}

/// `SLL(3, 4) = 48` on row 0, `SRA(0x8000_0010, 4)` on row 1, `SRL(0xF0, 4)` on row 2.
fn shift_case() -> Case {
    Case::new(&[
        req(op::SLL, 3, 4),
        req(op::SRA, 0x8000_0010, 4),
        req(op::SRL, 0xF0, 4),
    ])
}

fn shift_table(case: &mut Case) -> &mut RowMajorMatrix<Felt> {
    case.tables[AluTable::Shift.index()].as_mut().unwrap()
}

#[test]
fn shift_honest_case_verifies() {
    assert_verifies(&shift_case());
}

#[test]
fn sll_wrong_result_is_rejected() {
    // Claim SLL(3, 4) = 49 with its limbs (and their lookups) consistent.
    let mut case = shift_case();
    let m = shift_table(&mut case);
    assert_eq!(get(m, 0, shift::col::A_LO), 48);
    setu(m, 0, shift::col::A_LO, 49);
    case.lookups.range.0[48] -= 1;
    case.lookups.range.0[49] += 1;
    case.claims[0].3 = 49;
    assert_constraint_rejects(&case, "shift", 0);
}

#[test]
fn sll_wrapping_shifted_out_part_is_rejected() {
    // The attack the bound on x stops: x = 2^32 - 1 makes 2^32 x = p - 1, so a = 3 * 16 + 1
    // = 49 satisfies `b pow = a + 2^32 x` mod p. Every constraint holds; x_hi = 0xFFFF fails
    // the doubled lookup (2 x_hi >= 2^16).
    let mut case = shift_case();
    let m = shift_table(&mut case);
    setu(m, 0, shift::col::A_LO, 49);
    setu(m, 0, shift::col::X_LO, 0xFFFF);
    setu(m, 0, shift::col::X_HI, 0xFFFF);
    let r = &mut case.lookups.range.0;
    r[48] -= 1;
    r[49] += 1;
    r[0] -= 3; // x_lo, x_hi, 2 x_hi were 0
    r[0xFFFF] += 2; // x_lo, x_hi; 2 x_hi = 0x1FFFE has no RANGE row to count
    case.claims[0].3 = 49;
    let report = case.check();
    assert!(report.failures.is_empty(), "{report:?}");
    assert!(matches!(
        case.prove_verify(),
        Err(VerifyError::LogupImbalance)
    ));
}

#[test]
fn sra_forged_sign_is_rejected() {
    // Claim SRA(0x8000_0010, 4) = 0x0800_0001 (a logical shift) by clearing the sign bit and
    // moving bit 31 into t: t = 0x8000_0010 >= 2^31, so 2 t_hi fails its lookup.
    let mut case = shift_case();
    let m = shift_table(&mut case);
    assert_eq!(get(m, 1, shift::col::SIGN), 1);
    setu(m, 1, shift::col::SIGN, 0);
    setu(m, 1, shift::col::T_HI, 0x8000);
    setu(m, 1, shift::col::A_LO, 0x0001);
    setu(m, 1, shift::col::A_HI, 0x0800);
    let r = &mut case.lookups.range.0;
    r[0xF800] -= 1; // a_hi
    r[0x0800] += 1;
    r[0] -= 2; // t_hi and 2 t_hi were 0
    r[0x8000] += 1; // t_hi; 2 t_hi = 0x10000 has no RANGE row to count
    case.claims[1].3 = 0x0800_0001;
    let report = case.check();
    assert!(report.failures.is_empty(), "{report:?}");
    assert!(matches!(
        case.prove_verify(),
        Err(VerifyError::LogupImbalance)
    ));
}

#[test]
fn shift_non_boolean_amount_bit_is_rejected() {
    // s_0 = 2 with c unchanged needs the other bits to compensate; it fails booleanity.
    let mut case = shift_case();
    let m = shift_table(&mut case);
    setu(m, 2, shift::col::S, 2);
    setu(m, 2, shift::col::S + 1, 0);
    assert_eq!(get(m, 2, shift::col::S + 2), 1);
    assert!(!case.check().failures.is_empty());
    assert!(case.prove_verify().is_err());
}

// ---------------------------------------------------------------- MUL and DIV -----------

const MUL_OPS: [u32; 4] = [op::MUL, op::MULH, op::MULHSU, op::MULHU];
const DIV_OPS: [u32; 4] = [op::DIV, op::DIVU, op::REM, op::REMU];

#[test]
fn mul_edge_cases_verify() {
    let case = Case::new(&edge_requests(&MUL_OPS));
    assert_verifies(&case);
}

#[test]
fn div_edge_cases_verify() {
    // EDGES include 0 (division by zero), 0x8000_0000 / 0xFFFF_FFFF (the overflow), and
    // operands of every sign combination.
    let mut reqs = edge_requests(&DIV_OPS);
    let neg = |v: i32| v as u32;
    for (b, c) in [
        (neg(-7), 2),
        (7, neg(-2)),
        (neg(-7), neg(-2)),
        (7, 2),
        (0, neg(-1)),
    ] {
        for o in DIV_OPS {
            reqs.push(req(o, b, c));
        }
    }
    assert_eq!(alu_result(op::REM, neg(-7), 2), neg(-1));
    assert_eq!(alu_result(op::REM, 7, neg(-2)), 1);
    let case = Case::new(&reqs);
    assert_verifies(&case);
}

fn table_of(case: &mut Case, t: AluTable) -> &mut RowMajorMatrix<Felt> {
    case.tables[t.index()].as_mut().unwrap()
}

#[test]
fn mulh_wrong_high_word_is_rejected() {
    // MULH(-1, -1) = 0; claim the unsigned high word 0xFFFF_FFFE instead, with a consistent.
    let mut case = Case::new(&[req(op::MULH, 0xFFFF_FFFF, 0xFFFF_FFFF)]);
    let m = table_of(&mut case, AluTable::Mul);
    assert_eq!(get(m, 0, mul::col::A), 0);
    setu(m, 0, mul::col::A, 0xFFFF_FFFE);
    case.claims[0].3 = 0xFFFF_FFFE;
    assert_constraint_rejects(&case, "mul", 0);
}

#[test]
fn mul_forged_sign_extension_is_rejected() {
    // Claim MULHU(-1, -1) was computed with b sign-extended: sb = 1 is not allowed for MULHU.
    let mut case = Case::new(&[req(op::MULHU, 0xFFFF_FFFF, 0xFFFF_FFFF)]);
    let m = table_of(&mut case, AluTable::Mul);
    setu(m, 0, mul::col::SB, 1);
    let report = case.check();
    assert!(report.failures.iter().all(|f| f.table == "mul"));
    assert!(!report.failures.is_empty());
    assert!(case.prove_verify().is_err());
}

#[test]
fn div_wrong_quotient_with_matching_identity_is_rejected() {
    // DIVU(100, 7) = 14 rem 2; claim 13 rem 9 (7 * 13 + 9 = 100 still holds). Only the
    // remainder bound |r| < |c| catches it (d = 7 - 9 - 1 < 0 cannot be re-limbed).
    let mut case = Case::new(&[req(op::DIVU, 100, 7)]);
    let m = table_of(&mut case, AluTable::Div);
    setu(m, 0, div::col::Q, 13);
    setu(m, 0, div::col::R, 9);
    setu(m, 0, div::col::A, 13);
    let r = &mut case.lookups.range.0;
    r[14] -= 1;
    r[13] += 1;
    r[2] -= 1;
    r[9] += 1;
    case.claims[0].3 = 13;
    assert_constraint_rejects(&case, "div", 0);
}

#[test]
fn div_by_zero_with_wrong_result_is_rejected() {
    // DIV(5, 0) = -1; claim 0 (quotient limbs, a and lookups consistent).
    let mut case = Case::new(&[req(op::DIV, 5, 0)]);
    let m = table_of(&mut case, AluTable::Div);
    setu(m, 0, div::col::Q, 0);
    setu(m, 0, div::col::Q + 1, 0);
    setu(m, 0, div::col::A, 0);
    case.lookups.range.0[0xFFFF] -= 2;
    case.lookups.range.0[0] += 2;
    case.claims[0].3 = 0;
    assert_constraint_rejects(&case, "div", 0);
}

#[test]
fn div_overflow_with_sign_extended_quotient_is_rejected() {
    // INT_MIN / -1 = INT_MIN: with sq = 1 the quotient would read -2^31 and the identity
    // c Q + r = b fails (it needs Q = +2^31).
    let mut case = Case::new(&[req(op::DIV, 0x8000_0000, 0xFFFF_FFFF)]);
    let m = table_of(&mut case, AluTable::Div);
    assert_eq!(get(m, 0, div::col::SQ), 0);
    setu(m, 0, div::col::SQ, 1);
    let report = case.check();
    assert!(!report.failures.is_empty());
    assert!(report.failures.iter().all(|f| f.table == "div"));
    assert!(case.prove_verify().is_err());
}
