//! What prover and verifier derive identically before the first message: each table's
//! [`AirInfo`], the instance layout and buckets, the preprocessed commitments, and the
//! transcript's opening absorption (parameters, statement, table shapes, preprocessed roots).

use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;

use super::air::{Air, PublicInteraction};
use super::composition::QUOTIENT_PARTS;
use super::deep::SegmentWidths;
use super::domain::Lde;
use super::field::Felt;
use super::merkle::MerkleTree;
use super::params::{MIN_LOG_HEIGHT, StarkParams};
use super::symbolic::{AirError, AirInfo};
use super::trace::{Instance, buckets, chunk_log_heights, instances, row_range};
use super::transcript::Transcript;
use crate::memtag::{self, Tag};

/// The protocol label every transcript starts with.
const PROTOCOL: &[u8] = b"rv32im-stark/goldilocks-keccak/v1";

/// The largest full table height, as a power of two.
pub const MAX_TABLE_LOG_HEIGHT: usize = 32;

/// What a proof is about, beyond the traces: bound into the transcript before anything else.
#[derive(Clone, Copy, Debug, Default)]
pub struct Statement<'a> {
    /// Opaque bytes the caller binds (program digest, inputs, ...).
    pub context: &'a [u8],
    /// Public values every table's `eval` can read.
    pub public_values: &'a [Felt],
    /// Bus terms the verifier adds itself.
    pub public_interactions: &'a [PublicInteraction],
}

/// A committed preprocessed chunk.
#[derive(Debug)]
pub struct PreCommitted {
    /// The chunk's rows.
    pub trace: RowMajorMatrix<Felt>,
    /// Its LDE, storage order.
    pub lde: RowMajorMatrix<Felt>,
    /// Its Merkle tree.
    pub tree: MerkleTree,
}

/// The shared layout.
#[derive(Debug)]
pub struct Layout {
    /// Per table.
    pub infos: Vec<AirInfo>,
    /// Per instance.
    pub instances: Vec<Instance>,
    /// Per instance.
    pub widths: Vec<SegmentWidths>,
    /// `(log_height, members)`, largest first.
    pub buckets: Vec<(usize, Vec<usize>)>,
}

impl Layout {
    /// Derives the layout; `heights` must already be checked ([`check_heights`]).
    pub fn new<A: Air>(
        airs: &[A],
        heights: &[usize],
        params: &StarkParams,
        num_public: usize,
    ) -> Result<Self, AirError> {
        let infos = airs
            .iter()
            .map(|a| AirInfo::of(a, num_public))
            .collect::<Result<Vec<_>, _>>()?;
        let instances = instances(heights, params.log_max_rows);
        let widths = instances
            .iter()
            .map(|i| SegmentWidths {
                pre: airs[i.table].preprocessed_width(),
                main: airs[i.table].main_width(),
                aux: infos[i.table].aux_width(),
                quotient: QUOTIENT_PARTS,
            })
            .collect();
        let buckets = buckets(&instances);
        Ok(Self {
            infos,
            instances,
            widths,
            buckets,
        })
    }

    /// Whether all the instances' aux traces together hold no more cells than the largest
    /// instance's main trace (the store keeps them then, with `stream_lde` and
    /// `retire_traces`: `InstanceStore::keeps_aux_traces`).
    pub fn aux_fits_in_largest_main(&self) -> bool {
        let cells = |k: usize, w: usize| w << self.instances[k].log_height;
        let n = self.instances.len();
        let aux: usize = (0..n).map(|k| cells(k, 2 * self.widths[k].aux)).sum();
        let main = (0..n).map(|k| cells(k, self.widths[k].main)).max();
        aux <= main.unwrap_or(0)
    }

    /// Indices of the instances that have an aux trace, in instance order.
    pub fn aux_instances(&self) -> Vec<usize> {
        (0..self.instances.len())
            .filter(|&i| self.infos[self.instances[i].table].has_aux())
            .collect()
    }
}

