//! End-to-end zkVM tests: RV32IM programs (every instruction family, their edge cases, and
//! every catalogue fixture at its small size) prove and verify with the executor's output,
//! every RV32IM instruction has a PROGRAM row, and corrupting any table's witness, or the
//! claimed output, yields a proof that does not verify.

mod common;

use common::*;
use p3_field::PrimeCharacteristicRing;
use p3_matrix::Matrix;
use prover::air::cpu::{self, col};
use prover::air::program::col as insn;
use prover::stark::{Felt, NoObserver, VerifyError};
use prover::vm::{ExecOptions, Program, execute};
use prover::zkvm::{self, VmVerifyError, VmWitness, build_witness, prove_witness, table};

/// Proves and verifies `program` on `input`; the verified output must equal the executor's.
fn round_trip(program: &Program, input: &[u32]) {
    let opts = options();
    let exec = execute(program, input, &ExecOptions::default()).expect("program runs");
    let proof = zkvm::prove(program, input, &opts, &NoObserver).expect("run proves");
    let out = zkvm::verify(program, input, &proof, &opts.params).expect("proof verifies");
    assert_eq!(out.words, exec.public_output);
    assert_eq!(out.exit_code, exec.exit_code);
    assert_eq!(out.cycles, exec.cycles);
}

/// `ecall 64` of register `r`.
fn commit(r: u32) -> [u32; 3] {
    [addi(10, r, 0), addi(17, 0, 64), ECALL]
}

// ------------------------------------------------------------- instruction families ---

#[test]
fn alu_register_and_immediate_forms_prove() {
    let mut w = Vec::new();
    w.extend(li(5, 0xFFFF_FFFF));
    w.extend(li(6, 0x8000_0000));
    w.extend(li(7, 0x7FFF_FFFF));
    w.extend(li(8, 1));
    let mut rd = 11;
    for op in ["add", "sub", "xor", "or", "and", "slt", "sltu"] {
        for (a, b) in [(5, 8), (6, 7), (7, 6), (8, 5), (6, 6)] {
            w.push(alu(op, rd, a, b));
            w.extend(commit(rd));
            rd = if rd == 31 { 11 } else { rd + 1 };
        }
    }
    for op in ["addi", "xori", "ori", "andi", "slti", "sltiu"] {
        for (a, imm) in [(5, 1), (6, -1), (7, 2047), (8, -2048), (0, 0)] {
            w.push(alui(op, 12, a, imm));
            w.extend(commit(12));
        }
    }
    // Writes to x0 are ignored.
    w.push(addi(0, 5, 7));
    w.extend(commit(0));
    round_trip(&program(&w), &[]);
}

#[test]
fn upper_immediates_and_jumps_prove() {
    let w = vec![
        lui(5, 0xDEAD_B000),
        auipc(6, 0x0000_1000),
        auipc(7, 0xFFFF_F000), // pc - 4096: wraps in 32-bit arithmetic, proved by the ALU
        jal(1, 8),             // skip the next instruction, link in ra
        addi(5, 0, 99),        // skipped
        addi(8, 1, 13),        // ra + 13: an odd target; JALR clears the low bit
        jalr(9, 8, 0),         // jumps to ra + 12, which is this pc + 8
        addi(5, 0, 98),        // skipped
        jal(0, 4),             // jump without linking
        addi(10, 5, 0),
        addi(17, 0, 64),
        ECALL,
        addi(10, 6, 0),
        addi(17, 0, 64),
        ECALL,
        addi(10, 7, 0),
        addi(17, 0, 64),
        ECALL,
        addi(10, 9, 0),
        addi(17, 0, 64),
        ECALL,
        FENCE,
    ];
    round_trip(&program(&w), &[]);
}

