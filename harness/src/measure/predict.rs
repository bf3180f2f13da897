//! The memory model's predictions for a program (`bench predict`, `bench run`'s predicted
//! column, `--fit`): executes and routes the program once to learn its table heights
//! (`prover::zkvm::footprint`), then predicts each mode from the layout alone. Nothing is
//! proved, and nothing is printed.

use std::num::NonZeroUsize;

use prover::memtag::Tag;
use prover::modes::{Flag, MemoryMode};
use prover::stark::memory_model::{Kinds, Prediction};
use prover::zkvm::footprint::{RunShape, predict, run_shape};
use prover::zkvm::{ProveOptions, VmProveError};

use crate::measure::program::{Loaded, ProgramError, load};
use crate::model::config::ProveConfig;
use crate::model::prediction::{ModePrediction, PhasePeak};
use crate::model::program::ProgramSpec;
use crate::model::record::Breakdown;

/// Why a prediction could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    /// The program did not load.
    #[error(transparent)]
    Program(#[from] ProgramError),
    /// The run failed (execution, routing).
    #[error("executing {name} to learn its table heights")]
    Run {
        /// The program.
        name: String,
        /// Why.
        #[source]
        source: VmProveError,
    },
}

/// A program's run, ready to predict any mode.
#[derive(Debug)]
pub struct Predictor {
    /// The program's name.
    pub name: String,
    run: RunShape,
    config: ProveConfig,
    table_parallelism: Option<NonZeroUsize>,
}

/// Whether the prover proves `mode` at all (`verify-and-drop` refuses `trace-retire`).
pub fn provable(mode: MemoryMode) -> bool {
    mode.check_available().is_ok()
        && !(mode.has(Flag::VerifyAndDrop) && mode.has(Flag::TraceRetire))
}

/// Every combination of flags the prover proves, `default` first, then by number of flags
/// (in [`Flag::ALL`] order within each count).
pub fn every_mode() -> Vec<MemoryMode> {
    let n = Flag::ALL.len();
    let mut modes: Vec<MemoryMode> = (0u32..1 << n)
        .map(|bits| {
            let flags: Vec<Flag> = (0..n)
                .filter(|i| bits & (1 << i) != 0)
                .map(|i| Flag::ALL[i])
                .collect();
            MemoryMode::of(&flags)
        })
        .filter(|&m| provable(m))
        .collect();
    modes.sort_by_key(|m| m.flags().len());
    modes
}

impl Predictor {
    /// Loads, executes and routes the program under `config`'s parameters.
    pub fn new(
        program: &ProgramSpec,
        input: Option<Vec<u32>>,
        config: &ProveConfig,
        max_cycles: u64,
    ) -> Result<Self, PredictError> {
        let Loaded {
            name,
            program,
            input,
            ..
        } = load(program, input)?;
        Self::of_program(&name, &program, &input, config, max_cycles)
    }

    /// Executes and routes a loaded `program` named `name` under `config`'s parameters.
    pub fn of_program(
        name: &str,
        program: &prover::vm::Program,
        input: &[u32],
        config: &ProveConfig,
        max_cycles: u64,
    ) -> Result<Self, PredictError> {
        let name = name.to_string();
        let options = ProveOptions {
            params: config.params(),
            max_cycles,
            mode: MemoryMode::DEFAULT,
            table_parallelism: None,
            memory_budget: None,
        };
        let run = run_shape(program, input, &options, config.epoch_log2).map_err(|source| {
            PredictError::Run {
                name: name.clone(),
                source,
            }
        })?;
        Ok(Self {
            name,
            run,
            config: config.clone(),
            table_parallelism: config.table_parallelism.and_then(NonZeroUsize::new),
        })
    }

    /// The run's cycles.
    pub fn cycles(&self) -> u64 {
        self.run.cycles
    }

    /// `mode`'s prediction at the configured table parallelism.
    pub fn predict(&self, mode: MemoryMode) -> ModePrediction {
        self.predict_at(mode, self.table_parallelism)
    }

    /// `mode`'s prediction at table parallelism `parallelism` (`None`: automatic).
    pub fn predict_at(
        &self,
        mode: MemoryMode,
        parallelism: Option<NonZeroUsize>,
    ) -> ModePrediction {
        let p = predict(
            &self.run,
            mode,
            &self.config.params(),
            parallelism,
            self.config.memory_budget,
        );
        to_record(mode, &p)
    }
}

fn breakdown(kinds: &Kinds) -> Breakdown {
    Tag::ALL
        .into_iter()
        .filter(|t| kinds[t.index()] > 0)
        .map(|t| (t.name().to_string(), kinds[t.index()]))
        .collect()
}

fn to_record(mode: MemoryMode, p: &Prediction) -> ModePrediction {
    ModePrediction {
        mode,
        predicted_peak_bytes: p.peak,
        phase: p.phase.name().to_string(),
        breakdown: breakdown(&p.kinds),
        phases: p
            .phases
            .iter()
            .map(|ph| PhasePeak {
                phase: ph.phase.name().to_string(),
                peak_bytes: ph.peak,
                breakdown: breakdown(&ph.kinds),
            })
            .collect(),
    }
}
