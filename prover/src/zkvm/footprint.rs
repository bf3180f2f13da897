//! The memory model's input for a zkVM run: the table layout and what the zkVM holds beside
//! the STARK, learnt by executing and routing the program (as `trace-retire` does, so no
//! trace is made and nothing is proved), then one [`ModelInput`] per memory mode.
//!
//! `verify-and-drop` proves in epochs: the program is run again epoch by epoch from each
//! epoch's start, as the continuation driver runs it, and each epoch's log routed (no CPU
//! trace made) for its tables' heights, exactly those the epoch's prove has; the prediction
//! is the largest epoch's. (Scaling the run's tables to an epoch's cycles instead, and
//! keeping the run's MEMORY rows, over-predicted `hashmap_1M` by 7.9 %: its epochs touch a
//! quarter of the run's memory keys, and its request mix is not uniform across epochs.)

use std::num::NonZeroUsize;

use super::{EPOCH_LOG2_RANGE, VmAir, VmProveError, build_retired_witness, table, tables};
use crate::air::alu::{AluTable, alu_table_height, route_alu};
use crate::air::memory::MemoryAir;
use crate::air::witness::{self, CpuRows, Origin};
use crate::modes::{Flag, MemoryMode};
use crate::stark::memory_model::{self, InstanceShape, ModelInput, Outside, Prediction};
use crate::stark::symbolic::AirInfo;
use crate::stark::trace::{Instance, instances};
use crate::stark::{Air, MemoryPlan, StarkParams};
use crate::vm::{Executor, Memory, Program, RunState};

use super::ProveOptions;

/// Heap the continuation driver holds beside each epoch's prove (the executor's pages and
/// the epoch's start snapshot), measured at `fib_iterative_64k` (4.0 MiB above default's
/// untagged heap in every phase).
pub const EPOCH_DRIVER_BYTES: u64 = 4 << 20;

/// What a routed run holds, and its tables' rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The execution log.
    pub execution_log: u64,
    /// Checkpoints, memory records, request lists.
    pub witness: u64,
    /// The main traces kept whole (PROGRAM, RANGE, BYTES).
    pub resident_traces: u64,
    /// Each table's rows before padding (empty once released).
    pub rows: Vec<usize>,
}

impl Footprint {
    /// The bytes held beside the prover through a prove that retires its traces: the
    /// execution log, the rest of the witness and the resident traces.
    pub fn held(&self) -> u64 {
        self.execution_log + self.witness + self.resident_traces
    }
}

/// The prover's budget ([`MemoryPlan::stark_budget`](crate::stark::MemoryPlan::stark_budget))
/// for a whole-prove `budget` ([`ProveOptions::memory_budget`]): what is left once
/// `footprint`'s held bytes are counted (under the modes that take a budget they are held
/// through the whole prove, the same bytes in every phase).
pub fn stark_budget(budget: Option<u64>, footprint: &Footprint) -> Option<u64> {
    budget.map(|b| b.saturating_sub(footprint.held()))
}

/// A program's run as the model needs it.
#[derive(Clone, Debug)]
pub struct RunShape {
    /// The whole-run tables.
    pub airs: Vec<VmAir>,
    /// The epoch tables (MEMORY in its boundary form).
    pub epoch_airs: Vec<VmAir>,
    /// Cycles.
    pub cycles: u64,
    /// The table heights (padded).
    pub heights: Vec<usize>,
    /// What the retired witness holds, and rows before padding.
    pub footprint: Footprint,
    /// Each epoch's table heights (padded) under `verify-and-drop` at the `epoch_log2`
    /// [`run_shape`] was given, in epoch order.
    pub epochs: Vec<Vec<usize>>,
}

/// Executes and routes `program` on `input` (no trace materialised, nothing proved): the
/// whole run, and each epoch of `2^epoch_log2` cycles as `verify-and-drop` proves them
/// (an epoch size outside [`EPOCH_LOG2_RANGE`] is an error, as the continuation's).
pub fn run_shape(
    program: &Program,
    input: &[u32],
    options: &ProveOptions,
    epoch_log2: u32,
) -> Result<RunShape, VmProveError> {
    let options = ProveOptions {
        mode: MemoryMode::of(&[Flag::TraceRetire]),
        ..*options
    };
    if !EPOCH_LOG2_RANGE.contains(&epoch_log2) {
        return Err(VmProveError::EpochLog2(epoch_log2));
    }
    let witness = build_retired_witness(program, input, &options)?;
    use crate::stark::TraceSource as _;
    let (airs, cycles) = (witness.airs().to_vec(), witness.output().cycles);
    let (heights, footprint) = (witness.heights(), witness.footprint());
    // The whole run's witness goes before the epochs are routed, so that the two are never
    // held together.
    drop(witness);
    let epoch_airs = tables(program, MemoryAir::BOUNDARY);
    let epochs = epoch_heights(program, input, &options, epoch_log2, &epoch_airs, &heights)?;
    Ok(RunShape {
        airs,
        epoch_airs,
        cycles,
        heights,
        footprint,
        epochs,
    })
}

