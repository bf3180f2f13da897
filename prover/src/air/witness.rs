//! The witness: routes an execution log into every table's trace.
//!
//! One sequential pass over the log fills the CPU rows ([`route_cycle`] per step) and tracks,
//! per memory key, the last access (value, timestamp), which is what each CPU memory slot
//! consumes. The pass also collects the ALU and ACCESS requests, the PROGRAM execution counts and the
//! range-check counts; the MEMORY rows come from the keys touched plus the public image, in
//! key order. In the trace-retire mode the pass does not materialise the CPU rows: it
//! records a [`Checkpoint`] per block of rows instead ([`CpuRows::Checkpoints`]).

use std::collections::BTreeMap;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::access::access_trace;
use super::bus::{AccessRequest, AluRequest, Lookups};
use super::cpu::{REG_BASE, col};
use super::cycle::{CpuState, LastAccess, Sink, invert_diffs, pad_row, route_cycle};
use super::memory::{KeyRecord, memory_trace};
use super::program::ProgramAir;
use super::replay::Checkpoint;
use crate::memtag::{self, Tag};
use crate::stark::Felt;
use crate::stark::params::StarkParams;
use crate::stark::trace::padded_height;
use crate::vm::{INPUT_ADDR, Program, STACK_TOP, Step};

pub use super::error::WitnessError;

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

/// Where a routed log starts.
#[derive(Clone, Copy)]
pub enum Origin<'a> {
    /// A whole run from the entry point: RAM is the public image (zero elsewhere), registers
    /// are zero but `sp`, and the log ends with a halt. MEMORY gets a row per key touched or
    /// in the image; image rows take their initial value from the verifier.
    Image(&'a BTreeMap<u32, u32>),
    /// One epoch of a continuation: RAM and registers as the earlier epochs left them. MEMORY
    /// gets a public (boundary) row for every register and every RAM word the epoch touches,
    /// and nothing else.
    Epoch {
        /// RAM at the epoch's start.
        memory: &'a crate::vm::Memory,
        /// Registers at the epoch's start.
        regs: [u32; 32],
        /// Words committed before the epoch.
        out_idx: u32,
        /// Where execution continues after the epoch (`None`: the epoch ends with the halt).
        end_pc: Option<u32>,
    },
}

impl std::fmt::Debug for Origin<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Image(image) => write!(f, "Image({} words)", image.len()),
            Origin::Epoch {
                out_idx, end_pc, ..
            } => write!(f, "Epoch {{ out_idx: {out_idx}, end_pc: {end_pc:?} }}"),
        }
    }
}

/// How routing delivers the CPU rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuRows {
    /// Materialise the CPU trace.
    Trace,
    /// Do not materialise it; record a [`Checkpoint`] at every multiple of `every` rows, so
    /// that [`CpuReplay`](super::replay::CpuReplay) can rebuild any rows from the log.
    Checkpoints {
        /// Rows between checkpoints (at most the chunk height; a replay runs its blocks in
        /// parallel).
        every: usize,
    },
}

/// Everything routed from one run.
#[derive(Debug)]
pub struct Routed {
    /// The CPU trace ([`CpuRows::Trace`]).
    pub cpu: Option<RowMajorMatrix<Felt>>,
    /// The CPU table's height ([`cpu_height`]).
    pub cpu_height: usize,
    /// log2 of the chunk height the tables that may be split (CPU, ACCESS, the ALU
    /// tables) are padded for ([`StarkParams::log_split_rows`]).
    pub log_split_rows: usize,
    /// One checkpoint per block that holds real rows ([`CpuRows::Checkpoints`]).
    pub checkpoints: Vec<Checkpoint>,
    /// PROGRAM multiplicities (one per PROGRAM row).
    pub program_counts: Vec<u32>,
    /// The MEMORY records, by key.
    pub memory: Vec<KeyRecord>,
    /// ALU requests, in cycle order.
    pub alu: Vec<AluRequest>,
    /// Loads and stores, in cycle order.
    pub access: Vec<AccessRequest>,
    /// Lookups made by the CPU and MEMORY tables (the other tables' builders add theirs).
    pub lookups: Lookups,
}

/// Collects every request of the full pass.
struct Collect<'a> {
    program_counts: &'a mut [u32],
    alu: &'a mut Vec<AluRequest>,
    access: &'a mut Vec<AccessRequest>,
    lookups: &'a mut Lookups,
}

impl Sink for Collect<'_> {
    #[inline]
    fn range_u32(&mut self, v: u32) {
        self.lookups.range.add_u32(v);
    }
    #[inline]
    fn alu(&mut self, request: AluRequest) {
        self.alu.push(request);
    }
    #[inline]
    fn access(&mut self, request: AccessRequest) {
        self.access.push(request);
    }
    #[inline]
    fn program_row(&mut self, row: usize) {
        self.program_counts[row] += 1;
    }
}

/// The CPU table's height for a log of `cycles` steps, proved in chunks of at most
/// `2^log_split_rows` rows: padded per chunk ([`padded_height`]), at least 4 rows.
pub fn cpu_height(cycles: usize, log_split_rows: usize) -> usize {
    padded_height(cycles, log_split_rows)
}

