//! Rounds 3 and 4 on the traces: the out-of-domain values (from the resident LDEs, or from
//! the traces on the trace domain and kept coefficients) and the DEEP combination on the
//! trace domain, reading a retired main trace a piece of rows at a time where the policy
//! says so ([`Policy::trace_piece`](crate::stark::policy::Policy::trace_piece)).

use std::borrow::Cow;

use p3_field::{PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::Matrix as _;

use super::fetch::MadeIn;
use super::spare::Kind;
use super::{InstanceStore, Mat};
use crate::stark::air::Air;
use crate::stark::composition;
use crate::stark::deep::{self, DeepCombiner};
use crate::stark::domain::{Points, evaluate_coefficients, evaluate_columns, evaluate_rows};
use crate::stark::error::ProveError;
use crate::stark::field::{Ext, Felt, ext_from_limbs};
use crate::stark::policy::Reads;
use crate::stark::proof::OodValues;

/// Columns' values at the out-of-domain point and at the next row's point.
type LocalNext = (Vec<Ext>, Vec<Ext>);

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

impl<A: Air> InstanceStore<'_, A> {
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
            .filter(|_| self.policy.reads == Reads::Ldes);
        let (main, aux, pre) = if let Some(main_lde) = resident {
            // The same values from the resident LDEs, on the LDE coset; the preprocessed
            // trace on H.
            let aux_lde = kept.aux.as_ref().map(|a| {
                a.committed
                    .lde
                    .as_ref()
                    .expect("resident under this policy")
            });
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

    /// Rows per piece in which Rounds 3 and 4 read instance `k`'s traces
    /// ([`Policy::trace_piece`](crate::stark::policy::Policy::trace_piece)).
    fn trace_piece(&self, k: usize) -> usize {
        let has_aux = self.kept[k].aux.is_some();
        self.policy.trace_piece(self.inst(k).height(), has_aux)
    }

    /// Instance `k`'s traces on `H` a piece of rows at a time
    /// ([`InstanceStore::trace_piece`]): hands `f` each piece's first row and its rows of
    /// the preprocessed, main and rebuilt aux traces (values and width; no aux rows when
    /// its coefficients are kept), the main trace resident, fetched whole or asked for piece
    /// by piece. A whole fetched main trace and a rebuilt aux trace are made in the round's
    /// spare buffers and left there for the next instance (`store::spare`).
    fn trace_pieces(
        &self,
        k: usize,
        mut f: impl FnMut(usize, PieceRows<'_>) -> Result<(), ProveError>,
    ) -> Result<(), ProveError> {
        let pre = self.pre[k].as_ref().map(|p| &p.trace);
        let (n, piece) = (self.inst(k).height(), self.trace_piece(k));
        let whole = piece == n;
        let into = if whole { MadeIn::Spare } else { MadeIn::Exact };
        for first in (0..n).step_by(piece) {
            let main = match (&self.kept[k].main.trace, whole) {
                (Some(t), _) => Cow::Borrowed(t),
                (None, true) => Cow::Owned(self.fetch(k, MadeIn::Spare)?),
                (None, false) => Cow::Owned(self.fetch_rows(k, first, piece)?),
            };
            let aux = self.rebuilt_aux(k, &main, into)?;
            let rows = |m| row_range(m, first, piece);
            let main_rows = match &main {
                Cow::Borrowed(t) => rows(t),
                Cow::Owned(t) => (&t.values[..], t.width()),
            };
            f(first, (pre.map(rows), main_rows, aux.as_ref().map(rows)))?;
            if whole && self.keeps_spare_after(k) {
                if let Cow::Owned(t) = main {
                    self.keep_spare(Kind::Main, t.values);
                }
                if let Some(t) = aux {
                    self.keep_spare(Kind::Aux, t.values);
                }
            }
        }
        Ok(())
    }
}
