//! The model: the serialized schemas (run records, results files, the nightly history,
//! `bench execute`'s report) and the plain data they are made of (prove settings, machine
//! fingerprint, program names).
//!
//! Owns: what the files and JSON outputs hold, and the small facts derived from one value
//! alone (`Machine::key`, `ResultsFile::entry`, digest mismatches). May import: nothing else
//! in this crate (only `prover`'s mode and phase names, serde and the standard library).

pub mod attribution;
pub mod config;
pub mod execution;
pub mod history;
pub mod machine;
pub mod prediction;
pub mod program;
pub mod record;
pub mod results;
pub mod shard;
