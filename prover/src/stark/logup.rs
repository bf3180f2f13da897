//! LogUp buses: the aux trace the prover builds, and the constraints both sides evaluate.
//!
//! For challenges `beta`, `gamma`, an interaction with tuple `v` on bus `b` has denominator
//! `d = beta - (b + gamma*v_0 + gamma^2*v_1 + ...)` and term `m / d` (`m` its multiplicity).
//! Interactions are grouped (see [`AirInfo`](super::symbolic::AirInfo)); per row the aux trace
//! holds, in the extension field,
//!
//! * one column `h_g = sum_{a in g} m_a / d_a` per group, constrained on every row by
//!   `h_g * prod d_a - sum_a m_a * prod_{b != a} d_b = 0`;
//! * a running sum `S`: `S_0 = sum_g h_g[0]`, `S_{r+1} = S_r + sum_g h_g[r+1]`, and on the last
//!   row `S = sum`, the instance's claimed contribution, which the proof carries.
//!
//! The verifier checks that the contributions of all instances, plus the public
//! interactions, sum to zero.

use p3_field::extension::BinomiallyExtendable;
use p3_field::{Field, PackedFieldPow2, PackedValue, PrimeCharacteristicRing};
use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::air::{Air, BusId, Constraints, PublicInteraction, Scope, Vars};
use super::field::{EXT_DEGREE, Expr, Ext, Felt, FoldValue, ext_from_limbs, ext_limbs};
use super::symbolic::AirInfo;

/// Tuples up to this arity use precomputed powers of `gamma`; longer ones fall back to
/// Horner's rule (same value, slower).
const PRECOMPUTED_ARITY: usize = 64;

/// The LogUp challenges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogupChallenges {
    /// The shift every denominator subtracts the fingerprint from.
    pub beta: Ext,
    /// The tuple-combination challenge.
    pub gamma: Ext,
    /// `gamma^1 ..= gamma^PRECOMPUTED_ARITY`.
    gamma_powers: Vec<Ext>,
    /// The same powers' base limbs.
    gamma_limbs: Vec<[Felt; 2]>,
}

impl LogupChallenges {
    /// The challenges, with the powers of `gamma` the fingerprints use.
    pub fn new(beta: Ext, gamma: Ext) -> Self {
        let gamma_powers = super::field::powers(gamma, PRECOMPUTED_ARITY + 1)[1..].to_vec();
        let gamma_limbs = gamma_powers.iter().map(ext_limbs).collect();
        Self {
            beta,
            gamma,
            gamma_powers,
            gamma_limbs,
        }
    }

    /// `d = beta - (bus + gamma*v_0 + gamma^2*v_1 + ...)`.
    ///
    /// With base-field values (the prover's rows) each term is one extension-by-base product
    /// with a precomputed power, instead of a full extension product per Horner step.
    pub fn denominator<V: FoldValue>(&self, bus: BusId, values: &[V]) -> Ext {
        let mut acc = Ext::from(Felt::from_u32(bus));
        if values.len() <= PRECOMPUTED_ARITY {
            for (v, &g) in values.iter().zip(&self.gamma_powers) {
                acc += v.scale(g);
            }
        } else {
            let mut horner = Ext::ZERO;
            for v in values.iter().rev() {
                horner = (horner + v.to_ext()) * self.gamma;
            }
            acc += horner;
        }
        self.beta - acc
    }

    /// [`LogupChallenges::denominator`] of `P::WIDTH` tuples at once, one per lane: each
    /// limb of each term a packed product by a precomputed power's limb.
    fn packed_denominator<P: PackedFieldPow2<Scalar = Felt>>(
        &self,
        bus: BusId,
        values: &[P],
    ) -> PackedExt<P> {
        let [b0, b1] = ext_limbs(&self.beta);
        let mut fp = PackedExt {
            c0: P::from(Felt::from_u32(bus)),
            c1: P::ZERO,
        };
        if values.len() <= PRECOMPUTED_ARITY {
            for (&v, &[g0, g1]) in values.iter().zip(&self.gamma_limbs) {
                fp.c0 += v * g0;
                fp.c1 += v * g1;
            }
        } else {
            let [g0, g1] = ext_limbs(&self.gamma);
            let gamma = PackedExt {
                c0: P::from(g0),
                c1: P::from(g1),
            };
            let mut horner = PackedExt::<P>::ZERO;
            for &v in values.iter().rev() {
                horner.c0 += v;
                horner = horner.mul(gamma);
            }
            fp = fp.add(horner);
        }
        PackedExt {
            c0: P::from(b0) - fp.c0,
            c1: P::from(b1) - fp.c1,
        }
    }
}

