//! The schedule: every large buffer of a prove, with the step that makes it and the step
//! that frees it, in the order the prover runs them (`stark::prover`, `stark::store`,
//! `composition`, `deep`, `fri`, `opened`). Pure: from a [`ModelInput`] to a [`Schedule`].
//!
//! It asks the store's [`Policy`] (the memory modes as data, one value per prove: where each
//! kind of buffer is made, until when it is held, how it comes back) every question the
//! store asks it, and lays out the buffers the store makes under those answers, with their
//! sizes; ARCHITECTURE.md's mode table is rendered from the same policy
//! ([`policy::table`](crate::stark::policy::table)).
//! [`Schedule::lifetimes`] turns the steps into one line per buffer (made in, freed in, or
//! a rebuild of an earlier one).

use crate::memtag::Tag;
use crate::stark::policy::{MainCommit, MainTrace, Policy, Reads};

use super::{InstanceShape, ModelInput};

/// Bytes of a base field element.
const FELT: u64 = 8;
/// Bytes of an extension field element.
const EXT: u64 = 16;
/// Bytes of a Merkle digest.
const DIGEST: u64 = 32;
/// Limbs of the quotient's parts (two extension columns).
const QUOTIENT_LIMBS: u64 = 4;
/// LDE cells per trace row in one openings slab (`opened::SLAB_CELLS`).
const SLAB_CELLS: u64 = crate::stark::opened::SLAB_CELLS as u64;

/// Twiddle bytes per point of each size of whole-matrix transform a phase runs through p3
/// (its tables per size and coset shift; our own block transforms cache none), held until
/// the phase's end (`Lde::forget_twiddles`). Fitted on
/// `fib_iterative_64k` and `fib_iterative_1200k` (7 to 12 bytes a point measured).
pub const TWIDDLE_BYTES_PER_POINT: u64 = 10;

/// The process's untagged heap outside every modelled buffer (the program, the AIRs, the
/// transcript, rayon, the allocator's own), measured at `fib_iterative_64k`'s quiet phases.
pub const BASELINE_OTHER: u64 = 1_300_000;

/// The phases of a prove, in order (the prover's [`Phase`](crate::stark::Phase)s, with the
/// setup before them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelPhase {
    /// What the zkVM holds before the prove, the preprocessed commitments.
    Setup,
    /// Phase A.
    MainCommit,
    /// Phase C.
    AuxCommit,
    /// Round 2.
    Composition,
    /// Round 3.
    OutOfDomain,
    /// Round 4.
    Fri,
    /// Grinding and openings.
    Queries,
}

impl ModelPhase {
    /// Every phase, in order.
    pub const ALL: [ModelPhase; 7] = [
        ModelPhase::Setup,
        ModelPhase::MainCommit,
        ModelPhase::AuxCommit,
        ModelPhase::Composition,
        ModelPhase::OutOfDomain,
        ModelPhase::Fri,
        ModelPhase::Queries,
    ];

    /// The name the measurement uses (`Phase::name`; `setup` for the setup).
    pub const fn name(self) -> &'static str {
        match self {
            ModelPhase::Setup => "setup",
            ModelPhase::MainCommit => "main_commit",
            ModelPhase::AuxCommit => "aux_commit",
            ModelPhase::Composition => "composition",
            ModelPhase::OutOfDomain => "out_of_domain",
            ModelPhase::Fri => "fri",
            ModelPhase::Queries => "queries",
        }
    }
}

/// One buffer the schedule makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// Its id, unique in the schedule.
    pub id: usize,
    /// The instance it belongs to, if one.
    pub instance: Option<usize>,
    /// Its heap kind.
    pub tag: Tag,
    /// What it is, in words.
    pub what: &'static str,
    /// Its size.
    pub bytes: u64,
}

/// Making or freeing a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Allocated.
    Make(Buffer),
    /// Freed (by id).
    Free(usize),
}

/// What the prover does for one instance (or once) in one phase, as buffer operations in
/// their order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The phase.
    pub phase: ModelPhase,
    /// The instance (`None`: a step of the whole phase, never run beside another).
    pub instance: Option<usize>,
    /// The operations, in order.
    pub ops: Vec<Op>,
}

/// A prove's buffers in order, and how many instance steps of one phase run at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Every step, in the prover's order.
    pub steps: Vec<Step>,
    /// Instances in flight per phase.
    pub parallelism: usize,
}

