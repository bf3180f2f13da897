//! Where prover-claimed integers meet the field, and the top of the address space.
//!
//! * Every integer of a whole run's [`PublicOutput`] and of a continuation's [`Boundary`],
//!   plus 1 and plus `p`, is rejected: `u32` fields by their encoding (a value above
//!   `u32::MAX` does not decode), `u64` fields by the verifier's domain checks
//!   (`prover::zkvm::public`). The proofs are re-encoded through "wide" mirrors of the
//!   structs, whose integers are all `u64`: postcard writes both as the same varint, so an
//!   unmodified wide proof is byte-identical to the real one (checked below).
//! * Code may not reach the last word of memory, where `JAL` would link `2^32`.

mod common;

use common::*;
use p3_field::{PrimeCharacteristicRing, PrimeField64};
use p3_matrix::Matrix;
use prover::air::cpu::col;
use prover::air::program::col as insn;
use prover::continuation::{Bundle, ChainError, prove_continuation, verify_continuation};
use prover::fixtures::Catalogue;
use prover::stark::{Felt, NoObserver, Proof, VerifyError};
use prover::vm::{ElfError, Program, Segment};
use prover::zkvm::{
    self, PublicValueError, VmProof, VmVerifyError, build_witness, prove_witness, table,
};
use serde::{Deserialize, Serialize};

/// The Goldilocks modulus.
const P: u64 = Felt::ORDER_U64;

// ------------------------------------------------------------------- whole runs -------

#[derive(Clone, Serialize, Deserialize)]
struct WideOutput {
    words: Vec<u64>,
    exit_code: u64,
    cycles: u64,
}

#[derive(Clone, Serialize, Deserialize)]
struct WideVmProof {
    output: WideOutput,
    stark: Proof,
}

fn widen(p: &VmProof) -> WideVmProof {
    WideVmProof {
        output: WideOutput {
            words: p.output.words.iter().map(|&w| w.into()).collect(),
            exit_code: p.output.exit_code.into(),
            cycles: p.output.cycles,
        },
        stark: p.stark.clone(),
    }
}

/// A program that commits two words and exits with 7.
fn committing() -> Program {
    let mut w = Vec::new();
    w.extend(li(10, 0xDEAD_BEEF));
    w.extend([addi(17, 0, 64), ECALL]);
    w.push(addi(10, 0, 5));
    w.extend([addi(17, 0, 64), ECALL]);
    w.extend([addi(10, 0, 7), addi(17, 0, 93), ECALL]);
    raw_program(&w)
}

/// What the verifier says to a (possibly re-encoded) proof: decoding first, then `verify`.
fn verdict(program: &Program, bytes: &[u8]) -> Result<zkvm::PublicOutput, VmVerifyError> {
    let proof = VmProof::from_bytes(bytes)?;
    zkvm::verify(program, &[], &proof, &options().params)
}

#[test]
fn a_cycle_count_forged_by_adding_p_is_rejected() {
    // The reproduction: `cycles + p` is the same field element as `cycles`.
    let p = committing();
    let mut proof = zkvm::prove(&p, &[], &options(), &NoObserver).unwrap();
    let honest = proof.output.cycles;
    proof.output.cycles = honest + P;
    assert!(matches!(
        zkvm::verify(&p, &[], &proof, &options().params),
        Err(VmVerifyError::Public(PublicValueError::Cycles(c))) if c == honest + P
    ));
    proof.output.cycles = 0;
    assert!(matches!(
        zkvm::verify(&p, &[], &proof, &options().params),
        Err(VmVerifyError::Public(PublicValueError::Cycles(0)))
    ));
    proof.output.cycles = honest;
    zkvm::verify(&p, &[], &proof, &options().params).unwrap();
}

#[test]
fn every_public_output_integer_plus_p_or_plus_one_is_rejected() {
    let p = committing();
    let proof = zkvm::prove(&p, &[], &options(), &NoObserver).unwrap();
    assert_eq!(proof.output.words, [0xDEAD_BEEF, 5]);
    let honest = widen(&proof);
    let encode = |w: &WideVmProof| postcard::to_allocvec(w).unwrap();
    assert_eq!(
        encode(&honest),
        proof.to_bytes(),
        "the wide mirror encodes alike"
    );
    verdict(&p, &encode(&honest)).unwrap();

    type Field = fn(&mut WideOutput) -> &mut u64;
    let fields: [(&str, Field); 4] = [
        ("words[0]", |o| &mut o.words[0]),
        ("words[1]", |o| &mut o.words[1]),
        ("exit_code", |o| &mut o.exit_code),
        ("cycles", |o| &mut o.cycles),
    ];
    for (name, field) in fields {
        for (delta, what) in [(1, "+1"), (P, "+p")] {
            let mut forged = honest.clone();
            *field(&mut forged.output) += delta;
            let answer = verdict(&p, &encode(&forged));
            assert!(answer.is_err(), "{name} {what} was accepted: {answer:?}");
            if delta == P {
                // u32 fields do not decode; the u64 cycle count fails its domain check.
                let expected = match name {
                    "cycles" => matches!(
                        answer,
                        Err(VmVerifyError::Public(PublicValueError::Cycles(_)))
                    ),
                    _ => matches!(answer, Err(VmVerifyError::Stark(VerifyError::Decode(_)))),
                };
                assert!(expected, "{name} {what}: {answer:?}");
            }
        }
    }
}

