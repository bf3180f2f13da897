//! Evaluation domains and the low-degree extension.
//!
//! A table chunk of height `n` lives on the subgroup `H = <w_n>`. Its LDE lives on the coset
//! `g*K`, `K = <w_N>`, `N = n * blowup`, `g` = [`Felt::GENERATOR`] (7, outside every subgroup).
//!
//! **LDE rows are stored in bit-reversed order**: storage row `i` holds the point
//! `g * w_N^bitrev(i)`. This is the order `p3-dft`'s `coset_lde_batch` produces, so the LDE is
//! used as it comes out of the NTT, and it puts `x` and `-x` in adjacent rows `2p`, `2p+1`:
//! a FRI fold maps storage pair `p` of one layer to storage row `p` of the next.

use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::Matrix;
use p3_matrix::bitrev::BitReversibleMatrix;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::util::reverse_matrix_index_bits;
use rayon::prelude::*;
use std::sync::{Arc, RwLock};

use super::field::{Ext, Felt};
use super::ntt::{self, Roots};
use crate::memtag::{self, Tag};

/// `i` with its low `log_n` bits reversed.
#[inline]
pub fn bitrev(i: usize, log_n: usize) -> usize {
    if log_n == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS as usize - log_n)
    }
}

/// The coset shift of every LDE domain.
pub fn coset_shift() -> Felt {
    Felt::GENERATOR
}

/// The LDE point at storage row `i` of a domain of size `2^log_n` with shift `shift`.
#[inline]
pub fn lde_point(shift: Felt, log_n: usize, i: usize) -> Felt {
    shift * Felt::two_adic_generator(log_n).exp_u64(bitrev(i, log_n) as u64)
}

/// All LDE points of a domain of size `2^log_n`, in storage (bit-reversed) order: made
/// chunk by chunk in parallel, as [`evaluate_columns`] makes its points ([`Points`]).
pub fn lde_points(shift: Felt, log_n: usize) -> Vec<Felt> {
    let points = Points {
        shift,
        log_n,
        bit_reversed: true,
    };
    let chunk = POINT_CHUNK.min(1 << log_n);
    let offsets = points.chunk_offsets(chunk);
    let mut out = vec![Felt::ZERO; 1 << log_n];
    out.par_chunks_mut(chunk)
        .enumerate()
        .for_each(|(ci, out)| points.fill(ci * chunk, &offsets, out));
    out
}

/// Which storage rows of an LDE a matrix holds: block `index` of `2^log_count` equal blocks
/// of consecutive storage rows ([`Block::WHOLE`]: all of them).
///
/// With `2^log_count` equal to the blowup `B`, block `j` of an LDE of a trace of `n` rows is
/// its storage rows `j n .. (j + 1) n`: the values on the coset `g w_N^bitrev_B(j) H` (a
/// coset of the trace domain), bit-reversed over `n`. Since `x -> x w_n` maps that coset to
/// itself, every constraint can be evaluated on one block at a time ([`Lde::extend_block`]),
/// and since a block is a whole subtree of the LDE's Merkle tree, so can openings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// Which block.
    pub index: usize,
    /// log2 of the number of blocks.
    pub log_count: usize,
}

impl Block {
    /// Every row.
    pub const WHOLE: Block = Block {
        index: 0,
        log_count: 0,
    };

    /// The `2^log_blowup` blocks of an LDE with that blowup, in storage order.
    pub fn cosets(log_blowup: usize) -> impl Iterator<Item = Block> {
        (0..1usize << log_blowup).map(move |index| Block {
            index,
            log_count: log_blowup,
        })
    }
}

/// Cells per parallel task of a buffer-to-buffer copy.
const COPY_CELLS: usize = 1 << 16;

/// An empty buffer with room for `len` elements, advised to use transparent huge pages.
///
/// A fresh LDE buffer is first touched page by page; with 4 KiB pages that is one fault per
/// 512 elements and, measured on the 2^20 x 16 benchmark, most of our overhead over a bare
/// `coset_lde_batch`. `MADV_HUGEPAGE` (effective where the kernel's THP mode is `madvise`
/// or `always`) cuts the faults 512-fold. The advice never changes results.
pub fn lde_buffer(len: usize) -> Vec<Felt> {
    let mut v: Vec<Felt> = Vec::with_capacity(len);
    advise_huge_pages(v.as_mut_ptr() as usize, v.capacity() * size_of::<Felt>());
    v
}

/// `buffer`, emptied, if it has room for `len` elements (its capacity and its pages kept:
/// a buffer filled again costs no page faults); otherwise `buffer` is freed and a fresh
/// [`lde_buffer`] of `len` elements takes its place.
pub fn reuse_buffer(mut buffer: Vec<Felt>, len: usize) -> Vec<Felt> {
    if buffer.capacity() >= len {
        buffer.clear();
        buffer
    } else {
        drop(buffer);
        lde_buffer(len)
    }
}

