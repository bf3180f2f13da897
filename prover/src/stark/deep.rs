//! DEEP quotients: how committed columns are tied to their out-of-domain values.
//!
//! For one instance with columns `c_j` (preprocessed, main, aux, quotient parts, in that
//! order; an extension column counts once) and a challenge `lambda`,
//!
//! ```text
//! D(x) = sum_j lambda^j (c_j(x) - c_j(z)) / (x - z)
//!      + sum_{j shifted} lambda^(m + j) (c_j(x) - c_j(z*w)) / (x - z*w)
//! ```
//!
//! where `m` is the number of columns and the shifted columns are all but the quotient parts.
//! Because the numerators are linear, `D(x) = (A(x) - A_z)/(x - z) + (B(x) - B_zw)/(x - z*w)`
//! with `A, B` fixed linear combinations of the committed limbs: one dot product per row.
//! Prover and verifier ([`DeepCombiner::value_at`]) use the same coefficients. The prover
//! combines the columns on the trace domain (or their coefficients, where it holds those) and
//! extends only `A` and `B` ([`combine_rows`], [`add_coefficients`], [`quotient_on_lde`]);
//! [`accumulate`] is the same sum taken
//! directly over committed LDEs (the reference the two are tested against).

use p3_field::{Field, PrimeCharacteristicRing};
use rayon::prelude::*;

use p3_matrix::dense::RowMajorMatrix;

use super::domain::{Lde, lde_buffer};
use super::field::{Ext, Felt, ext_from_limbs, ext_limbs};
use super::proof::OodValues;

/// Column counts of an instance's committed segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentWidths {
    /// Preprocessed base columns.
    pub pre: usize,
    /// Main base columns.
    pub main: usize,
    /// Aux extension columns.
    pub aux: usize,
    /// Quotient extension columns.
    pub quotient: usize,
}

impl SegmentWidths {
    /// Base-field limbs per committed row, segment by segment, in commitment order.
    /// Empty segments (no preprocessed columns, no aux) are skipped.
    pub fn limb_widths(&self) -> Vec<usize> {
        [self.pre, self.main, 2 * self.aux, 2 * self.quotient]
            .into_iter()
            .enumerate()
            .filter(|&(seg, w)| w > 0 || seg == 1 || seg == 3)
            .map(|(_, w)| w)
            .collect()
    }
}

/// The per-limb coefficients of `A` and `B` and their out-of-domain constants.
#[derive(Clone, Debug)]
pub struct DeepCombiner {
    /// One coefficient per committed limb, in commitment order (`A`).
    all: Vec<Ext>,
    /// One coefficient per limb of the shifted segments (`B`); zero for quotient limbs.
    shifted: Vec<Ext>,
    a_z: Ext,
    b_zw: Ext,
}

fn u() -> Ext {
    ext_from_limbs(Felt::ZERO, Felt::ONE)
}

impl DeepCombiner {
    /// Coefficients for an instance, from its OOD values and `lambda`.
    pub fn new(w: &SegmentWidths, ood: &OodValues, lambda: Ext) -> Self {
        let m = w.pre + w.main + w.aux + w.quotient;
        let pw = super::field::powers(lambda, m + w.pre + w.main + w.aux);
        let u = u();
        let mut all = Vec::new();
        let mut shifted = Vec::new();
        let mut a_z = Ext::ZERO;
        let mut b_zw = Ext::ZERO;
        let mut j = 0;
        let mut k = m;
        let base_segments = [
            (&ood.pre_local, &ood.pre_next),
            (&ood.main_local, &ood.main_next),
        ];
        for (local, next) in base_segments {
            for (l, n) in local.iter().zip(next.iter()) {
                all.push(pw[j]);
                shifted.push(pw[k]);
                a_z += pw[j] * *l;
                b_zw += pw[k] * *n;
                j += 1;
                k += 1;
            }
        }
        for (l, n) in ood.aux_local.iter().zip(ood.aux_next.iter()) {
            all.extend([pw[j], pw[j] * u]);
            shifted.extend([pw[k], pw[k] * u]);
            a_z += pw[j] * *l;
            b_zw += pw[k] * *n;
            j += 1;
            k += 1;
        }
        for q in &ood.quotient {
            all.extend([pw[j], pw[j] * u]);
            shifted.extend([Ext::ZERO, Ext::ZERO]);
            a_z += pw[j] * *q;
            j += 1;
        }
        Self {
            all,
            shifted,
            a_z,
            b_zw,
        }
    }

    /// Total committed limbs this combiner expects per row.
    pub fn num_limbs(&self) -> usize {
        self.all.len()
    }

