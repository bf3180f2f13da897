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

use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;
use rayon::prelude::*;

use super::air::{Air, BusId, Constraints, PublicInteraction, Scope, Vars};
use super::field::{EXT_DEGREE, Ext, Felt, FoldValue, ext_from_limbs, ext_limbs};
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
}

impl LogupChallenges {
    /// The challenges, with the powers of `gamma` the fingerprints use.
    pub fn new(beta: Ext, gamma: Ext) -> Self {
        let gamma_powers = super::field::powers(gamma, PRECOMPUTED_ARITY + 1)[1..].to_vec();
        Self {
            beta,
            gamma,
            gamma_powers,
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

impl<V: FoldValue> Constraints<V> for InteractionsOnly<'_, V> {
    fn constrain(&mut self, _: Scope, _: V) {}
    fn interact(&mut self, bus: BusId, values: &[V], multiplicity: V) {
        self.0.push(bus, values, multiplicity);
    }
}

/// The slot of an interaction whose multiplicity is zero on a row (it has no term).
const NO_TERM: u32 = u32::MAX;

/// Rows per parallel work unit when building the aux trace.
const ROWS_PER_TASK: usize = 1 << 10;

/// Builds the aux trace of one instance: `n x 2*aux_width` base-field limbs, natural row
/// order, and returns it with the instance's LogUp contribution. Returns `None` if the
/// denominator of a term with nonzero multiplicity vanishes (probability about `n * 2^-128`
/// for an honest prover); a term whose multiplicity is zero is never formed.
///
/// The trace's buffer has room for `2^log_room` times its cells, so that a caller who will
/// not keep it can extend it to its LDE in place (`log_room = 0`: no spare room).
pub fn build_aux_trace<A: Air>(
    air: &A,
    info: &AirInfo,
    main: &RowMajorMatrix<Felt>,
    pre: Option<&RowMajorMatrix<Felt>>,
    public: &[Felt],
    ch: &LogupChallenges,
    log_room: usize,
) -> Option<(RowMajorMatrix<Felt>, Ext)> {
    let n = main.height();
    let groups = &info.groups;
    let aux_w = info.aux_width();
    let width = aux_w * EXT_DEGREE;
    let num_inter = info.interactions.len();
    let mut values = if log_room == 0 {
        Vec::with_capacity(n * width)
    } else {
        super::domain::lde_buffer((n * width) << log_room)
    };
    values.resize(n * width, Felt::ZERO);
    let mut aux = RowMajorMatrix::new(values, width);
    let mut row_sums = vec![Ext::ZERO; n];
    let ok = aux
        .values
        .par_chunks_mut(ROWS_PER_TASK * width)
        .zip(row_sums.par_chunks_mut(ROWS_PER_TASK))
        .enumerate()
        .all(|(task, (aux_rows, sums))| {
            let first = task * ROWS_PER_TASK;
            let rows = sums.len();
            let mut cap = Captured::default();
            let mut dens = Vec::with_capacity(rows * num_inter);
            let mut mults = Vec::with_capacity(rows * num_inter);
            let mut slots = Vec::with_capacity(rows * num_inter);
            for r in first..first + rows {
                cap.clear();
                let next = (r + 1) % n;
                let empty: &[Felt] = &[];
                let local = &main.values[r * main.width()..(r + 1) * main.width()];
                let next_row = &main.values[next * main.width()..(next + 1) * main.width()];
                let (pl, pn) = match pre {
                    Some(p) => (
                        &p.values[r * p.width()..(r + 1) * p.width()],
                        &p.values[next * p.width()..(next + 1) * p.width()],
                    ),
                    None => (empty, empty),
                };
                let vars = Vars {
                    local,
                    next: next_row,
                    pre_local: pl,
                    pre_next: pn,
                    public,
                };
                air.eval(&vars, &mut InteractionsOnly(&mut cap));
                debug_assert_eq!(cap.len(), num_inter, "eval must be straight-line");
                for i in 0..cap.len() {
                    let (bus, values, m) = cap.get(i);
                    // A term with multiplicity zero is zero: its denominator is neither
                    // computed nor inverted (most of a wide table's interactions are
                    // selected off on any given row).
                    if m == Felt::ZERO {
                        slots.push(NO_TERM);
                    } else {
                        slots.push(dens.len() as u32);
                        dens.push(ch.denominator(bus, values));
                        mults.push(m);
                    }
                }
            }
            if dens.contains(&Ext::ZERO) {
                return false;
            }
            let inv = p3_field::batch_multiplicative_inverse(&dens);
            let term = |slot: u32| match slot {
                NO_TERM => Ext::ZERO,
                s => inv[s as usize] * mults[s as usize],
            };
            for (k, (row, sum)) in aux_rows.chunks_exact_mut(width).zip(sums).enumerate() {
                let base = k * num_inter;
                let mut total = Ext::ZERO;
                for (g, members) in groups.iter().enumerate() {
                    let h: Ext = members.iter().map(|&a| term(slots[base + a])).sum();
                    row[g * 2..g * 2 + 2].copy_from_slice(&ext_limbs(&h));
                    total += h;
                }
                *sum = total;
            }
            true
        });
    if !ok {
        return None;
    }
    // The running sum is a sequential prefix over rows.
    let acc_col = (aux_w - 1) * EXT_DEGREE;
    let mut running = Ext::ZERO;
    for (row, s) in aux.values.chunks_exact_mut(width).zip(&row_sums) {
        running += *s;
        row[acc_col..acc_col + 2].copy_from_slice(&ext_limbs(&running));
    }
    Some((aux, running))
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
    use crate::stark::field::ext_from_limbs;

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
        }
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
        let (aux, sum) = build_aux_trace(&air, &info, &main, None, &[], &ch, 0)
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
        assert!(build_aux_trace(&air, &info, &main, None, &[], &ch, 0).is_none());
    }
}
