//! Function names for the instruction tables (pure): a symbol demangled to its Rust path,
//! then grouped so that the table reads like a profile. [`group_name`] decides the group.
//!
//! Grouping rules, in order:
//! * a Rust symbol (legacy `_ZN...E` or v0 `_R...`) is demangled without its hash;
//! * generic arguments are dropped (`ntt::dif::<4>` and `ntt::dif::<8>` are one function,
//!   `Vec<u64>` and `Vec<Felt>` one type), but a qualified path keeps its shape:
//!   `<prover::air::cpu::CpuAir as prover::stark::air::Air>::eval`;
//! * a closure is its function: everything from the first `{{closure}}` / `{closure#N}`
//!   segment on is cut, and so are `{shim:...}` and `{{constant}}` segments;
//! * a closure called through one of the `Fn*` traits' shims
//!   (`<&mut F as core::ops::function::FnMut<A>>::call_mut` and the like, where the
//!   closure's body is inlined) is its function too, when the name says which closure `F`
//!   is: v0 symbol names do (the instruction worker is built with
//!   `-C symbol-mangling-version=v0` for that), legacy ones do not;
//! * callgrind's recursion suffix (`'2`) is dropped;
//! * an unnamed address (`0x0000000004a3b2c1`) is `(unknown)`; C and other symbols stay as
//!   they are (`__memmove_avx_unaligned_erms`).
//!
//! Inlined code is counted in the function it was inlined into (that is what a sampled
//! profile shows too); the counts come from callgrind's per-function self costs.

use std::collections::BTreeMap;

/// The group of unnamed code.
pub const UNKNOWN: &str = "(unknown)";

