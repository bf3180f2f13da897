//! The results file of `bench run`: a schema version, the machine, the run settings, and one
//! [`Entry`] per (fixture, mode) holding its run records, its failed runs and their
//! [`EntrySummary`].
//!
//! The file is rewritten whole after every finished run, through [`ResultsSink`] (the store's
//! atomic writer: a temporary file, fsync, a rename), so an interrupted `bench run` leaves a
//! complete file with every run finished so far (and `--resume` tops it up). The summaries
//! are computed by `analysis::summary`.

use std::fmt;
use std::path::{Path, PathBuf};

use prover::modes::MemoryMode;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::config::ProveConfig;
use crate::model::machine::Machine;
use crate::model::record::RunRecord;
use crate::model::shard::Sharding;

/// Version of the file layout; readers refuse other versions.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole results file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultsFile {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// When the file was started, UTC, RFC 3339.
    pub created: String,
    /// The machine (and source revision) of the runs.
    pub machine: Machine,
    /// Their shared settings.
    pub config: ProveConfig,
    /// One entry per (fixture, mode), in the order first asked for.
    pub entries: Vec<Entry>,
    /// The plan shards these results are (`bench run --plan`, `bench merge`): then each
    /// entry's machine is its shard's, and `machine` is shard 1's (or the lowest held).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharding: Option<Sharding>,
}

/// The runs of one fixture in one mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Fixture name (or ELF path).
    pub fixture: String,
    /// The memory mode.
    pub mode: MemoryMode,
    /// Successful runs, in the order they finished.
    pub runs: Vec<RunRecord>,
    /// Runs whose worker crashed, was killed or timed out.
    pub failures: Vec<FailedRun>,
    /// Runs under cachegrind (`bench run --instructions`), each with its instruction count;
    /// kept apart because valgrind distorts time and heap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruction_runs: Vec<RunRecord>,
    /// Runs under cachegrind that delivered no record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruction_failures: Vec<FailedRun>,
    /// Statistics of `runs` (recomputed at every save).
    pub summary: EntrySummary,
}

/// A worker that did not deliver a record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedRun {
    /// Position in the runner's schedule (0-based).
    pub sequence: usize,
    /// Why, in words: `exit status 1`, `killed by signal 9 (SIGKILL)`, `timed out after 30 s`.
    pub reason: String,
    /// The exit code, when the worker exited.
    pub exit_code: Option<i32>,
    /// The signal that ended the worker, when one did.
    pub signal: Option<i32>,
    /// Whether the runner killed it for passing `--timeout`.
    pub timed_out: bool,
    /// Wall seconds until it ended.
    pub seconds: f64,
    /// The last lines of its standard error.
    pub stderr_tail: String,
}

/// Statistics of one entry's successful runs; the measured fields are `null` without runs
/// (and the heap fields without heap counting).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntrySummary {
    /// Successful runs.
    pub runs: usize,
    /// Failed runs.
    pub failed_runs: usize,
    /// Median prove seconds.
    pub median_prove_seconds: Option<f64>,
    /// Fastest prove.
    pub min_prove_seconds: Option<f64>,
    /// Slowest prove.
    pub max_prove_seconds: Option<f64>,
    /// (max - min) / median x 100 of the prove time.
    pub time_spread_pct: Option<f64>,
    /// Coefficient of variation of the prove time.
    pub time_cv: Option<f64>,
    /// Median exact peak heap.
    pub median_peak_heap_bytes: Option<u64>,
    /// Smallest peak heap.
    pub min_peak_heap_bytes: Option<u64>,
    /// Largest peak heap.
    pub max_peak_heap_bytes: Option<u64>,
    /// (max - min) / median x 100 of the peak heap.
    pub heap_spread_pct: Option<f64>,
    /// Coefficient of variation of the peak heap.
    pub heap_cv: Option<f64>,
    /// Median peak RSS.
    pub median_peak_rss_bytes: Option<u64>,
    /// Median verify seconds.
    pub median_verify_seconds: Option<f64>,
    /// The proof digest, when every run produced the same one.
    pub proof_sha3: Option<String>,
    /// Whether every run produced the same proof digest.
    pub digests_agree: bool,
    /// The phase with the largest median peak heap (where the peak is held).
    pub peak_phase: Option<String>,
    /// Median instruction count of the runs under cachegrind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_instructions: Option<u64>,
    /// (max - min) / median x 100 of the instruction counts; above 0.01 % the runs did not
    /// repeat, which is a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_spread_pct: Option<f64>,
}

