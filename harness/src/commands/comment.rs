//! `bench comment 'TEXT'`: parses a `/bench` pull-request comment into a run plan, printed as
//! JSON, or rejects it with a message fit to post back.
//!
//! Grammar (one line, words separated by spaces or tabs):
//!
//! ```text
//! /bench [N] [fixture=NAME[,NAME...]] [mode=M] [k=K]
//! ```
//!
//! * `N`, runs per side: ASCII digits, clamped to 1..=10 (a note says so); default
//!   [`DEFAULT_RUNS`] (3: the fewest runs with a median that one outlier cannot move, and
//!   cheap enough for every pull request; heap and instructions decide from one run, time
//!   gets an interval from 2 runs, and more runs narrow it).
//! * `fixture=NAME`: a fixture of the catalogue; default [`DEFAULT_FIXTURE`]
//!   (`fib_iterative_64k`, a few seconds a run: CI must stay fast; larger fixtures on
//!   request). `fixture=suite` is the realistic workload suite (catalogue group `suite`) at
//!   its 64k size, `fixture=suite_SIZE` at another (`suite_1M`); several, comma-separated
//!   (`fixture=sha256_chain_64k,json_64k`, `fixture=suite,fib_iterative_64k`), each once, at
//!   most [`MAX_FIXTURES`] in all. The plan's `fixture` is the names joined by commas (as
//!   `bench run --fixture` and `bench ab --fixture` take them), `fixtures` the list, and
//!   `label` the value as written (it names the baseline artifact).
//! * `mode=M`: one memory mode (`default`, `leaf-drop`, `stream-lde+leaf-drop`, ...) that
//!   the prover implements; default `default`.
//! * `k=K`: table parallelism, 1..=[`MAX_K`]; default: the prover's automatic choice
//!   (`null`).
//!
//! Each key at most once, in any order after `N`. Anything else is rejected: other
//! characters than `[A-Za-z0-9_=+.,-]`, unknown keys, several lines, non-ASCII text, more
//! than [`MAX_COMMENT_BYTES`] bytes. Rejections quote the offending word only after
//! replacing every character outside that set with `?` (and shortening it), so the posted
//! message cannot carry markup, mentions or control characters.
//!
//! Safety: the parser is pure; the plan holds only validated values; no part of the comment
//! text ever reaches a shell (the workflow passes the plan's fields as arguments).
//!
//! Exit: 0 with the plan on stdout; 4 ([`Outcome::Rejected`]) with the message on stdout.

use anyhow::{Context, Result};
use prover::fixtures::Catalogue;
use prover::modes::MemoryMode;
use serde::Serialize;
use thiserror::Error;

use crate::commands::outcome::Outcome;
use crate::measure::program::{SUITE_GROUP, SUITE_SIZE};
use crate::model::config::DEFAULT_FIXTURE;

/// Runs per side when the comment names none.
pub const DEFAULT_RUNS: u32 = 3;
/// The most runs per side a comment may ask for.
pub const MAX_RUNS: u32 = 10;
/// The largest table parallelism a comment may ask for.
pub const MAX_K: usize = 64;
/// The longest comment parsed.
pub const MAX_COMMENT_BYTES: usize = 200;
/// The most fixtures one comment may ask for (the suite is 10).
pub const MAX_FIXTURES: usize = 16;

const USAGE: &str =
    "usage: `/bench [N] [fixture=NAME[,NAME...]|suite|suite_SIZE] [mode=M] [k=K]`, N from 1 to 10";

/// What a `/bench` comment asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommentPlan {
    /// Runs per side, 1..=10.
    pub runs: u32,
    /// The catalogue fixtures, comma-separated.
    pub fixture: String,
    /// The same fixtures, one by one.
    pub fixtures: Vec<String>,
    /// The `fixture=` value as written (validated), or the default fixture.
    pub label: String,
    /// A memory mode, canonical spelling.
    pub mode: String,
    /// Table parallelism; `null` for automatic.
    pub k: Option<usize>,
    /// What was adjusted (a clamped N).
    pub notes: Vec<String>,
}

/// Why a comment was rejected; the message is fit to post back.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Rejection {
    /// Longer than [`MAX_COMMENT_BYTES`].
    #[error("the comment is too long ({0} bytes; a `/bench` command fits in {MAX_COMMENT_BYTES})")]
    TooLong(usize),
    /// Not a `/bench` command.
    #[error("not a `/bench` command")]
    NotACommand,
    /// More than one line.
    #[error("a `/bench` command is a single line")]
    MultiLine,
    /// A word that is neither N nor `key=value`, or holds other characters.
    #[error("unexpected `{0}`")]
    Unexpected(String),
    /// A key other than fixture, mode, k.
    #[error("unknown key `{0}` (keys: fixture, mode, k)")]
    UnknownKey(String),
    /// A key given twice.
    #[error("`{0}` given twice")]
    Repeated(&'static str),
    /// A value that is not valid for its key.
    #[error("bad {key} `{value}`: {why}")]
    BadValue {
        /// The key.
        key: &'static str,
        /// The value, sanitized.
        value: String,
        /// Why.
        why: String,
    },
}

