//! Independent references for the suite's general-purpose programs (`interpreter`,
//! `quicksort`, `json`, `regex`, `hashmap` in `fixtures/programs/`): each regenerates the
//! program's data with the same xorshift32 generator (`lib/xorshift32.h`) and computes the
//! result with Rust's standard library or a maintained crate, for every catalogue size:
//!
//! * `quicksort` against `sort_unstable`;
//! * `hashmap` against std's `HashMap` (all but its longest probe, which is the table's own);
//! * `interpreter` against the sieve computed directly, its step count from the bytecode's
//!   loop structure;
//! * `json` against `serde_json` (the document and its corrupted copies) and the `base64`
//!   crate (decoding; the document is generated with its encoder);
//! * `regex` against the `regex` crate's `is_match` on every line (all but the number of DFA
//!   states, which is the program's own compiler's).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prover::fixtures::{Catalogue, Fixture};
use serde_json::Value;

/// `lib/xorshift32.h`.
struct Rng(u32);

impl Rng {
    fn new(seed: u32) -> Rng {
        let s = seed ^ 0x9E37_79B9;
        Rng(if s == 0 { 1 } else { s })
    }

    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// FNV-1a style step over words or bytes, as the programs hash.
fn fnv(h: u32, x: u32) -> u32 {
    (h ^ x).wrapping_mul(16_777_619)
}

const FNV_START: u32 = 2_166_136_261;

/// The catalogue's entries for `programs/NAME.elf` (three sizes).
fn entries(name: &str) -> Vec<Fixture> {
    let elf = format!("programs/{name}.elf");
    let all: Vec<Fixture> = Catalogue::load_default()
        .unwrap()
        .fixtures()
        .iter()
        .filter(|f| f.elf == elf)
        .cloned()
        .collect();
    assert_eq!(all.len(), 3, "{name}: {all:?}");
    all
}

// ------------------------------------------------------------------------- quicksort ---

fn quicksort(n: u32, seed: u32) -> Vec<u32> {
    let n = n.min(1 << 18) as usize;
    let mut rng = Rng::new(seed);
    let mut v: Vec<u32> = (0..n).map(|_| rng.next()).collect();
    v.sort_unstable();
    let h = v.iter().fold(FNV_START, |h, &x| fnv(h, x));
    let pick = |i: usize| if n == 0 { 0 } else { v[i] };
    vec![
        n as u32,
        1,
        h,
        pick(0),
        pick(n / 2),
        pick(n.saturating_sub(1)),
    ]
}

#[test]
fn quicksort_matches_sort_unstable() {
    for f in entries("quicksort") {
        assert_eq!(
            quicksort(f.input[0], f.input[1]),
            f.public_output,
            "{}",
            f.name
        );
    }
}

// --------------------------------------------------------------------------- hashmap ---

/// Distinct keys, sum of key * count, look-up hits, sum of hit counts.
fn hashmap(n: u32, seed: u32) -> Vec<u32> {
    let n = n.min(1 << 17);
    let mut rng = Rng::new(seed);
    let mut counts: HashMap<u32, u32> = HashMap::new();
    for _ in 0..n {
        *counts.entry(1 + rng.below(2 * n)).or_insert(0) += 1;
    }
    let (mut hits, mut hit_sum) = (0u32, 0u32);
    for _ in 0..n {
        if let Some(c) = counts.get(&(1 + rng.below(4 * n))) {
            hits += 1;
            hit_sum = hit_sum.wrapping_add(*c);
        }
    }
    let weighted = counts
        .iter()
        .fold(0u32, |acc, (k, c)| acc.wrapping_add(k.wrapping_mul(*c)));
    vec![counts.len() as u32, weighted, hits, hit_sum]
}

#[test]
fn hashmap_matches_std_hashmap() {
    for f in entries("hashmap") {
        let out = &f.public_output;
        assert_eq!(out.len(), 5, "{}", f.name);
        assert_eq!(hashmap(f.input[0], f.input[1]), out[..4], "{}", f.name);
        // The longest probe: at least one slot, and short at a load of at most a half.
        assert!(
            (1..64).contains(&out[4]),
            "{}: longest probe {}",
            f.name,
            out[4]
        );
    }
}

// ----------------------------------------------------------------------- interpreter ---

/// The bytecode sieve's results, computed directly: limit, prime count, sum, hash, and the
/// number of bytecode instructions the VM executes (see `source` in interpreter.c).
fn interpreter(limit: u32) -> Vec<u32> {
    let limit = limit.min(1 << 20);
    let n = limit as usize;
    let mut composite = vec![false; n.max(2)];
    let mut steps: u64 = 4; // four LIs
    let mut i = 2usize;
    loop {
        steps += 2; // MUL, BGEU
        if i * i >= n {
            break;
        }
        steps += 2; // LDB, BNE
        if !composite[i] {
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
                steps += 3; // STB, ADD, BLTU
            }
        }
        steps += 2; // ADDI, JMP
        i += 1;
    }
    steps += 4; // LI i, count, sum, hash
    let (mut count, mut sum, mut hash) = (0u32, 0u32, 0u32);
    for (p, &is_composite) in composite.iter().enumerate().take(n).skip(2) {
        steps += 5; // BGEU, LDB, BNE, ADDI, JMP
        if !is_composite {
            steps += 5; // ADDI, ADD, MUL, ADD, REMU
            count += 1;
            sum = sum.wrapping_add(p as u32);
            hash = (31 * hash + p as u32) % 65_521;
        }
    }
    steps += 1 + 3 + 1; // the last BGEU, three OUTs, HALT
    vec![limit, count, sum, hash, steps as u32]
}