impl EntrySummary {
    /// The summary of no runs at all.
    pub fn empty() -> Self {
        Self {
            digests_agree: true,
            ..Self::default()
        }
    }
}

impl Entry {
    /// An entry without runs.
    pub fn new(fixture: &str, mode: MemoryMode) -> Self {
        Self {
            fixture: fixture.to_string(),
            mode,
            runs: Vec::new(),
            failures: Vec::new(),
            instruction_runs: Vec::new(),
            instruction_failures: Vec::new(),
            summary: EntrySummary::empty(),
        }
    }

    /// Timed runs attempted so far, failed ones included.
    pub fn attempts(&self) -> usize {
        self.runs.len() + self.failures.len()
    }

    /// Runs under cachegrind attempted so far, failed ones included.
    pub fn instruction_attempts(&self) -> usize {
        self.instruction_runs.len() + self.instruction_failures.len()
    }
}

impl ResultsFile {
    /// An empty file for `machine` and `config`, started at `created` (UTC, RFC 3339).
    pub fn new(machine: Machine, config: ProveConfig, created: String) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            created,
            machine,
            config,
            entries: Vec::new(),
            sharding: None,
        }
    }

    /// The machine that measured `entry`: its shard's in a sharded file, else the file's.
    pub fn entry_machine(&self, entry: &Entry) -> &Machine {
        self.sharding
            .as_ref()
            .and_then(|s| s.machine_of(&entry.fixture, entry.mode))
            .unwrap_or(&self.machine)
    }

    /// The entry of (`fixture`, `mode`), created empty at the end when missing.
    pub fn entry_mut(&mut self, fixture: &str, mode: MemoryMode) -> &mut Entry {
        let i = match self
            .entries
            .iter()
            .position(|e| e.fixture == fixture && e.mode == mode)
        {
            Some(i) => i,
            None => {
                self.entries.push(Entry::new(fixture, mode));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i]
    }

    /// The entry of (`fixture`, `mode`), if any.
    pub fn entry(&self, fixture: &str, mode: MemoryMode) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.fixture == fixture && e.mode == mode)
    }

    /// Reads and checks a results file.
    pub fn load(path: &Path) -> Result<Self, ResultsError> {
        let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|source| ResultsError::NotResults {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Parses a results file's text, refusing other schema versions.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let v: Version = serde_json::from_str(text).map_err(ParseError::NoVersion)?;
        if v.schema_version != SCHEMA_VERSION {
            return Err(ParseError::Version(v.schema_version));
        }
        Ok(serde_json::from_str(text)?)
    }

    /// The file's text, as it is saved (`store::results` writes it atomically).
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).expect("a results file serializes") + "\n"
    }

    /// The entries whose runs do not all have the proof digest of their fixture's
    /// reference (a mode must never change the proof).
    pub fn digest_mismatches(&self) -> Vec<DigestMismatch> {
        let mut out = Vec::new();
        for e in &self.entries {
            // Whole-run proofs are compared with each other, continuation bundles likewise.
            let bundle = |m: MemoryMode| m.has(prover::modes::Flag::VerifyAndDrop);
            let reference = self
                .entries
                .iter()
                .filter(|o| o.fixture == e.fixture && bundle(o.mode) == bundle(e.mode))
                .flat_map(|o| o.runs.first())
                .next();
            let Some(reference) = reference else { continue };
            if e.runs.iter().any(|r| r.proof_sha3 != reference.proof_sha3) {
                out.push(DigestMismatch {
                    fixture: e.fixture.clone(),
                    mode: e.mode,
                    reference_fixture: reference.fixture.clone(),
                    reference_mode: reference.mode,
                });
            }
        }
        out
    }
}

/// An entry whose proof digest differs from its fixture's reference run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestMismatch {
    /// The entry's fixture.
    pub fixture: String,
    /// The entry's mode.
    pub mode: MemoryMode,
    /// The fixture of the reference run.
    pub reference_fixture: String,
    /// The mode of the reference run.
    pub reference_mode: MemoryMode,
}

impl DigestMismatch {
    /// Whether this mismatch is the one of (`fixture`, `mode`).
    pub fn is_of(&self, fixture: &str, mode: MemoryMode) -> bool {
        self.fixture == fixture && self.mode == mode
    }
}

