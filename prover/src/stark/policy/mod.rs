//! [`Policy`]: the memory modes as data. One value, computed once per prove from the plan's
//! flags and the layout ([`Policy::new`]; the store's is the memory model's
//! [`policy_for`](super::memory_model::policy_for), which may add
//! [`Policy::phase_a_copies`]), says for each kind of
//! buffer where it is made, until when it is held, and how it comes back once dropped. It
//! is the only reader of [`MemoryPlan`]'s saving flags: the store
//! ([`InstanceStore`](super::store::InstanceStore)) asks it what to keep and carries that
//! out (make, fetch, rebuild, free), and the memory model's schedule
//! ([`memory_model::lifetimes`](super::memory_model::lifetimes)) asks it the same questions
//! to predict the peak. ARCHITECTURE.md's mode table is rendered from it ([`table`]) and a
//! test (`prover/tests/mode_table.rs`) holds the two equal.
//!
//! The rules, kind by kind (each a field, its enum's variants the choices):
//!
//! * the main trace ([`MainTrace`]): held to Phase C, where every LDE is resident (Rounds 3
//!   and 4 read the LDEs); to the openings with `stream_lde` (they read the traces); asked
//!   from the source for each use with `retire_traces`;
//! * how Phase A makes the main LDE ([`MainCommit`]): beside the kept trace, in the fetched
//!   trace's buffer, or a coset block at a time in it (`stream_lde` with `retire_traces`);
//! * every committed LDE ([`LdeRule`]): resident from its commitment, or freed right after
//!   it (`stream_lde`) and made again a coset block at a time (Round 2) or as the queried
//!   leaf subtrees (the openings);
//! * the aux trace ([`AuxTrace`]): freed once its LDE is made; kept as its coefficients to
//!   the openings (`stream_lde`; with `retire_traces` too only when all of them fit in the
//!   largest main trace, so that keeping them never makes the peak grow with the number of
//!   chunks); or rebuilt from the main trace and the LogUp challenges for each use;
//! * the quotient's coefficients ([`QuotientCoeffs`]): to the end of Round 3, or to the
//!   openings when its LDE is streamed (they are what it is made from);
//! * Merkle levels: none below [`Policy::merkle_dropped_levels`] is held;
//! * what Rounds 3 and 4 read ([`Reads`]), and whether the source may free what it rebuilds
//!   traces from after Phase C ([`Policy::releases_source_after_phase_c`]).

pub mod table;

use super::plan::MemoryPlan;

/// Pieces in which Rounds 3 and 4 read a retired main trace beside kept aux coefficients
/// ([`Policy::trace_piece`]): an eighth of it each (as the CPU replay's checkpoints split a
/// chunk into at least eight blocks, `zkvm::retired`), or fewer pieces of
/// [`MIN_PIECE_ROWS`] for an instance under 512 rows.
pub const TRACE_PIECES: usize = 8;

/// The fewest rows in a piece of [`TRACE_PIECES`] (an instance shorter than that is read
/// whole): small enough that the tests' 512-row chunks are read in eight pieces.
pub const MIN_PIECE_ROWS: usize = 1 << 6;

/// How long an instance's main trace is held once Phase A has fetched it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MainTrace {
    /// To Phase C: handed to its instance's aux build and freed once the aux trace is built
    /// (an instance without a bus: at Phase C's end). Nothing later reads it: Rounds 3 and
    /// 4 read the resident LDEs, which give the same field elements.
    ToPhaseC,
    /// To its openings, its last use (Rounds 2 to 4 read it).
    ToOpenings,
    /// Not held: asked from the source again for each use.
    Fetched,
}

/// How Phase A makes an instance's main LDE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MainCommit {
    /// Whole, in a new buffer beside the kept trace.
    BesideTrace,
    /// Whole, in the fetched trace's own buffer (fetched with room for it).
    InTraceBuffer,
    /// A coset block at a time in the fetched trace's buffer (each from a copy of the
    /// coefficients with [`Policy::phase_a_copies`]), each block hashed as a whole subtree,
    /// so that it is never whole (an instance too short for blocks:
    /// [`MainCommit::InTraceBuffer`]).
    ByBlocks,
}

