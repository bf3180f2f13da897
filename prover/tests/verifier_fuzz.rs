//! A seeded property test of the verifier (the fuzz target of issue 36): arbitrary and
//! mutated bytes, decoded as a proof and verified at several `log_max_rows`, never make it
//! panic, and never make it allocate more than a bound fixed by the statement and the
//! input's length:
//!
//! ```text
//! peak <= statement + 64 * len(bytes) + 8 MiB
//! ```
//!
//! `statement` is the peak of verifying the honest proof at its own parameters (what the
//! statement costs whatever the proof: preprocessed commitments, AIR analysis). The 64 bytes
//! per input byte cover decoding (an empty `OodValues` is 7 input bytes and 168 bytes of
//! vectors; vectors grow by doubling) and the per-instance layout, whose count the decoded
//! vectors must match first; the 8 MiB cover serde's capped preallocation of a claimed
//! vector length (at most 1 MiB a vector being decoded) and constant work.
//!
//! Inputs (a fixed budget, the same every run; `VERIFIER_FUZZ_INPUTS=n` runs `n` rounds
//! instead of 100): per round, random bytes, bit flips, overwritten spans, truncations,
//! insertions and forged varints in honest proofs, honest proofs with re-encoded random
//! heights, and proofs of zeros shaped to random valid heights (every length consistent,
//! so verification reaches the transcript, the OOD check and the queries). Two statements:
//! the example AIRs (Fib, chunked Cubes, Range) and the zkVM's tables for a tiny program.
//! Each input is verified at `log_max_rows` 20, 12, 4 and 2 and at the honest proof's own.
//!
//! This file is its own test binary with one test, so the counting allocator sees the
//! verifier's allocations alone.

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::counting::{Counting, peak_of};
use common::forged::shaped;
use prover::stark::examples::{
    CubesAir, ExampleAir, FibAir, RangeAir, cubes_trace, fib_trace, range_trace,
};
use prover::stark::{
    MaterializedTraces, MemoryPlan, NoObserver, Proof, StarkParams, Statement, prove, verify_bytes,
};
use prover::zkvm::{self, VmProof};

#[global_allocator]
static ALLOC: Counting = Counting;

const SEED: u64 = 0x5eed_0036;
const ROUNDS: usize = 100;
const PER_BYTE: usize = 64;
const SLACK: usize = 8 << 20;
const LOGS: [usize; 4] = [20, 12, 4, 2];

/// SplitMix64: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// A claimed height: often a shape, often not, sometimes huge.
    fn height(&mut self) -> u64 {
        match self.below(6) {
            0 => 1 << self.below(34),
            1 => (1 << self.below(33)) + (1 << self.below(33)),
            2 => self.below(200) as u64,
            3 => u64::MAX >> self.below(64),
            4 => 1 << 32,
            _ => self.next(),
        }
    }
}

/// A postcard varint.
fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// One mutated input from an honest proof's bytes (`honest`) and its decoded form.
fn mutate(rng: &mut Rng, honest: &[u8], proof: &Proof) -> (&'static str, Vec<u8>) {
    let mut b = honest.to_vec();
    let at = |rng: &mut Rng, b: &Vec<u8>| rng.below(b.len());
    match rng.below(8) {
        0 => {
            let n = rng.below(300);
            ("random", rng.bytes(n))
        }
        1 => {
            for _ in 0..1 + rng.below(8) {
                let i = at(rng, &b);
                b[i] ^= 1 << rng.below(8);
            }
            ("bit flips", b)
        }
        2 => {
            let i = at(rng, &b);
            let n = (1 + rng.below(64)).min(b.len() - i);
            let span = rng.bytes(n);
            b[i..i + n].copy_from_slice(&span);
            ("overwrite", b)
        }
        3 => {
            b.truncate(at(rng, &b));
            ("truncate", b)
        }
        4 => {
            let i = at(rng, &b);
            let n = 1 + rng.below(16);
            let extra = rng.bytes(n);
            b.splice(i..i, extra);
            ("insert", b)
        }
        5 => {
            // A forged varint (a length or a height) in the first bytes.
            let i = rng.below(b.len().min(64));
            let v = varint(rng.height());
            b.splice(i..(i + 1).min(b.len()), v);
            ("varint", b)
        }
        6 => {
            let mut p = proof.clone();
            for h in &mut p.heights {
                if rng.below(2) == 0 {
                    *h = rng.height();
                }
            }
            ("heights", p.to_bytes())
        }
        _ => {
            let mut p = proof.clone();
            let k = rng.below(p.heights.len());
            p.pow_nonce = rng.next();
            p.heights[k] = rng.height();
            if rng.below(2) == 0 {
                p.main_roots.truncate(rng.below(p.main_roots.len() + 1));
            }
            ("fields", p.to_bytes())
        }
    }
}

