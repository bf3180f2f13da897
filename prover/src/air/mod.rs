//! The zkVM tables: one module per table (columns, constraints, buses, trace builder), and
//! the bus contract between them in [`bus`].
//!
//! * [`bus`]: bus ids, tuple layouts, ALU opcodes and their reference semantics.
//! * [`range`]: RANGE, the preprocessed 16-bit range-check table.
//! * [`bytes`]: BYTES, the preprocessed byte-pair AND/OR/XOR table.
//! * [`alu`]: routing ALU requests to the three ALU tables.
//! * [`add`]: ADD, proves `ADD` and `SUB`.
//! * [`lt`]: LT, proves `SLT` and `SLTU`.
//! * [`bitwise`]: BITWISE, proves `XOR`, `OR` and `AND` through BYTES.

pub mod add;
pub mod alu;
pub mod bitwise;
pub mod bus;
pub mod bytes;
pub mod lt;
pub mod range;

pub use add::{AddAir, add_trace};
pub use alu::route_alu;
pub use bitwise::{BitwiseAir, bitwise_trace};
pub use bytes::{BytesAir, bytes_trace};
pub use lt::{LtAir, lt_trace};
pub use range::{RangeAir, range_trace};
