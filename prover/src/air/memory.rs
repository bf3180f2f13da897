//! MEMORY: the initial and final value of every memory key the program touches (registers
//! and RAM words), closing the offline memory-checking multiset.
//!
//! One row per key, keys strictly increasing. Each row sends the key's initial access
//! `(key, init_val, 0)` and receives its last access `(key, final_val, final_ts)` on
//! [`MEMORY`](super::bus::MEMORY); in between, every CPU access receives the previous access
//! and sends its own. Because each key has exactly one row, each key's accesses form a
//! single chain, ordered by the CPU's range-checked timestamps.
//!
//! Initial values come from the public image: a row with `is_image = 1` receives
//! `(key, init_val)` on [`IMAGE`](super::bus::IMAGE), which the verifier sends for every ELF
//! word, input word and the initial `sp`; any other row starts at zero.
//!
//! ## Columns
//! `key, init_val, final_val, final_ts, is_image, k_lo, k_hi, g_lo, g_hi`.
//!
//! ## Constraints
//! * `key = k_lo + 2^16 k_hi` [1] (with the limbs range-checked: keys are below `2^32`);
//! * transition: `key' - key - 1 = g_lo + 2^16 g_hi` [1] (keys strictly increase);
//! * `is_image` boolean [2]; `(1 - is_image) init_val = 0` [2].
//!
//! ## Buses
//! MEMORY send `(key, init_val, 0)` and receive `(key, final_val, final_ts)`, both
//! multiplicity 1; IMAGE receive `(key, init_val)` multiplicity `is_image`; RANGE16 sends of
//! `k_lo, k_hi, g_lo, g_hi`.
//!
//! The uniqueness argument needs the transition constraint between every pair of rows, so
//! this table must be a single chunk: the zkVM verifier rejects a taller one.
//!
//! ## Boundary form (continuation epochs)
//! [`MemoryAir::BOUNDARY`] is the form an epoch of a continuation is proved with (the
//! verifier builds its table list with it, so it is not the prover's choice). Every row
//! with `is_image = 1` is then a public boundary row: besides receiving its initial value
//! on IMAGE, it sends `(key, final_val)` on [`FINAL`](super::bus::FINAL), which the verifier
//! receives for each value the epoch leaves. One more constraint,
//! `(1 - is_image) final_ts = 0`, confines the other rows (padding) to keys the epoch does
//! not touch: such a row's receive `(key, final_val, 0)` can only be matched by its own send
//! `(key, 0, 0)`, since every CPU access has a timestamp of at least 1. So every key the
//! epoch touches has a public first value and a public last value, and the verifier, which
//! derives both sets of bus terms from the epoch's boundary, binds the table to that
//! boundary as a commitment to a preprocessed table would.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::bus::{self, RangeCounts};
use crate::stark::{Air, Constraints, Expr, Felt, Vars};

/// Column indices.
#[allow(missing_docs)]
pub mod col {
    pub const KEY: usize = 0;
    pub const INIT: usize = 1;
    pub const FINAL: usize = 2;
    pub const FINAL_TS: usize = 3;
    pub const IS_IMAGE: usize = 4;
    pub const K_LO: usize = 5;
    pub const K_HI: usize = 6;
    pub const G_LO: usize = 7;
    pub const G_HI: usize = 8;
    pub const WIDTH: usize = 9;
}

/// The MEMORY table, in the form of a whole run or of an epoch's boundary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryAir {
    /// Boundary form: final values are public (see the module doc).
    pub boundary: bool,
}

impl MemoryAir {
    /// The form of a whole run.
    pub const RUN: MemoryAir = MemoryAir { boundary: false };
    /// The form of a continuation epoch.
    pub const BOUNDARY: MemoryAir = MemoryAir { boundary: true };
}

impl Air for MemoryAir {
    fn name(&self) -> &str {
        "memory"
    }

    fn main_width(&self) -> usize {
        col::WIDTH
    }

    fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
        let l = v.local;
        let one = E::one();
        let two16 = E::constant(1 << 16);
        let (key, init, is_image) = (l[col::KEY], l[col::INIT], l[col::IS_IMAGE]);
        out.assert_eq(key, l[col::K_LO] + two16 * l[col::K_HI]);
        out.assert_transition(v.next[col::KEY] - key - one - l[col::G_LO] - two16 * l[col::G_HI]);
        out.assert_bool(is_image);
        out.assert_zero((one - is_image) * init);
        out.send(bus::MEMORY, &[key, init, E::zero()], one);
        out.receive(bus::MEMORY, &[key, l[col::FINAL], l[col::FINAL_TS]], one);
        out.receive(bus::IMAGE, &[key, init], is_image);
        if self.boundary {
            out.assert_zero((one - is_image) * l[col::FINAL_TS]);
            out.send(bus::FINAL, &[key, l[col::FINAL]], is_image);
        }
        for c in [col::K_LO, col::K_HI, col::G_LO, col::G_HI] {
            out.send(bus::RANGE16, &[l[c]], one);
        }
    }
}

/// One key's life: where it started and how it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRecord {
    /// The memory key.
    pub key: u32,
    /// Initial value.
    pub init: u32,
    /// Whether the initial value comes from the public image.
    pub is_image: bool,
    /// Final value.
    pub final_val: u32,
    /// Timestamp of the last access (0 if never accessed).
    pub final_ts: u64,
}

/// The MEMORY trace from records sorted by strictly increasing key. Padding rows continue
/// the key sequence above the last key as untouched, zero-initialised keys.
pub fn memory_trace(records: &[KeyRecord], range: &mut RangeCounts) -> RowMajorMatrix<Felt> {
    debug_assert!(records.windows(2).all(|w| w[0].key < w[1].key));
    let height = records.len().next_power_of_two().max(4);
    let mut values = Vec::with_capacity(height * col::WIDTH);
    let last_key = records.last().map_or(0, |r| r.key);
    let key_at = |r: usize| -> u32 {
        match records.get(r) {
            Some(rec) => rec.key,
            None => last_key + (r - records.len()) as u32 + u32::from(!records.is_empty()),
        }
    };
    for r in 0..height {
        let rec = records.get(r).copied().unwrap_or(KeyRecord {
            key: key_at(r),
            init: 0,
            is_image: false,
            final_val: 0,
            final_ts: 0,
        });
        let gap = if r + 1 < height {
            key_at(r + 1) - rec.key - 1
        } else {
            0
        };
        range.add_u32(rec.key);
        range.add_u32(gap);
        values.extend([
            Felt::from_u32(rec.key),
            Felt::from_u32(rec.init),
            Felt::from_u32(rec.final_val),
            Felt::from_u64(rec.final_ts),
            Felt::from_bool(rec.is_image),
            Felt::from_u16(rec.key as u16),
            Felt::from_u16((rec.key >> 16) as u16),
            Felt::from_u16(gap as u16),
            Felt::from_u16((gap >> 16) as u16),
        ]);
    }
    RowMajorMatrix::new(values, col::WIDTH)
}
