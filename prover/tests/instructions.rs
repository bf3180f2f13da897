//! Per-instruction edge cases of the executor, on hand-encoded programs.

mod common;

use common::*;
use prover::vm::decode::{Op, decode};
use prover::vm::{ExecError, ExecOptions, Executor, RunState, Step, execute};

/// Registers x5.. used as scratch; x1..x4 hold results.
const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;

#[test]
fn encoder_matches_the_assembler() {
    // Words from fixtures/fib_iterative.elf, assembled by clang.
    assert_eq!(b(-16, 0, 6, 1), 0xfe03_18e3); // bnez t1, -16
    assert_eq!(lui(5, 0x4000_0000), 0x4000_02b7); // lui t0, 0x40000
    assert_eq!(load("lw", 6, 5, 4), 0x0042_a303); // lw t1, 4(t0)
    assert_eq!(alu("add", 7, 10, 11), 0x00b5_03b3); // add t2, a0, a1
    for (word, op) in [
        (jal(1, -2048), Op::Jal),
        (store("sh", 3, 4, -2), Op::Sh),
        (alui("srai", 1, 2, 31), Op::Srai),
        (alu("mulhsu", 1, 2, 3), Op::Mulhsu),
    ] {
        assert_eq!(decode(word).op, op, "{word:#010x}");
    }
    assert_eq!(decode(jal(1, -2048)).imm, (-2048i32) as u32);
    assert_eq!(decode(store("sh", 3, 4, -2)).imm, (-2i32) as u32);
}

#[test]
fn immediates_are_sign_extended() {
    let regs = regs_after(&[
        addi(1, 0, -1),
        alui("sltiu", 2, 0, -1), // 0 < 0xffffffff unsigned
        alui("andi", 3, 1, -2048),
        alui("slti", 4, 0, -1), // 0 < -1 signed? no
        alui("xori", T0, 0, -2048),
        alui("ori", T1, 0, 0x7ff),
    ]);
    assert_eq!(regs[1], 0xffff_ffff);
    assert_eq!(regs[2], 1);
    assert_eq!(regs[3], 0xffff_f800);
    assert_eq!(regs[4], 0);
    assert_eq!(regs[T0 as usize], 0xffff_f800);
    assert_eq!(regs[T1 as usize], 0x7ff);
}

#[test]
fn lui_and_auipc() {
    let regs = regs_after(&[addi(0, 0, 0), lui(1, 0xfffff000), auipc(2, 0x8000_0000)]);
    assert_eq!(regs[1], 0xffff_f000);
    assert_eq!(regs[2], 0x8000_0000 + BASE + 8);
}

#[test]
fn loads_sign_and_zero_extend() {
    let mut code = vec![lui(T0, 0x2000)];
    code.extend(li(T1, 0x80ff_7f80));
    code.extend([
        store("sw", T1, T0, 0),
        load("lb", 1, T0, 0),  // 0x80
        load("lbu", 2, T0, 0), // 0x80
        load("lb", 3, T0, 1),  // 0x7f
        load("lb", 4, T0, 3),  // 0x80
        load("lh", 8, T0, 2),  // 0x80ff
        load("lhu", 9, T0, 2), // 0x80ff
        load("lh", 12, T0, 0), // 0x7f80
        load("lw", 13, T0, 0),
    ]);
    let regs = regs_after(&code);
    assert_eq!(regs[1], 0xffff_ff80);
    assert_eq!(regs[2], 0x80);
    assert_eq!(regs[3], 0x7f);
    assert_eq!(regs[4], 0xffff_ff80);
    assert_eq!(regs[8], 0xffff_80ff);
    assert_eq!(regs[9], 0x80ff);
    assert_eq!(regs[12], 0x7f80);
    assert_eq!(regs[13], 0x80ff_7f80);
}

#[test]
fn sub_word_stores_merge_little_endian() {
    let mut code = vec![lui(T0, 0x3000)];
    code.extend(li(T1, 0xa1b2_c3d4));
    code.extend([
        store("sw", 0, T0, 0),
        store("sb", T1, T0, 1), // byte 1 = 0xd4
        store("sh", T1, T0, 2), // bytes 2..4 = 0xc3d4
        load("lw", 1, T0, 0),
        store("sb", T1, T0, 7), // negative offset later: word at 4
        load("lw", 2, T0, 4),
    ]);
    let regs = regs_after(&code);
    assert_eq!(regs[1], 0xc3d4_d400);
    assert_eq!(regs[2], 0xd400_0000);
}

