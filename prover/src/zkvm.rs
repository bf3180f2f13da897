//! Proving RV32IM execution end to end: the zkVM's public API.
//!
//! [`prove`] executes the program, routes the execution log into the tables of [`air`]
//! (crate::air), and proves them with the STARK core. [`verify`] rebuilds the statement from
//! the program and input alone: the PROGRAM table is preprocessed from the ELF, and the
//! verifier adds the bus terms of the public data itself (initial state, memory image,
//! output words, exit code, cycle count). The claimed outputs travel in the [`VmProof`] and
//! are returned only once the proof checks out.

use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};
use sha3::{Digest as _, Sha3_256};

use crate::air::access::AccessAir;
use crate::air::bus;
use crate::air::bytes::{BytesAir, bytes_trace};
use crate::air::cpu::CpuAir;
use crate::air::cycle::MAX_ROUTED_CYCLES;
use crate::air::memory::MemoryAir;
use crate::air::program::ProgramAir;
use crate::air::range::{RangeAir, range_trace};
use crate::air::witness::{self, CpuRows, WitnessError};
use crate::air::{AluAir, AluTable, route_alu};
use crate::memtag::{self, Tag};
use crate::modes::{Flag, MemoryMode, ModeError};
use crate::stark::setup::chunk_logs_of;
use crate::stark::{
    Felt, MemoryPlan, OwnedTraces, Proof, ProveError, ProveObserver, PublicInteraction,
    StarkParams, Statement, TraceSource, VerifyError,
};
use crate::vm::{ExecError, ExecOptions, Program, Step, execute};

pub mod footprint;
pub mod public;
mod retired;
pub mod rows;

pub use public::{MAX_CYCLES_PER_PROOF, MAX_INPUT_WORDS, PublicValueError};
pub use retired::{RetiredWitness, build_retired_witness};
pub use rows::{TableRows, table_rows};

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

/// The zkVM's tables, in proof order.
#[derive(Clone, Debug)]
pub enum VmAir {
    /// See [`ProgramAir`].
    Program(ProgramAir),
    /// See [`CpuAir`].
    Cpu(CpuAir),
    /// See [`MemoryAir`].
    Memory(MemoryAir),
    /// See [`AccessAir`].
    Access(AccessAir),
    /// See [`RangeAir`].
    Range(RangeAir),
    /// See [`BytesAir`].
    Bytes(BytesAir),
    /// One of the ALU tables (see [`AluTable`]).
    Alu(AluAir),
}

crate::delegate_air!(VmAir {
    Program,
    Cpu,
    Memory,
    Access,
    Range,
    Bytes,
    Alu
});

/// Index of each table in [`airs`].
pub mod table {
    /// PROGRAM.
    pub const PROGRAM: usize = 0;
    /// CPU.
    pub const CPU: usize = 1;
    /// MEMORY (must be a single chunk).
    pub const MEMORY: usize = 2;
    /// ACCESS.
    pub const ACCESS: usize = 3;
    /// RANGE.
    pub const RANGE: usize = 4;
    /// BYTES.
    pub const BYTES: usize = 5;
    /// The first ALU table; ALU table `t` is at `FIRST_ALU + t.index()`.
    pub const FIRST_ALU: usize = 6;
    /// ADD (and SUB).
    pub const ADD: usize = alu(AluTable::Add);
    /// LT (SLT and SLTU).
    pub const LT: usize = alu(AluTable::Lt);
    /// BITWISE.
    pub const BITWISE: usize = alu(AluTable::Bitwise);
    /// SHIFT (SLL, SRL, SRA).
    pub const SHIFT: usize = alu(AluTable::Shift);
    /// MUL (MUL, MULH, MULHSU, MULHU).
    pub const MUL: usize = alu(AluTable::Mul);
    /// DIV (DIV, DIVU, REM, REMU).
    pub const DIV: usize = alu(AluTable::Div);
    /// The number of tables.
    pub const COUNT: usize = FIRST_ALU + AluTable::ALL.len();

    use super::AluTable;

    /// The index of ALU table `t`.
    pub const fn alu(t: AluTable) -> usize {
        FIRST_ALU + t as usize
    }
}

/// The zkVM's tables for `program`.
pub fn airs(program: &Program) -> Vec<VmAir> {
    tables(program, MemoryAir::RUN)
}

/// The zkVM's tables for `program`, with MEMORY in the given form (a whole run, or an
/// epoch's public boundary).
pub(crate) fn tables(program: &Program, memory: MemoryAir) -> Vec<VmAir> {
    vec![
        VmAir::Program(ProgramAir::new(program)),
        VmAir::Cpu(CpuAir),
        VmAir::Memory(memory),
        VmAir::Access(AccessAir),
        VmAir::Range(RangeAir),
        VmAir::Bytes(BytesAir),
    ]
    .into_iter()
    .chain(AluTable::ALL.map(|t| VmAir::Alu(t.air())))
    .collect()
}

