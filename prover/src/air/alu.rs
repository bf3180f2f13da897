//! Routing ALU requests to the tables that prove them, and what the ALU tables share.
//!
//! The CPU sends every ALU request `(op, b, c, a)` on [`ALU`](super::bus::ALU); three tables
//! receive them:
//!
//! | table | opcodes |
//! |---|---|
//! | [`AddAir`](super::add::AddAir) | `ADD`, `SUB` |
//! | [`LtAir`](super::lt::LtAir) | `SLT`, `SLTU` |
//! | [`BitwiseAir`](super::bitwise::BitwiseAir) | `XOR`, `OR`, `AND` |
//!
//! [`route_alu`] splits a request list accordingly; each table's trace builder then takes its
//! share.

use super::bus::{AluRequest, op};
use crate::stark::params::MIN_LOG_HEIGHT;

/// Splits `requests` into `(add/sub, slt/sltu, xor/or/and)`, each in the original order.
///
/// Panics on an unknown opcode (a caller bug, as in [`alu_result`](super::bus::alu_result)).
pub fn route_alu(requests: &[AluRequest]) -> (Vec<AluRequest>, Vec<AluRequest>, Vec<AluRequest>) {
    let (mut add, mut lt, mut bitwise) = (Vec::new(), Vec::new(), Vec::new());
    for r in requests {
        match r.op {
            op::ADD | op::SUB => add.push(*r),
            op::SLT | op::SLTU => lt.push(*r),
            op::XOR | op::OR | op::AND => bitwise.push(*r),
            other => panic!("unknown ALU opcode {other}"),
        }
    }
    (add, lt, bitwise)
}

/// The height of an ALU table holding `rows` requests: the next power of two, at least the
/// smallest height the STARK accepts. Rows past the requests are all-zero padding.
pub fn alu_table_height(rows: usize) -> usize {
    rows.max(1 << MIN_LOG_HEIGHT).next_power_of_two()
}
