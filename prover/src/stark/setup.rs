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
use super::security::MAX_TABLE_TERMS;
use super::symbolic::{AirError, AirInfo};
use super::trace::{ChunkShape, Instance, buckets, instances, row_range};
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

/// Every table's [`AirInfo`] (the symbolic evaluation: statement-bound work, done before any
/// claimed height is looked at), each checked against the terms the security estimate
/// assumes one table combines with powers of one challenge ([`MAX_TABLE_TERMS`]): its
/// folded constraints (composition, alpha) and its opened column values (DEEP, lambda: every
/// column at `z`, all but the quotient parts at `z w` too).
pub fn air_infos<A: Air>(airs: &[A], num_public: usize) -> Result<Vec<AirInfo>, AirError> {
    airs.iter()
        .map(|air| {
            let info = AirInfo::of(air, num_public)?;
            let deep = 2 * (air.preprocessed_width() + air.main_width() + info.aux_width())
                + QUOTIENT_PARTS;
            for (what, terms) in [
                ("folded constraints", info.num_folded_constraints()),
                ("opened column values", deep),
            ] {
                if terms > MAX_TABLE_TERMS {
                    return Err(AirError::BatchedTerms {
                        table: air.name().to_string(),
                        what,
                        terms,
                        max: MAX_TABLE_TERMS,
                    });
                }
            }
            Ok(info)
        })
        .collect()
}

/// Each table's chunk height, log2: `2^log_max_rows` at most for a table with transition
/// constraints of its own (it is one chunk), `2^log_split_rows` for any other
/// ([`StarkParams::log_chunk_height`]). Prover, verifier and the memory model cut tables with
/// this alone.
pub fn chunk_logs(infos: &[AirInfo], params: &StarkParams) -> Vec<usize> {
    infos
        .iter()
        .map(|i| params.log_chunk_height(i.has_transitions()))
        .collect()
}

/// [`chunk_logs`] of `airs`, from their symbolic evaluation ([`AirInfo::of`]).
pub fn chunk_logs_of<A: Air>(
    airs: &[A],
    num_public: usize,
    params: &StarkParams,
) -> Result<Vec<usize>, AirError> {
    let infos = airs
        .iter()
        .map(|a| AirInfo::of(a, num_public))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(chunk_logs(&infos, params))
}

impl Layout {
    /// Derives the layout; `heights` must already be checked ([`check_heights`]).
    pub fn new<A: Air>(
        airs: &[A],
        heights: &[usize],
        params: &StarkParams,
        num_public: usize,
    ) -> Result<Self, AirError> {
        Ok(Self::with_infos(
            airs,
            air_infos(airs, num_public)?,
            heights,
            params,
        ))
    }

    /// Derives the layout from the tables' [`air_infos`]; `heights` must already be checked
    /// ([`check_heights`]), which bounds what this builds: one entry per instance, at most
    /// [`StarkParams::max_instances`], and the verifier has compared that count with the
    /// proof's own vectors first.
    pub fn with_infos<A: Air>(
        airs: &[A],
        infos: Vec<AirInfo>,
        heights: &[usize],
        params: &StarkParams,
    ) -> Self {
        let instances = instances(heights, &chunk_logs(&infos, params));
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
        Self {
            infos,
            instances,
            widths,
            buckets,
        }
    }

    /// Whether all the instances' aux traces together hold no more cells than the largest
    /// instance's main trace (the store keeps them then, with `stream_lde` and
    /// `retire_traces`: `Policy::keeps_aux_traces`).
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
        "table {table}: height {height} is not full chunks of 2^{log_chunk} rows plus one power-of-two chunk"
    )]
    Shape {
        /// Table name.
        table: String,
        /// Its height in rows.
        height: usize,
        /// log2 of the table's chunk height ([`StarkParams::log_chunk_height`]).
        log_chunk: usize,
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
    /// A table with transition constraints claims more than one chunk: its constraints would
    /// not be checked across the chunk boundary.
    #[error(
        "table {table}: height {height} spans more than one chunk of 2^{log_max_rows} rows, but its transition constraints do not cross chunk boundaries"
    )]
    Split {
        /// Table name.
        table: String,
        /// Its claimed height in rows.
        height: usize,
        /// log2 of the chunk height.
        log_max_rows: usize,
    },
    /// The heights cut the tables into more instances than a proof may have.
    #[error(
        "the claimed heights make {count} instances (table chunks); at most {max} are accepted"
    )]
    Instances {
        /// Instances the heights make (saturated at `usize::MAX`).
        count: usize,
        /// [`StarkParams::max_instances`].
        max: usize,
    },
}