impl Rejection {
    /// The message to post: what was wrong and the usage.
    pub fn message(&self) -> String {
        format!("❌ `/bench` rejected: {self}. {USAGE}.")
    }
}

/// `word` made safe to quote: characters outside `[A-Za-z0-9_=+.,-]` become `?`, and only the
/// first 24 characters are kept.
pub fn sanitize(word: &str) -> String {
    let mut out: String = word
        .chars()
        .take(24)
        .map(|c| if allowed(c) { c } else { '?' })
        .collect();
    if word.chars().count() > 24 {
        out.push_str("...");
    }
    out
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '=' | '+' | '.' | ',' | '-')
}

/// The fixtures a comment may name: every catalogue name, and the suite's entries.
#[derive(Clone, Copy, Debug)]
pub struct Known<'a> {
    /// Every fixture name of the catalogue.
    pub fixtures: &'a [&'a str],
    /// The names of the suite's entries (catalogue group `suite`), every size.
    pub suite: &'a [&'a str],
}

/// The fixtures of one `fixture=` value: names, `suite` or `suite_SIZE`, comma-separated.
fn expand(value: &str, known: Known<'_>) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for item in value.split(',') {
        let names: Vec<&str> = if known.fixtures.contains(&item) {
            vec![item]
        } else if let Some(size) = suite_size(item) {
            let at: Vec<&str> = known
                .suite
                .iter()
                .copied()
                .filter(|n| prover::fixtures::split_size(n).is_some_and(|(_, s)| s == size))
                .collect();
            if at.is_empty() {
                return Err(format!("the catalogue has no suite at {}", sanitize(size)));
            }
            at
        } else if item.is_empty() {
            return Err("an empty name in the list".into());
        } else {
            return Err(format!(
                "`{}` is not in the fixture catalogue (`bench fixtures`)",
                sanitize(item)
            ));
        };
        for n in names {
            if !out.iter().any(|o| o == n) {
                out.push(n.to_string());
            }
        }
    }
    if out.len() > MAX_FIXTURES {
        return Err(format!(
            "{} fixtures; a comment may ask for {MAX_FIXTURES} at most",
            out.len()
        ));
    }
    Ok(out)
}

/// The size `item` asks the suite at: `suite` is [`SUITE_SIZE`], `suite_SIZE` is SIZE.
fn suite_size(item: &str) -> Option<&str> {
    if item == SUITE_GROUP {
        return Some(SUITE_SIZE);
    }
    item.strip_prefix(SUITE_GROUP)?.strip_prefix('_')
}

/// Parses `text` against the fixture names of the catalogue.
pub fn parse(text: &str, known: Known<'_>) -> Result<CommentPlan, Rejection> {
    if text.len() > MAX_COMMENT_BYTES {
        return Err(Rejection::TooLong(text.len()));
    }
    let line = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if line.contains(['\n', '\r']) {
        return Err(Rejection::MultiLine);
    }
    let mut words = line.split([' ', '\t']).filter(|w| !w.is_empty()).peekable();
    if words.next() != Some("/bench") {
        return Err(Rejection::NotACommand);
    }
    let mut plan = CommentPlan {
        runs: DEFAULT_RUNS,
        fixture: DEFAULT_FIXTURE.to_string(),
        fixtures: vec![DEFAULT_FIXTURE.to_string()],
        label: DEFAULT_FIXTURE.to_string(),
        mode: MemoryMode::DEFAULT.to_string(),
        k: None,
        notes: Vec::new(),
    };
    if let Some(n) = words.next_if(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())) {
        let asked: u64 = n.parse().unwrap_or(u64::MAX);
        let runs = asked.clamp(1, u64::from(MAX_RUNS)) as u32;
        if u64::from(runs) != asked {
            plan.notes.push(format!(
                "N = {} clamped to {runs}",
                if n.len() > 12 {
                    format!("{}...", &n[..12])
                } else {
                    n.to_string()
                }
            ));
        }
        plan.runs = runs;
    }
    let mut seen: Vec<&'static str> = Vec::new();
    for word in words {
        if !word.chars().all(allowed) {
            return Err(Rejection::Unexpected(sanitize(word)));
        }
        let Some((key, value)) = word.split_once('=') else {
            return Err(Rejection::Unexpected(sanitize(word)));
        };
        let key: &'static str = match key {
            "fixture" => "fixture",
            "mode" => "mode",
            "k" => "k",
            other => return Err(Rejection::UnknownKey(sanitize(other))),
        };
        if seen.contains(&key) {
            return Err(Rejection::Repeated(key));
        }
        seen.push(key);
        let bad = |why: String| Rejection::BadValue {
            key,
            value: sanitize(value),
            why,
        };
        match key {
            "fixture" => {
                plan.fixtures = expand(value, known).map_err(bad)?;
                plan.fixture = plan.fixtures.join(",");
                plan.label = value.to_string();
            }
            "mode" => {
                let mode: MemoryMode = value.parse().map_err(|e| bad(mode_error(e)))?;
                mode.check_available().map_err(|e| bad(mode_error(e)))?;
                plan.mode = mode.to_string();
            }
            _ => {
                let k = value
                    .parse::<usize>()
                    .ok()
                    .filter(|k| (1..=MAX_K).contains(k))
                    .ok_or_else(|| bad(format!("k is a number from 1 to {MAX_K}")))?;
                plan.k = Some(k);
            }
        }
    }
    Ok(plan)
}