// ---------------------------------------------------------------- continuations -------

#[derive(Clone, Serialize, Deserialize)]
struct WideRamWord {
    key: u64,
    first: u64,
    last: u64,
}

#[derive(Clone, Serialize, Deserialize)]
struct WideBoundary {
    index: u64,
    start_pc: u64,
    start_regs: [u64; 32],
    end_regs: [u64; 32],
    out_start: u64,
    words: Vec<u64>,
    end_pc: Option<u64>,
    exit_code: Option<u64>,
    cycles: u64,
    ram: Vec<WideRamWord>,
}

#[derive(Clone, Serialize, Deserialize)]
struct WideEpoch {
    boundary: WideBoundary,
    stark: Proof,
}

#[derive(Clone, Serialize, Deserialize)]
struct WideBundle {
    epoch_log2: u64,
    epochs: Vec<WideEpoch>,
}

fn widen_bundle(b: &Bundle) -> WideBundle {
    let wide = |v: &u32| u64::from(*v);
    WideBundle {
        epoch_log2: b.epoch_log2.into(),
        epochs: b
            .epochs
            .iter()
            .map(|e| {
                let b = &e.boundary;
                WideEpoch {
                    boundary: WideBoundary {
                        index: b.index.into(),
                        start_pc: b.start_pc.into(),
                        start_regs: b.start_regs.map(u64::from),
                        end_regs: b.end_regs.map(u64::from),
                        out_start: b.out_start.into(),
                        words: b.words.iter().map(wide).collect(),
                        end_pc: b.end_pc.map(u64::from),
                        exit_code: b.exit_code.map(u64::from),
                        cycles: b.cycles,
                        ram: b
                            .ram
                            .iter()
                            .map(|w| WideRamWord {
                                key: w.key.into(),
                                first: w.first.into(),
                                last: w.last.into(),
                            })
                            .collect(),
                    },
                    stark: e.stark.clone(),
                }
            })
            .collect(),
    }
}

#[test]
fn every_boundary_integer_plus_p_or_plus_one_is_rejected() {
    let cat = Catalogue::load_default().unwrap();
    let fx = cat.get("bytesort_small").unwrap();
    let program = cat.program(fx).unwrap();
    let input = fx.input.clone();
    let bundle = prove_continuation(&program, &input, 9, &options(), &NoObserver).unwrap();
    let verdict = |bytes: &[u8]| -> Result<(), ChainError> {
        let b = Bundle::from_bytes(bytes)?;
        verify_continuation(&program, &input, &b, &options().params).map(|_| ())
    };
    let honest = widen_bundle(&bundle);
    let encode = |w: &WideBundle| postcard::to_allocvec(w).unwrap();
    assert_eq!(
        encode(&honest),
        bundle.to_bytes(),
        "the wide mirror encodes alike"
    );
    verdict(&encode(&honest)).unwrap();

    // Epoch 1 is a middle epoch (it has an end pc); the last one halts and commits words;
    // both touch RAM.
    let n = honest.epochs.len();
    assert!(n >= 3);
    let last = &honest.epochs[n - 1].boundary;
    assert!(!last.words.is_empty() && last.exit_code.is_some());
    assert!(honest.epochs[1].boundary.end_pc.is_some());
    assert!(!honest.epochs[1].boundary.ram.is_empty());

    type Field = fn(&mut WideBundle) -> &mut u64;
    let fields: [(&str, Field); 15] = [
        ("epoch_log2", |b| &mut b.epoch_log2),
        ("index", |b| &mut b.epochs[1].boundary.index),
        ("start_pc", |b| &mut b.epochs[1].boundary.start_pc),
        ("start_regs[10]", |b| {
            &mut b.epochs[1].boundary.start_regs[10]
        }),
        ("end_regs[10]", |b| &mut b.epochs[1].boundary.end_regs[10]),
        ("out_start", |b| {
            let n = b.epochs.len();
            &mut b.epochs[n - 1].boundary.out_start
        }),
        ("words[0]", |b| {
            let n = b.epochs.len();
            &mut b.epochs[n - 1].boundary.words[0]
        }),
        ("end_pc", |b| b.epochs[1].boundary.end_pc.as_mut().unwrap()),
        ("exit_code", |b| {
            let n = b.epochs.len();
            b.epochs[n - 1].boundary.exit_code.as_mut().unwrap()
        }),
        ("cycles (middle)", |b| &mut b.epochs[1].boundary.cycles),
        ("cycles (last)", |b| {
            let n = b.epochs.len();
            &mut b.epochs[n - 1].boundary.cycles
        }),
        ("ram[0].key", |b| &mut b.epochs[1].boundary.ram[0].key),
        ("ram[0].first", |b| &mut b.epochs[1].boundary.ram[0].first),
        ("ram[0].last", |b| &mut b.epochs[1].boundary.ram[0].last),
        ("ram[last].key", |b| {
            let r = &mut b.epochs[1].boundary.ram;
            let k = r.len() - 1;
            &mut r[k].key
        }),
    ];
    for (name, field) in fields {
        for (delta, what) in [(1, "+1"), (P, "+p")] {
            let mut forged = honest.clone();
            *field(&mut forged) += delta;
            let answer = verdict(&encode(&forged));
            assert!(answer.is_err(), "{name} {what} was accepted");
            if delta == P {
                let expected = if name.starts_with("cycles") {
                    matches!(answer, Err(ChainError::Cycles { .. }))
                } else {
                    matches!(answer, Err(ChainError::Decode(_)))
                };
                assert!(expected, "{name} {what}: {answer:?}");
            }
        }
    }
}

