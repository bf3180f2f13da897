//! Loading the program a command names: a catalogue fixture or an ELF file, with its input.

use anyhow::{Context, Result};
use prover::fixtures::Catalogue;
use prover::vm::Program;

use crate::cli::ProgramArgs;

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

/// Loads the fixture or ELF that `args` names.
pub fn load(args: &ProgramArgs) -> Result<Loaded> {
    let override_input = args.input.as_ref().map(|w| w.0.clone());
    if let Some(name) = &args.fixture {
        let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
        let fixture = catalogue.get(name)?;
        let program = catalogue.program(fixture)?;
        let expected = override_input
            .is_none()
            .then(|| (fixture.cycles, fixture.public_output.clone()));
        let input = override_input.unwrap_or_else(|| fixture.input.clone());
        return Ok(Loaded {
            name: name.clone(),
            program,
            input,
            expected,
        });
    }
    let path = args
        .elf
        .as_ref()
        .context("either --fixture or --elf is required")?;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let program =
        Program::from_elf(&bytes).with_context(|| format!("cannot load {}", path.display()))?;
    Ok(Loaded {
        name: path.display().to_string(),
        program,
        input: override_input.unwrap_or_default(),
        expected: None,
    })
}