#[test]
fn unwritten_memory_reads_zero() {
    let regs = regs_after(&[
        lui(T0, 0x7654_3000),
        load("lw", 1, T0, 0x7fc),
        load("lb", 2, T0, -1),
        addi(3, 0, 1),
    ]);
    assert_eq!(&regs[1..4], &[0, 0, 1]);
}

#[test]
fn shift_amounts_are_masked_to_five_bits() {
    let mut code = li(T0, 0x8000_0001).to_vec();
    code.extend([
        addi(T1, 0, 33),
        alu("sll", 1, T0, T1), // << 1
        alu("srl", 2, T0, T1), // >> 1
        alu("sra", 3, T0, T1), // >>a 1
        addi(T2, 0, -1),       // shift by 31
        alu("sra", 4, T0, T2),
        alu("srl", 8, T0, T2),
        alui("srai", 9, T0, 31),
        alui("slli", 12, T0, 31),
        alui("srli", 13, T0, 0),
    ]);
    let regs = regs_after(&code);
    assert_eq!(regs[1], 0x0000_0002);
    assert_eq!(regs[2], 0x4000_0000);
    assert_eq!(regs[3], 0xc000_0000);
    assert_eq!(regs[4], 0xffff_ffff);
    assert_eq!(regs[8], 1);
    assert_eq!(regs[9], 0xffff_ffff);
    assert_eq!(regs[12], 0x8000_0000);
    assert_eq!(regs[13], 0x8000_0001);
}

/// Runs `op rd, a, b` and returns rd.
fn binop(op: &str, a: u32, b: u32) -> u32 {
    let mut code = li(T0, a).to_vec();
    code.extend(li(T1, b));
    code.push(alu(op, 1, T0, T1));
    regs_after(&code)[1]
}

#[test]
fn division_corner_cases() {
    let min = 0x8000_0000;
    let neg1 = u32::MAX;
    assert_eq!(binop("div", 7, 0), neg1);
    assert_eq!(binop("divu", 7, 0), neg1);
    assert_eq!(binop("rem", 7, 0), 7);
    assert_eq!(binop("remu", 7, 0), 7);
    assert_eq!(binop("rem", min, 0), min);
    assert_eq!(binop("div", min, neg1), min);
    assert_eq!(binop("rem", min, neg1), 0);
    assert_eq!(binop("div", (-7i32) as u32, 2), (-3i32) as u32);
    assert_eq!(binop("rem", (-7i32) as u32, 2), (-1i32) as u32);
    assert_eq!(binop("rem", 7, (-2i32) as u32), 1);
    assert_eq!(binop("divu", (-7i32) as u32, 2), 0x7fff_fffc);
    assert_eq!(binop("remu", (-7i32) as u32, 2), 1);
}

#[test]
fn multiplication_high_words_on_extremes() {
    let min = 0x8000_0000;
    let max = u32::MAX;
    assert_eq!(binop("mul", 0x1234_5678, 0x9abc_def0), 0x242d_2080);
    assert_eq!(binop("mulh", min, min), 0x4000_0000);
    assert_eq!(binop("mulhu", min, min), 0x4000_0000);
    assert_eq!(binop("mulh", max, max), 0); // -1 * -1
    assert_eq!(binop("mulhu", max, max), 0xffff_fffe);
    assert_eq!(binop("mulhsu", max, max), 0xffff_ffff); // -1 * (2^32 - 1)
    assert_eq!(binop("mulhsu", min, max), 0x8000_0000);
    assert_eq!(binop("mulhsu", 0x7fff_ffff, max), 0x7fff_fffe);
    assert_eq!(binop("mulh", min, 0x7fff_ffff), 0xc000_0000);
}

#[test]
fn compares_are_signed_or_unsigned() {
    assert_eq!(binop("slt", u32::MAX, 0), 1);
    assert_eq!(binop("sltu", u32::MAX, 0), 0);
    assert_eq!(binop("sub", 0, 1), u32::MAX);
    assert_eq!(binop("xor", 0xf0f0, 0xff00), 0x0ff0);
    assert_eq!(binop("or", 0xf0f0, 0xff00), 0xfff0);
    assert_eq!(binop("and", 0xf0f0, 0xff00), 0xf000);
}

