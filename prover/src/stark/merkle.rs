//! Keccak-256 Merkle trees over matrix rows, holding only their upper layers.
//!
//! * Leaf `i` = `keccak(0x00 || row_i)`, each cell as 8 canonical little-endian bytes.
//! * Node = `keccak(0x01 || left || right)`.
//!
//! Whole layers are hashed in batches of equal-length messages through p3-keccak's
//! vectorised Keccak-256 (`hash_many`: 8 lanes with AVX-512, 4 with AVX2), which gives the
//! same digests as hashing each message alone ([`hash_leaf`], [`hash_node`]: what the
//! verifier uses); the tests check the two agree.
//!
//! A tree may hold its layers from some level `d` up only ([`MerkleTree::commit_rows_above`]):
//! each subtree of `2^d` leaves is hashed and reduced to its root in scratch, so the lower
//! layers are never held in full. An opening then re-hashes the `2^d` rows of the queried
//! leaf's subtree (the caller supplies them, from the LDE it holds or recomputes) and
//! produces exactly the same path; the prover makes all of a tree's openings together
//! ([`MerkleTree::paths_with_rows`]), each queried subtree re-hashed once and batched. The
//! lower layers are most of a tree's memory (the leaves alone are half of it) and an opening reads only one node of each, so the prover holds
//! them for no mode: see [`MemoryPlan::merkle_dropped_levels`](super::plan::MemoryPlan).

use p3_keccak::Keccak256Hash;
use p3_symmetric::CryptographicHasher;
use rayon::prelude::*;
use sha3::{Digest as _, Keccak256};

use super::field::{Felt, felt_bytes};
use crate::memtag::{self, Tag};

/// A Keccak-256 output.
pub type Digest = [u8; 32];

const LEAF_TAG: u8 = 0;
const NODE_TAG: u8 = 1;
/// Layers smaller than this are hashed on one thread.
const PAR_MIN: usize = 1 << 10;
/// Messages gathered into one scratch buffer and hashed together.
const BATCH: usize = 256;

/// Hash of one row of base-field cells.
pub fn hash_leaf(row: &[Felt]) -> Digest {
    let mut h = Keccak256::new();
    h.update([LEAF_TAG]);
    // Feed whole blocks of cells at a time: far fewer calls into the sponge.
    let mut buf = [0u8; 8 * 17];
    for chunk in row.chunks(17) {
        for (dst, f) in buf.chunks_exact_mut(8).zip(chunk) {
            dst.copy_from_slice(&felt_bytes(f));
        }
        h.update(&buf[..8 * chunk.len()]);
    }
    h.finalize().into()
}

