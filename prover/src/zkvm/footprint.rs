//! The memory model's input for a zkVM run: the table layout and what the zkVM holds beside
//! the STARK, learnt by executing and routing the program (as `trace-retire` does, so no
//! trace is made and nothing is proved), then one [`ModelInput`] per memory mode.
//!
//! `verify-and-drop` proves in epochs: each epoch's tables are the run's, scaled to the
//! epoch's cycles (exact for a uniform program such as `fib`; the MEMORY table keeps the
//! run's rows, an upper bound), and the prediction is the largest epoch's.

use std::num::NonZeroUsize;

use super::{VmAir, VmProveError, build_retired_witness, table, tables};
use crate::air::memory::MemoryAir;
use crate::modes::{Flag, MemoryMode};
use crate::stark::memory_model::{self, InstanceShape, ModelInput, Outside, Prediction};
use crate::stark::symbolic::AirInfo;
use crate::stark::trace::{Instance, instances, padded_height};
use crate::stark::{Air, StarkParams};
use crate::vm::Program;

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
}

/// Executes and routes `program` on `input` (no trace materialised, nothing proved).
pub fn run_shape(
    program: &Program,
    input: &[u32],
    options: &ProveOptions,
) -> Result<RunShape, VmProveError> {
    let options = ProveOptions {
        mode: MemoryMode::of(&[Flag::TraceRetire]),
        ..*options
    };
    let witness = build_retired_witness(program, input, &options)?;
    use crate::stark::TraceSource as _;
    Ok(RunShape {
        airs: witness.airs().to_vec(),
        epoch_airs: tables(program, MemoryAir::BOUNDARY),
        cycles: witness.output().cycles,
        heights: witness.heights(),
        footprint: witness.footprint(),
    })
}

/// The model's instances for `airs` at `heights`.
fn shapes(
    airs: &[VmAir],
    heights: &[usize],
    params: &StarkParams,
    public: usize,
) -> Vec<InstanceShape> {
    let aux: Vec<usize> = airs
        .iter()
        .map(|a| AirInfo::of(a, public).map_or(0, |i| i.aux_width()))
        .collect();
    instances(heights, params.log_max_rows)
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

/// The heights of an epoch of `cycles` cycles: every table's rows scaled from the run's,
/// the fixed tables (PROGRAM, RANGE, BYTES) and MEMORY as the run has them.
fn epoch_heights(run: &RunShape, cycles: u64, log_max_rows: usize) -> Vec<usize> {
    let rows = &run.footprint.rows;
    (0..run.heights.len())
        .map(|t| match t {
            table::PROGRAM | table::RANGE | table::BYTES | table::MEMORY => run.heights[t],
            _ => {
                let r = rows.get(t).copied().unwrap_or(run.heights[t]) as u128;
                let scaled = (r * cycles as u128).div_ceil(run.cycles.max(1) as u128) as usize;
                padded_height(scaled, log_max_rows)
            }
        })
        .collect()
}

/// The model's inputs for `mode`: one, or one per distinct epoch shape with
/// `verify-and-drop` (full epochs, then the last).
pub fn model_inputs(
    run: &RunShape,
    mode: MemoryMode,
    params: &StarkParams,
    table_parallelism: Option<NonZeroUsize>,
    epoch_log2: u32,
) -> Vec<ModelInput> {
    let plan = mode.without(Flag::VerifyAndDrop).plan(table_parallelism);
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
    let epoch = 1u64 << epoch_log2;
    let mut lengths = vec![epoch.min(run.cycles)];
    let last = run.cycles % epoch;
    if run.cycles > epoch && last > 0 {
        lengths.push(last);
    }
    lengths
        .into_iter()
        .map(|cycles| {
            let heights = epoch_heights(run, cycles, params.log_max_rows);
            let outside = Outside {
                materialised: true,
                other: EPOCH_DRIVER_BYTES,
                ..Outside::default()
            };
            // An epoch's statement has three public values (`continuation::public_values`).
            base(shapes(&run.epoch_airs, &heights, params, 3), outside)
        })
        .collect()
}

/// The predicted memory of proving `run` in `mode`: the largest of its inputs'.
pub fn predict(
    run: &RunShape,
    mode: MemoryMode,
    params: &StarkParams,
    table_parallelism: Option<NonZeroUsize>,
    epoch_log2: u32,
) -> Prediction {
    model_inputs(run, mode, params, table_parallelism, epoch_log2)
        .iter()
        .map(memory_model::predict)
        .reduce(|a, b| if b.peak > a.peak { b } else { a })
        .expect("at least one input")
}
