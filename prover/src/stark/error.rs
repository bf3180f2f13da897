//! Typed errors of the prover and the verifier.

use super::params::ParamsError;
use super::proof::DecodeError;
use super::setup::HeightError;
use super::symbolic::AirError;

/// Why the prover refused to prove. The prover panics only on caller bugs (documented at the
/// call); everything a caller can get wrong through data is one of these.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// Unusable parameters.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// An AIR violates the degree rules.
    #[error(transparent)]
    Air(#[from] AirError),
    /// The trace source and the AIR list disagree on the number of tables.
    #[error("{airs} AIRs but the trace source has {traces} tables")]
    TableCount {
        /// Number of AIRs.
        airs: usize,
        /// Number of traces.
        traces: usize,
    },
    /// A table height outside the supported range.
    #[error(transparent)]
    Height(#[from] HeightError),
    /// A trace chunk has the wrong shape.
    #[error(
        "table {table}: trace chunk is {got_width} wide and {got_height} tall, expected {want_width}x{want_height}"
    )]
    TraceShape {
        /// Table name.
        table: String,
        /// Expected width.
        want_width: usize,
        /// Expected height.
        want_height: usize,
        /// Actual width.
        got_width: usize,
        /// Actual height.
        got_height: usize,
    },
    /// A random challenge hit a degenerate value (a LogUp denominator or `z` in a domain).
    /// The probability is about `2^-100`; it is reported rather than assumed away.
    #[error("a Fiat-Shamir challenge hit a degenerate value ({0}); change the statement context")]
    UnluckyChallenge(&'static str),
}

/// Why a proof was rejected.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Unusable parameters.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// An AIR violates the degree rules.
    #[error(transparent)]
    Air(#[from] AirError),
    /// The bytes are not a proof.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A vector in the proof has the wrong length.
    #[error("malformed proof: {what} has length {got}, expected {expected}")]
    Shape {
        /// Which vector.
        what: String,
        /// The length the statement implies.
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// A claimed table height the verifier does not accept.
    #[error(transparent)]
    Height(#[from] HeightError),
    /// The LogUp contributions and public interactions do not sum to zero.
    #[error(
        "LogUp buses do not balance: the instance contributions and public terms sum to a non-zero value"
    )]
    LogupImbalance,
    /// The composition identity fails at the out-of-domain point.
    #[error(
        "table {table} chunk {chunk}: constraints do not match the quotient at the out-of-domain point"
    )]
    OodMismatch {
        /// Table name.
        table: String,
        /// Chunk index.
        chunk: usize,
    },
    /// The proof-of-work nonce does not have enough leading zeros.
    #[error("proof-of-work nonce {nonce} does not meet {bits} bits")]
    Grinding {
        /// The nonce.
        nonce: u64,
        /// Required bits.
        bits: usize,
    },
    /// A Merkle opening does not authenticate against its root.
    #[error("bucket {bucket} query {query}: Merkle path of {tree} does not match its root")]
    MerklePath {
        /// Bucket index.
        bucket: usize,
        /// Query index.
        query: usize,
        /// Which tree (e.g. `table cpu chunk 0 main`, `FRI layer 3`).
        tree: String,
    },
    /// An opened FRI value disagrees with what the previous layer folds to.
    #[error("bucket {bucket} query {query}: FRI layer {layer} value does not match the fold")]
    FriFold {
        /// Bucket index.
        bucket: usize,
        /// Query index.
        query: usize,
        /// Layer index (0 = the DEEP combination).
        layer: usize,
    },
    /// The final polynomial disagrees with the last fold.
    #[error("bucket {bucket} query {query}: final polynomial does not match the last fold")]
    FinalPoly {
        /// Bucket index.
        bucket: usize,
        /// Query index.
        query: usize,
    },
    /// A challenge hit a degenerate value; an honest prover reports this instead of proving.
    #[error("degenerate challenge ({0})")]
    Degenerate(&'static str),
}
