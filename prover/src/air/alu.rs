//! The ALU tables as one registry: which table proves which opcode, and one way to build,
//! fill and name any of them.
//!
//! The CPU sends every ALU request `(op, b, c, a)` on [`ALU`](super::bus::ALU); exactly one
//! table receives each opcode:
//!
//! | table | opcodes |
//! |---|---|
//! | [`AddAir`] | `ADD`, `SUB` |
//! | [`LtAir`] | `SLT`, `SLTU` |
//! | [`BitwiseAir`] | `XOR`, `OR`, `AND` |
//! | [`ShiftAir`] | `SLL`, `SRL`, `SRA` |
//! | [`MulAir`] | `MUL`, `MULH`, `MULHSU`, `MULHU` |
//! | [`DivAir`] | `DIV`, `DIVU`, `REM`, `REMU` |
//!
//! [`route_alu`] splits a request list by [`AluTable`]; [`AluTable::trace`] and
//! [`AluTable::fill`] build a table's rows from its share. Every ALU table follows the same
//! contract: row `i` depends on request `i` alone (so any slice of the requests gives the
//! matching slice of rows, which the trace-retire mode relies on), rows past the requests are
//! all-zero padding that receives and sends nothing, and the builder records its lookups in
//! [`Lookups`]. Adding a table is adding a variant here.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;

use super::add::{self, AddAir};
use super::bitwise::{self, BitwiseAir};
use super::bus::{AluRequest, Lookups, op};
use super::div::{self, DivAir};
use super::lt::{self, LtAir};
use super::mul::{self, MulAir};
use super::shift::{self, ShiftAir};
use crate::stark::Felt;
use crate::stark::trace::padded_height;

/// One ALU table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluTable {
    /// `ADD`, `SUB`.
    Add,
    /// `SLT`, `SLTU`.
    Lt,
    /// `XOR`, `OR`, `AND`.
    Bitwise,
    /// `SLL`, `SRL`, `SRA`.
    Shift,
    /// `MUL`, `MULH`, `MULHSU`, `MULHU`.
    Mul,
    /// `DIV`, `DIVU`, `REM`, `REMU`.
    Div,
}

impl AluTable {
    /// Every ALU table, in proof order.
    pub const ALL: [AluTable; 6] = [
        AluTable::Add,
        AluTable::Lt,
        AluTable::Bitwise,
        AluTable::Shift,
        AluTable::Mul,
        AluTable::Div,
    ];

    /// The table that proves `op`, if any.
    pub fn of(op: u32) -> Option<Self> {
        match op {
            op::ADD | op::SUB => Some(Self::Add),
            op::SLT | op::SLTU => Some(Self::Lt),
            op::XOR | op::OR | op::AND => Some(Self::Bitwise),
            op::SLL | op::SRL | op::SRA => Some(Self::Shift),
            op::MUL | op::MULH | op::MULHSU | op::MULHU => Some(Self::Mul),
            op::DIV | op::DIVU | op::REM | op::REMU => Some(Self::Div),
            _ => None,
        }
    }

    /// Position in [`AluTable::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The table's AIR.
    pub fn air(self) -> AluAir {
        match self {
            Self::Add => AluAir::Add(AddAir),
            Self::Lt => AluAir::Lt(LtAir),
            Self::Bitwise => AluAir::Bitwise(BitwiseAir),
            Self::Shift => AluAir::Shift(ShiftAir),
            Self::Mul => AluAir::Mul(MulAir),
            Self::Div => AluAir::Div(DivAir),
        }
    }

    /// Main trace width.
    pub fn width(self) -> usize {
        match self {
            Self::Add => add::WIDTH,
            Self::Lt => lt::WIDTH,
            Self::Bitwise => bitwise::WIDTH,
            Self::Shift => shift::WIDTH,
            Self::Mul => mul::WIDTH,
            Self::Div => div::WIDTH,
        }
    }

    /// Fills the rows of `requests` (all of this table's opcodes) into `rows` (zeroed,
    /// [`width`](Self::width) cells a row, at least one row per request), recording lookups
    /// in `lookups` if given.
    pub fn fill(self, requests: &[AluRequest], rows: &mut [Felt], lookups: Option<&mut Lookups>) {
        match self {
            Self::Add => add::add_rows(requests, rows, lookups),
            Self::Lt => lt::lt_rows(requests, rows, lookups),
            Self::Bitwise => bitwise::bitwise_rows(requests, rows, lookups),
            Self::Shift => shift::shift_rows(requests, rows, lookups),
            Self::Mul => mul::mul_rows(requests, rows, lookups),
            Self::Div => div::div_rows(requests, rows, lookups),
        }
    }

    /// The table's trace for `requests`: one row per request in order, zero-padded to
    /// [`alu_table_height`] for chunks of `2^log_max_rows` rows. Records the rows' lookups in
    /// `lookups`.
    pub fn trace(
        self,
        requests: &[AluRequest],
        lookups: &mut Lookups,
        log_max_rows: usize,
    ) -> RowMajorMatrix<Felt> {
        let width = self.width();
        let mut values = Felt::zero_vec(alu_table_height(requests.len(), log_max_rows) * width);
        self.fill(requests, &mut values, Some(lookups));
        RowMajorMatrix::new(values, width)
    }
}

/// The ALU tables' AIRs as one type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AluAir {
    /// See [`AddAir`].
    Add(AddAir),
    /// See [`LtAir`].
    Lt(LtAir),
    /// See [`BitwiseAir`].
    Bitwise(BitwiseAir),
    /// See [`ShiftAir`].
    Shift(ShiftAir),
    /// See [`MulAir`].
    Mul(MulAir),
    /// See [`DivAir`].
    Div(DivAir),
}

crate::delegate_air!(AluAir {
    Add,
    Lt,
    Bitwise,
    Shift,
    Mul,
    Div
});

/// Splits `requests` by table: entry `t.index()` holds table `t`'s requests, in the original
/// order.
///
/// Panics on an opcode no table proves (a caller bug, as in
/// [`alu_result`](super::bus::alu_result)).
pub fn route_alu(requests: &[AluRequest]) -> Vec<Vec<AluRequest>> {
    let mut out = vec![Vec::new(); AluTable::ALL.len()];
    for r in requests {
        let table = AluTable::of(r.op).unwrap_or_else(|| panic!("unknown ALU opcode {}", r.op));
        out[table.index()].push(*r);
    }
    out
}

/// The height of an ALU table holding `rows` requests, proved in chunks of at most
/// `2^log_max_rows` rows: padded per chunk ([`padded_height`]). Rows past the requests are
/// all-zero padding.
pub fn alu_table_height(rows: usize, log_max_rows: usize) -> usize {
    padded_height(rows, log_max_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_listed_once_at_its_index() {
        for (i, t) in AluTable::ALL.iter().enumerate() {
            assert_eq!(t.index(), i);
        }
    }

    #[test]
    fn every_alu_opcode_has_a_table() {
        for o in op::ADD..=op::REMU {
            assert!(AluTable::of(o).is_some(), "opcode {o}");
        }
    }

    #[test]
    fn an_opcode_has_one_table_and_unknown_opcodes_have_none() {
        for o in 0..=40u32 {
            if let Some(t) = AluTable::of(o) {
                assert!(AluTable::ALL.contains(&t));
            }
        }
        assert_eq!(AluTable::of(0), None);
        assert_eq!(AluTable::of(op::ADD), Some(AluTable::Add));
    }
}