/// Verifies bytes under parameters; the error as its variant's name.
type Check<'a> = dyn Fn(&[u8], &StarkParams) -> Result<(), String> + 'a;

#[derive(Default)]
struct Tally {
    inputs: usize,
    verifications: usize,
    panics: Vec<String>,
    over: Vec<String>,
    max_peak: usize,
    max_peak_input: usize,
    outcomes: BTreeMap<String, usize>,
}

impl Tally {
    /// Verifies `bytes` with `check` at every `log_max_rows` and books the outcome.
    fn run(
        &mut self,
        what: &str,
        bytes: &[u8],
        honest: &[u8],
        statement_peak: usize,
        logs: &[usize],
        check: &Check<'_>,
    ) {
        self.inputs += 1;
        let bound = statement_peak + PER_BYTE * bytes.len() + SLACK;
        for &log_max_rows in logs {
            let params = StarkParams {
                log_max_rows,
                grinding_bits: 4,
                ..StarkParams::default()
            };
            self.verifications += 1;
            let (answer, peak) =
                peak_of(|| catch_unwind(AssertUnwindSafe(|| check(bytes, &params))));
            let at = format!("{what}, {} bytes, log_max_rows {log_max_rows}", bytes.len());
            if peak > self.max_peak {
                self.max_peak = peak;
                self.max_peak_input = bytes.len();
            }
            if peak > bound {
                self.over.push(format!("{at}: {peak} B > {bound} B"));
            }
            let outcome = match answer {
                Err(_) => {
                    self.panics.push(at);
                    "PANIC".to_string()
                }
                // A mutation may leave the bytes as they were (a height redrawn equal).
                Ok(Ok(())) if bytes == honest => "accepted (the honest bytes)".to_string(),
                Ok(Ok(())) => "ACCEPTED".to_string(),
                Ok(Err(e)) => e,
            };
            *self.outcomes.entry(outcome).or_default() += 1;
        }
    }
}

/// The error's variant name (`Shape`, `Height(Instances`, ...).
fn kind(e: &impl std::fmt::Debug) -> String {
    let s = format!("{e:?}");
    let end = s.find([' ', '{']).unwrap_or(s.len());
    s[..end].trim_end_matches('(').to_string()
}

/// Valid chunk shapes for the example tables at `log_max_rows` 4 (small).
fn example_heights(rng: &mut Rng) -> Vec<u64> {
    let fib = 1 << (2 + rng.below(3));
    let cubes = [4u64, 8, 16, 32, 48, 64, 68][rng.below(7)];
    vec![fib, cubes, 16]
}