/// Interactions captured from one evaluation of `eval`, without allocating per row.
#[derive(Clone, Debug)]
pub struct Captured<V> {
    buses: Vec<BusId>,
    ends: Vec<usize>,
    values: Vec<V>,
    mults: Vec<V>,
}

impl<V> Default for Captured<V> {
    fn default() -> Self {
        Self {
            buses: Vec::new(),
            ends: Vec::new(),
            values: Vec::new(),
            mults: Vec::new(),
        }
    }
}

impl<V: Copy> Captured<V> {
    /// Forgets the previous row's interactions, keeping the buffers.
    pub fn clear(&mut self) {
        self.buses.clear();
        self.ends.clear();
        self.values.clear();
        self.mults.clear();
    }

    /// Records one interaction.
    pub fn push(&mut self, bus: BusId, values: &[V], multiplicity: V) {
        self.buses.push(bus);
        self.values.extend_from_slice(values);
        self.ends.push(self.values.len());
        self.mults.push(multiplicity);
    }

    /// Number of interactions captured.
    pub fn len(&self) -> usize {
        self.buses.len()
    }

    /// Whether nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.buses.is_empty()
    }

    /// Interaction `i`: bus, tuple, multiplicity.
    pub fn get(&self, i: usize) -> (BusId, &[V], V) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (
            self.buses[i],
            &self.values[start..self.ends[i]],
            self.mults[i],
        )
    }
}

/// A sink that keeps the interactions and ignores the constraints.
struct InteractionsOnly<'a, V>(&'a mut Captured<V>);

impl<V: Expr> Constraints<V> for InteractionsOnly<'_, V> {
    fn constrain(&mut self, _: Scope, _: V) {}
    fn interact(&mut self, bus: BusId, values: &[V], multiplicity: V) {
        self.0.push(bus, values, multiplicity);
    }
}

/// The slot of an interaction whose multiplicity is zero on every row of a pack (it has no
/// term there).
const NO_TERM: u32 = u32::MAX;

/// Rows per parallel work unit when building the aux trace.
const ROWS_PER_TASK: usize = 1 << 10;

/// The packed base field the aux build evaluates rows with: [`Felt`]'s packing (8 rows at a
/// time with AVX-512, 4 with AVX2).
type Packed = <Felt as Field>::Packing;

/// The most lanes a packing has (AVX-512's 8 Goldilocks elements, with room to spare).
const MAX_LANES: usize = 16;
const _: () = assert!(Packed::WIDTH <= MAX_LANES && Packed::WIDTH.is_power_of_two());

/// Builds the aux trace of one instance: `n x 2*aux_width` base-field limbs, natural row
/// order, and returns it with the instance's LogUp contribution. Returns `None` if the
/// denominator of a term with nonzero multiplicity vanishes (probability about `n * 2^-128`
/// for an honest prover); a term whose multiplicity is zero is never inverted.
///
/// Rows are evaluated [`Packed::WIDTH`](p3_field::PackedValue::WIDTH) at a time: the
/// table's `eval` runs once per pack of rows on packed values, and the denominators and
/// their batch inversion work on all of a pack's lanes at once (`Rows::fill`); a table
/// shorter than a pack runs one row at a time, through the same code.
///
/// The trace is written into `buffer` if it can hold it, its spare capacity kept
/// ([`reuse_buffer`](super::domain::reuse_buffer)), so that a caller who will not keep it
/// can give it room to extend it to its LDE in place, or a used buffer to fill again;
/// otherwise into a fresh one.
pub fn build_aux_trace<A: Air>(
    air: &A,
    info: &AirInfo,
    main: &RowMajorMatrix<Felt>,
    pre: Option<&RowMajorMatrix<Felt>>,
    public: &[Felt],
    ch: &LogupChallenges,
    buffer: Vec<Felt>,
) -> Option<(RowMajorMatrix<Felt>, Ext)> {
    if main.height() % Packed::WIDTH == 0 {
        build_aux_trace_packed::<A, Packed>(air, info, main, pre, public, ch, buffer)
    } else {
        build_aux_trace_packed::<A, Felt>(air, info, main, pre, public, ch, buffer)
    }
}

