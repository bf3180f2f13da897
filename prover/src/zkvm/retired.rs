//! The trace-retire witness: a [`TraceSource`] that keeps the compact routed intermediate
//! instead of the traces, and rebuilds a table chunk whenever the prover asks for it.
//!
//! | table | kept | a chunk is rebuilt by |
//! |---|---|---|
//! | CPU | the execution log (28 B/cycle) and one [`Checkpoint`](crate::air::replay::Checkpoint) per block of at most [`REPLAY_BLOCK`] rows (8 or more per chunk) | replaying the chunk's slice of the log, its blocks in parallel ([`CpuReplay`]) |
//! | MEMORY | its key records (one per key touched or in the image) | [`memory_trace`] (one chunk by construction) |
//! | ACCESS | its request list (16 B per load or store) | filling the rows of the chunk's requests ([`access_rows`]) |
//! | ALU tables | their request lists (12 B per request) | filling the rows of the chunk's requests ([`AluTable::fill`]) |
//! | PROGRAM, RANGE, BYTES | their main trace (one column, at most 2^16 rows) | - (resident: smaller than what would rebuild them) |
//!
//! Rows are rebuilt by the functions that built them in the first place, with their counts
//! (range checks, byte pairs) discarded: those were taken once, by the full routing pass.
//! When the prover will ask for no more rows ([`TraceSource::release`]: with every LDE
//! resident, after Phase C) the log and the request lists are freed.

use std::collections::BTreeMap;
use std::sync::RwLock;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;

use super::footprint::Footprint;
use super::{
    ProveOptions, PublicOutput, VmAir, VmProveError, airs, execute_logged, program_air, table,
};
use crate::air::access::{self, access_rows};
use crate::air::alu::alu_table_height;
use crate::air::bus::{AccessRequest, AluRequest, RangeCounts};
use crate::air::cpu;
use crate::air::memory::{KeyRecord, memory_trace};
use crate::air::replay::CpuReplay;
use crate::air::witness::{self, CpuRows};
use crate::air::{AluTable, bytes_trace, range_trace, route_alu};
use crate::memtag::{self, Tag};
use crate::stark::domain::{extend_copied, extend_zeroed, reuse_buffer};
use crate::stark::{Felt, TraceSource};
use crate::vm::Program;

/// Rows `start .. start + len` (`rows = (start, len, buffer)`) of a table whose row `i` is
/// `fill`ed from request `i` alone, in `buffer` ([`reuse_buffer`]); rows past the requests
/// are zero padding.
fn request_rows<R>(
    requests: &[R],
    (start, len, buffer): (usize, usize, Vec<Felt>),
    width: usize,
    fill: impl FnOnce(&[R], &mut [Felt]),
) -> RowMajorMatrix<Felt> {
    let mut values = reuse_buffer(buffer, len * width);
    extend_zeroed(&mut values, len * width);
    let n = requests.len();
    fill(&requests[start.min(n)..(start + len).min(n)], &mut values);
    RowMajorMatrix::new(values, width)
}

/// One ALU table's requests, and the height they are padded to.
#[derive(Debug)]
struct AluRequests {
    table: AluTable,
    requests: Vec<AluRequest>,
    height: usize,
}

impl AluRequests {
    /// Rows `start .. start + len`, in `buffer` ([`reuse_buffer`]).
    fn rows(&self, start: usize, len: usize, buffer: Vec<Felt>) -> RowMajorMatrix<Felt> {
        request_rows(
            &self.requests,
            (start, len, buffer),
            self.table.width(),
            |r, rows| self.table.fill(r, rows, None),
        )
    }
}

/// What [`RetiredWitness`] rebuilds rows from, until released.
#[derive(Debug)]
struct Rebuild {
    cpu: CpuReplay,
    memory: Vec<KeyRecord>,
    access: Vec<AccessRequest>,
    alu: Vec<AluRequests>,
}