/// What is kept of a committed LDE (preprocessed, main, aux and quotient alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LdeRule {
    /// Held from its commitment to the end.
    Resident,
    /// Freed right after its commitment; Round 2 makes it again a coset block at a time,
    /// the openings only the queried leaf subtrees (an instance shorter than a leaf subtree
    /// of the dropped levels: whole).
    Streamed,
}

/// What becomes of an aux trace once its LDE is made in Phase C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuxTrace {
    /// Freed: nothing reads it again (the LDEs are resident).
    Freed,
    /// Kept to its openings as its coefficients, which every later use reads without an
    /// interpolation.
    Coefficients,
    /// Freed, and rebuilt from the main trace and the LogUp challenges for each use
    /// (Rounds 2, 3, 4 and the openings).
    Rebuilt,
}

/// How long the quotient's coefficients are held from Round 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuotientCoeffs {
    /// To the end of Round 3, which reads them (Round 4 and the openings read its LDE).
    ToRound3,
    /// To the openings: its streamed LDE is made again from them.
    ToOpenings,
}

/// What Rounds 3 (out-of-domain values) and 4 (DEEP) read of the committed columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// The resident LDEs (barycentric evaluation on the LDE coset; the DEEP quotient on the
    /// LDE rows).
    Ldes,
    /// The traces on the trace domain (and kept coefficients as they are); DEEP combined
    /// there and extended once per bucket.
    Traces,
}

/// The memory modes as data: what the prover keeps of each kind of buffer (see the module
/// doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The main trace.
    pub main_trace: MainTrace,
    /// How Phase A makes the main LDE.
    pub main_commit: MainCommit,
    /// Every committed LDE.
    pub ldes: LdeRule,
    /// The aux trace.
    pub aux_trace: AuxTrace,
    /// The quotient's coefficients.
    pub quotient_coeffs: QuotientCoeffs,
    /// What Rounds 3 and 4 read.
    pub reads: Reads,
    /// Merkle levels (the leaves first) that no committed tree holds.
    pub merkle_dropped_levels: usize,
    /// With [`MainCommit::ByBlocks`]: Phase A evaluates each coset block but the last in a
    /// copy of the coefficients (one interpolation per instance), rather than each from the
    /// one before in the trace's buffer (one per block). Never set by [`Policy::new`]: the
    /// memory model sets it where it predicts the prove's peak unchanged by the copies
    /// ([`memory_model::policy_for`](crate::stark::memory_model::policy_for)).
    pub phase_a_copies: bool,
    /// Round 2's counterpart, instance by instance: an instance whose trace holds at most
    /// this many field elements ([`Policy::trace_cells`]) makes its coset blocks from the
    /// main trace it fetched and the aux trace it rebuilt (the traces Round 2 owns) by
    /// interpolating each once and evaluating each block but the last in a copy of the
    /// coefficients (one transform fewer per trace per block after the first), rather than each
    /// block from the one before. 0: no instance. Never set by [`Policy::new`]: the memory
    /// model sets the largest size whose copies leave the predicted peak unchanged
    /// ([`memory_model::policy_for`](crate::stark::memory_model::policy_for)).
    pub round2_copies_cells: u64,
    /// And every instance before this one in Round 2's order, whatever its size: Round 2's
    /// level rises instance by instance (each leaves its quotient's coefficients), so the
    /// copies of a large instance may fit under the peak early in the round and not late
    /// (at `interpreter_1M`, in the combination, the first CPU chunk's do, the second's do
    /// not). 0: none.
    /// Never set by [`Policy::new`]: the memory model sets the largest count whose copies
    /// leave the predicted peak unchanged.
    pub round2_copies_before: usize,
}