/// A mode error without the name it quotes (the value is quoted, sanitized, already).
fn mode_error(e: prover::modes::ModeError) -> String {
    use prover::modes::ModeError;
    match e {
        ModeError::Unavailable { flag, .. } => {
            format!("the prover does not implement `{flag}` yet")
        }
        ModeError::Unknown { .. } => "modes: default, stream-lde, leaf-drop, trace-retire, verify-and-drop, or a `+`-joined combination".into(),
        ModeError::Repeated { flag, .. } => format!("names `{flag}` twice"),
        ModeError::DefaultCombined { .. } => "`default` cannot be combined".into(),
        ModeError::Empty | ModeError::EmptyItem { .. } => "empty".into(),
        ModeError::EmptyFlag { .. } => "an empty name around `+`".into(),
        ModeError::OneMode => "one mode, not `all`".into(),
        ModeError::NoBudget(_) => "takes no memory budget".into(),
    }
}

/// Runs `bench comment`: the plan as JSON, or the rejection to post.
pub fn answer(text: &str) -> Result<Outcome> {
    let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
    let names: Vec<&str> = catalogue
        .fixtures()
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let suite: Vec<&str> = catalogue
        .group(SUITE_GROUP, None)
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let known = Known {
        fixtures: &names,
        suite: &suite,
    };
    match parse(text, known) {
        Ok(plan) => {
            println!("{}", serde_json::to_string(&plan)?);
            Ok(Outcome::Done)
        }
        Err(r) => {
            println!("{}", r.message());
            Ok(Outcome::Rejected)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: [&str; 6] = [
        "fib_iterative_64k",
        "fib_iterative_1M",
        "sha_64k",
        "sha_1M",
        "json_64k",
        "json_1M",
    ];
    const SUITE: [&str; 4] = ["sha_64k", "sha_1M", "json_64k", "json_1M"];
    const KNOWN: Known<'static> = Known {
        fixtures: &FIXTURES,
        suite: &SUITE,
    };

    fn ok(text: &str) -> CommentPlan {
        parse(text, KNOWN).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn rejected(text: &str) -> Rejection {
        parse(text, KNOWN).expect_err(text)
    }

    #[test]
    fn defaults_and_every_key() {
        assert_eq!(
            ok("/bench"),
            CommentPlan {
                runs: 3,
                fixture: "fib_iterative_64k".into(),
                fixtures: vec!["fib_iterative_64k".into()],
                label: "fib_iterative_64k".into(),
                mode: "default".into(),
                k: None,
                notes: vec![],
            }
        );
        let p = ok("  /bench 5 k=2 fixture=fib_iterative_1M\tmode=default \n");
        assert_eq!(
            (p.runs, p.fixture.as_str(), p.mode.as_str(), p.k),
            (5, "fib_iterative_1M", "default", Some(2))
        );
        let json = serde_json::to_string(&ok("/bench 2")).unwrap();
        assert_eq!(
            json,
            r#"{"runs":2,"fixture":"fib_iterative_64k","fixtures":["fib_iterative_64k"],"label":"fib_iterative_64k","mode":"default","k":null,"notes":[]}"#
        );
    }

    #[test]
    fn the_suite_and_lists_of_fixtures() {
        let p = ok("/bench fixture=suite");
        assert_eq!(p.fixtures, ["sha_64k", "json_64k"]);
        assert_eq!(p.fixture, "sha_64k,json_64k");
        assert_eq!(p.label, "suite");
        assert_eq!(
            ok("/bench fixture=suite_1M").fixtures,
            ["sha_1M", "json_1M"]
        );
        let p = ok("/bench 2 fixture=json_1M,suite,fib_iterative_64k,sha_64k mode=default");
        assert_eq!(
            p.fixtures,
            ["json_1M", "sha_64k", "json_64k", "fib_iterative_64k"]
        );
        for (text, why) in [
            ("/bench fixture=suite_8M", "no suite at 8M"),
            (
                "/bench fixture=sha_64k,nope",
                "`nope` is not in the fixture catalogue",
            ),
            ("/bench fixture=sha_64k,", "an empty name"),
            ("/bench fixture=,", "an empty name"),
        ] {
            let r = rejected(text);
            assert!(
                matches!(&r, Rejection::BadValue { key: "fixture", why: w, .. } if w.contains(why)),
                "{text}: {r}"
            );
        }
        // No catalogue suite: `suite` names nothing.
        let bare = Known {
            fixtures: &FIXTURES,
            suite: &[],
        };
        assert!(parse("/bench fixture=suite", bare).is_err());
        // At most MAX_FIXTURES.
        let many: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let lots = Known {
            fixtures: &names,
            suite: &[],
        };
        let r = parse(&format!("/bench fixture={}", names.join(",")), lots).unwrap_err();
        assert!(r.to_string().contains("at most"), "{r}");
    }

    #[test]
    fn n_is_clamped() {
        assert_eq!(ok("/bench 0").runs, 1);
        assert_eq!(ok("/bench 11").runs, 10);
        let huge = ok("/bench 99999999999999999999999999999999");
        assert_eq!(huge.runs, 10);
        assert_eq!(huge.notes, vec!["N = 999999999999... clamped to 10"]);
        assert_eq!(ok("/bench 007").runs, 7);
        assert!(ok("/bench 7").notes.is_empty());
    }

    #[test]
    fn hostile_input_is_rejected_without_echoing_it() {
        let cases = [
            "/bench 5; rm -rf /",
            "/bench $(reboot)",
            "/bench `id`",
            "/bench fixture=$(id)",
            "/bench fixture=fib_iterative_64k;ls",
            "/bench mode=default|sh",
            "/bench 5 && curl evil",
            "/bench 5\nrm -rf /",
            "/bench ５",
            "/bench fixture=fib_iterative_64k\u{202E}",
            "/bench\u{a0}5",
            "/bénch 5",
            "/bench @admin",
            "/bench <img src=x>",
        ];
        for text in cases {
            let r = rejected(text);
            let m = r.message();
            assert!(m.starts_with("❌ `/bench` rejected: "), "{m}");
            assert!(m.ends_with(&format!("{USAGE}.")), "{m}");
            let said = r.to_string();
            for bad in [
                '$', ';', '|', '&', '<', '>', '@', '\n', '\u{202E}', '５', '\u{a0}', 'é',
            ] {
                assert!(!said.contains(bad), "{text:?} echoed {bad:?}: {said}");
            }
        }
        assert_eq!(
            rejected("/bench 5; rm -rf /"),
            Rejection::Unexpected("5?".into())
        );
        assert_eq!(
            rejected("/bench `id`"),
            Rejection::Unexpected("?id?".into())
        );
    }

    #[test]
    fn unknown_keys_repeats_and_bad_values() {
        assert_eq!(
            rejected("/bench runs=3"),
            Rejection::UnknownKey("runs".into())
        );
        assert_eq!(rejected("/bench k=1 k=2"), Rejection::Repeated("k"));
        assert!(matches!(
            rejected("/bench fixture=nope"),
            Rejection::BadValue { key: "fixture", .. }
        ));
        assert!(matches!(
            rejected("/bench mode=warp"),
            Rejection::BadValue { key: "mode", .. }
        ));
        // A mode named twice in a combination.
        let r = rejected("/bench mode=leaf-drop+leaf-drop");
        assert!(r.to_string().contains("twice"), "{r}");
        for k in ["k=0", "k=65", "k=-1", "k=", "k=1.5"] {
            assert!(
                matches!(
                    rejected(&format!("/bench {k}")),
                    Rejection::BadValue { key: "k", .. }
                ),
                "{k}"
            );
        }
        assert_eq!(rejected("/bench 3 4"), Rejection::Unexpected("4".into()));
        assert_eq!(rejected("bench 3"), Rejection::NotACommand);
        assert_eq!(rejected("/benchmark"), Rejection::NotACommand);
        assert_eq!(rejected(""), Rejection::NotACommand);
        assert_eq!(rejected("/bench 3\nthanks"), Rejection::MultiLine);
        assert!(matches!(
            rejected(&"/bench ".repeat(100)),
            Rejection::TooLong(_)
        ));
    }

    #[test]
    fn sanitize_keeps_only_safe_characters() {
        assert_eq!(sanitize("$(rm -rf /)"), "??rm?-rf???");
        assert_eq!(sanitize("fixture=a_b-c.d+e"), "fixture=a_b-c.d+e");
        assert_eq!(sanitize(&"x".repeat(30)), format!("{}...", "x".repeat(24)));
        assert_eq!(sanitize("ü"), "?");
    }
}
