//! Merging the shards of one plan into one results file (pure; `bench merge` reads and
//! writes the files).
//!
//! Refused, with what and where named: a file that is not a shard of a plan; files of
//! different plans (or shard counts); a shard given twice (both files named) or missing;
//! (unless allowed: the nightly records the shards that came back and lists the others)
//! conflicting settings (prove settings, schema version, or the build: revision, compiler,
//! CPU features: the shards of one plan run one build, handed out as an artifact); an entry
//! held by two shards. Every problem is reported at once, not the first only.
//!
//! The merged file keeps every entry's machine: its `sharding` lists each shard with its
//! machine and entries (`ResultsFile::entry_machine`), and each run record keeps its own.
//! Its `machine` is shard 1's, and it was `created` when the earliest shard started.

use std::fmt;

use crate::model::results::ResultsFile;
use crate::model::shard::{ShardPart, Sharding};

/// One reason the files cannot be merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A file without a plan stamp.
    NotAShard(String),
    /// A file of another plan than the first file's.
    OtherPlan {
        /// The file.
        file: String,
        /// Its plan and shard count.
        plan: String,
        /// The first file's.
        expected: String,
    },
    /// A shard in two files.
    Duplicate {
        /// The shard.
        shard: u32,
        /// The files holding it.
        files: Vec<String>,
    },
    /// Shards no file holds.
    Missing(Vec<u32>),
    /// A setting that differs from the first file's.
    Conflict {
        /// The file.
        file: String,
        /// What differs, in words.
        what: String,
    },
    /// An entry in two shards.
    Overlap {
        /// `fixture · mode`.
        entry: String,
        /// The shards.
        shards: Vec<u32>,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAShard(file) => write!(
                f,
                "{file} is not a shard of a plan (made by `bench run --plan FILE --shard K`)"
            ),
            Self::OtherPlan {
                file,
                plan,
                expected,
            } => write!(f, "{file} is from plan {plan}, the others from {expected}"),
            Self::Duplicate { shard, files } => {
                write!(f, "shard {shard} is given twice: {}", files.join(", "))
            }
            Self::Missing(shards) => {
                let s: Vec<String> = shards.iter().map(u32::to_string).collect();
                let (noun, verb) = if shards.len() == 1 {
                    ("shard", "is")
                } else {
                    ("shards", "are")
                };
                write!(
                    f,
                    "{noun} {} {verb} missing (its job failed, or its file was not downloaded)",
                    s.join(", ")
                )
            }
            Self::Conflict { file, what } => write!(f, "{file}: conflicting settings: {what}"),
            Self::Overlap { entry, shards } => {
                let s: Vec<String> = shards.iter().map(u32::to_string).collect();
                write!(f, "{entry} is in shards {}", s.join(" and "))
            }
        }
    }
}

/// All reasons at once.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot merge: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct MergeError(pub Vec<Refusal>);

