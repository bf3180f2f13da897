//! The prediction: the bytes of each heap kind live at each phase's peak, and the prove's
//! peak, read off a [`Schedule`] by replaying its buffer operations.
//!
//! Steps of one phase that belong to instances run `parallelism` at a time
//! ([`bounded_map`](crate::stark::schedule::bounded_map)), as a sliding window: each step's
//! highest moment is taken with the largest rises of `parallelism - 1` other steps of the
//! phase ([`in_flight_top`]; exact for one in flight, an upper bound beyond).

pub use super::lifetimes::TWIDDLE_BYTES_PER_POINT;

use super::lifetimes::{ModelPhase, Op, Schedule, Step, schedule};
use super::{Kinds, ModelInput};
use crate::memtag::Tag;

/// One phase's predicted peak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhasePrediction {
    /// The phase.
    pub phase: ModelPhase,
    /// Live bytes at its peak.
    pub peak: u64,
    /// Those bytes per kind.
    pub kinds: Kinds,
}

/// A prove's predicted memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
    /// Every phase, in order.
    pub phases: Vec<PhasePrediction>,
    /// The peak (the largest phase peak).
    pub peak: u64,
    /// The phase holding it (the first, on a tie).
    pub phase: ModelPhase,
    /// The peak's bytes per kind.
    pub kinds: Kinds,
}

/// The prediction for `input`.
pub fn predict(input: &ModelInput) -> Prediction {
    evaluate(&schedule(input))
}

fn total(k: &Kinds) -> u64 {
    k.iter().sum()
}

/// Replays one step from `live`: its highest moment and what is live after it.
fn replay(step: &Step, live: &mut Kinds, sizes: &mut Vec<(usize, Tag, u64)>) -> Kinds {
    let mut top = *live;
    for op in &step.ops {
        match *op {
            Op::Make(b) => {
                live[b.tag.index()] += b.bytes;
                sizes.push((b.id, b.tag, b.bytes));
                if total(live) > total(&top) {
                    top = *live;
                }
            }
            Op::Free(id) => {
                if let Some(i) = sizes.iter().position(|&(j, _, _)| j == id) {
                    let (_, tag, bytes) = sizes.swap_remove(i);
                    live[tag.index()] -= bytes;
                }
            }
        }
    }
    top
}

/// The highest moment of a run of instance steps that `bounded_map` runs `parallelism` at a
/// time. Its workers take the next index as each finishes, so which instances overlap is
/// not fixed: a long one overlaps every one that starts while it runs. So each step's own
/// highest moment counts with the largest rises (kind by kind, above what was live when they
/// started) of `parallelism - 1` other steps of the run. Exact for one in flight, an upper
/// bound beyond (up to the frees of buffers live before a run, which it does not credit).
fn in_flight_top(
    run: &[Step],
    parallelism: usize,
    live: &mut Kinds,
    sizes: &mut Vec<(usize, Tag, u64)>,
) -> Kinds {
    let mut highs = Vec::with_capacity(run.len());
    let mut rises: Vec<Kinds> = Vec::with_capacity(run.len());
    for step in run {
        let before = *live;
        let high = replay(step, live, sizes);
        let mut rise = [0; Tag::COUNT];
        for t in 0..Tag::COUNT {
            rise[t] = high[t].saturating_sub(before[t]);
        }
        highs.push(high);
        rises.push(rise);
    }
    // The steps by rise, largest first.
    let mut by_rise: Vec<usize> = (0..run.len()).collect();
    by_rise.sort_by_key(|&j| std::cmp::Reverse(total(&rises[j])));
    let mut top = [0; Tag::COUNT];
    for (j, high) in highs.iter().enumerate() {
        let mut moment = *high;
        for &o in by_rise.iter().filter(|&&o| o != j).take(parallelism - 1) {
            for t in 0..Tag::COUNT {
                moment[t] += rises[o][t];
            }
        }
        if total(&moment) > total(&top) {
            top = moment;
        }
    }
    top
}

