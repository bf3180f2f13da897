//! The AIR interface: what a table declares, written once and evaluated by every party.
//!
//! A table implements [`Air`]: its widths, its optional preprocessed trace, and one
//! [`Air::eval`] that states its constraints and bus interactions against a [`Vars`] window.
//! `eval` is generic over the value type, so the same code runs
//! * over every row of the LDE in the prover (values in [`Felt`]),
//! * at the out-of-domain point in the verifier (values in [`Ext`](super::field::Ext)),
//! * symbolically, to bound each constraint's degree ([`symbolic`](super::symbolic)),
//! * over the trace rows in the debug checker ([`check`](super::check)).
//!
//! `eval` must be straight-line: the same constraints and interactions, in the same order,
//! for every row. Selectors are columns, never `if`s on values.
//!
//! ## Constraint degrees
//! With blowup 2 the quotient must have degree below `2n`, so every-row and transition
//! constraints have degree at most 3 and first/last-row constraints at most 2. A bus
//! interaction's values and multiplicity should have degree at most 1 (degree 2 works, but
//! costs an aux column of its own).

use p3_matrix::dense::RowMajorMatrix;

use super::field::{Expr, Felt};

/// A bus identifier. Interactions on different buses never cancel each other.
pub type BusId = u32;

/// Where a constraint must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// On every row (divided by the full vanishing polynomial).
    EveryRow,
    /// Between each row and the next, except from the last row to the first.
    Transition,
    /// On the first row only.
    FirstRow,
    /// On the last row only.
    LastRow,
}

impl Scope {
    /// All scopes, in the order accumulators are kept.
    pub const ALL: [Scope; 4] = [
        Scope::EveryRow,
        Scope::Transition,
        Scope::FirstRow,
        Scope::LastRow,
    ];

    /// Index of this scope in [`Scope::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The largest constraint degree this scope allows (quotient degree < 2n).
    pub fn max_degree(self) -> usize {
        match self {
            Scope::EveryRow | Scope::Transition => 3,
            Scope::FirstRow | Scope::LastRow => 2,
        }
    }
}

/// The cells an [`Air::eval`] may read: the current row, the next row (cyclically), the
/// preprocessed columns likewise, and the statement's public values.
#[derive(Clone, Copy, Debug)]
pub struct Vars<'a, E> {
    /// Main columns of this row.
    pub local: &'a [E],
    /// Main columns of the next row.
    pub next: &'a [E],
    /// Preprocessed columns of this row.
    pub pre_local: &'a [E],
    /// Preprocessed columns of the next row.
    pub pre_next: &'a [E],
    /// The statement's public values.
    pub public: &'a [E],
}

/// Where an [`Air::eval`] sends its constraints and interactions.
pub trait Constraints<E: Expr> {
    /// `expr` must be zero on the rows `scope` names.
    fn constrain(&mut self, scope: Scope, expr: E);

    /// A LogUp bus term: `multiplicity` copies of the tuple `values` on bus `bus`. Positive
    /// multiplicities send, negative ones receive; over all tables every bus must balance.
    fn interact(&mut self, bus: BusId, values: &[E], multiplicity: E);

    /// `expr == 0` on every row.
    fn assert_zero(&mut self, expr: E) {
        self.constrain(Scope::EveryRow, expr);
    }
    /// `a == b` on every row.
    fn assert_eq(&mut self, a: E, b: E) {
        self.constrain(Scope::EveryRow, a - b);
    }
    /// `expr` is 0 or 1 on every row.
    fn assert_bool(&mut self, expr: E) {
        self.constrain(Scope::EveryRow, expr * (expr - E::one()));
    }
    /// `expr == 0` between each row and the next.
    fn assert_transition(&mut self, expr: E) {
        self.constrain(Scope::Transition, expr);
    }
    /// `expr == 0` on the first row.
    fn assert_first_row(&mut self, expr: E) {
        self.constrain(Scope::FirstRow, expr);
    }
    /// `expr == 0` on the last row.
    fn assert_last_row(&mut self, expr: E) {
        self.constrain(Scope::LastRow, expr);
    }
    /// Sends `multiplicity` copies of `values` on `bus`.
    fn send(&mut self, bus: BusId, values: &[E], multiplicity: E) {
        self.interact(bus, values, multiplicity);
    }
    /// Receives `multiplicity` copies of `values` on `bus`.
    fn receive(&mut self, bus: BusId, values: &[E], multiplicity: E) {
        self.interact(bus, values, -multiplicity);
    }
}

/// One table of a multi-table STARK.
pub trait Air: Sync {
    /// A short name for errors and reports.
    fn name(&self) -> &str;

    /// Number of main (witness) columns.
    fn main_width(&self) -> usize;

    /// Number of preprocessed columns (fixed tables known to the verifier).
    fn preprocessed_width(&self) -> usize {
        0
    }

    /// The preprocessed columns, `preprocessed_width()` wide and as tall as the table's main
    /// trace. Both the prover and the verifier call this and commit to the result themselves.
    fn preprocessed_trace(&self, _height: usize) -> Option<RowMajorMatrix<Felt>> {
        None
    }

    /// The table's log2 height when the statement fixes it. Every table with preprocessed
    /// columns must fix it: the verifier compares a proof's claimed height with this before
    /// it builds or hashes anything, so its work is bounded by the statement, not the proof.
    fn fixed_log_height(&self) -> Option<usize> {
        None
    }

    /// States the constraints and bus interactions. See the module doc for the rules.
    fn eval<E: Expr, C: Constraints<E>>(&self, vars: &Vars<'_, E>, out: &mut C);
}

/// A bus term the verifier adds itself, for values that are part of the statement (program
/// image, inputs, outputs) rather than of any trace. Same sign convention as
/// [`Constraints::interact`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicInteraction {
    /// The bus.
    pub bus: BusId,
    /// The tuple.
    pub values: Vec<Felt>,
    /// Copies sent (positive) or received (negative).
    pub multiplicity: Felt,
}
