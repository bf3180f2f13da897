//! Rebuilding CPU rows on demand from the execution log (the trace-retire mode).
//!
//! The CPU trace is 55 columns, 440 bytes a row; the execution log is 28 bytes a cycle. So
//! instead of the trace we keep the log and, per block of rows (the caller's `every`, at
//! most a chunk), a [`Checkpoint`]: the routing state the block starts from. A block's rows
//! are then [`route_cycle`] replayed over its slice of the log alone, the same function the
//! full pass ran, so they are the routed rows; the blocks of a range replay in parallel.
//!
//! A checkpoint holds the registers' last accesses (32 entries), the output index, and the
//! last access *before the block* of each RAM word the block touches (recorded during the
//! full pass at the word's first touch in the block). Words the block does not touch are
//! not needed, so a checkpoint is at most as large as the block's distinct RAM words, and
//! usually tiny.

use std::collections::{BTreeMap, HashMap};

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::cpu::col;
use super::cycle::{Access, CpuState, Discard, LastAccess, invert_diffs, pad_row, route_cycle};
use super::program::ProgramAir;
use crate::stark::Felt;
use crate::stark::domain::extend_zeroed;
use crate::vm::Step;

/// The routing state at the first row of a checkpoint block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// Registers' last accesses.
    pub regs: [Access; 32],
    /// For each RAM word the block touches, its last access before the block.
    pub ram: HashMap<u32, Access>,
    /// Words committed before the block.
    pub out_idx: u32,
}

impl Checkpoint {
    /// The checkpoint of `state` (RAM states are filled in as the block touches them).
    pub fn at(state: &CpuState<'_>) -> Self {
        Self {
            regs: state.last.regs,
            ram: HashMap::new(),
            out_idx: state.out_idx,
        }
    }

    /// Heap bytes, roughly (for reports).
    pub fn heap_bytes(&self) -> usize {
        self.ram.capacity() * (size_of::<(u32, Access)>() + 1)
    }
}

/// The compact CPU intermediate: the execution log and one checkpoint per block of rows.
#[derive(Clone, Debug)]
pub struct CpuReplay {
    log: Vec<Step>,
    checkpoints: Vec<Checkpoint>,
    every: usize,
    height: usize,
}

impl CpuReplay {
    /// The intermediate of a routed run: its log, the checkpoints routing recorded every
    /// `every` rows, and the CPU table height.
    pub fn new(log: Vec<Step>, checkpoints: Vec<Checkpoint>, every: usize, height: usize) -> Self {
        debug_assert_eq!(checkpoints.len(), log.len().div_ceil(every));
        Self {
            log,
            checkpoints,
            every,
            height,
        }
    }

    /// The CPU table's height.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Heap bytes of the log alone.
    pub fn log_bytes(&self) -> usize {
        self.log.capacity() * size_of::<Step>()
    }

    /// Heap bytes held (log and checkpoints).
    pub fn heap_bytes(&self) -> usize {
        self.log.capacity() * size_of::<Step>()
            + self
                .checkpoints
                .iter()
                .map(|c| size_of::<Checkpoint>() + c.heap_bytes())
                .sum::<usize>()
    }

    /// CPU rows `start .. start + len`, written into `out` (cleared first; reserve capacity
    /// beforehand to have the rows land in a bigger buffer). `program_air` and `image` must
    /// be those the log was routed with.
    ///
    /// The rows are zeroed and replayed in parallel: one task per checkpoint block, each
    /// from its own checkpoint (what a replay starting there reads anyway), so the rows are
    /// the same whatever the split.
    ///
    /// Panics if the range leaves the table, or if the log does not replay (only a log
    /// other than the routed one can fail).
    pub fn rows_into(
        &self,
        program_air: &ProgramAir,
        image: &BTreeMap<u32, u32>,
        start: usize,
        len: usize,
        out: &mut Vec<Felt>,
    ) {
        assert!(start + len <= self.height, "rows beyond the CPU table");
        let w = col::WIDTH;
        out.clear();
        // A fresh buffer's first touch is page faults: take them on every core.
        extend_zeroed(out, len * w);
        let end = start + len;
        let real_end = end.min(self.log.len()).max(start);
        // Each block's rows: `lo .. hi` within checkpoint block `lo / every`.
        let mut tasks = Vec::new();
        let mut rest = &mut out[..(real_end - start) * w];
        let mut lo = start;
        while lo < real_end {
            let hi = ((lo / self.every + 1) * self.every).min(real_end);
            let (rows, tail) = rest.split_at_mut((hi - lo) * w);
            tasks.push((lo, hi, rows));
            rest = tail;
            lo = hi;
        }
        tasks.into_par_iter().for_each(|(lo, hi, rows)| {
            self.replay_block(program_air, image, lo, hi, rows);
        });
        for c in start.max(self.log.len())..end {
            pad_row(&mut out[(c - start) * w..(c - start + 1) * w]);
        }
    }

    /// Rows `lo .. hi` of one checkpoint block (`hi` at most the block's end) into `rows`
    /// (zeroed), replayed from the block's checkpoint.
    fn replay_block(
        &self,
        program_air: &ProgramAir,
        image: &BTreeMap<u32, u32>,
        lo: usize,
        hi: usize,
        rows: &mut [Felt],
    ) {
        let w = col::WIDTH;
        let block = lo / self.every;
        let cp = &self.checkpoints[block];
        let mut state = CpuState {
            last: LastAccess::resume(image, cp.regs, cp.ram.clone()),
            out_idx: cp.out_idx,
            // Replays serve whole runs only (epochs do not retire traces).
            end_pc: None,
        };
        let mut scratch = [Felt::ZERO; col::WIDTH];
        for c in block * self.every..hi {
            let row = if c >= lo {
                &mut rows[(c - lo) * w..(c - lo + 1) * w]
            } else {
                scratch.fill(Felt::ZERO);
                &mut scratch[..]
            };
            route_cycle(program_air, &mut state, &self.log, c, row, &mut Discard)
                .expect("a routed log replays");
        }
        invert_diffs(rows);
    }

    /// CPU rows `start .. start + len` as a matrix (see [`CpuReplay::rows_into`]).
    pub fn rows(
        &self,
        program_air: &ProgramAir,
        image: &BTreeMap<u32, u32>,
        start: usize,
        len: usize,
    ) -> RowMajorMatrix<Felt> {
        let mut values = Vec::new();
        self.rows_into(program_air, image, start, len, &mut values);
        RowMajorMatrix::new(values, col::WIDTH)
    }
}