/// How to prove. Only `params` decides the proof bytes; the memory mode and the table
/// parallelism change memory and time alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProveOptions {
    /// Proof parameters (they decide the proof bytes).
    pub params: StarkParams,
    /// The executor's cycle limit: at most
    /// [`MAX_ROUTED_CYCLES`](crate::air::cycle::MAX_ROUTED_CYCLES) for a whole-run proof
    /// (a continuation's epochs keep their own clocks, so it may take any).
    pub max_cycles: u64,
    /// What the prover retires to save memory (see [`crate::modes`]).
    pub mode: MemoryMode,
    /// How many table instances are in flight at once; `None` picks automatically.
    pub table_parallelism: Option<NonZeroUsize>,
    /// Heap, in bytes, the whole prove may be predicted to reach where spending it saves
    /// time: the prover's budget ([`MemoryPlan::stark_budget`]) is this less what the zkVM
    /// holds beside it ([`footprint::Footprint::held`]). Only modes that
    /// [take a budget](MemoryMode::takes_budget); `None`: the mode's leanest.
    pub memory_budget: Option<u64>,
}

impl Default for ProveOptions {
    fn default() -> Self {
        Self {
            params: StarkParams::default(),
            max_cycles: crate::vm::DEFAULT_MAX_CYCLES,
            mode: MemoryMode::DEFAULT,
            table_parallelism: None,
            memory_budget: None,
        }
    }
}

/// What a proof establishes about a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicOutput {
    /// Words committed with `ecall 64`, in order.
    pub words: Vec<u32>,
    /// The exit code at the halt.
    pub exit_code: u32,
    /// Cycles executed, the halt included.
    pub cycles: u64,
}

/// A proof of one run, with the outputs it claims.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmProof {
    /// The claimed outputs (checked by [`verify`]).
    pub output: PublicOutput,
    /// The STARK proof.
    pub stark: Proof,
}

