// The module-graph parser both layer tests use (`harness/tests/layout.rs`,
// `prover/tests/layout.rs`), pasted into each with `include!` (a test file of one crate
// cannot import another's): the source files of the including crate's `src/`, unit-test
// modules left out, and the `crate::` / `super::` paths each file names. The including file
// imports `BTreeMap`, `BTreeSet`, `Path` and `PathBuf`.

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

/// Every import cycle of `g`, each as `a -> b -> a` (depth-first search; a back edge closes a
/// cycle). `name` (of the including file) writes a module path.
fn import_cycles(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
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
            visit(m, g, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    cycles
}