/// Every epoch's table heights (padded): the program run epoch by epoch from each epoch's
/// snapshot and each log routed from that snapshot's memory, as `continuation::drive` does
/// before it builds the epoch's traces; the heights are those the trace builders give
/// (`cpu_height`, MEMORY's `next_power_of_two` of its records, ACCESS and the ALU tables
/// padded per chunk), the fixed tables (PROGRAM, RANGE, BYTES) the run's (`run_heights`).
fn epoch_heights(
    program: &Program,
    input: &[u32],
    options: &ProveOptions,
    epoch_log2: u32,
    airs: &[VmAir],
    run_heights: &[usize],
) -> Result<Vec<Vec<usize>>, VmProveError> {
    let VmAir::Program(program_air) = &airs[table::PROGRAM] else {
        unreachable!("PROGRAM is table 0")
    };
    let log_split_rows = options.params.log_split_rows();
    let epoch_cycles = 1u64 << epoch_log2;
    let mut exec = Executor::new(program, input).with_logging(true);
    let mut out = Vec::new();
    while exec.cycles() < options.max_cycles {
        let start = exec.snapshot();
        let state = exec.run_for(epoch_cycles.min(options.max_cycles - exec.cycles()))?;
        let log = exec.take_log().expect("logging is on");
        exec.set_logging(true);
        let halted = matches!(state, RunState::Halted { .. });
        let memory = Memory::from_pages(&start.pages);
        let origin = Origin::Epoch {
            memory: &memory,
            regs: start.regs,
            out_idx: start.public_output.len() as u32,
            end_pc: (!halted).then(|| exec.pc()),
        };
        let every = 1 << log_split_rows;
        let routed = witness::route(
            program_air,
            &origin,
            &log,
            &options.params,
            CpuRows::Checkpoints { every },
        )?;
        let mut h = run_heights.to_vec();
        h[table::CPU] = routed.cpu_height;
        h[table::MEMORY] = routed.memory.len().next_power_of_two().max(4);
        h[table::ACCESS] = alu_table_height(routed.access.len(), log_split_rows);
        for (&t, requests) in AluTable::ALL.iter().zip(route_alu(&routed.alu)) {
            h[table::alu(t)] = alu_table_height(requests.len(), log_split_rows);
        }
        out.push(h);
        if halted {
            break;
        }
    }
    Ok(out)
}

/// The model's instances for `airs` at `heights`.
fn shapes(
    airs: &[VmAir],
    heights: &[usize],
    params: &StarkParams,
    public: usize,
) -> Vec<InstanceShape> {
    let infos: Vec<Option<AirInfo>> = airs.iter().map(|a| AirInfo::of(a, public).ok()).collect();
    let aux: Vec<usize> = infos
        .iter()
        .map(|i| i.as_ref().map_or(0, AirInfo::aux_width))
        .collect();
    let chunk_logs: Vec<usize> = infos
        .iter()
        .map(|i| params.log_chunk_height(i.as_ref().is_some_and(AirInfo::has_transitions)))
        .collect();
    instances(heights, &chunk_logs)
        .into_iter()
        .map(
            |Instance {
                 table, log_height, ..
             }| InstanceShape {
                table,
                log_height,
                pre: airs[table].preprocessed_width(),
                main: airs[table].main_width(),
                aux: aux[table],
            },
        )
        .collect()
}

/// The model's inputs for `mode`: one, or one per distinct epoch shape with
/// `verify-and-drop` ([`RunShape::epochs`], routed at [`run_shape`]'s `epoch_log2`).
/// `memory_budget` is the whole prove's ([`ProveOptions::memory_budget`]), for a mode that
/// [takes one](MemoryMode::takes_budget); any other is predicted without it (its prove
/// refuses one).
pub fn model_inputs(
    run: &RunShape,
    mode: MemoryMode,
    params: &StarkParams,
    table_parallelism: Option<NonZeroUsize>,
    memory_budget: Option<u64>,
) -> Vec<ModelInput> {
    let plan = MemoryPlan {
        stark_budget: stark_budget(
            memory_budget.filter(|_| mode.takes_budget()),
            &run.footprint,
        ),
        ..mode.without(Flag::VerifyAndDrop).plan(table_parallelism)
    };
    let base = |instances, outside| ModelInput {
        instances,
        log_blowup: params.log_blowup,
        log_final_poly_len: params.log_final_poly_len,
        num_queries: params.num_queries(),
        plan,
        parallelism: plan.parallelism(),
        outside,
    };
    if !mode.has(Flag::VerifyAndDrop) {
        let f = &run.footprint;
        let outside = if plan.retire_traces {
            Outside {
                materialised: false,
                execution_log: f.execution_log,
                witness: f.witness,
                resident_traces: f.resident_traces,
                other: 0,
            }
        } else {
            Outside {
                materialised: true,
                ..Outside::default()
            }
        };
        return vec![base(shapes(&run.airs, &run.heights, params, 0), outside)];
    }
    let mut shapes_seen: Vec<&Vec<usize>> = Vec::new();
    for h in &run.epochs {
        if !shapes_seen.contains(&h) {
            shapes_seen.push(h);
        }
    }
    shapes_seen
        .into_iter()
        .map(|heights| {
            let outside = Outside {
                materialised: true,
                other: EPOCH_DRIVER_BYTES,
                ..Outside::default()
            };
            // An epoch's statement has three public values (`continuation::public_values`).
            base(shapes(&run.epoch_airs, heights, params, 3), outside)
        })
        .collect()
}

/// The predicted memory of proving `run` in `mode`: the largest of its inputs'.
pub fn predict(
    run: &RunShape,
    mode: MemoryMode,
    params: &StarkParams,
    table_parallelism: Option<NonZeroUsize>,
    memory_budget: Option<u64>,
) -> Prediction {
    model_inputs(run, mode, params, table_parallelism, memory_budget)
        .iter()
        .map(memory_model::predict)
        .reduce(|a, b| if b.peak > a.peak { b } else { a })
        .expect("at least one input")
}
