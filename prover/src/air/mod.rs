//! The zkVM tables: one module per table (columns, constraints, buses, trace builder), and
//! the bus contract between them in [`bus`].

pub mod bus;
