//! Taking one prove's heap timeline in this process (`bench profile`): a
//! [`TimelineObserver`] notes every phase event with the live bytes around the usual
//! [`PeakObserver`], and the allocator's own new-peak timeline
//! ([`CountingAlloc::start_timeline`]) records the peaks between them.

use std::path::Path;
use std::sync::Mutex;

use prover::modes::MemoryMode;
use prover::stark::{Phase, ProveObserver, StarkParams, Target};
use prover::zkvm::{self, ProveOptions};

use crate::analysis::timeline::{PhaseEvent, Raw};
use crate::measure::alloc::CountingAlloc;
use crate::measure::clock::monotonic_nanos;
use crate::measure::phases::PeakObserver;
use crate::measure::program::Loaded;

/// Wraps a [`PeakObserver`] and notes every event with the live bytes.
#[derive(Debug)]
pub struct TimelineObserver<'a, A> {
    inner: PeakObserver<'a, A>,
    alloc: &'a CountingAlloc<A>,
    events: Mutex<Vec<PhaseEvent>>,
}

impl<'a, A> TimelineObserver<'a, A> {
    /// Notes events around `inner`, reading live bytes from `alloc`.
    pub fn new(inner: PeakObserver<'a, A>, alloc: &'a CountingAlloc<A>) -> Self {
        Self {
            inner,
            alloc,
            events: Mutex::new(Vec::with_capacity(4096)),
        }
    }

    fn note(&self, phase: Phase, start: bool) {
        let event = PhaseEvent {
            nanos: monotonic_nanos(),
            phase,
            start,
            live: self.alloc.live_bytes(),
            by_kind: self.alloc.live_snapshot().breakdown(),
        };
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event);
    }

    /// The events so far, in order.
    pub fn events(&self) -> Vec<PhaseEvent> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl<A: Sync> ProveObserver for TimelineObserver<'_, A> {
    fn phase_start(&self, phase: Phase, target: Target) {
        self.inner.phase_start(phase, target);
        self.note(phase, true);
    }

    fn phase_end(&self, phase: Phase, target: Target) {
        self.inner.phase_end(phase, target);
        self.note(phase, false);
    }
}

/// Why the profiled prove failed.
#[derive(Debug, thiserror::Error)]
#[error("proving {name}")]
pub struct ProfileError {
    /// The program.
    pub name: String,
    /// The prover's error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// Proves `program` on `input` in `mode` with the default parameters, sampling the heap
/// through `alloc` (which must be counting); with `dhat_file`, dhat's heap profiler runs
/// around the prove and writes its profile there (builds with the `dhat-heap` feature).
pub fn record<A: Sync>(
    alloc: &CountingAlloc<A>,
    loaded: &Loaded,
    mode: MemoryMode,
    dhat_file: Option<&Path>,
) -> Result<Raw, ProfileError> {
    let options = ProveOptions {
        params: StarkParams::default(),
        max_cycles: prover::vm::DEFAULT_MAX_CYCLES,
        mode,
        table_parallelism: None,
        memory_budget: None,
    };
    let observer = TimelineObserver::new(PeakObserver::new(alloc), alloc);
    #[cfg(feature = "dhat-heap")]
    let profiler = dhat_file.map(|f| dhat::Profiler::builder().file_name(f).build());
    #[cfg(not(feature = "dhat-heap"))]
    let _ = dhat_file;
    alloc.start_timeline();
    let start_snap = alloc.live_snapshot();
    let live_start = start_snap.bytes;
    let start = monotonic_nanos();
    let proof = zkvm::prove(&loaded.program, &loaded.input, &options, &observer);
    let end = monotonic_nanos();
    let end_snap = alloc.live_snapshot();
    let (peaks, dropped) = alloc.stop_timeline();
    let kinds_ever_live = alloc
        .ever_live()
        .into_iter()
        .map(|t| t.name().to_string())
        .collect();
    let peak_nanos = alloc.peak_nanos();
    let proof = proof.map_err(|e| ProfileError {
        name: loaded.name.clone(),
        source: Box::new(e),
    })?;
    drop(proof);
    #[cfg(feature = "dhat-heap")]
    drop(profiler);
    Ok(Raw {
        start,
        end,
        live_start,
        live_end: end_snap.bytes,
        start_by_kind: start_snap.breakdown(),
        end_by_kind: end_snap.breakdown(),
        events: observer.events(),
        peaks: peaks
            .into_iter()
            .map(|(t, snap)| (t, snap.bytes, snap.breakdown()))
            .collect(),
        kinds_ever_live,
        dropped,
        peak_bytes: alloc.peak_bytes(),
        peak_nanos,
        peak_by_kind: alloc.peak_snapshot().breakdown(),
    })
}