/// [`build_aux_trace`] with `P::WIDTH` rows per evaluation (`P = Felt`: one).
fn build_aux_trace_packed<A: Air, P: PackedFieldPow2<Scalar = Felt>>(
    air: &A,
    info: &AirInfo,
    main: &RowMajorMatrix<Felt>,
    pre: Option<&RowMajorMatrix<Felt>>,
    public: &[Felt],
    ch: &LogupChallenges,
    buffer: Vec<Felt>,
) -> Option<(RowMajorMatrix<Felt>, Ext)> {
    let n = main.height();
    assert_eq!(n % P::WIDTH, 0, "whole packs of rows");
    let aux_w = info.aux_width();
    let width = aux_w * EXT_DEGREE;
    let mut values = super::domain::reuse_buffer(buffer, n * width);
    // Zeroed in parallel: the first touch of a fresh buffer's pages is a large share of
    // the build.
    super::domain::extend_zeroed(&mut values, n * width);
    let mut aux = RowMajorMatrix::new(values, width);
    let rows = Rows {
        air,
        info,
        main,
        pre,
        public: public.iter().map(|&v| P::from(v)).collect(),
        ch,
    };
    // Each task writes its rows' running sum from zero and returns its total; the tasks'
    // totals before each are then added to its rows.
    let totals: Vec<Ext> = aux
        .values
        .par_chunks_mut(ROWS_PER_TASK * width)
        .enumerate()
        .map(|(task, aux_rows)| rows.fill(task * ROWS_PER_TASK, aux_rows))
        .collect::<Option<_>>()?;
    let mut before = Vec::with_capacity(totals.len());
    let mut running = Ext::ZERO;
    for t in &totals {
        before.push(running);
        running += *t;
    }
    let acc_col = (aux_w - 1) * EXT_DEGREE;
    aux.values
        .par_chunks_mut(ROWS_PER_TASK * width)
        .zip(before)
        .filter(|(_, offset)| !offset.is_zero())
        .for_each(|(aux_rows, offset)| {
            for row in aux_rows.chunks_exact_mut(width) {
                let acc = &mut row[acc_col..acc_col + 2];
                let sum = ext_from_limbs(acc[0], acc[1]) + offset;
                acc.copy_from_slice(&ext_limbs(&sum));
            }
        });
    Some((aux, running))
}

/// What every task of one aux build reads.
struct Rows<'a, A, P> {
    air: &'a A,
    info: &'a AirInfo,
    main: &'a RowMajorMatrix<Felt>,
    pre: Option<&'a RowMajorMatrix<Felt>>,
    public: Vec<P>,
    ch: &'a LogupChallenges,
}

