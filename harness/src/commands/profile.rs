//! `bench profile`: the heap over the time of one prove, in this process.
//!
//! Samples (time, live bytes) come from two sources: every phase event (the observer of
//! `measure::timeline` notes each start and end with the live bytes at that moment) and
//! every new global peak that is 1 % (at least 64 KiB) above the last one recorded, from the
//! allocator's own fixed, allocation-free timeline. Between samples the line is
//! interpolated: dips between phase events are not seen, peaks are (to within one step, and
//! the global peak exactly: its value is the counter's peak and its moment is time-stamped).
//!
//! Outputs are checked before the prove (`store::outputs`): `--svg` and `--dhat-file` never
//! overwrite an existing file without `--force` (the default SVG path is this command's own
//! and is replaced).
//!
//! Output: an SVG (`report::charts::timeline`) with the heap line, one band per phase span
//! (the time before the first phase is `execute+trace`), and the global peak annotated with
//! its value and the innermost phase running then; `--json` prints the timeline.
//!
//! `--dhat` (builds with the `dhat-heap` feature only) also runs dhat's heap profiler around
//! the prove and writes its profile (default `dhat-heap.json`) for the DHAT viewer
//! (`dh_view.html`). Without the feature it is an error that says how to rebuild.

use std::path::PathBuf;

use anyhow::{Result, bail};
use prover::modes::MemoryMode;

use crate::analysis::timeline::build;
use crate::commands::outcome::Outcome;
use crate::measure::alloc::CountingAlloc;
use crate::measure::program::load;
use crate::measure::timeline::record;
use crate::model::program::ProgramSpec;
use crate::report::charts::timeline::timeline_svg;
use crate::report::profile::profile_text;
use crate::store::files::write_text;
use crate::store::outputs::check_output;
use crate::store::paths;

/// What `bench profile` is asked.
#[derive(Clone, Debug)]
pub struct ProfileRequest {
    /// The fixture to prove.
    pub fixture: String,
    /// The memory mode.
    pub mode: MemoryMode,
    /// Where to write the timeline SVG (`None`: `target/bench/profile-FIXTURE-MODE.svg`).
    pub svg: Option<PathBuf>,
    /// Print the timeline samples as JSON.
    pub json: bool,
    /// Also write a dhat heap profile here.
    pub dhat_file: Option<PathBuf>,
    /// Overwrite `svg` and `dhat_file` when they exist.
    pub force: bool,
}

/// Runs `bench profile`, sampling the heap through `alloc`.
pub fn profile<A: Sync>(request: &ProfileRequest, alloc: &CountingAlloc<A>) -> Result<Outcome> {
    if request.dhat_file.is_some() && !cfg!(feature = "dhat-heap") {
        bail!(
            "--dhat needs dhat's allocator: rebuild with `cargo build --release -p harness --features dhat-heap`"
        );
    }
    if !alloc.is_counting() {
        bail!("heap counting is off (BENCH_COUNT_ALLOC=0): a profile needs it");
    }
    request.mode.check_available()?;
    if let Some(svg) = &request.svg {
        check_output("--svg", svg, &[], request.force)?;
    }
    if let Some(dhat) = &request.dhat_file {
        check_output("--dhat-file", dhat, &[], request.force)?;
    }
    let loaded = load(&ProgramSpec::Fixture(request.fixture.clone()), None)?;
    let raw = record(alloc, &loaded, request.mode, request.dhat_file.as_deref())?;
    if let Some(file) = &request.dhat_file {
        eprintln!("dhat profile: {}", file.display());
    }
    let timeline = build(&loaded.name, &request.mode.to_string(), &raw);
    let svg_path = request
        .svg
        .clone()
        .unwrap_or_else(|| paths::profile_svg(&loaded.name, &request.mode.to_string()));
    write_text(&svg_path, &timeline_svg(&timeline)?)?;
    if request.json {
        println!("{}", serde_json::to_string_pretty(&timeline)?);
    } else {
        print!("{}", profile_text(&timeline, &raw));
    }
    eprintln!("chart: {}", svg_path.display());
    Ok(Outcome::Done)
}