/// Routes `log` (from `origin`: a complete run ending in a halt, or one epoch) into traces;
/// the CPU rows as `rows` says, for a proof at `params`: the MEMORY table must fit one chunk
/// (`2^log_max_rows` rows), and the tables that may be split are padded per chunk of
/// `2^log_split_rows` rows.
pub fn route(
    program_air: &ProgramAir,
    origin: &Origin<'_>,
    log: &[Step],
    params: &StarkParams,
    rows: CpuRows,
) -> Result<Routed, WitnessError> {
    let (max_rows, log_split_rows) = (params.max_rows(), params.log_split_rows());
    let height = cpu_height(log.len(), log_split_rows);
    let mut cpu = match rows {
        CpuRows::Trace => Some(memtag::tagged(Tag::MainTrace, || {
            vec![Felt::ZERO; height * col::WIDTH]
        })),
        CpuRows::Checkpoints { .. } => None,
    };
    // Everything else routed here (request lists, checkpoints, records) is intermediate.
    let _tag = memtag::scope(Tag::Witness);
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    let mut program_counts = vec![0u32; program_air.height()];
    let mut alu = Vec::new();
    let mut access = Vec::new();
    let mut lookups = Lookups::default();
    let mut state = match *origin {
        Origin::Image(image) => CpuState {
            last: LastAccess::initial(image),
            out_idx: 0,
            end_pc: None,
        },
        Origin::Epoch {
            memory,
            regs,
            out_idx,
            end_pc,
        } => CpuState {
            last: LastAccess::resume(memory, regs.map(|v| (v, 0)), Default::default()),
            out_idx,
            end_pc,
        },
    };
    let mut sink = Collect {
        program_counts: &mut program_counts,
        alu: &mut alu,
        access: &mut access,
        lookups: &mut lookups,
    };
    let mut scratch = [Felt::ZERO; col::WIDTH];
    let mut halted = false;
    for c in 0..log.len() {
        if let CpuRows::Checkpoints { every } = rows
            && c % every == 0
        {
            if let (Some(first), Some(cp)) =
                (state.last.restart_recording(), checkpoints.last_mut())
            {
                cp.ram = first;
            }
            checkpoints.push(Checkpoint::at(&state));
        }
        let row = match &mut cpu {
            Some(cpu) => &mut cpu[c * col::WIDTH..(c + 1) * col::WIDTH],
            None => {
                scratch.fill(Felt::ZERO);
                &mut scratch[..]
            }
        };
        halted = route_cycle(program_air, &mut state, log, c, row, &mut sink)?;
    }
    if let (Some(first), Some(cp)) = (state.last.stop_recording(), checkpoints.last_mut()) {
        cp.ram = first;
    }
    if !halted && state.end_pc.is_none() {
        return Err(WitnessError::NoHalt);
    }

    // Padding rows execute the padding instruction and nothing else.
    if let Some(cpu) = &mut cpu {
        invert_diffs(&mut cpu[..log.len() * col::WIDTH]);
        for row in cpu.chunks_exact_mut(col::WIDTH).skip(log.len()) {
            pad_row(row);
        }
    }
    program_counts[program_air.padding_row()] += (height - log.len()) as u32;
    let last = state.last;

    let memory = match *origin {
        Origin::Image(image) => image_records(image, &last),
        Origin::Epoch { memory, regs, .. } => boundary_records(memory, &regs, &last),
    };
    if memory.len() > max_rows {
        return Err(WitnessError::MemoryTooLarge {
            keys: memory.len(),
            max: max_rows,
        });
    }
    Ok(Routed {
        cpu: cpu.map(|v| RowMajorMatrix::new(v, col::WIDTH)),
        cpu_height: height,
        log_split_rows,
        checkpoints,
        program_counts,
        memory,
        alu,
        access,
        lookups,
    })
}

/// MEMORY records of a whole run: every key touched, plus the image, in key order.
fn image_records(image: &BTreeMap<u32, u32>, last: &LastAccess<'_>) -> Vec<KeyRecord> {
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
    keys.into_values().collect()
}

/// MEMORY records of an epoch, all public: every RAM word the epoch touches (its value at
/// the epoch's start and end), then the 32 registers, in key order.
fn boundary_records(
    memory: &crate::vm::Memory,
    regs: &[u32; 32],
    last: &LastAccess<'_>,
) -> Vec<KeyRecord> {
    use super::cycle::InitialWords;
    let mut ram: Vec<KeyRecord> = last
        .ram
        .iter()
        .map(|(&key, &(final_val, final_ts))| KeyRecord {
            key,
            init: memory.word(key),
            is_image: true,
            final_val,
            final_ts,
        })
        .collect();
    ram.sort_unstable_by_key(|r| r.key);
    ram.extend((0..32).map(|r| KeyRecord {
        key: REG_BASE + r as u32,
        init: regs[r],
        is_image: true,
        final_val: last.regs[r].0,
        final_ts: last.regs[r].1,
    }));
    ram
}

/// The ACCESS trace of routed loads and stores (adds its own lookups).
pub fn access(routed: &mut Routed) -> RowMajorMatrix<Felt> {
    access_trace(&routed.access, &mut routed.lookups, routed.log_split_rows)
}

/// The MEMORY trace of routed records (adds its own range checks).
pub fn memory(routed: &mut Routed) -> RowMajorMatrix<Felt> {
    memory_trace(&routed.memory, &mut routed.lookups.range)
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
