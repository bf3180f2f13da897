//! The debug constraint checker: evaluates every constraint on every trace row and balances
//! every bus in the clear, reporting *all* failures with their table, row, constraint index
//! and scope instead of stopping at the first. It is the fastest way to find a wrong trace
//! builder; the prover does not call it (a wrong witness simply yields a proof that fails).

use std::collections::BTreeMap;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::Matrix;

use super::air::{Air, BusId, Constraints, Scope, Vars};
use super::field::{Ext, Felt};
use super::logup::LogupChallenges;
use super::params::StarkParams;
use super::setup::{Statement, chunk_logs_of};
use super::trace::{TraceSource, instances, row_range};
use super::transcript::Transcript;

/// One constraint that does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintFailure {
    /// Table name.
    pub table: String,
    /// Row within the table (not the chunk).
    pub row: usize,
    /// Constraint index in `eval` order.
    pub constraint: usize,
    /// Its scope.
    pub scope: Scope,
}

/// Everything the checker found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Failing constraints, in table, row, constraint order.
    pub failures: Vec<ConstraintFailure>,
    /// Buses whose terms do not cancel.
    pub unbalanced_buses: Vec<BusId>,
}

impl CheckReport {
    /// Whether every constraint holds and every bus balances.
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty() && self.unbalanced_buses.is_empty()
    }
}

struct RowSink<'a> {
    row: usize,
    height: usize,
    index: usize,
    failing: Vec<(usize, Scope)>,
    buses: &'a mut BTreeMap<BusId, Ext>,
    challenges: &'a LogupChallenges,
}

impl Constraints<Felt> for RowSink<'_> {
    fn constrain(&mut self, scope: Scope, expr: Felt) {
        let applies = match scope {
            Scope::EveryRow => true,
            Scope::Transition => self.row + 1 != self.height,
            Scope::FirstRow => self.row == 0,
            Scope::LastRow => self.row + 1 == self.height,
        };
        if applies && expr != Felt::ZERO {
            self.failing.push((self.index, scope));
        }
        self.index += 1;
    }

    fn interact(&mut self, bus: BusId, values: &[Felt], multiplicity: Felt) {
        let d = self.challenges.denominator(bus, values);
        let term = if d == Ext::ZERO {
            // Cannot happen with random challenges; make the bus visibly wrong if it does.
            Ext::ONE
        } else {
            p3_field::Field::inverse(&d) * multiplicity
        };
        *self.buses.entry(bus).or_insert(Ext::ZERO) += term;
    }
}

/// Checks all constraints and buses of `airs` over the traces of `source`, cut into chunks
/// as the prover would at `params` ([`chunk_logs_of`]).
///
/// Panics on an AIR the symbolic evaluation refuses (an AIR bug).
pub fn check_constraints<A: Air>(
    airs: &[A],
    source: &dyn TraceSource,
    statement: &Statement<'_>,
    params: &StarkParams,
) -> CheckReport {
    let chunk_logs = chunk_logs_of(airs, statement.public_values.len(), params)
        .expect("the AIRs evaluate symbolically");
    let mut t = Transcript::new(b"constraint-checker");
    t.absorb_bytes(statement.context);
    let beta = t.challenge_ext();
    let challenges = LogupChallenges::new(beta, t.challenge_ext());
    let mut buses: BTreeMap<BusId, Ext> = BTreeMap::new();
    let mut report = CheckReport::default();
    let heights = source.heights();
    let empty: &[Felt] = &[];
    for inst in instances(&heights, &chunk_logs) {
        let air = &airs[inst.table];
        let main = source.rows(inst.table, inst.row_start(), inst.height());
        let pre = air
            .preprocessed_trace(heights[inst.table])
            .map(|p| row_range(&p, inst.row_start(), inst.height()));
        let n = inst.height();
        let row = |m: &p3_matrix::dense::RowMajorMatrix<Felt>, r: usize| {
            let w = m.width();
            m.values[r * w..(r + 1) * w].to_vec()
        };
        for r in 0..n {
            let (local, next) = (row(&main, r), row(&main, (r + 1) % n));
            let (pl, pn) = match &pre {
                Some(p) => (row(p, r), row(p, (r + 1) % n)),
                None => (Vec::new(), Vec::new()),
            };
            let vars = Vars {
                local: &local,
                next: &next,
                pre_local: if pre.is_some() { &pl } else { empty },
                pre_next: if pre.is_some() { &pn } else { empty },
                public: statement.public_values,
            };
            let mut sink = RowSink {
                row: r,
                height: n,
                index: 0,
                failing: Vec::new(),
                buses: &mut buses,
                challenges: &challenges,
            };
            air.eval(&vars, &mut sink);
            report
                .failures
                .extend(
                    sink.failing
                        .into_iter()
                        .map(|(constraint, scope)| ConstraintFailure {
                            table: air.name().to_string(),
                            row: inst.row_start() + r,
                            constraint,
                            scope,
                        }),
                );
        }
    }
    for p in statement.public_interactions {
        let d = challenges.denominator(p.bus, &p.values);
        *buses.entry(p.bus).or_insert(Ext::ZERO) += p3_field::Field::inverse(&d) * p.multiplicity;
    }
    report.unbalanced_buses = buses
        .into_iter()
        .filter(|(_, s)| *s != Ext::ZERO)
        .map(|(b, _)| b)
        .collect();
    report
}
