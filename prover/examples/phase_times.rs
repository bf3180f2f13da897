//! Prints per-phase wall time of one zkVM prove: `cargo run --release --example phase_times -- FIXTURE`.
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use prover::fixtures::Catalogue;
use prover::stark::{Phase, ProveObserver, Target};
use prover::zkvm::{self, ProveOptions};

#[derive(Default)]
struct Timer {
    open: Mutex<BTreeMap<(Phase, String), Instant>>,
    total: Mutex<BTreeMap<Phase, Duration>>,
}

impl ProveObserver for Timer {
    fn phase_start(&self, p: Phase, t: Target) {
        self.open
            .lock()
            .unwrap()
            .insert((p, format!("{t:?}")), Instant::now());
    }
    fn phase_end(&self, p: Phase, t: Target) {
        let s = self
            .open
            .lock()
            .unwrap()
            .remove(&(p, format!("{t:?}")))
            .unwrap();
        *self.total.lock().unwrap().entry(p).or_default() += s.elapsed();
    }
}

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or("fib_iterative_64k".into());
    let cat = Catalogue::load_default().unwrap();
    let fx = cat.get(&name).unwrap();
    let program = cat.program(fx).unwrap();
    let timer = Timer::default();
    let t0 = Instant::now();
    let w = zkvm::build_witness(&program, &fx.input, &ProveOptions::default()).unwrap();
    println!("witness        {:>8.2} s", t0.elapsed().as_secs_f64());
    let t1 = Instant::now();
    zkvm::prove_witness(&program, &fx.input, w, &ProveOptions::default(), &timer).unwrap();
    println!("stark total    {:>8.2} s", t1.elapsed().as_secs_f64());
    for (p, d) in timer.total.lock().unwrap().iter() {
        println!("{:<14} {:>8.2} s", p.name(), d.as_secs_f64());
    }
}
