//! The zkVM tables: one module per table (columns, constraints, buses, trace builder), and
//! the bus contract between them in [`bus`].
//!
//! * [`bus`]: bus ids, tuple layouts, ALU opcodes and their reference semantics.
//! * [`range`]: RANGE, the preprocessed 16-bit range-check table.
//! * [`bytes`]: BYTES, the preprocessed byte-pair AND/OR/XOR table and byte range checks.
//! * [`alu`]: the ALU tables' registry: which table proves which opcode, routing, building.
//! * [`add`]: ADD, proves `ADD` and `SUB`.
//! * [`lt`]: LT, proves `SLT` and `SLTU`.
//! * [`bitwise`]: BITWISE, proves `XOR`, `OR` and `AND` through BYTES.
//! * [`shift`]: SHIFT, proves `SLL`, `SRL` and `SRA` by a multiplication with `2^s`.
//! * [`limbs`]: 64-bit multiply-add on 16-bit limbs, shared by MUL and DIV.
//! * [`mul`]: MUL, proves `MUL`, `MULH`, `MULHSU` and `MULHU`.
//! * [`div`]: DIV, proves `DIV`, `DIVU`, `REM` and `REMU` (division by zero and overflow).
//! * [`program`]: PROGRAM, the preprocessed decoded instructions.
//! * [`cpu`]: CPU, one row per cycle, chained by the STATE bus.
//! * [`memory`]: MEMORY, initial and final value of every memory key.
//! * [`access`]: ACCESS, what a load or store does with its RAM word (sub-word accesses).
//! * [`cycle`]: routing one execution-log step (the CPU row and its requests).
//! * [`error`]: why an executed run cannot be proved ([`error::WitnessError`]).
//! * [`witness`]: routing an execution log into every table's trace.
//! * [`replay`]: rebuilding CPU chunks from the log and per-chunk checkpoints
//!   (trace-retire).

pub mod access;
pub mod add;
pub mod alu;
pub mod bitwise;
pub mod bus;
pub mod bytes;
pub mod cpu;
pub mod cycle;
pub mod div;
pub mod error;
pub mod limbs;
pub mod lt;
pub mod memory;
pub mod mul;
pub mod program;
pub mod range;
pub mod replay;
pub mod shift;
pub mod witness;

pub use add::AddAir;
pub use alu::{AluAir, AluTable, route_alu};
pub use bitwise::BitwiseAir;
pub use bytes::{BytesAir, bytes_trace};
pub use lt::LtAir;
pub use range::{RangeAir, range_trace};

use crate::stark::{Constraints, Expr};

/// One-hot opcode selectors: asserts every selector and their sum boolean (at most one set)
/// and returns `(active, opcode)`: the sum, and `sum code_i f_i`, the opcode the row proves.
pub(crate) fn selectors<E: Expr, C: Constraints<E>>(
    out: &mut C,
    flags: &[E],
    codes: &[u32],
) -> (E, E) {
    debug_assert_eq!(flags.len(), codes.len());
    let mut active = E::zero();
    let mut opcode = E::zero();
    for (&f, &code) in flags.iter().zip(codes) {
        out.assert_bool(f);
        active = active + f;
        opcode = opcode + E::constant(code.into()) * f;
    }
    out.assert_bool(active);
    (active, opcode)
}

/// Implements [`Air`](crate::stark::Air) for an enum of tables by delegating every method to
/// the variant's table.
#[macro_export]
macro_rules! delegate_air {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl $crate::stark::Air for $name {
            fn name(&self) -> &str {
                match self { $($name::$variant(a) => a.name(),)+ }
            }
            fn main_width(&self) -> usize {
                match self { $($name::$variant(a) => a.main_width(),)+ }
            }
            fn preprocessed_width(&self) -> usize {
                match self { $($name::$variant(a) => a.preprocessed_width(),)+ }
            }
            fn preprocessed_trace(
                &self,
                height: usize,
            ) -> Option<$crate::stark::RowMajorMatrix<$crate::stark::Felt>> {
                match self { $($name::$variant(a) => a.preprocessed_trace(height),)+ }
            }
            fn fixed_log_height(&self) -> Option<usize> {
                match self { $($name::$variant(a) => a.fixed_log_height(),)+ }
            }
            fn eval<E: $crate::stark::Expr, C: $crate::stark::Constraints<E>>(
                &self,
                vars: &$crate::stark::Vars<'_, E>,
                out: &mut C,
            ) {
                match self { $($name::$variant(a) => a.eval(vars, out),)+ }
            }
        }
    };
}