impl<A: Air, P: PackedFieldPow2<Scalar = Felt>> Rows<'_, A, P> {
    /// Fills one task's aux rows from row `first` on, a pack of `P::WIDTH` rows at a time,
    /// the running sum counted from the task's first row, and returns the task's total;
    /// `None` if a term with nonzero multiplicity has a zero denominator.
    fn fill(&self, first: usize, aux_rows: &mut [Felt]) -> Option<Ext> {
        let lanes = P::WIDTH;
        let n = self.main.height();
        let num_inter = self.info.interactions.len();
        let width = self.info.aux_width() * EXT_DEGREE;
        let packs = aux_rows.len() / width / lanes;
        let mut cap = Captured::<P>::default();
        let (mut local, mut next) = (Vec::new(), Vec::new());
        let (mut pre_local, mut pre_next) = (Vec::new(), Vec::new());
        let mut dens: Vec<PackedExt<P>> = Vec::with_capacity(packs * num_inter);
        let mut mults: Vec<P> = Vec::with_capacity(packs * num_inter);
        let mut slots: Vec<u32> = Vec::with_capacity(packs * num_inter);
        // The next row's cells only where an interaction reads them (else `eval` gets this
        // row's, which only its constraints, ignored here, could read).
        let reads_next = self.info.interactions_read_next;
        for p in 0..packs {
            let r0 = first + p * lanes;
            transpose(self.main, r0, 0, &mut local);
            if reads_next {
                transpose(self.main, r0, 1, &mut next);
            }
            if let Some(pre) = self.pre {
                transpose(pre, r0, 0, &mut pre_local);
                if reads_next {
                    transpose(pre, r0, 1, &mut pre_next);
                }
            }
            let vars = Vars {
                local: &local,
                next: if reads_next { &next } else { &local },
                pre_local: &pre_local,
                pre_next: if reads_next { &pre_next } else { &pre_local },
                public: &self.public,
            };
            cap.clear();
            self.air.eval(&vars, &mut InteractionsOnly(&mut cap));
            debug_assert_eq!(cap.len(), num_inter, "eval must be straight-line");
            debug_assert!(r0 + lanes <= n);
            for i in 0..num_inter {
                let (bus, values, m) = cap.get(i);
                let zero = m.as_slice().iter().filter(|v| v.is_zero()).count();
                // A term with multiplicity zero is zero: on a pack where every row has it
                // so, its denominator is neither computed nor inverted (most of a wide
                // table's interactions are selected off on any given row); in a lane where
                // it is zero, the denominator is set to one, so that it is never inverted.
                if zero == lanes {
                    slots.push(NO_TERM);
                    continue;
                }
                let mut d = self.ch.packed_denominator(bus, values);
                if zero > 0 {
                    for (j, mj) in m.as_slice().iter().enumerate() {
                        if mj.is_zero() {
                            d.set_lane(j, Ext::ONE);
                        }
                    }
                }
                slots.push(dens.len() as u32);
                dens.push(d);
                mults.push(m);
            }
        }
        // `1/d = conj(d) / norm(d)`: the norms (base-field elements, zero exactly when `d`
        // is) are batch-inverted instead of the extension elements, for about half the
        // products. A zero lane left is a term with nonzero multiplicity and a zero
        // denominator.
        let mut norms: Vec<P> = dens.iter().map(|d| d.norm()).collect();
        let mut prefix = Vec::with_capacity(norms.len());
        if !invert_in_place(&mut norms, &mut prefix) {
            return None;
        }
        let groups = &self.info.groups;
        let acc_col = groups.len() * EXT_DEGREE;
        let mut running = Ext::ZERO;
        // One pack's aux columns, a lane per row.
        let mut columns = vec![P::ZERO; width];
        for p in 0..packs {
            let base = p * num_inter;
            let mut total = PackedExt::<P>::ZERO;
            for (g, members) in groups.iter().enumerate() {
                let mut h = PackedExt::<P>::ZERO;
                for &a in members {
                    let s = slots[base + a];
                    if s != NO_TERM {
                        let (d, scale) = (dens[s as usize], mults[s as usize] * norms[s as usize]);
                        h.c0 += d.c0 * scale;
                        h.c1 -= d.c1 * scale;
                    }
                }
                (columns[g * 2], columns[g * 2 + 1]) = (h.c0, h.c1);
                total = total.add(h);
            }
            for j in 0..lanes {
                running += total.lane(j);
                let [c0, c1] = ext_limbs(&running);
                columns[acc_col].as_slice_mut()[j] = c0;
                columns[acc_col + 1].as_slice_mut()[j] = c1;
            }
            let rows = &mut aux_rows[p * lanes * width..(p + 1) * lanes * width];
            to_rows(&columns, rows);
        }
        Some(running)
    }
}

/// `out[c]` = column `c` of rows `r0 + shift .. r0 + shift + P::WIDTH` (cyclically), one
/// lane per row: `P::WIDTH` columns at a time by [`transpose_square`], the rest lane by
/// lane.
fn transpose<P: PackedFieldPow2<Scalar = Felt>>(
    m: &RowMajorMatrix<Felt>,
    r0: usize,
    shift: usize,
    out: &mut Vec<P>,
) {
    let (w, n, lanes) = (m.width(), m.height(), P::WIDTH);
    let rows: [&[Felt]; MAX_LANES] = std::array::from_fn(|j| {
        let r = (r0 + shift + j.min(lanes - 1)) % n;
        &m.values[r * w..(r + 1) * w]
    });
    out.clear();
    let square = w - w % lanes;
    let mut block = [P::ZERO; MAX_LANES];
    for c0 in (0..square).step_by(lanes) {
        for (b, row) in block.iter_mut().zip(&rows[..lanes]) {
            *b = *P::from_slice(&row[c0..c0 + lanes]);
        }
        transpose_square(&mut block[..lanes]);
        out.extend_from_slice(&block[..lanes]);
    }
    out.extend((square..w).map(|c| P::from_fn(|j| rows[j][c])));
}

/// The inverse of [`transpose`]: `columns` (one lane per row) written into `P::WIDTH`
/// consecutive rows of `rows` (row-major, `columns.len()` wide).
fn to_rows<P: PackedFieldPow2<Scalar = Felt>>(columns: &[P], rows: &mut [Felt]) {
    let (w, lanes) = (columns.len(), P::WIDTH);
    let square = w - w % lanes;
    let mut block = [P::ZERO; MAX_LANES];
    for c0 in (0..square).step_by(lanes) {
        block[..lanes].copy_from_slice(&columns[c0..c0 + lanes]);
        transpose_square(&mut block[..lanes]);
        for (row, b) in rows.chunks_exact_mut(w).zip(&block[..lanes]) {
            row[c0..c0 + lanes].copy_from_slice(b.as_slice());
        }
    }
    for (j, row) in rows.chunks_exact_mut(w).enumerate() {
        for (cell, column) in row[square..].iter_mut().zip(&columns[square..]) {
            *cell = column.as_slice()[j];
        }
    }
}