impl Policy {
    /// The policy of `plan`'s flags. `aux_fit`: all the aux traces together are no larger
    /// than the largest instance's main trace (`Layout::aux_fits_in_largest_main`; with
    /// 2^20-row CPU chunks `fib_iterative_1200k`'s 324 MiB fit in its 440 MiB chunk; with the
    /// default 2^19-row chunks `interpreter_1M`'s do not fit in its 220 MiB CPU chunk, nor at
    /// `fib_iterative_8M` the CPU chunks' 1.7 GiB).
    pub fn new(plan: &MemoryPlan, aux_fit: bool) -> Self {
        let (stream, retire) = (plan.stream_lde, plan.retire_traces);
        Self {
            main_trace: match (stream, retire) {
                (_, true) => MainTrace::Fetched,
                (false, false) => MainTrace::ToPhaseC,
                (true, false) => MainTrace::ToOpenings,
            },
            main_commit: match (stream, retire) {
                (true, true) => MainCommit::ByBlocks,
                (false, true) => MainCommit::InTraceBuffer,
                (_, false) => MainCommit::BesideTrace,
            },
            ldes: if stream {
                LdeRule::Streamed
            } else {
                LdeRule::Resident
            },
            aux_trace: match (stream, retire) {
                (false, _) => AuxTrace::Freed,
                (true, false) => AuxTrace::Coefficients,
                (true, true) if aux_fit => AuxTrace::Coefficients,
                (true, true) => AuxTrace::Rebuilt,
            },
            quotient_coeffs: if stream {
                QuotientCoeffs::ToOpenings
            } else {
                QuotientCoeffs::ToRound3
            },
            reads: if stream { Reads::Traces } else { Reads::Ldes },
            merkle_dropped_levels: plan.merkle_dropped_levels(),
            phase_a_copies: false,
            round2_copies_cells: 0,
            round2_copies_before: 0,
        }
    }

    /// This policy with every aux trace kept as its coefficients from Phase C to the
    /// openings where it would be rebuilt in Rounds 2, 3, 4 and the openings
    /// ([`AuxTrace::Rebuilt`]); unchanged otherwise. Never set by [`Policy::new`] for aux
    /// traces that do not fit: the memory model sets it within a plan's
    /// [`stark_budget`](MemoryPlan::stark_budget).
    pub fn with_aux_kept(self) -> Self {
        Self {
            aux_trace: match self.aux_trace {
                AuxTrace::Rebuilt => AuxTrace::Coefficients,
                rule => rule,
            },
            ..self
        }
    }

    /// This policy with Phase A's coefficient copies ([`Policy::phase_a_copies`]), where it
    /// commits by blocks; unchanged otherwise.
    pub fn with_phase_a_copies(self) -> Self {
        Self {
            phase_a_copies: self.main_commit == MainCommit::ByBlocks,
            ..self
        }
    }

    /// This policy with Round 2's coefficient copies for instances of at most `cells`
    /// ([`Policy::round2_copies_cells`]), where its LDEs are streamed; unchanged otherwise.
    pub fn with_round2_copies(self, cells: u64) -> Self {
        Self {
            round2_copies_cells: self.where_streamed(cells),
            ..self
        }
    }

    /// `value` where Round 2 makes LDE blocks from traces (its LDEs streamed), else nothing
    /// (`T::default()`): there is nothing to copy.
    fn where_streamed<T: Default>(&self, value: T) -> T {
        if self.ldes == LdeRule::Streamed {
            value
        } else {
            T::default()
        }
    }

    /// The field elements of an instance's main and aux traces (an aux element counts as
    /// two), the size [`Policy::round2_copies_cells`] is compared with.
    pub fn trace_cells(log_height: usize, main: usize, aux: usize) -> u64 {
        (1u64 << log_height) * (main + 2 * aux) as u64
    }

