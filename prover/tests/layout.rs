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
