//! The default memory check of a prove (`bench prove`, and so every `bench run` worker):
//! without `--max-memory`, a prove whose predicted peak heap (the memory model,
//! [`Predictor`]) plus [`MARGIN_PCT`] does not fit in the memory available is refused before
//! it starts, with the prediction, the leanest mode's, and what to pass instead. Without it,
//! a large enough input (between about MemAvailable / 2,400 and MemAvailable / 84 cycles,
//! where the cycle limit of `measure::cycles` does not stop it) was killed by the kernel.
//!
//! The decision: one mechanism, the prediction, which costs one execution and routing of
//! the program (0.13 s at 1M cycles, 1.2 s at 8M; no trace). It runs before the measured
//! prove, whose timer starts after it; its allocations (the execution log and the routed
//! witness) are freed before the prove, which holds at least as much, so the measured peak
//! is unchanged. `--max-memory` skips it: the cap then turns running out of memory into an
//! `out of memory` error (`commands::oom`), so a user who knows better can still try. Where
//! the memory available is unknown (no `/proc/meminfo`), nothing is checked.
//!
//! A plan of runs (`bench run`, `nightly`, `growth`: `measure::plan::fill`) is checked
//! once, before its first prove, entry by entry ([`check_plan`]); its workers are then told
//! so ([`CHECKED_ENV`]) and skip the check, so that it costs neither their instruction
//! counts nor a prediction per run.
//!
//! Test seam: `BENCH_MEM_AVAILABLE` (`measure::cycles`) replaces `MemAvailable`.

use std::num::NonZeroUsize;

use prover::modes::{Flag, MemoryMode};
use prover::vm::Program;
use thiserror::Error;

use crate::analysis::mode_fit::fits;
use crate::measure::cycles::{cycle_limit, human_bytes, mem_available};
use crate::measure::predict::{PredictError, Predictor, every_mode, provable};
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;

/// The margin above the predicted peak, percent: the model's error (within 5 % on every
/// fixture measured) and what the allocator and the rest of the machine hold beside the
/// heap. The same as `--fit`'s default margin.
pub const MARGIN_PCT: f64 = 10.0;

/// Set (to `1`) in a worker's environment by a plan whose entries were checked already:
/// the worker skips its own check.
pub const CHECKED_ENV: &str = "BENCH_MEMORY_CHECKED";

/// Whether this process's plan checked it already ([`CHECKED_ENV`]).
pub fn checked_by_plan() -> bool {
    std::env::var_os(CHECKED_ENV).is_some_and(|v| v == "1")
}

/// Why the check refused a prove.
#[derive(Debug, Error)]
pub enum MemoryCheckError {
    /// The program could not be executed to learn its table heights.
    #[error(transparent)]
    Predict(#[from] PredictError),
    /// The mode's predicted peak does not fit.
    #[error(
        "refusing to prove {name} in mode {mode}: its predicted peak heap, {} (in {phase}), with a {MARGIN_PCT} % margin does not fit in the {} of memory available; {suggestion}, or pass --max-memory GIB to prove anyway under that cap",
        human_bytes(*predicted),
        human_bytes(*available)
    )]
    WouldNotFit {
        /// The program.
        name: String,
        /// The mode asked for.
        mode: MemoryMode,
        /// Its predicted peak heap.
        predicted: u64,
        /// The phase of that peak.
        phase: String,
        /// The memory available.
        available: u64,
        /// What to try instead.
        suggestion: String,
    },
    /// Entries of a plan are predicted not to fit.
    #[error(
        "refusing to start: {} predicted not to fit in the {} of memory available (predicted peak heap + {MARGIN_PCT} %): {}; leave those modes out (`bench predict` shows every mode's peak), or pass --max-memory GIB to run them anyway under that cap",
        if entries.len() == 1 { "1 entry is".to_string() } else { format!("{} entries are", entries.len()) },
        human_bytes(*available),
        entries.join(", ")
    )]
    PlanWouldNotFit {
        /// `program · mode predicted PEAK (in PHASE)` for each.
        entries: Vec<String>,
        /// The memory available.
        available: u64,
    },
}

/// Checks every (program, modes) entry of a plan before its first prove; a program whose
/// run cannot be executed is left to its workers, which fail with the run's own error.
pub fn check_plan(
    entries: &[(&ProgramSpec, Vec<MemoryMode>)],
    config: &ProveConfig,
    table_parallelism: Option<NonZeroUsize>,
) -> Result<(), MemoryCheckError> {
    let Some(available) = mem_available() else {
        return Ok(());
    };
    let max_cycles = cycle_limit(None, true).cycles;
    let mut refused = Vec::new();
    for (program, modes) in entries.iter().filter(|(_, m)| !m.is_empty()) {
        let Ok(predictor) = Predictor::new(program, None, config, max_cycles) else {
            continue;
        };
        for &mode in modes.iter().filter(|&&m| provable(m)) {
            let p = predictor.predict_at(mode, table_parallelism);
            if !fits(p.predicted_peak_bytes, MARGIN_PCT, available) {
                refused.push(format!(
                    "{} · {mode} {} (in {})",
                    predictor.name,
                    human_bytes(p.predicted_peak_bytes),
                    p.phase
                ));
            }
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(MemoryCheckError::PlanWouldNotFit {
            entries: refused,
            available,
        })
    }
}

/// Refuses `mode` when its predicted peak plus [`MARGIN_PCT`] exceeds the memory available
/// (nothing is checked when that is unknown). `program` runs once, with `max_cycles`.
pub fn check(
    name: &str,
    program: &Program,
    input: &[u32],
    config: &ProveConfig,
    mode: MemoryMode,
    table_parallelism: Option<NonZeroUsize>,
    max_cycles: u64,
) -> Result<(), MemoryCheckError> {
    let Some(available) = mem_available() else {
        return Ok(());
    };
    let predictor = Predictor::of_program(name, program, input, config, max_cycles)?;
    let asked = predictor.predict_at(mode, table_parallelism);
    if fits(asked.predicted_peak_bytes, MARGIN_PCT, available) {
        return Ok(());
    }
    let leanest = every_mode()
        .into_iter()
        .filter(|m| !m.has(Flag::VerifyAndDrop))
        .map(|m| predictor.predict_at(m, table_parallelism))
        .min_by_key(|p| p.predicted_peak_bytes)
        .expect("default is always provable");
    let suggestion = if fits(leanest.predicted_peak_bytes, MARGIN_PCT, available) {
        format!(
            "--fit {}MiB picks the fastest mode predicted to fit (the leanest, {}, is predicted at {})",
            available >> 20,
            leanest.mode,
            human_bytes(leanest.predicted_peak_bytes)
        )
    } else {
        format!(
            "no mode fits: the leanest, {}, is predicted at {} (verify-and-drop proves in epochs: `bench predict` shows its peak)",
            leanest.mode,
            human_bytes(leanest.predicted_peak_bytes)
        )
    };
    Err(MemoryCheckError::WouldNotFit {
        name: name.to_string(),
        mode,
        predicted: asked.predicted_peak_bytes,
        phase: asked.phase,
        available,
        suggestion,
    })
}
