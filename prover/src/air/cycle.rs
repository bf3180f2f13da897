//! One cycle of routing: the CPU row of one execution-log step, and what the step sends to
//! the other tables (range checks, ALU and ACCESS requests, PROGRAM counts) through a
//! [`Sink`].
//!
//! The full routing pass ([`route`](super::witness::route)) and the chunk replay of the
//! trace-retire mode ([`replay`](super::replay)) both call [`route_cycle`], so a replayed
//! row is the routed row by construction. The only state carried from cycle to cycle is
//! [`CpuState`]: the last access of every memory key and the output index.

use std::collections::{BTreeMap, HashMap};

use p3_field::{Field, PrimeCharacteristicRing, PrimeField64};

use super::bus::{AccessRequest, AluRequest, alu_result};
use super::cpu::{REG_BASE, col, slot};
use super::error::WitnessError;
use super::program::{INSN_WIDTH, InsnRow, ProgramAir, col as insn};
use crate::stark::Felt;
use crate::vm::{STACK_TOP, Step, decode};

/// `(value, timestamp)` of a memory key's last access.
pub type Access = (u32, u64);

/// The most cycles one routed log (a whole run, or an epoch) may have. Cycle `clk` accesses
/// memory at timestamps `4 clk + 1 ..= 4 clk + 4` (the [`slot`] offsets), a key's first
/// access follows timestamp 0, and each access range-checks `ts - prev_ts - 1` in 32 bits
/// (two 16-bit limbs). With at most `2^30` cycles every timestamp is at most `2^32`, so
/// every gap fits; past it a key left untouched for long enough has a gap the argument
/// cannot state. Whole-run proofs refuse a larger cycle limit up front
/// (`zkvm::VmProveError::CycleLimit`); epochs are far shorter; and routing refuses a gap
/// past 32 bits ([`WitnessError::TimestampGap`]) rather than truncate it.
pub const MAX_ROUTED_CYCLES: u64 = 1 << 30;

/// The RAM a run (or an epoch) starts from: the value of each word key before its first
/// access.
pub trait InitialWords: std::fmt::Debug {
    /// The initial value of RAM word `key` (byte address `4 key`).
    fn word(&self, key: u32) -> u32;
}

/// The memory image of a whole run: listed words, zero elsewhere.
impl InitialWords for BTreeMap<u32, u32> {
    fn word(&self, key: u32) -> u32 {
        self.get(&key).copied().unwrap_or(0)
    }
}

/// The executor's memory (an epoch's start).
impl InitialWords for crate::vm::Memory {
    fn word(&self, key: u32) -> u32 {
        self.load_word(key << 2)
    }
}

/// Where a routed cycle's requests to other tables go.
pub trait Sink {
    /// A 16-bit range check of both halves of `v`.
    fn range_u32(&mut self, v: u32);
    /// An ALU request.
    fn alu(&mut self, request: AluRequest);
    /// A load or store.
    fn access(&mut self, request: AccessRequest);
    /// One execution of PROGRAM row `row`.
    fn program_row(&mut self, row: usize);
}

/// A sink that forgets everything (replaying rows whose requests were counted already).
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl Sink for Discard {
    #[inline]
    fn range_u32(&mut self, _: u32) {}
    #[inline]
    fn alu(&mut self, _: AluRequest) {}
    #[inline]
    fn access(&mut self, _: AccessRequest) {}
    #[inline]
    fn program_row(&mut self, _: usize) {}
}

/// The last access of every memory key.
#[derive(Clone, Debug)]
pub struct LastAccess<'a> {
    /// Registers, by index.
    pub regs: [Access; 32],
    /// RAM words accessed so far (or, in a replay, the chunk's starting states).
    pub ram: HashMap<u32, Access>,
    /// Initial values of keys never accessed (timestamp 0).
    image: &'a dyn InitialWords,
    /// When set, the state before the first access of each RAM key is recorded here.
    first_touch: Option<HashMap<u32, Access>>,
}