    /// `(A(x), B(x))` from the committed limbs of one row, segments concatenated.
    #[inline]
    fn linear<'r>(&self, segments: impl Iterator<Item = &'r [Felt]>) -> (Ext, Ext) {
        let mut first = 0;
        self.linear_at(segments.map(|seg| {
            let at = first;
            first += seg.len();
            (at, seg)
        }))
    }

    /// The part of `(A(x), B(x))` that some of one row's limbs give: each item is a run of
    /// consecutive limbs and the index of its first limb in commitment order.
    #[inline]
    fn linear_at<'r>(&self, runs: impl Iterator<Item = (usize, &'r [Felt])>) -> (Ext, Ext) {
        let mut a = Ext::ZERO;
        let mut b = Ext::ZERO;
        for (first, run) in runs {
            let all = &self.all[first..first + run.len()];
            let shifted = &self.shifted[first..first + run.len()];
            for ((&v, &ca), &cb) in run.iter().zip(all).zip(shifted) {
                a += ca * v;
                b += cb * v;
            }
        }
        (a, b)
    }

    /// `D(x)` from one opened row; `inv_xz = 1/(x - z)`, `inv_xzw = 1/(x - z*w)`.
    pub fn value_at<'r>(
        &self,
        segments: impl Iterator<Item = &'r [Felt]>,
        inv_xz: Ext,
        inv_xzw: Ext,
    ) -> Ext {
        let (a, b) = self.linear(segments);
        (a - self.a_z) * inv_xz + (b - self.b_zw) * inv_xzw
    }
}

/// Rows per parallel work unit.
const ROWS_PER_TASK: usize = 1 << 12;

impl DeepCombiner {
    /// `(A(z), B(z*w))`: the out-of-domain constants the combinations are shifted by.
    pub fn constants(&self) -> (Ext, Ext) {
        (self.a_z, self.b_zw)
    }
}

/// Some of an instance's committed limbs, every row: `width` consecutive limbs a row
/// (row-major `values`), the first of them limb `first` in commitment order (preprocessed,
/// main, aux, quotient parts; see [`SegmentWidths::limb_widths`]).
#[derive(Clone, Copy, Debug)]
pub struct Limbs<'a> {
    /// Index of the first limb in commitment order.
    pub first: usize,
    /// The rows, row-major.
    pub values: &'a [Felt],
    /// Limbs per row.
    pub width: usize,
}

