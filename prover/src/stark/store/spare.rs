//! The spare buffers of Rounds 2, 3 and 4: once an instance is done with the main trace it
//! fetched and the aux trace it rebuilt, their buffers are kept, not freed, and the next
//! instance's traces are made in them
//! ([`reuse_buffer`](crate::stark::domain::reuse_buffer)), to the end of the round
//! ([`InstanceStore::free_spares`]).
//!
//! Why: a trace fetched or rebuilt in these rounds is a fresh buffer per instance, and the
//! allocator hands freed pages back to the kernel within seconds (jemalloc's decay), so each
//! instance's traces were first touched again: on this VM, where the host takes freed
//! pages back, 14 of the combination's 96 CPU-seconds of Round 2 at `interpreter_8M` were
//! the kernel clearing pages, against 3 of 50 in default's (`perf`, session 19). One buffer
//! per kind is kept, only for a next chunk of the same table and height
//! ([`Policy::keeps_spare`](crate::stark::policy::Policy::keeps_spare)), so it is always
//! that chunk's size, tagged as it was made (`MainTrace`, `AuxTrace`); the memory model's
//! rounds hold the same buffers (`memory_model::lifetimes`).

use std::sync::Mutex;

use super::InstanceStore;
use crate::stark::air::Air;
use crate::stark::field::Felt;
use crate::stark::policy::Policy;

/// Which trace a spare buffer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A fetched main trace.
    Main,
    /// A rebuilt aux trace.
    Aux,
}

/// The spare buffers (empty: none).
#[derive(Debug, Default)]
pub(super) struct Spares {
    main: Mutex<Vec<Felt>>,
    aux: Mutex<Vec<Felt>>,
}

impl Spares {
    fn slot(&self, kind: Kind) -> std::sync::MutexGuard<'_, Vec<Felt>> {
        match kind {
            Kind::Main => &self.main,
            Kind::Aux => &self.aux,
        }
        .lock()
        .expect("no prover thread panicked")
    }

    /// The spare buffer of `kind` (empty if none), taken out.
    pub(super) fn take(&self, kind: Kind) -> Vec<Felt> {
        std::mem::take(&mut *self.slot(kind))
    }

    /// Keeps `buffer` as the spare of `kind`, unless another instance in flight already
    /// left one (then `buffer` is freed).
    pub(super) fn put(&self, kind: Kind, buffer: Vec<Felt>) {
        let mut slot = self.slot(kind);
        if slot.capacity() == 0 {
            *slot = buffer;
        }
    }

    /// Frees both.
    pub(super) fn clear(&self) {
        drop(self.take(Kind::Main));
        drop(self.take(Kind::Aux));
    }
}

impl<A: Air> InstanceStore<'_, A> {
    /// Ends Round 2, 3 or 4: frees its spare buffers (none is left when every table's last
    /// chunk freed its own; one may be, when instances in flight at once both left one).
    pub fn free_spares(&self) {
        self.spares.clear();
    }

    /// Whether instance `k`'s fetched and rebuilt traces' buffers are kept as spares for the
    /// next instance ([`Policy::keeps_spare`]).
    pub(super) fn keeps_spare_after(&self, k: usize) -> bool {
        let shape = |k: usize| {
            self.layout
                .instances
                .get(k)
                .map(|i| (i.table, i.log_height))
        };
        Policy::keeps_spare(shape(k).expect("an instance"), shape(k + 1))
    }

    /// `buffer` (a trace's values), kept as the spare of `kind`.
    pub(super) fn keep_spare(&self, kind: Kind, buffer: Vec<Felt>) {
        self.spares.put(kind, buffer);
    }

    /// The spare buffer of `kind` (empty if none), taken out: the source or the aux build
    /// makes the trace in it if it can hold it
    /// ([`reuse_buffer`](crate::stark::domain::reuse_buffer)).
    pub(super) fn take_spare(&self, kind: Kind) -> Vec<Felt> {
        self.spares.take(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::PrimeCharacteristicRing;

    #[test]
    fn a_spare_is_taken_once_and_the_first_one_left_stays() {
        let spares = Spares::default();
        assert!(spares.take(Kind::Main).is_empty(), "none at first");
        spares.put(Kind::Main, vec![Felt::ONE; 4]);
        spares.put(Kind::Main, vec![Felt::ZERO; 8]);
        spares.put(Kind::Aux, vec![Felt::ZERO; 2]);
        assert_eq!(
            spares.take(Kind::Main),
            vec![Felt::ONE; 4],
            "the first left"
        );
        assert!(spares.take(Kind::Main).is_empty(), "taken out");
        spares.clear();
        assert!(spares.take(Kind::Aux).is_empty(), "freed by clear");
    }
}
