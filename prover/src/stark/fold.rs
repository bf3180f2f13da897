//! Constraint folding: the one place where an AIR's constraints and its LogUp constraints are
//! combined with powers of `alpha` and divided by their scope's vanishing polynomial.
//!
//! The prover runs [`Folder`] on every LDE row with [`Felt`] cells; the verifier runs it once at
//! the out-of-domain point with [`Ext`] cells. Both get the composition value
//!
//! ```text
//! C(x) = E(x)/Z_H(x) + T(x)*(x - w^-1)/Z_H(x) + F(x)/(x - 1) + L(x)/(x - w^-1)
//! ```
//!
//! where `E, T, F, L` are the alpha-weighted sums of every-row, transition, first-row and
//! last-row constraints, `Z_H(x) = x^n - 1` and `w^-1` is the last row's point.

use p3_field::PrimeCharacteristicRing;

use super::air::{Air, BusId, Constraints, Scope, Vars};
use super::field::{Ext, Felt, FoldValue};
pub use super::logup::AuxRow;
use super::logup::{self, Captured, LogupChallenges};
use super::symbolic::AirInfo;

/// Alpha-weighted sums of the constraints, one per [`Scope`].
#[derive(Clone, Debug)]
pub struct Accumulator<'a> {
    alpha_powers: &'a [Ext],
    next: usize,
    sums: [Ext; 4],
}

impl<'a> Accumulator<'a> {
    /// Starts a fold; `alpha_powers` must cover every folded constraint.
    pub fn new(alpha_powers: &'a [Ext]) -> Self {
        Self {
            alpha_powers,
            next: 0,
            sums: [Ext::ZERO; 4],
        }
    }

    #[inline]
    fn add<V: FoldValue>(&mut self, scope: Scope, value: V) {
        self.sums[scope.index()] += value.scale(self.alpha_powers[self.next]);
        self.next += 1;
    }
}

impl Constraints<Ext> for Accumulator<'_> {
    fn constrain(&mut self, scope: Scope, expr: Ext) {
        self.add(scope, expr);
    }
    fn interact(&mut self, _: BusId, _: &[Ext], _: Ext) {
        unreachable!("LogUp constraints do not interact");
    }
}

/// Folds one row's constraints; reusable across rows without allocating.
#[derive(Clone, Debug)]
pub struct Folder<'a, V> {
    acc: Accumulator<'a>,
    captured: Captured<V>,
    dens: Vec<Ext>,
    aux_local: Vec<Ext>,
    aux_next: Vec<Ext>,
}

impl<V: FoldValue> Constraints<V> for Folder<'_, V> {
    fn constrain(&mut self, scope: Scope, expr: V) {
        self.acc.add(scope, expr);
    }
    fn interact(&mut self, bus: BusId, values: &[V], multiplicity: V) {
        self.captured.push(bus, values, multiplicity);
    }
}

impl<'a, V: FoldValue> Folder<'a, V> {
    /// A folder using the given powers of alpha.
    pub fn new(alpha_powers: &'a [Ext]) -> Self {
        Self {
            acc: Accumulator::new(alpha_powers),
            captured: Captured::default(),
            dens: Vec::new(),
            aux_local: Vec::new(),
            aux_next: Vec::new(),
        }
    }

    /// Scratch buffers for callers that must convert aux rows from limbs.
    pub fn aux_buffers(&mut self) -> (&mut Vec<Ext>, &mut Vec<Ext>) {
        (&mut self.aux_local, &mut self.aux_next)
    }

    /// Evaluates every constraint of `air`, and its LogUp constraints when `aux` is given,
    /// and returns the four scope sums.
    pub fn fold<A: Air>(
        &mut self,
        air: &A,
        info: &AirInfo,
        vars: &Vars<'_, V>,
        aux: Option<AuxRow<'_>>,
    ) -> [Ext; 4] {
        self.acc.next = 0;
        self.acc.sums = [Ext::ZERO; 4];
        self.captured.clear();
        air.eval(vars, self);
        if let Some(aux) = aux {
            logup::eval_constraints(info, &self.captured, &aux, &mut self.dens, &mut self.acc);
        }
        debug_assert_eq!(self.acc.next, info.num_folded_constraints());
        self.acc.sums
    }

    /// As [`Folder::fold`], reading the aux rows from the folder's own buffers.
    pub fn fold_with_buffered_aux<A: Air>(
        &mut self,
        air: &A,
        info: &AirInfo,
        vars: &Vars<'_, V>,
        challenges: &LogupChallenges,
        sum: Ext,
    ) -> [Ext; 4] {
        let local = std::mem::take(&mut self.aux_local);
        let next = std::mem::take(&mut self.aux_next);
        let out = self.fold(
            air,
            info,
            vars,
            Some(AuxRow {
                local: &local,
                next: &next,
                challenges,
                sum,
            }),
        );
        self.aux_local = local;
        self.aux_next = next;
        out
    }
}

/// The inverses of the scope divisors at one point `x`.
#[derive(Clone, Copy, Debug)]
pub struct Divisors<V> {
    /// `1 / (x^n - 1)`.
    pub inv_vanishing: V,
    /// `x - w^-1` (the transition constraints' removed root).
    pub x_minus_last: V,
    /// `1 / (x - 1)`.
    pub inv_x_minus_first: V,
    /// `1 / (x - w^-1)`.
    pub inv_x_minus_last: V,
}

/// The composition value from the four scope sums.
#[inline]
pub fn combine<V: FoldValue>(sums: &[Ext; 4], d: &Divisors<V>) -> Ext {
    let [every, trans, first, last] = *sums;
    d.inv_vanishing.scale(every)
        + (d.x_minus_last * d.inv_vanishing).scale(trans)
        + d.inv_x_minus_first.scale(first)
        + d.inv_x_minus_last.scale(last)
}

/// The last row's point of a subgroup of size `2^log_n`.
pub fn last_point(log_n: usize) -> Felt {
    use p3_field::{Field, TwoAdicField};
    Felt::two_adic_generator(log_n).inverse()
}
