//! The fixture catalogue: reads `fixtures/catalogue.json`, which names each
//! test and benchmark program with its ELF, input, exact cycle count and
//! expected public output, and loads fixtures' programs.
//!
//! ELF paths in the catalogue are relative to the catalogue file's folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::vm::{ElfError, Program};

/// The catalogue's file name inside the fixtures folder.
pub const CATALOGUE_FILE: &str = "catalogue.json";

/// One catalogue entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Unique name, e.g. `fib_iterative_64k`.
    pub name: String,
    /// ELF path relative to the catalogue's folder.
    pub elf: String,
    /// Input words (the count is prepended by the machine).
    pub input: Vec<u32>,
    /// Exact cycles to the halt.
    pub cycles: u64,
    /// Expected public output.
    pub public_output: Vec<u32>,
    /// One line on what the program does.
    pub description: String,
    /// The family of programs this entry belongs to, if any: `"suite"` marks the realistic
    /// workload suite (`fixtures/programs/`), whose entries `bench run --suite` selects.
    /// Absent in the JSON means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A fixture name's family and size: `fib_iterative_64k` is (`fib_iterative`, `64k`). The
/// size is the part after the last `_`: digits, then `k` or `M` (cycles, as the catalogue
/// names its sizes); `None` when the name does not end in one.
pub fn split_size(name: &str) -> Option<(&str, &str)> {
    let (family, size) = name.rsplit_once('_')?;
    let digits = size.strip_suffix(['k', 'M'])?;
    (!family.is_empty() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some((family, size))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    fixtures: Vec<Fixture>,
}

/// Why the catalogue or a fixture cannot be loaded.
#[derive(Debug, Error)]
pub enum CatalogueError {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The catalogue is not valid JSON of the expected shape.
    #[error("malformed fixture catalogue {}", path.display())]
    Json {
        /// The catalogue file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// Two entries share a name.
    #[error("fixture {name:?} appears twice in {}", path.display())]
    Duplicate {
        /// The repeated name.
        name: String,
        /// The catalogue file.
        path: PathBuf,
    },
    /// No entry has this name.
    #[error("unknown fixture {name:?} (known: {known})")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A fixture's ELF does not load.
    #[error("fixture {name:?}: cannot load {}", path.display())]
    Elf {
        /// The fixture.
        name: String,
        /// Its ELF file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ElfError,
    },
}

/// The loaded catalogue.
#[derive(Clone, Debug)]
pub struct Catalogue {
    dir: PathBuf,
    fixtures: Vec<Fixture>,
}

impl Catalogue {
    /// The repository's `fixtures/` folder (found from this crate's
    /// manifest directory at build time).
    pub fn default_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("fixtures")
    }

    /// Loads `fixtures/catalogue.json` from [`Catalogue::default_dir`].
    pub fn load_default() -> Result<Catalogue, CatalogueError> {
        Catalogue::load(Catalogue::default_dir().join(CATALOGUE_FILE))
    }

    /// Loads a catalogue file; its ELF paths are relative to its folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Catalogue, CatalogueError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Io {
            path: path.to_owned(),
            source,
        })?;
        let file: CatalogueFile =
            serde_json::from_str(&text).map_err(|source| CatalogueError::Json {
                path: path.to_owned(),
                source,
            })?;
        let mut names = std::collections::HashSet::new();
        for f in &file.fixtures {
            if !names.insert(f.name.as_str()) {
                return Err(CatalogueError::Duplicate {
                    name: f.name.clone(),
                    path: path.to_owned(),
                });
            }
        }
        Ok(Catalogue {
            dir: path.parent().unwrap_or(Path::new(".")).to_owned(),
            fixtures: file.fixtures,
        })
    }

    /// The folder ELF paths are relative to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every entry, in file order.
    pub fn fixtures(&self) -> &[Fixture] {
        &self.fixtures
    }

    /// The entry called `name`.
    pub fn get(&self, name: &str) -> Result<&Fixture, CatalogueError> {
        self.fixtures
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| CatalogueError::Unknown {
                name: name.to_owned(),
                known: self
                    .fixtures
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The entries of `group` (the `group` field), in file order; with `size`, only those
    /// named `FAMILY_SIZE` ([`split_size`]) at that size.
    pub fn group(&self, group: &str, size: Option<&str>) -> Vec<&Fixture> {
        self.fixtures
            .iter()
            .filter(|f| f.group.as_deref() == Some(group))
            .filter(|f| size.is_none_or(|s| split_size(&f.name).is_some_and(|(_, z)| z == s)))
            .collect()
    }

    /// The sizes of `family`'s entries (named `FAMILY_SIZE`, [`split_size`]), in file order.
    pub fn family_sizes(&self, family: &str) -> Vec<&str> {
        self.fixtures
            .iter()
            .filter_map(|f| split_size(&f.name))
            .filter(|(fam, _)| *fam == family)
            .map(|(_, size)| size)
            .collect()
    }

    /// Where `fixture`'s ELF lives.
    pub fn elf_path(&self, fixture: &Fixture) -> PathBuf {
        self.dir.join(&fixture.elf)
    }

    /// Reads and loads `fixture`'s ELF.
    pub fn program(&self, fixture: &Fixture) -> Result<Program, CatalogueError> {
        let path = self.elf_path(fixture);
        let bytes = std::fs::read(&path).map_err(|source| CatalogueError::Io {
            path: path.clone(),
            source,
        })?;
        Program::from_elf(&bytes).map_err(|source| CatalogueError::Elf {
            name: fixture.name.clone(),
            path,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_family_and_size() {
        assert_eq!(
            split_size("fib_iterative_64k"),
            Some(("fib_iterative", "64k"))
        );
        assert_eq!(split_size("sha256_chain_1M"), Some(("sha256_chain", "1M")));
        assert_eq!(
            split_size("fib_iterative_1200k"),
            Some(("fib_iterative", "1200k"))
        );
        for name in ["bytesort_small", "x_k", "_1M", "plain", "a_1G", "a_1.5M"] {
            assert_eq!(split_size(name), None, "{name}");
        }
    }

    #[test]
    fn groups_and_family_sizes() {
        let catalogue = Catalogue::load_default().unwrap();
        assert_eq!(
            catalogue.family_sizes("fib_iterative"),
            ["64k", "1M", "1200k", "1150k", "2M", "4M", "8M"]
        );
        assert!(catalogue.family_sizes("nope").is_empty());
        let mut marked = catalogue.clone();
        for f in &mut marked.fixtures {
            if f.name.starts_with("fib_iterative_") {
                f.group = Some("g".into());
            }
        }
        let names = |v: Vec<&Fixture>| v.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(marked.group("g", Some("8M"))), ["fib_iterative_8M"]);
        assert_eq!(marked.group("g", None).len(), 7);
        assert!(marked.group("other", None).is_empty());
    }
}
