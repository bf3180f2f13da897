//! The Fiat-Shamir channel: every message the prover sends is absorbed here, and every
//! challenge is squeezed from it. The verifier replays the same calls in the same order.
//!
//! Construction: a Keccak-256 chain. Absorbing appends length-prefixed bytes to a hasher
//! seeded with the current state; squeezing finalises it into the new 32-byte state, which is
//! also the output, and seeds the next hasher with it. Field elements are drawn from
//! little-endian u64 words by rejection (a word `>= p` is skipped), so they are uniform.

use p3_field::PrimeField64;
use sha3::{Digest as _, Keccak256};

use super::field::{Ext, Felt, ext_from_limbs, ext_limbs, felt_bytes};
use super::merkle::Digest;

/// Goldilocks modulus.
const P: u64 = 0xffff_ffff_0000_0001;

/// The Fiat-Shamir transcript.
#[derive(Clone, Debug)]
pub struct Transcript {
    hasher: Keccak256,
    state: Digest,
}

impl Transcript {
    /// A transcript bound to a protocol label.
    pub fn new(label: &[u8]) -> Self {
        let mut t = Self {
            hasher: Keccak256::new(),
            state: [0; 32],
        };
        t.absorb_bytes(label);
        t
    }

    /// Absorbs a length-prefixed byte string.
    pub fn absorb_bytes(&mut self, bytes: &[u8]) {
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    /// Absorbs a u64.
    pub fn absorb_u64(&mut self, v: u64) {
        self.absorb_bytes(&v.to_le_bytes());
    }

    /// Absorbs a digest.
    pub fn absorb_digest(&mut self, d: &Digest) {
        self.absorb_bytes(d);
    }

    /// Absorbs base-field elements.
    pub fn absorb_felts(&mut self, fs: &[Felt]) {
        self.hasher.update((fs.len() as u64).to_le_bytes());
        for f in fs {
            self.hasher.update(felt_bytes(f));
        }
    }

    /// Absorbs extension-field elements.
    pub fn absorb_exts(&mut self, es: &[Ext]) {
        self.hasher.update((es.len() as u64).to_le_bytes());
        for e in es {
            for l in ext_limbs(e) {
                self.hasher.update(felt_bytes(&l));
            }
        }
    }

    /// Finalises everything absorbed so far into a fresh 32-byte state and returns it.
    pub fn squeeze_digest(&mut self) -> Digest {
        let hasher = std::mem::replace(&mut self.hasher, Keccak256::new());
        self.state = hasher.finalize().into();
        self.hasher.update(self.state);
        self.state
    }

    fn squeeze_words(&mut self) -> [u64; 4] {
        let d = self.squeeze_digest();
        core::array::from_fn(|i| u64::from_le_bytes(d[8 * i..8 * i + 8].try_into().unwrap()))
    }

    /// A uniform base-field challenge.
    pub fn challenge_felt(&mut self) -> Felt {
        loop {
            if let Some(&w) = self.squeeze_words().iter().find(|&&w| w < P) {
                return Felt::from_u64_canonical(w);
            }
        }
    }

    /// A uniform extension-field challenge.
    pub fn challenge_ext(&mut self) -> Ext {
        let c0 = self.challenge_felt();
        let c1 = self.challenge_felt();
        ext_from_limbs(c0, c1)
    }

    /// `count` uniform indices below `2^log_n`.
    pub fn challenge_indices(&mut self, log_n: usize, count: usize) -> Vec<usize> {
        let mask = if log_n >= 64 {
            u64::MAX
        } else {
            (1u64 << log_n) - 1
        };
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            for w in self.squeeze_words() {
                if out.len() < count {
                    out.push((w & mask) as usize);
                }
            }
        }
        out
    }
}

/// Canonical construction of a base-field element from a u64 already below p.
trait FromCanonical {
    fn from_u64_canonical(w: u64) -> Self;
}

impl FromCanonical for Felt {
    fn from_u64_canonical(w: u64) -> Self {
        debug_assert!(w < P);
        let f = <Felt as p3_field::PrimeCharacteristicRing>::from_u64(w);
        debug_assert_eq!(f.as_canonical_u64(), w);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_calls_same_challenges_different_data_different_challenges() {
        let mut a = Transcript::new(b"t");
        let mut b = Transcript::new(b"t");
        a.absorb_u64(5);
        b.absorb_u64(5);
        assert_eq!(a.challenge_ext(), b.challenge_ext());
        assert_eq!(a.challenge_indices(10, 9), b.challenge_indices(10, 9));
        a.absorb_u64(1);
        b.absorb_u64(2);
        assert_ne!(a.challenge_felt(), b.challenge_felt());
    }

    #[test]
    fn consecutive_squeezes_differ_and_indices_are_in_range() {
        let mut t = Transcript::new(b"t");
        let x = t.challenge_felt();
        let y = t.challenge_felt();
        assert_ne!(x, y);
        let idx = t.challenge_indices(5, 100);
        assert_eq!(idx.len(), 100);
        assert!(idx.iter().all(|&i| i < 32));
        // 100 draws from 32 values hit most of them.
        let distinct: std::collections::BTreeSet<_> = idx.iter().collect();
        assert!(distinct.len() > 20);
    }
}
