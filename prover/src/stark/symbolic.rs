//! Symbolic evaluation of an AIR: the degree of every constraint and interaction, the LogUp
//! column grouping that follows from them, and the checks that keep the quotient low-degree.
//!
//! Running [`Air::eval`] with [`Degree`] values (every cell has degree 1, constants degree 0)
//! yields an upper bound on each expression's degree. [`AirInfo::of`] does that once per table;
//! prover and verifier both derive the aux layout from it, so it never travels in the proof.
//! A second pass with `ReadsNext` values (a cell of the next row marks every expression made
//! from it) records whether any interaction reads the next row, which the prover's aux build
//! uses to skip those cells (conservatively: a product with a constant zero still counts).

use core::ops::{Add, Mul, Neg, Sub};

use super::air::{Air, BusId, Constraints, Scope, Vars};
use super::field::Felt;

/// An upper bound on a polynomial's degree in the trace cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Degree(pub usize);

impl Add for Degree {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Degree(self.0.max(rhs.0))
    }
}
impl Sub for Degree {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Degree(self.0.max(rhs.0))
    }
}
// The degree of a product is the sum of the degrees.
#[allow(clippy::suspicious_arithmetic_impl)]
impl Mul for Degree {
    type Output = Self;
    fn mul(self, rhs: Self) -> Self {
        Degree(self.0 + rhs.0)
    }
}
impl Neg for Degree {
    type Output = Self;
    fn neg(self) -> Self {
        self
    }
}
impl From<Felt> for Degree {
    fn from(_: Felt) -> Self {
        Degree(0)
    }
}

/// Whether a value depends on the next row's cells (main or preprocessed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ReadsNext(bool);

impl ReadsNext {
    /// A value made of both: it reads the next row if either does.
    fn either(self, rhs: Self) -> Self {
        ReadsNext(self.0 || rhs.0)
    }
}

impl Add for ReadsNext {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        self.either(rhs)
    }
}
impl Sub for ReadsNext {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        self.either(rhs)
    }
}
impl Mul for ReadsNext {
    type Output = Self;
    fn mul(self, rhs: Self) -> Self {
        self.either(rhs)
    }
}
impl Neg for ReadsNext {
    type Output = Self;
    fn neg(self) -> Self {
        self
    }
}
impl From<Felt> for ReadsNext {
    fn from(_: Felt) -> Self {
        ReadsNext(false)
    }
}

/// Records whether any interaction reads the next row.
struct NextRowReader(bool);

impl Constraints<ReadsNext> for NextRowReader {
    fn constrain(&mut self, _: Scope, _: ReadsNext) {}
    fn interact(&mut self, _: BusId, values: &[ReadsNext], multiplicity: ReadsNext) {
        self.0 |= multiplicity.0 || values.iter().any(|v| v.0);
    }
}

/// The shape of one bus interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InteractionInfo {
    /// The bus.
    pub bus: BusId,
    /// Number of values in the tuple.
    pub arity: usize,
    /// Degree of the fingerprint (the largest value degree).
    pub value_degree: usize,
    /// Degree of the multiplicity.
    pub multiplicity_degree: usize,
}

/// What the STARK needs to know about a table beyond its widths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AirInfo {
    /// Scope and degree of each constraint, in `eval` order.
    pub constraints: Vec<(Scope, usize)>,
    /// Each interaction, in `eval` order.
    pub interactions: Vec<InteractionInfo>,
    /// LogUp helper columns: each holds the sum of the listed interactions' terms.
    pub groups: Vec<Vec<usize>>,
    /// Whether an interaction's tuple or multiplicity reads the next row (else the aux
    /// build gives `eval` this row's cells alone, and the next row's are never read).
    pub interactions_read_next: bool,
}