impl fmt::Display for DigestMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {}: proof digest differs from {} / {}",
            self.fixture, self.mode, self.reference_fixture, self.reference_mode
        )
    }
}

/// Why a results file's text is not one.
#[derive(Debug, Error)]
pub enum ParseError {
    /// Not JSON, or no version field.
    #[error("no schema_version")]
    NoVersion(#[source] serde_json::Error),
    /// Another layout.
    #[error("schema version {0} (this bench reads version {SCHEMA_VERSION})")]
    Version(u32),
    /// The version is right, the rest is not.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Why a results file cannot be read or written.
#[derive(Debug, Error)]
pub enum ResultsError {
    /// The file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a results file.
    #[error("{} is not a results file", path.display())]
    NotResults {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ParseError,
    },
}

/// Where a measurement saves its results file after every run: `store::results::Writer`
/// (atomic, holding the file's lock), or a test's.
pub trait ResultsSink {
    /// Saves `file` whole.
    fn save(&mut self, file: &ResultsFile) -> Result<(), SaveError>;
}

/// A results file could not be saved (the saved one, if any, is unchanged).
#[derive(Debug, Error)]
#[error("cannot save the results to {}", path.display())]
pub struct SaveError {
    /// The file.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{config, machine, record};

    #[test]
    fn disagreeing_digests_are_flagged() {
        let mut file = ResultsFile::new(machine(), config(), "now".into());
        file.entry_mut("fib", MemoryMode::DEFAULT)
            .runs
            .push(record("default", 1.0, 5, "a"));
        let leaf = "leaf-drop".parse().unwrap();
        file.entry_mut("fib", leaf)
            .runs
            .push(record("leaf-drop", 1.0, 4, "a"));
        assert!(file.digest_mismatches().is_empty());
        file.entry_mut("fib", leaf)
            .runs
            .push(record("leaf-drop", 1.0, 4, "z"));
        let m = file.digest_mismatches();
        assert_eq!(m.len(), 1);
        assert!(m[0].is_of("fib", leaf));
        assert!(!m[0].is_of("fib", MemoryMode::DEFAULT));
        assert_eq!(
            m[0].to_string(),
            "fib / leaf-drop: proof digest differs from fib / default"
        );
    }

    #[test]
    fn instruction_runs_round_trip_and_old_files_read_without_them() {
        let mut file = ResultsFile::new(machine(), config(), "now".into());
        let e = file.entry_mut("fib", MemoryMode::DEFAULT);
        e.runs.push(record("default", 1.5, 7, "d"));
        let mut counted = record("default", 40.0, 7, "d");
        counted.instructions = Some(20_114_234_037);
        e.instruction_runs.push(counted);
        e.summary.median_instructions = Some(20_114_234_037);
        e.summary.instructions_spread_pct = Some(0.0);
        let text = serde_json::to_string(&file).unwrap();
        assert!(text.contains("\"instructions\":20114234037"), "{text}");
        let back: ResultsFile = serde_json::from_str(&text).unwrap();
        assert_eq!(back, file);
        // A file without them (every file written before) reads with empty lists, and
        // writes none of the new keys.
        let mut old = file.clone();
        let e = old.entry_mut("fib", MemoryMode::DEFAULT);
        e.instruction_runs.clear();
        e.summary.median_instructions = None;
        e.summary.instructions_spread_pct = None;
        let text = serde_json::to_string(&old).unwrap();
        assert!(!text.contains("instruction"), "{text}");
        assert_eq!(serde_json::from_str::<ResultsFile>(&text).unwrap(), old);
    }

    #[test]
    fn save_load_round_trip_and_version_check() {
        let dir = std::env::temp_dir().join(format!("bench-results-{}", std::process::id()));
        let path = dir.join("nested").join("r.json");
        let mut file = ResultsFile::new(machine(), config(), "now".into());
        let e = file.entry_mut("fib", MemoryMode::DEFAULT);
        e.runs.push(record("default", 1.5, 7, "d"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, file.to_text()).unwrap();
        assert_eq!(ResultsFile::load(&path).unwrap(), file);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"schema_version\": 1", "\"schema_version\": 99");
        let err = ResultsFile::parse(&text).unwrap_err();
        assert!(err.to_string().contains("schema version 99"), "{err}");
        assert!(ResultsFile::parse("{}").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
