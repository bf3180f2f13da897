//! Loading the program a measurement names: a catalogue fixture (with its input, cycles and
//! output; of the repository's catalogue or of another file) or an ELF file.

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
/// own, an ELF's empty or given one).
pub fn load(spec: &ProgramSpec, input: Option<Vec<u32>>) -> Result<Loaded, ProgramError> {
    match spec {
        ProgramSpec::Fixture(name) | ProgramSpec::CatalogueFixture { name, .. } => {
            let catalogue = match spec {
                ProgramSpec::CatalogueFixture { catalogue, .. } => Catalogue::load(catalogue),
                _ => Catalogue::load_default(),
            }
            .map_err(ProgramError::Catalogue)?;
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
        ProgramSpec::ElfWithInput { path, input: own } => load(
            &ProgramSpec::Elf(path.clone()),
            input.or_else(|| Some(own.clone())),
        ),
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

/// What `bench run` was asked to measure besides its `--fixture` names and `--elf` files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Input words of every ELF (`None`: empty input).
    pub input: Option<Vec<u32>>,
    /// The realistic workload suite (group [`SUITE_GROUP`]) at `size`, or [`SUITE_SIZE`].
    pub suite: bool,
    /// Every entry of this group (at `size` when given).
    pub group: Option<String>,
    /// The size of the group entries (named `NAME_SIZE`).
    pub size: Option<String>,
    /// The catalogue file of every fixture named (`None`: the repository's).
    pub catalogue: Option<PathBuf>,
}

/// The catalogue group of the realistic workload suite (`fixtures/programs/`).
pub const SUITE_GROUP: &str = "suite";
/// The size `--suite` runs at when no size is given: the tests' size, about a minute for the
/// whole suite in one mode on 2 cores (1M and 8M are asked for by name: `--size 1M`).
pub const SUITE_SIZE: &str = "64k";

/// Why a selection names no program, or an unknown one.
#[derive(Debug, Error)]
pub enum SelectError {
    /// The catalogue cannot be read.
    #[error("loading the fixture catalogue")]
    Catalogue(#[source] CatalogueError),
    /// A fixture name is not in the catalogue.
    #[error(transparent)]
    Unknown(CatalogueError),
    /// A group (at a size) has no entry.
    #[error("no fixture of group `{group}`{} in {}{}", size.as_ref().map(|s| format!(" at size {s}")).unwrap_or_default(), catalogue.display(), available(sizes))]
    EmptyGroup {
        /// The group.
        group: String,
        /// The size asked for.
        size: Option<String>,
        /// The catalogue file.
        catalogue: PathBuf,
        /// The sizes the group has.
        sizes: Vec<String>,
    },
    /// `--size` without a group to pick from.
    #[error("--size picks among the entries of --suite or --group; name fixtures with --fixture")]
    SizeWithoutGroup,
    /// An ELF file does not exist.
    #[error("--elf {}: no such file", .0.display())]
    NoElf(PathBuf),
}

fn available(sizes: &[String]) -> String {
    if sizes.is_empty() {
        String::new()
    } else {
        format!(" (it has: {})", sizes.join(", "))
    }
}

/// The programs of `fixtures`, `elfs` and `selection`, in that order, each once: the
/// fixtures named, then the group entries, then the ELF files. With nothing named, every
/// entry of `--catalogue`, or the default fixture `default` without one.
pub fn select(
    fixtures: &[String],
    elfs: &[PathBuf],
    selection: &Selection,
    default: &str,
) -> Result<Vec<ProgramSpec>, SelectError> {
    let (catalogue, path) = match &selection.catalogue {
        Some(p) => (Catalogue::load(p), p.clone()),
        None => (
            Catalogue::load_default(),
            Catalogue::default_dir().join(prover::fixtures::CATALOGUE_FILE),
        ),
    };
    let catalogue = catalogue.map_err(SelectError::Catalogue)?;
    let spec = |name: &str| match &selection.catalogue {
        Some(c) => ProgramSpec::CatalogueFixture {
            catalogue: c.clone(),
            name: name.to_string(),
        },
        None => ProgramSpec::Fixture(name.to_string()),
    };
    let mut names: Vec<String> = Vec::new();
    for name in fixtures {
        catalogue.get(name).map_err(SelectError::Unknown)?;
        names.push(name.clone());
    }
    let mut groups: Vec<(&str, Option<&str>)> = Vec::new();
    if selection.suite {
        groups.push((
            SUITE_GROUP,
            Some(selection.size.as_deref().unwrap_or(SUITE_SIZE)),
        ));
    }
    if let Some(g) = &selection.group {
        groups.push((g, selection.size.as_deref()));
    }
    if groups.is_empty() && selection.size.is_some() {
        return Err(SelectError::SizeWithoutGroup);
    }
    for (group, size) in groups {
        let entries = catalogue.group(group, size);
        if entries.is_empty() {
            let mut sizes: Vec<String> = Vec::new();
            for f in catalogue.group(group, None) {
                if let Some((_, s)) = prover::fixtures::split_size(&f.name)
                    && !sizes.iter().any(|x| x == s)
                {
                    sizes.push(s.to_string());
                }
            }
            return Err(SelectError::EmptyGroup {
                group: group.to_string(),
                size: size.map(str::to_string),
                catalogue: path,
                sizes,
            });
        }
        names.extend(entries.iter().map(|f| f.name.clone()));
    }
    if names.is_empty() && elfs.is_empty() {
        match &selection.catalogue {
            Some(_) => names.extend(catalogue.fixtures().iter().map(|f| f.name.clone())),
            None => names.push(default.to_string()),
        }
    }
    let mut out: Vec<ProgramSpec> = Vec::new();
    for name in &names {
        let s = spec(name);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    for elf in elfs {
        if !elf.is_file() {
            return Err(SelectError::NoElf(elf.clone()));
        }
        let s = match &selection.input {
            Some(input) => ProgramSpec::ElfWithInput {
                path: elf.clone(),
                input: input.clone(),
            },
            None => ProgramSpec::Elf(elf.clone()),
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's catalogue in another folder (its ELF paths made absolute), with
    /// bytesort_small and collatz_small in group `g`, the fib family in group `suite` and
    /// no other entry in a group.
    fn grouped() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bench-select-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut catalogue: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(Catalogue::default_dir().join("catalogue.json")).unwrap(),
        )
        .unwrap();
        let fixtures = Catalogue::default_dir();
        for f in catalogue["fixtures"].as_array_mut().unwrap() {
            let name = f["name"].as_str().unwrap().to_string();
            let elf = fixtures.join(f["elf"].as_str().unwrap());
            f["elf"] = elf.display().to_string().into();
            f.as_object_mut().unwrap().remove("group");
            if ["bytesort_small", "collatz_small"].contains(&name.as_str()) {
                f["group"] = "g".into();
            } else if name.starts_with("fib_iterative_") {
                f["group"] = "suite".into();
            }
        }
        let path = dir.join("catalogue.json");
        std::fs::write(&path, catalogue.to_string()).unwrap();
        path
    }

    fn names(specs: &[ProgramSpec]) -> Vec<String> {
        specs.iter().map(ProgramSpec::name).collect()
    }

    #[test]
    fn groups_sizes_lists_and_defaults() {
        let path = grouped();
        let mine = |s: Selection| Selection {
            catalogue: Some(path.clone()),
            ..s
        };
        let none: [String; 0] = [];
        // Nothing named: the default fixture, or every entry of --catalogue.
        let d = select(&none, &[], &Selection::default(), "fib_iterative_64k").unwrap();
        assert_eq!(d, [ProgramSpec::Fixture("fib_iterative_64k".into())]);
        let all = select(&none, &[], &mine(Selection::default()), "x").unwrap();
        assert_eq!(all.len(), Catalogue::load(&path).unwrap().fixtures().len());
        assert!(
            matches!(&all[0], ProgramSpec::CatalogueFixture { catalogue, .. } if *catalogue == path)
        );
        // --suite is the suite at 64k unless --size says otherwise.
        let suite = |size: Option<&str>| {
            select(
                &none,
                &[],
                &mine(Selection {
                    suite: true,
                    size: size.map(str::to_string),
                    ..Selection::default()
                }),
                "x",
            )
        };
        assert_eq!(names(&suite(None).unwrap()), ["fib_iterative_64k"]);
        assert_eq!(names(&suite(Some("8M")).unwrap()), ["fib_iterative_8M"]);
        let e = suite(Some("3M")).unwrap_err().to_string();
        assert!(
            e.starts_with("no fixture of group `suite` at size 3M in ")
                && e.ends_with("(it has: 64k, 1M, 1200k, 1150k, 2M, 4M, 8M)"),
            "{e}"
        );
        // A group, fixtures named twice, and the union without repeats.
        let fixtures = ["collatz_small".to_string(), "modexp_small".into()];
        let g = select(
            &fixtures,
            &[],
            &mine(Selection {
                group: Some("g".into()),
                ..Selection::default()
            }),
            "x",
        )
        .unwrap();
        assert_eq!(
            names(&g),
            ["collatz_small", "modexp_small", "bytesort_small"]
        );
        // The repository's catalogue has no group `g`.
        let e = select(
            &none,
            &[],
            &Selection {
                group: Some("g".into()),
                ..Selection::default()
            },
            "x",
        )
        .unwrap_err();
        assert!(matches!(e, SelectError::EmptyGroup { .. }), "{e}");
        let e = select(
            &none,
            &[],
            &Selection {
                size: Some("1M".into()),
                ..Selection::default()
            },
            "x",
        )
        .unwrap_err();
        assert!(matches!(e, SelectError::SizeWithoutGroup));
        assert!(matches!(
            select(&["nope".to_string()], &[], &Selection::default(), "x").unwrap_err(),
            SelectError::Unknown(_)
        ));
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn elfs_run_on_the_input_given() {
        let elf = Catalogue::default_dir().join("collatz.elf");
        let with = Selection {
            input: Some(vec![27]),
            ..Selection::default()
        };
        let s = select(&[], std::slice::from_ref(&elf), &with, "x").unwrap();
        assert_eq!(
            s,
            [ProgramSpec::ElfWithInput {
                path: elf.clone(),
                input: vec![27]
            }]
        );
        let loaded = load(&s[0], None).unwrap();
        assert_eq!(loaded.input, [27]);
        assert_eq!(load(&s[0], Some(vec![5])).unwrap().input, [5]);
        let bare = select(&[], std::slice::from_ref(&elf), &Selection::default(), "x").unwrap();
        assert_eq!(bare, [ProgramSpec::Elf(elf)]);
        assert!(matches!(
            select(&[], &["no/such.elf".into()], &Selection::default(), "x").unwrap_err(),
            SelectError::NoElf(_)
        ));
    }
}
