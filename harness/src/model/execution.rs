//! What `bench execute` measured of one run without proving (its `--json` output).

use serde::Serialize;

/// What one run measured.
#[derive(Debug, Serialize)]
pub struct ExecutionReport {
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
