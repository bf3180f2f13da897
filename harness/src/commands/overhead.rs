//! `bench overhead`: what the heap counting costs. It proves one fixture in fresh workers
//! with the counting on and off (`BENCH_COUNT_ALLOC=0`), interleaved (on, off, off, on, ...),
//! and reports the statistics of `analysis::overhead`.

use anyhow::{Context, Result, bail};

use crate::analysis::overhead::overhead;
use crate::commands::outcome::Outcome;
use crate::measure::runner::{self, WorkerCommand, WorkerResult};
use crate::model::program::ProgramSpec;
use crate::report::overhead::overhead_line;

/// What `bench overhead` is asked.
#[derive(Clone, Debug)]
pub struct OverheadRequest {
    /// The fixture to prove.
    pub fixture: String,
    /// Runs with counting on, and as many with it off.
    pub runs: u32,
    /// Print JSON.
    pub json: bool,
}

/// Runs `bench overhead`.
pub fn measure_overhead(request: &OverheadRequest) -> Result<Outcome> {
    let catalogue = prover::fixtures::Catalogue::load_default()?;
    catalogue.get(&request.fixture)?;
    let exe = std::env::current_exe().context("cannot find the bench executable")?;
    let program = ProgramSpec::Fixture(request.fixture.clone());
    let job = |count_alloc| {
        WorkerCommand {
            program: &program,
            mode: None,
            settings: None,
            table_parallelism: None,
            max_memory: None,
            count_alloc,
        }
        .job(&exe)
    };
    let jobs = [job(true), job(false)];
    let n = request.runs as usize;
    let mut times = [Vec::new(), Vec::new()];
    for (sequence, j) in runner::schedule(&[n, n]).into_iter().enumerate() {
        let label = if j == 0 { "on" } else { "off" };
        match runner::run_worker(&jobs[j], sequence, None) {
            WorkerResult::Ok(r) => {
                eprintln!("counting {label:>3}: {:.3} s", r.prove_seconds);
                if (j == 0) != r.peak_heap_bytes.is_some() {
                    bail!("the worker's counting switch did not take effect");
                }
                times[j].push(r.prove_seconds);
            }
            WorkerResult::Failed(f) => bail!("a worker failed: {}\n{}", f.reason, f.stderr_tail),
        }
    }
    let [on, off] = times;
    let result = overhead(&request.fixture, on, off)?;
    if request.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!("{}", overhead_line(&result, request.runs));
    }
    Ok(Outcome::Done)
}
