//! `bench`: measures the prover's peak heap and prove time, proves and verifies
//! programs (`bench prove`), and runs them without proving (`bench execute`).
//!
//! A short pipeline: parse the command line, run the subcommand, print.
//!
//! Exit codes: 0 on success; 1 when loading or running fails (the error is
//! printed as `Error: ...` with its causes); 2 for a usage error (clap).

mod cli;
mod execute;
mod input;
mod program;
mod prove;
#[allow(
    dead_code,
    reason = "the building blocks of `bench run`, wired in by a later change"
)]
mod stats;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Execute(args) => {
            let report = execute::run(&args)?;
            execute::print(&report, args.json)
        }
        Command::Prove(args) => {
            let report = prove::run(&args)?;
            prove::print(&report, args.json)
        }
    }
}
