//! The results file of `bench run`: a schema version, the machine, the run settings, and one
//! [`Entry`] per (fixture, mode) holding its run records, its failed runs and their
//! [`EntrySummary`].
//!
//! The file is rewritten whole after every finished run, through a temporary file and a
//! rename, so an interrupted `bench run` leaves a complete file with every run finished so
//! far (and `--resume` tops it up).

use std::path::Path;

use anyhow::{Context, Result, bail};
use prover::modes::MemoryMode;
use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::record::RunRecord;
use crate::stats::{self, Sample};

/// Version of the file layout; readers refuse other versions.
pub const SCHEMA_VERSION: u32 = 1;

/// The settings every run of a results file shares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    /// log2 of the LDE blowup.
    pub log_blowup: usize,
    /// log2 of the largest table chunk.
    pub log_max_rows: usize,
    /// Table instances in flight; `None` is the prover's automatic choice.
    pub table_parallelism: Option<usize>,
    /// Whether live heap bytes were counted.
    pub count_alloc: bool,
    /// log2 of the epoch size of continuation modes.
    #[serde(default = "crate::record::default_epoch_log2")]
    pub epoch_log2: u32,
}

impl RunConfig {
    /// The proof settings every series is measured with (`bench nightly`, `bench growth`):
    /// blowup 2, chunks of 2^20 rows, automatic table parallelism, heap counted.
    pub const STANDARD: RunConfig = RunConfig {
        log_blowup: 1,
        log_max_rows: 20,
        table_parallelism: None,
        count_alloc: true,
        epoch_log2: prover::continuation::DEFAULT_EPOCH_LOG2,
    };
}

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
    pub config: RunConfig,
    /// One entry per (fixture, mode), in the order first asked for.
    pub entries: Vec<Entry>,
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
}

impl EntrySummary {
    /// The statistics of `runs` with `failed_runs` failures.
    pub fn of(runs: &[RunRecord], failed_runs: usize) -> Self {
        let sample = |f: &dyn Fn(&RunRecord) -> Option<f64>| -> Option<stats::Summary> {
            let values: Option<Vec<f64>> = runs.iter().map(f).collect();
            Sample::new(values?).ok().map(|s| stats::summary(&s))
        };
        let time = sample(&|r| Some(r.prove_seconds));
        let heap = sample(&|r| r.peak_heap_bytes.map(|b| b as f64));
        let rss = sample(&|r| r.peak_rss_bytes.map(|b| b as f64));
        let verify = sample(&|r| Some(r.verify_seconds));
        let digests_agree = runs.windows(2).all(|w| w[0].proof_sha3 == w[1].proof_sha3);
        let bytes = |v: f64| v.round() as u64;
        Self {
            runs: runs.len(),
            failed_runs,
            median_prove_seconds: time.as_ref().map(|s| s.median),
            min_prove_seconds: time.as_ref().map(|s| s.min),
            max_prove_seconds: time.as_ref().map(|s| s.max),
            time_spread_pct: time.as_ref().map(|s| s.spread_pct),
            time_cv: time.as_ref().map(|s| s.cv),
            median_peak_heap_bytes: heap.as_ref().map(|s| bytes(s.median)),
            min_peak_heap_bytes: heap.as_ref().map(|s| bytes(s.min)),
            max_peak_heap_bytes: heap.as_ref().map(|s| bytes(s.max)),
            heap_spread_pct: heap.as_ref().map(|s| s.spread_pct),
            heap_cv: heap.as_ref().map(|s| s.cv),
            median_peak_rss_bytes: rss.map(|s| bytes(s.median)),
            median_verify_seconds: verify.map(|s| s.median),
            proof_sha3: (digests_agree && !runs.is_empty()).then(|| runs[0].proof_sha3.clone()),
            digests_agree,
            peak_phase: peak_phase(runs),
        }
    }
}

/// The phase whose median peak heap is largest over `runs` (the first such in protocol
/// order on ties); `None` without runs or phases.
pub fn peak_phase(runs: &[RunRecord]) -> Option<String> {
    let first = runs.first()?;
    let mut best: Option<(&str, f64)> = None;
    for phase in &first.phases {
        let values: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.phases.iter().find(|p| p.name == phase.name))
            .map(|p| p.peak_heap_bytes as f64)
            .collect();
        let Ok(sample) = Sample::new(values) else {
            continue;
        };
        let m = stats::median(&sample);
        if best.is_none_or(|(_, b)| m > b) {
            best = Some((&phase.name, m));
        }
    }
    best.map(|(name, _)| name.to_string())
}

impl Entry {
    /// An entry without runs.
    pub fn new(fixture: &str, mode: MemoryMode) -> Self {
        Self {
            fixture: fixture.to_string(),
            mode,
            runs: Vec::new(),
            failures: Vec::new(),
            summary: EntrySummary::of(&[], 0),
        }
    }

    /// Runs attempted so far, failed ones included.
    pub fn attempts(&self) -> usize {
        self.runs.len() + self.failures.len()
    }

    /// Recomputes [`Entry::summary`].
    pub fn resummarize(&mut self) {
        self.summary = EntrySummary::of(&self.runs, self.failures.len());
    }
}