/// `values` extended by `len` zeros written in parallel: a fresh buffer's first touch is page
/// faults (with huge pages, each a 2 MiB clear), taken on every core rather than one.
pub fn extend_zeroed(values: &mut Vec<Felt>, len: usize) {
    values.par_extend(rayon::iter::repeat_n(Felt::ZERO, len));
}

/// `values` extended by a copy of `src`, written in parallel (first touch on every core, as
/// [`extend_zeroed`]).
pub fn extend_copied(values: &mut Vec<Felt>, src: &[Felt]) {
    values.par_extend(src.par_iter().copied());
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(addr: usize, bytes: usize) {
    const HUGE: usize = 2 << 20;
    let start = addr.next_multiple_of(HUGE);
    let end = (addr + bytes) / HUGE * HUGE;
    if end > start {
        // SAFETY: [start, end) lies inside one live allocation that we own; madvise with
        // MADV_HUGEPAGE only changes how the kernel backs those pages, never their contents.
        // Its result is advisory and ignored.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_addr: usize, _bytes: usize) {}

/// What a matrix given to [`Lde::extend_wanted`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// Values on the trace domain `H`, natural order (a trace).
    OnTraceDomain,
    /// Coefficients, natural order, degree below the height.
    Coefficients,
}

/// A cached [`Roots`] table and its `(log_n, inverse)`.
type RootsEntry = ((usize, bool), Arc<Roots>);

/// The NTT engine: `p3-dft` for whole LDEs of traces and for interpolation, our own [`ntt`]
/// for coset blocks ([`Lde::extend_block`], [`Lde::next_block`], [`Lde::coeffs_to_block`],
/// [`Lde::block_to_coeffs`]), whole LDEs of coefficients ([`Lde::extend_coeffs`]: the
/// quotient parts', kept aux coefficients'; `cargo bench -p prover --bench ntt`, 2^20 rows:
/// 103 against 160 ms for `p3-dft`'s coset DFT of the zero-padded matrix at 4 columns, 259
/// against 529 ms at 26) and the openings' rows ([`Lde::extend_wanted`]).
/// It caches twiddles (`p3-dft` keeps a table per size and per coset shift, 8 MiB each at
/// 2^20 rows; ours one table per size and direction, 4 MiB), so one is made per prove, and the prover forgets them where a
/// phase ends ([`Lde::forget_twiddles`]): a later phase that needs a table makes it again
/// (a pass of `n` products), and none is held through a phase that does not use it.
///
/// Every transform works in place on the matrix it is given, so a result keeps the heap tag
/// its buffer was allocated with; the transforms themselves run untagged.
#[derive(Debug, Default)]
pub struct Lde {
    dft: RwLock<Radix2DitParallel<Felt>>,
    /// Our own transforms' roots ([`ntt::Roots`]), by `(log_n, inverse)`.
    roots: RwLock<Vec<RootsEntry>>,
}

impl Lde {
    /// A fresh engine with an empty twiddle cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The transforms, with their cached twiddles: a clone sharing the caches (p3 keeps
    /// them behind `Arc`s), so that no lock is held across a transform's parallel work (see
    /// `schedule`).
    fn dft(&self) -> Radix2DitParallel<Felt> {
        self.dft.read().expect("no NTT panicked").clone()
    }

    /// Drops every cached twiddle table: later transforms start a fresh cache, and a
    /// transform running now (on another instance, with table parallelism) frees the old
    /// tables when it ends. The values of later transforms are the same: a table is a
    /// deterministic function of its size and shift.
    pub fn forget_twiddles(&self) {
        *self.dft.write().expect("no NTT panicked") = Radix2DitParallel::default();
        self.roots.write().expect("no NTT panicked").clear();
    }

    /// The roots of our own transforms of `2^log_n` rows (forward, or `inverse`), made once
    /// until the twiddles are forgotten. No lock is held while they are made or used.
    fn roots(&self, log_n: usize, inverse: bool) -> Arc<Roots> {
        let key = (log_n, inverse);
        let cached = |v: &Vec<RootsEntry>| {
            v.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, r)| Arc::clone(r))
        };
        if let Some(r) = cached(&self.roots.read().expect("no NTT panicked")) {
            return r;
        }
        let made = Arc::new(Roots::new(log_n, inverse));
        let mut cache = self.roots.write().expect("no NTT panicked");
        if let Some(r) = cached(&cache) {
            return r;
        }
        cache.push((key, Arc::clone(&made)));
        made
    }

    /// Evaluations on `from * H` (storage order) to those on `to * H` (storage order), in
    /// place, by our own transforms ([`ntt::recoset`]: no bit-reversal pass).
    fn recoset(&self, values: &mut [Felt], width: usize, from: Felt, to: Felt) {
        let log_n = (values.len() / width).trailing_zeros() as usize;
        let (fwd, inv) = (self.roots(log_n, false), self.roots(log_n, true));
        ntt::recoset(values, width, (&fwd, &inv), from, to);
    }

    /// The LDE (storage order) of `mat`'s columns, in the same buffer, with only the
    /// `wanted` rows computed (storage rows of the whole LDE, [`ntt::Wanted`]; the others
    /// are unspecified), by our own transforms: a trace is bit-reversed and interpolated
    /// once, then each coset block with a wanted row is a copy of the coefficients
    /// evaluated where wanted ([`ntt::evaluate_wanted`]).
    pub fn extend_wanted(
        &self,
        mat: RowMajorMatrix<Felt>,
        columns: Columns,
        log_blowup: usize,
        wanted: ntt::Wanted<'_>,
    ) -> RowMajorMatrix<Felt> {
        let _untagged = memtag::scope(Tag::Other);
        let mut mat = mat;
        if columns == Columns::OnTraceDomain {
            self.interpolate_trace(&mut mat);
        }
        let width = mat.width();
        let n = mat.height();
        let mut values = mat.values;
        let block = n * width;
        values.reserve_exact((block << log_blowup) - values.len());
        // The other blocks' copies of the first, every write in parallel (`extend_zeroed`).
        extend_zeroed(&mut values, (block << log_blowup) - block);
        if block > 0 {
            let (first, rest) = values.split_at_mut(block);
            rest.par_chunks_mut(block).for_each(|copy| {
                copy.par_chunks_mut(COPY_CELLS)
                    .zip(first.par_chunks(COPY_CELLS))
                    .for_each(|(d, s)| d.copy_from_slice(s));
            });
        }
        self.evaluate_blocks(&mut values, width, log_blowup, wanted);
        RowMajorMatrix::new(values, width)
    }

    /// The LDE (storage order) of polynomials given by their coefficients (natural order,
    /// degree below the height), in a new buffer with the caller's heap tag: each coset
    /// block a copy of the coefficients evaluated by our own transforms. The same values as
    /// [`Lde::extend`] of the trace they interpolate.
    pub fn extend_coeffs(
        &self,
        coeffs: &RowMajorMatrix<Felt>,
        log_blowup: usize,
    ) -> RowMajorMatrix<Felt> {
        let width = coeffs.width();
        let mut values = lde_buffer(coeffs.values.len() << log_blowup);
        for _ in 0..1usize << log_blowup {
            extend_copied(&mut values, &coeffs.values);
        }
        let _untagged = memtag::scope(Tag::Other);
        self.evaluate_blocks(&mut values, width, log_blowup, &|_, _| true);
        RowMajorMatrix::new(values, width)
    }

    /// Evaluates each coset block of `values` (`2^log_blowup` copies of the same
    /// coefficients, one after another) on its coset, in place, where `wanted`.
    fn evaluate_blocks(
        &self,
        values: &mut [Felt],
        width: usize,
        log_blowup: usize,
        wanted: ntt::Wanted<'_>,
    ) {
        let cells = values.len() >> log_blowup;
        if cells == 0 {
            return;
        }
        let n = cells / width;
        let log_n = n.trailing_zeros() as usize;
        let fwd = self.roots(log_n, false);
        for (block, m) in values.chunks_exact_mut(cells).enumerate() {
            let first = block * n;
            if !wanted(first, n) {
                continue;
            }
            let shift = Self::block_shift(log_n, log_blowup, block);
            ntt::evaluate_wanted(m, width, &fwd, shift, &|f, len| wanted(first + f, len));
        }
    }

    /// Low-degree extension of every column of `trace` (natural order on `H`) onto the coset
    /// domain `blowup` times larger, rows in storage (bit-reversed) order.
    ///
    /// The input is copied once (in parallel) into a buffer that already has the LDE's
    /// capacity, so the NTT runs in place with no further allocation. The buffer takes the
    /// caller's heap tag ([`memtag`]); the NTT's own scratch and twiddles are untagged.
    pub fn extend(&self, trace: &RowMajorMatrix<Felt>, log_blowup: usize) -> RowMajorMatrix<Felt> {
        let width = trace.width();
        let mut values = lde_buffer(trace.values.len() << log_blowup);
        extend_copied(&mut values, &trace.values);
        self.extend_owned(RowMajorMatrix::new(values, width), log_blowup)
    }

    /// As [`Lde::extend`], consuming the trace (no copy if it already has spare capacity).
    ///
    /// By `p3-dft`'s coset LDE: for a whole LDE its transforms are as fast as ours
    /// ([`ntt`]; 2^20 rows: 905 against 959 ms at 55 columns, 181 against 190 ms at 8).
    pub fn extend_owned(
        &self,
        trace: RowMajorMatrix<Felt>,
        log_blowup: usize,
    ) -> RowMajorMatrix<Felt> {
        let _untagged = memtag::scope(Tag::Other);
        self.dft()
            .coset_lde_batch(trace, log_blowup, coset_shift())
            .bit_reverse_rows()
    }

    /// The shift of block `block`'s coset (see [`Block`]) for traces of `2^log_n` rows.
    fn block_shift(log_n: usize, log_blowup: usize, block: usize) -> Felt {
        coset_shift()
            * Felt::two_adic_generator(log_n + log_blowup).exp_u64(bitrev(block, log_blowup) as u64)
    }

    /// Block `block` (one of `2^log_blowup`, [`Block::cosets`]) of the LDE of `trace`:
    /// storage rows `block * n .. (block + 1) * n` of [`Lde::extend_owned`], computed in the
    /// trace's own `n`-row buffer (an interpolation and one coset NTT of size `n`, not one of
    /// size `n * blowup`).
    pub fn extend_block(
        &self,
        trace: RowMajorMatrix<Felt>,
        log_blowup: usize,
        block: usize,
    ) -> RowMajorMatrix<Felt> {
        let _untagged = memtag::scope(Tag::Other);
        let mut trace = trace;
        let log_n = trace.height().trailing_zeros() as usize;
        let width = trace.width();
        let shift = Self::block_shift(log_n, log_blowup, block);
        // The trace in storage order is its values on H = 1 * H.
        reverse_matrix_index_bits(&mut trace);
        self.recoset(&mut trace.values, width, Felt::ONE, shift);
        trace
    }

    /// Block `to` of an LDE from its block `from` (storage order, as [`Lde::extend_block`]
    /// makes it), in the same buffer: the values on `c_from H` are interpolated, coefficient
    /// `j` scaled by `(c_to / c_from)^j`, and evaluated on `H` ([`ntt::recoset`]: no
    /// bit-reversal pass, since its interpolation takes storage order and its evaluation
    /// gives it).
    pub fn next_block(
        &self,
        mut block: RowMajorMatrix<Felt>,
        log_blowup: usize,
        from: usize,
        to: usize,
    ) -> RowMajorMatrix<Felt> {
        let _untagged = memtag::scope(Tag::Other);
        let log_n = block.height().trailing_zeros() as usize;
        let width = block.width();
        let from = Self::block_shift(log_n, log_blowup, from);
        let to = Self::block_shift(log_n, log_blowup, to);
        self.recoset(&mut block.values, width, from, to);
        block
    }

    /// The coefficients (natural order) of a trace's columns (natural order on `H`), in
    /// place: one bit-reversal pass and [`ntt::interpolate`].
    pub fn interpolate_trace(&self, trace: &mut RowMajorMatrix<Felt>) {
        let _untagged = memtag::scope(Tag::Other);
        let log_n = trace.height().trailing_zeros() as usize;
        let width = trace.width();
        reverse_matrix_index_bits(trace);
        let inv = self.roots(log_n, true);
        ntt::interpolate(&mut trace.values, width, &inv, Felt::ONE, Felt::ONE);
    }

    /// Block `index` (storage order) of the LDE of polynomials given by their coefficients
    /// (natural order), in the same buffer: the coefficients scaled by the block's shift and
    /// evaluated ([`ntt::evaluate`]). The inverse of [`Lde::block_to_coeffs`].
    pub fn coeffs_to_block(
        &self,
        mut coeffs: RowMajorMatrix<Felt>,
        log_blowup: usize,
        index: usize,
    ) -> RowMajorMatrix<Felt> {
        let _untagged = memtag::scope(Tag::Other);
        let log_n = coeffs.height().trailing_zeros() as usize;
        let width = coeffs.width();
        let fwd = self.roots(log_n, false);
        let shift = Self::block_shift(log_n, log_blowup, index);
        ntt::evaluate(&mut coeffs.values, width, &fwd, shift);
        coeffs
    }

    /// The coefficients (natural order) of the polynomials whose LDE block `index` is
    /// `block` (storage order), in the same buffer: one interpolation ([`ntt::interpolate`]
    /// takes storage order), no bit-reversal pass.
    pub fn block_to_coeffs(
        &self,
        mut block: RowMajorMatrix<Felt>,
        log_blowup: usize,
        index: usize,
    ) -> RowMajorMatrix<Felt> {
        let _untagged = memtag::scope(Tag::Other);
        let log_n = block.height().trailing_zeros() as usize;
        let width = block.width();
        let inv = self.roots(log_n, true);
        let shift = Self::block_shift(log_n, log_blowup, index);
        ntt::interpolate(&mut block.values, width, &inv, shift, Felt::ONE);
        block
    }

    /// Coefficients (natural order) of the polynomials whose evaluations on the coset
    /// `shift * K` are the columns of `evals` (natural order).
    pub fn coset_interpolate(
        &self,
        evals: RowMajorMatrix<Felt>,
        shift: Felt,
    ) -> RowMajorMatrix<Felt> {
        let _untagged = memtag::scope(Tag::Other);
        self.dft().coset_idft_batch(evals, shift)
    }

    /// Evaluations on the subgroup `H` (natural order) of polynomials given by coefficients.
    pub fn evaluate_on_subgroup(&self, coeffs: RowMajorMatrix<Felt>) -> RowMajorMatrix<Felt> {
        let evals = memtag::tagged(Tag::Other, || self.dft().dft_batch(coeffs));
        // The copy into natural order is the result: it takes the caller's tag.
        evals.to_row_major_matrix()
    }
}

