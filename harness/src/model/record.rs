//! The [`RunRecord`]: everything one measured prove reports. `bench prove --json` prints
//! exactly one, and `bench run` gets one from each worker process. With it: the per-phase
//! [`PhaseRecord`], the [`TableRecord`], the dhat exactness check and the [`Breakdown`] of
//! a peak by buffer kind.

use std::collections::BTreeMap;

use prover::modes::MemoryMode;
use serde::{Deserialize, Serialize};

use crate::model::attribution::{FunctionCounts, PhaseInstructions};
use crate::model::config::ProveConfig;
use crate::model::machine::Machine;

/// What one prove measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Fixture name or ELF path.
    pub fixture: String,
    /// The memory mode.
    pub mode: MemoryMode,
    /// Cycles to the halt (as the proof attests).
    pub cycles: u64,
    /// Wall-clock seconds of execute + trace + prove.
    pub prove_seconds: f64,
    /// Wall-clock seconds of verification.
    pub verify_seconds: f64,
    /// Exact peak of live heap bytes up to the end of proving; `null` when counting is off.
    pub peak_heap_bytes: Option<u64>,
    /// The process's peak resident set (`VmHWM`) at the end of proving.
    pub peak_rss_bytes: Option<u64>,
    /// Size of the encoded proof.
    pub proof_bytes: usize,
    /// SHA3-256 of the encoded proof, hex.
    pub proof_sha3: String,
    /// Whether the proof verified (a proof that does not is an error, not a record).
    pub verified: bool,
    /// Input words.
    pub input: Vec<u32>,
    /// Committed words.
    pub public_output: Vec<u32>,
    /// Exit code at the halt.
    pub exit_code: u32,
    /// Per prover phase: wall seconds, peak live heap, jemalloc's counters at its end.
    pub phases: Vec<PhaseRecord>,
    /// The proof's tables.
    pub tables: Vec<TableRecord>,
    /// Where it ran, built from which source.
    pub machine: Machine,
    /// The prove settings.
    pub config: ProveConfig,
    /// Position in the runner's schedule (0-based); `null` outside `bench run`.
    #[serde(default)]
    pub sequence: Option<usize>,
    /// The exactness check against dhat (only in builds with the `dhat-heap` feature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhat: Option<DhatCheck>,
    /// Epochs proved (continuation modes only).
    /// Instructions the worker process executed, counted by cachegrind (`Ir`), when it ran
    /// under valgrind (`bench run --instructions`). Such a record's time, heap and RSS are
    /// distorted by valgrind and are never used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<u64>,
    /// `instructions` per span of the prove (each phase, `execute+trace`, `outside`...),
    /// summing to it exactly (`measure::callgrind`); empty when not counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruction_phases: Vec<PhaseInstructions>,
    /// `instructions` per verify-and-drop epoch (its phases and its verification).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruction_epochs: Vec<u64>,
    /// `instructions` per function group (demangled, generics and closures folded in,
    /// `analysis::symbols`); empty when not counted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: FunctionCounts,
    /// How the worker that counted was built, when `bench` built it
    /// (`x86-64-v3 build of SHA`, `... of the working tree at SHA (dirty)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction_worker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u32>,
    /// Live heap bytes per buffer kind at the global peak ([`Breakdown`]); empty when
    /// counting is off, and in records older than the heap tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub peak_breakdown: Breakdown,
}

/// Live heap bytes per buffer kind (`prover::memtag::Tag::name`: `main_lde`,
/// `merkle_leaves`, ..., `other` for everything untagged) at one peak. Kinds without bytes
/// are left out; the bytes sum to the peak exactly.
pub type Breakdown = BTreeMap<String, u64>;

/// The kinds of a breakdown, largest first (ties by name).
pub fn largest_kinds(b: &Breakdown) -> Vec<(&str, u64)> {
    let mut v: Vec<(&str, u64)> = b.iter().map(|(k, &n)| (k.as_str(), n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// The counted peak next to dhat's for the same prove. dhat's profiler starts inside
/// `bench prove`, so dhat does not see the blocks allocated before it (command-line parsing
/// and the like, `live_at_start`); when those stay live through the peak,
/// `peak_heap_bytes - live_at_start == dhat_max_bytes` exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhatCheck {
    /// dhat's `max_bytes` (testing mode) at the end of proving.
    pub dhat_max_bytes: u64,
    /// Counted live bytes when dhat's profiler started.
    pub live_at_start: u64,
    /// `peak_heap_bytes - live_at_start`.
    pub counted_peak_since_start: u64,
    /// Whether `counted_peak_since_start == dhat_max_bytes`.
    pub equal: bool,
}

/// One table's size in the proof.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableRecord {
    /// Table name.
    pub name: String,
    /// Rows (padded per chunk, all chunks together).
    pub rows: u64,
    /// Main columns (base field).
    pub main_columns: usize,
    /// LogUp aux columns (extension field, two base limbs each).
    pub aux_columns: usize,
    /// Bytes of main + aux trace per executed cycle.
    pub trace_bytes_per_cycle: f64,
}

/// What one prover phase cost (see `measure::phases` for how it is attributed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseRecord {
    /// The phase's stable name (`prover::stark::Phase::name`).
    pub name: String,
    /// Wall seconds while the phase ran.
    pub seconds: f64,
    /// Largest live heap while the phase ran, in bytes.
    pub peak_heap_bytes: u64,
    /// The allocator's allocated bytes when the phase last ended.
    #[serde(default)]
    pub allocated_bytes: Option<u64>,
    /// The allocator's resident bytes when the phase last ended.
    #[serde(default)]
    pub resident_bytes: Option<u64>,
    /// Live heap bytes per buffer kind at the phase's peak (empty in older records).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub peak_breakdown: Breakdown,
}
