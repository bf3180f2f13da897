//! Public integers into the field: the one place where a value of the statement, or one the
//! prover claims (outputs, exit code, cycle count, an epoch's boundary), becomes a field
//! element of a bus term.
//!
//! Goldilocks has `p = 2^64 - 2^32 + 1`, so a `u64` above `p` and its residue are the same
//! element: a bus term cannot tell `c` from `c + p`. Every conversion here therefore checks
//! the value's domain first and refuses what lies outside it, with a typed error; none of them
//! reduces silently. `u32` values (words, exit codes, addresses, registers) are below `p` and
//! convert exactly; their encodings ([`postcard`] varints) refuse anything wider.
//!
//! Domains:
//! * cycle count of one proof: `1..=2^32` (one CPU row per cycle, a table has at most
//!   `2^32` rows);
//! * output indices: every index is below `2^32` (the tags [`bus::EXIT_TAG`] and
//!   [`bus::CYCLES_TAG`] sit just above), so the index after the last word fits a `u32`;
//! * input: at most [`MAX_INPUT_WORDS`] words, so the count word and every input word stay
//!   in the input region below the register keys.

use std::ops::Range;

use p3_field::PrimeCharacteristicRing;

use crate::air::bus;
use crate::stark::{Felt, MAX_TABLE_LOG_HEIGHT};

/// The most cycles one proof can cover: one CPU row each, and a table has at most `2^32` rows.
pub const MAX_CYCLES_PER_PROOF: u64 = 1 << MAX_TABLE_LOG_HEIGHT;

/// The most input words a statement may carry: the count and the words fill
/// `INPUT_ADDR..INPUT_ADDR + 4 (n + 1)`, which must stay below `2^32` bytes and below the
/// register keys (`2^30` as word addresses): `2^26` words (256 MiB) keeps well inside both.
pub const MAX_INPUT_WORDS: usize = 1 << 26;

/// A public value outside its domain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PublicValueError {
    /// A cycle count of zero, or more than one proof can cover.
    #[error("claimed cycle count {0} is outside 1..=2^32 (one CPU row per cycle)")]
    Cycles(u64),
    /// Output indices that reach the tag space at `2^32`.
    #[error("output indices {start}..{end} reach 2^32, where the exit code and cycle tags live")]
    OutputIndices {
        /// Index of the first word.
        start: u64,
        /// One past the index of the last word.
        end: u64,
    },
    /// More input words than the input region holds.
    #[error("input of {0} words exceeds the {MAX_INPUT_WORDS}-word input region")]
    Input(usize),
}

/// A `u32` (word, exit code, address, register value): exact, since `u32::MAX < p`.
pub(crate) fn word(v: u32) -> Felt {
    Felt::from_u32(v)
}

/// A claimed cycle count, in `1..=`[`MAX_CYCLES_PER_PROOF`].
pub(crate) fn cycles(c: u64) -> Result<Felt, PublicValueError> {
    if (1..=MAX_CYCLES_PER_PROOF).contains(&c) {
        Ok(Felt::from_u64(c))
    } else {
        Err(PublicValueError::Cycles(c))
    }
}

/// The output indices of `len` words committed from index `start` on; each is below `2^32`,
/// and so is the index after the last.
pub(crate) fn output_indices(start: u32, len: usize) -> Result<Range<u64>, PublicValueError> {
    let start = u64::from(start);
    let end = start.saturating_add(len as u64);
    if end > u64::from(u32::MAX) {
        return Err(PublicValueError::OutputIndices { start, end });
    }
    Ok(start..end)
}

/// An output index from [`output_indices`] (below `2^32`, so exact).
pub(crate) fn index(i: u64) -> Felt {
    debug_assert!(i < bus::EXIT_TAG);
    Felt::from_u64(i)
}

/// Checks the input length (see [`MAX_INPUT_WORDS`]).
pub(crate) fn check_input(input: &[u32]) -> Result<(), PublicValueError> {
    if input.len() > MAX_INPUT_WORDS {
        return Err(PublicValueError::Input(input.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use p3_field::PrimeField64;

    use super::*;

    const P: u64 = Felt::ORDER_U64;

    #[test]
    fn cycle_counts_outside_one_proof_are_refused_not_reduced() {
        assert_eq!(cycles(0), Err(PublicValueError::Cycles(0)));
        assert_eq!(cycles(54).unwrap(), Felt::from_u64(54));
        assert!(cycles(MAX_CYCLES_PER_PROOF).is_ok());
        assert!(cycles(MAX_CYCLES_PER_PROOF + 1).is_err());
        // The forged count of the issue: 54 + p is the same element as 54.
        assert_eq!(cycles(54 + P), Err(PublicValueError::Cycles(54 + P)));
    }

    #[test]
    fn output_indices_stay_below_the_tags() {
        assert_eq!(output_indices(0, 3), Ok(0..3));
        assert_eq!(
            output_indices(u32::MAX - 2, 2),
            Ok(u64::from(u32::MAX) - 2..u64::from(u32::MAX))
        );
        assert!(output_indices(u32::MAX - 2, 3).is_err());
        let top = u64::from(u32::MAX);
        assert_eq!(output_indices(u32::MAX, 0), Ok(top..top));
        assert!(output_indices(u32::MAX, 1).is_err());
        assert!(output_indices(1, usize::MAX).is_err());
    }

    #[test]
    fn input_longer_than_its_region_is_refused() {
        assert!(check_input(&[1, 2, 3]).is_ok());
        assert!(check_input(&vec![0; MAX_INPUT_WORDS]).is_ok());
        let n = MAX_INPUT_WORDS + 1;
        assert_eq!(check_input(&vec![0; n]), Err(PublicValueError::Input(n)));
        // Region arithmetic: the last input word stays below the register keys.
        let last_key = u64::from(crate::vm::INPUT_ADDR / 4) + MAX_INPUT_WORDS as u64;
        assert!(last_key < u64::from(crate::air::cpu::REG_BASE));
    }
}
