//! The `bench` command line (clap derive): subcommands and their arguments.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use prover::modes::MemoryMode;
use prover::vm::DEFAULT_MAX_CYCLES;

use crate::input::{InputWords, parse_words};

/// Measures the prover: runs and times RV32IM programs.
#[derive(Debug, Parser)]
#[command(name = "bench", version, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a program without proving it: cycles, public output, exit code, time.
    Execute(ExecuteArgs),
    /// Prove a program's run, then verify the proof, in this process.
    Prove(ProveArgs),
    /// List the fixture catalogue: name, cycles and description.
    Fixtures(FixturesArgs),
}

/// Arguments of `bench fixtures`.
#[derive(Debug, Args)]
pub struct FixturesArgs {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Which program to run, and on what input.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("program").required(true).args(["fixture", "elf"])))]
pub struct ProgramArgs {
    /// A fixture from fixtures/catalogue.json (runs with its input).
    #[arg(long, value_name = "NAME")]
    pub fixture: Option<String>,
    /// An RV32IM ELF file.
    #[arg(long, value_name = "FILE")]
    pub elf: Option<PathBuf>,
    /// Input words, comma-separated, decimal or 0x hex (overrides a fixture's).
    #[arg(long, value_name = "WORDS", value_parser = parse_words)]
    pub input: Option<InputWords>,
}

/// Arguments of `bench execute`.
#[derive(Debug, Args)]
pub struct ExecuteArgs {
    /// The program.
    #[command(flatten)]
    pub program: ProgramArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not record the execution log.
    #[arg(long)]
    pub no_log: bool,
    /// Fail after this many cycles without a halt.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CYCLES)]
    pub max_cycles: u64,
}

/// Arguments of `bench prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The program.
    #[command(flatten)]
    pub program: ProgramArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Fail after this many cycles without a halt.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CYCLES)]
    pub max_cycles: u64,
    /// log2 of the LDE blowup (1, 2 or 3).
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub log_blowup: usize,
    /// log2 of the largest table chunk.
    #[arg(long, value_name = "K", default_value_t = 20)]
    pub log_max_rows: usize,
    /// Memory mode: `default`, a mode name, or `+`-joined names (`stream-lde+leaf-drop`).
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub mode: MemoryMode,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn fixture_and_elf_are_mutually_exclusive() {
        let both = Cli::try_parse_from(["bench", "execute", "--fixture", "a", "--elf", "b"]);
        assert!(both.is_err());
        let neither = Cli::try_parse_from(["bench", "execute"]);
        assert!(neither.is_err());
        let cli = Cli::try_parse_from(["bench", "execute", "--elf", "b", "--input", "1,0x2"])
            .expect("valid");
        let Command::Execute(args) = cli.command else {
            panic!("parsed as another command");
        };
        assert_eq!(args.program.input, Some(InputWords(vec![1, 2])));
    }

    #[test]
    fn prove_takes_a_memory_mode() {
        let cli = Cli::try_parse_from(["bench", "prove", "--elf", "b", "--mode", "leaf-drop"])
            .expect("valid");
        let Command::Prove(args) = cli.command else {
            panic!("parsed as another command");
        };
        assert_eq!(args.mode.to_string(), "leaf-drop");
        let bad = Cli::try_parse_from(["bench", "prove", "--elf", "b", "--mode", "fast"]);
        assert!(bad.is_err());
    }
}