/// Hash of an inner node.
pub fn hash_node(left: &Digest, right: &Digest) -> Digest {
    let mut h = Keccak256::new();
    h.update([NODE_TAG]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The roots of the subtrees of `2^levels` leaves over `n` leaves (a multiple of `2^levels`),
/// leaf `i`'s message written by `write(i, buf)` (appending to `buf`, tag byte included):
/// `n >> levels` digests, the tree's layer `levels`, without the layers below it ever being
/// held, in a buffer tagged `tag`. Each job hashes up to [`BATCH`] messages through the
/// vectorised sponge, then reduces them in its own scratch; parallel for large `n`. With
/// `levels = 0` these are the messages' own digests (leaves, or a layer of nodes).
fn subtree_roots(
    n: usize,
    levels: usize,
    tag: Tag,
    write: impl Fn(usize, &mut Vec<u8>) + Sync,
) -> Vec<Digest> {
    let mut out = memtag::tagged(tag, || vec![[0u8; 32]; n >> levels]);
    let roots_per_job = (BATCH >> levels).max(1);
    let job = |scratch: &mut (Vec<u8>, Vec<Digest>), (j, out): (usize, &mut [Digest])| {
        // The messages and the digests below layer `levels` are scratch, whichever thread
        // (and tag) runs the job.
        let _scratch = memtag::scope(Tag::Other);
        let (buf, digests) = scratch;
        let first = (j * roots_per_job) << levels;
        let count = out.len() << levels;
        buf.clear();
        for i in first..first + count {
            write(i, buf);
        }
        if levels == 0 {
            Keccak256Hash.hash_many(buf, out);
            return;
        }
        digests.clear();
        digests.resize(count, [0u8; 32]);
        Keccak256Hash.hash_many(buf, digests);
        let mut len = count;
        while len > out.len() {
            buf.clear();
            for pair in digests[..len].chunks_exact(2) {
                buf.push(NODE_TAG);
                buf.extend_from_slice(&pair[0]);
                buf.extend_from_slice(&pair[1]);
            }
            len /= 2;
            Keccak256Hash.hash_many(buf, &mut digests[..len]);
        }
        out.copy_from_slice(&digests[..len]);
    };
    if n >= PAR_MIN {
        out.par_chunks_mut(roots_per_job)
            .enumerate()
            .for_each_init(Default::default, job);
    } else {
        let mut scratch = Default::default();
        out.chunks_mut(roots_per_job)
            .enumerate()
            .for_each(|j| job(&mut scratch, j));
    }
    out
}

/// Writes the leaf message of a row: the tag, then each cell's bytes.
fn write_leaf<I: IntoIterator<Item = Felt>>(cells: I, buf: &mut Vec<u8>) {
    buf.push(LEAF_TAG);
    for f in cells {
        buf.extend_from_slice(&felt_bytes(&f));
    }
}

/// Leaf hashes of `n` rows of equal width, row `i`'s cells given by `row(i)`: the same
/// digests as [`hash_leaf`] of each row.
pub fn hash_leaves<I: IntoIterator<Item = Felt>>(
    n: usize,
    row: impl Fn(usize) -> I + Sync,
) -> Vec<Digest> {
    subtree_roots(n, 0, Tag::MerkleLeaves, |i, buf| write_leaf(row(i), buf))
}

/// The layer above `prev` (an even number of nodes): the same digests as [`hash_node`] of
/// each pair.
fn hash_layer(prev: &[Digest]) -> Vec<Digest> {
    subtree_roots(prev.len() / 2, 0, Tag::MerkleNodes, |i, buf| {
        buf.push(NODE_TAG);
        buf.extend_from_slice(&prev[2 * i]);
        buf.extend_from_slice(&prev[2 * i + 1]);
    })
}

/// A Merkle tree whose leaves are the rows of a matrix of `width` cells, holding its layers
/// from [`MerkleTree::dropped_levels`] up.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    /// `layers[0]` are the leaves, the last layer is `[root]`; the layers below `dropped`
    /// are empty.
    layers: Vec<Vec<Digest>>,
    num_leaves: usize,
    dropped: usize,
}

impl MerkleTree {
    /// Commits to the rows of a row-major matrix (`values.len()` a multiple of `width`, and a
    /// power-of-two number of rows), keeping every layer.
    pub fn commit_rows(values: &[Felt], width: usize) -> Self {
        Self::commit_rows_above(values, width, 0)
    }

    /// As [`MerkleTree::commit_rows`], holding only the layers from `drop` up (clamped to
    /// the tree's height, so that the root is always held): the lower layers are never
    /// built in full, only within each subtree's scratch.
    pub fn commit_rows_above(values: &[Felt], width: usize, drop: usize) -> Self {
        assert!(width > 0, "cannot commit to a zero-width matrix");
        let rows = values.len() / width;
        Self::build(rows, drop, |i, buf| {
            write_leaf(values[i * width..(i + 1) * width].iter().copied(), buf)
        })
    }

    /// The tree over `num_leaves` rows (a power of two), row `i`'s cells given by `row(i)`,
    /// holding the layers from `drop` (clamped) up: the same tree as committing the rows.
    pub fn build_above<I: IntoIterator<Item = Felt>>(
        num_leaves: usize,
        drop: usize,
        row: impl Fn(usize) -> I + Sync,
    ) -> Self {
        Self::build(num_leaves, drop, |i, buf| write_leaf(row(i), buf))
    }

    /// The tree over `num_leaves` leaves (a power of two), leaf `i`'s message written by
    /// `write`, holding the layers from `drop` (clamped) up.
    fn build(num_leaves: usize, drop: usize, write: impl Fn(usize, &mut Vec<u8>) + Sync) -> Self {
        assert!(
            num_leaves.is_power_of_two(),
            "Merkle trees need a power-of-two number of leaves, got {num_leaves}"
        );
        let depth = num_leaves.trailing_zeros() as usize;
        let dropped = drop.min(depth);
        let tag = if dropped == 0 {
            Tag::MerkleLeaves
        } else {
            Tag::MerkleNodes
        };
        let mut layers = vec![Vec::new(); dropped];
        layers.push(subtree_roots(num_leaves, dropped, tag, write));
        Self::hashed_up(layers, num_leaves, dropped)
    }

    /// The tree from its layers up to some level (the last given), hashing the layers above
    /// it up to the root.
    fn hashed_up(mut layers: Vec<Vec<Digest>>, num_leaves: usize, dropped: usize) -> Self {
        while layers.last().map_or(0, Vec::len) > 1 {
            let next = hash_layer(layers.last().expect("at least one layer"));
            layers.push(next);
        }
        Self {
            layers,
            num_leaves,
            dropped,
        }
    }

    /// The tree whose leaves are those of `parts` in order: the trees of consecutive equal
    /// blocks of rows (a power-of-two count of them, each of the same height and holding
    /// the same layers, from a level below its root). Its layers are the parts' layers side
    /// by side, and the layers above them are hashed here, so it is the tree that
    /// committing all the rows at once builds: a caller can commit a matrix a block of
    /// rows at a time.
    pub fn join(parts: Vec<MerkleTree>) -> Self {
        let first = parts.first().expect("at least one part");
        let (height, dropped) = (first.depth(), first.dropped);
        assert!(
            parts.len().is_power_of_two()
                && parts
                    .iter()
                    .all(|p| p.depth() == height && p.dropped == dropped),
            "parts of one tree: a power-of-two count, one height, the same layers held below \
             their roots"
        );
        let (count, num_leaves) = (parts.len(), first.num_leaves * parts.len());
        // Tagged as `build` tags them: the leaves (held only without dropped levels), then
        // nodes.
        let mut layers: Vec<Vec<Digest>> = (0..=height)
            .map(|level| {
                let cap = if level < dropped {
                    0
                } else {
                    count << (height - level)
                };
                let tag = if level == 0 {
                    Tag::MerkleLeaves
                } else {
                    Tag::MerkleNodes
                };
                memtag::tagged(tag, || Vec::with_capacity(cap))
            })
            .collect();
        // Each part is freed as soon as its layers are copied.
        for p in parts {
            for (level, layer) in p.layers.into_iter().enumerate().skip(dropped) {
                layers[level].extend_from_slice(&layer);
            }
        }
        Self::hashed_up(layers, num_leaves, dropped)
    }

    /// The root.
    pub fn root(&self) -> Digest {
        self.layers.last().expect("a tree has a root")[0]
    }

    /// Number of leaves.
    pub fn num_leaves(&self) -> usize {
        self.num_leaves
    }

    /// Path length (tree height).
    pub fn depth(&self) -> usize {
        self.layers.len() - 1
    }

    /// How many of the lowest layers (the leaves first) are not held.
    pub fn dropped_levels(&self) -> usize {
        self.dropped
    }

    /// Frees the layers below `levels` (clamped to the height: the root stays). Never
    /// brings a freed layer back.
    pub fn drop_below(&mut self, levels: usize) {
        let levels = levels.min(self.depth());
        for layer in &mut self.layers[..levels] {
            *layer = Vec::new();
        }
        self.dropped = self.dropped.max(levels);
    }

    /// Heap bytes held by the tree's layers.
    pub fn heap_bytes(&self) -> usize {
        self.layers.iter().map(|l| l.capacity() * 32).sum()
    }

    /// The authentication path of leaf `index`, bottom-up. Needs every layer.
    pub fn path(&self, index: usize) -> Vec<Digest> {
        assert_eq!(self.dropped, 0, "layers dropped: use path_with_leaves");
        self.path_with_leaves(index, |_| unreachable!("every layer is held"))
    }

    /// The same path as [`MerkleTree::path`], with the leaves' hashes the tree no longer
    /// holds supplied by `leaf(j)` (the caller re-hashes row `j`): the `2^dropped` leaves of
    /// `index`'s subtree are hashed and reduced here, and the rest of the path is read.
    pub fn path_with_leaves(&self, index: usize, leaf: impl Fn(usize) -> Digest) -> Vec<Digest> {
        assert!(index < self.num_leaves, "leaf {index} out of range");
        let mut path = Vec::with_capacity(self.depth());
        let d = self.dropped;
        if d > 0 {
            let base = index & !((1usize << d) - 1);
            let mut layer: Vec<Digest> = (base..base + (1 << d)).map(&leaf).collect();
            let mut i = index - base;
            while layer.len() > 1 {
                path.push(layer[i ^ 1]);
                layer = layer
                    .chunks_exact(2)
                    .map(|p| hash_node(&p[0], &p[1]))
                    .collect();
                i >>= 1;
            }
        }
        self.push_held_path(index, &mut path);
        path
    }

    /// Pushes the siblings of leaf `index`'s ancestors in the held layers (level `dropped`
    /// up to the root's children): the part of every path that no re-hashing makes.
    fn push_held_path(&self, index: usize, path: &mut Vec<Digest>) {
        let mut i = index >> self.dropped;
        for layer in &self.layers[self.dropped..self.depth()] {
            path.push(layer[i ^ 1]);
            i >>= 1;
        }
    }

    /// The paths of every leaf in `indices` (in that order), as [`MerkleTree::path_with_leaves`]
    /// gives them, with row `j`'s cells given by `row(j)`: each distinct subtree of the
    /// dropped levels is re-hashed once however many indices fall in it (FRI's folded
    /// queries and small instances' queries share subtrees), through the vectorised sponge
    /// as the tree was built ([`subtree_roots`]'s batches, not one message at a time), the
    /// subtrees in parallel.
    pub fn paths_with_rows<I: IntoIterator<Item = Felt>>(
        &self,
        indices: &[usize],
        row: impl Fn(usize) -> I + Sync,
    ) -> Vec<Vec<Digest>> {
        let d = self.dropped;
        let leaves = 1usize << d;
        for &index in indices {
            assert!(index < self.num_leaves, "leaf {index} out of range");
        }
        let mut bases: Vec<usize> = indices.iter().map(|&i| i & !(leaves - 1)).collect();
        bases.sort_unstable();
        bases.dedup();
        // Each distinct subtree's layers below its root, flat: its 2^d leaf digests, then
        // 2^(d-1) nodes, ..., then 2 (the root itself is the held layer's).
        let below_root = 2 * leaves - 2;
        let mut cached = vec![[0u8; 32]; bases.len() * below_root];
        if d > 0 {
            let job = |buf: &mut Vec<u8>, (&base, out): (&usize, &mut [Digest])| {
                buf.clear();
                for j in base..base + leaves {
                    write_leaf(row(j), buf);
                }
                Keccak256Hash.hash_many(buf, &mut out[..leaves]);
                let (mut at, mut len) = (0, leaves);
                while len > 2 {
                    buf.clear();
                    for pair in out[at..at + len].chunks_exact(2) {
                        buf.push(NODE_TAG);
                        buf.extend_from_slice(&pair[0]);
                        buf.extend_from_slice(&pair[1]);
                    }
                    let (_, rest) = out.split_at_mut(at + len);
                    Keccak256Hash.hash_many(buf, &mut rest[..len / 2]);
                    at += len;
                    len /= 2;
                }
            };
            bases
                .par_iter()
                .zip(cached.par_chunks_mut(below_root))
                .for_each_init(Vec::new, job);
        }
        indices
            .iter()
            .map(|&index| {
                let mut path = Vec::with_capacity(self.depth());
                if d > 0 {
                    let slot = bases
                        .binary_search(&(index & !(leaves - 1)))
                        .expect("every index's subtree was hashed");
                    let layers = &cached[slot * below_root..(slot + 1) * below_root];
                    let (mut at, mut len, mut i) = (0, leaves, index & (leaves - 1));
                    while len > 1 {
                        path.push(layers[at + (i ^ 1)]);
                        at += len;
                        len /= 2;
                        i >>= 1;
                    }
                }
                self.push_held_path(index, &mut path);
                path
            })
            .collect()
    }
}

/// Checks that `leaf` sits at `index` under `root`. `path.len()` is the tree height.
pub fn verify_path(root: &Digest, index: usize, leaf: Digest, path: &[Digest]) -> bool {
    if path.len() < usize::BITS as usize && index >> path.len() != 0 {
        return false;
    }
    let mut cur = leaf;
    for (level, sib) in path.iter().enumerate() {
        cur = if (index >> level) & 1 == 0 {
            hash_node(&cur, sib)
        } else {
            hash_node(sib, &cur)
        };
    }
    cur == *root
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::PrimeCharacteristicRing;

    fn matrix(rows: usize, width: usize) -> Vec<Felt> {
        (0..rows * width)
            .map(|i| Felt::from_u64(i as u64 * 31 + 7))
            .collect()
    }

    #[test]
    fn paths_verify_and_reject_wrong_leaves() {
        let vals = matrix(16, 3);
        let tree = MerkleTree::commit_rows(&vals, 3);
        for i in 0..16 {
            let leaf = hash_leaf(&vals[3 * i..3 * i + 3]);
            let path = tree.path(i);
            assert_eq!(path.len(), 4);
            assert!(verify_path(&tree.root(), i, leaf, &path));
            assert!(!verify_path(&tree.root(), i ^ 1, leaf, &path));
            assert!(!verify_path(&tree.root(), i + 16, leaf, &path));
            let mut bad = path.clone();
            bad[2][0] ^= 1;
            assert!(!verify_path(&tree.root(), i, leaf, &bad));
        }
    }

    #[test]
    fn trees_without_their_lower_layers_give_the_same_roots_and_paths() {
        // Both edges, their neighbours, and pseudo-random positions (a fixed LCG), on trees
        // small and large enough to be hashed in parallel, with every number of dropped
        // levels up to past the height (clamped: the root is held).
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for (rows, width) in [(2, 3), (64, 5), (1 << 11, 7)] {
            let vals = matrix(rows, width);
            let full = MerkleTree::commit_rows(&vals, width);
            let leaf = |j: usize| hash_leaf(&vals[width * j..width * (j + 1)]);
            let depth = full.depth();
            for drop in [1, 2, 4, 9, depth, depth + 3] {
                let built = MerkleTree::commit_rows_above(&vals, width, drop);
                let mut freed = full.clone();
                freed.drop_below(drop);
                for lean in [&built, &freed] {
                    assert_eq!(lean.dropped_levels(), drop.min(depth));
                    assert_eq!(lean.root(), full.root(), "{rows} rows, {drop} dropped");
                    assert!(lean.heap_bytes() < full.heap_bytes());
                }
                let mut positions = vec![0, 1, rows - 2, rows - 1];
                for _ in 0..16 {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    positions.push((seed >> 33) as usize % rows);
                }
                for i in positions {
                    let path = built.path_with_leaves(i, leaf);
                    assert_eq!(path, full.path(i), "{rows} rows, {drop} dropped, leaf {i}");
                    assert_eq!(freed.path_with_leaves(i, leaf), path);
                    assert!(verify_path(&built.root(), i, leaf(i), &path));
                }
            }
        }
    }

    #[test]
    fn paths_made_together_are_the_paths_made_one_by_one() {
        // Repeated indices, several in one subtree, in no order; every dropped-level count
        // up to past the height; wide rows (several sponge blocks) and narrow ones.
        for (rows, width) in [(2, 3), (64, 5), (1 << 10, 19)] {
            let vals = matrix(rows, width);
            let full = MerkleTree::commit_rows(&vals, width);
            let leaf = |j: usize| hash_leaf(&vals[width * j..width * (j + 1)]);
            let row = |j: usize| vals[width * j..width * (j + 1)].iter().copied();
            let depth = full.depth();
            let indices: Vec<usize> = [rows - 1, 0, 1, rows / 2, 0, rows - 1, 3 % rows, rows / 3]
                .into_iter()
                .collect();
            for drop in [0, 1, 2, 6, depth, depth + 2] {
                let lean = MerkleTree::commit_rows_above(&vals, width, drop);
                let together = lean.paths_with_rows(&indices, row);
                assert_eq!(together.len(), indices.len());
                for (&i, path) in indices.iter().zip(&together) {
                    assert_eq!(path, &full.path(i), "{rows} rows, {drop} dropped, leaf {i}");
                    assert_eq!(path, &lean.path_with_leaves(i, leaf));
                }
            }
        }
    }

    #[test]
    fn subtree_roots_are_the_layer_they_stand_for() {
        let (rows, width) = (BATCH * 4, 3);
        let vals = matrix(rows, width);
        let full = MerkleTree::commit_rows(&vals, width);
        for levels in [0, 1, 3, 8, 10] {
            let roots = subtree_roots(rows, levels, Tag::MerkleNodes, |i, buf| {
                write_leaf(vals[i * width..(i + 1) * width].iter().copied(), buf)
            });
            assert_eq!(roots, full.layers[levels], "layer {levels}");
        }
    }

    #[test]
    fn batched_layers_equal_one_message_at_a_time() {
        // Widths whose leaf messages (1 + 8w bytes) fall around the sponge's 136-byte rate,
        // and counts around a batch and the parallel threshold.
        for width in [1, 2, 16, 17, 33, 55] {
            for rows in [1, 3, 8, 9, BATCH - 1, BATCH + 5, PAR_MIN + 3] {
                let vals = matrix(rows, width);
                let batched = hash_leaves(rows, |i| vals[i * width..(i + 1) * width].to_vec());
                let single: Vec<Digest> = vals.chunks_exact(width).map(hash_leaf).collect();
                assert_eq!(batched, single, "{rows} rows of width {width}");
                if rows % 2 == 0 {
                    let nodes: Vec<Digest> = single
                        .chunks_exact(2)
                        .map(|p| hash_node(&p[0], &p[1]))
                        .collect();
                    assert_eq!(hash_layer(&single), nodes, "{rows} nodes");
                }
            }
        }
    }

    #[test]
    fn a_tree_joined_from_blocks_is_the_tree_of_all_rows() {
        let width = 3;
        for (log_rows, log_parts) in [(6, 1), (6, 2), (9, 3), (4, 0)] {
            let rows = 1usize << log_rows;
            let vals = matrix(rows, width);
            let block = (rows >> log_parts) * width;
            for drop in [0, 1, 2, log_rows - log_parts - 1, log_rows - log_parts] {
                let whole = MerkleTree::commit_rows_above(&vals, width, drop);
                let parts = vals
                    .chunks_exact(block)
                    .map(|b| MerkleTree::commit_rows_above(b, width, drop))
                    .collect();
                let joined = MerkleTree::join(parts);
                assert_eq!(
                    joined.layers, whole.layers,
                    "2^{log_rows} rows, drop {drop}"
                );
                assert_eq!((joined.num_leaves, joined.dropped), (rows, whole.dropped));
            }
        }
    }

    #[test]
    #[should_panic(expected = "parts of one tree")]
    fn parts_of_different_heights_do_not_join() {
        let vals = matrix(8, 1);
        MerkleTree::join(vec![
            MerkleTree::commit_rows(&vals[..4], 1),
            MerkleTree::commit_rows(&vals[4..6], 1),
        ]);
    }

    #[test]
    fn single_leaf_tree_is_its_root() {
        let vals = matrix(1, 2);
        let mut tree = MerkleTree::commit_rows(&vals, 2);
        tree.drop_below(3);
        assert_eq!(tree.dropped_levels(), 0);
        assert_eq!(tree.root(), hash_leaf(&vals));
        assert!(verify_path(&tree.root(), 0, hash_leaf(&vals), &[]));
    }
}
