//! `bench predict`: the memory model's predicted peak heap of each mode, its phase and its
//! breakdown by buffer kind, before any prove (the program is executed and routed once to
//! learn its table heights).

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use prover::modes::{Flag, MemoryMode};

use crate::analysis::mode_fit::{Candidate, Fit, choose};
use crate::report::units::mib_of;

use crate::commands::outcome::Outcome;
use crate::measure::predict::{Predictor, every_mode, provable};
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use crate::model::results::ResultsFile;
use crate::report::predict::{beside_measurement, predictions_text};

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
    /// Fail after this many cycles without a halt (`None`: the default scaled to the memory
    /// available, `measure::cycles`, as `bench prove`'s).
    pub max_cycles: Option<u64>,
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
        crate::measure::cycles::cycle_limit(request.max_cycles, true).cycles,
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

/// `bench run`'s lines: each entry's predicted peak beside its measured median and the
/// error (a program that cannot be predicted gets a line saying why).
pub fn beside_measurements(
    programs: &[ProgramSpec],
    config: &ProveConfig,
    file: &ResultsFile,
) -> Vec<String> {
    let mut lines = Vec::new();
    for spec in programs {
        let predictor = match Predictor::new(spec, None, config, prover::vm::DEFAULT_MAX_CYCLES) {
            Ok(p) => p,
            Err(e) => {
                lines.push(format!("no prediction for {}: {e:#}", spec.name()));
                continue;
            }
        };
        for entry in file.entries.iter().filter(|e| e.fixture == spec.name()) {
            if provable(entry.mode) {
                let p = predictor.predict(entry.mode);
                let measured = entry.summary.median_peak_heap_bytes;
                lines.push(beside_measurement(&predictor.name, &p, measured));
            }
        }
    }
    lines
}

/// What `--fit` is asked: a memory budget, a margin, where the speed order comes from.
#[derive(Clone, Debug)]
pub struct FitRequest {
    /// The budget, bytes.
    pub budget: u64,
    /// The margin above the predicted peak, percent.
    pub margin_pct: f64,
    /// A results file to rank the modes by (median prove times), instead of
    /// [`DEFAULT_SPEED_FILE`].
    pub speed_from: Option<PathBuf>,
}

/// The committed mode table whose time ratios rank the modes by default (fib_iterative_1200k
/// on 2 cores, 3 interleaved runs a mode, session 11).
pub const DEFAULT_SPEED_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../reports/modes/fib_iterative_1200k-session11b.json"
);

/// Each mode's median prove time over default's in `path`: the entries of `program` if the
/// file has them, else those of its first fixture. Returns the fixture used too.
fn time_ratios(path: &Path, program: &str) -> Result<(String, BTreeMap<MemoryMode, f64>)> {
    let file = crate::model::results::ResultsFile::load(path)
        .with_context(|| format!("reading the speed order from {}", path.display()))?;
    let fixture = if file.entries.iter().any(|e| e.fixture == program) {
        program.to_string()
    } else {
        match file.entries.first() {
            Some(e) => e.fixture.clone(),
            None => bail!("{} holds no entries to rank the modes by", path.display()),
        }
    };
    let times: BTreeMap<MemoryMode, f64> = file
        .entries
        .iter()
        .filter(|e| e.fixture == fixture)
        .filter_map(|e| e.summary.median_prove_seconds.map(|t| (e.mode, t)))
        .collect();
    let Some(&base) = times.get(&MemoryMode::DEFAULT) else {
        bail!("{} has no default-mode time for {fixture}", path.display());
    };
    Ok((
        fixture,
        times.into_iter().map(|(m, t)| (m, t / base)).collect(),
    ))
}

/// `--fit`: the fastest mode (and table parallelism) predicted to fit, said on stderr; an
/// error naming the leanest mode's predicted peak when nothing fits. `verify-and-drop` is
/// not a candidate: it keeps no whole-run proof.
pub fn choose_mode(
    program: &ProgramSpec,
    input: Option<Vec<u32>>,
    config: &ProveConfig,
    fit: &FitRequest,
) -> Result<(MemoryMode, Option<NonZeroUsize>)> {
    let predictor = Predictor::new(program, input, config, prover::vm::DEFAULT_MAX_CYCLES)?;
    let path = fit
        .speed_from
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SPEED_FILE));
    let (fixture, ratios) = time_ratios(&path, &predictor.name)?;
    let auto = prover::stark::MemoryPlan::KEEP_ALL.parallelism();
    let mut parallelisms = vec![auto];
    if auto > 1 {
        parallelisms.push(1);
    }
    let candidates: Vec<Candidate> = every_mode()
        .into_iter()
        .filter(|m| !m.has(Flag::VerifyAndDrop))
        .flat_map(|mode| {
            let predictor = &predictor;
            let ratio = ratios.get(&mode).copied();
            parallelisms.iter().map(move |&p| Candidate {
                mode,
                parallelism: p,
                predicted_peak_bytes: predictor
                    .predict_at(mode, NonZeroUsize::new(p))
                    .predicted_peak_bytes,
                time_ratio: ratio,
            })
        })
        .collect();
    let budget = mib_of(fit.budget as f64);
    match choose(&candidates, fit.budget, fit.margin_pct) {
        Some(Fit::Fits(c)) => {
            eprintln!(
                "--fit {budget} (margin {} %): {} at table parallelism {}, predicted peak {}; \
                 speed order from {} ({fixture}, median prove time ratios{})",
                fit.margin_pct,
                c.mode,
                c.parallelism,
                mib_of(c.predicted_peak_bytes as f64),
                path.display(),
                c.time_ratio
                    .map_or(String::new(), |r| format!(": this mode {r:.2}x default")),
            );
            Ok((c.mode, NonZeroUsize::new(c.parallelism)))
        }
        Some(Fit::Nothing(c)) => bail!(
            "nothing fits in {budget} with a {} % margin: the leanest mode, {} at table \
             parallelism {}, is predicted to peak at {}",
            fit.margin_pct,
            c.mode,
            c.parallelism,
            mib_of(c.predicted_peak_bytes as f64)
        ),
        None => bail!("no mode to choose from"),
    }
}