#[test]
fn branches_follow_signed_and_unsigned_order() {
    // For each branch: x1 = 1 if taken (skips the addi that clears x1).
    let cases = [
        (0, 1, 2, 0u32), // beq 1,2 not taken
        (1, 1, 2, 1),    // bne taken
        (4, -1, 1, 1),   // blt -1 < 1 taken
        (5, -1, 1, 0),   // bge not taken
        (6, -1, 1, 0),   // bltu 0xffffffff < 1 not taken
        (7, -1, 1, 1),   // bgeu taken
    ];
    for (funct3, a, bb, taken) in cases {
        let regs = regs_after(&[
            addi(T0, 0, a),
            addi(T1, 0, bb),
            addi(1, 0, 1),
            b(8, T1, T0, funct3),
            addi(1, 0, 0),
            FENCE,
        ]);
        assert_eq!(regs[1], taken, "funct3 {funct3}");
    }
}

#[test]
fn writes_to_x0_are_ignored() {
    let regs = regs_after(&[
        addi(0, 0, 5),
        lui(0, 0x1000),
        jal(0, 4),
        load("lw", 0, 2, -16),
        alu("add", 1, 0, 0),
    ]);
    assert_eq!(regs[0], 0);
    assert_eq!(regs[1], 0);
}

#[test]
fn jal_and_jalr_link_and_jalr_clears_bit_zero() {
    // 0: auipc t0, 0; 4: jalr x1, t0, 17 -> target BASE + 16 (bit 0 cleared)
    // 8: addi x8, x0, 9 (skipped); 12: addi x8, x0, 8 (skipped); 16: jal x3, 8
    // 20: addi x4, x0, 7 (skipped); 24: exit
    let regs = regs_after(&[
        auipc(T0, 0),
        jalr(1, T0, 17),
        addi(8, 0, 9),
        addi(8, 0, 8),
        jal(3, 8),
        addi(4, 0, 7),
    ]);
    assert_eq!(regs[1], BASE + 8);
    assert_eq!(regs[8], 0);
    assert_eq!(regs[3], BASE + 20);
    assert_eq!(regs[4], 0);
}

#[test]
fn misaligned_jumps_are_rejected() {
    let e = error_of(&[auipc(T0, 0), jalr(1, T0, 6)]);
    assert_eq!(
        e,
        ExecError::MisalignedJump {
            pc: BASE + 4,
            insn: jalr(1, T0, 6),
            target: BASE + 6
        }
    );
    let e = error_of(&[jal(0, 6)]);
    assert!(matches!(e, ExecError::MisalignedJump { pc: BASE, target, .. } if target == BASE + 6));
    let e = error_of(&[b(6, 0, 0, 0)]);
    assert!(matches!(e, ExecError::MisalignedJump { pc: BASE, .. }));
    // A branch that is not taken never jumps, so its target does not matter.
    regs_after(&[b(6, T0, 0, 1)]);
}

#[test]
fn misaligned_accesses_are_rejected() {
    for (insn, addr, width) in [
        (load("lw", 1, T0, 2), 0x2002, 4),
        (load("lh", 1, T0, 1), 0x2001, 2),
        (load("lhu", 1, T0, 3), 0x2003, 2),
        (store("sw", 1, T0, 1), 0x2001, 4),
        (store("sh", 1, T0, -1), 0x1fff, 2),
    ] {
        let e = error_of(&[lui(T0, 0x2000), insn]);
        assert_eq!(
            e,
            ExecError::MisalignedAccess {
                pc: BASE + 4,
                insn,
                addr,
                width
            }
        );
        let text = e.to_string();
        assert!(text.contains(&format!("{insn:#010x}")), "{text}");
        assert!(text.contains("pc 0x00001004"), "{text}");
    }
    // Byte accesses may be at any address.
    regs_after(&[lui(T0, 0x2000), load("lb", 1, T0, 3), store("sb", 1, T0, 1)]);
}

#[test]
fn syscalls_commit_output_and_halt() {
    let program = program(&[
        addi(17, 0, 64),
        addi(10, 0, 11),
        ECALL,
        addi(10, 0, -1),
        ECALL,
    ]);
    let run = execute(&program, &[], &ExecOptions::default()).unwrap();
    assert_eq!(run.public_output, vec![11, u32::MAX]);
    assert_eq!(run.exit_code, 0);
    assert_eq!(run.cycles, 8);

    let code = [addi(10, 0, 3), addi(17, 0, 93), ECALL];
    let run = execute(&raw_program(&code), &[], &ExecOptions::default()).unwrap();
    assert_eq!((run.exit_code, run.cycles), (3, 3));

    let e = error_of(&[addi(17, 0, 63), ECALL]);
    assert_eq!(
        e,
        ExecError::UnknownSyscall {
            pc: BASE + 4,
            insn: ECALL,
            number: 63
        }
    );
    assert!(e.to_string().contains("0x00000073 (ecall)"), "{e}");
}

