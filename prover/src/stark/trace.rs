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
//! (two chunks of the default `2^19` and a tail of `2^17`), not `2^21`. A height below one
//! chunk is a power of two, and a power-of-two height is full chunks. Each table's chunk
//! height comes from [`chunk_logs`](super::setup::chunk_logs).

use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;

use super::domain::{extend_copied, reuse_buffer};
use super::field::Felt;
use super::params::MIN_LOG_HEIGHT;
use crate::memtag::{self, Tag};

/// Supplies main-trace rows on demand.
pub trait TraceSource: Sync {
    /// Each table's height in rows, in table order: a valid chunk shape
    /// ([`chunk_log_heights`]) for the `max_rows` the prover is given.
    fn heights(&self) -> Vec<usize>;

    /// Rows `start .. start + len` of table `table`'s main trace.
    fn rows(&self, table: usize, start: usize, len: usize) -> RowMajorMatrix<Felt>;

    /// The same rows written into `buffer` (see [`reuse_buffer`]: cleared and used if it
    /// can hold them, its spare capacity kept; otherwise a fresh buffer), so that the prover
    /// can extend them to their LDE in place (it asks this way with room only for rows it
    /// will not keep) or fill one buffer again for each instance of a phase (Round 2's
    /// spare buffers). The default copies [`TraceSource::rows`] into it; a source that
    /// builds rows on demand should build them there directly.
    fn rows_in(
        &self,
        table: usize,
        start: usize,
        len: usize,
        buffer: Vec<Felt>,
    ) -> RowMajorMatrix<Felt> {
        let rows = self.rows(table, start, len);
        let mut values = reuse_buffer(buffer, rows.values.len());
        extend_copied(&mut values, &rows.values);
        RowMajorMatrix::new(values, rows.width)
    }

    /// Called once the prover will ask for no more rows (with every LDE resident, after
    /// Phase C); a source that keeps what it rebuilds rows from may free it, and asking for
    /// rows afterwards is then a bug. The default keeps everything.
    fn release(&self) {}
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

/// Traces handed to the prover for one prove, cut into the chunks it will ask for: each
/// chunk is moved out when asked, without a copy, so the prover holds the only copy of what
/// it keeps and the source holds only what is still to come.
///
/// A table taller than one chunk is cut when the source is made, from its end: each chunk
/// past the first is copied out and the table shrunk in place behind it, so cutting needs
/// the table plus one chunk, and the first chunk is the table's own buffer. (Handing copies
/// out of the whole table kept it resident beside the prover's copies until its last chunk:
/// 577 MiB of CPU trace twice at the end of Phase A at `fib_iterative_1200k`.)
///
/// Rows must be asked as those chunks, each once: anything else is a caller bug (panics).
#[derive(Debug)]
pub struct OwnedTraces {
    /// Per table, its chunks, in order.
    chunks: std::sync::Mutex<Vec<Vec<OwnedChunk>>>,
    heights: Vec<usize>,
}

/// One chunk of an [`OwnedTraces`] table: its first row, and its rows until handed over.
type OwnedChunk = (usize, Option<RowMajorMatrix<Felt>>);

impl OwnedTraces {
    /// Takes ownership of one matrix per table (heights of a valid chunk shape for chunks of
    /// at most `2^chunk_logs[t]` rows, see [`chunk_log_heights`] and
    /// [`chunk_logs`](super::setup::chunk_logs)), and cuts them into those chunks.
    ///
    /// Panics on a height that is not such a shape.
    pub fn new(tables: Vec<RowMajorMatrix<Felt>>, chunk_logs: &[usize]) -> Self {
        let heights: Vec<usize> = tables.iter().map(|m| m.height()).collect();
        let chunks = tables
            .into_iter()
            .enumerate()
            .map(|(t, mut matrix)| {
                let logs = chunk_log_heights(matrix.height(), chunk_logs[t])
                    .unwrap_or_else(|| panic!("table {t}: height is not a chunk shape"));
                let width = matrix.width;
                let mut starts: Vec<usize> = logs
                    .iter()
                    .scan(0, |next, &l| {
                        let start = *next;
                        *next += 1 << l;
                        Some(start)
                    })
                    .collect();
                let mut out = Vec::with_capacity(starts.len());
                // From the end: copy the last chunk out, shrink the table behind it.
                while let Some(start) = starts.pop() {
                    if start == 0 {
                        out.push((
                            0,
                            Some(std::mem::replace(
                                &mut matrix,
                                RowMajorMatrix::new(Vec::new(), width),
                            )),
                        ));
                    } else {
                        // A chunk is trace, whoever made the source (the table keeps its tag).
                        let rows = memtag::tagged(Tag::MainTrace, || {
                            matrix.values[start * width..].to_vec()
                        });
                        matrix.values.truncate(start * width);
                        matrix.values.shrink_to_fit();
                        out.push((start, Some(RowMajorMatrix::new(rows, width))));
                    }
                }
                out.reverse();
                out
            })
            .collect();
        Self {
            chunks: std::sync::Mutex::new(chunks),
            heights,
        }
    }
}

impl TraceSource for OwnedTraces {
    fn heights(&self) -> Vec<usize> {
        self.heights.clone()
    }

