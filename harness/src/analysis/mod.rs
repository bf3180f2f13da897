//! Analysis, pure: numbers in, judgements out. Statistics (`stats`, a leaf), the least-squares
//! line (`fit`), run summaries, the step rule of the nightly series (`trend`) and a night's
//! verdicts (`nightly`), the verdict rules (`verdict`), the comparison model with its
//! mismatch guards (`comparison`), growth slopes (`growth`), the profile timeline
//! (`timeline`), the counting overhead (`overhead`), the per-kind change of a peak
//! (`breakdown`), a run's instruction mix and table rows as shares (`mix`), the shard plan of
//! a matrix (`shard`) and the merge of its results (`merge`).
//!
//! May import: `model` only. No I/O, no clock, no printing.

pub mod attribution;
pub mod breakdown;
pub mod comparison;
pub mod fit;
pub mod growth;
pub mod merge;
pub mod mix;
pub mod mode_fit;
pub mod nightly;
pub mod overhead;
pub mod shard;
pub mod stats;
pub mod summary;
pub mod symbols;
pub mod time_rule;
pub mod timeline;
pub mod trend;
pub mod verdict;
