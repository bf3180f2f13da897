//! Heap tags: the prover names the kind of its large buffers, for whoever counts them.
//!
//! The prover keeps a thread-local current [`Tag`] and sets it with a scope guard around the
//! code that allocates a buffer of that kind (`let _g = memtag::scope(Tag::MainLde);`); the
//! guard restores the previous tag when dropped, so scopes nest. The prover never reads the
//! tag itself and never measures anything: a counting global allocator (the harness's) reads
//! [`current`] when it hands out a block and books the block under that tag. With no such
//! allocator the whole cost is two thread-local stores per scope.
//!
//! Rules of use:
//! * A tag names the buffer being made, so a scope is opened where the buffer is allocated
//!   (or grown), as narrowly as practical. Temporaries allocated in the same scope take the
//!   same tag.
//! * Rayon workers do not inherit the caller's tag: a buffer allocated inside a parallel
//!   closure needs a scope inside that closure. Conversely a worker that steals another job
//!   while inside a scope lends that job its tag; keeping scopes narrow keeps this rare.
//! * Tags never change what is computed; the proof bytes do not depend on them.

use std::cell::Cell;
use std::marker::PhantomData;

/// The kind of a heap buffer. `Other` is everything untagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Tag {
    /// Untagged.
    Other = 0,
    /// The executor's log (one `Step` per cycle).
    ExecutionLog,
    /// Routed intermediates: request lists, checkpoints, memory records.
    Witness,
    /// Main traces on the trace domain (materialised tables, fetched or rebuilt chunks).
    MainTrace,
    /// LogUp aux traces on the trace domain.
    AuxTrace,
    /// Main trace LDEs (including a fetched trace's buffer reserved for its LDE).
    MainLde,
    /// Aux trace LDEs (including a rebuilt aux trace's buffer reserved for its LDE).
    AuxLde,
    /// Preprocessed trace LDEs.
    PreLde,
    /// The composition quotient on the LDE domain: evaluations, split parts, their LDE.
    QuotientLde,
    /// The leaf layers of Merkle trees that hold one: the preprocessed trees the setup
    /// builds (prover and verifier) and trees built with every level. The prover's trace and
    /// FRI layer trees never hold theirs (see `stark::plan`).
    MerkleLeaves,
    /// Merkle layers above the leaves.
    MerkleNodes,
    /// The quotient parts' coefficients, and their values on the trace domain.
    QuotientCoeffs,
    /// DEEP combinations and FRI layers.
    FriLayers,
    /// Query openings and the proof object.
    Proof,
}

impl Tag {
    /// Number of tags.
    pub const COUNT: usize = 14;

    /// Every tag, in discriminant order (`ALL[t as usize] == t`).
    pub const ALL: [Tag; Tag::COUNT] = [
        Tag::Other,
        Tag::ExecutionLog,
        Tag::Witness,
        Tag::MainTrace,
        Tag::AuxTrace,
        Tag::MainLde,
        Tag::AuxLde,
        Tag::PreLde,
        Tag::QuotientLde,
        Tag::MerkleLeaves,
        Tag::MerkleNodes,
        Tag::QuotientCoeffs,
        Tag::FriLayers,
        Tag::Proof,
    ];

    /// The tag's index in [`Tag::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// A stable snake_case name for reports and files.
    pub const fn name(self) -> &'static str {
        match self {
            Tag::Other => "other",
            Tag::ExecutionLog => "execution_log",
            Tag::Witness => "witness",
            Tag::MainTrace => "main_trace",
            Tag::AuxTrace => "aux_trace",
            Tag::MainLde => "main_lde",
            Tag::AuxLde => "aux_lde",
            Tag::PreLde => "pre_lde",
            Tag::QuotientLde => "quotient_lde",
            Tag::MerkleLeaves => "merkle_leaves",
            Tag::MerkleNodes => "merkle_nodes",
            Tag::QuotientCoeffs => "quotient_coeffs",
            Tag::FriLayers => "fri_layers",
            Tag::Proof => "proof",
        }
    }

    /// The tag named `name` ([`Tag::name`]).
    pub fn from_name(name: &str) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.name() == name)
    }
}

thread_local! {
    static CURRENT: Cell<Tag> = const { Cell::new(Tag::Other) };
}

/// This thread's current tag ([`Tag::Other`] outside every scope, and while the thread is
/// being torn down). Never allocates: safe to call from a global allocator.
#[inline]
pub fn current() -> Tag {
    CURRENT.try_with(Cell::get).unwrap_or(Tag::Other)
}

/// Sets this thread's tag to `tag` until the guard drops.
#[inline]
#[must_use = "the tag is restored when the guard drops"]
pub fn scope(tag: Tag) -> Scope {
    Scope {
        prev: CURRENT.replace(tag),
        _same_thread: PhantomData,
    }
}

/// Runs `f` with this thread's tag set to `tag`.
#[inline]
pub fn tagged<T>(tag: Tag, f: impl FnOnce() -> T) -> T {
    let _g = scope(tag);
    f()
}

/// Restores the previous tag on drop. Not `Send`: it must drop on the thread that made it.
#[derive(Debug)]
pub struct Scope {
    prev: Tag,
    _same_thread: PhantomData<*const ()>,
}

impl Drop for Scope {
    #[inline]
    fn drop(&mut self) {
        CURRENT.set(self.prev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_restore() {
        assert_eq!(current(), Tag::Other);
        {
            let _a = scope(Tag::MainLde);
            assert_eq!(current(), Tag::MainLde);
            {
                let _b = scope(Tag::MerkleLeaves);
                assert_eq!(current(), Tag::MerkleLeaves);
            }
            assert_eq!(current(), Tag::MainLde);
            assert_eq!(tagged(Tag::Proof, current), Tag::Proof);
            assert_eq!(current(), Tag::MainLde);
        }
        assert_eq!(current(), Tag::Other);
    }

    #[test]
    fn other_threads_start_untagged() {
        let _a = scope(Tag::FriLayers);
        let there = std::thread::spawn(current).join().unwrap();
        assert_eq!(there, Tag::Other);
        assert_eq!(current(), Tag::FriLayers);
    }

    #[test]
    fn all_is_in_index_order_and_names_round_trip() {
        for (i, t) in Tag::ALL.into_iter().enumerate() {
            assert_eq!(t.index(), i);
            assert_eq!(Tag::from_name(t.name()), Some(t));
        }
        let mut names: Vec<_> = Tag::ALL.iter().map(|t| t.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Tag::COUNT);
        assert_eq!(Tag::from_name("nope"), None);
    }
}
