//! Soundness estimates of a parameter set, in bits, under the two regimes a user can ask
//! for: the ethSTARK conjecture, and what is proven (unique-decoding and Johnson /
//! list-decoding analyses). Pure functions of the parameters; no I/O.
//!
//! ## Notation
//! `|F| ≈ 2^128` (the degree-2 extension of Goldilocks, where every challenge lives),
//! `n = 2^log_max_rows` (the tallest instance; smaller ones only do better), blowup `b`,
//! rate `ρ = 1/b`, LDE domain `|D| = b n`, `q` queries, `g` grinding bits, constraint degree
//! at most `d = 3`, and `K` batched FRIs (one per LDE size, at most
//! [`Inputs::lde_sizes`] `= log_max_rows - MIN_LOG_HEIGHT + 1 = 19`).
//!
//! ## Batching margin
//! We run one FRI per LDE size, all on the same transcript; a cheating prover needs only one
//! of them to pass, so each error is multiplied by `K` (a union bound): every figure below is
//! lowered by `log2(K_max)` bits, with `K_max` the most sizes a proof can have, so that the
//! query count depends on the parameters alone.
//!
//! Three steps combine terms with powers of one challenge: the composition folds a table's
//! constraints (α), DEEP combines an instance's opened columns (λ), and each bucket's FRI
//! combines its members (δ). `C` ([`Inputs::batched_terms`]) is the most terms any of them
//! combines at the parameters, and it costs `log2(C)`. Both bounds behind it are enforced,
//! not assumed: a table with more than [`MAX_TABLE_TERMS`] constraints or opened values is
//! refused (`AirError::BatchedTerms`, from `setup::air_infos`), and a bucket holds at most
//! every instance, which `setup::check_heights` caps at `StarkParams::max_instances`. So
//! `C = max(MAX_TABLE_TERMS, max_instances) = 2^16` at every parameter set (without the cap,
//! chunking let one bucket combine up to `tables * 2^(32 - log_max_rows)` members).
//!
//! ## Conjectured (ethSTARK, eprint 2021/582, Conjecture 1)
//! ```text
//! bits = min(q log2(b) + g,  128 - log2|D|) - log2(K_max)
//! ```
//!
//! ## Proven, unique decoding (eprint 2024/1553, Theorem 3), round by round
//! ```text
//! ALI    128 - log2(C)                       C = Inputs::batched_terms
//! DEEP   128 - log2(d (n + 1) + n - 1)
//! FRI    128 - log2(|D| + 1)                 each folding round
//! query  g - q log2((1 + ρ+) / 2)            ρ+ = (n + 2) / |D|
//! bits = min(...) - log2(K_max)
//! ```
//!
//! ## Proven, list decoding up to the Johnson bound (eprint 2024/1553, Theorem 2, with the
//! FRI commit-phase bound of eprint 2022/1216, Theorem 8), for a proximity parameter
//! `m >= 3`, maximised over `m`:
//! ```text
//! L = m / (ρ - 2m / |D|)                     list size
//! ALI    128 - log2(L C)
//! DEEP   128 - log2(L^2 (d (n + 1) + n - 1))
//! FRI    128 - log2((m + 1/2)^7 |D|^2 / (2 ρ^(3/2)))
//! query  g - q log2((1 + 1/(2m)) sqrt(ρ))
//! bits = max over m of min(...) - log2(K_max)
//! ```
//!
//! The proven figure is the better of the two analyses (either one is a proof). With a
//! 128-bit extension field the Johnson analysis is capped near 66 bits at `|D| = 2^23` by
//! its commit-phase term, whatever the query count; unique decoding reaches 100 bits with
//! blowup 8 and about 107 queries. Going past that needs a larger extension field.

/// The most terms one table may combine with powers of one challenge: its folded
/// constraints in the composition step, or its opened column values in the DEEP step (the
/// zkVM's tables have a few hundred). `setup::air_infos` refuses a table past it.
pub const MAX_TABLE_TERMS: usize = 1 << 16;

/// Largest constraint degree (see `Scope::max_degree`).
const MAX_CONSTRAINT_DEGREE: f64 = 3.0;

/// Bits of `|F|` for the extension field challenges come from: `2 log2(p)`.
fn extension_bits() -> f64 {
    2.0 * (18_446_744_069_414_584_321_f64).log2()
}

/// The proximity parameters searched for the list-decoding figure.
const M_RANGE: std::ops::RangeInclusive<u32> = 3..=256;

/// Inputs of the estimates (derived from `StarkParams`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Inputs {
    /// log2 of the blowup.
    pub log_blowup: usize,
    /// log2 of the tallest instance.
    pub log_max_rows: usize,
    /// `K_max`: the most LDE sizes (batched FRIs) a proof can have.
    pub lde_sizes: usize,
    /// Queries per FRI.
    pub num_queries: usize,
    /// Grinding bits.
    pub grinding_bits: usize,
    /// `C`: the most terms combined with powers of one challenge (see the module doc).
    pub batched_terms: usize,
}

impl Inputs {
    fn rho(&self) -> f64 {
        (-(self.log_blowup as f64)).exp2()
    }
    fn n(&self) -> f64 {
        (self.log_max_rows as f64).exp2()
    }
    fn lde(&self) -> f64 {
        ((self.log_max_rows + self.log_blowup) as f64).exp2()
    }
    fn deep_degree(&self) -> f64 {
        let n = self.n();
        MAX_CONSTRAINT_DEGREE * (n + 1.0) + n - 1.0
    }
}

