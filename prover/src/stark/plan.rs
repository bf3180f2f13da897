//! [`MemoryPlan`]: what the prover keeps resident between phases, and how many table
//! instances it works on at once. A plan changes memory and time, never the proof bytes.
//!
//! The flags are read in one place: [`Policy::new`](super::policy::Policy::new) turns them
//! (with the layout) into what each kind of buffer is kept for, which the store carries out
//! and the memory model predicts from; ARCHITECTURE.md's mode table is rendered from that
//! policy. In short: `stream_lde` drops every LDE after its commitment and makes it again a
//! coset block at a time (Round 2) or as the queried leaf subtrees (the openings), keeping
//! the traces instead; `retire_traces` keeps no trace, asking the
//! [`TraceSource`](super::TraceSource) again; `leaf_drop` holds fewer Merkle levels.
//!
//! No plan holds a tree's lowest layers: they are 15/16 of its memory (the leaves alone are
//! half), they are read once per query, and re-hashing a query's 16 rows costs microseconds
//! (about 70 ms over all openings at `fib_iterative_1200k`). Holding them was 1.4 GB of the
//! 4.9 GB default-mode peak there. `leaf_drop` goes further for the last few percent.
//!
//! Preprocessed traces always stay resident (they are setup data, derived from the AIRs).
//!
//! `table_parallelism` bounds how many instances one phase processes concurrently; each
//! instance's own work (NTTs, hashing, constraint folding) is parallel already, so the
//! automatic choice ([`MemoryPlan::parallelism`]) is one instance per
//! [`THREADS_PER_INSTANCE`] worker threads, at least one. Everything the transcript absorbs
//! is absorbed in instance order after the concurrent work, so the bound never changes the
//! proof.

use std::num::NonZeroUsize;

/// Merkle levels (the leaves first) that no plan holds: each opening re-hashes `2^4` rows.
pub const DEFAULT_DROPPED_LEVELS: usize = 4;

/// Merkle levels `leaf_drop` does not hold: each opening re-hashes `2^6` rows. (Dropping 8,
/// 256 rows an opening, cost 1.45x default's prove time at `fib_iterative_64k` for 4 % of
/// its heap.)
pub const LEAF_DROP_LEVELS: usize = 6;

/// Worker threads per concurrently processed instance in the automatic choice.
pub const THREADS_PER_INSTANCE: usize = 4;

/// What the prover retires to save memory, and how many instances it processes at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryPlan {
    /// Drop LDEs after their commitment; recompute them when needed.
    pub stream_lde: bool,
    /// Hold fewer Merkle levels ([`LEAF_DROP_LEVELS`] dropped, not [`DEFAULT_DROPPED_LEVELS`]).
    pub leaf_drop: bool,
    /// Do not keep traces: ask the source again, rebuild the aux trace.
    pub retire_traces: bool,
    /// Instances in flight per phase; `None` picks automatically.
    pub table_parallelism: Option<NonZeroUsize>,
    /// Bytes the STARK's own buffers may be predicted to reach: where the memory model
    /// predicts its peak (the prover's alone, nothing held outside it) stays within this,
    /// the store keeps what it would otherwise make again: every aux trace's coefficients
    /// from Phase C to the openings (with `stream_lde` and `retire_traces`, instead of
    /// rebuilding them in Rounds 2, 3, 4 and the openings) and coefficient copies
    /// ([`memory_model::policy_for`](super::memory_model::policy_for)). `None`, or a budget
    /// below the flags' leanest peak: only what leaves that peak unchanged. Never changes
    /// the proof.
    pub stark_budget: Option<u64>,
}

impl MemoryPlan {
    /// The default plan: every LDE and trace kept while a later phase reads it, Merkle
    /// trees from level [`DEFAULT_DROPPED_LEVELS`] up.
    pub const KEEP_ALL: MemoryPlan = MemoryPlan {
        stream_lde: false,
        leaf_drop: false,
        retire_traces: false,
        table_parallelism: None,
        stark_budget: None,
    };

    /// How many of the lowest levels of every committed Merkle tree (trace and FRI layer
    /// trees) are not held: openings re-hash the rows of their subtree instead.
    pub fn merkle_dropped_levels(&self) -> usize {
        if self.leaf_drop {
            LEAF_DROP_LEVELS
        } else {
            DEFAULT_DROPPED_LEVELS
        }
    }

    /// Instances in flight per phase: the explicit setting, or one per
    /// [`THREADS_PER_INSTANCE`] threads of the current rayon pool (at least one).
    pub fn parallelism(&self) -> usize {
        self.table_parallelism.map_or_else(
            || (rayon::current_num_threads() / THREADS_PER_INSTANCE).max(1),
            NonZeroUsize::get,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_parallelism_wins_and_auto_is_at_least_one() {
        let two = MemoryPlan {
            table_parallelism: NonZeroUsize::new(2),
            ..MemoryPlan::KEEP_ALL
        };
        assert_eq!(two.parallelism(), 2);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| MemoryPlan::KEEP_ALL.parallelism()), 1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(8)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| MemoryPlan::KEEP_ALL.parallelism()), 2);
    }
}
