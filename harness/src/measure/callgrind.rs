//! Reading callgrind's output back: one file per dump (the worker's phase marks,
//! `measure::phase_marks`, and the final dump at exit), each with its trigger label, its
//! total and every function's self cost. From them, a run's instruction count, its counts
//! per span of the prove and per function group.
//!
//! Decisions:
//! * Callgrind, not cachegrind, counts: it alone (in valgrind 3.19) takes the client
//!   requests that cut the count at phase boundaries. It counts the same guest instructions
//!   (`Ir`); the options switch off everything but that (`--dump-instr=no --dump-line=no
//!   --collect-jumps=no --compress-strings=no --compress-pos=no --demangle=no`, names are
//!   demangled by `analysis::symbols`).
//! * The total is the sum of the dumps' totals; the spans are the dumps' labels (with
//!   verify-and-drop's `epochN/` prefix folded into the span, each epoch's own total kept
//!   apart), so they sum to the total by construction.
//! * A function's count is its self cost summed over every dump, every object and file it
//!   appears under; call lines (the inclusive cost of a call) are skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::analysis::symbols::group_counts;
use crate::measure::phase_marks::OUTSIDE;
use crate::model::attribution::{FunctionCounts, PhaseInstructions};

/// One dump file, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dump {
    /// The client request's label (`outside` for the final dump at program termination).
    pub label: String,
    /// The dump's total instructions.
    pub total: u64,
    /// Self instructions per raw (mangled) function name.
    pub functions: BTreeMap<String, u64>,
}

/// The name after a `fn=`-style key, with callgrind's name compression undone: `(id) name`
/// defines `id`, `(id)` alone refers to it.
fn name(value: &str, names: &mut BTreeMap<String, String>) -> String {
    let v = value.trim();
    if let Some(rest) = v.strip_prefix('(')
        && let Some((id, tail)) = rest.split_once(')')
    {
        let tail = tail.trim();
        if tail.is_empty() {
            return names.get(id).cloned().unwrap_or_default();
        }
        names.insert(id.to_string(), tail.to_string());
        return tail.to_string();
    }
    v.to_string()
}

/// Parses one callgrind output file's text (format version 1).
pub fn parse_dump(text: &str) -> Dump {
    let mut dump = Dump {
        label: OUTSIDE.to_string(),
        ..Dump::default()
    };
    let mut names = BTreeMap::new();
    let mut current = String::new();
    let mut after_calls = false;
    let mut summed = 0u64;
    let mut total = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("desc: Trigger: ") {
            dump.label = match rest.strip_prefix("Client Request: ") {
                Some(label) => label.trim().to_string(),
                None => OUTSIDE.to_string(),
            };
            continue;
        }
        if let Some(v) = line
            .strip_prefix("summary:")
            .or_else(|| line.strip_prefix("totals:"))
        {
            total = total.or_else(|| v.split_whitespace().next()?.parse().ok());
            continue;
        }
        if let Some(v) = line.strip_prefix("fn=") {
            current = name(v, &mut names);
            after_calls = false;
            continue;
        }
        if let Some(v) = line.strip_prefix("cfn=") {
            // Register the callee's compressed name; it is not the current function.
            name(v, &mut names);
            continue;
        }
        if line.starts_with("calls=") {
            after_calls = true;
            continue;
        }
        let first = line.as_bytes().first().copied().unwrap_or(b' ');
        if first.is_ascii_digit() || first == b'+' || first == b'-' || first == b'*' {
            if after_calls {
                // The inclusive cost of the call just named: not this function's own.
                after_calls = false;
                continue;
            }
            let cost: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            if cost > 0 {
                *dump.functions.entry(current.clone()).or_insert(0) += cost;
                summed += cost;
            }
        }
    }
    dump.total = total.unwrap_or(summed);
    dump
}

/// Every instruction of a run, attributed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The run's instruction count (every dump together).
    pub total: u64,
    /// Per span, in the order they first ran (`outside` last), summing to `total`.
    pub phases: Vec<PhaseInstructions>,
    /// Per verify-and-drop epoch (its phases and the verification after it); empty
    /// otherwise.
    pub epochs: Vec<u64>,
    /// Per function group.
    pub functions: FunctionCounts,
}