impl<'a> Limbs<'a> {
    /// Rows `(values, width)` whose first limb is limb `first` in commitment order.
    pub fn new(first: usize, (values, width): (&'a [Felt], usize)) -> Self {
        Self {
            first,
            values,
            width,
        }
    }
}

/// `acc[r] += scale * (A_r, B_r)`, where `(A_r, B_r)` is what the `runs` of row `r` give
/// of one instance's `A` and `B`.
///
/// `A` and `B` are fixed linear combinations of the columns, so the rows may be the
/// columns' values on the trace domain `H` (then `acc` holds `A` and `B` on `H`) or their
/// coefficients (then `acc` holds theirs): the prover combines an instance's columns (and
/// the members of a bucket, scaled), then extends two extension columns
/// ([`quotient_on_lde`], after [`add_coefficients`]) instead of every committed column. The
/// result is the same field elements as [`accumulate`] over the committed LDEs.
pub fn combine_rows(combiner: &DeepCombiner, runs: &[Limbs<'_>], scale: Ext, acc: &mut [[Ext; 2]]) {
    acc.par_chunks_mut(ROWS_PER_TASK)
        .enumerate()
        .for_each(|(task, acc)| {
            let first = task * ROWS_PER_TASK;
            for (r, o) in acc.iter_mut().enumerate() {
                let s = first + r;
                let rows = runs
                    .iter()
                    .map(|l| (l.first, &l.values[s * l.width..(s + 1) * l.width]));
                let (a, b) = combiner.linear_at(rows);
                o[0] += scale * a;
                o[1] += scale * b;
            }
        });
}

/// `acc += coeffs` evaluated on `H`: the part of `(A, B)` combined from coefficients
/// ([`combine_rows`]), added to the part combined from values on `H`, by one transform of
/// two extension columns. `coeffs` is freed once its limbs are laid out, before the
/// transform.
pub fn add_coefficients(lde: &Lde, acc: &mut [[Ext; 2]], coeffs: Vec<[Ext; 2]>) {
    let limbs: Vec<Felt> = coeffs
        .iter()
        .flat_map(|[a, b]| {
            let [a0, a1] = ext_limbs(a);
            let [b0, b1] = ext_limbs(b);
            [a0, a1, b0, b1]
        })
        .collect();
    drop(coeffs);
    let on_h = lde.evaluate_on_subgroup(RowMajorMatrix::new(limbs, 4));
    acc.par_iter_mut()
        .zip(on_h.values.par_chunks_exact(4))
        .for_each(|(o, l)| {
            o[0] += ext_from_limbs(l[0], l[1]);
            o[1] += ext_from_limbs(l[2], l[3]);
        });
}

/// The DEEP quotient of a bucket on its LDE coset (storage order), from the scaled sums of
/// its members' `(A, B)` on `H` ([`combine_rows`]) and of their constants:
/// `(A(x) - a_z)/(x - z) + (B(x) - b_zw)/(x - z*w)`. `points[s]` is the LDE point of storage
/// row `s`. Fails only if `z` or `z*w` is an LDE point.
pub fn quotient_on_lde(
    lde: &Lde,
    acc: Vec<[Ext; 2]>,
    (a_z, b_zw): (Ext, Ext),
    log_blowup: usize,
    points: &[Felt],
    z: Ext,
    zw: Ext,
) -> Result<Vec<Ext>, &'static str> {
    let mut limbs = lde_buffer((4 * acc.len()) << log_blowup);
    limbs.extend(acc.iter().flat_map(|[a, b]| {
        let [a0, a1] = ext_limbs(a);
        let [b0, b1] = ext_limbs(b);
        [a0, a1, b0, b1]
    }));
    drop(acc);
    let ab = lde.extend_owned(RowMajorMatrix::new(limbs, 4), log_blowup);
    let mut out = vec![Ext::ZERO; ab.values.len() / 4];
    out.par_chunks_mut(ROWS_PER_TASK)
        .enumerate()
        .try_for_each(|(task, out)| {
            let first = task * ROWS_PER_TASK;
            let pts = &points[first..first + out.len()];
            let mut diffs: Vec<Ext> = Vec::with_capacity(2 * out.len());
            diffs.extend(pts.iter().map(|&x| Ext::from(x) - z));
            diffs.extend(pts.iter().map(|&x| Ext::from(x) - zw));
            if diffs.contains(&Ext::ZERO) {
                return Err("out-of-domain point inside the LDE domain");
            }
            let inv = p3_field::batch_multiplicative_inverse(&diffs);
            let (inv_z, inv_zw) = inv.split_at(out.len());
            for (r, o) in out.iter_mut().enumerate() {
                let l = &ab.values[4 * (first + r)..4 * (first + r) + 4];
                let a = ext_from_limbs(l[0], l[1]);
                let b = ext_from_limbs(l[2], l[3]);
                *o = (a - a_z) * inv_z[r] + (b - b_zw) * inv_zw[r];
            }
            Ok(())
        })?;
    Ok(out)
}

/// `out[s] += scale * D(x_s)` for every storage row `s` of one instance's LDE segments.
/// `points[s]` is the LDE point of storage row `s`. Fails only if `z` or `z*w` is an LDE point.
pub fn accumulate(
    combiner: &DeepCombiner,
    segments: &[(&[Felt], usize)],
    points: &[Felt],
    z: Ext,
    zw: Ext,
    scale: Ext,
    out: &mut [Ext],
) -> Result<(), &'static str> {
    out.par_chunks_mut(ROWS_PER_TASK)
        .enumerate()
        .try_for_each(|(task, out)| {
            let first = task * ROWS_PER_TASK;
            let pts = &points[first..first + out.len()];
            let mut diffs: Vec<Ext> = Vec::with_capacity(2 * out.len());
            diffs.extend(pts.iter().map(|&x| z - x));
            diffs.extend(pts.iter().map(|&x| zw - x));
            if diffs.contains(&Ext::ZERO) {
                return Err("out-of-domain point inside the LDE domain");
            }
            let inv = p3_field::batch_multiplicative_inverse(&diffs);
            let (inv_z, inv_zw) = inv.split_at(out.len());
            for (r, o) in out.iter_mut().enumerate() {
                let s = first + r;
                let rows = segments.iter().map(|&(vals, w)| &vals[s * w..(s + 1) * w]);
                // (A - A_z)/(x - z) with 1/(x - z) = -1/(z - x).
                *o += scale * combiner.value_at(rows, -inv_z[r], -inv_zw[r]);
            }
            Ok(())
        })
}

