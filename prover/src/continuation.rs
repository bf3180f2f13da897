//! Continuations: a run proved as epochs of `2^k` cycles, each with a public boundary, the
//! chain of boundaries checked by the verifier, and verify-and-drop, which keeps one epoch
//! proof alive at a time.
//!
//! ## An epoch
//! Epoch `i` executes cycles `[i 2^k, (i + 1) 2^k)` (the last epoch stops at the halt). One
//! executor runs the whole program, epoch after epoch; before each epoch a snapshot of its
//! state is the epoch's starting memory, so nothing is re-executed. The epoch is proved by
//! the zkVM's tables with epoch-local clock and timestamps and MEMORY in its boundary form
//! ([`MemoryAir::BOUNDARY`]). Its [`Boundary`] is public:
//!
//! * start pc, start registers, and the index of its first committed word;
//! * for every RAM word the epoch touches: the value it first reads and the value it leaves;
//! * end registers, and either the end pc (the epoch stops before the halt: its last CPU row
//!   sends the state `(2^k, end_pc, out_end)`, which the verifier receives) or, for the last
//!   epoch, the halt's exit code and the epoch's cycle count (received on OUTPUT);
//! * the words the epoch commits.
//!
//! The verifier derives every public bus term from the boundary: the initial state on STATE,
//! the first values (RAM words and all 32 registers) on IMAGE, the values left on FINAL, the
//! outputs on OUTPUT. MEMORY's boundary form forces every touched key to be one of them, so
//! the tables are bound to the boundary exactly as a recomputed commitment to
//! initialisation and finalisation tables would bind them; we chose bus terms because the
//! whole-run proof feeds its memory image the same way. The statement also carries the
//! epoch's index, `k` and whether it is the last epoch as public values, so an epoch proof
//! cannot be moved to another position.
//!
//! ## The chain
//! [`verify_continuation`] walks the epochs in order with the state the earlier epochs left
//! (initially: the entry pc, zero registers but `sp`, the ELF image and the input in RAM, no
//! output). Each epoch's start must equal it: pc, registers, output index, and every first
//! read of a RAM word equals the word's current value. Only then is the epoch's proof
//! verified, and its end state applied. The last epoch must be the final one (it halts),
//! every other one must run exactly `2^k` cycles. The result is the run's [`PublicOutput`],
//! the same as a whole-run proof's.
//!
//! ## Verify-and-drop
//! [`prove_and_verify_continuation`] proves epoch `i`, verifies it against the chain, keeps
//! its boundary and drops the proof before epoch `i + 1` executes. Whether an epoch is the
//! last is known once it has executed (the executor halted inside it), so no lookahead is
//! needed and at most one epoch proof is alive at any time.

use std::collections::{BTreeMap, HashMap};

use p3_field::PrimeCharacteristicRing;
use serde::{Deserialize, Serialize};
use sha3::{Digest as _, Sha3_256};

use crate::air::bus;
use crate::air::cpu::REG_BASE;
use crate::air::memory::{KeyRecord, MemoryAir};
use crate::air::witness::{self, CpuRows, Origin, WitnessError};
use crate::modes::{Flag, ModeError};
use crate::stark::setup::chunk_logs_of;
use crate::stark::{
    Felt, OwnedTraces, Proof, ProveError, ProveObserver, PublicInteraction, StarkParams, Statement,
    VerifyError,
};
use crate::vm::{ExecError, Executor, Memory, Program, RunState, STACK_TOP};
use crate::zkvm::public::{self, PublicValueError};
use crate::zkvm::{ProveOptions, PublicOutput, VmAir, routed_traces, table, tables};

/// The statement context of an epoch proof (distinct from a whole run's).
const CONTEXT: &[u8] = b"rv32im-zkvm-epoch/v1";

/// The epoch size (log2 of cycles) the harness uses unless told otherwise: see
/// ARCHITECTURE.md (Continuations) for the measurements behind it.
pub const DEFAULT_EPOCH_LOG2: u32 = 18;