/// Folds the dumps of one run (in dump order) into its [`Attribution`].
pub fn attribute(dumps: &[Dump]) -> Attribution {
    let mut a = Attribution::default();
    let mut outside = 0u64;
    for d in dumps {
        a.total += d.total;
        let (epoch, span) = match d.label.split_once('/') {
            Some((e, s)) => (e.strip_prefix("epoch").and_then(|n| n.parse().ok()), s),
            None => (None, d.label.as_str()),
        };
        if let Some(e) = epoch {
            let e: usize = e;
            if a.epochs.len() <= e {
                a.epochs.resize(e + 1, 0);
            }
            a.epochs[e] += d.total;
        }
        if span == OUTSIDE {
            outside += d.total;
        } else if let Some(p) = a.phases.iter_mut().find(|p| p.name == span) {
            p.instructions += d.total;
        } else {
            a.phases.push(PhaseInstructions {
                name: span.to_string(),
                instructions: d.total,
            });
        }
    }
    a.phases.push(PhaseInstructions {
        name: OUTSIDE.to_string(),
        instructions: outside,
    });
    a.functions = group_counts(
        dumps
            .iter()
            .flat_map(|d| d.functions.iter().map(|(k, &v)| (k.as_str(), v))),
    );
    a
}

/// The callgrind options of a counted run writing to `out` (dumps go to `out.1`, `out.2`,
/// ..., the final one to `out`).
pub fn options(out: &Path) -> Vec<String> {
    vec![
        "--tool=callgrind".into(),
        "--dump-instr=no".into(),
        "--dump-line=no".into(),
        "--collect-jumps=no".into(),
        "--compress-strings=no".into(),
        "--compress-pos=no".into(),
        "--demangle=no".into(),
        format!("--callgrind-out-file={}", out.display()),
    ]
}

/// The dump files of a run written to `out`, in dump order (numbered dumps, then the final
/// one).
pub fn dump_files(out: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(base)) = (out.parent(), out.file_name()) else {
        return Vec::new();
    };
    let base = base.to_string_lossy().to_string();
    let mut numbered: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            let rest = n.strip_prefix(&base)?.strip_prefix('.')?;
            // `out.N` and, for a process with threads dumped apart, `out.N-TT`.
            let part = rest.split('-').next()?.parse().ok()?;
            Some((part, e.path()))
        })
        .collect();
    numbered.sort();
    let mut files: Vec<PathBuf> = numbered.into_iter().map(|(_, p)| p).collect();
    if out.is_file() {
        files.push(out.to_path_buf());
    }
    files
}

/// Reads and removes the dump files of a run written to `out`.
pub fn read_run(out: &Path) -> std::io::Result<Vec<Dump>> {
    let mut dumps = Vec::new();
    for f in dump_files(out) {
        let text = std::fs::read_to_string(&f)?;
        let _ = std::fs::remove_file(&f);
        dumps.push(parse_dump(&text));
    }
    Ok(dumps)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\n\
        desc: Trigger: Client Request: main_commit\n\npositions: line\nevents: Ir\nsummary: 60\n\n\
        ob=(1) /bin/bench\nfl=(1) a.rs\nfn=(1) _ZN6prover5stark3ntt3dif17h0123456789abcdefE\n\
        0 10\ncfl=(1)\ncfn=(2) memcpy\ncalls=1 0\n0 25\n0 5\nfn=(2)\n0 25\nfn=(1)\n0 20\n";

    #[test]
    fn a_dump_gives_its_label_total_and_self_costs() {
        let d = parse_dump(DUMP);
        assert_eq!(d.label, "main_commit");
        assert_eq!(d.total, 60);
        assert_eq!(
            d.functions["_ZN6prover5stark3ntt3dif17h0123456789abcdefE"],
            35
        );
        assert_eq!(d.functions["memcpy"], 25);
        let end = parse_dump("desc: Trigger: Program termination\nsummary: 7\nfn=main\n0 7\n");
        assert_eq!(end.label, "outside");
    }

    #[test]
    fn spans_and_epochs_sum_to_the_total() {
        let dump = |label: &str, total| Dump {
            label: label.into(),
            total,
            functions: BTreeMap::from([("f".to_string(), total)]),
        };
        let a = attribute(&[
            dump("outside", 5),
            dump("execute+trace", 10),
            dump("epoch0/main_commit", 20),
            dump("epoch0/verify+execute", 3),
            dump("epoch1/main_commit", 30),
            dump("outside", 2),
        ]);
        assert_eq!(a.total, 70);
        let names: Vec<_> = a.phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["execute+trace", "main_commit", "verify+execute", "outside"]
        );
        assert_eq!(a.phases.iter().map(|p| p.instructions).sum::<u64>(), 70);
        assert_eq!(a.phases[1].instructions, 50);
        assert_eq!(a.epochs, [23, 30]);
        assert_eq!(a.functions["f"], 70);
    }
}