/// A routed run that rebuilds its traces on demand (see the module docs).
#[derive(Debug)]
pub struct RetiredWitness {
    airs: Vec<VmAir>,
    output: PublicOutput,
    image: BTreeMap<u32, u32>,
    rebuild: RwLock<Option<Rebuild>>,
    program: RowMajorMatrix<Felt>,
    range: RowMajorMatrix<Felt>,
    bytes: RowMajorMatrix<Felt>,
    heights: Vec<usize>,
}

/// Rows per block when only counting an ALU table's lookups.
const COUNT_BLOCK: usize = 1 << 10;

/// Runs `fill` over `requests` block by block into a scratch buffer: for the counts only.
fn count_only<R>(requests: &[R], width: usize, mut fill: impl FnMut(&[R], &mut [Felt])) {
    let mut scratch = vec![Felt::ZERO; COUNT_BLOCK * width];
    for block in requests.chunks(COUNT_BLOCK) {
        scratch.fill(Felt::ZERO);
        fill(block, &mut scratch);
    }
}

/// The most CPU rows between replay checkpoints: a chunk's rows are replayed in parallel,
/// one task per block from its own checkpoint, with at least 8 blocks per chunk (so small
/// test chunks run the multi-block path too). 2^15 rows make 32 tasks per 2^20-row chunk; a
/// checkpoint costs the 32 registers' last accesses and the block's first-touched RAM
/// words (a few for fib; a word touched in many blocks is stored in each, never more than
/// the block's accesses; counted in the witness's heap).
const REPLAY_BLOCK: usize = 1 << 15;

/// Executes `program` on `input` and routes the run into the compact intermediate of
/// [`RetiredWitness`]: no trace of more than 2^16 rows is materialised.
pub fn build_retired_witness(
    program: &Program,
    input: &[u32],
    options: &ProveOptions,
) -> Result<RetiredWitness, VmProveError> {
    let (output, log) = execute_logged(program, input, options)?;
    let airs = airs(program);
    let program_air = program_air(&airs);
    let image = witness::memory_image(program, input);
    let every = ((1 << options.params.log_split_rows()) / 8).clamp(1, REPLAY_BLOCK);
    let mut routed = witness::route(
        program_air,
        &witness::Origin::Image(&image),
        &log,
        &options.params,
        CpuRows::Checkpoints { every },
    )?;
    let witness_tag = memtag::scope(Tag::Witness);
    let memory_height = witness::memory(&mut routed).height();
    let access_requests = std::mem::take(&mut routed.access);
    count_only(&access_requests, access::WIDTH, |r, rows| {
        access_rows(r, rows, Some(&mut routed.lookups))
    });
    let log_split_rows = options.params.log_split_rows();
    let access_height = alu_table_height(access_requests.len(), log_split_rows);
    let alu: Vec<AluRequests> = AluTable::ALL
        .iter()
        .zip(route_alu(&std::mem::take(&mut routed.alu)))
        .map(|(&table, requests)| {
            count_only(&requests, table.width(), |r, rows| {
                table.fill(r, rows, Some(&mut routed.lookups))
            });
            AluRequests {
                table,
                height: alu_table_height(requests.len(), log_split_rows),
                requests,
            }
        })
        .collect();
    drop(witness_tag);
    let traces_tag = memtag::scope(Tag::MainTrace);
    let program_trace = program_air.trace(&routed.program_counts);
    let range = range_trace(&routed.lookups.range);
    let bytes = bytes_trace(&routed.lookups.bytes, &routed.lookups.pairs);
    drop(traces_tag);
    // In table order (see `table`).
    let mut heights = vec![
        program_trace.height(),
        routed.cpu_height,
        memory_height,
        access_height,
        range.height(),
        bytes.height(),
    ];
    heights.extend(alu.iter().map(|a| a.height));
    let cpu = CpuReplay::new(
        log,
        std::mem::take(&mut routed.checkpoints),
        every,
        routed.cpu_height,
    );
    Ok(RetiredWitness {
        airs,
        output,
        image,
        rebuild: RwLock::new(Some(Rebuild {
            cpu,
            memory: routed.memory,
            access: access_requests,
            alu,
        })),
        program: program_trace,
        range,
        bytes,
        heights,
    })
}

