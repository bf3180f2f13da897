//! Which program a measurement runs: a catalogue fixture by name (of the repository's
//! catalogue or of another catalogue file), or an ELF file (on empty input or on given
//! words).

use std::path::PathBuf;

/// A program to measure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramSpec {
    /// A fixture of the repository's catalogue, by name (run on its own input unless told
    /// otherwise).
    Fixture(String),
    /// An ELF file (run on empty input unless told otherwise).
    Elf(PathBuf),
    /// A fixture of another catalogue file (`--catalogue FILE`; its ELF paths are relative
    /// to that file's folder), run on its own input unless told otherwise.
    CatalogueFixture {
        /// The catalogue file.
        catalogue: PathBuf,
        /// The fixture's name in it.
        name: String,
    },
    /// An ELF file run on these input words (`bench run --elf FILE --input WORDS`).
    ElfWithInput {
        /// The ELF file.
        path: PathBuf,
        /// The input words.
        input: Vec<u32>,
    },
}

impl ProgramSpec {
    /// The name its results are filed under: the fixture name or the ELF path (the input of
    /// an ELF is in each run record, not in the name).
    pub fn name(&self) -> String {
        match self {
            ProgramSpec::Fixture(n) | ProgramSpec::CatalogueFixture { name: n, .. } => n.clone(),
            ProgramSpec::Elf(p) | ProgramSpec::ElfWithInput { path: p, .. } => {
                p.display().to_string()
            }
        }
    }
}
