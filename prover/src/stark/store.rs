//! What the prover keeps of each instance between phases, and how it gets back what its
//! [`MemoryPlan`] dropped. This is the only place that reads the plan's flags: every phase
//! asks the store for traces and LDEs and receives them borrowed (resident) or owned
//! (recomputed for this use, freed when the caller drops them).
//!
//! | needed | resident | otherwise |
//! |---|---|---|
//! | main trace | kept from Phase A until its aux trace is built in Phase C (to its openings with `stream_lde`) | asked from the [`TraceSource`] again (`retire_traces`); beside kept aux coefficients, Rounds 3 and 4 ask for it in pieces ([`TRACE_PIECES`]) |
//! | aux trace | with `stream_lde` only: kept from Phase C to its openings as its coefficients (with `retire_traces` only when all of them fit in the largest main trace, `InstanceStore::keeps_aux_traces`); Round 2 makes their LDE blocks in their buffer and turns the last one back into them | rebuilt from the main trace and the LogUp challenges |
//! | preprocessed trace | always kept | - |
//! | an LDE | kept from its commitment | Round 2: recomputed from its trace (or the quotient's coefficients) one coset block at a time (`stream_lde`, [`Block`]); the openings: only the queried leaf subtrees, from its trace or the quotient's coefficients, a column slab at a time ([`opened::gather`]). With `retire_traces` too, the main commitment itself makes it a block at a time ([`InstanceStore::commit_by_blocks`]) |
//! | a Merkle node below the held levels | never held ([`MemoryPlan::merkle_dropped_levels`]) | re-hashed from the LDE rows of the opened leaf's subtree |
//!
//! Rounds 3 and 4 (out-of-domain values, DEEP) are linear in the committed columns. With
//! every LDE resident ([`InstanceStore::ldes_resident`]: no `stream_lde`) they read the LDEs
//! (barycentric evaluation on the coset, the DEEP quotient on the LDE rows), which give the same
//! field elements as the traces, so each main trace is freed in Phase C as soon as its aux
//! trace is built ([`InstanceStore::hand_over_traces`]). With `stream_lde` they read the
//! traces, which are then the smaller thing to keep: the aux traces are kept from Phase C
//! to the openings, as their coefficients, which every later use reads without an
//! interpolation (with `retire_traces` when they all fit in the largest main trace: then
//! no LogUp rebuild after Phase C instead of four); Round 2 makes each one's LDE blocks in
//! their own buffer and turns the last block back into them, so that no aux block is held
//! beside them, and
//! a retired main trace is read in pieces in Rounds 3 and 4, so that it is not whole beside
//! them. The openings are every kept trace's last use
//! ([`InstanceStore::hand_over_for_openings`]): they run smallest instance first, and each
//! frees its aux trace once gathered, before its main trace is fetched.
//!
//! Rebuilt traces go through the same code as the first computation
//! ([`logup::build_aux_trace`], the source). A dropped LDE never comes back whole: Round 2
//! makes it one coset block at a time ([`Lde::extend_block`]; with a retired trace, each
//! block after the first from the one before, [`Lde::next_block`], so that a phase fetches
//! and rebuilds each trace once), and the openings gather only the rows of the queried leaf
//! subtrees, a column slab's LDE at a time ([`opened::gather`]). Both give the same field
//! elements as the rows of the whole LDE ([`Lde::extend`], [`composition::quotient_lde`]),
//! which the domain and `opened` tests and every mode's identical proof bytes check.

use std::borrow::Cow;

