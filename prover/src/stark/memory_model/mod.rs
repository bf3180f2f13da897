//! The memory model: what a prove will hold, predicted before it runs.
//!
//! Two pure steps, one module each:
//!
//! * [`lifetimes`]: the schedule. From a [`ModelInput`] (the mode's [`MemoryPlan`] flags, the
//!   table layout: every instance's height and widths, the blowup, the Merkle levels held,
//!   the FRI folds, the queries, table parallelism, and what the zkVM holds beside the
//!   STARK) to the prove's buffers, instance by instance and phase by phase, in the order
//!   the prover makes and frees them: each a [`Buffer`] of one heap kind ([`Tag`]) with the
//!   step that makes it and the step that frees it. A buffer of the same instance and kind
//!   made again later is a rebuild ([`Schedule::lifetimes`] lists them as such).
//! * [`predict`]: the bytes of each kind live at each phase's peak, and the prove's peak,
//!   from the schedule alone.
//!
//! The schedule asks the store's [`Policy`](crate::stark::policy::Policy) what to keep, as
//! the store does, and follows the store's and `prover.rs`'s steps in order
//! (`harness/tests/prediction.rs` checks the prediction against the counting allocator's
//! measurement in every mode, phase by phase and kind by kind, and `bench predict` prints it
//! for any program). What it leaves out is small against the
//! peak: scratch below a few rows, per-job hashing buffers, twiddle tables (counted per
//! NTT size, [`predict::TWIDDLE_BYTES_PER_POINT`]), allocator headers.

pub mod lifetimes;
pub mod predict;

pub use lifetimes::{Buffer, Lifetime, ModelPhase, Schedule, Step, schedule};
pub use predict::{PhasePrediction, Prediction, predict};

use crate::memtag::Tag;
use crate::stark::MemoryPlan;

/// One table instance (chunk) as the model sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceShape {
    /// The table it belongs to.
    pub table: usize,
    /// log2 of its rows.
    pub log_height: usize,
    /// Preprocessed columns.
    pub pre: usize,
    /// Main columns.
    pub main: usize,
    /// Aux columns (extension elements; 0 without a bus).
    pub aux: usize,
}

/// What the program's side (the zkVM) holds beside the STARK, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outside {
    /// The main traces are materialised before the prove (every instance's main trace
    /// resident from the start, handed to the prover chunk by chunk), rather than rebuilt
    /// on demand (`retire_traces`).
    pub materialised: bool,
    /// With retired traces: the execution log kept for the CPU replay.
    pub execution_log: u64,
    /// With retired traces: request lists, checkpoints, memory records.
    pub witness: u64,
    /// With retired traces: the main traces the source keeps whole (PROGRAM, RANGE, BYTES),
    /// handed out as copies.
    pub resident_traces: u64,
    /// Held through the whole prove and not the STARK's (a continuation's executor and
    /// chain state).
    pub other: u64,
}

/// Everything the model reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelInput {
    /// The instances, in the prover's instance order.
    pub instances: Vec<InstanceShape>,
    /// log2 of the LDE blowup.
    pub log_blowup: usize,
    /// FRI stops folding at `2^log_final_poly_len`.
    pub log_final_poly_len: usize,
    /// Queries per FRI.
    pub num_queries: usize,
    /// The mode's flags (its `table_parallelism` is ignored: see `parallelism`).
    pub plan: MemoryPlan,
    /// Instances in flight per phase.
    pub parallelism: usize,
    /// What the zkVM holds.
    pub outside: Outside,
}

/// Bytes per heap kind, indexed by [`Tag::index`].
pub type Kinds = [u64; Tag::COUNT];

/// Bytes per kind as `(name, bytes)` pairs, the non-zero ones only.
pub fn named(kinds: &Kinds) -> Vec<(&'static str, u64)> {
    Tag::ALL
        .into_iter()
        .filter(|t| kinds[t.index()] > 0)
        .map(|t| (t.name(), kinds[t.index()]))
        .collect()
}
