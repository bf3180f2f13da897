//! `prover`: a multi-table STARK prover for RV32IM programs over Goldilocks.
//!
//! * [`stark`]: the generic multi-table STARK (AIR interface, LDE, Keccak
//!   Merkle trees, transcript, LogUp, composition, DEEP, batched FRI, prover,
//!   verifier, proof format).
//! * [`vm`]: the RV32IM machine: ELF loader, decoder, executor and execution log.
//! * [`air`]: the zkVM tables and the buses between them.
//! * [`zkvm`]: proving and verifying RV32IM runs end to end.
//! * [`modes`]: the memory modes (names, combinations, availability).
//! * [`fixtures`]: the catalogue of test and benchmark programs in `fixtures/`.
//! * [`memtag`]: heap tags, the kind of buffer being allocated, for a counting allocator.
//!
//! See `ARCHITECTURE.md` at the repository root for the data flow.

pub mod air;
pub mod continuation;
pub mod fixtures;
pub mod memtag;
pub mod modes;
pub mod stark;
pub mod vm;
pub mod zkvm;