    /// This policy with Round 2's coefficient copies also for the first `count` instances
    /// ([`Policy::round2_copies_before`]), where its LDEs are streamed; unchanged otherwise.
    pub fn with_round2_copies_before(self, count: usize) -> Self {
        Self {
            round2_copies_before: self.where_streamed(count),
            ..self
        }
    }

    /// Whether Round 2 makes instance `k`'s blocks from copies of its coefficients
    /// ([`Policy::round2_copies_cells`], [`Policy::round2_copies_before`]).
    pub fn round2_copies(&self, k: usize, log_height: usize, main: usize, aux: usize) -> bool {
        k < self.round2_copies_before
            || Self::trace_cells(log_height, main, aux) <= self.round2_copies_cells
    }

    /// Whether Rounds 2, 3 and 4 keep the buffers they fetched an instance's main trace and
    /// rebuilt its aux trace into, as spares for the next instance (`store::spare`): when
    /// that instance (`next`, as `(table, log_height)`) is a chunk of the same table and
    /// height as this one (`this`), so that it makes the same traces in them. Otherwise they
    /// are freed once the instance is done (in Round 2 once its blocks are, before the
    /// quotient is split, as every other buffer of the blocks is: a spare held through the
    /// split raises the phase's level by a trace for nothing; at `fib_iterative_64k`, one CPU
    /// chunk, the combination's predicted peak 60.0 -> 70.7 MiB).
    pub fn keeps_spare(this: (usize, usize), next: Option<(usize, usize)>) -> bool {
        next == Some(this)
    }

    /// Whether every committed LDE stays resident (then Rounds 3 and 4 read the LDEs).
    pub fn ldes_resident(&self) -> bool {
        self.ldes == LdeRule::Resident
    }

    /// Whether Phase A keeps the main trace it fetched.
    pub fn keeps_main_trace(&self) -> bool {
        self.main_trace != MainTrace::Fetched
    }

    /// Whether the kept main traces are handed to Phase C, their last use.
    pub fn hands_main_to_phase_c(&self) -> bool {
        self.main_trace == MainTrace::ToPhaseC
    }

    /// Whether Phase C keeps the aux traces (as their coefficients).
    pub fn keeps_aux_traces(&self) -> bool {
        self.aux_trace == AuxTrace::Coefficients
    }

    /// Whether the quotient's coefficients are freed at the end of Round 3.
    pub fn frees_quotient_coeffs_after_round3(&self) -> bool {
        self.quotient_coeffs == QuotientCoeffs::ToRound3
    }

    /// Whether nothing asks the source for rows after Phase C, so that it may free what it
    /// rebuilds them from (`TraceSource::release`): when Rounds 3 and 4 read the LDEs.
    pub fn releases_source_after_phase_c(&self) -> bool {
        self.reads == Reads::Ldes
    }

    /// Whether an instance of `2^log_height` rows gets its dropped LDEs back a coset block
    /// at a time (Round 2) and as gathered subtrees (the openings), rather than whole:
    /// streamed LDEs, unless it is shorter than a leaf subtree of the dropped levels (its
    /// whole LDE is as small as a few subtrees).
    pub fn by_blocks(&self, log_height: usize) -> bool {
        self.ldes == LdeRule::Streamed && log_height >= self.merkle_dropped_levels
    }

    /// How Phase A makes the main LDE of an instance of `2^log_height` rows.
    pub fn main_commit(&self, log_height: usize) -> MainCommit {
        match self.main_commit {
            MainCommit::ByBlocks if !self.by_blocks(log_height) => MainCommit::InTraceBuffer,
            rule => rule,
        }
    }