/// The points of an evaluation domain of `2^log_n` points, the coset `shift K` of the
/// subgroup `K` of that size: in natural order (`shift w^i`, a trace's rows on `H` when the
/// shift is one) or in storage order (`shift w^bitrev(i)`, an LDE's rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Points {
    shift: Felt,
    log_n: usize,
    bit_reversed: bool,
}

impl Points {
    /// The trace domain `H` of `2^log_n` points, natural order.
    pub fn subgroup(log_n: usize) -> Self {
        Self {
            shift: Felt::ONE,
            log_n,
            bit_reversed: false,
        }
    }

    /// The LDE domain of `2^log_n` points (the coset of [`coset_shift`]), storage order.
    pub fn lde(log_n: usize) -> Self {
        Self {
            shift: coset_shift(),
            log_n,
            bit_reversed: true,
        }
    }

    /// A chunk's points over its first one, for chunks of `c` points (a power of two, at
    /// most the domain's size): `w^j` in natural order; in storage order `u^bitrev(j)` with
    /// `u` of order `c`, since for `start` a multiple of `c` the bits of `bitrev(start + j)`
    /// are those of `bitrev(start)` plus those of `bitrev(j)` shifted up.
    fn chunk_offsets(&self, c: usize) -> Vec<Felt> {
        debug_assert!(c.is_power_of_two() && c <= 1 << self.log_n);
        let log_c = c.trailing_zeros() as usize;
        let w = Felt::two_adic_generator(if self.bit_reversed { log_c } else { self.log_n });
        let natural = super::field::powers(w, c);
        if self.bit_reversed {
            (0..c).map(|j| natural[bitrev(j, log_c)]).collect()
        } else {
            natural
        }
    }

