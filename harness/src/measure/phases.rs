//! [`PeakObserver`]: attributes wall time and peak heap to the prover's phases, from the
//! phase events of [`ProveObserver`] and the phase peak of a [`CountingAlloc`].
//!
//! Per phase name (all targets together):
//! - `seconds` is the wall time during which at least one target of the phase was running
//!   (the union of its intervals, so parallel instances are not summed);
//! - `peak_heap_bytes` is the largest live heap, process-wide, while the phase was running;
//!   `peak_breakdown` its live bytes per buffer kind at that moment (they sum to it).
//!
//! - `allocated_bytes` / `resident_bytes` are jemalloc's own `stats.allocated` and
//!   `stats.resident` read when the phase last ended (`null` without a reader, see
//!   [`PeakObserver::with_allocator_stats`]).
//!
//! Every event, start or end, calls [`CountingAlloc::reset_phase_peak`]; the peak of the
//! interval just ended is credited to every phase running through it. So overlapping phases
//! each see the peaks of their whole span, and work between phases is credited to none.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use prover::stark::{Phase, ProveObserver, Target};

use crate::measure::alloc::{CountingAlloc, TagSnapshot};
use crate::measure::probes::AllocatorStats;
use crate::model::record::PhaseRecord;

/// Running state of one phase name.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// Targets of this phase started and not yet ended.
    running: usize,
    /// When `running` last went from 0 to 1.
    since: Option<Instant>,
    /// Wall time of the finished stretches.
    elapsed: Duration,
    /// Peak heap seen while running, this stretch and earlier ones, per tag.
    peak: TagSnapshot,
    /// Whether any target ended.
    seen: bool,
    /// The allocator's counters at the last end.
    stats: Option<AllocatorStats>,
}

impl Slot {
    const EMPTY: Slot = Slot {
        running: 0,
        since: None,
        elapsed: Duration::ZERO,
        peak: TagSnapshot::ZERO,
        seen: false,
        stats: None,
    };
}

/// Records per-phase time and peak heap; see the module docs.
#[derive(Debug)]
pub struct PeakObserver<'a, A> {
    alloc: &'a CountingAlloc<A>,
    slots: Mutex<[Slot; Phase::ALL.len()]>,
    stats: Option<fn() -> Option<AllocatorStats>>,
}

fn index(phase: Phase) -> usize {
    Phase::ALL
        .iter()
        .position(|&p| p == phase)
        .expect("Phase::ALL lists every phase")
}

impl<'a, A> PeakObserver<'a, A> {
    /// An observer reading `alloc`'s phase peak (and resetting it at every event).
    pub fn new(alloc: &'a CountingAlloc<A>) -> Self {
        Self {
            alloc,
            slots: Mutex::new([Slot::EMPTY; Phase::ALL.len()]),
            stats: None,
        }
    }

    /// Also reads the allocator's own counters with `read` at every phase end.
    pub fn with_allocator_stats(mut self, read: fn() -> Option<AllocatorStats>) -> Self {
        self.stats = Some(read);
        self
    }

    /// Applies one event: credits the interval's peak to every running phase, then
    /// starts or ends `phase`.
    fn event(&self, phase: Phase, start: bool) {
        let now = Instant::now();
        let stats = if start {
            None
        } else {
            self.stats.and_then(|read| read())
        };
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let interval_peak = self.alloc.reset_phase_snapshot();
        for slot in slots.iter_mut().filter(|s| s.running > 0) {
            if interval_peak.bytes > slot.peak.bytes {
                slot.peak = interval_peak;
            }
        }
        let slot = &mut slots[index(phase)];
        if start {
            if slot.running == 0 {
                slot.since = Some(now);
                // The new phase starts with what is live now.
                let live = self.alloc.live_snapshot();
                if live.bytes > slot.peak.bytes {
                    slot.peak = live;
                }
            }
            slot.running += 1;
        } else if slot.running > 0 {
            slot.running -= 1;
            slot.seen = true;
            slot.stats = stats.or(slot.stats);
            if slot.running == 0 {
                slot.elapsed += slot.since.take().map_or(Duration::ZERO, |t| now - t);
            }
        }
    }

    /// One record per phase that ended at least once, in protocol order. Phases still
    /// running count up to now.
    pub fn records(&self) -> Vec<PhaseRecord> {
        let now = Instant::now();
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        Phase::ALL
            .iter()
            .zip(slots.iter())
            .filter(|(_, s)| s.seen)
            .map(|(phase, s)| PhaseRecord {
                name: phase.name().to_string(),
                seconds: (s.elapsed + s.since.map_or(Duration::ZERO, |t| now - t)).as_secs_f64(),
                peak_heap_bytes: s.peak.bytes,
                peak_breakdown: s.peak.breakdown(),
                allocated_bytes: s.stats.map(|st| st.allocated),
                resident_bytes: s.stats.map(|st| st.resident),
            })
            .collect()
    }
}