pub use crate::zkvm::EPOCH_LOG2_RANGE;

/// One RAM word an epoch touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RamWord {
    /// Word address (`byte address >> 2`).
    pub key: u32,
    /// The value the epoch first reads.
    pub first: u32,
    /// The value the epoch leaves.
    pub last: u32,
}

/// The public boundary of one epoch (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boundary {
    /// The epoch's position, from 0.
    pub index: u32,
    /// The pc of its first cycle.
    pub start_pc: u32,
    /// Registers at its start.
    pub start_regs: [u32; 32],
    /// Registers at its end.
    pub end_regs: [u32; 32],
    /// Words committed before it.
    pub out_start: u32,
    /// Words it commits.
    pub words: Vec<u32>,
    /// Where execution continues after it; `None` for the last epoch.
    pub end_pc: Option<u32>,
    /// The exit code, for the last epoch.
    pub exit_code: Option<u32>,
    /// Cycles it executes (`2^k` except for the last epoch).
    pub cycles: u64,
    /// Every RAM word it touches, by increasing key.
    pub ram: Vec<RamWord>,
}

impl Boundary {
    /// Whether this is the last epoch (it ends with the halt).
    pub fn is_final(&self) -> bool {
        self.end_pc.is_none()
    }
}

/// One epoch's boundary and proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochProof {
    /// The public boundary.
    pub boundary: Boundary,
    /// The STARK proof of the epoch.
    pub stark: Proof,
}

/// A continuation proof: every epoch's boundary and proof, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// Epochs are `2^epoch_log2` cycles.
    pub epoch_log2: u32,
    /// The epochs, in order.
    pub epochs: Vec<EpochProof>,
}

