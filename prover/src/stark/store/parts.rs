//! What the store keeps of one instance, phase by phase: each commitment (its tree, and its
//! LDE when resident) with the traces or coefficients kept beside it.

use p3_matrix::Matrix as _;

use super::Mat;
use crate::stark::field::Ext;
use crate::stark::merkle::MerkleTree;
use crate::stark::policy::Policy;

/// A committed matrix: its Merkle tree (possibly without leaves) and its LDE while resident.
#[derive(Debug)]
pub struct Committed {
    /// The tree.
    pub tree: MerkleTree,
    pub(super) lde: Option<Mat>,
}

impl Committed {
    /// Keeps of a fresh commitment what `policy` keeps: the tree's levels from
    /// [`Policy::merkle_dropped_levels`] up, the LDE when [`Policy::ldes_resident`].
    pub(super) fn new(lde: Mat, tree: MerkleTree, policy: &Policy) -> Self {
        let mut tree = tree;
        tree.drop_below(policy.merkle_dropped_levels);
        Self {
            tree,
            lde: policy.ldes_resident().then_some(lde),
        }
    }

    /// Commits to `lde`.
    pub(super) fn commit(lde: Mat, policy: &Policy) -> Self {
        let levels = policy.merkle_dropped_levels;
        let tree = MerkleTree::commit_rows_above(&lde.values, lde.width(), levels);
        Self::new(lde, tree, policy)
    }
}

/// A preprocessed chunk: its trace (always resident) and commitment.
#[derive(Debug)]
pub(super) struct Pre {
    pub(super) trace: Mat,
    pub(super) committed: Committed,
}

/// What Phase A produces for one instance.
#[derive(Debug)]
pub struct MainPart {
    pub(super) trace: Option<Mat>,
    pub(super) committed: Committed,
}

impl MainPart {
    /// The main tree's root.
    pub fn root(&self) -> [u8; 32] {
        self.committed.tree.root()
    }
}

/// What Phase C produces for one instance with a bus.
#[derive(Debug)]
pub struct AuxPart {
    /// The aux trace's coefficients (natural order), when kept (`stream_lde`, see
    /// [`InstanceStore::commit_aux`]).
    pub(super) coeffs: Option<Mat>,
    pub(super) committed: Committed,
    /// The instance's LogUp contribution.
    pub sum: Ext,
}

impl AuxPart {
    /// The aux tree's root.
    pub fn root(&self) -> [u8; 32] {
        self.committed.tree.root()
    }
}

/// What Round 2 produces for one instance.
#[derive(Debug)]
pub struct QuotientPart {
    pub(super) coeffs: Option<Mat>,
    pub(super) committed: Committed,
    /// The kept aux coefficients Round 2 was handed, turned back from their last LDE block
    /// (`InstanceStore::hand_over_for_round2`).
    pub(super) aux_coeffs: Option<Mat>,
}

impl QuotientPart {
    /// The quotient parts' coefficients (freed after Round 3 when every LDE is resident).
    pub(super) fn coeffs(&self) -> &Mat {
        self.coeffs
            .as_ref()
            .expect("the quotient's coefficients are kept while anything reads them")
    }

    /// The quotient tree's root.
    pub fn root(&self) -> [u8; 32] {
        self.committed.tree.root()
    }
}

#[cfg(test)]
mod tests {
    use p3_field::PrimeCharacteristicRing;
    use p3_matrix::dense::RowMajorMatrix;

    use super::*;
    use crate::stark::field::Felt;
    use crate::stark::plan::MemoryPlan;

    #[test]
    fn committed_keeps_what_the_policy_keeps() {
        let lde = RowMajorMatrix::new((0..16u64).map(Felt::from_u64).collect(), 2);
        let full = Committed::commit(lde.clone(), &Policy::new(&MemoryPlan::KEEP_ALL, true));
        assert!(full.lde.is_some());
        assert_eq!(
            full.tree.dropped_levels(),
            3,
            "an 8-row tree holds only its root"
        );
        let plan = MemoryPlan {
            stream_lde: true,
            leaf_drop: true,
            ..MemoryPlan::KEEP_ALL
        };
        let lean = Committed::commit(lde, &Policy::new(&plan, true));
        assert!(lean.lde.is_none() && lean.tree.dropped_levels() == 3);
        assert_eq!(lean.tree.root(), full.tree.root());
    }
}
