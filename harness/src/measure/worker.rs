//! One measured prove in this process: proves a program's run, verifies the proof and
//! reports a [`RunRecord`] (`bench prove`; `bench run`'s workers are `bench prove --json`
//! processes). A `verify-and-drop` mode proves in epochs of `2^epoch_log2` cycles and
//! verifies each epoch as it goes (`prover::continuation`); its digest is the bundle's (every
//! epoch proof in order), its verify time 0 (included in the prove time).

use std::num::NonZeroUsize;
use std::time::Instant;

use prover::continuation::{StreamSummary, prove_and_verify_continuation};
use prover::modes::{Flag, MemoryMode, ModeError};
use prover::stark::Regime;
use prover::zkvm::{self, ProveOptions};
use thiserror::Error;

use crate::measure::alloc::CountingAlloc;
use crate::measure::cycles::cycle_limit;
use crate::measure::machine;
use crate::measure::memory_check::{self, MemoryCheckError};
use crate::measure::phase_marks::{self, PhaseMarks};
use crate::measure::phases::PeakObserver;
use crate::measure::predict::PredictError;
use crate::measure::probes::{jemalloc_stats, limit_address_space, peak_rss_bytes};
use crate::measure::program::{Loaded, ProgramError, load};
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use crate::model::record::{RunRecord, TableRecord};

/// What to prove, and how.
#[derive(Clone, Debug)]
pub struct ProveRequest {
    /// The program.
    pub program: ProgramSpec,
    /// Input words instead of the program's own.
    pub input: Option<Vec<u32>>,
    /// Fail after this many cycles without a halt (`None`: scaled to the memory available,
    /// `measure::cycles`).
    pub max_cycles: Option<u64>,
    /// The soundness regime of the proof parameters.
    pub security: Regime,
    /// log2 of the LDE blowup.
    pub log_blowup: usize,
    /// log2 of the largest table chunk.
    pub log_max_rows: usize,
    /// The memory mode.
    pub mode: MemoryMode,
    /// Table instances in flight at once (`None`: the prover's automatic choice).
    pub table_parallelism: Option<NonZeroUsize>,
    /// Cap this process's address space at this many bytes.
    pub max_memory: Option<u64>,
    /// The prove's heap budget in bytes (`ProveOptions::memory_budget`), for a mode that
    /// takes one.
    pub memory_budget: Option<u64>,
    /// log2 of the epoch size (cycles) of `verify-and-drop`.
    pub epoch_log2: u32,
}

