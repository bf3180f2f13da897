//! `bench`: measures the prover's peak heap and prove time, proves and verifies
//! programs (`bench prove`), runs them without proving (`bench execute`), lists the
//! fixture catalogue (`bench fixtures`), measures modes over fresh processes (`bench run`),
//! turns two measurements into a verdict (`bench compare`, `bench run --baseline`), compares
//! two git revisions in A B B A pairs (`bench ab`), and parses `/bench` pull-request
//! comments (`bench comment`).
//!
//! The global allocator is jemalloc wrapped in [`alloc::CountingAlloc`], which counts live
//! heap bytes; `BENCH_COUNT_ALLOC=0` turns the counting off.
//!
//! A short pipeline: parse the command line, run the subcommand, print.
//!
//! Exit codes: 0 on success; 1 when loading or running fails (the error is
//! printed as `Error: ...` with its causes); 2 for a usage error (clap); 3 from
//! `bench compare --fail-on-regression` (or `bench ab --fail-on-regression`) when the
//! verdict is a regression; 4 from
//! `bench comment` when it rejects the comment (the message to post is on stdout).

mod ab;
mod alloc;
mod baseline;
mod cli;
mod clock;
mod comment;
mod compare;
mod execute;
mod fixtures;
mod input;
mod machine;
mod observer;
mod overhead;
mod program;
mod prove;
mod record;
mod render;
mod results;
mod run;
mod runner;
mod stats;
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

fn main() -> ExitCode {
    ALLOCATOR.configure_from_env();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
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
    }
    Ok(ExitCode::SUCCESS)
}