impl RetiredWitness {
    /// The tables.
    pub fn airs(&self) -> &[VmAir] {
        &self.airs
    }

    /// What the run output.
    pub fn output(&self) -> &PublicOutput {
        &self.output
    }

    /// What it holds for the memory model (`zkvm::footprint`): the execution log's bytes,
    /// the rest of the rebuild data's (checkpoints, memory records, request lists), the
    /// whole main traces it keeps (PROGRAM, RANGE, BYTES), and each table's rows before
    /// padding (0 once released).
    pub fn footprint(&self) -> Footprint {
        let guard = self.rebuild.read().expect("no prover thread panicked");
        let cells = |m: &RowMajorMatrix<Felt>| (m.values.capacity() * size_of::<Felt>()) as u64;
        let resident = cells(&self.program) + cells(&self.range) + cells(&self.bytes);
        let Some(r) = guard.as_ref() else {
            return Footprint {
                resident_traces: resident,
                ..Footprint::default()
            };
        };
        let log = r.cpu.log_bytes() as u64;
        let witness = (r.cpu.heap_bytes() as u64 - log)
            + (r.memory.capacity() * size_of::<KeyRecord>()) as u64
            + (r.access.capacity() * size_of::<AccessRequest>()) as u64
            + r.alu
                .iter()
                .map(|a| (a.requests.capacity() * size_of::<AluRequest>()) as u64)
                .sum::<u64>();
        let mut rows = self.heights.clone();
        rows[table::CPU] = self.output.cycles as usize;
        rows[table::ACCESS] = r.access.len();
        for a in &r.alu {
            rows[table::alu(a.table)] = a.requests.len();
        }
        Footprint {
            execution_log: log,
            witness,
            resident_traces: resident,
            rows,
        }
    }
}

impl TraceSource for RetiredWitness {
    fn heights(&self) -> Vec<usize> {
        self.heights.clone()
    }

    fn rows(&self, t: usize, start: usize, len: usize) -> RowMajorMatrix<Felt> {
        self.rows_in(t, start, len, Vec::new())
    }

    fn rows_in(
        &self,
        t: usize,
        start: usize,
        len: usize,
        buffer: Vec<Felt>,
    ) -> RowMajorMatrix<Felt> {
        let guard = self.rebuild.read().expect("no prover thread panicked");
        let rebuild = || guard.as_ref().expect("rows asked for after release");
        let copy = |m: &RowMajorMatrix<Felt>, buffer| {
            let mut values = reuse_buffer(buffer, len * m.width);
            extend_copied(
                &mut values,
                &m.values[start * m.width..(start + len) * m.width],
            );
            RowMajorMatrix::new(values, m.width)
        };
        match t {
            table::PROGRAM => copy(&self.program, buffer),
            table::CPU => {
                let mut values = reuse_buffer(buffer, len * cpu::col::WIDTH);
                let program_air = program_air(&self.airs);
                rebuild()
                    .cpu
                    .rows_into(program_air, &self.image, start, len, &mut values);
                RowMajorMatrix::new(values, cpu::col::WIDTH)
            }
            table::MEMORY => copy(
                &memory_trace(&rebuild().memory, &mut RangeCounts::default()),
                buffer,
            ),
            table::ACCESS => request_rows(
                &rebuild().access,
                (start, len, buffer),
                access::WIDTH,
                |r, rows| access_rows(r, rows, None),
            ),
            table::RANGE => copy(&self.range, buffer),
            table::BYTES => copy(&self.bytes, buffer),
            _ if (table::FIRST_ALU..table::COUNT).contains(&t) => {
                rebuild().alu[t - table::FIRST_ALU].rows(start, len, buffer)
            }
            _ => panic!("the zkVM has no table {t}"),
        }
    }

    fn release(&self) {
        *self.rebuild.write().expect("no prover thread panicked") = None;
    }
}