#[test]
fn illegal_instructions_and_leaving_code_are_errors() {
    let ebreak = 0x0010_0073;
    let e = error_of(&[addi(1, 0, 1), ebreak]);
    assert_eq!(
        e,
        ExecError::IllegalInstruction {
            pc: BASE + 4,
            insn: ebreak
        }
    );
    let e = error_of(&[jal(0, 0x1000)]);
    assert_eq!(e, ExecError::PcOutsideCode { pc: BASE + 0x1000 });
}

#[test]
fn cycle_limit_is_an_error_naming_the_next_instruction() {
    let program = raw_program(&[addi(1, 1, 1), jal(0, -4)]);
    let options = ExecOptions {
        max_cycles: 101,
        log: false,
    };
    let e = execute(&program, &[], &options).unwrap_err();
    assert_eq!(
        e,
        ExecError::CycleLimitExceeded {
            pc: BASE + 4,
            insn: Some(jal(0, -4)),
            limit: 101
        }
    );
    assert!(e.to_string().contains("(jal)"), "{e}");
}

#[test]
fn input_stack_pointer_and_registers_start_as_specified() {
    let program = program(&[
        lui(T0, 0x4000_0000),
        load("lw", 1, T0, 0),
        load("lw", 3, T0, 4),
        load("lw", 4, T0, 8),
        load("lw", 8, T0, 12),
    ]);
    let mut ex = Executor::new(&program, &[7, 0xdead_beef]);
    assert_eq!(ex.registers()[2], 0x3fff_fff0);
    assert_eq!(ex.registers().iter().filter(|&&r| r != 0).count(), 1);
    assert_eq!(ex.pc(), BASE);
    assert_eq!(
        ex.run_for(u64::MAX).unwrap(),
        RunState::Halted { exit_code: 0 }
    );
    let regs = ex.registers();
    assert_eq!((regs[1], regs[3], regs[4], regs[8]), (2, 7, 0xdead_beef, 0));
}

#[test]
fn log_records_operands_results_and_memory_words() {
    let program = program(&[
        lui(T0, 0x2000),        // 0
        addi(T1, 0, 0x1ab),     // 4
        store("sw", T1, T0, 0), // 8
        store("sb", T0, T0, 1), // 12: byte 0x00 at 0x2001
        load("lbu", 1, T0, 0),  // 16
        addi(0, T1, 1),         // 20: rd = x0
        b(8, T0, T0, 0),        // 24: beq taken
        FENCE,                  // 28 (skipped)
    ]);
    let run = execute(
        &program,
        &[],
        &ExecOptions {
            log: true,
            ..ExecOptions::default()
        },
    )
    .unwrap();
    let log = run.log.unwrap();
    assert_eq!(log.len() as u64, run.cycles);
    let step = |i: usize| log[i];
    assert_eq!(
        step(2),
        Step {
            pc: BASE + 8,
            insn: store("sw", T1, T0, 0),
            rs1_val: 0x2000,
            rs2_val: 0x1ab,
            rd_val: 0,
            mem_addr: 0x2000,
            mem_val: 0x1ab
        }
    );
    // SB: mem_val is the whole word after the store.
    assert_eq!((step(3).mem_addr, step(3).mem_val), (0x2001, 0x0000_00ab));
    // LBU: mem_val is the whole word, rd_val the loaded byte.
    assert_eq!((step(4).mem_val, step(4).rd_val), (0xab, 0xab));
    // Writes to x0 log rd_val 0; I-type logs rs2_val 0.
    assert_eq!((step(5).rd_val, step(5).rs2_val), (0, 0));
    assert_eq!(step(6).pc, BASE + 24);
    assert_eq!(step(7).pc, BASE + 32);
    // The halting ECALL: rs1_val = a7, rs2_val = a0.
    let last = log[log.len() - 1];
    assert_eq!((last.insn, last.rs1_val, last.rs2_val), (ECALL, 93, 0));
}