// ----------------------------------------------------------- the top of memory --------

/// Code in `0xFFFF_FFE0..0xFFFF_FFFC`: jump to the highest word, whose `JAL` links
/// `0xFFFF_FFFC` and returns; commit the link and halt with it.
fn code_at_the_top() -> Vec<u32> {
    vec![
        jal(0, 0x18),    // 0xFFFF_FFE0: to 0xFFFF_FFF8
        addi(10, 1, 0),  // 0xFFFF_FFE4: a0 = the link
        addi(17, 0, 64), // 0xFFFF_FFE8
        ECALL,           // 0xFFFF_FFEC: commit a0
        addi(17, 0, 93), // 0xFFFF_FFF0
        ECALL,           // 0xFFFF_FFF4: halt with a0
        jal(1, -0x14),   // 0xFFFF_FFF8: link 0xFFFF_FFFC, back to 0xFFFF_FFE4
    ]
}

fn segment(vaddr: u32, words: &[u32]) -> Segment {
    let data: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    Segment {
        vaddr,
        mem_size: data.len() as u32,
        data,
        executable: true,
        writable: false,
    }
}

#[test]
fn code_reaching_the_last_word_of_memory_is_refused() {
    // One word higher, the last `JAL` would sit at 0xFFFF_FFFC and link 2^32.
    let mut words = code_at_the_top();
    words.insert(0, addi(0, 0, 0));
    let e = Program::from_segments(0xFFFF_FFE0, vec![segment(0xFFFF_FFE0, &words)]).unwrap_err();
    assert!(
        matches!(e, ElfError::CodeAtTopOfMemory { index: 0, end, .. } if end == 1 << 32),
        "{e}"
    );
}

#[test]
fn a_jump_at_the_highest_code_word_links_exactly_and_a_forged_link_fails() {
    let p = Program::from_segments(0xFFFF_FFE0, vec![segment(0xFFFF_FFE0, &code_at_the_top())])
        .expect("code ending at 2^32 - 4 is allowed");
    let opts = options();
    let proof = zkvm::prove(&p, &[], &opts, &NoObserver).unwrap();
    let out = zkvm::verify(&p, &[], &proof, &opts.params).unwrap();
    assert_eq!(out.words, [0xFFFF_FFFC]);

    // A hand-built row for `JAL` at 0xFFFF_FFFC linking 2^32 (the value the field constraint
    // `rd = pc + 4` would accept there): PROGRAM has no instruction at that pc.
    let mut wit = build_witness(&p, &[], &opts).unwrap();
    let cpu = &mut wit.traces[table::CPU];
    let w = cpu.width();
    let row = (0..cpu.height())
        .find(|&r| cpu.values[r * w + insn::PC] == Felt::from_u32(0xFFFF_FFF8))
        .expect("the JAL row");
    let cell = |c: usize| row * w + c;
    cpu.values[cell(insn::PC)] = Felt::from_u32(0xFFFF_FFFC);
    cpu.values[cell(col::RD_VAL)] = Felt::from_u64(1 << 32);
    cpu.values[cell(col::NEXT_PC)] += Felt::from_u32(4);
    let forged = prove_witness(&p, &[], wit, &opts, &NoObserver).unwrap();
    assert!(matches!(
        zkvm::verify(&p, &[], &forged, &opts.params),
        Err(VmVerifyError::Stark(_))
    ));
}
