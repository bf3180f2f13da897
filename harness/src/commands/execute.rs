//! `bench execute`: loads a fixture or an ELF, runs it without proving, and reports
//! cycles, public output, exit code and time; with the execution log (the default), also
//! the instruction mix (`prover::vm::mix`) and the rows each zkVM table gets
//! (`prover::zkvm::table_rows`, at `--log-max-rows`), computed after the timed run. Without
//! `--max-cycles` the limit is scaled to the memory available (`measure::cycles`), so a large
//! input ends in the cycle-limit error.

use std::time::Instant;

use anyhow::{Context, Result};
use prover::vm::mix::Mix;
use prover::vm::{self, BYTES_PER_CYCLE, ExecOptions};
use prover::zkvm::table_rows;

use crate::analysis::mix::{class_shares, table_shares};
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
    /// log2 of the chunk height the table rows are padded for.
    pub log_max_rows: usize,
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
    let params = prover::stark::StarkParams {
        log_max_rows: request.log_max_rows,
        ..prover::stark::StarkParams::default()
    };
    params.validate().context("--log-max-rows")?;
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
    let (mut mix, mut ops, mut tables, mut tables_error) = (None, None, None, None);
    if let Some(log) = &execution.log {
        let counts = Mix::of_log(log);
        let classes: Vec<(&str, u64)> = counts
            .by_class()
            .into_iter()
            .map(|(c, n)| (c.name(), n))
            .collect();
        mix = Some(class_shares(&classes));
        ops = Some(
            counts
                .by_op()
                .map(|(op, n)| (op.mnemonic().to_string(), n))
                .collect(),
        );
        match table_rows(&program, &input, log, &params) {
            Ok(rows) => {
                let rows: Vec<(&str, u64, Option<u64>)> = rows
                    .iter()
                    .map(|t| (t.name.as_str(), t.rows as u64, t.used.map(|u| u as u64)))
                    .collect();
                tables = Some(table_shares(&rows, execution.cycles));
            }
            Err(e) => tables_error = Some(format!("{:#}", anyhow::Error::new(e))),
        }
    }
    Ok(ExecutionReport {
        mix,
        ops,
        log_max_rows: request.log_max_rows,
        log_split_rows: Some(params.log_split_rows()),
        tables,
        tables_error,
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
