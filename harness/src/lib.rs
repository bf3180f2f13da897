//! The library of `bench`: measures the prover's peak heap and prove time, and turns the
//! measurements into verdicts, reports and charts. The binary (`main.rs`) only parses the
//! command line, dispatches it and exits.
//!
//! Dependencies run one way (checked by `tests/layout.rs`):
//!
//! ```text
//! cli → commands → measure / store / report → analysis → model
//! ```
//!
//! * [`model`]: the serialized schemas and plain data; imports nothing else here.
//! * [`analysis`]: pure statistics, verdicts, comparisons, fits, trends, timelines.
//! * [`measure`]: the counting allocator, probes, observers, one measured prove, the runner
//!   of worker processes, git revisions.
//! * [`store`]: baselines (one name rule, one key), the history file, default paths.
//! * [`report`]: everything a person reads: units, tables, comparisons, charts, exports.
//! * [`commands`]: one file per subcommand; the only layer that prints or decides an exit
//!   status.
//! * [`cli`]: clap, and nothing else uses it; turns the command line into a request.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod measure;
pub mod model;
pub mod report;
pub mod store;

#[cfg(test)]
mod testing;