impl<'a> LastAccess<'a> {
    /// The state at cycle 0: nothing accessed, `sp` initialised.
    pub fn initial(image: &'a dyn InitialWords) -> Self {
        let mut regs = [(0, 0); 32];
        regs[2] = (STACK_TOP, 0);
        Self {
            regs,
            ram: HashMap::new(),
            image,
            first_touch: None,
        }
    }

    /// A state with the given registers and RAM states (a replay's starting point).
    pub fn resume(
        image: &'a dyn InitialWords,
        regs: [Access; 32],
        ram: HashMap<u32, Access>,
    ) -> Self {
        Self {
            regs,
            ram,
            image,
            first_touch: None,
        }
    }

    /// Starts recording first touches anew; returns the previous recording.
    pub fn restart_recording(&mut self) -> Option<HashMap<u32, Access>> {
        self.first_touch.replace(HashMap::new())
    }

    /// Stops recording; returns the recording.
    pub fn stop_recording(&mut self) -> Option<HashMap<u32, Access>> {
        self.first_touch.take()
    }

    #[inline]
    fn get(&mut self, key: u32) -> Access {
        if key >= REG_BASE {
            return self.regs[(key - REG_BASE) as usize];
        }
        let image = self.image;
        let state = *self.ram.entry(key).or_insert_with(|| (image.word(key), 0));
        if let Some(first) = &mut self.first_touch {
            first.entry(key).or_insert(state);
        }
        state
    }

    #[inline]
    fn set(&mut self, key: u32, value: u32, ts: u64) {
        if key >= REG_BASE {
            self.regs[(key - REG_BASE) as usize] = (value, ts);
        } else {
            self.ram.insert(key, (value, ts));
        }
    }
}

/// What routing carries from one cycle to the next.
#[derive(Clone, Debug)]
pub struct CpuState<'a> {
    /// Last access of every key.
    pub last: LastAccess<'a>,
    /// Words committed so far.
    pub out_idx: u32,
    /// Where execution continues after the log's last step, if the log does not end with
    /// a halt (an epoch that is not the last one).
    pub end_pc: Option<u32>,
}

fn insn_u32(row: &InsnRow, c: usize) -> u32 {
    row.values[c].as_canonical_u64() as u32
}

fn flag(row: &InsnRow, c: usize) -> bool {
    row.values[c] == Felt::ONE
}

/// Where a memory slot's columns start, whether it has a `prev_val` column, and its
/// timestamp offset within the cycle.
struct SlotCols {
    base: usize,
    has_prev: bool,
    off: u64,
}

const SLOT_A: SlotCols = SlotCols {
    base: col::A,
    has_prev: false,
    off: slot::A,
};
const SLOT_B: SlotCols = SlotCols {
    base: col::B,
    has_prev: false,
    off: slot::B,
};
const SLOT_C: SlotCols = SlotCols {
    base: col::C,
    has_prev: true,
    off: slot::C,
};
const SLOT_D: SlotCols = SlotCols {
    base: col::D,
    has_prev: true,
    off: slot::D,
};

/// One memory access of cycle `clk` through `slot`: fills the slot's columns, range-checks
/// the timestamp gap, and returns the previous value. `new` maps the previous value to the
/// value written (`None` for a read). A gap past 32 bits is an error, never truncated (see
/// [`MAX_ROUTED_CYCLES`]).
#[inline]
fn slot_access<S: Sink>(
    last: &mut LastAccess<'_>,
    sink: &mut S,
    clk: u64,
    slot: &SlotCols,
    key: u32,
    new: impl FnOnce(u32) -> Option<u32>,
    row: &mut [Felt],
) -> Result<u32, WitnessError> {
    let (prev_val, prev_ts) = last.get(key);
    let ts = 4 * clk + slot.off;
    let gap = u32::try_from(ts - prev_ts - 1).map_err(|_| WitnessError::TimestampGap {
        key,
        prev_ts,
        ts,
    })?;
    last.set(key, new(prev_val).unwrap_or(prev_val), ts);
    sink.range_u32(gap);
    row[slot.base] = Felt::from_u64(prev_ts);
    let limbs = if slot.has_prev {
        row[slot.base + 1] = Felt::from_u32(prev_val);
        slot.base + 2
    } else {
        slot.base + 1
    };
    row[limbs] = Felt::from_u16(gap as u16);
    row[limbs + 1] = Felt::from_u16((gap >> 16) as u16);
    Ok(prev_val)
}

