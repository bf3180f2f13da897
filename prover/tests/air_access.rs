//! End-to-end tests of the ACCESS table (sub-word loads and stores) on its own.
//!
//! The verifier stands in for the CPU: it sends every access tuple
//! `(mem_op, addr, word, old, new, rs2, load)` once as a public interaction, ACCESS receives
//! it, and BYTES answers ACCESS's byte lookups. Honest statements verify; each corrupted
//! witness is rejected with the error naming the check that caught it.

use p3_field::{PrimeCharacteristicRing, PrimeField64};
use p3_matrix::dense::RowMajorMatrix;
use prover::air::access::{AccessAir, access_trace, col};
use prover::air::bus::{ACCESS, AccessRequest, BYTE_PAIRS, BYTES, Lookups, mem_op};
use prover::air::{BytesAir, bytes_trace};
use prover::stark::check::{CheckReport, check_constraints};
use prover::stark::{
    Felt, MaterializedTraces, MemoryPlan, NoObserver, PublicInteraction, StarkParams, Statement,
    VerifyError, prove, verify,
};

#[derive(Clone, Copy, Debug)]
enum Table {
    Access(AccessAir),
    Bytes(BytesAir),
}

prover::delegate_air!(Table { Access, Bytes });

/// A statement: the ACCESS trace, the lookups it recorded, and the claimed tuples.
struct Case {
    trace: RowMajorMatrix<Felt>,
    lookups: Lookups,
    claims: Vec<[u64; 7]>,
}

impl Case {
    fn new(requests: &[AccessRequest]) -> Self {
        let mut lookups = Lookups::default();
        let trace = access_trace(requests, &mut lookups, 20);
        let claims = requests
            .iter()
            .map(|r| {
                let (new, load) = r.result();
                [r.op, r.addr, r.addr >> 2, r.old, new, r.rs2, load].map(u64::from)
            })
            .collect();
        Self {
            trace,
            lookups,
            claims,
        }
    }

    fn parts(&self) -> (Vec<Table>, MaterializedTraces, Vec<PublicInteraction>) {
        let airs = vec![Table::Access(AccessAir), Table::Bytes(BytesAir)];
        let traces = MaterializedTraces(vec![
            self.trace.clone(),
            bytes_trace(&self.lookups.bytes, &self.lookups.pairs),
        ]);
        let public = self
            .claims
            .iter()
            .map(|c| PublicInteraction {
                bus: ACCESS,
                values: c.iter().map(|&v| Felt::from_u64(v)).collect(),
                multiplicity: Felt::ONE,
            })
            .collect();
        (airs, traces, public)
    }

    fn check(&self) -> CheckReport {
        let (airs, traces, public) = self.parts();
        check_constraints(&airs, &traces, &statement(&public), &StarkParams::default())
    }

    fn prove_verify(&self) -> Result<(), VerifyError> {
        let (airs, traces, public) = self.parts();
        let st = statement(&public);
        let params = StarkParams {
            grinding_bits: 8,
            ..StarkParams::default()
        };
        let proof = prove(
            &airs,
            &traces,
            &st,
            &params,
            &MemoryPlan::KEEP_ALL,
            &NoObserver,
        )
        .expect("the prover runs");
        verify(&airs, &st, &params, &proof)
    }

    fn set(&mut self, row: usize, c: usize, v: Felt) {
        let w = self.trace.width;
        self.trace.values[row * w + c] = v;
    }

    fn get(&self, row: usize, c: usize) -> u64 {
        self.trace.values[row * self.trace.width + c].as_canonical_u64()
    }
}

fn statement(public: &[PublicInteraction]) -> Statement<'_> {
    Statement {
        context: b"air access tests",
        public_values: &[],
        public_interactions: public,
    }
}

fn req(op: u32, addr: u32, old: u32, rs2: u32) -> AccessRequest {
    AccessRequest { op, addr, old, rs2 }
}

/// Every opcode at every offset its alignment allows, on words whose bytes and halfwords
/// sit at the signed and unsigned extremes.
fn edge_requests() -> Vec<AccessRequest> {
    let mut out = Vec::new();
    for &op in &mem_op::ALL {
        let step = match op {
            mem_op::LW | mem_op::SW => 4,
            mem_op::LH | mem_op::LHU | mem_op::SH => 2,
            _ => 1,
        };
        for off in (0..4).step_by(step) {
            for old in [0, 0xFFFF_FFFF, 0x80FF_7F01, 0x7FFF_8000] {
                for rs2 in [0, 0xFFFF_FFFF, 0xA1B2_C3D4] {
                    out.push(req(op, 0x2000 + off, old, rs2));
                }
            }
        }
    }
    out
}