/// An AIR whose constraints or interactions are too high-degree for the protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AirError {
    /// A constraint exceeds its scope's degree limit.
    #[error("table {table}: constraint #{index} ({scope:?}) has degree {degree}, above {max}")]
    ConstraintDegree {
        /// Table name.
        table: String,
        /// Constraint index in `eval` order.
        index: usize,
        /// Its scope.
        scope: Scope,
        /// Its degree.
        degree: usize,
        /// The limit.
        max: usize,
    },
    /// A single interaction cannot fit in one LogUp column of degree 3.
    #[error(
        "table {table}: interaction #{index} has value degree {value_degree} and multiplicity degree {multiplicity_degree}; at most 2 each are supported"
    )]
    InteractionDegree {
        /// Table name.
        table: String,
        /// Interaction index in `eval` order.
        index: usize,
        /// Its fingerprint degree.
        value_degree: usize,
        /// Its multiplicity degree.
        multiplicity_degree: usize,
    },
    /// More terms combined with powers of one challenge than the security estimate assumes
    /// (`security::MAX_TABLE_TERMS`; checked by `setup::air_infos`).
    #[error("table {table}: {terms} {what} are combined with powers of one challenge, above {max}")]
    BatchedTerms {
        /// Table name.
        table: String,
        /// What is combined: folded constraints (composition) or opened columns (DEEP).
        what: &'static str,
        /// How many.
        terms: usize,
        /// The limit.
        max: usize,
    },
    /// The preprocessed trace does not have the declared shape.
    #[error(
        "table {table}: preprocessed trace is {got_width}x{got_height}, expected {want_width}x{want_height}"
    )]
    PreprocessedShape {
        /// Table name.
        table: String,
        /// Declared width.
        want_width: usize,
        /// Table height.
        want_height: usize,
        /// Actual width.
        got_width: usize,
        /// Actual height.
        got_height: usize,
    },
}

/// The largest degree a LogUp group constraint may reach.
const GROUP_MAX_DEGREE: usize = 3;

struct Recorder {
    constraints: Vec<(Scope, usize)>,
    interactions: Vec<InteractionInfo>,
}

impl Constraints<Degree> for Recorder {
    fn constrain(&mut self, scope: Scope, expr: Degree) {
        self.constraints.push((scope, expr.0));
    }
    fn interact(&mut self, bus: BusId, values: &[Degree], multiplicity: Degree) {
        self.interactions.push(InteractionInfo {
            bus,
            arity: values.len(),
            value_degree: values.iter().map(|d| d.0).max().unwrap_or(0),
            multiplicity_degree: multiplicity.0,
        });
    }
}

/// Whether any interaction of `air` reads a cell of the next row.
fn interactions_read_next<A: Air>(air: &A, num_public: usize) -> bool {
    let (this, next) = (ReadsNext(false), ReadsNext(true));
    let vars = Vars {
        local: &vec![this; air.main_width()],
        next: &vec![next; air.main_width()],
        pre_local: &vec![this; air.preprocessed_width()],
        pre_next: &vec![next; air.preprocessed_width()],
        public: &vec![this; num_public],
    };
    let mut reader = NextRowReader(false);
    air.eval(&vars, &mut reader);
    reader.0
}

/// Degree of the constraint `h * prod(d_a) - sum_a m_a * prod_{b != a} d_b` for a group.
fn group_degree(members: &[&InteractionInfo]) -> usize {
    let denominators: usize = members.iter().map(|i| i.value_degree).sum();
    let numerators = members
        .iter()
        .map(|i| i.multiplicity_degree + denominators - i.value_degree)
        .max()
        .unwrap_or(0);
    (1 + denominators).max(numerators)
}

