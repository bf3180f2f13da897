//! Where traces come from, and how tables are cut into instances.
//!
//! The prover never owns the witness: it asks a [`TraceSource`] for the rows of one chunk
//! when it needs them. A table of height `h` is proved as `h / max_rows` full chunks of
//! `max_rows` rows, then one *tail* chunk of the remaining `h mod max_rows` rows if any,
//! which must be a power of two; each chunk is an *instance* with its own commitments, and
//! the chunks' LogUp contributions balance together with everyone else's. Constraints do
//! not cross chunk boundaries, so a table that needs continuity between rows carries it on
//! a bus.
//!
//! So a table is padded per chunk, not as a whole ([`padded_height`]): only its last chunk
//! rounds up to a power of two. A run of `1.1 * 2^20` cycles takes `2^20 + 2^17` CPU rows
//! at the default `max_rows = 2^20`, not `2^21`. A height below `max_rows` is a power of
//! two, as before, and a power-of-two height gives the same chunks as before.

use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;

use super::domain::lde_buffer;
use super::field::Felt;
use super::params::MIN_LOG_HEIGHT;

/// Supplies main-trace rows on demand.
pub trait TraceSource: Sync {
    /// Each table's height in rows, in table order: a valid chunk shape
    /// ([`chunk_log_heights`]) for the `max_rows` the prover is given.
    fn heights(&self) -> Vec<usize>;

    /// Rows `start .. start + len` of table `table`'s main trace.
    fn rows(&self, table: usize, start: usize, len: usize) -> RowMajorMatrix<Felt>;

    /// The same rows in a buffer with room for `capacity` cells, so that the prover can
    /// extend them to their LDE in place (it asks this way only for rows it will not keep).
    /// The default copies [`TraceSource::rows`] into such a buffer; a source that builds
    /// rows on demand should build them there directly.
    fn rows_reserved(
        &self,
        table: usize,
        start: usize,
        len: usize,
        capacity: usize,
    ) -> RowMajorMatrix<Felt> {
        let rows = self.rows(table, start, len);
        let mut values = lde_buffer(capacity.max(rows.values.len()));
        values.extend_from_slice(&rows.values);
        RowMajorMatrix::new(values, rows.width)
    }
}

/// Traces held in memory, one matrix per table.
#[derive(Clone, Debug)]
pub struct MaterializedTraces(pub Vec<RowMajorMatrix<Felt>>);

impl TraceSource for MaterializedTraces {
    fn heights(&self) -> Vec<usize> {
        self.0.iter().map(|m| m.height()).collect()
    }

    fn rows(&self, table: usize, start: usize, len: usize) -> RowMajorMatrix<Felt> {
        let m = &self.0[table];
        let w = m.width();
        RowMajorMatrix::new(m.values[start * w..(start + len) * w].to_vec(), w)
    }
}

/// Traces handed to the prover for one prove: a table requested as one whole chunk is moved
/// out without a copy (so the prover, not the source, holds the only copy); a table cut into
/// chunks is copied chunk by chunk, and freed as soon as its last row has been handed over
/// (else the whole table stayed resident beside the prover's copies of its chunks, to the
/// end of the prove: 880 MiB of CPU trace twice at `fib_iterative_1150k`). Each row can be
/// requested once.
#[derive(Debug)]
pub struct OwnedTraces {
    tables: std::sync::Mutex<Vec<OwnedTable>>,
    heights: Vec<usize>,
}

/// One table of [`OwnedTraces`] and how many of its rows were handed over.
#[derive(Debug)]
struct OwnedTable {
    matrix: RowMajorMatrix<Felt>,
    handed: usize,
}

impl OwnedTraces {
    /// Takes ownership of one matrix per table (heights of a valid chunk shape).
    pub fn new(tables: Vec<RowMajorMatrix<Felt>>) -> Self {
        let heights = tables.iter().map(|m| m.height()).collect();
        let tables = tables
            .into_iter()
            .map(|matrix| OwnedTable { matrix, handed: 0 })
            .collect();
        Self {
            tables: std::sync::Mutex::new(tables),
            heights,
        }
    }
}

impl TraceSource for OwnedTraces {
    fn heights(&self) -> Vec<usize> {
        self.heights.clone()
    }

