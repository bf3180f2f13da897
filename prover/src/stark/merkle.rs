//! Keccak-256 Merkle trees over matrix rows, with an optional dropped leaf layer.
//!
//! * Leaf `i` = `keccak(0x00 || row_i)`, each cell as 8 canonical little-endian bytes.
//! * Node = `keccak(0x01 || left || right)`.
//!
//! Whole layers are hashed in batches of equal-length messages through p3-keccak's
//! vectorised Keccak-256 (`hash_many`: 8 lanes with AVX-512, 4 with AVX2), which gives the
//! same digests as hashing each message alone ([`hash_leaf`], [`hash_node`]: what openings
//! and the verifier use); the tests check the two agree.
//!
//! The tree keeps every layer. [`MerkleTree::drop_leaves`] frees the leaf layer (half the
//! tree); openings then take the sibling leaf's hash from the caller, who re-hashes that row
//! from the LDE, and produce exactly the same path.

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

/// Hashes `n` equal-length messages, message `i` written by `write(i, buf)` (appending to
/// `buf`), in batches of [`BATCH`] through the vectorised sponge; parallel for large `n`.
fn hash_batched(n: usize, tag: Tag, write: impl Fn(usize, &mut Vec<u8>) + Sync) -> Vec<Digest> {
    let mut out = memtag::tagged(tag, || vec![[0u8; 32]; n]);
    let batch = |buf: &mut Vec<u8>, (b, out): (usize, &mut [Digest])| {
        // The message buffer is scratch, whichever thread (and tag) runs the batch.
        let _scratch = memtag::scope(Tag::Other);
        buf.clear();
        for i in b * BATCH..b * BATCH + out.len() {
            write(i, buf);
        }
        Keccak256Hash.hash_many(buf, out);
    };
    if n >= PAR_MIN {
        out.par_chunks_mut(BATCH)
            .enumerate()
            .for_each_init(Vec::new, batch);
    } else {
        let mut buf = Vec::new();
        out.chunks_mut(BATCH)
            .enumerate()
            .for_each(|job| batch(&mut buf, job));
    }
    out
}

/// Leaf hashes of `n` rows of equal width, row `i`'s cells given by `row(i)`: the same
/// digests as [`hash_leaf`] of each row.
pub fn hash_leaves<I: IntoIterator<Item = Felt>>(
    n: usize,
    row: impl Fn(usize) -> I + Sync,
) -> Vec<Digest> {
    hash_batched(n, Tag::MerkleLeaves, |i, buf| {
        buf.push(LEAF_TAG);
        for f in row(i) {
            buf.extend_from_slice(&felt_bytes(&f));
        }
    })
}

/// The layer above `prev` (an even number of nodes): the same digests as [`hash_node`] of
/// each pair.
fn hash_layer(prev: &[Digest]) -> Vec<Digest> {
    hash_batched(prev.len() / 2, Tag::MerkleNodes, |i, buf| {
        buf.push(NODE_TAG);
        buf.extend_from_slice(&prev[2 * i]);
        buf.extend_from_slice(&prev[2 * i + 1]);
    })
}

/// A Merkle tree whose leaves are the rows of a matrix of `width` cells.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    /// `layers[0]` are the leaves (empty once dropped), the last layer is `[root]`.
    layers: Vec<Vec<Digest>>,
    num_leaves: usize,
}

impl MerkleTree {
    /// Commits to the rows of a row-major matrix (`values.len()` a multiple of `width`, and a
    /// power-of-two number of rows).
    pub fn commit_rows(values: &[Felt], width: usize) -> Self {
        assert!(width > 0, "cannot commit to a zero-width matrix");
        let leaves = hash_leaves(values.len() / width, |i| {
            values[i * width..(i + 1) * width].iter().copied()
        });
        Self::from_leaves(leaves)
    }

