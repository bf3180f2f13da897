//! The sharded measurement's files: the [`ShardPlan`] `bench plan` prints (what each shard of
//! a GitHub Actions matrix measures, and the `include:` list `strategy.matrix` takes as is),
//! and the [`Sharding`] stamp a results file carries when it holds shards of a plan (one
//! shard's file from `bench run --plan`, or all of them from `bench merge`).

use prover::modes::MemoryMode;
use serde::{Deserialize, Serialize};

use crate::model::config::ProveConfig;
use crate::model::machine::Machine;

/// Version of the plan layout; readers refuse other versions.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// GitHub Actions' limit on the jobs one matrix may generate.
/// (docs.github.com, "Using a matrix for your jobs": "A matrix can generate a maximum of 256
/// jobs per workflow run.")
pub const MAX_MATRIX_JOBS: u32 = 256;

/// A whole plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardPlan {
    /// [`PLAN_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// FNV-1a of everything below but the estimates and the matrix (16 hex digits): the
    /// identity every shard's results carry, so that `bench merge` refuses other plans'.
    pub hash: String,
    /// Number of shards (N); shards are numbered 1..=N.
    pub shards: u32,
    /// Timed runs per (fixture, mode).
    pub runs: u32,
    /// Runs under cachegrind per (fixture, mode) (0: none).
    pub instruction_runs: u32,
    /// The settings of every run.
    pub config: ProveConfig,
    /// For `/bench`: the two revisions every shard compares with `bench ab`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Revisions>,
    /// What each shard runs, shard 1 first (every shard listed, empty ones too).
    pub work: Vec<ShardWork>,
    /// `strategy.matrix` as is: `matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}`.
    pub matrix: Matrix,
}

/// The base and head of a `/bench` plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisions {
    /// The base revision.
    pub base: String,
    /// The head revision.
    pub head: String,
}

/// One shard's work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardWork {
    /// 1-based shard number.
    pub shard: u32,
    /// The runner label it needs (the heavy one when any entry is heavy).
    pub runner: String,
    /// Estimated seconds of measuring (both sides of an A/B included).
    pub estimated_seconds: f64,
    /// Its (fixture, mode) entries, in the order asked for.
    pub entries: Vec<PlanEntry>,
}

/// One (fixture, mode): all its runs, never split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanEntry {
    /// The fixture.
    pub fixture: String,
    /// The mode.
    pub mode: MemoryMode,
    /// Estimated seconds of all its runs.
    pub estimated_seconds: f64,
    /// Estimated peak heap, bytes.
    pub estimated_peak_heap_bytes: u64,
    /// Where the estimates come from: `history` or `model` (cycles x a per-mode rate), or
    /// `prediction (heap), history|model (time)` when the memory model predicted the heap.
    pub estimate_from: String,
    /// Whether it needs the heavy runner (memory or time past a standard runner's).
    pub heavy: bool,
}

/// `strategy.matrix`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    /// One job per shard.
    pub include: Vec<MatrixJob>,
}

/// One matrix job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixJob {
    /// 1-based shard number (`bench run --plan plan.json --shard K`).
    pub shard: u32,
    /// The number of shards.
    pub shards: u32,
    /// `runs-on`.
    pub runner: String,
    /// A job name: the shard's entries, shortened.
    pub name: String,
}

/// The stamp of a results file made from a plan: which plan, how many shards, and each
/// shard it holds with its machine and entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sharding {
    /// The plan's hash.
    pub plan: String,
    /// N.
    pub shards: u32,
    /// The shards held: one in a shard's file, all N in a merged one.
    pub parts: Vec<ShardPart>,
}

/// One shard of a results file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardPart {
    /// K.
    pub shard: u32,
    /// The machine it ran on (CPU model, cores, OS, rustc, build flags, revision).
    pub machine: Machine,
    /// Its (fixture, mode) entries.
    pub entries: Vec<(String, MemoryMode)>,
}

impl Sharding {
    /// The machine that measured (`fixture`, `mode`), if a part holds it.
    pub fn machine_of(&self, fixture: &str, mode: MemoryMode) -> Option<&Machine> {
        self.parts
            .iter()
            .find(|p| p.entries.iter().any(|(f, m)| f == fixture && *m == mode))
            .map(|p| &p.machine)
    }
}
