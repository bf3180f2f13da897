//! Measurement: everything that runs a prove or reads the machine. The counting allocator,
//! the probes (peak RSS, jemalloc's counters, the address-space limit) and the clocks, the
//! phase observers, one measured prove (`worker`), the runner (the only builder of worker
//! command lines; schedule, spawn, timeout), measuring a plan with resume, the profile
//! timeline, the machine fingerprint and git revisions with `bench ab`'s builds.
//!
//! May import: `analysis` (summaries, the timeline model) and `model`. Never `store`,
//! `report`, `commands` or `cli`; it prints nothing (progress goes through
//! `plan::Progress`, notes through callbacks).

pub mod alloc;
pub mod cachegrind;
pub mod callgrind;
pub mod client_request;
pub mod clock;
pub mod cycles;
pub mod machine;
pub mod memory_check;
pub mod phase_marks;
pub mod phases;
pub mod plan;
pub mod predict;
pub mod probes;
pub mod program;
pub mod revisions;
pub mod runner;
pub mod timeline;
pub mod worker;