/// One buffer's life: [`Schedule::lifetimes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    /// The buffer.
    pub buffer: Buffer,
    /// The phase that makes it.
    pub made: ModelPhase,
    /// The phase that frees it (`None`: held to the end).
    pub freed: Option<ModelPhase>,
    /// Whether an earlier buffer of the same instance, kind and name was freed before this
    /// one was made (a rebuild or recomputation).
    pub rebuilt: bool,
}

impl Schedule {
    /// One line per buffer, in the order made.
    pub fn lifetimes(&self) -> Vec<Lifetime> {
        let mut out: Vec<Lifetime> = Vec::new();
        for step in &self.steps {
            for op in &step.ops {
                match *op {
                    Op::Make(buffer) => {
                        let rebuilt = out.iter().any(|l| {
                            l.freed.is_some()
                                && l.buffer.instance == buffer.instance
                                && l.buffer.tag == buffer.tag
                                && l.buffer.what == buffer.what
                        });
                        out.push(Lifetime {
                            buffer,
                            made: step.phase,
                            freed: None,
                            rebuilt,
                        });
                    }
                    Op::Free(id) => {
                        if let Some(l) = out.iter_mut().find(|l| l.buffer.id == id) {
                            l.freed = Some(step.phase);
                        }
                    }
                }
            }
        }
        out
    }
}

/// Bytes of a tree over `leaves` leaves holding its layers from `dropped` up.
fn tree_bytes(leaves: u64, dropped: usize) -> u64 {
    let depth = leaves.trailing_zeros() as usize;
    let d = dropped.min(depth);
    (((2 * leaves) >> d) - 1) * DIGEST
}

/// One instance's sizes.
#[derive(Clone, Copy, Debug)]
struct Sizes {
    n: u64,
    big: u64,
    main: u64,
    aux: u64,
    pre: u64,
}

impl Sizes {
    fn of(s: &InstanceShape, log_blowup: usize) -> Self {
        let n = 1u64 << s.log_height;
        Self {
            n,
            big: n << log_blowup,
            main: n * s.main as u64 * FELT,
            aux: n * s.aux as u64 * EXT,
            pre: n * s.pre as u64 * FELT,
        }
    }
}

/// What the generator holds of one instance between steps.
#[derive(Clone, Copy, Debug, Default)]
struct Held {
    main_trace: Option<usize>,
    main_lde: Option<usize>,
    aux_coeffs: Option<usize>,
    aux_lde: Option<usize>,
    pre_lde: Option<usize>,
    quotient_coeffs: Option<usize>,
    quotient_lde: Option<usize>,
}

/// A round's spare buffers (`store::spare`), each as its id and bytes: the main trace's,
/// the aux trace's.
type Spares = [Option<(usize, u64)>; 2];

/// Builds the schedule step by step.
struct Gen {
    /// Merkle levels no tree holds ([`Policy::merkle_dropped_levels`]).
    dropped: usize,
    steps: Vec<Step>,
    next_id: usize,
    /// NTT sizes whose twiddles the current phase holds, and their buffers.
    twiddles: Vec<(u64, usize)>,
}

impl Gen {
    fn step(&mut self, phase: ModelPhase, instance: Option<usize>) {
        // Every phase drops its twiddles at its end, but the setup's are Phase A's too.
        if let Some(last) = self.steps.last()
            && last.phase != phase
            && last.phase != ModelPhase::Setup
        {
            self.forget_twiddles();
        }
        self.steps.push(Step {
            phase,
            instance,
            ops: Vec::new(),
        });
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.steps.last_mut().expect("a step is open").ops
    }

    fn make(&mut self, tag: Tag, what: &'static str, bytes: u64) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        let instance = self.steps.last().and_then(|s| s.instance);
        self.ops().push(Op::Make(Buffer {
            id,
            instance,
            tag,
            what,
            bytes,
        }));
        id
    }

    fn free(&mut self, id: usize) {
        self.ops().push(Op::Free(id));
    }

    /// A trace made in a spare buffer (`store::spare`): the spare, taken, if it holds
    /// `bytes`, else a new buffer (the spare freed first).
    fn reuse(
        &mut self,
        spare: &mut Option<(usize, u64)>,
        tag: Tag,
        what: &'static str,
        bytes: u64,
    ) -> (usize, u64) {
        match spare.take() {
            Some(held) if held.1 >= bytes => held,
            old => {
                self.free_opt(old.map(|(id, _)| id));
                (self.make(tag, what, bytes), bytes)
            }
        }
    }

