//! Which program a measurement runs: a catalogue fixture by name, or an ELF file.

use std::path::PathBuf;

/// A program to measure: a fixture name or an ELF path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramSpec {
    /// A fixture of the catalogue, by name (run on its own input unless told otherwise).
    Fixture(String),
    /// An ELF file (run on empty input unless told otherwise).
    Elf(PathBuf),
}

impl ProgramSpec {
    /// The name its results are filed under: the fixture name or the ELF path.
    pub fn name(&self) -> String {
        match self {
            ProgramSpec::Fixture(n) => n.clone(),
            ProgramSpec::Elf(p) => p.display().to_string(),
        }
    }
}