    /// The point at row `start`.
    fn at(&self, start: usize) -> Felt {
        let e = if self.bit_reversed {
            bitrev(start, self.log_n)
        } else {
            start
        };
        self.shift * Felt::two_adic_generator(self.log_n).exp_u64(e as u64)
    }

    /// Points `start .. start + offsets.len()` into `out`, `start` a multiple of the chunk
    /// size that [`Points::chunk_offsets`] made `offsets` for.
    fn fill(&self, start: usize, offsets: &[Felt], out: &mut [Felt]) {
        debug_assert!(start.is_multiple_of(offsets.len()) && out.len() == offsets.len());
        let base = self.at(start);
        for (x, &o) in out.iter_mut().zip(offsets) {
            *x = base * o;
        }
    }
}

/// Points per chunk of [`evaluate_columns`]' weights and of [`lde_points`].
const POINT_CHUNK: usize = 1 << 12;

/// The value at each `z` in `zs` of the polynomial of degree below `2^log_n` whose values at
/// `points` are each column of each matrix in `mats` (`2^log_n` rows each): `p(z) = sum_s
/// weight_s p(x_s)` with `weight_s = (z^N - h^N) x_s / (N h^N (z - x_s))` (barycentric on
/// the coset `h K`, since `x^N - h^N` vanishes on it and its derivative at `x_s` is
/// `N h^N / x_s`). The weights are made 4096 rows at a time, once for all the matrices, and
/// never held for the whole domain. `out[m][i][c]` is column `c` of `mats[m]` at `zs[i]`.
/// `None` if some `z` is one of the points.
pub fn evaluate_columns(
    mats: &[&RowMajorMatrix<Felt>],
    points: Points,
    zs: &[Ext],
) -> Option<Vec<Vec<Vec<Ext>>>> {
    let n = 1usize << points.log_n;
    assert!(
        mats.iter().all(|m| m.width() == 0 || m.height() == n),
        "one row per point in every matrix"
    );
    let slices: Vec<(&[Felt], usize)> = mats.iter().map(|m| (&m.values[..], m.width())).collect();
    evaluate_rows(&slices, points, 0, zs)
}

