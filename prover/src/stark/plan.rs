//! [`MemoryPlan`]: what the prover keeps resident between phases, and how many table
//! instances it works on at once. A plan changes memory and time, never the proof bytes.
//!
//! The rules the store and the memory model (`memory_model::lifetimes`) both follow are
//! methods here ([`MemoryPlan::ldes_resident`], [`MemoryPlan::by_blocks`],
//! [`MemoryPlan::commits_by_blocks`], [`MemoryPlan::keeps_aux_traces`]).
//!
//! | flag | kept by default | with the flag |
//! |---|---|---|
//! | `stream_lde` | every committed LDE (preprocessed, main, aux, quotient) until the end | dropped right after its commitment; Round 2 recomputes it from the trace (or the quotient's coefficients) one coset block at a time, the openings only the rows of the queried leaf subtrees (`opened::gather`), each dropped again; Rounds 3 and 4 read the traces |
//! | `leaf_drop` | each Merkle tree (trace and FRI layer trees) from level [`DEFAULT_DROPPED_LEVELS`] up: an opening re-hashes the 16 rows of its subtree | only from level [`LEAF_DROP_LEVELS`] up: an opening re-hashes 64 rows |
//! | `retire_traces` | each instance's main trace until its aux trace is built (to the end with `stream_lde`, which also keeps the aux trace, as its coefficients) | the main trace is not kept: it is asked from the [`TraceSource`](super::TraceSource) again whenever a phase needs it; nor is the aux trace, rebuilt from it and the LogUp challenges, except with `stream_lde` when all the aux traces fit in the largest main trace (then kept from Phase C) |
//!
//! No plan holds a tree's lowest layers: they are 15/16 of its memory (the leaves alone are
//! half), they are read once per query, and re-hashing a query's 16 rows costs microseconds
//! (about 70 ms over all openings at `fib_iterative_1200k`). Holding them was 1.4 GB of the
//! 4.9 GB default-mode peak there. `leaf_drop` goes further for the last few percent.
//!
//! Preprocessed traces always stay resident (they are setup data, derived from the AIRs).
//! The quotient's coefficients (`n x 4` limbs per instance) stay resident through Round 3,
//! which reads them; under `stream_lde` to the end, since they are what the quotient LDE is
//! recomputed from. With every LDE resident they are freed after Round 3.
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
}

impl MemoryPlan {
    /// The default plan: every LDE and trace kept while a later phase reads it, Merkle
    /// trees from level [`DEFAULT_DROPPED_LEVELS`] up.
    pub const KEEP_ALL: MemoryPlan = MemoryPlan {
        stream_lde: false,
        leaf_drop: false,
        retire_traces: false,
        table_parallelism: None,
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

    /// Whether every committed LDE stays resident (no `stream_lde`): then Rounds 3 and 4
    /// read the LDEs, and no trace is needed after Phase C.
    pub fn ldes_resident(&self) -> bool {
        !self.stream_lde
    }

    /// Whether an instance of `2^log_height` rows gets its dropped LDEs back a coset block
    /// at a time (Round 2) and as gathered subtrees (the openings), rather than whole:
    /// with `stream_lde`, unless it is shorter than a leaf subtree of the dropped levels.
    pub fn by_blocks(&self, log_height: usize) -> bool {
        !self.ldes_resident() && log_height >= self.merkle_dropped_levels()
    }

    /// Whether Phase A commits such an instance's main LDE a block at a time, in the
    /// fetched trace's buffer (`stream_lde` with `retire_traces`).
    pub fn commits_by_blocks(&self, log_height: usize) -> bool {
        self.stream_lde && self.retire_traces && self.by_blocks(log_height)
    }

    /// Whether the aux traces are kept (as coefficients) from Phase C to the openings:
    /// with `stream_lde`, and with `retire_traces` too only when `aux_fit` (all of them
    /// together no larger than the largest main trace, `Layout::aux_fits_in_largest_main`).
    pub fn keeps_aux_traces(&self, aux_fit: bool) -> bool {
        self.stream_lde && (!self.retire_traces || aux_fit)
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