impl<A: Sync> ProveObserver for PeakObserver<'_, A> {
    fn phase_start(&self, phase: Phase, _target: Target) {
        self.event(phase, true);
    }

    fn phase_end(&self, phase: Phase, _target: Target) {
        self.event(phase, false);
    }
}

#[cfg(test)]
mod tests {
    use std::alloc::{GlobalAlloc, Layout, System};

    use super::*;

    const MIB: usize = 1 << 20;

    fn inst(chunk: usize) -> Target {
        Target::Instance { table: 0, chunk }
    }

    /// A block allocated through a local counter and freed on drop.
    struct Block<'a> {
        alloc: &'a CountingAlloc<System>,
        ptr: *mut u8,
        layout: Layout,
    }

    impl<'a> Block<'a> {
        fn new(alloc: &'a CountingAlloc<System>, size: usize) -> Self {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: non-zero size.
            let ptr = unsafe { alloc.alloc(layout) };
            assert!(!ptr.is_null());
            Self { alloc, ptr, layout }
        }
    }

    impl Drop for Block<'_> {
        fn drop(&mut self) {
            // SAFETY: allocated by `alloc` with `layout`, freed once.
            unsafe { self.alloc.dealloc(self.ptr, self.layout) };
        }
    }

    #[test]
    fn sequential_phases_get_their_own_peaks() {
        let alloc = CountingAlloc::new(System);
        let obs = PeakObserver::new(&alloc);
        // Before any phase: 4 MiB come and go, credited to nobody.
        drop(Block::new(&alloc, 4 * MIB));
        let kept = Block::new(&alloc, MIB);
        obs.phase_start(Phase::MainCommit, Target::Proof);
        drop(Block::new(&alloc, 2 * MIB));
        obs.phase_end(Phase::MainCommit, Target::Proof);
        obs.phase_start(Phase::Fri, Target::Proof);
        drop(Block::new(&alloc, MIB / 2));
        obs.phase_end(Phase::Fri, Target::Proof);
        drop(kept);
        let r = obs.records();
        let names: Vec<&str> = r.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["main_commit", "fri"]);
        // Peaks are absolute live heap: the kept 1 MiB plus each phase's own block.
        assert_eq!(r[0].peak_heap_bytes, 3 * MIB as u64);
        assert_eq!(r[1].peak_heap_bytes, (MIB + MIB / 2) as u64);
        assert!(r.iter().all(|p| p.seconds >= 0.0 && p.seconds.is_finite()));
    }

    #[test]
    fn overlapping_targets_aggregate_under_one_name() {
        let alloc = CountingAlloc::new(System);
        let obs = PeakObserver::new(&alloc);
        obs.phase_start(Phase::MainCommit, inst(0));
        obs.phase_start(Phase::MainCommit, inst(1));
        let a = Block::new(&alloc, MIB);
        obs.phase_end(Phase::MainCommit, inst(0));
        // Still running through chunk 1: this larger peak belongs to main_commit too.
        let b = Block::new(&alloc, 2 * MIB);
        drop(b);
        drop(a);
        obs.phase_end(Phase::MainCommit, inst(1));
        // A stray end without a start is ignored.
        obs.phase_end(Phase::Queries, Target::Proof);
        let r = obs.records();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].name, "main_commit");
        assert_eq!(r[0].peak_heap_bytes, 3 * MIB as u64);
    }

    #[test]
    fn a_phase_sees_peaks_inside_a_nested_phase() {
        let alloc = CountingAlloc::new(System);
        let obs = PeakObserver::new(&alloc);
        obs.phase_start(Phase::Queries, Target::Proof);
        obs.phase_start(Phase::Fri, Target::Bucket { log_lde_size: 10 });
        drop(Block::new(&alloc, 5 * MIB));
        obs.phase_end(Phase::Fri, Target::Bucket { log_lde_size: 10 });
        drop(Block::new(&alloc, MIB));
        obs.phase_end(Phase::Queries, Target::Proof);
        let r = obs.records();
        let peak = |n: &str| r.iter().find(|p| p.name == n).unwrap().peak_heap_bytes;
        assert_eq!(peak("fri"), 5 * MIB as u64);
        assert_eq!(peak("queries"), 5 * MIB as u64);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Vec<PhaseRecord>>(&json).unwrap(), r);
    }

    #[test]
    fn allocator_stats_are_read_at_phase_ends() {
        fn fake() -> Option<AllocatorStats> {
            Some(AllocatorStats {
                allocated: 7,
                resident: 9,
            })
        }
        let alloc = CountingAlloc::new(System);
        let obs = PeakObserver::new(&alloc).with_allocator_stats(fake);
        obs.phase_start(Phase::Composition, inst(0));
        obs.phase_end(Phase::Composition, inst(0));
        let r = obs.records();
        assert_eq!(
            (r[0].allocated_bytes, r[0].resident_bytes),
            (Some(7), Some(9))
        );
        let plain = PeakObserver::new(&alloc);
        plain.phase_start(Phase::Fri, Target::Proof);
        plain.phase_end(Phase::Fri, Target::Proof);
        assert_eq!(plain.records()[0].allocated_bytes, None);
    }
}
