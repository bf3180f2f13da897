//! The witness: routes an execution log into every table's trace.
//!
//! One sequential pass over the log fills the CPU rows and tracks, per memory key, the last
//! access (value, timestamp), which is what each CPU memory slot consumes. The pass also
//! collects the ALU requests, the PROGRAM execution counts and the range-check counts; the
//! MEMORY rows come from the keys touched plus the public image, in key order.

use std::collections::{BTreeMap, HashMap};

use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;

use super::bus::{AluRequest, RangeCounts, alu_result};
use super::cpu::{REG_BASE, col, slot};
use super::memory::{KeyRecord, memory_trace};
use super::program::{INSN_WIDTH, InsnRow, ProgramAir, col as insn};
use crate::stark::Felt;
use crate::vm::{INPUT_ADDR, Program, STACK_TOP, Step, decode};

/// Why a run cannot be proved (it executed, but the tables cannot express it).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WitnessError {
    /// The run executed an instruction the prover does not constrain yet.
    #[error("unsupported instruction at pc {pc:#010x}: {insn}")]
    Unsupported {
        /// Where.
        pc: u32,
        /// The instruction, disassembled.
        insn: String,
    },
    /// A branch, `JAL` or `JALR` target wrapped around 2^32, which the CPU's field arithmetic
    /// does not model.
    #[error("jump target of the instruction at pc {pc:#010x} wraps around 2^32")]
    WrappingJump {
        /// Where.
        pc: u32,
    },
    /// More distinct memory keys than one chunk holds.
    #[error(
        "the run touches {keys} memory words and registers; the MEMORY table holds at most {max}"
    )]
    MemoryTooLarge {
        /// Keys touched.
        keys: usize,
        /// The limit (`max_rows`).
        max: usize,
    },
    /// The log does not end in a halt.
    #[error("the execution log does not end with a halt")]
    NoHalt,
}

/// The initial memory image, by key: ELF words, input words, and the initial `sp`.
pub fn memory_image(program: &Program, input: &[u32]) -> BTreeMap<u32, u32> {
    let mut image: BTreeMap<u32, u32> = BTreeMap::new();
    for seg in program.segments() {
        for (i, &byte) in seg.data.iter().enumerate() {
            let addr = seg.vaddr.wrapping_add(i as u32);
            let word = image.entry(addr / 4).or_insert(0);
            *word |= u32::from(byte) << (8 * (addr % 4));
        }
    }
    let base = INPUT_ADDR / 4;
    image.insert(base, input.len() as u32);
    for (i, &w) in input.iter().enumerate() {
        image.insert(base + 1 + i as u32, w);
    }
    image.insert(REG_BASE + 2, STACK_TOP);
    image
}

/// Everything routed from one run.
#[derive(Debug)]
pub struct Routed {
    /// The CPU trace.
    pub cpu: RowMajorMatrix<Felt>,
    /// PROGRAM multiplicities (one per PROGRAM row).
    pub program_counts: Vec<u32>,
    /// The MEMORY records, by key.
    pub memory: Vec<KeyRecord>,
    /// ALU requests, in cycle order.
    pub alu: Vec<AluRequest>,
    /// Range checks made by the CPU and MEMORY tables.
    pub range: RangeCounts,
}

/// Tracks the last access of every memory key.
struct LastAccess<'a> {
    regs: [(u32, u64); 32],
    ram: HashMap<u32, (u32, u64)>,
    image: &'a BTreeMap<u32, u32>,
}

impl LastAccess<'_> {
    fn get(&mut self, key: u32) -> (u32, u64) {
        if key >= REG_BASE {
            self.regs[(key - REG_BASE) as usize]
        } else {
            let image = self.image;
            *self
                .ram
                .entry(key)
                .or_insert_with(|| (image.get(&key).copied().unwrap_or(0), 0))
        }
    }
    fn set(&mut self, key: u32, value: u32, ts: u64) {
        if key >= REG_BASE {
            self.regs[(key - REG_BASE) as usize] = (value, ts);
        } else {
            self.ram.insert(key, (value, ts));
        }
    }
}

fn insn_u32(row: &InsnRow, c: usize) -> u32 {
    use p3_field::PrimeField64;
    row.values[c].as_canonical_u64() as u32
}

fn flag(row: &InsnRow, c: usize) -> bool {
    row.values[c] == Felt::ONE
}

