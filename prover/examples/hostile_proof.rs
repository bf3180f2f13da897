//! Measures the verifier on the hostile proof of issue 36: a few dozen bytes claiming `2^32`
//! rows for every zkVM table without a fixed height. For each `log_max_rows` it prints the
//! proof's size, the verifier's peak heap (a counting allocator), its time and its answer.
//!
//! ```text
//! cargo run --release -p prover --example hostile_proof [-- L ... [--ceiling-mib N]]
//! ```
//!
//! Each measurement runs in a child process whose heap is capped at `--ceiling-mib` (default
//! 4096; past it an allocation fails and the child aborts) and whose time is capped at 120 s,
//! so a verifier that runs away is reported as `> ceiling` instead of taking the machine.
//! Two claims are measured: `all` (every unfixed table, MEMORY included, at `2^32`), and
//! `memory-whole` (the same with MEMORY at 16 rows, one chunk, so that the rule for split
//! tables does not apply and the instance count and lengths must reject it).

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::counting::{self, Counting};
use common::forged::hostile_proof;
use prover::stark::{StarkParams, Statement, verify_bytes};
use prover::zkvm::{self, table};

#[global_allocator]
static ALLOC: Counting = Counting;

const TIMEOUT: Duration = Duration::from_secs(120);

fn child(claim: &str, log_max_rows: usize, ceiling_mib: usize) {
    let program = common::program(&[common::addi(5, 0, 3)]);
    let airs = zkvm::airs(&program);
    let overrides: &[(usize, u64)] = match claim {
        "all" => &[],
        _ => &[(table::MEMORY, 16)],
    };
    let bytes = hostile_proof(&airs, overrides).to_bytes();
    let params = StarkParams {
        log_max_rows,
        ..StarkParams::default()
    };
    counting::set_ceiling(ceiling_mib << 20);
    let start = Instant::now();
    let (answer, peak) =
        counting::peak_of(|| verify_bytes(&airs, &Statement::default(), &params, &bytes));
    let secs = start.elapsed().as_secs_f64();
    let answer = match answer {
        Ok(()) => "ACCEPTED".to_string(),
        Err(e) => format!("{e}"),
    };
    println!(
        "{claim:<13} L={log_max_rows:<2} {:>3} B  peak {:>12} B ({:>9.3} MiB)  {secs:>8.4} s  {answer}",
        bytes.len(),
        peak,
        peak as f64 / (1u64 << 20) as f64,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let claim = &args[1];
        let l = args[2].parse().expect("log_max_rows");
        let ceiling = args[3].parse().expect("ceiling MiB");
        child(claim, l, ceiling);
        return;
    }
    let mut ceiling_mib = 4096usize;
    let mut logs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--ceiling-mib" {
            ceiling_mib = it
                .next()
                .and_then(|v| v.parse().ok())
                .expect("--ceiling-mib N");
        } else {
            logs.push(a.parse::<usize>().expect("log_max_rows"));
        }
    }
    if logs.is_empty() {
        logs = vec![20, 16, 12, 4];
    }
    let exe = std::env::current_exe().expect("own path");
    for claim in ["all", "memory-whole"] {
        for &l in &logs {
            let start = Instant::now();
            let mut child = Command::new(&exe)
                .args(["--child", claim, &l.to_string(), &ceiling_mib.to_string()])
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn a child");
            let status = loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    break Some(status);
                }
                if start.elapsed() > TIMEOUT {
                    child.kill().expect("kill the child");
                    child.wait().expect("reap the child");
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let secs = start.elapsed().as_secs_f64();
            match status {
                Some(s) if s.success() => {}
                Some(_) => println!(
                    "{claim:<13} L={l:<2} peak > {ceiling_mib} MiB (an allocation past the ceiling failed after {secs:.1} s)"
                ),
                None => println!(
                    "{claim:<13} L={l:<2} time > {} s (killed)",
                    TIMEOUT.as_secs()
                ),
            }
        }
    }
}
