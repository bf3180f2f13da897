//! The RV32IM machine: ELF loader, decoder, executor and execution log.