impl ResultsFile {
    /// An empty file for `machine` and `config`, created now.
    pub fn new(machine: Machine, config: RunConfig) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            created: crate::clock::now_rfc3339(),
            machine,
            config,
            entries: Vec::new(),
        }
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
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("{} is not a results file", path.display()))
    }

    /// Parses a results file's text, refusing other schema versions.
    pub fn parse(text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let v: Version = serde_json::from_str(text).context("no schema_version")?;
        if v.schema_version != SCHEMA_VERSION {
            bail!(
                "schema version {} (this bench reads version {SCHEMA_VERSION})",
                v.schema_version
            );
        }
        Ok(serde_json::from_str(text)?)
    }

    /// Writes the file atomically: a temporary file next to `path`, then a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let text = serde_json::to_string_pretty(self)? + "\n";
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {tmp:?}"))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Whether every successful run of every entry has the same proof digest as the others
    /// of its fixture (a mode must never change the proof).
    pub fn digest_mismatches(&self) -> Vec<String> {
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
                out.push(format!(
                    "{} / {}: proof digest differs from {} / {}",
                    e.fixture, e.mode, reference.fixture, reference.mode
                ));
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::observer::PhaseRecord;
    use crate::record::ProveConfig;

    /// A record with the given time, heap and digest (for tests here and elsewhere).
    pub(crate) fn record(mode: &str, seconds: f64, heap: u64, digest: &str) -> RunRecord {
        let phase = |name: &str, peak: u64| PhaseRecord {
            name: name.to_string(),
            seconds: seconds / 2.0,
            peak_heap_bytes: peak,
            allocated_bytes: None,
            resident_bytes: None,
        };
        RunRecord {
            fixture: "fib".into(),
            mode: mode.parse().unwrap(),
            cycles: 1000,
            prove_seconds: seconds,
            verify_seconds: 0.1,
            peak_heap_bytes: Some(heap),
            peak_rss_bytes: Some(heap + 100),
            proof_bytes: 10,
            proof_sha3: digest.into(),
            verified: true,
            input: vec![],
            public_output: vec![1],
            exit_code: 0,
            phases: vec![phase("main_commit", heap / 2), phase("composition", heap)],
            tables: vec![],
            machine: machine(),
            config: ProveConfig {
                log_blowup: 1,
                log_max_rows: 20,
                table_parallelism: None,
                count_alloc: true,
                epoch_log2: prover::continuation::DEFAULT_EPOCH_LOG2,
            },
            sequence: None,
            dhat: None,
            epochs: None,
        }
    }

    pub(crate) fn machine() -> Machine {
        Machine {
            cpu_model: "Test CPU".into(),
            cores: 2,
            memory_bytes: 24 << 30,
            os: "Linux 6".into(),
            rustc: "rustc 1.90.0".into(),
            git_sha: "abc".into(),
            git_dirty: false,
        }
    }

    #[test]
    fn summary_of_runs() {
        let runs = vec![
            record("default", 2.0, 1000, "d"),
            record("default", 1.0, 1010, "d"),
            record("default", 3.0, 990, "d"),
        ];
        let s = EntrySummary::of(&runs, 1);
        assert_eq!((s.runs, s.failed_runs), (3, 1));
        assert_eq!(s.median_prove_seconds, Some(2.0));
        assert_eq!(
            (s.min_prove_seconds, s.max_prove_seconds),
            (Some(1.0), Some(3.0))
        );
        assert_eq!(s.time_spread_pct, Some(100.0));
        assert_eq!(s.median_peak_heap_bytes, Some(1000));
        assert_eq!(s.heap_spread_pct, Some(2.0));
        assert_eq!(s.proof_sha3.as_deref(), Some("d"));
        assert!(s.digests_agree);
        assert_eq!(s.peak_phase.as_deref(), Some("composition"));
        let empty = EntrySummary::of(&[], 2);
        assert_eq!(empty.median_prove_seconds, None);
        assert_eq!(empty.failed_runs, 2);
        assert!(empty.proof_sha3.is_none());
    }

    #[test]
    fn disagreeing_digests_are_flagged() {
        let runs = vec![
            record("default", 1.0, 5, "a"),
            record("default", 1.0, 5, "b"),
        ];
        let s = EntrySummary::of(&runs, 0);
        assert!(!s.digests_agree);
        assert_eq!(s.proof_sha3, None);
        let mut file = ResultsFile::new(machine(), config());
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
        assert!(m[0].contains("leaf-drop"), "{m:?}");
    }

    pub(crate) fn config() -> RunConfig {
        RunConfig {
            log_blowup: 1,
            log_max_rows: 20,
            table_parallelism: None,
            count_alloc: true,
            epoch_log2: prover::continuation::DEFAULT_EPOCH_LOG2,
        }
    }

    #[test]
    fn save_load_round_trip_and_version_check() {
        let dir = std::env::temp_dir().join(format!("bench-results-{}", std::process::id()));
        let path = dir.join("nested").join("r.json");
        let mut file = ResultsFile::new(machine(), config());
        let e = file.entry_mut("fib", MemoryMode::DEFAULT);
        e.runs.push(record("default", 1.5, 7, "d"));
        e.resummarize();
        file.save(&path).unwrap();
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