/// Transposes a square of `P::WIDTH` packed values (value `i`'s lane `j` becomes value
/// `j`'s lane `i`): log2 `P::WIDTH` rounds of [`PackedFieldPow2::interleave`], each
/// swapping the off-diagonal `half x half` blocks of every `2 half` square.
fn transpose_square<P: PackedFieldPow2<Scalar = Felt>>(block: &mut [P]) {
    let lanes = block.len();
    let mut half = lanes / 2;
    while half > 0 {
        for i in (0..lanes).filter(|i| i & half == 0) {
            (block[i], block[i + half]) = block[i].interleave(block[i + half], half);
        }
        half /= 2;
    }
}

/// An extension element in each of `P::WIDTH` lanes, as its two packed base limbs.
#[derive(Clone, Copy, Debug)]
struct PackedExt<P> {
    c0: P,
    c1: P,
}

impl<P: PackedFieldPow2<Scalar = Felt>> PackedExt<P> {
    const ZERO: Self = Self {
        c0: P::ZERO,
        c1: P::ZERO,
    };

    fn add(self, o: Self) -> Self {
        Self {
            c0: self.c0 + o.c0,
            c1: self.c1 + o.c1,
        }
    }

    /// The product in `F[u]/(u^2 - W)`, lane by lane.
    fn mul(self, o: Self) -> Self {
        let w = <Felt as BinomiallyExtendable<EXT_DEGREE>>::W;
        Self {
            c0: self.c0 * o.c0 + self.c1 * o.c1 * w,
            c1: self.c0 * o.c1 + self.c1 * o.c0,
        }
    }

    /// `c0^2 - W c1^2`, the norm to the base field: `self` times its conjugate `c0 - c1 u`.
    fn norm(self) -> P {
        let w = <Felt as BinomiallyExtendable<EXT_DEGREE>>::W;
        self.c0.square() - self.c1.square() * w
    }

    fn lane(&self, j: usize) -> Ext {
        ext_from_limbs(self.c0.as_slice()[j], self.c1.as_slice()[j])
    }

    fn set_lane(&mut self, j: usize, e: Ext) {
        let [c0, c1] = ext_limbs(&e);
        self.c0.as_slice_mut()[j] = c0;
        self.c1.as_slice_mut()[j] = c1;
    }
}

/// Independent product chains in [`invert_in_place`]: element `i` is in chain `i % CHAINS`,
/// so that consecutive products do not wait on each other.
const CHAINS: usize = 4;

/// Replaces every element by its inverse, lane by lane (Montgomery's batch inversion: three
/// products per element and one inversion per lane of each of [`CHAINS`] chains), or
/// returns `false` (leaving `xs` unspecified) if a lane of an element is zero. `prefix` is
/// scratch space.
fn invert_in_place<P: PackedFieldPow2<Scalar = Felt>>(xs: &mut [P], prefix: &mut Vec<P>) -> bool {
    // prefix[i] = the product of the elements of i's chain before i.
    prefix.clear();
    let mut acc = [P::ONE; CHAINS];
    for block in xs.chunks(CHAINS) {
        for (a, &x) in acc.iter_mut().zip(block) {
            prefix.push(*a);
            *a *= x;
        }
    }
    // Each chain's inverse total, lane by lane: a zero lane means a zero element.
    for a in &mut acc {
        for v in a.as_slice_mut() {
            match v.try_inverse() {
                Some(inv) => *v = inv,
                None => return false,
            }
        }
    }
    // Backwards: acc = (the chain's product up to and including i)^-1.
    let len = xs.len();
    let full = len - len % CHAINS;
    let mut step = |i: usize, a: &mut P| {
        let x = xs[i];
        xs[i] = *a * prefix[i];
        *a *= x;
    };
    for i in (full..len).rev() {
        step(i, &mut acc[i % CHAINS]);
    }
    for base in (0..full).step_by(CHAINS).rev() {
        for (c, a) in acc.iter_mut().enumerate().rev() {
            step(base + c, a);
        }
    }
    true
}