/// Routes cycle `c` of `log` into `row` (zeroed, [`col::WIDTH`] cells), advancing `state`
/// and sending requests to `sink`. Returns whether the cycle halts. The row's `inv` column
/// holds `rs1_val - rs2_val` until [`invert_diffs`] inverts it.
pub fn route_cycle<S: Sink>(
    program_air: &ProgramAir,
    state: &mut CpuState<'_>,
    log: &[Step],
    c: usize,
    row: &mut [Felt],
    sink: &mut S,
) -> Result<bool, WitnessError> {
    let step = &log[c];
    let pc = step.pc;
    let (row_index, ins) = program_air
        .lookup(pc)
        .ok_or_else(|| WitnessError::Unsupported {
            pc,
            insn: decode::describe(step.insn),
        })?;
    sink.program_row(row_index);
    row[..INSN_WIDTH].copy_from_slice(&ins.values);
    let clk = c as u64;
    let (rs1, rs2, rd) = (
        insn_u32(ins, insn::RS1),
        insn_u32(ins, insn::RS2),
        insn_u32(ins, insn::RD),
    );
    let imm = insn_u32(ins, insn::IMM);
    let alu_op = insn_u32(ins, insn::ALU_OP);
    let last = &mut state.last;

    // Slots A and B: read rs1, rs2.
    let rs1_val = slot_access(last, sink, clk, &SLOT_A, REG_BASE + rs1, |_| None, row)?;
    let rs2_val = slot_access(last, sink, clk, &SLOT_B, REG_BASE + rs2, |_| None, row)?;
    debug_assert!(ins.values[insn::F_ECALL] == Felt::ONE || rs1 == 0 || rs1_val == step.rs1_val);

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
        insn::F_LOAD,
        insn::F_STORE,
    ]
    .iter()
    .any(|&f| flag(ins, f));
    let alu_a = if sends_alu {
        let request = AluRequest {
            op: alu_op,
            b: alu_b,
            c: alu_c,
        };
        sink.alu(request);
        alu_result(alu_op, alu_b, alu_c)
    } else {
        0
    };

    // Slot D: RAM. The word's new value is what the access makes of the old one.
    if flag(ins, insn::F_LOAD) || flag(ins, insn::F_STORE) {
        debug_assert_eq!(alu_a, step.mem_addr);
        let word = alu_a >> 2;
        let mut request = AccessRequest {
            op: insn_u32(ins, insn::MEM_OP),
            addr: alu_a,
            old: 0,
            rs2: rs2_val,
        };
        request.old = slot_access(
            last,
            sink,
            clk,
            &SLOT_D,
            word,
            |old| Some(AccessRequest { old, ..request }.result().0),
            row,
        )?;
        let (new, load) = request.result();
        debug_assert_eq!(new, step.mem_val);
        debug_assert!(!flag(ins, insn::WB) || load == step.rd_val);
        sink.access(request);
        row[col::MEM_WORD] = Felt::from_u32(word);
        row[col::MEM_VAL] = Felt::from_u32(new);
        row[col::LOAD_VAL] = Felt::from_u32(load);
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
    let follows = match (log.get(c + 1), state.end_pc) {
        (Some(next), _) => Some(next.pc),
        (None, end) => end,
    };
    match follows {
        Some(next) if next_pc != i64::from(next) => {
            return Err(WitnessError::WrappingJump { pc });
        }
        None if !is_halt => return Err(WitnessError::NoHalt),
        _ => {}
    }
    let rd_val = if flag(ins, insn::WB) { step.rd_val } else { 0 };
    // Slot C: write rd.
    slot_access(
        last,
        sink,
        clk,
        &SLOT_C,
        REG_BASE + rd,
        |_| Some(rd_val),
        row,
    )?;

    row[col::CLK] = Felt::from_u64(clk);
    row[col::OUT_IDX] = Felt::from_u32(state.out_idx);
    row[col::NEXT_PC] = Felt::from_i64(next_pc);
    row[col::RS1_VAL] = Felt::from_u32(rs1_val);
    row[col::RS2_VAL] = Felt::from_u32(rs2_val);
    row[col::RD_VAL] = Felt::from_u32(rd_val);
    row[col::ALU_B] = Felt::from_u32(alu_b);
    row[col::ALU_C] = Felt::from_u32(alu_c);
    row[col::ALU_A] = Felt::from_u32(alu_a);
    row[col::TAKEN] = Felt::from_bool(taken);
    row[col::EQ] = Felt::from_bool(eq);
    // The inverse is taken later, for a whole block of rows at once ([`invert_diffs`]).
    row[col::INV] = diff;
    row[col::LOWBIT] = Felt::from_u32(lowbit);
    row[col::IS_HALT] = Felt::from_bool(is_halt);
    row[col::IS_COMMIT] = Felt::from_bool(is_commit);
    state.out_idx += u32::from(is_commit);
    Ok(is_halt)
}

