//! `bench execute`: loads a fixture or an ELF, runs it without proving, and
//! reports cycles, public output, exit code and time.

use std::time::Instant;

use anyhow::{Context, Result};
use prover::vm::{self, BYTES_PER_CYCLE, ExecOptions};
use serde::Serialize;

use crate::cli::ExecuteArgs;
use crate::program::{Loaded, load};

/// What one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Fixture name or ELF path.
    pub program: String,
    /// Input words given to the program.
    pub input: Vec<u32>,
    /// Cycles to the halt.
    pub cycles: u64,
    /// Committed words.
    pub public_output: Vec<u32>,
    /// Exit code at the halt.
    pub exit_code: u32,
    /// Wall-clock seconds of the execution alone (not loading).
    pub seconds: f64,
    /// `cycles / seconds`.
    pub cycles_per_second: f64,
    /// Whether the execution log was recorded.
    pub log: bool,
    /// Bytes of the execution log (0 without it).
    pub log_bytes: u64,
    /// For a fixture run on its own input: whether cycles and output match
    /// the catalogue.
    pub matches_catalogue: Option<bool>,
}

/// Loads and runs the program `args` names.
pub fn run(args: &ExecuteArgs) -> Result<Report> {
    let Loaded {
        name,
        program,
        input,
        expected,
    } = load(&args.program)?;
    let options = ExecOptions {
        max_cycles: args.max_cycles,
        log: !args.no_log,
    };
    let start = Instant::now();
    let execution =
        vm::execute(&program, &input, &options).with_context(|| format!("executing {name}"))?;
    let seconds = start.elapsed().as_secs_f64();
    let log_bytes = execution
        .log
        .as_ref()
        .map_or(0, |log| (log.len() * BYTES_PER_CYCLE) as u64);
    Ok(Report {
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

/// Prints `report` as text or as one JSON object.
pub fn print(report: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
        return Ok(());
    }
    println!("program        {}", report.program);
    println!("input          {:?}", report.input);
    println!("cycles         {}", report.cycles);
    println!("public output  {:?}", report.public_output);
    println!("exit code      {}", report.exit_code);
    println!(
        "time           {:.6} s ({:.1} M cycles/s)",
        report.seconds,
        report.cycles_per_second / 1e6
    );
    if report.log {
        println!(
            "log            {} bytes ({BYTES_PER_CYCLE} per cycle)",
            report.log_bytes
        );
    }
    if let Some(ok) = report.matches_catalogue {
        println!("catalogue      {}", if ok { "matches" } else { "MISMATCH" });
    }
    Ok(())
}