/// The aux side of one row (or of the out-of-domain point): LogUp columns as extension
/// elements, and what their constraints need.
#[derive(Clone, Copy, Debug)]
pub struct AuxRow<'b> {
    /// This row's aux columns.
    pub local: &'b [Ext],
    /// The next row's aux columns.
    pub next: &'b [Ext],
    /// The LogUp challenges.
    pub challenges: &'b LogupChallenges,
    /// The instance's claimed contribution.
    pub sum: Ext,
}

/// Reads an aux row of base limbs as extension elements, into `out`.
pub fn aux_row_to_ext(limbs: &[Felt], out: &mut Vec<Ext>) {
    out.clear();
    out.extend(limbs.chunks_exact(2).map(|l| ext_from_limbs(l[0], l[1])));
}

/// Evaluates the LogUp constraints of one row (or of the out-of-domain point) into `out`,
/// in the fixed order: one per group, then first-row, transition and last-row running-sum
/// constraints.
pub fn eval_constraints<V: FoldValue, C: Constraints<Ext>>(
    info: &AirInfo,
    captured: &Captured<V>,
    aux: &AuxRow<'_>,
    dens: &mut Vec<Ext>,
    out: &mut C,
) {
    let (aux_local, aux_next, ch) = (aux.local, aux.next, aux.challenges);
    dens.clear();
    for i in 0..captured.len() {
        let (bus, values, _) = captured.get(i);
        dens.push(ch.denominator(bus, values));
    }
    let groups = &info.groups;
    for (g, members) in groups.iter().enumerate() {
        let mut prod = Ext::ONE;
        for &a in members {
            prod *= dens[a];
        }
        let mut numer = Ext::ZERO;
        for &a in members {
            let mut others = Ext::ONE;
            for &b in members {
                if b != a {
                    others *= dens[b];
                }
            }
            numer += captured.get(a).2.to_ext() * others;
        }
        out.constrain(Scope::EveryRow, aux_local[g] * prod - numer);
    }
    let acc = groups.len();
    let h_local: Ext = aux_local[..acc].iter().copied().sum();
    let h_next: Ext = aux_next[..acc].iter().copied().sum();
    out.constrain(Scope::FirstRow, aux_local[acc] - h_local);
    out.constrain(Scope::Transition, aux_next[acc] - aux_local[acc] - h_next);
    out.constrain(Scope::LastRow, aux_local[acc] - aux.sum);
}

