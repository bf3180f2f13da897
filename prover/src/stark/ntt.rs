//! Our own NTTs (radix-2 butterflies, two layers per pass) on row-major matrices, for
//! moving an LDE block between storage (bit-reversed) order and coefficients without any
//! bit-reversal pass, and for evaluating only some output rows ([`evaluate_wanted`]: a
//! sub-transform none of whose outputs is wanted is skipped).
//!
//! `p3-dft`'s transforms take and give natural order (bit-reversing the matrix inside, for
//! its cache blocking), so one block to the next through them is a bit-reversal, its coset
//! interpolation and its coset evaluation. Here the pairing of the two classic networks does
//! without any:
//!
//! * [`interpolate`]: decimation in time takes its input bit-reversed and gives natural
//!   order, so evaluations in storage order become coefficients in natural order;
//! * [`evaluate`]: decimation in frequency takes natural order and gives bit-reversed, so
//!   coefficients become evaluations in storage order.
//!
//! Both recurse, the two largest layers of a sub-transform in one pass (radix 4, quarters in
//! parallel), until a sub-transform fits in [`BASE_CELLS`], then run its layers in place in
//! cache. A coset's row scaling rides in the nearest such pass (before evaluation's first
//! layers, after interpolation's last), and [`recoset`] makes interpolation's last two
//! layers, the scaling and evaluation's first two one pass; a butterfly at twiddle one (the
//! first of each block of an in-cache layer, all of the smallest layer) skips its
//! multiplication. Both cut the CPU main trace's block to block (2^19 rows, 55 columns) by
//! about a tenth: 290-303 -> 263-278 ms, three alternating runs each of a 10-iteration
//! loop; 8 columns 46.6-47.4 -> 44.0-45.6 ms. Every butterfly works on whole rows, packed
//! across columns ([`Felt`]'s packing: 8 lanes with AVX-512). The values are those of any
//! other correct transform: the tests check them against `p3-dft`. `cargo bench -p prover
//! --bench ntt` (2^20 rows, one block to the next, before session 17): 95 against 145 ms at
//! 8 columns, 225 against 346 ms at 26. For a whole LDE
//! (one interpolation, one evaluation per coset) `p3-dft` is as fast, and
//! [`Lde::extend_owned`](super::domain::Lde::extend_owned) keeps it.

use p3_field::{Field, PackedValue, PrimeCharacteristicRing, TwoAdicField};
use rayon::prelude::*;

use super::field::Felt;

type Packed = <Felt as Field>::Packing;

/// A sub-transform of at most this many cells runs its layers in place, sequentially (it
/// fits in a core's L2 cache).
pub const BASE_CELLS: usize = 1 << 15;

/// Rows per parallel task in a top layer.
const ROWS_PER_TASK: usize = 1 << 9;

/// `w^j` for `j < n/2`, `w` a primitive `n`-th root of unity (or its inverse), in natural
/// order: every layer's twiddles, the layer of size `n / s` taking every `s`-th.
#[derive(Clone, Debug)]
pub struct Roots {
    log_n: usize,
    values: Vec<Felt>,
}

impl Roots {
    /// The roots for transforms of `2^log_n` rows: forward (`inverse = false`) or inverse.
    pub fn new(log_n: usize, inverse: bool) -> Self {
        let mut w = Felt::two_adic_generator(log_n);
        if inverse {
            w = w.inverse();
        }
        let half = (1usize << log_n) / 2;
        Self {
            log_n,
            values: powers_in_parallel(w, half),
        }
    }
}

/// `base^j` for `j < len`, made in parallel chunks.
pub fn powers_in_parallel(base: Felt, len: usize) -> Vec<Felt> {
    const CHUNK: usize = 1 << 12;
    let mut out = vec![Felt::ZERO; len];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            let mut p = base.exp_u64((c * CHUNK) as u64);
            for v in chunk {
                *v = p;
                p *= base;
            }
        });
    out
}

/// `x, y <- x + y, (x - y) t`, row by row.
#[inline]
fn dif_butterfly(x: &mut [Felt], y: &mut [Felt], t: Felt) {
    let (xp, xs) = Packed::pack_slice_with_suffix_mut(x);
    let (yp, ys) = Packed::pack_slice_with_suffix_mut(y);
    let tp = Packed::from(t);
    for (a, b) in xp.iter_mut().zip(yp.iter_mut()) {
        let (s, d) = (*a + *b, *a - *b);
        *a = s;
        *b = d * tp;
    }
    for (a, b) in xs.iter_mut().zip(ys.iter_mut()) {
        let (s, d) = (*a + *b, *a - *b);
        *a = s;
        *b = d * t;
    }
}

