//! `bench`: measures the prover's peak heap and prove time, proves and verifies programs,
//! compares measurements and revisions, keeps the nightly series, fits growth slopes, draws
//! heap timelines and exports results (see `bench --help` and the `harness` library).
//!
//! The global allocator is jemalloc wrapped in `CountingAlloc`, which counts live heap
//! bytes; `BENCH_COUNT_ALLOC=0` turns the counting off.
//!
//! The whole program: parse the command line, turn it into a request, run it, exit with the
//! status its outcome decides (`commands::outcome`).

use std::process::ExitCode;

use harness::commands::oom::ExitOnOom;
use harness::measure::alloc::CountingAlloc;
use harness::{cli, commands};

/// The binary's allocator: jemalloc, with live-byte counting (and, under `--max-memory`, a
/// refused allocation said as out of memory: `commands::oom`).
#[cfg(not(feature = "dhat-heap"))]
#[global_allocator]
static ALLOCATOR: CountingAlloc<ExitOnOom<tikv_jemallocator::Jemalloc>> =
    CountingAlloc::new(ExitOnOom(tikv_jemallocator::Jemalloc));

/// With the `dhat-heap` feature: dhat's allocator, with the same counting around it, so that
/// `bench prove` can compare the counted peak with dhat's.
#[cfg(feature = "dhat-heap")]
#[global_allocator]
static ALLOCATOR: CountingAlloc<ExitOnOom<dhat::Alloc>> =
    CountingAlloc::new(ExitOnOom(dhat::Alloc));

fn main() -> ExitCode {
    ALLOCATOR.configure_from_env();
    let request = cli::convert::to_request(cli::args::parse());
    commands::outcome::finish(commands::dispatch(&request, &ALLOCATOR))
}
