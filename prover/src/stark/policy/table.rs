//! The mode table: [`Policy`] rendered as markdown, one row per kind of buffer, one column
//! per combination of `stream_lde` and `retire_traces`, each cell what the policy says
//! (where the buffer is made, until when it is held, how it comes back). Where `leaf_drop`
//! or the aux traces' fit changes a cell, the cell says so. ARCHITECTURE.md holds this
//! table between [`BEGIN`] and [`END`]; `prover/tests/mode_table.rs` checks that it is
//! exactly [`markdown`]'s output (`BLESS=1` rewrites it).

use super::{AuxTrace, LdeRule, MainCommit, MainTrace, Policy, QuotientCoeffs, Reads};
use crate::stark::plan::MemoryPlan;

/// The line before the table in a document that holds it.
pub const BEGIN: &str = "<!-- mode table: generated from prover::stark::policy (BLESS=1 cargo test --release -p prover --test mode_table) -->";

/// The line after it.
pub const END: &str = "<!-- end of the mode table -->";

/// The columns: `(heading, stream_lde, retire_traces)`.
const COLUMNS: [(&str, bool, bool); 4] = [
    ("default", false, false),
    ("`stream_lde`", true, false),
    ("`retire_traces`", false, true),
    ("`stream_lde` + `retire_traces`", true, true),
];