/// `x, y <- x + y t, x - y t`, row by row.
#[inline]
fn dit_butterfly(x: &mut [Felt], y: &mut [Felt], t: Felt) {
    let (xp, xs) = Packed::pack_slice_with_suffix_mut(x);
    let (yp, ys) = Packed::pack_slice_with_suffix_mut(y);
    let tp = Packed::from(t);
    for (a, b) in xp.iter_mut().zip(yp.iter_mut()) {
        let u = *b * tp;
        let v = *a;
        *a = v + u;
        *b = v - u;
    }
    for (a, b) in xs.iter_mut().zip(ys.iter_mut()) {
        let u = *b * t;
        let v = *a;
        *a = v + u;
        *b = v - u;
    }
}

/// `x, y <- x + y, x - y`, row by row: either butterfly at twiddle one (the first of every
/// block of a layer, and every one of the smallest layer), without the multiplication.
#[inline]
fn unit_butterfly(x: &mut [Felt], y: &mut [Felt]) {
    let (xp, xs) = Packed::pack_slice_with_suffix_mut(x);
    let (yp, ys) = Packed::pack_slice_with_suffix_mut(y);
    for (a, b) in xp.iter_mut().zip(yp.iter_mut()) {
        (*a, *b) = (*a + *b, *a - *b);
    }
    for (a, b) in xs.iter_mut().zip(ys.iter_mut()) {
        (*a, *b) = (*a + *b, *a - *b);
    }
}

/// One layer over a whole (sub-)transform: rows `j` and `j + n/2` of `m`, twiddle
/// `roots[j * stride]`, in parallel row chunks.
fn top_layer(
    m: &mut [Felt],
    width: usize,
    roots: &[Felt],
    stride: usize,
    butterfly: fn(&mut [Felt], &mut [Felt], Felt),
) {
    let (lo, hi) = m.split_at_mut(m.len() / 2);
    lo.par_chunks_mut(ROWS_PER_TASK * width)
        .zip(hi.par_chunks_mut(ROWS_PER_TASK * width))
        .enumerate()
        .for_each(|(task, (lo, hi))| {
            let first = task * ROWS_PER_TASK;
            for (j, (x, y)) in lo
                .chunks_exact_mut(width)
                .zip(hi.chunks_exact_mut(width))
                .enumerate()
            {
                butterfly(x, y, roots[(first + j) * stride]);
            }
        });
}

/// Every layer of a small transform in place: decimation in frequency (`dif`, largest
/// layer first) or in time (smallest first).
fn base_layers(m: &mut [Felt], width: usize, roots: &[Felt], stride: usize, dif: bool) {
    let n = m.len() / width;
    let log_n = n.trailing_zeros() as usize;
    for l in 0..log_n {
        // Butterfly span (half a block) of this layer.
        let half = if dif { n >> (l + 1) } else { 1 << l };
        let step = stride * (n / (2 * half));
        for block in m.chunks_exact_mut(2 * half * width) {
            let (lo, hi) = block.split_at_mut(half * width);
            for (j, (x, y)) in lo
                .chunks_exact_mut(width)
                .zip(hi.chunks_exact_mut(width))
                .enumerate()
            {
                if j == 0 {
                    unit_butterfly(x, y);
                } else if dif {
                    dif_butterfly(x, y, roots[j * step]);
                } else {
                    dit_butterfly(x, y, roots[j * step]);
                }
            }
        }
    }
}

/// `scale * ratio^j` for row `j` of a transform of `2^log_n` rows, from two small tables
/// (`2^(log_n / 2)` and `2^(log_n - log_n / 2)` entries): one product per row.
#[derive(Debug)]
struct RowScale {
    lo: Vec<Felt>,
    hi: Vec<Felt>,
    half: usize,
}

impl RowScale {
    fn new(log_n: usize, scale: Felt, ratio: Felt) -> Self {
        let half = log_n / 2;
        Self {
            lo: ratio.powers().take(1 << half).map(|p| p * scale).collect(),
            hi: ratio
                .exp_power_of_2(half)
                .powers()
                .take(1 << (log_n - half))
                .collect(),
            half,
        }
    }