impl Bundle {
    /// Canonical encoding (postcard, like [`crate::zkvm::VmProof::to_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("serializing to a Vec cannot fail")
    }

    /// Decodes a bundle; trailing bytes, and integers wider than their field, are errors.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ChainError> {
        match postcard::take_from_bytes(bytes) {
            Ok((bundle, [])) => Ok(bundle),
            Ok(_) => Err(ChainError::Decode("trailing bytes".into())),
            Err(e) => Err(ChainError::Decode(e.to_string())),
        }
    }

    /// SHA3-256 over every epoch proof's encoding, in order, as lowercase hex: the same
    /// digest verify-and-drop reports ([`StreamSummary::digest`]).
    pub fn digest_hex(&self) -> String {
        let mut h = Sha3_256::new();
        for e in &self.epochs {
            h.update(e.stark.to_bytes());
        }
        hex(&h.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What verify-and-drop keeps: the boundaries and the output, no proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSummary {
    /// Epochs are `2^epoch_log2` cycles.
    pub epoch_log2: u32,
    /// Every epoch's boundary, in order.
    pub boundaries: Vec<Boundary>,
    /// Every epoch proof's size in bytes (postcard), in order.
    pub proof_bytes: Vec<usize>,
    /// Table heights (rows) of the first epoch's proof.
    pub first_heights: Vec<u64>,
    /// SHA3-256 over every epoch proof's encoding, in order (see [`Bundle::digest_hex`]).
    pub digest: String,
    /// The verified output of the run.
    pub output: PublicOutput,
}

/// Why a continuation could not be proved.
#[derive(Debug, thiserror::Error)]
pub enum ContinuationError {
    /// The epoch size is outside [`EPOCH_LOG2_RANGE`].
    #[error("epoch size 2^{0} is outside 2^4..=2^24 cycles")]
    EpochLog2(u32),
    /// The memory mode asks for something epochs do not do.
    #[error(transparent)]
    Mode(#[from] ModeError),
    /// The input is longer than a statement may carry.
    #[error(transparent)]
    Input(PublicValueError),
    /// Trace-retire rebuilds whole-run traces; epochs do not support it.
    #[error("`trace-retire` is not supported for continuation epochs")]
    TraceRetire,
    /// `verify-and-drop` asked of [`prove_continuation`], which keeps every proof.
    #[error("a bundle keeps every epoch proof: `verify-and-drop` is prove_and_verify_continuation")]
    BundleDrop,
    /// The program failed to run.
    #[error("execution failed")]
    Exec(#[from] ExecError),
    /// The run exceeded the cycle limit.
    #[error("the run did not halt within {0} cycles")]
    CycleLimit(u64),
    /// An epoch cannot be expressed by the tables.
    #[error("epoch {epoch}: {source}")]
    Witness {
        /// Which epoch.
        epoch: u32,
        /// Why.
        source: WitnessError,
    },
    /// The STARK prover refused an epoch.
    #[error("epoch {epoch}: proving failed")]
    Prove {
        /// Which epoch.
        epoch: u32,
        /// Why.
        source: ProveError,
    },
    /// An epoch's boundary lies outside what a proof can state (see [`crate::zkvm::public`]).
    #[error("epoch {epoch}: {source}")]
    Public {
        /// Which epoch.
        epoch: u32,
        /// Why.
        source: PublicValueError,
    },
    /// Verify-and-drop: an epoch proof did not verify right after it was proved.
    #[error("epoch {epoch} did not verify right after proving")]
    SelfCheck {
        /// Which epoch.
        epoch: u32,
        /// Why.
        source: ChainError,
    },
}

/// Why a continuation was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// No epochs.
    #[error("the bundle has no epochs")]
    Empty,
    /// The bytes are not a canonical bundle encoding.
    #[error("not a bundle encoding: {0}")]
    Decode(String),
    /// The input is longer than a statement may carry.
    #[error(transparent)]
    Input(PublicValueError),
    /// The epoch size is outside [`EPOCH_LOG2_RANGE`].
    #[error("epoch size 2^{0} is out of range")]
    EpochLog2(u32),
    /// An epoch is not where its index says.
    #[error("epoch at position {position} claims index {index}")]
    Index {
        /// Its position in the bundle.
        position: u32,
        /// The index it claims.
        index: u32,
    },
    /// An epoch's start differs from what the earlier epochs left.
    #[error("epoch {epoch}: {what} does not continue from the previous epoch")]
    Start {
        /// Which epoch.
        epoch: u32,
        /// What differs.
        what: &'static str,
    },
    /// An epoch claims a RAM word held a value it did not hold.
    #[error("epoch {epoch}: word {key:#x} first read as {claimed:#x}, but it held {expected:#x}")]
    FirstRead {
        /// Which epoch.
        epoch: u32,
        /// The word address.
        key: u32,
        /// What the boundary claims.
        claimed: u32,
        /// What the chain says.
        expected: u32,
    },
    /// An epoch's RAM words are not sorted unique RAM keys.
    #[error("epoch {epoch}: RAM words are not strictly increasing RAM addresses")]
    RamKeys {
        /// Which epoch.
        epoch: u32,
    },
    /// An epoch's cycle count is impossible for its position.
    #[error("epoch {epoch}: {cycles} cycles")]
    Cycles {
        /// Which epoch.
        epoch: u32,
        /// Claimed cycles.
        cycles: u64,
    },
    /// A final epoch with epochs after it, or a last epoch that is not final.
    #[error("epoch {epoch}: {what}")]
    Final {
        /// Which epoch.
        epoch: u32,
        /// What is wrong.
        what: &'static str,
    },
    /// The MEMORY table of an epoch is taller than one chunk.
    #[error("epoch {epoch}: MEMORY claims height {height}, above the chunk limit")]
    MemoryChunked {
        /// Which epoch.
        epoch: u32,
        /// Claimed height in rows.
        height: u64,
    },
    /// An epoch's boundary lies outside what a proof can state (see [`crate::zkvm::public`]).
    #[error("epoch {epoch}: {source}")]
    Public {
        /// Which epoch.
        epoch: u32,
        /// Why.
        source: PublicValueError,
    },
    /// An epoch's STARK proof does not verify against its boundary.
    #[error("epoch {epoch}: proof rejected: {source}")]
    Proof {
        /// Which epoch.
        epoch: u32,
        /// Why.
        source: VerifyError,
    },
}

/// The state the epochs so far left: what the next epoch must start from.
#[derive(Clone, Debug)]
struct Chain {
    image: BTreeMap<u32, u32>,
    written: HashMap<u32, u32>,
    pc: u32,
    regs: [u32; 32],
    words: Vec<u32>,
    cycles: u64,
    exit_code: Option<u32>,
    epochs: u32,
}

impl Chain {
    fn new(program: &Program, input: &[u32]) -> Self {
        let mut image = witness::memory_image(program, input);
        // Registers are not RAM: the image's `sp` entry is the chain's register state.
        image.retain(|&k, _| k < REG_BASE);
        let mut regs = [0; 32];
        regs[2] = STACK_TOP;
        Self {
            image,
            written: HashMap::new(),
            pc: program.entry(),
            regs,
            words: Vec::new(),
            cycles: 0,
            exit_code: None,
            epochs: 0,
        }
    }

    fn word(&self, key: u32) -> u32 {
        self.written
            .get(&key)
            .or_else(|| self.image.get(&key))
            .copied()
            .unwrap_or(0)
    }

    /// Checks that `b` starts where the chain stands (everything but the proof).
    fn check_start(&self, b: &Boundary, epoch_log2: u32) -> Result<(), ChainError> {
        let epoch = self.epochs;
        if self.exit_code.is_some() {
            return Err(ChainError::Final {
                epoch,
                what: "an epoch follows the final one",
            });
        }
        if b.index != epoch {
            return Err(ChainError::Index {
                position: epoch,
                index: b.index,
            });
        }
        let start = |what| ChainError::Start { epoch, what };
        if b.start_pc != self.pc {
            return Err(start("the start pc"));
        }
        if b.start_regs != self.regs {
            return Err(start("the start registers"));
        }
        if b.out_start as usize != self.words.len() {
            return Err(start("the output index"));
        }
        if b.end_pc.is_some() == b.exit_code.is_some() {
            return Err(ChainError::Final {
                epoch,
                what: "an epoch ends either with a next pc or with the halt's exit code",
            });
        }
        let full = 1u64 << epoch_log2;
        let cycles_ok = match b.end_pc {
            Some(_) => b.cycles == full,
            None => (1..=full).contains(&b.cycles),
        };
        if !cycles_ok {
            return Err(ChainError::Cycles {
                epoch,
                cycles: b.cycles,
            });
        }
        if b.ram.windows(2).any(|w| w[0].key >= w[1].key)
            || b.ram.last().is_some_and(|w| w.key >= REG_BASE)
        {
            return Err(ChainError::RamKeys { epoch });
        }
        for w in &b.ram {
            let expected = self.word(w.key);
            if w.first != expected {
                return Err(ChainError::FirstRead {
                    epoch,
                    key: w.key,
                    claimed: w.first,
                    expected,
                });
            }
        }
        Ok(())
    }

    /// Moves the chain past `b` (checked by [`Chain::check_start`] and its proof).
    fn apply(&mut self, b: &Boundary) {
        for w in &b.ram {
            self.written.insert(w.key, w.last);
        }
        self.regs = b.end_regs;
        self.words.extend_from_slice(&b.words);
        self.cycles += b.cycles;
        self.exit_code = b.exit_code;
        if let Some(pc) = b.end_pc {
            self.pc = pc;
        }
        self.epochs += 1;
    }

    fn output(&self) -> Result<PublicOutput, ChainError> {
        let exit_code = self.exit_code.ok_or(ChainError::Final {
            epoch: self.epochs.saturating_sub(1),
            what: "the last epoch does not halt",
        })?;
        Ok(PublicOutput {
            words: self.words.clone(),
            exit_code,
            cycles: self.cycles,
        })
    }
}

/// The public values binding an epoch proof to its position.
fn public_values(b: &Boundary, epoch_log2: u32) -> [Felt; 3] {
    [
        Felt::from_u32(b.index),
        Felt::from_u32(epoch_log2),
        Felt::from_bool(b.is_final()),
    ]
}

/// The bus terms the verifier adds for an epoch, all derived from its boundary. Every integer
/// enters the field through [`crate::zkvm::public`]'s checked conversions.
fn public_interactions(
    b: &Boundary,
    epoch_log2: u32,
) -> Result<Vec<PublicInteraction>, PublicValueError> {
    let indices = public::output_indices(b.out_start, b.words.len())?;
    let w = public::word;
    let term = |bus, values: Vec<Felt>, multiplicity| PublicInteraction {
        bus,
        values,
        multiplicity,
    };
    let mut p = vec![term(
        bus::STATE,
        vec![Felt::ZERO, w(b.start_pc), w(b.out_start)],
        Felt::ONE,
    )];
    let regs = (0..32u32).map(|r| {
        (
            REG_BASE + r,
            b.start_regs[r as usize],
            b.end_regs[r as usize],
        )
    });
    for (key, first, last) in b.ram.iter().map(|w| (w.key, w.first, w.last)).chain(regs) {
        p.push(term(bus::IMAGE, vec![w(key), w(first)], Felt::ONE));
        p.push(term(bus::FINAL, vec![w(key), w(last)], Felt::NEG_ONE));
    }
    let output = |tag: Felt, v: Felt| term(bus::OUTPUT, vec![tag, v], Felt::NEG_ONE);
    let out_end = indices.end;
    for (i, &word) in indices.zip(&b.words) {
        p.push(output(public::index(i), w(word)));
    }
    match (b.end_pc, b.exit_code) {
        (Some(end_pc), _) => p.push(term(
            bus::STATE,
            vec![
                public::cycles(1 << epoch_log2)?,
                w(end_pc),
                public::index(out_end),
            ],
            Felt::NEG_ONE,
        )),
        (None, exit_code) => {
            let tag = |t: u64| Felt::from_u64(t);
            p.push(output(tag(bus::EXIT_TAG), w(exit_code.unwrap_or(0))));
            p.push(output(tag(bus::CYCLES_TAG), public::cycles(b.cycles)?));
        }
    }
    Ok(p)
}

/// Verifies one epoch's proof against its boundary (the chain is checked separately).
fn verify_epoch(
    airs: &[VmAir],
    epoch: &EpochProof,
    epoch_log2: u32,
    params: &StarkParams,
) -> Result<(), ChainError> {
    let index = epoch.boundary.index;
    // A second line of defence: the STARK verifier refuses a split MEMORY too.
    if let Some(&height) = epoch.stark.heights.get(table::MEMORY)
        && height
            > 1u64
                .checked_shl(params.log_max_rows as u32)
                .unwrap_or(u64::MAX)
    {
        return Err(ChainError::MemoryChunked {
            epoch: index,
            height,
        });
    }
    let public =
        public_interactions(&epoch.boundary, epoch_log2).map_err(|source| ChainError::Public {
            epoch: index,
            source,
        })?;
    let values = public_values(&epoch.boundary, epoch_log2);
    let statement = Statement {
        context: CONTEXT,
        public_values: &values,
        public_interactions: &public,
    };
    crate::stark::verify(airs, &statement, params, &epoch.stark).map_err(|source| {
        ChainError::Proof {
            epoch: index,
            source,
        }
    })
}

/// Checks the chain of `bundle` for `program` on `input` and verifies every epoch's proof;
/// returns the run's output.
pub fn verify_continuation(
    program: &Program,
    input: &[u32],
    bundle: &Bundle,
    params: &StarkParams,
) -> Result<PublicOutput, ChainError> {
    if !EPOCH_LOG2_RANGE.contains(&bundle.epoch_log2) {
        return Err(ChainError::EpochLog2(bundle.epoch_log2));
    }
    if bundle.epochs.is_empty() {
        return Err(ChainError::Empty);
    }
    public::check_input(input).map_err(ChainError::Input)?;
    let airs = tables(program, MemoryAir::BOUNDARY);
    let mut chain = Chain::new(program, input);
    for epoch in &bundle.epochs {
        chain.check_start(&epoch.boundary, bundle.epoch_log2)?;
        verify_epoch(&airs, epoch, bundle.epoch_log2, params)?;
        chain.apply(&epoch.boundary);
    }
    chain.output()
}

/// Executes `program` on `input` epoch by epoch and hands each epoch's proof to `each`, in
/// order; the proof is dropped when `each` returns.
fn drive(
    program: &Program,
    input: &[u32],
    epoch_log2: u32,
    options: &ProveOptions,
    observer: &dyn ProveObserver,
    mut each: impl FnMut(EpochProof) -> Result<(), ContinuationError>,
) -> Result<(), ContinuationError> {
    if !EPOCH_LOG2_RANGE.contains(&epoch_log2) {
        return Err(ContinuationError::EpochLog2(epoch_log2));
    }
    options.mode.check_available()?;
    options.mode.check_budget(options.memory_budget)?;
    if options.mode.has(Flag::TraceRetire) {
        return Err(ContinuationError::TraceRetire);
    }
    public::check_input(input).map_err(ContinuationError::Input)?;
    // The other flags apply to every epoch's prove; verify-and-drop is how the caller
    // treats the proofs.
    let plan = options
        .mode
        .without(Flag::VerifyAndDrop)
        .plan(options.table_parallelism);
    let airs = tables(program, MemoryAir::BOUNDARY);
    let VmAir::Program(program_air) = &airs[table::PROGRAM] else {
        unreachable!("PROGRAM is table 0")
    };
    let chunk_logs =
        chunk_logs_of(&airs, 0, &options.params).map_err(|e| ContinuationError::Prove {
            epoch: 0,
            source: e.into(),
        })?;
    let epoch_cycles = 1u64 << epoch_log2;
    let mut exec = Executor::new(program, input).with_logging(true);
    exec.reserve_log(epoch_cycles as usize);
    for index in 0u32.. {
        if exec.cycles() >= options.max_cycles {
            return Err(ContinuationError::CycleLimit(options.max_cycles));
        }
        let start = exec.snapshot();
        let budget = epoch_cycles.min(options.max_cycles - exec.cycles());
        let state = exec.run_for(budget)?;
        let log = exec.take_log().expect("logging is on");
        exec.set_logging(true);
        let halted = matches!(state, RunState::Halted { .. });
        if !halted && log.len() as u64 != epoch_cycles {
            return Err(ContinuationError::CycleLimit(options.max_cycles));
        }
        let memory = Memory::from_pages(&start.pages);
        let origin = Origin::Epoch {
            memory: &memory,
            regs: start.regs,
            out_idx: start.public_output.len() as u32,
            end_pc: (!halted).then(|| exec.pc()),
        };
        let witness_err = |source| ContinuationError::Witness {
            epoch: index,
            source,
        };
        let routed = witness::route(program_air, &origin, &log, &options.params, CpuRows::Trace)
            .map_err(witness_err)?;
        let boundary = Boundary {
            index,
            start_pc: start.pc,
            start_regs: start.regs,
            end_regs: *exec.registers(),
            out_start: start.public_output.len() as u32,
            words: exec.public_output()[start.public_output.len()..].to_vec(),
            end_pc: (!halted).then(|| exec.pc()),
            exit_code: exec.exit_code(),
            cycles: log.len() as u64,
            ram: ram_words(&routed.memory),
        };
        drop(memory);
        drop(log);
        let traces = OwnedTraces::new(routed_traces(program_air, routed), &chunk_logs);
        let public = public_interactions(&boundary, epoch_log2).map_err(|source| {
            ContinuationError::Public {
                epoch: index,
                source,
            }
        })?;
        let values = public_values(&boundary, epoch_log2);
        let statement = Statement {
            context: CONTEXT,
            public_values: &values,
            public_interactions: &public,
        };
        let stark =
            crate::stark::prove(&airs, &traces, &statement, &options.params, &plan, observer)
                .map_err(|source| ContinuationError::Prove {
                    epoch: index,
                    source,
                })?;
        drop(traces);
        each(EpochProof { boundary, stark })?;
        if halted {
            break;
        }
    }
    Ok(())
}

/// The boundary's RAM words from an epoch's MEMORY records (registers are listed apart).
fn ram_words(records: &[KeyRecord]) -> Vec<RamWord> {
    records
        .iter()
        .filter(|r| r.key < REG_BASE)
        .map(|r| RamWord {
            key: r.key,
            first: r.init,
            last: r.final_val,
        })
        .collect()
}

/// Proves `program` on `input` as epochs of `2^epoch_log2` cycles: every epoch's boundary and
/// proof. `options.mode`'s flags apply to each epoch's prove (`trace-retire` excepted);
/// `verify-and-drop` is [`prove_and_verify_continuation`].
pub fn prove_continuation(
    program: &Program,
    input: &[u32],
    epoch_log2: u32,
    options: &ProveOptions,
    observer: &dyn ProveObserver,
) -> Result<Bundle, ContinuationError> {
    if options.mode.has(Flag::VerifyAndDrop) {
        return Err(ContinuationError::BundleDrop);
    }
    let mut epochs = Vec::new();
    drive(program, input, epoch_log2, options, observer, |e| {
        epochs.push(e);
        Ok(())
    })?;
    Ok(Bundle { epoch_log2, epochs })
}

/// Verify-and-drop: proves each epoch, verifies it against the chain at once and drops the
/// proof before the next epoch executes. Returns the boundaries and the verified output.
pub fn prove_and_verify_continuation(
    program: &Program,
    input: &[u32],
    epoch_log2: u32,
    options: &ProveOptions,
    observer: &dyn ProveObserver,
) -> Result<StreamSummary, ContinuationError> {
    let airs = tables(program, MemoryAir::BOUNDARY);
    let mut chain = Chain::new(program, input);
    let mut boundaries = Vec::new();
    let mut proof_bytes = Vec::new();
    let mut first_heights = Vec::new();
    let mut digest = Sha3_256::new();
    drive(program, input, epoch_log2, options, observer, |epoch| {
        let index = epoch.boundary.index;
        let self_check = |source| ContinuationError::SelfCheck {
            epoch: index,
            source,
        };
        chain
            .check_start(&epoch.boundary, epoch_log2)
            .map_err(self_check)?;
        verify_epoch(&airs, &epoch, epoch_log2, &options.params).map_err(self_check)?;
        chain.apply(&epoch.boundary);
        let bytes = epoch.stark.to_bytes();
        digest.update(&bytes);
        proof_bytes.push(bytes.len());
        if index == 0 {
            first_heights = epoch.stark.heights.clone();
        }
        boundaries.push(epoch.boundary);
        Ok(())
    })?;
    let output = chain
        .output()
        .map_err(|source| ContinuationError::SelfCheck {
            epoch: chain.epochs.saturating_sub(1),
            source,
        })?;
    Ok(StreamSummary {
        epoch_log2,
        boundaries,
        proof_bytes,
        first_heights,
        digest: hex(&digest.finalize()),
        output,
    })
}
