//! The generic multi-table STARK.