#[test]
fn every_branch_taken_and_not_taken_proves() {
    let mut w = Vec::new();
    w.extend(li(5, 0xFFFF_FFFF)); // -1 signed, max unsigned
    w.extend(li(6, 1));
    w.push(addi(20, 0, 0)); // counter of taken branches
    for (f3, ra, rb) in [
        (0, 5, 5), // beq taken
        (0, 5, 6), // beq not
        (1, 5, 6), // bne taken
        (1, 6, 6), // bne not
        (4, 5, 6), // blt: -1 < 1 taken
        (4, 6, 5), // blt not
        (5, 6, 5), // bge taken
        (5, 5, 6), // bge not
        (6, 6, 5), // bltu: 1 < max taken
        (6, 5, 6), // bltu not
        (7, 5, 6), // bgeu taken
        (7, 6, 5), // bgeu not
    ] {
        // taken: skip the increment by 1 and land on the increment by 100
        w.push(b(8, rb, ra, f3));
        w.push(addi(20, 20, 1));
        w.push(addi(20, 20, 100));
    }
    w.extend(commit(20));
    // A backwards loop.
    w.push(addi(21, 0, 5));
    w.push(addi(21, 21, -1));
    w.push(b(-4, 0, 21, 1)); // bne x21, x0, -4
    w.extend(commit(21));
    round_trip(&program(&w), &[]);
}

#[test]
fn word_loads_and_stores_prove() {
    let mut w = Vec::new();
    w.extend(li(5, 0x2000)); // a scratch area
    w.extend(li(6, 0xCAFE_F00D));
    w.push(store("sw", 6, 5, 0));
    w.push(store("sw", 6, 5, -4));
    w.push(addi(7, 6, 1));
    w.push(store("sw", 7, 5, 8));
    w.push(load("lw", 8, 5, 8));
    w.push(load("lw", 9, 5, -4));
    w.push(load("lw", 10, 5, 1024)); // never written: reads zero
    w.extend(commit(8));
    w.extend(commit(9));
    w.extend(commit(10));
    // The input: count at 0x4000_0000, then the words.
    w.push(lui(11, 0x4000_0000));
    w.push(load("lw", 12, 11, 0));
    w.push(load("lw", 13, 11, 8));
    w.extend(commit(12));
    w.extend(commit(13));
    // The program's own code as data.
    w.extend(li(14, BASE));
    w.push(load("lw", 15, 14, 4));
    w.extend(commit(15));
    // The initial stack pointer.
    w.push(store("sw", 6, 2, -4));
    w.push(load("lw", 16, 2, -4));
    w.extend(commit(16));
    round_trip(&program(&w), &[7, 0xFFFF_FFFF, 42]);
}

#[test]
fn sub_word_loads_and_stores_prove() {
    let mut w = Vec::new();
    w.extend(li(5, 0x2000)); // a scratch area
    // Bytes with and without their sign bit at every offset; halfwords likewise.
    w.extend(li(6, 0x80FF_7F01));
    w.push(store("sw", 6, 5, 0));
    w.extend(li(7, 0x7FFF_8000));
    w.push(store("sw", 7, 5, 4));
    for off in 0..4 {
        for op in ["lb", "lbu"] {
            w.push(load(op, 8, 5, off));
            w.extend(commit(8));
        }
    }
    for off in [0, 2, 4, 6] {
        for op in ["lh", "lhu"] {
            w.push(load(op, 8, 5, off));
            w.extend(commit(8));
        }
    }
    // Stores merge into the word: one byte at each offset, then halfwords, read back whole.
    w.extend(li(9, 0xA1B2_C3D4));
    for off in 0..4 {
        w.push(store("sb", 9, 5, 8 + off));
        w.push(load("lw", 10, 5, 8));
        w.extend(commit(10));
        w.push(addi(9, 9, 0x11));
    }
    for off in [0, 2] {
        w.push(store("sh", 9, 5, 12 + off));
        w.push(load("lw", 10, 5, 12));
        w.extend(commit(10));
        w.push(addi(9, 9, 0x123));
    }
    // Sub-word stores into memory never written (zero) and into the input; loads to x0.
    w.push(store("sb", 9, 5, 101));
    w.push(load("lw", 10, 5, 100));
    w.extend(commit(10));
    w.push(lui(11, 0x4000_0000));
    w.push(store("sh", 9, 11, 6));
    w.push(load("lw", 12, 11, 4));
    w.extend(commit(12));
    w.push(load("lb", 0, 5, 3));
    w.extend(commit(0));
    round_trip(&program(&w), &[0x1234_5678]);
}