/// `log2(K_max)`: the bits the union bound over `lde_sizes` batched FRIs costs.
pub fn batching_margin(lde_sizes: usize) -> f64 {
    (lde_sizes.max(1) as f64).log2()
}

/// Conjectured security in bits (see the module doc).
pub fn conjectured_bits(i: &Inputs) -> f64 {
    let query = (i.num_queries * i.log_blowup + i.grinding_bits) as f64;
    let field = extension_bits() - i.lde().log2();
    query.min(field) - batching_margin(i.lde_sizes)
}

/// Proven security in the unique-decoding regime, in bits.
pub fn unique_decoding_bits(i: &Inputs) -> f64 {
    let f = extension_bits();
    let rho_plus = (i.n() + 2.0) / i.lde();
    let query = i.grinding_bits as f64 - i.num_queries as f64 * ((1.0 + rho_plus) / 2.0).log2();
    [
        f - (i.batched_terms as f64).log2(),
        f - i.deep_degree().log2(),
        f - (i.lde() + 1.0).log2(),
        query,
    ]
    .into_iter()
    .fold(f64::INFINITY, f64::min)
        - batching_margin(i.lde_sizes)
}

/// Proven security in the list-decoding regime (Johnson bound) for proximity parameter `m`.
fn list_decoding_bits_at(i: &Inputs, m: f64) -> f64 {
    let f = extension_bits();
    let rho = i.rho();
    let slack = rho - 2.0 * m / i.lde();
    if slack <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let list = m / slack;
    let alpha = (1.0 + 0.5 / m) * rho.sqrt();
    let commit = (m + 0.5).powi(7) * i.lde().powi(2) / (2.0 * rho.powf(1.5));
    let query = i.grinding_bits as f64 - i.num_queries as f64 * alpha.log2();
    [
        f - (list * i.batched_terms as f64).log2(),
        f - (list * list * i.deep_degree()).log2(),
        f - commit.log2(),
        query,
    ]
    .into_iter()
    .fold(f64::INFINITY, f64::min)
}

/// Proven security in the list-decoding regime, maximised over the proximity parameter.
pub fn list_decoding_bits(i: &Inputs) -> f64 {
    M_RANGE
        .map(|m| list_decoding_bits_at(i, f64::from(m)))
        .fold(f64::NEG_INFINITY, f64::max)
        - batching_margin(i.lde_sizes)
}

/// Proven security: the better of the two analyses.
pub fn provable_bits(i: &Inputs) -> f64 {
    unique_decoding_bits(i).max(list_decoding_bits(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(log_blowup: usize, num_queries: usize) -> Inputs {
        Inputs {
            log_blowup,
            log_max_rows: 20,
            lde_sizes: 19,
            num_queries,
            grinding_bits: 16,
            batched_terms: MAX_TABLE_TERMS,
        }
    }

    #[test]
    fn the_batching_term_is_fed_by_the_batched_terms() {
        // At 2^62 terms the ALI round binds both analyses: 128 - log2(C) - margin in unique
        // decoding.
        let many = Inputs {
            batched_terms: 1 << 62,
            ..inputs(3, 10_000)
        };
        let udr = unique_decoding_bits(&many) + batching_margin(19);
        assert!((extension_bits() - 62.0 - udr).abs() < 1e-9, "{udr}");
        assert!(unique_decoding_bits(&many) < unique_decoding_bits(&inputs(3, 10_000)));
        assert!(list_decoding_bits(&many) < list_decoding_bits(&inputs(3, 10_000)));
    }

    #[test]
    fn the_batching_margin_covers_every_lde_size() {
        // Heights 2^2 ..= 2^20: 19 sizes.
        assert!((batching_margin(19) - 19f64.log2()).abs() < 1e-12);
    }

    #[test]
    fn conjectured_bits_follow_the_formula() {
        let i = inputs(1, 89);
        assert!((conjectured_bits(&i) - (105.0 - 19f64.log2())).abs() < 1e-9);
        // The field caps it: 128 - log2|D| - margin.
        let i = inputs(3, 1000);
        let cap = extension_bits() - 23.0 - 19f64.log2();
        assert!((conjectured_bits(&i) - cap).abs() < 1e-9);
    }

    #[test]
    fn proven_bits_are_below_conjectured_and_grow_with_queries() {
        for b in 1..=3 {
            let lo = provable_bits(&inputs(b, 50));
            let hi = provable_bits(&inputs(b, 100));
            assert!(lo < hi, "blowup 2^{b}");
            assert!(hi < conjectured_bits(&inputs(b, 100)), "blowup 2^{b}");
        }
    }

    #[test]
    fn the_johnson_analysis_is_capped_by_the_extension_field() {
        // At |D| = 2^23 the commit-phase term holds list decoding near 66 bits (before the
        // margin) however many queries there are; unique decoding is capped near 105.
        let many = inputs(3, 10_000);
        let ldr = list_decoding_bits(&many) + batching_margin(19);
        assert!((60.0..70.0).contains(&ldr), "{ldr}");
        let udr = unique_decoding_bits(&many) + batching_margin(19);
        assert!((104.0..106.0).contains(&udr), "{udr}");
    }

    #[test]
    fn default_parameters_prove_about_half_of_what_is_conjectured() {
        // Blowup 2, 16 grinding bits: each query proves < 0.5 bit.
        let i = inputs(1, 89);
        let p = provable_bits(&i);
        assert!((40.0..60.0).contains(&p), "{p}");
    }
}
