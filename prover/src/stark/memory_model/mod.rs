//! The memory model: what a prove will hold, predicted before it runs.
//!
//! Two pure steps, one module each:
//!
//! * [`lifetimes`]: the schedule. From a [`ModelInput`] (the mode's [`MemoryPlan`] flags, the
//!   table layout: every instance's height and widths, the blowup, the Merkle levels held,
//!   the FRI folds, the queries, table parallelism, and what the zkVM holds beside the
//!   STARK) to the prove's buffers, instance by instance and phase by phase, in the order
//!   the prover makes and frees them: each a [`Buffer`] of one heap kind ([`Tag`]) with the
//!   step that makes it and the step that frees it. A buffer of the same instance and kind
//!   made again later is a rebuild ([`Schedule::lifetimes`] lists them as such).
//! * [`predict`]: the bytes of each kind live at each phase's peak, and the prove's peak,
//!   from the schedule alone.
//!
//! And one choice it makes for the prover ([`policy_for`]): Phase A's coefficient copies,
//! taken where they leave the predicted peak where it was.
//!
//! The schedule asks the store's [`Policy`](crate::stark::policy::Policy) what to keep, as
//! the store does, and follows the store's and `prover.rs`'s steps in order
//! (`harness/tests/prediction.rs` checks the prediction against the counting allocator's
//! measurement in every mode, phase by phase and kind by kind, and `bench predict` prints it
//! for any program). What it leaves out is small against the
//! peak: scratch below a few rows, per-job hashing buffers, twiddle tables (counted per
//! NTT size, [`predict::TWIDDLE_BYTES_PER_POINT`]), allocator headers.

pub mod lifetimes;
pub mod predict;

pub use lifetimes::{Buffer, Lifetime, ModelPhase, Schedule, Step, schedule};
pub use predict::{PhasePrediction, Prediction, predict};

use crate::memtag::Tag;
use crate::stark::MemoryPlan;
use crate::stark::params::StarkParams;
use crate::stark::policy::Policy;
use crate::stark::setup::Layout;

/// One table instance (chunk) as the model sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceShape {
    /// The table it belongs to.
    pub table: usize,
    /// log2 of its rows.
    pub log_height: usize,
    /// Preprocessed columns.
    pub pre: usize,
    /// Main columns.
    pub main: usize,
    /// Aux columns (extension elements; 0 without a bus).
    pub aux: usize,
}

/// What the program's side (the zkVM) holds beside the STARK, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outside {
    /// The main traces are materialised before the prove (every instance's main trace
    /// resident from the start, handed to the prover chunk by chunk), rather than rebuilt
    /// on demand (`retire_traces`).
    pub materialised: bool,
    /// With retired traces: the execution log kept for the CPU replay.
    pub execution_log: u64,
    /// With retired traces: request lists, checkpoints, memory records.
    pub witness: u64,
    /// With retired traces: the main traces the source keeps whole (PROGRAM, RANGE, BYTES),
    /// handed out as copies.
    pub resident_traces: u64,
    /// Held through the whole prove and not the STARK's (a continuation's executor and
    /// chain state).
    pub other: u64,
}

/// Everything the model reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelInput {
    /// The instances, in the prover's instance order.
    pub instances: Vec<InstanceShape>,
    /// log2 of the LDE blowup.
    pub log_blowup: usize,
    /// FRI stops folding at `2^log_final_poly_len`.
    pub log_final_poly_len: usize,
    /// Queries per FRI.
    pub num_queries: usize,
    /// The mode's flags (its `table_parallelism` is ignored: see `parallelism`).
    pub plan: MemoryPlan,
    /// Instances in flight per phase.
    pub parallelism: usize,
    /// What the zkVM holds.
    pub outside: Outside,
}

/// Bytes per heap kind, indexed by [`Tag::index`].
pub type Kinds = [u64; Tag::COUNT];

/// Bytes per kind as `(name, bytes)` pairs, the non-zero ones only.
pub fn named(kinds: &Kinds) -> Vec<(&'static str, u64)> {
    Tag::ALL
        .into_iter()
        .filter(|t| kinds[t.index()] > 0)
        .map(|t| (t.name(), kinds[t.index()]))
        .collect()
}