    #[inline]
    fn at(&self, j: usize) -> Felt {
        self.lo[j & ((1 << self.half) - 1)] * self.hi[j >> self.half]
    }
}

/// `row <- row * s`, packed.
#[inline]
fn scale_row(row: &mut [Felt], s: Felt) {
    let (p, rest) = Packed::pack_slice_with_suffix_mut(row);
    let sp = Packed::from(s);
    for v in p {
        *v *= sp;
    }
    for v in rest {
        *v *= s;
    }
}

/// Rows `j`, `j + n/4`, `j + n/2`, `j + 3n/4` of a (sub-)transform of `n` rows: what one
/// pass of [`top_two_layers`] hands its step, with `j` and `n/4`.
type Four<'r> = [&'r mut [Felt]; 4];

/// The twiddles of the two largest layers at row `j` of a sub-transform of stride `stride`.
#[inline]
fn top_twiddles(roots: &[Felt], stride: usize, j: usize, n4: usize) -> (Felt, Felt, Felt) {
    (
        roots[j * stride],
        roots[(j + n4) * stride],
        roots[2 * j * stride],
    )
}

/// Decimation in frequency's first two layers on four rows.
#[inline]
fn dif_four([a0, a1, a2, a3]: &mut Four<'_>, (t0, t1, t2): (Felt, Felt, Felt)) {
    dif_butterfly(a0, a2, t0);
    dif_butterfly(a1, a3, t1);
    dif_butterfly(a0, a1, t2);
    dif_butterfly(a2, a3, t2);
}

/// Decimation in time's last two layers on four rows.
#[inline]
fn dit_four([a0, a1, a2, a3]: &mut Four<'_>, (t0, t1, t2): (Felt, Felt, Felt)) {
    dit_butterfly(a0, a1, t2);
    dit_butterfly(a2, a3, t2);
    dit_butterfly(a0, a2, t0);
    dit_butterfly(a1, a3, t1);
}

/// Each of four rows times its factor (rows numbered in the whole matrix).
#[inline]
fn scale_four(rows: &mut Four<'_>, scale: &RowScale, j: usize, n4: usize) {
    for (i, row) in rows.iter_mut().enumerate() {
        scale_row(row, scale.at(j + i * n4));
    }
}

