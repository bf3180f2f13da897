//! `bench`: measures the prover's peak heap and prove time, proves and verifies
//! programs (`bench prove`), runs them without proving (`bench execute`), lists the
//! fixture catalogue (`bench fixtures`), measures modes over fresh processes (`bench run`),
//! turns two measurements into a verdict (`bench compare`, `bench run --baseline`), compares
//! two git revisions in A B B A pairs (`bench ab`), parses `/bench` pull-request
//! comments (`bench comment`), keeps the nightly series (`bench nightly`), fits growth
//! slopes (`bench growth`), draws one prove's heap timeline (`bench profile`) and exports
//! results for other dashboards (`bench export`).
//!
//! The global allocator is jemalloc wrapped in [`alloc::CountingAlloc`], which counts live
//! heap bytes; `BENCH_COUNT_ALLOC=0` turns the counting off.
//!
//! A short pipeline: parse the command line, run the subcommand, print.
//!
//! Exit codes: 0 on success; 1 when loading or running fails (the error is
//! printed as `Error: ...` with its causes); 2 for a usage error (clap); 3 when a command
//! found a regression: `bench compare --fail-on-regression` and `bench ab
//! --fail-on-regression` when the verdict is a regression, `bench nightly` on a step in time
//! or heap and `bench growth --baseline` on a heap slope past its threshold
//! ([`RegressionFound`]), always after the report; 4 from `bench comment` when it rejects
//! the comment (the message to post is on stdout).

mod ab;
mod alloc;
mod baseline;
mod charts;
mod cli;
mod clock;
mod comment;
mod compare;
mod execute;
mod export;
mod fixtures;
mod growth;
mod history;
mod input;
mod machine;
mod nightly;
mod observer;
mod overhead;
mod profile;
mod program;
mod prove;
mod record;
mod regression;
mod render;
mod results;
mod run;
mod runner;
mod stats;
mod trend;
mod verdict;

use std::process::ExitCode;

use clap::Parser;

#[cfg(not(feature = "dhat-heap"))]
use tikv_jemallocator::Jemalloc;

use crate::alloc::CountingAlloc;
use crate::cli::{Cli, Command};

/// The binary's allocator: jemalloc, with live-byte counting (see [`alloc`]).
#[cfg(not(feature = "dhat-heap"))]
#[global_allocator]
static ALLOCATOR: CountingAlloc<Jemalloc> = CountingAlloc::new(Jemalloc);

/// With the `dhat-heap` feature: dhat's allocator, with the same counting around it, so that
/// `bench prove` can compare the counted peak with dhat's (see [`prove`]).
#[cfg(feature = "dhat-heap")]
#[global_allocator]
static ALLOCATOR: CountingAlloc<dhat::Alloc> = CountingAlloc::new(dhat::Alloc);

/// Exit status of a command that found a regression.
pub const EXIT_REGRESSION: u8 = 3;

/// A command found a regression: `main` prints it as `Regression: ...` and exits with
/// [`EXIT_REGRESSION`] (the command has printed its report already).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RegressionFound(pub String);

fn main() -> ExitCode {
    ALLOCATOR.configure_from_env();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) if error.downcast_ref::<RegressionFound>().is_some() => {
            eprintln!("Regression: {error}");
            ExitCode::from(EXIT_REGRESSION)
        }
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Execute(args) => {
            let report = execute::run(&args)?;
            execute::print(&report, args.json)?;
        }
        Command::Fixtures(args) => fixtures::print(args.json)?,
        Command::Run(args) => run::run(&args)?,
        Command::Overhead(args) => overhead::run(&args)?,
        Command::Prove(args) => {
            let report = prove::run(&args, &ALLOCATOR)?;
            prove::print(&report, args.json)?;
        }
        Command::Compare(args) => return compare::run(&args),
        Command::Comment(args) => return comment::run(&args.text),
        Command::Ab(args) => return ab::run(&args),
        Command::Nightly(args) => nightly::run(&args)?,
        Command::Growth(args) => growth::run(&args)?,
        Command::Profile(args) => profile::run(&args, &ALLOCATOR)?,
        Command::Export(args) => export::run(&args)?,
    }
    Ok(ExitCode::SUCCESS)
}