impl AirInfo {
    /// Evaluates `air` symbolically (with `num_public` public values) and checks every
    /// degree bound.
    pub fn of<A: Air>(air: &A, num_public: usize) -> Result<Self, AirError> {
        let one = vec![Degree(1); air.main_width()];
        let pre = vec![Degree(1); air.preprocessed_width()];
        let vars = Vars {
            local: &one,
            next: &one,
            pre_local: &pre,
            pre_next: &pre,
            // Public values are constants.
            public: &vec![Degree(0); num_public],
        };
        let mut rec = Recorder {
            constraints: Vec::new(),
            interactions: Vec::new(),
        };
        air.eval(&vars, &mut rec);
        let interactions_read_next = interactions_read_next(air, num_public);
        for (index, &(scope, degree)) in rec.constraints.iter().enumerate() {
            if degree > scope.max_degree() {
                return Err(AirError::ConstraintDegree {
                    table: air.name().to_string(),
                    index,
                    scope,
                    degree,
                    max: scope.max_degree(),
                });
            }
        }
        // Greedy grouping in interaction order: a group grows while its constraint stays
        // within degree 3.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (index, info) in rec.interactions.iter().enumerate() {
            if group_degree(&[info]) > GROUP_MAX_DEGREE {
                return Err(AirError::InteractionDegree {
                    table: air.name().to_string(),
                    index,
                    value_degree: info.value_degree,
                    multiplicity_degree: info.multiplicity_degree,
                });
            }
            let fits = groups.last().is_some_and(|g| {
                let mut members: Vec<&InteractionInfo> =
                    g.iter().map(|&j| &rec.interactions[j]).collect();
                members.push(info);
                group_degree(&members) <= GROUP_MAX_DEGREE
            });
            match groups.last_mut() {
                Some(g) if fits => g.push(index),
                _ => groups.push(vec![index]),
            }
        }
        Ok(Self {
            constraints: rec.constraints,
            interactions: rec.interactions,
            groups,
            interactions_read_next,
        })
    }

    /// Whether the table has transition constraints of its own (the LogUp running sum, which
    /// every chunk has apart, is not one). Such a table must be proved as one chunk, since
    /// constraints do not cross chunk boundaries (`setup::check_heights` says so).
    pub fn has_transitions(&self) -> bool {
        self.constraints
            .iter()
            .any(|&(scope, _)| scope == Scope::Transition)
    }

    /// Whether the table takes part in any bus (and so has an aux trace).
    pub fn has_aux(&self) -> bool {
        !self.interactions.is_empty()
    }

    /// Extension-field aux columns: one per group plus the running sum.
    pub fn aux_width(&self) -> usize {
        if self.has_aux() {
            self.groups.len() + 1
        } else {
            0
        }
    }

    /// Total number of constraints folded into the composition polynomial, the LogUp ones
    /// included.
    pub fn num_folded_constraints(&self) -> usize {
        let logup = if self.has_aux() {
            self.groups.len() + 3
        } else {
            0
        };
        self.constraints.len() + logup
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::field::Expr;

    struct Cubic;
    impl Air for Cubic {
        fn name(&self) -> &str {
            "cubic"
        }
        fn main_width(&self) -> usize {
            3
        }
        fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
            let (a, b, c) = (v.local[0], v.local[1], v.local[2]);
            out.assert_zero(a * b * c - E::one());
            out.assert_first_row(a * b);
            out.send(1, &[a, b], E::one());
            out.send(1, &[c], a);
            out.receive(2, &[a * b], c);
        }
    }

    #[test]
    fn degrees_and_groups() {
        let info = AirInfo::of(&Cubic, 0).unwrap();
        assert_eq!(
            info.constraints,
            vec![(Scope::EveryRow, 3), (Scope::FirstRow, 2)]
        );
        // Two degree-1 fingerprints fit one group (h*d*d = 3); the degree-2 one needs its own.
        assert_eq!(info.groups, vec![vec![0, 1], vec![2]]);
        assert_eq!(info.aux_width(), 3);
        assert_eq!(info.num_folded_constraints(), 2 + 2 + 3);
    }

    struct TooHigh;
    impl Air for TooHigh {
        fn name(&self) -> &str {
            "too-high"
        }
        fn main_width(&self) -> usize {
            1
        }
        fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
            let a = v.local[0];
            out.assert_last_row(a * a * a);
        }
    }

    /// Sends the next row's cell only when `NEXT`.
    struct Sender<const NEXT: bool>;
    impl<const NEXT: bool> Air for Sender<NEXT> {
        fn name(&self) -> &str {
            "sender"
        }
        fn main_width(&self) -> usize {
            2
        }
        fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
            // A transition constraint reads the next row either way.
            out.assert_transition(v.next[0] - v.local[0] - E::one());
            let b = if NEXT { v.next[1] } else { v.local[1] };
            out.send(1, &[v.local[0]], b);
        }
    }

    #[test]
    fn interactions_reading_the_next_row_are_known() {
        assert!(!AirInfo::of(&Cubic, 0).unwrap().interactions_read_next);
        assert!(
            !AirInfo::of(&Sender::<false>, 0)
                .unwrap()
                .interactions_read_next
        );
        assert!(
            AirInfo::of(&Sender::<true>, 0)
                .unwrap()
                .interactions_read_next
        );
    }

    #[test]
    fn transition_constraints_are_known_by_scope() {
        assert!(!AirInfo::of(&Cubic, 0).unwrap().has_transitions());
        let fib = AirInfo::of(&crate::stark::examples::FibAir, 3).unwrap();
        assert!(fib.has_transitions());
    }

    #[test]
    fn boundary_constraints_above_degree_two_are_rejected() {
        let err = AirInfo::of(&TooHigh, 0).unwrap_err();
        assert!(matches!(
            err,
            AirError::ConstraintDegree {
                degree: 3,
                max: 2,
                ..
            }
        ));
    }
}
