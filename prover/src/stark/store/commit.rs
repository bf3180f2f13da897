//! The commitments: Phase A (main), Phase C (aux) and Round 2 (quotient) for one instance,
//! each keeping of what it made what the [`Policy`](crate::stark::policy::Policy) says.

use std::borrow::Cow;

use p3_field::PrimeCharacteristicRing;

use super::fetch::MadeIn;
use super::parts::{AuxPart, Committed, MainPart, QuotientPart};
use super::{InstanceStore, Mat};
use crate::memtag::{self, Tag};
use crate::stark::air::Air;
use crate::stark::composition::{self, AuxLde, InstanceLdes, QuotientParts};
use crate::stark::domain::Block;
use crate::stark::error::ProveError;
use crate::stark::field::{Ext, powers};
use crate::stark::policy::MainCommit;

impl<A: Air> InstanceStore<'_, A> {
    /// Phase A for instance `k`: fetch, extend and commit its main trace.
    pub fn commit_main(&self, k: usize) -> Result<MainPart, ProveError> {
        let (trace, committed) = match self.policy.main_commit(self.inst(k).log_height) {
            MainCommit::ByBlocks => {
                let trace = self.fetch(k, MadeIn::Exact)?;
                (None, self.commit_by_blocks(trace, Tag::MainLde))
            }
            MainCommit::InTraceBuffer => {
                let trace = self.fetch(k, MadeIn::Room)?;
                let lde = self.extend_cow(Cow::Owned(trace), Tag::MainLde);
                (None, Committed::commit(lde, &self.policy))
            }
            MainCommit::BesideTrace => {
                let trace = self.fetch(k, MadeIn::Exact)?;
                let lde = self.extend(&trace, Tag::MainLde);
                (Some(trace), Committed::commit(lde, &self.policy))
            }
        };
        debug_assert_eq!(trace.is_some(), self.policy.keeps_main_trace());
        Ok(MainPart { trace, committed })
    }

    /// Phase C for instance `k` (which has a bus): build, extend and commit its aux trace.
    /// `last_use` is its main trace when handed over by [`InstanceStore::hand_over_traces`]
    /// (freed here as soon as the aux trace is built), else the store's or the source's.
    ///
    /// A kept aux trace is kept as its coefficients (interpolated in place, its LDE made
    /// from them, [`Lde::extend_coeffs`](crate::stark::domain::Lde::extend_coeffs)): Round 2 makes its first LDE block by one
    /// evaluation and turns the last back by one interpolation, Round 3 evaluates them at
    /// the out-of-domain points ([`evaluate_coefficients`](crate::stark::domain::evaluate_coefficients)), Round 4 combines them as they
    /// are ([`deep::combine_rows`](crate::stark::deep::combine_rows)) and the openings gather from them, none interpolating
    /// the trace again.
    pub fn commit_aux(&self, k: usize, last_use: Option<Mat>) -> Result<AuxPart, ProveError> {
        // Kept where Rounds 2 to 4 read it and it fits (`Policy::keeps_aux_traces`).
        let keep = self.policy.keeps_aux_traces();
        let main = match last_use {
            Some(trace) => Cow::Owned(trace),
            None => self.main_trace(k, false)?,
        };
        let (mut trace, sum) = self.build_aux(k, &main, MadeIn::Exact)?;
        // The main trace goes before the LDE is made (when this was its last use): an aux
        // trace built with room for its LDE would hold a buffer twice its size beside it.
        drop(main);
        if !keep {
            let committed = Committed::commit(self.extend(&trace, Tag::AuxLde), &self.policy);
            return Ok(AuxPart {
                coeffs: None,
                committed,
                sum,
            });
        }
        self.lde.interpolate_trace(&mut trace);
        let committed = Committed::commit(self.extend_coeffs(&trace), &self.policy);
        Ok(AuxPart {
            coeffs: Some(trace),
            committed,
            sum,
        })
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
            committed: Committed::commit(lde, &self.policy),
            aux_coeffs,
        })
    }
}
