//! `bench prove`: proves a program's run and verifies the proof in this process, and reports
//! a [`RunRecord`]. `bench run`'s workers are `bench prove --json` processes. A
//! `verify-and-drop` mode proves in epochs of `2^--epoch-log2` cycles and verifies each epoch
//! as it goes (`prover::continuation`); its digest is the bundle's (every epoch proof in
//! order), its verify time 0 (included in the prove time).

use std::time::Instant;

use anyhow::{Context, Result};
use prover::continuation::{StreamSummary, prove_and_verify_continuation};
use prover::modes::Flag;
use prover::stark::StarkParams;
use prover::zkvm::{self, ProveOptions};

use crate::alloc::{CountingAlloc, jemalloc_stats, limit_address_space, peak_rss_bytes};
use crate::cli::ProveArgs;
use crate::machine::Machine;
use crate::observer::PeakObserver;
use crate::program::{Loaded, load};
use crate::record::{ProveConfig, RunRecord, TableRecord};

fn table_reports(
    program: &prover::vm::Program,
    log_heights: &[u8],
    cycles: u64,
) -> Vec<TableRecord> {
    use prover::stark::Air;
    use prover::stark::symbolic::AirInfo;
    zkvm::airs(program)
        .iter()
        .zip(log_heights)
        .map(|(air, &lh)| {
            let aux = AirInfo::of(air, 0).map_or(0, |i| i.aux_width());
            let rows = 1u64 << lh;
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
pub fn run<A: Sync>(args: &ProveArgs, alloc: &CountingAlloc<A>) -> Result<RunRecord> {
    args.mode.check_available()?;
    if let Some(bytes) = args.max_memory {
        limit_address_space(bytes).context("cannot set the --max-memory limit")?;
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
    } = load(&args.program)?;
    let params = StarkParams {
        log_blowup: args.log_blowup,
        log_max_rows: args.log_max_rows,
        ..StarkParams::default()
    };
    params.validate().context("invalid proof parameters")?;
    let options = ProveOptions {
        params,
        max_cycles: args.max_cycles,
        mode: args.mode,
        table_parallelism: args.table_parallelism,
    };
    let observer = PeakObserver::new(alloc).with_allocator_stats(jemalloc_stats);
    let start = Instant::now();
    let proved = if args.mode.has(Flag::VerifyAndDrop) {
        Proved::Epochs(
            prove_and_verify_continuation(&program, &input, args.epoch_log2, &options, &observer)
                .with_context(|| format!("proving {name} in epochs of 2^{}", args.epoch_log2))?,
        )
    } else {
        Proved::Whole(
            zkvm::prove(&program, &input, &options, &observer)
                .with_context(|| format!("proving {name}"))?,
        )
    };
    let prove_seconds = start.elapsed().as_secs_f64();
    let peak_heap_bytes = alloc.is_counting().then(|| alloc.peak_bytes());
    #[cfg(feature = "dhat-heap")]
    let dhat = {
        let stats = dhat::HeapStats::get();
        drop(profiler);
        let peak = alloc.peak_bytes();
        let since = peak.saturating_sub(live_at_start);
        Some(crate::record::DhatCheck {
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
            let output = verified.with_context(|| format!("verifying the proof of {name}"))?;
            let tables = table_reports(&program, &proof.stark.log_heights, output.cycles);
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
            let tables = table_reports(&program, &s.first_log_heights, first_cycles);
            let epochs = Some(s.boundaries.len() as u32);
            let bytes = s.proof_bytes.iter().sum();
            (s.output, bytes, s.digest, 0.0, tables, epochs)
        }
    };
    Ok(RunRecord {
        mode: args.mode,
        machine: Machine::detect(),
        config: ProveConfig {
            log_blowup: args.log_blowup,
            log_max_rows: args.log_max_rows,
            table_parallelism: args.table_parallelism.map(usize::from),
            count_alloc: alloc.is_counting(),
            epoch_log2: args.epoch_log2,
        },
        sequence: None,
        dhat,
        tables,
        peak_heap_bytes,
        peak_rss_bytes,
        phases: observer.records(),
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
    })
}

/// What a prove produced: one whole-run proof, or the summary of verify-and-drop.
enum Proved {
    Whole(zkvm::VmProof),
    Epochs(StreamSummary),
}

/// Prints `report` as text or as one JSON object.
pub fn print(report: &RunRecord, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
        return Ok(());
    }
    println!("program        {}", report.fixture);
    println!("mode           {}", report.mode);
    println!("cycles         {}", report.cycles);
    println!("public output  {:?}", report.public_output);
    println!("exit code      {}", report.exit_code);
    println!("prove          {:.3} s", report.prove_seconds);
    match report.epochs {
        Some(n) => println!(
            "verify         in the prove ({n} epochs of 2^{} cycles, each verified and dropped)",
            report.config.epoch_log2
        ),
        None => println!("verify         {:.3} s", report.verify_seconds),
    }
    println!(
        "proof          {} bytes, sha3 {}",
        report.proof_bytes, report.proof_sha3
    );
    println!("verified       {}", report.verified);
    let mib = |b: Option<u64>| {
        b.map_or("n/a".to_string(), |b| {
            format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
        })
    };
    println!("peak heap      {}", mib(report.peak_heap_bytes));
    println!("peak RSS       {}", mib(report.peak_rss_bytes));
    println!("phases         seconds   peak heap");
    for p in &report.phases {
        println!(
            "  {:<13} {:>7.3} {:>11}",
            p.name,
            p.seconds,
            mib(Some(p.peak_heap_bytes))
        );
    }
    println!("tables         rows      main  aux(ext)  trace bytes/cycle");
    for t in &report.tables {
        println!(
            "  {:<10} {:>9} {:>5} {:>9} {:>18.1}",
            t.name, t.rows, t.main_columns, t.aux_columns, t.trace_bytes_per_cycle
        );
    }
    Ok(())
}
