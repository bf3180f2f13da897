//! Where a run's instructions went: per span of the prove ([`PhaseInstructions`], summing
//! exactly to the run's count) and per function ([`FunctionCounts`], grouped names of
//! `analysis::symbols`). Both come from one run under callgrind (`measure::callgrind`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Instructions of one span of the worker process: a prover phase (`main_commit`, ...),
/// `execute+trace`, `verify+execute` (between verify-and-drop epochs) or `outside`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseInstructions {
    /// The span's name.
    pub name: String,
    /// Its instructions (all epochs together).
    pub instructions: u64,
}

/// Instructions per function group (self cost: what the function's own code executed,
/// inlined code included), over the whole worker process.
pub type FunctionCounts = BTreeMap<String, u64>;

/// The instructions of the span named `name`, if the list has it.
pub fn phase_count(phases: &[PhaseInstructions], name: &str) -> Option<u64> {
    phases
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.instructions)
}

/// Functions below this share of a night's count are left out of the nightly history.
pub const HISTORY_MIN_SHARE: f64 = 1e-4;

/// The functions holding at least [`HISTORY_MIN_SHARE`] of `total` (what the nightly
/// history keeps; a night's table compares the functions both nights kept).
pub fn kept_functions(functions: &FunctionCounts, total: u64) -> FunctionCounts {
    functions
        .iter()
        .filter(|&(_, &n)| n as f64 >= HISTORY_MIN_SHARE * total as f64)
        .map(|(k, &n)| (k.clone(), n))
        .collect()
}
