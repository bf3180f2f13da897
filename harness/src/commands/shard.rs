//! `bench run --plan FILE --shard K`: measures shard K of a plan (`bench plan`) as `bench
//! run` does (fresh interleaved workers, the file saved after every run under its lock),
//! and stamps the results file with the plan's hash, K, N and this machine, so that `bench
//! merge` can check what it is given.
//!
//! The plan is checked first: its schema version, its hash against its contents (an edited
//! plan is refused), K within 1..=N. An `/bench` plan (with base and head) is measured by
//! `bench ab` per entry, not here. A shard without entries writes a stamped file with none,
//! so the merge still sees the shard.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use prover::modes::MemoryMode;

use crate::analysis::shard::plan_hash;
use crate::commands::outcome::Outcome;
use crate::commands::run::{BarProgress, estimate_line, instruction_plan};
use crate::measure::plan::{self, Plan};
use crate::model::program::ProgramSpec;
use crate::model::results::ResultsSink;
use crate::model::shard::{PLAN_SCHEMA_VERSION, ShardPart, ShardPlan, Sharding};
use crate::report::mode_table::{self, mode_rows};
use crate::store::results;

/// What `bench run --plan` is asked.
#[derive(Clone, Debug)]
pub struct ShardRunRequest {
    /// The plan file.
    pub plan: PathBuf,
    /// K.
    pub shard: u32,
    /// The results file (`None`: `target/bench/shard-K-of-N-HASH.json`).
    pub out: Option<PathBuf>,
    /// The bench run under cachegrind.
    pub instructions_worker: Option<PathBuf>,
    /// Kill a worker after this long.
    pub timeout: Option<Duration>,
    /// Cap each worker's address space.
    pub max_memory: Option<u64>,
    /// A shell command run before each timed run, untimed (`--prepare`).
    pub prepare: Option<String>,
}

/// Reads and checks a plan.
pub fn load_plan(path: &std::path::Path) -> Result<ShardPlan> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let plan: ShardPlan = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a bench plan", path.display()))?;
    if plan.schema_version != PLAN_SCHEMA_VERSION {
        bail!(
            "{}: plan schema version {} (this bench reads {PLAN_SCHEMA_VERSION})",
            path.display(),
            plan.schema_version
        );
    }
    let hash = plan_hash(&plan);
    if hash != plan.hash {
        bail!(
            "{}: the plan's hash is {}, its contents hash to {hash}: it was edited after `bench plan`",
            path.display(),
            plan.hash
        );
    }
    Ok(plan)
}

/// Runs one shard.
pub fn run_shard(request: &ShardRunRequest) -> Result<Outcome> {
    let plan = load_plan(&request.plan)?;
    let k = request.shard;
    if k == 0 || k > plan.shards {
        bail!("--shard {k}: the plan has shards 1 to {}", plan.shards);
    }
    if plan.revisions.is_some() {
        bail!("this is a /bench plan (base and head): each shard runs `bench ab` per entry");
    }
    let work = &plan.work[(k - 1) as usize];
    let path = request.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "target/bench/shard-{k}-of-{}-{}.json",
            plan.shards, plan.hash
        ))
    });
    let mut writer = results::Writer::lock(&path)?;
    let (mut file, _) = plan::open_results(&path, false, &plan.config)?;
    file.sharding = Some(Sharding {
        plan: plan.hash.clone(),
        shards: plan.shards,
        parts: vec![ShardPart {
            shard: k,
            machine: file.machine.clone(),
            entries: work
                .entries
                .iter()
                .map(|e| (e.fixture.clone(), e.mode))
                .collect(),
        }],
    });
    eprintln!(
        "shard {k} of {} (plan {}): {}",
        plan.shards,
        plan.hash,
        path.display()
    );
    writer.save(&file)?;
    let instructions = instruction_plan(
        plan.instruction_runs,
        request.instructions_worker.as_deref(),
    )?;
    // Each fixture with its modes in this shard, in plan order.
    let mut groups: Vec<(String, Vec<MemoryMode>)> = Vec::new();
    for e in &work.entries {
        match groups.iter_mut().find(|(f, _)| *f == e.fixture) {
            Some((_, modes)) => modes.push(e.mode),
            None => groups.push((e.fixture.clone(), vec![e.mode])),
        }
    }
    if let Some(i) = &instructions {
        let work: Vec<_> = groups
            .iter()
            .map(|(f, m)| (ProgramSpec::Fixture(f.clone()), m.len()))
            .collect();
        eprintln!("{}", estimate_line(&work, i.runs));
    }
    for (fixture, modes) in groups {
        let p = Plan {
            programs: vec![ProgramSpec::Fixture(fixture)],
            modes,
            runs: plan.runs,
            config: plan.config.clone(),
            timeout: request.timeout,
            max_memory: request.max_memory,
            prepare: request.prepare.clone(),
            instructions: instructions.clone(),
        };
        plan::fill(&mut file, &mut writer, &p, &mut BarProgress::new())?;
    }
    print!(
        "{}",
        mode_table::terminal(&mode_rows(&file), &mode_table::title(&file, &path))
    );
    let failed: usize = file
        .entries
        .iter()
        .map(|e| e.failures.len() + e.instruction_failures.len())
        .sum();
    if failed > 0 {
        bail!(
            "{failed} run(s) failed; their exit status and stderr are in {}",
            path.display()
        );
    }
    Ok(Outcome::Done)
}
