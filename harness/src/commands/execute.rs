//! `bench execute`: loads a fixture or an ELF, runs it without proving, and reports
//! cycles, public output, exit code and time. Without `--max-cycles` the limit is scaled to
//! the memory available (`measure::cycles`), so a large input ends in the cycle-limit error.

use std::time::Instant;

use anyhow::{Context, Result};
use prover::vm::{self, BYTES_PER_CYCLE, ExecOptions};

use crate::commands::outcome::Outcome;
use crate::measure::cycles::cycle_limit;
use crate::measure::program::{Loaded, load};
use crate::model::execution::ExecutionReport;
use crate::model::program::ProgramSpec;
use crate::report::execution::execution_text;

/// What `bench execute` is asked.
#[derive(Clone, Debug)]
pub struct ExecuteRequest {
    /// The program.
    pub program: ProgramSpec,
    /// Input words instead of the program's own.
    pub input: Option<Vec<u32>>,
    /// Print one JSON object instead of text.
    pub json: bool,
    /// Record the execution log.
    pub log: bool,
    /// Fail after this many cycles without a halt (`None`: scaled to the memory available,
    /// `measure::cycles`).
    pub max_cycles: Option<u64>,
}

/// Runs `bench execute`.
pub fn execute(request: &ExecuteRequest) -> Result<Outcome> {
    let report = run_program(request)?;
    if request.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", execution_text(&report));
    }
    Ok(Outcome::Done)
}

/// Loads and runs the program `request` names.
fn run_program(request: &ExecuteRequest) -> Result<ExecutionReport> {
    let Loaded {
        name,
        program,
        input,
        expected,
    } = load(&request.program, request.input.clone())?;
    let limit = cycle_limit(request.max_cycles, request.log);
    let options = ExecOptions {
        max_cycles: limit.cycles,
        log: request.log,
    };
    let start = Instant::now();
    let execution = vm::execute(&program, &input, &options)
        .with_context(|| format!("executing {name}{}", limit.note()))?;
    let seconds = start.elapsed().as_secs_f64();
    let log_bytes = execution
        .log
        .as_ref()
        .map_or(0, |log| (log.len() * BYTES_PER_CYCLE) as u64);
    Ok(ExecutionReport {
        matches_catalogue: expected.map(|(cycles, output)| {
            cycles == execution.cycles && output == execution.public_output
        }),
        program: name,
        input,
        cycles: execution.cycles,
        exit_code: execution.exit_code,
        cycles_per_second: execution.cycles as f64 / seconds.max(1e-9),
        seconds,
        log: options.log,
        log_bytes,
        public_output: execution.public_output,
    })
}