#[test]
fn the_verifier_never_panics_and_stays_within_its_allocation_bound() {
    let rounds = std::env::var("VERIFIER_FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ROUNDS);
    let mut rng = Rng(SEED);
    let mut tally = Tally::default();

    // The example statement: Fib whole, Cubes in four chunks of 16, Range whole.
    let (fib, public) = fib_trace(4, 2, 3);
    let cubes = cubes_trace(6, 16);
    let range = range_trace(4, &cubes);
    let airs = vec![
        ExampleAir::Fib(FibAir),
        ExampleAir::Cubes(CubesAir),
        ExampleAir::Range(RangeAir { log_n: 4 }),
    ];
    let statement = Statement {
        context: b"verifier fuzz",
        public_values: &public,
        public_interactions: &[],
    };
    let own = StarkParams {
        log_max_rows: 4,
        grinding_bits: 4,
        ..StarkParams::default()
    };
    let traces = MaterializedTraces(vec![fib, cubes, range]);
    let honest = prove(
        &airs,
        &traces,
        &statement,
        &own,
        &MemoryPlan::default(),
        &NoObserver,
    )
    .expect("the example statement proves");
    let honest_bytes = honest.to_bytes();
    let example = |bytes: &[u8], params: &StarkParams| {
        verify_bytes(&airs, &statement, params, bytes).map_err(|e| format!("example {}", kind(&e)))
    };
    let (ok, example_peak) = peak_of(|| example(&honest_bytes, &own));
    assert_eq!(ok, Ok(()), "the honest example proof verifies");

    // The zkVM statement: a tiny program at the default parameters.
    let program = common::program(&[common::addi(5, 0, 3), common::alu("add", 6, 5, 5)]);
    let vm_params = StarkParams {
        grinding_bits: 4,
        ..StarkParams::default()
    };
    let opts = zkvm::ProveOptions {
        params: vm_params,
        ..zkvm::ProveOptions::default()
    };
    let vm_honest = zkvm::prove(&program, &[], &opts, &NoObserver).expect("the program proves");
    let vm_bytes = vm_honest.to_bytes();
    let vm = |bytes: &[u8], params: &StarkParams| match VmProof::from_bytes(bytes) {
        Ok(proof) => zkvm::verify(&program, &[], &proof, params)
            .map(|_| ())
            .map_err(|e| match e {
                zkvm::VmVerifyError::Stark(e) => format!("zkvm Stark {}", kind(&e)),
                e => format!("zkvm {}", kind(&e)),
            }),
        Err(e) => Err(format!("zkvm decode {}", kind(&e))),
    };
    let (ok, vm_peak) = peak_of(|| vm(&vm_bytes, &vm_params));
    assert_eq!(ok, Ok(()), "the honest zkVM proof verifies");

    let example_logs = [4, 20, 12, 2];
    for round in 0..rounds {
        // Example statement: one mutation of the honest proof, one shaped proof.
        let (what, bytes) = mutate(&mut rng, &honest_bytes, &honest);
        tally.run(
            what,
            &bytes,
            &honest_bytes,
            example_peak,
            &example_logs,
            &example,
        );
        let heights = example_heights(&mut rng);
        let mut forged = shaped(&airs, &own, heights, public.len());
        forged.pow_nonce = rng.next();
        let forged = forged.to_bytes();
        tally.run(
            "shaped",
            &forged,
            &honest_bytes,
            example_peak,
            &example_logs,
            &example,
        );
        // zkVM statement: a mutation every third round (each verification that reaches the
        // preprocessed commitments rebuilds RANGE and BYTES, 2^16 rows each).
        if round % 3 == 0 {
            let (what, bytes) = mutate(&mut rng, &vm_bytes, &vm_honest.stark);
            // Mutations of the STARK part go into a VmProof around it.
            let bytes = if what == "heights" || what == "fields" {
                let stark = Proof::from_bytes(&bytes).expect("re-encoded");
                VmProof {
                    output: vm_honest.output.clone(),
                    stark,
                }
                .to_bytes()
            } else {
                bytes
            };
            tally.run(what, &bytes, &vm_bytes, vm_peak, &LOGS, &vm);
        }
    }

    eprintln!(
        "verifier fuzz (seed {SEED:#x}): {} inputs, {} verifications, {} panics, {} over the bound; \
         max peak {} B ({:.2} MiB, on a {}-byte input); statement peaks: example {} B, zkVM {} B",
        tally.inputs,
        tally.verifications,
        tally.panics.len(),
        tally.over.len(),
        tally.max_peak,
        tally.max_peak as f64 / f64::from(1 << 20),
        tally.max_peak_input,
        example_peak,
        vm_peak,
    );
    for (outcome, n) in &tally.outcomes {
        eprintln!("  {n:>6}  {outcome}");
    }
    assert!(tally.panics.is_empty(), "panics: {:?}", tally.panics);
    assert!(tally.over.is_empty(), "over the bound: {:?}", tally.over);
    assert!(
        !tally.outcomes.contains_key("ACCEPTED"),
        "a changed proof was accepted: {:?}",
        tally.outcomes
    );
}
