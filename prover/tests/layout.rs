//! The layout of `prover/src`, checked from its text (the parser is the harness's,
//! `harness/tests/layout.rs`): every `crate::` and `super::` path in a `use` declaration
//! (unit-test modules left out) is an edge from the file's module to the module it names
//! (doc links and paths written out in code are not imports here), and
//!
//! * the edges between the top-level modules follow one direction (`LAYERS`):
//!   continuation → zkvm → air → vm / modes → stark → memtag (fixtures reads vm only);
//!   `memtag` is a leaf;
//! * no cycle exists between any two modules, file by file, at any depth.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the top-level modules it may import (itself always).
const LAYERS: [(&str, &[&str]); 8] = [
    ("memtag", &[]),
    ("stark", &["memtag"]),
    ("vm", &["memtag"]),
    ("modes", &["stark"]),
    ("fixtures", &["vm"]),
    ("air", &["vm", "stark", "memtag"]),
    ("zkvm", &["air", "vm", "modes", "stark", "memtag"]),
    (
        "continuation",
        &["zkvm", "air", "vm", "modes", "stark", "memtag"],
    ),
];

include!("../../harness/tests/common/module_graph.rs");
/// The `use` declarations of `text` (each from `use` to its `;`), one a line: what a module
/// imports, without the paths its docs and code name in passing.
fn use_lines(text: &str) -> String {
    const USE: [&str; 4] = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "];
    let mut out = String::new();
    let mut at = 0;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |e| at + e);
        let trimmed = text[at..line_end].trim_start();
        if USE.iter().any(|p| trimmed.starts_with(p)) {
            let from = line_end - trimmed.len();
            let end = text[from..].find(';').map_or(text.len(), |e| from + e + 1);
            out.push_str(&text[from..end]);
            out.push('\n');
            at = end;
        } else {
            at = line_end + 1;
        }
    }
    out
}

/// The longest known module that `path` starts with.
fn resolve(path: &[String], known: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains(p))
}

/// Module → the modules it names (itself and its ancestors left out).
fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files = sources();
    let known: BTreeSet<Vec<String>> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges = BTreeMap::new();
    for (module, text) in &files {
        if module.is_empty() {
            continue; // the crate root wires everything together
        }
        let targets: BTreeSet<Vec<String>> = references(module, &use_lines(without_tests(text)))
            .iter()
            .filter_map(|p| resolve(p, &known))
            .filter(|t| !t.is_empty() && !module.starts_with(t))
            .collect();
        edges.insert(module.clone(), targets);
    }
    edges
}

fn name(m: &[String]) -> String {
    m.join("::")
}

#[test]
fn the_parser_sees_groups_super_and_only_use_lines() {
    let module: Vec<String> = vec!["stark".into(), "setup".into()];
    let text = "use crate::{air::bus::{STATE, IMAGE}, vm::Program};\n\
                use super::trace::{Instance, buckets};\n/// See [`crate::zkvm::verify`].\n\
                let x = crate::memtag::scope(t);\n";
    let refs: BTreeSet<String> = references(&module, text).iter().map(|p| name(p)).collect();
    for want in [
        "air::bus::STATE",
        "air::bus::IMAGE",
        "vm::Program",
        "stark::trace::Instance",
        "zkvm::verify",
        "memtag::scope",
    ] {
        assert!(refs.contains(want), "{want} missing from {refs:?}");
    }
    let imports = "//! See [`crate::zkvm`].\nuse super::{\n    field::Felt,\n};\n\
                   fn f() { crate::vm::run() }\n    pub use crate::air::bus;\n";
    let only: BTreeSet<String> = references(&module, &use_lines(imports))
        .iter()
        .map(|p| name(p))
        .collect();
    let want: BTreeSet<String> = ["stark::field::Felt", "air::bus"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(only, want);
    let tested = "use crate::a;\n#[cfg(test)]\nmod tests {\n use crate::b;\n}\n";
    assert_eq!(without_tests(tested), "use crate::a;\n");
}

#[test]
fn imports_follow_the_layer_order() {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.into_iter().collect();
    let mut wrong = Vec::new();
    for (module, targets) in graph() {
        let from = module[0].as_str();
        let Some(may) = allowed.get(from) else {
            wrong.push(format!("{from}: a top-level module outside the layout"));
            continue;
        };
        for t in targets {
            let to = t[0].as_str();
            if to != from && !may.contains(&to) {
                wrong.push(format!("{} -> {}", name(&module), name(&t)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "edges against the layout:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_cycle_between_any_modules() {
    let g = graph();
    let cycles = import_cycles(&g);
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}