/// One pass over memory for the two largest layers of a (sub-)transform: `step(j, n/4,
/// rows)` on rows `j`, `j + n/4`, `j + n/2`, `j + 3n/4` for every `j < n/4`, in parallel
/// row chunks. A step may do more than the two layers ([`recoset`]: decimation in time's
/// last two, the scaling and decimation in frequency's first two), so that memory is read
/// and written once for all.
fn top_two_layers(m: &mut [Felt], width: usize, step: impl Fn(usize, usize, &mut Four<'_>) + Sync) {
    let quarter = m.len() / 4;
    let n4 = quarter / width;
    let (h0, h1) = m.split_at_mut(2 * quarter);
    let (q0, q1) = h0.split_at_mut(quarter);
    let (q2, q3) = h1.split_at_mut(quarter);
    let cells = ROWS_PER_TASK * width;
    q0.par_chunks_mut(cells)
        .zip(q1.par_chunks_mut(cells))
        .zip(q2.par_chunks_mut(cells))
        .zip(q3.par_chunks_mut(cells))
        .enumerate()
        .for_each(|(task, (((q0, q1), q2), q3))| {
            let first = task * ROWS_PER_TASK;
            let rows = q0
                .chunks_exact_mut(width)
                .zip(q1.chunks_exact_mut(width))
                .zip(q2.chunks_exact_mut(width))
                .zip(q3.chunks_exact_mut(width));
            for (r, (((a0, a1), a2), a3)) in rows.enumerate() {
                step(first + r, n4, &mut [a0, a1, a2, a3]);
            }
        });
}

/// Runs `f` on the four quarters of `m` in parallel, each with its index.
fn quarters(m: &mut [Felt], f: impl Fn(usize, &mut [Felt]) + Sync) {
    let quarter = m.len() / 4;
    let (h0, h1) = m.split_at_mut(2 * quarter);
    let (q0, q1) = h0.split_at_mut(quarter);
    let (q2, q3) = h1.split_at_mut(quarter);
    rayon::join(
        || rayon::join(|| f(0, q0), || f(1, q1)),
        || rayon::join(|| f(2, q2), || f(3, q3)),
    );
}

/// Which output rows of an evaluation are wanted: `wanted(first, len)` says whether any of
/// rows `first .. first + len` (storage order) is.
pub type Wanted<'a> = &'a (dyn Fn(usize, usize) -> bool + Sync);

/// Decimation in frequency of `m` (natural order in, bit-reversed out), a sub-transform of
/// size `n / stride` of `roots`' `n` whose outputs are rows `first ..` of the whole. A
/// sub-transform none of whose output rows is `wanted` is skipped (its rows are left as
/// they are): after the top layers each quarter only feeds its own quarter of the output.
/// `pre` (whole matrices only) scales the rows first, in the first pass over memory.
fn dif(
    m: &mut [Felt],
    width: usize,
    (roots, stride): (&[Felt], usize),
    at: (usize, Wanted<'_>),
    pre: Option<&RowScale>,
) {
    let (first, wanted) = at;
    let rows = m.len() / width;
    if !wanted(first, rows) {
        return;
    }
    if m.len() > BASE_CELLS && rows >= 4 {
        top_two_layers(m, width, |j, n4, rows| {
            if let Some(scale) = pre {
                scale_four(rows, scale, j, n4);
            }
            dif_four(rows, top_twiddles(roots, stride, j, n4));
        });
        return dif_quarters(m, width, (roots, stride * 4), at);
    }
    if let Some(scale) = pre {
        scale_rows_by(m, width, scale);
    }
    if rows <= 1 {
        return;
    }
    if m.len() <= BASE_CELLS {
        return dif_base(m, width, roots, stride, (first, wanted));
    }
    top_layer(m, width, roots, stride, dif_butterfly);
    let (lo, hi) = m.split_at_mut(m.len() / 2);
    rayon::join(
        || dif(lo, width, (roots, stride * 2), (first, wanted), None),
        || {
            dif(
                hi,
                width,
                (roots, stride * 2),
                (first + rows / 2, wanted),
                None,
            )
        },
    );
}

/// [`dif`] on each quarter of `m`, after its top two layers (`stride` is the quarters').
fn dif_quarters(m: &mut [Felt], width: usize, roots: (&[Felt], usize), at: (usize, Wanted<'_>)) {
    let (first, wanted) = at;
    let quarter = m.len() / width / 4;
    quarters(m, |i, q| {
        dif(q, width, roots, (first + i * quarter, wanted), None)
    });
}

/// Rows below which [`dif_base`] runs a sub-transform's layers whole rather than checking
/// its halves: a leaf subtree of the held Merkle levels is at least this tall.
const PRUNED_MIN_ROWS: usize = 16;

/// [`dif`]'s in-cache case (`m` within [`BASE_CELLS`], its rows wanted): every row wanted
/// (the evaluation of a whole block), its layers in place ([`base_layers`]); else one layer,
/// then each half only if one of its output rows is wanted, down to [`PRUNED_MIN_ROWS`]
/// (the openings: a few leaf subtrees in a block, `cargo bench -p prover --bench ntt`).
fn dif_base(m: &mut [Felt], width: usize, roots: &[Felt], stride: usize, at: (usize, Wanted<'_>)) {
    let (first, wanted) = at;
    let rows = m.len() / width;
    let half = rows / 2;
    if rows <= PRUNED_MIN_ROWS || (wanted(first, half) && wanted(first + half, half)) {
        return base_layers(m, width, roots, stride, true);
    }
    let (lo, hi) = m.split_at_mut(half * width);
    for (j, (x, y)) in lo
        .chunks_exact_mut(width)
        .zip(hi.chunks_exact_mut(width))
        .enumerate()
    {
        dif_butterfly(x, y, roots[j * stride]);
    }
    if wanted(first, half) {
        dif_base(lo, width, roots, stride * 2, (first, wanted));
    } else {
        dif_base(hi, width, roots, stride * 2, (first + half, wanted));
    }
}

/// Decimation in time of `m` (bit-reversed in, natural order out), a sub-transform of size
/// `n / stride` of `roots`' `n`. `post` (whole matrices only) scales the rows last, in the
/// last pass over memory.
fn dit(m: &mut [Felt], width: usize, (roots, stride): (&[Felt], usize), post: Option<&RowScale>) {
    let rows = m.len() / width;
    if m.len() > BASE_CELLS && rows >= 4 {
        quarters(m, |_, q| dit(q, width, (roots, stride * 4), None));
        return top_two_layers(m, width, |j, n4, rows| {
            dit_four(rows, top_twiddles(roots, stride, j, n4));
            if let Some(scale) = post {
                scale_four(rows, scale, j, n4);
            }
        });
    }
    if rows > 1 && m.len() <= BASE_CELLS {
        base_layers(m, width, roots, stride, false);
    } else if rows > 1 {
        let (lo, hi) = m.split_at_mut(m.len() / 2);
        rayon::join(
            || dit(lo, width, (roots, stride * 2), None),
            || dit(hi, width, (roots, stride * 2), None),
        );
        top_layer(m, width, roots, stride, dit_butterfly);
    }
    if let Some(scale) = post {
        scale_rows_by(m, width, scale);
    }
}

/// Row `j` of `m` times `scale.at(j)`, in parallel.
fn scale_rows_by(m: &mut [Felt], width: usize, scale: &RowScale) {
    m.par_chunks_mut(ROWS_PER_TASK * width)
        .enumerate()
        .for_each(|(task, rows)| {
            let first = task * ROWS_PER_TASK;
            for (r, row) in rows.chunks_exact_mut(width).enumerate() {
                scale_row(row, scale.at(first + r));
            }
        });
}

/// The factors of [`interpolate`]'s last pass: `1/n * (post / shift)^j`.
fn interpolation_scale(log_n: usize, shift: Felt, post: Felt) -> RowScale {
    let n_inv = Felt::from_usize(1 << log_n).inverse();
    RowScale::new(log_n, n_inv, shift.inverse() * post)
}

/// Evaluations of the columns of `m` (`n` rows of `width`) on `shift * H_n` in storage
/// (bit-reversed) order, to their coefficients in natural order, in place, times
/// `post^j` on coefficient `j`: `post = 1` gives the coefficients, `post = c` the
/// coefficients of `f(c x)`. `roots` are the inverse roots of size `n`.
pub fn interpolate(m: &mut [Felt], width: usize, roots: &Roots, shift: Felt, post: Felt) {
    debug_assert_eq!(m.len() / width, 1 << roots.log_n);
    let scale = interpolation_scale(roots.log_n, shift, post);
    dit(m, width, (&roots.values, 1), Some(&scale));
}

/// Coefficients of the columns of `m` (natural order), times `shift^j` already, to their
/// evaluations on `shift * H_n` in storage (bit-reversed) order, in place. `roots` are the
/// forward roots of size `n`.
pub fn evaluate_scaled(m: &mut [Felt], width: usize, roots: &Roots) {
    evaluate_wanted(m, width, roots, Felt::ONE, &|_, _| true);
}

/// Coefficients of the columns of `m` (natural order) to their evaluations on
/// `shift * H_n` in storage (bit-reversed) order, in place, computing only the output rows
/// that are `wanted` (and every row of the smallest sub-transforms holding them, down to
/// 16 rows, see `dif_base`); the others are left unspecified. `shift = 1` scales nothing;
/// any other shift's scaling is done in the first pass over memory.
pub fn evaluate_wanted(
    m: &mut [Felt],
    width: usize,
    roots: &Roots,
    shift: Felt,
    wanted: Wanted<'_>,
) {
    debug_assert_eq!(m.len() / width, 1 << roots.log_n);
    let scale = (shift != Felt::ONE).then(|| RowScale::new(roots.log_n, Felt::ONE, shift));
    dif(m, width, (&roots.values, 1), (0, wanted), scale.as_ref());
}

/// Coefficients of the columns of `m` (natural order) to their evaluations on
/// `shift * H_n` in storage (bit-reversed) order, in place.
pub fn evaluate(m: &mut [Felt], width: usize, roots: &Roots, shift: Felt) {
    evaluate_wanted(m, width, roots, shift, &|_, _| true);
}

/// Evaluations on `from * H_n` in storage order to evaluations on `to * H_n` in storage
/// order, in place: an interpolation, one scaling, an evaluation. Where the matrix has top
/// layers, the interpolation's last two, the scaling and the evaluation's first two are
/// one pass over memory.
pub fn recoset(
    m: &mut [Felt],
    width: usize,
    (forward, inverse): (&Roots, &Roots),
    from: Felt,
    to: Felt,
) {
    let rows = m.len() / width;
    debug_assert_eq!(rows, 1 << inverse.log_n);
    let scale = interpolation_scale(inverse.log_n, from, to);
    let all: Wanted<'_> = &|_, _| true;
    if m.len() > BASE_CELLS && rows >= 4 {
        quarters(m, |_, q| dit(q, width, (&inverse.values, 4), None));
        top_two_layers(m, width, |j, n4, rows| {
            dit_four(rows, top_twiddles(&inverse.values, 1, j, n4));
            scale_four(rows, &scale, j, n4);
            dif_four(rows, top_twiddles(&forward.values, 1, j, n4));
        });
        return dif_quarters(m, width, (&forward.values, 4), (0, all));
    }
    dit(m, width, (&inverse.values, 1), Some(&scale));
    dif(m, width, (&forward.values, 1), (0, all), None);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::domain::bitrev;
    use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
    use p3_matrix::Matrix;
    use p3_matrix::dense::RowMajorMatrix;

    fn matrix(log_n: usize, width: usize, seed: u64) -> RowMajorMatrix<Felt> {
        let values = (0..(width << log_n) as u64)
            .map(|i| Felt::from_u64(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed))
            .collect();
        RowMajorMatrix::new(values, width)
    }

    /// Rows of `m` in storage order.
    fn bit_reversed(m: &RowMajorMatrix<Felt>) -> Vec<Felt> {
        let (n, w) = (m.height(), m.width());
        let log_n = n.trailing_zeros() as usize;
        (0..n)
            .flat_map(|i| {
                let r = bitrev(i, log_n);
                m.values[r * w..(r + 1) * w].iter().copied()
            })
            .collect()
    }

    // Shapes around BASE_CELLS: all in cache, one and several pairs of top layers, a single
    // top layer (two rows wider than BASE_CELLS); widths below, at and above a packed
    // vector, and not a multiple of one.
    const SHAPES: [(usize, usize); 7] = [
        (0, 3),
        (3, 1),
        (6, 8),
        (12, 9),
        (13, 8),
        (14, 26),
        (1, 1 << 15),
    ];

    #[test]
    fn evaluate_equals_p3s_coset_dft_in_storage_order() {
        let dft = Radix2DitParallel::<Felt>::default();
        let shift = Felt::GENERATOR * Felt::two_adic_generator(20);
        for (log_n, width) in SHAPES {
            let coeffs = matrix(log_n, width, 1);
            let want = dft
                .coset_dft_batch(coeffs.clone(), shift)
                .to_row_major_matrix();
            let mut got = coeffs.values.clone();
            evaluate(&mut got, width, &Roots::new(log_n, false), shift);
            assert_eq!(got, bit_reversed(&want), "{log_n} x {width}");
        }
    }

    #[test]
    fn an_evaluation_computes_every_wanted_row() {
        let (log_n, width) = (15, 8);
        let coeffs = matrix(log_n, width, 3);
        let roots = Roots::new(log_n, false);
        let mut all = coeffs.values.clone();
        evaluate_scaled(&mut all, width, &roots);
        let rows = [0usize, 5, 4096 * 3 + 17, (1 << log_n) - 1];
        let wanted = |first: usize, len: usize| rows.iter().any(|&r| first <= r && r < first + len);
        let mut some = coeffs.values;
        evaluate_wanted(&mut some, width, &roots, Felt::ONE, &wanted);
        for r in rows {
            assert_eq!(
                some[r * width..(r + 1) * width],
                all[r * width..(r + 1) * width]
            );
        }
        assert_ne!(some, all, "unwanted sub-transforms were skipped");
    }

    #[test]
    fn interpolate_inverts_evaluate_and_recoset_moves_cosets() {
        let dft = Radix2DitParallel::<Felt>::default();
        let (from, to) = (Felt::GENERATOR, Felt::GENERATOR * Felt::from_u64(5));
        for (log_n, width) in SHAPES {
            let coeffs = matrix(log_n, width, 2);
            let (fwd, inv) = (Roots::new(log_n, false), Roots::new(log_n, true));
            let mut m = coeffs.values.clone();
            evaluate(&mut m, width, &fwd, from);
            let on_from = m.clone();
            interpolate(&mut m, width, &inv, from, Felt::ONE);
            assert_eq!(m, coeffs.values, "{log_n} x {width}");
            let mut moved = on_from;
            recoset(&mut moved, width, (&fwd, &inv), from, to);
            let want = dft.coset_dft_batch(coeffs, to).to_row_major_matrix();
            assert_eq!(moved, bit_reversed(&want), "{log_n} x {width}");
        }
    }
}