/// Routes `log` (a complete run ending in a halt) into traces.
pub fn route(
    program_air: &ProgramAir,
    image: &BTreeMap<u32, u32>,
    log: &[Step],
    max_memory_rows: usize,
) -> Result<Routed, WitnessError> {
    let height = log.len().next_power_of_two().max(4);
    let mut cpu = vec![Felt::ZERO; height * col::WIDTH];
    let mut program_counts = vec![0u32; program_air.height()];
    let mut alu = Vec::new();
    let mut range = RangeCounts::default();
    let mut last = LastAccess {
        regs: [(0, 0); 32],
        ram: HashMap::new(),
        image,
    };
    last.regs[2] = (STACK_TOP, 0);
    let mut out_idx = 0u32;
    let mut halted = false;

    for (c, (step, row)) in log.iter().zip(cpu.chunks_exact_mut(col::WIDTH)).enumerate() {
        let pc = step.pc;
        let ins = program_air
            .insn(pc)
            .ok_or_else(|| WitnessError::Unsupported {
                pc,
                insn: decode::describe(step.insn),
            })?;
        program_counts[program_air.row_of(pc).expect("row exists")] += 1;
        row[..INSN_WIDTH].copy_from_slice(&ins.values);
        let clk = c as u64;
        let (rs1, rs2, rd) = (
            insn_u32(ins, insn::RS1),
            insn_u32(ins, insn::RS2),
            insn_u32(ins, insn::RD),
        );
        let imm = insn_u32(ins, insn::IMM);
        let alu_op = insn_u32(ins, insn::ALU_OP);

        // Slots A and B: read rs1, rs2.
        // One memory access: returns the previous value; `new` is the value written (None
        // for a read); `has_prev` says whether the slot has a prev_val column.
        let mut access = |base: usize,
                          key: u32,
                          new: Option<u32>,
                          has_prev: bool,
                          off: u64,
                          row: &mut [Felt]| {
            let (prev_val, prev_ts) = last.get(key);
            let ts = 4 * clk + off;
            last.set(key, new.unwrap_or(prev_val), ts);
            let gap = (ts - prev_ts - 1) as u32;
            range.add_u32(gap);
            row[base] = Felt::from_u64(prev_ts);
            let limbs = if has_prev {
                row[base + 1] = Felt::from_u32(prev_val);
                base + 2
            } else {
                base + 1
            };
            row[limbs] = Felt::from_u16(gap as u16);
            row[limbs + 1] = Felt::from_u16((gap >> 16) as u16);
            prev_val
        };
        let rs1_val = access(col::A, REG_BASE + rs1, None, false, slot::A, row);
        let rs2_val = access(col::B, REG_BASE + rs2, None, false, slot::B, row);
        debug_assert!(
            ins.values[insn::F_ECALL] == Felt::ONE || rs1 == 0 || rs1_val == step.rs1_val
        );

        // The ALU request.
        let alu_b = if flag(ins, insn::F_AUIPC) {
            pc
        } else {
            rs1_val
        };
        let alu_c = if flag(ins, insn::C_IMM) { imm } else { rs2_val };
        let sends_alu = [
            insn::F_ALU,
            insn::F_AUIPC,
            insn::F_JALR,
            insn::F_BLT,
            insn::F_BGE,
            insn::F_LW,
            insn::F_SW,
        ]
        .iter()
        .any(|&f| flag(ins, f));
        let alu_a = if sends_alu {
            alu.push(AluRequest {
                op: alu_op,
                b: alu_b,
                c: alu_c,
            });
            alu_result(alu_op, alu_b, alu_c)
        } else {
            0
        };

        // Slot D: RAM.
        let (is_lw, is_sw) = (flag(ins, insn::F_LW), flag(ins, insn::F_SW));
        if is_lw || is_sw {
            debug_assert_eq!(alu_a, step.mem_addr);
            let word = alu_a / 4;
            let new = is_sw.then_some(rs2_val);
            let prev = access(col::D, word, new, true, slot::D, row);
            let mem_val = new.unwrap_or(prev);
            row[col::MEM_WORD] = Felt::from_u32(word);
            row[col::MEM_VAL] = Felt::from_u32(mem_val);
            debug_assert_eq!(mem_val, step.mem_val);
        }

        // Branch decision, next pc, written value.
        let eq = rs1_val == rs2_val;
        let diff = Felt::from_u32(rs1_val) - Felt::from_u32(rs2_val);
        let taken = (flag(ins, insn::F_BEQ) && eq)
            || (flag(ins, insn::F_BNE) && !eq)
            || (flag(ins, insn::F_BLT) && alu_a == 1)
            || (flag(ins, insn::F_BGE) && alu_a == 0);
        let lowbit = if flag(ins, insn::F_JALR) {
            alu_a & 1
        } else {
            0
        };
        let imm_s = i64::from(imm as i32);
        let next_pc: i64 = if taken || flag(ins, insn::F_JAL) {
            i64::from(pc) + imm_s
        } else if flag(ins, insn::F_JALR) {
            i64::from(alu_a - lowbit)
        } else {
            i64::from(pc) + 4
        };
        let is_ecall = flag(ins, insn::F_ECALL);
        let is_halt = is_ecall && rs1_val == crate::vm::SYSCALL_HALT;
        let is_commit = is_ecall && rs1_val == crate::vm::SYSCALL_COMMIT;
        if let Some(next) = log.get(c + 1) {
            if next_pc != i64::from(next.pc) {
                return Err(WitnessError::WrappingJump { pc });
            }
        } else if !is_halt {
            return Err(WitnessError::NoHalt);
        }
        let rd_val = if flag(ins, insn::WB) { step.rd_val } else { 0 };
        // Slot C: write rd.
        access(col::C, REG_BASE + rd, Some(rd_val), true, slot::C, row);

        row[col::CLK] = Felt::from_u64(clk);
        row[col::OUT_IDX] = Felt::from_u32(out_idx);
        row[col::NEXT_PC] = Felt::from_i64(next_pc);
        row[col::RS1_VAL] = Felt::from_u32(rs1_val);
        row[col::RS2_VAL] = Felt::from_u32(rs2_val);
        row[col::RD_VAL] = Felt::from_u32(rd_val);
        row[col::ALU_B] = Felt::from_u32(alu_b);
        row[col::ALU_C] = Felt::from_u32(alu_c);
        row[col::ALU_A] = Felt::from_u32(alu_a);
        row[col::TAKEN] = Felt::from_bool(taken);
        row[col::EQ] = Felt::from_bool(eq);
        row[col::INV] = diff.try_inverse().unwrap_or(Felt::ZERO);
        row[col::LOWBIT] = Felt::from_u32(lowbit);
        row[col::IS_HALT] = Felt::from_bool(is_halt);
        row[col::IS_COMMIT] = Felt::from_bool(is_commit);
        out_idx += u32::from(is_commit);
        halted = is_halt;
    }
    if !halted {
        return Err(WitnessError::NoHalt);
    }

    // Padding rows execute the padding instruction and nothing else.
    let pad = InsnRow::padding();
    for row in cpu.chunks_exact_mut(col::WIDTH).skip(log.len()) {
        row[..INSN_WIDTH].copy_from_slice(&pad.values);
        row[col::NEXT_PC] = pad.values[insn::PC] + Felt::from_u32(4);
        row[col::EQ] = Felt::ONE;
    }
    program_counts[program_air.padding_row()] += (height - log.len()) as u32;

    // MEMORY: every key touched, plus the image, in key order.
    let mut keys: BTreeMap<u32, KeyRecord> = image
        .iter()
        .map(|(&key, &v)| {
            (
                key,
                KeyRecord {
                    key,
                    init: v,
                    is_image: true,
                    final_val: v,
                    final_ts: 0,
                },
            )
        })
        .collect();
    let accessed = last
        .regs
        .iter()
        .enumerate()
        .map(|(r, &a)| (REG_BASE + r as u32, a))
        .filter(|(_, (_, ts))| *ts > 0)
        .chain(last.ram.iter().map(|(&k, &a)| (k, a)));
    for (key, (val, ts)) in accessed {
        let rec = keys.entry(key).or_insert(KeyRecord {
            key,
            init: 0,
            is_image: false,
            final_val: 0,
            final_ts: 0,
        });
        rec.final_val = val;
        rec.final_ts = ts;
    }
    if keys.len() > max_memory_rows {
        return Err(WitnessError::MemoryTooLarge {
            keys: keys.len(),
            max: max_memory_rows,
        });
    }
    let memory: Vec<KeyRecord> = keys.into_values().collect();
    Ok(Routed {
        cpu: RowMajorMatrix::new(cpu, col::WIDTH),
        program_counts,
        memory,
        alu,
        range,
    })
}