/// A prover error, boxed (the prover's own types stay behind it).
type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why a measured prove failed.
#[derive(Debug, Error)]
pub enum WorkerError {
    /// The mode is unknown to the prover or not implemented.
    #[error(transparent)]
    Mode(#[from] ModeError),
    /// The address-space limit cannot be set.
    #[error("cannot set the --max-memory limit")]
    Limit(#[source] std::io::Error),
    /// The program cannot be loaded.
    #[error(transparent)]
    Program(#[from] ProgramError),
    /// The proof parameters are invalid.
    #[error("invalid proof parameters")]
    Params(#[source] Cause),
    /// Proving failed.
    #[error("proving {what}")]
    Prove {
        /// The program, and the epochs when proved in them.
        what: String,
        /// The cause.
        #[source]
        source: Cause,
    },
    /// The mode's predicted peak does not fit in the memory available (no `--max-memory`).
    #[error(transparent)]
    Memory(MemoryCheckError),
    /// The proof did not verify.
    #[error("verifying the proof of {name}")]
    Verify {
        /// The program.
        name: String,
        /// The cause.
        #[source]
        source: Cause,
    },
}

fn table_reports(program: &prover::vm::Program, heights: &[u64], cycles: u64) -> Vec<TableRecord> {
    use prover::stark::Air;
    use prover::stark::symbolic::AirInfo;
    zkvm::airs(program)
        .iter()
        .zip(heights)
        .map(|(air, &rows)| {
            let aux = AirInfo::of(air, 0).map_or(0, |i| i.aux_width());
            let limbs = air.main_width() + 2 * aux;
            TableRecord {
                name: air.name().to_string(),
                rows,
                main_columns: air.main_width(),
                aux_columns: aux,
                trace_bytes_per_cycle: (rows * limbs as u64 * 8) as f64 / cycles.max(1) as f64,
            }
        })
        .collect()
}

/// Proves and verifies the program `args` names, measuring heap through `alloc`.
pub fn prove<A: Sync>(
    args: &ProveRequest,
    alloc: &CountingAlloc<A>,
) -> Result<RunRecord, WorkerError> {
    args.mode.check_available()?;
    args.mode.check_budget(args.memory_budget)?;
    if let Some(bytes) = args.max_memory {
        // The rayon pool's threads start first: a thread that starts past the cap crashes
        // in jemalloc's per-thread setup (SIGSEGV) instead of failing an allocation
        // (SIGABRT, which the runner reports as out of memory). Seen at 64k with 0.2 GiB
        // once the pool started later in the prove.
        rayon::broadcast(|_| ());
        limit_address_space(bytes).map_err(WorkerError::Limit)?;
    }
    #[cfg(feature = "dhat-heap")]
    let profiler = dhat::Profiler::builder().testing().build();
    #[cfg(feature = "dhat-heap")]
    let live_at_start = alloc.live_bytes();
    let Loaded {
        name,
        program,
        input,
        ..
    } = load(&args.program, args.input.clone())?;
    let config = ProveConfig {
        log_blowup: args.log_blowup,
        log_max_rows: args.log_max_rows,
        table_parallelism: args.table_parallelism.map(usize::from),
        count_alloc: alloc.is_counting(),
        epoch_log2: args.epoch_log2,
        security: args.security,
        memory_budget: args.memory_budget,
    };
    let params = config.params();
    params
        .validate()
        .map_err(|e| WorkerError::Params(Box::new(e)))?;
    let limit = cycle_limit(args.max_cycles, true);
    let scaled = limit.note();
    let epochs = args.mode.has(Flag::VerifyAndDrop);
    let what = if epochs {
        format!("{name} in epochs of 2^{}{scaled}", args.epoch_log2)
    } else {
        format!("{name}{scaled}")
    };
    if args.max_memory.is_none() && !memory_check::checked_by_plan() {
        let parallelism = args.table_parallelism;
        memory_check::check(
            &name,
            &program,
            &input,
            &config,
            args.mode,
            parallelism,
            limit.cycles,
        )
        .map_err(|e| match e {
            // The run itself failed (the cycle limit, a fault): the prove's own error.
            MemoryCheckError::Predict(PredictError::Run { source, .. }) => WorkerError::Prove {
                what: what.clone(),
                source: Box::new(source),
            },
            e => WorkerError::Memory(e),
        })?;
    }
    let options = ProveOptions {
        params,
        max_cycles: limit.cycles,
        mode: args.mode,
        table_parallelism: args.table_parallelism,
        memory_budget: args.memory_budget,
    };
    let peaks = PeakObserver::new(alloc).with_allocator_stats(jemalloc_stats);
    // Callgrind's cuts at the phase boundaries (no-ops unless run under callgrind).
    let inject = std::env::var(phase_marks::INJECT_ENV)
        .ok()
        .and_then(|v| phase_marks::parse_inject(&v));
    let observer = PhaseMarks::new(&peaks, epochs, inject);
    observer.begin();
    let start = Instant::now();
    let proved = if epochs {
        Proved::Epochs(
            prove_and_verify_continuation(&program, &input, args.epoch_log2, &options, &observer)
                .map_err(|e| WorkerError::Prove {
                what: what.clone(),
                source: Box::new(e),
            })?,
        )
    } else {
        Proved::Whole(
            zkvm::prove(&program, &input, &options, &observer).map_err(|e| WorkerError::Prove {
                what: what.clone(),
                source: Box::new(e),
            })?,
        )
    };
    let prove_seconds = start.elapsed().as_secs_f64();
    observer.end();
    let peak = alloc.peak_snapshot();
    let peak_heap_bytes = alloc.is_counting().then_some(peak.bytes);
    let peak_breakdown = if alloc.is_counting() {
        peak.breakdown()
    } else {
        Default::default()
    };
    #[cfg(feature = "dhat-heap")]
    let dhat = {
        let stats = dhat::HeapStats::get();
        drop(profiler);
        let peak = alloc.peak_bytes();
        let since = peak.saturating_sub(live_at_start);
        Some(crate::model::record::DhatCheck {
            dhat_max_bytes: stats.max_bytes as u64,
            live_at_start,
            counted_peak_since_start: since,
            equal: since == stats.max_bytes as u64,
        })
    };
    #[cfg(not(feature = "dhat-heap"))]
    let dhat = None;
    let peak_rss_bytes = peak_rss_bytes();
    let (output, proof_bytes, proof_sha3, verify_seconds, tables, epochs) = match proved {
        Proved::Whole(proof) => {
            let bytes = proof.to_bytes();
            let start = Instant::now();
            let verified = zkvm::verify(&program, &input, &proof, &params);
            let verify_seconds = start.elapsed().as_secs_f64();
            let output = verified.map_err(|e| WorkerError::Verify {
                name: name.clone(),
                source: Box::new(e),
            })?;
            let tables = table_reports(&program, &proof.stark.heights, output.cycles);
            (
                output,
                bytes.len(),
                proof.digest_hex(),
                verify_seconds,
                tables,
                None,
            )
        }
        // Each epoch was verified inside the prove (that is the mode), so there is no
        // separate verification time; the tables are the first epoch's.
        Proved::Epochs(s) => {
            let first_cycles = s.boundaries.first().map_or(0, |b| b.cycles);
            let tables = table_reports(&program, &s.first_heights, first_cycles);
            let epochs = Some(s.boundaries.len() as u32);
            let bytes = s.proof_bytes.iter().sum();
            (s.output, bytes, s.digest, 0.0, tables, epochs)
        }
    };
    Ok(RunRecord {
        mode: args.mode,
        machine: machine::detect(),
        config,
        sequence: None,
        dhat,
        tables,
        peak_heap_bytes,
        peak_rss_bytes,
        phases: peaks.records(),
        fixture: name,
        input,
        cycles: output.cycles,
        prove_seconds,
        verify_seconds,
        proof_bytes,
        proof_sha3,
        verified: true,
        public_output: output.words,
        exit_code: output.exit_code,
        epochs,
        instructions: None,
        instruction_phases: Vec::new(),
        instruction_epochs: Vec::new(),
        functions: Default::default(),
        instruction_worker: None,
        peak_breakdown,
    })
}

/// What a prove produced: one whole-run proof, or the summary of verify-and-drop.
enum Proved {
    Whole(zkvm::VmProof),
    Epochs(StreamSummary),
}
