//! `bench plan`: prints the shard plan of a GitHub Actions matrix as JSON on stdout
//! (`analysis::shard`: a stable hash of (fixture, mode) per shard, estimates from the
//! histories given, runner labels for heavy entries, at most 256 shards), and with `--out`
//! also writes it (atomically). Each shard then runs `bench run --plan FILE --shard K`.
//!
//! Decisions: fixtures are taken by name (`--fixture`, repeatable) and from a list file
//! (`--fixture-list`, one name a line, `#` comments), each checked against the catalogue,
//! whose cycle counts feed the estimates. The table parallelism is pinned (default 1), so
//! that the exact heap does not depend on a shard runner's core count and is judged across
//! machines. A shard estimated past GitHub's 6 h job limit is named on stderr. Every entry's
//! peak heap is predicted by the memory model (`measure::predict`), so that the heavy runner
//! label goes to the entries that need it by this checkout's code, not last night's.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use prover::fixtures::Catalogue;
use prover::modes::MemoryMode;

use crate::analysis::shard::{self, PlanRequest};
use crate::commands::outcome::Outcome;
use crate::commands::run::note_skipped;
use crate::measure::plan::resolve_modes;
use crate::measure::predict::{Predictor, provable};
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use crate::model::shard::Revisions;
use crate::store::files::write_text;
use crate::store::history;

/// GitHub's limit on one job's time, seconds.
const JOB_LIMIT_SECONDS: f64 = 6.0 * 3600.0;

/// What `bench plan` is asked.
#[derive(Clone, Debug)]
pub struct PlanCommand {
    /// Fixtures by name.
    pub fixtures: Vec<String>,
    /// A file of fixture names, one a line.
    pub fixture_list: Option<PathBuf>,
    /// Modes, comma-separated (`None`: every available mode).
    pub modes: Option<String>,
    /// Timed runs per entry.
    pub runs: u32,
    /// Runs under cachegrind per entry.
    pub instruction_runs: u32,
    /// Shards.
    pub shards: u32,
    /// Table parallelism of every run.
    pub table_parallelism: NonZeroUsize,
    /// `/bench`: base revision.
    pub base: Option<String>,
    /// `/bench`: head revision.
    pub head: Option<String>,
    /// Label of ordinary shards.
    pub runner: String,
    /// Label of shards with a heavy entry.
    pub heavy_runner: String,
    /// Heavy above this estimated heap, bytes.
    pub heavy_heap_bytes: u64,
    /// Nightly histories to estimate from.
    pub history: Vec<PathBuf>,
    /// Also write the plan here.
    pub out: Option<PathBuf>,
}

/// Runs `bench plan`.
pub fn plan(request: &PlanCommand) -> Result<Outcome> {
    let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
    let mut names = request.fixtures.clone();
    if let Some(list) = &request.fixture_list {
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("cannot read {}", list.display()))?;
        names.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or("").trim())
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    if names.is_empty() {
        bail!("no fixture: name one with --fixture or --fixture-list");
    }
    let mut fixtures = Vec::new();
    for name in names {
        let f = catalogue.get(&name)?;
        fixtures.push((name, f.cycles));
    }
    let (modes, skipped) = resolve_modes(request.modes.as_deref())?;
    note_skipped(&skipped);
    let revisions = match (&request.base, &request.head) {
        (Some(base), Some(head)) => Some(Revisions {
            base: base.clone(),
            head: head.clone(),
        }),
        (None, None) => None,
        _ => bail!("--base and --head go together"),
    };
    let mut past = Vec::new();
    for h in &request.history {
        let read = history::load(h)?;
        if let Some(t) = &read.torn {
            eprintln!(
                "note: {}:{}: torn last line left out of the estimates",
                h.display(),
                t.line
            );
        }
        past.extend(read.records);
    }
    let config = ProveConfig {
        table_parallelism: Some(request.table_parallelism.get()),
        ..ProveConfig::STANDARD
    };
    let predicted_heaps = predict_heaps(&fixtures, &modes, &config);
    let plan = shard::plan(
        &PlanRequest {
            fixtures,
            modes,
            runs: request.runs,
            instruction_runs: request.instruction_runs,
            shards: request.shards,
            config,
            revisions,
            runner: request.runner.clone(),
            heavy_runner: request.heavy_runner.clone(),
            heavy_heap_bytes: request.heavy_heap_bytes,
            heavy_seconds: 5.0 * 3600.0,
            predicted_heaps,
        },
        &past,
    )?;
    for w in &plan.work {
        if w.estimated_seconds > JOB_LIMIT_SECONDS {
            eprintln!(
                "warning: shard {} is estimated at {:.1} h, past GitHub's 6 h job limit: use more shards",
                w.shard,
                w.estimated_seconds / 3600.0
            );
        }
        if w.entries.is_empty() {
            eprintln!(
                "note: shard {} has no entry (its job measures nothing)",
                w.shard
            );
        }
    }
    let text = serde_json::to_string_pretty(&plan)? + "\n";
    if let Some(out) = &request.out {
        write_text(out, &text)?;
    }
    print!("{text}");
    Ok(Outcome::Done)
}

/// The memory model's predicted peak heap of every (fixture, mode) at `config` (each fixture
/// executed and routed once: about 0.15 s at 1M cycles, 1.2 s at 8M). A fixture that cannot
/// be executed is named on stderr and keeps the history's or the model's estimate.
fn predict_heaps(
    fixtures: &[(String, u64)],
    modes: &[MemoryMode],
    config: &ProveConfig,
) -> Vec<(String, MemoryMode, u64)> {
    let mut out = Vec::new();
    for (name, _) in fixtures {
        let spec = ProgramSpec::Fixture(name.clone());
        match Predictor::new(&spec, None, config, prover::vm::DEFAULT_MAX_CYCLES) {
            Ok(p) => out.extend(
                modes
                    .iter()
                    .filter(|&&m| provable(m))
                    .map(|&m| (name.clone(), m, p.predict(m).predicted_peak_bytes)),
            ),
            Err(e) => eprintln!("note: no heap prediction for {name}: {e:#}"),
        }
    }
    out
}