    /// An instance's fetched main and rebuilt aux traces (`made`, as [`Spares`]) left as the
    /// next instance's spares if `keep`, else freed.
    fn leave(&mut self, spares: &mut Spares, made: Spares, keep: bool) {
        for (slot, made) in spares.iter_mut().zip(made) {
            match made {
                Some(m) if keep => *slot = Some(m),
                Some((id, _)) => self.free(id),
                None => {}
            }
        }
    }

    /// The end of a round: its spares freed (none is left once every table's last chunk has
    /// freed its own).
    fn free_spares(&mut self, spares: &mut Spares) {
        for spare in spares.iter_mut() {
            self.free_opt(spare.take().map(|(id, _)| id));
        }
    }

    fn free_opt(&mut self, id: Option<usize>) {
        if let Some(id) = id {
            self.free(id);
        }
    }

    /// The twiddles of an NTT over `points` points, made once per phase.
    fn ntt(&mut self, points: u64) {
        if !self.twiddles.iter().any(|&(p, _)| p == points) {
            let id = self.make(Tag::Other, "twiddles", points * TWIDDLE_BYTES_PER_POINT);
            self.twiddles.push((points, id));
        }
    }

    /// Frees the current phase's twiddles (each phase's end, and after each openings
    /// gather).
    fn forget_twiddles(&mut self) {
        if self.twiddles.is_empty() || self.steps.is_empty() {
            return;
        }
        for (_, id) in std::mem::take(&mut self.twiddles) {
            self.free(id);
        }
    }

    fn tree(&mut self, leaves: u64) -> usize {
        self.make(
            Tag::MerkleNodes,
            "merkle tree",
            tree_bytes(leaves, self.dropped),
        )
    }
}

/// The schedule of a prove under `input`, with the store's policy
/// ([`policy_for`](super::policy_for)).
pub fn schedule(input: &ModelInput) -> Schedule {
    schedule_with(input, &super::policy_for(input))
}

/// [`Policy::new`] of `input`'s plan and whether its aux traces fit in the largest main
/// trace (`Layout::aux_fits_in_largest_main`): the policy before the model's own choices.
pub fn base_policy(input: &ModelInput) -> Policy {
    let sizes: Vec<Sizes> = input
        .instances
        .iter()
        .map(|s| Sizes::of(s, input.log_blowup))
        .collect();
    let aux_bytes: u64 = sizes.iter().map(|s| s.aux).sum();
    let largest_main = sizes.iter().map(|s| s.main).max().unwrap_or(0);
    Policy::new(&input.plan, aux_bytes <= largest_main)
}