/// Merges `files` (name, contents) into one; see the module docs for what is refused. With
/// `allow_missing`, absent shards are returned instead of refused (the merged stamp then
/// lacks their parts).
pub fn merge(
    files: &[(String, ResultsFile)],
    allow_missing: bool,
) -> Result<(ResultsFile, Vec<u32>), MergeError> {
    let mut why = Vec::new();
    let stamped: Vec<(&String, &ResultsFile, &Sharding)> = files
        .iter()
        .filter_map(|(name, f)| match &f.sharding {
            Some(s) => Some((name, f, s)),
            None => {
                why.push(Refusal::NotAShard(name.clone()));
                None
            }
        })
        .collect();
    let Some(&(_, first, stamp)) = stamped.first() else {
        return Err(MergeError(why));
    };
    let id = |s: &Sharding| format!("{} ({} shards)", s.plan, s.shards);
    // The dirty flag is the source tree's when the shard ran, not the binary's (one
    // artifact for every shard): it stays in each shard's machine and is not compared.
    let build = |f: &ResultsFile| {
        let m = &f.machine;
        format!(
            "revision {}, {}, features [{}]",
            m.git_sha, m.rustc, m.target_features
        )
    };
    let mut holders: Vec<(u32, Vec<String>)> = Vec::new();
    for &(name, f, s) in &stamped {
        if s.plan != stamp.plan || s.shards != stamp.shards {
            why.push(Refusal::OtherPlan {
                file: name.clone(),
                plan: id(s),
                expected: id(stamp),
            });
            continue;
        }
        if f.config != first.config {
            why.push(Refusal::Conflict {
                file: name.clone(),
                what: format!(
                    "prove settings {:?}, the first file's {:?}",
                    f.config, first.config
                ),
            });
        }
        if f.schema_version != first.schema_version {
            why.push(Refusal::Conflict {
                file: name.clone(),
                what: format!(
                    "schema version {}, the first file's {}",
                    f.schema_version, first.schema_version
                ),
            });
        }
        if build(f) != build(first) {
            why.push(Refusal::Conflict {
                file: name.clone(),
                what: format!(
                    "built from {}, the first file from {}",
                    build(f),
                    build(first)
                ),
            });
        }
        for p in &s.parts {
            match holders.iter_mut().find(|(k, _)| *k == p.shard) {
                Some((_, names)) => names.push(name.clone()),
                None => holders.push((p.shard, vec![name.clone()])),
            }
        }
    }
    holders.sort();
    for (shard, names) in &holders {
        if names.len() > 1 {
            why.push(Refusal::Duplicate {
                shard: *shard,
                files: names.clone(),
            });
        }
    }
    let held: Vec<u32> = holders.iter().map(|(k, _)| *k).collect();
    let absent: Vec<u32> = (1..=stamp.shards).filter(|k| !held.contains(k)).collect();
    if !absent.is_empty() && !allow_missing {
        why.push(Refusal::Missing(absent.clone()));
    }
    // Entries: each in one shard only.
    let mut parts: Vec<ShardPart> = Vec::new();
    for &(_, _, s) in &stamped {
        if s.plan == stamp.plan && s.shards == stamp.shards {
            parts.extend(s.parts.iter().cloned());
        }
    }
    parts.sort_by_key(|p| p.shard);
    parts.dedup_by_key(|p| p.shard);
    let mut owners: Vec<((String, String), Vec<u32>)> = Vec::new();
    for p in &parts {
        for (fixture, mode) in &p.entries {
            let key = (fixture.clone(), mode.to_string());
            match owners.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(p.shard),
                None => owners.push((key, vec![p.shard])),
            }
        }
    }
    for ((fixture, mode), shards) in &owners {
        if shards.len() > 1 {
            why.push(Refusal::Overlap {
                entry: format!("{fixture} · {mode}"),
                shards: shards.clone(),
            });
        }
    }
    if !why.is_empty() {
        return Err(MergeError(why));
    }
    let mut by_shard: Vec<&(String, ResultsFile)> = files.iter().collect();
    let lowest = |f: &ResultsFile| f.sharding.as_ref().map_or(0, |s| s.parts[0].shard);
    by_shard.sort_by_key(|(_, f)| lowest(f));
    let mut out = by_shard[0].1.clone();
    out.entries.clear();
    out.created = files
        .iter()
        .map(|(_, f)| f.created.clone())
        .min()
        .unwrap_or_default();
    for (_, f) in &by_shard {
        out.entries.extend(f.entries.iter().cloned());
    }
    out.sharding = Some(Sharding {
        plan: stamp.plan.clone(),
        shards: stamp.shards,
        parts,
    });
    Ok((out, absent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shard::ShardPart;
    use crate::testing::file;

    fn shard(k: u32, n: u32, plan: &str, fixture: &str) -> (String, ResultsFile) {
        let mut f = file(&[1.0], 100);
        f.entries[0].fixture = fixture.into();
        f.machine.cpu_model = format!("CPU {k}");
        f.sharding = Some(Sharding {
            plan: plan.into(),
            shards: n,
            parts: vec![ShardPart {
                shard: k,
                machine: f.machine.clone(),
                entries: vec![(fixture.into(), f.entries[0].mode)],
            }],
        });
        (format!("shard-{k}.json"), f)
    }

    #[test]
    fn merges_every_shard_keeping_each_machine() {
        let files = vec![shard(2, 2, "p", "b"), shard(1, 2, "p", "a")];
        let (m, absent) = merge(&files, false).unwrap();
        assert!(absent.is_empty());
        assert_eq!(m.entries.len(), 2);
        assert_eq!(m.entries[0].fixture, "a");
        assert_eq!(m.machine.cpu_model, "CPU 1");
        assert_eq!(m.entry_machine(&m.entries[1]).cpu_model, "CPU 2");
        assert_eq!(m.sharding.as_ref().unwrap().parts.len(), 2);
        // A merged file merges again with nothing else (it holds every shard).
        assert_eq!(
            merge(&[("all.json".into(), m.clone())], false).unwrap().0,
            m
        );
        // Allowed, a missing shard is returned, not refused.
        let (part, absent) = merge(&files[..1], true).unwrap();
        assert_eq!((part.entries.len(), absent), (1, vec![1]));
    }

    #[test]
    fn each_refusal_names_what_and_where() {
        let text = |files: &[(String, ResultsFile)]| merge(files, false).unwrap_err().to_string();
        let t = text(&[shard(1, 3, "p", "a"), shard(3, 3, "p", "c")]);
        assert!(t.contains("shard 2 is missing"), "{t}");
        let t = text(&[
            shard(1, 2, "p", "a"),
            shard(1, 2, "p", "a"),
            shard(2, 2, "p", "b"),
        ]);
        assert!(
            t.contains("shard 1 is given twice: shard-1.json, shard-1.json"),
            "{t}"
        );
        let t = text(&[shard(1, 2, "p", "a"), shard(2, 2, "q", "b")]);
        assert!(
            t.contains("shard-2.json is from plan q (2 shards), the others from p"),
            "{t}"
        );
        assert!(t.contains("shard 2 is missing"), "{t}");
        let mut other = shard(2, 2, "p", "b");
        other.1.config.log_blowup = 3;
        let t = text(&[shard(1, 2, "p", "a"), other]);
        assert!(
            t.contains("shard-2.json: conflicting settings: prove settings"),
            "{t}"
        );
        let mut rebuilt = shard(2, 2, "p", "b");
        rebuilt.1.machine.git_sha = "fff".into();
        let t = text(&[shard(1, 2, "p", "a"), rebuilt]);
        assert!(t.contains("built from revision fff"), "{t}");
        // A tree edited while the shards ran (the same binary) is no conflict.
        let mut dirty = shard(2, 2, "p", "b");
        dirty.1.machine.git_dirty = true;
        assert!(merge(&[shard(1, 2, "p", "a"), dirty], false).is_ok());
        let t = text(&[shard(1, 2, "p", "a"), shard(2, 2, "p", "a")]);
        assert!(t.contains("a · default is in shards 1 and 2"), "{t}");
        let mut plain = shard(1, 1, "p", "a");
        plain.1.sharding = None;
        let t = text(&[plain]);
        assert!(t.contains("shard-1.json is not a shard of a plan"), "{t}");
    }
}