/// The MEMORY trace of routed records (adds its own range checks).
pub fn memory(routed: &mut Routed) -> RowMajorMatrix<Felt> {
    memory_trace(&routed.memory, &mut routed.range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::Segment;

    #[test]
    fn memory_image_packs_bytes_into_little_endian_words() {
        let code = Segment {
            vaddr: 0x1000,
            data: 0x0000_0073u32.to_le_bytes().to_vec(),
            mem_size: 4,
            executable: true,
            writable: false,
        };
        // Three bytes starting mid-word, then bss.
        let data = Segment {
            vaddr: 0x2002,
            data: vec![0xAA, 0xBB, 0xCC],
            mem_size: 16,
            executable: false,
            writable: true,
        };
        let program = Program::from_segments(0x1000, vec![code, data]).unwrap();
        let image = memory_image(&program, &[7, 9]);
        assert_eq!(image[&(0x1000 / 4)], 0x73);
        assert_eq!(image[&(0x2000 / 4)], 0xBBAA_0000);
        assert_eq!(image[&(0x2004 / 4)], 0xCC);
        assert!(
            !image.contains_key(&(0x2008 / 4)),
            "bss is not part of the image"
        );
        assert_eq!(image[&(INPUT_ADDR / 4)], 2);
        assert_eq!(image[&(INPUT_ADDR / 4 + 2)], 9);
        assert_eq!(image[&(REG_BASE + 2)], STACK_TOP);
        assert_eq!(image.len(), 3 + 3 + 1);
    }
}