    fn rows(&self, table: usize, start: usize, len: usize) -> RowMajorMatrix<Felt> {
        let mut tables = self.tables.lock().expect("no prover thread panicked");
        let t = &mut tables[table];
        let height = self.heights[table];
        assert!(
            t.handed + len <= height && (!t.matrix.values.is_empty() || t.matrix.width == 0),
            "OwnedTraces: rows {start}..{} of table {table} asked after the table was handed over",
            start + len
        );
        t.handed += len;
        let width = t.matrix.width;
        if start == 0 && len == height {
            return std::mem::replace(&mut t.matrix, RowMajorMatrix::new(Vec::new(), width));
        }
        let rows = row_range(&t.matrix, start, len);
        if t.handed == height {
            // Every chunk has its copy: the table itself is not needed any more.
            t.matrix = RowMajorMatrix::new(Vec::new(), width);
        }
        rows
    }
}

/// One instance: a chunk of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    /// Table index.
    pub table: usize,
    /// Chunk index within the table.
    pub chunk: usize,
    /// log2 of the chunk's height.
    pub log_height: usize,
    /// First row of this chunk within its table.
    pub start: usize,
}

impl Instance {
    /// Rows in this chunk.
    pub fn height(&self) -> usize {
        1 << self.log_height
    }
    /// First row of this chunk within its table.
    pub fn row_start(&self) -> usize {
        self.start
    }
}

/// The height a table of `rows` rows is padded to when it is proved in chunks of at most
/// `2^log_max_rows` rows: every chunk full except the last, which rounds up to a power of
/// two (at least `2^MIN_LOG_HEIGHT` rows, as every table is).
pub fn padded_height(rows: usize, log_max_rows: usize) -> usize {
    let rows = rows.max(1 << MIN_LOG_HEIGHT);
    let tail = rows & ((1usize << log_max_rows) - 1);
    if tail == 0 {
        rows
    } else {
        rows - tail + tail.next_power_of_two().max(1 << MIN_LOG_HEIGHT)
    }
}

/// The chunk heights (log2, in order) of a table of `height` rows in chunks of at most
/// `2^log_max_rows`, or `None` when `height` is not such a shape: zero, or a remainder past
/// the full chunks that is not a power of two of at least `2^MIN_LOG_HEIGHT` rows.
pub fn chunk_log_heights(height: usize, log_max_rows: usize) -> Option<Vec<usize>> {
    let full = height >> log_max_rows;
    let tail = height & ((1usize << log_max_rows) - 1);
    if height == 0 || (tail != 0 && (!tail.is_power_of_two() || tail < 1 << MIN_LOG_HEIGHT)) {
        return None;
    }
    let mut out = vec![log_max_rows; full];
    if tail != 0 {
        out.push(tail.trailing_zeros() as usize);
    }
    Some(out)
}

/// Cuts tables of `heights` rows (each a valid shape, see [`chunk_log_heights`]) into
/// instances of at most `2^log_max_rows` rows, in table order, then chunk order.
///
/// Panics on a height that is not a valid shape: callers check heights first
/// ([`check_heights`](super::setup::check_heights)).
pub fn instances(heights: &[usize], log_max_rows: usize) -> Vec<Instance> {
    let mut out = Vec::new();
    for (table, &h) in heights.iter().enumerate() {
        let chunks = chunk_log_heights(h, log_max_rows)
            .unwrap_or_else(|| panic!("table {table}: height {h} is not a chunk shape"));
        let mut start = 0;
        for (chunk, log_height) in chunks.into_iter().enumerate() {
            out.push(Instance {
                table,
                chunk,
                log_height,
                start,
            });
            start += 1 << log_height;
        }
    }
    out
}

/// Instances grouped by LDE size, largest first; each bucket gets one batched FRI.
/// Returns `(log_height, member instance indices)`.
pub fn buckets(instances: &[Instance]) -> Vec<(usize, Vec<usize>)> {
    let mut heights: Vec<usize> = instances.iter().map(|i| i.log_height).collect();
    heights.sort_unstable_by(|a, b| b.cmp(a));
    heights.dedup();
    heights
        .into_iter()
        .map(|lh| {
            let members = instances
                .iter()
                .enumerate()
                .filter(|(_, i)| i.log_height == lh)
                .map(|(k, _)| k)
                .collect();
            (lh, members)
        })
        .collect()
}