/// The part of [`evaluate_columns`]' sums that rows `first .. first + len` of the domain
/// contribute, given those rows of each matrix (`(values, width)`, `len` rows each; `len` a
/// power of two and `first` a multiple of it): the sums over consecutive pieces add up to
/// [`evaluate_columns`]' values, so a matrix can be read a piece at a time. `None` exactly
/// when [`evaluate_columns`] gives `None`.
pub fn evaluate_rows(
    mats: &[(&[Felt], usize)],
    points: Points,
    first: usize,
    zs: &[Ext],
) -> Option<Vec<Vec<Vec<Ext>>>> {
    let n = 1usize << points.log_n;
    let Some(len) = mats.iter().find(|(_, w)| *w > 0).map(|(v, w)| v.len() / w) else {
        // No columns: nothing to sum, but the points must still be outside the domain.
        let h_n = points.shift.exp_power_of_2(points.log_n);
        let outside = zs
            .iter()
            .all(|z| z.exp_power_of_2(points.log_n) != Ext::from(h_n));
        return outside.then(|| mats.iter().map(|_| vec![Vec::new(); zs.len()]).collect());
    };
    assert!(
        len.is_power_of_two() && first.is_multiple_of(len) && first + len <= n,
        "rows {first}..{} are not a piece of the {n}-point domain",
        first + len
    );
    assert!(
        mats.iter().all(|(v, w)| *w == 0 || v.len() == len * w),
        "one row per point in every matrix"
    );
    let h_n = points.shift.exp_power_of_2(points.log_n);
    let inv_denom = (Felt::from_usize(n) * h_n).inverse();
    let mut scales = Vec::with_capacity(zs.len());
    for &z in zs {
        let vanishing = z.exp_power_of_2(points.log_n) - Ext::from(h_n);
        if vanishing == Ext::ZERO {
            return None;
        }
        scales.push(vanishing * inv_denom);
    }
    let zero = || -> Vec<Vec<Vec<Ext>>> {
        mats.iter()
            .map(|&(_, w)| vec![vec![Ext::ZERO; w]; zs.len()])
            .collect()
    };
    let chunk = POINT_CHUNK.min(len);
    let offsets = points.chunk_offsets(chunk);
    let sums = (0..len / chunk)
        .into_par_iter()
        .fold(
            || (zero(), vec![Felt::ZERO; chunk], Vec::with_capacity(chunk)),
            |(mut acc, mut xs, mut weights), ci| {
                points.fill(first + ci * chunk, &offsets, &mut xs);
                for (i, (&z, &scale)) in zs.iter().zip(&scales).enumerate() {
                    weights.clear();
                    weights.extend(xs.iter().map(|&x| z - x));
                    let inv = p3_field::batch_multiplicative_inverse(&weights);
                    for ((w, &x), &inv) in weights.iter_mut().zip(&xs).zip(&inv) {
                        *w = scale * inv * x;
                    }
                    for (&(values, width), acc) in mats.iter().zip(&mut acc) {
                        if width == 0 {
                            continue;
                        }
                        let rows = &values[ci * chunk * width..(ci + 1) * chunk * width];
                        for (row, &wt) in rows.chunks_exact(width).zip(&weights) {
                            for (a, &v) in acc[i].iter_mut().zip(row) {
                                *a += wt * v;
                            }
                        }
                    }
                }
                (acc, xs, weights)
            },
        )
        .map(|(acc, _, _)| acc)
        .reduce(zero, |mut a, b| {
            let b = b.into_iter().flatten().flatten();
            for (x, y) in a.iter_mut().flatten().flatten().zip(b) {
                *x += y;
            }
            a
        });
    Some(sums)
}