#[test]
fn every_small_catalogue_fixture_proves() {
    // Every family at its small size (fib_iterative_64k has its own test below).
    let cat = prover::fixtures::Catalogue::load_default().unwrap();
    let small: Vec<_> = cat
        .fixtures()
        .iter()
        .filter(|f| f.name.ends_with("_small"))
        .collect();
    assert!(small.len() >= 3, "{small:?}");
    for fx in small {
        let program = cat.program(fx).unwrap();
        let opts = options();
        let proof = zkvm::prove(&program, &fx.input, &opts, &NoObserver)
            .unwrap_or_else(|e| panic!("{}: {e}", fx.name));
        let out = zkvm::verify(&program, &fx.input, &proof, &opts.params).unwrap();
        assert_eq!(out.words, fx.public_output, "{}", fx.name);
        assert_eq!(out.cycles, fx.cycles, "{}", fx.name);
    }
}

#[test]
fn fibonacci_fixture_proves() {
    let cat = prover::fixtures::Catalogue::load_default().unwrap();
    let fx = cat.get("fib_iterative_64k").unwrap();
    let program = cat.program(fx).unwrap();
    let opts = options();
    let proof = zkvm::prove(&program, &fx.input, &opts, &NoObserver).unwrap();
    let out = zkvm::verify(&program, &fx.input, &proof, &opts.params).unwrap();
    assert_eq!(out.words, fx.public_output);
    assert_eq!(out.cycles, fx.cycles);
    // The same statement, proved again, gives the same bytes.
    let again = zkvm::prove(&program, &fx.input, &opts, &NoObserver).unwrap();
    assert_eq!(again.to_bytes(), proof.to_bytes());
}

#[test]
fn cpu_spanning_several_chunks_proves() {
    let cat = prover::fixtures::Catalogue::load_default().unwrap();
    let fx = cat.get("fib_iterative_64k").unwrap();
    let program = cat.program(fx).unwrap();
    let input = [300]; // about 1500 cycles
    let mut opts = options();
    opts.params.log_max_rows = 9;
    let proof = zkvm::prove(&program, &input, &opts, &NoObserver).unwrap();
    // CPU: 1517 cycles in chunks of 512 rows: two full chunks and a tail of 512 (padded per
    // chunk: 1536 rows, not 2048).
    let cycles = proof.output.cycles as usize;
    assert!((1024 + 256..1536).contains(&cycles), "{cycles} cycles");
    assert_eq!(proof.stark.heights[table::CPU], 1536);
    zkvm::verify(&program, &input, &proof, &opts.params).unwrap();
}

#[test]
fn a_run_just_past_full_chunks_pads_only_its_tail_chunk() {
    // About 2 * 512 + 60 cycles in chunks of 512: the CPU tail chunk is 64 rows, and the
    // ADD table (about a third of the cycles) stays one power of two below a chunk.
    let cat = prover::fixtures::Catalogue::load_default().unwrap();
    let program = cat.program(cat.get("fib_iterative_64k").unwrap()).unwrap();
    let mut opts = options();
    opts.params.log_max_rows = 9;
    let cycles_of = |n: u32| {
        execute(&program, &[n], &ExecOptions::default())
            .unwrap()
            .cycles as usize
    };
    let n = (1..400u32)
        .find(|&n| (1024 + 33..1024 + 64).contains(&cycles_of(n)))
        .expect("some input runs just past two chunks");
    let proof = zkvm::prove(&program, &[n], &opts, &NoObserver).unwrap();
    assert_eq!(proof.stark.heights[table::CPU], 1024 + 64);
    let output = zkvm::verify(&program, &[n], &proof, &opts.params).unwrap();
    assert_eq!(output, proof.output);
    // The tail is its own instance: a forged height that drops it (or pads it as a whole)
    // does not verify.
    for forged in [1024u64, 2048, 1024 + 32] {
        let mut bad = proof.clone();
        bad.stark.heights[table::CPU] = forged;
        assert!(
            zkvm::verify(&program, &[n], &bad, &opts.params).is_err(),
            "CPU height {forged} accepted"
        );
    }
}