/// Replaces the `rs1_val - rs2_val` that [`route_cycle`] leaves in each row's `inv` column by
/// its inverse (zero stays zero), with one field inversion for all of `rows` (Montgomery's
/// batch trick). Call it once the rows are routed.
pub fn invert_diffs(rows: &mut [Felt]) {
    let mut prefix = Vec::with_capacity(rows.len() / col::WIDTH);
    let mut acc = Felt::ONE;
    for row in rows.chunks_exact(col::WIDTH) {
        let d = row[col::INV];
        if d != Felt::ZERO {
            acc *= d;
        }
        prefix.push(acc);
    }
    let mut inv = acc.inverse();
    for (i, row) in rows.chunks_exact_mut(col::WIDTH).enumerate().rev() {
        let d = row[col::INV];
        if d != Felt::ZERO {
            let before = if i == 0 { Felt::ONE } else { prefix[i - 1] };
            row[col::INV] = inv * before;
            inv *= d;
        }
    }
}

/// A CPU padding row (zeroed on entry): the padding instruction and nothing else.
pub fn pad_row(row: &mut [Felt]) {
    let pad = InsnRow::padding();
    row[..INSN_WIDTH].copy_from_slice(&pad.values);
    row[col::NEXT_PC] = pad.values[insn::PC] + Felt::from_u32(4);
    row[col::EQ] = Felt::ONE;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_gaps_up_to_32_bits_route_and_longer_ones_are_refused() {
        let image: BTreeMap<u32, u32> = BTreeMap::new();
        let mut row = vec![Felt::ZERO; col::WIDTH];
        let key = REG_BASE + 7;
        // The last cycle of a run of MAX_ROUTED_CYCLES: its last slot's timestamp is 2^32,
        // and a key untouched since the start has the largest gap, 2^32 - 1.
        let mut last = LastAccess::initial(&image);
        let clk = MAX_ROUTED_CYCLES - 1;
        let got = slot_access(
            &mut last,
            &mut Discard,
            clk,
            &SLOT_C,
            key,
            |_| Some(9),
            &mut row,
        );
        assert_eq!(got, Ok(0));
        assert_eq!(last.regs[7], (9, 1 << 32));
        let limbs = SLOT_C.base + 2;
        assert_eq!(row[limbs], Felt::from_u16(u16::MAX));
        assert_eq!(row[limbs + 1], Felt::from_u16(u16::MAX));
        // One cycle more: the gap is 2^32, which 32 bits cannot hold.
        let mut last = LastAccess::initial(&image);
        let got = slot_access(
            &mut last,
            &mut Discard,
            clk + 1,
            &SLOT_A,
            key,
            |_| None,
            &mut row,
        );
        assert_eq!(
            got,
            Err(WitnessError::TimestampGap {
                key,
                prev_ts: 0,
                ts: (1 << 32) + 1
            })
        );
        assert_eq!(last.regs[7], (0, 0), "a refused access changes nothing");
    }
}
