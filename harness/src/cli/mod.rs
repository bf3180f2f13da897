//! The command line, and the only place clap is used: the parser (`args`: `Cli`, the
//! subcommands and their arguments; `shared`: the argument groups several share; `input`:
//! `--input` words), and `convert`, which turns a parsed command line into a
//! `commands::Request` of plain data.
//!
//! May import: `commands` (the requests), `analysis` (default rules) and `model`.

pub mod args;
pub mod convert;
pub mod input;
pub mod shared;