    fn rows(&self, table: usize, start: usize, len: usize) -> RowMajorMatrix<Felt> {
        let mut chunks = self.chunks.lock().expect("no prover thread panicked");
        let chunk = chunks[table]
            .iter_mut()
            .find(|(s, m)| *s == start && m.as_ref().is_none_or(|m| m.height() == len));
        match chunk {
            Some((_, m)) => m.take().unwrap_or_else(|| {
                panic!(
                    "OwnedTraces: rows {start}..{} of table {table} asked after they were handed over",
                    start + len
                )
            }),
            None => panic!(
                "OwnedTraces: rows {start}..{} of table {table} are not one of its chunks",
                start + len
            ),
        }
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

/// How a table of `height` rows is cut into chunks of at most `2^log_max_rows` rows,
/// computed without building anything: `full` chunks of `2^log_max_rows` rows, then a tail
/// of `2^tail_log` rows if `tail_log` is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkShape {
    /// Full chunks.
    pub full: usize,
    /// log2 of the tail chunk's height, if there is a tail.
    pub tail_log: Option<usize>,
}

impl ChunkShape {
    /// The shape of a table of `height` rows, or `None` when `height` is not one: zero, or a
    /// remainder past the full chunks that is not a power of two of at least
    /// `2^MIN_LOG_HEIGHT` rows. Arithmetic only: a claimed height decides no allocation.
    pub fn of(height: usize, log_max_rows: usize) -> Option<Self> {
        let full = height.checked_shr(log_max_rows as u32).unwrap_or(0);
        let tail = height & 1usize.checked_shl(log_max_rows as u32)?.wrapping_sub(1);
        if height == 0 || (tail != 0 && (!tail.is_power_of_two() || tail < 1 << MIN_LOG_HEIGHT)) {
            return None;
        }
        Some(Self {
            full,
            tail_log: (tail != 0).then(|| tail.trailing_zeros() as usize),
        })
    }