/// Rows `start .. start + len` of a matrix (the preprocessed trace's chunks).
pub fn row_range(m: &RowMajorMatrix<Felt>, start: usize, len: usize) -> RowMajorMatrix<Felt> {
    let w = m.width();
    RowMajorMatrix::new(m.values[start * w..(start + len) * w].to_vec(), w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_traces_move_whole_tables_and_copy_chunks() {
        let m = |h: usize| RowMajorMatrix::new((0..2 * h as u64).map(Felt::new).collect(), 2);
        let src = OwnedTraces::new(vec![m(4), m(8)]);
        assert_eq!(src.heights(), vec![4, 8]);
        let whole = src.rows(0, 0, 4);
        assert_eq!(whole.values.len(), 8);
        let chunk = src.rows(1, 4, 4);
        assert_eq!(chunk.values[0], Felt::new(8));
        // Half the chunked table handed over: it is still held.
        assert_eq!(src.tables.lock().unwrap()[1].matrix.values.capacity(), 16);
        assert_eq!(src.rows(1, 0, 4).values.len(), 8);
        // Every row handed over: the table is freed, not kept beside the copies.
        assert_eq!(src.tables.lock().unwrap()[1].matrix.values.capacity(), 0);
    }

    #[test]
    #[should_panic(expected = "asked after the table was handed over")]
    fn a_chunk_asked_twice_is_a_caller_bug() {
        let m = RowMajorMatrix::new((0..16u64).map(Felt::new).collect(), 2);
        let src = OwnedTraces::new(vec![m]);
        let _ = src.rows(0, 0, 4);
        let _ = src.rows(0, 4, 4);
        let _ = src.rows(0, 0, 4);
    }

    #[test]
    fn chunking_and_buckets() {
        let inst = instances(&[32, 8, 16], 4);
        let ids: Vec<_> = inst
            .iter()
            .map(|i| (i.table, i.chunk, i.log_height))
            .collect();
        assert_eq!(ids, vec![(0, 0, 4), (0, 1, 4), (1, 0, 3), (2, 0, 4)]);
        assert_eq!(inst[1].row_start(), 16);
        assert_eq!(buckets(&inst), vec![(4, vec![0, 1, 3]), (3, vec![2])]);
    }

    #[test]
    fn a_tail_chunk_is_only_as_tall_as_it_must_be() {
        // 2 full chunks of 16 and a tail of 4: rows 32..36.
        let inst = instances(&[36, 8], 4);
        let ids: Vec<_> = inst
            .iter()
            .map(|i| (i.table, i.chunk, i.log_height, i.row_start()))
            .collect();
        assert_eq!(
            ids,
            vec![(0, 0, 4, 0), (0, 1, 4, 16), (0, 2, 2, 32), (1, 0, 3, 0)]
        );
        assert_eq!(
            buckets(&inst),
            vec![(4, vec![0, 1]), (3, vec![3]), (2, vec![2])]
        );
    }

    #[test]
    fn padded_heights_round_only_the_last_chunk_up() {
        // Below one chunk: the next power of two, at least 4 rows, as before.
        assert_eq!(padded_height(0, 20), 4);
        assert_eq!(padded_height(3, 20), 4);
        assert_eq!(padded_height(5, 20), 8);
        assert_eq!(padded_height(1 << 20, 20), 1 << 20);
        // Above: full chunks, then the tail's power of two.
        assert_eq!(padded_height((1 << 20) + 1, 20), (1 << 20) + 4);
        assert_eq!(padded_height(1_200_010, 20), (1 << 20) + (1 << 18));
        assert_eq!(padded_height(8_000_010, 20), 8 << 20);
        assert_eq!(padded_height((3 << 20) - 5, 20), 3 << 20);
        // Every padded height is a shape, with the rows it was asked for.
        for rows in [1usize, 4, 17, 1000, (1 << 10) + 1, 5 << 10, (7 << 10) + 300] {
            let h = padded_height(rows, 10);
            assert!(h >= rows);
            let chunks = chunk_log_heights(h, 10).expect("a shape");
            assert_eq!(chunks.iter().map(|&l| 1usize << l).sum::<usize>(), h);
        }
    }

    #[test]
    fn only_chunk_shapes_are_heights() {
        assert_eq!(chunk_log_heights(16, 4), Some(vec![4]));
        assert_eq!(chunk_log_heights(8, 4), Some(vec![3]));
        assert_eq!(chunk_log_heights(40, 4), Some(vec![4, 4, 3]));
        assert_eq!(chunk_log_heights(0, 4), None);
        assert_eq!(
            chunk_log_heights(12, 4),
            None,
            "below a chunk: a power of two"
        );
        assert_eq!(chunk_log_heights(44, 4), None, "a tail of 12");
        assert_eq!(chunk_log_heights(34, 4), None, "a tail below 4 rows");
        assert_eq!(chunk_log_heights(2, 4), None, "a table below 4 rows");
    }
}
