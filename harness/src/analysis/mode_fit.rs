//! `--fit`'s choice (pure): the fastest candidate (a mode at a table parallelism) whose
//! predicted peak, with a margin, fits a memory budget; or, when none does, the leanest
//! candidate, to say how far off the budget is.
//!
//! Speed is a candidate's measured prove-time ratio to `default` (from a results file: the
//! caller says which); candidates without a ratio rank after those with one, leanest first.
//! Ratios are compared at two decimals (closer is noise), then the higher parallelism ranks
//! first, then the leaner peak. At equal ratio the higher parallelism ranks first (it is the faster where it fits; a
//! parallelism that multiplies the peak past the budget loses to the one that fits).

use prover::modes::MemoryMode;

/// One mode at one table parallelism, with its prediction and measured speed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// The mode.
    pub mode: MemoryMode,
    /// Instances in flight.
    pub parallelism: usize,
    /// The predicted peak heap.
    pub predicted_peak_bytes: u64,
    /// Prove time relative to `default` (lower is faster), if measured.
    pub time_ratio: Option<f64>,
}

/// The outcome of [`choose`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fit {
    /// The fastest candidate that fits.
    Fits(Candidate),
    /// Nothing fits; the leanest candidate.
    Nothing(Candidate),
}

/// Whether `peak` bytes plus `margin_pct` percent fit in `budget` bytes.
pub fn fits(peak: u64, margin_pct: f64, budget: u64) -> bool {
    peak as f64 + peak as f64 * margin_pct / 100.0 <= budget as f64
}

/// The fastest of `candidates` that fits `budget` with `margin_pct`, else the leanest
/// (`None` only for no candidates).
pub fn choose(candidates: &[Candidate], budget: u64, margin_pct: f64) -> Option<Fit> {
    let mut ranked: Vec<&Candidate> = candidates.iter().collect();
    ranked.sort_by(|a, b| {
        // Two decimals, as the mode table prints them: closer ratios are noise (default's
        // own spread was 7.8 % in the committed table), and then the leaner wins.
        let speed = |c: &Candidate| c.time_ratio.map_or(f64::INFINITY, |r| (r * 100.0).round());
        speed(a)
            .total_cmp(&speed(b))
            .then(b.parallelism.cmp(&a.parallelism))
            .then(a.predicted_peak_bytes.cmp(&b.predicted_peak_bytes))
    });
    if let Some(c) = ranked
        .iter()
        .find(|c| fits(c.predicted_peak_bytes, margin_pct, budget))
    {
        return Some(Fit::Fits(**c));
    }
    candidates
        .iter()
        .min_by_key(|c| c.predicted_peak_bytes)
        .map(|c| Fit::Nothing(*c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prover::modes::Flag;

    const MIB: u64 = 1 << 20;

    fn c(flags: &[Flag], parallelism: usize, mib: u64, ratio: Option<f64>) -> Candidate {
        Candidate {
            mode: MemoryMode::of(flags),
            parallelism,
            predicted_peak_bytes: mib * MIB,
            time_ratio: ratio,
        }
    }

    /// fib_iterative_1200k's predictions and session-11 time ratios, with a parallelism-4
    /// combination as on 16 cores.
    fn table() -> Vec<Candidate> {
        use Flag::*;
        vec![
            c(&[], 1, 2178, Some(1.0)),
            c(&[LeafDrop], 1, 2134, Some(1.04)),
            c(&[StreamLde], 1, 1529, Some(1.18)),
            c(&[StreamLde, TraceRetire], 1, 913, Some(1.25)),
            c(&[StreamLde, LeafDrop, TraceRetire], 4, 1085, Some(1.30)),
            c(&[StreamLde, LeafDrop, TraceRetire], 1, 884, Some(1.30)),
        ]
    }

    fn chosen(budget_mib: u64) -> Fit {
        choose(&table(), budget_mib * MIB, 10.0).unwrap()
    }

    #[test]
    fn picks_the_fastest_that_fits() {
        let Fit::Fits(a) = chosen(16 * 1024) else {
            panic!()
        };
        assert_eq!(a.mode, MemoryMode::DEFAULT);
        let Fit::Fits(b) = chosen(2000) else { panic!() };
        assert_eq!(b.mode.to_string(), "stream-lde");
        let Fit::Fits(c) = chosen(1100) else { panic!() };
        assert_eq!(c.mode.to_string(), "stream-lde+trace-retire");
    }

    #[test]
    fn lowers_the_parallelism_when_it_multiplies_the_peak_past_the_budget() {
        let only_lean: Vec<_> = table()
            .into_iter()
            .filter(|c| c.mode.flags().len() == 3)
            .collect();
        let Some(Fit::Fits(high)) = choose(&only_lean, 1300 * MIB, 10.0) else {
            panic!()
        };
        assert_eq!(high.parallelism, 4);
        let Some(Fit::Fits(low)) = choose(&only_lean, 1000 * MIB, 10.0) else {
            panic!()
        };
        assert_eq!(low.parallelism, 1);
    }

    #[test]
    fn refuses_with_the_leanest_when_nothing_fits() {
        let Fit::Nothing(lean) = chosen(500) else {
            panic!()
        };
        assert_eq!(lean.predicted_peak_bytes, 884 * MIB);
        assert!(choose(&[], MIB, 10.0).is_none());
    }

    #[test]
    fn ratios_closer_than_a_percent_tie_and_the_leaner_wins() {
        let cands = [
            c(&[Flag::TraceRetire], 1, 21, Some(0.999)),
            c(&[], 1, 20, Some(1.0)),
        ];
        let Some(Fit::Fits(a)) = choose(&cands, 100 * MIB, 0.0) else {
            panic!()
        };
        assert_eq!(a.mode, MemoryMode::DEFAULT);
    }

    #[test]
    fn the_margin_counts() {
        assert!(fits(100, 10.0, 110));
        assert!(!fits(100, 10.0, 109));
    }

    #[test]
    fn unmeasured_modes_rank_after_measured_ones() {
        let cands = [c(&[Flag::LeafDrop], 1, 10, None), c(&[], 1, 20, Some(1.0))];
        let Some(Fit::Fits(a)) = choose(&cands, 100 * MIB, 0.0) else {
            panic!()
        };
        assert_eq!(a.mode, MemoryMode::DEFAULT);
    }
}
