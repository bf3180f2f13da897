//! Shared test helpers: a tiny RV32IM encoder and a runner for hand-written
//! programs.
#![allow(dead_code)]

pub mod counting;
pub mod forged;

use prover::stark::StarkParams;
use prover::vm::{ExecError, Executor, Program, RunState, Segment};
use prover::zkvm::ProveOptions;

/// Default proof parameters with 8 grinding bits: the whole protocol, with a quicker proof
/// of work for tests.
pub fn options() -> ProveOptions {
    ProveOptions {
        params: StarkParams {
            grinding_bits: 8,
            ..StarkParams::default()
        },
        ..ProveOptions::default()
    }
}

/// Where hand-written test programs are loaded.
pub const BASE: u32 = 0x1000;

pub fn r(funct7: u32, rs2: u32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
}

pub fn i(imm: i32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    ((imm as u32 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
}

pub fn s(imm: i32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5 & 0x7f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (funct3 << 12)
        | ((imm & 31) << 7)
        | 0x23
}

pub fn b(imm: i32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 12 & 1) << 31)
        | ((imm >> 5 & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (funct3 << 12)
        | ((imm >> 1 & 0xf) << 8)
        | ((imm >> 11 & 1) << 7)
        | 0x63
}

pub fn jal(rd: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 20 & 1) << 31)
        | ((imm >> 1 & 0x3ff) << 21)
        | ((imm >> 11 & 1) << 20)
        | ((imm >> 12 & 0xff) << 12)
        | (rd << 7)
        | 0x6f
}

pub fn jalr(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x67)
}

pub fn lui(rd: u32, upper: u32) -> u32 {
    (upper & 0xffff_f000) | (rd << 7) | 0x37
}

pub fn auipc(rd: u32, upper: u32) -> u32 {
    (upper & 0xffff_f000) | (rd << 7) | 0x17
}

pub fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x13)
}

/// `rd = value` in two instructions (LUI + ADDI).
pub fn li(rd: u32, value: u32) -> [u32; 2] {
    let low = ((value & 0xfff) as i32) << 20 >> 20;
    let upper = value.wrapping_sub(low as u32);
    [lui(rd, upper), addi(rd, rd, low)]
}

/// An R-type ALU or M-extension op by mnemonic.
pub fn alu(op: &str, rd: u32, rs1: u32, rs2: u32) -> u32 {
    let (funct7, funct3) = match op {
        "add" => (0, 0),
        "sub" => (0x20, 0),
        "sll" => (0, 1),
        "slt" => (0, 2),
        "sltu" => (0, 3),
        "xor" => (0, 4),
        "srl" => (0, 5),
        "sra" => (0x20, 5),
        "or" => (0, 6),
        "and" => (0, 7),
        "mul" => (1, 0),
        "mulh" => (1, 1),
        "mulhsu" => (1, 2),
        "mulhu" => (1, 3),
        "div" => (1, 4),
        "divu" => (1, 5),
        "rem" => (1, 6),
        "remu" => (1, 7),
        _ => panic!("unknown op {op}"),
    };
    r(funct7, rs2, rs1, funct3, rd, 0x33)
}

/// An I-type ALU op by mnemonic (shifts take the shift amount as `imm`).
pub fn alui(op: &str, rd: u32, rs1: u32, imm: i32) -> u32 {
    match op {
        "addi" => i(imm, rs1, 0, rd, 0x13),
        "slti" => i(imm, rs1, 2, rd, 0x13),
        "sltiu" => i(imm, rs1, 3, rd, 0x13),
        "xori" => i(imm, rs1, 4, rd, 0x13),
        "ori" => i(imm, rs1, 6, rd, 0x13),
        "andi" => i(imm, rs1, 7, rd, 0x13),
        "slli" => i(imm, rs1, 1, rd, 0x13),
        "srli" => i(imm, rs1, 5, rd, 0x13),
        "srai" => i(imm | 0x400, rs1, 5, rd, 0x13),
        _ => panic!("unknown op {op}"),
    }
}

pub fn load(op: &str, rd: u32, rs1: u32, imm: i32) -> u32 {
    let funct3 = match op {
        "lb" => 0,
        "lh" => 1,
        "lw" => 2,
        "lbu" => 4,
        "lhu" => 5,
        _ => panic!("unknown op {op}"),
    };
    i(imm, rs1, funct3, rd, 0x03)
}

pub fn store(op: &str, rs2: u32, rs1: u32, imm: i32) -> u32 {
    let funct3 = match op {
        "sb" => 0,
        "sh" => 1,
        "sw" => 2,
        _ => panic!("unknown op {op}"),
    };
    s(imm, rs2, rs1, funct3)
}

pub const ECALL: u32 = 0x0000_0073;
pub const FENCE: u32 = 0x0ff0_000f;

/// `words` followed by "exit 0", loaded at [`BASE`].
pub fn program(words: &[u32]) -> Program {
    let mut code = words.to_vec();
    code.extend([addi(10, 0, 0), addi(17, 0, 93), ECALL]);
    raw_program(&code)
}

/// Exactly `words`, loaded at [`BASE`].
pub fn raw_program(words: &[u32]) -> Program {
    let data: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let segment = Segment {
        vaddr: BASE,
        mem_size: data.len() as u32,
        data,
        executable: true,
        writable: false,
    };
    Program::from_segments(BASE, vec![segment]).expect("valid test program")
}

/// Runs `words` (then exit 0) to the halt and returns the registers.
pub fn regs_after(words: &[u32]) -> [u32; 32] {
    let program = program(words);
    let mut executor = Executor::new(&program, &[]);
    let state = executor.run_for(10_000).expect("test program runs");
    assert_eq!(state, RunState::Halted { exit_code: 0 });
    *executor.registers()
}

/// Runs `words` (then exit 0) and returns the error it stops with.
pub fn error_of(words: &[u32]) -> ExecError {
    let program = program(words);
    let mut executor = Executor::new(&program, &[]);
    executor
        .run_for(10_000)
        .expect_err("test program should fail")
}