/// The store's policy for a prove of `input`'s shape: [`lifetimes::base_policy`], with
/// the coefficient copies that the model predicts leave the peak as it is without them.
/// Copies raise the peak of their own phase alone, so they are taken only where that phase
/// does not hold the prove's peak:
///
/// * Phase A's ([`Policy::phase_a_copies`]: one interpolation per instance instead of one
///   per coset block) where the plan commits by blocks: at `interpreter_1M` the
///   combination's Phase A 280 -> 499 MiB under its 520 MiB FRI-phase peak; at
///   `fib_iterative_64k` they would make Phase A the peak, 60.0 -> 64.7 MiB, and are not
///   taken;
/// * then Round 2's, instance by instance: the largest instance size (of those in the
///   prove) whose copies keep the peak ([`Policy::round2_copies_cells`]), then the longest
///   run of instances from the first that may copy whatever their size
///   ([`Policy::round2_copies_before`]; Round 2's level rises instance by instance, as each
///   leaves its quotient's coefficients). At `interpreter_1M` the combination's second CPU
///   chunk holds Round 2's peak: every smaller instance copies, and the first CPU chunk
///   too; at `interpreter_8M` every instance does.
///
/// What the zkVM holds beside the STARK (execution log, retired witness, resident small
/// traces) is made before Phase A and held to the end under the plans that own traces in
/// these phases (`stream_lde` with `retire_traces`), the same bytes in every phase, so it
/// cannot change which is higher: the [`InstanceStore`](crate::stark::store::InstanceStore)
/// asks without it ([`stark_input`]).
///
/// With a [`stark_budget`](MemoryPlan::stark_budget), a choice is also taken where the
/// STARK's own predicted peak (this schedule with nothing outside it) stays within the
/// budget: first every aux trace kept as its coefficients where it would be rebuilt
/// ([`Policy::with_aux_kept`]; at `interpreter_8M` the combination's predicted peak 1,380.7
/// -> 3,470.2 MiB), then the copies above by the same test. Without one, this is the rule
/// above alone.
pub fn policy_for(input: &ModelInput) -> Policy {
    let base = lifetimes::base_policy(input);
    let peak = |p: &Policy| predict::evaluate(&lifetimes::schedule_with(input, p)).peak;
    let limit = peak(&base);
    // The budget bounds the STARK's own peak: the same schedule with nothing outside it.
    let stark = ModelInput {
        outside: Outside::default(),
        ..input.clone()
    };
    let budget = input.plan.stark_budget;
    let within_budget = |p: &Policy| {
        budget.is_some_and(|b| predict::evaluate(&lifetimes::schedule_with(&stark, p)).peak <= b)
    };
    let fits = |p: &Policy| peak(p) <= limit || within_budget(p);
    let mut chosen = base;
    // Kept aux traces first: they save the most (four LogUp rebuilds and two interpolations
    // of every aux trace) and cost the most, so they are never taken in place of copies
    // that leave the peak unchanged, only within a budget.
    let kept = base.with_aux_kept();
    if kept != base && within_budget(&kept) {
        chosen = kept;
    }
    let phase_a = chosen.with_phase_a_copies();
    if phase_a != chosen && fits(&phase_a) {
        chosen = phase_a;
    }
    let mut sizes: Vec<u64> = input
        .instances
        .iter()
        .map(|s| Policy::trace_cells(s.log_height, s.main, s.aux))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    for cells in sizes.into_iter().rev() {
        let round2 = chosen.with_round2_copies(cells);
        if round2 == chosen {
            break;
        }
        if fits(&round2) {
            chosen = round2;
            break;
        }
    }
    // Then the longest run of instances from the first whose copies keep the peak: copies
    // only add bytes, so the peak never falls as the run grows, and the longest is found by
    // bisection.
    let (mut run, mut over) = (0, input.instances.len() + 1);
    while over - run > 1 {
        let mid = (run + over) / 2;
        let round2 = chosen.with_round2_copies_before(mid);
        if round2 == chosen || !fits(&round2) {
            over = mid;
        } else {
            run = mid;
        }
    }
    chosen.with_round2_copies_before(run)
}