#[test]
fn every_rv32im_instruction_has_a_program_row() {
    use prover::air::program::InsnRow;
    use prover::vm::decode::decode;
    // One encoding of every RV32IM instruction: each decodes to a distinct op with a row.
    let mut words = vec![
        lui(5, 0x1000),
        auipc(5, 0x1000),
        jal(1, 8),
        jalr(1, 5, 0),
        ECALL,
        0x0ff0_000f, // fence
    ];
    for f3 in [0, 1, 4, 5, 6, 7] {
        words.push(b(8, 6, 5, f3));
    }
    for op in ["lb", "lh", "lw", "lbu", "lhu"] {
        words.push(load(op, 5, 6, 4));
    }
    for op in ["sb", "sh", "sw"] {
        words.push(store(op, 5, 6, 4));
    }
    for op in [
        "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai",
    ] {
        words.push(alui(op, 5, 6, 3));
    }
    for op in [
        "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "mul", "mulh",
        "mulhsu", "mulhu", "div", "divu", "rem", "remu",
    ] {
        words.push(alu(op, 5, 6, 7));
    }
    let mut ops = std::collections::BTreeSet::new();
    for &w in &words {
        let d = decode(w);
        assert!(
            InsnRow::of(BASE, &d).is_some(),
            "{w:#010x} ({:?}) has no row",
            d.op
        );
        ops.insert(format!("{:?}", d.op));
    }
    assert_eq!(ops.len(), 47, "every RV32IM instruction once: {ops:?}");
    // A word that does not decode has none.
    assert!(InsnRow::of(BASE, &decode(0xFFFF_FFFF)).is_none());
}

#[test]
fn m_extension_proves() {
    let mut w = Vec::new();
    let values: [u32; 8] = [
        0,
        1,
        0xFFFF_FFFF,
        0x8000_0000,
        0x7FFF_FFFF,
        0xFFFF,
        0x1_0000,
        (-7i32) as u32,
    ];
    let ops = [
        "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
    ];
    for (i, &x) in values.iter().enumerate() {
        w.extend(li(5, x));
        for &y in &[0, 1, 0xFFFF_FFFF, 0x8000_0000, 2, (-2i32) as u32, 0x1_0000] {
            w.extend(li(6, y));
            for op in ops {
                let rd = 7 + (i as u32 % 4);
                w.push(alu(op, rd, 5, 6));
                w.extend(commit(rd));
            }
        }
    }
    // INT_MIN / -1 and INT_MIN % -1, 7 / -2, -7 / 2, and rd = rs1 = rs2.
    w.extend(li(5, 0x8000_0000));
    w.extend(li(6, 0xFFFF_FFFF));
    w.push(alu("div", 7, 5, 6));
    w.push(alu("rem", 8, 5, 6));
    w.extend(commit(7));
    w.extend(commit(8));
    w.extend(li(5, 7));
    w.extend(li(6, (-2i32) as u32));
    w.push(alu("div", 7, 5, 6));
    w.push(alu("rem", 8, 6, 5));
    w.push(alu("mul", 9, 9, 9));
    w.extend(commit(7));
    w.extend(commit(8));
    round_trip(&program(&w), &[]);
}
#[test]
fn shifts_prove() {
    let mut w = Vec::new();
    let values = [0, 1, 0x8000_0000, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1234_5678];
    // Register amounts: 0, 1, 31, and values whose low five bits are what counts.
    let amounts = [0, 1, 31, 32, 0xFFFF_FFE1];
    for (i, &v) in values.iter().enumerate() {
        w.extend(li(5, v));
        for &amt in &amounts {
            w.extend(li(6, amt));
            for op in ["sll", "srl", "sra"] {
                w.push(alu(op, 7 + i as u32 % 3, 5, 6));
                w.extend(commit(7 + i as u32 % 3));
            }
        }
        for shamt in [0, 1, 31] {
            for op in ["slli", "srli", "srai"] {
                w.push(alui(op, 12, 5, shamt));
                w.extend(commit(12));
            }
        }
    }
    round_trip(&program(&w), &[]);
}

