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

/// The source files: (module path, text), `lib.rs` as the root `[]`.
fn sources() -> Vec<(Vec<String>, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&root).unwrap();
            let mut module: Vec<String> = rel
                .iter()
                .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                module.pop();
            }
            (module, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// `text` without its unit-test modules (`#[cfg(test)]` followed by a `mod`).
fn without_tests(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]") {
        let at = from + i;
        let rest = text[at + "#[cfg(test)]".len()..].trim_start();
        if ["mod ", "pub mod ", "pub(crate) mod "]
            .iter()
            .any(|m| rest.starts_with(m))
            && !rest.lines().next().unwrap_or("").trim_end().ends_with(';')
        {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Parses a use tree at the start of `s` (after `prefix::`): every full path it names.
fn use_tree(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix.to_vec();
    let mut i = 0;
    let b = s.as_bytes();
    loop {
        if i < b.len() && b[i] == b'{' {
            // A group: comma-separated trees up to the matching brace.
            i += 1;
            loop {
                while i < b.len() && (b[i] as char).is_whitespace() {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'}' {
                    return i + 1;
                }
                i += use_tree(&s[i..], &path, out).max(1);
                while i < b.len() && (b[i] as char).is_whitespace() {
                    i += 1;
                }
                if i < b.len() && b[i] == b',' {
                    i += 1;
                }
            }
        }
        let start = i;
        while i < b.len() && is_ident(b[i] as char) {
            i += 1;
        }
        if i > start && &s[start..i] != "self" {
            path.push(s[start..i].to_string());
        }
        if s[i..].starts_with("::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// Every module path `text` (a file of module `module`) names through `crate::` or
/// `super::`.
fn references(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("::") {
        let head_start = text[..i].rfind(|c: char| !is_ident(c)).map_or(0, |p| p + 1);
        let head = &text[head_start..i];
        let before = text[..head_start].chars().next_back();
        if before == Some(':') {
            continue; // a later segment of a path already seen
        }
        let base: Vec<String> = match head {
            "crate" => Vec::new(),
            "super" => {
                // `super::super::...`: climb once per `super`.
                let mut up = 1;
                let mut rest = &text[i + 2..];
                while let Some(r) = rest.strip_prefix("super::") {
                    up += 1;
                    rest = r;
                }
                module[..module.len().saturating_sub(up)].to_vec()
            }
            _ => continue,
        };
        let mut rest = &text[i + 2..];
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
        }
        use_tree(rest, &base, &mut out);
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
    // Depth-first search; a back edge closes a cycle.
    fn visit(
        m: &Vec<String>,
        g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(m.clone(), 1);
        stack.push(m.clone());
        for t in g.get(m).into_iter().flatten() {
            match state.get(t).copied().unwrap_or(0) {
                0 => visit(t, g, state, stack, cycles),
                1 => {
                    let at = stack.iter().position(|s| s == t).unwrap();
                    let mut cycle: Vec<String> = stack[at..].iter().map(|s| name(s)).collect();
                    cycle.push(name(t));
                    cycles.push(cycle.join(" -> "));
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.clone(), 2);
    }
    let mut state = BTreeMap::new();
    let mut cycles = Vec::new();
    for m in g.keys() {
        if !state.contains_key(m) {
            visit(m, &g, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
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
