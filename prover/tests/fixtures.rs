//! Every catalogue fixture: public output against an independent Rust
//! computation, cycle count against the catalogue.

use prover::fixtures::{Catalogue, CatalogueError, Fixture};
use prover::vm::{ExecOptions, Op, execute};

fn fib(n: u32) -> u32 {
    let (mut a, mut b) = (0u32, 1u32);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

fn bytesort(n: u32, seed: u32) -> Vec<u32> {
    let n = n as usize;
    let mut x = seed;
    let mut buf = vec![0u8; n + 4];
    for byte in &mut buf[..n] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *byte = x as u8;
    }
    buf[..n].sort_unstable();
    let word =
        |buf: &[u8], i: usize| u32::from_le_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]);
    let mut h = 5381u32;
    for i in (0..n).step_by(4) {
        h = h.wrapping_mul(33).wrapping_add(word(&buf, i));
    }
    let mut sub = 0u32;
    for i in (0..n).step_by(2) {
        sub = sub.wrapping_add(buf[i] as i8 as u32);
        sub = sub.wrapping_add(buf[i + 1] as i8 as u32);
        let half = u16::from_le_bytes([buf[i], buf[i + 1]]);
        sub ^= half as i16 as u32;
        sub = sub.wrapping_add(u32::from(half));
        buf[i..i + 2].copy_from_slice(&(half ^ 0x5a5).to_le_bytes());
    }
    for i in (0..n).step_by(4) {
        sub ^= word(&buf, i);
    }
    vec![h, sub]
}

/// RISC-V DIV/REM semantics, written independently of the executor.
fn div(a: u32, b: u32) -> u32 {
    match (a as i32).checked_div(b as i32) {
        Some(q) => q as u32,
        None if b == 0 => u32::MAX,
        None => a, // INT_MIN / -1
    }
}

fn rem(a: u32, b: u32) -> u32 {
    match (a as i32).checked_rem(b as i32) {
        Some(r) => r as u32,
        None if b == 0 => a,
        None => 0,
    }
}

fn modexp(k: u32, e: u32, m: u32) -> Vec<u32> {
    let (mut acc, mut mix) = (0u32, 0u32);
    for i in 1..=k {
        let base = u64::from(i.wrapping_mul(0x9E37_79B1) % m);
        let mut r = 1u64;
        let (mut b, mut e) = (base, e);
        while e > 0 {
            if e & 1 == 1 {
                r = r * b % u64::from(m);
            }
            b = b * b % u64::from(m);
            e >>= 1;
        }
        acc = acc.wrapping_add(r as u32);
        let neg_i = i.wrapping_neg();
        let t = acc ^ mix;
        mix = mix.wrapping_add(div(t, neg_i));
        mix ^= rem(t, neg_i);
        mix = mix.wrapping_add(acc / i);
        let mulh = ((i64::from(t as i32) * i64::from(acc as i32)) >> 32) as u32;
        let mulhsu = ((i128::from(t as i32) * i128::from(acc)) >> 32) as u32;
        let mulhu = ((u64::from(acc) * u64::from(t)) >> 32) as u32;
        mix = mix.wrapping_add(mulh);
        mix ^= mulhsu;
        mix = mix.wrapping_add(mulhu);
    }
    let min = 0x8000_0000u32;
    let last = div(min, u32::MAX)
        .wrapping_add(rem(min, u32::MAX))
        .wrapping_add(div(mix, 0))
        ^ u32::MAX; // divu by zero
    let last = last.wrapping_add(rem(mix, 0)) ^ acc; // remu by zero
    vec![acc, mix, last]
}

fn collatz(n_max: u32) -> Vec<u32> {
    let (mut total, mut longest, mut arg) = (0u32, 0u32, 0u32);
    for n in 1..=n_max {
        let (mut x, mut steps) = (n, 0u32);
        while x != 1 {
            x = if x % 2 == 0 { x / 2 } else { 3 * x + 1 };
            steps += 1;
        }
        total += steps;
        if steps > longest {
            (longest, arg) = (steps, n);
        }
    }
    vec![total, longest, arg]
}

fn expected_output(f: &Fixture) -> Vec<u32> {
    match (f.elf.as_str(), f.input.as_slice()) {
        ("fib_iterative.elf", &[n]) => vec![fib(n)],
        ("bytesort.elf", &[n, seed]) => bytesort(n, seed),
        ("modexp.elf", &[k, e, m]) => modexp(k, e, m),
        ("collatz.elf", &[n]) => collatz(n),
        _ => panic!("no reference for fixture {}", f.name),
    }
}

