//! The GitHub workflows never interpolate expressions into scripts: every `run:` (shell) and
//! `script:` (github-script JavaScript) body is free of `${{ ... }}`, so no event text (a
//! comment body, a branch name, a title) can become code. Values reach scripts through
//! `env:` instead. The rule is stricter than "no `github.event.*`": it also covers
//! workflow_dispatch inputs and step outputs that carry such text.

use std::path::{Path, PathBuf};

/// The script bodies of a workflow file: (line number, text) of every `run:` / `script:`
/// value, inline or block scalar.
fn script_lines(yaml: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let body = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim_start();
        let key_indent = line.len() - body.len();
        let value = ["run:", "script:"]
            .iter()
            .find_map(|k| body.strip_prefix(k))
            .map(str::trim);
        i += 1;
        let Some(value) = value else { continue };
        if value.starts_with('|') || value.starts_with('>') {
            while i < lines.len() {
                let l = lines[i];
                let indent = l.len() - l.trim_start().len();
                if !l.trim().is_empty() && indent <= key_indent {
                    break;
                }
                out.push((i + 1, l.to_string()));
                i += 1;
            }
        } else {
            out.push((i, value.to_string()));
        }
    }
    out
}

/// Every `${{` inside a script body, as `file:line: text`.
fn interpolations(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    script_lines(&text)
        .into_iter()
        .filter(|(_, l)| l.contains("${{"))
        .map(|(n, l)| format!("{}:{n}: {}", path.display(), l.trim()))
        .collect()
}

fn workflows() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn no_workflow_interpolates_into_a_script() {
    let files = workflows();
    assert!(!files.is_empty(), "no workflows found");
    let found: Vec<String> = files.iter().flat_map(|f| interpolations(f)).collect();
    assert!(
        found.is_empty(),
        "expressions inside scripts:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scanner_finds_interpolations_in_every_script_form() {
    let yaml = "\
jobs:
  a:
    steps:
      - run: echo ${{ github.event.comment.body }}
      - name: block
        run: |
          echo safe
          echo \"${{ github.head_ref }}\"
        env:
          X: ${{ github.event.comment.body }}
      - uses: actions/github-script@v7
        with:
          script: >
            core.info(`${{ inputs.fixture }}`)
      - run: echo done
";
    let found: Vec<String> = script_lines(yaml)
        .into_iter()
        .filter(|(_, l)| l.contains("${{"))
        .map(|(n, _)| n.to_string())
        .collect();
    // The env: value on line 10 is the right way and is not reported.
    assert_eq!(found, ["4", "8", "14"]);
}