/// One row: the buffer's name and its cell under a policy.
type Row = (&'static str, fn(&Policy) -> String);

const ROWS: [Row; 11] = [
    ("main trace (`main_trace`)", main_trace),
    ("main LDE (`main_lde`)", main_lde),
    ("aux trace (`aux_trace`)", aux_trace),
    ("aux LDE (`aux_lde`)", |p| {
        lde("Phase C", p, "its aux trace")
    }),
    ("pre LDE (`pre_lde`)", |p| {
        lde("setup", p, "its preprocessed trace")
    }),
    ("quotient coefficients (`quotient_coeffs`)", quotient_coeffs),
    ("quotient LDE (`quotient_lde`)", quotient_lde),
    ("Merkle nodes (`merkle_nodes`)", merkle),
    ("Rounds 3 and 4 read", reads),
    ("FRI (`fri_layers`)", fri),
    ("the source's rebuild data", source),
];

/// The table, with a line under it on what it leaves out.
pub fn markdown() -> String {
    let mut out = String::from("| buffer (heap kind) |");
    for (heading, _, _) in COLUMNS {
        out.push_str(&format!(" {heading} |"));
    }
    out.push_str(&format!("\n|---|{}\n", "---|".repeat(COLUMNS.len())));
    for (name, cell) in ROWS {
        out.push_str(&format!("| {name} |"));
        for (_, stream, retire) in COLUMNS {
            out.push_str(&format!(" {} |", merged(stream, retire, cell)));
        }
        out.push('\n');
    }
    out.push_str(
        "\n`leaf-drop` combines with each column (it changes the Merkle row only); \
         `verify-and-drop` proves each epoch in default's column.\n",
    );
    out
}

/// `doc` with the text between its [`BEGIN`] and [`END`] lines replaced by `table`, or
/// `None` if it lacks them.
pub fn splice(doc: &str, table: &str) -> Option<String> {
    let start = doc.find(BEGIN)? + BEGIN.len();
    let end = start + doc[start..].find(END)?;
    Some(format!("{}\n{}{}", &doc[..start], table, &doc[end..]))
}

/// The text between `doc`'s [`BEGIN`] and [`END`] lines, if it has them.
pub fn embedded(doc: &str) -> Option<&str> {
    let start = doc.find(BEGIN)? + BEGIN.len();
    let end = start + doc[start..].find(END)?;
    Some(
        doc[start..end]
            .strip_prefix('\n')
            .unwrap_or(&doc[start..end]),
    )
}

/// One column's cell: the policy's with no `leaf_drop` when the aux traces fit, then, for
/// each variant that reads differently, its clauses (split at `; `) that differ.
fn merged(stream: bool, retire: bool, cell: fn(&Policy) -> String) -> String {
    let plan = |leaf_drop| MemoryPlan {
        stream_lde: stream,
        leaf_drop,
        retire_traces: retire,
        table_parallelism: None,
        stark_budget: None,
    };
    let base = cell(&Policy::new(&plan(false), true));
    let variants = [
        (
            "when the aux traces do not all fit in the largest main trace",
            Policy::new(&plan(false), false),
        ),
        ("with `leaf_drop`", Policy::new(&plan(true), true)),
    ];
    let mut out = base.clone();
    let clauses: Vec<&str> = base.split("; ").collect();
    for (label, policy) in variants {
        let other = cell(&policy);
        let differ: Vec<&str> = other.split("; ").filter(|c| !clauses.contains(c)).collect();
        if !differ.is_empty() {
            out.push_str(&format!("; {label}: {}", differ.join("; ")));
        }
    }
    out
}

fn main_trace(p: &Policy) -> String {
    match p.main_trace {
        MainTrace::ToPhaseC => {
            "Phase A → Phase C: handed to its aux build, freed once the aux trace is built".into()
        }
        MainTrace::ToOpenings => "Phase A → its openings".into(),
        MainTrace::Fetched => {
            let uses = match p.reads {
                Reads::Ldes => "Phases A and C",
                Reads::Traces => "Phases A and C, Rounds 2, 3, 4, the openings",
            };
            let n = 1 << 12;
            let pieces = match (p.trace_piece(n, true) < n, p.trace_piece(n, false) < n) {
                (true, _) => "; Rounds 3 and 4 ask for it in eighths",
                (false, true) => {
                    "; Rounds 3 and 4 ask for it whole (in eighths in an instance without a bus)"
                }
                _ => "",
            };
            format!("not held: fetched for each use ({uses}){pieces}")
        }
    }
}

fn main_lde(p: &Policy) -> String {
    let made = match p.main_commit {
        MainCommit::BesideTrace => "Phase A, beside the kept trace",
        MainCommit::InTraceBuffer => "Phase A, in the fetched trace's buffer",
        MainCommit::ByBlocks => {
            "Phase A, a coset block at a time in the fetched trace's buffer (never whole; each from a copy of the coefficients where the memory model finds room for one)"
        }
    };
    lde(made, p, "the main trace")
}

/// A committed LDE's cell: made at `made`, then resident or streamed (back from `from`).
fn lde(made: &str, p: &Policy, from: &str) -> String {
    match p.ldes {
        LdeRule::Resident => format!("{made} → the end"),
        LdeRule::Streamed => format!(
            "{made}, freed after its commitment; Round 2 makes it again from {from} a coset \
             block at a time, the openings only the queried leaf subtrees"
        ),
    }
}

fn aux_trace(p: &Policy) -> String {
    match p.aux_trace {
        AuxTrace::Freed => "Phase C → its LDE".into(),
        AuxTrace::Coefficients => {
            "Phase C → its openings, as its coefficients (Round 2 makes its blocks in their \
             buffer)"
                .into()
        }
        AuxTrace::Rebuilt => "Phase C → its LDE; rebuilt from the main trace and the LogUp \
                              challenges in Rounds 2, 3, 4 and the openings"
            .into(),
    }
}

fn quotient_coeffs(p: &Policy) -> String {
    match p.quotient_coeffs {
        QuotientCoeffs::ToRound3 => "Round 2 → the end of Round 3".into(),
        QuotientCoeffs::ToOpenings => "Round 2 → the openings".into(),
    }
}

fn quotient_lde(p: &Policy) -> String {
    match p.ldes {
        LdeRule::Resident => "Round 2 → the end".into(),
        LdeRule::Streamed => "Round 2, freed after its commitment; the openings gather the \
                              queried leaf subtrees from its coefficients"
            .into(),
    }
}

fn merkle(p: &Policy) -> String {
    let d = p.merkle_dropped_levels;
    format!(
        "levels {d} and up of every tree: a trace's commitment → the end, a FRI layer's → that \
         layer's openings; an opening re-hashes {} rows",
        1usize << d
    )
}

fn reads(p: &Policy) -> String {
    match p.reads {
        Reads::Ldes => "the resident LDEs".into(),
        Reads::Traces => "the traces on the trace domain; kept coefficients as they are".into(),
    }
}

fn fri(p: &Policy) -> String {
    let deep = match p.reads {
        Reads::Ldes => "the DEEP combination on the resident LDEs' rows",
        Reads::Traces => "DEEP combined on the trace domain, extended once per bucket",
    };
    format!(
        "Round 4: {deep}; every layer → its openings at the end of Round 4 (after grinding), \
         freed with its tree before the traces are opened"
    )
}

fn source(p: &Policy) -> String {
    if p.releases_source_after_phase_c() {
        "released after Phase C (`TraceSource::release`)".into()
    } else {
        "held to the end".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_cell_per_column() {
        let table = markdown();
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 1 + ROWS.len());
        for r in rows {
            assert_eq!(r.matches(" |").count(), 1 + COLUMNS.len(), "{r}");
        }
    }

    #[test]
    fn cells_name_the_variants_that_differ() {
        let table = markdown();
        assert!(table.contains("with `leaf_drop`: levels 6 and up"));
        assert!(table.contains("an opening re-hashes 64 rows"));
        assert!(table.contains("re-hashes 16 rows") && table.contains("re-hashes 64 rows"));
        assert!(
            table.contains("do not all fit in the largest main trace: Phase C → its LDE; rebuilt")
        );
    }

    #[test]
    fn splice_replaces_only_the_marked_text() {
        let doc = format!("a\n{BEGIN}\nold\n{END}\nb\n");
        let new = splice(&doc, "new\n").unwrap();
        assert_eq!(new, format!("a\n{BEGIN}\nnew\n{END}\nb\n"));
        assert_eq!(embedded(&new), Some("new\n"));
        assert_eq!(splice("no markers", "x"), None);
    }
}
