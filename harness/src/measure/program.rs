//! Loading the program a measurement names: a catalogue fixture (with its input, cycles and
//! output) or an ELF file.

use std::path::PathBuf;

use prover::fixtures::{Catalogue, CatalogueError};
use prover::vm::{ElfError, Program};
use thiserror::Error;

use crate::model::program::ProgramSpec;

/// A loaded program and what to run it on.
#[derive(Debug)]
pub struct Loaded {
    /// Fixture name or ELF path.
    pub name: String,
    /// The program.
    pub program: Program,
    /// Input words.
    pub input: Vec<u32>,
    /// For a fixture on its own input: the catalogue's cycles and output.
    pub expected: Option<(u64, Vec<u32>)>,
}

/// Why a program could not be loaded.
#[derive(Debug, Error)]
pub enum ProgramError {
    /// The catalogue cannot be read.
    #[error("loading the fixture catalogue")]
    Catalogue(#[source] CatalogueError),
    /// The fixture is unknown, or its ELF cannot be loaded.
    #[error(transparent)]
    Fixture(CatalogueError),
    /// The ELF file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The ELF file is not a program.
    #[error("cannot load {}", path.display())]
    Elf {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ElfError,
    },
}

/// Loads the fixture or ELF that `spec` names; `input` overrides its input (a fixture's
/// own, an ELF's empty one).
pub fn load(spec: &ProgramSpec, input: Option<Vec<u32>>) -> Result<Loaded, ProgramError> {
    match spec {
        ProgramSpec::Fixture(name) => {
            let catalogue = Catalogue::load_default().map_err(ProgramError::Catalogue)?;
            let fixture = catalogue.get(name).map_err(ProgramError::Fixture)?;
            let program = catalogue.program(fixture).map_err(ProgramError::Fixture)?;
            let expected = input
                .is_none()
                .then(|| (fixture.cycles, fixture.public_output.clone()));
            Ok(Loaded {
                name: name.clone(),
                program,
                input: input.unwrap_or_else(|| fixture.input.clone()),
                expected,
            })
        }
        ProgramSpec::Elf(path) => {
            let bytes = std::fs::read(path).map_err(|source| ProgramError::Read {
                path: path.clone(),
                source,
            })?;
            let program = Program::from_elf(&bytes).map_err(|source| ProgramError::Elf {
                path: path.clone(),
                source,
            })?;
            Ok(Loaded {
                name: path.display().to_string(),
                program,
                input: input.unwrap_or_default(),
                expected: None,
            })
        }
    }
}
