//! `bench predict`: the memory model's predicted peak heap of each mode, its phase and its
//! breakdown by buffer kind, before any prove (the program is executed and routed once to
//! learn its table heights).

use std::time::Instant;

use anyhow::Result;
use prover::modes::MemoryMode;

use crate::commands::outcome::Outcome;
use crate::measure::predict::{Predictor, every_mode, provable};
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use crate::report::predict::predictions_text;

/// What `bench predict` is asked.
#[derive(Clone, Debug)]
pub struct PredictRequest {
    /// The program.
    pub program: ProgramSpec,
    /// Input words instead of the program's own.
    pub input: Option<Vec<u32>>,
    /// The modes, comma-separated, or `all` (every combination of flags the prover proves,
    /// [`every_mode`]).
    pub modes: String,
    /// Parameters, table parallelism and epoch size (as a prove's).
    pub config: ProveConfig,
    /// Fail after this many cycles without a halt.
    pub max_cycles: u64,
    /// Print a JSON array instead of text.
    pub json: bool,
}

/// Runs `bench predict`.
pub fn predict(request: &PredictRequest) -> Result<Outcome> {
    let start = Instant::now();
    let predictor = Predictor::new(
        &request.program,
        request.input.clone(),
        &request.config,
        request.max_cycles,
    )?;
    let listed = if request.modes.trim() == "all" {
        every_mode()
    } else {
        MemoryMode::parse_list(&request.modes)?
    };
    let (modes, skipped): (Vec<MemoryMode>, Vec<MemoryMode>) =
        listed.into_iter().partition(|&m| provable(m));
    let predictions: Vec<_> = modes.iter().map(|&m| predictor.predict(m)).collect();
    if request.json {
        println!("{}", serde_json::to_string(&predictions)?);
    } else {
        print!(
            "{}",
            predictions_text(&predictor.name, predictor.cycles(), &predictions)
        );
        for m in skipped {
            println!("{m}: skipped (the prover does not prove this mode)");
        }
        println!(
            "(execution, routing and prediction took {:.0} ms)",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(Outcome::Done)
}