    /// Rows per piece in which Rounds 3 and 4 read the traces of an instance of `n` rows
    /// (`has_aux`: it has a bus), when they read traces ([`Reads::Traces`]; else `n`, unread):
    /// a retired main trace beside kept aux coefficients (or
    /// none) in [`TRACE_PIECES`] pieces of at least [`MIN_PIECE_ROWS`], one at a time, so
    /// that it is never whole beside them; otherwise whole (a kept trace is whole anyway;
    /// an aux rebuild reads the whole main trace).
    pub fn trace_piece(&self, n: usize, has_aux: bool) -> usize {
        let rebuild = has_aux && self.aux_trace == AuxTrace::Rebuilt;
        let reads_traces = self.reads == Reads::Traces;
        if reads_traces && self.main_trace == MainTrace::Fetched && !rebuild {
            (n / TRACE_PIECES).clamp(MIN_PIECE_ROWS.min(n), n)
        } else {
            n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(stream_lde: bool, leaf_drop: bool, retire_traces: bool) -> MemoryPlan {
        MemoryPlan {
            stream_lde,
            leaf_drop,
            retire_traces,
            table_parallelism: None,
            stark_budget: None,
        }
    }

    #[test]
    fn default_keeps_every_lde_and_frees_traces_in_phase_c() {
        let p = Policy::new(&MemoryPlan::KEEP_ALL, true);
        assert!(p.ldes_resident() && p.hands_main_to_phase_c());
        assert!(!p.keeps_aux_traces() && p.frees_quotient_coeffs_after_round3());
        assert!(p.releases_source_after_phase_c());
        assert!(!p.by_blocks(20));
        assert_eq!(p.main_commit(20), MainCommit::BesideTrace);
    }

    #[test]
    fn stream_and_retire_keep_aux_coefficients_only_when_they_fit() {
        let both = plan(true, false, true);
        assert_eq!(Policy::new(&both, true).aux_trace, AuxTrace::Coefficients);
        assert_eq!(Policy::new(&both, false).aux_trace, AuxTrace::Rebuilt);
        let stream = plan(true, false, false);
        assert_eq!(
            Policy::new(&stream, false).aux_trace,
            AuxTrace::Coefficients
        );
    }

    #[test]
    fn blocks_need_a_streamed_lde_and_a_leaf_subtree() {
        let p = Policy::new(&plan(true, false, true), true);
        assert!(p.by_blocks(4) && !p.by_blocks(3));
        assert_eq!(p.main_commit(10), MainCommit::ByBlocks);
        assert_eq!(p.main_commit(3), MainCommit::InTraceBuffer);
        let lean = Policy::new(&plan(true, true, false), true);
        assert!(!lean.by_blocks(5) && lean.by_blocks(6));
    }

    #[test]
    fn retired_traces_are_read_in_pieces_unless_an_aux_rebuild_reads_them_whole() {
        let fit = Policy::new(&plan(true, false, true), true);
        assert_eq!(fit.trace_piece(1 << 12, true), 1 << 9);
        assert_eq!(fit.trace_piece(256, true), 64, "at least MIN_PIECE_ROWS");
        assert_eq!(fit.trace_piece(32, true), 32);
        let rebuilt = Policy::new(&plan(true, false, true), false);
        assert_eq!(rebuilt.trace_piece(1 << 12, true), 1 << 12);
        assert_eq!(rebuilt.trace_piece(1 << 12, false), 1 << 9);
        let kept = Policy::new(&plan(true, false, false), true);
        assert_eq!(kept.trace_piece(1 << 12, false), 1 << 12);
        let resident = Policy::new(&plan(false, false, true), true);
        assert_eq!(resident.trace_piece(1 << 12, false), 1 << 12);
    }

    #[test]
    fn leaf_drop_changes_only_the_merkle_levels() {
        for (stream, retire, fit) in [(false, false, true), (true, true, false)] {
            let base = Policy::new(&plan(stream, false, retire), fit);
            let lean = Policy::new(&plan(stream, true, retire), fit);
            assert_eq!(
                Policy {
                    merkle_dropped_levels: base.merkle_dropped_levels,
                    ..lean
                },
                base
            );
            assert!(lean.merkle_dropped_levels > base.merkle_dropped_levels);
        }
    }
}
