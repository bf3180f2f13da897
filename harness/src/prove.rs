//! `bench prove`: proves a program's run and verifies the proof in this process, reporting
//! times, proof size and digest.

use std::time::Instant;

use anyhow::{Context, Result};
use prover::modes::MemoryMode;
use prover::stark::StarkParams;
use prover::zkvm::{self, ProveOptions};
use serde::Serialize;

use crate::alloc::{CountingAlloc, peak_rss_bytes};
use crate::cli::ProveArgs;
use crate::observer::{PeakObserver, PhaseRecord};
use crate::program::{Loaded, load};

/// What one prove measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Fixture name or ELF path.
    pub fixture: String,
    /// Input words.
    pub input: Vec<u32>,
    /// The memory mode proved in.
    pub mode: MemoryMode,
    /// Cycles to the halt (as the proof attests).
    pub cycles: u64,
    /// Wall-clock seconds of execute + trace + prove.
    pub prove_seconds: f64,
    /// Wall-clock seconds of verification.
    pub verify_seconds: f64,
    /// Size of the encoded proof.
    pub proof_bytes: usize,
    /// SHA3-256 of the encoded proof, hex.
    pub proof_sha3: String,
    /// Whether the proof verified.
    pub verified: bool,
    /// Committed words.
    pub public_output: Vec<u32>,
    /// Exit code at the halt.
    pub exit_code: u32,
    /// Exact peak of live heap bytes up to the end of proving (`null` when counting is off
    /// with `BENCH_COUNT_ALLOC=0`).
    pub peak_heap_bytes: Option<u64>,
    /// The process's peak resident set (`VmHWM`) at the end of proving.
    pub peak_rss_bytes: Option<u64>,
    /// Per prover phase: wall seconds and peak live heap.
    pub phases: Vec<PhaseRecord>,
    /// The proof's tables.
    pub tables: Vec<TableReport>,
}

/// One table's size in the proof.
#[derive(Debug, Serialize)]
pub struct TableReport {
    /// Table name.
    pub name: String,
    /// Rows (padded to a power of two, all chunks together).
    pub rows: u64,
    /// Main columns (base field).
    pub main_columns: usize,
    /// LogUp aux columns (extension field, two base limbs each).
    pub aux_columns: usize,
    /// Bytes of main + aux trace per executed cycle.
    pub trace_bytes_per_cycle: f64,
}

fn table_reports(
    program: &prover::vm::Program,
    log_heights: &[u8],
    cycles: u64,
) -> Vec<TableReport> {
    use prover::stark::Air;
    use prover::stark::symbolic::AirInfo;
    zkvm::airs(program)
        .iter()
        .zip(log_heights)
        .map(|(air, &lh)| {
            let aux = AirInfo::of(air, 0).map_or(0, |i| i.aux_width());
            let rows = 1u64 << lh;
            let limbs = air.main_width() + 2 * aux;
            TableReport {
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
pub fn run<A: Sync>(args: &ProveArgs, alloc: &CountingAlloc<A>) -> Result<Report> {
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
        ..ProveOptions::default()
    };
    let observer = PeakObserver::new(alloc);
    let start = Instant::now();
    let proof = zkvm::prove(&program, &input, &options, &observer)
        .with_context(|| format!("proving {name}"))?;
    let prove_seconds = start.elapsed().as_secs_f64();
    let peak_heap_bytes = alloc.is_counting().then(|| alloc.peak_bytes());
    let peak_rss_bytes = peak_rss_bytes();
    let bytes = proof.to_bytes();
    let start = Instant::now();
    let verified = zkvm::verify(&program, &input, &proof, &params);
    let verify_seconds = start.elapsed().as_secs_f64();
    let output = verified.with_context(|| format!("verifying the proof of {name}"))?;
    let tables = table_reports(&program, &proof.stark.log_heights, output.cycles);
    Ok(Report {
        tables,
        peak_heap_bytes,
        peak_rss_bytes,
        phases: observer.records(),
        fixture: name,
        input,
        mode: args.mode,
        cycles: output.cycles,
        prove_seconds,
        verify_seconds,
        proof_bytes: bytes.len(),
        proof_sha3: proof.digest_hex(),
        verified: true,
        public_output: output.words,
        exit_code: output.exit_code,
    })
}

/// Prints `report` as text or as one JSON object.
pub fn print(report: &Report, json: bool) -> Result<()> {
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
    println!("verify         {:.3} s", report.verify_seconds);
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
