//! The generic multi-table STARK over Goldilocks with Keccak-256 commitments.
//!
//! A statement is a list of tables ([`Air`]s) with their traces ([`TraceSource`]); tables
//! talk to each other through LogUp buses. [`prove`] commits every table chunk, proves the
//! constraints through a composition polynomial per chunk, ties everything to one
//! out-of-domain point with DEEP quotients, and runs one batched FRI per LDE size. [`verify`]
//! checks all of it. Module map, in protocol order:
//!
//! * [`field`], [`params`], [`air`], [`symbolic`]: arithmetic, parameters, the AIR interface
//!   and its degree analysis;
//! * [`trace`], [`setup`]: instances (chunks), buckets, preprocessed commitments, the
//!   transcript's opening;
//! * [`domain`], [`merkle`], [`transcript`], [`grinding`]: LDE, commitments, Fiat-Shamir,
//!   proof of work;
//! * [`logup`], [`fold`], [`composition`], [`deep`], [`fri`]: the rounds;
//! * [`prover`], [`verifier`], [`proof`], [`error`], [`observer`], [`check`];
//! * [`plan`], [`policy`], [`store`], [`schedule`]: the memory modes (the plan's flags,
//!   the policy they make: what each kind of buffer is kept for, as data), the store that
//!   carries the policy out, and how many instances the prover works on at once;
//!   [`memory_model`]: the same policy as every buffer's lifetime, and the peak it predicts;
//! * [`examples`]: small AIRs for tests and benchmarks.

pub mod air;
pub mod check;
pub mod composition;
pub mod deep;
pub mod domain;
pub mod error;
pub mod examples;
pub mod field;
pub mod fold;
pub mod fri;
pub mod grinding;
pub mod logup;
pub mod memory_model;
pub mod merkle;
pub mod ntt;
pub mod observer;
pub mod opened;
pub mod params;
pub mod plan;
pub mod policy;
pub mod proof;
pub mod prover;
pub mod schedule;
pub mod security;
pub mod setup;
pub mod store;
pub mod symbolic;
pub mod trace;
pub mod transcript;
pub mod verifier;

pub use air::{Air, BusId, Constraints, PublicInteraction, Scope, Vars};
pub use error::{ProveError, VerifyError};
pub use field::{Expr, Ext, Felt};
pub use observer::{NoObserver, Phase, ProveObserver, Target};
pub use p3_matrix::dense::RowMajorMatrix;
pub use params::{Regime, Security, StarkParams};
pub use plan::MemoryPlan;
pub use proof::Proof;
pub use prover::prove;
pub use setup::{MAX_TABLE_LOG_HEIGHT, Statement};
pub use trace::{MaterializedTraces, OwnedTraces, TraceSource};
pub use verifier::{verify, verify_bytes};
