//! A dropped LDE made again a coset block at a time ([`Block`]): Round 2's blocks of an
//! instance's preprocessed, main and aux LDEs, and Phase A's commitment made block by block.
//! Each block after the first comes from the one before, in the same buffer
//! ([`Lde::next_block`](crate::stark::domain::Lde::next_block)), so that a phase fetches and
//! rebuilds each trace once; except where the memory model finds room for a copy of the
//! coefficients of a trace the phase owns
//! ([`Policy::phase_a_copies`](crate::stark::policy::Policy::phase_a_copies),
//! [`Policy::round2_copies`](crate::stark::policy::Policy::round2_copies)): there the trace
//! is interpolated once and each block evaluated from the coefficients.

use std::borrow::Cow;

use p3_matrix::Matrix as _;
use p3_matrix::dense::RowMajorMatrix;

use super::fetch::MadeIn;
use super::parts::Committed;
use super::spare::Kind;
use super::{InstanceStore, Mat};
use crate::memtag::{self, Tag};
use crate::stark::air::Air;
use crate::stark::domain::{Block, extend_copied, lde_buffer};
use crate::stark::error::ProveError;
use crate::stark::merkle::MerkleTree;
use crate::stark::opened::Columns;

/// One matrix's LDE a coset block at a time ([`InstanceStore::advance`]): its trace (or
/// coefficients, `columns`) until the block made in its buffer, and the current block.
struct LdeBlocks<'t> {
    trace: Option<Cow<'t, Mat>>,
    columns: Columns,
    tag: Tag,
    /// An owned trace is interpolated once and each block but the last evaluated in a copy
    /// of its coefficients (tagged `tag`), the last in its buffer.
    copies: bool,
    current: Option<(Block, Mat)>,
}

impl<'t> LdeBlocks<'t> {
    /// A cursor on `trace`; with `copies`, evaluated from copies of its coefficients if the
    /// phase owns it and it is on the trace domain (otherwise `copies` has no effect).
    fn new(trace: Cow<'t, Mat>, columns: Columns, tag: Tag, copies: bool) -> Self {
        let copies = copies && matches!(trace, Cow::Owned(_)) && columns == Columns::OnTraceDomain;
        Self {
            trace: Some(trace),
            columns,
            tag,
            copies,
            current: None,
        }
    }

    /// The current block.
    fn block(&self) -> &Mat {
        &self.current.as_ref().expect("advanced to a block").1
    }
}

