//! The proof object, its canonical encoding and its digest.
//!
//! Encoding: `postcard` (varint integers, length-prefixed vectors) over the structs below.
//! Field elements serialize canonically and decoding rejects non-canonical ones, so every
//! proof has exactly one encoding. [`Proof::digest`] is SHA3-256 of those bytes.
//!
//! Per-instance vectors follow instance order (table order, then chunk order); per-bucket
//! vectors follow bucket order (LDE size, largest first).

use serde::{Deserialize, Serialize};
use sha3::{Digest as _, Sha3_256};

use super::field::{Ext, Felt};
use super::merkle::Digest;

/// Values of one instance's polynomials at the out-of-domain point `z` (and `z*w`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OodValues {
    /// Preprocessed columns at `z`.
    pub pre_local: Vec<Ext>,
    /// Preprocessed columns at `z*w`.
    pub pre_next: Vec<Ext>,
    /// Main columns at `z`.
    pub main_local: Vec<Ext>,
    /// Main columns at `z*w`.
    pub main_next: Vec<Ext>,
    /// Aux (LogUp) columns at `z`.
    pub aux_local: Vec<Ext>,
    /// Aux (LogUp) columns at `z*w`.
    pub aux_next: Vec<Ext>,
    /// Quotient parts at `z`.
    pub quotient: Vec<Ext>,
}

/// One committed row and its authentication path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowOpening {
    /// The row's cells (extension columns as two limbs each).
    pub values: Vec<Felt>,
    /// Sibling hashes, leaf level first.
    pub path: Vec<Digest>,
}

/// The openings of one FRI query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryProof {
    /// For each bucket member, its committed trees at the query row, in segment order
    /// (preprocessed if any, main, aux if any, quotient).
    pub instances: Vec<Vec<RowOpening>>,
    /// For each folded FRI layer, the pair `(f(x), f(-x))` and its path.
    pub layers: Vec<([Ext; 2], Vec<Digest>)>,
}

/// One batched FRI (all instances of one LDE size).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriProof {
    /// Roots of the committed layers, first layer first.
    pub layer_roots: Vec<Digest>,
    /// Coefficients of the final polynomial, constant term first.
    pub final_poly: Vec<Ext>,
    /// One entry per query.
    pub queries: Vec<QueryProof>,
}

/// A multi-table STARK proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    /// Each table's height in rows, in table order: full chunks plus one power-of-two
    /// tail chunk ([`chunk_log_heights`](super::trace::chunk_log_heights)).
    pub heights: Vec<u64>,
    /// Main-trace root of each instance.
    pub main_roots: Vec<Digest>,
    /// Aux-trace root of each instance that takes part in a bus.
    pub aux_roots: Vec<Digest>,
    /// LogUp contribution of each instance that takes part in a bus.
    pub logup_sums: Vec<Ext>,
    /// Quotient root of each instance.
    pub quotient_roots: Vec<Digest>,
    /// Out-of-domain values of each instance.
    pub ood: Vec<OodValues>,
    /// One batched FRI per LDE size.
    pub fri: Vec<FriProof>,
    /// The proof-of-work nonce.
    pub pow_nonce: u64,
}

/// A proof that does not decode.
#[derive(Debug, thiserror::Error)]
#[error("proof does not decode: {0}")]
pub struct DecodeError(#[from] postcard::Error);

impl Proof {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("serializing to a Vec cannot fail")
    }

    /// Decodes a proof; trailing bytes are an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (proof, rest) = postcard::take_from_bytes(bytes)?;
        if !rest.is_empty() {
            return Err(DecodeError(postcard::Error::DeserializeBadEncoding));
        }
        Ok(proof)
    }

    /// SHA3-256 of the canonical encoding.
    pub fn digest(&self) -> [u8; 32] {
        Sha3_256::digest(self.to_bytes()).into()
    }

    /// The digest as lowercase hex.
    pub fn digest_hex(&self) -> String {
        self.digest().iter().map(|b| format!("{b:02x}")).collect()
    }
}