/// A claimed table height the statement does not allow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeightError {
    /// Outside the supported range.
    #[error("table {table}: height {height} outside 2^{min}..=2^{max}")]
    Range {
        /// Table name.
        table: String,
        /// Its height in rows.
        height: usize,
        /// Smallest allowed log2 height.
        min: usize,
        /// Largest allowed log2 height.
        max: usize,
    },
    /// Not full chunks plus one power-of-two tail chunk.
    #[error(
        "table {table}: height {height} is not full chunks of 2^{log_max_rows} rows plus one power-of-two chunk"
    )]
    Shape {
        /// Table name.
        table: String,
        /// Its height in rows.
        height: usize,
        /// log2 of the chunk height.
        log_max_rows: usize,
    },
    /// A table whose height the statement fixes (every preprocessed table) claims another.
    #[error("table {table}: height {height}, but the statement fixes 2^{fixed}")]
    Fixed {
        /// Table name.
        table: String,
        /// Its claimed height in rows.
        height: usize,
        /// The log2 height the statement fixes.
        fixed: usize,
    },
    /// A table with preprocessed columns that does not say its height (an AIR bug).
    #[error("table {table} has preprocessed columns but no fixed height")]
    Unfixed {
        /// Table name.
        table: String,
    },
}

/// Checks every table height (both sides call this before anything else): each lies in
/// range and is a chunk shape for `log_max_rows` ([`chunk_log_heights`]), and each table
/// whose height the statement fixes has exactly that height. The verifier thus builds no
/// preprocessed table larger than the statement says.
pub fn check_heights<A: Air>(
    airs: &[A],
    heights: &[usize],
    log_max_rows: usize,
) -> Result<(), HeightError> {
    for (air, &height) in airs.iter().zip(heights) {
        let table = || air.name().to_string();
        if !(1 << MIN_LOG_HEIGHT..=1 << MAX_TABLE_LOG_HEIGHT).contains(&height) {
            return Err(HeightError::Range {
                table: table(),
                height,
                min: MIN_LOG_HEIGHT,
                max: MAX_TABLE_LOG_HEIGHT,
            });
        }
        if chunk_log_heights(height, log_max_rows).is_none() {
            return Err(HeightError::Shape {
                table: table(),
                height,
                log_max_rows,
            });
        }
        match air.fixed_log_height() {
            Some(fixed) if 1 << fixed != height => {
                return Err(HeightError::Fixed {
                    table: table(),
                    height,
                    fixed,
                });
            }
            None if air.preprocessed_width() > 0 => {
                return Err(HeightError::Unfixed { table: table() });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Commits every instance's preprocessed chunk (both sides do this themselves) and hands
/// each to `keep`, which decides what stays: the prover keeps the trace, the LDE and the
/// tree (its store then drops what its plan drops), the verifier only the root. Each tree
/// is built without its lowest `dropped_levels` levels (clamped to its height), which never
/// exist in full; the verifier passes the default drop, which keeps the hashing parallel
/// (a tree built as one subtree is hashed by one thread). One table's full preprocessed
/// trace and one chunk's LDE and tree are alive at a time.
pub fn commit_preprocessed<A: Air, T>(
    airs: &[A],
    layout: &Layout,
    heights: &[usize],
    params: &StarkParams,
    lde: &Lde,
    dropped_levels: usize,
    mut keep: impl FnMut(PreCommitted) -> T,
) -> Result<Vec<Option<T>>, AirError> {
    let mut kept = Vec::with_capacity(layout.instances.len());
    let mut k = 0;
    for (t, (air, &height)) in airs.iter().zip(heights).enumerate() {
        let pre = air.preprocessed_trace(height);
        match (&pre, air.preprocessed_width()) {
            (None, 0) => {}
            (Some(m), w) if m.width() == w && m.height() == height && w > 0 => {}
            (m, w) => {
                return Err(AirError::PreprocessedShape {
                    table: air.name().to_string(),
                    want_width: w,
                    want_height: height,
                    got_width: m.as_ref().map_or(0, |m| m.width()),
                    got_height: m.as_ref().map_or(0, |m| m.height()),
                });
            }
        }
        while let Some(inst) = layout.instances.get(k).filter(|i| i.table == t) {
            kept.push(pre.as_ref().map(|m| {
                let trace = row_range(m, inst.row_start(), inst.height());
                let lde = memtag::tagged(Tag::PreLde, || lde.extend(&trace, params.log_blowup));
                let tree = MerkleTree::commit_rows_above(&lde.values, lde.width(), dropped_levels);
                keep(PreCommitted { trace, lde, tree })
            }));
            k += 1;
        }
    }
    debug_assert_eq!(k, layout.instances.len());
    Ok(kept)
}

/// A transcript that has absorbed everything both sides know before the first message.
pub fn open_transcript<A: Air>(
    params: &StarkParams,
    statement: &Statement<'_>,
    airs: &[A],
    heights: &[usize],
    pre_roots: &[Option<[u8; 32]>],
) -> Transcript {
    let mut t = Transcript::new(PROTOCOL);
    for v in [
        params.log_blowup,
        params.security_bits,
        params.regime as usize,
        params.grinding_bits,
        params.log_max_rows,
        params.log_final_poly_len,
    ] {
        t.absorb_u64(v as u64);
    }
    t.absorb_bytes(statement.context);
    t.absorb_felts(statement.public_values);
    t.absorb_u64(statement.public_interactions.len() as u64);
    for p in statement.public_interactions {
        t.absorb_u64(u64::from(p.bus));
        t.absorb_felts(&p.values);
        t.absorb_felts(&[p.multiplicity]);
    }
    t.absorb_u64(airs.len() as u64);
    for (air, &height) in airs.iter().zip(heights) {
        t.absorb_bytes(air.name().as_bytes());
        t.absorb_u64(air.main_width() as u64);
        t.absorb_u64(air.preprocessed_width() as u64);
        t.absorb_u64(height as u64);
    }
    for root in pre_roots.iter().flatten() {
        t.absorb_digest(root);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::air::{Constraints, Vars};
    use crate::stark::examples::{CubesAir, ExampleAir, RangeAir};
    use crate::stark::field::Expr;

    /// Preprocessed columns but no fixed height: an AIR bug the setup must name.
    struct Unfixed;

    impl Air for Unfixed {
        fn name(&self) -> &str {
            "unfixed"
        }
        fn main_width(&self) -> usize {
            1
        }
        fn preprocessed_width(&self) -> usize {
            1
        }
        fn eval<E: Expr, C: Constraints<E>>(&self, _: &Vars<'_, E>, _: &mut C) {}
    }

    #[test]
    fn heights_are_checked_against_range_and_statement() {
        let airs = [
            ExampleAir::Cubes(CubesAir),
            ExampleAir::Range(RangeAir { log_n: 4 }),
        ];
        assert_eq!(check_heights(&airs, &[1 << 6, 16], 20), Ok(()));
        // Any height for the unpreprocessed table, within range.
        assert_eq!(check_heights(&airs, &[1 << 12, 16], 20), Ok(()));
        assert!(matches!(
            check_heights(&airs, &[1 << 33, 16], 20),
            Err(HeightError::Range { height, .. }) if height == 1 << 33
        ));
        assert!(matches!(
            check_heights(&airs, &[2, 16], 20),
            Err(HeightError::Range { height: 2, .. })
        ));
        // Full chunks plus a power-of-two tail, and nothing else.
        assert_eq!(check_heights(&airs, &[(1 << 10) + 64, 16], 10), Ok(()));
        assert_eq!(
            check_heights(&airs, &[(1 << 10) + 96, 16], 10),
            Err(HeightError::Shape {
                table: "cubes".into(),
                height: (1 << 10) + 96,
                log_max_rows: 10
            })
        );
        assert!(matches!(
            check_heights(&airs, &[96, 16], 10),
            Err(HeightError::Shape { height: 96, .. })
        ));
        assert_eq!(
            check_heights(&airs, &[1 << 6, 32], 20),
            Err(HeightError::Fixed {
                table: "range".into(),
                height: 32,
                fixed: 4
            })
        );
        assert_eq!(
            check_heights(&[Unfixed], &[16], 20),
            Err(HeightError::Unfixed {
                table: "unfixed".into()
            })
        );
    }
}