/// The verifier's own bus terms: `sum m / d` over the statement's public interactions.
/// `None` if a denominator vanishes.
pub fn public_sum(public: &[PublicInteraction], ch: &LogupChallenges) -> Option<Ext> {
    let mut total = Ext::ZERO;
    for p in public {
        let d = ch.denominator(p.bus, &p.values);
        total += d.try_inverse()? * p.multiplicity;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precomputed_and_horner_fingerprints_agree() {
        let ch = LogupChallenges::new(
            ext_from_limbs(Felt::from_u64(3), Felt::from_u64(5)),
            ext_from_limbs(Felt::from_u64(7), Felt::from_u64(11)),
        );
        let long: Vec<Felt> = (0..PRECOMPUTED_ARITY as u64 + 5)
            .map(Felt::from_u64)
            .collect();
        for len in [0, 1, 3, PRECOMPUTED_ARITY, PRECOMPUTED_ARITY + 5] {
            let values = &long[..len];
            let mut horner = Ext::ZERO;
            for v in values.iter().rev() {
                horner = (horner + Ext::from(*v)) * ch.gamma;
            }
            let expect = ch.beta - (horner + Ext::from(Felt::from_u32(9)));
            assert_eq!(ch.denominator(9, values), expect, "arity {len}");
            let ext_values: Vec<Ext> = values.iter().map(|&v| Ext::from(v)).collect();
            assert_eq!(ch.denominator(9, &ext_values), expect, "arity {len}, ext");
            // The aux build's packed fingerprints: the same value in every lane.
            let single = ch.packed_denominator::<Felt>(9, values);
            assert_eq!(single.lane(0), expect, "arity {len}, one lane");
            let packed: Vec<Packed> = values.iter().map(|&v| Packed::from(v)).collect();
            let lanes = ch.packed_denominator::<Packed>(9, &packed);
            for j in 0..Packed::WIDTH {
                assert_eq!(lanes.lane(j), expect, "arity {len}, lane {j}");
            }
        }
    }

    /// Several groups, zero multiplicities on some rows and not others, a tuple longer than
    /// the precomputed powers, and interactions that read the next row (cyclically).
    struct Mixed;
    impl Air for Mixed {
        fn name(&self) -> &str {
            "mixed"
        }
        fn main_width(&self) -> usize {
            3
        }
        fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
            let (a, b, sel) = (v.local[0], v.local[1], v.local[2]);
            out.assert_bool(sel);
            out.send(1, &[a, b], sel);
            out.receive(2, &[a * b], v.next[2]);
            out.send(3, &[v.next[0], a], E::one());
            let long: Vec<E> = (0..PRECOMPUTED_ARITY + 3)
                .map(|i| if i % 2 == 0 { a } else { b })
                .collect();
            out.send(4, &long, sel * b);
        }
    }

    fn mixed_trace(n: usize) -> RowMajorMatrix<Felt> {
        let values = (0..n as u64)
            .flat_map(|r| {
                [
                    Felt::from_u64(r * r + 11),
                    Felt::from_u64(3 * r + 5),
                    Felt::from_bool(r % 3 == 1 || r % 7 == 0),
                ]
            })
            .collect();
        RowMajorMatrix::new(values, 3)
    }

    #[test]
    fn packed_rows_give_the_row_by_row_trace() {
        let info = AirInfo::of(&Mixed, 0).unwrap();
        assert!(info.interactions_read_next && info.groups.len() > 1);
        let ch = LogupChallenges::new(
            ext_from_limbs(Felt::from_u64(0x1234_5678_9abc), Felt::from_u64(77)),
            ext_from_limbs(Felt::from_u64(0xfeed_beef), Felt::from_u64(5)),
        );
        for n in [Packed::WIDTH, 64, 4 * ROWS_PER_TASK] {
            let main = mixed_trace(n);
            let packed =
                build_aux_trace_packed::<_, Packed>(&Mixed, &info, &main, None, &[], &ch, vec![])
                    .unwrap();
            // Made in a used buffer, larger than the trace and full of other values.
            let used = vec![Felt::ONE; 3 * n * info.aux_width() * EXT_DEGREE];
            let single =
                build_aux_trace_packed::<_, Felt>(&Mixed, &info, &main, None, &[], &ch, used)
                    .unwrap();
            assert_eq!(packed.0.values, single.0.values, "{n} rows");
            assert_eq!(packed.1, single.1, "{n} rows");
            // The running sum, across the tasks' boundaries, is the prefix of the rows'
            // group columns.
            let width = packed.0.width();
            let mut running = Ext::ZERO;
            for (r, row) in packed.0.values.chunks_exact(width).enumerate() {
                let limbs = |c: usize| ext_from_limbs(row[2 * c], row[2 * c + 1]);
                running += (0..width / 2 - 1).map(limbs).sum::<Ext>();
                assert_eq!(
                    limbs(width / 2 - 1),
                    running,
                    "{n} rows: row {r}'s running sum"
                );
            }
            assert_eq!(packed.1, running, "{n} rows: the contribution");
            // Row 0's term on bus 1, by hand: selected (0 % 7 == 0).
            let (a, b) = (Ext::from(main.values[0]), Ext::from(main.values[1]));
            let d =
                ch.beta - (Ext::from(Felt::from_u32(1)) + ch.gamma * a + ch.gamma * ch.gamma * b);
            // Bus 1 and bus 2 (a degree-2 tuple) have a group each.
            assert_eq!(info.groups[..2], [vec![0], vec![1]]);
            let h = |g: usize| ext_from_limbs(packed.0.values[2 * g], packed.0.values[2 * g + 1]);
            assert_eq!(h(0), d.inverse(), "{n} rows: row 0, bus 1");
            // Row 0 receives on bus 2 as often as row 1 is selected (once).
            let d2 = ch.beta - (Ext::from(Felt::from_u32(2)) + ch.gamma * a * b);
            assert_eq!(h(1), -d2.inverse(), "{n} rows: row 0, bus 2");
        }
        // A table shorter than a pack goes one row at a time.
        let main = mixed_trace(2);
        let short = build_aux_trace(&Mixed, &info, &main, None, &[], &ch, vec![]).unwrap();
        let single =
            build_aux_trace_packed::<_, Felt>(&Mixed, &info, &main, None, &[], &ch, vec![])
                .unwrap();
        assert_eq!(short.0.values, single.0.values);
    }

    #[test]
    fn batch_inversion_inverts_every_lane_and_refuses_zero() {
        let x = |i: u64| Packed::from_fn(|j| Felt::from_u64(i * 31 + j as u64 + 1));
        for len in [0, 1, 3, 4, 5, 9] {
            let xs: Vec<_> = (0..len).map(x).collect();
            let mut inv = xs.clone();
            assert!(invert_in_place(&mut inv, &mut Vec::new()));
            for (a, b) in xs.iter().zip(&inv) {
                assert_eq!(*a * *b, Packed::ONE, "len {len}");
            }
        }
        let mut xs: Vec<_> = (0..6).map(x).collect();
        xs[4].as_slice_mut()[Packed::WIDTH - 1] = Felt::ZERO;
        assert!(!invert_in_place(&mut xs, &mut Vec::new()));
    }

    #[test]
    fn transposed_packs_hold_each_rows_cells_in_its_lane() {
        let (w, n) = (2 * Packed::WIDTH + 3, 4 * Packed::WIDTH);
        let m = RowMajorMatrix::new((0..(w * n) as u64).map(Felt::from_u64).collect(), w);
        let mut out: Vec<Packed> = Vec::new();
        for (r0, shift) in [(0, 0), (0, 1), (n - Packed::WIDTH, 1), (Packed::WIDTH, 0)] {
            transpose(&m, r0, shift, &mut out);
            assert_eq!(out.len(), w);
            for (c, p) in out.iter().enumerate() {
                for (j, &v) in p.as_slice().iter().enumerate() {
                    let r = (r0 + shift + j) % n;
                    assert_eq!(
                        v,
                        m.values[r * w + c],
                        "r0 {r0} shift {shift} column {c} lane {j}"
                    );
                }
            }
        }
    }

    #[test]
    fn columns_go_back_to_their_rows() {
        let (w, n) = (2 * Packed::WIDTH + 3, Packed::WIDTH);
        let m = RowMajorMatrix::new((0..(w * n) as u64).map(Felt::from_u64).collect(), w);
        let mut columns: Vec<Packed> = Vec::new();
        transpose(&m, 0, 0, &mut columns);
        let mut rows = vec![Felt::ZERO; w * n];
        to_rows(&columns, &mut rows);
        assert_eq!(rows, m.values);
    }

    #[test]
    fn the_norm_is_the_product_with_the_conjugate() {
        let d = ext_from_limbs(Felt::from_u64(123_456), Felt::from_u64(789));
        let packed = PackedExt::<Felt> {
            c0: Felt::from_u64(123_456),
            c1: Felt::from_u64(789),
        };
        let conj = ext_from_limbs(Felt::from_u64(123_456), -Felt::from_u64(789));
        assert_eq!(Ext::from(packed.norm()), d * conj);
    }

    #[test]
    fn aux_rows_hold_the_selected_terms_and_their_running_sum() {
        use crate::stark::examples::{CubesAir, RANGE_BUS, cubes_trace};
        let air = CubesAir;
        let info = AirInfo::of(&air, 0).unwrap();
        let main = cubes_trace(6, 64);
        // Row 2 is unselected (every third row is), and beta is its fingerprint: its
        // denominator is zero, but a term with multiplicity zero is never formed.
        let gamma = ext_from_limbs(Felt::from_u64(7), Felt::from_u64(11));
        let x2 = main.values[2 * 3];
        let beta = Ext::from(Felt::from_u32(RANGE_BUS)) + gamma * Ext::from(x2);
        let ch = LogupChallenges::new(beta, gamma);
        let (aux, sum) = build_aux_trace(&air, &info, &main, None, &[], &ch, vec![])
            .expect("an unselected zero denominator is no failure");
        let width = aux.width();
        let mut running = Ext::ZERO;
        for (r, row) in main.values.chunks_exact(3).enumerate() {
            let (x, sel) = (row[0], row[2]);
            let term = if sel == Felt::ZERO {
                Ext::ZERO
            } else {
                (beta - (Ext::from(Felt::from_u32(RANGE_BUS)) + gamma * Ext::from(x))).inverse()
            };
            running += term;
            let limbs = &aux.values[r * width..(r + 1) * width];
            assert_eq!(ext_from_limbs(limbs[0], limbs[1]), term, "row {r}: h");
            assert_eq!(
                ext_from_limbs(limbs[width - 2], limbs[width - 1]),
                running,
                "row {r}: running sum"
            );
        }
        assert_eq!(sum, running);
        // A selected row with a zero denominator is the honest prover's (negligible) bad luck.
        let x0 = main.values[0];
        let beta = Ext::from(Felt::from_u32(RANGE_BUS)) + gamma * Ext::from(x0);
        let ch = LogupChallenges::new(beta, gamma);
        assert!(build_aux_trace(&air, &info, &main, None, &[], &ch, vec![]).is_none());
    }
}