use p3_field::{PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::Matrix as _;
use p3_matrix::dense::RowMajorMatrix;

use super::air::Air;
use super::composition::{self, AuxLde, InstanceLdes, QuotientParts};
use super::deep::{self, DeepCombiner};
use super::domain::{
    Block, Lde, Points, evaluate_coefficients, evaluate_columns, evaluate_rows, lde_buffer,
};
use super::error::ProveError;
use super::field::{Ext, Felt, ext_from_limbs, powers};
use super::logup::{self, LogupChallenges};
use super::merkle::MerkleTree;
use super::opened::{self, Columns, OpenedRows};
use super::params::StarkParams;
use super::plan::MemoryPlan;
use super::proof::{OodValues, RowOpening};
use super::setup::{Layout, PreCommitted};
use super::trace::{Instance, TraceSource};
use crate::memtag::{self, Tag};

type Mat = RowMajorMatrix<Felt>;

/// Pieces in which Rounds 3 and 4 read a retired main trace beside kept aux coefficients
/// (`InstanceStore::trace_piece`): an eighth of it each (as the CPU replay's
/// checkpoints split a chunk into at least eight blocks, `zkvm::retired`), or fewer pieces
/// of [`MIN_PIECE_ROWS`] for an instance under 512 rows.
pub const TRACE_PIECES: usize = 8;

/// The fewest rows in a piece of [`TRACE_PIECES`] (an instance shorter than that is read
/// whole): small enough that the tests' 512-row chunks are read in eight pieces.
pub const MIN_PIECE_ROWS: usize = 1 << 6;

/// Columns' values at the out-of-domain point and at the next row's point.
type LocalNext = (Vec<Ext>, Vec<Ext>);

/// A committed matrix: its Merkle tree (possibly without leaves) and its LDE while resident.
#[derive(Debug)]
pub struct Committed {
    /// The tree.
    pub tree: MerkleTree,
    lde: Option<Mat>,
}

impl Committed {
    /// Keeps of a fresh commitment what `plan` keeps.
    fn new(lde: Mat, tree: MerkleTree, plan: &MemoryPlan) -> Self {
        let mut tree = tree;
        tree.drop_below(plan.merkle_dropped_levels());
        Self {
            tree,
            lde: (!plan.stream_lde).then_some(lde),
        }
    }

    /// Commits to `lde`.
    fn commit(lde: Mat, plan: &MemoryPlan) -> Self {
        let tree =
            MerkleTree::commit_rows_above(&lde.values, lde.width(), plan.merkle_dropped_levels());
        Self::new(lde, tree, plan)
    }
}

/// A preprocessed chunk: its trace (always resident) and commitment.
#[derive(Debug)]
struct Pre {
    trace: Mat,
    committed: Committed,
}

/// What Phase A produces for one instance.
#[derive(Debug)]
pub struct MainPart {
    trace: Option<Mat>,
    committed: Committed,
}

impl MainPart {
    /// The main tree's root.
    pub fn root(&self) -> [u8; 32] {
        self.committed.tree.root()
    }
}

/// What Phase C produces for one instance with a bus.
#[derive(Debug)]
pub struct AuxPart {
    /// The aux trace's coefficients (natural order), when kept (`stream_lde`, see
    /// [`InstanceStore::commit_aux`]).
    coeffs: Option<Mat>,
    committed: Committed,
    /// The instance's LogUp contribution.
    pub sum: Ext,
}

impl AuxPart {
    /// The aux tree's root.
    pub fn root(&self) -> [u8; 32] {
        self.committed.tree.root()
    }
}

/// What Round 2 produces for one instance.
#[derive(Debug)]
pub struct QuotientPart {
    coeffs: Option<Mat>,
    committed: Committed,
    /// The kept aux coefficients Round 2 was handed, turned back from their last LDE block
    /// (`InstanceStore::hand_over_for_round2`).
    aux_coeffs: Option<Mat>,
}

impl QuotientPart {
    /// The quotient parts' coefficients (freed after Round 3 when every LDE is resident).
    fn coeffs(&self) -> &Mat {
        self.coeffs
            .as_ref()
            .expect("the quotient's coefficients are kept while anything reads them")
    }

    /// The quotient tree's root.
    pub fn root(&self) -> [u8; 32] {
        self.committed.tree.root()
    }
}

/// One piece's rows of an instance's preprocessed, main and aux traces, each as values and
/// width ([`InstanceStore::trace_pieces`]).
type PieceRows<'a> = (
    Option<(&'a [Felt], usize)>,
    (&'a [Felt], usize),
    Option<(&'a [Felt], usize)>,
);

/// Rows `start .. start + len` of `m`, as a slice and its width.
fn row_range(m: &Mat, start: usize, len: usize) -> (&[Felt], usize) {
    let w = m.width();
    (&m.values[start * w..(start + len) * w], w)
}

/// An instance's kept traces handed to its openings, their last use
/// ([`InstanceStore::hand_over_for_openings`]); each is freed once its rows are gathered.
#[derive(Debug, Default)]
pub struct Handed {
    main: Option<Mat>,
    /// The aux trace's coefficients.
    aux: Option<Mat>,
}

/// Everything kept of one instance.
#[derive(Debug)]
struct Kept {
    main: MainPart,
    aux: Option<AuxPart>,
    quotient: Option<QuotientPart>,
}

/// One of an instance's committed matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment {
    Pre,
    Main,
    Aux,
    Quotient,
}

impl Segment {
    /// Commitment order.
    const ALL: [Segment; 4] = [Segment::Pre, Segment::Main, Segment::Aux, Segment::Quotient];
}

/// What the openings read of one committed matrix.
enum Rows<'s> {
    /// The whole LDE: resident, or recomputed whole for an instance shorter than a leaf
    /// subtree.
    Whole(Cow<'s, Mat>),
    /// Only the queried rows' leaf subtrees, recomputed ([`opened::gather`]).
    Gathered(OpenedRows),
}

impl Rows<'_> {
    /// Storage row `i`.
    fn row(&self, i: usize) -> &[Felt] {
        match self {
            Rows::Whole(m) => {
                let w = m.width();
                &m.values[i * w..(i + 1) * w]
            }
            Rows::Gathered(g) => g.row(i),
        }
    }
}

/// One matrix's LDE a coset block at a time ([`InstanceStore::advance`]): its trace (or
/// coefficients, `columns`) until the first block is made, and the current block.
struct LdeBlocks<'t> {
    trace: Option<Cow<'t, Mat>>,
    columns: Columns,
    tag: Tag,
    current: Option<(Block, Mat)>,
}

impl<'t> LdeBlocks<'t> {
    fn new(trace: Cow<'t, Mat>, columns: Columns, tag: Tag) -> Self {
        Self {
            trace: Some(trace),
            columns,
            tag,
            current: None,
        }
    }

    /// The current block.
    fn block(&self) -> &Mat {
        &self.current.as_ref().expect("advanced to a block").1
    }
}

/// The per-instance store of one prove.
pub struct InstanceStore<'a, A> {
    airs: &'a [A],
    source: &'a dyn TraceSource,
    layout: &'a Layout,
    params: &'a StarkParams,
    plan: MemoryPlan,
    lde: &'a Lde,
    public: &'a [Felt],
    pre: Vec<Option<Pre>>,
    kept: Vec<Kept>,
    challenges: Option<LogupChallenges>,
}

impl<A> std::fmt::Debug for InstanceStore<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceStore")
            .field("plan", &self.plan)
            .field("instances", &self.kept.len())
            .finish_non_exhaustive()
    }
}

/// Everything the store reads but does not own.
#[derive(Clone, Copy)]
pub struct StoreInputs<'a, A> {
    /// The tables.
    pub airs: &'a [A],
    /// Where main traces come from.
    pub source: &'a dyn TraceSource,
    /// Instances, widths, buckets.
    pub layout: &'a Layout,
    /// Proof parameters.
    pub params: &'a StarkParams,
    /// What to keep.
    pub plan: MemoryPlan,
    /// The NTT engine.
    pub lde: &'a Lde,
    /// Public values.
    pub public: &'a [Felt],
}