#[test]
fn interpreter_matches_the_direct_sieve() {
    for f in entries("interpreter") {
        assert_eq!(interpreter(f.input[0]), f.public_output, "{}", f.name);
    }
    // Small limits by hand: primes below 30 are 2 3 5 7 11 13 17 19 23 29.
    assert_eq!(interpreter(30)[1..3], [10, 129]);
    assert_eq!(interpreter(2)[1..3], [0, 0]);
}

// ------------------------------------------------------------------------------ json ---

/// The program's document (see json.c), and the generator after it.
fn json_document(objects: u32, seed: u32) -> (String, Rng) {
    let objects = objects.min((1 << 20) / 320);
    let mut r = Rng::new(seed);
    let name = |r: &mut Rng| {
        let n = 1 + r.below(8);
        let mut s = String::from("\"");
        for _ in 0..n {
            match r.below(32) {
                c @ 0..26 => s.push(char::from(b'a' + c as u8)),
                26 => s.push_str("\\n"),
                27 => s.push_str("\\\""),
                28 => s.push_str("\\u00e9"),
                29 => s.push_str("\\\\"),
                _ => s.push(' '),
            }
        }
        s.push('"');
        s
    };
    let mut doc = String::from("[");
    for i in 0..objects {
        if i > 0 {
            doc.push_str(",\n");
        }
        doc.push_str(&format!("{{\"id\":{i},\"name\":{}", name(&mut r)));
        doc.push_str(&format!(",\"v\":{}", (r.next() as i32) >> 8));
        let sign = if r.next() & 1 == 1 { "-" } else { "" };
        let int = r.below(1000);
        let frac = r.below(100);
        let exp = r.below(5) as i32 - 2;
        doc.push_str(&format!(",\"f\":{sign}{int}.{frac:02}e{exp}"));
        let ok = r.next() & 1 == 1;
        doc.push_str(&format!(",\"ok\":{ok},\"x\":null,\"b64\":"));
        let bytes: Vec<u8> = (0..r.below(20)).map(|_| r.next() as u8).collect();
        doc.push_str(&format!("\"{}\"", STANDARD.encode(&bytes)));
        let arr: Vec<String> = (0..r.below(5))
            .map(|_| r.below(100_000).to_string())
            .collect();
        doc.push_str(&format!(",\"arr\":[{}]", arr.join(",")));
        let lits: Vec<&str> = (0..r.below(4))
            .map(|_| ["true", "false", "null"][r.below(3) as usize])
            .collect();
        doc.push_str(&format!(
            ",\"o\":{{\"k\":[{}],\"s\":{}}}}}",
            lits.join(","),
            name(&mut r)
        ));
    }
    doc.push(']');
    (doc, r)
}

#[derive(Default)]
struct JsonStats {
    values: u32,
    keys: u32,
    strings: u32,
    ints: u32,
    int_sum: u32,
    others: u32,
    literals: u32,
    b64_bytes: u32,
    b64_hash: u32,
    b64_errors: u32,
    depth: u32,
}

impl JsonStats {
    fn walk(&mut self, v: &Value, depth: u32, base64: bool) {
        self.values += 1;
        match v {
            Value::Null | Value::Bool(_) => self.literals += 1,
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    self.ints += 1;
                    self.int_sum = self.int_sum.wrapping_add(i as u32);
                } else if let Some(u) = n.as_u64() {
                    self.ints += 1;
                    self.int_sum = self.int_sum.wrapping_add(u as u32);
                } else {
                    self.others += 1;
                }
            }
            Value::String(s) => {
                self.strings += 1;
                if base64 {
                    match STANDARD.decode(s) {
                        Ok(bytes) => {
                            self.b64_bytes += bytes.len() as u32;
                            let h = bytes.iter().fold(FNV_START, |h, &b| fnv(h, b.into()));
                            self.b64_hash = self.b64_hash.wrapping_add(h);
                        }
                        Err(_) => self.b64_errors += 1,
                    }
                }
            }
            Value::Array(items) => {
                self.depth = self.depth.max(depth + 1);
                for item in items {
                    self.walk(item, depth + 1, false);
                }
            }
            Value::Object(map) => {
                self.depth = self.depth.max(depth + 1);
                for (key, item) in map {
                    self.keys += 1;
                    self.walk(item, depth + 1, key == "b64");
                }
            }
        }
    }
}

