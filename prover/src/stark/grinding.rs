//! Deterministic proof of work. The nonce is the *smallest* one whose hash with the transcript
//! state has enough leading zero bits, so the proof does not depend on thread count or timing
//! even though the search runs in parallel.

use rayon::prelude::*;
use sha3::{Digest as _, Keccak256};

use super::merkle::Digest;

/// Nonces tried per parallel batch; batches run in order, so the first hit is the smallest.
const BATCH: u64 = 1 << 14;

/// Whether `nonce` satisfies `bits` of work over `state`.
pub fn check(state: &Digest, nonce: u64, bits: usize) -> bool {
    if bits == 0 {
        return true;
    }
    let mut h = Keccak256::new();
    h.update(b"grind");
    h.update(state);
    h.update(nonce.to_le_bytes());
    let out: Digest = h.finalize().into();
    let lead = u64::from_be_bytes(out[..8].try_into().expect("8 bytes"));
    lead.leading_zeros() as usize >= bits
}

/// The smallest nonce satisfying [`check`].
pub fn grind(state: &Digest, bits: usize) -> u64 {
    let mut start = 0u64;
    loop {
        if let Some(n) = (start..start + BATCH)
            .into_par_iter()
            .find_first(|&n| check(state, n, bits))
        {
            return n;
        }
        start += BATCH;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grind_finds_the_smallest_nonce() {
        let state = [7u8; 32];
        let n = grind(&state, 10);
        assert!(check(&state, n, 10));
        assert!((0..n).all(|m| !check(&state, m, 10)));
        // Same answer on a one-thread pool.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| grind(&state, 10)), n);
    }
}
