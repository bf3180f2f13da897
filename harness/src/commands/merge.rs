//! `bench merge FILES... --out FILE`: the shards of one plan into one results file
//! (`analysis::merge`), written atomically under the output's lock. Every refusal (another
//! plan, a missing or duplicated shard, conflicting settings, an entry in two shards) is
//! listed at once, and nothing is written then: no partial file. `--allow-missing` merges
//! the shards that came back (a job that died leaves none) and names the missing ones on
//! stderr and in the file's stamp (they are absent from its parts).

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::analysis::merge::merge;
use crate::commands::outcome::Outcome;
use crate::model::results::ResultsFile;
use crate::store::lock::WriteLock;
use crate::store::results;

/// What `bench merge` is asked.
#[derive(Clone, Debug)]
pub struct MergeRequest {
    /// The shards' results files.
    pub files: Vec<PathBuf>,
    /// The merged file.
    pub out: PathBuf,
    /// Merge without the shards that are missing (naming them).
    pub allow_missing: bool,
}

/// Runs `bench merge`.
pub fn merge_shards(request: &MergeRequest) -> Result<Outcome> {
    let mut files = Vec::new();
    for p in &request.files {
        files.push((p.display().to_string(), ResultsFile::load(p)?));
    }
    let (merged, missing) = merge(&files, request.allow_missing)?;
    let _lock = WriteLock::acquire(&request.out)?;
    results::save(&request.out, &merged)
        .with_context(|| format!("cannot write {}", request.out.display()))?;
    let s = merged.sharding.as_ref().expect("a merge is sharded");
    eprintln!(
        "merged {} shard(s) of plan {} ({} entries) into {}",
        s.parts.len(),
        s.plan,
        merged.entries.len(),
        request.out.display()
    );
    for p in &s.parts {
        eprintln!("  shard {}: {}", p.shard, p.machine.describe());
    }
    for k in &missing {
        eprintln!("  shard {k}: MISSING (merged without it)");
    }
    Ok(Outcome::Done)
}