fn json(objects: u32, seed: u32) -> Vec<u32> {
    let (doc, mut r) = json_document(objects, seed);
    let value: Value = serde_json::from_str(&doc).expect("the generated document parses");
    let mut st = JsonStats::default();
    st.walk(&value, 0, false);
    let mut bytes = doc.into_bytes();
    let mut corrupted_valid = 0;
    for t in 0..2 {
        let at = r.below(bytes.len() as u32) as usize;
        let saved = bytes[at];
        bytes[at] = b"{}[]\":,0a\\ "[r.below(11) as usize];
        if serde_json::from_slice::<Value>(&bytes).is_ok() {
            corrupted_valid |= 1 << t;
        }
        bytes[at] = saved;
    }
    vec![
        1,
        bytes.len() as u32,
        st.values,
        st.keys,
        st.strings,
        st.ints,
        st.int_sum,
        st.others,
        st.literals,
        st.b64_bytes,
        st.b64_hash,
        st.b64_errors,
        st.depth,
        corrupted_valid,
    ]
}

#[test]
fn json_matches_serde_json_and_base64() {
    for f in entries("json") {
        assert_eq!(json(f.input[0], f.input[1]), f.public_output, "{}", f.name);
    }
}

#[test]
fn json_corruption_trials_are_not_all_alike() {
    // Over a few seeds, the corruption trials give both verdicts, so the last output word
    // really tests that the validator agrees with serde_json on invalid documents.
    let verdicts: Vec<u32> = (1..40).map(|seed| json(3, seed)[13]).collect();
    assert!(verdicts.iter().any(|&v| v & 1 == 0), "{verdicts:?}");
    assert!(verdicts.iter().any(|&v| v & 1 == 1), "{verdicts:?}");
}

// ----------------------------------------------------------------------------- regex ---

/// The patterns and word list of regex.c.
const PATTERNS: [&str; 4] = [
    r"[a-z]+@[a-z]+\.[co][or][mg]",
    r"x[0-9]*y[0-9]?z",
    r"ab+c*d",
    r"id=[0-9]+.*err",
];
const WORDS: [&str; 24] = [
    "mail", "box", "@", "jo@x", ".com", ".org", ".net", "x", "x12", "y", "9z", "z", "y3z", "ab",
    "bbb", "cd", "abbd", "d", "id=", "42", "7", "err", "ok", "-",
];

/// Bytes, lines, matching lines per pattern, hash of the per-line match bits.
fn regex(lines: u32, seed: u32) -> Vec<u32> {
    let lines = lines.min((1 << 20) / 76);
    let mut r = Rng::new(seed);
    let mut text = String::new();
    for _ in 0..lines {
        for _ in 0..4 + r.below(12) {
            text.push_str(WORDS[r.below(WORDS.len() as u32) as usize]);
            if r.next() & 1 == 1 {
                text.push(' ');
            }
        }
        text.push('\n');
    }
    let res: Vec<regex::Regex> = PATTERNS
        .iter()
        .map(|p| regex::Regex::new(p).unwrap())
        .collect();
    let mut matches = [0u32; 4];
    let mut h = FNV_START;
    let mut n_lines = 0;
    for line in text.lines() {
        let mut bits = 0;
        for (p, re) in res.iter().enumerate() {
            if re.is_match(line) {
                bits |= 1 << p;
                matches[p] += 1;
            }
        }
        h = fnv(h, bits);
        n_lines += 1;
    }
    let mut out = vec![text.len() as u32, n_lines];
    out.extend(matches);
    out.push(h);
    out
}

#[test]
fn regex_matches_the_regex_crate() {
    for f in entries("regex") {
        let out = &f.public_output;
        assert_eq!(out.len(), 8, "{}", f.name);
        assert_eq!(regex(f.input[0], f.input[1]), out[..7], "{}", f.name);
        assert!(out[7] >= 4, "{}: {} DFA states", f.name, out[7]);
    }
    // Every pattern matches some line at the largest size.
    let big = regex(3619, 1);
    assert!(big[2..6].iter().all(|&m| m > 0), "{big:?}");
}