    /// Number of chunks (instances).
    pub fn chunks(&self) -> usize {
        self.full + usize::from(self.tail_log.is_some())
    }
}

/// The chunk heights (log2, in order) of a table of `height` rows in chunks of at most
/// `2^log_max_rows`, or `None` when `height` is not such a shape ([`ChunkShape::of`]).
/// Allocates one entry per chunk: for heights already checked.
pub fn chunk_log_heights(height: usize, log_max_rows: usize) -> Option<Vec<usize>> {
    let shape = ChunkShape::of(height, log_max_rows)?;
    let mut out = vec![log_max_rows; shape.full];
    out.extend(shape.tail_log);
    Some(out)
}

/// Cuts tables of `heights` rows (each a valid shape, see [`chunk_log_heights`]) into
/// instances of at most `2^chunk_logs[t]` rows ([`chunk_logs`](super::setup::chunk_logs)),
/// in table order, then chunk order.
///
/// Panics on a height that is not a valid shape: callers check heights first
/// ([`check_heights`](super::setup::check_heights)).
pub fn instances(heights: &[usize], chunk_logs: &[usize]) -> Vec<Instance> {
    assert_eq!(heights.len(), chunk_logs.len(), "a chunk height per table");
    let mut out = Vec::new();
    for (table, (&h, &log)) in heights.iter().zip(chunk_logs).enumerate() {
        let chunks = chunk_log_heights(h, log)
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
    fn owned_traces_hand_each_chunk_over_once_and_keep_nothing_handed() {
        let m = |h: usize| RowMajorMatrix::new((0..2 * h as u64).map(Felt::new).collect(), 2);
        // Chunks of 4 rows: a whole table of 4, and one of 8 + 4 (two full chunks, a tail).
        let src = OwnedTraces::new(vec![m(4), m(12)], &[2, 2]);
        assert_eq!(src.heights(), vec![4, 12]);
        let whole = src.rows(0, 0, 4);
        assert_eq!(whole.values.len(), 8);
        let tail = src.rows(1, 8, 4);
        assert_eq!(tail.values[0], Felt::new(16));
        let middle = src.rows(1, 4, 4);
        assert_eq!(middle.values[0], Felt::new(8));
        // The first chunk is the table's own buffer, shrunk to it.
        let first = src.rows(1, 0, 4);
        assert_eq!(first.values, (0..8u64).map(Felt::new).collect::<Vec<_>>());
        assert_eq!(first.values.capacity(), 8);
        assert!(
            src.chunks
                .lock()
                .unwrap()
                .iter()
                .flatten()
                .all(|(_, m)| m.is_none()),
            "nothing handed over is kept"
        );
    }

    #[test]
    #[should_panic(expected = "asked after they were handed over")]
    fn a_chunk_asked_twice_is_a_caller_bug() {
        let m = RowMajorMatrix::new((0..16u64).map(Felt::new).collect(), 2);
        let src = OwnedTraces::new(vec![m], &[2]);
        let _ = src.rows(0, 0, 4);
        let _ = src.rows(0, 4, 4);
        let _ = src.rows(0, 0, 4);
    }

    #[test]
    #[should_panic(expected = "are not one of its chunks")]
    fn rows_that_are_not_a_chunk_are_a_caller_bug() {
        let m = RowMajorMatrix::new((0..16u64).map(Felt::new).collect(), 2);
        let src = OwnedTraces::new(vec![m], &[2]);
        let _ = src.rows(0, 2, 4);
    }

    #[test]
    fn chunking_and_buckets() {
        let inst = instances(&[32, 8, 16], &[4; 3]);
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
        let inst = instances(&[36, 8], &[4; 2]);
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

    #[test]
    fn chunk_shapes_are_counted_without_building_them() {
        let shape = |h, l| ChunkShape::of(h, l);
        assert_eq!(
            shape(40, 4),
            Some(ChunkShape {
                full: 2,
                tail_log: Some(3)
            })
        );
        assert_eq!(shape(40, 4).map(|s| s.chunks()), Some(3));
        assert_eq!(shape(8, 4).map(|s| s.chunks()), Some(1));
        // 2^32 rows in chunks of 4: 2^30 chunks, counted, not listed.
        assert_eq!(
            shape(1 << 32, 2),
            Some(ChunkShape {
                full: 1 << 30,
                tail_log: None
            })
        );
        for h in 0..300 {
            for l in 2..=6 {
                let listed = chunk_log_heights(h, l);
                assert_eq!(shape(h, l).map(|s| s.chunks()), listed.map(|v| v.len()));
            }
        }
    }
}
