//! The layout of `harness/src`, checked from its text: every `crate::` and `super::` path
//! (in `use` lines, code and doc links alike; unit-test modules left out) is an edge from
//! the file's module to the module it names, and
//!
//! * the edges between the top-level folders follow one direction (`LAYERS`):
//!   cli → commands → measure / store / report → analysis → model;
//! * no edge leaves `model`, none leaves `analysis::stats` (a leaf);
//! * no cycle exists between any two modules, file by file, at any depth;
//! * clap is named only in `cli/`, and only `commands/` prints or names an exit status
//!   (`main.rs` hands the outcome back to the process).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the top-level modules it may import (itself always).
const LAYERS: [(&str, &[&str]); 8] = [
    ("model", &[]),
    ("analysis", &["model"]),
    ("report", &["analysis", "model"]),
    ("store", &["analysis", "model"]),
    ("measure", &["analysis", "model"]),
    (
        "commands",
        &["measure", "store", "report", "analysis", "model"],
    ),
    ("cli", &["commands", "analysis", "model"]),
    // Shared unit-test helpers (compiled only under `cfg(test)`).
    ("testing", &["analysis", "model"]),
];

include!("common/module_graph.rs");
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
        if module.is_empty() || module[0] == "main" {
            continue; // the crate root and the binary wire everything together
        }
        let targets: BTreeSet<Vec<String>> = references(module, without_tests(text))
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
fn the_parser_sees_groups_super_and_doc_links() {
    let module: Vec<String> = vec!["report".into(), "table".into()];
    let text = "use crate::{model::results::{Entry, ResultsFile}, analysis::stats};\n\
                use super::units::{mib, pct};\n/// See [`crate::store::paths`].\n\
                let x = crate::measure::clock::now();\n";
    let refs: BTreeSet<String> = references(&module, text).iter().map(|p| name(p)).collect();
    for want in [
        "model::results::Entry",
        "model::results::ResultsFile",
        "analysis::stats",
        "report::units::mib",
        "store::paths",
        "measure::clock::now",
    ] {
        assert!(refs.contains(want), "{want} missing from {refs:?}");
    }
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
            let leaf = ["analysis", "stats"];
            if module == leaf && t != leaf {
                wrong.push(format!("analysis::stats is a leaf: -> {}", name(&t)));
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

#[test]
fn clap_printing_and_exit_statuses_stay_in_their_layers() {
    let mut wrong = Vec::new();
    for (module, text) in sources() {
        let top = module.first().map_or("lib", String::as_str);
        let code = without_tests(&text);
        let code: String = code
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let has = |word: &str| code.contains(word);
        if top != "cli" && has("clap") {
            wrong.push(format!("{}: names clap", name(&module)));
        }
        let prints = ["println!", "print!", "eprintln!", "eprint!", "indicatif"];
        if top != "commands" && prints.iter().any(|p| has(p)) {
            wrong.push(format!("{}: prints", name(&module)));
        }
        if top != "commands" && top != "main" && has("ExitCode") {
            wrong.push(format!("{}: chooses an exit status", name(&module)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
