//! Small example AIRs: the test and benchmark workload of the STARK core.
//!
//! * [`FibAir`]: `(a, b) -> (b, a + b)`, boundary values as public inputs.
//! * [`CubesAir`]: rows `(x, x^3, sel)`; sends `x` to the range bus when `sel` is set.
//!   Exercises a degree-3 constraint and a bus sender.
//! * [`RangeAir`]: a preprocessed column `0..h` and a multiplicity column; receives from the
//!   range bus. Exercises preprocessed columns and a bus receiver.
//!
//! [`ExampleAir`] puts them in one type so a statement can mix them.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::air::{Air, BusId, Constraints, Vars};
use super::field::{Expr, Felt};

/// The bus [`CubesAir`] sends on and [`RangeAir`] receives from.
pub const RANGE_BUS: BusId = 7;

/// Fibonacci: public values `[a_0, b_0, b_last]`.
#[derive(Clone, Copy, Debug)]
pub struct FibAir;

impl Air for FibAir {
    fn name(&self) -> &str {
        "fib"
    }
    fn main_width(&self) -> usize {
        2
    }
    fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
        let (a, b) = (v.local[0], v.local[1]);
        let (a2, b2) = (v.next[0], v.next[1]);
        out.assert_first_row(a - v.public[0]);
        out.assert_first_row(b - v.public[1]);
        out.assert_transition(a2 - b);
        out.assert_transition(b2 - (a + b));
        out.assert_last_row(b - v.public[2]);
    }
}

/// A Fibonacci trace of `2^log_n` rows from `(a0, b0)`, and its public values.
pub fn fib_trace(log_n: usize, a0: u64, b0: u64) -> (RowMajorMatrix<Felt>, Vec<Felt>) {
    let n = 1usize << log_n;
    let (mut a, mut b) = (Felt::from_u64(a0), Felt::from_u64(b0));
    let mut values = Vec::with_capacity(2 * n);
    for _ in 0..n {
        values.extend([a, b]);
        (a, b) = (b, a + b);
    }
    let last = values[2 * n - 1];
    (
        RowMajorMatrix::new(values, 2),
        vec![Felt::from_u64(a0), Felt::from_u64(b0), last],
    )
}

/// Rows `(x, x^3, sel)`; `x` is range-checked through [`RANGE_BUS`] where `sel = 1`.
#[derive(Clone, Copy, Debug)]
pub struct CubesAir;

impl Air for CubesAir {
    fn name(&self) -> &str {
        "cubes"
    }
    fn main_width(&self) -> usize {
        3
    }
    fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
        let (x, cube, sel) = (v.local[0], v.local[1], v.local[2]);
        out.assert_zero(cube - x * x * x);
        out.assert_bool(sel);
        out.send(RANGE_BUS, &[x], sel);
    }
}

/// A cubes trace of `2^log_n` rows with values below `range`, every third row unselected.
pub fn cubes_trace(log_n: usize, range: u64) -> RowMajorMatrix<Felt> {
    let n = 1usize << log_n;
    let mut values = Vec::with_capacity(3 * n);
    for r in 0..n as u64 {
        let x = Felt::from_u64((r * 5 + 3) % range);
        let sel = Felt::from_bool(r % 3 != 2);
        values.extend([x, x.cube(), sel]);
    }
    RowMajorMatrix::new(values, 3)
}

/// The range table `0..2^log_n` (preprocessed) with multiplicities (main).
#[derive(Clone, Copy, Debug)]
pub struct RangeAir {
    /// log2 of the table's height (fixed by the statement, like every preprocessed table's).
    pub log_n: usize,
}

impl Air for RangeAir {
    fn name(&self) -> &str {
        "range"
    }
    fn main_width(&self) -> usize {
        1
    }
    fn preprocessed_width(&self) -> usize {
        1
    }
    fn fixed_log_height(&self) -> Option<usize> {
        Some(self.log_n)
    }
    fn preprocessed_trace(&self, height: usize) -> Option<RowMajorMatrix<Felt>> {
        Some(RowMajorMatrix::new_col(
            (0..height as u64).map(Felt::from_u64).collect(),
        ))
    }
    fn eval<E: Expr, C: Constraints<E>>(&self, v: &Vars<'_, E>, out: &mut C) {
        out.receive(RANGE_BUS, &[v.pre_local[0]], v.local[0]);
    }
}

/// Multiplicities for a range table of `2^log_n` rows that receives what `cubes` sends.
pub fn range_trace(log_n: usize, cubes: &RowMajorMatrix<Felt>) -> RowMajorMatrix<Felt> {
    use p3_field::PrimeField64;
    let mut counts = vec![Felt::ZERO; 1 << log_n];
    for row in cubes.values.chunks_exact(3) {
        if row[2] == Felt::ONE {
            counts[row[0].as_canonical_u64() as usize] += Felt::ONE;
        }
    }
    RowMajorMatrix::new_col(counts)
}

/// Any of the example tables.
#[derive(Clone, Copy, Debug)]
pub enum ExampleAir {
    /// See [`FibAir`].
    Fib(FibAir),
    /// See [`CubesAir`].
    Cubes(CubesAir),
    /// See [`RangeAir`].
    Range(RangeAir),
}

crate::delegate_air!(ExampleAir { Fib, Cubes, Range });