// ------------------------------------------------------------- corrupted witnesses ----

/// A small program with an ALU op, a load, a store, a branch, a commit, a sub-word store
/// and load (through x12, so x5's accesses end with the load above), and a shift.
fn sample() -> (Program, Vec<u32>) {
    let mut w = Vec::new();
    w.extend(li(5, 0x2000));
    w.push(addi(6, 0, 21));
    w.push(alu("add", 7, 6, 6)); // 42
    w.push(store("sw", 7, 5, 0));
    w.push(load("lw", 8, 5, 0));
    w.push(b(8, 8, 7, 0)); // beq: taken
    w.push(addi(8, 0, 1));
    w.extend(commit(8));
    w.extend(li(12, 0x2000));
    w.push(addi(9, 0, -2));
    w.push(store("sb", 9, 12, 1));
    w.push(load("lb", 9, 12, 1)); // 0xFFFF_FFFE, never read again
    w.push(alui("slli", 13, 12, 3)); // never read again
    w.extend(li(14, 100));
    w.push(addi(15, 0, 7));
    w.push(alu("mul", 16, 14, 15)); // never read again
    w.push(alu("divu", 17, 14, 15)); // 14, never read again
    (program(&w), vec![5])
}

/// Builds the witness, lets `corrupt` change it, proves, and returns the verifier's answer.
fn corrupted(corrupt: impl FnOnce(&mut VmWitness)) -> Result<(), VmVerifyError> {
    let (p, input) = sample();
    let opts = options();
    let mut wit = build_witness(&p, &input, &opts).unwrap();
    corrupt(&mut wit);
    let proof = prove_witness(&p, &input, wit, &opts, &NoObserver).unwrap();
    zkvm::verify(&p, &input, &proof, &opts.params).map(|_| ())
}

fn set(wit: &mut VmWitness, table: usize, row: usize, c: usize, v: Felt) {
    let m = &mut wit.traces[table];
    let w = m.width;
    m.values[row * w + c] = v;
}

fn get(wit: &VmWitness, table: usize, row: usize, c: usize) -> Felt {
    let m = &wit.traces[table];
    m.values[row * m.width + c]
}

/// The CPU row executing the first instruction with `flag` set.
fn row_with(wit: &VmWitness, flag: usize) -> usize {
    (0..wit.traces[table::CPU].height())
        .find(|&r| get(wit, table::CPU, r, flag) == Felt::ONE)
        .expect("such a row")
}

fn rejected(r: Result<(), VmVerifyError>) -> VerifyError {
    match r {
        Err(VmVerifyError::Stark(e)) => e,
        other => panic!("expected a rejected STARK proof, got {other:?}"),
    }
}

#[test]
fn honest_sample_verifies() {
    corrupted(|_| {}).unwrap();
}

