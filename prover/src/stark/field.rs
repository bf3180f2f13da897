//! The field types the STARK works in, and the arithmetic trait constraints are written against.
//!
//! * [`Felt`]: Goldilocks, `p = 2^64 - 2^32 + 1`. Traces, LDEs and Merkle leaves live here.
//! * [`Ext`]: its degree-2 extension `F[u]/(u^2 - 7)`. Challenges, LogUp columns, the
//!   composition polynomial, out-of-domain values and FRI layers live here.
//! * [`Expr`]: what an AIR's `eval` computes with. The prover instantiates it with [`Felt`]
//!   (rows of the LDE), the verifier with [`Ext`] (values at the out-of-domain point), and the
//!   degree checker with [`Degree`](super::symbolic::Degree).

use core::ops::{Add, Mul, Neg, Sub};

use p3_field::extension::BinomialExtensionField;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing, PrimeField64};
use p3_goldilocks::Goldilocks;

/// The base field.
pub type Felt = Goldilocks;
/// The degree-2 extension of the base field.
pub type Ext = BinomialExtensionField<Goldilocks, 2>;
/// Base-field limbs per extension element.
pub const EXT_DEGREE: usize = 2;

/// The ring operations a constraint may use. Constraints are polynomials in the trace cells, so
/// addition, subtraction, multiplication, negation and constants are all they need.
pub trait Expr:
    Copy
    + Send
    + Sync
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + From<Felt>
{
    /// The constant `v` (reduced mod p).
    fn constant(v: u64) -> Self {
        Self::from(Felt::from_u64(v))
    }
    /// The constant zero.
    fn zero() -> Self {
        Self::from(Felt::ZERO)
    }
    /// The constant one.
    fn one() -> Self {
        Self::from(Felt::ONE)
    }
}

impl<T> Expr for T where
    T: Copy
        + Send
        + Sync
        + Add<Output = T>
        + Sub<Output = T>
        + Mul<Output = T>
        + Neg<Output = T>
        + From<Felt>
{
}

/// A value that constraint folding can lift into the extension field: the prover's [`Felt`]
/// and the verifier's [`Ext`].
pub trait FoldValue: Expr {
    /// This value as an extension element.
    fn to_ext(self) -> Ext;
    /// `by * self`, using the cheaper mixed product when `self` is a base element.
    fn scale(self, by: Ext) -> Ext;
}

impl FoldValue for Felt {
    #[inline]
    fn to_ext(self) -> Ext {
        Ext::from(self)
    }
    #[inline]
    fn scale(self, by: Ext) -> Ext {
        by * self
    }
}

impl FoldValue for Ext {
    #[inline]
    fn to_ext(self) -> Ext {
        self
    }
    #[inline]
    fn scale(self, by: Ext) -> Ext {
        by * self
    }
}

/// The two base-field limbs of an extension element.
#[inline]
pub fn ext_limbs(e: &Ext) -> [Felt; 2] {
    let s = e.as_basis_coefficients_slice();
    [s[0], s[1]]
}

/// The extension element with the given base-field limbs.
#[inline]
pub fn ext_from_limbs(c0: Felt, c1: Felt) -> Ext {
    Ext::from_basis_coefficients_fn(|i| if i == 0 { c0 } else { c1 })
}

/// Canonical little-endian bytes of a base-field element (what hashes and transcripts see).
#[inline]
pub fn felt_bytes(f: &Felt) -> [u8; 8] {
    f.as_canonical_u64().to_le_bytes()
}

/// `1, x, x^2, ...` (`n` terms).
pub fn powers<F: PrimeCharacteristicRing + Copy>(x: F, n: usize) -> Vec<F> {
    let mut out = Vec::with_capacity(n);
    let mut cur = F::ONE;
    for _ in 0..n {
        out.push(cur);
        cur *= x;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::Field;

    #[test]
    fn limbs_round_trip() {
        let e = ext_from_limbs(Felt::from_u64(3), Felt::from_u64(11));
        assert_eq!(ext_limbs(&e), [Felt::from_u64(3), Felt::from_u64(11)]);
        // u^2 = 7 in this extension.
        let u = ext_from_limbs(Felt::ZERO, Felt::ONE);
        assert_eq!(u * u, Ext::from(Felt::from_u64(7)));
        assert_eq!(e * e.inverse(), Ext::ONE);
    }

    #[test]
    fn canonical_bytes_reduce() {
        // p itself is zero.
        let p = Felt::from_u64(0xffff_ffff_0000_0001);
        assert_eq!(felt_bytes(&p), [0u8; 8]);
    }
}