impl<A: Air> InstanceStore<'_, A> {
    /// Block `blk` (one of [`Block::cosets`]) of the LDE of a trace or of coefficients
    /// (`columns`), computed in their own buffer if owned, else in a copy tagged `tag`.
    fn first_block(&self, trace: Cow<'_, Mat>, columns: Columns, blk: Block, tag: Tag) -> Mat {
        let trace = match trace {
            Cow::Owned(t) => t,
            Cow::Borrowed(t) => memtag::tagged(tag, || {
                let mut values = lde_buffer(t.values.len());
                extend_copied(&mut values, &t.values);
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
    pub(super) fn round2_blocks(
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
        // rebuilt (with room for a whole LDE, or in Round 2's spare buffer).
        let aux = |main: &Mat, room: bool| -> Result<_, ProveError> {
            Ok(match (handed, self.kept_aux(k)) {
                (Some(c), _) => Some((Cow::Owned(c), Columns::Coefficients)),
                (None, Some(c)) => Some((Cow::Borrowed(c), Columns::Coefficients)),
                (None, None) => {
                    let into = if room { MadeIn::Room } else { MadeIn::Spare };
                    self.rebuilt_aux(k, main, into)?
                        .map(|t| (Cow::Owned(t), Columns::OnTraceDomain))
                }
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
        // A fetched main trace and a rebuilt aux trace are made in Round 2's spare buffers
        // and left there for the next instance (`store::spare`).
        let main = match &self.kept[k].main.trace {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(self.fetch(k, MadeIn::Spare)?),
        };
        let fetched = matches!(main, Cow::Owned(_));
        let aux = aux(&main, false)?;
        let rebuilt = matches!(aux, Some((Cow::Owned(_), Columns::OnTraceDomain)));
        let widths = &self.layout.widths[k];
        let copies = self
            .policy
            .round2_copies(k, self.inst(k).log_height, widths.main, widths.aux);
        let mut cursors = [
            pre.map(|t| LdeBlocks::new(t, Columns::OnTraceDomain, Tag::PreLde, false)),
            Some(LdeBlocks::new(
                main,
                Columns::OnTraceDomain,
                Tag::MainLde,
                copies,
            )),
            aux.map(|(t, columns)| LdeBlocks::new(t, columns, Tag::AuxLde, copies)),
        ];
        for blk in Block::cosets(self.params.log_blowup) {
            for c in cursors.iter_mut().flatten() {
                self.advance(c, blk);
            }
            let [pre, main, aux] = cursors.each_ref().map(|c| c.as_ref().map(LdeBlocks::block));
            f(blk, [pre, main, aux]);
        }
        // The fetched and rebuilt traces' buffers (each holds its last block) are kept as
        // spares. Handed coefficients (their cursor no longer holds them): back from their
        // last block, in the same buffer, by one interpolation.
        let [_, main, aux] = cursors;
        let last = |c: Option<LdeBlocks<'_>>| c.and_then(|c| c.current).map(|(_, m)| m);
        let keep = self.keeps_spare_after(k);
        if let Some(m) = last(main).filter(|_| fetched && keep) {
            self.keep_spare(Kind::Main, m.values);
        }
        if rebuilt {
            if let Some(m) = last(aux).filter(|_| keep) {
                self.keep_spare(Kind::Aux, m.values);
            }
            return Ok(None);
        }
        Ok(match aux {
            Some(LdeBlocks {
                trace: None,
                columns: Columns::Coefficients,
                copies: false,
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
        if cursor.copies {
            drop(last);
            cursor.current = Some((blk, self.block_from_coeffs(cursor, blk)));
            return;
        }
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

    /// Block `blk` of a cursor with copies: its owned trace interpolated in place the first
    /// time (its coefficients from then on), the block evaluated in a copy of them, or in
    /// their own buffer for the last block.
    fn block_from_coeffs(&self, cursor: &mut LdeBlocks<'_>, blk: Block) -> Mat {
        let log_blowup = self.params.log_blowup;
        let Some(Cow::Owned(coeffs)) = cursor.trace.as_mut() else {
            unreachable!("a cursor with copies owns its trace until its last block");
        };
        if cursor.columns == Columns::OnTraceDomain {
            self.lde.interpolate_trace(coeffs);
            cursor.columns = Columns::Coefficients;
        }
        let coeffs = if blk.index + 1 == 1 << log_blowup {
            cursor.trace.take().expect("checked above").into_owned()
        } else {
            memtag::tagged(cursor.tag, || {
                let mut values = lde_buffer(coeffs.values.len());
                extend_copied(&mut values, &coeffs.values);
                RowMajorMatrix::new(values, coeffs.width())
            })
        };
        self.lde.coeffs_to_block(coeffs, log_blowup, blk.index)
    }

    /// The commitment of a trace's LDE, made and hashed one coset block at a time (each
    /// block's rows are a whole subtree: [`MerkleTree::join`]), so that the LDE is never
    /// whole. With the policy's [`phase_a_copies`](crate::stark::policy::Policy::phase_a_copies)
    /// (where the memory model predicts the prove's peak unchanged by them), the trace is
    /// interpolated once in its own buffer, each block but the last is evaluated in a copy
    /// of the coefficients (tagged `tag`, freed once hashed) and the last in the trace's
    /// buffer: one interpolation and one evaluation per block, for one more trace-sized
    /// buffer. Otherwise every block is made in the trace's buffer, each after the first
    /// from the one before ([`Lde::next_block`](crate::stark::domain::Lde::next_block)): an
    /// interpolation more per block, and the blocks keep the trace buffer's heap tag, as
    /// Round 2's do. Phase A's rule
    /// [`MainCommit::ByBlocks`](crate::stark::policy::MainCommit::ByBlocks): a kept trace
    /// would need a copy per block, for no lower peak; and Phase C's whole aux LDE is smaller
    /// than the main and aux traces its aux build holds (at 1200k, 6 interleaved pairs with
    /// aux by blocks too: Phase C median 2.15 -> 2.72 s, the same peak).
    pub(super) fn commit_by_blocks(&self, trace: Mat, tag: Tag) -> Committed {
        let drop = self.policy.merkle_dropped_levels;
        let log_blowup = self.params.log_blowup;
        let hash = |m: &Mat| MerkleTree::commit_rows_above(&m.values, m.width(), drop);
        let mut cursor = LdeBlocks::new(
            Cow::Owned(trace),
            Columns::OnTraceDomain,
            tag,
            self.policy.phase_a_copies,
        );
        let parts: Vec<MerkleTree> = Block::cosets(log_blowup)
            .map(|blk| {
                self.advance(&mut cursor, blk);
                hash(cursor.block())
            })
            .collect();
        let mut tree = MerkleTree::join(parts);
        tree.drop_below(drop);
        Committed { tree, lde: None }
    }
}