#[test]
fn wrong_alu_result_does_not_verify() {
    let e = rejected(corrupted(|w| {
        let r = row_with(w, insn::F_ALU) + 2; // the ADD (after LUI/ADDI of li, ADDI)
        let a = get(w, table::CPU, r, col::ALU_A);
        set(w, table::CPU, r, col::ALU_A, a + Felt::ONE);
        set(w, table::CPU, r, col::RD_VAL, a + Felt::ONE);
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}

#[test]
fn wrong_shift_power_does_not_verify() {
    // The SLLI of the sample shifts by 3: claim pow = 2^4 in the SHIFT row.
    let e = rejected(corrupted(|w| {
        use prover::air::shift::col as sh;
        let r = (0..w.traces[table::SHIFT].height())
            .find(|&r| get(w, table::SHIFT, r, sh::F_SLL) == Felt::ONE)
            .unwrap();
        assert_eq!(get(w, table::SHIFT, r, sh::POW), Felt::from_u32(8));
        set(w, table::SHIFT, r, sh::POW, Felt::from_u32(16));
    }));
    assert!(
        matches!(&e, VerifyError::OodMismatch { table, .. } if table == "shift"),
        "{e}"
    );
}

#[test]
fn wrong_product_and_quotient_do_not_verify() {
    // The sample's MUL and DIVU: change one product limb (MUL) and the quotient with the
    // remainder compensating (DIVU) so that `b = c q + r` still holds in the field: each is
    // caught inside its table.
    use prover::air::div::col as dv;
    use prover::air::mul::col as ml;
    let find = |w: &VmWitness, t: usize, c: usize| {
        (0..w.traces[t].height())
            .find(|&r| get(w, t, r, c) == Felt::ONE)
            .unwrap()
    };
    let e = rejected(corrupted(|w| {
        let r = find(w, table::MUL, ml::F_MUL);
        let v = get(w, table::MUL, r, ml::R + 3);
        set(w, table::MUL, r, ml::R + 3, v + Felt::ONE);
    }));
    assert!(
        matches!(
            e,
            VerifyError::OodMismatch { .. } | VerifyError::LogupImbalance
        ),
        "{e}"
    );
    let e = rejected(corrupted(|w| {
        // 100 / 7 = 14 rem 2; claim 13 rem 9 (limbs and a consistent, lookups not).
        let r = find(w, table::DIV, dv::F_DIVU);
        assert_eq!(get(w, table::DIV, r, dv::Q), Felt::from_u32(14));
        set(w, table::DIV, r, dv::Q, Felt::from_u32(13));
        set(w, table::DIV, r, dv::R, Felt::from_u32(9));
        set(w, table::DIV, r, dv::A, Felt::from_u32(13));
    }));
    assert!(
        matches!(
            e,
            VerifyError::OodMismatch { .. } | VerifyError::LogupImbalance
        ),
        "{e}"
    );
}

#[test]
fn inconsistent_cpu_row_does_not_verify() {
    // `inv` takes part in no bus: only the CPU's constraints can catch it.
    let e = rejected(corrupted(|w| {
        let r = row_with(w, insn::F_BEQ);
        let v = get(w, table::CPU, r, col::INV);
        set(w, table::CPU, r, col::INV, v + Felt::ONE);
        let r = row_with(w, insn::F_ALU);
        set(w, table::CPU, r, col::EQ, Felt::from_u32(5));
    }));
    assert!(matches!(e, VerifyError::OodMismatch { .. }), "{e}");
}

#[test]
fn written_value_that_later_reads_disagree_with_does_not_verify() {
    let e = rejected(corrupted(|w| {
        let r = row_with(w, insn::F_ALU);
        let v = get(w, table::CPU, r, col::RD_VAL);
        set(w, table::CPU, r, col::RD_VAL, v + Felt::ONE);
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}

#[test]
fn wrong_loaded_value_does_not_verify() {
    let e = rejected(corrupted(|w| {
        let r = row_with(w, insn::F_LOAD);
        // Change the loaded word, its claimed previous value, the loaded value and the
        // register write alike: every CPU constraint still holds, but neither the memory
        // chain nor the ACCESS table agrees.
        let v = get(w, table::CPU, r, col::MEM_VAL) + Felt::ONE;
        set(w, table::CPU, r, col::MEM_VAL, v);
        set(w, table::CPU, r, col::D + 1, v);
        set(w, table::CPU, r, col::LOAD_VAL, v);
        set(w, table::CPU, r, col::RD_VAL, v);
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}

#[test]
fn unextended_byte_load_does_not_verify() {
    // Claim the LB loaded 0xFE (no sign extension) everywhere it shows: the ACCESS row, the
    // CPU row, and x9's final value in MEMORY. Every bus balances; only ACCESS's load
    // constraint can catch it.
    use prover::air::access::col as acc;
    use prover::air::memory::col as mem;
    let e = rejected(corrupted(|w| {
        let a = (0..w.traces[table::ACCESS].height())
            .find(|&r| get(w, table::ACCESS, r, acc::F_LB) == Felt::ONE)
            .unwrap();
        assert_eq!(
            get(w, table::ACCESS, a, acc::LOAD),
            Felt::from_u32(0xFFFF_FFFE)
        );
        let v = Felt::from_u32(0xFE);
        set(w, table::ACCESS, a, acc::LOAD, v);
        let c = (0..w.traces[table::CPU].height())
            .rev()
            .find(|&r| get(w, table::CPU, r, insn::F_LOAD) == Felt::ONE)
            .unwrap();
        set(w, table::CPU, c, col::LOAD_VAL, v);
        set(w, table::CPU, c, col::RD_VAL, v);
        let key = Felt::from_u32(cpu::REG_BASE + 9);
        let m = (0..w.traces[table::MEMORY].height())
            .find(|&r| get(w, table::MEMORY, r, mem::KEY) == key)
            .unwrap();
        set(w, table::MEMORY, m, mem::FINAL, v);
    }));
    assert!(
        matches!(&e, VerifyError::OodMismatch { table, .. } if table == "access"),
        "{e}"
    );
}

#[test]
fn skipped_instruction_does_not_verify() {
    let e = rejected(corrupted(|w| {
        // Turn the load's row into a padding row.
        let r = row_with(w, insn::F_LOAD);
        let pad = get(w, table::CPU, w.traces[table::CPU].height() - 1, insn::PC);
        for c in 0..cpu::col::WIDTH {
            set(w, table::CPU, r, c, Felt::ZERO);
        }
        set(w, table::CPU, r, insn::PC, pad);
        set(w, table::CPU, r, col::NEXT_PC, pad + Felt::from_u32(4));
        set(w, table::CPU, r, col::EQ, Felt::ONE);
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}

#[test]
fn substituted_instruction_does_not_verify() {
    let e = rejected(corrupted(|w| {
        // Claim the ADD was a SUB (its row's opcode and result changed consistently).
        let r = row_with(w, insn::F_ALU) + 2;
        set(
            w,
            table::CPU,
            r,
            insn::ALU_OP,
            Felt::from_u32(prover::air::bus::op::SUB),
        );
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}

/// Moves a 16-bit range lookup of `from` to `to` in the RANGE multiplicities (when `to` is a
/// 16-bit value; otherwise no RANGE row can receive it).
fn move_range_lookup(w: &mut VmWitness, from: Felt, to: Felt) {
    use p3_field::PrimeField64;
    let f = from.as_canonical_u64() as usize;
    let v = get(w, table::RANGE, f, 0);
    set(w, table::RANGE, f, 0, v - Felt::ONE);
    let t = to.as_canonical_u64();
    if t < 1 << 16 {
        let v = get(w, table::RANGE, t as usize, 0);
        set(w, table::RANGE, t as usize, 0, v + Felt::ONE);
    }
}

/// Sets slot A's previous timestamp of CPU row `r`, with gap limbs that satisfy the row's
/// constraint, and keeps the RANGE multiplicities in step for whatever limbs are 16-bit.
fn set_prev_ts_a(w: &mut VmWitness, r: usize, prev: Felt) {
    use p3_field::{Field, PrimeField64};
    let ts = get(w, table::CPU, r, col::CLK) * Felt::from_u32(4) + Felt::ONE;
    let gap = ts - prev - Felt::ONE;
    let lo = Felt::from_u64(gap.as_canonical_u64() & 0xFFFF);
    let hi = (gap - lo) * Felt::from_u32(1 << 16).inverse();
    let (old_lo, old_hi) = (
        get(w, table::CPU, r, col::A + 1),
        get(w, table::CPU, r, col::A + 2),
    );
    move_range_lookup(w, old_lo, lo);
    move_range_lookup(w, old_hi, hi);
    set(w, table::CPU, r, col::A, prev);
    set(w, table::CPU, r, col::A + 1, lo);
    set(w, table::CPU, r, col::A + 2, hi);
}

#[test]
fn reordered_memory_accesses_do_not_verify() {
    // The store and the load both read x5 (slot A) with no write in between. Swap their
    // places in x5's access chain: the load now claims to follow the write before the store,
    // the store to follow the load, and MEMORY's final access is the store's. Every bus
    // still balances; only the range check on the store's timestamp gap (now negative) can
    // reject it.
    let key = Felt::from_u32(cpu::REG_BASE + 5);
    let e = rejected(corrupted(|w| {
        let (sw, lw) = (row_with(w, insn::F_STORE), row_with(w, insn::F_LOAD));
        let ts = |w: &VmWitness, r: usize| {
            get(w, table::CPU, r, col::CLK) * Felt::from_u32(4) + Felt::ONE
        };
        let (ts_sw, ts_lw) = (ts(w, sw), ts(w, lw));
        let before = get(w, table::CPU, sw, col::A);
        assert_eq!(
            get(w, table::CPU, lw, col::A),
            ts_sw,
            "the load follows the store"
        );
        set_prev_ts_a(w, lw, before);
        set_prev_ts_a(w, sw, ts_lw);
        let m = w.traces[table::MEMORY].height();
        let r = (0..m)
            .find(|&r| get(w, table::MEMORY, r, prover::air::memory::col::KEY) == key)
            .unwrap();
        assert_eq!(
            get(w, table::MEMORY, r, prover::air::memory::col::FINAL_TS),
            ts_lw
        );
        set(
            w,
            table::MEMORY,
            r,
            prover::air::memory::col::FINAL_TS,
            ts_sw,
        );
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}

#[test]
fn forged_public_output_does_not_verify() {
    let (p, input) = sample();
    let opts = options();
    let mut proof = zkvm::prove(&p, &input, &opts, &NoObserver).unwrap();
    proof.output.words[0] += 1;
    assert!(matches!(
        zkvm::verify(&p, &input, &proof, &opts.params),
        Err(VmVerifyError::Stark(VerifyError::LogupImbalance))
    ));
    proof.output.words[0] -= 1;
    proof.output.cycles += 1;
    assert!(zkvm::verify(&p, &input, &proof, &opts.params).is_err());
    proof.output.cycles -= 1;
    zkvm::verify(&p, &input, &proof, &opts.params).unwrap();
    // Another input is another statement.
    assert!(zkvm::verify(&p, &[6], &proof, &opts.params).is_err());
}

#[test]
fn wrong_initial_memory_does_not_verify() {
    let e = rejected(corrupted(|w| {
        // A non-image key claims a non-zero initial value.
        let m = w.traces[table::MEMORY].height();
        let r = (0..m)
            .find(|&r| get(w, table::MEMORY, r, prover::air::memory::col::IS_IMAGE) == Felt::ZERO)
            .unwrap();
        let v = get(w, table::MEMORY, r, prover::air::memory::col::INIT);
        set(
            w,
            table::MEMORY,
            r,
            prover::air::memory::col::INIT,
            v + Felt::ONE,
        );
    }));
    assert!(
        matches!(
            e,
            VerifyError::OodMismatch { .. } | VerifyError::LogupImbalance
        ),
        "{e}"
    );
}

#[test]
fn wrong_program_multiplicity_does_not_verify() {
    let e = rejected(corrupted(|w| {
        let v = get(w, table::PROGRAM, 0, 0);
        set(w, table::PROGRAM, 0, 0, v + Felt::ONE);
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}

#[test]
fn wrong_range_multiplicity_does_not_verify() {
    let e = rejected(corrupted(|w| {
        let v = get(w, table::RANGE, 0, 0);
        set(w, table::RANGE, 0, 0, v + Felt::ONE);
    }));
    assert!(matches!(e, VerifyError::LogupImbalance), "{e}");
}
