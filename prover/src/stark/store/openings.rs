//! The openings: per query, every committed tree's row and path of one instance, the rows
//! read from the resident LDEs, from a small instance's LDEs recomputed whole, or gathered
//! as the queried leaf subtrees from its traces and coefficients ([`opened::gather`]); the
//! kept traces handed over and freed as soon as they are gathered.

use std::borrow::Cow;

use p3_matrix::Matrix as _;

use super::fetch::MadeIn;
use super::{InstanceStore, Mat};
use crate::memtag::{self, Tag};
use crate::stark::air::Air;
use crate::stark::composition;
use crate::stark::error::ProveError;
use crate::stark::field::Felt;
use crate::stark::merkle::MerkleTree;
use crate::stark::opened::{self, Columns, OpenedRows};
use crate::stark::proof::RowOpening;

/// An instance's kept traces handed to its openings, their last use
/// ([`InstanceStore::hand_over_for_openings`]); each is freed once its rows are gathered.
#[derive(Debug, Default)]
pub struct Handed {
    main: Option<Mat>,
    /// The aux trace's coefficients.
    aux: Option<Mat>,
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

impl<A: Air> InstanceStore<'_, A> {
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
            None => self.fetch(k, MadeIn::room(room)),
        }
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
                                .rebuilt_aux(k, &main, MadeIn::Room)?
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

    /// The openings of instance `k` at each storage row in `queries`: per query, every
    /// committed tree's row and path, in commitment order. `handed` are its traces kept to
    /// here ([`InstanceStore::hand_over_for_openings`]). One matrix's rows are made at a
    /// time: the whole LDE (resident, or a small instance's recomputed), else only the
    /// queried rows' leaf subtrees gathered from its trace or the quotient's coefficients
    /// ([`opened::gather`]). Handed aux coefficients are gathered and freed before the main
    /// trace is fetched; otherwise the main trace is fetched once, for itself and the aux
    /// rebuild. A trace read for the last time (the main trace, a rebuilt aux trace) is
    /// turned into its coefficients whole, in place ([`Lde::interpolate_trace`](crate::stark::domain::Lde::interpolate_trace)), before its
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
                self.policy.merkle_dropped_levels,
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
                let aux = self.rebuilt_aux(k, &main, MadeIn::Exact)?;
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
}