impl<A> std::fmt::Debug for StoreInputs<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreInputs")
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl<'a, A: Air> InstanceStore<'a, A> {
    /// A store holding the preprocessed commitments (as the plan keeps them) and nothing else.
    pub fn new(inputs: StoreInputs<'a, A>, pre: Vec<Option<PreCommitted>>) -> Self {
        let plan = inputs.plan;
        let pre = pre
            .into_iter()
            .map(|p| {
                p.map(|p| Pre {
                    trace: p.trace,
                    committed: Committed::new(p.lde, p.tree, &plan),
                })
            })
            .collect();
        Self {
            airs: inputs.airs,
            source: inputs.source,
            layout: inputs.layout,
            params: inputs.params,
            plan,
            lde: inputs.lde,
            public: inputs.public,
            pre,
            kept: Vec::new(),
            challenges: None,
        }
    }

    fn inst(&self, k: usize) -> &Instance {
        &self.layout.instances[k]
    }

    fn air(&self, k: usize) -> &A {
        &self.airs[self.inst(k).table]
    }

    /// The LDE of `trace` in a new buffer tagged `tag`.
    fn extend(&self, trace: &Mat, tag: Tag) -> Mat {
        memtag::tagged(tag, || self.lde.extend(trace, self.params.log_blowup))
    }

    /// Instance `k`'s main trace, from the source, shape-checked; with room to extend it in
    /// place if `room` (for a trace that will not be kept).
    fn fetch(&self, k: usize, room: bool) -> Result<Mat, ProveError> {
        // A trace fetched with room is the buffer its LDE will be made in.
        let _tag = memtag::scope(if room { Tag::MainLde } else { Tag::MainTrace });
        let inst = self.inst(k);
        let (table, start, len) = (inst.table, inst.row_start(), inst.height());
        let trace = if room {
            let cells = (len * self.air(k).main_width()) << self.params.log_blowup;
            self.source.rows_reserved(table, start, len, cells)
        } else {
            self.source.rows(table, start, len)
        };
        self.check_shape(k, trace, len)
    }

    /// Rows `start .. start + len` of instance `k`'s main trace, from the source,
    /// shape-checked.
    fn fetch_rows(&self, k: usize, start: usize, len: usize) -> Result<Mat, ProveError> {
        let _tag = memtag::scope(Tag::MainTrace);
        let inst = self.inst(k);
        let trace = self.source.rows(inst.table, inst.row_start() + start, len);
        self.check_shape(k, trace, len)
    }

    /// `trace` if it has instance `k`'s main width and `len` rows.
    fn check_shape(&self, k: usize, trace: Mat, len: usize) -> Result<Mat, ProveError> {
        let air = self.air(k);
        if trace.width() != air.main_width() || trace.height() != len {
            return Err(ProveError::TraceShape {
                table: air.name().to_string(),
                want_width: air.main_width(),
                want_height: len,
                got_width: trace.width(),
                got_height: trace.height(),
            });
        }
        Ok(trace)
    }

    /// Instance `k`'s main trace: resident, or asked from the source again (with room to
    /// extend it in place if `room`).
    fn main_trace(&self, k: usize, room: bool) -> Result<Cow<'_, Mat>, ProveError> {
        match &self.kept[k].main.trace {
            Some(t) => Ok(Cow::Borrowed(t)),
            None => self.fetch(k, room).map(Cow::Owned),
        }
    }

    /// The LDE of a trace: in place if it is owned and has the room (the buffer keeps the
    /// tag it was allocated with), else by copy into a buffer tagged `tag`.
    fn extend_cow(&self, trace: Cow<'_, Mat>, tag: Tag) -> Mat {
        let log_blowup = self.params.log_blowup;
        match trace {
            Cow::Owned(t) if t.values.capacity() >= t.values.len() << log_blowup => {
                self.lde.extend_owned(t, log_blowup)
            }
            t => self.extend(&t, tag),
        }
    }

    /// The aux LDE from kept coefficients, in a new buffer.
    fn extend_coeffs(&self, coeffs: &Mat) -> Mat {
        memtag::tagged(Tag::AuxLde, || {
            self.lde.extend_coeffs(coeffs, self.params.log_blowup)
        })
    }

    fn challenges(&self) -> &LogupChallenges {
        self.challenges
            .as_ref()
            .expect("the LogUp challenges are drawn before Phase C")
    }

    /// Instance `k`'s aux trace and LogUp contribution, from its main trace; with room to
    /// extend it in place if `room`.
    fn build_aux(&self, k: usize, main: &Mat, room: bool) -> Result<(Mat, Ext), ProveError> {
        let _tag = memtag::scope(if room { Tag::AuxLde } else { Tag::AuxTrace });
        let inst = self.inst(k);
        logup::build_aux_trace(
            self.air(k),
            &self.layout.infos[inst.table],
            main,
            self.pre[k].as_ref().map(|p| &p.trace),
            self.public,
            self.challenges(),
            if room { self.params.log_blowup } else { 0 },
        )
        .ok_or(ProveError::UnluckyChallenge("LogUp denominator is zero"))
    }

    /// Instance `k`'s aux trace rebuilt from `main` (with room to extend it in place if
    /// `room`), if it has one that is not kept (a kept one is its coefficients,
    /// [`InstanceStore::kept_aux`]).
    fn rebuilt_aux(&self, k: usize, main: &Mat, room: bool) -> Result<Option<Mat>, ProveError> {
        match &self.kept[k].aux {
            Some(aux) if aux.coeffs.is_none() => {
                let (trace, sum) = self.build_aux(k, main, room)?;
                debug_assert_eq!(sum, aux.sum, "a rebuilt aux trace has the committed sum");
                Ok(Some(trace))
            }
            _ => Ok(None),
        }
    }

    /// Instance `k`'s kept aux coefficients, if it has them (and they are not handed over).
    fn kept_aux(&self, k: usize) -> Option<&Mat> {
        self.kept[k].aux.as_ref().and_then(|a| a.coeffs.as_ref())
    }

    /// Whether instance `k`'s dropped LDEs come back a coset block at a time (Round 2) and
    /// as gathered subtrees (the openings), rather than whole: always with `stream_lde`,
    /// except for an instance shorter than a leaf subtree of the held Merkle levels, which is
    /// small (its whole LDE is as small as a few subtrees).
    fn by_blocks(&self, k: usize) -> bool {
        self.plan.by_blocks(self.inst(k).log_height)
    }

    /// Block `blk` (one of [`Block::cosets`]) of the LDE of a trace or of coefficients
    /// (`columns`), computed in their own buffer if owned, else in a copy tagged `tag`.
    fn first_block(&self, trace: Cow<'_, Mat>, columns: Columns, blk: Block, tag: Tag) -> Mat {
        let trace = match trace {
            Cow::Owned(t) => t,
            Cow::Borrowed(t) => memtag::tagged(tag, || {
                let mut values = lde_buffer(t.values.len());
                values.extend_from_slice(&t.values);
                RowMajorMatrix::new(values, t.width())
            }),
        };
        let log_blowup = self.params.log_blowup;
        match columns {
            Columns::OnTraceDomain => self.lde.extend_block(trace, log_blowup, blk.index),
            Columns::Coefficients => self.lde.coeffs_to_block(trace, log_blowup, blk.index),
        }
    }

    /// Instance `k`'s preprocessed, main and aux LDEs as Round 2 reads them, handed to `f`
    /// block by block: the resident LDEs whole ([`Block::WHOLE`]); a small instance's
    /// recomputed whole; else one coset block at a time ([`Block::cosets`]), so that a
    /// dropped LDE never comes back whole. A block comes from its trace (or the kept aux
    /// coefficients) when they are resident (copied), else the first from the trace (the
    /// main trace fetched once; the aux coefficients handed over, `handed`, or the aux trace
    /// rebuilt once) and each next one from the one before, in the same buffer
    /// ([`Lde::next_block`]), so that no trace is asked for or rebuilt twice. Returns the
    /// handed aux coefficients, turned back from their last block
    /// ([`Lde::block_to_coeffs`]).
    fn round2_blocks(
        &self,
        k: usize,
        handed: Option<Mat>,
        mut f: impl FnMut(Block, [Option<&Mat>; 3]),
    ) -> Result<Option<Mat>, ProveError> {
        let kept = &self.kept[k];
        if let Some(main) = &kept.main.committed.lde {
            // Resident: every LDE is (no stream_lde).
            let pre = self.pre[k].as_ref().and_then(|p| p.committed.lde.as_ref());
            let aux = kept.aux.as_ref().and_then(|a| a.committed.lde.as_ref());
            f(Block::WHOLE, [pre, Some(main), aux]);
            return Ok(None);
        }
        let pre = self.pre[k].as_ref().map(|p| Cow::Borrowed(&p.trace));
        // The aux columns: coefficients handed over (then given back) or kept, or the trace
        // rebuilt.
        let aux = |main: &Mat, room: bool| -> Result<_, ProveError> {
            Ok(match (handed, self.kept_aux(k)) {
                (Some(c), _) => Some((Cow::Owned(c), Columns::Coefficients)),
                (None, Some(c)) => Some((Cow::Borrowed(c), Columns::Coefficients)),
                (None, None) => self
                    .rebuilt_aux(k, main, room)?
                    .map(|t| (Cow::Owned(t), Columns::OnTraceDomain)),
            })
        };
        if !self.by_blocks(k) {
            let main = self.main_trace(k, true)?;
            let (aux_lde, handed_back) = match aux(&main, true)? {
                Some((Cow::Owned(c), Columns::Coefficients)) => {
                    (Some(self.extend_coeffs(&c)), Some(c))
                }
                Some((Cow::Borrowed(c), Columns::Coefficients)) => {
                    (Some(self.extend_coeffs(c)), None)
                }
                Some((t, Columns::OnTraceDomain)) => (Some(self.extend_cow(t, Tag::AuxLde)), None),
                None => (None, None),
            };
            let main = self.extend_cow(main, Tag::MainLde);
            let pre = pre.map(|t| self.extend_cow(t, Tag::PreLde));
            f(Block::WHOLE, [pre.as_ref(), Some(&main), aux_lde.as_ref()]);
            return Ok(handed_back);
        }
        let main = self.main_trace(k, false)?;
        let aux = aux(&main, false)?;
        let mut cursors = [
            pre.map(|t| LdeBlocks::new(t, Columns::OnTraceDomain, Tag::PreLde)),
            Some(LdeBlocks::new(main, Columns::OnTraceDomain, Tag::MainLde)),
            aux.map(|(t, columns)| LdeBlocks::new(t, columns, Tag::AuxLde)),
        ];
        for blk in Block::cosets(self.params.log_blowup) {
            for c in cursors.iter_mut().flatten() {
                self.advance(c, blk);
            }
            let [pre, main, aux] = cursors.each_ref().map(|c| c.as_ref().map(LdeBlocks::block));
            f(blk, [pre, main, aux]);
        }
        // Handed coefficients (their cursor no longer holds them): back from their last
        // block, in the same buffer, by one interpolation.
        let [_, _, aux] = cursors;
        Ok(match aux {
            Some(LdeBlocks {
                trace: None,
                columns: Columns::Coefficients,
                current: Some((blk, block)),
                ..
            }) => Some(
                self.lde
                    .block_to_coeffs(block, self.params.log_blowup, blk.index),
            ),
            _ => None,
        })
    }

    /// Moves `cursor` to block `blk` (the next of [`Block::cosets`]): from a resident trace
    /// (or coefficients) each block is made from it (a copy is cheaper than the extra
    /// passes of a block made from the last one); from owned ones the first block is made
    /// in their buffer and each next one from the one before, in the same buffer
    /// ([`Lde::next_block`]).
    fn advance(&self, cursor: &mut LdeBlocks<'_>, blk: Block) {
        let last = cursor.current.take();
        let columns = cursor.columns;
        cursor.current = Some(match (&mut cursor.trace, last) {
            (Some(Cow::Borrowed(t)), last) => {
                drop(last);
                (
                    blk,
                    self.first_block(Cow::Borrowed(*t), columns, blk, cursor.tag),
                )
            }
            (_, Some((prev, m))) => {
                let next = self
                    .lde
                    .next_block(m, self.params.log_blowup, prev.index, blk.index);
                (blk, next)
            }
            (trace, None) => {
                let t = trace.take().expect("a cursor starts with its trace");
                (blk, self.first_block(t, columns, blk, cursor.tag))
            }
        });
    }

    /// Whether Phase A commits instance `k`'s main LDE a coset block at a time
    /// ([`InstanceStore::commit_by_blocks`]): when the LDE is dropped after its commitment
    /// (`stream_lde`), the trace is not kept (`retire_traces`: the trace's own buffer
    /// takes the blocks, instead of one with room for the whole LDE) and the instance is long
    /// enough for blocks. A kept trace would need a copy per block, for no lower peak; and
    /// Phase C's whole aux LDE is smaller than the main and aux traces its aux build holds
    /// (at 1200k, 6 interleaved pairs with aux by blocks too: Phase C median 2.15 -> 2.72 s,
    /// the same peak).
    fn commits_by_blocks(&self, k: usize) -> bool {
        self.plan.commits_by_blocks(self.inst(k).log_height)
    }

    /// The commitment of a trace's LDE, made and hashed one coset block at a time in the
    /// trace's buffer (each block's rows are a whole subtree: [`MerkleTree::join`]), so that
    /// the LDE is never whole. The blocks keep the trace buffer's heap tag, as Round 2's do
    /// (`tag` is for a block copied out of a borrowed trace, which this path never has). Costs an interpolation more than extending it whole (each
    /// block after the first comes from the one before, [`Lde::next_block`]).
    fn commit_by_blocks(&self, trace: Mat, tag: Tag) -> Committed {
        let drop = self.plan.merkle_dropped_levels();
        let mut cursor = LdeBlocks::new(Cow::Owned(trace), Columns::OnTraceDomain, tag);
        let parts = Block::cosets(self.params.log_blowup)
            .map(|blk| {
                self.advance(&mut cursor, blk);
                let m = cursor.block();
                MerkleTree::commit_rows_above(&m.values, m.width(), drop)
            })
            .collect();
        let mut tree = MerkleTree::join(parts);
        tree.drop_below(drop);
        Committed { tree, lde: None }
    }

    /// One committed matrix of instance `k`, whole, for the openings: borrowed when
    /// resident, else computed (a small instance, see [`InstanceStore::by_blocks`]) from
    /// its `handed` traces or the source's.
    fn segment_whole(
        &self,
        k: usize,
        seg: Segment,
        handed: &mut Handed,
    ) -> Result<Option<Cow<'_, Mat>>, ProveError> {
        let kept = &self.kept[k];
        Ok(match seg {
            Segment::Pre => self.pre[k].as_ref().map(|p| match &p.committed.lde {
                Some(l) => Cow::Borrowed(l),
                None => Cow::Owned(self.extend(&p.trace, Tag::PreLde)),
            }),
            Segment::Main => Some(match &kept.main.committed.lde {
                Some(l) => Cow::Borrowed(l),
                None => {
                    // The aux rebuild (if any) reads the main trace: only a trace that is
                    // not needed again is extended in place.
                    let needed_again = kept.aux.is_some() && handed.aux.is_none();
                    let main = match &handed.main {
                        Some(t) if needed_again => Cow::Borrowed(t),
                        // Consumed here: a fetched trace comes with room for its LDE.
                        _ => Cow::Owned(self.handed_main(k, handed, true)?),
                    };
                    Cow::Owned(self.extend_cow(main, Tag::MainLde))
                }
            }),
            Segment::Aux => match &kept.aux {
                None => None,
                Some(a) => Some(match &a.committed.lde {
                    Some(l) => Cow::Borrowed(l),
                    None => match handed.aux.take() {
                        Some(coeffs) => Cow::Owned(self.extend_coeffs(&coeffs)),
                        None => {
                            let main = self.handed_main(k, handed, false)?;
                            let trace = self
                                .rebuilt_aux(k, &main, true)?
                                .expect("an aux trace not kept");
                            Cow::Owned(self.extend_cow(Cow::Owned(trace), Tag::AuxLde))
                        }
                    },
                }),
            },
            Segment::Quotient => {
                let q = kept.quotient.as_ref().expect("Round 2 ran");
                Some(match &q.committed.lde {
                    Some(l) => Cow::Borrowed(l),
                    None => Cow::Owned(composition::quotient_lde(
                        self.lde,
                        q.coeffs(),
                        self.params.log_blowup,
                    )),
                })
            }
        })
    }

    /// Round 4 for instance `k` (with `stream_lde`): adds `scale * (A, B)` of its committed
    /// columns ([`deep::combine_rows`]) to `acc` (their values on its trace domain `H`: the
    /// preprocessed and main traces, and the aux trace when rebuilt, a piece of rows at a
    /// time where `InstanceStore::trace_piece` says so) and to `from_coeffs` (their
    /// coefficients: the kept aux coefficients and the quotient parts').
    pub fn combine_on_trace_domain(
        &self,
        k: usize,
        combiner: &DeepCombiner,
        scale: Ext,
        (acc, from_coeffs): (&mut [[Ext; 2]], &mut [[Ext; 2]]),
    ) -> Result<(), ProveError> {
        let q = self.kept[k].quotient.as_ref().expect("Round 2 ran");
        // First limbs in commitment order: preprocessed, main, aux, quotient.
        let w = &self.layout.widths[k];
        let (pre_w, aux_first) = (w.pre, w.pre + w.main);
        let q_first = aux_first + 2 * w.aux;
        let whole = |m| row_range(m, 0, m.height());
        let mut coeff_runs = vec![deep::Limbs::new(q_first, whole(q.coeffs()))];
        coeff_runs.extend(
            self.kept_aux(k)
                .map(|c| deep::Limbs::new(aux_first, whole(c))),
        );
        deep::combine_rows(combiner, &coeff_runs, scale, from_coeffs);
        self.trace_pieces(k, |start, (pre, main, aux)| {
            let piece = main.0.len() / main.1;
            let mut runs = Vec::with_capacity(3);
            runs.extend(pre.map(|p| deep::Limbs::new(0, p)));
            runs.push(deep::Limbs::new(pre_w, main));
            runs.extend(aux.map(|a| deep::Limbs::new(aux_first, a)));
            deep::combine_rows(combiner, &runs, scale, &mut acc[start..start + piece]);
            Ok(())
        })
    }

    /// Instance `k`'s traces on `H` a piece of rows at a time
    /// ([`InstanceStore::trace_piece`]): hands `f` each piece's first row and its rows of
    /// the preprocessed, main and rebuilt aux traces (values and width; no aux rows when
    /// its coefficients are kept), the main trace resident, fetched whole or asked for piece
    /// by piece.
    fn trace_pieces(
        &self,
        k: usize,
        mut f: impl FnMut(usize, PieceRows<'_>) -> Result<(), ProveError>,
    ) -> Result<(), ProveError> {
        let pre = self.pre[k].as_ref().map(|p| &p.trace);
        let (n, piece) = (self.inst(k).height(), self.trace_piece(k));
        for first in (0..n).step_by(piece) {
            let main = match piece == n {
                true => self.main_trace(k, false)?,
                false => Cow::Owned(self.fetch_rows(k, first, piece)?),
            };
            let aux = self.rebuilt_aux(k, &main, false)?;
            let rows = |m| row_range(m, first, piece);
            let main_rows = match &main {
                Cow::Borrowed(t) => rows(t),
                Cow::Owned(t) => (&t.values[..], t.width()),
            };
            f(first, (pre.map(rows), main_rows, aux.as_ref().map(rows)))?;
        }
        Ok(())
    }

    // ---------------------------------------------------------------------- the phases ---

    /// Phase A for instance `k`: fetch, extend and commit its main trace.
    pub fn commit_main(&self, k: usize) -> Result<MainPart, ProveError> {
        let keep = !self.plan.retire_traces;
        if self.commits_by_blocks(k) {
            let trace = self.fetch(k, false)?;
            return Ok(MainPart {
                committed: self.commit_by_blocks(trace, Tag::MainLde),
                trace: None,
            });
        }
        let trace = self.fetch(k, !keep)?;
        if !keep {
            let lde = self.extend_cow(Cow::Owned(trace), Tag::MainLde);
            let committed = Committed::commit(lde, &self.plan);
            return Ok(MainPart {
                trace: None,
                committed,
            });
        }
        let committed = Committed::commit(self.extend(&trace, Tag::MainLde), &self.plan);
        Ok(MainPart {
            trace: Some(trace),
            committed,
        })
    }

    /// Records Phase A's results, in instance order.
    pub fn set_main(&mut self, mains: Vec<MainPart>) {
        debug_assert!(self.kept.is_empty());
        self.kept = mains
            .into_iter()
            .map(|main| Kept {
                main,
                aux: None,
                quotient: None,
            })
            .collect();
    }

    /// Sets the LogUp challenges (before Phase C).
    pub fn set_challenges(&mut self, challenges: LogupChallenges) {
        self.challenges = Some(challenges);
    }

    /// Phase C for instance `k` (which has a bus): build, extend and commit its aux trace.
    /// `last_use` is its main trace when handed over by [`InstanceStore::hand_over_traces`]
    /// (freed here as soon as the aux trace is built), else the store's or the source's.
    ///
    /// A kept aux trace is kept as its coefficients (interpolated in place, its LDE made
    /// from them, [`Lde::extend_coeffs`]): Round 2 makes its first LDE block by one
    /// evaluation and turns the last back by one interpolation, Round 3 evaluates them at
    /// the out-of-domain points ([`evaluate_coefficients`]), Round 4 combines them as they
    /// are ([`deep::combine_rows`]) and the openings gather from them, none interpolating
    /// the trace again.
    pub fn commit_aux(&self, k: usize, last_use: Option<Mat>) -> Result<AuxPart, ProveError> {
        // Only stream_lde keeps the aux trace (Rounds 2 to 4 read it): always without
        // retire_traces, with it when the aux traces fit (`InstanceStore::keeps_aux_traces`).
        let keep = self.keeps_aux_traces();
        let main = match last_use {
            Some(trace) => Cow::Owned(trace),
            None => self.main_trace(k, false)?,
        };
        let (mut trace, sum) = self.build_aux(k, &main, false)?;
        // The main trace goes before the LDE is made (when this was its last use): an aux
        // trace built with room for its LDE would hold a buffer twice its size beside it.
        drop(main);
        if !keep {
            let committed = Committed::commit(self.extend(&trace, Tag::AuxLde), &self.plan);
            return Ok(AuxPart {
                coeffs: None,
                committed,
                sum,
            });
        }
        self.lde.interpolate_trace(&mut trace);
        let committed = Committed::commit(self.extend_coeffs(&trace), &self.plan);
        Ok(AuxPart {
            coeffs: Some(trace),
            committed,
            sum,
        })
    }

    /// Whether every committed LDE stays resident (no `stream_lde`): then Rounds 3 and 4
    /// read the LDEs, and the traces are not needed after Phase C.
    pub fn ldes_resident(&self) -> bool {
        self.plan.ldes_resident()
    }

    /// Before Phase C: with the LDEs resident, hands over the kept main traces (one per
    /// instance, `None` where none is kept), since Phase C is their last use; otherwise
    /// hands over nothing (`stream_lde` reads the traces in Rounds 3 and 4). The caller
    /// gives each to [`InstanceStore::commit_aux`], which frees it once the aux trace is
    /// built, and drops the rest: nothing after Phase C reads them, since the out-of-domain
    /// values and the DEEP combination come from the LDEs, which give the same field
    /// elements.
    pub fn hand_over_traces(&mut self) -> Vec<Option<Mat>> {
        self.kept
            .iter_mut()
            .map(|kept| {
                if self.plan.stream_lde {
                    None
                } else {
                    kept.main.trace.take()
                }
            })
            .collect()
    }

    /// Instance `k`'s resident LDEs in commitment order (preprocessed, main, aux,
    /// quotient), or `None` when they are not all resident. What Round 4 combines when
    /// [`InstanceStore::ldes_resident`].
    pub fn resident_ldes(&self, k: usize) -> Option<Vec<&Mat>> {
        let kept = &self.kept[k];
        let mut out = Vec::with_capacity(4);
        if let Some(p) = &self.pre[k] {
            out.push(p.committed.lde.as_ref()?);
        }
        out.push(kept.main.committed.lde.as_ref()?);
        if let Some(a) = &kept.aux {
            out.push(a.committed.lde.as_ref()?);
        }
        out.push(kept.quotient.as_ref()?.committed.lde.as_ref()?);
        Some(out)
    }

    /// Records instance `k`'s Phase C result.
    pub fn set_aux(&mut self, k: usize, aux: AuxPart) {
        self.kept[k].aux = Some(aux);
    }

    /// Round 2 for instance `k`: the composition polynomial, split, extended and committed.
    ///
    /// `handed` is its kept aux coefficients when handed over for Round 2
    /// ([`InstanceStore::hand_over_for_round2`]): its LDE blocks are made in their buffer
    /// and they come back in the part.
    pub fn commit_quotient(
        &self,
        k: usize,
        alpha: Ext,
        handed: Option<Mat>,
    ) -> Result<QuotientPart, ProveError> {
        let inst = self.inst(k);
        let info = &self.layout.infos[inst.table];
        let kept = &self.kept[k];
        let alpha_powers = powers(alpha, info.num_folded_constraints());
        let log_blowup = self.params.log_blowup;
        let big = inst.height() << log_blowup;
        let mut evals = Vec::new();
        let aux_coeffs = self.round2_blocks(k, handed, |blk, [pre, main, aux]| {
            let view = InstanceLdes {
                log_n: inst.log_height,
                log_blowup,
                block: blk,
                main: main.expect("every instance has a main LDE"),
                pre,
                aux: match (aux, &kept.aux) {
                    (Some(lde), Some(a)) => Some(AuxLde {
                        lde,
                        challenges: self.challenges(),
                        sum: a.sum,
                    }),
                    _ => None,
                },
            };
            let values =
                composition::evaluate(self.air(k), info, &view, self.public, &alpha_powers);
            if blk == Block::WHOLE {
                evals = values;
            } else {
                if evals.is_empty() {
                    evals = memtag::tagged(Tag::QuotientLde, || vec![Ext::ZERO; big]);
                }
                composition::scatter(&mut evals, blk, &values);
            }
        })?;
        let QuotientParts { coeffs, lde } =
            composition::split(self.lde, evals, inst.log_height, self.params.log_blowup);
        Ok(QuotientPart {
            coeffs: Some(coeffs),
            committed: Committed::commit(lde, &self.plan),
            aux_coeffs,
        })
    }

    /// Records instance `k`'s Round 2 result, keeping the aux coefficients it gives back.
    pub fn set_quotient(&mut self, k: usize, mut q: QuotientPart) {
        if let Some(coeffs) = q.aux_coeffs.take() {
            self.kept[k]
                .aux
                .as_mut()
                .expect("aux coefficients come back only for an instance with aux")
                .coeffs = Some(coeffs);
        }
        self.kept[k].quotient = Some(q);
    }

    /// Round 3 for instance `k`: the committed columns at `z` and `z*w` by barycentric
    /// evaluation ([`evaluate_columns`]: on the LDE coset from the resident LDEs, else on the
    /// trace domain from the traces, a piece of rows at a time where
    /// `InstanceStore::trace_piece` says so), kept aux coefficients and the quotient parts
    /// from their coefficients ([`evaluate_coefficients`]).
    pub fn ood_values(&self, k: usize, z: Ext) -> Result<OodValues, ProveError> {
        let log_n = self.inst(k).log_height;
        let zw = z * Felt::two_adic_generator(log_n);
        // Neither point may lie in the trace domain H, where x^n = 1 (z w lies in H exactly
        // when z does, since w^n = 1).
        if z.exp_power_of_2(log_n) == Ext::ONE {
            return Err(ProveError::UnluckyChallenge(
                "out-of-domain point inside the trace domain",
            ));
        }
        let zs = [z, zw];
        let on_h = Points::subgroup(log_n);
        let unlucky = |points: Points| {
            ProveError::UnluckyChallenge(if points == on_h {
                "out-of-domain point inside the trace domain"
            } else {
                "out-of-domain point inside the LDE domain"
            })
        };
        // Each matrix's (local, next) values.
        let local_next = |values: Vec<Vec<Vec<Ext>>>| -> Vec<LocalNext> {
            values
                .into_iter()
                .map(|mut v| {
                    let next = v.pop().expect("two points");
                    (v.pop().expect("two points"), next)
                })
                .collect()
        };
        // The weights are made once for all the matrices.
        let at = |mats: &[&Mat], points: Points| -> Result<Vec<LocalNext>, ProveError> {
            let values = evaluate_columns(mats, points, &zs).ok_or_else(|| unlucky(points))?;
            Ok(local_next(values))
        };
        let ext_cols = |limbs: Vec<Ext>| -> Vec<Ext> {
            let u = ext_from_limbs(Felt::ZERO, Felt::ONE);
            limbs.chunks_exact(2).map(|l| l[0] + u * l[1]).collect()
        };
        let ext_pair = |(local, next): LocalNext| (ext_cols(local), ext_cols(next));
        let none = || (Vec::new(), Vec::new());
        let kept = &self.kept[k];
        let pre = self.pre[k].as_ref().map(|p| &p.trace);
        let resident = kept
            .main
            .committed
            .lde
            .as_ref()
            .filter(|_| self.ldes_resident());
        let (main, aux, pre) = if let Some(main_lde) = resident {
            // The same values from the resident LDEs, on the LDE coset; the preprocessed
            // trace on H.
            let aux_lde = kept
                .aux
                .as_ref()
                .map(|a| a.committed.lde.as_ref().expect("resident under this plan"));
            let mut mats = vec![main_lde];
            mats.extend(aux_lde);
            let mut values = at(&mats, Points::lde(log_n + self.params.log_blowup))?.into_iter();
            let main = values.next().expect("the main LDE's values");
            let aux = values.next().map_or_else(none, ext_pair);
            let pre = match pre {
                Some(p) => at(&[p], on_h)?.remove(0),
                None => none(),
            };
            (main, aux, pre)
        } else {
            // Sums over the pieces of H (their weights made per piece); kept aux
            // coefficients evaluated as they are.
            let mut sums: Option<Vec<Vec<Vec<Ext>>>> = None;
            self.trace_pieces(k, |first, (pre, main, aux)| {
                let mut mats = vec![main];
                mats.extend(aux);
                mats.extend(pre);
                let part = evaluate_rows(&mats, on_h, first, &zs).ok_or_else(|| unlucky(on_h))?;
                match &mut sums {
                    None => sums = Some(part),
                    Some(sums) => {
                        let part = part.into_iter().flatten().flatten();
                        for (s, p) in sums.iter_mut().flatten().flatten().zip(part) {
                            *s += p;
                        }
                    }
                }
                Ok(())
            })?;
            let mut values = local_next(sums.expect("at least one piece")).into_iter();
            let main_values = values.next().expect("the main trace's values");
            let aux_values = match (self.kept_aux(k), &kept.aux) {
                (Some(coeffs), _) => {
                    let mut at = evaluate_coefficients(coeffs, &zs);
                    let next = at.pop().expect("two points");
                    ext_pair((at.pop().expect("two points"), next))
                }
                (None, Some(_)) => ext_pair(values.next().expect("the aux trace's values")),
                (None, None) => none(),
            };
            (main_values, aux_values, values.next().unwrap_or_else(none))
        };
        let ((main_local, main_next), (aux_local, aux_next), (pre_local, pre_next)) =
            (main, aux, pre);
        let q = self.kept[k].quotient.as_ref().expect("Round 2 ran");
        Ok(OodValues {
            pre_local,
            pre_next,
            main_local,
            main_next,
            aux_local,
            aux_next,
            quotient: composition::parts_at(q.coeffs(), z),
        })
    }

    /// Rows per piece in which Rounds 3 and 4 read instance `k`'s traces: a retired main
    /// trace beside a kept aux trace (or none) is asked from the source in [`TRACE_PIECES`]
    /// pieces (of at least [`MIN_PIECE_ROWS`]), one at a time, so that it is never whole
    /// beside the kept aux traces; otherwise whole (an aux rebuild reads the whole main
    /// trace).
    fn trace_piece(&self, k: usize) -> usize {
        let kept = &self.kept[k];
        let n = self.inst(k).height();
        let rebuild = kept.aux.as_ref().is_some_and(|a| a.coeffs.is_none());
        if kept.main.trace.is_none() && !rebuild {
            (n / TRACE_PIECES).clamp(MIN_PIECE_ROWS.min(n), n)
        } else {
            n
        }
    }

    /// Whether the aux traces are kept from Phase C to the openings
    /// ([`MemoryPlan::keeps_aux_traces`]): with `stream_lde`, and with `retire_traces` too
    /// only when all of them
    /// together are no larger than the largest instance's main trace, so that keeping them
    /// never makes the peak grow with the number of chunks
    /// (at `fib_iterative_1200k` they are 324 MiB against a 440 MiB chunk; at
    /// `fib_iterative_8M`, eight CPU chunks' 1.7 GiB, they are rebuilt instead).
    fn keeps_aux_traces(&self) -> bool {
        self.plan
            .keeps_aux_traces(self.layout.aux_fits_in_largest_main())
    }

    /// Ends Phase C: with every LDE resident nothing asks the source for rows again, so it
    /// may free what it rebuilds them from ([`TraceSource::release`]).
    pub fn end_phase_c(&self) {
        if self.ldes_resident() {
            self.source.release();
        }
    }

    /// Ends Round 3: with every LDE resident nothing reads the quotients' coefficients
    /// again (Round 4 and the openings read the quotient LDEs), so they are freed.
    pub fn end_round3(&mut self) {
        if self.ldes_resident() {
            for q in self.kept.iter_mut().filter_map(|k| k.quotient.as_mut()) {
                q.coeffs = None;
            }
        }
    }

    /// Instance `k`'s committed trees, in commitment order.
    fn trees(&self, k: usize) -> Vec<&MerkleTree> {
        let kept = &self.kept[k];
        let pre = self.pre[k].as_ref().map(|p| &p.committed.tree);
        let aux = kept.aux.as_ref().map(|a| &a.committed.tree);
        let q = kept.quotient.as_ref().map(|q| &q.committed.tree);
        [pre, Some(&kept.main.committed.tree), aux, q]
            .into_iter()
            .flatten()
            .collect()
    }

    /// Before Round 2: hands the kept aux coefficients over (one per instance, `None` where
    /// none; only `stream_lde` keeps them), so that Round 2 makes the LDE blocks in their
    /// own buffer and turns the last one back into them ([`Lde::block_to_coeffs`]) instead
    /// of holding a block beside them; [`InstanceStore::set_quotient`] keeps them again.
    /// Costs two transforms per column more than blocks made from a copy (the next block
    /// from the last, then back), for one aux block less at Round 2's peak.
    pub fn hand_over_for_round2(&mut self) -> Vec<Option<Mat>> {
        self.kept
            .iter_mut()
            .map(|kept| kept.aux.as_mut().and_then(|a| a.coeffs.take()))
            .collect()
    }

    /// Before the openings, the last use of every kept trace: hands them over (one
    /// [`Handed`] per instance), so that [`InstanceStore::open`] frees each as soon as its
    /// rows are gathered.
    pub fn hand_over_for_openings(&mut self) -> Vec<Handed> {
        self.kept
            .iter_mut()
            .map(|kept| Handed {
                main: kept.main.trace.take(),
                aux: kept.aux.as_mut().and_then(|a| a.coeffs.take()),
            })
            .collect()
    }

    /// Instance `k`'s main trace for the openings: handed over, or asked from the source
    /// (with room to extend it in place if `room`).
    fn handed_main(&self, k: usize, handed: &mut Handed, room: bool) -> Result<Mat, ProveError> {
        match handed.main.take() {
            Some(t) => Ok(t),
            None => self.fetch(k, room),
        }
    }

    /// The openings of instance `k` at each storage row in `queries`: per query, every
    /// committed tree's row and path, in commitment order. `handed` are its traces kept to
    /// here ([`InstanceStore::hand_over_for_openings`]). One matrix's rows are made at a
    /// time: the whole LDE (resident, or a small instance's recomputed), else only the
    /// queried rows' leaf subtrees gathered from its trace or the quotient's coefficients
    /// ([`opened::gather`]). Handed aux coefficients are gathered and freed before the main
    /// trace is fetched; otherwise the main trace is fetched once, for itself and the aux
    /// rebuild. A trace read for the last time (the main trace, a rebuilt aux trace) is
    /// turned into its coefficients whole, in place ([`Lde::interpolate_trace`]), before its
    /// gather.
    pub fn open(
        &self,
        k: usize,
        queries: &[usize],
        mut handed: Handed,
    ) -> Result<Vec<Vec<RowOpening>>, ProveError> {
        let _tag = memtag::scope(Tag::Proof);
        let mut out: Vec<Vec<RowOpening>> = vec![Vec::with_capacity(4); queries.len()];
        let mut trees = self.trees(k).into_iter();
        // Each query's opening of one matrix, in commitment order.
        let mut push = |rows: Rows<'_>| {
            let tree = trees.next().expect("one tree per committed segment");
            // Each queried subtree re-hashed once, batched (`MerkleTree::paths_with_rows`).
            let paths = tree.paths_with_rows(queries, |j| rows.row(j).iter().copied());
            for ((&q, opening), path) in queries.iter().zip(&mut out).zip(paths) {
                opening.push(RowOpening {
                    values: rows.row(q).to_vec(),
                    path,
                });
            }
        };
        if !self.by_blocks(k) {
            for seg in Segment::ALL {
                if let Some(m) = self.segment_whole(k, seg, &mut handed)? {
                    push(Rows::Whole(m));
                }
            }
            return Ok(out);
        }
        // Each gather drops the twiddles it made, so that none is held through what comes
        // next (a fetch or an aux rebuild).
        let gather = |mat: &Mat, columns| {
            let rows = opened::gather(
                self.lde,
                mat,
                columns,
                self.params.log_blowup,
                self.plan.merkle_dropped_levels(),
                queries,
            );
            self.lde.forget_twiddles();
            Rows::Gathered(rows)
        };
        if let Some(p) = &self.pre[k] {
            push(gather(&p.trace, Columns::OnTraceDomain));
        }
        // A trace read for the last time becomes its coefficients in place: one
        // interpolation of all its columns, cheaper per cell than slab by slab.
        let coeffs = |mut t: Mat| {
            self.lde.interpolate_trace(&mut t);
            t
        };
        let (main, aux) = match handed.aux.take() {
            Some(aux) => {
                let aux_rows = gather(&aux, Columns::Coefficients);
                drop(aux);
                let main = coeffs(self.handed_main(k, &mut handed, false)?);
                (gather(&main, Columns::Coefficients), Some(aux_rows))
            }
            None => {
                // The aux rebuild reads the main trace after its gather.
                let main = self.handed_main(k, &mut handed, false)?;
                let main_rows = gather(&main, Columns::OnTraceDomain);
                let aux = self.rebuilt_aux(k, &main, false)?;
                drop(main);
                (
                    main_rows,
                    aux.map(|a| gather(&coeffs(a), Columns::Coefficients)),
                )
            }
        };
        push(main);
        if let Some(aux) = aux {
            push(aux);
        }
        let q = self.kept[k].quotient.as_ref().expect("Round 2 ran");
        push(gather(q.coeffs(), Columns::Coefficients));
        Ok(out)
    }

    // ------------------------------------------------------------------- proof fields ---

    /// Main roots, in instance order.
    pub fn main_roots(&self) -> Vec<[u8; 32]> {
        self.kept.iter().map(|k| k.main.root()).collect()
    }

    /// Aux roots and LogUp sums of the instances with a bus, in instance order.
    pub fn aux_roots_and_sums(&self) -> (Vec<[u8; 32]>, Vec<Ext>) {
        self.kept
            .iter()
            .filter_map(|k| k.aux.as_ref())
            .map(|a| (a.root(), a.sum))
            .unzip()
    }

    /// Quotient roots, in instance order.
    pub fn quotient_roots(&self) -> Vec<[u8; 32]> {
        self.kept
            .iter()
            .map(|k| k.quotient.as_ref().expect("Round 2 ran").root())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_keeps_what_the_plan_keeps() {
        let lde = RowMajorMatrix::new((0..16u64).map(Felt::from_u64).collect(), 2);
        let full = Committed::commit(lde.clone(), &MemoryPlan::KEEP_ALL);
        assert!(full.lde.is_some());
        assert_eq!(
            full.tree.dropped_levels(),
            3,
            "an 8-row tree holds only its root"
        );
        let plan = MemoryPlan {
            stream_lde: true,
            leaf_drop: true,
            ..MemoryPlan::KEEP_ALL
        };
        let lean = Committed::commit(lde, &plan);
        assert!(lean.lde.is_none() && lean.tree.dropped_levels() == 3);
        assert_eq!(lean.tree.root(), full.tree.root());
    }
}
