//! 64-bit multiply-add on 16-bit limbs, written once for the MUL and DIV tables: the
//! constraint (`assert_mul_add`), its carries' range checks, and the matching witness
//! (`mul_add`).
//!
//! A 32-bit value `v` with sign flag `s` is sign-extended to four limbs
//! `(v_0, v_1, 0xFFFF s, 0xFFFF s)`: its 64-bit two's complement when `s` is its top bit, or
//! its zero extension when `s = 0`. For limb vectors `x, y, z, w` the constraint
//!
//! `sum_{i+j=k} x_i y_j + z_k + carry_{k-1} = w_k + 2^16 carry_k` for `k = 0..4`
//!
//! (with `carry_{-1} = 0`) states `x y + z = w (mod 2^64)` once every limb is in `[0, 2^16)`
//! and every carry in `[0, 2^19)`: each equation's terms are below `2^35`, far below `p`, so
//! it holds over the integers, and the chain is schoolbook multiplication with the carry out
//! of the top limb dropped. The carries are bounded by `2^19` because the largest column sum
//! is `4 (2^16 - 1)^2 + (2^16 - 1) + carry_2 < 2^34 + 2^19`.
//!
//! Each carry is two columns, `lo < 2^16` and `hi < 2^3`, range-checked as `lo`, `hi` and
//! `2^13 hi` on [`RANGE16`]: the scaled lookup alone would not bound `hi` in a prime field,
//! the pair does.

use p3_field::PrimeCharacteristicRing;

use super::bus::{RANGE16, RangeCounts};
use crate::stark::{Constraints, Expr, Felt};

/// The high part of a carry is below `2^CARRY_HI_BITS`.
pub const CARRY_HI_BITS: u32 = 3;

/// Columns a set of four carries takes (`lo`, `hi` per limb position).
pub const CARRY_COLUMNS: usize = 8;

/// The four limbs of a 32-bit value given as two 16-bit limbs and a sign-extension flag.
pub fn extend<E: Expr>(lo: E, hi: E, sign: E) -> [E; 4] {
    let top = E::constant(0xFFFF) * sign;
    [lo, hi, top, top]
}

/// The four carries from their columns (`lo, hi` pairs starting at `base`).
pub fn carries<E: Expr>(row: &[E], base: usize) -> [E; 4] {
    std::array::from_fn(|k| row[base + 2 * k] + E::constant(1 << 16) * row[base + 2 * k + 1])
}

/// Asserts `x y + z = w (mod 2^64)` limb by limb with `carries` (see the module doc).
pub fn assert_mul_add<E: Expr, C: Constraints<E>>(
    out: &mut C,
    x: &[E; 4],
    y: &[E; 4],
    z: &[E; 4],
    w: &[E; 4],
    carries: &[E; 4],
) {
    let two16 = E::constant(1 << 16);
    for k in 0..4 {
        let mut lhs = z[k];
        for i in 0..=k {
            lhs = lhs + x[i] * y[k - i];
        }
        if k > 0 {
            lhs = lhs + carries[k - 1];
        }
        out.assert_eq(lhs, w[k] + two16 * carries[k]);
    }
}

/// Sends the carries' range checks (`lo`, `hi`, `2^13 hi` per carry) with multiplicity
/// `active`.
pub fn send_carry_checks<E: Expr, C: Constraints<E>>(
    out: &mut C,
    row: &[E],
    base: usize,
    active: E,
) {
    let scale = E::constant(1 << (16 - CARRY_HI_BITS));
    for k in 0..4 {
        let (lo, hi) = (row[base + 2 * k], row[base + 2 * k + 1]);
        out.send(RANGE16, &[lo], active);
        out.send(RANGE16, &[hi], active);
        out.send(RANGE16, &[scale * hi], active);
    }
}

/// The limbs of `v` sign-extended when `signed` (see [`extend`]).
pub fn limbs(v: u32, signed: bool) -> [u64; 4] {
    let top = if signed && v >> 31 == 1 { 0xFFFF } else { 0 };
    [u64::from(v & 0xFFFF), u64::from(v >> 16), top, top]
}

/// The witness of [`assert_mul_add`]: `(w, carries)` with `w` the limbs of
/// `x y + z mod 2^64`.
pub fn mul_add(x: &[u64; 4], y: &[u64; 4], z: &[u64; 4]) -> ([u64; 4], [u64; 4]) {
    let mut w = [0; 4];
    let mut carries = [0; 4];
    let mut carry = 0u64;
    for k in 0..4 {
        let mut sum = z[k] + carry;
        for i in 0..=k {
            sum += x[i] * y[k - i];
        }
        w[k] = sum & 0xFFFF;
        carry = sum >> 16;
        carries[k] = carry;
    }
    (w, carries)
}

/// Writes `carries` into their columns at `base`.
pub fn put_carries(row: &mut [Felt], base: usize, carries: &[u64; 4]) {
    for (k, &c) in carries.iter().enumerate() {
        debug_assert!(c < 1 << (16 + CARRY_HI_BITS), "carry {c} out of range");
        row[base + 2 * k] = Felt::from_u64(c & 0xFFFF);
        row[base + 2 * k + 1] = Felt::from_u64(c >> 16);
    }
}

/// Records the range checks [`send_carry_checks`] makes for `carries`.
pub fn count_carries(range: &mut RangeCounts, carries: &[u64; 4]) {
    for &c in carries {
        let hi = (c >> 16) as u16;
        range.add(c as u16);
        range.add(hi);
        range.add(hi << (16 - CARRY_HI_BITS));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_add_is_the_low_64_bits_and_carries_stay_in_range() {
        let values = [
            0,
            1,
            0xFFFF,
            0x1_0000,
            0x7FFF_FFFF,
            0x8000_0000,
            0xFFFF_FFFF,
        ];
        for &x in &values {
            for &y in &values {
                for &z in &values {
                    for signed in [false, true] {
                        let (xl, yl, zl) = (limbs(x, signed), limbs(y, signed), limbs(z, signed));
                        let (w, c) = mul_add(&xl, &yl, &zl);
                        let ext = |v: u32| {
                            if signed {
                                v as i32 as i64 as u64
                            } else {
                                u64::from(v)
                            }
                        };
                        let want = ext(x).wrapping_mul(ext(y)).wrapping_add(ext(z));
                        let got = w[0] | w[1] << 16 | w[2] << 32 | w[3] << 48;
                        assert_eq!(got, want, "{x:#x} * {y:#x} + {z:#x}, signed {signed}");
                        assert!(c.iter().all(|&c| c < 1 << (16 + CARRY_HI_BITS)));
                    }
                }
            }
        }
    }
}