    /// Builds the tree above the given leaf hashes (a power-of-two count).
    pub fn from_leaves(leaves: Vec<Digest>) -> Self {
        let num_leaves = leaves.len();
        assert!(
            num_leaves.is_power_of_two(),
            "Merkle trees need a power-of-two number of leaves, got {num_leaves}"
        );
        let mut layers = vec![leaves];
        while layers.last().map_or(0, Vec::len) > 1 {
            let next = hash_layer(layers.last().expect("at least one layer"));
            layers.push(next);
        }
        Self { layers, num_leaves }
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

    /// Whether the leaf layer has been dropped.
    pub fn leaves_dropped(&self) -> bool {
        self.num_leaves > 1 && self.layers[0].is_empty()
    }

    /// Frees the leaf layer. Idempotent; a one-leaf tree keeps its leaf (it is the root).
    pub fn drop_leaves(&mut self) {
        if self.num_leaves > 1 {
            self.layers[0] = Vec::new();
        }
    }

    /// Heap bytes held by the tree's layers.
    pub fn heap_bytes(&self) -> usize {
        self.layers.iter().map(|l| l.capacity() * 32).sum()
    }

    /// The authentication path of leaf `index`, bottom-up. Needs the leaf layer.
    pub fn path(&self, index: usize) -> Vec<Digest> {
        assert!(
            !self.leaves_dropped(),
            "leaf layer dropped: use path_with_leaf_sibling"
        );
        self.path_inner(index, None)
    }

    /// The same path as [`MerkleTree::path`], with the bottom sibling supplied by the caller
    /// (the re-hashed row `index ^ 1`). Works whether or not the leaves were dropped.
    pub fn path_with_leaf_sibling(&self, index: usize, sibling_leaf: Digest) -> Vec<Digest> {
        self.path_inner(index, Some(sibling_leaf))
    }

    fn path_inner(&self, index: usize, sibling_leaf: Option<Digest>) -> Vec<Digest> {
        assert!(index < self.num_leaves, "leaf {index} out of range");
        let mut path = Vec::with_capacity(self.depth());
        let mut i = index;
        for (level, layer) in self.layers[..self.depth()].iter().enumerate() {
            let sib = match (level, sibling_leaf) {
                (0, Some(s)) => s,
                _ => layer[i ^ 1],
            };
            path.push(sib);
            i >>= 1;
        }
        path
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
    fn leaf_drop_paths_equal_full_paths() {
        // Both edges, their neighbours, and pseudo-random positions (a fixed LCG), on trees
        // small and large enough to be hashed in parallel.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for (rows, width) in [(2, 3), (64, 5), (1 << 11, 7)] {
            let vals = matrix(rows, width);
            let full = MerkleTree::commit_rows(&vals, width);
            let mut dropped = full.clone();
            dropped.drop_leaves();
            assert!(dropped.leaves_dropped());
            assert!(dropped.heap_bytes() < full.heap_bytes());
            assert_eq!(dropped.root(), full.root());
            let mut positions = vec![0, 1, rows - 2, rows - 1];
            for _ in 0..16 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                positions.push((seed >> 33) as usize % rows);
            }
            for i in positions {
                let s = i ^ 1;
                let sib = hash_leaf(&vals[width * s..width * (s + 1)]);
                let path = dropped.path_with_leaf_sibling(i, sib);
                assert_eq!(path, full.path(i), "{rows} rows, leaf {i}");
                let leaf = hash_leaf(&vals[width * i..width * (i + 1)]);
                assert!(verify_path(&dropped.root(), i, leaf, &path));
            }
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
    fn single_leaf_tree_is_its_root() {
        let vals = matrix(1, 2);
        let mut tree = MerkleTree::commit_rows(&vals, 2);
        tree.drop_leaves();
        assert_eq!(tree.root(), hash_leaf(&vals));
        assert!(verify_path(&tree.root(), 0, hash_leaf(&vals), &[]));
    }
}