/// `1/(x - z)` and `1/(x - z*w)` at one point, for the verifier.
pub fn inverses_at(x: Felt, z: Ext, zw: Ext) -> Option<(Ext, Ext)> {
    let a = (Ext::from(x) - z).try_inverse()?;
    let b = (Ext::from(x) - zw).try_inverse()?;
    Some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::domain::{Lde, Points, bitrev, coset_shift, evaluate_columns, lde_points};
    use crate::stark::field::ext_limbs;
    use p3_field::TwoAdicField;
    use p3_matrix::dense::RowMajorMatrix;

    /// Degree of the polynomial with the given LDE values (storage order) on the coset.
    fn degree(values: &[Ext], log_big: usize) -> usize {
        let n = values.len();
        let mut natural = vec![Felt::ZERO; 2 * n];
        for (s, v) in values.iter().enumerate() {
            let t = bitrev(s, log_big);
            natural[2 * t..2 * t + 2].copy_from_slice(&ext_limbs(v));
        }
        let coeffs = Lde::new().coset_interpolate(RowMajorMatrix::new(natural, 2), coset_shift());
        coeffs
            .values
            .chunks_exact(2)
            .rposition(|c| c[0] != Felt::ZERO || c[1] != Felt::ZERO)
            .unwrap_or(0)
    }

    #[test]
    fn deep_quotient_is_low_degree_exactly_when_ood_values_are_right() {
        let (log_n, log_big) = (3, 4);
        let trace = RowMajorMatrix::new((0..16u64).map(|i| Felt::from_u64(i * i + 3)).collect(), 2);
        let lde = Lde::new().extend(&trace, 1);
        let z = ext_from_limbs(Felt::from_u64(11), Felt::from_u64(29));
        let zw = z * Felt::two_adic_generator(log_n);
        let widths = SegmentWidths {
            pre: 0,
            main: 2,
            aux: 0,
            quotient: 0,
        };
        let honest = OodValues {
            pre_local: vec![],
            pre_next: vec![],
            main_local: evaluate_columns(&[&trace], Points::subgroup(log_n), &[z]).unwrap()[0][0]
                .clone(),
            main_next: evaluate_columns(&[&trace], Points::subgroup(log_n), &[zw]).unwrap()[0][0]
                .clone(),
            aux_local: vec![],
            aux_next: vec![],
            quotient: vec![],
        };
        let lambda = ext_from_limbs(Felt::from_u64(5), Felt::from_u64(8));
        let points = lde_points(coset_shift(), log_big);
        let run = |ood: &OodValues| {
            let c = DeepCombiner::new(&widths, ood, lambda);
            let mut out = vec![Ext::ZERO; 16];
            accumulate(&c, &[(&lde.values, 2)], &points, z, zw, Ext::ONE, &mut out).unwrap();
            // The verifier's single-point path agrees with the prover's batch path.
            let (a, b) = inverses_at(points[5], z, zw).unwrap();
            assert_eq!(c.value_at([&lde.values[10..12]].into_iter(), a, b), out[5]);
            out
        };
        assert!(degree(&run(&honest), log_big) < 8 - 1);
        // Combining on the trace domain, then extending, gives the same values.
        let c = DeepCombiner::new(&widths, &honest, lambda);
        let scale = ext_from_limbs(Felt::from_u64(3), Felt::from_u64(1));
        let mut acc = vec![[Ext::ZERO; 2]; 8];
        let on_h = |values| Limbs {
            first: 0,
            values,
            width: 2,
        };
        // Column 0 on H, column 1 from its coefficients.
        let mut coeffs = trace.clone();
        Lde::new().interpolate_trace(&mut coeffs);
        let column = |m: &RowMajorMatrix<Felt>, c: usize| -> Vec<Felt> {
            m.values.chunks_exact(2).map(|r| r[c]).collect()
        };
        let (col0, col1) = (column(&trace, 0), column(&coeffs, 1));
        combine_rows(
            &c,
            &[Limbs {
                first: 0,
                values: &col0,
                width: 1,
            }],
            scale,
            &mut acc,
        );
        let mut from_coeffs = vec![[Ext::ZERO; 2]; 8];
        combine_rows(
            &c,
            &[Limbs {
                first: 1,
                values: &col1,
                width: 1,
            }],
            scale,
            &mut from_coeffs,
        );
        add_coefficients(&Lde::new(), &mut acc, from_coeffs);
        let mut whole = vec![[Ext::ZERO; 2]; 8];
        combine_rows(&c, &[on_h(&trace.values)], scale, &mut whole);
        assert_eq!(
            acc, whole,
            "coefficients and values combine to the same (A, B) on H"
        );
        let (a, b) = c.constants();
        let on_h =
            quotient_on_lde(&Lde::new(), acc, (scale * a, scale * b), 1, &points, z, zw).unwrap();
        let mut direct = vec![Ext::ZERO; 16];
        accumulate(&c, &[(&lde.values, 2)], &points, z, zw, scale, &mut direct).unwrap();
        assert_eq!(on_h, direct);
        for (field, col) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let mut bad = honest.clone();
            let v = if field == 0 {
                &mut bad.main_local[col]
            } else {
                &mut bad.main_next[col]
            };
            *v += Ext::ONE;
            assert!(degree(&run(&bad), log_big) >= 8, "field {field} col {col}");
        }
    }
}