fn check(name: &str, log: bool) {
    let catalogue = Catalogue::load_default().unwrap();
    let fixture = catalogue.get(name).unwrap();
    let program = catalogue.program(fixture).unwrap();
    let options = ExecOptions {
        log,
        ..ExecOptions::default()
    };
    let run = execute(&program, &fixture.input, &options).unwrap();
    assert_eq!(run.public_output, expected_output(fixture), "{name}");
    assert_eq!(run.public_output, fixture.public_output, "{name}");
    assert_eq!(run.cycles, fixture.cycles, "{name}");
    assert_eq!(run.exit_code, 0, "{name}");
    if log {
        assert_eq!(run.log.map(|l| l.len() as u64), Some(run.cycles));
    }
}

#[test]
fn catalogue_has_the_required_fixtures() {
    let catalogue = Catalogue::load_default().unwrap();
    for name in [
        "fib_iterative_64k",
        "fib_iterative_1M",
        "fib_iterative_1200k",
        "fib_iterative_2M",
        "fib_iterative_4M",
        "fib_iterative_8M",
    ] {
        catalogue.get(name).unwrap();
    }
    let names: Vec<&str> = catalogue
        .fixtures()
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    for program in ["bytesort", "modexp", "collatz"] {
        for size in ["small", "large"] {
            let name = format!("{program}_{size}");
            assert!(names.contains(&name.as_str()), "{name} missing");
        }
    }
    let e = catalogue.get("no_such_fixture").unwrap_err();
    assert!(matches!(e, CatalogueError::Unknown { .. }));
    assert!(e.to_string().contains("no_such_fixture"), "{e}");
}

#[test]
fn fib_cycle_counts_follow_the_loop_shape() {
    let catalogue = Catalogue::load_default().unwrap();
    for f in catalogue
        .fixtures()
        .iter()
        .filter(|f| f.elf == "fib_iterative.elf")
    {
        assert_eq!(f.cycles, 5 * u64::from(f.input[0]) + 10, "{}", f.name);
    }
}

#[test]
fn fib_iterative_is_a_plain_rv32i_loop() {
    // The growth and nightly fixture stays the same 5-instruction loop: no shifts, sub-word
    // accesses or M extension, so its cost per cycle is comparable across revisions.
    let catalogue = Catalogue::load_default().unwrap();
    let program = catalogue
        .program(catalogue.get("fib_iterative_64k").unwrap())
        .unwrap();
    let forbidden = [
        Op::Slli,
        Op::Srli,
        Op::Srai,
        Op::Sll,
        Op::Srl,
        Op::Sra,
        Op::Lb,
        Op::Lh,
        Op::Lbu,
        Op::Lhu,
        Op::Sb,
        Op::Sh,
        Op::Mul,
        Op::Mulh,
        Op::Mulhsu,
        Op::Mulhu,
        Op::Div,
        Op::Divu,
        Op::Rem,
        Op::Remu,
    ];
    for op in forbidden {
        assert!(!program.uses(op), "fib_iterative uses {op:?}");
    }
    assert!(program.uses(Op::Add) && program.uses(Op::Bne));
}

#[test]
fn small_fixtures_with_log() {
    for name in [
        "fib_iterative_64k",
        "bytesort_small",
        "modexp_small",
        "collatz_small",
    ] {
        check(name, true);
    }
}

#[test]
fn fib_iterative_1200k() {
    check("fib_iterative_1200k", true);
}

#[test]
fn fib_growth_family() {
    for name in ["fib_iterative_1M", "fib_iterative_2M", "fib_iterative_4M"] {
        check(name, false);
    }
}

#[test]
fn fib_iterative_8m() {
    check("fib_iterative_8M", false);
}

#[test]
fn large_fixtures() {
    for name in ["bytesort_large", "modexp_large", "collatz_large"] {
        check(name, false);
    }
}

#[test]
fn every_catalogue_entry_has_a_reference() {
    // The suite's entries (`"group": "suite"`, fixtures/programs/) have their references in
    // suite.rs (host build, executor, proof) and suite_general.rs / suite_crypto.rs (crate
    // references: sha2, sha3, num-bigint, k256, std, serde_json, base64, regex).
    let catalogue = Catalogue::load_default().unwrap();
    for f in catalogue
        .fixtures()
        .iter()
        .filter(|f| f.group.as_deref() != Some("suite"))
    {
        assert_eq!(expected_output(f), f.public_output, "{}", f.name);
    }
}
