//! The prediction: the bytes of each heap kind live at each phase's peak, and the prove's
//! peak, read off a [`Schedule`] by replaying its buffer operations.
//!
//! Steps of one phase that belong to instances run `parallelism` at a time
//! ([`bounded_map`](crate::stark::schedule::bounded_map)); such a group's peak is taken as
//! what was live when it started plus each member's own rise above what was live when it
//! started (exact for one in flight, an upper bound beyond).

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
        // A group: up to `parallelism` consecutive instance steps of this phase.
        let mut end = i + 1;
        if steps[i].instance.is_some() {
            while end < steps.len()
                && end - i < schedule.parallelism
                && steps[end].phase == phase
                && steps[end].instance.is_some()
            {
                end += 1;
            }
        }
        let start = live;
        let mut top = start;
        for step in &steps[i..end] {
            let before = live;
            let high = replay(step, &mut live, &mut sizes);
            if end - i == 1 {
                // One in flight: the exact moment.
                top = high;
            } else {
                for t in 0..Tag::COUNT {
                    top[t] += high[t].saturating_sub(before[t]);
                }
            }
        }
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