/// The value at each `z` in `zs` of each column of `mat`, the coefficients (natural order)
/// of polynomials: `p(z) = sum_i c_i z^i`, 4096 rows at a time in parallel (each
/// chunk's powers of `z` made as it goes, never held for the whole matrix). `out[i][c]` is
/// column `c` at `zs[i]`: the same field elements as [`evaluate_columns`] of the values the
/// coefficients interpolate.
pub fn evaluate_coefficients(mat: &RowMajorMatrix<Felt>, zs: &[Ext]) -> Vec<Vec<Ext>> {
    let width = mat.width();
    let zero = || vec![vec![Ext::ZERO; width]; zs.len()];
    if width == 0 {
        return zero();
    }
    mat.values
        .par_chunks(POINT_CHUNK * width)
        .enumerate()
        .fold(zero, |mut acc, (ci, rows)| {
            for (&z, acc) in zs.iter().zip(&mut acc) {
                let mut power = z.exp_u64((ci * POINT_CHUNK) as u64);
                for row in rows.chunks_exact(width) {
                    for (a, &c) in acc.iter_mut().zip(row) {
                        *a += power * c;
                    }
                    power *= z;
                }
            }
            acc
        })
        .reduce(zero, |mut a, b| {
            for (x, y) in a.iter_mut().flatten().zip(b.into_iter().flatten()) {
                *x += y;
            }
            a
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::field::ext_from_limbs;

    #[test]
    fn coefficients_give_the_barycentric_values() {
        let lde = Lde::new();
        let z = ext_from_limbs(Felt::from_u64(987_654_321), Felt::from_u64(42));
        let zs = [z, z * Felt::two_adic_generator(13)];
        for (log_n, width) in [(0, 2), (5, 3), (13, 5)] {
            let trace = RowMajorMatrix::new(
                (0..width << log_n)
                    .map(|i| Felt::from_u64((i as u64 * 7919) ^ 0x55))
                    .collect(),
                width,
            );
            let want = evaluate_columns(&[&trace], Points::subgroup(log_n), &zs)
                .expect("z is off the domain")
                .remove(0);
            let mut coeffs = trace;
            lde.interpolate_trace(&mut coeffs);
            assert_eq!(evaluate_coefficients(&coeffs, &zs), want, "2^{log_n} rows");
        }
    }

    /// Reference: barycentric weights on `H` of `2^log_n` points at `z`, all at once.
    fn subgroup_weights(log_n: usize, z: Ext) -> Option<Vec<Ext>> {
        let points = crate::stark::field::powers(Felt::two_adic_generator(log_n), 1 << log_n);
        coset_weights(&points, z)
    }

    /// Reference: barycentric weights at `z` for values at `points` (a coset of a subgroup,
    /// in any order), all at once.
    fn coset_weights(points: &[Felt], z: Ext) -> Option<Vec<Ext>> {
        let n = points.len();
        let log_n = n.trailing_zeros() as usize;
        let h_n = points.first()?.exp_power_of_2(log_n);
        let diffs: Vec<Ext> = points.iter().map(|&x| z - x).collect();
        if diffs.contains(&Ext::ZERO) {
            return None;
        }
        let inv = p3_field::batch_multiplicative_inverse(&diffs);
        let scale =
            (z.exp_power_of_2(log_n) - Ext::from(h_n)) * (Felt::from_usize(n) * h_n).inverse();
        Some(
            points
                .iter()
                .zip(&inv)
                .map(|(&x, &i)| scale * i * x)
                .collect(),
        )
    }

    /// Reference: `sum_r weights[r] * row_r` per column.
    fn weighted_column_sums(mat: &RowMajorMatrix<Felt>, weights: &[Ext]) -> Vec<Ext> {
        let mut acc = vec![Ext::ZERO; mat.width()];
        for (row, &wt) in mat.values.chunks_exact(mat.width()).zip(weights) {
            for (a, &v) in acc.iter_mut().zip(row) {
                *a += wt * v;
            }
        }
        acc
    }

    #[test]
    fn chunked_evaluation_equals_the_weights_made_at_once() {
        let z = ext_from_limbs(Felt::from_u64(987_654_321), Felt::from_u64(42));
        let zs = [z, z * Felt::from_u64(3)];
        // Below, at and above one weight chunk, both orders.
        for log_n in [3, 12, 14] {
            let n = 1usize << log_n;
            let mat = RowMajorMatrix::new(
                (0..n * 3)
                    .map(|i| Felt::from_u64((i as u64).wrapping_mul(0x9e37_79b9) ^ 7))
                    .collect(),
                3,
            );
            let natural = crate::stark::field::powers(Felt::two_adic_generator(log_n), n);
            // The storage-order points one by one (`lde_points` makes them by chunks).
            let storage: Vec<Felt> = (0..n).map(|i| lde_point(coset_shift(), log_n, i)).collect();
            assert_eq!(lde_points(coset_shift(), log_n), storage);
            for (points, all) in [
                (Points::subgroup(log_n), natural),
                (Points::lde(log_n), storage),
            ] {
                let got = evaluate_columns(&[&mat], points, &zs).unwrap().remove(0);
                for (i, &z) in zs.iter().enumerate() {
                    let want = weighted_column_sums(&mat, &coset_weights(&all, z).unwrap());
                    assert_eq!(got[i], want, "2^{log_n} {points:?}");
                }
                assert!(evaluate_columns(&[&mat], points, &[Ext::from(all[n - 1])]).is_none());
                // Several matrices at once (one of them empty): each as if alone.
                let half = RowMajorMatrix::new(mat.values.iter().map(|v| v.double()).collect(), 3);
                let empty = RowMajorMatrix::new(Vec::new(), 0);
                let all3 = evaluate_columns(&[&half, &empty, &mat], points, &zs).unwrap();
                assert_eq!(all3[2], got);
                assert_eq!(all3[0], evaluate_columns(&[&half], points, &zs).unwrap()[0]);
                assert!(all3[1].iter().all(Vec::is_empty));
                // Eighths (and the odd piece shorter than a weight chunk) sum to the whole.
                let piece = n / 8;
                let mut sums = vec![vec![Ext::ZERO; 3]; zs.len()];
                for first in (0..n).step_by(piece) {
                    let rows = &mat.values[first * 3..(first + piece) * 3];
                    let part = evaluate_rows(&[(rows, 3)], points, first, &zs).unwrap();
                    for (s, p) in sums.iter_mut().flatten().zip(part[0].iter().flatten()) {
                        *s += *p;
                    }
                }
                assert_eq!(sums, got, "2^{log_n} {points:?} in eighths");
            }
        }
    }

    #[test]
    fn a_buffer_is_reused_only_where_it_holds_the_length() {
        let mut held = lde_buffer(1 << 10);
        extend_zeroed(&mut held, 1 << 10);
        let at = held.as_ptr();
        let reused = reuse_buffer(held, 1 << 9);
        assert!(reused.is_empty(), "emptied for its new contents");
        assert_eq!(reused.as_ptr(), at, "the same pages");
        assert_eq!(reused.capacity(), 1 << 10, "its capacity kept");
        let fresh = reuse_buffer(reused, (1 << 10) + 1);
        assert!(
            fresh.is_empty() && fresh.capacity() > 1 << 10,
            "too small: a fresh one"
        );
        assert!(reuse_buffer(Vec::new(), 0).is_empty());
    }

    #[test]
    fn bitrev_small() {
        assert_eq!(bitrev(1, 3), 4);
        assert_eq!(bitrev(6, 3), 3);
        assert_eq!(bitrev(0, 0), 0);
    }

    #[test]
    fn lde_matches_direct_evaluation() {
        // p(x) = 3 + 2x + x^3 on H of size 4; its LDE at storage row i is p(point(i)).
        let h = Felt::two_adic_generator(2);
        let p = |x: Felt| Felt::from_u64(3) + x.double() + x.cube();
        let trace = RowMajorMatrix::new_col((0..4).map(|r| p(h.exp_u64(r))).collect());
        let lde = Lde::new().extend(&trace, 1);
        assert_eq!(lde.height(), 8);
        for (i, &x) in lde_points(coset_shift(), 3).iter().enumerate() {
            assert_eq!(lde.values[i], p(x));
            assert_eq!(x, lde_point(coset_shift(), 3, i));
        }
        // Adjacent storage rows are x and -x.
        let pts = lde_points(coset_shift(), 3);
        assert_eq!(pts[2], -pts[3]);
    }

    #[test]
    fn barycentric_matches_polynomial() {
        let h = Felt::two_adic_generator(3);
        let p = |x: Ext| x * x * x + Ext::from(Felt::from_u64(5)) * x + Ext::ONE;
        let col: Vec<Felt> = (0..8)
            .map(|r| {
                let x = h.exp_u64(r);
                x.cube() + Felt::from_u64(5) * x + Felt::ONE
            })
            .collect();
        let z = super::super::field::ext_from_limbs(Felt::from_u64(123), Felt::from_u64(45));
        let w = subgroup_weights(3, z).unwrap();
        let got = weighted_column_sums(&RowMajorMatrix::new_col(col), &w);
        assert_eq!(got, vec![p(z)]);
        assert!(subgroup_weights(3, Ext::from(h)).is_none());
    }

    #[test]
    fn barycentric_on_the_lde_coset_matches_the_trace_domain() {
        // A trace column of height 8, its LDE at blowup 2 (storage order), and the value of
        // its polynomial at z from each: equal in the field.
        let col: Vec<Felt> = (0..8u64).map(|r| Felt::from_u64(r * r * 7 + 3)).collect();
        let trace = RowMajorMatrix::new_col(col);
        let lde = Lde::new().extend(&trace, 1);
        let z = super::super::field::ext_from_limbs(Felt::from_u64(77), Felt::from_u64(9));
        let on_h = weighted_column_sums(&trace, &subgroup_weights(3, z).unwrap());
        let points = lde_points(coset_shift(), 4);
        let on_coset = weighted_column_sums(&lde, &coset_weights(&points, z).unwrap());
        assert_eq!(on_h, on_coset);
        assert!(coset_weights(&points, Ext::from(points[5])).is_none());
    }

    #[test]
    fn blocks_are_the_lde_rows_they_stand_for() {
        let lde = Lde::new();
        for (log_n, width, log_blowup) in [(2, 1, 1), (5, 3, 1), (6, 2, 2), (10, 4, 1)] {
            let n = 1usize << log_n;
            let trace = RowMajorMatrix::new(
                (0..n * width)
                    .map(|i| Felt::from_u64((i as u64 * 7919) ^ 0x55))
                    .collect(),
                width,
            );
            let whole = lde.extend(&trace, log_blowup);
            let mut coeffs = trace.clone();
            lde.interpolate_trace(&mut coeffs);
            assert_eq!(
                lde.extend_coeffs(&coeffs, log_blowup).values,
                whole.values,
                "n {n}, width {width}, blowup 2^{log_blowup}: the LDE from coefficients"
            );
            for block in Block::cosets(log_blowup) {
                let part = lde.extend_block(trace.clone(), log_blowup, block.index);
                let rows = n * width;
                assert_eq!(
                    part.values,
                    whole.values[block.index * rows..(block.index + 1) * rows],
                    "n {n}, width {width}, blowup 2^{log_blowup}, block {}",
                    block.index
                );
                // To the coefficients and back.
                let coeffs = lde.block_to_coeffs(part.clone(), log_blowup, block.index);
                let mut interpolated = trace.clone();
                lde.interpolate_trace(&mut interpolated);
                assert_eq!(
                    coeffs.values, interpolated.values,
                    "n {n}, block {} to coefficients",
                    block.index
                );
                let again = lde.coeffs_to_block(coeffs, log_blowup, block.index);
                assert_eq!(
                    again.values, part.values,
                    "n {n}, block {} back",
                    block.index
                );
                // Every other block made from this one, in its buffer.
                for to in Block::cosets(log_blowup) {
                    let next = lde.next_block(part.clone(), log_blowup, block.index, to.index);
                    assert_eq!(
                        next.values,
                        whole.values[to.index * rows..(to.index + 1) * rows],
                        "n {n}, blowup 2^{log_blowup}, block {} from {}",
                        to.index,
                        block.index
                    );
                }
            }
        }
    }
}