/// The demangled, grouped name of `symbol`.
pub fn group_name(symbol: &str) -> String {
    let s = symbol.trim();
    if s.is_empty() || s.starts_with("0x") {
        return UNKNOWN.to_string();
    }
    // Callgrind marks a recursion level with `'N`.
    let s = match s.rsplit_once('\'') {
        Some((head, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => s,
    };
    let demangled = match rustc_demangle::try_demangle(s) {
        Ok(d) => format!("{d:#}"),
        Err(_) => s.to_string(),
    };
    if is_fn_shim(&demangled)
        && let Some(owner) = closure_owner(&demangled)
    {
        return owner;
    }
    let stripped = strip_generics(&demangled);
    cut_closures(&stripped)
}

/// Whether `name` is one of the `Fn*` traits' call methods (a closure's body, inlined into
/// the shim that calls it).
fn is_fn_shim(name: &str) -> bool {
    ["::call", "::call_mut", "::call_once"]
        .iter()
        .any(|m| name.ends_with(m))
        && name.contains("core::ops::function::Fn")
}

/// The function owning the first closure named in `name` (`a::b::{closure#0}` -> `a::b`),
/// its generic arguments dropped.
fn closure_owner(name: &str) -> Option<String> {
    let at = name
        .find("::{closure")
        .or_else(|| name.find("::{{closure}}"))?;
    let bytes = name.as_bytes();
    let mut depth = 0i32;
    let mut start = at;
    while start > 0 {
        let c = bytes[start - 1];
        match c {
            b'>' => depth += 1,
            b'<' if depth > 0 => depth -= 1,
            b'<' | b' ' | b'&' | b'(' | b',' | b'*' if depth == 0 => break,
            _ => {}
        }
        start -= 1;
    }
    let owner = strip_generics(&name[start..at]);
    (!owner.is_empty()).then(|| cut_closures(&owner))
}

/// Drops generic argument lists: a `<` that follows a name character or `::` opens one; a
/// `<` at the start of a path segment opens a qualified path (`<T as Trait>`), which is kept
/// with its own arguments dropped.
fn strip_generics(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' {
            let prev = out.chars().last();
            let qualified = match prev {
                None => true,
                Some(p) => p == ' ' || p == '<' || p == '(' || p == '&' || p == '*' || p == ',',
            } && !out.ends_with("::");
            if qualified {
                out.push(c);
                i += 1;
                continue;
            }
            // A generic argument list: skip to its matching `>`.
            let mut depth = 0usize;
            while i < chars.len() {
                match chars[i] {
                    '<' => depth += 1,
                    '>' if i > 0 && chars[i - 1] == '-' => {}
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            if out.ends_with("::") {
                out.truncate(out.len() - 2);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Cuts a path at its first closure, shim or constant segment.
fn cut_closures(s: &str) -> String {
    let mut depth = 0i32;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => depth += 1,
            b'>' => depth -= 1,
            b':' if depth == 0 && s[i..].starts_with("::{") => {
                return s[..i].to_string();
            }
            _ => {}
        }
        i += 1;
    }
    s.to_string()
}

/// Sums per-symbol counts into per-group counts.
pub fn group_counts<'a>(counts: impl IntoIterator<Item = (&'a str, u64)>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (symbol, n) in counts {
        *out.entry(group_name(symbol)).or_insert(0) += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_symbols_demangle_without_hash_generics_or_closures() {
        // legacy mangling, with the hash
        assert_eq!(
            group_name("_ZN6prover5stark3ntt8dif_pass17h0123456789abcdefE"),
            "prover::stark::ntt::dif_pass"
        );
        // closures of a generic function are the function
        assert_eq!(
            group_name("prover::stark::fri::commit::<u64>::{{closure}}::{{closure}}"),
            "prover::stark::fri::commit"
        );
        assert_eq!(
            group_name("prover::stark::merkle::build::{closure#0}"),
            "prover::stark::merkle::build"
        );
        // a qualified path keeps its shape, its types lose their arguments
        assert_eq!(
            group_name(
                "<alloc::vec::Vec<prover::stark::field::Felt> as core::clone::Clone>::clone"
            ),
            "<alloc::vec::Vec as core::clone::Clone>::clone"
        );
        assert_eq!(
            group_name(
                "<prover::air::cpu::CpuAir as prover::stark::air::Air>::eval::<prover::stark::fold::Folder<'_>>"
            ),
            "<prover::air::cpu::CpuAir as prover::stark::air::Air>::eval"
        );
        assert_eq!(
            group_name("core::ops::function::FnOnce::call_once{{vtable.shim}}"),
            "core::ops::function::FnOnce::call_once{{vtable.shim}}"
        );
        assert_eq!(group_name("0x000000000401000"), UNKNOWN);
        assert_eq!(
            group_name("__memmove_avx_unaligned_erms"),
            "__memmove_avx_unaligned_erms"
        );
        assert_eq!(
            group_name("<F as core::ops::function::Fn<(A,)>>::call"),
            "<F as core::ops::function::Fn>::call"
        );
        assert_eq!(
            group_name("alloc::raw_vec::RawVecInner<A>::reserve::do_reserve_and_handle"),
            "alloc::raw_vec::RawVecInner::reserve::do_reserve_and_handle"
        );
    }

    #[test]
    fn a_closure_called_through_a_shim_is_its_function() {
        assert_eq!(
            group_name(
                "<&mut prover::stark::merkle::MerkleTree<u64>::new::{closure#0} as core::ops::function::FnMut<(usize,)>>::call_mut"
            ),
            "prover::stark::merkle::MerkleTree::new"
        );
        assert_eq!(
            group_name(
                "<<prover::air::cpu::CpuAir as prover::stark::air::Air>::eval::{closure#1} as core::ops::function::FnOnce<()>>::call_once"
            ),
            "<prover::air::cpu::CpuAir as prover::stark::air::Air>::eval"
        );
        // A legacy name does not say which closure: the shim stays a shim.
        assert_eq!(
            group_name(
                "core::ops::function::impls::<impl core::ops::function::FnMut<A> for &mut F>::call_mut"
            ),
            "core::ops::function::impls::call_mut"
        );
        // Callgrind's recursion suffix.
        assert_eq!(
            group_name("_ZN6prover5stark3ntt8dif_pass17h0123456789abcdefE'2"),
            "prover::stark::ntt::dif_pass"
        );
    }

    #[test]
    fn copies_sum_into_their_group() {
        let g = group_counts([
            ("prover::stark::ntt::dif::<4>", 10),
            ("prover::stark::ntt::dif::<8>", 5),
            ("prover::stark::ntt::dif::<8>::{{closure}}", 1),
            ("memcpy", 2),
        ]);
        assert_eq!(g.len(), 2);
        assert_eq!(g["prover::stark::ntt::dif"], 16);
        assert_eq!(g["memcpy"], 2);
    }
}
