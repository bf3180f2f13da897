//! What `bench execute` measured of one run without proving (its `--json` output): with
//! the execution log, the instruction mix and the rows each zkVM table gets.

use std::collections::BTreeMap;

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
    /// Executed instructions per class, every class in order (with the log only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mix: Option<Vec<ClassShare>>,
    /// Executed instructions per mnemonic, those that ran (with the log only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ops: Option<BTreeMap<String, u64>>,
    /// log2 of the tallest instance: MEMORY's largest height (it is one chunk).
    pub log_max_rows: usize,
    /// log2 of the chunk height the other tables' rows are padded for
    /// (`StarkParams::log_split_rows`; absent in reports before it existed).
    #[serde(default)]
    pub log_split_rows: Option<usize>,
    /// The rows each zkVM table gets, in proof order (with the log only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<TableShare>>,
    /// Why the table rows could not be computed (a run the prover would refuse).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables_error: Option<String>,
}

/// One instruction class of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassShare {
    /// The class (`prover::vm::mix::Class::name`: `alu`, `shift`, `mul`, `div`,
    /// `load_byte`, ...).
    pub class: String,
    /// Instructions of the class executed.
    pub count: u64,
    /// `count` over every instruction executed, percent.
    pub share_pct: f64,
}

/// The rows one zkVM table gets for a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableShare {
    /// The table (`CPU`, `ACCESS`, `ADD`, ...).
    pub table: String,
    /// Its height in the proof (each chunk padded).
    pub rows: u64,
    /// Rows carrying data, where the height follows the run (`null` for the fixed lookup
    /// tables; PROGRAM: instructions executed at least once).
    pub used: Option<u64>,
    /// `rows / cycles`.
    pub rows_per_cycle: f64,
}
