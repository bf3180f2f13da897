//! `bench prove`: proves a program's run and verifies the proof in this process, reporting
//! times, proof size and digest.

use std::time::Instant;

use anyhow::{Context, Result};
use prover::stark::{NoObserver, StarkParams};
use prover::zkvm::{self, ProveOptions};
use serde::Serialize;

use crate::cli::ProveArgs;
use crate::program::{Loaded, load};

/// What one prove measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Fixture name or ELF path.
    pub fixture: String,
    /// Input words.
    pub input: Vec<u32>,
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
}

/// Proves and verifies the program `args` names.
pub fn run(args: &ProveArgs) -> Result<Report> {
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
    };
    let start = Instant::now();
    let proof = zkvm::prove(&program, &input, &options, &NoObserver)
        .with_context(|| format!("proving {name}"))?;
    let prove_seconds = start.elapsed().as_secs_f64();
    let bytes = proof.to_bytes();
    let start = Instant::now();
    let verified = zkvm::verify(&program, &input, &proof, &params);
    let verify_seconds = start.elapsed().as_secs_f64();
    let output = verified.with_context(|| format!("verifying the proof of {name}"))?;
    Ok(Report {
        fixture: name,
        input,
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
    Ok(())
}