/// The schedule of a prove under `input` with `policy`.
pub fn schedule_with(input: &ModelInput, policy: &Policy) -> Schedule {
    let lb = input.log_blowup;
    let shapes = &input.instances;
    let sizes: Vec<Sizes> = shapes.iter().map(|s| Sizes::of(s, lb)).collect();
    let count = shapes.len();
    let mut held = vec![Held::default(); count];
    let d = policy.merkle_dropped_levels;
    let resident = policy.ldes_resident();
    let by_blocks = |k: usize| policy.by_blocks(shapes[k].log_height);
    let mut g = Gen {
        dropped: d,
        steps: Vec::new(),
        next_id: 0,
        twiddles: Vec::new(),
    };

    // 0 ---- setup: the zkVM's side, the preprocessed commitments ---------------------------
    g.step(ModelPhase::Setup, None);
    g.make(Tag::Other, "process baseline", BASELINE_OTHER);
    let out = input.outside;
    if out.other > 0 {
        g.make(Tag::Other, "outside the STARK", out.other);
    }
    let mut released = Vec::new();
    if policy.main_trace == MainTrace::Fetched {
        released.push(g.make(Tag::ExecutionLog, "execution log", out.execution_log));
        released.push(g.make(Tag::Witness, "routed witness", out.witness));
        g.make(Tag::MainTrace, "resident main traces", out.resident_traces);
    } else {
        for (k, s) in sizes.iter().enumerate() {
            g.steps.last_mut().expect("open").instance = Some(k);
            held[k].main_trace = Some(g.make(Tag::MainTrace, "main trace", s.main));
        }
        g.steps.last_mut().expect("open").instance = None;
    }
    for k in 0..count {
        if shapes[k].pre == 0 {
            continue;
        }
        g.step(ModelPhase::Setup, Some(k));
        let s = sizes[k];
        g.make(Tag::Other, "preprocessed trace", s.pre);
        g.ntt(s.big);
        let lde = g.make(Tag::PreLde, "pre LDE", s.pre << lb);
        g.tree(s.big);
        if !resident {
            g.free(lde);
        } else {
            held[k].pre_lde = Some(lde);
        }
    }

    // 1 ---- Phase A --------------------------------------------------------------------------
    for k in 0..count {
        g.step(ModelPhase::MainCommit, Some(k));
        let s = sizes[k];
        if policy.main_commit(shapes[k].log_height) == MainCommit::ByBlocks {
            // commit_by_blocks: the blocks in the fetched trace's buffer (our own transforms,
            // no cached twiddles); with the policy's copies, each block but the last in a
            // copy of the coefficients.
            let t = g.make(Tag::MainTrace, "main trace", s.main);
            if policy.phase_a_copies && lb > 0 {
                let copy = g.make(Tag::MainLde, "main LDE block (coefficients copied)", s.main);
                g.free(copy);
            }
            g.tree(s.big);
            g.free(t);
        } else {
            g.ntt(s.big);
            if held[k].main_trace.is_none() && policy.keeps_main_trace() {
                held[k].main_trace = Some(g.make(Tag::MainTrace, "main trace", s.main));
            }
            let lde = g.make(Tag::MainLde, "main LDE", s.main << lb);
            g.tree(s.big);
            if !resident {
                g.free(lde);
            } else {
                held[k].main_lde = Some(lde);
            }
        }
    }

    // 3 ---- Phase C --------------------------------------------------------------------------
    for k in (0..count).filter(|&k| shapes[k].aux > 0) {
        g.step(ModelPhase::AuxCommit, Some(k));
        let s = sizes[k];
        // With the LDEs resident the main trace is handed over and freed here; otherwise
        // borrowed when kept, fetched when retired.
        let owned_main = if policy.hands_main_to_phase_c() {
            held[k].main_trace.take()
        } else if held[k].main_trace.is_none() {
            Some(g.make(Tag::MainTrace, "main trace", s.main))
        } else {
            None
        };
        let aux = g.make(Tag::AuxTrace, "aux trace", s.aux);
        // logup::build_aux_trace's running sums per row.
        let sums = g.make(Tag::AuxTrace, "LogUp row sums", s.n * EXT);
        g.free(sums);
        g.free_opt(owned_main);
        if !policy.keeps_aux_traces() {
            // A whole LDE of the trace (kept coefficients are extended by our own
            // transforms, which cache nothing).
            g.ntt(s.big);
        }
        let lde = g.make(Tag::AuxLde, "aux LDE", s.aux << lb);
        g.tree(s.big);
        if policy.keeps_aux_traces() {
            g.free(lde);
            held[k].aux_coeffs = Some(aux);
        } else {
            g.free(aux);
            if !resident {
                g.free(lde);
            } else {
                held[k].aux_lde = Some(lde);
            }
        }
    }
    if policy.hands_main_to_phase_c() || policy.releases_source_after_phase_c() {
        g.step(ModelPhase::AuxCommit, None);
    }
    if policy.hands_main_to_phase_c() {
        // drop(handed): the main traces of instances without a bus.
        for h in held.iter_mut() {
            if let Some(id) = h.main_trace.take() {
                g.free(id);
            }
        }
    }
    if policy.releases_source_after_phase_c() {
        // end_phase_c: the source's rebuild data.
        for id in released.drain(..) {
            g.free(id);
        }
    }

    // 4 ---- Round 2 --------------------------------------------------------------------------
    // Whether instance k's fetched and rebuilt traces are the next instance's spares.
    let keeps_spare_after = |k: usize| {
        let shape = |k: usize| shapes.get(k).map(|n| (n.table, n.log_height));
        Policy::keeps_spare(shape(k).expect("an instance"), shape(k + 1))
    };
    // Round 2's spare buffers (store::spare): the fetched main and rebuilt aux traces.
    let mut spares: Spares = [None, None];
    for k in 0..count {
        g.step(ModelPhase::Composition, Some(k));
        let s = sizes[k];
        let has_aux = shapes[k].aux > 0;
        let rebuild = has_aux && held[k].aux_coeffs.is_none();
        let mut transient = Vec::new();
        let (mut made_main, mut made_aux) = (None, None);
        let evals = if resident {
            g.make(Tag::QuotientLde, "quotient evaluations", s.big * EXT)
        } else if !by_blocks(k) {
            // A tiny instance: its LDEs recomputed whole.
            transient.push(g.make(Tag::MainLde, "main LDE", s.main << lb));
            if has_aux {
                transient.push(g.make(Tag::AuxLde, "aux LDE", s.aux << lb));
            }
            if s.pre > 0 {
                transient.push(g.make(Tag::PreLde, "pre LDE", s.pre << lb));
            }
            g.make(Tag::QuotientLde, "quotient evaluations", s.big * EXT)
        } else {
            // The main trace fetched (retired) or each block copied from the kept one.
            let main_tag = if held[k].main_trace.is_some() {
                Tag::MainLde
            } else {
                Tag::MainTrace
            };
            let what = if main_tag == Tag::MainLde {
                "main LDE block"
            } else {
                "main trace"
            };
            if main_tag == Tag::MainTrace {
                made_main = Some(g.reuse(&mut spares[0], main_tag, what, s.main));
            } else {
                transient.push(g.make(main_tag, what, s.main));
            }
            if rebuild {
                made_aux = Some(g.reuse(&mut spares[1], Tag::AuxTrace, "aux trace", s.aux));
            }
            // Round 2's copies (store::blocks): of the traces it owns, the fetched main and
            // the rebuilt aux, each block but the last evaluated in a copy.
            let sh = &shapes[k];
            if lb > 0 && policy.round2_copies(k, sh.log_height, sh.main, sh.aux) {
                if main_tag == Tag::MainTrace {
                    let what = "main LDE block (coefficients copied)";
                    transient.push(g.make(Tag::MainLde, what, s.main));
                }
                if rebuild {
                    let what = "aux LDE block (coefficients copied)";
                    transient.push(g.make(Tag::AuxLde, what, s.aux));
                }
            }
            if s.pre > 0 {
                transient.push(g.make(Tag::PreLde, "pre LDE block", s.pre));
            }
            let values = g.make(Tag::QuotientLde, "quotient block values", s.n * EXT);
            let evals = g.make(Tag::QuotientLde, "quotient evaluations", s.big * EXT);
            g.free(values);
            evals
        };
        for id in transient {
            g.free(id);
        }
        // The fetched and rebuilt traces' buffers: the next instance's spares, or freed.
        g.leave(&mut spares, [made_main, made_aux], keeps_spare_after(k));
        // composition::split (its interpolation caches twiddles).
        g.ntt(s.big);
        let limbs = g.make(Tag::QuotientLde, "quotient limbs", s.big * EXT);
        g.free(evals);
        let coeffs = g.make(
            Tag::QuotientCoeffs,
            "quotient coefficients",
            s.n * QUOTIENT_LIMBS * FELT,
        );
        g.free(limbs);
        let lde = g.make(
            Tag::QuotientLde,
            "quotient LDE",
            s.big * QUOTIENT_LIMBS * FELT,
        );
        g.tree(s.big);
        held[k].quotient_coeffs = Some(coeffs);
        if !resident {
            g.free(lde);
        } else {
            held[k].quotient_lde = Some(lde);
        }
    }

    if spares.iter().any(Option::is_some) {
        // free_spares.
        g.step(ModelPhase::Composition, None);
        g.free_spares(&mut spares);
    }

    // 5 ---- Round 3 --------------------------------------------------------------------------
    // The traces a retired or rebuilt instance reads in Rounds 3 and 4 (store::trace_pieces):
    // a whole fetched main trace and a rebuilt aux trace made in the round's spare buffers
    // and left there for the next instance (store::spare), as in Round 2.
    let read_traces = |g: &mut Gen, held: &Held, k: usize, spares: &mut Spares| {
        let s = sizes[k];
        let rebuild = shapes[k].aux > 0 && held.aux_coeffs.is_none();
        let piece = policy.trace_piece(s.n as usize, shapes[k].aux > 0) as u64;
        let whole = piece == s.n;
        let mut made = [None, None];
        if held.main_trace.is_none() {
            made[0] = Some(if whole {
                g.reuse(&mut spares[0], Tag::MainTrace, "main trace", s.main)
            } else {
                (
                    g.make(Tag::MainTrace, "main trace", s.main / s.n * piece),
                    0,
                )
            });
        }
        if rebuild {
            made[1] = Some(if whole {
                g.reuse(&mut spares[1], Tag::AuxTrace, "aux trace", s.aux)
            } else {
                (g.make(Tag::AuxTrace, "aux trace", s.aux), 0)
            });
        }
        g.leave(spares, made, whole && keeps_spare_after(k));
    };
    match policy.reads {
        Reads::Traces => {
            for (k, h) in held.iter().enumerate() {
                g.step(ModelPhase::OutOfDomain, Some(k));
                read_traces(&mut g, h, k, &mut spares);
            }
            g.free_spares(&mut spares);
        }
        Reads::Ldes => g.step(ModelPhase::OutOfDomain, None),
    }
    if policy.frees_quotient_coeffs_after_round3() {
        // end_round3: nothing reads the quotients' coefficients again.
        for h in held.iter_mut() {
            let id = h.quotient_coeffs.take();
            g.free_opt(id);
        }
    }

    // 6 ---- Round 4 --------------------------------------------------------------------------
    let mut buckets: Vec<(usize, Vec<usize>)> = Vec::new();
    for (k, s) in shapes.iter().enumerate() {
        match buckets.iter_mut().find(|(h, _)| *h == s.log_height) {
            Some((_, m)) => m.push(k),
            None => buckets.push((s.log_height, vec![k])),
        }
    }
    buckets.sort_by_key(|b| std::cmp::Reverse(b.0));
    // Each bucket's FRI layers and trees, held to the end of the last bucket's step.
    let mut fri_held: Vec<Vec<usize>> = Vec::new();
    let q = input.num_queries as u64;
    for (b, (log_n, members)) in buckets.iter().enumerate() {
        let mut held_here = Vec::new();
        g.step(ModelPhase::Fri, None);
        let n = 1u64 << log_n;
        let big = n << lb;
        let points = g.make(Tag::FriLayers, "LDE points", big * FELT);
        let combined = if policy.reads == Reads::Ldes {
            g.make(Tag::FriLayers, "DEEP combination", big * EXT)
        } else {
            let acc = g.make(Tag::FriLayers, "DEEP accumulator", n * 2 * EXT);
            let from = g.make(Tag::FriLayers, "DEEP from coefficients", n * 2 * EXT);
            for &m in members {
                read_traces(&mut g, &held[m], m, &mut spares);
            }
            g.free_spares(&mut spares);
            g.ntt(n);
            let limbs = g.make(Tag::FriLayers, "DEEP limbs", n * 2 * EXT);
            g.free(from);
            g.free(limbs);
            g.ntt(big);
            let ab = g.make(Tag::FriLayers, "DEEP columns on the LDE", big * 2 * EXT);
            g.free(acc);
            let out = g.make(Tag::FriLayers, "DEEP combination", big * EXT);
            g.free(ab);
            out
        };
        g.free(points);
        // fri::commit_with: every layer kept, each with its tree.
        let folds = log_n.saturating_sub(input.log_final_poly_len);
        let mut len = big;
        let mut layer = combined;
        for _ in 0..folds {
            held_here.push(g.tree(len / 2));
            held_here.push(layer);
            let next = g.make(Tag::FriLayers, "FRI layer", len / 2 * EXT);
            len /= 2;
            layer = next;
        }
        g.free(layer);
        fri_held.push(held_here);
        if b + 1 == buckets.len() {
            // prover.rs: grinding and the FRI openings close Round 4, each bucket's layers
            // opened, then freed with their trees.
            for ((log_n, _), held_here) in buckets.iter().zip(std::mem::take(&mut fri_held)) {
                let folds = log_n.saturating_sub(input.log_final_poly_len) as u64;
                let depth = (log_n + lb) as u64;
                g.make(
                    Tag::Proof,
                    "FRI openings",
                    q * folds * (2 * EXT + depth * DIGEST),
                );
                for id in held_here {
                    g.free(id);
                }
            }
        }
        g.forget_twiddles();
    }

    // 8 ---- openings -------------------------------------------------------------------------
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&k| {
        let s = &shapes[k];
        (s.pre + s.main + 2 * (s.aux + 2)) << s.log_height
    });
    for k in order {
        g.step(ModelPhase::Queries, Some(k));
        let s = sizes[k];
        let shape = shapes[k];
        let depth = s.big.trailing_zeros() as u64;
        let widths: Vec<u64> = [
            shape.pre,
            shape.main,
            2 * shape.aux,
            QUOTIENT_LIMBS as usize,
        ]
        .into_iter()
        .filter(|&w| w > 0)
        .map(|w| w as u64)
        .collect();
        let openings: u64 = widths.iter().map(|w| q * (w * FELT + depth * DIGEST)).sum();
        let rows_of = |w: u64| {
            let leaves = 1u64 << d.min(depth as usize);
            (q.min(s.big / leaves)) * leaves * w * FELT
        };
        let slab = |w: u64| {
            let slab_width = (SLAB_CELLS >> lb).max(1);
            s.big * slab_width.min(w.next_power_of_two()) * FELT
        };
        let mut gathered = Vec::new();
        let mut gather = |g: &mut Gen, w: u64| {
            let buf = g.make(Tag::Proof, "openings slab", slab(w));
            gathered.push(g.make(Tag::Proof, "gathered rows", rows_of(w)));
            g.free(buf);
        };
        if by_blocks(k) {
            if shape.pre > 0 {
                gather(&mut g, shape.pre as u64);
            }
            let fetch = |g: &mut Gen, held: &mut Held| match held.main_trace.take() {
                Some(id) => id,
                None => g.make(Tag::MainTrace, "main trace", s.main),
            };
            if let Some(aux) = held[k].aux_coeffs.take() {
                // The aux coefficients gathered and freed before the main trace is fetched.
                gather(&mut g, 2 * shape.aux as u64);
                g.free(aux);
                let main = fetch(&mut g, &mut held[k]);
                gather(&mut g, shape.main as u64);
                g.free(main);
            } else {
                let main = fetch(&mut g, &mut held[k]);
                gather(&mut g, shape.main as u64);
                if shape.aux > 0 {
                    let aux = g.make(Tag::AuxTrace, "aux trace", s.aux);
                    g.free(main);
                    gather(&mut g, 2 * shape.aux as u64);
                    g.free(aux);
                } else {
                    g.free(main);
                }
            }
            gather(&mut g, QUOTIENT_LIMBS);
        } else if !resident {
            // A tiny instance: its LDEs recomputed whole, one at a time.
            for w in &widths {
                let id = g.make(Tag::MainLde, "recomputed LDE", (s.n * w * FELT) << lb);
                g.free(id);
            }
            let main = held[k].main_trace.take();
            g.free_opt(main);
            let aux = held[k].aux_coeffs.take();
            g.free_opt(aux);
        }
        g.make(Tag::Proof, "openings", openings);
        for id in gathered {
            g.free(id);
        }
    }
    Schedule {
        steps: g.steps,
        parallelism: input.parallelism.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::MemoryPlan;
    use crate::stark::memory_model::Outside;

    /// A CPU-like chunk of 2^10 rows and a small table, both with a bus; one preprocessed.
    fn input(plan: MemoryPlan) -> ModelInput {
        let shape = |table, log_height, pre, main, aux| InstanceShape {
            table,
            log_height,
            pre,
            main,
            aux,
        };
        ModelInput {
            instances: vec![shape(0, 10, 0, 55, 13), shape(1, 8, 1, 2, 2)],
            log_blowup: 1,
            log_final_poly_len: 2,
            num_queries: 8,
            plan,
            parallelism: 1,
            outside: Outside {
                materialised: !plan.retire_traces,
                ..Outside::default()
            },
        }
    }

    fn lives(plan: MemoryPlan, what: &str) -> Vec<Lifetime> {
        schedule(&input(plan))
            .lifetimes()
            .into_iter()
            .filter(|l| l.buffer.what == what && l.buffer.instance == Some(0))
            .collect()
    }

    const STREAM: MemoryPlan = MemoryPlan {
        stream_lde: true,
        ..MemoryPlan::KEEP_ALL
    };

    #[test]
    fn trees_hold_their_layers_from_the_dropped_levels_up() {
        assert_eq!(tree_bytes(1 << 10, 4), ((1 << 7) - 1) * DIGEST);
        assert_eq!(tree_bytes(8, 4), DIGEST, "a short tree holds its root");
    }

    #[test]
    fn default_keeps_the_main_lde_and_frees_the_main_trace_in_phase_c() {
        let lde = lives(MemoryPlan::KEEP_ALL, "main LDE");
        assert_eq!(lde.len(), 1);
        assert_eq!((lde[0].made, lde[0].freed), (ModelPhase::MainCommit, None));
        let trace = lives(MemoryPlan::KEEP_ALL, "main trace");
        assert_eq!(trace[0].freed, Some(ModelPhase::AuxCommit));
    }

    #[test]
    fn stream_lde_frees_each_lde_after_its_commitment_and_rebuilds_blocks() {
        let lde = lives(STREAM, "main LDE");
        assert_eq!(lde[0].freed, Some(ModelPhase::MainCommit));
        let blocks = lives(STREAM, "main LDE block");
        assert_eq!(blocks[0].made, ModelPhase::Composition);
        // Kept to the openings: the main trace and the aux coefficients.
        assert_eq!(
            lives(STREAM, "main trace")[0].freed,
            Some(ModelPhase::Queries)
        );
        assert_eq!(
            lives(STREAM, "aux trace")[0].freed,
            Some(ModelPhase::Queries)
        );
    }

    #[test]
    fn retired_traces_are_fetched_again_and_marked_rebuilt() {
        let plan = MemoryPlan {
            retire_traces: true,
            ..STREAM
        };
        let traces = lives(plan, "main trace");
        assert!(traces.len() > 2, "{traces:?}");
        assert!(!traces[0].rebuilt && traces[1..].iter().all(|l| l.rebuilt));
        assert!(traces.iter().all(|l| l.freed == Some(l.made)));
    }

    #[test]
    fn rounds_2_to_4_make_a_tables_chunks_in_one_spare_buffer_freed_at_its_last() {
        // Two chunks of one table, then another table: in each of Rounds 2, 3 and 4 the first
        // chunk's fetched main and rebuilt aux traces are the second's, freed once it is
        // done; the other table's are its own, freed at once.
        let plan = MemoryPlan {
            retire_traces: true,
            ..STREAM
        };
        let mut input = input(plan);
        // Aux traces that do not fit in the largest main trace: rebuilt in Round 2.
        input.instances[0].aux = 30;
        input.instances.insert(1, input.instances[0]);
        let lifetimes = schedule(&input).lifetimes();
        for round in [
            ModelPhase::Composition,
            ModelPhase::OutOfDomain,
            ModelPhase::Fri,
        ] {
            for (what, tag) in [("main trace", Tag::MainTrace), ("aux trace", Tag::AuxTrace)] {
                let made: Vec<_> = lifetimes
                    .iter()
                    .filter(|l| l.made == round && l.buffer.what == what && l.buffer.tag == tag)
                    .collect();
                // Round 4's steps are its buckets', not an instance's: there the two buffers
                // are told apart by their sizes.
                let instances: Vec<_> = made.iter().map(|l| l.buffer.instance).collect();
                let bytes: Vec<_> = made.iter().map(|l| l.buffer.bytes).collect();
                assert_eq!(made.len(), 2, "{round:?}, {what}: {made:?}");
                if round == ModelPhase::Fri {
                    assert!(bytes[0] > bytes[1], "{round:?}, {what}: {made:?}");
                } else {
                    assert_eq!(instances, [Some(0), Some(2)], "{round:?}, {what}: {made:?}");
                }
                assert!(made.iter().all(|l| l.freed == Some(round)), "{made:?}");
            }
        }
    }

    #[test]
    fn leaf_drop_holds_smaller_trees() {
        let bytes = |plan| -> u64 {
            schedule(&input(plan))
                .lifetimes()
                .iter()
                .filter(|l| l.buffer.tag == Tag::MerkleNodes)
                .map(|l| l.buffer.bytes)
                .sum()
        };
        let lean = MemoryPlan {
            leaf_drop: true,
            ..MemoryPlan::KEEP_ALL
        };
        assert!(bytes(lean) < bytes(MemoryPlan::KEEP_ALL));
    }
}