/// How many entries each per-instance and per-bucket vector of a proof holds, counted from
/// checked heights with arithmetic ([`check_heights`] returns it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Instances (table chunks): main roots, quotient roots, OOD values.
    pub instances: usize,
    /// Instances of tables that take part in a bus: aux roots, LogUp sums.
    pub aux_instances: usize,
    /// Distinct chunk heights: batched FRIs.
    pub buckets: usize,
}

/// Checks every table height (both sides call this before anything else) and counts what
/// the heights imply, with arithmetic alone (nothing here grows with a claimed height):
///
/// * each height lies in range and is a chunk shape ([`ChunkShape::of`]) for its chunk
///   height ([`chunk_logs`]: `params.log_max_rows` for a table with transitions, else
///   `params.log_split_rows()`);
/// * each table whose height the statement fixes has exactly that height, so the verifier
///   builds no preprocessed table larger than the statement says;
/// * a table with transition constraints of its own ([`AirInfo::has_transitions`]) is one
///   chunk: constraints do not cross chunk boundaries, so a split table's transitions would
///   go unchecked between its chunks (MEMORY's keys-strictly-increasing argument is one);
/// * the instance count is at most [`StarkParams::max_instances`].
///
/// `infos` are the tables' [`air_infos`].
pub fn check_heights<A: Air>(
    airs: &[A],
    infos: &[AirInfo],
    heights: &[usize],
    params: &StarkParams,
) -> Result<Counts, HeightError> {
    let max = params.max_instances();
    let mut counts = Counts {
        instances: 0,
        aux_instances: 0,
        buckets: 0,
    };
    // Bit `l` is set when some chunk is `2^l` rows tall.
    let mut bucket_logs = 0u64;
    for ((air, info), &height) in airs.iter().zip(infos).zip(heights) {
        let table = || air.name().to_string();
        let log_chunk = params.log_chunk_height(info.has_transitions());
        if !(1 << MIN_LOG_HEIGHT..=1 << MAX_TABLE_LOG_HEIGHT).contains(&height) {
            return Err(HeightError::Range {
                table: table(),
                height,
                min: MIN_LOG_HEIGHT,
                max: MAX_TABLE_LOG_HEIGHT,
            });
        }
        let Some(shape) = ChunkShape::of(height, log_chunk) else {
            return Err(HeightError::Shape {
                table: table(),
                height,
                log_chunk,
            });
        };
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
        let chunks = shape.chunks();
        if chunks > 1 && info.has_transitions() {
            return Err(HeightError::Split {
                table: table(),
                height,
                log_max_rows: log_chunk,
            });
        }
        counts.instances = counts.instances.saturating_add(chunks);
        if counts.instances > max {
            return Err(HeightError::Instances {
                count: counts.instances,
                max,
            });
        }
        if info.has_aux() {
            counts.aux_instances += chunks;
        }
        if shape.full > 0 {
            bucket_logs |= 1 << log_chunk;
        }
        if let Some(l) = shape.tail_log {
            bucket_logs |= 1 << l;
        }
    }
    counts.buckets = bucket_logs.count_ones() as usize;
    Ok(counts)
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
        params.log_split_rows(),
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
    use crate::stark::examples::{CubesAir, ExampleAir, FibAir, RangeAir};
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

    /// `check_heights` at `log_max_rows`, the counts dropped.
    fn check<A: Air>(
        airs: &[A],
        heights: &[usize],
        log_max_rows: usize,
    ) -> Result<(), HeightError> {
        let infos = air_infos(airs, 3).unwrap();
        let params = StarkParams {
            log_max_rows,
            ..StarkParams::default()
        };
        check_heights(airs, &infos, heights, &params).map(|_| ())
    }

    #[test]
    fn heights_are_checked_against_range_and_statement() {
        let airs = [
            ExampleAir::Cubes(CubesAir),
            ExampleAir::Range(RangeAir { log_n: 4 }),
        ];
        assert_eq!(check(&airs, &[1 << 6, 16], 20), Ok(()));
        // Any height for the unpreprocessed table, within range.
        assert_eq!(check(&airs, &[1 << 12, 16], 20), Ok(()));
        assert!(matches!(
            check(&airs, &[1 << 33, 16], 20),
            Err(HeightError::Range { height, .. }) if height == 1 << 33
        ));
        assert!(matches!(
            check(&airs, &[2, 16], 20),
            Err(HeightError::Range { height: 2, .. })
        ));
        // Full chunks plus a power-of-two tail, and nothing else.
        assert_eq!(check(&airs, &[(1 << 10) + 64, 16], 10), Ok(()));
        assert_eq!(
            check(&airs, &[(1 << 10) + 96, 16], 10),
            Err(HeightError::Shape {
                table: "cubes".into(),
                height: (1 << 10) + 96,
                log_chunk: 10
            })
        );
        assert!(matches!(
            check(&airs, &[96, 16], 10),
            Err(HeightError::Shape { height: 96, .. })
        ));
        assert_eq!(
            check(&airs, &[1 << 6, 32], 20),
            Err(HeightError::Fixed {
                table: "range".into(),
                height: 32,
                fixed: 4
            })
        );
        assert_eq!(
            check(&[Unfixed], &[16], 20),
            Err(HeightError::Unfixed {
                table: "unfixed".into()
            })
        );
    }

    /// `n` main columns, each constrained to zero.
    struct Wide(usize);
    impl Air for Wide {
        fn name(&self) -> &str {
            "wide"
        }
        fn main_width(&self) -> usize {
            self.0
        }
        fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
            for &c in v.local {
                out.assert_zero(c);
            }
        }
    }

    #[test]
    fn tables_past_the_batched_terms_bound_are_rejected() {
        // 2 * width + QUOTIENT_PARTS opened values; width folded constraints.
        let fits = (MAX_TABLE_TERMS - QUOTIENT_PARTS) / 2;
        assert!(air_infos(&[Wide(fits)], 0).is_ok());
        assert!(matches!(
            air_infos(&[Wide(fits + 1)], 0),
            Err(AirError::BatchedTerms { what: "opened column values", terms, max, .. })
                if terms == 2 * (fits + 1) + QUOTIENT_PARTS && max == MAX_TABLE_TERMS
        ));
    }

    #[test]
    fn tables_with_transitions_are_one_chunk() {
        // Fib constrains each row against the next; Cubes has no transition of its own (its
        // LogUp running sum is per chunk).
        let airs = [ExampleAir::Fib(FibAir), ExampleAir::Cubes(CubesAir)];
        assert_eq!(check(&airs, &[16, 64], 4), Ok(()));
        assert_eq!(
            check(&airs, &[32, 64], 4),
            Err(HeightError::Split {
                table: "fib".into(),
                height: 32,
                log_max_rows: 4
            })
        );
        // A tail chunk is a second chunk too.
        assert!(matches!(
            check(&airs, &[16 + 4, 64], 4),
            Err(HeightError::Split { height: 20, .. })
        ));
    }

    #[test]
    fn tables_without_transitions_split_at_the_smaller_chunk_height() {
        // The defaults: a table that may be split is cut at 2^19, one with transitions is
        // one chunk of up to 2^20 rows.
        let airs = [ExampleAir::Fib(FibAir), ExampleAir::Cubes(CubesAir)];
        let params = StarkParams::default();
        assert_eq!((params.log_max_rows, params.log_split_rows()), (20, 19));
        let infos = air_infos(&airs, 3).unwrap();
        assert_eq!(chunk_logs(&infos, &params), vec![20, 19]);
        let counts = check_heights(&airs, &infos, &[1 << 20, 1 << 20], &params).unwrap();
        assert_eq!((counts.instances, counts.buckets), (3, 2));
        let layout = Layout::with_infos(&airs, infos.clone(), &[1 << 20, 1 << 20], &params);
        let logs: Vec<usize> = layout.instances.iter().map(|i| i.log_height).collect();
        assert_eq!(logs, vec![20, 19, 19]);
        assert!(matches!(
            check_heights(&airs, &infos, &[1 << 21, 16], &params),
            Err(HeightError::Split { height, .. }) if height == 1 << 21
        ));
        // log_chunk_rows never raises the chunk height past log_max_rows.
        let low = StarkParams {
            log_max_rows: 10,
            ..params
        };
        assert_eq!(chunk_logs(&infos, &low), vec![10, 10]);
    }

    #[test]
    fn counts_are_arithmetic_and_capped() {
        let airs = [
            ExampleAir::Fib(FibAir),
            ExampleAir::Cubes(CubesAir),
            ExampleAir::Range(RangeAir { log_n: 4 }),
        ];
        let infos = air_infos(&airs, 3).unwrap();
        let params = StarkParams {
            log_max_rows: 4,
            ..StarkParams::default()
        };
        // Cubes: 2 chunks of 16 and a tail of 8; fib 8 rows; range 16: heights 16 and 8.
        let counts = check_heights(&airs, &infos, &[8, 40, 16], &params).unwrap();
        assert_eq!(
            counts,
            Counts {
                instances: 5,
                aux_instances: 4,
                buckets: 2
            }
        );
        let layout = Layout::with_infos(&airs, infos.clone(), &[8, 40, 16], &params);
        assert_eq!(layout.instances.len(), counts.instances);
        assert_eq!(layout.aux_instances().len(), counts.aux_instances);
        assert_eq!(layout.buckets.len(), counts.buckets);
        // 2^32 cubes rows in chunks of 16: 2^28 instances (and fib's), refused by count alone.
        assert_eq!(
            check_heights(&airs, &infos, &[8, 1 << 32, 16], &params),
            Err(HeightError::Instances {
                count: (1 << 28) + 1,
                max: params.max_instances()
            })
        );
    }
}