impl VmProof {
    /// Canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("serializing to a Vec cannot fail")
    }

    /// Decodes a proof.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VmVerifyError> {
        let (proof, rest) = postcard::take_from_bytes(bytes)
            .map_err(|e| VmVerifyError::Stark(VerifyError::Decode(e.into())))?;
        if !rest.is_empty() {
            return Err(VmVerifyError::Stark(VerifyError::Decode(
                postcard::Error::DeserializeBadEncoding.into(),
            )));
        }
        Ok(proof)
    }

    /// SHA3-256 of the canonical encoding, as lowercase hex.
    pub fn digest_hex(&self) -> String {
        Sha3_256::digest(self.to_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The smallest and largest epoch sizes accepted (log2 of cycles) by
/// [`continuation`](crate::continuation) and by the memory model's epoch routing
/// ([`footprint::run_shape`]).
pub const EPOCH_LOG2_RANGE: std::ops::RangeInclusive<u32> = 4..=24;

/// Why a run could not be proved.
#[derive(Debug, thiserror::Error)]
pub enum VmProveError {
    /// The program failed to run.
    #[error("execution failed")]
    Exec(#[from] ExecError),
    /// The run uses something the tables cannot express.
    #[error(transparent)]
    Witness(#[from] WitnessError),
    /// The STARK prover refused.
    #[error("proving failed")]
    Prove(#[from] ProveError),
    /// The memory mode asked for is not implemented.
    #[error(transparent)]
    Mode(#[from] ModeError),
    /// An epoch size outside [`EPOCH_LOG2_RANGE`].
    #[error("epochs of 2^{0} cycles: the epoch size must be 2^4 to 2^24 cycles")]
    EpochLog2(u32),
    /// A continuation mode asked of the whole-run prover.
    #[error("mode `{0}` proves in epochs: use prover::continuation, not the whole-run prover")]
    NeedsEpochs(MemoryMode),
    /// The input, or the run's outputs, lie outside what one proof can state.
    #[error(transparent)]
    Public(#[from] PublicValueError),
    /// A cycle limit past what the memory argument supports in one proof.
    #[error(
        "max_cycles {max_cycles} is above {supported}: the memory argument range-checks the timestamp gaps between accesses to a key in 32 bits, at 4 timestamps a cycle (prove longer runs in epochs: prover::continuation)"
    )]
    CycleLimit {
        /// The limit asked for.
        max_cycles: u64,
        /// [`MAX_ROUTED_CYCLES`](crate::air::cycle::MAX_ROUTED_CYCLES).
        supported: u64,
    },
}

/// Why a proof was rejected.
#[derive(Debug, thiserror::Error)]
pub enum VmVerifyError {
    /// The STARK proof does not verify for this program, input and output.
    #[error("proof rejected")]
    Stark(#[from] VerifyError),
    /// A claimed output (or the input) lies outside its domain (see [`public`]).
    #[error("statement rejected")]
    Public(#[from] PublicValueError),
    /// The MEMORY table was split into chunks, which its uniqueness argument forbids.
    #[error("the MEMORY table claims height {height}, above the chunk limit 2^{max}")]
    MemoryChunked {
        /// Claimed height in rows.
        height: u64,
        /// The chunk limit.
        max: usize,
    },
}

const CONTEXT: &[u8] = b"rv32im-zkvm/v1";

/// The bus terms the verifier supplies from public data. Every integer enters the field
/// through [`public`]'s checked conversions.
fn public_interactions(
    program: &Program,
    input: &[u32],
    out: &PublicOutput,
) -> Result<Vec<PublicInteraction>, PublicValueError> {
    public::check_input(input)?;
    let cycles = public::cycles(out.cycles)?;
    let indices = public::output_indices(0, out.words.len())?;
    let w = public::word;
    let mut p = vec![PublicInteraction {
        bus: bus::STATE,
        values: vec![Felt::ZERO, w(program.entry()), Felt::ZERO],
        multiplicity: Felt::ONE,
    }];
    p.extend(
        witness::memory_image(program, input)
            .into_iter()
            .map(|(k, v)| PublicInteraction {
                bus: bus::IMAGE,
                values: vec![w(k), w(v)],
                multiplicity: Felt::ONE,
            }),
    );
    let received = |tag: Felt, value: Felt| PublicInteraction {
        bus: bus::OUTPUT,
        values: vec![tag, value],
        multiplicity: Felt::NEG_ONE,
    };
    p.extend(
        indices
            .zip(&out.words)
            .map(|(i, &word)| received(public::index(i), w(word))),
    );
    p.push(received(Felt::from_u64(bus::EXIT_TAG), w(out.exit_code)));
    p.push(received(Felt::from_u64(bus::CYCLES_TAG), cycles));
    Ok(p)
}

/// A run routed into the tables, ready to prove.
#[derive(Debug)]
pub struct VmWitness {
    /// The tables.
    pub airs: Vec<VmAir>,
    /// One main trace per table, in [`airs`] order.
    pub traces: Vec<RowMajorMatrix<Felt>>,
    /// What the run output.
    pub output: PublicOutput,
}

/// Runs `program` on `input` with the execution log on.
fn execute_logged(
    program: &Program,
    input: &[u32],
    options: &ProveOptions,
) -> Result<(PublicOutput, Vec<Step>), VmProveError> {
    options.mode.check_available()?;
    if options.mode.has(Flag::VerifyAndDrop) {
        return Err(VmProveError::NeedsEpochs(options.mode));
    }
    options.mode.check_budget(options.memory_budget)?;
    if options.max_cycles > MAX_ROUTED_CYCLES {
        return Err(VmProveError::CycleLimit {
            max_cycles: options.max_cycles,
            supported: MAX_ROUTED_CYCLES,
        });
    }
    public::check_input(input)?;
    let exec = execute(
        program,
        input,
        &ExecOptions {
            max_cycles: options.max_cycles,
            log: true,
        },
    )?;
    let output = PublicOutput {
        words: exec.public_output,
        exit_code: exec.exit_code,
        cycles: exec.cycles,
    };
    // The log grew by doubling: a run just past a power of two leaves up to half of it
    // unused, held to the end with trace-retire (its rebuild data). Give it back.
    let mut log = exec.log.expect("the log was requested");
    log.shrink_to_fit();
    Ok((output, log))
}

/// The PROGRAM table's AIR in an [`airs`] list.
fn program_air(airs: &[VmAir]) -> &ProgramAir {
    let VmAir::Program(program_air) = &airs[table::PROGRAM] else {
        unreachable!("PROGRAM is table 0")
    };
    program_air
}

/// Executes `program` on `input` and routes the run into every table's trace.
pub fn build_witness(
    program: &Program,
    input: &[u32],
    options: &ProveOptions,
) -> Result<VmWitness, VmProveError> {
    let (output, log) = execute_logged(program, input, options)?;
    let airs = airs(program);
    let program_air = program_air(&airs);
    let image = witness::memory_image(program, input);
    let routed = witness::route(
        program_air,
        &witness::Origin::Image(&image),
        &log,
        &options.params,
        CpuRows::Trace,
    )?;
    drop(log);
    let traces = routed_traces(program_air, routed);
    Ok(VmWitness {
        airs,
        traces,
        output,
    })
}

/// Every table's trace from a routing pass with [`CpuRows::Trace`], in [`airs`] order.
pub(crate) fn routed_traces(
    program_air: &ProgramAir,
    mut routed: witness::Routed,
) -> Vec<RowMajorMatrix<Felt>> {
    let _tag = memtag::scope(Tag::MainTrace);
    let memory = witness::memory(&mut routed);
    let access = witness::access(&mut routed);
    let alu_traces: Vec<_> = AluTable::ALL
        .iter()
        .zip(route_alu(&routed.alu))
        .map(|(t, requests)| t.trace(&requests, &mut routed.lookups, routed.log_split_rows))
        .collect();
    // RANGE and BYTES come last: every other builder adds to their counts.
    let mut traces = vec![
        program_air.trace(&routed.program_counts),
        routed.cpu.expect("routed with CpuRows::Trace"),
        memory,
        access,
        range_trace(&routed.lookups.range),
        bytes_trace(&routed.lookups.bytes, &routed.lookups.pairs),
    ];
    traces.extend(alu_traces);
    traces
}

/// Proves a witness built by [`build_witness`] for the same program and input. The traces
/// are resident already, so `trace-retire` has nothing to retire here (use [`prove`]); the
/// other flags of `options.mode` apply.
pub fn prove_witness(
    program: &Program,
    input: &[u32],
    witness: VmWitness,
    options: &ProveOptions,
    observer: &dyn ProveObserver,
) -> Result<VmProof, VmProveError> {
    let plan = MemoryPlan {
        retire_traces: false,
        ..options.mode.plan(options.table_parallelism)
    };
    let chunk_logs = chunk_logs_of(&witness.airs, 0, &options.params).map_err(ProveError::from)?;
    let source = OwnedTraces::new(witness.traces, &chunk_logs);
    let stark = prove_source(
        program,
        input,
        &witness.airs,
        &source,
        &witness.output,
        options,
        &plan,
        observer,
    )?;
    Ok(VmProof {
        output: witness.output,
        stark,
    })
}

/// The STARK proof of a run whose traces come from `source`.
#[allow(clippy::too_many_arguments)]
fn prove_source(
    program: &Program,
    input: &[u32],
    airs: &[VmAir],
    source: &dyn TraceSource,
    output: &PublicOutput,
    options: &ProveOptions,
    plan: &MemoryPlan,
    observer: &dyn ProveObserver,
) -> Result<Proof, VmProveError> {
    let public = public_interactions(program, input, output)?;
    let statement = Statement {
        context: CONTEXT,
        public_values: &[],
        public_interactions: &public,
    };
    Ok(crate::stark::prove(
        airs,
        source,
        &statement,
        &options.params,
        plan,
        observer,
    )?)
}

/// Executes `program` on `input` and proves the run in `options.mode`: with `trace-retire`
/// the traces are never materialised ([`RetiredWitness`] rebuilds chunks on demand),
/// otherwise through [`build_witness`] and [`prove_witness`].
pub fn prove(
    program: &Program,
    input: &[u32],
    options: &ProveOptions,
    observer: &dyn ProveObserver,
) -> Result<VmProof, VmProveError> {
    if !options.mode.has(Flag::TraceRetire) {
        let witness = build_witness(program, input, options)?;
        return prove_witness(program, input, witness, options, observer);
    }
    let witness = build_retired_witness(program, input, options)?;
    let plan = MemoryPlan {
        stark_budget: footprint::stark_budget(options.memory_budget, &witness.footprint()),
        ..options.mode.plan(options.table_parallelism)
    };
    let stark = prove_source(
        program,
        input,
        witness.airs(),
        &witness,
        witness.output(),
        options,
        &plan,
        observer,
    )?;
    Ok(VmProof {
        output: witness.output().clone(),
        stark,
    })
}

/// Verifies that `proof` is a proof of running `program` on `input`, and returns what the
/// run output.
pub fn verify(
    program: &Program,
    input: &[u32],
    proof: &VmProof,
    params: &StarkParams,
) -> Result<PublicOutput, VmVerifyError> {
    // MEMORY must be one chunk. The STARK verifier refuses a split table with transition
    // constraints itself (`HeightError::Split`); this check names the zkVM's reason first.
    if let Some(&height) = proof.stark.heights.get(table::MEMORY)
        && height
            > 1u64
                .checked_shl(params.log_max_rows as u32)
                .unwrap_or(u64::MAX)
    {
        return Err(VmVerifyError::MemoryChunked {
            height,
            max: params.log_max_rows,
        });
    }
    let public = public_interactions(program, input, &proof.output)?;
    let airs = airs(program);
    let statement = Statement {
        context: CONTEXT,
        public_values: &[],
        public_interactions: &public,
    };
    crate::stark::verify(&airs, &statement, params, &proof.stark)?;
    Ok(proof.output.clone())
}
