//! Phase events. The prover announces the start and end of every phase through a
//! [`ProveObserver`]; it never measures anything itself. The harness implements the trait
//! to attribute time and peak heap to phases.
//!
//! The phases, in order (see `prove` in [`prover`](super::prover)):
//!
//! | phase | scope | work |
//! |---|---|---|
//! | `MainCommit` (Phase A) | each instance | build the chunk trace, LDE, Merkle commit |
//! | `AuxCommit` (Phase C) | each instance with a bus | LogUp columns, LDE, commit |
//! | `Composition` (Round 2) | each instance | constraint quotient, split, LDE, commit |
//! | `OutOfDomain` (Round 3) | each instance | values at `z` and `z*w` |
//! | `Fri` (Round 4) | each LDE size | DEEP quotients, batched FRI commit phase; the last also grinding, the query indices and the FRI layers' openings |
//! | `Queries` | whole proof | the instances' query openings |

use core::fmt;

/// A phase of the prover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// Phase A: main trace LDE and commitment.
    MainCommit,
    /// Phase C: LogUp aux trace, LDE and commitment.
    AuxCommit,
    /// Round 2: composition polynomial.
    Composition,
    /// Round 3: out-of-domain evaluations.
    OutOfDomain,
    /// Round 4: DEEP quotients and the batched FRI commit phase (the last bucket's also
    /// grinding and the FRI layers' openings).
    Fri,
    /// The instances' query openings.
    Queries,
}

impl Phase {
    /// Every phase, in protocol order.
    pub const ALL: [Phase; 6] = [
        Phase::MainCommit,
        Phase::AuxCommit,
        Phase::Composition,
        Phase::OutOfDomain,
        Phase::Fri,
        Phase::Queries,
    ];

    /// A stable snake_case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Phase::MainCommit => "main_commit",
            Phase::AuxCommit => "aux_commit",
            Phase::Composition => "composition",
            Phase::OutOfDomain => "out_of_domain",
            Phase::Fri => "fri",
            Phase::Queries => "queries",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a phase event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// One table instance (a chunk of a table).
    Instance {
        /// Table index.
        table: usize,
        /// Chunk index within the table.
        chunk: usize,
    },
    /// The batched FRI over every instance with this LDE size.
    Bucket {
        /// log2 of the LDE size.
        log_lde_size: usize,
    },
    /// The whole proof.
    Proof,
}

/// Receives phase boundaries. Implementations must be cheap and thread-safe: events may come
/// from rayon workers when instances are processed in parallel.
pub trait ProveObserver: Sync {
    /// A phase starts for `target`.
    fn phase_start(&self, _phase: Phase, _target: Target) {}
    /// A phase ends for `target`.
    fn phase_end(&self, _phase: Phase, _target: Target) {}
}

/// The observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl ProveObserver for NoObserver {}

/// Runs `f` between a start and an end event.
pub(crate) fn observed<T>(
    obs: &dyn ProveObserver,
    phase: Phase,
    target: Target,
    f: impl FnOnce() -> T,
) -> T {
    obs.phase_start(phase, target);
    let out = f();
    obs.phase_end(phase, target);
    out
}