fn assert_constraint_rejects(case: &Case, row: usize) {
    let report = case.check();
    assert!(!report.failures.is_empty(), "no failing constraint");
    assert!(
        report
            .failures
            .iter()
            .all(|f| f.table == "access" && f.row == row),
        "{report:?}"
    );
    assert!(report.unbalanced_buses.is_empty(), "{report:?}");
    match case.prove_verify() {
        Err(VerifyError::OodMismatch { table, .. }) => assert_eq!(table, "access"),
        other => panic!("expected OodMismatch in access, got {other:?}"),
    }
}

fn assert_lookup_rejects(case: &Case, bus: u32) {
    let report = case.check();
    assert!(report.failures.is_empty(), "{report:?}");
    assert_eq!(report.unbalanced_buses, vec![bus]);
    assert!(matches!(
        case.prove_verify(),
        Err(VerifyError::LogupImbalance)
    ));
}

#[test]
fn reference_semantics_match_the_executor_rules() {
    let old = 0x80FF_7F01;
    let load = |op, off: u32| req(op, 0x2000 + off, old, 0).result();
    assert_eq!(load(mem_op::LB, 0), (old, 1));
    assert_eq!(load(mem_op::LB, 2), (old, 0xFFFF_FFFF));
    assert_eq!(load(mem_op::LBU, 2), (old, 0xFF));
    assert_eq!(load(mem_op::LB, 3), (old, 0xFFFF_FF80));
    assert_eq!(load(mem_op::LH, 0), (old, 0x7F01));
    assert_eq!(load(mem_op::LH, 2), (old, 0xFFFF_80FF));
    assert_eq!(load(mem_op::LHU, 2), (old, 0x80FF));
    let store = |op, off: u32| req(op, 0x2000 + off, old, 0xA1B2_C3D4).result();
    assert_eq!(store(mem_op::SB, 1), (0x80FF_D401, 0));
    assert_eq!(store(mem_op::SH, 2), (0xC3D4_7F01, 0));
    assert_eq!(store(mem_op::SW, 0), (0xA1B2_C3D4, 0));
}

#[test]
fn every_opcode_at_every_allowed_offset_verifies() {
    let case = Case::new(&edge_requests());
    let report = case.check();
    assert!(report.is_ok(), "{report:?}");
    case.prove_verify().expect("honest statement verifies");
}

/// `LB` of the byte `0x80` at offset 3 on row 1.
fn lb_case() -> Case {
    Case::new(&[
        req(mem_op::SW, 0x2000, 0, 5),
        req(mem_op::LB, 0x2003, 0x80FF_7F01, 0),
        req(mem_op::LHU, 0x2002, 0x80FF_7F01, 0),
    ])
}

#[test]
fn honest_lb_case_verifies() {
    let case = lb_case();
    assert!(case.check().is_ok());
    case.prove_verify().unwrap();
}

#[test]
fn wrong_loaded_value_is_rejected() {
    // Claim LB gave 0x80 (no sign extension), with the column and the claim consistent.
    let mut case = lb_case();
    assert_eq!(case.get(1, col::LOAD), 0xFFFF_FF80);
    case.set(1, col::LOAD, Felt::from_u32(0x80));
    case.claims[1][6] = 0x80;
    assert_constraint_rejects(&case, 1);
}

#[test]
fn forged_sign_bit_is_rejected() {
    // Clear the sign bit and drop the extension to match: the constraints hold, but the
    // BYTES lookup (0x80 & 0x80 = 0) does not exist.
    let mut case = lb_case();
    case.set(1, col::BSIGN, Felt::ZERO);
    case.set(1, col::LOAD, Felt::from_u32(0x80));
    case.claims[1][6] = 0x80;
    assert_lookup_rejects(&case, BYTES);
}

#[test]
fn misaligned_word_access_is_rejected() {
    // Claim the SW wrote at 0x2001: word 0x800 with offset 1, consistently in the columns.
    let mut case = lb_case();
    case.set(0, col::S, Felt::ZERO);
    case.set(0, col::S + 1, Felt::ONE);
    case.claims[0][1] = 0x2001;
    assert_constraint_rejects(&case, 0);
}

#[test]
fn non_byte_limbs_are_rejected() {
    // Re-split old = 0x80FF_7F01 of the LHU row as w0 = 0x101, w1 = 0x7E: the same word, and
    // with the byte under the offset unchanged every constraint holds; only the byte-pair
    // range check fails.
    let mut case = lb_case();
    assert_eq!((case.get(2, col::W), case.get(2, col::W + 1)), (0x01, 0x7F));
    case.set(2, col::W, Felt::from_u32(0x101));
    case.set(2, col::W + 1, Felt::from_u32(0x7E));
    assert_lookup_rejects(&case, BYTE_PAIRS);
}

#[test]
fn wrong_merged_word_is_rejected() {
    // A store that claims to leave the word unchanged.
    let mut case = Case::new(&[req(mem_op::SB, 0x2001, 0x1122_3344, 0xAB)]);
    case.set(0, col::NEW, Felt::from_u32(0x1122_3344));
    case.claims[0][4] = 0x1122_3344;
    assert_constraint_rejects(&case, 0);
}