/// The prediction a schedule gives.
pub fn evaluate(schedule: &Schedule) -> Prediction {
    let mut live: Kinds = [0; Tag::COUNT];
    let mut sizes = Vec::new();
    let mut phases: Vec<PhasePrediction> = Vec::new();
    let steps = &schedule.steps;
    let mut i = 0;
    while i < steps.len() {
        let phase = steps[i].phase;
        if phases.last().is_none_or(|p| p.phase != phase) {
            phases.push(PhasePrediction {
                phase,
                peak: total(&live),
                kinds: live,
            });
        }
        // A run: this phase's consecutive instance steps (one step otherwise).
        let mut end = i + 1;
        if steps[i].instance.is_some() {
            while end < steps.len() && steps[end].phase == phase && steps[end].instance.is_some() {
                end += 1;
            }
        }
        let top = if schedule.parallelism <= 1 || end - i == 1 {
            // One in flight at a time: each step's exact moment.
            let mut top = live;
            for step in &steps[i..end] {
                let high = replay(step, &mut live, &mut sizes);
                if total(&high) > total(&top) {
                    top = high;
                }
            }
            top
        } else {
            in_flight_top(&steps[i..end], schedule.parallelism, &mut live, &mut sizes)
        };
        let current = phases.last_mut().expect("pushed above");
        if total(&top) > current.peak {
            current.peak = total(&top);
            current.kinds = top;
        }
        i = end;
    }
    let best = phases
        .iter()
        .copied()
        .reduce(|a, b| if b.peak > a.peak { b } else { a })
        .unwrap_or(PhasePrediction {
            phase: ModelPhase::Setup,
            peak: 0,
            kinds: [0; Tag::COUNT],
        });
    Prediction {
        peak: best.peak,
        phase: best.phase,
        kinds: best.kinds,
        phases,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::MemoryPlan;
    use crate::stark::memory_model::{InstanceShape, Outside};

    fn input(plan: MemoryPlan, parallelism: usize) -> ModelInput {
        let shape = |log_height| InstanceShape {
            table: 0,
            log_height,
            pre: 0,
            main: 20,
            aux: 4,
        };
        ModelInput {
            instances: vec![shape(12), shape(12), shape(10)],
            log_blowup: 1,
            log_final_poly_len: 2,
            num_queries: 8,
            plan,
            parallelism,
            outside: Outside {
                materialised: true,
                ..Outside::default()
            },
        }
    }

    #[test]
    fn the_peak_is_the_largest_phase_and_its_kinds_sum_to_it() {
        let p = predict(&input(MemoryPlan::KEEP_ALL, 1));
        assert_eq!(p.peak, p.phases.iter().map(|ph| ph.peak).max().unwrap());
        assert_eq!(p.kinds.iter().sum::<u64>(), p.peak);
        for ph in &p.phases {
            assert_eq!(ph.kinds.iter().sum::<u64>(), ph.peak, "{:?}", ph.phase);
        }
    }

    /// An instance step that makes `bytes` of main LDE and frees it.
    fn step(instance: usize, id: usize, bytes: u64) -> Step {
        let buffer = super::super::lifetimes::Buffer {
            id,
            instance: Some(instance),
            tag: Tag::MainLde,
            what: "test",
            bytes,
        };
        Step {
            phase: ModelPhase::MainCommit,
            instance: Some(instance),
            ops: vec![Op::Make(buffer), Op::Free(id)],
        }
    }

    #[test]
    fn in_flight_steps_are_a_sliding_window_not_fixed_groups() {
        // Two large instances with a small one between: `bounded_map` with two workers runs
        // the third beside the first when the second finishes first, so the two large ones
        // overlap, which fixed pairs (0, 1), (2) would miss (11 then).
        let schedule = |parallelism| Schedule {
            steps: vec![step(0, 0, 10), step(1, 1, 1), step(2, 2, 10)],
            parallelism,
        };
        assert_eq!(evaluate(&schedule(1)).peak, 10);
        assert_eq!(evaluate(&schedule(2)).peak, 20);
        assert_eq!(evaluate(&schedule(3)).peak, 21);
    }

    #[test]
    fn streaming_predicts_less_and_parallelism_more() {
        let stream = MemoryPlan {
            stream_lde: true,
            ..MemoryPlan::KEEP_ALL
        };
        let base = predict(&input(MemoryPlan::KEEP_ALL, 1)).peak;
        assert!(predict(&input(stream, 1)).peak < base);
        assert!(predict(&input(stream, 2)).peak > predict(&input(stream, 1)).peak);
    }
}
