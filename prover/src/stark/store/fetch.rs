//! Getting rows back: an instance's main trace from the store or the source (shape-checked,
//! with room for its LDE when it will not be kept), its aux trace built or rebuilt from it
//! and the LogUp challenges, kept aux coefficients, and whole LDEs of any of them.

use std::borrow::Cow;

use p3_matrix::Matrix as _;

use super::spare::Kind;
use super::{InstanceStore, Mat};
use crate::memtag::{self, Tag};
use crate::stark::air::Air;
use crate::stark::domain::lde_buffer;
use crate::stark::error::ProveError;
use crate::stark::field::{EXT_DEGREE, Ext};
use crate::stark::logup::{self, LogupChallenges};

/// Where a fetched main trace ([`InstanceStore::fetch`]) or a built aux trace
/// ([`InstanceStore::build_aux`]) is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MadeIn {
    /// A new buffer of its size (for a main trace, the source's own: `TraceSource::rows`).
    Exact,
    /// A new buffer with room for its LDE, to extend it in place.
    Room,
    /// The round's spare buffer of its kind (`store::spare`).
    Spare,
}

impl MadeIn {
    /// [`MadeIn::Room`] if `room`, else [`MadeIn::Exact`].
    pub(super) fn room(room: bool) -> Self {
        if room { Self::Room } else { Self::Exact }
    }
}

impl<A: Air> InstanceStore<'_, A> {
    /// The LDE of `trace` in a new buffer tagged `tag`.
    pub(super) fn extend(&self, trace: &Mat, tag: Tag) -> Mat {
        memtag::tagged(tag, || self.lde.extend(trace, self.params.log_blowup))
    }

    /// Instance `k`'s main trace, from the source, shape-checked, made `into` the source's
    /// buffer, one with room to extend it in place (for a trace that will not be kept), or
    /// the round's spare ([`TraceSource::rows_in`](crate::stark::trace::TraceSource::rows_in)).
    pub(super) fn fetch(&self, k: usize, into: MadeIn) -> Result<Mat, ProveError> {
        // A trace fetched with room is the buffer its LDE will be made in.
        let _tag = memtag::scope(if into == MadeIn::Room {
            Tag::MainLde
        } else {
            Tag::MainTrace
        });
        let inst = self.inst(k);
        let (table, start, len) = (inst.table, inst.row_start(), inst.height());
        let trace = match into {
            MadeIn::Exact => self.source.rows(table, start, len),
            MadeIn::Room => {
                let cells = (len * self.air(k).main_width()) << self.params.log_blowup;
                self.source.rows_in(table, start, len, lde_buffer(cells))
            }
            MadeIn::Spare => self
                .source
                .rows_in(table, start, len, self.take_spare(Kind::Main)),
        };
        self.check_shape(k, trace, len)
    }

    /// Rows `start .. start + len` of instance `k`'s main trace, from the source,
    /// shape-checked.
    pub(super) fn fetch_rows(&self, k: usize, start: usize, len: usize) -> Result<Mat, ProveError> {
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
    pub(super) fn main_trace(&self, k: usize, room: bool) -> Result<Cow<'_, Mat>, ProveError> {
        match &self.kept[k].main.trace {
            Some(t) => Ok(Cow::Borrowed(t)),
            None => self.fetch(k, MadeIn::room(room)).map(Cow::Owned),
        }
    }

    /// The LDE of a trace: in place if it is owned and has the room (the buffer keeps the
    /// tag it was allocated with), else by copy into a buffer tagged `tag`.
    pub(super) fn extend_cow(&self, trace: Cow<'_, Mat>, tag: Tag) -> Mat {
        let log_blowup = self.params.log_blowup;
        match trace {
            Cow::Owned(t) if t.values.capacity() >= t.values.len() << log_blowup => {
                self.lde.extend_owned(t, log_blowup)
            }
            t => self.extend(&t, tag),
        }
    }

    /// The aux LDE from kept coefficients, in a new buffer.
    pub(super) fn extend_coeffs(&self, coeffs: &Mat) -> Mat {
        memtag::tagged(Tag::AuxLde, || {
            self.lde.extend_coeffs(coeffs, self.params.log_blowup)
        })
    }

    pub(super) fn challenges(&self) -> &LogupChallenges {
        self.challenges
            .as_ref()
            .expect("the LogUp challenges are drawn before Phase C")
    }

    /// Instance `k`'s aux trace and LogUp contribution, from its main trace, made `into` a
    /// buffer of its size, one with room to extend it in place, or the round's spare.
    pub(super) fn build_aux(
        &self,
        k: usize,
        main: &Mat,
        into: MadeIn,
    ) -> Result<(Mat, Ext), ProveError> {
        let _tag = memtag::scope(if into == MadeIn::Room {
            Tag::AuxLde
        } else {
            Tag::AuxTrace
        });
        let inst = self.inst(k);
        let cells = inst.height() * self.layout.widths[k].aux * EXT_DEGREE;
        let buffer = match into {
            MadeIn::Exact => Vec::with_capacity(cells),
            MadeIn::Room => lde_buffer(cells << self.params.log_blowup),
            MadeIn::Spare => self.take_spare(Kind::Aux),
        };
        logup::build_aux_trace(
            self.air(k),
            &self.layout.infos[inst.table],
            main,
            self.pre[k].as_ref().map(|p| &p.trace),
            self.public,
            self.challenges(),
            buffer,
        )
        .ok_or(ProveError::UnluckyChallenge("LogUp denominator is zero"))
    }

    /// Instance `k`'s aux trace rebuilt from `main` (made `into`, see
    /// [`InstanceStore::build_aux`]), if it has one that is not kept (a kept one is its
    /// coefficients, [`InstanceStore::kept_aux`]).
    pub(super) fn rebuilt_aux(
        &self,
        k: usize,
        main: &Mat,
        into: MadeIn,
    ) -> Result<Option<Mat>, ProveError> {
        match &self.kept[k].aux {
            Some(aux) if aux.coeffs.is_none() => {
                let (trace, sum) = self.build_aux(k, main, into)?;
                debug_assert_eq!(sum, aux.sum, "a rebuilt aux trace has the committed sum");
                Ok(Some(trace))
            }
            _ => Ok(None),
        }
    }

    /// Instance `k`'s kept aux coefficients, if it has them (and they are not handed over).
    pub(super) fn kept_aux(&self, k: usize) -> Option<&Mat> {
        self.kept[k].aux.as_ref().and_then(|a| a.coeffs.as_ref())
    }
}