/// The model's input for the prove of `layout` under `params` and `plan`, the STARK alone
/// (nothing held outside it; the traces not materialised).
pub fn stark_input(layout: &Layout, params: &StarkParams, plan: &MemoryPlan) -> ModelInput {
    ModelInput {
        instances: layout
            .instances
            .iter()
            .zip(&layout.widths)
            .map(|(inst, w)| InstanceShape {
                table: inst.table,
                log_height: inst.log_height,
                pre: w.pre,
                main: w.main,
                aux: w.aux,
            })
            .collect(),
        log_blowup: params.log_blowup,
        log_final_poly_len: params.log_final_poly_len,
        num_queries: params.num_queries(),
        plan: *plan,
        parallelism: plan.parallelism(),
        outside: Outside::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn combination() -> MemoryPlan {
        MemoryPlan {
            stream_lde: true,
            leaf_drop: true,
            retire_traces: true,
            table_parallelism: None,
            stark_budget: None,
        }
    }

    fn input(plan: MemoryPlan, main: usize, aux: usize) -> ModelInput {
        ModelInput {
            instances: vec![InstanceShape {
                table: 0,
                log_height: 12,
                pre: 0,
                main,
                aux,
            }],
            log_blowup: 1,
            log_final_poly_len: 2,
            num_queries: 8,
            plan,
            parallelism: 1,
            outside: Outside::default(),
        }
    }

    fn peak(input: &ModelInput, policy: &Policy) -> u64 {
        predict::evaluate(&lifetimes::schedule_with(input, policy)).peak
    }

    #[test]
    fn phase_a_copies_are_taken_only_where_the_peak_stays() {
        // Aux columns outweighing the main ones: the later phases hold the main and aux
        // traces, more than Phase A's two main buffers. Main columns alone: Phase A's copy
        // would be the prove's largest moment.
        for (main, aux, taken) in [(4, 8, true), (40, 0, false)] {
            let input = input(combination(), main, aux);
            let base = lifetimes::base_policy(&input);
            let chosen = policy_for(&input);
            assert_eq!(chosen.phase_a_copies, taken, "{main} main, {aux} aux");
            assert_eq!(peak(&input, &chosen), peak(&input, &base));
            assert_eq!(schedule(&input), lifetimes::schedule_with(&input, &chosen));
            let forced = base.with_phase_a_copies();
            assert!(forced.phase_a_copies);
            if !taken {
                assert!(peak(&input, &forced) > peak(&input, &base));
            }
        }
        // A plan that does not commit by blocks has nothing to choose.
        let keep_all = input(MemoryPlan::KEEP_ALL, 4, 8);
        assert!(!policy_for(&keep_all).phase_a_copies);
        assert!(
            !lifetimes::base_policy(&keep_all)
                .with_phase_a_copies()
                .phase_a_copies
        );
    }

    #[test]
    fn round2_copies_are_taken_by_the_instances_below_the_peak() {
        // A wide instance holds Round 2's peak; a narrow one's copies fit under it.
        let mut two = input(combination(), 40, 8);
        two.instances.push(InstanceShape {
            table: 1,
            log_height: 12,
            pre: 0,
            main: 4,
            aux: 2,
        });
        let base = lifetimes::base_policy(&two);
        let chosen = policy_for(&two);
        let (wide, narrow) = (
            Policy::trace_cells(12, 40, 8),
            Policy::trace_cells(12, 4, 2),
        );
        assert_eq!(chosen.round2_copies_cells, narrow);
        assert!(chosen.round2_copies(1, 12, 4, 2) && !chosen.round2_copies(0, 12, 40, 8));
        // The wide one comes first: no run of instances from the first fits either.
        assert_eq!(chosen.round2_copies_before, 0);
        assert_eq!(peak(&two, &chosen), peak(&two, &base));
        // The wide one's copies would raise the peak.
        let both = chosen.with_round2_copies(wide);
        assert!(peak(&two, &both) > peak(&two, &base));
        // Without streamed LDEs there is nothing to copy.
        let keep_all = lifetimes::base_policy(&input(MemoryPlan::KEEP_ALL, 4, 8));
        assert_eq!(keep_all.with_round2_copies(wide).round2_copies_cells, 0);
        assert_eq!(
            keep_all.with_round2_copies_before(1).round2_copies_before,
            0
        );
    }

    #[test]
    fn a_budget_keeps_the_aux_traces_and_takes_copies_within_it() {
        // Four chunks of a wide table: their aux traces together outweigh one main trace,
        // so without a budget they are rebuilt. The budget is the STARK's own peak, so
        // what the zkVM holds outside it does not count against it.
        let mut four = input(combination(), 30, 13);
        four.instances.extend([four.instances[0]; 3]);
        four.outside.execution_log = 1 << 30;
        let lean = policy_for(&four);
        assert!(!lean.keeps_aux_traces());
        let stark = ModelInput {
            outside: Outside::default(),
            ..four.clone()
        };
        let kept = lean.with_aux_kept();
        assert!(kept.keeps_aux_traces());
        let (lean_peak, kept_peak) = (peak(&stark, &lean), peak(&stark, &kept));
        assert!(kept_peak > lean_peak);
        let with_budget = |b: u64| ModelInput {
            plan: MemoryPlan {
                stark_budget: Some(b),
                ..combination()
            },
            ..four.clone()
        };
        // Below the leanest peak a budget changes nothing; below what keeping the aux
        // traces needs, it buys copies alone.
        assert_eq!(policy_for(&with_budget(lean_peak / 2)), lean);
        let short = policy_for(&with_budget(kept_peak - 1));
        assert!(!short.keeps_aux_traces());
        assert!(short.round2_copies_before > lean.round2_copies_before);
        assert!(peak(&stark, &short) < kept_peak);
        // At it, they are kept; with room to spare, the copies too, all within it.
        for b in [kept_peak, 2 * kept_peak, u64::MAX] {
            let input = with_budget(b);
            let chosen = policy_for(&input);
            assert!(chosen.keeps_aux_traces(), "budget {b}");
            let stark = ModelInput {
                outside: Outside::default(),
                ..input.clone()
            };
            assert!(peak(&stark, &chosen) <= b, "budget {b}");
            assert_eq!(schedule(&input), lifetimes::schedule_with(&input, &chosen));
        }
        let roomy = policy_for(&with_budget(u64::MAX));
        assert_eq!(roomy.round2_copies_before, four.instances.len());
        assert!(lean.round2_copies_before < four.instances.len());
        // A plan that keeps its traces has no aux traces to keep.
        let keep_all = lifetimes::base_policy(&input(MemoryPlan::KEEP_ALL, 30, 13));
        assert_eq!(keep_all.with_aux_kept(), keep_all);
    }

    #[test]
    fn round2_copies_run_from_the_first_instance_while_the_peak_stays() {
        // Four chunks of a wide table, then a narrow table with a wide aux trace. Round 2's
        // level rises chunk by chunk (each leaves its quotient's coefficients): the first
        // chunk's copies fit under the peak, the second's do not.
        let mut five = input(combination(), 30, 13);
        let chunk = five.instances[0];
        five.instances.extend([chunk; 3]);
        five.instances.push(InstanceShape {
            table: 1,
            log_height: 12,
            pre: 0,
            main: 4,
            aux: 20,
        });
        let base = lifetimes::base_policy(&five);
        let chosen = policy_for(&five);
        assert_eq!(chosen.round2_copies_cells, Policy::trace_cells(12, 4, 20));
        assert_eq!(chosen.round2_copies_before, 1);
        assert!(chosen.round2_copies(0, 12, 30, 13) && !chosen.round2_copies(1, 12, 30, 13));
        assert!(chosen.round2_copies(4, 12, 4, 20));
        assert_eq!(peak(&five, &chosen), peak(&five, &base));
        // One chunk more would raise it.
        assert!(peak(&five, &chosen.with_round2_copies_before(2)) > peak(&five, &base));
        // The copies of the first chunk are in the schedule the store follows.
        assert_eq!(schedule(&five), lifetimes::schedule_with(&five, &chosen));
        assert_ne!(
            lifetimes::schedule_with(&five, &chosen),
            lifetimes::schedule_with(&five, &chosen.with_round2_copies_before(0))
        );
    }
}
