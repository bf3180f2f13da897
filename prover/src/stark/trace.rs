//! Where traces come from, and how tables are cut into instances.
//!
//! The prover never owns the witness: it asks a [`TraceSource`] for the rows of one chunk
//! when it needs them. A table of height `h > max_rows` is proved as `h / max_rows` chunks of
//! `max_rows` rows; each chunk is an *instance* with its own commitments, and the chunks'
//! LogUp contributions balance together with everyone else's. Constraints do not cross
//! chunk boundaries, so a table that needs continuity between rows carries it on a bus.

use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;

use super::domain::lde_buffer;
use super::field::Felt;

/// Supplies main-trace rows on demand.
pub trait TraceSource: Sync {
    /// log2 of each table's full height, in table order.
    fn log_heights(&self) -> Vec<usize>;

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
    fn log_heights(&self) -> Vec<usize> {
        self.0
            .iter()
            .map(|m| m.height().trailing_zeros() as usize)
            .collect()
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
    log_heights: Vec<usize>,
}

/// One table of [`OwnedTraces`] and how many of its rows were handed over.
#[derive(Debug)]
struct OwnedTable {
    matrix: RowMajorMatrix<Felt>,
    handed: usize,
}

impl OwnedTraces {
    /// Takes ownership of one matrix per table (power-of-two heights).
    pub fn new(tables: Vec<RowMajorMatrix<Felt>>) -> Self {
        let log_heights = tables
            .iter()
            .map(|m| m.height().trailing_zeros() as usize)
            .collect();
        let tables = tables
            .into_iter()
            .map(|matrix| OwnedTable { matrix, handed: 0 })
            .collect();
        Self {
            tables: std::sync::Mutex::new(tables),
            log_heights,
        }
    }
}

impl TraceSource for OwnedTraces {
    fn log_heights(&self) -> Vec<usize> {
        self.log_heights.clone()
    }

    fn rows(&self, table: usize, start: usize, len: usize) -> RowMajorMatrix<Felt> {
        let mut tables = self.tables.lock().expect("no prover thread panicked");
        let t = &mut tables[table];
        let height = 1usize << self.log_heights[table];
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
}

impl Instance {
    /// Rows in this chunk.
    pub fn height(&self) -> usize {
        1 << self.log_height
    }
    /// First row of this chunk within its table.
    pub fn row_start(&self) -> usize {
        self.chunk << self.log_height
    }
}

/// Cuts tables of heights `2^log_heights[t]` into instances of at most `2^log_max_rows` rows,
/// in table order, then chunk order.
pub fn instances(log_heights: &[usize], log_max_rows: usize) -> Vec<Instance> {
    let mut out = Vec::new();
    for (table, &lh) in log_heights.iter().enumerate() {
        let log_height = lh.min(log_max_rows);
        for chunk in 0..1usize << (lh - log_height) {
            out.push(Instance {
                table,
                chunk,
                log_height,
            });
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
        assert_eq!(src.log_heights(), vec![2, 3]);
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
        let inst = instances(&[5, 3, 4], 4);
        let ids: Vec<_> = inst
            .iter()
            .map(|i| (i.table, i.chunk, i.log_height))
            .collect();
        assert_eq!(ids, vec![(0, 0, 4), (0, 1, 4), (1, 0, 3), (2, 0, 4)]);
        assert_eq!(inst[1].row_start(), 16);
        assert_eq!(buckets(&inst), vec![(4, vec![0, 1, 3]), (3, vec![2])]);
    }
}
